// Reading a whole file, the way every input is read: one open, one fstat,
// reads of the size it reports. (An ifstream copied through a stringstream
// cost more than the rest of the reading in a batch.)
#pragma once

#include <cstddef>
#include <string>
#include <variant>

#include "harden/loader.h"

namespace harden {

// The bytes of a regular file, or why there are none: missing, a folder,
// not a regular file, a symlink loop, larger than `max_bytes`, unreadable.
std::variant<std::string, LoadError> read_regular_file(const std::string& path, std::size_t max_bytes);

}  // namespace harden

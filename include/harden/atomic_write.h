// Writing a file so that a failure at any point leaves the original as it
// was: a temporary file in the same folder, flushed and synced, then
// renamed over the original. A symlink's target is rewritten, not the link.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace harden {

// Returns an error message, or nothing on success.
std::optional<std::string> write_atomically(const std::string& path, std::string_view content);

}  // namespace harden

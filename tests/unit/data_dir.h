// Where the tests in doctest's test suite "data" find third-party data sets
// (the YAML test suite, the real Compose corpus, KICS's fixtures): the
// HARDEN_DATA_DIR environment variable, which tests/needs_data.sh sets from
// the build's data directory, or else ../shared beside the checkout.
#pragma once

#include <cstdlib>
#include <filesystem>

namespace harden::test {

inline std::filesystem::path data_dir() {
  if (const char* dir = std::getenv("HARDEN_DATA_DIR"); dir != nullptr && *dir != '\0') return dir;
  return std::filesystem::path(HARDEN_SOURCE_DIR) / ".." / "shared";
}

}  // namespace harden::test

// Loading a YAML source into the document model.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "harden/document.h"

namespace harden {

// A problem with the input, located where possible (1-based; 0 when unknown).
struct LoadError {
  std::string message;
  int line = 0;
  int column = 0;
};

struct Limits {
  std::size_t max_bytes = 8u << 20;       // file size
  int max_depth = 200;                    // nesting of collections
  std::size_t max_nodes = 1'000'000;      // nodes in the source
  std::size_t max_expanded_nodes = 2'000'000;  // nodes after alias expansion
  std::size_t max_line_length = 1u << 20;
};

struct LoadOptions {
  Limits limits;
  // Cross-check every scalar span by decoding it and comparing with
  // yaml-cpp's value. Off only for the verifier's values-only parse.
  bool build_spans = true;
};

struct LoadResult {
  std::unique_ptr<Document> document;  // set on success
  std::optional<LoadError> error;      // set on failure
  bool ok() const { return document != nullptr; }
};

// Checks bytes that yaml-cpp accepts but Compose (and YAML) reject: NUL,
// invalid UTF-8, UTF-16/32. Returns the first problem.
std::optional<LoadError> check_encoding(std::string_view text);

LoadResult load_document(std::string path, std::string text, const LoadOptions& options = {});

}  // namespace harden

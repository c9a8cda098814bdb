// Verification: the rewritten text is parsed again by yaml-cpp and compared,
// path by path, with the input's values plus the intended changes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harden/document.h"
#include "harden/edit.h"
#include "harden/loader.h"
#include "harden/value.h"

namespace harden {

// Parses text with yaml-cpp alone (no spans) into one value per document.
// Returns an error message on invalid YAML or an alias bomb.
struct ParsedValues {
  std::vector<Value> documents;
  std::optional<LoadError> error;
};
ParsedValues parse_values(std::string_view text, const Limits& limits = {});

// Applies intents to a copy of `before`; returns an error message when an
// intent names a path that does not exist.
std::optional<std::string> apply_intents(Value& before, const std::vector<Intent>& intents);

// Nothing when `after_text` is `before` with exactly `intents` applied;
// otherwise what differs, naming the first path.
std::optional<std::string> verify_rewrite(const Document& before, std::string_view after_text,
                                          const std::vector<Intent>& intents, const Limits& limits = {});

// The first path where two values differ, for messages.
std::optional<std::string> first_difference(const Value& expected, const Value& actual);

}  // namespace harden

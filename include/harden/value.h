// Plain YAML values, used to verify a rewrite: the input's values with the
// intended changes applied must equal the output's values, parsed again.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace harden {

struct Node;

struct Value {
  enum class Kind { Null, Scalar, Mapping, Sequence, Alias };
  Kind kind = Kind::Null;
  std::string text;  // scalar value; the anchor name for an alias
  // Aliases stay references (`*name`) and anchors stay names: an edit of an
  // anchored node shows at the anchor only, and no alias bomb expands here.
  std::string anchor;
  std::string tag;   // "?" plain, "!" quoted or block, or an explicit tag
  std::vector<std::pair<Value, Value>> entries;
  std::vector<Value> items;

  // Declared here, defined in the .cpp: clang with libstdc++ 12 cannot
  // instantiate a container of Value inside Value's implicit members.
  Value();
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();

  static Value null() { return {}; }
  static Value plain(std::string text);
  static Value quoted(std::string text);
  static Value sequence(std::vector<Value> items);

  const Value* get(std::string_view key) const;
  Value* get(std::string_view key);
  bool operator==(const Value& other) const;
};

// A path step: a mapping key or a sequence index.
using PathStep = std::variant<std::string, std::size_t>;
using Path = std::vector<PathStep>;
std::string to_string(const Path& path);

// Converts a node into a value, aliases kept as references. Returns nothing
// when the tree has more than `max_nodes` nodes.
std::optional<Value> to_value(const Node* node, std::size_t max_nodes);

}  // namespace harden

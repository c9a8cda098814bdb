#include "harden/value.h"

#include "harden/document.h"

namespace harden {

Value::Value() = default;
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;
Value::~Value() = default;

Value Value::plain(std::string text) {
  Value v;
  v.kind = Kind::Scalar;
  v.text = std::move(text);
  v.tag = "?";
  return v;
}

Value Value::quoted(std::string text) {
  Value v = plain(std::move(text));
  v.tag = "!";
  return v;
}

Value Value::sequence(std::vector<Value> items) {
  Value v;
  v.kind = Kind::Sequence;
  v.items = std::move(items);
  return v;
}

const Value* Value::get(std::string_view key) const {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (it->first.kind == Kind::Scalar && it->first.text == key) return &it->second;
  return nullptr;
}

Value* Value::get(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->get(key));
}

bool Value::operator==(const Value& other) const {
  if (kind != other.kind || anchor != other.anchor) return false;
  switch (kind) {
    case Kind::Null: return true;
    case Kind::Alias: return text == other.text;
    case Kind::Scalar: return text == other.text && tag == other.tag;
    case Kind::Mapping: return entries == other.entries;
    case Kind::Sequence: return items == other.items;
  }
  return false;
}

std::string to_string(const Path& path) {
  std::string out;
  for (const PathStep& step : path) {
    if (const auto* key = std::get_if<std::string>(&step)) {
      if (!out.empty()) out += '.';
      out += *key;
    } else {
      out += '[' + std::to_string(std::get<std::size_t>(step)) + ']';
    }
  }
  return out.empty() ? "(root)" : out;
}

namespace {

bool convert(const Node* node, Value& out, std::size_t& budget) {
  if (budget == 0) return false;
  --budget;
  out.anchor = node->anchor;
  switch (node->kind) {
    case NodeKind::Null: out.kind = Value::Kind::Null; return true;
    case NodeKind::Alias:
      out.kind = Value::Kind::Alias;
      out.text = node->value;
      out.anchor.clear();
      return true;
    case NodeKind::Scalar:
      out.kind = Value::Kind::Scalar;
      out.text = node->value;
      out.tag = node->tag;
      return true;
    case NodeKind::Mapping:
      out.kind = Value::Kind::Mapping;
      out.entries.resize(node->entries.size());
      for (std::size_t i = 0; i < node->entries.size(); ++i) {
        if (!convert(node->entries[i].key, out.entries[i].first, budget)) return false;
        if (!convert(node->entries[i].value, out.entries[i].second, budget)) return false;
      }
      return true;
    case NodeKind::Sequence:
      out.kind = Value::Kind::Sequence;
      out.items.resize(node->items.size());
      for (std::size_t i = 0; i < node->items.size(); ++i)
        if (!convert(node->items[i].value, out.items[i], budget)) return false;
      return true;
  }
  return false;
}

}  // namespace

std::optional<Value> to_value(const Node* node, std::size_t max_nodes) {
  Value v;
  if (!node) return v;
  std::size_t budget = max_nodes;
  if (!convert(node, v, budget)) return std::nullopt;
  return v;
}

}  // namespace harden

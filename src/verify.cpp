#include "harden/verify.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <fmt/format.h>

#include <algorithm>

#include "harden/text_stream.h"

namespace harden {
namespace {

// Builds values straight from yaml-cpp's events: an independent reading of
// the text that shares no code with the span builder.
class ValueBuilder : public YAML::EventHandler {
 public:
  explicit ValueBuilder(std::size_t budget) : budget_(budget) {}

  std::vector<Value> documents;

  void OnDocumentStart(const YAML::Mark&) override { names_.assign(1, std::string()); }
  void OnDocumentEnd() override {
    // Moved, not copied (a conditional of an lvalue and a prvalue copies).
    if (stack_.empty()) documents.push_back(std::move(root_));
    else documents.emplace_back();
    root_ = Value();
    stack_.clear();
  }
  void OnAnchor(const YAML::Mark&, const std::string& name) override { names_.push_back(name); }
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override { add(Value(), anchor); }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    if (anchor >= names_.size()) throw std::runtime_error("alias to an unknown anchor");
    Value v;
    v.kind = Value::Kind::Alias;
    v.text = names_[anchor];
    add(std::move(v), 0);
  }
  void OnScalar(const YAML::Mark&, const std::string& tag, YAML::anchor_t anchor, const std::string& text) override {
    Value v = Value::plain(text);
    v.tag = tag;
    add(std::move(v), anchor);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(Value::Kind::Sequence, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    open(Value::Kind::Mapping, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    Value value;
    YAML::anchor_t anchor = 0;
    bool has_key = false;
    Value key;
  };

  void charge(std::size_t n) {
    if (n > budget_) throw std::length_error("alias expansion");
    budget_ -= n;
  }
  void name_anchor(Value& v, YAML::anchor_t anchor) const {
    if (anchor > 0 && anchor < names_.size()) v.anchor = names_[anchor];
  }
  void open(Value::Kind kind, YAML::anchor_t anchor) {
    charge(1);
    Open o;
    o.anchor = anchor;
    o.value.kind = kind;
    stack_.push_back(std::move(o));
  }
  void close() {
    Open o = std::move(stack_.back());
    stack_.pop_back();
    add(std::move(o.value), o.anchor);
  }
  void add(Value v, YAML::anchor_t anchor) {
    charge(1);
    name_anchor(v, anchor);
    if (stack_.empty()) {
      root_ = std::move(v);
      return;
    }
    Open& top = stack_.back();
    if (top.value.kind == Value::Kind::Sequence) {
      top.value.items.push_back(std::move(v));
    } else if (!top.has_key) {
      top.key = std::move(v);
      top.has_key = true;
    } else {
      top.value.entries.emplace_back(std::move(top.key), std::move(v));
      top.has_key = false;
    }
  }

  std::size_t budget_;
  std::vector<Open> stack_;
  std::vector<std::string> names_;
  Value root_;
};

Value* step_into(Value& v, const PathStep& step) {
  if (const auto* key = std::get_if<std::string>(&step)) {
    if (v.kind != Value::Kind::Mapping) return nullptr;
    return v.get(*key);
  }
  std::size_t index = std::get<std::size_t>(step);
  if (v.kind != Value::Kind::Sequence || index >= v.items.size()) return nullptr;
  return &v.items[index];
}

Value* navigate(Value& root, const Path& path, std::size_t depth) {
  Value* v = &root;
  for (std::size_t i = 0; i < depth && v; ++i) v = step_into(*v, path[i]);
  return v;
}

std::optional<std::string> apply_one(Value& root, const Intent& intent) {
  if (intent.path.empty()) return "an intent with an empty path";
  Value* parent = navigate(root, intent.path, intent.path.size() - 1);
  if (!parent) return fmt::format("no value at {}", to_string(intent.path));
  const PathStep& last = intent.path.back();
  switch (intent.op) {
    case Intent::Op::Set: {
      if (const auto* key = std::get_if<std::string>(&last)) {
        if (parent->kind != Value::Kind::Mapping) return fmt::format("{} is not in a mapping", to_string(intent.path));
        if (Value* existing = parent->get(*key)) *existing = intent.value;
        else parent->entries.emplace_back(Value::plain(*key), intent.value);
      } else {
        Value* target = step_into(*parent, last);
        if (!target) return fmt::format("no item at {}", to_string(intent.path));
        *target = intent.value;
      }
      return std::nullopt;
    }
    case Intent::Op::Remove: {
      const auto* key = std::get_if<std::string>(&last);
      if (!key || parent->kind != Value::Kind::Mapping) return fmt::format("cannot remove {}", to_string(intent.path));
      auto& entries = parent->entries;
      auto it = std::find_if(entries.rbegin(), entries.rend(), [&](const auto& e) {
        return e.first.kind == Value::Kind::Scalar && e.first.text == *key;
      });
      if (it == entries.rend()) return fmt::format("no entry at {}", to_string(intent.path));
      entries.erase(std::next(it).base());
      return std::nullopt;
    }
    case Intent::Op::Append: {
      Value* seq = step_into(*parent, last);
      if (!seq || seq->kind != Value::Kind::Sequence) return fmt::format("no sequence at {}", to_string(intent.path));
      seq->items.push_back(intent.value);
      return std::nullopt;
    }
    case Intent::Op::RemoveItem: {
      const auto* index = std::get_if<std::size_t>(&last);
      if (!index || parent->kind != Value::Kind::Sequence || *index >= parent->items.size())
        return fmt::format("no item at {}", to_string(intent.path));
      parent->items.erase(parent->items.begin() + static_cast<std::ptrdiff_t>(*index));
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void describe_difference(const Value& a, const Value& b, Path& path, std::optional<std::string>& out) {
  if (out) return;
  if (a.anchor != b.anchor) {
    out = fmt::format("{}: expected anchor '{}', found '{}'", to_string(path), a.anchor, b.anchor);
    return;
  }
  if (a.kind != b.kind) {
    out = fmt::format("{}: expected a {} value, found a {} value", to_string(path), static_cast<int>(a.kind),
                      static_cast<int>(b.kind));
    return;
  }
  switch (a.kind) {
    case Value::Kind::Null: return;
    case Value::Kind::Alias:
      if (a.text != b.text) out = fmt::format("{}: expected *{}, found *{}", to_string(path), a.text, b.text);
      return;
    case Value::Kind::Scalar:
      if (a.text != b.text || a.tag != b.tag)
        out = fmt::format("{}: expected '{}', found '{}'", to_string(path), a.text, b.text);
      return;
    case Value::Kind::Sequence:
      for (std::size_t i = 0; i < std::min(a.items.size(), b.items.size()) && !out; ++i) {
        path.push_back(i);
        describe_difference(a.items[i], b.items[i], path, out);
        path.pop_back();
      }
      if (!out && a.items.size() != b.items.size())
        out = fmt::format("{}: expected {} items, found {}", to_string(path), a.items.size(), b.items.size());
      return;
    case Value::Kind::Mapping:
      for (std::size_t i = 0; i < std::min(a.entries.size(), b.entries.size()) && !out; ++i) {
        path.push_back(a.entries[i].first.text);
        if (!(a.entries[i].first == b.entries[i].first))
          out = fmt::format("{}: expected key '{}', found '{}'", to_string(path), a.entries[i].first.text,
                            b.entries[i].first.text);
        else
          describe_difference(a.entries[i].second, b.entries[i].second, path, out);
        path.pop_back();
      }
      if (!out && a.entries.size() != b.entries.size())
        out = fmt::format("{}: expected {} entries, found {}", to_string(path), a.entries.size(), b.entries.size());
      return;
  }
}

}  // namespace

ParsedValues parse_values(std::string_view text, const Limits& limits) {
  ParsedValues result;
  ValueBuilder builder(limits.max_expanded_nodes);
  try {
    TextStream input(text);
    YAML::Parser parser(input);
    while (parser.HandleNextDocument(builder)) {
    }
    result.documents = std::move(builder.documents);
  } catch (const YAML::Exception& e) {
    result.error = LoadError{"invalid YAML: " + e.msg, e.mark.line + 1, e.mark.column + 1};
  } catch (const std::length_error&) {
    result.error = LoadError{fmt::format("aliases expand to more than {} nodes", limits.max_expanded_nodes)};
  } catch (const std::runtime_error& e) {
    result.error = LoadError{e.what()};
  }
  return result;
}

std::optional<std::string> apply_intents(Value& root, const std::vector<Intent>& intents) {
  // Removals by index refer to the original sequence: do them last, from
  // the highest index down, and appends after them.
  std::vector<const Intent*> ordered;
  for (const Intent& i : intents)
    if (i.op == Intent::Op::Set || i.op == Intent::Op::Remove) ordered.push_back(&i);
  std::vector<const Intent*> removals;
  for (const Intent& i : intents)
    if (i.op == Intent::Op::RemoveItem) removals.push_back(&i);
  std::stable_sort(removals.begin(), removals.end(), [](const Intent* a, const Intent* b) {
    return std::get<std::size_t>(a->path.back()) > std::get<std::size_t>(b->path.back());
  });
  ordered.insert(ordered.end(), removals.begin(), removals.end());
  for (const Intent& i : intents)
    if (i.op == Intent::Op::Append) ordered.push_back(&i);
  for (const Intent* intent : ordered)
    if (auto error = apply_one(root, *intent)) return error;
  return std::nullopt;
}

std::optional<std::string> first_difference(const Value& expected, const Value& actual) {
  Path path;
  std::optional<std::string> out;
  describe_difference(expected, actual, path, out);
  return out;
}

std::optional<std::string> verify_rewrite(const Document& before, std::string_view after_text,
                                          const std::vector<Intent>& intents, const Limits& limits) {
  ParsedValues after = parse_values(after_text, limits);
  if (after.error) return fmt::format("the rewritten file does not parse: {}", after.error->message);
  if (after.documents.size() != std::max<std::size_t>(before.documents.size(), 1) &&
      !(before.documents.empty() && after.documents.empty()))
    return "the rewritten file has a different number of documents";
  for (std::size_t i = 0; i < before.documents.size(); ++i) {
    auto expected = to_value(before.documents[i].root, limits.max_expanded_nodes);
    if (!expected) return "aliases expand beyond the limit";
    if (i == 0)
      if (auto error = apply_intents(*expected, intents)) return "a fix names a path that does not exist: " + *error;
    if (!(*expected == after.documents[i])) {
      auto diff = first_difference(*expected, after.documents[i]);
      return diff ? *diff : std::string("the rewritten file differs from the intended result");
    }
  }
  return std::nullopt;
}

}  // namespace harden

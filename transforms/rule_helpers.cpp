#include "rule_helpers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace harden::rules {

// ------------------------------------------------------------ text

std::string to_upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

std::string to_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string normalise_capability(std::string_view name) {
  std::string upper = to_upper(trim(name));
  if (upper.starts_with("CAP_")) upper.erase(0, 4);
  return upper;
}

// ------------------------------------------------------------ reading nodes

std::vector<const Node*> scalar_items(const Node* sequence) {
  std::vector<const Node*> items;
  if (sequence) sequence = sequence->resolved();
  if (!sequence || !sequence->is_sequence()) return items;
  for (const SeqItem& item : sequence->items)
    if (item.value && item.value->resolved()->is_scalar()) items.push_back(item.value->resolved());
  return items;
}

std::optional<std::size_t> find_item(const Node* sequence, const std::function<bool(std::string_view)>& matches) {
  if (sequence) sequence = sequence->resolved();
  if (!sequence || !sequence->is_sequence()) return std::nullopt;
  for (std::size_t i = 0; i < sequence->items.size(); ++i) {
    const Node* item = sequence->items[i].value ? sequence->items[i].value->resolved() : nullptr;
    if (item && item->is_scalar() && matches(item->value)) return i;
  }
  return std::nullopt;
}

bool has_capability(const Node* sequence, std::string_view capability) {
  std::string wanted = normalise_capability(capability);
  return find_item(sequence, [&](std::string_view item) { return normalise_capability(item) == wanted; }).has_value();
}

std::size_t entry_index(const Node& mapping, const MapEntry& entry) {
  return static_cast<std::size_t>(&entry - mapping.entries.data());
}

std::string source_text(const Document& doc, const Node& node) {
  return doc.text.substr(node.content_begin, node.end - node.content_begin);
}

char quote_of(const Node& scalar) {
  switch (scalar.scalar_style) {
    case ScalarStyle::DoubleQuoted: return '"';
    case ScalarStyle::SingleQuoted: return '\'';
    default: return 0;
  }
}

char item_quote(const Node* sequence, char fallback) {
  std::vector<const Node*> items = scalar_items(sequence);
  return items.empty() ? fallback : quote_of(*items.back());
}

// ------------------------------------------------------------ shared anchors

namespace {

bool aliased(const Document& doc, const Node& node) {
  if (node.anchor.empty()) return false;
  return std::any_of(doc.nodes.begin(), doc.nodes.end(),
                     [&](const Node& n) { return n.is_alias() && n.target == &node; });
}

void collect_anchored(const Node& node, std::set<const Node*>& out, int depth) {
  if (depth > 200) return;
  if (!node.anchor.empty()) out.insert(&node);
  for (const MapEntry& e : node.entries) {
    if (e.key) collect_anchored(*e.key, out, depth + 1);
    if (e.value) collect_anchored(*e.value, out, depth + 1);
  }
  for (const SeqItem& item : node.items)
    if (item.value) collect_anchored(*item.value, out, depth + 1);
}

}  // namespace

bool anchor_in_use(const Document& doc, const Node& node) {
  std::set<const Node*> anchored;
  collect_anchored(node, anchored, 0);
  if (anchored.empty()) return false;
  return std::any_of(doc.nodes.begin(), doc.nodes.end(),
                     [&](const Node& n) { return n.is_alias() && anchored.count(n.target) > 0; });
}

std::optional<std::string> shared_edit_problem(const ServiceContext& ctx, std::vector<const Node*> nodes) {
  const Service& service = ctx.service;
  if (service.is_alias)
    return fmt::format(
        "service {} is written as an alias of another node; a change here would change that node too, so fix the "
        "anchored original",
        service.name);
  if (service.node && aliased(ctx.doc, *service.node))
    return fmt::format(
        "the mapping of service {} is anchored as &{} and reused elsewhere; a change here would reach every user "
        "of the anchor",
        service.name, service.node->anchor);
  for (const Node* node : nodes) {
    if (!node) continue;
    if (node->is_alias())
      return fmt::format("the value is an alias (*{}) shared with other users; change the anchored value instead",
                         node->value);
    if (aliased(ctx.doc, *node))
      return fmt::format("the value is anchored as &{} and reused elsewhere; a change here would reach every user",
                         node->anchor);
  }
  return std::nullopt;
}

// ------------------------------------------------------------ findings and fixes

std::size_t service_offset(const Service& service) { return service.entry->key->content_begin; }

std::size_t value_offset(const Service& service, const KeyLookup& found) {
  if (found.source == KeySource::Own && found.value) return found.value->content_begin;
  return service_offset(service);
}

Finding make_finding(const ServiceContext& ctx, const RuleInfo& rule, std::size_t offset, std::string message) {
  Finding finding;
  finding.rule = &rule;
  finding.service = ctx.service.name;
  finding.offset = offset;
  finding.message = std::move(message);
  return finding;
}

Path path_with(Path path, PathStep step) {
  path.push_back(std::move(step));
  return path;
}

void FixBuilder::add(EditResult result, Intent intent) { add(std::move(result), std::vector<Intent>{std::move(intent)}); }

void FixBuilder::add(EditResult result, std::vector<Intent> intents) {
  if (refusal_) return;
  if (auto* refusal = std::get_if<EditRefusal>(&result)) {
    refusal_ = *refusal;
    return;
  }
  edits_.push_back(std::get<Edit>(std::move(result)));
  for (Intent& intent : intents) intents_.push_back(std::move(intent));
}

void FixBuilder::refuse(std::string message) {
  if (!refusal_) refusal_ = EditRefusal{std::move(message), 0};
}

void FixBuilder::attach(Finding& finding, FixSafety safety) {
  if (refusal_) {
    finding.not_fixed = refusal_->message;
    return;
  }
  if (edits_.empty()) return;
  attach_fix(finding, EditsResult(std::move(edits_)), std::move(intents_), safety);
}

namespace {

// Flow indicators would split or end a plain scalar inside `[...]`.
bool needs_quotes_in_flow(std::string_view value) { return value.find_first_of(",[]{}") != std::string_view::npos; }

NewValue scalar_for(std::string_view value, char quote, bool in_flow) {
  if (quote == 0 && in_flow && needs_quotes_in_flow(value)) quote = '"';
  return NewValue::text(scalar_text(value, quote));
}

// Would a new list at this key be written `[a, b]`? Then its items are in flow.
bool new_list_in_flow(const ServiceContext& ctx) {
  return ctx.edits.style().prefer_flow_sequences || (ctx.service.node && ctx.service.node->is_flow());
}

std::vector<NewValue> styled_items(const ServiceContext& ctx, const std::vector<std::string>& values) {
  std::vector<NewValue> items;
  for (const std::string& value : values) items.push_back(scalar_for(value, ctx.edits.style().quote, new_list_in_flow(ctx)));
  return items;
}

}  // namespace

NewValue quoted_value(const ServiceContext&, std::string_view value, char quote) { return scalar_for(value, quote, false); }

NewValue styled_value(const ServiceContext& ctx, std::string_view value) {
  return scalar_for(value, ctx.edits.style().quote, false);
}

void set_scalar_key(const ServiceContext& ctx, FixBuilder& fix, std::string_view key, const NewValue& value) {
  const Node& service_node = *ctx.service.node;
  Path path = service_path(ctx.service, {std::string(key)});
  const MapEntry* own = ctx.service.own(key);
  if (auto problem = shared_edit_problem(ctx, {own ? own->value : nullptr})) return fix.refuse(*problem);
  if (own && (own->value->is_scalar() || own->value->is_null())) {
    Value meaning = value.meaning();
    meaning.anchor = own->value->anchor;  // replace_scalar keeps the anchor
    fix.add(ctx.edits.replace_scalar(*own->value, value.scalar), Intent{Intent::Op::Set, path, meaning});
    return;
  }
  if (own) {
    fix.add(ctx.edits.replace_value(*own, service_node, value), Intent{Intent::Op::Set, path, value.meaning()});
    return;
  }
  fix.add(ctx.edits.insert_entry(service_node, key, value), Intent{Intent::Op::Set, path, value.meaning()});
}

void add_list_items(const ServiceContext& ctx, FixBuilder& fix, std::string_view key,
                    const std::vector<std::string>& values) {
  if (values.empty()) return;
  const Node& service_node = *ctx.service.node;
  Path path = service_path(ctx.service, {std::string(key)});
  std::optional<KeyLookup> found = ctx.service.find(key);

  if (found && found->source == KeySource::Own && found->entry) {
    const MapEntry& entry = *found->entry;
    const Node* value = entry.value;
    if (auto problem = shared_edit_problem(ctx, {value})) return fix.refuse(*problem);
    if (value->is_sequence()) {
      char quote = item_quote(value, ctx.edits.style().quote);
      for (const std::string& v : values) {
        NewValue item = scalar_for(v, quote, value->is_flow());
        fix.add(ctx.edits.append_item(*value, item), Intent{Intent::Op::Append, path, item.meaning()});
      }
      return;
    }
    if (!value->is_scalar() && !value->is_null())
      return fix.refuse(fmt::format("{} is neither a list nor a string; it is left as written", key));
    std::vector<NewValue> items;
    if (value->is_scalar()) items.push_back(NewValue::text(source_text(ctx.doc, *value)));
    for (NewValue& item : styled_items(ctx, values)) items.push_back(std::move(item));
    NewValue list = NewValue::sequence(std::move(items));
    fix.add(ctx.edits.replace_value(entry, service_node, list), Intent{Intent::Op::Set, path, list.meaning()});
    return;
  }

  if (auto problem = shared_edit_problem(ctx)) return fix.refuse(*problem);
  std::vector<NewValue> items;
  if (found && found->source == KeySource::MergeKey) {
    // An own key replaces the merged one: carry its items over.
    const Node* merged = found->value ? found->value->resolved() : nullptr;
    if (merged && merged->is_sequence()) {
      for (const SeqItem& item : merged->items) {
        if (!item.value || !item.value->is_scalar())
          return fix.refuse(fmt::format("{} comes from {} and holds items that cannot be copied; add to it there",
                                        key, found->origin));
        items.push_back(NewValue::text(source_text(ctx.doc, *item.value)));
      }
    } else if (merged && merged->is_scalar()) {
      items.push_back(NewValue::text(source_text(ctx.doc, *merged)));
    }
  }
  for (NewValue& item : styled_items(ctx, values)) items.push_back(std::move(item));
  NewValue list = NewValue::sequence(std::move(items));
  fix.add(ctx.edits.insert_entry(service_node, key, list), Intent{Intent::Op::Set, path, list.meaning()});
}

}  // namespace harden::rules

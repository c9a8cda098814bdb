#include "rule_helpers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "harden/waivers.h"

namespace harden::rules {

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

bool aliased(const Document& doc, const Node& node) { return !doc.aliases_of(node).empty(); }

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

// True when every alias of `node` is a merge key's value (`<<: *node`):
// the mappings that merge it then inherit a change, which is what they want
// too (the pipeline fixes the merging services in a later pass, on top).
bool only_merged(const Document& doc, const Node& node) {
  std::set<const Node*> merge_aliases;
  for (const Node& n : doc.nodes) {
    if (!n.is_mapping()) continue;
    for (const MapEntry& e : n.entries) {
      if (!e.key || !e.key->is_scalar() || e.key->value != "<<" || !e.value) continue;
      if (e.value->is_alias()) merge_aliases.insert(e.value);
      for (const SeqItem& item : e.value->items)
        if (item.value && item.value->is_alias()) merge_aliases.insert(item.value);
    }
  }
  const auto& aliases = doc.aliases_of(node);
  return std::all_of(aliases.begin(), aliases.end(), [&](const Node* n) { return merge_aliases.count(n) > 0; });
}

}  // namespace

bool anchor_in_use(const Document& doc, const Node& node) {
  std::set<const Node*> anchored;
  collect_anchored(node, anchored, 0);
  if (anchored.empty()) return false;
  return std::any_of(anchored.begin(), anchored.end(), [&](const Node* n) { return aliased(doc, *n); });
}

std::optional<std::string> shared_edit_problem(const ServiceContext& ctx, std::vector<const Node*> nodes) {
  const Service& service = ctx.service;
  if (service.is_alias)
    return fmt::format(
        "service {} is written as an alias of another node; a change here would change that node too, so fix the "
        "anchored original",
        service.name);
  if (service.node && aliased(ctx.doc, *service.node) && !only_merged(ctx.doc, *service.node))
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

std::size_t key_offset(const Service& service, const KeyLookup& found) {
  if (found.source == KeySource::Own && found.entry && found.entry->key) return found.entry->key->content_begin;
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

std::optional<Finding> finding_for_variable(const ServiceContext& ctx, const RuleInfo& rule, const KeyLookup& found,
                                            std::string_view risk, std::string_view advice) {
  std::string value = scalar_or_empty(found.value);
  if (!has_interpolation(value)) return std::nullopt;
  std::string key = found.entry && found.entry->key ? found.entry->key->value : std::string("the value");
  Finding finding = make_finding(ctx, rule, value_offset(ctx.service, found),
                                 fmt::format("{} is set from a variable ({}): {}", key, value, risk));
  finding.not_fixed = fmt::format("the value comes from a variable; {}", advice);
  return finding;
}

Path path_with(Path path, PathStep step) {
  path.push_back(std::move(step));
  return path;
}

bool FixBuilder::take(EditResult& result) {
  if (refusal_) return false;
  if (auto* refusal = std::get_if<EditRefusal>(&result)) {
    refusal_ = std::move(*refusal);
    return false;
  }
  edits_.push_back(std::get<Edit>(std::move(result)));
  return true;
}

// (Not through a one-intent vector: its initializer list would copy the
// intent, path and value.)
void FixBuilder::add(EditResult result, Intent intent) {
  if (take(result)) intents_.push_back(std::move(intent));
}

void FixBuilder::add(EditResult result, std::vector<Intent> intents) {
  if (take(result))
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

NewValue copy_scalar(const ServiceContext& ctx, const Node& scalar) {
  // Rendered from the value, not sliced from a text: the node may belong to
  // another file, and its text may span lines.
  return scalar_for(scalar.value, quote_of(scalar), new_list_in_flow(ctx));
}

Intent replaced_by(const Node& old_value, Path path, const NewValue& value) {
  Value meaning = value.meaning();
  meaning.anchor = old_value.anchor;
  return Intent{Intent::Op::Set, std::move(path), std::move(meaning)};
}

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
    fix.add(ctx.edits.replace_scalar(*own->value, value.scalar), replaced_by(*own->value, path, value));
    return;
  }
  if (own) {
    fix.add(ctx.edits.replace_value(*own, service_node, value), replaced_by(*own->value, path, value));
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
    if (value->is_scalar()) items.push_back(copy_scalar(ctx, *value));
    for (NewValue& item : styled_items(ctx, values)) items.push_back(std::move(item));
    NewValue list = NewValue::sequence(std::move(items));
    fix.add(ctx.edits.replace_value(entry, service_node, list), replaced_by(*entry.value, path, list));
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
        items.push_back(copy_scalar(ctx, *item.value));
      }
    } else if (merged && merged->is_scalar()) {
      items.push_back(copy_scalar(ctx, *merged));
    }
  }
  for (NewValue& item : styled_items(ctx, values)) items.push_back(std::move(item));
  NewValue list = NewValue::sequence(std::move(items));
  fix.add(ctx.edits.insert_entry(service_node, key, list), Intent{Intent::Op::Set, path, list.meaning()});
}

// ------------------------------------------------------------ extends in the same file

namespace {

// The service of this file that `service` extends, or nullptr (no
// `extends`, or one that names another file).
const Service* extended_in_file(const ServiceContext& ctx) {
  const Node* extends = ctx.service.node ? ctx.service.node->get("extends") : nullptr;
  if (!extends) return nullptr;
  extends = extends->resolved();
  std::string name;
  if (extends->is_scalar()) {
    name = extends->value;
  } else if (extends->is_mapping() && !extends->get("file")) {
    name = scalar_or_empty(extends->get("service"));
  }
  if (name.empty() || name == ctx.service.name) return nullptr;
  for (const Service& other : ctx.compose.services)
    if (other.name == name) return &other;
  return nullptr;
}

bool waiver_names(const std::vector<std::string>& rules, const RuleInfo& rule) {
  if (rules.empty()) return true;
  return std::any_of(rules.begin(), rules.end(),
                     [&](const std::string& r) { return to_upper(r) == rule.code || r == rule.name; });
}

bool waived_for(const ServiceContext& ctx, const Service& service, const RuleInfo& rule) {
  if (auto waiver = waiver_on_line(ctx.doc, service_offset(service)); waiver && waiver_names(waiver->rules, rule))
    return true;
  auto configured = ctx.options.service_ignores.find(service.name);
  return configured != ctx.options.service_ignores.end() && waiver_names(configured->second, rule);
}

}  // namespace

ServiceFacts facts_of(const ServiceContext& ctx, const Service& other) {
  return infer(other, ctx.options, std::filesystem::path(ctx.doc.path).parent_path().string());
}

std::vector<std::string> without(std::vector<std::string> wanted, const std::vector<std::string>& other) {
  wanted.erase(std::remove_if(wanted.begin(), wanted.end(),
                              [&](const std::string& w) { return std::find(other.begin(), other.end(), w) != other.end(); }),
               wanted.end());
  return wanted;
}

const Service* source_service(const ServiceContext& ctx, std::string_view key, const KeyLookup& found) {
  if (found.source == KeySource::Own || !found.value) return nullptr;
  for (const Service& other : ctx.compose.services) {
    if (&other == &ctx.service || !other.node || other.is_alias) continue;
    const MapEntry* entry = other.node->find(key);
    if (entry && entry->value == found.value) return &other;
  }
  return nullptr;
}

bool leave_to_extended_service(const ServiceContext& ctx, const RuleInfo& rule,
                               std::initializer_list<std::string_view> keys, const ValuesFor& values) {
  const Service* base = extended_in_file(ctx);
  if (!base || !base->node || base->is_alias) return false;
  for (std::string_view key : keys)
    if (ctx.service.own(key)) return false;
  ServiceContext base_ctx{ctx.doc, ctx.compose, *base, ctx.facts, ctx.options, ctx.edits};
  if (shared_edit_problem(base_ctx) || waived_for(ctx, *base, rule)) return false;
  if (!values) return true;
  return values(*base, facts_of(ctx, *base)) == values(ctx.service, ctx.facts);
}

}  // namespace harden::rules

// ------------------------------------------------------------ policy rules (H107-H120, D201)

namespace harden::rules {


std::size_t item_offset(const ServiceContext& ctx, const std::optional<KeyLookup>& list, std::size_t index) {
  if (!list || list->source != KeySource::Own || !list->value) return service_offset(ctx.service);
  const Node* seq = list->value->resolved();
  if (list->value->is_alias() || !seq->is_sequence() || index >= seq->items.size())
    return value_offset(ctx.service, *list);
  return seq->items[index].value->content_begin;
}

Finding make_list_item_finding(const ServiceContext& ctx, const RuleInfo& rule, const std::optional<KeyLookup>& list,
                               std::size_t index, std::string message) {
  std::size_t item = item_offset(ctx, list, index);
  Finding finding = make_finding(ctx, rule, list ? key_offset(ctx.service, *list) : item, std::move(message));
  if (item != finding.offset) finding.item_offset = item;
  return finding;
}

void make_mount_read_only(const ServiceContext& ctx, FixBuilder& fix, const Mount& mount) {
  std::optional<KeyLookup> volumes = ctx.service.find("volumes");
  if (!volumes || volumes->source != KeySource::Own || !volumes->entry)
    return fix.refuse(fmt::format("the mount comes from {}; make it read-only there",
                                  volumes ? volumes->origin : std::string("elsewhere")));
  const Node* list = volumes->value;
  if (!list->is_sequence() || mount.index >= list->items.size())
    return fix.refuse("volumes is not a list the fix can edit");
  const Node* item = list->items[mount.index].value;
  if (auto problem = shared_edit_problem(ctx, {list, item})) return fix.refuse(*problem);
  Path path = path_with(service_path(ctx.service, {"volumes"}), mount.index);

  if (item->is_scalar()) {
    std::vector<std::string> parts = split_outside_variables(item->value, ':');
    if (parts.size() < 2 || parts.size() > 3) return fix.refuse("the mount is not written as source:target[:options]");
    std::string text = item->value;
    if (parts.size() == 2) {
      text += ":ro";
    } else {
      std::vector<std::string> options = split_outside_variables(parts[2], ',');
      bool replaced = false;
      for (std::string& option : options)
        if (option == "rw") {
          option = "ro";
          replaced = true;
        }
      if (!replaced) options.push_back("ro");
      text = parts[0] + ":" + parts[1] + ":" + join(options, ",");
    }
    NewValue value = NewValue::text(scalar_text(text, quote_of(*item)));
    fix.add(ctx.edits.replace_scalar(*item, value.scalar), replaced_by(*item, path, value));
    return;
  }
  if (!item->is_mapping()) return fix.refuse("the mount is neither a string nor a mapping");
  NewValue yes = NewValue::text("true");
  Path key_path = path_with(path, std::string("read_only"));
  if (const MapEntry* own = item->find("read_only")) {
    if (!own->value->is_scalar() && !own->value->is_null())
      return fix.refuse("read_only of the mount is not a scalar");
    fix.add(ctx.edits.replace_scalar(*own->value, yes.scalar), replaced_by(*own->value, key_path, yes));
    return;
  }
  fix.add(ctx.edits.insert_entry(*item, "read_only", yes), Intent{Intent::Op::Set, key_path, yes.meaning()});
}

void delete_list_items(const ServiceContext& ctx, FixBuilder& fix, std::string_view key,
                       std::vector<std::size_t> indices, const std::vector<std::size_t>& other_deletable) {
  if (indices.empty()) return;
  std::optional<KeyLookup> found = ctx.service.find(key);
  if (!found || found->source != KeySource::Own || !found->entry)
    return fix.refuse(fmt::format("{} comes from {}; change it there", key,
                                  found ? found->origin : std::string("elsewhere")));
  const MapEntry& entry = *found->entry;
  const Node* list = entry.value;
  if (!list->is_sequence()) return fix.refuse(fmt::format("{} is not a list", key));
  if (auto problem = shared_edit_problem(ctx, {list})) return fix.refuse(*problem);
  for (std::size_t index : indices)
    if (anchor_in_use(ctx.doc, *list->items[index].value))
      return fix.refuse("the item carries an anchor that other keys use; remove it by hand");
  Path path = service_path(ctx.service, {std::string(key)});

  std::set<std::size_t> ours(indices.begin(), indices.end());
  std::set<std::size_t> both = ours;
  both.insert(other_deletable.begin(), other_deletable.end());
  if (ours.size() == list->items.size() && (ours.size() > 1 || list->is_flow())) {
    NewValue empty = NewValue::sequence({});
    fix.add(ctx.edits.replace_value(entry, *ctx.service.node, empty), replaced_by(*entry.value, path, empty));
    return;
  }
  if (both.size() == list->items.size() || (ours.size() > 1 && list->is_flow())) {
    // The list is written again without our items.
    std::vector<NewValue> kept;
    for (std::size_t i = 0; i < list->items.size(); ++i) {
      if (ours.count(i)) continue;
      const Node* item = list->items[i].value;
      if (!item->is_scalar())
        return fix.refuse(fmt::format("{} holds items that cannot be copied; remove the entries by hand", key));
      kept.push_back(copy_scalar(ctx, *item));
    }
    NewValue value = NewValue::sequence(std::move(kept));
    fix.add(ctx.edits.replace_value(entry, *ctx.service.node, value), replaced_by(*entry.value, path, value));
    return;
  }
  std::sort(indices.begin(), indices.end(), std::greater<>());
  for (std::size_t index : indices)
    fix.add(ctx.edits.delete_item(*list, index, &entry), Intent{Intent::Op::RemoveItem, path_with(path, index), {}});
}

std::optional<SecurityOpt> parse_security_opt(std::string_view item) {
  item = trim(item);
  std::size_t sep = item.find_first_of(":=");
  if (sep == std::string_view::npos) return std::nullopt;
  return SecurityOpt{std::string(trim(item.substr(0, sep))), std::string(trim(item.substr(sep + 1))), item[sep]};
}

}  // namespace harden::rules

namespace harden::rules {

bool is_unconfined_security_opt(std::string_view item) {
  std::optional<SecurityOpt> opt = parse_security_opt(item);
  if (!opt) return false;
  if (opt->key == "seccomp" || opt->key == "apparmor" || opt->key == "systempaths") return opt->value == "unconfined";
  if (opt->key == "label") return opt->value == "disable";
  return false;
}

bool is_seccomp_in_label(std::string_view item) {
  std::optional<SecurityOpt> opt = parse_security_opt(item);
  if (!opt || opt->key != "label") return false;
  std::string value = to_lower(opt->value);
  return value == "seccomp" || value.starts_with("seccomp:") || value.starts_with("seccomp=");
}

bool is_invalid_seccomp(std::string_view item) {
  std::string_view text = trim(item);
  if (text == "seccomp") return true;  // no value at all
  if (is_seccomp_in_label(text)) return true;
  std::optional<SecurityOpt> opt = parse_security_opt(text);
  if (!opt || opt->key != "seccomp") return false;
  const std::string value = to_lower(opt->value);
  for (std::string_view bad : {"", "default", "docker-default", "docker/default", "runtime/default", "enabled",
                               "enable", "true", "on", "yes", "1", "confined", "strict"})
    if (value == bad) return true;
  return false;
}

std::vector<std::size_t> matching_items(const Node* sequence, const std::function<bool(std::string_view)>& matches) {
  std::vector<std::size_t> out;
  if (sequence) sequence = sequence->resolved();
  if (!sequence || !sequence->is_sequence()) return out;
  for (std::size_t i = 0; i < sequence->items.size(); ++i) {
    const Node* item = sequence->items[i].value ? sequence->items[i].value->resolved() : nullptr;
    if (item && item->is_scalar() && matches(item->value)) out.push_back(i);
  }
  return out;
}

}  // namespace harden::rules

namespace harden::rules {

std::optional<VolumeBind> volume_host_bind(const ComposeFile& compose, std::string_view volume) {
  auto get = [](const Node* mapping, std::string_view key) -> const Node* {
    if (mapping) mapping = mapping->resolved();
    if (!mapping || !mapping->is_mapping()) return nullptr;
    const Node* value = mapping->get(key);
    return value ? value->resolved() : nullptr;
  };
  auto text = [](const Node* node) { return node && node->is_scalar() ? std::string(trim(node->value)) : std::string(); };
  if (volume.empty()) return std::nullopt;
  const Node* definition = get(get(compose.root, "volumes"), volume);
  if (!definition || !definition->is_mapping()) return std::nullopt;
  std::string external = to_lower(text(get(definition, "external")));
  if (external == "true" || (get(definition, "external") && get(definition, "external")->is_mapping()))
    return std::nullopt;
  std::string driver = text(get(definition, "driver"));
  if (!driver.empty() && driver != "local") return std::nullopt;
  const Node* opts = get(definition, "driver_opts");
  bool bind = false, read_only = false;
  for (const std::string& option : split_outside_variables(text(get(opts, "o")), ',')) {
    std::string_view name = trim(option);
    if (name == "bind" || name == "rbind") bind = true;
    if (name == "ro") read_only = true;
  }
  const Node* device = get(opts, "device");
  std::string path = text(device);
  if (!bind || path.empty() || path.front() != '/') return std::nullopt;
  return VolumeBind{path, device, read_only};
}

std::size_t mount_offset(const ServiceContext& ctx, const std::optional<KeyLookup>& volumes, const Mount& mount) {
  std::size_t offset = item_offset(ctx, volumes, mount.index);
  if (offset == service_offset(ctx.service) || !volumes || volumes->value->is_alias()) return offset;
  const Node* item = volumes->value->items[mount.index].value;
  if (item->is_mapping())
    if (const Node* source = item->get("source"); source && !source->is_alias()) return source->content_begin;
  return offset;
}

void flag_security_opt_items(const ServiceContext& ctx, const RuleInfo& info,
                             const std::function<bool(std::string_view)>& is_ours,
                             const std::function<bool(std::string_view)>& is_other,
                             const std::function<std::string(const std::string&)>& message,
                             const std::function<std::string(const std::string&)>& reason,
                             std::vector<Finding>& findings) {
  std::optional<KeyLookup> found = ctx.service.find("security_opt");
  if (!found) return;
  std::vector<std::size_t> ours = matching_items(found->value, is_ours);
  if (ours.empty()) return;
  std::vector<std::size_t> others = matching_items(found->value, is_other);
  const Node* list = found->value->resolved();
  for (std::size_t index : ours) {
    const std::string& text = list->items[index].value->resolved()->value;
    Finding finding = make_finding(ctx, info, item_offset(ctx, found, index), message(text));
    finding.reasons.push_back(reason(text));
    std::vector<std::size_t> rest = others;
    for (std::size_t other : ours)
      if (other != index) rest.push_back(other);
    FixBuilder fix;
    delete_list_items(ctx, fix, "security_opt", {index}, rest);
    fix.attach(finding, info.safety);
    findings.push_back(std::move(finding));
  }
}

}  // namespace harden::rules

// Helpers shared by the rules in transforms/: reading Compose lists,
// naming capabilities, building findings and fixes, and the guards that keep
// a fix from changing other services through shared anchors.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harden/rule.h"

namespace harden::rules {

// ------------------------------------------------------------ text

std::string to_upper(std::string_view text);
std::string to_lower(std::string_view text);
std::string_view trim(std::string_view text);
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

// " cap_net_raw " -> "NET_RAW": Docker upper-cases names and makes the
// CAP_ prefix optional.
std::string normalise_capability(std::string_view name);

// ------------------------------------------------------------ reading nodes

// The scalar items of a sequence, aliases followed; other items are skipped.
std::vector<const Node*> scalar_items(const Node* sequence);

// The index of the first item of a sequence whose scalar value satisfies
// `matches`, or nothing.
std::optional<std::size_t> find_item(const Node* sequence, const std::function<bool(std::string_view)>& matches);

// True when the sequence holds the capability (any spelling).
bool has_capability(const Node* sequence, std::string_view capability);

// The index of an entry of `mapping`, found by address.
std::size_t entry_index(const Node& mapping, const MapEntry& entry);

// The node's text exactly as written in the source.
std::string source_text(const Document& doc, const Node& node);

// The quote character an item of this sequence would use: that of its last
// scalar item, else `fallback`.
char item_quote(const Node* sequence, char fallback);
// The quote character of a scalar as written (0 for plain).
char quote_of(const Node& scalar);

// ------------------------------------------------------------ shared anchors

// True when an alias elsewhere refers to `node` or to a node inside it: a
// change to it would reach every user of the anchor.
bool anchor_in_use(const Document& doc, const Node& node);

// Why a fix may not edit these nodes of the service (the service mapping
// itself is checked too), or nothing when it may.
std::optional<std::string> shared_edit_problem(const ServiceContext& ctx, std::vector<const Node*> nodes = {});

// ------------------------------------------------------------ findings and fixes

// The offset of the service's key: where a finding about a missing key points.
std::size_t service_offset(const Service& service);

// Where a finding about a key's value points: the value when the service
// writes it, else the service's key (a merged value may sit far away, an
// inherited one in another file).
std::size_t value_offset(const Service& service, const KeyLookup& found);

Finding make_finding(const ServiceContext& ctx, const RuleInfo& rule, std::size_t offset, std::string message);

Path path_with(Path path, PathStep step);

// Collects edits and intents from several edit-builder calls; the first
// refusal wins.
class FixBuilder {
 public:
  void add(EditResult result, Intent intent);
  void add(EditResult result, std::vector<Intent> intents);
  void refuse(std::string message);
  bool empty() const { return edits_.empty() && !refusal_; }
  bool refused() const { return refusal_.has_value(); }
  // Hands the fix (or the refusal) to the finding.
  void attach(Finding& finding, FixSafety safety);

 private:
  std::vector<Edit> edits_;
  std::vector<Intent> intents_;
  std::optional<EditRefusal> refusal_;
};

// The YAML text for a string in the quoting the service uses.
NewValue quoted_value(const ServiceContext& ctx, std::string_view value, char quote);
NewValue styled_value(const ServiceContext& ctx, std::string_view value);

// Gives the service's own `key` the scalar `value`: replaces an own scalar
// in place (keeping its anchor) or inserts a new entry, which also
// overrides a merged or inherited value.
void set_scalar_key(const ServiceContext& ctx, FixBuilder& fix, std::string_view key, const NewValue& value);

// Adds `values` (strings) to the list-valued service key `key`, wherever
// the service's current value comes from:
// - its own sequence: appended in place;
// - its own null value: replaced by the list; its own string (tmpfs): the
//   list becomes [old, new...];
// - a merge key (`<<`), which an own key replaces rather than extends: an
//   own list of the merged items plus the new ones;
// - `extends` or a base file, whose lists Compose appends to: an own list
//   of the new ones;
// - nowhere: a new own list.
void add_list_items(const ServiceContext& ctx, FixBuilder& fix, std::string_view key,
                    const std::vector<std::string>& values);

}  // namespace harden::rules

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
#include "harden/text.h"

namespace harden::rules {

// ------------------------------------------------------------ text

using harden::to_lower;
using harden::to_upper;
using harden::trim;
using harden::join;

using harden::normalise_capability;  // shared with the audit

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
// A scalar copied into a new list of this service (from this file, a merged
// anchor or a base file): its value, in its own quote style, on one line,
// quoted where the new list is a flow sequence and the value needs it.
NewValue copy_scalar(const ServiceContext& ctx, const Node& scalar);
// The intent of replacing `old_value` (replace_scalar, replace_value) with
// `value`: the new value keeps the old one's anchor, as the edit does.
Intent replaced_by(const Node& old_value, Path path, const NewValue& value);

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

// Where a finding about something missing inside a key points: the key's
// own line when the service writes it (`cap_drop:`, `security_opt:`), else
// the service's key. The first item of a block list is not the place: the
// list lacks an item, no item is wrong.
std::size_t key_offset(const Service& service, const KeyLookup& found);

Finding make_finding(const ServiceContext& ctx, const RuleInfo& rule, std::size_t offset, std::string message);

// A key whose value is set from a variable (`read_only: ${RO:-false}`):
// a finding without a fix, since the variable is the file's own switch.
// `risk` ends the message ("the container is privileged whenever it says
// true"); `advice` tells what to do. Nothing when the value is no variable.
std::optional<Finding> finding_for_variable(const ServiceContext& ctx, const RuleInfo& rule, const KeyLookup& found,
                                            std::string_view risk, std::string_view advice);

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
  bool take(EditResult& result);  // false after a refusal

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

// ------------------------------------------------------------ extends in the same file

// The other service of this file whose own mapping holds the value that
// `found` resolved to (the service gets it through a merge key or
// `extends`), or nullptr: the value is the service's own, comes from an
// `x-` anchor, or from another file.
const Service* source_service(const ServiceContext& ctx, std::string_view key, const KeyLookup& found);

// The inferred facts of another service of the file.
ServiceFacts facts_of(const ServiceContext& ctx, const Service& other);

// The items of `wanted` that `other` does not hold.
std::vector<std::string> without(std::vector<std::string> wanted, const std::vector<std::string>& other);

// What a rule would add to a service, given its facts: two services that
// get the same values can share one fix.
using ValuesFor = std::function<std::vector<std::string>(const Service&, const ServiceFacts&)>;

// True when the service can leave this rule's fix to the service it
// `extends` in the same file: it writes none of `keys` itself (so it gets
// them from there), that service can be edited and is not waived for the
// rule, and (when `values` is given) it would get the same values. Compose
// copies the fixed keys into the extending service, so fixing both would
// only duplicate them.
bool leave_to_extended_service(const ServiceContext& ctx, const RuleInfo& rule,
                               std::initializer_list<std::string_view> keys, const ValuesFor& values = {});

}  // namespace harden::rules

// ------------------------------------------------------------ policy rules (H107-H120, D201)

namespace harden::rules {

// Splits on `separator` outside `${...}`: `${DATA:-/srv}:/data` is two parts.
using harden::split_outside_variables;  // shared with inference

using harden::normalise_host_path;  // shared with the audit

// The offset of item `index` of the service's own list `list`, or the
// service's key when the list is not its own.
std::size_t item_offset(const ServiceContext& ctx, const std::optional<KeyLookup>& list, std::size_t index);

// A finding about item `index` of the list `list`, reported on the list's
// key as KICS and Checkov report it (`ports:`, `cap_add:`), so that findings
// line up with theirs; a waiver on the item's own line still counts.
Finding make_list_item_finding(const ServiceContext& ctx, const RuleInfo& rule, const std::optional<KeyLookup>& list,
                               std::size_t index, std::string message);

// Makes a bind mount of the service's own `volumes:` read-only: the short
// syntax gains `:ro` (or `rw` becomes `ro`), the long syntax gains
// `read_only: true`. Refuses for mounts that are not the service's own.
void make_mount_read_only(const ServiceContext& ctx, FixBuilder& fix, const Mount& mount);

// Deletes items of the service's own list `key` (block or flow), in one
// fix. `other_deletable` marks items that another rule may delete in the
// same pass: when they and ours would empty the list, the list is rewritten
// whole so the two fixes conflict and run in separate passes.
void delete_list_items(const ServiceContext& ctx, FixBuilder& fix, std::string_view key,
                       std::vector<std::size_t> indices, const std::vector<std::size_t>& other_deletable = {});

// `key[:=]value` of a security_opt item; nothing when it has no separator.
struct SecurityOpt {
  std::string key;
  std::string value;
  char separator = 0;
};
std::optional<SecurityOpt> parse_security_opt(std::string_view item);

}  // namespace harden::rules

namespace harden::rules {

// H110: seccomp/apparmor/systempaths=unconfined, label=disable (`:` or `=`).
bool is_unconfined_security_opt(std::string_view item);
// H111: a seccomp value Docker rejects or reads as a file name by mistake
// (`seccomp=default`, an empty value, `runtime/default`...), or a seccomp
// setting written as an SELinux label option (`label:seccomp:unconfined`).
bool is_invalid_seccomp(std::string_view item);
// `label:seccomp...`: Docker hands it to SELinux, which rejects it.
bool is_seccomp_in_label(std::string_view item);
// The indices of the scalar items of a sequence that satisfy `matches`.
std::vector<std::size_t> matching_items(const Node* sequence, const std::function<bool(std::string_view)>& matches);

// One finding per `security_opt` item that `is_ours` matches, each fixed by
// deleting that item. `is_other` matches the items another rule deletes, so
// that the two rules together never leave the list in a broken state.
// `message` and `reason` describe an item's text.
void flag_security_opt_items(const ServiceContext& ctx, const RuleInfo& info,
                             const std::function<bool(std::string_view)>& is_ours,
                             const std::function<bool(std::string_view)>& is_other,
                             const std::function<std::string(const std::string&)>& message,
                             const std::function<std::string(const std::string&)>& reason,
                             std::vector<Finding>& findings);

}  // namespace harden::rules

namespace harden::rules {

// A named volume of this file that the local driver binds to a host
// folder (`driver_opts: {type: none, o: bind, device: /srv/data}`): the
// host folder and the node that names it. Nothing for other volumes,
// external ones, other drivers and a device that is not an absolute path.
struct VolumeBind {
  std::string device;
  const Node* node = nullptr;
  bool read_only = false;  // `o: bind,ro`
};
std::optional<VolumeBind> volume_host_bind(const ComposeFile& compose, std::string_view volume);

// Where a finding about a mount points: the long syntax's `source:` value,
// the short syntax's item, or the service's key for a mount that is not
// the service's own.
std::size_t mount_offset(const ServiceContext& ctx, const std::optional<KeyLookup>& volumes, const Mount& mount);

}  // namespace harden::rules

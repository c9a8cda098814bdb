// H103 no-new-privileges: a process must not gain privileges through
// setuid binaries or file capabilities.
#include <fmt/format.h>

#include "harden/text.h"
#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H103",
    "no-new-privileges",
    "security_opt lacks no-new-privileges:true",
    Profile::Baseline,
    true,
    FixSafety::Safe,
    R"(Why it matters
  Without no-new-privileges, a process in the container can gain
  privileges by executing a setuid or setgid binary (su, sudo, ping on some
  images) or a binary with file capabilities. With it, the kernel refuses
  any such gain for the process and its children: a compromised service
  stays the user it is.

What the fix changes
  `no-new-privileges:true` is added to the service's `security_opt` (a new
  `security_opt: [no-new-privileges:true]` when it has none; `=` is used
  when the list already separates its options with `=`). An explicit
  `no-new-privileges:false` (or `=false`) is turned into `true`, keeping
  its separator and quoting. `no-new-privileges`, `no-new-privileges:true`
  and `no-new-privileges=true` all count as set.
  A service that `extends` another service of the same file, and would get
  the same values, is left alone: it receives the fix from that service.

What it can break
  Entrypoints that switch user with gosu, su-exec or setpriv keep working:
  they change user with capabilities, not through a setuid bit. What breaks
  is a non-root process that relies on a setuid helper: sudo, su, s6-overlay
  v3 started as non-root (s6-overlay-suexec), fixuid; and file capabilities
  of a binary started by a non-root user are no longer granted. A service
  whose image profile says it relies on such gains (docker:dind and the
  containers it runs, docker-mailserver's set-gid postdrop, netdata's
  set-uid plugins) is reported without a fix.

How to opt out
  Put `# harden: ignore[H103] -- reason` on the service's line (or on the
  `security_opt:` line), or list H103 under `services.<name>.ignore` in
  .harden.yaml.

References
  CIS Docker Benchmark 5.25 "Ensure that the container is restricted from
  acquiring additional privileges"; Linux prctl(2) PR_SET_NO_NEW_PRIVS.)"};

constexpr std::string_view kOption = "no-new-privileges";

// One `no-new-privileges[:=]value` item of security_opt.
struct NnpSetting {
  std::size_t index = 0;
  bool enabled = true;
  char separator = 0;  // ':' or '=', 0 for the bare option
};

std::optional<NnpSetting> parse_item(std::string_view item, std::size_t index) {
  item = rules::trim(item);
  if (!item.starts_with(kOption)) return std::nullopt;
  std::string_view rest = item.substr(kOption.size());
  if (rest.empty()) return NnpSetting{index, true, 0};
  if (rest.front() != ':' && rest.front() != '=') return std::nullopt;
  std::optional<bool> value = parse_go_bool(rules::trim(rest.substr(1)));
  if (!value) return std::nullopt;
  return NnpSetting{index, *value, rest.front()};
}

// The item that decides: Docker applies the options in order.
std::optional<NnpSetting> effective_setting(const Node* security_opt) {
  std::optional<NnpSetting> last;
  if (security_opt) security_opt = security_opt->resolved();
  if (!security_opt || !security_opt->is_sequence()) return last;
  for (std::size_t i = 0; i < security_opt->items.size(); ++i) {
    const Node* item = security_opt->items[i].value->resolved();
    if (!item->is_scalar()) continue;
    if (auto setting = parse_item(item->value, i)) last = setting;
  }
  return last;
}

// `=` when the list already writes its options that way, else `:`.
char preferred_separator(const Node* security_opt) {
  int equals = 0, colons = 0;
  for (const Node* item : rules::scalar_items(security_opt)) {
    std::size_t sep = item->value.find_first_of(":=");
    if (sep == std::string::npos) continue;
    (item->value[sep] == '=' ? equals : colons)++;
  }
  return equals > colons ? '=' : ':';
}

class NoNewPrivileges final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::optional<KeyLookup> found = ctx.service.find("security_opt");
    const Node* list = found ? found->value : nullptr;
    std::optional<NnpSetting> setting = effective_setting(list);
    if (setting && setting->enabled) return;
    if (rules::leave_to_extended_service(ctx, kInfo, {"security_opt"})) return;

    // The image relies on privilege gains: the fix would break it.
    if (const ImageProfile* profile = ctx.facts.profile; profile && profile->breaks_with_no_new_privileges) {
      std::size_t offset = found ? rules::key_offset(ctx.service, *found) : rules::service_offset(ctx.service);
      Finding finding = rules::make_finding(
          ctx, kInfo, offset,
          setting ? "security_opt turns no-new-privileges off: a process can gain privileges through setuid binaries"
                  : "no-new-privileges is not set: a process can gain privileges through setuid binaries or file "
                    "capabilities");
      finding.not_fixed = fmt::format("image {} relies on gaining privileges: {}", profile->family,
                                      profile->notes.empty() ? std::string("no-new-privileges breaks it")
                                                             : profile->notes);
      findings.push_back(std::move(finding));
      return;
    }

    rules::FixBuilder fix;
    Finding finding;
    if (setting) {
      finding = rules::make_finding(ctx, kInfo, item_offset(ctx, *found, setting->index),
                                    "security_opt turns no-new-privileges off: a process can gain privileges "
                                    "through setuid binaries");
      flip_false(ctx, *found, *setting, fix);
    } else {
      std::size_t offset = found ? rules::key_offset(ctx.service, *found) : rules::service_offset(ctx.service);
      finding = rules::make_finding(ctx, kInfo, offset,
                                    "no-new-privileges is not set: a process can gain privileges through setuid "
                                    "binaries or file capabilities");
      std::string option = fmt::format("{}{}true", kOption, preferred_separator(list));
      rules::add_list_items(ctx, fix, "security_opt", {option});
    }
    fix.attach(finding, kInfo.safety);
    findings.push_back(std::move(finding));
  }

 private:
  static std::size_t item_offset(const ServiceContext& ctx, const KeyLookup& found, std::size_t index) {
    if (found.source != KeySource::Own) return rules::service_offset(ctx.service);
    return found.value->resolved()->items[index].value->content_begin;
  }

  static std::string true_spelling(const NnpSetting& setting) {
    return fmt::format("{}{}true", kOption, setting.separator ? setting.separator : ':');
  }

  static void flip_false(const ServiceContext& ctx, const KeyLookup& found, const NnpSetting& setting,
                         rules::FixBuilder& fix) {
    const Node* list = found.value->resolved();
    Path path = service_path(ctx.service, {"security_opt"});
    if (found.source == KeySource::Own) {
      const Node& item = *list->items[setting.index].value;
      if (auto problem = rules::shared_edit_problem(ctx, {found.value, &item})) return fix.refuse(*problem);
      NewValue text = rules::quoted_value(ctx, true_spelling(setting), rules::quote_of(item));
      fix.add(ctx.edits.replace_scalar(item, text.scalar),
              rules::replaced_by(item, rules::path_with(path, setting.index), text));
      return;
    }
    if (found.source != KeySource::MergeKey)
      return fix.refuse(fmt::format("no-new-privileges is turned off in {}; change it there", found.origin));
    // An own security_opt replaces the merged one: copy it with the item flipped.
    if (auto problem = rules::shared_edit_problem(ctx)) return fix.refuse(*problem);
    std::vector<NewValue> items;
    for (std::size_t i = 0; i < list->items.size(); ++i) {
      const Node* item = list->items[i].value;
      if (!item->is_scalar())
        return fix.refuse(fmt::format("security_opt comes from {} and holds items that cannot be copied; change it "
                                      "there",
                                      found.origin));
      items.push_back(i == setting.index ? rules::quoted_value(ctx, true_spelling(setting), rules::quote_of(*item))
                                         : rules::copy_scalar(ctx, *item));
    }
    NewValue value = NewValue::sequence(std::move(items));
    fix.add(ctx.edits.insert_entry(*ctx.service.node, "security_opt", value),
            Intent{Intent::Op::Set, path, value.meaning()});
  }
};

}  // namespace

std::unique_ptr<Rule> make_no_new_privileges() { return std::make_unique<NoNewPrivileges>(); }

}  // namespace harden

// H106 no-host-root-mount: a bind mount of the host's `/` hands the whole
// host filesystem to the container.
#include <fmt/format.h>

#include <algorithm>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H106",
    "no-host-root-mount",
    "the host's root folder / is bind-mounted",
    Profile::Baseline,
    true,
    FixSafety::Safe,
    R"(Why it matters
  A bind mount whose host side is `/` gives the container every file of the
  host: /etc/shadow, SSH keys, the Docker socket, other containers' data.
  Read-write, it is a complete host takeover; even read-only, it leaks every
  secret on the machine.

What the fix changes
  The mount is deleted from the service's `volumes:` list, in the short
  syntax (`/:/host`, `/:/host:ro`) and the long syntax (`type: bind`,
  `source: /`). When it was the only item the list becomes `[]`. Other
  mounts are left as they are. A mount that comes from a merge key,
  `extends` or a base file is reported but not removed: remove it where it
  is written.
  A service that `extends` another service of the same file, and would get
  the same values, is left alone: it receives the fix from that service.

  The fix is unsafe (applied only with `--unsafe-fixes`) when the mount is
  what the service exists for: its image profile names a host-monitoring
  agent (node-exporter, cAdvisor, promtail, Alloy, netdata), or its
  command, entrypoint or environment passes the mount's target
  (`--path.rootfs=/host`, `HOST_ROOT=/rootfs`). Without the mount such a
  service still starts, but silently reports on the container instead of
  the host.

What it can break
  Monitoring and backup agents that read the host need a view of the host.
  Mount only the folders they need, read-only, or opt out.

How to opt out
  Put `# harden: ignore[H106] -- reason` on the service's line or on the
  mount's line, or list H106 under `services.<name>.ignore` in .harden.yaml.

References
  CIS Docker Benchmark 5.5 "Ensure sensitive host system directories are
  not mounted on containers".)"};

// The words of a command or entrypoint (a string or a list of strings),
// and the values of an environment (a mapping, or a list of NAME=value).
std::vector<std::string> words_of(const Node* node) {
  std::vector<std::string> words;
  node = resolved(node);
  if (!node) return words;
  const auto split = [&](const std::string& text) {
    std::size_t start = text.find_first_not_of(" \t\n");
    while (start != std::string::npos) {
      std::size_t end = text.find_first_of(" \t\n", start);
      words.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
      start = end == std::string::npos ? end : text.find_first_not_of(" \t\n", end);
    }
  };
  if (node->is_scalar()) split(node->value);
  if (node->is_sequence())
    for (const Node* item : rules::scalar_items(node)) split(item->value);
  if (node->is_mapping())
    for (const MapEntry& entry : node->entries)
      if (const Node* value = resolved(entry.value); value && value->is_scalar()) words.push_back(value->value);
  return words;
}

// The word of the service's command, entrypoint or environment that names
// `target` or a path below it (`--path.rootfs=/host`, `HOST_PROC=/host/proc`),
// or "" when none does: the service then reads the host through the mount.
std::string word_naming(const Service& service, const std::string& target) {
  if (target.empty() || target == "/") return "";
  for (std::string_view key : {"command", "entrypoint", "environment"}) {
    for (const std::string& word : words_of(service.value(key))) {
      std::string value = word;
      if (std::size_t eq = value.find('='); eq != std::string::npos) value = value.substr(eq + 1);
      value = std::string(rules::trim(value));
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
        value = value.substr(1, value.size() - 2);
      if (value.starts_with('/') && path_covered(normalise_host_path(value), target)) return word;
    }
  }
  return "";
}

// Why the service needs its host-root mount, or "" when nothing says so.
std::string purpose_of_mount(const ServiceContext& ctx, const Mount& mount) {
  if (const ImageProfile* profile = ctx.facts.profile; profile && profile->purpose == kPurposeHostMonitoring)
    return fmt::format("image {} is a host-monitoring agent (profile {}): it reads the host through this mount",
                       ctx.facts.image.empty() ? profile->family : ctx.facts.image, profile->family);
  if (std::string word = word_naming(ctx.service, mount.target); !word.empty())
    return fmt::format("the service reads the host through this mount: it passes {} to the container", word);
  return "";
}

bool mounts_host_root(const Mount& mount) {
  return mount.kind == Mount::Kind::Bind && normalise_host_path(mount.source) == "/";  // also "//", "/."
}

class NoHostRootMount final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::vector<const Mount*> roots;
    for (const Mount& mount : ctx.facts.mounts)
      if (mounts_host_root(mount)) roots.push_back(&mount);
    if (roots.empty()) return;
    if (rules::leave_to_extended_service(ctx, kInfo, {"volumes"})) return;

    std::optional<KeyLookup> volumes = ctx.service.find("volumes");
    bool own = volumes && volumes->source == KeySource::Own;
    std::vector<std::string> targets;
    for (const Mount* mount : roots) targets.push_back(mount->target.empty() ? "?" : mount->target);
    Finding finding = rules::make_finding(
        ctx, kInfo, own ? item_offset(*volumes->value, *roots.front()) : rules::service_offset(ctx.service),
        fmt::format("the host's root folder / is mounted at {}: the container can read every file of the host",
                    rules::join(targets)));

    // A mount the service exists for is never removed by a default run:
    // without it the service starts but reports on itself, not the host.
    FixSafety safety = kInfo.safety;
    for (const Mount* mount : roots) {
      std::string purpose = purpose_of_mount(ctx, *mount);
      if (purpose.empty()) continue;
      safety = FixSafety::Unsafe;
      finding.reasons.push_back(fmt::format("{}{}; removing it is an unsafe fix", purpose,
                                            mount->read_only ? "" : " (make it read-only with :ro at least)"));
    }
    if (safety == FixSafety::Unsafe) finding.message += "; the service needs it for its purpose";

    rules::FixBuilder fix;
    if (!own)
      fix.refuse(fmt::format("the mount comes from {}; remove it there", volumes ? volumes->origin : "elsewhere"));
    else
      delete_mounts(ctx, *volumes->entry, roots, fix);
    fix.attach(finding, safety);
    findings.push_back(std::move(finding));
  }

 private:
  static std::size_t item_offset(const Node& list, const Mount& mount) {
    if (list.is_sequence() && mount.index < list.items.size()) return list.items[mount.index].value->content_begin;
    return mount.node->content_begin;
  }

  // All offending items go in one fix: the indices of later items would
  // shift if they were removed one pass at a time.
  static void delete_mounts(const ServiceContext& ctx, const MapEntry& entry, std::vector<const Mount*> roots,
                            rules::FixBuilder& fix) {
    const Node* list = entry.value;
    Path path = service_path(ctx.service, {"volumes"});
    if (auto problem = rules::shared_edit_problem(ctx, {list})) return fix.refuse(*problem);
    for (const Mount* mount : roots)
      if (rules::anchor_in_use(ctx.doc, *list->items[mount->index].value))
        return fix.refuse("the mount carries an anchor that other keys use; remove it by hand");

    if (roots.size() == list->items.size() && roots.size() > 1) {
      NewValue empty = NewValue::sequence({});
      fix.add(ctx.edits.replace_value(entry, *ctx.service.node, empty), rules::replaced_by(*entry.value, path, empty));
      return;
    }
    if (roots.size() > 1 && list->is_flow())
      return fix.refuse("several mounts of / in one flow list; remove them by hand");
    // Highest index first, so that each intent's index is still right.
    std::sort(roots.begin(), roots.end(), [](const Mount* a, const Mount* b) { return a->index > b->index; });
    for (const Mount* mount : roots)
      fix.add(ctx.edits.delete_item(*list, mount->index, &entry),
              Intent{Intent::Op::RemoveItem, rules::path_with(path, mount->index), {}});
  }
};

}  // namespace

std::unique_ptr<Rule> make_no_host_root_mount() { return std::make_unique<NoHostRootMount>(); }

}  // namespace harden

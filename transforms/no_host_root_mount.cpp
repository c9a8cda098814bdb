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

What it can break
  Monitoring and backup agents that read the host (node-exporter, cAdvisor,
  some security scanners) need a view of the host. Mount only the folders
  they need, read-only, or opt out.

How to opt out
  Put `# harden: ignore[H106] -- reason` on the service's line or on the
  mount's line, or list H106 under `services.<name>.ignore` in .harden.yaml.

References
  CIS Docker Benchmark 5.5 "Ensure sensitive host system directories are
  not mounted on containers".)"};

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

    rules::FixBuilder fix;
    if (!own)
      fix.refuse(fmt::format("the mount comes from {}; remove it there", volumes ? volumes->origin : "elsewhere"));
    else
      delete_mounts(ctx, *volumes->entry, roots, fix);
    fix.attach(finding, kInfo.safety);
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

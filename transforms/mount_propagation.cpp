// H120 mount-propagation: a bind mount with shared propagation lets mounts
// made in the container appear on the host; with slave propagation, mounts
// made on the host later appear in the container.
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H120",
    "mount-propagation",
    "a bind mount uses shared, rshared, slave or rslave propagation",
    Profile::Strict,
    false,
    FixSafety::Safe,
    R"(Why it matters
  With `shared` or `rshared` propagation, a mount made inside the
  container under the bind's target propagates back to the host (and to
  every other container sharing it): a process with SYS_ADMIN can mount
  over host paths, and the container's mounts outlive it. With `slave` or
  `rslave`, mounts go one way, host to container: whatever the host mounts
  under the bind's source later (a disk, a network share, another
  container's filesystem under /var/lib/docker) appears in the container,
  beyond what the file shows. Docker's default, `rprivate`, keeps the two
  sides apart.

What the fix changes
  Nothing: storage plugins and CSI-style agents set shared propagation on
  purpose, and monitoring agents such as node-exporter use `rslave` to see
  the host's mounts. The finding names the mount so that a person can
  check it.

What it can break
  Nothing (finding only).

How to opt out
  Put `# harden: ignore[H120] -- reason` on the service's line or on the
  mount's line, or list H120 under `services.<name>.ignore` in
  .harden.yaml.

References
  CIS Docker Benchmark v1.6.0 5.20 "Ensure that the host's mount propagation mode
  is not set to shared"; Docker documentation "Bind propagation".)"};

bool shared_mode(std::string_view mode) { return mode == "shared" || mode == "rshared"; }
bool slave_mode(std::string_view mode) { return mode == "slave" || mode == "rslave"; }
bool propagating(std::string_view mode) { return shared_mode(mode) || slave_mode(mode); }

class MountPropagation final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::optional<KeyLookup> found = ctx.service.find("volumes");
    if (!found || !found->value) return;
    const Node* list = found->value->resolved();
    if (!list->is_sequence()) return;
    bool own = found->source == KeySource::Own && !found->value->is_alias();
    for (std::size_t i = 0; i < list->items.size(); ++i) {
      const Node* item = list->items[i].value->resolved();
      std::string mode;
      std::size_t offset = rules::item_offset(ctx, found, i);
      if (item->is_scalar()) {
        std::vector<std::string> parts = rules::split_outside_variables(item->value, ':');
        if (parts.size() < 3) continue;
        for (const std::string& option : rules::split_outside_variables(parts[2], ','))
          if (propagating(option)) mode = option;
      } else if (item->is_mapping()) {
        const Node* bind = item->get("bind");
        const Node* propagation = bind && bind->resolved()->is_mapping() ? bind->resolved()->get("propagation") : nullptr;
        mode = scalar_or_empty(propagation);
        if (!propagating(mode)) mode.clear();
        if (own && propagation && !propagation->is_alias() && !list->items[i].value->is_alias() &&
            !bind->is_alias()) offset = propagation->content_begin;
      }
      if (mode.empty()) continue;
      findings.push_back(rules::make_finding(
          ctx, kInfo, offset,
          shared_mode(mode)
              ? fmt::format("bind propagation {}: mounts made in the container reach the host", mode)
              : fmt::format("bind propagation {}: mounts the host makes later below the source appear in the "
                            "container",
                            mode)));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_mount_propagation() { return std::make_unique<MountPropagation>(); }

}  // namespace harden

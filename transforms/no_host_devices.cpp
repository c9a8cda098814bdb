// H113 no-host-devices: `devices:` passes host device nodes into the
// container.
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H113",
    "no-host-devices",
    "devices: passes host devices into the container",
    Profile::Strict,
    false,
    FixSafety::Safe,
    R"(Why it matters
  Each `devices:` entry gives the container a host device node and the
  cgroup permission to use it. Raw disks (/dev/sda), /dev/mem, /dev/kmsg,
  /dev/fuse or GPU devices let a process read or change host data or
  reach kernel drivers that were never written for untrusted callers.

What the fix changes
  Nothing: the service may need the device (a USB dongle, a GPU, a serial
  port, a tun device for a VPN). The finding lists the devices so that a
  person can check each one and restrict it (`:r` for read-only access,
  the narrowest device node, `device_cgroup_rules` instead of a whole
  class).

What it can break
  Nothing (finding only).

How to opt out
  Put `# harden: ignore[H113] -- reason` on the service's line or on the
  device's line, or list H113 under `services.<name>.ignore` in
  .harden.yaml.

References
  CIS Docker Benchmark v1.6.0 5.18 "Ensure that host devices are not directly
  exposed to containers".)"};

class NoHostDevices final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::optional<KeyLookup> found = ctx.service.find("devices");
    if (!found || !found->value) return;
    const Node* list = found->value->resolved();
    if (!list->is_sequence()) {
      if (list->is_null()) return;
      findings.push_back(rules::make_finding(ctx, kInfo, rules::value_offset(ctx.service, *found),
                                             "devices: passes host devices into the container"));
      return;
    }
    for (std::size_t i = 0; i < list->items.size(); ++i) {
      const Node* item = list->items[i].value->resolved();
      std::string device;
      if (item->is_scalar()) device = item->value;
      else if (item->is_mapping()) device = scalar_or_empty(item->get("source"));
      findings.push_back(rules::make_finding(
          ctx, kInfo, rules::item_offset(ctx, found, i),
          fmt::format("devices: the host device {} is passed into the container",
                      device.empty() ? std::string("(unnamed)") : device)));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_no_host_devices() { return std::make_unique<NoHostDevices>(); }

}  // namespace harden

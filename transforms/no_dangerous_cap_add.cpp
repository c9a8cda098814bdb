// H112 no-dangerous-cap-add: capabilities that amount to root on the host
// or break the container's isolation.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "harden/capabilities.h"
#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H112",
    "no-dangerous-cap-add",
    "cap_add grants a capability that breaks isolation (ALL, SYS_ADMIN, SYS_MODULE, SYS_PTRACE...)",
    Profile::Baseline,
    false,
    FixSafety::Safe,
    R"(Why it matters
  Some capabilities are enough on their own to escape the container or
  take over the host:
  ALL (every capability: close to privileged mode), SYS_ADMIN (mount,
  namespaces, many container escapes), SYS_MODULE (load kernel modules),
  SYS_PTRACE (inspect and inject into other processes), SYS_RAWIO (raw
  I/O ports and /dev/mem), SYS_BOOT (reboot, kexec), SYS_TIME (the host's
  clock), NET_ADMIN (interfaces, routes, firewall), DAC_READ_SEARCH (read
  any file by handle: the "shocker" escape), BPF and PERFMON (kernel
  tracing and eBPF programs), MAC_ADMIN and MAC_OVERRIDE (change or bypass
  AppArmor and SELinux), SYSLOG (kernel log and addresses), LINUX_IMMUTABLE.

What the fix changes
  Nothing: harden cannot know whether the service needs the capability,
  and removing it would break the services that do. The finding names the
  capability so that a person can decide.

What it can break
  Nothing (finding only).

How to opt out
  Put `# harden: ignore[H112] -- reason` on the service's line, on the
  `cap_add:` line (every capability) or on one capability's line, or list
  H112 under `services.<name>.ignore` in .harden.yaml. Findings are
  reported on the `cap_add:` line, as KICS reports them; the message names
  the capability.

References
  CIS Docker Benchmark v1.6.0 5.4 "Ensure that Linux kernel capabilities are
  restricted within containers"; capabilities(7).)"};

bool dangerous(std::string_view item) { return is_dangerous_capability(rules::normalise_capability(item)); }

class NoDangerousCapAdd final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::optional<KeyLookup> found = ctx.service.find("cap_add");
    if (!found) return;
    const Node* list = found->value->resolved();
    for (std::size_t index : rules::matching_items(list, dangerous)) {
      std::string name = rules::normalise_capability(list->items[index].value->resolved()->value);
      findings.push_back(rules::make_list_item_finding(
          ctx, kInfo, found, index,
          name == "ALL" ? std::string("cap_add ALL grants every capability: close to privileged mode")
                        : fmt::format("cap_add {} lets a process break the container's isolation", name)));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_no_dangerous_cap_add() { return std::make_unique<NoDangerousCapAdd>(); }

}  // namespace harden

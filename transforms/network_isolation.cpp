// H117 network-isolation: a service on the project's default network only
// can reach every other service of the file.
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H117",
    "network-isolation",
    "the service is on the default network only",
    Profile::Strict,
    false,
    FixSafety::Unsafe,
    R"(Why it matters
  A service with neither `networks:` nor `network_mode:` joins the
  project's `default` bridge network, which every other such service of
  the file joins too: a compromised front end can talk to the database,
  the cache and the admin tools directly. Named networks let you say which
  service talks to which (front end and API on one network, API and
  database on another, `internal: true` for the back end).

What the fix changes
  Nothing yet: the finding names the service. Which services should share
  a network is a design decision harden cannot infer from the file (it
  would need to know who calls whom), so no automatic fix is offered. A
  service whose `networks:` names only `default` is reported too.

What it can break
  Nothing (finding only).

How to opt out
  Put `# harden: ignore[H117] -- reason` on the service's line, or list
  H117 under `services.<name>.ignore` in .harden.yaml.

References
  CIS Docker Benchmark v1.6.0 5.30 (manual) and 2.1 "Ensure network traffic is
  restricted between containers on the default bridge"; Compose
  documentation "Networking in Compose".)"};

bool only_default(const Node* networks) {
  if (!networks) return true;
  networks = networks->resolved();
  if (networks->is_null()) return true;
  if (networks->is_sequence()) {
    for (const SeqItem& item : networks->items)
      if (scalar_or_empty(item.value) != "default") return false;
    return true;
  }
  if (networks->is_mapping()) {
    for (const MapEntry& entry : networks->entries)
      if (scalar_or_empty(entry.key) != "default") return false;
    return true;
  }
  return false;
}

class NetworkIsolation final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    if (ctx.service.find("network_mode")) return;
    std::optional<KeyLookup> networks = ctx.service.find("networks");
    if (networks && !only_default(networks->value)) return;
    findings.push_back(rules::make_finding(
        ctx, kInfo, networks ? rules::value_offset(ctx.service, *networks) : rules::service_offset(ctx.service),
        "the service is on the default network only: it can reach every other service of the project"));
  }
};

}  // namespace

std::unique_ptr<Rule> make_network_isolation() { return std::make_unique<NetworkIsolation>(); }

}  // namespace harden

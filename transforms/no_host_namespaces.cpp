// H109 no-host-namespaces: sharing the host's network, PID, IPC, UTS or
// user namespace removes a layer of isolation.
#include <fmt/format.h>

#include <array>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H109",
    "no-host-namespaces",
    "the service shares a host namespace (network_mode, pid, ipc, uts or userns_mode: host)",
    Profile::Baseline,
    true,
    FixSafety::Unsafe,
    R"(Why it matters
  Each namespace the container shares with the host removes a layer of
  isolation:
  - `network_mode: host`: the container sees every host interface, can
    bind any host port, reach services on 127.0.0.1 of the host and
    sniff traffic with NET_RAW; published `ports:` are ignored.
  - `pid: host`: it sees every host process, their command lines and
    environment, and can signal or (with SYS_PTRACE) inspect them.
  - `ipc: host`: it shares System V IPC and /dev/shm with host processes.
  - `uts: host`: it can change the host's hostname (with SYS_ADMIN).
  - `userns_mode: host`: it opts out of the daemon's user-namespace
    remapping, so root in the container is root on the host.

What the fix changes
  The entry is deleted, so the service gets its own namespace (for
  network_mode: the project's default network). The fix is unsafe: applied
  only with --unsafe-fixes. A value that comes from a merge key,
  `extends` or a base file is reported but not changed: change it where
  it is written.

What it can break
  Monitoring agents (node-exporter, cAdvisor, netdata), VPN and DHCP
  servers, network tools, process-level debuggers and anything that talks
  to host services on localhost. After deleting `network_mode: host` the
  service is reachable only through published `ports:`, which may need to
  be added.

How to opt out
  Put `# harden: ignore[H109] -- reason` on the service's line or on the
  entry's line, or list H109 under `services.<name>.ignore` in
  .harden.yaml.

References
  CIS Docker Benchmark v1.6.0 5.10 (network), 5.16 (PID), 5.17 (IPC), 5.21 (UTS),
  5.31 (user namespace).)"};

constexpr std::array<std::string_view, 5> kKeys = {"network_mode", "pid", "ipc", "uts", "userns_mode"};

class NoHostNamespaces final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    const Node& service = *ctx.service.node;
    // Deleting every own entry at once would leave an empty mapping.
    std::size_t own_host_entries = 0;
    for (std::string_view key : kKeys)
      if (const MapEntry* own = ctx.service.own(key); own && scalar_or_empty(own->value) == "host") ++own_host_entries;

    for (std::string_view key : kKeys) {
      std::optional<KeyLookup> found = ctx.service.find(key);
      if (!found || scalar_or_empty(found->value) != "host") continue;
      Finding finding = rules::make_finding(
          ctx, kInfo, rules::value_offset(ctx.service, *found),
          fmt::format("{}: host shares the host's {} namespace with the container", key, namespace_name(key)));
      rules::FixBuilder fix;
      if (found->source != KeySource::Own || !found->entry) {
        fix.refuse(fmt::format("{}: host comes from {}; remove it there", key, found->origin));
      } else if (auto problem = rules::shared_edit_problem(ctx)) {
        fix.refuse(*problem);
      } else if (rules::anchor_in_use(ctx.doc, *found->entry->value)) {
        fix.refuse("the value carries an anchor that other keys use; delete it by hand");
      } else if (own_host_entries >= service.entries.size()) {
        fix.refuse("deleting it would leave the service empty");
      } else {
        finding.reasons.push_back(fmt::format("{} deleted: the service gets its own {} namespace", key,
                                              namespace_name(key)));
        fix.add(ctx.edits.delete_entry(service, rules::entry_index(service, *found->entry)),
                Intent{Intent::Op::Remove, service_path(ctx.service, {std::string(key)}), {}});
      }
      fix.attach(finding, kInfo.safety);
      findings.push_back(std::move(finding));
    }
  }

 private:
  static std::string_view namespace_name(std::string_view key) {
    if (key == "network_mode") return "network";
    if (key == "pid") return "PID";
    if (key == "ipc") return "IPC";
    if (key == "uts") return "UTS";
    return "user";
  }
};

}  // namespace

std::unique_ptr<Rule> make_no_host_namespaces() { return std::make_unique<NoHostNamespaces>(); }

}  // namespace harden

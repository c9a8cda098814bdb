// H116 bind-localhost: a published port without a host address listens on
// every interface of the host.
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H116",
    "bind-localhost",
    "a published port has no host address and listens on every interface",
    Profile::Strict,
    true,
    FixSafety::Unsafe,
    R"(Why it matters
  `ports: ["8080:80"]` publishes the port on every interface of the host
  (0.0.0.0 and ::), and Docker's iptables rules bypass host firewalls such
  as ufw: a database or admin interface meant for the developer's machine
  is reachable from the whole network.

What the fix changes
  The host address 127.0.0.1 is added: `"8080:80"` becomes
  `"127.0.0.1:8080:80"` and `"80"` becomes `"127.0.0.1::80"` (quoting
  kept); in the long syntax the port gains `host_ip: 127.0.0.1`. Ports
  with a host address are left alone. Ports of a service on
  `network_mode: host` are ignored by Docker, but are checked anyway:
  H109 may remove the host network in the same run. A port written as a
  single variable (`"${PORT}"`) is reported but not changed. The fix is unsafe:
  applied only with --unsafe-fixes.

What it can break
  Everything that reached the port from another machine: a reverse proxy
  on another host, other hosts of a cluster, phones on the LAN during
  development. Services that must be public should be published on the
  intended address explicitly (`0.0.0.0:443:443`), which this rule accepts.

How to opt out
  Put `# harden: ignore[H116] -- reason` on the service's line, on the
  `ports:` line (every port) or on one port's line, list H116 under
  `services.<name>.ignore` in .harden.yaml, or write the address
  explicitly. Findings are reported on the `ports:` line, as KICS reports
  them; the message names the port.

References
  CIS Docker Benchmark v1.6.0 5.14 "Ensure that incoming container traffic is
  bound to a specific host interface".)"};

// How the item would be written with a host address, or nothing when it
// has one already or cannot be changed safely.
struct PortProblem {
  bool fixable = false;
  std::string new_text;  // short syntax
};

std::optional<PortProblem> short_port(std::string_view text) {
  text = rules::trim(text);
  if (text.empty() || text.front() == '[') return std::nullopt;  // [::1]:80:80
  std::vector<std::string> parts = rules::split_outside_variables(text, ':');
  if (parts.size() >= 3) return std::nullopt;  // ip:host:container
  if (parts.size() == 1) {
    if (text.find("${") != std::string_view::npos) return PortProblem{false, {}};
    return PortProblem{true, fmt::format("127.0.0.1::{}", text)};
  }
  return PortProblem{true, fmt::format("127.0.0.1:{}", text)};
}

class BindLocalhost final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    // Docker ignores `ports:` under network_mode: host, but H109 may delete
    // that in the same run, so the ports are checked all the same.
    bool host_network = scalar_or_empty(ctx.service.value("network_mode")) == "host";
    std::optional<KeyLookup> found = ctx.service.find("ports");
    if (!found || !found->value) return;
    const Node* list = found->value->resolved();
    if (!list->is_sequence()) return;
    bool own = found->source == KeySource::Own && !found->value->is_alias();
    Path path = service_path(ctx.service, {"ports"});
    for (std::size_t i = 0; i < list->items.size(); ++i) {
      const Node* item = list->items[i].value;
      const Node* resolved = item->resolved();
      rules::FixBuilder fix;
      std::string shown;
      if (resolved->is_scalar()) {
        std::optional<PortProblem> problem = short_port(resolved->value);
        if (!problem) continue;
        shown = resolved->value;
        if (!problem->fixable) fix.refuse("the port is a single variable; add the host address where it is set");
        else if (!own) fix.refuse(fmt::format("the port comes from {}; bind it there", found->origin));
        else if (auto shared = rules::shared_edit_problem(ctx, {found->value, item})) fix.refuse(*shared);
        else {
          NewValue value = NewValue::text(scalar_text(problem->new_text, rules::quote_of(*item)));
          fix.add(ctx.edits.replace_scalar(*item, value.scalar),
                  rules::replaced_by(*item, rules::path_with(path, i), value));
        }
      } else if (resolved->is_mapping()) {
        if (!scalar_or_empty(resolved->get("host_ip")).empty()) continue;
        std::string published = scalar_or_empty(resolved->get("published"));
        // KICS-style `published: 127.0.0.1:8080` already names an address.
        if (published.find_first_of(".:[") != std::string::npos) continue;
        shown = fmt::format("{}{}", published.empty() ? std::string() : published + ":",
                            scalar_or_empty(resolved->get("target")));
        if (!own) fix.refuse(fmt::format("the port comes from {}; bind it there", found->origin));
        else if (auto shared = rules::shared_edit_problem(ctx, {found->value, item})) fix.refuse(*shared);
        else {
          NewValue address = rules::styled_value(ctx, "127.0.0.1");
          fix.add(ctx.edits.insert_entry(*item, "host_ip", address),
                  Intent{Intent::Op::Set, rules::path_with(rules::path_with(path, i), std::string("host_ip")),
                         address.meaning()});
        }
      } else {
        continue;
      }
      Finding finding = rules::make_list_item_finding(
          ctx, kInfo, found, i,
          host_network ? fmt::format("port {} has no host address: ignored under network_mode: host, it listens on "
                                     "every interface once the service leaves the host network",
                                     shown)
                       : fmt::format("port {} is published on every interface of the host", shown));
      finding.reasons.push_back("host address 127.0.0.1: the port is reachable from this host only");
      fix.attach(finding, kInfo.safety);
      findings.push_back(std::move(finding));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_bind_localhost() { return std::make_unique<BindLocalhost>(); }

}  // namespace harden

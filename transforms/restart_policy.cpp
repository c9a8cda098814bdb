// H115 restart-policy: a service without a restart policy stays down after
// a crash or a reboot.
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H115",
    "restart-policy",
    "the service has no restart policy",
    Profile::Strict,
    true,
    FixSafety::Safe,
    R"(Why it matters
  Without `restart:` Docker does not restart a container that crashed,
  was killed for exceeding its memory limit (H105) or ran on a host that
  rebooted. A hardened service is more likely to be stopped by its limits,
  so it needs a policy that brings it back, and a policy that does not
  restart forever in a tight loop hides nothing: `docker compose ps`
  shows the restarts.

What the fix changes
  `restart: unless-stopped` is added to the service (the value is
  `defaults.restart` in .harden.yaml). A `restart:` from a merge key,
  `extends` or a base file, and a `deploy.restart_policy` (Swarm and
  `docker compose` both read it), count as a policy.

What it can break
  One-shot services (migrations, init jobs, test runners) would run again
  and again: give them `restart: "no"` or opt out.

How to opt out
  Put `# harden: ignore[H115] -- reason` on the service's line, list H115
  under `services.<name>.ignore` in .harden.yaml, or write `restart: "no"`
  explicitly.

References
  CIS Docker Benchmark v1.6.0 5.15 "Ensure that the 'on-failure' container
  restart policy is set to '5'" (a bounded policy is its recommendation:
  set `defaults.restart: on-failure:5` to follow it).)"};

class RestartPolicy final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    if (ctx.service.find("restart")) return;
    if (const Node* deploy = ctx.service.value("deploy")) {
      deploy = deploy->resolved();
      if (deploy->is_mapping() && deploy->get("restart_policy")) return;
    }
    const std::string& policy = ctx.options.defaults.restart.empty() ? std::string("unless-stopped")
                                                                      : ctx.options.defaults.restart;
    Finding finding = rules::make_finding(ctx, kInfo, rules::service_offset(ctx.service),
                                          "the service has no restart policy: it stays down after a crash or reboot");
    finding.reasons.push_back(fmt::format("restart: {}: the default restart policy", policy));
    rules::FixBuilder fix;
    if (auto problem = rules::shared_edit_problem(ctx)) fix.refuse(*problem);
    else rules::set_scalar_key(ctx, fix, "restart", rules::styled_value(ctx, policy));
    fix.attach(finding, kInfo.safety);
    findings.push_back(std::move(finding));
  }
};

}  // namespace

std::unique_ptr<Rule> make_restart_policy() { return std::make_unique<RestartPolicy>(); }

}  // namespace harden

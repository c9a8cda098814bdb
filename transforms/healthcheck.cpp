// H118 healthcheck: a service with no healthcheck in the compose file (or
// one that disables it).
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H118",
    "healthcheck",
    "the service defines no healthcheck, or disables it",
    Profile::Strict,
    false,
    FixSafety::Safe,
    R"(Why it matters
  Without a healthcheck Docker knows only whether the process runs, not
  whether it works: a hung server stays "Up", `depends_on: condition:
  service_healthy` cannot wait for it, and a restart policy never kicks
  in. Under tighter limits (H105) and a read-only root (H104) a service
  can start and then stop answering; a healthcheck shows it.

What the fix changes
  Nothing: the right probe depends on the service (an HTTP path, a
  `pg_isready`, a TCP connect) and on the tools the image ships, and the
  image's own HEALTHCHECK is not known to harden. The finding is reported
  for a service without `healthcheck:`, and for `healthcheck: {disable:
  true}` or `test: ["NONE"]`, which switch off the image's own check.
  A service whose image defines a HEALTHCHECK is fine as it is: opt out.

What it can break
  Nothing (finding only).

How to opt out
  Put `# harden: ignore[H118] -- reason` on the service's line (or on the
  `healthcheck:` line), or list H118 under `services.<name>.ignore` in
  .harden.yaml.

References
  CIS Docker Benchmark v1.6.0 5.27 (4.6 for images) "Ensure that container health
  is checked at runtime".)"};

bool test_is_none(const Node* test) {
  if (!test) return false;
  test = test->resolved();
  if (test->is_scalar()) return test->value == "NONE";
  if (test->is_sequence() && !test->items.empty()) return scalar_or_empty(test->items.front().value) == "NONE";
  return false;
}

class Healthcheck final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::optional<KeyLookup> found = ctx.service.find("healthcheck");
    if (!found || !found->value || found->value->resolved()->is_null()) {
      findings.push_back(rules::make_finding(ctx, kInfo, rules::service_offset(ctx.service),
                                             "the service defines no healthcheck (the image's own is unknown)"));
      return;
    }
    const Node* check = found->value->resolved();
    if (!check->is_mapping()) return;
    bool own = found->source == KeySource::Own && !found->value->is_alias();
    if (const Node* disable = check->get("disable"); disable && is_true(disable)) {
      findings.push_back(rules::make_finding(ctx, kInfo, own ? disable->content_begin : rules::service_offset(ctx.service),
                                             "healthcheck: disable: true switches the healthcheck off"));
      return;
    }
    if (const Node* test = check->get("test"); test_is_none(test))
      findings.push_back(rules::make_finding(ctx, kInfo, own ? test->content_begin : rules::service_offset(ctx.service),
                                             "healthcheck test NONE switches the healthcheck off"));
  }
};

}  // namespace

std::unique_ptr<Rule> make_healthcheck() { return std::make_unique<Healthcheck>(); }

}  // namespace harden

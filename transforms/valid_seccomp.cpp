// H111 valid-seccomp: `seccomp=default` is not a profile name: Docker
// opens a file named `default` and the container does not start; and
// `label:seccomp:...` is not a seccomp option at all.
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H111",
    "valid-seccomp",
    "security_opt names a seccomp profile Docker rejects (seccomp=default, label:seccomp:...)",
    Profile::Baseline,
    true,
    FixSafety::Safe,
    R"(Why it matters
  The value of `seccomp=` (or `seccomp:`) is `unconfined`, `builtin` or
  the path of a JSON profile. `seccomp=default`, `seccomp=runtime/default`
  (the Kubernetes spelling), `seccomp=enabled`, `seccomp=true` or an empty
  value are read as file names: Docker fails with "opening seccomp profile
  (default) failed" and the container does not start, or a file of that
  name is loaded by accident. Writing them usually means "use the default
  profile", which is what Docker does when no seccomp option is given.
  A seccomp setting written inside `label` (`label:seccomp:unconfined`) is
  not a seccomp option at all: Docker hands the value to SELinux, which
  refuses it ("bad label option") on SELinux hosts; elsewhere it is
  ignored, and the container runs with the default seccomp profile.

What the fix changes
  The entry is deleted from `security_opt`; Docker applies its default
  seccomp profile. When it was the only entry the list becomes `[]`.
  Entries that come from a merge key, `extends` or a base file are
  reported but not changed.

What it can break
  Nothing that worked before: the entry either stopped the container from
  starting, was ignored, or loaded a file named like a keyword. If such a file really is
  your profile, write it as a path (`seccomp=./default`).

How to opt out
  Put `# harden: ignore[H111] -- reason` on the service's line or on the
  entry's line, or list H111 under `services.<name>.ignore` in
  .harden.yaml.

References
  Docker documentation "Seccomp security profiles for Docker"; CIS Docker
  Benchmark v1.6.0 5.22.)"};

class ValidSeccomp final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    rules::flag_security_opt_items(
        ctx, kInfo, rules::is_invalid_seccomp, rules::is_unconfined_security_opt,
        [](const std::string& text) {
          if (rules::is_seccomp_in_label(text))
            return fmt::format("security_opt {} is not a seccomp option: Docker passes it to SELinux as a label "
                               "option, which fails on SELinux hosts and is ignored elsewhere",
                               text);
          return fmt::format("security_opt {} is not a seccomp profile: Docker reads it as a file name and fails",
                             text);
        },
        [](const std::string& text) {
          return fmt::format("{} deleted: without a seccomp option Docker applies its default profile", text);
        }, findings);
  }
};

}  // namespace

std::unique_ptr<Rule> make_valid_seccomp() { return std::make_unique<ValidSeccomp>(); }

}  // namespace harden

// H110 no-unconfined-profiles: security_opt entries that switch off
// seccomp, AppArmor, SELinux labelling or the masking of /proc and /sys.
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H110",
    "no-unconfined-profiles",
    "security_opt turns off seccomp, AppArmor, SELinux labels or system-path masking",
    Profile::Baseline,
    true,
    FixSafety::Unsafe,
    R"(Why it matters
  Docker confines every container with a seccomp filter (about 44
  dangerous system calls blocked: kexec, bpf, mount, keyctl...), an
  AppArmor or SELinux profile, and masked or read-only paths under /proc
  and /sys. These `security_opt` entries switch them off:
  `seccomp=unconfined` (or `seccomp:unconfined`), `apparmor=unconfined`,
  `label=disable` (or `label:disable`) and `systempaths=unconfined`. Many
  container escapes need exactly the calls or paths they open up.

What the fix changes
  The entry is deleted from `security_opt`; Docker then applies its
  default profile. When it was the only entry the list becomes `[]`.
  Entries that come from a merge key, `extends` or a base file are
  reported but not changed. The fix is unsafe: applied only with
  --unsafe-fixes.

What it can break
  Software that needs a blocked system call (some debuggers, strace with
  SYS_PTRACE, Chrome's own sandbox in older images, userfaultfd users,
  nested container runtimes) or writes to a masked path. Prefer a custom
  seccomp profile (`seccomp=./profile.json`) that allows just the call.

How to opt out
  Put `# harden: ignore[H110] -- reason` on the service's line or on the
  entry's line, or list H110 under `services.<name>.ignore` in
  .harden.yaml.

References
  CIS Docker Benchmark v1.6.0 5.2 (AppArmor), 5.3 (SELinux), 5.22 "Ensure the
  default seccomp profile is not Disabled"; Docker documentation "Seccomp
  security profiles for Docker".)"};

class NoUnconfinedProfiles final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    rules::flag_security_opt_items(
        ctx, kInfo, rules::is_unconfined_security_opt, rules::is_invalid_seccomp,
        [](const std::string& text) {
          return fmt::format("security_opt {} switches off a confinement Docker applies by default", text);
        },
        [](const std::string& text) {
          return fmt::format("{} deleted: Docker applies its default profile", text);
        }, findings);
  }
};

}  // namespace

std::unique_ptr<Rule> make_no_unconfined_profiles() { return std::make_unique<NoUnconfinedProfiles>(); }

}  // namespace harden

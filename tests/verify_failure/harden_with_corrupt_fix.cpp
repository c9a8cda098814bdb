// harden with one more rule whose fix is wrong: the whole command line and
// pipeline of the shipped binary, to drive a rewrite that verification must
// reject (tests/verify_failure_test.sh). The shipped binary has no switch for
// this: the rule list is replaced at link time. This file defines
// harden::all_rules and harden::find_rule, so the linker never takes the
// registry's object file from the harden_core archive; the built-in rules
// are made by the same factories the registry calls.
//
// HARDEN_CORRUPTION chooses the wrong fix:
//   unexplained (default)  appends `x-injected: true` with no intent at all
//   wrong-value            intends `x-injected: true`, writes `x-injected: false`
#include <cstdlib>
#include <string>
#include <string_view>

#include "harden/cli.h"
#include "harden/rule.h"

#define HARDEN_BUILTIN_RULES(X)                                                                               \
  X(no_privileged) X(cap_drop_all) X(no_new_privileges) X(read_only_rootfs) X(resource_limits)                \
  X(no_host_root_mount) X(no_docker_socket) X(no_sensitive_host_mount) X(no_host_namespaces)                  \
  X(no_unconfined_profiles) X(valid_seccomp) X(no_dangerous_cap_add) X(no_host_devices) X(non_root_user)      \
  X(restart_policy) X(bind_localhost) X(network_isolation) X(healthcheck) X(obsolete_version)                 \
  X(mount_propagation) X(dockerfile_user)

namespace harden {

#define HARDEN_DECLARE_FACTORY(name) std::unique_ptr<Rule> make_##name();
HARDEN_BUILTIN_RULES(HARDEN_DECLARE_FACTORY)
#undef HARDEN_DECLARE_FACTORY

namespace {

const RuleInfo kCorruptInfo{"H999", "corrupt-fix", "a fix whose edit and intent disagree", Profile::Baseline,
                            true, FixSafety::Safe, "A test rule: its fix must fail verification."};

class CorruptFix : public Rule {
 public:
  const RuleInfo& info() const override { return kCorruptInfo; }
  void check_file(const FileContext& ctx, std::vector<Finding>& out) const override {
    // Once: on a later pass the key is there already.
    if (ctx.doc.text.find("x-injected:") != std::string::npos) return;
    const char* mode_env = std::getenv("HARDEN_CORRUPTION");
    std::string_view mode = mode_env ? mode_env : "unexplained";
    Finding finding;
    finding.rule = &kCorruptInfo;
    finding.message = "the test rule's finding";
    Fix fix;
    std::size_t end = ctx.doc.text.size();
    if (mode == "wrong-value") {
      fix.edits.push_back(Edit{end, end, "x-injected: false\n", 0});
      Intent intent;
      intent.op = Intent::Op::Set;
      intent.path = Path{std::string("x-injected")};
      intent.value = Value::plain("true");
      fix.intents.push_back(intent);
    } else {
      fix.edits.push_back(Edit{end, end, "x-injected: true\n", 0});
    }
    finding.fix = std::move(fix);
    out.push_back(std::move(finding));
  }
};

}  // namespace

const std::vector<std::unique_ptr<Rule>>& all_rules() {
  static const std::vector<std::unique_ptr<Rule>> rules = [] {
    std::vector<std::unique_ptr<Rule>> list;
#define HARDEN_ADD_RULE(name) list.push_back(make_##name());
    HARDEN_BUILTIN_RULES(HARDEN_ADD_RULE)
#undef HARDEN_ADD_RULE
    list.push_back(std::make_unique<CorruptFix>());
    return list;
  }();
  return rules;
}

const Rule* find_rule(std::string_view code_or_name) {
  for (const auto& rule : all_rules())
    if (rule->info().code == code_or_name || rule->info().name == code_or_name) return rule.get();
  return nullptr;
}

}  // namespace harden

int main(int argc, char** argv) { return harden::run_cli(argc, argv); }

// harden with one more rule whose fix is wrong: the whole command line and
// pipeline of the shipped binary, to drive a rewrite that verification must
// reject (tests/verify_failure_test.sh). The shipped binary has no switch for
// this: this binary is linked with --wrap=<harden::all_rules>, so every call
// of all_rules() from the library gets the shipped rules (__real_) plus the
// wrong one. (find_rule() lives beside all_rules() and still sees only the
// shipped rules: name H999 on no command line.)
//
// HARDEN_CORRUPTION chooses the wrong fix:
//   unexplained (default)  appends `x-injected: true` with no intent at all
//   wrong-value            intends `x-injected: true`, writes `x-injected: false`
//   none                   no finding: the control
#include <cstdlib>
#include <string>
#include <string_view>

#include "harden/cli.h"
#include "harden/rule.h"

using RuleList = std::vector<std::unique_ptr<harden::Rule>>;

namespace {

const harden::RuleInfo kCorruptInfo{"H999", "corrupt-fix", "a fix whose edit and intent disagree",
                                    harden::Profile::Baseline, true, harden::FixSafety::Safe,
                                    "A test rule: its fix must fail verification."};

class CorruptFix : public harden::Rule {
 public:
  const harden::RuleInfo& info() const override { return kCorruptInfo; }
  void check_file(const harden::FileContext& ctx, std::vector<harden::Finding>& out) const override {
    const char* mode_env = std::getenv("HARDEN_CORRUPTION");
    std::string_view mode = mode_env ? mode_env : "unexplained";
    // Once: on a later pass the key is there already.
    if (mode == "none" || ctx.doc.text.find("x-injected:") != std::string::npos) return;
    harden::Finding finding;
    finding.rule = &kCorruptInfo;
    finding.message = "the test rule's finding";
    harden::Fix fix;
    std::size_t end = ctx.doc.text.size();
    if (mode == "wrong-value") {
      fix.edits.push_back(harden::Edit{end, end, "x-injected: false\n", 0});
      harden::Intent intent;
      intent.op = harden::Intent::Op::Set;
      intent.path = harden::Path{std::string("x-injected")};
      intent.value = harden::Value::plain("true");
      fix.intents.push_back(intent);
    } else {
      fix.edits.push_back(harden::Edit{end, end, "x-injected: true\n", 0});
    }
    finding.fix = std::move(fix);
    out.push_back(std::move(finding));
  }
};

}  // namespace

// harden::all_rules(), by its mangled name. Declared returning a pointer:
// the same return convention as the reference the callers expect.
extern "C" const RuleList* __real__ZN6harden9all_rulesEv();

extern "C" const RuleList* __wrap__ZN6harden9all_rulesEv() {
  static const RuleList* const rules = [] {
    // The shipped rules are owned by the registry: this list only points at
    // them, and is never destroyed (so never frees them).
    auto* list = new RuleList();
    for (const auto& rule : *__real__ZN6harden9all_rulesEv()) list->emplace_back(rule.get());
    list->push_back(std::make_unique<CorruptFix>());
    return list;
  }();
  return rules;
}

int main(int argc, char** argv) { return harden::run_cli(argc, argv); }

// The ordered list of rules. To add a rule: write transforms/<name>.cpp with
// `std::unique_ptr<Rule> make_<name>()` and add one line to HARDEN_RULES,
// in code order.
#include <algorithm>
#include <cctype>

#include "harden/rule.h"

// X(factory suffix), one line per rule, in code order.
#define HARDEN_RULES(X)  \
  X(no_privileged)       \
  X(cap_drop_all)        \
  X(no_new_privileges)   \
  X(read_only_rootfs)    \
  X(resource_limits)     \
  X(no_host_root_mount)      \
  X(no_docker_socket)        \
  X(no_sensitive_host_mount) \
  X(no_host_namespaces)      \
  X(no_unconfined_profiles)  \
  X(valid_seccomp)           \
  X(no_dangerous_cap_add)    \
  X(no_host_devices)         \
  X(non_root_user)           \
  X(restart_policy)          \
  X(bind_localhost)          \
  X(network_isolation)       \
  X(healthcheck)             \
  X(obsolete_version)        \
  X(mount_propagation)       \
  X(dockerfile_user)

namespace harden {

#define HARDEN_DECLARE_FACTORY(name) std::unique_ptr<Rule> make_##name();
HARDEN_RULES(HARDEN_DECLARE_FACTORY)
#undef HARDEN_DECLARE_FACTORY

namespace {

bool same_code(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

std::vector<std::unique_ptr<Rule>> build_rules() {
  std::vector<std::unique_ptr<Rule>> rules;
#define HARDEN_ADD_RULE(name) rules.push_back(make_##name());
  HARDEN_RULES(HARDEN_ADD_RULE)
#undef HARDEN_ADD_RULE
  return rules;
}

}  // namespace

const std::vector<std::unique_ptr<Rule>>& all_rules() {
  static const std::vector<std::unique_ptr<Rule>> rules = build_rules();
  return rules;
}

// By code (any case: "h101") or by name ("no-privileged").
const Rule* find_rule(std::string_view code_or_name) {
  for (const auto& rule : all_rules()) {
    const RuleInfo& info = rule->info();
    if (same_code(info.code, code_or_name) || info.name == code_or_name) return rule.get();
  }
  return nullptr;
}

}  // namespace harden

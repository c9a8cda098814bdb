// H102 cap-drop-all: drop every capability, then add back only what the
// service needs (its own cap_add plus what inference finds, research §0).
#include <fmt/format.h>

#include <algorithm>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H102",
    "cap-drop-all",
    "cap_drop does not drop ALL capabilities",
    Profile::Baseline,
    true,
    FixSafety::Safe,
    R"(Why it matters
  Without `cap_drop: [ALL]` a container keeps Docker's 14 default
  capabilities: CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID,
  SETPCAP, SETFCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD and
  AUDIT_WRITE. A compromised root process can use them to read any file
  (DAC_OVERRIDE), spoof packets (NET_RAW) or create device nodes (MKNOD).
  Most services need none of them or only a few at start-up.

What the fix changes
  `ALL` is added to the service's `cap_drop` (a new `cap_drop: [ALL]` when
  it has none). `cap_add` keeps what the service already adds and gains the
  capabilities that inference finds, each with its reason in the report:
  - the start-up needs of the image profile when the container starts as
    root (an entrypoint that switches user with gosu, su-exec or setpriv
    needs SETUID and SETGID; one that fixes ownership needs CHOWN...);
  - file capabilities of the image's binaries (caddy: NET_BIND_SERVICE),
    without which exec fails even as root;
  - NET_BIND_SERVICE when the service starts as root in another network
    namespace (network_mode: host, container:, service:) and listens on a
    port below 1024, or lists no ports there. In its own namespace Docker
    lets every user bind low ports (Engine 20.10+).
  - when nothing describes the image (no profile, no Dockerfile with a
    profiled base image, not read from a local engine) and it starts as
    root: CHOWN, DAC_OVERRIDE, FOWNER, SETGID and SETUID, which
    root-started entrypoints commonly need to switch user (gosu, su-exec,
    setpriv, s6-overlay) and to chown their data. All five are in Docker's
    default set; the report marks them as assumed.
  Nothing is added for a service that starts as a non-root user: cap_add
  never reaches such a process. ALL is never added to cap_add.
  A service that `extends` another service of the same file, and would get
  the same values, is left alone: it receives the fix from that service.

What it can break
  A service of an unknown image that needs a capability beyond the assumed
  ones at run time: it fails with "operation not permitted". Add the capability to cap_add, or
  describe the image under `images:` in .harden.yaml so that inference
  knows it.

How to opt out
  Put `# harden: ignore[H102] -- reason` on the service's line (or on the
  `cap_drop:` line), or list H102 under `services.<name>.ignore` in
  .harden.yaml.

References
  CIS Docker Benchmark 5.3 "Ensure that Linux kernel capabilities are
  restricted within containers"; Docker documentation "Runtime privilege and
  Linux capabilities".)"};

// The inferred capabilities that the service's cap_add lacks; nothing when
// it adds ALL (H112 reports that).
std::vector<std::string> capabilities_to_add(const Service& service, const ServiceFacts& facts,
                                             bool evidence_only) {
  std::vector<std::string> missing;
  std::optional<KeyLookup> add = service.find("cap_add");
  const Node* existing = add ? add->value : nullptr;
  if (rules::has_capability(existing, "ALL")) return missing;
  for (const InferredCapability& cap : facts.capabilities)
    if (!(evidence_only && cap.assumed) && rules::normalise_capability(cap.name) != "ALL" &&
        !rules::has_capability(existing, cap.name))
      missing.push_back(cap.name);
  return missing;
}

std::vector<std::string> missing_capabilities(const Service& service, const ServiceFacts& facts) {
  return capabilities_to_add(service, facts, false);
}

// An ALL the file already drops is the file's own choice: only what
// evidence shows is added to it, never the assumed capabilities.
std::vector<std::string> missing_by_evidence(const Service& service, const ServiceFacts& facts) {
  return capabilities_to_add(service, facts, true);
}

// "cap_add CHOWN: <why>" for each capability the fix adds.
std::vector<std::string> capability_reasons(const ServiceFacts& facts, const std::vector<std::string>& added) {
  std::vector<std::string> reasons;
  for (const InferredCapability& cap : facts.capabilities)
    if (std::find(added.begin(), added.end(), cap.name) != added.end())
      reasons.push_back(fmt::format("cap_add {}: {}", cap.name, cap.reason));
  return reasons;
}

class CapDropAll final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::optional<KeyLookup> drop = ctx.service.find("cap_drop");
    // cap_add ALL gives every capability back, whatever cap_drop says: no
    // cap_drop this rule could add would count as a fix.
    if (std::optional<KeyLookup> add = ctx.service.find("cap_add");
        add && (rules::has_capability(add->value, "ALL") || rules::has_capability(add->value, "CAP_ALL"))) {
      Finding finding = rules::make_finding(
          ctx, kInfo, drop ? rules::key_offset(ctx.service, *drop) : rules::service_offset(ctx.service),
          "cap_add ALL gives the container every capability back: cap_drop ALL has no effect beside it");
      finding.not_fixed =
          "replace ALL in cap_add with the capabilities the service needs (harden cannot tell which it uses)";
      findings.push_back(std::move(finding));
      return;
    }
    if (drop && rules::has_capability(drop->value, "ALL")) {
      if (const Service* source = rules::source_service(ctx, "cap_drop", *drop))
        check_inherited_drop(ctx, *source, findings);
      return;
    }
    if (rules::leave_to_extended_service(ctx, kInfo, {"cap_drop", "cap_add"}, missing_capabilities)) return;
    std::size_t offset = drop ? rules::key_offset(ctx.service, *drop) : rules::service_offset(ctx.service);
    Finding finding = rules::make_finding(
        ctx, kInfo, offset,
        "cap_drop does not drop ALL: the container keeps Docker's default capabilities (DAC_OVERRIDE, NET_RAW, "
        "SETUID...)");

    rules::FixBuilder fix;
    finding.reasons.push_back("cap_drop ALL: the service keeps only the capabilities listed in cap_add");
    rules::add_list_items(ctx, fix, "cap_drop", {"ALL"});
    add_needed_capabilities(ctx, fix, finding.reasons);
    fix.attach(finding, kInfo.safety);
    findings.push_back(std::move(finding));
  }

 private:
  // ALL comes from another service of the file (its mapping merged in, or
  // `extends`, possibly hardened earlier in this run): that service's
  // cap_add was chosen for its own image, so this service adds what its
  // own image needs beyond that (what the source itself lacks is left as
  // the file has it).
  static void check_inherited_drop(const ServiceContext& ctx, const Service& source, std::vector<Finding>& findings) {
    std::vector<std::string> missing = rules::without(missing_by_evidence(ctx.service, ctx.facts),
                                                      missing_by_evidence(source, rules::facts_of(ctx, source)));
    if (missing.empty()) return;
    Finding finding = rules::make_finding(
        ctx, kInfo, rules::service_offset(ctx.service),
        fmt::format("cap_drop ALL comes from service {}, but this service also needs {}", source.name,
                    rules::join(missing)));
    finding.reasons = capability_reasons(ctx.facts, missing);
    rules::FixBuilder fix;
    rules::add_list_items(ctx, fix, "cap_add", missing);
    fix.attach(finding, kInfo.safety);
    findings.push_back(std::move(finding));
  }

  // cap_add keeps its items and gains the inferred ones it lacks; a cap_add
  // of ALL is left alone (H112 reports it).
  static void add_needed_capabilities(const ServiceContext& ctx, rules::FixBuilder& fix,
                                      std::vector<std::string>& reasons) {
    std::vector<std::string> missing = missing_capabilities(ctx.service, ctx.facts);
    for (std::string& reason : capability_reasons(ctx.facts, missing)) reasons.push_back(std::move(reason));
    const ImageProfile* profile = ctx.facts.profile;
    if (!ctx.facts.starts_as_root && profile && !profile->cap_add.empty())
      reasons.push_back(fmt::format(
          "the start-up capabilities of image {} are not added: the service starts as user {}, and cap_add never "
          "reaches a process that starts non-root",
          profile->family, ctx.facts.user));
    rules::add_list_items(ctx, fix, "cap_add", missing);
  }
};

}  // namespace

std::unique_ptr<Rule> make_cap_drop_all() { return std::make_unique<CapDropAll>(); }

}  // namespace harden

// H101 no-privileged: `privileged: true` gives the container every
// capability, every host device and no seccomp or AppArmor confinement.
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H101",
    "no-privileged",
    "a service runs with privileged: true",
    Profile::Baseline,
    true,
    FixSafety::Safe,
    R"(Why it matters
  `privileged: true` turns off nearly every isolation Docker offers: the
  container gets all capabilities, every device of the host under /dev,
  writable /sys and /proc/sys, and no seccomp, AppArmor or SELinux
  confinement. A process that is root in a privileged container can load
  kernel modules, mount the host's disks and take over the host.

What the fix changes
  The `privileged: true` entry is deleted from the service. When the value
  comes from a merge key (`<<: *defaults`), `extends` or a base file, the
  service gets its own `privileged: false`, which overrides it. The other
  core rules then give the service exactly the capabilities it needs
  (H102 cap-drop-all).
  A service that `extends` another service of the same file, and would get
  the same values, is left alone: it receives the fix from that service.
  A value set from a variable (`privileged: ${PRIVILEGED}`) is reported
  and left as it is: the variable is the file's own switch.

  The fix is unsafe (applied only with `--unsafe-fixes`) when privileged
  mode is what the service exists for or uses: a Docker-in-Docker image
  (its profile says so, or its name contains `dind`: `docker:dind`,
  `docker:27-dind-rootless`), or a service that passes host `devices:`
  (privileged mode may be what lets it use them).

What it can break
  Services that really need the host: Docker-in-Docker, some monitoring or
  storage agents, FUSE, VPN clients that create tun devices, hardware
  access. Most of them work with a narrower grant (`cap_add` of one
  capability, `devices:` for one device) instead of privileged mode.

How to opt out
  Put `# harden: ignore[H101] -- reason` on the service's line (or on the
  `privileged:` line), or list H101 under `services.<name>.ignore` in
  .harden.yaml. The reason is kept in the report.

References
  CIS Docker Benchmark 5.4 "Ensure that privileged containers are not used";
  OWASP Docker Security Cheat Sheet rule #3.)"};

// Why the service needs privileged mode, or "" when nothing says so.
std::string why_privileged(const ServiceContext& ctx) {
  if (const ImageProfile* profile = ctx.facts.profile; profile && profile->needs_privileged)
    return fmt::format("image {} needs privileged mode (profile {}): {}", ctx.facts.image, profile->family,
                       profile->notes.empty() ? std::string("its documentation requires it") : profile->notes);
  if (to_lower(ctx.facts.image).find("dind") != std::string::npos)
    return fmt::format("image {} runs Docker-in-Docker, which needs privileged mode to mount, create namespaces "
                       "and program iptables",
                       ctx.facts.image);
  if (const Node* devices = resolved(ctx.service.value("devices")); devices && devices->is_sequence() &&
                                                                     !devices->items.empty()) {
    std::vector<std::string> names;
    for (const Node* item : rules::scalar_items(devices)) names.push_back(item->value);
    return fmt::format("the service passes host devices ({}); privileged mode may be what lets it use them",
                       names.empty() ? std::string("in long syntax") : rules::join(names));
  }
  return "";
}

class NoPrivileged final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::optional<KeyLookup> found = ctx.service.find("privileged");
    if (found) {
      if (auto finding = rules::finding_for_variable(ctx, kInfo, *found,
                                                     "the container is privileged whenever it says true",
                                                     "make sure it is false, or delete the entry")) {
        findings.push_back(std::move(*finding));
        return;
      }
    }
    if (!found || !is_true(found->value)) return;
    if (rules::leave_to_extended_service(ctx, kInfo, {"privileged"})) return;
    Finding finding = rules::make_finding(
        ctx, kInfo, rules::value_offset(ctx.service, *found),
        "privileged mode gives the container every capability and all host devices");
    // Never removed by a default run where the service needs it.
    FixSafety safety = kInfo.safety;
    if (std::string why = why_privileged(ctx); !why.empty()) {
      safety = FixSafety::Unsafe;
      finding.message += "; the service needs it";
      finding.reasons.push_back(why + "; removing it is an unsafe fix: grant what it needs instead (cap_add, "
                                      "devices, a seccomp profile) or keep it with an ignore comment");
    }
    rules::FixBuilder fix;
    fix_privileged(ctx, *found, fix);
    fix.attach(finding, safety);
    findings.push_back(std::move(finding));
  }

 private:
  static void fix_privileged(const ServiceContext& ctx, const KeyLookup& found, rules::FixBuilder& fix) {
    const Node& service = *ctx.service.node;
    Path path = service_path(ctx.service, {"privileged"});
    if (auto problem = rules::shared_edit_problem(ctx)) return fix.refuse(*problem);
    if (found.source != KeySource::Own || !found.entry) {
      // Only an own key can override a merged or inherited one.
      NewValue no = NewValue::text("false");
      fix.add(ctx.edits.insert_entry(service, "privileged", no), Intent{Intent::Op::Set, path, no.meaning()});
      return;
    }
    if (rules::anchor_in_use(ctx.doc, *found.entry->value))
      return fix.refuse("the value carries an anchor that other keys use; delete it by hand");
    if (service.entries.size() == 1) {
      // Deleting the only entry would leave an empty block mapping.
      NewValue no = NewValue::text("false");
      fix.add(ctx.edits.replace_scalar(*found.entry->value, no.scalar),
              rules::replaced_by(*found.entry->value, path, no));
      return;
    }
    fix.add(ctx.edits.delete_entry(service, rules::entry_index(service, *found.entry)),
            Intent{Intent::Op::Remove, path, {}});
  }
};

}  // namespace

std::unique_ptr<Rule> make_no_privileged() { return std::make_unique<NoPrivileged>(); }

}  // namespace harden

// H104 read-only-rootfs: the container's root filesystem is read-only,
// with a tmpfs for each path the image must write (research §0.6-0.9).
#include <fmt/format.h>

#include <algorithm>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H104",
    "read-only-rootfs",
    "the root filesystem is writable (read_only is not true)",
    Profile::Baseline,
    true,
    FixSafety::Safe,
    R"(Why it matters
  A writable root filesystem lets an attacker who gets code execution
  change the service's binaries and configuration, drop tools, or persist
  in the container's layer. With `read_only: true` only the folders you
  mount (volumes, binds, tmpfs) can be written.

What the fix changes
  `read_only: true` is added (or an explicit `read_only: false` is turned
  into true), and `tmpfs` gains an entry for each path the service must
  write that is not already mounted:
  - /tmp, always (with `exec` for images whose Java code loads native
    libraries from /tmp);
  - the paths the image profile lists (nginx: /var/cache/nginx and
    /var/run; postgres: /var/run/postgresql...), with the owner or mode
    options the profile gives; when `user:` runs the service as a non-root
    user the profile does not give options for, the tmpfs gets that owner
    (`uid=`/`gid=`, or `mode=1777` for a user name), since a tmpfs belongs
    to root;
  minus every path already covered by a volume, bind or tmpfs of the
  service (a mount of a parent covers its children; /var/run and /run are
  one folder), and minus the image's
  VOLUME folders, which stay writable as anonymous volumes (a tmpfs there
  would lose the data on restart). Each path appears in the report with its
  reason. A tmpfs holds data in memory and is emptied when the container
  stops.
  For images that cannot run read-only (elasticsearch, the root gitea
  image, nextcloud), the finding is reported without a fix.
  When nothing describes the image (no profile, no Dockerfile with a
  profiled base image, not read from a local engine), what it writes is
  unknown: the fix (read_only and /tmp) is then unsafe, applied only with
  `--unsafe-fixes`, and the finding says how to give evidence.
  A service that `extends` another service of the same file, and would get
  the same values, is left alone: it receives the fix from that service.
  A value set from a variable (`read_only: ${READ_ONLY:-false}`) is
  reported and left as it is: the variable is the file's own switch.

What it can break
  A service that writes outside the paths its evidence names fails with
  "Read-only file system" (an unknown image's fix is unsafe for that reason). Mount a volume or tmpfs for that path, or
  describe the image under `images:` in .harden.yaml. read_only also makes
  /etc/hosts, /etc/hostname and /etc/resolv.conf read-only.

How to opt out
  Put `# harden: ignore[H104] -- reason` on the service's line, or list
  H104 under `services.<name>.ignore` in .harden.yaml.

References
  CIS Docker Benchmark 5.12 "Ensure that the container's root filesystem is
  mounted as read only"; Docker documentation for `--read-only` and
  `--tmpfs`.)"};

std::string tmpfs_entry(const InferredTmpfs& tmpfs) {
  return tmpfs.options.empty() ? tmpfs.path : tmpfs.path + ":" + tmpfs.options;
}

// What the fix would write for a service: its tmpfs entries, or a marker
// when the image cannot run read-only.
std::vector<std::string> wanted_tmpfs(const Service&, const ServiceFacts& facts) {
  if (facts.profile && facts.profile->breaks_with_read_only) return {"(cannot run read-only)"};
  std::vector<std::string> entries;
  for (const InferredTmpfs& tmpfs : facts.tmpfs) entries.push_back(tmpfs_entry(tmpfs));
  return entries;
}

// "tmpfs /var/run: <why>" for each entry the fix adds.
std::vector<std::string> tmpfs_reasons(const ServiceFacts& facts, const std::vector<std::string>& added) {
  std::vector<std::string> reasons;
  for (const InferredTmpfs& tmpfs : facts.tmpfs)
    if (std::find(added.begin(), added.end(), tmpfs_entry(tmpfs)) != added.end())
      reasons.push_back(fmt::format("tmpfs {}: {}", tmpfs.path, tmpfs.reason));
  return reasons;
}

// With no evidence of what the image writes, read_only may stop it at
// start: the fix is offered, never applied by default.
FixSafety fix_safety(const ServiceFacts& facts) {
  return facts.evidence == Evidence::Assumption ? FixSafety::Unsafe : kInfo.safety;
}

std::string unknown_writes(const ServiceFacts& facts) {
  return fmt::format(
      "; what the image writes is unknown ({}): the fix is unsafe; give evidence with a profile under `images:` in "
      ".harden.yaml, the image in the local engine, or a run of the service hardened with --unsafe-fixes",
      facts.evidence_origin);
}

std::string cannot_run_read_only(const ImageProfile& profile) {
  return fmt::format("image {} cannot run with a read-only root filesystem: {}", profile.family,
                     profile.notes.empty() ? std::string("no tmpfs can cover what it writes") : profile.notes);
}

class ReadOnlyRootfs final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::optional<KeyLookup> found = ctx.service.find("read_only");
    if (found) {
      if (auto finding = rules::finding_for_variable(ctx, kInfo, *found,
                                                     "the root filesystem is writable unless it says true",
                                                     "make sure it is true, or write true in its place")) {
        findings.push_back(std::move(*finding));
        return;
      }
    }
    if (found && is_true(found->value)) {
      if (const Service* source = rules::source_service(ctx, "read_only", *found))
        check_inherited_read_only(ctx, *source, findings);
      return;
    }
    if (rules::leave_to_extended_service(ctx, kInfo, {"read_only", "tmpfs"}, wanted_tmpfs)) return;
    std::size_t offset = found ? rules::value_offset(ctx.service, *found) : rules::service_offset(ctx.service);
    Finding finding = rules::make_finding(
        ctx, kInfo, offset,
        "the root filesystem is writable: a compromised process can change the service's binaries and files");
    if (ctx.facts.evidence == Evidence::Assumption) finding.message += unknown_writes(ctx.facts);

    if (const ImageProfile* profile = ctx.facts.profile; profile && profile->breaks_with_read_only) {
      finding.not_fixed = cannot_run_read_only(*profile);
      findings.push_back(std::move(finding));
      return;
    }

    rules::FixBuilder fix;
    rules::set_scalar_key(ctx, fix, "read_only", NewValue::text("true"));
    std::vector<std::string> entries = wanted_tmpfs(ctx.service, ctx.facts);
    finding.reasons = tmpfs_reasons(ctx.facts, entries);
    rules::add_list_items(ctx, fix, "tmpfs", entries);
    for (const std::string& note : ctx.facts.notes) finding.reasons.push_back(note);
    fix.attach(finding, fix_safety(ctx.facts));
    findings.push_back(std::move(finding));
  }

 private:
  // read_only comes from another service of the file (merged in, or
  // `extends`, possibly hardened earlier in this run): its tmpfs list was
  // chosen for its own image, so this service adds the paths its own image
  // writes beyond that (what the source itself lacks is left as the file
  // has it).
  static void check_inherited_read_only(const ServiceContext& ctx, const Service& source,
                                        std::vector<Finding>& findings) {
    std::vector<std::string> entries = rules::without(wanted_tmpfs(ctx.service, ctx.facts),
                                                      wanted_tmpfs(source, rules::facts_of(ctx, source)));
    if (entries.empty()) return;
    Finding finding = rules::make_finding(
        ctx, kInfo, rules::service_offset(ctx.service),
        fmt::format("read_only comes from service {}, but this service also writes {}", source.name,
                    rules::join(entries)));
    if (const ImageProfile* profile = ctx.facts.profile; profile && profile->breaks_with_read_only) {
      finding.message = fmt::format("read_only comes from service {}, but image {} cannot run read-only",
                                    source.name, profile->family);
      finding.not_fixed = cannot_run_read_only(*profile);
      findings.push_back(std::move(finding));
      return;
    }
    // read_only is the file's own: adding a tmpfs to it only helps.
    finding.reasons = tmpfs_reasons(ctx.facts, entries);
    rules::FixBuilder fix;
    rules::add_list_items(ctx, fix, "tmpfs", entries);
    fix.attach(finding, kInfo.safety);
    findings.push_back(std::move(finding));
  }
};

}  // namespace

std::unique_ptr<Rule> make_read_only_rootfs() { return std::make_unique<ReadOnlyRootfs>(); }

}  // namespace harden

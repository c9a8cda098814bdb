// H114 non-root-user: a service without `user:` whose image starts its
// main process as root.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H114",
    "non-root-user",
    "no user: and the image runs as root",
    Profile::Strict,
    true,
    FixSafety::Unsafe,
    R"(Why it matters
  A process that runs as root in the container is root on the host's
  kernel (unless user namespaces are remapped): any escape through a
  kernel bug, a mounted socket or a writable host path is an escape as
  root, and files it writes to volumes belong to root.

What the fix changes
  When the image profile names a user the image supports running as
  (`non_root_user`, for example 101 for nginx-unprivileged-style images,
  postgres for postgres), the service gets `user: <that user>`. Numeric
  users are quoted so that Compose reads a string. When no such user is
  known the finding is reported without a fix. Only images that harden
  knows (an image profile, or a local Dockerfile it could read) are
  checked; an unknown image is not assumed to run as root. The fix is
  unsafe: applied only with --unsafe-fixes.

What it can break
  Files and volumes written earlier by root are no longer writable
  (chown them to the user); entrypoints that start as root to fix
  ownership or switch user (gosu, su-exec) skip that step; ports below
  1024 need the image to listen elsewhere or NET_BIND_SERVICE as a file
  capability.

How to opt out
  Put `# harden: ignore[H114] -- reason` on the service's line, or list
  H114 under `services.<name>.ignore` in .harden.yaml. Describe your own
  image's user under `images:` in .harden.yaml (`non_root_user:`) to get a
  fix for it.

References
  CIS Docker Benchmark v1.6.0 4.1 "Ensure that a user for the container has been
  created"; OWASP Docker Security Cheat Sheet rule #2.)"};

bool numeric_user(std::string_view user) {
  return !user.empty() && std::all_of(user.begin(), user.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == ':';
  });
}

class NonRootUser final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    if (ctx.service.find("user")) return;
    if (ctx.facts.image_unknown || !ctx.facts.starts_as_root) return;
    std::string subject = ctx.facts.profile_origin.empty() ? std::string("the image") : ctx.facts.profile_origin;
    if (subject.starts_with("Dockerfile the ")) subject.erase(0, 11);  // "the inline Dockerfile"
    Finding finding = rules::make_finding(
        ctx, kInfo, rules::service_offset(ctx.service),
        fmt::format("the service has no user: and {} runs as {}{}", subject,
                    ctx.facts.user.empty() ? std::string("root") : ctx.facts.user,
                    ctx.facts.switches_user ? " (its entrypoint switches user later)" : ""));
    const ImageProfile* profile = ctx.facts.profile;
    if (!profile || profile->non_root_user.empty()) {
      finding.not_fixed = fmt::format(
          "no non-root user is known for {}; set user: yourself, or add non_root_user to its profile in .harden.yaml",
          subject);
      findings.push_back(std::move(finding));
      return;
    }
    const std::string& user = profile->non_root_user;
    finding.reasons.push_back(fmt::format("user {}: the image profile {} names it as a user the image runs as",
                                          user, profile->family));
    char quote = ctx.edits.style().quote;
    if (numeric_user(user) && quote == 0) quote = '"';
    rules::FixBuilder fix;
    rules::set_scalar_key(ctx, fix, "user", rules::quoted_value(ctx, user, quote));
    fix.attach(finding, kInfo.safety);
    findings.push_back(std::move(finding));
  }
};

}  // namespace

std::unique_ptr<Rule> make_non_root_user() { return std::make_unique<NonRootUser>(); }

}  // namespace harden

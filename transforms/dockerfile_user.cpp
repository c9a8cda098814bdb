// D201 dockerfile-user: a service built from a local Dockerfile whose
// final stage runs as root.
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "D201",
    "dockerfile-user",
    "a local Dockerfile's final stage has no non-root USER",
    Profile::Strict,
    false,
    FixSafety::Unsafe,
    R"(Why it matters
  An image built without a non-root `USER` in its final stage runs its
  main process as root unless every place that starts it says otherwise.
  Fixing it in the Dockerfile fixes it for `docker compose`, `docker run`,
  Kubernetes and CI alike, and lets the image own its files correctly.

What the fix changes
  Nothing yet: no automatic fix is offered (adding a user means choosing
  a name and id, creating it with the base image's own tool — adduser,
  useradd or none at all on distroless images — and chowning what the
  service writes). The finding points at the service's `build:` and names
  the Dockerfile. A USER inherited from a known non-root base image (for
  example nginxinc/nginx-unprivileged) counts, and so does a non-root
  `user:` on the service, which overrides the image's user.

What it can break
  Nothing (finding only). When you add a `USER`, files written as root by
  earlier stages or volumes may need a `chown`, and ports below 1024 need
  the image to listen elsewhere.

How to opt out
  Put `# harden: ignore[D201] -- reason` on the service's line or on the
  `build:` line, or list D201 under `services.<name>.ignore` in
  .harden.yaml.

References
  CIS Docker Benchmark v1.6.0 4.1 "Ensure that a user for the container has been
  created"; Dockerfile reference, USER.)"};

class DockerfileUser final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    constexpr std::string_view kPrefix = "Dockerfile ";
    if (!ctx.facts.profile_origin.starts_with(kPrefix) || !ctx.facts.starts_as_root) return;
    std::optional<KeyLookup> build = ctx.service.find("build");
    if (!build) return;
    std::string dockerfile = ctx.facts.profile_origin.substr(kPrefix.size());
    findings.push_back(rules::make_finding(
        ctx, kInfo,
        build->source == KeySource::Own && build->entry ? build->entry->key->content_begin
                                                        : rules::service_offset(ctx.service),
        fmt::format("the final stage of {} has no non-root USER: the image runs as {}", dockerfile,
                    ctx.facts.user.empty() ? std::string("root") : ctx.facts.user)));
  }
};

}  // namespace

std::unique_ptr<Rule> make_dockerfile_user() { return std::make_unique<DockerfileUser>(); }

}  // namespace harden

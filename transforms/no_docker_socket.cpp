// H107 no-docker-socket: the Docker socket gives a container full control
// of the Docker daemon, and so of the host.
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H107",
    "no-docker-socket",
    "the Docker socket is mounted into the container",
    Profile::Baseline,
    true,
    FixSafety::Unsafe,
    R"(Why it matters
  A container that can reach the Docker daemon's socket
  (/var/run/docker.sock, /run/docker.sock, a rootless
  $XDG_RUNTIME_DIR/docker.sock) can ask the daemon to start a privileged
  container that mounts the host's `/`: it is root on the host. Every
  other hardening of the service is void while the socket is mounted.

What the fix changes
  The mount is made read-only: the short syntax gains `:ro`
  (`/var/run/docker.sock:/var/run/docker.sock:ro`; an `rw` option becomes
  `ro`), the long syntax gains `read_only: true`. This is an unsafe fix,
  applied only with --unsafe-fixes, and it is NOT a real protection: a
  read-only bind of a socket still lets the container connect and send any
  API request; it only stops the container from replacing or deleting the
  socket file. The finding is therefore still reported for a read-only
  socket. Real fixes: remove the mount, or put a filtering socket proxy
  (for example tecnativa/docker-socket-proxy) in front of the daemon and
  give the service only the API calls it needs.

What it can break
  Tools that manage containers (Traefik's Docker provider, Portainer,
  Watchtower, CI runners, Docker-in-Docker setups) need the socket. The
  read-only fix itself does not break them; removing the mount does.

How to opt out
  Put `# harden: ignore[H107] -- reason` on the service's line or on the
  mount's line, or list H107 under `services.<name>.ignore` in
  .harden.yaml.

References
  CIS Docker Benchmark v1.6.0 5.32 "Ensure that the Docker socket is not mounted
  inside any containers"; OWASP Docker Security Cheat Sheet rule #1.)"};

bool is_docker_socket(const Mount& mount) {
  if (mount.kind != Mount::Kind::Bind) return false;
  return is_docker_socket_path(normalise_host_path(mount.source));
}

class NoDockerSocket final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::optional<KeyLookup> volumes;
    for (const Mount& mount : ctx.facts.mounts) {
      if (!is_docker_socket(mount)) continue;
      if (!volumes) volumes = ctx.service.find("volumes");
      Finding finding = rules::make_finding(
          ctx, kInfo, rules::mount_offset(ctx, volumes, mount),
          fmt::format("the Docker socket {} is mounted at {}: the container controls the Docker daemon and so the "
                      "host{}",
                      mount.source, mount.target,
                      mount.read_only ? " (read-only does not restrict the Docker API)" : ""));
      if (mount.read_only) {
        finding.not_fixed =
            "the socket is already read-only, which does not restrict the Docker API: remove the mount or use a "
            "filtering socket proxy";
      } else {
        finding.reasons.push_back("read-only: the container can no longer replace or delete the socket file; it "
                                  "can still send API requests");
        rules::FixBuilder fix;
        rules::make_mount_read_only(ctx, fix, mount);
        fix.attach(finding, kInfo.safety);
      }
      findings.push_back(std::move(finding));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_no_docker_socket() { return std::make_unique<NoDockerSocket>(); }

}  // namespace harden

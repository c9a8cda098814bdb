// H107 no-docker-socket: the Docker socket gives a container full control
// of the Docker daemon, and so of the host.
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H107",
    "no-docker-socket",
    "a container engine's socket is mounted into the container",
    Profile::Baseline,
    true,
    FixSafety::Unsafe,
    R"(Why it matters
  A container that can reach a container engine's API socket - Docker's
  (/var/run/docker.sock, /run/docker.sock, a rootless
  $XDG_RUNTIME_DIR/docker.sock), containerd's, Podman's or CRI-O's - can
  ask the engine to start a privileged container that mounts the host's
  `/`: it is root on the host. Every other hardening of the service is void
  while the socket is reachable. The socket is found however it arrives:
  bound itself, through a host folder that holds it (`/var/run:/var/run`,
  `/run:/host-run:ro`), or through an interpolation default
  (`${DOCKER_SOCK:-/var/run/docker.sock}`). Read-only makes no difference:
  a read-only bind of a socket still lets the container connect and send
  any API request.

What the fix changes
  A bind of the socket itself is removed from `volumes:`. This is an
  unsafe fix, applied only with --unsafe-fixes: the one fix that takes the
  engine away is to take the socket away. A folder that holds the socket
  gets no automatic fix (the service may need the rest of the folder):
  mount only the files it needs, without the socket.

What it can break
  Tools that manage containers (Traefik's Docker provider, Portainer,
  Watchtower, CI runners, Docker-in-Docker setups, monitoring agents that
  list containers) need the API. Give them a filtering socket proxy (for
  example tecnativa/docker-socket-proxy) that allows only the calls they
  make, and point them at it instead of the socket.

How to opt out
  Put `# harden: ignore[H107] -- reason` on the service's line or on the
  mount's line, or list H107 under `services.<name>.ignore` in
  .harden.yaml.

References
  CIS Docker Benchmark v1.6.0 5.32 "Ensure that the Docker socket is not mounted
  inside any containers"; OWASP Docker Security Cheat Sheet rule #1.)"};

std::string socket_names(const std::vector<EngineSocket>& sockets) {
  std::vector<std::string> names;
  for (const EngineSocket& socket : sockets) names.push_back(fmt::format("{} ({})", socket.socket, socket.engine));
  return rules::join(names);
}

class NoDockerSocket final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::optional<KeyLookup> volumes;
    // The binds of sockets themselves are removed in one fix, attached to
    // the first of their findings (removed one pass at a time, the indices
    // of later items would shift). H106 may remove host-root binds of the
    // same list in the same pass.
    std::vector<std::size_t> sockets_to_remove;
    std::vector<std::size_t> host_roots;
    std::optional<std::size_t> first_fixable;
    for (const Mount& mount : ctx.facts.mounts) {
      if (mount.kind != Mount::Kind::Bind) continue;
      if (normalise_host_path(with_interpolation_defaults(mount.source)) == "/" && mount.node)
        host_roots.push_back(mount.index);
      std::vector<EngineSocket> sockets = engine_sockets_of(mount.source);
      if (sockets.empty()) continue;
      if (!volumes) volumes = ctx.service.find("volumes");
      const EngineSocket& first = sockets.front();
      if (first.through_folder) {
        Finding finding = rules::make_finding(
            ctx, kInfo, rules::mount_offset(ctx, volumes, mount),
            fmt::format("{} is mounted at {} and holds {} {}: the container controls the engine and so the host{}",
                        mount.source, mount.target, sockets.size() > 1 ? "the engine sockets" : "the engine socket",
                        socket_names(sockets),
                        mount.read_only ? " (read-only does not restrict the engine's API)" : ""));
        finding.not_fixed = fmt::format(
            "the socket comes with the folder {}: mount only the files the service needs from it, without the socket",
            mount.source);
        findings.push_back(std::move(finding));
        continue;
      }
      Finding finding = rules::make_finding(
          ctx, kInfo, rules::mount_offset(ctx, volumes, mount),
          fmt::format("the {} socket {} is mounted at {}: the container controls the {} engine and so the host{}",
                      first.engine, mount.source, mount.target, first.engine,
                      mount.read_only ? " (read-only does not restrict the engine's API)" : ""));
      finding.reasons.push_back(fmt::format(
          "remove the mount of {}: reaching the socket is controlling the engine, and read-only does not restrict "
          "its API; a service that needs the API gets a filtering socket proxy instead",
          mount.source));
      if (!first_fixable) first_fixable = findings.size();
      sockets_to_remove.push_back(mount.index);
      findings.push_back(std::move(finding));
    }
    if (!first_fixable) return;
    rules::FixBuilder fix;
    rules::delete_list_items(ctx, fix, "volumes", sockets_to_remove, host_roots);
    fix.attach(findings[*first_fixable], kInfo.safety);
  }
};

}  // namespace

std::unique_ptr<Rule> make_no_docker_socket() { return std::make_unique<NoDockerSocket>(); }

}  // namespace harden

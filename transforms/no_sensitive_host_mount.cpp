// H108 no-sensitive-host-mount: writable binds of the host's system
// folders let a container change the host.
#include <fmt/format.h>

#include <array>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H108",
    "no-sensitive-host-mount",
    "a host system folder (/etc, /proc, /sys, /dev, /run...) is bind-mounted writable",
    Profile::Baseline,
    true,
    FixSafety::Unsafe,
    R"(Why it matters
  A writable bind of a host system folder lets a process in the container
  change the host: /etc (users, sudoers, cron, systemd units), /root (SSH
  keys), /boot (the kernel), /proc and /sys (kernel parameters, cgroups,
  core_pattern gives code execution on the host), /dev (raw disks),
  /var/lib/docker (every container's files and the daemon's state), /run
  and /var/run (the sockets of systemd, containerd and other daemons).

What the fix changes
  The mount is made read-only: the short syntax gains `:ro` (an `rw`
  option becomes `ro`; other options are kept), the long syntax gains
  `read_only: true`. A mount that is already read-only is not reported:
  read-only binds such as `/etc/localtime:/etc/localtime:ro` are the
  usual, accepted way to share host facts. The Docker socket is H107's and
  the host's `/` is H106's. The fix is unsafe: applied only with
  --unsafe-fixes.

What it can break
  A service that writes there on purpose: node agents that tune sysctls
  under /proc/sys or /sys, device managers under /dev, backup or log
  shippers that write into /var/lib/docker or /run. They fail with
  "read-only file system". Mount the narrowest path that is needed, or opt
  out.

How to opt out
  Put `# harden: ignore[H108] -- reason` on the service's line or on the
  mount's line, or list H108 under `services.<name>.ignore` in
  .harden.yaml.

References
  CIS Docker Benchmark v1.6.0 5.6 "Ensure sensitive host system directories are
  not mounted on containers".)"};

constexpr std::array<std::string_view, 9> kSensitive = {"/etc", "/proc", "/sys",  "/boot",   "/dev",
                                                         "/root", "/var/lib/docker", "/run", "/var/run"};

bool is_docker_socket(const std::string& source) {
  return source == "/var/run/docker.sock" || source == "/run/docker.sock" || source.ends_with("/docker.sock");
}

// The sensitive folder the bind's host side is, or is below.
std::optional<std::string_view> sensitive_folder(const Mount& mount) {
  if (mount.kind != Mount::Kind::Bind) return std::nullopt;
  std::string source = rules::normalise_host_path(mount.source);
  if (source.empty() || source.front() != '/' || is_docker_socket(source)) return std::nullopt;
  for (std::string_view folder : kSensitive)
    if (path_covered(source, std::string(folder))) return folder;
  return std::nullopt;
}

class NoSensitiveHostMount final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::optional<KeyLookup> volumes;
    for (const Mount& mount : ctx.facts.mounts) {
      if (mount.read_only) continue;
      std::optional<std::string_view> folder = sensitive_folder(mount);
      if (!folder) continue;
      if (!volumes) volumes = ctx.service.find("volumes");
      Finding finding = rules::make_finding(
          ctx, kInfo, rules::mount_offset(ctx, volumes, mount),
          fmt::format("the host folder {} (under {}) is mounted writable at {}: the container can change the host",
                      mount.source, *folder, mount.target));
      finding.reasons.push_back(fmt::format("read-only: {} stays visible but cannot be changed", mount.source));
      rules::FixBuilder fix;
      rules::make_mount_read_only(ctx, fix, mount);
      fix.attach(finding, kInfo.safety);
      findings.push_back(std::move(finding));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_no_sensitive_host_mount() { return std::make_unique<NoSensitiveHostMount>(); }

}  // namespace harden

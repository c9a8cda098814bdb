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
    "a host system folder (/etc, /proc, /sys, /dev, /usr, /var/lib, /run...) is bind-mounted writable",
    Profile::Baseline,
    true,
    FixSafety::Unsafe,
    R"(Why it matters
  A writable bind of a host system folder lets a process in the container
  change the host: /etc (users, sudoers, cron, systemd units), /root (SSH
  keys), /boot (the kernel), /proc and /sys (kernel parameters, cgroups,
  core_pattern gives code execution on the host), /dev (raw disks),
  /usr, /bin, /sbin and /lib* (the host's programs and libraries, kernel
  modules), /var/lib (the state of the host's services: /var/lib/docker
  holds every container's files), /var/spool (cron jobs), /var/log (the
  host's logs), /run and /var/run (the sockets of systemd, containerd and
  other daemons). The whole of /var or /home is sensitive too, while a
  folder below them (a site under /var/www, a project under /home) is not
  reported.
  A named volume that the local driver binds to a host folder
  (`driver_opts: {type: none, o: bind, device: /etc/app}`) counts as a
  bind of that folder; the finding points at its `device:`.

What the fix changes
  The mount is made read-only: the short syntax gains `:ro` (an `rw`
  option becomes `ro`; other options are kept), the long syntax gains
  `read_only: true` (for a named volume, the service's mount of it is made
  read-only). A mount that is already read-only is not reported:
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

class NoSensitiveHostMount final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::optional<KeyLookup> volumes;
    for (const Mount& mount : ctx.facts.mounts) {
      if (mount.read_only) continue;
      std::optional<std::string_view> folder;
      std::string host_path = mount.source;
      std::optional<rules::VolumeBind> volume_bind;
      if (mount.kind == Mount::Kind::Bind) {
        folder = sensitive_host_folder(mount.source);
      } else if (mount.kind == Mount::Kind::Volume) {
        // A named volume that the local driver binds to a host folder.
        volume_bind = rules::volume_host_bind(ctx.compose, mount.source);
        if (volume_bind && !volume_bind->read_only) {
          host_path = volume_bind->device;
          folder = sensitive_host_folder(host_path);
        }
      }
      if (!folder) continue;
      if (!volumes) volumes = ctx.service.find("volumes");
      std::string message =
          volume_bind
              ? fmt::format("volume {} binds the host folder {} (under {}) and is mounted writable at {}: the "
                            "container can change the host",
                            mount.source, host_path, *folder, mount.target)
              : fmt::format("the host folder {} (under {}) is mounted writable at {}: the container can change the host",
                            mount.source, *folder, mount.target);
      // A volume's host folder is named in its definition: the finding
      // points there.
      std::size_t offset = volume_bind && !volume_bind->node->is_alias() ? volume_bind->node->content_begin
                                                                          : rules::mount_offset(ctx, volumes, mount);
      Finding finding = rules::make_finding(ctx, kInfo, offset, message);
      finding.reasons.push_back(fmt::format("read-only: {} stays visible but cannot be changed", host_path));
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

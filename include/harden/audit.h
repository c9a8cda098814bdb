// `harden audit`: per service, what a container may do as the file stands
// (before) and once hardened with the default options (after): user,
// capabilities, root filesystem, writable paths, host access, host
// namespaces, no-new-privileges, security profiles, resource limits and
// published ports, plus a score of the baseline controls that hold.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harden/compose.h"
#include "harden/loader.h"
#include "harden/options.h"

namespace harden {

enum class UserKind { Root, Named, Unknown };

struct AuditUser {
  UserKind kind = UserKind::Unknown;
  std::string name;         // "root", "10001", "postgres:postgres"; "" when unknown
  std::string source;       // "user:", "image nginx:1.27", "Dockerfile app/Dockerfile", ""
  std::string switches_to;  // the entrypoint starts as root and switches to this user ("" when not, or unknown)
  bool switches = false;
};

struct AuditCapabilities {
  bool all = false;                    // every capability (privileged, or cap_add ALL with nothing dropped)
  std::vector<std::string> effective;  // the bounding set Docker gives the container (["ALL"] when `all`)
  std::vector<std::string> cap_add, cap_drop;  // as resolved, normalised (no CAP_ prefix, upper case)
  bool drop_all = false;               // cap_drop holds ALL
  // False when the main process starts as a non-root user: it holds none of
  // them (cap_add does not reach a non-root process; no ambient capabilities).
  bool reach_process = true;
};

struct AuditPath {
  std::string path;    // in the container
  std::string type;    // "volume", "bind", "tmpfs", "image-volume"
  std::string source;  // volume name or host path; "" for tmpfs and anonymous volumes
};

struct AuditHostAccess {
  // "privileged-devices", "host-root", "docker-socket", "sensitive-bind", "device"
  std::string kind;
  std::string source;  // host path
  std::string target;  // container path
  bool read_only = false;
  bool master_key = false;  // gives control of the host: privileged, host root (rw), the Docker socket
};

struct AuditPort {
  std::string host_ip;    // "" = every interface
  std::string published;  // "" = a random host port
  std::string target;
  std::string protocol;   // "tcp", "udp"
};

// The baseline controls of the score, in order.
inline constexpr const char* kAuditControls[] = {"privileged_off", "cap_drop_all",   "no_new_privileges",
                                                 "read_only",      "memory_limit",   "cpu_limit",
                                                 "pids_limit",     "no_host_root_bind"};
inline constexpr int kAuditMaxScore = 8;

struct SecurityState {
  AuditUser user;
  bool privileged = false;
  AuditCapabilities capabilities;
  bool read_only = false;
  std::vector<AuditPath> writable;  // writable mounts (and image VOLUME folders)
  std::vector<AuditHostAccess> host_access;
  std::vector<std::string> host_namespaces;  // "network", "pid", "ipc", "uts", "userns", "cgroup"
  bool no_new_privileges = false;
  // "default", "unconfined", "disabled" (label), or the profile/label value written.
  std::string seccomp = "default", apparmor = "default", label = "default";
  bool unconfined_systempaths = false;
  std::string memory, cpus, pids;  // "" when no limit
  std::vector<AuditPort> ports;
  bool controls[kAuditMaxScore] = {};
  int score = 0;
};

struct ServiceAudit {
  std::string name;
  std::string image;  // as written, or "build ./app"
  SecurityState before, after;
  std::vector<std::string> notes;
};

struct FileAudit {
  std::string path;
  std::optional<LoadError> error;  // the file could not be read or parsed
  std::string after_error;          // hardening failed: `after` equals `before`
  std::vector<ServiceAudit> services;
  int score_before = 0, score_after = 0, score_max = 0;
};

// The state of one service as Compose resolves it (merge keys, extends,
// base files). `compose_dir` is the compose file's folder (for `build:`).
SecurityState audit_service(const Service& service, const Options& options, const std::string& compose_dir);

// Audits a file's text: before as written, after as `process_text` hardens it.
FileAudit audit_text(const std::string& path, const std::string& text, const Options& options);
// Reads `path` first; a read problem is FileAudit.error.
FileAudit audit_file(const std::string& path, const Options& options);

enum class AuditFormat { Text, Json, Markdown };

std::string audit_text_report(const std::vector<FileAudit>& files, bool color);
std::string audit_json_report(const std::vector<FileAudit>& files);
std::string audit_markdown_report(const std::vector<FileAudit>& files);

// `harden audit [--format F] [--color C] [PATH ...]`; argv[0] is "audit"'s
// parent program, argv[1] "audit". Returns the exit code: 0, or 2 on errors.
int run_audit(int argc, char** argv);

}  // namespace harden

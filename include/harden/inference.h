// Inference: what a service needs to keep working once hardened, from its
// image profile, its Dockerfile, its ports, mounts, user and network mode.
// Every value carries the reason it was chosen.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harden/compose.h"
#include "harden/image_profile.h"
#include "harden/options.h"

namespace harden {

struct InferredCapability {
  std::string name;    // "SETUID"
  std::string reason;  // "because image postgres switches user with gosu at start-up"
  bool assumed = false;  // kept for lack of evidence (kAssumedRootCapabilities)
};

struct InferredTmpfs {
  std::string path;     // "/var/cache/nginx"
  std::string options;  // "uid=101,gid=101" or "" (Docker tmpfs options)
  std::string reason;
};

// A mount the service already has, read from volumes (short and long
// syntax) and tmpfs.
struct Mount {
  enum class Kind { Bind, Volume, Tmpfs, Other };
  Kind kind = Kind::Other;
  std::string source;  // host path for binds, volume name, "" for tmpfs
  std::string target;  // path in the container
  bool read_only = false;
  const Node* node = nullptr;  // the item in `volumes:` or `tmpfs:`
  std::size_t index = 0;       // its index in that sequence
};

// Where the facts about a service's image come from, strongest first.
enum class Evidence {
  Profile,     // a profile names the image (built in, or `images:` in .harden.yaml)
  Image,       // the image itself, read from the local engine
  Dockerfile,  // a local Dockerfile whose base image has a profile
  Assumption,  // none of these: the defaults below are assumed
};

// "profile", "image", "Dockerfile", "assumption".
std::string_view evidence_name(Evidence evidence);

// The capabilities kept for a root-started service whose image nothing
// describes. Entrypoints of root-started images commonly switch user
// (gosu, su-exec, setpriv, s6-overlay's s6-setuidgid: SETUID, SETGID),
// chown their data folder (CHOWN), and write or chmod in folders another
// user owns (DAC_OVERRIDE, FOWNER). All five are in Docker's default set,
// so keeping them never grants more than the service had.
inline constexpr std::array<std::string_view, 5> kAssumedRootCapabilities = {"CHOWN", "DAC_OVERRIDE", "FOWNER",
                                                                            "SETGID", "SETUID"};

struct ServiceFacts {
  std::string image;                    // as written, "" for build-only services
  const ImageProfile* profile = nullptr;  // nullptr when the image is unknown
  std::string profile_origin;          // "image nginx:1.27", "Dockerfile ./web/Dockerfile"
  bool image_unknown = true;
  Evidence evidence = Evidence::Assumption;
  // What the evidence is, for people: "profile redis (image redis:7)",
  // "Dockerfile web/Dockerfile (base image postgres:16, profile postgres)",
  // "no profile, Dockerfile or readable image for image foo:1".
  std::string evidence_origin;
  // Who the main process starts as: "root", a user, or "" when unknown.
  std::string user;
  bool starts_as_root = true;
  bool switches_user = false;
  bool host_network = false;  // network_mode host, container: or service:
  std::vector<Mount> mounts;
  std::vector<std::string> dockerfile_volumes;
  std::vector<InferredCapability> capabilities;  // cap_add wanted (existing adds are kept separately)
  std::vector<InferredTmpfs> tmpfs;              // tmpfs wanted, not yet mounted
  bool tmp_exec = false;
  std::vector<std::string> notes;  // e.g. "image foo is unknown: add a profile"
  // Read from the image in the local engine: its Env ("NAME=value") and
  // start command (Entrypoint + Cmd), which the file's own settings override.
  std::vector<std::string> image_env;
  std::vector<std::string> image_command;
};

// Infers the facts of one service. `compose_dir` is the folder of the
// compose file (for `build:` contexts).
ServiceFacts infer(const Service& service, const Options& options, const std::string& compose_dir);

// Mounts parsed from a service's `volumes:` and `tmpfs:` (effective values).
std::vector<Mount> read_mounts(const Service& service);

// Splits on `separator` outside `${...}`, so that `${DATA:-/srv}:/data`
// keeps its default value in one piece (volume and port strings).
std::vector<std::string> split_outside_variables(std::string_view text, char separator);

// Host paths of bind mounts, as the rules and the audit read them:
// "/var//run/" -> "/var/run", "/etc/." -> "/etc", "/." -> "/".
std::string normalise_host_path(std::string_view path);
// A container engine's API socket that a bind mount's host source exposes:
// the socket itself (docker.sock, containerd.sock, podman.sock, crio.sock,
// cri-dockerd.sock, wherever it lies), or a host folder that holds one at
// its usual place (`/var/run`, `/run`, `/run/containerd`, a rootless
// `/run/user/UID`...). Whoever reaches the socket controls the engine, and
// so the host. Interpolation defaults count: `${SOCK:-/var/run/docker.sock}`
// is the Docker socket.
struct EngineSocket {
  std::string engine;  // "Docker", "containerd", "Podman", "CRI-O"
  std::string socket;  // the host path of the socket
  bool through_folder = false;  // the mount is a folder above the socket
};
std::vector<EngineSocket> engine_sockets_of(std::string_view host_source);

// `${NAME:-default}` and `${NAME-default}` replaced with their defaults:
// the value Compose uses when the variable is unset. Other variables are
// kept as written.
std::string with_interpolation_defaults(std::string_view text);
// The sensitive host folder (H108: /etc, /proc, /var/lib, ...) that a host
// path is or is below, or nothing. The Docker socket is not one (H107).
std::optional<std::string_view> sensitive_host_folder(std::string_view host_path);

// " cap_net_raw " -> "NET_RAW": Docker upper-cases names and makes the
// CAP_ prefix optional. It knows ALL only without the prefix: "CAP_ALL"
// stays as it is, an unknown name.
std::string normalise_capability(std::string_view name);

// True when `path` is `covered` or below it.
bool path_covered(const std::string& path, const std::string& covered);

}  // namespace harden

// Image introspection: what an image in the local engine needs at start-up,
// read from its config and its files (entrypoint scripts, file
// capabilities, owners and modes of folders). Used as evidence for images
// that no profile covers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harden {

// ------------------------------------------------------------ what an image is

// The parts of `Config` in GET /images/{name}/json that matter here.
struct ImageConfig {
  std::string id;  // "sha256:..."
  std::string user;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "NAME=value"
  std::string working_dir;
  std::vector<std::string> volumes;
  std::vector<std::string> exposed_ports;  // "80/tcp"
  std::map<std::string, std::string> labels;
};

// One path of the image's merged file system (all layers applied).
struct ImageFile {
  enum class Type { File, Directory, Symlink, Other };
  Type type = Type::File;
  std::uint32_t mode = 0;  // permission bits with set-uid/set-gid/sticky
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::string link;                    // symlink target
  std::vector<std::string> file_caps;  // from the security.capability xattr: "NET_BIND_SERVICE"
  std::optional<std::string> content;  // kept for shell scripts and /etc/passwd, /etc/group
};

struct ImageFilesystem {
  std::map<std::string, ImageFile> files;  // absolute normalised path -> file
};

// ------------------------------------------------------------ what it needs

struct ImageGrant {
  std::string capability;
  std::string reason;  // "entrypoint /docker-entrypoint.sh runs su-exec"
};

struct ImageTmpfs {
  std::string path;
  std::string options;  // Docker tmpfs options: "exec", "uid=1000,gid=1000,mode=755"
  std::string reason;
};

struct ImageFacts {
  ImageConfig config;
  bool filesystem_read = false;  // false: only the config was evidence
  std::string filesystem_problem;
  std::string start_user;  // "root" or the configured user
  bool starts_as_root = true;
  bool switches_user = false;
  std::vector<ImageGrant> capabilities;  // those that reach a root-started process
  std::vector<ImageGrant> file_caps;     // of binaries the image runs: needed, root or not
  std::vector<ImageTmpfs> tmpfs;
  std::vector<std::string> notes;  // what was seen but not turned into a grant
};

// "sha256:0123456789ab..." -> "0123456789ab"
std::string short_image_id(std::string_view id);

// ------------------------------------------------------------ analysis (pure)

// Capability names permitted by a `security.capability` xattr (struct
// vfs_cap_data, little-endian, revisions 1 to 3); nothing for a malformed
// value. With the effective bit set exec fails when one of them is
// outside the bounding set; without it the program raises them itself.
std::vector<std::string> decode_file_capabilities(std::string_view xattr);

// What a shell script does that matters under a read-only root and
// dropped capabilities.
struct ScriptFindings {
  struct Switch {
    std::string tool;  // "gosu", "su-exec", "setpriv", ...
    std::string user;  // target user when the tool names it first, else ""
  };
  std::vector<Switch> switches;
  std::vector<std::string> chowned;   // paths given to chown/chgrp (or find -exec chown)
  std::vector<std::string> chmodded;  // paths given to chmod
  std::vector<std::string> recursive_owner_changes;  // chown -R or find over these folders
  std::vector<std::string> created;   // mkdir, install -d
  std::vector<std::string> written;   // redirections, touch, ln/cp/mv targets, sed -i
  std::vector<std::string> executed;  // absolute (or resolved) paths of commands it runs
  std::vector<std::string> sourced;   // `. file`, `sh file`, and folders it runs scripts from ("/dir/")
  std::vector<std::string> commands;  // first words, as written
};

// `variables` are the image's Env ("NAME=value"); `cwd` is the WorkingDir.
// Paths that depend on unknown variables are left out.
ScriptFindings analyse_script(std::string_view text, const std::vector<std::string>& variables,
                              const std::string& cwd);

// Derives the facts from an image's config and, when read, its files.
ImageFacts derive_image_facts(const ImageConfig& config, const ImageFilesystem* filesystem,
                              std::string filesystem_problem = {});

// ------------------------------------------------------------ the engine

// Where the engine the user configured listens.
struct EngineEndpoint {
  std::string socket;   // unix socket path; "" when none is usable
  std::string origin;   // "DOCKER_HOST", "docker context foo", "default Docker socket", ...
  std::string problem;  // why none is usable
};

// The environment variables discovery reads (the files it reads are real).
struct EngineEnvironment {
  std::function<std::optional<std::string>(const char*)> getenv;
};
EngineEnvironment system_engine_environment();

// DOCKER_HOST, then DOCKER_CONTEXT or the current context of
// ~/.docker/config.json, then the sockets that exist of Docker
// (/var/run/docker.sock, $XDG_RUNTIME_DIR/docker.sock) and Podman
// ($XDG_RUNTIME_DIR/podman/podman.sock, /run/podman/podman.sock).
EngineEndpoint discover_engine(const EngineEnvironment& env);

// Cache of derived facts, one JSON file per image ID; a file that cannot
// be read or parsed is ignored.
std::string image_cache_dir(const EngineEnvironment& env);
std::optional<ImageFacts> load_cached_facts(const std::string& dir, const std::string& image_id);
void store_cached_facts(const std::string& dir, const ImageFacts& facts);
std::string facts_to_json(const ImageFacts& facts);
std::optional<ImageFacts> facts_from_json(std::string_view text);

// The result of asking the engine about one image reference.
struct IntrospectionResult {
  std::optional<ImageFacts> facts;  // set when the engine has the image
  std::string missing;              // why not: "no engine answers at unix:///var/run/docker.sock", ...
};

// Process-wide: discovers the engine once and tries to connect at most
// once per run; results are kept per reference. Thread-safe.
IntrospectionResult introspect_image(const std::string& reference);

// Tests: answers every reference from `source` instead of the engine (an
// empty function restores the engine).
void set_image_source_for_tests(std::function<IntrospectionResult(const std::string&)> source);

// Reads a docker-save tar stream (from GET /images/{name}/get) into the
// merged file system; `read` returns the bytes read (0 at the end, -1 on
// error). Returns a problem, or "" on success.
std::string read_image_archive(const std::function<long(char*, std::size_t)>& read, ImageFilesystem& out);

}  // namespace harden

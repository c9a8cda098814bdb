// The image-profile knowledge base: what a well-known image needs to keep
// working under cap_drop ALL, read_only and no-new-privileges.
//
// Profiles are data (transforms/image_profiles.yaml, compiled in); users add
// or override profiles with the same schema under `images:` in .harden.yaml.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace harden {

// When a grant holds. A grant without conditions is required; with
// conditions it holds when any of them holds for the service.
struct GrantCondition {
  enum class Kind {
    BindMount,  // "bind-mount /data": a host folder is mounted at /data, above or inside it (owner unknown)
    Env,        // "env PUID": the service sets the variable (env_file may set it)
    NoEnv,      // "no-env SKIP_SETCAP": the service does not set it
  };
  Kind kind = Kind::BindMount;
  std::string subject;  // the path or the variable name
  bool operator==(const GrantCondition&) const = default;
};

// Parses "bind-mount /data", "env NAME" or "no-env NAME"; nullopt when malformed.
std::optional<GrantCondition> parse_grant_condition(std::string_view text);
// The text form parse_grant_condition reads.
std::string to_string(const GrantCondition& condition);

// A path the image writes at run time, which needs a tmpfs under read_only.
struct TmpfsNeed {
  std::string path;     // "/var/cache/nginx"
  std::string options;  // Docker tmpfs options, e.g. "uid=101,gid=101,mode=1777" or "exec"; may be empty
  std::string reason;   // "nginx writes its proxy and client-body temp files here"
  std::vector<GrantCondition> when;  // empty = required
  bool operator==(const TmpfsNeed&) const = default;
};

// A capability the image needs at start-up under cap_drop ALL.
struct CapabilityNeed {
  std::string name;    // "SETUID" (no CAP_ prefix)
  std::string reason;  // "the entrypoint switches to user postgres with gosu"
  std::vector<GrantCondition> when;  // empty = required
  bool operator==(const CapabilityNeed&) const = default;
};

// The least limits an image needs (H105 never writes less), with why:
// values in Docker's syntax, "" when the profile sets none.
struct LimitFloors {
  std::string memory;  // "1g"
  std::string cpus;    // "2"
  std::string pids;    // "200"
  std::string reason;  // "one process per connection: max_connections 100 plus background workers"
  bool operator==(const LimitFloors&) const = default;
};

struct ImageProfile {
  std::string family;                // "nginx"
  std::vector<std::string> images;   // repository names that match: "nginx", "library/nginx", "nginxinc/nginx-unprivileged",
                                     // or a family of repositories: "lscr.io/linuxserver/*", "bitnami/*"
  std::vector<std::string> tags;     // optional tag globs this profile is limited to ("*-alpine", "8*"); empty = any tag
  std::string user;                  // the image's default user: "root", "nginx", "101", "1000:1000"
  bool switches_user = false;        // entrypoint starts as root and switches (gosu, su-exec, setpriv, su)
  std::string non_root_user;         // a user to run as (for a `user:` fix), empty when none is safe
  std::vector<CapabilityNeed> cap_add;        // needed when the container starts as root
  std::vector<CapabilityNeed> file_caps;      // binaries with file capabilities: needed as root and non-root
  std::vector<TmpfsNeed> tmpfs;               // writable paths under read_only (besides /tmp)
  bool tmp_exec = false;                      // /tmp must allow exec (Java, some native loaders)
  std::vector<std::string> volumes;           // the image's VOLUME folders (never a tmpfs there)
  std::vector<std::string> data_dirs;         // where the service keeps data
  bool breaks_with_no_new_privileges = false; // setuid helpers (sudo, s6-overlay non-root)
  bool breaks_with_read_only = false;         // no tmpfs can fix read_only (elasticsearch config, gitea root image)
  LimitFloors limits;                         // floors for memory, cpus and pids limits
  std::string notes;                          // free text shown by `harden audit` / reports
  std::string source;                         // where the facts come from
  bool operator==(const ImageProfile&) const = default;
};

// A parsed image reference: "registry/ns/name:tag@digest".
struct ImageRef {
  std::string registry;    // "" or "ghcr.io"
  std::string repository;  // "library/nginx" normalised for Docker Hub official images
  std::string name;        // last path component: "nginx"
  std::string tag;         // "" when absent
  bool has_variables = false;  // contains ${...}: matched on the literal parts only
};

ImageRef parse_image_ref(std::string_view image);

class ProfileCatalog {
 public:
  ProfileCatalog() = default;
  explicit ProfileCatalog(std::vector<ImageProfile> profiles) : profiles_(std::move(profiles)) { index(); }

  // The built-in profiles: transforms/image_profiles.yaml, compiled into C++
  // at build time (tools/embed_profiles.cpp).
  static const ProfileCatalog& builtin();

  // Parses profiles from YAML text (the schema of transforms/image_profiles.yaml:
  // a top-level `profiles:` sequence, or a bare sequence). Throws
  // std::runtime_error with a "line:col: message" text on bad input.
  static ProfileCatalog parse(std::string_view yaml_text);

  // Adds profiles; a later profile with the same family replaces the earlier one.
  void merge(const ProfileCatalog& other);

  // The best profile for an image reference, or nullptr when unknown.
  const ImageProfile* find(std::string_view image) const;

  const std::vector<ImageProfile>& profiles() const { return profiles_; }

 private:
  // Which profiles can match an image: a profile matches only an image of a
  // name it lists, or through a listing with a variable. `find` scores those
  // alone instead of every profile (it runs for every service).
  void index();

  std::vector<ImageProfile> profiles_;
  std::map<std::string, std::vector<std::size_t>, std::less<>> by_name_;  // listed name -> profile indexes
  std::vector<std::size_t> with_variables_;                               // profiles listing a `$` or a `*`
};

}  // namespace harden

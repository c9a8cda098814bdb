// The configuration file `.harden.yaml` (SPEC §5), found by walking up from
// each compose file's folder: profile, select, ignore, unsafe-fixes,
// defaults, per-service ignores and extra image profiles. Options given on
// the command line win over the file.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "harden/image_profile.h"
#include "harden/options.h"

namespace harden {

inline constexpr const char* kConfigFileName = ".harden.yaml";

// A bad configuration file; what() is "FILE:LINE:COL: message" (or "FILE: message").
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What one `.harden.yaml` says; unset fields leave the command line's (or
// the built-in) value.
struct Config {
  std::string path;  // as shown in messages
  std::optional<Profile> profile;
  std::optional<std::vector<std::string>> select;  // set and empty: no rule (`select: none`)
  std::optional<std::vector<std::string>> ignore;
  std::optional<bool> unsafe_fixes;
  std::optional<std::string> memory, cpus, pids, restart;
  std::map<std::string, std::vector<std::string>> service_ignores;
  std::map<std::string, ServiceLimits> service_limits;
  // The built-in profiles with the file's `images:` merged over them;
  // null when the file has no `images:`.
  std::shared_ptr<const ProfileCatalog> catalog;
};

// Parses the text of a configuration file. `path` is used in messages.
// Throws ConfigError.
Config parse_config(std::string_view text, const std::string& path);

// Reads and parses a configuration file. Throws ConfigError.
Config load_config(const std::string& path);

// The nearest `.harden.yaml` in `folder` or one of its parents, up to the
// filesystem root; nothing when there is none.
std::optional<std::filesystem::path> find_config(const std::filesystem::path& folder);

// Which options the command line gave explicitly (those win over the file).
struct CliGiven {
  bool profile = false, select = false, ignore = false, unsafe_fixes = false;
  bool memory = false, cpus = false, pids = false, restart = false;
};

// The options for one file: the file's settings with the command line's
// explicit options over them. A rule named in an explicit --select is taken
// out of the file's `ignore`.
Options apply_config(const Options& cli, const CliGiven& given, const Config& config);

// Configuration look-up for a run: `--config FILE`, `--no-config`, or the
// nearest `.harden.yaml` of each file's folder. Loaded configurations (and
// their image catalogs, which Options point to) live as long as the cache.
class ConfigCache {
 public:
  enum class Mode { Nearest, Explicit, None };

  ConfigCache(Options cli, CliGiven given, Mode mode = Mode::Nearest, std::string explicit_path = {});

  // The options for a compose file (`-` or "": the current folder), shared
  // by every file under the same configuration. Throws ConfigError.
  // Thread-safe.
  std::shared_ptr<const Options> options_for_file(const std::string& file);

  // The configuration that applies to a file, or null when none.
  // Throws ConfigError. Thread-safe.
  std::shared_ptr<const Config> config_for_file(const std::string& file);

 private:
  std::shared_ptr<const Config> load(const std::filesystem::path& path);
  // find_config, remembering every folder on the way up: sibling folders
  // share their parents' answer.
  const std::optional<std::string>& nearest(const std::string& folder);

  Options cli_;
  CliGiven given_;
  Mode mode_;
  std::string explicit_path_;
  std::mutex mutex_;
  std::optional<std::string> cwd_;
  std::unordered_map<std::string, std::optional<std::string>> nearest_;            // folder -> config
  std::map<std::filesystem::path, std::shared_ptr<const Config>> loaded_;          // config -> parsed
  std::map<const Config*, std::shared_ptr<const Options>> applied_;                 // config -> options
  std::shared_ptr<const Options> cli_only_;                                         // no configuration
  std::unordered_map<std::string, std::shared_ptr<const Config>> by_folder_;       // folder as written -> config
};

}  // namespace harden

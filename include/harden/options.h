// What a run is asked to do: profile, rule selection, defaults.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harden/image_profile.h"
#include "harden/loader.h"

namespace harden {

enum class Profile { Baseline, Strict };

struct LimitDefaults {
  std::string memory = "512m";
  std::string cpus = "1";
  std::string pids = "100";
  std::string restart = "unless-stopped";
};

// Limits set for one service in .harden.yaml (`services: NAME: {memory,
// cpus, pids}`); they win over the run's defaults and image profiles.
struct ServiceLimits {
  std::optional<std::string> memory, cpus, pids;
};

struct Options {
  Profile profile = Profile::Baseline;
  // Rule codes or names. Unset: the profile decides. Set and empty: no rule
  // (`--select none`).
  std::optional<std::vector<std::string>> select;
  std::vector<std::string> ignore;
  bool unsafe_fixes = false;
  LimitDefaults defaults;
  // Per service name, rule codes ignored there (from .harden.yaml).
  std::map<std::string, std::vector<std::string>> service_ignores;
  // Per service name, limits from .harden.yaml.
  std::map<std::string, ServiceLimits> service_limits;
  // Image profiles: the built-in ones plus those of the config file.
  const ProfileCatalog* catalog = nullptr;
  Limits limits;
  // Parse every rewrite again and compare it with what the fixes intended.
  // Off only for a --check whose report shows no rewritten text: nothing
  // is written or shown, so the second parse would buy nothing.
  bool verify = true;
  // Read images that no profile covers from the local engine (Docker or
  // Podman). Off unless the command line turns it on, so that library
  // users and tests never depend on what a machine's engine holds.
  bool introspect = false;

  const ProfileCatalog& profiles() const { return catalog ? *catalog : ProfileCatalog::builtin(); }
};

}  // namespace harden

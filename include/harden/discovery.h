// Finding compose files: named files as given, folders searched
// recursively by Compose's file names, sorted, .gitignore honoured.
#pragma once

#include <string>
#include <vector>

namespace harden {

struct DiscoveryOptions {
  std::vector<std::string> extra_globs;  // --glob: more file-name patterns
  bool respect_gitignore = true;         // skip what .gitignore ignores (not for named files)
};

struct DiscoveryResult {
  std::vector<std::string> files;   // sorted, unique
  std::vector<std::string> errors;  // "PATH: message" for paths that do not exist or cannot be read
};

// With no path: the compose file of the current folder, found the way
// `docker compose` finds it.
DiscoveryResult discover(const std::vector<std::string>& paths, const DiscoveryOptions& options);

// compose.yaml, docker-compose.yml, compose.prod.yaml, docker-compose-dev.yml ...
bool is_compose_file_name(const std::string& name);

}  // namespace harden

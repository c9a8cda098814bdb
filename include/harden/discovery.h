// Finding compose files: named files as given, folders searched
// recursively by Compose's file names, sorted, .gitignore honoured.
#pragma once

#include <optional>
#include <string>
#include <string_view>
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

// A file name of the form (docker-compose|compose)([.-]VARIANT)?.(yaml|yml),
// where VARIANT has no dot.
struct ComposeName {
  bool docker = false;         // docker-compose..., not compose...
  char separator = 0;          // '.' or '-' before the variant, 0 with none
  std::string_view variant;    // "prod" in compose.prod.yaml; empty with none
};
std::optional<ComposeName> parse_compose_name(std::string_view name);

// compose.yaml, docker-compose.yml, compose.prod.yaml, docker-compose-dev.yml ...
// (not compose-dev.yml: Compose's own names never have it).
bool is_compose_file_name(std::string_view name);

}  // namespace harden

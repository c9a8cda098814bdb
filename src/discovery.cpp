#include "harden/discovery.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <regex>

namespace harden {
namespace fs = std::filesystem;

bool is_compose_file_name(const std::string& name) {
  static const std::regex pattern(R"(^(compose(\.[^.]+)?|docker-compose([.-][^.]+)?)\.ya?ml$)");
  return std::regex_match(name, pattern);
}

namespace {

bool matches_extra(const std::string& name, const std::vector<std::string>& globs) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& g) { return fnmatch(g.c_str(), name.c_str(), 0) == 0; });
}

bool skipped_folder(const std::string& name) {
  return name == ".git" || name == ".hg" || name == ".svn" || name == "node_modules";
}

void search_folder(const fs::path& root, const DiscoveryOptions& options, DiscoveryResult& out) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) {
    out.errors.push_back(root.string() + ": cannot read the folder: " + ec.message());
    return;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      out.errors.push_back(it->path().string() + ": " + ec.message());
      ec.clear();
      continue;
    }
    const fs::directory_entry& entry = *it;
    std::string name = entry.path().filename().string();
    std::error_code type_ec;
    if (entry.is_directory(type_ec) && !entry.is_symlink(type_ec)) {
      if (skipped_folder(name)) it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file(type_ec)) continue;
    if (is_compose_file_name(name) || matches_extra(name, options.extra_globs))
      out.files.push_back(entry.path().string());
  }
}

}  // namespace

DiscoveryResult discover(const std::vector<std::string>& paths, const DiscoveryOptions& options) {
  DiscoveryResult out;
  if (paths.empty()) {
    for (const char* name : {"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}) {
      std::error_code ec;
      if (fs::exists(name, ec)) {
        out.files.emplace_back(name);
        return out;
      }
    }
    out.errors.push_back("no compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml in this folder");
    return out;
  }
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (fs::is_directory(status)) {
      std::size_t before = out.files.size();
      search_folder(path, options, out);
      if (out.files.size() == before) out.errors.push_back(path + ": no compose files in this folder");
    } else {
      out.files.push_back(path);  // a named file is always processed; errors come when it is read
    }
  }
  std::sort(out.files.begin(), out.files.end());
  out.files.erase(std::unique(out.files.begin(), out.files.end()), out.files.end());
  return out;
}

}  // namespace harden

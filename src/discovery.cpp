#include "harden/discovery.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "gitignore.h"

namespace harden {
namespace fs = std::filesystem;

std::optional<ComposeName> parse_compose_name(std::string_view name) {
  // By hand: a std::regex per directory entry was a visible part of
  // discovering a monorepo.
  std::string_view stem;
  if (name.ends_with(".yaml")) stem = name.substr(0, name.size() - 5);
  else if (name.ends_with(".yml")) stem = name.substr(0, name.size() - 4);
  else return std::nullopt;
  ComposeName parsed;
  if (stem.starts_with("docker-compose")) {
    parsed.docker = true;
    stem.remove_prefix(14);
  } else if (stem.starts_with("compose")) {
    stem.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  if (stem.empty()) return parsed;
  if (stem[0] != '.' && stem[0] != '-') return std::nullopt;
  parsed.separator = stem[0];
  parsed.variant = stem.substr(1);
  if (parsed.variant.empty() || parsed.variant.find('.') != std::string_view::npos) return std::nullopt;
  return parsed;
}

bool is_compose_file_name(std::string_view name) {
  auto parsed = parse_compose_name(name);
  return parsed && (parsed->docker || parsed->separator != '-');
}

namespace {

bool matches_extra(const std::string& name, const std::vector<std::string>& globs) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& g) { return fnmatch(g.c_str(), name.c_str(), 0) == 0; });
}

bool skipped_folder(const std::string& name) {
  return name == ".git" || name == ".hg" || name == ".svn" || name == "node_modules";
}

struct IgnoreFrame {
  std::string base;  // folder of the .gitignore, ending in '/'
  std::vector<detail::IgnorePattern> patterns;
};

std::optional<IgnoreFrame> read_gitignore(const fs::path& folder) {
  std::ifstream in(folder / ".gitignore", std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  std::string base = folder.string();
  if (base.empty() || base.back() != '/') base += '/';
  return IgnoreFrame{base, detail::parse_gitignore(text.str())};
}

bool ignored(const std::vector<IgnoreFrame>& frames, const std::string& path, bool is_folder) {
  int verdict = 0;
  for (const IgnoreFrame& frame : frames) {
    if (path.compare(0, frame.base.size(), frame.base) != 0) continue;
    int v = detail::gitignore_verdict(frame.patterns, std::string_view(path).substr(frame.base.size()), is_folder);
    if (v != 0) verdict = v;
  }
  return verdict > 0;
}

// The .gitignore files above `root`, up to the repository's top folder.
std::vector<IgnoreFrame> enclosing_gitignores(const fs::path& root) {
  std::vector<IgnoreFrame> frames;
  std::error_code ec;
  fs::path dir = fs::absolute(root, ec).lexically_normal();
  std::vector<fs::path> chain;
  for (fs::path p = dir.parent_path(); !p.empty(); p = p.parent_path()) {
    chain.push_back(p);
    if (fs::exists(p / ".git", ec) || p == p.root_path()) break;
  }
  bool in_repository = !chain.empty() && fs::exists(chain.back() / ".git", ec);
  if (!in_repository) return frames;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    if (auto frame = read_gitignore(*it)) frames.push_back(std::move(*frame));
  // The frames use absolute bases; paths found below use the same form.
  return frames;
}

struct Walker {
  const DiscoveryOptions& options;
  DiscoveryResult& out;
  fs::path canonical_root;
  std::vector<IgnoreFrame> frames;

  void walk(const fs::path& folder, int depth) {
    if (depth > 256) return;
    std::size_t pushed = 0;
    if (options.respect_gitignore)
      if (auto frame = read_gitignore(folder)) {
        frame->base = absolute_string(folder, true);
        frames.push_back(std::move(*frame));
        pushed = 1;
      }
    std::error_code ec;
    std::vector<fs::directory_entry> entries;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(*it);
    if (ec) out.errors.push_back(folder.string() + ": cannot read the folder: " + ec.message());
    std::sort(entries.begin(), entries.end());
    for (const fs::directory_entry& entry : entries) visit(entry, depth);
    if (pushed) frames.pop_back();
  }

  static std::string absolute_string(const fs::path& p, bool folder) {
    std::error_code ec;
    std::string s = fs::absolute(p, ec).lexically_normal().string();
    if (folder && (s.empty() || s.back() != '/')) s += '/';
    return s;
  }

  void visit(const fs::directory_entry& entry, int depth) {
    std::string name = entry.path().filename().string();
    std::error_code ec;
    bool is_link = entry.is_symlink(ec);
    bool is_folder = !is_link && entry.is_directory(ec);
    if (options.respect_gitignore && ignored(frames, absolute_string(entry.path(), false), is_folder)) return;
    if (is_folder) {
      if (!skipped_folder(name)) walk(entry.path(), depth + 1);
      return;
    }
    bool wanted = is_compose_file_name(name) || matches_extra(name, options.extra_globs);
    if (!wanted) return;
    if (is_link) {
      // Never follow a link out of the tree, nor into a loop.
      fs::path target = fs::canonical(entry.path(), ec);
      if (ec) {
        out.errors.push_back(entry.path().string() + ": broken symbolic link or link loop");
        return;
      }
      auto [root_end, _] = std::mismatch(canonical_root.begin(), canonical_root.end(), target.begin(), target.end());
      if (root_end != canonical_root.end() || !fs::is_regular_file(target, ec)) return;
    } else if (!entry.is_regular_file(ec)) {
      return;
    }
    out.files.push_back(entry.path().string());
  }
};

void search_folder(const fs::path& root, const DiscoveryOptions& options, DiscoveryResult& out) {
  std::error_code ec;
  Walker walker{options, out, fs::canonical(root, ec), {}};
  if (options.respect_gitignore) walker.frames = enclosing_gitignores(root);
  walker.walk(root, 0);
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
  // One file reached through a link and directly is processed once (two
  // writers of one file would race), under its own name.
  // The same file is the same device and inode (one stat, where resolving
  // every path component would cost a readlink and a stat each).
  std::map<std::pair<dev_t, ino_t>, std::string> by_identity;
  std::vector<std::string> unique_files;
  for (const std::string& f : out.files) {
    struct stat info {};
    if (::stat(f.c_str(), &info) != 0) {
      unique_files.push_back(f);  // missing or unreadable: its error comes when it is read
      continue;
    }
    auto [it, inserted] = by_identity.emplace(std::make_pair(info.st_dev, info.st_ino), f);
    std::error_code ec;
    if (!inserted && fs::is_symlink(it->second, ec) && !fs::is_symlink(f, ec)) it->second = f;
  }
  for (const auto& [identity, f] : by_identity) unique_files.push_back(f);
  std::sort(unique_files.begin(), unique_files.end());
  out.files = std::move(unique_files);
  return out;
}

}  // namespace harden

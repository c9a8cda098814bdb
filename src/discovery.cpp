#include "harden/discovery.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>

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

// A file found in a folder. The inode comes from the folder's listing;
// files named on the command line and links get theirs from a stat.
struct FoundFile {
  std::string path;
  ino_t inode = 0;
  bool listed = false;  // `inode` is from the listing of a folder that is not a link
};

struct FolderEntry {
  std::string name;
  unsigned char type = DT_UNKNOWN;
  ino_t inode = 0;
};

// Lists a folder with opendir/readdir: its names, types and inodes without a
// stat per entry (std::filesystem's iterator also costs two fcntl calls
// per folder, and a monorepo has thousands of folders).
std::vector<FolderEntry> list_folder(const std::string& folder, std::error_code& ec) {
  std::vector<FolderEntry> entries;
  DIR* dir = ::opendir(folder.c_str());
  if (!dir) {
    ec.assign(errno, std::generic_category());
    return entries;
  }
  errno = 0;
  while (const dirent* d = ::readdir(dir)) {
    std::string_view name = d->d_name;
    if (name != "." && name != "..") entries.push_back(FolderEntry{std::string(name), d->d_type, d->d_ino});
    errno = 0;
  }
  if (errno != 0) ec.assign(errno, std::generic_category());
  ::closedir(dir);
  return entries;
}

// `folder/name`, as fs::path's operator/ writes it.
std::string child_path(const std::string& folder, std::string_view name) {
  std::string path = folder;
  if (!path.empty() && path.back() != '/') path += '/';
  path += name;
  return path;
}

struct Walker {
  const DiscoveryOptions& options;
  DiscoveryResult& out;
  std::vector<FoundFile>& found;
  fs::path canonical_root;
  std::vector<IgnoreFrame> frames;

  void walk(const std::string& folder, int depth) {
    if (depth > 256) return;
    std::error_code ec;
    std::vector<FolderEntry> entries = list_folder(folder, ec);
    if (ec) out.errors.push_back(folder + ": cannot read the folder: " + ec.message());
    std::sort(entries.begin(), entries.end(),
              [](const FolderEntry& a, const FolderEntry& b) { return a.name < b.name; });
    std::size_t pushed = 0;
    std::string absolute_folder;  // for .gitignore patterns, which match absolute paths
    if (options.respect_gitignore) {
      absolute_folder = absolute_string(folder, true);
      bool has_gitignore = std::any_of(entries.begin(), entries.end(),
                                       [](const FolderEntry& e) { return e.name == ".gitignore"; });
      if (has_gitignore)
        if (auto frame = read_gitignore(folder)) {
          frame->base = absolute_folder;
          frames.push_back(std::move(*frame));
          pushed = 1;
        }
    }
    for (const FolderEntry& entry : entries) visit(folder, absolute_folder, entry, depth);
    if (pushed) frames.pop_back();
  }

  static std::string absolute_string(const fs::path& p, bool folder) {
    std::error_code ec;
    std::string s = fs::absolute(p, ec).lexically_normal().string();
    if (folder && (s.empty() || s.back() != '/')) s += '/';
    return s;
  }

  void visit(const std::string& folder, const std::string& absolute_folder, const FolderEntry& entry, int depth) {
    std::string path = child_path(folder, entry.name);
    unsigned char type = entry.type;
    if (type == DT_UNKNOWN) {  // a file system whose listing has no types
      struct stat st {};
      if (::lstat(path.c_str(), &st) != 0) return;
      type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    bool is_link = type == DT_LNK;
    bool is_folder = type == DT_DIR;
    if (options.respect_gitignore && ignored(frames, absolute_folder + entry.name, is_folder)) return;
    if (is_folder) {
      if (!skipped_folder(entry.name)) walk(path, depth + 1);
      return;
    }
    bool wanted = is_compose_file_name(entry.name) || matches_extra(entry.name, options.extra_globs);
    if (!wanted) return;
    if (is_link) {
      // Never follow a link out of the tree, nor into a loop.
      std::error_code ec;
      fs::path target = fs::canonical(path, ec);
      if (ec) {
        out.errors.push_back(path + ": broken symbolic link or link loop");
        return;
      }
      auto [root_end, _] = std::mismatch(canonical_root.begin(), canonical_root.end(), target.begin(), target.end());
      if (root_end != canonical_root.end() || !fs::is_regular_file(target, ec)) return;
      found.push_back(FoundFile{std::move(path), 0, false});
    } else if (type == DT_REG) {
      found.push_back(FoundFile{std::move(path), entry.inode, true});
    }
  }
};

void search_folder(const std::string& root, const DiscoveryOptions& options, DiscoveryResult& out,
                   std::vector<FoundFile>& found) {
  std::error_code ec;
  Walker walker{options, out, found, fs::canonical(root, ec), {}};
  if (options.respect_gitignore) walker.frames = enclosing_gitignores(root);
  walker.walk(root, 0);
}

// One file reached through a link and directly, by two spellings of its
// path, or through a hard link, is kept once (two writers of one file would
// race), under its own name. The same file is the same device and inode:
// a stat tells, but a file whose listed inode no other file has is unique
// without one (a stat per file was a visible part of discovering a
// monorepo).
std::vector<std::string> unique_files(std::vector<FoundFile> found) {
  std::sort(found.begin(), found.end(), [](const FoundFile& a, const FoundFile& b) { return a.path < b.path; });
  found.erase(std::unique(found.begin(), found.end(),
                          [](const FoundFile& a, const FoundFile& b) { return a.path == b.path; }),
              found.end());
  std::vector<std::string> files;
  std::vector<std::pair<FoundFile*, struct stat>> stated;
  for (FoundFile& f : found)
    if (!f.listed) {
      struct stat info {};
      if (::stat(f.path.c_str(), &info) != 0) {
        files.push_back(f.path);  // missing or unreadable: its error comes when it is read
        continue;
      }
      f.inode = info.st_ino;
      stated.emplace_back(&f, info);
    }
  std::unordered_map<ino_t, int> files_per_inode;
  for (const FoundFile& f : found)
    if (f.listed || f.inode != 0) ++files_per_inode[f.inode];
  for (FoundFile& f : found) {
    if (!f.listed) continue;
    if (files_per_inode[f.inode] == 1) {
      files.push_back(std::move(f.path));
      continue;
    }
    struct stat info {};
    if (::stat(f.path.c_str(), &info) != 0) {
      files.push_back(std::move(f.path));
      continue;
    }
    stated.emplace_back(&f, info);
  }
  std::map<std::pair<dev_t, ino_t>, std::string> by_identity;
  std::sort(stated.begin(), stated.end(), [](const auto& a, const auto& b) { return a.first->path < b.first->path; });
  for (auto& [f, info] : stated) {
    auto [it, inserted] = by_identity.emplace(std::make_pair(info.st_dev, info.st_ino), f->path);
    std::error_code ec;
    if (!inserted && fs::is_symlink(it->second, ec) && !fs::is_symlink(f->path, ec)) it->second = f->path;
  }
  for (auto& [identity, path] : by_identity) files.push_back(std::move(path));
  std::sort(files.begin(), files.end());
  return files;
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
  std::vector<FoundFile> found;
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (fs::is_directory(status)) {
      std::size_t before = found.size();
      search_folder(path, options, out, found);
      if (found.size() == before) out.errors.push_back(path + ": no compose files in this folder");
    } else {
      found.push_back(FoundFile{path, 0, false});  // a named file is always processed; errors come when it is read
    }
  }
  out.files = unique_files(std::move(found));
  return out;
}

}  // namespace harden

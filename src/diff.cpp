#include "harden/diff.h"

#include <dtl/dtl.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace harden {

namespace fs = std::filesystem;
namespace {

// Lines with their own endings.
std::vector<std::string> split_keep_endings(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

struct Op {
  char kind;  // ' ', '-', '+'
  const std::string* line;
  std::size_t before;  // 0-based line numbers at this point
  std::size_t after;
};

void append_line(std::string& out, char kind, const std::string& line, bool color) {
  const char* start = "";
  const char* stop = "";
  if (color && kind == '-') start = "\x1b[31m", stop = "\x1b[0m";
  if (color && kind == '+') start = "\x1b[32m", stop = "\x1b[0m";
  out += start;
  out += kind;
  if (!line.empty() && line.back() == '\n') {
    out.append(line, 0, line.size() - 1);
    out += stop;
    out += '\n';
  } else {
    out += line;
    out += stop;
    out += "\n\\ No newline at end of file\n";
  }
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after, const std::string& path, int context,
                         bool color) {
  if (before == after) return {};
  std::vector<std::string> a = split_keep_endings(before);
  std::vector<std::string> b = split_keep_endings(after);
  // Not onHuge(): it only makes compose() reserve room for dtl's whole
  // coordinate cap (48 MB) up front, a mapping made and dropped per file.
  // The cap holds either way.
  dtl::Diff<std::string> diff(a, b);
  diff.compose();

  std::vector<Op> ops;
  std::size_t ia = 0, ib = 0;
  for (const auto& [line, info] : diff.getSes().getSequence()) {
    if (info.type == dtl::SES_COMMON) {
      ops.push_back({' ', &a[ia], ia, ib});
      ++ia, ++ib;
    } else if (info.type == dtl::SES_DELETE) {
      ops.push_back({'-', &a[ia], ia, ib});
      ++ia;
    } else {
      ops.push_back({'+', &b[ib], ia, ib});
      ++ib;
    }
  }

  // Within each run of changes, removals first, then additions: the way
  // people read a replaced line.
  for (std::size_t i = 0; i < ops.size();) {
    if (ops[i].kind == ' ') {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < ops.size() && ops[j].kind != ' ') ++j;
    std::size_t before = ops[i].before, after = ops[i].after;
    std::stable_partition(ops.begin() + static_cast<std::ptrdiff_t>(i), ops.begin() + static_cast<std::ptrdiff_t>(j),
                          [](const Op& op) { return op.kind == '-'; });
    ops[i].before = before;
    ops[i].after = after;
    i = j;
  }

  std::string out;
  if (color) out += "\x1b[1m";
  // As git writes an absolute path: `a/tmp/x`, so that `patch -p1` run
  // from / finds the file (`a//tmp/x` would leave an absolute path).
  std::string_view shown = path;
  while (shown.starts_with('/')) shown.remove_prefix(1);
  out += fmt::format("--- a/{}\n+++ b/{}\n", shown, shown);
  if (color) out += "\x1b[0m";
  std::size_t n = ops.size();
  std::size_t i = 0;
  auto ctx = static_cast<std::size_t>(context);
  while (i < n) {
    while (i < n && ops[i].kind == ' ') ++i;
    if (i == n) break;
    std::size_t start = i >= ctx ? i - ctx : 0;
    // Extend the hunk while changes are within 2*context lines of each other.
    std::size_t end = i;
    while (true) {
      while (end < n && ops[end].kind != ' ') ++end;
      std::size_t next = end;
      while (next < n && ops[next].kind == ' ') ++next;
      if (next < n && next - end <= 2 * ctx) {
        end = next;
        continue;
      }
      end = std::min(n, end + ctx);
      break;
    }
    std::size_t a_count = 0, b_count = 0;
    for (std::size_t k = start; k < end; ++k) {
      if (ops[k].kind != '+') ++a_count;
      if (ops[k].kind != '-') ++b_count;
    }
    std::size_t a_start = a_count ? ops[start].before + 1 : ops[start].before;
    std::size_t b_start = b_count ? ops[start].after + 1 : ops[start].after;
    std::string header = fmt::format("@@ -{},{} +{},{} @@", a_start, a_count, b_start, b_count);
    out += color ? "\x1b[36m" + header + "\x1b[0m\n" : header + "\n";
    for (std::size_t k = start; k < end; ++k) append_line(out, ops[k].kind, *ops[k].line, color);
    i = end;
  }
  return out;
}

namespace {

// The root of the git work tree holding `folder` (a canonical path), or
// nothing. Roots are remembered per folder: a batch asks once per folder,
// not once per file and parent.
std::optional<fs::path> work_tree_root(const fs::path& folder) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::optional<fs::path>> known;
  std::lock_guard lock(mutex);
  if (auto it = known.find(folder.native()); it != known.end()) return it->second;
  std::optional<fs::path> root;
  std::error_code ec;
  for (fs::path dir = folder; !dir.empty(); dir = dir.parent_path()) {
    // `.git` is a folder in a clone and a file in a linked work tree.
    if (fs::exists(dir / ".git", ec)) {
      root = dir;
      break;
    }
    if (dir == dir.root_path()) break;
  }
  known.emplace(folder.native(), root);
  return root;
}

bool is_below(const fs::path& relative) {
  return !relative.empty() && *relative.begin() != ".." && relative.is_relative();
}

}  // namespace

std::string patch_path(const std::string& path) {
  if (path == "-") return path;
  std::error_code ec;
  fs::path absolute = fs::absolute(fs::path(path), ec).lexically_normal();
  if (ec) return path;
  if (!absolute.has_filename()) absolute = absolute.parent_path();
  // Symlinked folders are resolved (git knows the real path); the file's
  // own name is kept.
  fs::path folder = fs::weakly_canonical(absolute.parent_path(), ec);
  if (ec) folder = absolute.parent_path();
  const fs::path file = folder / absolute.filename();
  if (auto root = work_tree_root(folder)) {
    fs::path relative = file.lexically_relative(*root);
    if (is_below(relative)) return relative.generic_string();
  }
  fs::path cwd = fs::current_path(ec);
  if (!ec) {
    fs::path relative = file.lexically_relative(fs::weakly_canonical(cwd, ec));
    if (!ec && is_below(relative)) return relative.generic_string();
  }
  return file.generic_string();
}

}  // namespace harden

#include "gitignore.h"

namespace harden::detail {
namespace {

std::string_view trim_trailing_spaces(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) {
    if (line.size() >= 2 && line[line.size() - 2] == '\\') break;  // an escaped space stays
    line.remove_suffix(1);
  }
  return line;
}

// Matches one `[...]` class at the start of glob against c; returns the
// class length, or 0 when it is not a well-formed class.
std::size_t match_class(std::string_view glob, char c, bool& matched) {
  std::size_t i = 1;
  bool negate = i < glob.size() && (glob[i] == '!' || glob[i] == '^');
  if (negate) ++i;
  bool any = false;
  std::size_t first = i;
  while (i < glob.size() && (glob[i] != ']' || i == first)) {
    if (i + 2 < glob.size() && glob[i + 1] == '-' && glob[i + 2] != ']') {
      if (c >= glob[i] && c <= glob[i + 2]) any = true;
      i += 3;
    } else {
      if (glob[i] == c) any = true;
      ++i;
    }
  }
  if (i >= glob.size()) return 0;
  matched = any != negate;
  return i + 1;
}

}  // namespace

bool glob_match(std::string_view glob, std::string_view path) {
  while (!glob.empty()) {
    if (glob.substr(0, 2) == "**") {
      std::string_view rest = glob.substr(2);
      if (rest.empty()) return true;
      if (rest.front() == '/') {
        rest.remove_prefix(1);
        // `**/` matches zero or more whole folders.
        if (glob_match(rest, path)) return true;
        for (std::size_t i = 0; i < path.size(); ++i)
          if (path[i] == '/' && glob_match(rest, path.substr(i + 1))) return true;
        return false;
      }
      glob = glob.substr(1);  // `**x` behaves like `*x`
      continue;
    }
    char g = glob.front();
    if (g == '*') {
      std::string_view rest = glob.substr(1);
      for (std::size_t i = 0; i <= path.size(); ++i) {
        if (glob_match(rest, path.substr(i))) return true;
        if (i < path.size() && path[i] == '/') break;
      }
      return false;
    }
    if (path.empty()) return false;
    if (g == '?') {
      if (path.front() == '/') return false;
    } else if (g == '[') {
      bool matched = false;
      std::size_t length = match_class(glob, path.front(), matched);
      if (length > 0) {
        if (!matched || path.front() == '/') return false;
        glob.remove_prefix(length);
        path.remove_prefix(1);
        continue;
      }
      if (path.front() != '[') return false;
    } else if (g == '\\' && glob.size() > 1) {
      glob.remove_prefix(1);
      if (glob.front() != path.front()) return false;
    } else if (g != path.front()) {
      return false;
    }
    glob.remove_prefix(1);
    path.remove_prefix(1);
  }
  return path.empty();
}

std::vector<IgnorePattern> parse_gitignore(std::string_view text) {
  std::vector<IgnorePattern> patterns;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    line = trim_trailing_spaces(line);
    if (line.empty() || line.front() == '#') continue;
    IgnorePattern p;
    if (line.front() == '!') {
      p.negated = true;
      line.remove_prefix(1);
    } else if (line.substr(0, 2) == "\\!" || line.substr(0, 2) == "\\#") {
      line.remove_prefix(1);
    }
    if (!line.empty() && line.back() == '/') {
      p.folder_only = true;
      line.remove_suffix(1);
    }
    if (line.find('/') != std::string_view::npos) p.anchored = true;
    if (!line.empty() && line.front() == '/') line.remove_prefix(1);
    if (line.empty()) continue;
    p.glob = std::string(line);
    patterns.push_back(std::move(p));
  }
  return patterns;
}

int gitignore_verdict(const std::vector<IgnorePattern>& patterns, std::string_view relative, bool is_folder) {
  std::string_view name = relative;
  if (std::size_t slash = relative.rfind('/'); slash != std::string_view::npos) name = relative.substr(slash + 1);
  int verdict = 0;
  for (const IgnorePattern& p : patterns) {  // the last match wins
    if (p.folder_only && !is_folder) continue;
    bool hit = p.anchored ? glob_match(p.glob, relative) : glob_match(p.glob, name);
    if (hit) verdict = p.negated ? -1 : 1;
  }
  return verdict;
}

}  // namespace harden::detail

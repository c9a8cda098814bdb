// A reader of .gitignore files, enough to skip what a repository ignores
// while searching folders: negation, folder-only patterns, anchored
// patterns, `*`, `?`, `[...]` and `**`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace harden::detail {

struct IgnorePattern {
  std::string glob;       // without `!`, leading `/` and trailing `/`
  bool negated = false;   // `!pattern`
  bool folder_only = false;  // `pattern/`
  bool anchored = false;  // has a `/` before its end: relative to the .gitignore's folder
};

// The patterns of one .gitignore file's text.
std::vector<IgnorePattern> parse_gitignore(std::string_view text);

// Glob matching with `**` across folders; `*` and `?` stop at `/`.
bool glob_match(std::string_view glob, std::string_view path);

// The verdict of one file's patterns for `relative` (the path from the
// .gitignore's folder, with `/`): 1 ignored, -1 re-included, 0 no opinion.
int gitignore_verdict(const std::vector<IgnorePattern>& patterns, std::string_view relative, bool is_folder);

}  // namespace harden::detail

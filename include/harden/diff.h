// Unified diffs that `git apply` and `patch -p1` accept.
#pragma once

#include <string>
#include <string_view>

namespace harden {

// `--- a/PATH` / `+++ b/PATH` with `context` lines around each hunk; empty
// when the texts are equal. Lines keep their own endings; a missing final
// newline is marked the way diff(1) does.
std::string unified_diff(std::string_view before, std::string_view after, const std::string& path,
                         int context = 3, bool color = false);

// The path a patch names a file by, the way `git diff` names it, so that
// `git apply` at the top of the work tree finds the file whatever form the
// user gave (`.`, `./x`, `x`, absolute, through a symlinked folder):
// relative to the root of the git work tree that holds the file; outside
// any work tree, relative to the current folder when the file is below it;
// else absolute. The file's own name is kept when it is a symlink. "-"
// (standard input) stays "-".
std::string patch_path(const std::string& path);

}  // namespace harden

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

}  // namespace harden

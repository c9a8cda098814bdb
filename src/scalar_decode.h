// Decoding a scalar's source text into its value, independently of
// yaml-cpp, so that the spans the loader finds can be cross-checked.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace harden::detail {

// `raw` is the exact source of the scalar, from its first character (quote,
// block indicator or first plain character) to its end.
std::optional<std::string> decode_plain(std::string_view raw);
// A one-line plain scalar decodes to a part of itself (blanks at its ends
// dropped): that part, without a copy; nothing when `raw` spans lines.
std::optional<std::string_view> decode_one_line_plain(std::string_view raw);
std::optional<std::string> decode_single_quoted(std::string_view raw);
std::optional<std::string> decode_double_quoted(std::string_view raw);
// `raw` starts at the `|` or `>` indicator. `parent_indent` is the
// indentation of the node that owns the block scalar (-1 at the top level).
std::optional<std::string> decode_block(std::string_view raw, int parent_indent);

}  // namespace harden::detail

// Small text helpers shared by the loader's neighbours, the rules, the
// inference and the reports.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harden {

std::string_view trim(std::string_view text);  // ASCII white space at both ends
std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);
bool iequals(std::string_view a, std::string_view b);  // ASCII, case-insensitive
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

// A boolean as Docker reads it (Go's strconv.ParseBool): 1 t T true TRUE
// True, 0 f F false FALSE False; anything else is not a boolean.
std::optional<bool> parse_go_bool(std::string_view text);

// True when Compose interpolates something in `text`: `$VAR` or `${...}`
// (`$$` is a literal dollar). Its value is then known only at run time.
bool has_interpolation(std::string_view text);

// Where the first line break (LF or CR) at or after `from` is, or npos.
// Two memchr scans: find_first_of("\r\n") tests every byte against its
// set apart, and line scans run over every file.
std::size_t find_line_break(std::string_view text, std::size_t from = 0);

}  // namespace harden

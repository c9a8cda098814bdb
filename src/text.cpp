#include "harden/text.h"

#include <algorithm>
#include <cctype>

namespace harden {

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string to_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string to_upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<bool> parse_go_bool(std::string_view text) {
  for (std::string_view t : {"1", "t", "T", "true", "TRUE", "True"})
    if (text == t) return true;
  for (std::string_view f : {"0", "f", "F", "false", "FALSE", "False"})
    if (text == f) return false;
  return std::nullopt;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

bool has_interpolation(std::string_view text) {
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '$') continue;
    char next = text[i + 1];
    if (next == '$') {
      ++i;  // "$$": a literal dollar
      continue;
    }
    if (next == '{' || next == '_' || std::isalpha(static_cast<unsigned char>(next))) return true;
  }
  return false;
}

std::size_t find_line_break(std::string_view text, std::size_t from) {
  if (from >= text.size()) return std::string_view::npos;
  std::size_t lf = text.find('\n', from);
  std::size_t cr = text.substr(from, lf == std::string_view::npos ? std::string_view::npos : lf - from).find('\r');
  return cr == std::string_view::npos ? lf : from + cr;
}

}  // namespace harden

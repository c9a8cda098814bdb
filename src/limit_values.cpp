#include "harden/limit_values.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <string>

namespace harden {
namespace {

constexpr std::uint64_t kMiB = 1024ULL * 1024;
constexpr std::uint64_t kGiB = 1024 * kMiB;

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Digits with at most one decimal point inside: "1", "1.5" (not "1.", ".5").
std::size_t number_length(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i == 0) return 0;
  if (i + 1 < text.size() && text[i] == '.' && is_digit(text[i + 1])) {
    ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
  }
  return i;
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace

std::optional<std::uint64_t> parse_memory_size(std::string_view text) {
  // go-units: ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$
  std::size_t length = number_length(text);
  if (length == 0) return std::nullopt;
  double number = std::strtod(std::string(text.substr(0, length)).c_str(), nullptr);
  std::string_view rest = text.substr(length);
  if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  double multiplier = 1;
  if (!rest.empty()) {
    switch (std::tolower(static_cast<unsigned char>(rest.front()))) {
      case 'k': multiplier = 1024.0; break;
      case 'm': multiplier = 1024.0 * 1024; break;
      case 'g': multiplier = 1024.0 * 1024 * 1024; break;
      case 't': multiplier = 1024.0 * 1024 * 1024 * 1024; break;
      case 'p': multiplier = 1024.0 * 1024 * 1024 * 1024 * 1024; break;
      default: break;
    }
    if (multiplier != 1) rest.remove_prefix(1);
  }
  if (!rest.empty() && (rest.front() == 'i' || rest.front() == 'I')) rest.remove_prefix(1);
  if (!rest.empty() && (rest.front() == 'b' || rest.front() == 'B')) rest.remove_prefix(1);
  if (!rest.empty()) return std::nullopt;
  double bytes = number * multiplier;
  if (!(bytes < static_cast<double>(std::numeric_limits<std::int64_t>::max()))) return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

std::optional<std::string> memory_limit_problem(std::string_view text) {
  std::optional<std::uint64_t> bytes = parse_memory_size(text);
  if (!bytes)
    return "expected a size such as 512m or 1g (bytes, or a number with a b, k, m or g unit), found " + quoted(text);
  if (*bytes < kMinMemoryBytes)
    return quoted(text) + " is " + std::to_string(*bytes) +
           " bytes, below Docker's minimum memory limit of 6 MB (6291456 bytes); did you mean " + std::string(text) +
           "m?";
  return std::nullopt;
}

std::optional<std::string> cpus_limit_problem(std::string_view text) {
  std::size_t length = number_length(text);
  bool leading_dot = length == 0 && text.size() > 1 && text[0] == '.' && number_length(text.substr(1)) + 1 == text.size();
  if ((length == 0 || length != text.size()) && !leading_dot)
    return "expected a positive number of CPUs such as 1 or 0.5, found " + quoted(text);
  std::size_t dot = text.find('.');
  if (dot != std::string_view::npos && text.size() - dot - 1 > 9)
    return quoted(text) + " is too precise: Docker counts CPUs in billionths (at most 9 decimals)";
  double cpus = std::strtod(std::string(text).c_str(), nullptr);
  if (cpus < 0.01) return quoted(text) + " is below Docker's minimum of 0.01 CPUs";
  return std::nullopt;
}

std::optional<std::string> pids_limit_problem(std::string_view text) {
  bool digits = !text.empty() && text.size() <= 18;
  for (char c : text) digits = digits && is_digit(c);
  if (!digits || text.find_first_not_of('0') == std::string_view::npos)
    return "expected a positive whole number of processes such as 100, found " + quoted(text);
  return std::nullopt;
}

std::optional<std::uint64_t> parse_nano_cpus(std::string_view text) {
  if (cpus_limit_problem(text)) return std::nullopt;
  std::string copy(text);
  std::size_t dot = copy.find('.');
  std::string whole = dot == std::string::npos ? copy : copy.substr(0, dot);
  std::string fraction = dot == std::string::npos ? "" : copy.substr(dot + 1);
  fraction.resize(9, '0');
  return (whole.empty() ? 0 : std::stoull(whole)) * 1000000000ULL + std::stoull(fraction);
}

std::string format_memory(std::uint64_t bytes) {
  if (bytes % kGiB == 0 && bytes > 0) return std::to_string(bytes / kGiB) + "g";
  return std::to_string((bytes + kMiB - 1) / kMiB) + "m";
}

}  // namespace harden

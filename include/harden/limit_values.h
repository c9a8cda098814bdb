// Resource-limit values as the Docker engine reads them: memory sizes
// (go-units RAMInBytes, binary multiples), cpus (NanoCPUs) and pids, with
// the engine's minimums. Every limit harden writes passes these checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace harden {

// The engine refuses a memory limit or reservation below 6 MB (moby
// daemon_unix.go: "Minimum memory limit allowed is 6MB").
inline constexpr std::uint64_t kMinMemoryBytes = 6ULL * 1024 * 1024;

// A memory size as Docker and Compose read it: a number of bytes, or a
// number with a k, m, g, t or p unit (optionally followed by i and/or b,
// any case; "512m", "1.5g", "1GiB", "2048kb"). Nothing when not a size.
std::optional<std::uint64_t> parse_memory_size(std::string_view text);

// What is wrong with a value given for a limit, as the end of a message
// ("expected a size such as 512m or 1g, found 'lots'"), or nothing when
// the engine accepts it. Memory: a size of at least 6 MB. Cpus: a
// positive decimal of at least 0.01 (the engine's minimum) with at most 9
// decimals (NanoCPUs). Pids: a positive whole number.
std::optional<std::string> memory_limit_problem(std::string_view text);
std::optional<std::string> cpus_limit_problem(std::string_view text);
std::optional<std::string> pids_limit_problem(std::string_view text);

// A cpus value that cpus_limit_problem accepts, in billionths of a CPU.
std::optional<std::uint64_t> parse_nano_cpus(std::string_view text);

// A size as harden writes it: whole GiB as "3g", else MiB rounded up ("2304m").
std::string format_memory(std::uint64_t bytes);

}  // namespace harden

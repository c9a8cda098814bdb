// What a service itself says about the resources it needs, read from its
// own settings (JVM and Node heap options, reservations, swap and memlock
// limits) and its image profile. H105 never writes a limit below these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harden/compose.h"
#include "harden/image_profile.h"

namespace harden {

// A bound on one limit and why: the memory limit must be at least (or, for
// a ceiling, at most) `value`.
struct LimitNeed {
  std::uint64_t value = 0;  // bytes for memory, processes for pids, billionths of a CPU for cpus
  std::string text;         // the value as harden writes it: "3g", "200", "2"
  std::string reason;       // "ES_JAVA_OPTS sets -Xmx2g; a JVM needs its heap plus room for itself (...)"
};

struct LimitNeeds {
  std::vector<LimitNeed> memory;            // floors
  std::optional<LimitNeed> memory_ceiling;  // memswap_limit
  std::vector<LimitNeed> cpus;              // floors (profile)
  std::vector<LimitNeed> pids;              // floors (profile)
  // Set when the image runs a JVM but no heap size was found: the limit
  // stays the default, and the report says so.
  std::string jvm_without_heap;
};

// `image_env` and `image_command` are what the image itself sets (Env, and
// Entrypoint + Cmd, read from the engine); the service's own environment
// and entrypoint/command win over them.
LimitNeeds read_limit_needs(const Service& service, const ImageProfile* profile, std::string_view image,
                            const std::vector<std::string>& image_env = {},
                            const std::vector<std::string>& image_command = {});

// The largest heap that -Xmx, -Xms, -XX:MaxHeapSize or -XX:InitialHeapSize
// set in a JVM option string (the last of each kind wins), in bytes.
std::optional<std::uint64_t> jvm_heap_bytes(std::string_view options);
// Node's --max-old-space-size=N (MiB; also --max_old_space_size), in bytes.
std::optional<std::uint64_t> node_heap_bytes(std::string_view options);
// The least memory limit for a managed heap: the heap plus the runtime's
// own memory (metaspace or code space, thread stacks, GC structures,
// buffers), taken as half the heap and at least 256 MiB, in whole MiB.
std::uint64_t memory_for_heap(std::uint64_t heap_bytes);
// Compose interpolation as far as the file alone tells: `${VAR:-default}`
// and `${VAR-default}` give their default, other variables nothing, `$$`
// a dollar.
std::string with_variable_defaults(std::string_view text);

}  // namespace harden

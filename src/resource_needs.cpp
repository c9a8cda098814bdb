#include "harden/resource_needs.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

#include "harden/limit_values.h"

namespace harden {
namespace {

constexpr std::uint64_t kMiB = 1024ULL * 1024;

// Environment variables whose value the JVM (or the image's start script)
// reads as JVM options.
constexpr std::array<std::string_view, 13> kJvmOptionVariables = {
    "JAVA_OPTS",       "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS",       "ES_JAVA_OPTS",
    "OPENSEARCH_JAVA_OPTS", "LS_JAVA_OPTS", "KAFKA_HEAP_OPTS", "INSTALL4J_ADD_VM_PARAMS", "CATALINA_OPTS",
    "JVM_OPTS",        "JENKINS_JAVA_OPTS", "SONAR_WEB_JAVAOPTS"};

// Images that run a JVM (the last part of the repository name).
constexpr std::array<std::string_view, 24> kJvmImages = {
    "elasticsearch", "opensearch", "logstash",       "jenkins",  "keycloak",  "kafka",
    "cp-kafka",      "cp-server",  "cp-zookeeper",   "zookeeper", "cassandra", "sonarqube",
    "nexus3",        "solr",       "tomcat",         "openjdk",  "eclipse-temurin", "amazoncorretto",
    "neo4j",         "graylog",    "jetty",          "wildfly",  "activemq",  "metabase"};

struct Heap {
  std::uint64_t bytes = 0;
  std::string flag;  // "-Xmx2g" as written
};

std::uint64_t jvm_unit(char unit) {
  switch (std::tolower(static_cast<unsigned char>(unit))) {
    case 'k': return 1024ULL;
    case 'm': return kMiB;
    case 'g': return 1024 * kMiB;
    case 't': return 1024 * 1024 * kMiB;
    default: return 1;
  }
}

// The largest heap the options set; of each flag the last one counts, as
// the JVM reads them.
std::optional<Heap> jvm_heap(std::string_view options) {
  static const std::regex flag(R"((?:^|[\s"'=,\[])(-(Xmx|Xms|XX:MaxHeapSize=|XX:InitialHeapSize=)([0-9]+)([kKmMgGtT]?))(?=$|[\s"',\]]))");
  if (options.find("-X") == std::string_view::npos) return std::nullopt;  // the regex only where it can match
  std::string text(options);
  std::optional<Heap> max_heap, min_heap;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), flag); it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    std::string digits = m[3].str();
    if (digits.size() > 15) continue;
    std::uint64_t unit = m[4].length() ? jvm_unit(m[4].str()[0]) : 1;
    Heap heap{std::stoull(digits) * unit, m[1].str()};
    std::string kind = m[2].str();
    if (kind == "Xmx" || kind == "XX:MaxHeapSize=") max_heap = heap;
    else min_heap = heap;
  }
  if (max_heap && min_heap) return max_heap->bytes >= min_heap->bytes ? max_heap : min_heap;
  return max_heap ? max_heap : min_heap;
}

std::optional<Heap> node_heap(std::string_view options) {
  static const std::regex flag(R"((--max[-_]old[-_]space[-_]size(?:=|\s+)([0-9]+))(?=$|[\s"',\]]))");
  if (options.find("old") == std::string_view::npos) return std::nullopt;
  std::string text(options);
  std::optional<Heap> heap;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), flag); it != std::sregex_iterator(); ++it) {
    std::string digits = (*it)[2].str();
    if (digits.size() > 9) continue;
    heap = Heap{std::stoull(digits) * kMiB, (*it)[1].str()};
  }
  return heap;
}

// The service's environment as name and value, from a mapping or a list
// of NAME=value; variables take their defaults.
std::vector<std::pair<std::string, std::string>> environment(const Service& service) {
  std::vector<std::pair<std::string, std::string>> env;
  const Node* node = resolved(service.value("environment"));
  if (!node) return env;
  if (node->is_mapping()) {
    for (const MapEntry& entry : node->entries) {
      const Node* value = entry.value->resolved();
      if (entry.key->is_scalar() && value->is_scalar())
        env.emplace_back(entry.key->value, with_variable_defaults(value->value));
    }
  } else {
    for (const Node* item : sequence_items(node)) {
      if (!item->is_scalar()) continue;
      std::size_t equals = item->value.find('=');
      if (equals == std::string::npos) continue;
      env.emplace_back(item->value.substr(0, equals), with_variable_defaults(item->value.substr(equals + 1)));
    }
  }
  return env;
}

// `command:` or `entrypoint:` as one line (a list joined by spaces).
std::string command_text(const Service& service, std::string_view key) {
  const Node* node = resolved(service.value(key));
  if (!node) return {};
  if (node->is_scalar()) return with_variable_defaults(node->value);
  std::string text;
  for (const Node* item : sequence_items(node))
    if (item->is_scalar()) text += (text.empty() ? "" : " ") + with_variable_defaults(item->value);
  return text;
}

std::optional<std::uint64_t> memory_setting(const Node* node) {
  node = resolved(node);
  if (!node || !node->is_scalar()) return std::nullopt;
  std::string text = with_variable_defaults(node->value);
  if (text == "-1") return std::nullopt;
  std::optional<std::uint64_t> bytes = parse_memory_size(text);
  if (!bytes || *bytes == 0) return std::nullopt;
  return bytes;
}

// The soft memlock limit in bytes, when finite.
std::optional<std::uint64_t> memlock_soft(const Service& service) {
  const Node* memlock = mapping_get(service.value("ulimits"), "memlock");
  if (memlock && memlock->is_mapping()) memlock = mapping_get(memlock, "soft");
  if (!memlock || !memlock->is_scalar()) return std::nullopt;
  std::string text = with_variable_defaults(memlock->value);
  if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::nullopt;  // -1 (unlimited) or not a number
  std::uint64_t bytes = std::stoull(text);
  return bytes ? std::optional<std::uint64_t>(bytes) : std::nullopt;
}

std::string heap_rule(std::uint64_t heap) {
  std::uint64_t room = std::max(heap / 2, 256 * kMiB);
  return fmt::format("heap + {} for the runtime itself (half the heap, at least 256m)", format_memory(room));
}

bool runs_jvm(std::string_view image) {
  if (image.empty()) return false;
  ImageRef ref = parse_image_ref(image);
  return std::find(kJvmImages.begin(), kJvmImages.end(), ref.name) != kJvmImages.end();
}

}  // namespace

std::optional<std::uint64_t> jvm_heap_bytes(std::string_view options) {
  std::optional<Heap> heap = jvm_heap(options);
  return heap ? std::optional<std::uint64_t>(heap->bytes) : std::nullopt;
}

std::optional<std::uint64_t> node_heap_bytes(std::string_view options) {
  std::optional<Heap> heap = node_heap(options);
  return heap ? std::optional<std::uint64_t>(heap->bytes) : std::nullopt;
}

std::uint64_t memory_for_heap(std::uint64_t heap_bytes) {
  std::uint64_t total = heap_bytes + std::max(heap_bytes / 2, 256 * kMiB);
  return (total + kMiB - 1) / kMiB * kMiB;
}

std::string with_variable_defaults(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    char next = text[i + 1];
    if (next == '$') {
      out += '$';
      ++i;
    } else if (next == '{') {
      // The matching brace: a default may hold a variable of its own.
      std::size_t depth = 1, close = i + 2;
      for (; close < text.size() && depth; ++close) {
        if (text[close] == '{') ++depth;
        else if (text[close] == '}') --depth;
      }
      if (depth) return out + std::string(text.substr(i));
      std::string_view inner = text.substr(i + 2, close - i - 3);
      std::size_t name_end = 0;
      while (name_end < inner.size() && (std::isalnum(static_cast<unsigned char>(inner[name_end])) || inner[name_end] == '_'))
        ++name_end;
      std::string_view rest = inner.substr(name_end);
      if (rest.starts_with(":-")) out += with_variable_defaults(rest.substr(2));
      else if (rest.starts_with("-")) out += with_variable_defaults(rest.substr(1));
      i = close - 1;
    } else if (std::isalpha(static_cast<unsigned char>(next)) || next == '_') {
      std::size_t end = i + 1;
      while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
      i = end - 1;
    } else {
      out += '$';
    }
  }
  return out;
}

LimitNeeds read_limit_needs(const Service& service, const ImageProfile* profile, std::string_view image,
                            const std::vector<std::string>& image_env, const std::vector<std::string>& image_command) {
  LimitNeeds needs;
  auto add_heap = [&](const Heap& heap, std::string_view where, std::string_view runtime) {
    std::uint64_t bytes = memory_for_heap(heap.bytes);
    needs.memory.push_back({bytes, format_memory(bytes),
                            fmt::format("{} sets {}; {} needs its heap plus room: {}", where, heap.flag, runtime,
                                        heap_rule(heap.bytes))});
  };
  bool heap_found = false;
  for (const auto& [name, value] : environment(service)) {
    if (std::find(kJvmOptionVariables.begin(), kJvmOptionVariables.end(), name) != kJvmOptionVariables.end()) {
      if (std::optional<Heap> heap = jvm_heap(value)) {
        add_heap(*heap, name, "the JVM");
        heap_found = true;
      }
    } else if (name == "NODE_OPTIONS") {
      if (std::optional<Heap> heap = node_heap(value)) add_heap(*heap, name, "Node");
    }
  }
  // The image's own settings, where the service does not replace them.
  std::vector<std::pair<std::string, std::string>> own = environment(service);
  for (const std::string& entry : image_env) {
    std::size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    std::string name = entry.substr(0, eq), value = entry.substr(eq + 1);
    if (std::any_of(own.begin(), own.end(), [&](const auto& item) { return item.first == name; })) continue;
    if (std::find(kJvmOptionVariables.begin(), kJvmOptionVariables.end(), name) != kJvmOptionVariables.end()) {
      if (std::optional<Heap> heap = jvm_heap(value)) {
        add_heap(*heap, "the image's " + name, "the JVM");
        heap_found = true;
      }
    } else if (name == "NODE_OPTIONS") {
      if (std::optional<Heap> heap = node_heap(value)) add_heap(*heap, "the image's " + name, "Node");
    }
  }
  if (command_text(service, "entrypoint").empty() && command_text(service, "command").empty() && !image_command.empty()) {
    std::string text;
    for (const std::string& word : image_command) text += (text.empty() ? "" : " ") + word;
    if (std::optional<Heap> heap = jvm_heap(text)) {
      add_heap(*heap, "the image's start command", "the JVM");
      heap_found = true;
    }
    if (std::optional<Heap> heap = node_heap(text)) add_heap(*heap, "the image's start command", "Node");
  }
  for (std::string_view key : {"entrypoint", "command"}) {
    std::string text = command_text(service, key);
    if (text.empty()) continue;
    if (std::optional<Heap> heap = jvm_heap(text)) {
      add_heap(*heap, key, "the JVM");
      heap_found = true;
    }
    if (std::optional<Heap> heap = node_heap(text)) add_heap(*heap, key, "Node");
  }

  if (std::optional<std::uint64_t> bytes = memory_setting(service.value("mem_reservation")))
    needs.memory.push_back({*bytes, format_memory(*bytes),
                            "mem_reservation " + format_memory(*bytes) +
                                ": the engine refuses a memory limit below the reservation"});
  const Node* reservations = mapping_get(mapping_get(service.value("deploy"), "resources"), "reservations");
  if (std::optional<std::uint64_t> bytes = memory_setting(mapping_get(reservations, "memory")))
    needs.memory.push_back({*bytes, format_memory(*bytes),
                            "deploy.resources.reservations.memory " + format_memory(*bytes) +
                                ": the engine refuses a memory limit below the reservation"});
  if (std::optional<std::uint64_t> bytes = memlock_soft(service))
    needs.memory.push_back({*bytes, format_memory(*bytes),
                            fmt::format("ulimits.memlock lets the service lock {} bytes of memory; the limit must hold them",
                                        *bytes)});
  if (std::optional<std::uint64_t> bytes = memory_setting(service.value("memswap_limit")))
    needs.memory_ceiling = LimitNeed{*bytes, format_memory(*bytes),
                                     "memswap_limit " + format_memory(*bytes) +
                                         ": the engine refuses a memory limit above the memory and swap limit"};

  if (profile) {
    const std::string why = profile->limits.reason.empty() ? "" : ": " + profile->limits.reason;
    if (std::optional<std::uint64_t> bytes = parse_memory_size(profile->limits.memory))
      needs.memory.push_back({*bytes, profile->limits.memory,
                              fmt::format("image profile {} needs at least {} of memory{}", profile->family,
                                          profile->limits.memory, why)});
    if (!profile->limits.pids.empty() && !pids_limit_problem(profile->limits.pids))
      needs.pids.push_back({std::stoull(profile->limits.pids), profile->limits.pids,
                            fmt::format("image profile {} needs at least {} processes{}", profile->family,
                                        profile->limits.pids, why)});
    if (std::optional<std::uint64_t> nano = parse_nano_cpus(profile->limits.cpus))
      needs.cpus.push_back({*nano, profile->limits.cpus,
                            fmt::format("image profile {} needs at least {} CPUs{}", profile->family,
                                        profile->limits.cpus, why)});
  }
  if (!heap_found && runs_jvm(image))
    needs.jvm_without_heap = fmt::format(
        "image {} runs a JVM and sets no -Xmx: the JVM sizes its heap from the memory limit; set -Xmx or a "
        "limit for the service in .harden.yaml if it needs more",
        image);
  return needs;
}

}  // namespace harden

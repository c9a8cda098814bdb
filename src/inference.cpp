// Inference: what a service needs to keep working once hardened.
//
// The facts come from the image profile (transforms/image_profiles.yaml),
// from the final stage of a local Dockerfile, and from the service itself
// (user, network mode, ports, mounts). The rules behind them are in
// shared/research/image-runtime-facts.md §0 and §7.

#include "harden/inference.h"
#include "harden/image_introspection.h"
#include "harden/read_file.h"
#include "harden/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace harden {
namespace {

// ------------------------------------------------------------ small helpers


std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// "root", "0", "0:0", "root:staff": the user part decides.
bool is_root_user(std::string_view user) {
  std::string_view name = trim(user);
  if (std::size_t colon = name.find(':'); colon != std::string_view::npos) name = name.substr(0, colon);
  return name.empty() || name == "root" || name == "0";
}

std::string strip_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string scalar_of(const Node* node) {
  node = resolved(node);
  return node && node->is_scalar() ? node->value : std::string();
}


// ------------------------------------------------------------ the Dockerfile

// What the final stage of a Dockerfile tells about the image it builds.
struct DockerfileFacts {
  std::string path;        // as shown to the user
  std::string base_image;  // the external image the final stage starts from
  std::optional<std::string> user;
  std::vector<std::string> volumes;
  std::vector<int> exposed_ports;
  std::vector<std::string> file_caps;  // from `setcap cap_x=+ep`
};

struct Instruction {
  std::string keyword;  // upper case
  std::string arguments;
};

struct Stage {
  std::string base;
  std::string name;
  std::vector<Instruction> instructions;
};

// The `<<EOF` heredoc terminators an instruction opens.
std::vector<std::string> heredoc_terminators(std::string_view line) {
  std::vector<std::string> terminators;
  for (std::size_t at = line.find("<<"); at != std::string_view::npos; at = line.find("<<", at + 2)) {
    std::size_t i = at + 2;
    if (i < line.size() && line[i] == '-') ++i;
    char quote = 0;
    if (i < line.size() && (line[i] == '"' || line[i] == '\'')) quote = line[i++];
    std::string word;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_')) word += line[i++];
    if (quote && (i >= line.size() || line[i] != quote)) continue;
    if (!word.empty()) terminators.push_back(word);
  }
  return terminators;
}

// Splits a Dockerfile into instructions: line continuations joined,
// comments dropped, heredoc bodies kept with their instruction.
std::vector<Instruction> parse_instructions(std::string_view text) {
  char escape = '\\';
  std::vector<std::string> lines;
  {
    std::string line;
    std::istringstream in{std::string(text)};
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines.push_back(line);
    }
  }
  // A parser directive on the first lines may change the escape character.
  for (const std::string& line : lines) {
    std::string_view t = trim(line);
    if (!t.starts_with("#")) break;
    std::string directive = to_upper(t.substr(1));
    directive.erase(std::remove(directive.begin(), directive.end(), ' '), directive.end());
    if (directive.starts_with("ESCAPE=") && directive.size() > 7) escape = directive[7] == '`' ? '`' : '\\';
  }

  std::vector<Instruction> instructions;
  std::string current;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (current.empty() && (line.empty() || line.starts_with("#"))) continue;
    if (!current.empty() && line.starts_with("#")) continue;  // comments inside a continuation
    if (!line.empty() && line.back() == escape) {
      current += std::string(line.substr(0, line.size() - 1)) + " ";
      continue;
    }
    current += std::string(line);
    for (const std::string& terminator : heredoc_terminators(current)) {
      while (++i < lines.size() && trim(lines[i]) != terminator) current += "\n" + lines[i];
    }
    std::string_view whole = trim(current);
    std::size_t space = whole.find_first_of(" \t");
    Instruction instruction;
    instruction.keyword = to_upper(whole.substr(0, space));
    if (space != std::string_view::npos) instruction.arguments = std::string(trim(whole.substr(space)));
    instructions.push_back(std::move(instruction));
    current.clear();
  }
  return instructions;
}

// Replaces `$NAME`, `${NAME}` and `${NAME:-default}` with the defaults of
// the ARGs declared before the first FROM (the only ones FROM can use).
// Unknown variables are kept as written.
std::string expand_build_args(std::string_view text, const std::vector<std::pair<std::string, std::string>>& args) {
  const auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    for (auto it = args.rbegin(); it != args.rend(); ++it)
      if (it->first == name) return it->second;
    return std::nullopt;
  };
  const auto is_name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    std::size_t close = std::string_view::npos;
    std::string_view name, fallback;
    if (text[i + 1] == '{') {
      close = text.find('}', i + 2);
      if (close == std::string_view::npos) break;
      std::string_view inner = text.substr(i + 2, close - i - 2);
      std::size_t dash = inner.find(":-");
      name = inner.substr(0, dash);
      if (dash != std::string_view::npos) fallback = inner.substr(dash + 2);
    } else {
      std::size_t end = i + 1;
      while (end < text.size() && is_name_char(text[end])) ++end;
      name = text.substr(i + 1, end - i - 1);
      close = end - 1;
    }
    std::optional<std::string> value = lookup(name);
    if (value && !value->empty()) out += *value;
    else if (!fallback.empty()) out += fallback;
    else out += text.substr(i, close - i + 1);
    i = close;
  }
  return out;
}

std::pair<std::string, std::string> parse_arg(std::string_view arguments) {
  std::string_view word = trim(arguments);
  std::size_t eq = word.find('=');
  std::string value = eq == std::string_view::npos ? std::string() : std::string(trim(word.substr(eq + 1)));
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
    value = value.substr(1, value.size() - 2);
  return {std::string(trim(word.substr(0, eq))), value};
}

std::vector<Stage> split_stages(const std::vector<Instruction>& instructions) {
  std::vector<Stage> stages;
  std::vector<std::pair<std::string, std::string>> global_args;
  for (const Instruction& instruction : instructions) {
    if (instruction.keyword == "ARG" && stages.empty()) {
      global_args.push_back(parse_arg(instruction.arguments));
    } else if (instruction.keyword == "FROM") {
      Stage stage;
      std::vector<std::string> words;
      for (const std::string& word : split_words(instruction.arguments))
        if (!word.starts_with("--")) words.push_back(word);  // --platform=...
      if (!words.empty()) stage.base = expand_build_args(words[0], global_args);
      if (words.size() >= 3 && iequals(words[1], "AS")) stage.name = words[2];
      stages.push_back(std::move(stage));
    } else if (!stages.empty()) {
      stages.back().instructions.push_back(instruction);
    }
  }
  return stages;
}

// VOLUME ["/a", "/b"] or VOLUME /a /b
std::vector<std::string> parse_volume_arguments(std::string_view arguments) {
  std::vector<std::string> paths;
  arguments = trim(arguments);
  if (arguments.starts_with("[")) {
    std::size_t i = 0;
    while ((i = arguments.find('"', i)) != std::string_view::npos) {
      std::size_t close = arguments.find('"', i + 1);
      if (close == std::string_view::npos) break;
      paths.emplace_back(arguments.substr(i + 1, close - i - 1));
      i = close + 1;
    }
    return paths;
  }
  return split_words(arguments);
}

// EXPOSE 80 443/tcp 8000-8010
std::vector<int> parse_expose_arguments(std::string_view arguments) {
  std::vector<int> ports;
  for (const std::string& word : split_words(arguments)) {
    int port = 0;
    std::size_t i = 0;
    while (i < word.size() && std::isdigit(static_cast<unsigned char>(word[i]))) port = port * 10 + (word[i++] - '0');
    if (i > 0 && port > 0 && port < 65536) ports.push_back(port);
  }
  return ports;
}

// Capabilities granted by `setcap` commands in a RUN instruction:
// `setcap cap_net_bind_service=+ep /usr/bin/caddy`,
// `setcap 'cap_net_raw,cap_net_admin+eip' /bin/x`. `setcap -r` removes.
std::vector<std::string> parse_setcap(std::string_view run) {
  std::vector<std::string> caps;
  for (std::size_t at = run.find("setcap"); at != std::string_view::npos; at = run.find("setcap", at + 6)) {
    bool word_start = at == 0 || !(std::isalnum(static_cast<unsigned char>(run[at - 1])) || run[at - 1] == '_');
    if (!word_start) continue;
    std::size_t end = run.find_first_of(";&|\n", at);
    std::string_view command = run.substr(at + 6, end == std::string_view::npos ? run.npos : end - at - 6);
    std::vector<std::string> words = split_words(command);
    if (std::find(words.begin(), words.end(), "-r") != words.end()) continue;
    std::string lower = to_lower(command);
    for (std::size_t c = lower.find("cap_"); c != std::string::npos; c = lower.find("cap_", c + 4)) {
      if (c > 0 && (std::isalnum(static_cast<unsigned char>(lower[c - 1])) || lower[c - 1] == '_')) continue;
      std::size_t n = c + 4;
      while (n < lower.size() && (std::islower(static_cast<unsigned char>(lower[n])) || lower[n] == '_')) ++n;
      // Only a capability list that grants (`=+ep`, `+ep`, `=ep`) counts.
      std::size_t op = lower.find_first_of("=+-", n);
      bool grants = op != std::string::npos && lower[op] != '-';
      std::string name = to_upper(lower.substr(c + 4, n - c - 4));
      if (grants && !name.empty() && std::find(caps.begin(), caps.end(), name) == caps.end()) caps.push_back(name);
    }
  }
  return caps;
}

// The final stage and the earlier stages it is built FROM, oldest first.
std::vector<const Stage*> final_stage_chain(const std::vector<Stage>& stages) {
  std::vector<const Stage*> chain;
  if (stages.empty()) return chain;
  std::size_t current = stages.size() - 1;
  chain.push_back(&stages[current]);
  for (std::size_t guard = 0; guard < stages.size(); ++guard) {
    const std::string& base = stages[current].base;
    std::optional<std::size_t> parent;
    for (std::size_t i = 0; i < current; ++i)
      if (!stages[i].name.empty() && iequals(stages[i].name, base)) parent = i;
    if (!parent) break;
    current = *parent;
    chain.insert(chain.begin(), &stages[current]);
  }
  return chain;
}

DockerfileFacts read_dockerfile_text(std::string_view text, std::string shown_path) {
  DockerfileFacts facts;
  facts.path = std::move(shown_path);
  std::vector<Stage> stages = split_stages(parse_instructions(text));
  std::vector<const Stage*> chain = final_stage_chain(stages);
  if (chain.empty()) return facts;
  facts.base_image = chain.front()->base;
  for (const Stage* stage : chain) {
    for (const Instruction& instruction : stage->instructions) {
      if (instruction.keyword == "USER") {
        facts.user = std::string(trim(instruction.arguments));
      } else if (instruction.keyword == "VOLUME") {
        for (std::string& path : parse_volume_arguments(instruction.arguments))
          facts.volumes.push_back(strip_trailing_slashes(std::move(path)));
      } else if (instruction.keyword == "EXPOSE") {
        for (int port : parse_expose_arguments(instruction.arguments)) facts.exposed_ports.push_back(port);
      } else if (instruction.keyword == "RUN") {
        for (std::string& cap : parse_setcap(instruction.arguments))
          if (std::find(facts.file_caps.begin(), facts.file_caps.end(), cap) == facts.file_caps.end())
            facts.file_caps.push_back(std::move(cap));
      }
    }
  }
  return facts;
}

std::optional<std::string> read_small_file(const std::filesystem::path& path) {
  constexpr std::size_t kMaxDockerfileBytes = 1u << 20;
  auto text = read_regular_file(path.string(), kMaxDockerfileBytes);
  if (auto* bytes = std::get_if<std::string>(&text)) return std::move(*bytes);
  return std::nullopt;
}

bool is_remote_context(std::string_view context) {
  return context.find("://") != std::string_view::npos || context.starts_with("git@") ||
         context.starts_with("github.com/");
}

struct BuildResult {
  std::optional<DockerfileFacts> dockerfile;
  std::string problem;  // why the Dockerfile could not be read
};

// Reads the Dockerfile of a `build:` value (a context string, or a mapping
// with context, dockerfile or dockerfile_inline).
BuildResult read_build(const Node* build, const std::string& compose_dir) {
  BuildResult result;
  std::string context = ".";
  std::string dockerfile = "Dockerfile";
  if (const Node* b = resolved(build); b && b->is_scalar()) {
    context = b->value;
  } else if (b && b->is_mapping()) {
    if (const Node* inline_text = mapping_get(b, "dockerfile_inline"); inline_text && inline_text->is_scalar()) {
      result.dockerfile = read_dockerfile_text(inline_text->value, "the inline Dockerfile");
      return result;
    }
    if (std::string c = scalar_of(mapping_get(b, "context")); !c.empty()) context = c;
    if (std::string d = scalar_of(mapping_get(b, "dockerfile")); !d.empty()) dockerfile = d;
  }
  if (is_remote_context(context)) {
    result.problem = fmt::format("the build context {} is remote", context);
    return result;
  }
  if (context.find("${") != std::string::npos || dockerfile.find("${") != std::string::npos) {
    result.problem = "the build path uses variables";
    return result;
  }
  std::filesystem::path path = std::filesystem::path(dockerfile).is_absolute()
                                   ? std::filesystem::path(dockerfile)
                                   : std::filesystem::path(context) / dockerfile;
  std::string shown = path.lexically_normal().generic_string();
  if (path.is_relative() && !compose_dir.empty()) path = std::filesystem::path(compose_dir) / path;
  std::optional<std::string> text = read_small_file(path);
  if (!text) {
    result.problem = fmt::format("{} cannot be read", shown);
    return result;
  }
  result.dockerfile = read_dockerfile_text(*text, shown);
  return result;
}

// ------------------------------------------------------------ ports

// The container-side port of a `ports:` item: "80", "8080:80",
// "127.0.0.1:8080:80/tcp", "8000-8010:80-90", 80, {target: 80}.
std::optional<int> container_port(const Node* item) {
  item = resolved(item);
  if (!item) return std::nullopt;
  std::string text;
  if (item->is_mapping()) text = scalar_of(mapping_get(item, "target"));
  else if (item->is_scalar()) text = item->value;
  std::vector<std::string> parts = split_outside_variables(text, ':');
  std::string last = parts.back();
  int port = 0;
  std::size_t i = 0;
  while (i < last.size() && std::isdigit(static_cast<unsigned char>(last[i]))) port = port * 10 + (last[i++] - '0');
  if (i == 0 || port <= 0 || port > 65535) return std::nullopt;
  return port;
}

std::vector<int> service_ports(const Service& service, const std::optional<DockerfileFacts>& dockerfile) {
  std::vector<int> ports;
  for (const char* key : {"ports", "expose"})
    for (const Node* item : sequence_items(service.value(key)))
      if (std::optional<int> port = container_port(item)) ports.push_back(*port);
  if (dockerfile) ports.insert(ports.end(), dockerfile->exposed_ports.begin(), dockerfile->exposed_ports.end());
  return ports;
}

// The lowest port an unprivileged process may bind: Docker sets 0 in a
// container's own network namespace (research §0.1); a `sysctls:` value
// overrides it; on the host's namespace the kernel default 1024 applies.
int unprivileged_port_start(const Service& service, bool host_network) {
  constexpr std::string_view kKey = "net.ipv4.ip_unprivileged_port_start";
  const Node* sysctls = resolved(service.value("sysctls"));
  std::string value;
  if (sysctls && sysctls->is_mapping()) {
    value = scalar_of(mapping_get(sysctls, kKey));
  } else {
    for (const Node* item : sequence_items(sysctls)) {
      std::string text = scalar_of(item);
      if (std::size_t eq = text.find('='); eq != std::string::npos && trim(text.substr(0, eq)) == kKey)
        value = std::string(trim(text.substr(eq + 1)));
    }
  }
  if (!value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::stoi(value.substr(0, 6));
  return host_network ? 1024 : 0;
}

// ------------------------------------------------------------ mounts

bool is_bind_source(std::string_view source) {
  if (source.empty()) return false;
  char first = source.front();
  return first == '/' || first == '.' || first == '~' || first == '$' || source.find('/') != std::string_view::npos;
}

Mount short_volume(const Node* item, std::size_t index) {
  Mount mount;
  mount.node = item;
  mount.index = index;
  std::vector<std::string> parts = split_outside_variables(item->value, ':');
  if (parts.size() == 1) {
    mount.kind = Mount::Kind::Volume;  // an anonymous volume
    mount.target = parts[0];
  } else {
    mount.source = parts[0];
    mount.target = parts[1];
    mount.kind = is_bind_source(mount.source) ? Mount::Kind::Bind : Mount::Kind::Volume;
    if (parts.size() >= 3)
      for (const std::string& option : split_outside_variables(parts[2], ','))
        if (option == "ro") mount.read_only = true;
  }
  mount.target = strip_trailing_slashes(mount.target);
  return mount;
}

Mount long_volume(const Node* item, std::size_t index) {
  Mount mount;
  mount.node = item;
  mount.index = index;
  std::string type = scalar_of(mapping_get(item, "type"));
  if (type == "bind") mount.kind = Mount::Kind::Bind;
  else if (type == "volume" || type.empty()) mount.kind = Mount::Kind::Volume;
  else if (type == "tmpfs") mount.kind = Mount::Kind::Tmpfs;
  else mount.kind = Mount::Kind::Other;
  mount.source = scalar_of(mapping_get(item, "source"));
  mount.target = strip_trailing_slashes(scalar_of(mapping_get(item, "target")));
  mount.read_only = is_true(mapping_get(item, "read_only"));
  return mount;
}

Mount tmpfs_mount(const Node* item, std::size_t index) {
  Mount mount;
  mount.kind = Mount::Kind::Tmpfs;
  mount.node = item;
  mount.index = index;
  std::string text = item->value;
  mount.target = strip_trailing_slashes(text.substr(0, text.find(':')));
  return mount;
}

std::vector<Mount> mounts_of(const Node* volumes, const Node* tmpfs) {
  std::vector<Mount> mounts;
  volumes = resolved(volumes);
  tmpfs = resolved(tmpfs);
  if (volumes && volumes->is_sequence()) {
    for (std::size_t i = 0; i < volumes->items.size(); ++i) {
      const Node* item = resolved(volumes->items[i].value);
      if (!item) continue;
      if (item->is_scalar()) mounts.push_back(short_volume(item, i));
      else if (item->is_mapping()) mounts.push_back(long_volume(item, i));
    }
  }
  if (tmpfs && tmpfs->is_scalar()) {
    mounts.push_back(tmpfs_mount(tmpfs, 0));
  } else if (tmpfs && tmpfs->is_sequence()) {
    for (std::size_t i = 0; i < tmpfs->items.size(); ++i)
      if (const Node* item = resolved(tmpfs->items[i].value); item && item->is_scalar())
        mounts.push_back(tmpfs_mount(item, i));
  }
  return mounts;
}

// Targets mounted by what `extends` and a base file add: Compose appends
// their volumes and tmpfs to the service's own.
std::vector<std::string> inherited_mount_targets(const Service& service) {
  std::vector<std::string> targets;
  for (const auto& [mapping, origin] : service.inherited)
    for (const Mount& mount : mounts_of(mapping_get(mapping, "volumes"), mapping_get(mapping, "tmpfs")))
      targets.push_back(mount.target);
  return targets;
}

// ------------------------------------------------------------ grant conditions

enum class EnvState { Set, Unset, Unknown };

// Whether the service sets an environment variable. A name without a value
// (`- PUID`, `PUID:`) comes from the shell, and an env_file may set any
// name: both are unknown.
EnvState env_state(const Service& service, const std::string& name) {
  const Node* environment = resolved(service.value("environment"));
  if (environment && environment->is_mapping()) {
    if (const Node* value = mapping_get(environment, name)) {
      const Node* v = resolved(value);
      return v && v->is_scalar() && !v->value.empty() ? EnvState::Set : EnvState::Unknown;
    }
  }
  for (const Node* item : sequence_items(environment)) {
    const std::string text = scalar_of(item);
    if (text == name) return EnvState::Unknown;
    if (text.starts_with(name + "=")) return EnvState::Set;
  }
  return service.value("env_file") ? EnvState::Unknown : EnvState::Unset;
}

// The service's mounts of host folders, its own and those `extends` adds.
std::vector<Mount> bind_mounts(const Service& service, const std::vector<Mount>& own) {
  std::vector<Mount> binds;
  for (const Mount& mount : own)
    if (mount.kind == Mount::Kind::Bind) binds.push_back(mount);
  for (const auto& [mapping, origin] : service.inherited)
    for (const Mount& mount : mounts_of(mapping_get(mapping, "volumes"), nullptr))
      if (mount.kind == Mount::Kind::Bind) binds.push_back(mount);
  return binds;
}

// Why a grant holds: "required", or "conditional: <the condition that
// holds>"; nothing when it has conditions and none holds. An unknown
// environment counts as holding: a missing grant breaks the start.
std::optional<std::string> grant_holds(const std::vector<GrantCondition>& when, const Service& service,
                                       const std::vector<Mount>& mounts) {
  if (when.empty()) return std::string("required");
  for (const GrantCondition& condition : when) {
    switch (condition.kind) {
      case GrantCondition::Kind::BindMount:
        for (const Mount& bind : bind_mounts(service, mounts))
          if (path_covered(condition.subject, bind.target) || path_covered(bind.target, condition.subject))
            return fmt::format("conditional: {} is a host bind mount, owner unknown", bind.target);
        break;
      case GrantCondition::Kind::Env:
        if (EnvState state = env_state(service, condition.subject); state != EnvState::Unset)
          return state == EnvState::Set
                     ? fmt::format("conditional: the service sets {}", condition.subject)
                     : fmt::format("conditional: {} may be set (env_file or the shell)", condition.subject);
        break;
      case GrantCondition::Kind::NoEnv:
        if (EnvState state = env_state(service, condition.subject); state != EnvState::Set)
          return state == EnvState::Unset
                     ? fmt::format("conditional: the service does not set {}", condition.subject)
                     : fmt::format("conditional: {} may be unset (env_file or the shell)", condition.subject);
        break;
    }
  }
  return std::nullopt;
}

// "when /data is a host bind mount or the service sets PUID"
std::string condition_text(const std::vector<GrantCondition>& when) {
  std::string out;
  for (const GrantCondition& condition : when) {
    out += out.empty() ? "when " : " or ";
    switch (condition.kind) {
      case GrantCondition::Kind::BindMount: out += condition.subject + " is a host bind mount"; break;
      case GrantCondition::Kind::Env: out += "the service sets " + condition.subject; break;
      case GrantCondition::Kind::NoEnv: out += "the service does not set " + condition.subject; break;
    }
  }
  return out;
}

// ------------------------------------------------------------ infer

std::string join(const std::vector<int>& numbers) {
  std::string out;
  for (int n : numbers) out += (out.empty() ? "" : ", ") + std::to_string(n);
  return out;
}

std::string assumed_capability_list() {
  std::string out;
  for (std::string_view name : kAssumedRootCapabilities) out += fmt::format("{}{}", out.empty() ? "" : ", ", name);
  return out;
}

// Why a root-started entrypoint commonly needs each assumed capability.
std::string_view assumed_capability_use(std::string_view name) {
  if (name == "CHOWN") return "chown their data folder to the service user";
  if (name == "DAC_OVERRIDE") return "write into folders that belong to the service user";
  if (name == "FOWNER") return "chmod files they do not own";
  if (name == "SETGID") return "switch group (gosu, su-exec, setpriv, s6-setuidgid)";
  return "switch user (gosu, su-exec, setpriv, s6-setuidgid)";
}

// What harden assumed for a service that nothing describes, and how to
// give it evidence.
// A service that names neither an image nor a build runs nothing to
// assume about (it cannot start as written).
bool runs_something(const ServiceFacts& facts, const Service& service) {
  return !facts.image.empty() || service.value("build") != nullptr;
}

std::string no_evidence_note(const ServiceFacts& facts, const Service& service, const std::string& unknown) {
  std::string assumed;
  if (!runs_something(facts, service))
    assumed = "nothing about it: the service names no image or build, so no start-up capability is kept";
  else if (facts.starts_as_root)
    assumed = fmt::format("it starts as root and may switch user or chown its data, so cap_drop ALL keeps {}",
                          assumed_capability_list());
  else
    assumed = fmt::format("it starts as user {}, so no start-up capability is kept", facts.user);
  return fmt::format(
      "{} is unknown (no profile, no Dockerfile with a profiled base image, not read from a local engine): harden "
      "assumes {}; which paths it writes is unknown, so read_only is an unsafe fix; to give evidence, run harden "
      "where the image is in the local engine, add a profile under `images:` in .harden.yaml, or prove it at "
      "runtime: start it hardened with --unsafe-fixes and check that it works",
      unknown, assumed);
}

void add_capability(ServiceFacts& facts, std::string name, std::string reason, bool assumed = false) {
  for (const InferredCapability& known : facts.capabilities)
    if (known.name == name) return;
  facts.capabilities.push_back({std::move(name), std::move(reason), assumed});
}

// Who the main process starts as: `user:` wins, then the Dockerfile's USER
// (it comes after its base image's user), then the profile, then root.
void infer_user(ServiceFacts& facts, const Service& service, const std::optional<DockerfileFacts>& dockerfile) {
  std::string compose_user = scalar_of(service.value("user"));
  if (!compose_user.empty()) facts.user = compose_user;
  else if (dockerfile && dockerfile->user) facts.user = *dockerfile->user;
  else if (facts.profile) facts.user = facts.profile->user;
  else facts.user = "root";
  facts.starts_as_root = is_root_user(facts.user);
  facts.switches_user = facts.starts_as_root && facts.profile && facts.profile->switches_user;
}

void infer_capabilities(ServiceFacts& facts, const Service& service, const std::string& subject,
                        const std::optional<DockerfileFacts>& dockerfile) {
  // A profile grant holds always (required) or under conditions on the
  // service's mounts and environment (conditional); the reason says which.
  const auto add_profile_capability = [&](const CapabilityNeed& need) {
    if (std::optional<std::string> why = grant_holds(need.when, service, facts.mounts))
      add_capability(facts, need.name, fmt::format("{} needs {} ({}): {}", subject, need.name, *why, need.reason));
    else
      facts.notes.push_back(fmt::format("{} is not added: {} needs it only {}, which does not hold here", need.name,
                                        subject, condition_text(need.when)));
  };
  // cap_add never reaches a process that starts non-root (research §0.2).
  if (facts.profile && facts.starts_as_root)
    for (const CapabilityNeed& need : facts.profile->cap_add) add_profile_capability(need);
  // Nothing describes the image: keep what a root-started entrypoint
  // commonly needs (research §0.4, long tail §0.2), so that a gosu, su-exec
  // or s6-overlay start-up still works under cap_drop ALL.
  if (facts.evidence == Evidence::Assumption && facts.starts_as_root && runs_something(facts, service))
    for (std::string_view name : kAssumedRootCapabilities)
      add_capability(facts, std::string(name),
                     fmt::format("assumed: {} is unknown and starts as root; root-started entrypoints commonly {}",
                                 subject, assumed_capability_use(name)),
                     true);
  // File capabilities make exec fail when missing, root or not (§0.3).
  if (facts.profile)
    for (const CapabilityNeed& need : facts.profile->file_caps) add_profile_capability(need);
  if (dockerfile)
    for (const std::string& cap : dockerfile->file_caps)
      add_capability(facts, cap,
                     fmt::format("{} gives a binary the file capability cap_{} with setcap; without {} exec fails",
                                 dockerfile->path, to_lower(cap), cap));
  // Low ports need NET_BIND_SERVICE only outside the container's own
  // network namespace, or when sysctls raise the limit (§0.1).
  if (!facts.starts_as_root) return;
  int start = unprivileged_port_start(service, facts.host_network);
  if (start == 0) return;
  std::vector<int> ports = service_ports(service, dockerfile);
  std::vector<int> low;
  for (int port : ports)
    if (port < start && std::find(low.begin(), low.end(), port) == low.end()) low.push_back(port);
  std::string network_mode = scalar_of(service.value("network_mode"));
  if (facts.host_network && ports.empty()) {
    // On another namespace `ports:` does not apply, so the file rarely says
    // which port the service binds: keep a low port (nginx: 80) working.
    add_capability(facts, "NET_BIND_SERVICE",
                   fmt::format("the service uses network_mode: {}, where only root with NET_BIND_SERVICE may bind "
                               "ports below {}, and the file does not say which ports it binds",
                               network_mode, start));
    return;
  }
  if (low.empty()) return;
  std::string why = facts.host_network
                        ? fmt::format("uses network_mode: {}, where only root with NET_BIND_SERVICE may bind them",
                                      network_mode)
                        : std::string("raises net.ipv4.ip_unprivileged_port_start in sysctls");
  add_capability(facts, "NET_BIND_SERVICE",
                 fmt::format("the service listens on port {} below {} and {}", join(low), start, why));
}

// Adds ownership to a profile tmpfs when `user:` makes the writer a
// non-root user the profile did not plan for: a tmpfs is owned by root.
std::string tmpfs_options_for_user(const std::string& options, const std::string& compose_user) {
  if (compose_user.empty() || is_root_user(compose_user)) return options;
  if (options.find("uid=") != std::string::npos || options.find("mode=") != std::string::npos) return options;
  std::vector<std::string> ids = split_outside_variables(compose_user, ':');
  const auto numeric = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  };
  std::string owner;
  if (numeric(ids[0])) {
    owner = "uid=" + ids[0];
    if (ids.size() > 1 && numeric(ids[1])) owner += ",gid=" + ids[1];
  } else {
    owner = "mode=1777";
  }
  return options.empty() ? owner : options + "," + owner;
}

// Debian, Alpine and Ubuntu images link /var/run to /run: both names are
// one folder, so a mount of either covers the other.
std::string canonical_path(const std::string& path) {
  if (path_covered(path, "/var/run")) return "/run" + path.substr(std::string_view("/var/run").size());
  return path;
}

bool covered_by(const std::string& path, const std::string& mount) {
  return !mount.empty() && path_covered(canonical_path(path), canonical_path(strip_trailing_slashes(mount)));
}

void infer_tmpfs(ServiceFacts& facts, const Service& service, const std::string& subject,
                 const std::string& compose_user, const std::vector<std::string>& inherited_targets,
                 std::vector<InferredTmpfs> from_image = {}) {
  std::vector<InferredTmpfs> wanted;
  wanted.push_back({"/tmp", facts.tmp_exec ? "exec" : "",
                    facts.tmp_exec ? fmt::format("{} runs Java code that needs an executable /tmp", subject)
                                   : "every service may write temporary files to /tmp"});
  if (facts.profile)
    for (const TmpfsNeed& need : facts.profile->tmpfs) {
      if (std::optional<std::string> why = grant_holds(need.when, service, facts.mounts))
        wanted.push_back({strip_trailing_slashes(need.path), tmpfs_options_for_user(need.options, compose_user),
                          fmt::format("{} writes {} ({}): {}", subject, need.path, *why, need.reason)});
    }
  for (InferredTmpfs& need : from_image) wanted.push_back(std::move(need));

  std::vector<std::string> image_volumes = facts.dockerfile_volumes;
  if (facts.profile) image_volumes.insert(image_volumes.begin(), facts.profile->volumes.begin(), facts.profile->volumes.end());

  for (InferredTmpfs& need : wanted) {
    // An existing mount (bind, volume or tmpfs) of the path or a parent
    // makes it writable already; an image VOLUME folder gets an anonymous
    // volume, which a tmpfs would replace and lose on restart (§0.6).
    bool mounted = std::any_of(facts.mounts.begin(), facts.mounts.end(),
                               [&](const Mount& m) { return covered_by(need.path, m.target); }) ||
                   std::any_of(inherited_targets.begin(), inherited_targets.end(),
                               [&](const std::string& target) { return covered_by(need.path, target); });
    bool image_volume = std::any_of(image_volumes.begin(), image_volumes.end(),
                                    [&](const std::string& v) { return covered_by(need.path, v); });
    bool duplicate = std::any_of(facts.tmpfs.begin(), facts.tmpfs.end(), [&](const InferredTmpfs& t) {
      return canonical_path(t.path) == canonical_path(need.path);
    });
    if (!mounted && !image_volume && !duplicate) facts.tmpfs.push_back(std::move(need));
  }
}

// Image introspection: evidence for an image that no profile covers, read
// from the local engine. A profile stays authoritative when there is one.
std::optional<ImageFacts> image_evidence(ServiceFacts& facts, const Options& options) {
  if (!options.introspect || facts.profile || facts.image.empty()) return std::nullopt;
  IntrospectionResult found = introspect_image(facts.image);
  if (!found.facts) {
    facts.notes.push_back(fmt::format("the image could not be read from the local engine: {}", found.missing));
    return std::nullopt;
  }
  facts.evidence = Evidence::Image;
  facts.image_unknown = false;
  const ImageFacts& image = *found.facts;
  facts.evidence_origin = fmt::format("image {} ({}) read from the local engine", facts.image,
                                      short_image_id(image.config.id));
  facts.image_env = image.config.env;
  facts.image_command = image.config.entrypoint;
  facts.image_command.insert(facts.image_command.end(), image.config.cmd.begin(), image.config.cmd.end());
  std::string unknown = fmt::format("image {} is unknown", facts.image);
  std::erase_if(facts.notes, [&](const std::string& note) { return note.starts_with(unknown); });
  facts.notes.push_back(fmt::format(
      "image {} has no profile: what it needs was read from the image {} in the local engine{}", facts.image,
      short_image_id(image.config.id),
      image.filesystem_read ? "" : fmt::format(" (its configuration only: {})", image.filesystem_problem)));
  for (const std::string& note : image.notes) facts.notes.push_back(fmt::format("image {}: {}", facts.image, note));
  facts.dockerfile_volumes.insert(facts.dockerfile_volumes.end(), image.config.volumes.begin(), image.config.volumes.end());
  for (std::string& volume : facts.dockerfile_volumes) volume = strip_trailing_slashes(volume);
  return found.facts;
}

// The user and capabilities the image shows; `user:` in the file wins.
void apply_image_user(ServiceFacts& facts, const Service& service, const ImageFacts& image) {
  if (!scalar_of(service.value("user")).empty()) return;
  facts.user = image.start_user;
  facts.starts_as_root = image.starts_as_root;
  facts.switches_user = image.starts_as_root && image.switches_user;
}

void apply_image_capabilities(ServiceFacts& facts, const ImageFacts& image, const std::string& subject) {
  if (facts.starts_as_root)
    for (const ImageGrant& grant : image.capabilities)
      add_capability(facts, grant.capability, fmt::format("{}: {}", subject, grant.reason));
  for (const ImageGrant& grant : image.file_caps)
    add_capability(facts, grant.capability, fmt::format("{}: {}", subject, grant.reason));
}

// A tmpfs over the folder of one of the service's mounts would sit under it.
// The image's owner of a folder gives way to a non-root `user:` of the file,
// which is who writes there then.
std::vector<InferredTmpfs> image_tmpfs(const ImageFacts& image, const std::string& subject,
                                       const std::vector<Mount>& mounts, const std::string& compose_user) {
  std::vector<InferredTmpfs> out;
  for (const ImageTmpfs& need : image.tmpfs) {
    bool holds_mount = std::any_of(mounts.begin(), mounts.end(), [&](const Mount& m) {
      return !m.target.empty() && strip_trailing_slashes(m.target) != need.path && path_covered(m.target, need.path);
    });
    if (holds_mount) continue;
    std::string options = need.options;
    if (!compose_user.empty() && !is_root_user(compose_user)) {
      std::string kept;
      for (const std::string& option : split_outside_variables(options, ','))
        if (!option.empty() && !option.starts_with("uid=") && !option.starts_with("gid=") && !option.starts_with("mode="))
          kept += (kept.empty() ? "" : ",") + option;
      options = tmpfs_options_for_user(kept, compose_user);
    }
    out.push_back({need.path, options, fmt::format("{}: {}", subject, need.reason)});
  }
  return out;
}

}  // namespace

std::string_view evidence_name(Evidence evidence) {
  switch (evidence) {
    case Evidence::Profile: return "profile";
    case Evidence::Image: return "image";
    case Evidence::Dockerfile: return "Dockerfile";
    case Evidence::Assumption: break;
  }
  return "assumption";
}

bool path_covered(const std::string& path, const std::string& covered) {
  std::string p = strip_trailing_slashes(path);
  std::string c = strip_trailing_slashes(covered);
  if (c.empty()) return false;
  if (c == "/" || p == c) return true;
  return p.size() > c.size() && p.compare(0, c.size(), c) == 0 && p[c.size()] == '/';
}

std::vector<Mount> read_mounts(const Service& service) {
  return mounts_of(service.value("volumes"), service.value("tmpfs"));
}

ServiceFacts infer(const Service& service, const Options& options, const std::string& compose_dir) {
  ServiceFacts facts;
  facts.image = scalar_of(service.value("image"));

  // A local build is read as the image: its final stage's base image gives
  // the profile; USER, VOLUME, EXPOSE and setcap come from the stage.
  std::optional<DockerfileFacts> dockerfile;
  std::string build_problem;
  if (const Node* build = service.value("build")) {
    BuildResult result = read_build(build, compose_dir);
    dockerfile = std::move(result.dockerfile);
    build_problem = std::move(result.problem);
  }

  std::string subject;
  std::string unknown;  // what nothing describes, for the note
  if (dockerfile) {
    facts.profile = dockerfile->base_image.empty() ? nullptr : options.profiles().find(dockerfile->base_image);
    facts.profile_origin = fmt::format("Dockerfile {}", dockerfile->path);
    facts.dockerfile_volumes = dockerfile->volumes;
    subject = facts.profile ? fmt::format("image {} (the base of {})", dockerfile->base_image, dockerfile->path)
                            : fmt::format("the image built from {}", dockerfile->path);
    if (facts.profile) {
      facts.evidence = Evidence::Dockerfile;
      facts.evidence_origin = fmt::format("Dockerfile {} (base image {}, profile {})", dockerfile->path,
                                          dockerfile->base_image, facts.profile->family);
    } else {
      facts.evidence_origin = fmt::format("no profile for base image {} of {}",
                                          dockerfile->base_image.empty() ? std::string("(none)")
                                                                         : dockerfile->base_image,
                                          dockerfile->path);
      unknown = fmt::format("base image {} of {}",
                            dockerfile->base_image.empty() ? std::string("(none)") : dockerfile->base_image,
                            dockerfile->path);
    }
  } else if (!facts.image.empty()) {
    facts.profile = options.profiles().find(facts.image);
    facts.profile_origin = fmt::format("image {}", facts.image);
    subject = fmt::format("image {}", facts.image);
    if (!build_problem.empty())
      facts.notes.push_back(fmt::format("the Dockerfile is not used: {}", build_problem));
    if (facts.profile) {
      facts.evidence = Evidence::Profile;
      facts.evidence_origin = fmt::format("profile {} (image {})", facts.profile->family, facts.image);
    } else {
      facts.evidence_origin = fmt::format("no profile for image {}", facts.image);
      unknown = fmt::format("image {}", facts.image);
    }
  } else {
    subject = "the image";
    facts.evidence_origin = build_problem.empty() ? std::string("the service names no image")
                                                  : fmt::format("no readable Dockerfile: {}", build_problem);
    unknown = build_problem.empty() ? std::string("the service's image (it names none)")
                                    : fmt::format("the image (because {})", build_problem);
  }
  facts.image_unknown = !facts.profile && !dockerfile;
  facts.tmp_exec = facts.profile && facts.profile->tmp_exec;
  std::optional<ImageFacts> image = dockerfile ? std::nullopt : image_evidence(facts, options);
  std::string image_subject =
      image ? fmt::format("image {} ({})", facts.image, short_image_id(image->config.id)) : std::string();

  std::string network_mode = scalar_of(service.value("network_mode"));
  facts.host_network =
      network_mode == "host" || network_mode.starts_with("container:") || network_mode.starts_with("service:");
  facts.mounts = read_mounts(service);

  infer_user(facts, service, dockerfile);
  if (image) apply_image_user(facts, service, *image);
  if (facts.evidence == Evidence::Assumption) facts.notes.push_back(no_evidence_note(facts, service, unknown));
  infer_capabilities(facts, service, subject, dockerfile);
  if (image) apply_image_capabilities(facts, *image, image_subject);
  // A stable, readable order for cap_add: by name.
  std::sort(facts.capabilities.begin(), facts.capabilities.end(),
            [](const InferredCapability& a, const InferredCapability& b) { return a.name < b.name; });
  infer_tmpfs(facts, service, subject, scalar_of(service.value("user")), inherited_mount_targets(service),
              image ? image_tmpfs(*image, image_subject, facts.mounts, scalar_of(service.value("user")))
                    : std::vector<InferredTmpfs>{});
  return facts;
}

// Splits on `separator` outside `${...}`, so that `${DATA:-/srv}:/data`
// keeps its default value in one piece.
std::vector<std::string> split_outside_variables(std::string_view text, char separator) {
  std::vector<std::string> parts(1);
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      ++depth;
      parts.back() += "${";
      ++i;
      continue;
    }
    if (c == '}' && depth > 0) --depth;
    if (c == separator && depth == 0) {
      parts.emplace_back();
      continue;
    }
    parts.back() += c;
  }
  return parts;
}

std::string normalise_host_path(std::string_view path) {
  std::string out;
  for (char c : trim(path)) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out += c;
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  while (out.size() > 2 && out.ends_with("/.")) out.resize(out.size() - 2);
  if (out == "/.") out = "/";
  return out;
}

std::string with_interpolation_defaults(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t open = text.find("${", i);
    if (open == std::string_view::npos) break;
    std::size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    std::string_view inner = text.substr(open + 2, close - open - 2);
    std::size_t dash = inner.find('-');
    if (dash != std::string_view::npos && dash > 0) {
      std::size_t name_end = inner[dash - 1] == ':' ? dash - 1 : dash;
      std::string_view name = inner.substr(0, name_end);
      bool is_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      });
      if (is_name) {
        out.append(inner.substr(dash + 1));
        i = close + 1;
        continue;
      }
    }
    out.append(text.substr(open, close - open + 1));
    i = close + 1;
  }
  out.append(text.substr(i));
  return out;
}

namespace {

struct SocketName {
  std::string_view file;  // the socket's file name
  std::string_view engine;
};
constexpr std::array<SocketName, 5> kSocketNames = {{{"docker.sock", "Docker"},
                                                     {"cri-dockerd.sock", "Docker"},
                                                     {"containerd.sock", "containerd"},
                                                     {"podman.sock", "Podman"},
                                                     {"crio.sock", "CRI-O"}}};
// Where the engines put their sockets by default (/var/run is a link to
// /run on current systems, so both spellings are listed).
struct SocketPlace {
  std::string_view path;
  std::string_view engine;
};
constexpr std::array<SocketPlace, 8> kSocketPlaces = {{{"/var/run/docker.sock", "Docker"},
                                                       {"/run/docker.sock", "Docker"},
                                                       {"/var/run/containerd/containerd.sock", "containerd"},
                                                       {"/run/containerd/containerd.sock", "containerd"},
                                                       {"/var/run/podman/podman.sock", "Podman"},
                                                       {"/run/podman/podman.sock", "Podman"},
                                                       {"/var/run/crio/crio.sock", "CRI-O"},
                                                       {"/run/crio/crio.sock", "CRI-O"}}};

}  // namespace

std::vector<EngineSocket> engine_sockets_of(std::string_view host_source) {
  std::string source = normalise_host_path(with_interpolation_defaults(host_source));
  std::vector<EngineSocket> found;
  if (source.empty()) return found;
  std::string_view file = std::string_view(source).substr(source.rfind('/') + 1);
  for (const SocketName& name : kSocketNames)
    if (file == name.file) return {{std::string(name.engine), source, false}};
  // The host's root is H106's finding, with the whole host in it.
  if (source.front() != '/' || source == "/") return found;
  for (const SocketPlace& place : kSocketPlaces) {
    if (!path_covered(std::string(place.path), source)) continue;
    bool known = std::any_of(found.begin(), found.end(), [&](const EngineSocket& s) { return s.engine == place.engine; });
    if (!known) found.push_back({std::string(place.engine), std::string(place.path), true});
  }
  // A rootless engine's socket lies in the user's runtime folder:
  // /run/user/UID/docker.sock, /run/user/UID/podman/podman.sock.
  std::string_view run = source;
  if (run.starts_with("/var/run/")) run.remove_prefix(4);
  std::string runtime_folder;
  if (run == "/run/user") {
    runtime_folder = source + "/UID";
  } else if (run.starts_with("/run/user/")) {
    std::string_view uid = run.substr(10);
    if (!uid.empty() && std::all_of(uid.begin(), uid.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      runtime_folder = source;
  }
  if (!runtime_folder.empty()) {
    found.push_back({"Docker", runtime_folder + "/docker.sock", true});
    found.push_back({"Podman", runtime_folder + "/podman/podman.sock", true});
  }
  return found;
}

namespace {
// Folders that are sensitive with everything below them.
constexpr std::array<std::string_view, 18> kSensitive = {
    "/etc",  "/proc", "/sys",  "/boot",  "/dev",    "/root",     "/run",     "/var/run",  "/var/lib",
    "/usr",  "/bin",  "/sbin", "/lib",   "/lib32",  "/lib64",    "/libx32",  "/var/log",  "/var/spool"};
// Folders that are sensitive as a whole, while their subfolders (a site
// under /var/www, a user's project under /home) are not.
constexpr std::array<std::string_view, 2> kSensitiveWhole = {"/var", "/home"};
}  // namespace

std::optional<std::string_view> sensitive_host_folder(std::string_view host_path) {
  std::string source = normalise_host_path(host_path);
  if (source.empty() || source.front() != '/') return std::nullopt;
  // A socket is no folder to make read-only: H107 reports it.
  if (auto sockets = engine_sockets_of(source); !sockets.empty() && !sockets.front().through_folder)
    return std::nullopt;
  for (std::string_view folder : kSensitive)
    if (path_covered(source, std::string(folder))) return folder;
  for (std::string_view folder : kSensitiveWhole)
    if (source == folder) return folder;
  return std::nullopt;
}

std::string normalise_capability(std::string_view name) {
  std::string upper = to_upper(trim(name));
  if (upper.starts_with("CAP_") && upper != "CAP_ALL") upper.erase(0, 4);
  return upper;
}

}  // namespace harden

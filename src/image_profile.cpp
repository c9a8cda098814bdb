// The image-profile knowledge base: image reference parsing, the YAML loader
// for profiles and the lookup of the best profile for an image.

#include "harden/image_profile.h"

#include "harden/limit_values.h"
#include "harden/text.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <compare>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace harden {
namespace {

// ------------------------------------------------------------ image references

constexpr std::array<std::string_view, 4> kDockerHubHosts = {
    "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"};

bool is_docker_hub(std::string_view registry) {
  return registry.empty() ||
         std::find(kDockerHubHosts.begin(), kDockerHubHosts.end(), registry) != kDockerHubHosts.end();
}

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// The '}' that closes the '${' at `open`, or npos; defaults may nest ${...}.
std::size_t find_closing_brace(std::string_view text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      ++depth;
      ++i;
    } else if (text[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string interpolate(std::string_view text, bool& had_variables);

// The value Compose would use when the variable is unset: the default of
// `${VAR:-default}` / `${VAR-default}`, else nothing (the literal parts still match).
std::string unset_value(std::string_view expression, bool& had_variables) {
  std::size_t name_end = 0;
  while (name_end < expression.size() && is_name_char(expression[name_end])) ++name_end;
  std::string_view rest = expression.substr(name_end);
  if (rest.starts_with(":-")) return interpolate(rest.substr(2), had_variables);
  if (rest.starts_with("-")) return interpolate(rest.substr(1), had_variables);
  return {};
}

// Resolves Compose interpolation ($$, $VAR, ${VAR...}) for matching purposes.
std::string interpolate(std::string_view text, bool& had_variables) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (text[i] != '$') {
      out += text[i++];
    } else if (next == '$') {  // "$$" is a literal dollar
      out += '$';
      i += 2;
    } else if (next == '{') {
      had_variables = true;
      const std::size_t close = find_closing_brace(text, i);
      if (close == std::string_view::npos) break;  // unterminated: drop the rest
      out += unset_value(text.substr(i + 2, close - i - 2), had_variables);
      i = close + 1;
    } else if (is_name_start(next)) {
      had_variables = true;
      i += 1;
      while (i < text.size() && is_name_char(text[i])) ++i;
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    // Empty parts come from unresolved variables ("${REGISTRY}/nginx").
    if (slash > start) parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// Docker's rule: the first component names a registry when it looks like a host.
bool looks_like_registry(std::string_view component) {
  return component.find_first_of(".:") != std::string_view::npos || component == "localhost";
}

struct ParsedRef {
  ImageRef ref;
  bool has_digest = false;
};

ParsedRef parse_reference(std::string_view image) {
  ParsedRef parsed;
  std::string text = interpolate(trim(image), parsed.ref.has_variables);

  if (const std::size_t at = text.find('@'); at != std::string::npos) {
    parsed.has_digest = true;
    text.erase(at);
  }

  std::vector<std::string> parts = split_path(text);
  if (parts.size() > 1 && looks_like_registry(parts.front())) {
    parsed.ref.registry = to_lower(parts.front());
    parts.erase(parts.begin());
  }
  if (parts.empty()) return parsed;

  std::string& last = parts.back();
  if (const std::size_t colon = last.rfind(':'); colon != std::string::npos) {
    parsed.ref.tag = last.substr(colon + 1);
    last.erase(colon);
  }
  parsed.ref.name = last;

  for (const std::string& part : parts) {
    if (!parsed.ref.repository.empty()) parsed.ref.repository += '/';
    parsed.ref.repository += part;
  }
  if (parts.size() == 1 && !last.empty() && is_docker_hub(parsed.ref.registry)) {
    parsed.ref.repository = "library/" + parsed.ref.repository;
  }
  return parsed;
}

// ------------------------------------------------------------------- matching

// `*` matches any run of characters, `?` one character.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// More literal characters = a more specific glob ("17*alpine*" beats "*alpine*").
std::size_t literal_length(std::string_view pattern) {
  return static_cast<std::size_t>(
      std::count_if(pattern.begin(), pattern.end(), [](char c) { return c != '*' && c != '?'; }));
}

enum class RepositoryMatch {
  none = 0,
  name_only = 1,    // "myorg/nginx" for an official "nginx" entry
  pattern = 2,      // a family listing: "linuxserver/*" for "linuxserver/sonarr"
  path_suffix = 3,  // a registry proxy that prefixes a path: "hub-proxy/library/nginx"
  exact = 4,        // same repository on any registry (mirrors keep the path)
};

bool is_pattern(std::string_view listed) { return listed.find('*') != std::string_view::npos; }

// A family listing ("bitnami/*") against a repository, path component by
// path component, so that `*` never spans a `/`. A registry proxy's prefix
// ("hub-proxy/bitnami/redis") is skipped as for exact listings.
bool pattern_matches(std::string_view pattern, std::string_view repository) {
  const std::vector<std::string> globs = split_path(pattern);
  const std::vector<std::string> parts = split_path(repository);
  if (globs.empty() || parts.size() < globs.size()) return false;
  const std::size_t offset = parts.size() - globs.size();
  for (std::size_t i = 0; i < globs.size(); ++i)
    if (!glob_match(globs[i], parts[offset + i])) return false;
  return true;
}

bool is_official(const ImageRef& ref) {
  return ref.repository.starts_with("library/") && ref.repository.find('/', 8) == std::string::npos;
}

RepositoryMatch match_repository(const ImageRef& wanted, const ImageRef& listed) {
  if (listed.repository.empty() || wanted.repository.empty()) return RepositoryMatch::none;
  if (is_pattern(listed.repository))
    return pattern_matches(listed.repository, wanted.repository) ? RepositoryMatch::pattern : RepositoryMatch::none;
  if (wanted.repository == listed.repository) return RepositoryMatch::exact;
  if (wanted.repository.ends_with("/" + listed.repository)) return RepositoryMatch::path_suffix;
  // Only official names are distinctive enough to match by name alone
  // ("gcr.io/distroless/base" must not match "someone/base").
  if (is_official(listed) && wanted.name == listed.name) return RepositoryMatch::name_only;
  return RepositoryMatch::none;
}

struct MatchScore {
  RepositoryMatch repository = RepositoryMatch::none;
  bool by_tag = false;
  std::size_t tag_literals = 0;
  auto operator<=>(const MatchScore&) const = default;
};

// The last path component of a listed repository, without tag or digest,
// as parse_reference would find it for a listing without variables.
std::string_view listed_name(std::string_view listed) {
  listed = trim(listed);
  listed = listed.substr(0, listed.find('@'));
  if (std::size_t slash = listed.rfind('/'); slash != std::string_view::npos) listed.remove_prefix(slash + 1);
  return listed.substr(0, listed.rfind(':'));
}

std::optional<MatchScore> score_profile(const ImageProfile& profile, const ImageRef& wanted,
                                        const std::optional<std::string>& tag) {
  MatchScore score;
  for (const std::string& listed : profile.images) {
    // Every kind of match but a family pattern needs equal names: compare
    // those before parsing.
    if (listed.find_first_of("$*") == std::string::npos && listed_name(listed) != wanted.name) continue;
    score.repository = std::max(score.repository, match_repository(wanted, parse_reference(listed).ref));
  }
  if (score.repository == RepositoryMatch::none) return std::nullopt;
  if (profile.tags.empty()) return score;

  if (!tag) return std::nullopt;  // a tag-limited profile needs a known tag
  for (const std::string& glob : profile.tags) {
    if (glob_match(glob, *tag)) {
      score.by_tag = true;
      score.tag_literals = std::max(score.tag_literals, literal_length(glob));
    }
  }
  if (!score.by_tag) return std::nullopt;
  return score;
}

// The tag to match globs against; Docker pulls `latest` when none is given.
std::optional<std::string> effective_tag(const ParsedRef& parsed) {
  if (!parsed.ref.tag.empty()) return parsed.ref.tag;
  if (parsed.has_digest || parsed.ref.has_variables) return std::nullopt;
  return "latest";
}

// ---------------------------------------------------------------- YAML loader

constexpr std::array<std::string_view, 41> kKnownCapabilities = {
    "CHOWN",        "DAC_OVERRIDE",  "DAC_READ_SEARCH", "FOWNER",          "FSETID",
    "KILL",         "SETGID",        "SETUID",          "SETPCAP",         "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",   "NET_RAW",         "IPC_LOCK",
    "IPC_OWNER",    "SYS_MODULE",    "SYS_RAWIO",       "SYS_CHROOT",      "SYS_PTRACE",
    "SYS_PACCT",    "SYS_ADMIN",     "SYS_BOOT",        "SYS_NICE",        "SYS_RESOURCE",
    "SYS_TIME",     "SYS_TTY_CONFIG", "MKNOD",          "LEASE",           "AUDIT_WRITE",
    "AUDIT_CONTROL", "SETFCAP",      "MAC_OVERRIDE",    "MAC_ADMIN",       "SYSLOG",
    "WAKE_ALARM",   "BLOCK_SUSPEND", "AUDIT_READ",      "PERFMON",         "BPF",
    "CHECKPOINT_RESTORE"};

[[noreturn]] void fail(const YAML::Mark& mark, std::string_view message) {
  const int line = mark.is_null() ? 1 : mark.line + 1;
  const int column = mark.is_null() ? 1 : mark.column + 1;
  throw std::runtime_error(std::to_string(line) + ":" + std::to_string(column) + ": " +
                           std::string(message));
}

// A mapping whose keys are checked against the schema, so that typos fail loudly.
class Mapping {
 public:
  Mapping(const YAML::Node& node, std::string_view what, std::initializer_list<std::string_view> allowed)
      : mark_(node.Mark()) {
    if (!node.IsMap()) fail(mark_, "expected a mapping for " + std::string(what));
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      const std::string name = key.IsScalar() ? key.Scalar() : std::string();
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        fail(key.Mark(), "unknown key '" + name + "' in " + std::string(what));
      }
      if (!values_.emplace(name, entry.second).second) {
        fail(key.Mark(), "duplicate key '" + name + "' in " + std::string(what));
      }
    }
  }

  const YAML::Node* get(const std::string& key) const {
    const auto found = values_.find(key);
    return found == values_.end() ? nullptr : &found->second;
  }

  const YAML::Mark& mark() const { return mark_; }

 private:
  YAML::Mark mark_;
  std::map<std::string, YAML::Node> values_;
};

std::string scalar_text(const YAML::Node& node, std::string_view key) {
  if (node.IsNull()) return {};
  if (!node.IsScalar()) fail(node.Mark(), "'" + std::string(key) + "' must be a string");
  return node.Scalar();
}

std::string read_string(const Mapping& map, const std::string& key) {
  const YAML::Node* node = map.get(key);
  return node ? scalar_text(*node, key) : std::string();
}

bool read_bool(const Mapping& map, const std::string& key) {
  const YAML::Node* node = map.get(key);
  if (!node || node->IsNull()) return false;
  bool value = false;
  if (!node->IsScalar() || !YAML::convert<bool>::decode(*node, value)) {
    fail(node->Mark(), "'" + key + "' must be true or false");
  }
  return value;
}

// Calls `read_item` for each entry of a sequence; a single scalar counts as one entry.
template <typename ReadItem>
void for_each_item(const Mapping& map, const std::string& key, ReadItem read_item) {
  const YAML::Node* node = map.get(key);
  if (!node || node->IsNull()) return;
  if (node->IsScalar()) {
    read_item(*node);
    return;
  }
  if (!node->IsSequence()) fail(node->Mark(), "'" + key + "' must be a list");
  for (const YAML::Node& item : *node) read_item(item);
}

std::vector<std::string> read_string_list(const Mapping& map, const std::string& key) {
  std::vector<std::string> values;
  for_each_item(map, key, [&](const YAML::Node& item) {
    if (!item.IsScalar()) fail(item.Mark(), "entries of '" + key + "' must be strings");
    values.push_back(item.Scalar());
  });
  return values;
}

std::vector<std::string> read_path_list(const Mapping& map, const std::string& key) {
  std::vector<std::string> paths;
  for_each_item(map, key, [&](const YAML::Node& item) {
    if (!item.IsScalar() || !item.Scalar().starts_with('/')) {
      fail(item.Mark(), "entries of '" + key + "' must be absolute paths");
    }
    paths.push_back(item.Scalar());
  });
  return paths;
}

// Upper case without the CAP_ prefix, the form Docker documents and harden emits.
std::string normalize_capability(std::string_view name) {
  std::string upper(trim(name));
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.starts_with("CAP_")) upper.erase(0, 4);
  return upper;
}

// `when:` of a grant: one condition or a list of them (any may hold).
std::vector<GrantCondition> read_conditions(const Mapping& map) {
  std::vector<GrantCondition> conditions;
  for_each_item(map, "when", [&](const YAML::Node& item) {
    std::optional<GrantCondition> condition;
    if (item.IsScalar()) condition = parse_grant_condition(item.Scalar());
    if (!condition) {
      fail(item.Mark(), "a condition in 'when' must be 'bind-mount /PATH', 'env NAME' or 'no-env NAME'");
    }
    conditions.push_back(std::move(*condition));
  });
  return conditions;
}

CapabilityNeed read_capability(const YAML::Node& node) {
  CapabilityNeed need;
  YAML::Mark name_mark = node.Mark();
  if (node.IsScalar()) {
    need.name = node.Scalar();
  } else {
    const Mapping map(node, "a capability", {"name", "reason", "when"});
    need.name = read_string(map, "name");
    need.reason = read_string(map, "reason");
    need.when = read_conditions(map);
    if (const YAML::Node* name = map.get("name")) name_mark = name->Mark();
  }
  need.name = normalize_capability(need.name);
  if (std::find(kKnownCapabilities.begin(), kKnownCapabilities.end(), need.name) ==
      kKnownCapabilities.end()) {
    fail(name_mark, "unknown capability '" + need.name + "'");
  }
  return need;
}

std::vector<CapabilityNeed> read_capabilities(const Mapping& map, const std::string& key) {
  std::vector<CapabilityNeed> needs;
  for_each_item(map, key, [&](const YAML::Node& item) { needs.push_back(read_capability(item)); });
  return needs;
}

// A tmpfs as a mapping, or in Compose's short form "PATH[:OPTIONS]".
TmpfsNeed read_tmpfs(const YAML::Node& node) {
  TmpfsNeed need;
  if (node.IsScalar()) {
    const std::string& text = node.Scalar();
    const std::size_t colon = text.find(':');
    need.path = text.substr(0, colon);
    if (colon != std::string::npos) need.options = text.substr(colon + 1);
  } else {
    const Mapping map(node, "a tmpfs", {"path", "options", "reason", "when"});
    need.path = read_string(map, "path");
    need.options = read_string(map, "options");
    need.reason = read_string(map, "reason");
    need.when = read_conditions(map);
  }
  if (!need.path.starts_with('/')) fail(node.Mark(), "a tmpfs path must be absolute");
  return need;
}

std::vector<TmpfsNeed> read_tmpfs_list(const Mapping& map, const std::string& key) {
  std::vector<TmpfsNeed> needs;
  for_each_item(map, key, [&](const YAML::Node& item) { needs.push_back(read_tmpfs(item)); });
  return needs;
}

// `limits: {memory: 1g, cpus: 2, pids: 200, reason: ...}`, each value in
// Docker's syntax and above its minimum.
LimitFloors read_limit_floors(const YAML::Node& node) {
  LimitFloors floors;
  if (node.IsNull()) return floors;
  const Mapping map(node, "limits", {"memory", "cpus", "pids", "reason"});
  auto checked = [&](const std::string& key, std::optional<std::string> (*problem)(std::string_view)) {
    std::string value = read_string(map, key);
    if (!value.empty())
      if (std::optional<std::string> wrong = problem(value)) fail(map.get(key)->Mark(), "limits." + key + ": " + *wrong);
    return value;
  };
  floors.memory = checked("memory", memory_limit_problem);
  floors.cpus = checked("cpus", cpus_limit_problem);
  floors.pids = checked("pids", pids_limit_problem);
  floors.reason = read_string(map, "reason");
  return floors;
}

ImageProfile read_profile(const YAML::Node& node) {
  const Mapping map(node, "an image profile",
                    {"family", "images", "tags", "user", "switches_user", "non_root_user", "cap_add",
                     "file_caps", "tmpfs", "tmp_exec", "volumes", "data_dirs",
                     "breaks_with_no_new_privileges", "breaks_with_read_only", "limits", "notes", "source"});
  ImageProfile profile;
  profile.family = read_string(map, "family");
  if (profile.family.empty()) fail(map.mark(), "an image profile needs a 'family'");
  profile.images = read_string_list(map, "images");
  if (profile.images.empty()) fail(map.mark(), "profile '" + profile.family + "' lists no 'images'");
  profile.tags = read_string_list(map, "tags");
  profile.user = read_string(map, "user");
  profile.switches_user = read_bool(map, "switches_user");
  profile.non_root_user = read_string(map, "non_root_user");
  profile.cap_add = read_capabilities(map, "cap_add");
  profile.file_caps = read_capabilities(map, "file_caps");
  profile.tmpfs = read_tmpfs_list(map, "tmpfs");
  profile.tmp_exec = read_bool(map, "tmp_exec");
  profile.volumes = read_path_list(map, "volumes");
  profile.data_dirs = read_path_list(map, "data_dirs");
  profile.breaks_with_no_new_privileges = read_bool(map, "breaks_with_no_new_privileges");
  profile.breaks_with_read_only = read_bool(map, "breaks_with_read_only");
  if (const YAML::Node* limits = map.get("limits")) profile.limits = read_limit_floors(*limits);
  profile.notes = read_string(map, "notes");
  profile.source = read_string(map, "source");
  return profile;
}

// The profile sequence: the value of a top-level `profiles:` or the document itself.
YAML::Node profile_sequence(const YAML::Node& root) {
  if (root.IsMap()) {
    const Mapping map(root, "the image profiles document", {"profiles"});
    const YAML::Node* profiles = map.get("profiles");
    return profiles ? *profiles : YAML::Node();
  }
  return root;
}

std::vector<ImageProfile> read_profiles(const YAML::Node& root) {
  std::vector<ImageProfile> profiles;
  const YAML::Node sequence = profile_sequence(root);
  if (!sequence.IsDefined() || sequence.IsNull()) return profiles;
  if (!sequence.IsSequence()) fail(sequence.Mark(), "expected a list of image profiles");

  for (const YAML::Node& node : sequence) {
    ImageProfile profile = read_profile(node);
    const bool duplicate = std::any_of(profiles.begin(), profiles.end(), [&](const ImageProfile& known) {
      return known.family == profile.family;
    });
    if (duplicate) fail(node.Mark(), "duplicate family '" + profile.family + "'");
    profiles.push_back(std::move(profile));
  }
  return profiles;
}

}  // namespace

ImageRef parse_image_ref(std::string_view image) { return parse_reference(image).ref; }

std::optional<GrantCondition> parse_grant_condition(std::string_view text) {
  text = trim(text);
  const std::size_t space = text.find_first_of(" \t");
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view keyword = text.substr(0, space);
  const std::string_view subject = trim(text.substr(space));
  GrantCondition condition;
  condition.subject = std::string(subject);
  if (keyword == "bind-mount") {
    condition.kind = GrantCondition::Kind::BindMount;
    if (!subject.starts_with('/') || subject.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
    while (condition.subject.size() > 1 && condition.subject.back() == '/') condition.subject.pop_back();
    return condition;
  }
  if (keyword == "env" || keyword == "no-env") {
    condition.kind = keyword == "env" ? GrantCondition::Kind::Env : GrantCondition::Kind::NoEnv;
    if (subject.empty() || !is_name_start(subject.front()) ||
        !std::all_of(subject.begin(), subject.end(), is_name_char)) {
      return std::nullopt;
    }
    return condition;
  }
  return std::nullopt;
}

std::string to_string(const GrantCondition& condition) {
  switch (condition.kind) {
    case GrantCondition::Kind::BindMount: return "bind-mount " + condition.subject;
    case GrantCondition::Kind::Env: return "env " + condition.subject;
    case GrantCondition::Kind::NoEnv: return "no-env " + condition.subject;
  }
  return condition.subject;
}

// ProfileCatalog::builtin() is in the source that tools/embed_profiles.cpp
// generates from transforms/image_profiles.yaml.

ProfileCatalog ProfileCatalog::parse(std::string_view yaml_text) {
  try {
    return ProfileCatalog(read_profiles(YAML::Load(std::string(yaml_text))));  // the constructor indexes
  } catch (const YAML::Exception& error) {
    fail(error.mark, error.msg);
  }
}

void ProfileCatalog::merge(const ProfileCatalog& other) {
  for (const ImageProfile& profile : other.profiles_) {
    const auto same_family = std::find_if(profiles_.begin(), profiles_.end(), [&](const ImageProfile& known) {
      return known.family == profile.family;
    });
    if (same_family != profiles_.end()) {
      *same_family = profile;
    } else {
      profiles_.push_back(profile);
    }
  }
  index();
}

void ProfileCatalog::index() {
  by_name_.clear();
  with_variables_.clear();
  for (std::size_t i = 0; i < profiles_.size(); ++i) {
    for (const std::string& listed : profiles_[i].images) {
      if (listed.find_first_of("$*") != std::string::npos) {
        if (with_variables_.empty() || with_variables_.back() != i) with_variables_.push_back(i);
        continue;
      }
      std::vector<std::size_t>& named = by_name_[std::string(listed_name(listed))];
      if (named.empty() || named.back() != i) named.push_back(i);
    }
  }
}

const ImageProfile* ProfileCatalog::find(std::string_view image) const {
  const ParsedRef wanted = parse_reference(image);
  const std::optional<std::string> tag = effective_tag(wanted);

  // The candidates in catalog order, since the order breaks ties.
  std::vector<std::size_t> candidates = with_variables_;
  if (auto named = by_name_.find(wanted.ref.name); named != by_name_.end()) {
    candidates.insert(candidates.end(), named->second.begin(), named->second.end());
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  }
  const ImageProfile* best = nullptr;
  MatchScore best_score;
  for (std::size_t i : candidates) {
    const ImageProfile& profile = profiles_[i];
    const std::optional<MatchScore> score = score_profile(profile, wanted.ref, tag);
    // `>=`: on a tie the later profile wins, so added profiles beat built-in ones.
    if (score && (best == nullptr || *score >= best_score)) {
      best = &profile;
      best_score = *score;
    }
  }
  return best;
}

}  // namespace harden

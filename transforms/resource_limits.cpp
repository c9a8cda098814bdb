// H105 resource-limits: every service has a memory, a cpu and a pids
// limit, written in the one style the service or the file already uses
// (research §6: two styles with different values are a load error).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "harden/limit_values.h"
#include "harden/resource_needs.h"
#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H105",
    "resource-limits",
    "a service has no memory, cpu or pids limit",
    Profile::Baseline,
    true,
    FixSafety::Safe,
    R"(Why it matters
  Without limits, one container can take all the memory of the host (and
  get other processes killed), all its CPU time, or fill the process table
  with a fork bomb. Limits turn a runaway or compromised service into a
  problem of that service only.

What the fix changes
  Each missing limit is added with the run's defaults (--memory 512m,
  --cpus 1, --pids 100, or `defaults:` in .harden.yaml), in the style the
  service already uses: `mem_limit`, `cpus` and `pids_limit` at service
  level, or `deploy.resources.limits.{memory,cpus,pids}` (also when the
  service has only `deploy.resources.reservations`, or a `deploy:` of its
  own with other settings). A service that uses neither follows the file:
  deploy limits when another service uses them, service-level keys
  otherwise. A limit that is set in either style is never written again
  in the other: since Compose 2.26 two different values for one limit are
  a load error.
  A limit written with a value that means "no limit" (`pids_limit: -1` or
  `0`, `cpus: 0`, `mem_limit: 0`, and the same under
  `deploy.resources.limits`) is reported at that key; with --unsafe-fixes
  the value is replaced by the fitted value below (it was written on
  purpose, so it is not replaced by default). A limit the service writes
  below its own need is reported the same way; the unsafe fix raises it.
  The values fit the service. A limit set for the service in .harden.yaml
  (`services: NAME: {memory, cpus, pids}`) wins over the defaults; neither
  is ever written below what the service itself needs:
    - a JVM heap (-Xmx/-Xms in JAVA_OPTS, ES_JAVA_OPTS, JAVA_TOOL_OPTIONS,
      _JAVA_OPTIONS and similar, or in command/entrypoint) or a Node heap
      (--max-old-space-size in NODE_OPTIONS or the command): memory at
      least heap + half the heap, and at least heap + 256m, for the
      runtime's own memory (metaspace, code, thread stacks, GC);
    - mem_reservation and deploy.resources.reservations.memory (the engine
      refuses a limit below the reservation);
    - a finite memlock ulimit (the locked memory must fit);
    - an image profile's `limits:` floors (postgres's one process per
      connection, Apache's workers).
  A memswap_limit caps the memory limit (the engine refuses a memory limit
  above it); when a need is above it, no memory limit is written and the
  report says why. Variables take their `${VAR:-default}`. Every value
  written says where it comes from in the report. cpus is never added
  beside cpu_quota or cpu_period (the engine refuses "Nano CPUs" with
  them), cpu_count or cpu_percent (the same on Windows) or cpuset (the
  author placed the service on chosen CPUs): these count as its cpu limit.
  A missing limit is reported at the `limits:`, `resources:` or `deploy:`
  key it would go under when the service writes one, else at the service's
  key.
  A service that `extends` another service of the same file, and would get
  the same values, is left alone: it receives the fix from that service. A
  limit a service inherits (extends, a merge key) below its own need does
  not count: the service gets its own key, which wins.

What it can break
  A service that needs more than the default is killed when it runs out of
  memory (exit code 137) or is slowed down, when its needs are not written
  where harden reads them (a heap sized by a start script, a config file).
  Raise the value in the file, set one for the service in .harden.yaml
  (`services: NAME: {memory: 4g}`), or change the defaults for the run.

How to opt out
  Put `# harden: ignore[H105] -- reason` on the service's line, or list
  H105 under `services.<name>.ignore` in .harden.yaml.

References
  CIS Docker Benchmark 5.10 "Ensure that the memory usage for containers is
  limited", 5.11 "Ensure that CPU priority is set appropriately on the
  container", 5.28 "Ensure that the PIDs cgroup limit is used".)"};

struct Limit {
  std::string_view what;          // "memory"
  std::string_view service_key;   // "mem_limit"
  std::string_view deploy_key;    // "memory"
  std::string value;              // what is written, as text
  std::string why;                // why this value: "the default memory limit (--memory or defaults.memory)"
  // Other service keys that count as this limit: the engine refuses `cpus`
  // beside cpu_quota or cpu_period (and on Windows beside cpu_count or
  // cpu_percent), and a cpuset is the author's own cpu placement.
  std::vector<std::pair<std::string_view, std::string_view>> counted_keys = {};  // key, why
  // No value fits (a need above memswap_limit): nothing is written.
  std::string cannot_fit = {};
  // The least the service needs, as a number (0: no need), and how a
  // value of this limit is measured.
  std::uint64_t floor = 0;
  std::string floor_reason = {};
  std::optional<std::uint64_t> (*measure)(std::string_view) = nullptr;
};

// Settings that count as a cpu limit, and why cpus is not added beside them.
const std::vector<std::pair<std::string_view, std::string_view>> kCpuSettings = {
    {"cpu_quota", "the engine refuses cpus beside it (\"Conflicting options: Nano CPUs and CPU Period/Quota\")"},
    {"cpu_period", "the engine refuses cpus beside it (\"Conflicting options: Nano CPUs and CPU Period/Quota\")"},
    {"cpu_count", "on Windows, where it applies, the engine refuses cpus beside it"},
    {"cpu_percent", "on Windows, where it applies, the engine refuses cpus beside it"},
    {"cpuset", "the service is placed on CPUs of the author's choice"}};

// A value to start from: the service's own line in .harden.yaml, else the
// run's default.
struct Base {
  std::string value;
  std::string why;
  bool configured = false;
};

Base base_value(const Service& service, const Options& options, std::string_view what, std::string_view key,
                const std::optional<std::string> ServiceLimits::*member, const std::string& fallback,
                std::string_view option) {
  auto found = options.service_limits.find(service.name);
  if (found != options.service_limits.end() && found->second.*member)
    return {*(found->second.*member),
            fmt::format("the {} limit set for the service (services.{}.{} in .harden.yaml)", what, service.name,
                        key),
            true};
  return {fallback, fmt::format("the default {} limit ({})", what, option), false};
}

// The base value unless a need asks for more; `measure` turns a value into
// a number to compare ("512m" -> bytes).
template <typename Measure>
void fit_to_needs(Limit& limit, const Base& base, const std::vector<LimitNeed>& floors, Measure measure,
                  std::string_view config_key) {
  limit.value = base.value;
  limit.why = base.why;
  std::uint64_t base_amount = measure(base.value).value_or(0);
  const LimitNeed* largest = nullptr;
  for (const LimitNeed& need : floors)
    if (!largest || need.value > largest->value) largest = &need;
  if (largest) {
    limit.floor = largest->value;
    limit.floor_reason = largest->reason;
  }
  if (!largest || largest->value <= base_amount) return;
  limit.value = largest->text;
  limit.why = base.configured
                  ? fmt::format("{}; warning: {} {} in .harden.yaml is below this need, so the need is used",
                                largest->reason, config_key, base.value)
                  : fmt::format("{} (more than the default {})", largest->reason, base.value);
}

std::vector<Limit> limits_for_service(const Service& service, const ServiceFacts& facts, const Options& options) {
  LimitNeeds needs = read_limit_needs(service, facts.profile, facts.image, facts.image_env, facts.image_command);
  const std::string& name = service.name;
  std::vector<Limit> limits{{"memory", "mem_limit", "memory", "", ""},
                            {"cpu", "cpus", "cpus", "", "", kCpuSettings},
                            {"pids", "pids_limit", "pids", "", ""}};

  Limit& memory = limits[0];
  Base memory_base = base_value(service, options, "memory", "memory", &ServiceLimits::memory, options.defaults.memory,
                                "--memory or defaults.memory");
  fit_to_needs(memory, memory_base, needs.memory, parse_memory_size, "services." + name + ".memory");
  memory.measure = parse_memory_size;
  if (needs.memory_ceiling) {
    const LimitNeed& ceiling = *needs.memory_ceiling;
    std::uint64_t bytes = parse_memory_size(memory.value).value_or(0);
    const LimitNeed* above = nullptr;
    for (const LimitNeed& need : needs.memory)
      if (need.value > ceiling.value && (!above || need.value > above->value)) above = &need;
    if (above) {
      memory.cannot_fit = fmt::format("no memory limit written: {}, but {}; raise memswap_limit", above->reason,
                                      ceiling.reason);
    } else if (bytes > ceiling.value) {
      memory.value = ceiling.text;
      memory.why = fmt::format("{} (less than {})", ceiling.reason, memory_base.value);
    }
  }
  if (!needs.jvm_without_heap.empty() && memory.value == memory_base.value)
    memory.why += "; " + needs.jvm_without_heap;

  Base cpus_base =
      base_value(service, options, "cpu", "cpus", &ServiceLimits::cpus, options.defaults.cpus, "--cpus or defaults.cpus");
  fit_to_needs(limits[1], cpus_base, needs.cpus, parse_nano_cpus, "services." + name + ".cpus");

  Base pids_base =
      base_value(service, options, "pids", "pids", &ServiceLimits::pids, options.defaults.pids, "--pids or defaults.pids");
  auto pids_count = [](std::string_view text) -> std::optional<std::uint64_t> {
    if (pids_limit_problem(text)) return std::nullopt;
    return std::stoull(std::string(text));
  };
  fit_to_needs(limits[2], pids_base, needs.pids, pids_count, "services." + name + ".pids");
  limits[2].measure = pids_count;
  return limits;
}

const Node* child(const Node* mapping, std::string_view key) {
  if (mapping) mapping = mapping->resolved();
  if (!mapping || !mapping->is_mapping()) return nullptr;
  const Node* value = mapping->get(key);
  return value ? value->resolved() : nullptr;
}

const Node* limits_of_deploy(const Node* deploy) {
  const Node* limits = child(child(deploy, "resources"), "limits");
  return limits && limits->is_mapping() ? limits : nullptr;
}

// Every deploy.resources.limits mapping that applies to the service: its
// own or merged one, and those it inherits (Compose merges them deeply).
std::vector<const Node*> deploy_limits(const Service& service) {
  std::vector<const Node*> all;
  if (const Node* limits = limits_of_deploy(service.value("deploy"))) all.push_back(limits);
  for (const auto& [mapping, origin] : service.inherited)
    if (const Node* limits = limits_of_deploy(child(mapping, "deploy"))) all.push_back(limits);
  return all;
}

// The service already writes deploy.resources (reservations, say).
bool uses_deploy_resources(const Service& service) {
  const Node* resources = child(service.value("deploy"), "resources");
  return resources && resources->is_mapping();
}

// The first setting that counts as the limit without being it (cpu_quota
// for cpus), or nothing.
const std::pair<std::string_view, std::string_view>* counted_setting(const Service& service, const Limit& limit) {
  for (const auto& counted : limit.counted_keys)
    if (service.find(counted.first)) return &counted;
  return nullptr;
}

// True when a scalar value of the limit is below the service's need.
bool below_need(const Limit& limit, const Node* value) {
  if (!limit.floor || !limit.measure || !value || !value->is_scalar()) return false;
  std::optional<std::uint64_t> amount = limit.measure(with_variable_defaults(value->value));
  return amount && *amount < limit.floor;
}

bool limit_is_set(const Service& service, const Limit& limit) {
  std::vector<const Node*> all = deploy_limits(service);
  bool in_deploy =
      std::any_of(all.begin(), all.end(), [&](const Node* m) { return m->get(limit.deploy_key) != nullptr; });
  if (std::optional<KeyLookup> found = service.find(limit.service_key)) {
    // A value the service inherits (extends, a merge key) below its own
    // need does not count: its own key, written beside, wins.
    const Node* value = found->value ? found->value->resolved() : nullptr;
    bool inherited = found->source == KeySource::Extends || found->source == KeySource::MergeKey;
    return !(inherited && !in_deploy && below_need(limit, value));
  }
  return in_deploy || counted_setting(service, limit);
}

// The service's own `deploy:`, when it is a block the limits can go under.
bool own_deploy_block(const Service& service) {
  const MapEntry* deploy = service.own("deploy");
  return deploy && !deploy->value->is_alias() && (deploy->value->is_mapping() || deploy->value->is_null());
}

// Where a finding about missing deploy limits points: the deepest of the
// service's own `deploy:`, `resources:` and `limits:` keys, or nothing
// when the service writes no deploy of its own.
std::optional<std::size_t> deploy_anchor(const Service& service) {
  const MapEntry* deepest = service.own("deploy");
  if (!deepest) return std::nullopt;
  for (std::string_view key : {"resources", "limits"}) {
    const Node* value = deepest->value;
    if (value->is_alias() || !value->is_mapping()) break;
    const MapEntry* next = value->find(key);
    if (!next) break;
    deepest = next;
  }
  return deepest->key->content_begin;
}

bool uses_service_keys(const Service& service, const std::vector<Limit>& limits) {
  return std::any_of(limits.begin(), limits.end(), [&](const Limit& l) { return service.find(l.service_key); });
}

bool file_uses_deploy_limits(const ComposeFile& compose) {
  return std::any_of(compose.services.begin(), compose.services.end(),
                     [](const Service& s) { return s.node && !deploy_limits(s).empty(); });
}

bool is_number(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
}

bool parse_number(std::string_view text, double& out) {
  std::string copy(text);
  if (copy.empty()) return false;
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return end && *end == '\0';
}

// True when the value, as written, means "no limit": a pids limit of 0 or
// below, a cpu or memory limit of 0 (with or without a unit). Variables
// are never judged.
bool means_unlimited(const Limit& limit, const Node* value) {
  if (!value || !value->is_scalar()) return false;
  std::string text = rules::to_lower(rules::trim(value->value));
  if (text.empty() || text.find("${") != std::string::npos || text.find('$') != std::string::npos) return false;
  double number = 0;
  if (limit.deploy_key == "pids") return parse_number(text, number) && number <= 0;
  if (limit.deploy_key == "cpus") return parse_number(text, number) && number == 0;
  while (!text.empty() && std::isalpha(static_cast<unsigned char>(text.back()))) text.pop_back();
  return parse_number(text, number) && number == 0;
}

// Numbers stay plain unless the service quotes its values; a pids limit is
// an integer in the schema, so it stays plain.
NewValue limit_value(const ServiceContext& ctx, const Limit& limit) {
  char quote = ctx.edits.style().quote;
  bool integer_only = limit.deploy_key == "pids";
  if (is_number(limit.value) && (quote == 0 || integer_only)) return NewValue::text(limit.value);
  return rules::quoted_value(ctx, limit.value, quote);
}

NewValue limits_mapping(const ServiceContext& ctx, const std::vector<Limit>& missing) {
  std::vector<std::pair<std::string, NewValue>> entries;
  for (const Limit& limit : missing) entries.emplace_back(std::string(limit.deploy_key), limit_value(ctx, limit));
  return NewValue::mapping(std::move(entries));
}

class ResourceLimits final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_service(const ServiceContext& ctx, std::vector<Finding>& findings) const override {
    std::vector<Limit> limits = limits_for_service(ctx.service, ctx.facts, ctx.options);
    for (const Limit& limit : limits) check_unlimited(ctx, limit, findings);
    std::vector<Limit> missing;
    std::vector<std::string> not_written;
    for (const Limit& limit : limits) {
      if (limit_is_set(ctx.service, limit)) continue;
      missing.push_back(limit);
      if (!limit.cannot_fit.empty()) not_written.push_back(limit.cannot_fit);
    }
    if (missing.empty()) return;
    // The extended service's fix reaches this one only when the values
    // fitted to each are the same.
    auto fitted = [&](const Service& service, const ServiceFacts& facts) {
      std::vector<std::string> values;
      for (const Limit& limit : limits_for_service(service, facts, ctx.options))
        values.push_back(limit.value + "|" + limit.cannot_fit);
      return values;
    };
    if (rules::leave_to_extended_service(ctx, kInfo, {"mem_limit", "cpus", "pids_limit", "deploy"}, fitted)) return;

    std::vector<std::string> names;
    for (const Limit& limit : missing) names.push_back(fmt::format("no {} limit", limit.what));
    Finding finding = rules::make_finding(
        ctx, kInfo, rules::service_offset(ctx.service),
        fmt::format("{}: one runaway container can exhaust the host", join_and(names)));
    finding.reasons = not_written;
    for (const Limit& limit : limits)
      if (const auto* counted = counted_setting(ctx.service, limit); counted && !ctx.service.find(limit.service_key))
        finding.reasons.push_back(fmt::format("no {} added: {} counts as the {} limit; {}", limit.service_key,
                                              counted->first, limit.what, counted->second));
    std::erase_if(missing, [](const Limit& limit) { return !limit.cannot_fit.empty(); });
    if (missing.empty()) {
      rules::FixBuilder refused;
      refused.refuse(rules::join(not_written));
      refused.attach(finding, kInfo.safety);
      findings.push_back(std::move(finding));
      return;
    }

    bool deploy_style = !deploy_limits(ctx.service).empty() ||
                        (!uses_service_keys(ctx.service, limits) &&
                         (uses_deploy_resources(ctx.service) || own_deploy_block(ctx.service) ||
                          file_uses_deploy_limits(ctx.compose)));
    rules::FixBuilder fix;
    if (auto problem = rules::shared_edit_problem(ctx)) {
      fix.refuse(*problem);
    } else if (!(deploy_style && add_deploy_limits(ctx, missing, fix, finding.reasons))) {
      deploy_style = false;
      add_service_keys(ctx, missing, fix, finding.reasons);
    }
    // The finding points where the limits go: under the service's own
    // deploy block, else at the service.
    if (std::optional<std::size_t> anchor = deploy_style ? deploy_anchor(ctx.service) : std::nullopt)
      finding.offset = *anchor;
    fix.attach(finding, kInfo.safety);
    findings.push_back(std::move(finding));
  }

 private:
  // A limit that is set to a value meaning "no limit": reported at its
  // key; the unsafe fix writes the default in its place.
  static void check_unlimited(const ServiceContext& ctx, const Limit& limit, std::vector<Finding>& findings) {
    struct Setting {
      const Node* value;
      std::size_t offset;
      std::string name;  // "pids_limit", "deploy.resources.limits.pids"
      Path path;         // empty when the value is not the service's own
      std::string origin;
    };
    std::vector<Setting> settings;
    if (std::optional<KeyLookup> found = ctx.service.find(limit.service_key)) {
      bool own = found->source == KeySource::Own && found->entry && !found->value->is_alias();
      settings.push_back({found->value ? found->value->resolved() : nullptr, rules::key_offset(ctx.service, *found),
                          std::string(limit.service_key),
                          own ? service_path(ctx.service, {std::string(limit.service_key)}) : Path{}, found->origin});
    }
    // The deploy limits that apply: the service's own (or merged) deploy
    // first, then the inherited ones.
    const MapEntry* own_deploy = ctx.service.own("deploy");
    const Node* own_limits = own_deploy && !own_deploy->value->is_alias() ? limits_of_deploy(own_deploy->value) : nullptr;
    std::vector<std::pair<const Node*, std::string>> sources;
    if (const Node* limits = limits_of_deploy(ctx.service.value("deploy")))
      sources.emplace_back(limits, limits == own_limits ? "the service" : "a merged deploy");
    for (const auto& [mapping, origin] : ctx.service.inherited)
      if (const Node* limits = limits_of_deploy(child(mapping, "deploy"))) sources.emplace_back(limits, origin);
    for (const auto& [mapping, origin] : sources) {
      const MapEntry* entry = mapping->find(limit.deploy_key);
      if (!entry) continue;
      bool own = mapping == own_limits && !entry->value->is_alias();
      settings.push_back({entry->value->resolved(), own ? entry->key->content_begin : rules::service_offset(ctx.service),
                          fmt::format("deploy.resources.limits.{}", limit.deploy_key),
                          own ? service_path(ctx.service, {"deploy", "resources", "limits", std::string(limit.deploy_key)})
                              : Path{},
                          origin});
      break;  // the first one applies
    }
    for (const Setting& setting : settings) {
      bool unlimited = means_unlimited(limit, setting.value);
      // A value the service writes itself below what it needs (one it
      // inherits gets a key of its own instead, see limit_is_set).
      bool too_low = !unlimited && !setting.path.empty() && below_need(limit, setting.value);
      if (!unlimited && !too_low) continue;
      if (too_low && !limit.cannot_fit.empty()) continue;  // no value fits; reported with the missing limits
      Finding finding = rules::make_finding(
          ctx, kInfo, setting.offset,
          unlimited ? fmt::format("{} {} sets no {} limit: one runaway container can exhaust the host",
                                  setting.name, setting.value->value, limit.what)
                    : fmt::format("{} {} is below what the service needs: {}", setting.name, setting.value->value,
                                  limit.floor_reason));
      rules::FixBuilder fix;
      if (setting.path.empty()) {
        fix.refuse(fmt::format("the {} limit comes from {}; change it there", limit.what, setting.origin));
      } else if (auto problem = rules::shared_edit_problem(ctx, {setting.value})) {
        fix.refuse(*problem);
      } else {
        // The replaced value keeps its quotes (a pids limit stays an integer).
        char quote = rules::quote_of(*setting.value);
        NewValue value = quote && limit.deploy_key != "pids" ? rules::quoted_value(ctx, limit.value, quote)
                                                             : limit_value(ctx, limit);
        fix.add(ctx.edits.replace_scalar(*setting.value, value.scalar),
                rules::replaced_by(*setting.value, setting.path, value));
        finding.reasons.push_back(fmt::format("{} {}: {}, in place of {}{}", setting.name, limit.value, limit.why,
                                              setting.value->value, unlimited ? " (no limit)" : ""));
      }
      fix.attach(finding, FixSafety::Unsafe);
      findings.push_back(std::move(finding));
    }
  }

  static std::string join_and(const std::vector<std::string>& items) {
    if (items.size() < 2) return rules::join(items);
    std::vector<std::string> head(items.begin(), items.end() - 1);
    return rules::join(head) + " and " + items.back();
  }

  static void add_service_keys(const ServiceContext& ctx, const std::vector<Limit>& missing, rules::FixBuilder& fix,
                               std::vector<std::string>& reasons) {
    for (const Limit& limit : missing) {
      NewValue value = limit_value(ctx, limit);
      rules::set_scalar_key(ctx, fix, limit.service_key, value);
      reasons.push_back(fmt::format("{} {}: {}", limit.service_key, limit.value, limit.why));
    }
  }

  // Writes the missing limits under the service's own deploy mapping.
  // Returns false when that cannot be done without side effects (a merged
  // or shared deploy), so that service-level keys are used instead.
  static bool add_deploy_limits(const ServiceContext& ctx, const std::vector<Limit>& missing, rules::FixBuilder& fix,
                                std::vector<std::string>& reasons) {
    const Node& service = *ctx.service.node;
    Path deploy_path = service_path(ctx.service, {"deploy"});
    NewValue limits = limits_mapping(ctx, missing);
    rules::FixBuilder attempt;
    const MapEntry* own_deploy = ctx.service.own("deploy");
    if (!own_deploy) {
      std::optional<KeyLookup> found = ctx.service.find("deploy");
      if (found && found->source == KeySource::MergeKey) return false;  // an own deploy would replace it
      NewValue deploy = NewValue::mapping({{"resources", NewValue::mapping({{"limits", limits}})}});
      attempt.add(ctx.edits.insert_entry(service, "deploy", deploy), Intent{Intent::Op::Set, deploy_path, deploy.meaning()});
    } else if (!add_under(ctx, *own_deploy, service, deploy_path, limits, attempt)) {
      return false;
    }
    if (attempt.refused()) return false;
    fix = std::move(attempt);
    for (const Limit& limit : missing)
      reasons.push_back(fmt::format("deploy.resources.limits.{} {}: {}", limit.deploy_key, limit.value, limit.why));
    return true;
  }

  // Adds `limits` below an own `deploy:` entry, creating `resources:` and
  // `limits:` as needed.
  static bool add_under(const ServiceContext& ctx, const MapEntry& deploy_entry, const Node& service,
                        const Path& deploy_path, const NewValue& limits, rules::FixBuilder& fix) {
    const Node* deploy = deploy_entry.value;
    if (deploy->is_null()) {
      NewValue value = NewValue::mapping({{"resources", NewValue::mapping({{"limits", limits}})}});
      fix.add(ctx.edits.replace_value(deploy_entry, service, value),
              rules::replaced_by(*deploy_entry.value, deploy_path, value));
      return true;
    }
    if (!deploy->is_mapping() || rules::shared_edit_problem(ctx, {deploy})) return false;
    Path resources_path = rules::path_with(deploy_path, std::string("resources"));
    const MapEntry* resources_entry = deploy->find("resources");
    if (!resources_entry) {
      NewValue value = NewValue::mapping({{"limits", limits}});
      fix.add(ctx.edits.insert_entry(*deploy, "resources", value),
              Intent{Intent::Op::Set, resources_path, value.meaning()});
      return true;
    }
    const Node* resources = resources_entry->value;
    if (resources->is_null()) {
      NewValue value = NewValue::mapping({{"limits", limits}});
      fix.add(ctx.edits.replace_value(*resources_entry, *deploy, value),
              rules::replaced_by(*resources_entry->value, resources_path, value));
      return true;
    }
    if (!resources->is_mapping() || rules::shared_edit_problem(ctx, {deploy, resources})) return false;
    Path limits_path = rules::path_with(resources_path, std::string("limits"));
    const MapEntry* limits_entry = resources->find("limits");
    if (!limits_entry) {
      fix.add(ctx.edits.insert_entry(*resources, "limits", limits), Intent{Intent::Op::Set, limits_path, limits.meaning()});
      return true;
    }
    const Node* existing = limits_entry->value;
    if (existing->is_null()) {
      fix.add(ctx.edits.replace_value(*limits_entry, *resources, limits),
              rules::replaced_by(*limits_entry->value, limits_path, limits));
      return true;
    }
    if (!existing->is_mapping() || rules::shared_edit_problem(ctx, {deploy, resources, existing})) return false;
    for (const auto& [key, value] : limits.entries)
      fix.add(ctx.edits.insert_entry(*existing, key, value),
              Intent{Intent::Op::Set, rules::path_with(limits_path, key), value.meaning()});
    return true;
  }
};

}  // namespace

std::unique_ptr<Rule> make_resource_limits() { return std::make_unique<ResourceLimits>(); }

}  // namespace harden

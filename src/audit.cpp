// `harden audit`: what each service may do before and after hardening.
#include "harden/audit.h"
#include "harden/capabilities.h"
#include "harden/report.h"
#include "harden/text.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "harden/discovery.h"
#include "harden/inference.h"
#include "harden/pipeline.h"
#include "harden/read_file.h"

namespace harden {
namespace fs = std::filesystem;

namespace {

// ------------------------------------------------------------ capabilities

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

void add_unique(std::vector<std::string>& list, std::string item) {
  if (!contains(list, item)) list.push_back(std::move(item));
}

std::vector<std::string> capability_list(const Service& service, std::string_view key) {
  std::vector<std::string> caps;
  const Node* node = resolved(service.value(key));
  if (node && node->is_scalar() && !node->value.empty()) add_unique(caps, normalise_capability(node->value));
  for (const Node* item : sequence_items(node))
    if (item && item->is_scalar() && !item->value.empty()) add_unique(caps, normalise_capability(item->value));
  return caps;
}

// moby oci/caps TweakCapabilities.
AuditCapabilities capabilities_of(const Service& service, bool privileged) {
  AuditCapabilities caps;
  caps.cap_add = capability_list(service, "cap_add");
  caps.cap_drop = capability_list(service, "cap_drop");
  caps.drop_all = contains(caps.cap_drop, "ALL");
  if (privileged) {
    caps.all = true;
  } else if (contains(caps.cap_add, "ALL")) {
    for (const std::string& cap : all_capabilities())
      if (!contains(caps.cap_drop, cap)) caps.effective.push_back(cap);
    caps.all = caps.effective.size() == all_capabilities().size();
  } else if (caps.drop_all) {
    caps.effective = caps.cap_add;
  } else {
    for (const std::string& cap : default_capabilities())
      if (!contains(caps.cap_drop, cap)) caps.effective.push_back(cap);
    for (const std::string& cap : caps.cap_add) add_unique(caps.effective, cap);
  }
  if (caps.all) caps.effective = {"ALL"};
  return caps;
}

// ------------------------------------------------------------ user

bool is_root_user(std::string_view user) {
  std::string name(trim(user));
  if (std::size_t colon = name.find(':'); colon != std::string::npos) name.erase(colon);
  return name.empty() || name == "root" || name == "0";
}

AuditUser user_of(const Service& service, const ServiceFacts& facts) {
  AuditUser user;
  std::string written = scalar_or_empty(service.value("user"));
  bool from_dockerfile = facts.profile_origin.starts_with("Dockerfile");
  if (!written.empty()) {
    user.name = written;
    user.source = "user:";
  } else if (facts.profile || (from_dockerfile && facts.user != "root")) {
    // The profile's user, or a Dockerfile USER (inference prefers it).
    user.name = facts.user;
    user.source = facts.profile_origin;
  } else {
    // No profile and no USER: the image decides (Docker's default is root).
    user.kind = UserKind::Unknown;
    user.source = facts.profile_origin;
    return user;
  }
  user.kind = is_root_user(user.name) ? UserKind::Root : UserKind::Named;
  if (user.kind == UserKind::Root && written.empty() && facts.switches_user) {
    user.switches = true;
    if (facts.profile) user.switches_to = facts.profile->non_root_user;
  }
  return user;
}

// ------------------------------------------------------------ mounts and host access

void read_devices(const Service& service, std::vector<AuditHostAccess>& out) {
  for (const Node* item : sequence_items(service.value("devices"))) {
    AuditHostAccess access;
    access.kind = "device";
    if (item && item->is_scalar()) {
      std::string text = item->value;
      std::size_t colon = text.find(':');
      access.source = text.substr(0, colon);
      access.target = colon == std::string::npos ? access.source : text.substr(colon + 1);
      if (std::size_t c2 = access.target.find(':'); c2 != std::string::npos) access.target.erase(c2);
    } else if (item && item->is_mapping()) {
      access.source = scalar_or_empty(mapping_get(item, "source"));
      access.target = scalar_or_empty(mapping_get(item, "target"));
      if (access.target.empty()) access.target = access.source;
    } else {
      continue;
    }
    out.push_back(std::move(access));
  }
}

// ------------------------------------------------------------ ports

// Splits on ':' outside `${...}` and `[...]`.
std::vector<std::string> split_port(std::string_view text) {
  std::vector<std::string> parts(1);
  int braces = 0, brackets = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '$' && i + 1 < text.size() && text[i + 1] == '{') ++braces;
    else if (c == '}' && braces > 0) --braces;
    else if (c == '[') ++brackets;
    else if (c == ']' && brackets > 0) --brackets;
    if (c == ':' && braces == 0 && brackets == 0) {
      parts.emplace_back();
      continue;
    }
    parts.back() += c;
  }
  return parts;
}

std::optional<AuditPort> parse_port(const Node* item) {
  AuditPort port;
  if (item && item->is_mapping()) {
    port.target = scalar_or_empty(mapping_get(item, "target"));
    port.published = scalar_or_empty(mapping_get(item, "published"));
    port.host_ip = scalar_or_empty(mapping_get(item, "host_ip"));
    port.protocol = scalar_or_empty(mapping_get(item, "protocol"));
  } else if (item && item->is_scalar()) {
    std::string text(trim(item->value));
    if (std::size_t slash = text.rfind('/'); slash != std::string::npos && text.find('}', slash) == std::string::npos) {
      port.protocol = text.substr(slash + 1);
      text.erase(slash);
    }
    std::vector<std::string> parts = split_port(text);
    port.target = parts.back();
    if (parts.size() >= 2) port.published = parts[parts.size() - 2];
    for (std::size_t i = 0; i + 2 < parts.size(); ++i) port.host_ip += (i ? ":" : "") + parts[i];
  } else {
    return std::nullopt;
  }
  if (port.protocol.empty()) port.protocol = "tcp";
  if (port.target.empty()) return std::nullopt;
  return port;
}

// ------------------------------------------------------------ limits

bool unlimited(const std::string& value) { return value.empty() || value == "0" || value == "-1"; }

std::string limit_of(const Service& service, std::string_view key, std::string_view deploy_key) {
  std::string own = scalar_or_empty(service.value(key));
  if (!unlimited(own)) return own;
  std::string deployed = scalar_or_empty(mapping_get(mapping_get(mapping_get(service.value("deploy"), "resources"), "limits"), deploy_key));
  return unlimited(deployed) ? std::string() : deployed;
}

// ------------------------------------------------------------ security_opt

void read_security_opt(const Service& service, SecurityState& state) {
  std::vector<std::string> labels;
  for (const Node* item : sequence_items(service.value("security_opt"))) {
    if (!item || !item->is_scalar()) continue;
    std::string text(trim(item->value));
    std::size_t sep = text.find_first_of(":=");
    std::string key = to_lower(text.substr(0, sep));
    std::string value = sep == std::string::npos ? std::string() : std::string(trim(std::string_view(text).substr(sep + 1)));
    if (key == "no-new-privileges") {
      if (sep == std::string::npos) state.no_new_privileges = true;
      else if (auto b = parse_go_bool(value)) state.no_new_privileges = *b;
    } else if (key == "seccomp") {
      state.seccomp = value == "unconfined" ? "unconfined" : value == "default" ? "invalid (default)" : value;
    } else if (key == "apparmor") {
      state.apparmor = value;
    } else if (key == "label") {
      labels.push_back(value == "disable" ? "disabled" : value);
    } else if (key == "systempaths") {
      state.unconfined_systempaths = value == "unconfined";
    }
  }
  if (!labels.empty()) {
    state.label.clear();
    for (const std::string& label : labels) state.label += (state.label.empty() ? "" : ",") + label;
  }
}


struct Parsed {
  std::unique_ptr<Document> doc;
  std::optional<ComposeFile> compose;
  std::optional<LoadError> error;
};

Parsed parse(const std::string& path, std::string text, const Options& options, RelatedFiles& related) {
  Parsed parsed;
  LoadOptions load_options;
  load_options.limits = options.limits;
  LoadResult loaded = load_document(path, std::move(text), load_options);
  if (!loaded.ok()) {
    parsed.error = loaded.error ? *loaded.error : LoadError{"cannot be parsed"};
    return parsed;
  }
  parsed.doc = std::move(loaded.document);
  DocumentLoader loader = related.loader();
  auto compose = read_compose(*parsed.doc, loader, path == "-" ? std::vector<std::string>{} : base_files_for(path));
  if (auto* e = std::get_if<ComposeError>(&compose)) {
    LoadError error{e->message};
    if (e->located) {
      Position p = parsed.doc->position(e->offset);
      error.line = p.line;
      error.column = p.column;
    }
    parsed.error = error;
    return parsed;
  }
  parsed.compose = std::get<ComposeFile>(std::move(compose));
  return parsed;
}

std::string compose_dir_of(const std::string& path) {
  if (path == "-") return "";
  return fs::path(path).parent_path().string();
}

}  // namespace

// ------------------------------------------------------------ the audit

SecurityState audit_service(const Service& service, const Options& options, const std::string& compose_dir) {
  SecurityState state;
  ServiceFacts facts = infer(service, options, compose_dir);
  state.user = user_of(service, facts);
  state.privileged = is_true(service.value("privileged"));
  state.capabilities = capabilities_of(service, state.privileged);
  // cap_add never reaches a process that starts non-root (no ambient
  // capabilities); an entrypoint that switches user starts as root.
  state.capabilities.reach_process = state.user.kind != UserKind::Named;
  state.read_only = is_true(service.value("read_only"));

  if (state.privileged)
    state.host_access.push_back({"privileged-devices", "/dev", "/dev", false, true});
  for (const Mount& mount : facts.mounts) {
    if (mount.kind == Mount::Kind::Bind) {
      std::string source = normalise_host_path(mount.source);
      if (source == "/") {
        state.host_access.push_back({"host-root", source, mount.target, mount.read_only, true});
      } else if (auto sockets = engine_sockets_of(mount.source); !sockets.empty() && !sockets.front().through_folder) {
        state.host_access.push_back({"docker-socket", source, mount.target, mount.read_only, true});
      } else if (!sockets.empty()) {
        // A folder that holds an engine's socket: the engine comes with it.
        state.host_access.push_back({"socket-folder", source, mount.target, mount.read_only, true});
      } else if (sensitive_host_folder(source)) {
        state.host_access.push_back({"sensitive-bind", source, mount.target, mount.read_only, false});
      }
    }
    if (mount.read_only || mount.target.empty()) continue;
    if (mount.kind == Mount::Kind::Bind) {
      auto sockets = engine_sockets_of(mount.source);
      if (!sockets.empty() && !sockets.front().through_folder) continue;
    }
    switch (mount.kind) {
      case Mount::Kind::Bind: state.writable.push_back({mount.target, "bind", mount.source}); break;
      case Mount::Kind::Volume: state.writable.push_back({mount.target, "volume", mount.source}); break;
      case Mount::Kind::Tmpfs: state.writable.push_back({mount.target, "tmpfs", ""}); break;
      case Mount::Kind::Other: break;
    }
  }
  // The image's VOLUME folders get anonymous volumes: writable even under read_only.
  std::vector<std::string> image_volumes = facts.dockerfile_volumes;
  if (facts.profile) image_volumes.insert(image_volumes.end(), facts.profile->volumes.begin(), facts.profile->volumes.end());
  for (const std::string& volume : image_volumes) {
    bool mounted = std::any_of(facts.mounts.begin(), facts.mounts.end(),
                               [&](const Mount& m) { return !m.target.empty() && path_covered(volume, m.target); });
    bool listed = std::any_of(state.writable.begin(), state.writable.end(),
                              [&](const AuditPath& p) { return p.path == volume; });
    if (!mounted && !listed) state.writable.push_back({volume, "image-volume", ""});
  }
  read_devices(service, state.host_access);

  const std::pair<const char*, const char*> namespaces[] = {{"network_mode", "network"}, {"pid", "pid"},
                                                            {"ipc", "ipc"},              {"uts", "uts"},
                                                            {"userns_mode", "userns"},   {"cgroup", "cgroup"}};
  for (const auto& [key, name] : namespaces)
    if (scalar_or_empty(service.value(key)) == "host") state.host_namespaces.push_back(name);

  read_security_opt(service, state);
  if (state.privileged) {
    // Docker turns the profiles off for a privileged container.
    state.seccomp = "unconfined";
    state.apparmor = "unconfined";
    state.label = "disabled";
  }

  state.memory = limit_of(service, "mem_limit", "memory");
  state.cpus = limit_of(service, "cpus", "cpus");
  if (state.cpus.empty()) {
    std::string quota = scalar_or_empty(service.value("cpu_quota"));
    if (!unlimited(quota)) state.cpus = "quota " + quota;
  }
  state.pids = limit_of(service, "pids_limit", "pids");

  for (const Node* item : sequence_items(service.value("ports")))
    if (auto port = parse_port(item)) state.ports.push_back(*port);

  bool host_root = std::any_of(state.host_access.begin(), state.host_access.end(),
                               [](const AuditHostAccess& a) { return a.kind == "host-root"; });
  // cap_add ALL gives every capability back, whatever cap_drop says (moby's
  // TweakCapabilities applies it first).
  const bool drops_all = state.capabilities.drop_all && !contains(state.capabilities.cap_add, "ALL") &&
                         !contains(state.capabilities.cap_add, "CAP_ALL");
  const bool controls[kAuditMaxScore] = {!state.privileged,       drops_all,
                                         state.no_new_privileges, state.read_only,
                                         !state.memory.empty(),   !state.cpus.empty(),
                                         !state.pids.empty(),     !host_root};
  state.score = 0;
  for (int i = 0; i < kAuditMaxScore; ++i) {
    state.controls[i] = controls[i];
    state.score += controls[i] ? 1 : 0;
  }
  return state;
}

FileAudit audit_text(const std::string& path, const std::string& text, const Options& options) {
  FileAudit audit;
  audit.path = path;
  RelatedFiles related(options.limits);
  Parsed before = parse(path, text, options, related);
  if (before.error) {
    audit.error = before.error;
    return audit;
  }
  std::string dir = compose_dir_of(path);
  for (const Service& service : before.compose->services) {
    ServiceAudit s;
    s.name = service.name;
    s.image = scalar_or_empty(service.value("image"));
    if (s.image.empty() && service.value("build")) {
      std::string context = scalar_or_empty(service.value("build"));
      if (context.empty()) context = scalar_or_empty(mapping_get(service.value("build"), "context"));
      s.image = "build " + (context.empty() ? std::string(".") : context);
    }
    s.before = audit_service(service, options, dir);
    s.after = s.before;
    s.notes = infer(service, options, dir).notes;
    audit.services.push_back(std::move(s));
  }

  FileResult hardened = process_text(path, text, options);
  if (hardened.error) {
    audit.after_error = hardened.error->message;
  } else if (hardened.changed) {
    Parsed after = parse(path, hardened.output, options, related);
    if (after.error) {
      audit.after_error = "the hardened text does not load: " + after.error->message;
    } else {
      for (ServiceAudit& s : audit.services)
        for (const Service& service : after.compose->services)
          if (service.name == s.name) s.after = audit_service(service, options, dir);
    }
  }
  for (const ServiceAudit& s : audit.services) {
    audit.score_before += s.before.score;
    audit.score_after += s.after.score;
    audit.score_max += kAuditMaxScore;
  }
  return audit;
}

FileAudit audit_file(const std::string& path, const Options& options) {
  auto text = read_regular_file(path, options.limits.max_bytes);
  if (auto* error = std::get_if<LoadError>(&text)) {
    FileAudit audit;
    audit.path = path;
    audit.error = *error;
    return audit;
  }
  return audit_text(path, std::get<std::string>(std::move(text)), options);
}

// ------------------------------------------------------------ describing a state

namespace {

enum class Tone { Plain, Red, Yellow, Green };

struct Cell {
  std::string text;
  Tone tone = Tone::Plain;
};

Cell user_cell(const SecurityState& s) {
  const AuditUser& u = s.user;
  switch (u.kind) {
    case UserKind::Unknown: return {"unknown (image default)", Tone::Plain};
    case UserKind::Named: return {u.name, Tone::Green};
    case UserKind::Root:
      if (u.switches) return {u.switches_to.empty() ? "root (switches user)" : "root, then " + u.switches_to, Tone::Plain};
      return {u.name == "root" ? "root" : "root (" + u.name + ")", Tone::Plain};
  }
  return {};
}

std::string capability_summary(const AuditCapabilities& c, bool privileged) {
  if (privileged) return "ALL (privileged)";
  if (c.all) return "ALL";
  if (c.effective == default_capabilities()) return "default (14)";
  if (c.effective.empty()) return "none";
  if (contains(c.cap_add, "ALL")) {
    std::vector<std::string> dropped;
    for (const std::string& cap : c.cap_drop) dropped.push_back("-" + cap);
    return "ALL " + join(dropped, " ");
  }
  if (!c.drop_all) {
    // Docker's default set with changes.
    std::vector<std::string> changes;
    for (const std::string& cap : default_capabilities())
      if (!contains(c.effective, cap)) changes.push_back("-" + cap);
    for (const std::string& cap : c.effective)
      if (!contains(default_capabilities(), cap)) changes.push_back("+" + cap);
    return "default " + join(changes, " ");
  }
  return join(c.effective, " ");
}

Cell capability_cell(const SecurityState& s) {
  const AuditCapabilities& c = s.capabilities;
  Cell cell{capability_summary(c, s.privileged)};
  bool dangerous = c.all || std::any_of(c.effective.begin(), c.effective.end(),
                                            [](const std::string& cap) { return is_dangerous_capability(cap); });
  if (!c.reach_process && !c.effective.empty()) cell.text += "; none held (non-root)";
  if (dangerous) cell.tone = Tone::Red;
  else if (c.drop_all || !c.reach_process) cell.tone = Tone::Green;
  return cell;
}

std::string path_text(const AuditPath& p) {
  if (p.type == "tmpfs") return p.path + " (tmpfs)";
  if (p.type == "image-volume") return p.path + " (image volume)";
  if (p.type == "bind") return p.path + (p.source == p.path ? " (bind)" : " (bind " + p.source + ")");
  return p.path + (p.source.empty() ? " (volume)" : " (volume " + p.source + ")");
}

Cell writable_cell(const SecurityState& s) {
  std::vector<std::string> paths;
  for (const AuditPath& p : s.writable) paths.push_back(path_text(p));
  return {paths.empty() ? "-" : join(paths, ", ")};
}

std::string access_text(const AuditHostAccess& a) {
  std::string mode = a.read_only ? " (ro)" : " (rw)";
  if (a.kind == "privileged-devices") return "all host devices (privileged)";
  if (a.kind == "host-root") return "host root at " + a.target + mode;
  if (a.kind == "docker-socket") {
    auto sockets = engine_sockets_of(a.source);
    return (sockets.empty() ? std::string("engine") : sockets.front().engine) + " socket" + mode;
  }
  if (a.kind == "socket-folder") return a.source + " at " + a.target + " with the engine socket" + mode;
  if (a.kind == "device") return "device " + a.source;
  return a.source + " at " + a.target + mode;
}

Cell host_access_cell(const SecurityState& s) {
  if (s.host_access.empty()) return {"-"};
  std::vector<std::string> items;
  bool master = false;
  for (const AuditHostAccess& a : s.host_access) {
    items.push_back(access_text(a));
    master = master || a.master_key;
  }
  return {join(items, ", "), master ? Tone::Red : Tone::Yellow};
}

Cell namespace_cell(const SecurityState& s) {
  if (s.host_namespaces.empty()) return {"own"};
  return {"host " + join(s.host_namespaces, ", "), Tone::Yellow};
}

Cell yes_no(bool value, Tone when_yes) { return value ? Cell{"yes", when_yes} : Cell{"no"}; }

Cell profiles_cell(const SecurityState& s) {
  if (s.privileged) return {"unconfined (privileged)", Tone::Red};
  std::vector<std::string> parts;
  if (s.seccomp != "default") parts.push_back("seccomp " + s.seccomp);
  if (s.apparmor != "default") parts.push_back("apparmor " + s.apparmor);
  if (s.label != "default") parts.push_back("label " + s.label);
  if (s.unconfined_systempaths) parts.push_back("systempaths unconfined");
  if (parts.empty()) return {"default"};
  bool weak = s.seccomp != "default" && s.seccomp.find("unconfined") != std::string::npos;
  weak = weak || s.apparmor == "unconfined" || s.label == "disabled" || s.unconfined_systempaths;
  return {join(parts, ", "), weak ? Tone::Yellow : Tone::Plain};
}

Cell limits_cell(const SecurityState& s) {
  if (s.memory.empty() && s.cpus.empty() && s.pids.empty()) return {"none"};
  auto part = [](const char* name, const std::string& v) { return std::string(name) + " " + (v.empty() ? "-" : v); };
  Cell cell{part("memory", s.memory) + ", " + part("cpus", s.cpus) + ", " + part("pids", s.pids)};
  if (!s.memory.empty() && !s.cpus.empty() && !s.pids.empty()) cell.tone = Tone::Green;
  return cell;
}

std::string port_text(const AuditPort& p) {
  std::string text = (p.host_ip.empty() ? "0.0.0.0" : p.host_ip) + ":" + (p.published.empty() ? "random" : p.published) +
                     "->" + p.target;
  if (p.protocol != "tcp") text += "/" + p.protocol;
  return text;
}

Cell ports_cell(const SecurityState& s) {
  std::vector<std::string> ports;
  for (const AuditPort& p : s.ports) ports.push_back(port_text(p));
  return {ports.empty() ? "-" : join(ports, ", ")};
}

Cell score_cell(int score, int max) {
  Cell cell{fmt::format("score {}/{}", score, max)};
  cell.tone = score == max ? Tone::Green : score * 2 < max ? Tone::Red : Tone::Yellow;
  return cell;
}

struct Row {
  std::string label;
  Cell before, after;
};

// The rows of one service; a row that is neutral on both sides is left out.
std::vector<Row> service_rows(const ServiceAudit& s) {
  std::vector<Row> rows;
  auto add = [&](std::string label, Cell before, Cell after, std::string_view neutral = {}) {
    if (!neutral.empty() && before.text == neutral && after.text == neutral) return;
    rows.push_back({std::move(label), std::move(before), std::move(after)});
  };
  add("user", user_cell(s.before), user_cell(s.after));
  if (s.before.privileged || s.after.privileged)
    add("privileged", yes_no(s.before.privileged, Tone::Red), yes_no(s.after.privileged, Tone::Red));
  add("capabilities", capability_cell(s.before), capability_cell(s.after));
  add("root fs", s.before.read_only ? Cell{"read-only", Tone::Green} : Cell{"writable"},
      s.after.read_only ? Cell{"read-only", Tone::Green} : Cell{"writable"});
  add("writable", writable_cell(s.before), writable_cell(s.after), "-");
  add("host access", host_access_cell(s.before), host_access_cell(s.after), "-");
  add("namespaces", namespace_cell(s.before), namespace_cell(s.after), "own");
  add("no-new-privs", yes_no(s.before.no_new_privileges, Tone::Green), yes_no(s.after.no_new_privileges, Tone::Green));
  add("profiles", profiles_cell(s.before), profiles_cell(s.after), "default");
  add("limits", limits_cell(s.before), limits_cell(s.after));
  add("ports", ports_cell(s.before), ports_cell(s.after), "-");
  return rows;
}

// ------------------------------------------------------------ text

std::string paint(const Cell& cell, bool color) {
  if (!color || cell.tone == Tone::Plain) return cell.text;
  const char* code = cell.tone == Tone::Red ? "\033[31m" : cell.tone == Tone::Yellow ? "\033[33m" : "\033[32m";
  return std::string(code) + cell.text + "\033[0m";
}

std::string bold(const std::string& text, bool color) { return color ? "\033[1m" + text + "\033[0m" : text; }

// Display width: UTF-8 continuation bytes take no column.
std::size_t width(const std::string& text) {
  std::size_t n = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::string pad(std::size_t used, std::size_t to) { return std::string(to > used ? to - used : 1, ' '); }

constexpr std::size_t kMaxBeforeWidth = 44;

}  // namespace

std::string audit_text_report(const std::vector<FileAudit>& files, bool color) {
  std::string out;
  int services = 0, score_before = 0, score_after = 0, score_max = 0, errors = 0;
  for (const FileAudit& file : files) {
    if (!out.empty()) out += "\n";
    if (file.error) {
      ++errors;
      std::string where =
          file.error->line ? fmt::format("{}:{}:{}", file.path, file.error->line, file.error->column) : file.path;
      out += fmt::format("{}: error: {}\n", where, file.error->message);
      continue;
    }
    out += bold(file.path, color) + "\n";
    if (file.services.empty()) {
      out += "  no services\n";
      continue;
    }
    std::vector<std::pair<const ServiceAudit*, std::vector<Row>>> tables;
    std::size_t label_width = std::string("  total").size(), before_width = std::string("before").size();
    for (const ServiceAudit& s : file.services) {
      tables.emplace_back(&s, service_rows(s));
      label_width = std::max(label_width, 2 + width(s.name));
      for (const Row& row : tables.back().second) {
        label_width = std::max(label_width, 4 + width(row.label));
        std::size_t w = width(row.before.text);
        if (w <= kMaxBeforeWidth) before_width = std::max(before_width, w);
      }
    }
    label_width += 2;
    before_width += 2;
    auto line = [&](const std::string& label, const Cell& before, const Cell& after, bool label_bold) {
      std::string text = (label_bold ? bold(label, color) : label) + pad(width(label), label_width);
      text += paint(before, color);
      if (width(before.text) + 1 > before_width) text += "\n" + std::string(label_width + before_width, ' ');
      else text += pad(width(before.text), before_width);
      text += paint(after, color);
      out += text + "\n";
    };
    line("", Cell{"before"}, Cell{"after"}, false);
    for (const auto& [s, rows] : tables) {
      std::string heading = "  " + s->name;
      line(heading, score_cell(s->before.score, kAuditMaxScore), score_cell(s->after.score, kAuditMaxScore), true);
      for (const Row& row : rows) {
        Cell after = row.after;
        if (after.text == row.before.text) after.text = "=";
        line("    " + row.label, row.before, after, false);
      }
      for (const std::string& note : s->notes) out += "    note: " + note + "\n";
    }
    line("  total", score_cell(file.score_before, file.score_max), score_cell(file.score_after, file.score_max), true);
    if (!file.after_error.empty()) out += "  error: hardening failed, after = before: " + file.after_error + "\n";
    services += static_cast<int>(file.services.size());
    score_before += file.score_before;
    score_after += file.score_after;
    score_max += file.score_max;
  }
  if (files.size() > 1)
    out += fmt::format("\n{} files, {} services, score {} → {} of {}{}\n", files.size(), services, score_before,
                       score_after, score_max, errors ? fmt::format(", {} errors", errors) : "");
  bool any_table = std::any_of(files.begin(), files.end(), [](const FileAudit& f) { return !f.error; });
  if (any_table)
    out += "score: baseline controls that hold (privileged off, cap_drop ALL, no-new-privileges, read_only,\n"
         "memory, cpu and pids limits, no host root bind); after: as `harden` rewrites the file by default\n";
  return out;
}

// ------------------------------------------------------------ json

namespace {


std::string json_or_null(const std::string& text) { return text.empty() ? "null" : json_quote(text); }

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + json_quote(items[i]);
  return out + "]";
}

const char* bool_text(bool b) { return b ? "true" : "false"; }

std::string json_state(const SecurityState& s, const std::string& indent) {
  std::string in = indent + "  ";
  std::string out = "{\n";
  const char* kind = s.user.kind == UserKind::Root ? "root" : s.user.kind == UserKind::Named ? "named" : "unknown";
  out += in + fmt::format("\"user\": {{\"kind\": \"{}\", \"name\": {}, \"source\": {}, \"switches_to\": {}}},\n", kind,
                          json_or_null(s.user.name), json_or_null(s.user.source),
                          s.user.switches ? json_quote(s.user.switches_to) : "null");
  out += in + fmt::format("\"privileged\": {},\n", bool_text(s.privileged));
  const AuditCapabilities& c = s.capabilities;
  out += in + fmt::format(
                  "\"capabilities\": {{\"all\": {}, \"effective\": {}, \"cap_add\": {}, \"cap_drop\": {}, "
                  "\"drop_all\": {}, \"reach_process\": {}}},\n",
                  bool_text(c.all), json_list(c.effective), json_list(c.cap_add), json_list(c.cap_drop),
                  bool_text(c.drop_all), bool_text(c.reach_process));
  out += in + fmt::format("\"root_filesystem\": \"{}\",\n", s.read_only ? "read-only" : "writable");
  out += in + "\"writable_paths\": [";
  for (std::size_t i = 0; i < s.writable.size(); ++i)
    out += (i ? ", " : "") + fmt::format("{{\"path\": {}, \"type\": \"{}\", \"source\": {}}}", json_quote(s.writable[i].path),
                                         s.writable[i].type, json_or_null(s.writable[i].source));
  out += "],\n";
  out += in + "\"host_access\": [";
  for (std::size_t i = 0; i < s.host_access.size(); ++i) {
    const AuditHostAccess& a = s.host_access[i];
    out += (i ? ", " : "") + fmt::format("{{\"kind\": \"{}\", \"source\": {}, \"target\": {}, \"read_only\": {}, "
                                         "\"master_key\": {}}}",
                                         a.kind, json_quote(a.source), json_quote(a.target), bool_text(a.read_only),
                                         bool_text(a.master_key));
  }
  out += "],\n";
  out += in + "\"host_namespaces\": " + json_list(s.host_namespaces) + ",\n";
  out += in + fmt::format("\"no_new_privileges\": {},\n", bool_text(s.no_new_privileges));
  out += in + fmt::format("\"security_opt\": {{\"seccomp\": {}, \"apparmor\": {}, \"label\": {}, \"systempaths\": \"{}\"}},\n",
                          json_quote(s.seccomp), json_quote(s.apparmor), json_quote(s.label),
                          s.unconfined_systempaths ? "unconfined" : "default");
  out += in + fmt::format("\"limits\": {{\"memory\": {}, \"cpus\": {}, \"pids\": {}}},\n", json_or_null(s.memory),
                          json_or_null(s.cpus), json_or_null(s.pids));
  out += in + "\"ports\": [";
  for (std::size_t i = 0; i < s.ports.size(); ++i) {
    const AuditPort& p = s.ports[i];
    out += (i ? ", " : "") + fmt::format("{{\"host_ip\": {}, \"published\": {}, \"target\": {}, \"protocol\": {}}}",
                                         json_or_null(p.host_ip), json_or_null(p.published), json_quote(p.target),
                                         json_quote(p.protocol));
  }
  out += "],\n";
  out += in + "\"controls\": {";
  for (int i = 0; i < kAuditMaxScore; ++i)
    out += fmt::format("{}\"{}\": {}", i ? ", " : "", kAuditControls[i], bool_text(s.controls[i]));
  out += "},\n";
  out += in + fmt::format("\"score\": {}\n", s.score);
  return out + indent + "}";
}

}  // namespace

std::string audit_json_report(const std::vector<FileAudit>& files) {
  std::string out = "{\"version\": 1,\n \"files\": [";
  int services = 0, errors = 0, before = 0, after = 0, max = 0;
  for (std::size_t f = 0; f < files.size(); ++f) {
    const FileAudit& file = files[f];
    out += f ? ",\n  " : "\n  ";
    out += "{\"path\": " + json_quote(file.path) + ",\n   \"error\": ";
    if (file.error) {
      ++errors;
      out += fmt::format("{{\"message\": {}, \"line\": {}, \"column\": {}}}", json_quote(file.error->message),
                         file.error->line, file.error->column);
    } else if (!file.after_error.empty()) {
      ++errors;
      out += fmt::format("{{\"message\": {}, \"line\": 0, \"column\": 0}}", json_quote("hardening failed: " + file.after_error));
    } else {
      out += "null";
    }
    out += ",\n   \"services\": [";
    for (std::size_t i = 0; i < file.services.size(); ++i) {
      const ServiceAudit& s = file.services[i];
      out += i ? ",\n    " : "\n    ";
      out += fmt::format("{{\"name\": {}, \"image\": {},\n     \"score\": {{\"before\": {}, \"after\": {}, \"max\": {}}},\n",
                         json_quote(s.name), json_or_null(s.image), s.before.score, s.after.score, kAuditMaxScore);
      out += "     \"notes\": " + json_list(s.notes) + ",\n";
      out += "     \"before\": " + json_state(s.before, "     ") + ",\n";
      out += "     \"after\": " + json_state(s.after, "     ") + "}";
    }
    out += file.services.empty() ? "]" : "\n   ]";
    out += fmt::format(",\n   \"score\": {{\"before\": {}, \"after\": {}, \"max\": {}}}}}", file.score_before,
                       file.score_after, file.score_max);
    services += static_cast<int>(file.services.size());
    before += file.score_before;
    after += file.score_after;
    max += file.score_max;
  }
  out += files.empty() ? "]" : "\n ]";
  out += fmt::format(
      ",\n \"summary\": {{\"files\": {}, \"services\": {}, \"errors\": {}, \"score\": {{\"before\": {}, \"after\": {}, "
      "\"max\": {}}}}}}}\n",
      files.size(), services, errors, before, after, max);
  return out;
}

// ------------------------------------------------------------ markdown

namespace {

std::string md_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|' || c == '*' || c == '<' || c == '`') out += '\\';
    out += c;
  }
  return out;
}

std::string md_change(const Cell& before, const Cell& after) {
  auto shown = [](const std::string& text) { return md_escape(text == "-" ? std::string("none") : text); };
  if (before.text == after.text) return shown(before.text);
  return shown(before.text) + " → **" + shown(after.text) + "**";
}

}  // namespace

std::string audit_markdown_report(const std::vector<FileAudit>& files) {
  std::string out = "## harden audit\n\n";
  out += "What each container may do now, and after `harden` with the default options. Score: baseline controls "
         "that hold, of 8 (privileged off, `cap_drop: [ALL]`, no-new-privileges, `read_only`, memory, cpu and pids "
         "limits, no host root bind).\n";
  for (const FileAudit& file : files) {
    out += "\n### `" + file.path + "`";
    if (file.error) {
      out += "\n\n:x: " + md_escape(file.error->message) +
             (file.error->line ? fmt::format(" (line {}, column {})", file.error->line, file.error->column) : "") + "\n";
      continue;
    }
    out += fmt::format(" — score {}/{} → **{}/{}**\n\n", file.score_before, file.score_max, file.score_after,
                       file.score_max);
    if (!file.after_error.empty()) out += ":x: hardening failed: " + md_escape(file.after_error) + "\n\n";
    if (file.services.empty()) {
      out += "No services.\n";
      continue;
    }
    out += "| service | score | user | capabilities | root fs | no-new-privileges | host access | namespaces | "
           "limits | ports |\n";
    out += "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (const ServiceAudit& s : file.services) {
      auto rofs = [](const SecurityState& st) { return Cell{st.read_only ? "read-only" : "writable"}; };
      auto nnp = [](const SecurityState& st) { return Cell{st.no_new_privileges ? "yes" : "no"}; };
      out += "| `" + s.name + "` | " +
             md_change(Cell{fmt::format("{}/8", s.before.score)}, Cell{fmt::format("{}/8", s.after.score)}) + " | " +
             md_change(user_cell(s.before), user_cell(s.after)) + " | " +
             md_change(capability_cell(s.before), capability_cell(s.after)) + " | " +
             md_change(rofs(s.before), rofs(s.after)) + " | " + md_change(nnp(s.before), nnp(s.after)) + " | " +
             md_change(host_access_cell(s.before), host_access_cell(s.after)) + " | " +
             md_change(namespace_cell(s.before), namespace_cell(s.after)) + " | " +
             md_change(limits_cell(s.before), limits_cell(s.after)) + " | " +
             md_change(ports_cell(s.before), ports_cell(s.after)) + " |\n";
    }
    bool any_note = false;
    for (const ServiceAudit& s : file.services)
      for (const std::string& note : s.notes) {
        if (!any_note) out += "\n";
        any_note = true;
        out += "- `" + s.name + "`: " + md_escape(note) + "\n";
      }
  }
  return out;
}

// ------------------------------------------------------------ command line

namespace {

constexpr const char* kAuditUsage =
    "usage: harden audit [--format text|json|markdown] [--color auto|always|never] [--glob PATTERN] [--no-ignore] "
    "[PATH ...]\n\n"
    "Per service: what a container may do as the file stands (before) and once hardened with the default\n"
    "options (after). PATH is a file, a folder (searched for compose files) or - (stdin); default: the\n"
    "compose file of the current folder. Exit code 0, or 2 on errors.\n";

}  // namespace

int run_audit(int argc, char** argv) {
  std::string format = "text", color = "auto";
  std::vector<std::string> paths;
  DiscoveryOptions discovery;
  bool options_done = false;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const std::string& name, std::string& into) -> int {
      if (arg == name) {
        if (i + 1 >= argc) {
          fmt::print(stderr, "harden audit: {} needs a value\n", name);
          return 2;
        }
        into = argv[++i];
        return 1;
      }
      if (arg.starts_with(name + "=")) {
        into = arg.substr(name.size() + 1);
        return 1;
      }
      return 0;
    };
    if (options_done || arg == "-" || !arg.starts_with("-")) {
      paths.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      fmt::print("{}", kAuditUsage);
      return 0;
    }
    if (arg == "--no-ignore") {
      discovery.respect_gitignore = false;
      continue;
    }
    std::string glob;
    int r = value("--format", format);
    if (!r) r = value("--color", color);
    if (!r && (r = value("--glob", glob)) == 1) discovery.extra_globs.push_back(glob);
    if (r == 2) return 2;
    if (r == 0) {
      fmt::print(stderr, "harden audit: unknown option {}\n{}", arg, kAuditUsage);
      return 2;
    }
  }
  if (format != "text" && format != "json" && format != "markdown") {
    fmt::print(stderr, "harden audit: --format must be text, json or markdown, not '{}'\n", format);
    return 2;
  }
  if (color != "auto" && color != "always" && color != "never") {
    fmt::print(stderr, "harden audit: --color must be auto, always or never, not '{}'\n", color);
    return 2;
  }
  bool use_color = color == "always" ||
                   (color == "auto" && !(std::getenv("NO_COLOR") && *std::getenv("NO_COLOR")) && ::isatty(STDOUT_FILENO));

  Options options;
  std::vector<FileAudit> audits;
  bool any_error = false;
  if (paths.size() == 1 && paths[0] == "-") {
    std::ostringstream text;
    text << std::cin.rdbuf();
    audits.push_back(audit_text("-", text.str(), options));
  } else {
    DiscoveryResult found = discover(paths, discovery);
    for (const std::string& problem : found.errors) fmt::print(stderr, "harden: {}\n", problem);
    any_error = !found.errors.empty();
    if (found.files.empty()) {
      if (found.errors.empty()) fmt::print(stderr, "harden: no compose file found\n");
      return 2;
    }
    for (const std::string& file : found.files) audits.push_back(audit_file(file, options));
  }
  for (const FileAudit& audit : audits) {
    if (audit.error) {
      any_error = true;
      if (format != "text")
        fmt::print(stderr, "{}: error: {}\n",
                   audit.error->line ? fmt::format("{}:{}:{}", audit.path, audit.error->line, audit.error->column)
                                     : audit.path,
                   audit.error->message);
    } else if (!audit.after_error.empty()) {
      any_error = true;
      if (format != "text") fmt::print(stderr, "{}: error: hardening failed: {}\n", audit.path, audit.after_error);
    }
  }
  if (format == "json") std::cout << audit_json_report(audits);
  else if (format == "markdown") std::cout << audit_markdown_report(audits);
  else std::cout << audit_text_report(audits, use_color);
  std::cout.flush();
  return any_error ? 2 : 0;
}

}  // namespace harden

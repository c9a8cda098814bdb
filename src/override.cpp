// --to-override: see include/harden/override.h.
#include "harden/override.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include "harden/atomic_write.h"
#include "harden/diff.h"
#include "harden/text.h"
#include "harden/verify.h"

namespace harden {
namespace fs = std::filesystem;

namespace {

// ---- values as Compose sees them: aliases and merge keys resolved ----------

struct Resolver {
  std::map<std::string, Value> anchors;  // resolved, by name (latest wins)
  std::size_t budget = 2'000'000;

  Value resolve(const Value& v) {
    if (budget == 0) throw std::length_error("alias expansion");
    --budget;
    Value out;
    switch (v.kind) {
      case Value::Kind::Alias: {
        auto it = anchors.find(v.text);
        if (it == anchors.end()) throw std::runtime_error("alias *" + v.text + " to an unknown anchor");
        charge(it->second);
        return it->second;
      }
      case Value::Kind::Null:
      case Value::Kind::Scalar:
        out = v;
        break;
      case Value::Kind::Sequence:
        out.kind = Value::Kind::Sequence;
        for (const Value& item : v.items) out.items.push_back(resolve(item));
        break;
      case Value::Kind::Mapping: {
        out.kind = Value::Kind::Mapping;
        std::vector<std::pair<Value, Value>> own;
        std::vector<Value> merged;  // in priority order
        for (const auto& [key, value] : v.entries) {
          if (key.kind == Value::Kind::Scalar && key.tag == "?" && key.text == "<<") {
            Value m = resolve(value);
            if (m.kind == Value::Kind::Mapping) merged.push_back(std::move(m));
            else if (m.kind == Value::Kind::Sequence)
              for (Value& item : m.items)
                if (item.kind == Value::Kind::Mapping) merged.push_back(std::move(item));
            continue;
          }
          own.emplace_back(resolve(key), resolve(value));
        }
        // Own keys win over merged ones; earlier merged mappings win over later.
        std::set<std::string> seen;
        for (const auto& [key, value] : own)
          if (key.kind == Value::Kind::Scalar) seen.insert(key.text);
        std::vector<std::pair<Value, Value>> from_merge;
        for (const Value& m : merged)
          for (const auto& [key, value] : m.entries)
            if (key.kind != Value::Kind::Scalar || seen.insert(key.text).second) from_merge.emplace_back(key, value);
        out.entries = std::move(from_merge);
        for (auto& e : own) out.entries.push_back(std::move(e));
        break;
      }
    }
    out.anchor.clear();
    if (!v.anchor.empty()) anchors[v.anchor] = out;
    return out;
  }

  void charge(const Value& v) {
    std::size_t n = count(v);
    if (n > budget) throw std::length_error("alias expansion");
    budget -= n;
  }
  static std::size_t count(const Value& v) {
    std::size_t n = 1;
    for (const auto& [k, x] : v.entries) n += count(k) + count(x);
    for (const Value& x : v.items) n += count(x);
    return n;
  }
};

// Scalars compare by text and by plain/non-plain: `true` and "true" differ.
bool same(const Value& a, const Value& b) { return a == b; }

// The multiset difference after - before, when before is contained in after.
std::optional<std::vector<Value>> added_items(const std::vector<Value>& before, const std::vector<Value>& after) {
  std::vector<bool> used(after.size(), false);
  for (const Value& b : before) {
    bool found = false;
    for (std::size_t i = 0; i < after.size(); ++i)
      if (!used[i] && same(after[i], b)) {
        used[i] = found = true;
        break;
      }
    if (!found) return std::nullopt;
  }
  std::vector<Value> added;
  for (std::size_t i = 0; i < after.size(); ++i)
    if (!used[i]) added.push_back(after[i]);
  return added;
}

bool is_key(const Value& key, std::string_view name) { return key.kind == Value::Kind::Scalar && key.text == name; }

Value tagged(Value v, std::string tag) {
  v.tag = std::move(tag);
  return v;
}

Value reset_of(const Value& removed) {
  Value v;
  v.kind = removed.kind == Value::Kind::Sequence  ? Value::Kind::Sequence
           : removed.kind == Value::Kind::Mapping ? Value::Kind::Mapping
                                                  : Value::Kind::Null;
  v.tag = "!reset";
  return v;
}

// Keys whose sequences Compose replaces instead of appending.
bool replaced_on_merge(const std::vector<std::string>& path, const Value& key) {
  if (path.size() == 2 && path[0] == "services")
    return is_key(key, "command") || is_key(key, "entrypoint");
  if (path.size() == 3 && path[0] == "services" && path[2] == "healthcheck") return is_key(key, "test");
  return false;
}

// The override mapping that turns `before` into `after` (both mappings).
Value diff_mapping(const Value& before, const Value& after, std::vector<std::string>& path) {
  Value out;
  out.kind = Value::Kind::Mapping;
  auto find_before = [&](const Value& key) -> const Value* {
    for (auto it = before.entries.rbegin(); it != before.entries.rend(); ++it)
      if (it->first == key) return &it->second;
    return nullptr;
  };
  auto in_after = [&](const Value& key) {
    for (const auto& e : after.entries)
      if (e.first == key) return true;
    return false;
  };
  // Removals first where they were, then changes in the hardened order.
  std::vector<std::pair<Value, Value>> removals;
  for (const auto& [key, value] : before.entries) {
    if (in_after(key)) continue;
    if (path.size() == 2 && path[0] == "services" && is_key(key, "privileged"))
      removals.emplace_back(key, Value::plain("false"));
    else
      removals.emplace_back(key, reset_of(value));
  }
  for (const auto& [key, a] : after.entries) {
    const Value* b = find_before(key);
    if (!b) {
      out.entries.emplace_back(key, a);
      continue;
    }
    if (same(*b, a)) continue;
    if (b->kind == Value::Kind::Mapping && a.kind == Value::Kind::Mapping && key.kind == Value::Kind::Scalar) {
      path.push_back(key.text);
      Value sub = diff_mapping(*b, a, path);
      path.pop_back();
      if (!sub.entries.empty()) out.entries.emplace_back(key, std::move(sub));
      continue;
    }
    if (b->kind == Value::Kind::Sequence && a.kind == Value::Kind::Sequence) {
      if (replaced_on_merge(path, key)) {
        out.entries.emplace_back(key, a);
        continue;
      }
      if (auto added = added_items(b->items, a.items)) {
        out.entries.emplace_back(key, Value::sequence(std::move(*added)));
        continue;
      }
      out.entries.emplace_back(key, tagged(a, "!override"));
      continue;
    }
    if (a.kind == Value::Kind::Scalar || a.kind == Value::Kind::Null) {
      if (b->kind == Value::Kind::Scalar || b->kind == Value::Kind::Null) {
        out.entries.emplace_back(key, a);
        continue;
      }
    }
    // A change of kind: the new value replaces the old one.
    out.entries.emplace_back(key, tagged(a, "!override"));
  }
  for (auto& r : removals) out.entries.push_back(std::move(r));
  return out;
}

// ---- writing YAML -----------------------------------------------------------

bool plain_safe(std::string_view s) {
  if (s.empty()) return false;
  if (find_line_break(s) != std::string_view::npos) return false;
  if (s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t') return false;
  static constexpr std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@`";
  if (kIndicators.find(s.front()) != std::string_view::npos) {
    // `-x`, `?x`, `:x` are fine when followed by a non-space.
    if (!((s.front() == '-' || s.front() == '?' || s.front() == ':') && s.size() > 1 && s[1] != ' ')) return false;
  }
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) return false;
  if (s.back() == ':') return false;
  for (unsigned char c : s)
    if (c < 0x20 && c != '\t') return false;
  return true;
}

std::string double_quoted(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string tag_text(const std::string& tag) {
  if (tag.empty() || tag == "?" || tag == "!") return "";
  if (tag == "!override" || tag == "!reset") return tag;
  if (tag.rfind("tag:yaml.org,2002:", 0) == 0) return "!!" + tag.substr(18);
  if (tag.front() == '!' && tag.find_first_of(" ,[]{}") == std::string::npos) return tag;
  return "!<" + tag + ">";
}

std::string scalar_text(const Value& v) {
  std::string tag = tag_text(v.tag);
  std::string body = v.tag == "?" && plain_safe(v.text) ? v.text : double_quoted(v.text);
  return tag.empty() ? body : tag + " " + body;
}

// A value that fits on the line of its key or `-`: scalars, null, empty
// collections.
std::optional<std::string> inline_text(const Value& v) {
  std::string tag = tag_text(v.tag);
  auto with_tag = [&](std::string body) { return tag.empty() ? body : tag + " " + body; };
  switch (v.kind) {
    case Value::Kind::Scalar: return scalar_text(v);
    case Value::Kind::Null: return tag.empty() ? std::string("null") : tag + " null";
    case Value::Kind::Alias: return "*" + v.text;
    case Value::Kind::Sequence: if (v.items.empty()) return with_tag("[]"); break;
    case Value::Kind::Mapping: if (v.entries.empty()) return with_tag("{}"); break;
  }
  return std::nullopt;
}

void emit_block(std::string& out, const Value& v, int indent);

// `prefix` starts the first line (a key with its colon, or `-`).
void emit_entry(std::string& out, const std::string& prefix, const Value& v, int indent) {
  if (auto text = inline_text(v)) {
    out += prefix + " " + *text + "\n";
    return;
  }
  std::string tag = tag_text(v.tag);
  out += prefix + (tag.empty() ? "" : " " + tag) + "\n";
  emit_block(out, v, indent);
}

void emit_block(std::string& out, const Value& v, int indent) {
  std::string pad(static_cast<std::size_t>(indent), ' ');
  if (v.kind == Value::Kind::Mapping) {
    for (const auto& [key, value] : v.entries) {
      std::string k = key.kind == Value::Kind::Scalar ? scalar_text(key) : double_quoted(key.text);
      emit_entry(out, pad + k + ":", value, indent + 2);
    }
  } else if (v.kind == Value::Kind::Sequence) {
    for (const Value& item : v.items) {
      if (inline_text(item) || !tag_text(item.tag).empty()) {
        emit_entry(out, pad + "-", item, indent + 2);
        continue;
      }
      // A collection in a sequence: its first line after `- `.
      std::string inner;
      emit_block(inner, item, indent + 2);
      out += pad + "- " + inner.substr(static_cast<std::size_t>(indent) + 2);
    }
  }
}

std::string header(const std::string& base_name) {
  std::string h(kOverrideMarker);
  h += " from " + base_name + ".\n";
  h += "# Docker Compose merges it over " + base_name +
       ": it holds only the least-privilege settings that\n"
       "# harden would write into that file (`!override` and `!reset` need Compose 2.24+).\n"
       "# Regenerate it instead of editing it; opt out in " + base_name + " (`# harden: ignore[...]`).\n";
  return h;
}

}  // namespace

OverrideResult build_override(std::string_view base_text, std::string_view hardened_text,
                              const std::string& base_name) {
  OverrideResult result;
  ParsedValues before = parse_values(base_text);
  ParsedValues after = parse_values(hardened_text);
  if (before.error || after.error) {
    result.error = "cannot read " + std::string(before.error ? "the base file: " + before.error->message
                                                             : "the hardened file: " + after.error->message);
    return result;
  }
  if (before.documents.size() != 1 || after.documents.size() != 1) {
    result.error = "an override can be written for a single-document file only";
    return result;
  }
  Value b, a;
  try {
    b = Resolver().resolve(before.documents[0]);
    a = Resolver().resolve(after.documents[0]);
  } catch (const std::exception& e) {
    result.error = std::string("cannot resolve the file's aliases: ") + e.what();
    return result;
  }
  if (b.kind != Value::Kind::Mapping || a.kind != Value::Kind::Mapping) {
    result.error = "the file is not a mapping";
    return result;
  }

  Value root;
  root.kind = Value::Kind::Mapping;
  std::vector<std::string> path;
  // Top-level keys other than services: only what is added or changed
  // (networks for the services, ...). `version` is obsolete and `x-` fields
  // and `name` do not carry over to the services of another file.
  Value top_before, top_after;
  top_before.kind = top_after.kind = Value::Kind::Mapping;
  auto skipped = [](const Value& key) {
    return key.kind != Value::Kind::Scalar || key.text == "services" || key.text == "version" ||
           key.text == "name" || key.text.rfind("x-", 0) == 0;
  };
  for (const auto& e : b.entries)
    if (!skipped(e.first)) top_before.entries.push_back(e);
  for (const auto& e : a.entries)
    if (!skipped(e.first)) top_after.entries.push_back(e);

  const Value* sb = b.get("services");
  const Value* sa = a.get("services");
  if (sa && sa->kind == Value::Kind::Mapping) {
    Value services;
    services.kind = Value::Kind::Mapping;
    path = {"services", ""};
    for (const auto& [name, svc] : sa->entries) {
      if (name.kind != Value::Kind::Scalar) continue;
      const Value* old = sb && sb->kind == Value::Kind::Mapping ? sb->get(name.text) : nullptr;
      path[1] = name.text;
      if (!old) {
        services.entries.emplace_back(name, svc);
        continue;
      }
      if (old->kind != Value::Kind::Mapping || svc.kind != Value::Kind::Mapping) {
        if (!same(*old, svc)) services.entries.emplace_back(name, tagged(svc, "!override"));
        continue;
      }
      Value d = diff_mapping(*old, svc, path);
      if (!d.entries.empty()) services.entries.emplace_back(name, std::move(d));
    }
    if (!services.entries.empty()) root.entries.emplace_back(Value::plain("services"), std::move(services));
  }
  path.clear();
  Value top = diff_mapping(top_before, top_after, path);
  for (auto& e : top.entries) {
    if (e.second.tag == "!reset") continue;  // a top-level key removed: nothing a service needs
    root.entries.push_back(std::move(e));
  }

  if (root.entries.empty()) return result;
  result.empty = false;
  result.text = header(base_name);
  emit_block(result.text, root, 0);
  return result;
}

OverrideResult build_override(const FileResult& hardened) {
  return build_override(hardened.original, hardened.output, fs::path(hardened.path).filename().string());
}

OverrideResult build_override(const FileResult& hardened, const Document& base) {
  return build_override(base.text, hardened.output, fs::path(hardened.path).filename().string());
}

std::string default_override_path(const std::string& base_path) {
  fs::path dir = fs::path(base_path).parent_path();
  return (dir / "compose.override.yaml").string();
}

namespace {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

std::string normal(const std::string& path) { return fs::path(path).lexically_normal().string(); }

// Creates the file (mode 0644 less the umask) when it does not exist, then
// writes it atomically.
std::optional<std::string> write_new_or_existing(const std::string& path, const std::string& text, bool exists) {
  if (!exists) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) return std::string("cannot create the file: ") + std::strerror(errno);
    ::close(fd);
  }
  return write_atomically(path, text);
}

}  // namespace

int run_to_override(const std::vector<FileResult>& results, const OverrideRunOptions& options, std::ostream& out,
                    std::ostream& err) {
  bool named_path = options.file.find('/') != std::string::npos;
  std::vector<const FileResult*> bases;
  for (const FileResult& r : results)
    if (!r.error) bases.push_back(&r);
  auto target_of = [&](const FileResult& r) {
    if (options.file.empty()) return normal(default_override_path(r.path));
    if (named_path) return normal(options.file);
    return normal((fs::path(r.path).parent_path() / options.file).string());
  };
  // An override file of this run is not itself a base.
  // (A base that names itself as its target is kept: that is an error below.)
  std::map<std::string, std::set<std::string>> sources;  // target -> the bases writing it
  for (const FileResult* r : bases) sources[target_of(*r)].insert(normal(r->path));
  std::vector<const FileResult*> todo;
  for (const FileResult* r : bases) {
    auto it = sources.find(normal(r->path));
    bool target_of_another = it != sources.end() && (it->second.size() > 1 || !it->second.count(normal(r->path)));
    if (!target_of_another) todo.push_back(r);
  }
  if (named_path && todo.size() > 1) {
    err << "harden: --to-override " << options.file << " names one file, but " << todo.size()
        << " compose files were found; give a bare file name to write one beside each\n";
    return 2;
  }

  int code = 0;
  for (const FileResult* r : todo) {
    std::string target = target_of(*r);
    if (normal(r->path) == target) {
      err << "harden: " << r->path << ": error: the override file cannot be the base file itself"
          << " (to name the base, put it before the option or write --to-override=FILE)\n";
      code = 2;
      continue;
    }
    OverrideResult o = build_override(*r);
    if (o.error) {
      err << "harden: " << r->path << ": error: --to-override: " << *o.error << "\n";
      code = 2;
      continue;
    }
    std::string existing;
    bool exists = fs::exists(target);
    if (exists && !read_file(target, existing)) {
      err << "harden: " << target << ": error: cannot read the existing override file\n";
      code = 2;
      continue;
    }
    if (exists && existing.rfind(kOverrideMarker, 0) != 0 && existing != o.text) {
      err << "harden: " << target << ": error: exists and was not written by harden; not replaced"
          << " (choose another --to-override name, or merge it by hand)\n";
      code = 2;
      continue;
    }
    if (o.empty) {
      if (!options.quiet && options.mode != OverrideMode::Print)
        err << "harden: " << r->path << ": nothing to override\n";
      continue;
    }
    bool differs = !exists || existing != o.text;
    switch (options.mode) {
      case OverrideMode::Print: out << o.text; break;
      case OverrideMode::Diff:
        if (differs) out << unified_diff(existing, o.text, patch_path(target), 3, options.color);
        if (differs) code = std::max(code, 1);
        break;
      case OverrideMode::Check:
        if (differs) {
          if (!options.quiet) err << "harden: would write " << target << " (hardening of " << r->path << ")\n";
          code = std::max(code, 1);
        }
        break;
      case OverrideMode::Write:
        if (!differs) break;
        if (auto problem = write_new_or_existing(target, o.text, exists)) {
          err << "harden: " << target << ": error: not written: " << *problem << "\n";
          code = 2;
        } else if (!options.quiet) {
          err << "harden: wrote " << target << " (hardening of " << r->path << ")\n";
        }
        break;
    }
  }
  return code;
}

}  // namespace harden

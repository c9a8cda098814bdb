// The SARIF 2.1.0 report (SPEC §6), for GitHub code scanning and other
// SARIF consumers. Columns and fix offsets count Unicode code points
// (columnKind unicodeCodePoints); the pipeline's are byte offsets into the
// input, converted here.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "harden/report.h"
#include "harden/rule.h"

namespace harden {
namespace {

// A small ordered JSON tree, printed with two-space indentation.
struct Json {
  enum class Kind { Null, Bool, Int, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string string;
  std::vector<Json> array;
  // An object's members in order: keys[i] names values[i]. (A vector of
  // pair<string, Json> would need Json complete inside its own definition,
  // which clang's library checks refuse.)
  std::vector<std::string> keys;
  std::vector<Json> values;

  static Json of(Kind k) {
    Json j;
    j.kind = k;
    return j;
  }
  static Json obj() { return of(Kind::Object); }
  static Json arr() { return of(Kind::Array); }
  static Json str(std::string s) {
    Json j = of(Kind::String);
    j.string = std::move(s);
    return j;
  }
  static Json num(std::int64_t n) {
    Json j = of(Kind::Int);
    j.integer = n;
    return j;
  }
  static Json flag(bool b) {
    Json j = of(Kind::Bool);
    j.boolean = b;
    return j;
  }

  Json& set(std::string key, Json value) {
    keys.push_back(std::move(key));
    values.push_back(std::move(value));
    return *this;
  }
  Json& set(std::string key, std::string value) { return set(std::move(key), str(std::move(value))); }
  Json& set(std::string key, const char* value) { return set(std::move(key), str(value)); }
  Json& push(Json value) {
    array.push_back(std::move(value));
    return *this;
  }
};


void print(std::string& out, const Json& j, int indent) {
  auto newline = [&](int level) {
    out += '\n';
    out.append(static_cast<std::size_t>(level) * 2, ' ');
  };
  switch (j.kind) {
    case Json::Kind::Null: out += "null"; break;
    case Json::Kind::Bool: out += j.boolean ? "true" : "false"; break;
    case Json::Kind::Int: out += std::to_string(j.integer); break;
    case Json::Kind::String: out += json_quote(j.string); break;
    case Json::Kind::Array:
      if (j.array.empty()) {
        out += "[]";
        break;
      }
      out += '[';
      for (std::size_t i = 0; i < j.array.size(); ++i) {
        if (i) out += ',';
        newline(indent + 1);
        print(out, j.array[i], indent + 1);
      }
      newline(indent);
      out += ']';
      break;
    case Json::Kind::Object:
      if (j.keys.empty()) {
        out += "{}";
        break;
      }
      out += '{';
      for (std::size_t i = 0; i < j.keys.size(); ++i) {
        if (i) out += ',';
        newline(indent + 1);
        out += json_quote(j.keys[i]);
        out += ": ";
        print(out, j.values[i], indent + 1);
      }
      newline(indent);
      out += '}';
      break;
  }
}

// Code points in text[begin, end) (UTF-8; the loader rejects invalid UTF-8).
std::int64_t code_points(std::string_view text, std::size_t begin, std::size_t end) {
  end = std::min(end, text.size());
  std::int64_t n = 0;
  for (std::size_t i = begin; i < end; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
  return n;
}

// A relative path as a URI reference: '/' separated, reserved bytes
// percent-encoded; an absolute path becomes a file:// URI.
std::string to_uri(std::string path) {
  while (path.rfind("./", 0) == 0) path.erase(0, 2);
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  if (!path.empty() && path[0] == '/') out = "file://" + out;
  return out;
}

const char* level_of(const RuleInfo& rule) { return rule.profile == Profile::Baseline ? "error" : "warning"; }

const char* safety_of(const RuleInfo& rule) {
  return !rule.has_fix ? "none" : rule.safety == FixSafety::Safe ? "safe" : "unsafe";
}

Json physical_location(const FileResult& r, int line, int column) {
  Json region = Json::obj();
  region.set("startLine", Json::num(std::max(1, line)));
  if (column > 0) region.set("startColumn", Json::num(column));
  Json physical = Json::obj();
  physical.set("artifactLocation", Json::obj().set("uri", to_uri(r.path)));
  physical.set("region", std::move(region));
  return Json::obj().set("physicalLocation", std::move(physical));
}

// The finding's column in code points (the pipeline's counts bytes).
int code_point_column(const FileResult& r, const Finding& f) {
  std::string_view text = r.original;
  if (f.offset > text.size()) return f.column;
  std::size_t line_start = f.offset == 0 ? std::string_view::npos : text.rfind('\n', f.offset - 1);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  return static_cast<int>(code_points(text, line_start, f.offset)) + 1;
}

Json rule_descriptor(const RuleInfo& rule) {
  std::string why = explain_section(rule.explain, "Why it matters");
  Json d = Json::obj();
  d.set("id", std::string(rule.code));
  d.set("name", std::string(rule.name));
  d.set("shortDescription", Json::obj().set("text", std::string(rule.summary)));
  d.set("fullDescription", Json::obj().set("text", why.empty() ? std::string(rule.summary) : why));
  d.set("help", Json::obj().set("text", rule.explain.empty() ? std::string(rule.summary) : std::string(rule.explain)));
  d.set("defaultConfiguration", Json::obj().set("level", level_of(rule)));
  Json tags = Json::arr();
  tags.push(Json::str("security"));
  tags.push(Json::str(rule.profile == Profile::Baseline ? "baseline" : "strict"));
  Json props = Json::obj();
  props.set("tags", std::move(tags));
  props.set("fix", safety_of(rule));
  d.set("properties", std::move(props));
  return d;
}

}  // namespace

std::string sarif_report(const std::vector<FileResult>& results, const RunSummary& summary) {
  const auto& rules = all_rules();
  auto rule_index = [&](const RuleInfo* info) -> std::int64_t {
    for (std::size_t i = 0; i < rules.size(); ++i)
      if (&rules[i]->info() == info || rules[i]->info().code == info->code) return static_cast<std::int64_t>(i);
    return -1;
  };

  Json driver = Json::obj();
  driver.set("name", "harden");
  driver.set("version", kReportToolVersion);
  driver.set("semanticVersion", kReportToolVersion);
  Json descriptors = Json::arr();
  for (const auto& rule : rules) descriptors.push(rule_descriptor(rule->info()));
  driver.set("rules", std::move(descriptors));

  Json out_results = Json::arr();
  Json notifications = Json::arr();
  for (const FileResult& r : results) {
    if (r.error) {
      Json n = Json::obj();
      n.set("level", "error");
      n.set("message", Json::obj().set("text", r.error->message));
      Json locations = Json::arr();
      locations.push(physical_location(r, r.error->line, r.error->column));
      n.set("locations", std::move(locations));
      notifications.push(std::move(n));
      continue;
    }
    for (const std::string& note : r.notes) {
      Json n = Json::obj();
      n.set("level", "note");
      n.set("message", Json::obj().set("text", note));
      Json locations = Json::arr();
      locations.push(physical_location(r, 1, 0));
      n.set("locations", std::move(locations));
      notifications.push(std::move(n));
    }
    for (const Finding& f : r.findings) {
      if (!f.rule) continue;
      const RuleInfo& rule = *f.rule;
      Json result = Json::obj();
      result.set("ruleId", std::string(rule.code));
      if (std::int64_t index = rule_index(f.rule); index >= 0) result.set("ruleIndex", Json::num(index));
      result.set("level", level_of(rule));
      std::string text = (f.service.empty() ? "" : "service '" + f.service + "': ") + f.message;
      if (f.fixed) text += " (harden fixes this)";
      else if (!f.waived && !f.not_fixed.empty()) text += " (not fixed: " + f.not_fixed + ")";
      result.set("message", Json::obj().set("text", text));
      Json locations = Json::arr();
      locations.push(physical_location(r, f.line, code_point_column(r, f)));
      result.set("locations", std::move(locations));

      if (f.fix && !f.waived && !f.fix->edits.empty()) {
        // In order, one replacement per region: insertions at the same
        // offset (kept in their order) join the edit that follows them.
        std::vector<Edit> edits = f.fix->edits;
        std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
          if (a.begin != b.begin) return a.begin < b.begin;
          return a.is_insertion() && !b.is_insertion();  // as apply_edits orders them
        });
        std::vector<Edit> merged;
        for (const Edit& e : edits) {
          if (!merged.empty() && merged.back().is_insertion() && merged.back().begin == e.begin) {
            merged.back().end = e.end;
            merged.back().text += e.text;
          } else {
            merged.push_back(e);
          }
        }
        Json replacements = Json::arr();
        for (const Edit& e : merged) {
          Json deleted = Json::obj();
          deleted.set("charOffset", Json::num(code_points(r.original, 0, e.begin)));
          deleted.set("charLength", Json::num(code_points(r.original, e.begin, e.end)));
          Json replacement = Json::obj();
          replacement.set("deletedRegion", std::move(deleted));
          replacement.set("insertedContent", Json::obj().set("text", e.text));
          replacements.push(std::move(replacement));
        }
        Json change = Json::obj();
        change.set("artifactLocation", Json::obj().set("uri", to_uri(r.path)));
        change.set("replacements", std::move(replacements));
        Json changes = Json::arr();
        changes.push(std::move(change));
        std::string description = std::string(rule.name) + ": " + std::string(rule.summary);
        if (f.fix->safety == FixSafety::Unsafe) description += " (unsafe fix: applied with --unsafe-fixes)";
        Json fix = Json::obj();
        fix.set("description", Json::obj().set("text", description));
        fix.set("artifactChanges", std::move(changes));
        Json fixes = Json::arr();
        fixes.push(std::move(fix));
        result.set("fixes", std::move(fixes));
      }
      if (f.waived) {
        bool from_config = f.waiver_reason == "ignored in .harden.yaml";
        Json suppression = Json::obj();
        suppression.set("kind", from_config ? "external" : "inSource");
        suppression.set("status", "accepted");
        if (!f.waiver_reason.empty()) suppression.set("justification", f.waiver_reason);
        Json suppressions = Json::arr();
        suppressions.push(std::move(suppression));
        result.set("suppressions", std::move(suppressions));
      }
      Json props = Json::obj();
      props.set("service", f.service);
      props.set("ruleName", std::string(rule.name));
      props.set("fixed", Json::flag(f.fixed));
      props.set("safety", std::string(fix_safety_name(f)));
      Json reasons = Json::arr();
      for (const std::string& reason : f.reasons) reasons.push(Json::str(reason));
      props.set("reasons", std::move(reasons));
      result.set("properties", std::move(props));
      out_results.push(std::move(result));
    }
  }

  Json invocation = Json::obj();
  invocation.set("executionSuccessful", Json::flag(summary.errors == 0));
  if (!notifications.array.empty()) invocation.set("toolExecutionNotifications", std::move(notifications));
  Json invocations = Json::arr();
  invocations.push(std::move(invocation));

  Json run = Json::obj();
  run.set("tool", Json::obj().set("driver", std::move(driver)));
  run.set("invocations", std::move(invocations));
  run.set("columnKind", "unicodeCodePoints");
  run.set("results", std::move(out_results));
  Json props = Json::obj();
  props.set("files", Json::num(static_cast<std::int64_t>(summary.files)));
  props.set("changed", Json::num(static_cast<std::int64_t>(summary.changed)));
  props.set("errors", Json::num(static_cast<std::int64_t>(summary.errors)));
  props.set("findings", Json::num(static_cast<std::int64_t>(summary.findings)));
  props.set("fixed", Json::num(static_cast<std::int64_t>(summary.fixed)));
  props.set("servicesFixed", Json::obj()
                                 .set("profile", Json::num(static_cast<std::int64_t>(summary.fixed_from_profile)))
                                 .set("image", Json::num(static_cast<std::int64_t>(summary.fixed_from_image)))
                                 .set("dockerfile", Json::num(static_cast<std::int64_t>(summary.fixed_from_dockerfile)))
                                 .set("assumption", Json::num(static_cast<std::int64_t>(summary.fixed_by_assumption))));
  props.set("servicesLeftForReview", Json::num(static_cast<std::int64_t>(summary.left_for_review)));
  run.set("properties", Json::obj().set("summary", std::move(props)));

  Json log = Json::obj();
  log.set("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  log.set("version", "2.1.0");
  Json runs = Json::arr();
  runs.push(std::move(run));
  log.set("runs", std::move(runs));

  std::string out;
  print(out, log, 0);
  out += '\n';
  return out;
}

}  // namespace harden

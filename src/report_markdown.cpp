// The Markdown report (SPEC §6): a pull-request body that says what changed
// per file and service, why, what might break and how to opt out. It holds
// no timings, so the same results always give the same text.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harden/diff.h"
#include "harden/report.h"
#include "harden/rule.h"

namespace harden {

std::string explain_section(std::string_view explain, std::string_view heading) {
  std::string out;
  bool inside = false;
  std::size_t begin = 0;
  while (begin <= explain.size()) {
    std::size_t end = explain.find('\n', begin);
    if (end == std::string_view::npos) end = explain.size();
    std::string_view line = explain.substr(begin, end - begin);
    begin = end + 1;
    bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) {  // blank line: a paragraph break inside a section
      if (inside && !out.empty() && out.back() != '\n') out += "\n\n";
      continue;
    }
    std::string_view trimmed = line.substr(first);
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\r')) trimmed.remove_suffix(1);
    if (!indented) {
      if (inside) break;
      inside = trimmed == heading;
      continue;
    }
    if (!inside) continue;
    if (!out.empty() && out.back() != '\n') out += ' ';
    out += trimmed;
    if (end == explain.size()) break;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

namespace {

// Escapes text so that Markdown shows it as written; `code` spans stay.
std::string md(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\': case '*': case '[': case ']': case '|':
        out += '\\';
        out += c;
        break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\n': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

// Text for HTML.
std::string html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A code span that holds any text (longer fences around inner backticks).
std::string code(std::string_view text) {
  std::size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string fence(longest + 1, '`');
  bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + std::string(text) + (pad ? " " : "") + fence;
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string rule_label(const RuleInfo& rule) { return fmt::format("{} {}", rule.code, rule.name); }

std::string service_label(const Finding& f) { return f.service.empty() ? "the file" : "service " + code(f.service); }

}  // namespace

std::string markdown_report(const std::vector<FileResult>& results, const RunSummary& summary) {
  std::string out = "## harden: least-privilege hardening of the Compose files\n\n";

  std::size_t waived = 0, not_fixed = 0;
  for (const FileResult& r : results)
    for (const Finding& f : r.findings) {
      if (f.waived) ++waived;
      else if (!f.fixed) ++not_fixed;
    }

  // Summary.
  out += fmt::format("harden checked {} and changed {}: {} fixed", plural(summary.files, "Compose file", "Compose files"),
                     summary.changed, plural(summary.fixed, "finding", "findings"));
  if (not_fixed) out += fmt::format(", {} not fixed", not_fixed);
  if (waived) out += fmt::format(", {} ignored on request", waived);
  if (summary.errors) out += fmt::format(", {}", plural(summary.errors, "file could not be processed", "files could not be processed"));
  out += ".\n\n";
  if (summary.findings == 0 && summary.errors == 0) {
    out += "Nothing to change: every service already runs with least privilege as far as harden can tell.\n";
    return out;
  }
  out += "| file | changed | fixed | not fixed | ignored |\n| --- | --- | --- | --- | --- |\n";
  for (const FileResult& r : results) {
    std::size_t fixed = 0, open = 0, ignored = 0;
    for (const Finding& f : r.findings) {
      if (f.waived) ++ignored;
      else if (f.fixed) ++fixed;
      else ++open;
    }
    out += fmt::format("| {} | {} | {} | {} | {} |\n", code(r.path), r.error ? "error" : r.changed ? "yes" : "no",
                       fixed, open, ignored);
  }
  out += "\n";

  // What changed, per file and service, and why.
  std::map<std::string, std::set<std::string>> broken_services;  // rule code -> services whose fix may break
  std::map<std::string, const RuleInfo*> fixed_rules;
  bool any_fixed = false;
  for (const FileResult& r : results)
    for (const Finding& f : r.findings) any_fixed = any_fixed || (f.fixed && !f.waived);
  if (any_fixed) out += "### What changed and why\n\n";
  for (const FileResult& r : results) {
    if (r.error) continue;
    std::vector<std::string> services;  // in file order
    for (const Finding& f : r.findings)
      if (f.fixed && !f.waived && std::find(services.begin(), services.end(), f.service) == services.end())
        services.push_back(f.service);
    if (services.empty()) continue;
    out += fmt::format("#### {}\n\n", code(r.path));
    for (const std::string& service : services) {
      out += service.empty() ? "File-wide:\n\n" : fmt::format("Service {}:\n\n", code(service));
      for (const Finding& f : r.findings) {
        if (!f.fixed || f.waived || f.service != service) continue;
        out += fmt::format("- **{}** (line {}): {}", rule_label(*f.rule), f.line, md(f.message));
        if (f.rule->safety == FixSafety::Unsafe) out += " *(unsafe fix, applied with `--unsafe-fixes`)*";
        out += "\n";
        for (const std::string& reason : f.reasons) out += "  - " + md(reason) + "\n";
        fixed_rules[std::string(f.rule->code)] = f.rule;
        broken_services[std::string(f.rule->code)].insert(service.empty() ? "(file)" : service);
      }
      out += "\n";
    }
    if (r.changed) {
      std::string diff = unified_diff(r.original, r.output, patch_path(r.path), 3, false);
      if (!diff.empty()) {
        std::string fence = "```";
        while (diff.find(fence) != std::string::npos) fence += '`';
        out += fmt::format("<details><summary>The diff of <code>{}</code></summary>\n\n{}diff\n{}{}{}\n\n</details>\n\n",
                           html(r.path), fence, diff, diff.back() == '\n' ? "" : "\n", fence);
      }
    }
  }

  // What might break.
  if (!fixed_rules.empty()) {
    out += "### What might break\n\n";
    for (const auto& [code_text, rule] : fixed_rules) {
      std::string risk = explain_section(rule->explain, "What it can break");
      std::string services;
      for (const std::string& s : broken_services[code_text]) services += (services.empty() ? "" : ", ") + code(s);
      out += fmt::format("- **{}** ({}): {}\n", rule_label(*rule), services,
                         risk.empty() ? "see `harden explain " + code_text + "`" : md(risk));
    }
    out += "\nTest the stack (`docker compose up`) before merging; `harden explain CODE` tells more about each rule.\n\n";
  }

  // Not fixed.
  if (not_fixed) {
    out += "### Findings not fixed\n\nThese need a decision by hand:\n\n";
    for (const FileResult& r : results)
      for (const Finding& f : r.findings) {
        if (f.fixed || f.waived) continue;
        out += fmt::format("- {}:{} {}, **{}**: {}", code(r.path), f.line, service_label(f), rule_label(*f.rule),
                           md(f.message));
        if (!f.not_fixed.empty()) out += " (" + md(f.not_fixed) + ")";
        out += "\n";
      }
    out += "\n";
  }

  // Ignored.
  if (waived) {
    out += "### Ignored on request\n\n";
    for (const FileResult& r : results)
      for (const Finding& f : r.findings) {
        if (!f.waived) continue;
        out += fmt::format("- {}:{} {}, **{}**{}\n", code(r.path), f.line, service_label(f), rule_label(*f.rule),
                           f.waiver_reason.empty() ? "" : ": " + md(f.waiver_reason));
      }
    out += "\n";
  }

  // Errors.
  if (summary.errors) {
    out += "### Files that could not be processed\n\n";
    for (const FileResult& r : results) {
      if (!r.error) continue;
      std::string where = r.error->line > 0 ? fmt::format("{}:{}:{}", r.path, r.error->line, r.error->column) : r.path;
      out += fmt::format("- {}: {}\n", code(where), md(r.error->message));
    }
    out += "\n";
  }

  // Opting out.
  out += "### How to opt out\n\n"
         "To keep a service (or one entry) as it is, put a comment on the service's line or on the entry's line, "
         "with the rule code and the reason:\n\n"
         "```yaml\n"
         "services:\n"
         "  vpn: # harden: ignore[H101] -- needs /dev/net/tun\n"
         "```\n\n"
         "`# harden: ignore` alone silences every rule for that service. In `.harden.yaml` next to the "
         "Compose file (or in a parent folder), `services: {NAME: {ignore: [CODE]}}` does the same without "
         "touching the file, and `ignore: [CODE]` turns a rule off everywhere.\n";
  return out;
}

}  // namespace harden

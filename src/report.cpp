#include "harden/report.h"

#include <fmt/format.h>

#include <ostream>

namespace harden {

RunSummary summarize(const std::vector<FileResult>& results, double seconds) {
  RunSummary s;
  s.seconds = seconds;
  for (const FileResult& r : results) s.add(r);
  return s;
}

std::string_view fix_safety_name(const Finding& f) {
  if (!f.rule->has_fix) return "none";
  // A rule may offer a given fix as unsafe (an unknown image's read_only).
  FixSafety safety = f.fix ? f.fix->safety : f.rule->safety;
  return safety == FixSafety::Safe ? "safe" : "unsafe";
}

void write_text_file_report(std::ostream& out, const FileResult& r, const TextReportOptions& options) {
  auto paint = [&](const char* code, const std::string& text) {
    return options.color ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : text;
  };
  if (r.error) {
    std::string where = r.error->line > 0 ? fmt::format("{}:{}:{}", r.path, r.error->line, r.error->column) : r.path;
    out << paint("1", where) << ": " << paint("31", "error") << ": " << r.error->message << "\n";
    return;
  }
  for (const Finding& f : r.findings) {
    if (f.waived && !options.show_waived) continue;
    std::string status;
    if (f.waived) status = "[ignored" + (f.waiver_reason.empty() ? "" : ": " + f.waiver_reason) + "]";
    else if (f.fixed) status = options.write_mode ? "[fixed]" : "[fixable]";
    else if (!f.not_fixed.empty()) status = "[not fixed: " + f.not_fixed + "]";
    out << paint("1", fmt::format("{}:{}:{}", r.path, f.line, f.column)) << ": "
        << paint("33", std::string(f.rule->code)) << " " << f.rule->name << ": "
        << (f.service.empty() ? "" : "service '" + f.service + "': ") << f.message;
    if (!status.empty()) out << " " << paint(f.fixed ? "32" : "2", status);
    out << "\n";
    for (const std::string& reason : f.reasons) out << "    " << paint("2", reason) << "\n";
  }
  for (const std::string& note : r.notes) out << r.path << ": note: " << note << "\n";
}

void write_text_summary(std::ostream& out, const RunSummary& summary, const TextReportOptions& options) {
  out << fmt::format("{} file{} checked, {} {}, {} error{}, {} finding{}, {} {} ({:.2f}s)\n", summary.files,
                     summary.files == 1 ? "" : "s", summary.changed,
                     options.write_mode ? "changed" : "would change", summary.errors, summary.errors == 1 ? "" : "s",
                     summary.findings, summary.findings == 1 ? "" : "s", summary.fixed,
                     options.write_mode ? "fixed" : "fixable", summary.seconds);
  if (summary.services_counted())
    out << fmt::format("services {} from a profile: {}, from the image: {}, from a Dockerfile: {}, by assumption: "
                       "{}; left for review: {}\n",
                       options.write_mode ? "fixed" : "fixable", summary.fixed_from_profile, summary.fixed_from_image,
                       summary.fixed_from_dockerfile, summary.fixed_by_assumption, summary.left_for_review);
}

void write_text_report(std::ostream& out, const std::vector<FileResult>& results, const RunSummary& summary,
                       const TextReportOptions& options) {
  for (const FileResult& r : results) write_text_file_report(out, r, options);
  write_text_summary(out, summary, options);
}

void RunSummary::add(const FileResult& r) {
  ++files;
  if (r.changed) ++changed;
  if (r.error) ++errors;
  for (const Finding& f : r.findings) {
    if (f.waived) continue;
    ++findings;
    if (f.fixed) ++fixed;
  }
  for (const ServiceEvidence& service : r.services) {
    bool any_fixed = false, any_open = false;
    for (const Finding& f : r.findings) {
      if (f.service != service.name || f.waived) continue;
      (f.fixed ? any_fixed : any_open) = true;
    }
    if (any_open) ++left_for_review;
    if (!any_fixed) continue;
    switch (service.evidence) {
      case Evidence::Profile: ++fixed_from_profile; break;
      case Evidence::Image: ++fixed_from_image; break;
      case Evidence::Dockerfile: ++fixed_from_dockerfile; break;
      case Evidence::Assumption: ++fixed_by_assumption; break;
    }
  }
}

bool RunSummary::services_counted() const {
  return fixed_from_profile + fixed_from_image + fixed_from_dockerfile + fixed_by_assumption + left_for_review > 0;
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<int>(c));
        else out += c;
    }
  }
  return out + "\"";
}

std::string json_report(const std::vector<FileResult>& results, const RunSummary& summary) {
  std::string out = "{\"version\": 1,\n \"files\": [";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const FileResult& r = results[i];
    out += i ? ",\n  " : "\n  ";
    out += fmt::format("{{\"path\": {}, \"changed\": {}, \"error\": ", json_quote(r.path), r.changed);
    if (r.error)
      out += fmt::format("{{\"message\": {}, \"line\": {}, \"column\": {}}}", json_quote(r.error->message),
                         r.error->line ? std::to_string(r.error->line) : "null",
                         r.error->column ? std::to_string(r.error->column) : "null");
    else
      out += "null";
    out += ", \"findings\": [";
    bool first = true;
    for (const Finding& f : r.findings) {
      out += first ? "\n    " : ",\n    ";
      first = false;
      out += fmt::format(
          "{{\"rule\": {}, \"name\": {}, \"service\": {}, \"line\": {}, \"column\": {}, \"message\": {}, "
          "\"fixed\": {}, \"safety\": {}, \"waived\": {}",
          json_quote(f.rule->code), json_quote(f.rule->name), json_quote(f.service), f.line, f.column,
          json_quote(f.message), f.fixed,
          json_quote(fix_safety_name(f)),
          f.waived);
      if (f.waived) out += ", \"waiver_reason\": " + json_quote(f.waiver_reason);
      if (!f.not_fixed.empty()) out += ", \"not_fixed\": " + json_quote(f.not_fixed);
      out += ", \"reasons\": [";
      for (std::size_t k = 0; k < f.reasons.size(); ++k) out += (k ? ", " : "") + json_quote(f.reasons[k]);
      out += "]}";
    }
    out += first ? "]" : "\n  ]";
    out += ", \"notes\": [";
    for (std::size_t k = 0; k < r.notes.size(); ++k) out += (k ? ", " : "") + json_quote(r.notes[k]);
    out += "], \"services\": [";
    for (std::size_t k = 0; k < r.services.size(); ++k)
      out += fmt::format("{}{{\"name\": {}, \"evidence\": {}, \"origin\": {}}}", k ? ", " : "",
                         json_quote(r.services[k].name), json_quote(evidence_name(r.services[k].evidence)),
                         json_quote(r.services[k].origin));
    out += "]}";
  }
  out += fmt::format(
      "\n ],\n \"summary\": {{\"files\": {}, \"changed\": {}, \"errors\": {}, \"findings\": {}, \"fixed\": {}, "
      "\"services_fixed\": {{\"profile\": {}, \"image\": {}, \"dockerfile\": {}, \"assumption\": {}}}, "
      "\"services_left_for_review\": {}}}}}\n",
      summary.files, summary.changed, summary.errors, summary.findings, summary.fixed, summary.fixed_from_profile,
      summary.fixed_from_image, summary.fixed_from_dockerfile, summary.fixed_by_assumption, summary.left_for_review);
  return out;
}

}  // namespace harden

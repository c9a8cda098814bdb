// Reports of a run: text for people, json for programs, SARIF for code
// scanning, markdown for a pull-request body.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "harden/pipeline.h"

namespace harden {

enum class ReportFormat { Text, Json, Sarif, Markdown };

struct RunSummary {
  std::size_t files = 0, changed = 0, errors = 0, findings = 0, fixed = 0;
  // Services with at least one fix applied, by the evidence the fixes
  // rest on; and services with a finding neither fixed nor waived (a
  // service can be in both: partly fixed, the rest left for review).
  std::size_t fixed_from_profile = 0, fixed_from_image = 0, fixed_from_dockerfile = 0, fixed_by_assumption = 0;
  std::size_t left_for_review = 0;
  double seconds = 0;

  void add(const FileResult& result);
  bool services_counted() const;
};

RunSummary summarize(const std::vector<FileResult>& results, double seconds);

struct TextReportOptions {
  bool color = false;
  bool show_waived = false;
  bool write_mode = false;  // say "fixed" rather than "fixable"
};

// One file's `FILE:LINE:COL: CODE name: message [fixed]` lines and notes
// (or its error line), and the summary line: a batch streams these.
void write_text_file_report(std::ostream& out, const FileResult& result, const TextReportOptions& options);
// The summary line, and a line of service counts by evidence when the run
// saw services.
void write_text_summary(std::ostream& out, const RunSummary& summary, const TextReportOptions& options);

// All files' lines, then the summary line.
void write_text_report(std::ostream& out, const std::vector<FileResult>& results, const RunSummary& summary,
                       const TextReportOptions& options);

// A string as a JSON string literal, quotes included (shared by every
// JSON-writing report).
std::string json_quote(std::string_view text);

// "safe", "unsafe" or "none": the safety of the finding's fix, or of its
// rule's fix when it has none.
std::string_view fix_safety_name(const Finding& finding);

// The json document of SPEC §6.
std::string json_report(const std::vector<FileResult>& results, const RunSummary& summary);

}  // namespace harden

#include <string_view>

namespace harden {

// The version reports name (SARIF tool.driver.version).
inline constexpr const char* kReportToolVersion = "0.1.0";

// SARIF 2.1.0 for code scanning: every rule with its help text, results with
// physical locations, the fixes as SARIF `fixes` (replacements on the input
// bytes), waived findings as suppressions, file errors as notifications.
std::string sarif_report(const std::vector<FileResult>& results, const RunSummary& summary);

// A pull-request body in Markdown: summary, per file and service what changed
// and why, what might break, how to opt out, and what was not fixed.
// Deterministic: the same results give the same text (no timings).
std::string markdown_report(const std::vector<FileResult>& results, const RunSummary& summary);

// The body of one section ("Why it matters", "What it can break", ...) of a
// rule's explain text, its lines joined into one paragraph; "" when absent.
std::string explain_section(std::string_view explain, std::string_view heading);

}  // namespace harden

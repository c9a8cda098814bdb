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
  double seconds = 0;
};

RunSummary summarize(const std::vector<FileResult>& results, double seconds);

struct TextReportOptions {
  bool color = false;
  bool show_waived = false;
  bool write_mode = false;  // say "fixed" rather than "fixable"
};

// `FILE:LINE:COL: CODE name: message [fixed]` lines, notes and a summary line.
void write_text_report(std::ostream& out, const std::vector<FileResult>& results, const RunSummary& summary,
                       const TextReportOptions& options);

// The json document of SPEC §6.
std::string json_report(const std::vector<FileResult>& results, const RunSummary& summary);

}  // namespace harden

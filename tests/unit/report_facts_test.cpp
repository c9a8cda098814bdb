// Report facts a reader acts on, each written down here once: where a
// finding is (the text report's path:line:column), how serious it is
// (SARIF level: error for a baseline rule, warning for a strict one), and
// whether a file changed (JSON).
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <string>
#include <vector>

#include "harden/pipeline.h"
#include "harden/report.h"
#include "harden/rule.h"

using namespace harden;

namespace {

// H101 (privileged, baseline) at its value, line 4, column 17; H115 (restart, strict)
// at the service's key, line 2, column 3.
const char* const kInput =
    "services:\n"
    "  web:\n"
    "    image: alpine:3.20\n"
    "    privileged: true\n";

std::vector<FileResult> results() {
  Options options;
  options.profile = Profile::Strict;
  std::vector<FileResult> out;
  out.push_back(process_text("compose.yml", kInput, options));
  REQUIRE_FALSE(out.back().error);
  return out;
}

const Finding& finding(const std::vector<FileResult>& r, std::string_view code) {
  for (const Finding& f : r.front().findings)
    if (f.rule->code == code) return f;
  FAIL("no finding " << code);
  throw;
}

}  // namespace

TEST_CASE("text report: a finding's place is path:line:column of the input") {
  auto r = results();
  CHECK(finding(r, "H101").line == 4);
  CHECK(finding(r, "H101").column == 17);
  std::ostringstream out;
  TextReportOptions options;
  write_text_report(out, r, summarize(r, 0), options);
  CHECK(out.str().find("compose.yml:4:17: H101 no-privileged") != std::string::npos);
  CHECK(out.str().find("compose.yml:2:3: H115 restart-policy") != std::string::npos);
}

TEST_CASE("sarif report: a baseline rule is an error, a strict rule a warning") {
  auto r = results();
  YAML::Node log = YAML::Load(sarif_report(r, summarize(r, 0)));
  const YAML::Node run = log["runs"][0];
  int checked = 0;
  for (const auto& result : run["results"]) {
    const Rule* rule = find_rule(result["ruleId"].Scalar());
    REQUIRE(rule);
    std::string expected = rule->info().profile == Profile::Baseline ? "error" : "warning";
    CHECK_MESSAGE(result["level"].Scalar() == expected, rule->info().code);
    ++checked;
  }
  CHECK(checked >= 2);
  for (const auto& rule : run["tool"]["driver"]["rules"]) {
    if (rule["id"].Scalar() == "H101") CHECK(rule["defaultConfiguration"]["level"].Scalar() == "error");
    if (rule["id"].Scalar() == "H115") CHECK(rule["defaultConfiguration"]["level"].Scalar() == "warning");
  }
}

TEST_CASE("json report: a file that would change says so") {
  auto r = results();
  YAML::Node report = YAML::Load(json_report(r, summarize(r, 0)));
  CHECK(report["files"][0]["changed"].as<std::string>() == "true");
  CHECK(report["summary"]["changed"].as<int>() == 1);
}

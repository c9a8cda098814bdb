#include "harden/report.h"

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <vector>

#include "harden/pipeline.h"
#include "harden/rule.h"

using namespace harden;

namespace {

// JSON is YAML: yaml-cpp reads the reports back.
YAML::Node parse_json(const std::string& text) { return YAML::Load(text); }

bool is_bool(const YAML::Node& n) { return n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false"); }
bool is_int(const YAML::Node& n) {
  return n.IsScalar() && !n.Scalar().empty() && n.Scalar().find_first_not_of("0123456789") == std::string::npos;
}

const char* kCompose = R"(services:
  web:
    image: nginx:1.27
    privileged: true
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
  vpn: # harden: ignore[H101] -- needs /dev/net/tun
    image: busybox
    privileged: true
)";

std::vector<FileResult> sample_results() {
  Options options;
  std::vector<FileResult> results;
  results.push_back(process_text("svc/compose.yml", kCompose, options));
  results.push_back(process_text("bad/compose.yml", "services:\n  web: [\n", options));
  return results;
}

}  // namespace

TEST_CASE("report: json has the shape of SPEC §6") {
  auto results = sample_results();
  REQUIRE_FALSE(results[0].error);
  REQUIRE(results[1].error);
  RunSummary summary = summarize(results, 0.5);
  YAML::Node doc = parse_json(json_report(results, summary));
  CHECK(doc["version"].as<int>() == 1);
  REQUIRE(doc["files"].IsSequence());
  REQUIRE(doc["files"].size() == 2);

  const YAML::Node ok = doc["files"][0];
  for (const char* key : {"path", "changed", "error", "findings"}) CHECK_MESSAGE(ok[key].IsDefined(), key);
  CHECK(ok["path"].as<std::string>() == "svc/compose.yml");
  CHECK(ok["changed"].as<std::string>() == "true");
  CHECK(ok["error"].IsNull());
  REQUIRE(ok["findings"].IsSequence());
  REQUIRE(ok["findings"].size() > 0);
  bool privileged_web = false, waived_vpn = false;
  for (const YAML::Node& f : ok["findings"]) {
    for (const char* key : {"rule", "name", "service", "line", "column", "message", "fixed", "safety", "reasons"})
      CHECK_MESSAGE(f[key].IsDefined(), key);
    CHECK(f["rule"].Scalar().size() == 4);
    CHECK(find_rule(f["rule"].Scalar()) != nullptr);
    CHECK(find_rule(f["rule"].Scalar())->info().name == f["name"].Scalar());
    CHECK(is_int(f["line"]));
    CHECK(is_int(f["column"]));
    CHECK(f["line"].as<int>() >= 1);
    CHECK(f["column"].as<int>() >= 1);
    CHECK(is_bool(f["fixed"]));
    CHECK(std::set<std::string>{"safe", "unsafe", "none"}.count(f["safety"].Scalar()) == 1);
    CHECK(f["reasons"].IsSequence());
    if (f["rule"].Scalar() == "H101" && f["service"].Scalar() == "web") {
      privileged_web = true;
      CHECK(f["line"].as<int>() == 4);
      CHECK(f["column"].as<int>() == 17);
      CHECK(f["fixed"].Scalar() == "true");
    }
    if (f["rule"].Scalar() == "H101" && f["service"].Scalar() == "vpn") waived_vpn = true;
  }
  CHECK(privileged_web);
  CHECK(waived_vpn);

  const YAML::Node bad = doc["files"][1];
  CHECK(bad["changed"].as<std::string>() == "false");
  REQUIRE(bad["error"].IsMap());
  for (const char* key : {"message", "line", "column"}) CHECK_MESSAGE(bad["error"][key].IsDefined(), key);
  CHECK_FALSE(bad["error"]["message"].Scalar().empty());
  CHECK(bad["findings"].size() == 0);

  const YAML::Node s = doc["summary"];
  // Fields may be added, never renamed: the documented ones must be there.
  for (const char* key : {"files", "changed", "errors", "findings", "fixed"}) CHECK_MESSAGE(s[key].IsDefined(), key);
  CHECK(s["files"].as<int>() == 2);
  CHECK(s["changed"].as<int>() == 1);
  CHECK(s["errors"].as<int>() == 1);
  CHECK(s["findings"].as<std::size_t>() == summary.findings);
  CHECK(s["fixed"].as<std::size_t>() == summary.fixed);
  for (const char* key : {"version", "files", "summary"}) CHECK_MESSAGE(doc[key].IsDefined(), key);
}

TEST_CASE("report: sarif has the required fields") {
  auto results = sample_results();
  std::string text = sarif_report(results, summarize(results, 0));
  CHECK(text == sarif_report(results, summarize(results, 3.0)));  // no timings: deterministic
  YAML::Node log = parse_json(text);
  CHECK(log["version"].Scalar() == "2.1.0");
  CHECK(log["$schema"].Scalar().find("sarif-2.1.0") != std::string::npos);
  REQUIRE(log["runs"].size() == 1);
  const YAML::Node run = log["runs"][0];
  const YAML::Node driver = run["tool"]["driver"];
  CHECK(driver["name"].Scalar() == "harden");
  CHECK(driver["version"].Scalar() == kReportToolVersion);
  CHECK_FALSE(driver["informationUri"].IsDefined());
  REQUIRE(driver["rules"].size() == all_rules().size());
  for (std::size_t i = 0; i < driver["rules"].size(); ++i) {
    const YAML::Node rule = driver["rules"][i];
    CHECK(rule["id"].Scalar() == all_rules()[i]->info().code);
    CHECK(rule["name"].Scalar() == all_rules()[i]->info().name);
    CHECK_FALSE(rule["shortDescription"]["text"].Scalar().empty());
    CHECK_FALSE(rule["fullDescription"]["text"].Scalar().empty());
    CHECK_FALSE(rule["help"]["text"].Scalar().empty());
    CHECK(std::set<std::string>{"error", "warning"}.count(rule["defaultConfiguration"]["level"].Scalar()) == 1);
  }
  CHECK(run["columnKind"].Scalar() == "unicodeCodePoints");

  REQUIRE(run["results"].size() == results[0].findings.size());
  bool fix_seen = false, suppression_seen = false;
  for (std::size_t i = 0; i < run["results"].size(); ++i) {
    const YAML::Node r = run["results"][i];
    const Finding& f = results[0].findings[i];
    CHECK(r["ruleId"].Scalar() == f.rule->code);
    CHECK(driver["rules"][r["ruleIndex"].as<std::size_t>()]["id"].Scalar() == f.rule->code);
    CHECK(std::set<std::string>{"error", "warning"}.count(r["level"].Scalar()) == 1);
    CHECK_FALSE(r["message"]["text"].Scalar().empty());
    const YAML::Node loc = r["locations"][0]["physicalLocation"];
    CHECK(loc["artifactLocation"]["uri"].Scalar() == "svc/compose.yml");
    CHECK(loc["region"]["startLine"].as<int>() == f.line);
    CHECK(loc["region"]["startColumn"].as<int>() == f.column);  // ASCII: code points == bytes
    if (r["fixes"].IsDefined()) {
      fix_seen = true;
      const YAML::Node change = r["fixes"][0]["artifactChanges"][0];
      CHECK(change["artifactLocation"]["uri"].Scalar() == "svc/compose.yml");
      REQUIRE(change["replacements"].size() >= 1);
      for (const YAML::Node& rep : change["replacements"]) {
        CHECK(is_int(rep["deletedRegion"]["charOffset"]));
        CHECK(is_int(rep["deletedRegion"]["charLength"]));
        CHECK(rep["insertedContent"]["text"].IsScalar());
      }
    }
    if (r["suppressions"].IsDefined()) {
      suppression_seen = true;
      CHECK(f.waived);
      CHECK(r["suppressions"][0]["kind"].Scalar() == "inSource");
      CHECK(r["suppressions"][0]["justification"].Scalar() == f.waiver_reason);
      CHECK_FALSE(r["fixes"].IsDefined());
    }
  }
  CHECK(fix_seen);
  CHECK(suppression_seen);
  // The bad file is a notification, and the run did not fully succeed.
  const YAML::Node invocation = run["invocations"][0];
  CHECK(invocation["executionSuccessful"].Scalar() == "false");
  CHECK(invocation["toolExecutionNotifications"][0]["level"].Scalar() == "error");
  CHECK(invocation["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .Scalar() == "bad/compose.yml");
}

TEST_CASE("report: sarif fix replacements rebuild the single-fix output") {
  Options options;
  options.select = std::vector<std::string>{"H101"};
  FileResult r = process_text("compose.yaml", "services:\n  web:\n    image: busybox\n    privileged: true\n", options);
  REQUIRE(r.findings.size() == 1);
  YAML::Node log = parse_json(sarif_report({r}, summarize({r}, 0)));
  const YAML::Node reps = log["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"];
  std::string text = r.original;
  for (std::size_t i = reps.size(); i-- > 0;) {
    std::size_t offset = reps[i]["deletedRegion"]["charOffset"].as<std::size_t>();
    std::size_t length = reps[i]["deletedRegion"]["charLength"].as<std::size_t>();
    text.replace(offset, length, reps[i]["insertedContent"]["text"].as<std::string>(""));
  }
  CHECK(text == r.output);
}

TEST_CASE("report: sarif columns and offsets count code points") {
  Options options;
  options.select = std::vector<std::string>{"H101"};
  // "é" is two bytes; the finding's column is in bytes, SARIF's in code points.
  FileResult r =
      process_text("dir with space/compose.yaml", "# café\nservices:\n  wéb:\n    image: busybox\n    privileged: true\n",
                   options);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.findings.size() == 1);
  YAML::Node result = parse_json(sarif_report({r}, summarize({r}, 0)))["runs"][0]["results"][0];
  CHECK(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].Scalar() ==
        "dir%20with%20space/compose.yaml");
  CHECK(result["locations"][0]["physicalLocation"]["region"]["startColumn"].as<int>() == r.findings[0].column);
  const YAML::Node rep = result["fixes"][0]["artifactChanges"][0]["replacements"][0];
  std::size_t byte_begin = r.findings[0].fix->edits[0].begin;
  CHECK(rep["deletedRegion"]["charOffset"].as<std::size_t>() == byte_begin - 2);  // two two-byte characters before
}

TEST_CASE("report: markdown is a deterministic pull-request body") {
  auto results = sample_results();
  std::string md = markdown_report(results, summarize(results, 0.1));
  CHECK(md == markdown_report(sample_results(), summarize(sample_results(), 9.9)));
  CHECK(md.rfind("## harden", 0) == 0);
  CHECK(md.find("harden checked 2 Compose files and changed 1") != std::string::npos);
  CHECK(md.find("#### `svc/compose.yml`") != std::string::npos);
  CHECK(md.find("Service `web`") != std::string::npos);
  CHECK(md.find("**H101 no-privileged** (line 4)") != std::string::npos);
  CHECK(md.find("### What might break") != std::string::npos);
  CHECK(md.find("### How to opt out") != std::string::npos);
  CHECK(md.find("# harden: ignore[") != std::string::npos);
  CHECK(md.find("### Ignored on request") != std::string::npos);
  CHECK(md.find("needs /dev/net/tun") != std::string::npos);
  CHECK(md.find("### Files that could not be processed") != std::string::npos);
  CHECK(md.find("```diff") != std::string::npos);
  CHECK(md.find("-    privileged: true") != std::string::npos);

  // A clean file says so.
  FileResult clean = process_text("c.yml", "services: {}\n", Options{});
  std::string empty = markdown_report({clean}, summarize({clean}, 0));
  CHECK(empty.find("Nothing to change") != std::string::npos);
}

TEST_CASE("report: markdown lists the findings not fixed") {
  Options options;  // unsafe fixes are not applied by default
  FileResult r = process_text("compose.yaml", kCompose, options);
  bool unfixed = false;
  for (const Finding& f : r.findings) unfixed = unfixed || (!f.fixed && !f.waived);
  std::string md = markdown_report({r}, summarize({r}, 0));
  CHECK((md.find("### Findings not fixed") != std::string::npos) == unfixed);
}

TEST_CASE("report: explain_section") {
  const char* explain = "Why it matters\n  first line\n  second line.\n\n  Another paragraph.\n\nWhat it can break\n"
                        "  Things.\n";
  CHECK(explain_section(explain, "Why it matters") == "first line second line.\n\nAnother paragraph.");
  CHECK(explain_section(explain, "What it can break") == "Things.");
  CHECK(explain_section(explain, "References") == "");
}

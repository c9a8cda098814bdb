// Evidence: where the facts about a service come from, what harden assumes
// when nothing describes the image, and how the reports count services by
// evidence.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "findings.h"
#include "harden/compose.h"
#include "harden/inference.h"
#include "harden/loader.h"
#include "harden/pipeline.h"
#include "harden/report.h"
#include "harden/rule.h"

using namespace harden;
using harden::test::finding_of;

namespace {

ServiceFacts facts_of(const std::string& text, std::string_view name) {
  LoadResult loaded = load_document("compose.yaml", text);
  REQUIRE(loaded.ok());
  auto compose = read_compose(*loaded.document);
  REQUIRE(std::holds_alternative<ComposeFile>(compose));
  for (const Service& service : std::get<ComposeFile>(compose).services)
    if (service.name == name) return infer(service, Options{}, "");
  FAIL("no service " << name);
  return {};
}

std::vector<std::string> cap_names(const ServiceFacts& facts) {
  std::vector<std::string> names;
  for (const InferredCapability& cap : facts.capabilities) names.push_back(cap.name);
  return names;
}

FileResult run(const std::string& text, bool unsafe_fixes = false) {
  Options options;
  options.unsafe_fixes = unsafe_fixes;
  FileResult result = process_text("compose.yaml", text, options);
  REQUIRE_FALSE(result.error.has_value());
  return result;
}

const std::vector<std::string> kAssumed = {"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"};

}  // namespace

TEST_CASE("evidence: a profiled image, a Dockerfile and an unknown image") {
  ServiceFacts redis = facts_of("services:\n  cache:\n    image: redis:7\n", "cache");
  CHECK(redis.evidence == Evidence::Profile);
  CHECK(redis.evidence_origin == "profile redis-7 (image redis:7)");
  CHECK(evidence_name(redis.evidence) == "profile");

  ServiceFacts app = facts_of("services:\n  app:\n    image: example/app:1\n", "app");
  CHECK(app.evidence == Evidence::Assumption);
  CHECK(app.evidence_origin == "no profile for image example/app:1");
  CHECK(evidence_name(app.evidence) == "assumption");

  ServiceFacts none = facts_of("services:\n  app:\n    command: sleep 1\n", "app");
  CHECK(none.evidence == Evidence::Assumption);
  CHECK(none.evidence_origin == "the service names no image");
  CHECK(none.capabilities.empty());  // it runs nothing to assume about

  CHECK(evidence_name(Evidence::Image) == "image");
  CHECK(evidence_name(Evidence::Dockerfile) == "Dockerfile");
}

TEST_CASE("evidence: an unknown root-started image keeps the capabilities root entrypoints commonly need") {
  ServiceFacts facts = facts_of("services:\n  app:\n    image: example/app:1\n", "app");
  CHECK(cap_names(facts) == kAssumed);
  for (const InferredCapability& cap : facts.capabilities) CHECK(cap.reason.starts_with("assumed: image example/app:1"));
  REQUIRE(facts.notes.size() == 1);
  CHECK(facts.notes[0].find("cap_drop ALL keeps CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID") != std::string::npos);
  CHECK(facts.notes[0].find("read_only is an unsafe fix") != std::string::npos);
  CHECK(facts.notes[0].find("start it hardened with --unsafe-fixes") != std::string::npos);

  FileResult result = run("services:\n  app:\n    image: example/app:1\n");
  CHECK(result.output ==
        "services:\n  app:\n    image: example/app:1\n    cap_drop:\n      - ALL\n    cap_add:\n      - CHOWN\n"
        "      - DAC_OVERRIDE\n      - FOWNER\n      - SETGID\n      - SETUID\n"
        "    security_opt:\n      - no-new-privileges:true\n    mem_limit: 512m\n    cpus: 1\n    pids_limit: 100\n");
}

TEST_CASE("evidence: an unknown image run as a non-root user: assumes nothing") {
  ServiceFacts facts = facts_of("services:\n  app:\n    image: example/app:1\n    user: \"1000:1000\"\n", "app");
  CHECK(facts.evidence == Evidence::Assumption);
  CHECK(facts.capabilities.empty());
  REQUIRE(facts.notes.size() == 1);
  CHECK(facts.notes[0].find("it starts as user 1000:1000, so no start-up capability is kept") != std::string::npos);

  // A root `user:` is no reason to drop the assumption.
  ServiceFacts root = facts_of("services:\n  app:\n    image: example/app:1\n    user: \"0:0\"\n", "app");
  CHECK(cap_names(root) == kAssumed);
}

TEST_CASE("evidence: a profile's own start-up needs replace the assumption") {
  ServiceFacts facts = facts_of("services:\n  web:\n    image: nginx:1.27\n", "web");
  CHECK(cap_names(facts) == std::vector<std::string>{"CHOWN", "SETGID", "SETUID"});
}

TEST_CASE("evidence: H104's fix is unsafe for an unknown image, safe for a profiled one") {
  const std::string text = "services:\n  app:\n    image: example/app:1\n  web:\n    image: nginx:1.27\n";
  FileResult result = run(text);
  const Finding* app = finding_of(result, "H104", "app");
  REQUIRE(app);
  CHECK_FALSE(app->fixed);
  REQUIRE(app->fix.has_value());
  CHECK(app->fix->safety == FixSafety::Unsafe);
  CHECK(fix_safety_name(*app) == "unsafe");
  CHECK(app->not_fixed == "an unsafe fix is available: pass --unsafe-fixes to apply it");
  CHECK(app->message.find("what the image writes is unknown (no profile for image example/app:1)") !=
        std::string::npos);
  CHECK(app->message.find("a run of the service hardened with --unsafe-fixes") != std::string::npos);
  const Finding* web = finding_of(result, "H104", "web");
  REQUIRE(web);
  CHECK(web->fixed);
  CHECK(fix_safety_name(*web) == "safe");

  FileResult unsafe = run(text, true);
  const Finding* applied = finding_of(unsafe, "H104", "app");
  REQUIRE(applied);
  CHECK(applied->fixed);
  CHECK(unsafe.output.find("    read_only: true\n    tmpfs:\n      - /tmp\n") != std::string::npos);
}

TEST_CASE("evidence: the summary counts services by evidence, text and json") {
  const std::string text =
      "services:\n  web:\n    image: nginx:1.27\n  app:\n    image: example/app:1\n"
      "  done:  # harden: ignore -- reviewed\n    image: example/done:1\n";
  FileResult result = run(text);
  REQUIRE(result.services.size() == 3);
  CHECK(result.services[0].name == "web");
  CHECK(result.services[0].evidence == Evidence::Profile);
  CHECK(result.services[1].evidence == Evidence::Assumption);

  RunSummary summary = summarize({result}, 0);
  CHECK(summary.fixed_from_profile == 1);
  CHECK(summary.fixed_from_image == 0);
  CHECK(summary.fixed_from_dockerfile == 0);
  CHECK(summary.fixed_by_assumption == 1);  // app: H102, H103, H105 applied
  CHECK(summary.left_for_review == 1);      // app: H104 waits for evidence; `done` is waived

  std::ostringstream out;
  write_text_summary(out, summary, TextReportOptions{});
  CHECK(out.str().ends_with(
      "\nservices fixable from a profile: 1, from the image: 0, from a Dockerfile: 0, by assumption: 1; left for "
      "review: 1\n"));

  std::string json = json_report({result}, summary);
  CHECK(json.find("\"services_fixed\": {\"profile\": 1, \"image\": 0, \"dockerfile\": 0, \"assumption\": 1}, "
                  "\"services_left_for_review\": 1}") != std::string::npos);
  CHECK(json.find("{\"name\": \"app\", \"evidence\": \"assumption\", \"origin\": \"no profile for image "
                  "example/app:1\"}") != std::string::npos);
  CHECK(json.find("\"rule\": \"H104\", \"name\": \"read-only-rootfs\", \"service\": \"app\"") != std::string::npos);

  // With --unsafe-fixes nothing is left for review.
  RunSummary all = summarize({run(text, true)}, 0);
  CHECK(all.left_for_review == 0);
  CHECK(all.fixed_by_assumption == 1);
}


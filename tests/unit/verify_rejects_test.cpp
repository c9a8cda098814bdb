// The verifier must say no: each case hands verify_rewrite a rewrite that is
// not the input plus its intents, and expects the error naming what differs.
// A verifier that accepts everything fails every case here.
#include <doctest/doctest.h>

#include <string>

#include "harden/loader.h"
#include "harden/verify.h"

using harden::Intent;
using harden::Path;
using harden::Value;

namespace {

const char* const kInput =
    "services:\n"
    "  web:\n"
    "    image: nginx:1.27\n"
    "    ports:\n"
    "      - \"8080:80\"\n"
    "    environment:\n"
    "      MODE: prod\n";

std::unique_ptr<harden::Document> load(const std::string& text) {
  auto loaded = harden::load_document("t.yml", text);
  REQUIRE_MESSAGE(loaded.ok(), (loaded.error ? loaded.error->message : "?"));
  return std::move(loaded.document);
}

Intent set_read_only() {
  Intent intent;
  intent.op = Intent::Op::Set;
  intent.path = Path{std::string("services"), std::string("web"), std::string("read_only")};
  intent.value = Value::plain("true");
  return intent;
}

// The error, or "" when the verifier accepted the rewrite.
std::string verdict(const std::string& before, const std::string& after, const std::vector<Intent>& intents) {
  auto doc = load(before);
  return harden::verify_rewrite(*doc, after, intents).value_or("");
}

}  // namespace

TEST_CASE("verify_rewrite: the input itself and a rewrite its intent explains are accepted") {
  // The controls: without them, a verifier that rejects everything would pass
  // the cases below.
  CHECK(verdict(kInput, kInput, {}) == "");
  std::string fixed = std::string(kInput) + "    read_only: true\n";
  CHECK(verdict(kInput, fixed, {set_read_only()}) == "");
  // Comments and layout are no values: they may change.
  CHECK(verdict(kInput, std::string(kInput) + "# a comment\n", {}) == "");
}

TEST_CASE("verify_rewrite rejects a changed value") {
  std::string after = kInput;
  after.replace(after.find("nginx:1.27"), 10, "nginx:1.28");
  std::string error = verdict(kInput, after, {});
  CHECK(error.find("services.web.image") != std::string::npos);
  CHECK(error.find("nginx:1.27") != std::string::npos);
  CHECK(error.find("nginx:1.28") != std::string::npos);
}

TEST_CASE("verify_rewrite rejects a value whose quoting changes its type") {
  // The intent sets a plain `true` (a boolean); a quoted "true" is a string.
  std::string fixed = std::string(kInput) + "    read_only: \"true\"\n";
  CHECK(verdict(kInput, fixed, {set_read_only()}) != "");
}

TEST_CASE("verify_rewrite rejects a dropped key") {
  std::string after = kInput;
  after.erase(after.find("    environment:\n"));
  std::string error = verdict(kInput, after, {});
  CHECK(error.find("services.web") != std::string::npos);
  CHECK(error.find("expected 3 entries, found 2") != std::string::npos);
}

TEST_CASE("verify_rewrite rejects a dropped list item") {
  std::string after = kInput;
  after.erase(after.find("    ports:\n"), std::string("    ports:\n      - \"8080:80\"\n").size());
  after.insert(after.find("    environment:"), "    ports: []\n");
  std::string error = verdict(kInput, after, {});
  CHECK(error.find("services.web.ports") != std::string::npos);
  CHECK(error.find("expected 1 items, found 0") != std::string::npos);
}

TEST_CASE("verify_rewrite rejects an extra document") {
  std::string after = std::string(kInput) + "---\nother: 1\n";
  CHECK(verdict(kInput, after, {}) == "the rewritten file has a different number of documents");
}

TEST_CASE("verify_rewrite rejects a change no intent explains") {
  // The right edit with no intent, and an intent with no edit.
  std::string fixed = std::string(kInput) + "    read_only: true\n";
  std::string unexplained = verdict(kInput, fixed, {});
  CHECK(unexplained.find("services.web") != std::string::npos);
  CHECK(unexplained.find("expected 3 entries, found 4") != std::string::npos);
  std::string missing = verdict(kInput, kInput, {set_read_only()});
  CHECK(missing.find("expected 4 entries, found 3") != std::string::npos);
  // The intended change made, and another one beside it.
  std::string extra = fixed;
  extra.replace(extra.find("MODE: prod"), 10, "MODE: dev");
  std::string error = verdict(kInput, extra, {set_read_only()});
  CHECK(error.find("services.web.environment.MODE") != std::string::npos);
}

TEST_CASE("verify_rewrite rejects a renamed key and a value set elsewhere than intended") {
  std::string renamed = kInput;
  renamed.replace(renamed.find("MODE:"), 5, "MOOD:");
  CHECK(verdict(kInput, renamed, {}).find("expected key 'MODE', found 'MOOD'") != std::string::npos);

  std::string wrong_service = std::string(kInput) + "  db:\n    read_only: true\n";
  CHECK(verdict(kInput, wrong_service, {set_read_only()}) != "");
}

TEST_CASE("verify_rewrite rejects a rewrite that no longer parses, and an intent on a missing path") {
  std::string broken = std::string(kInput) + "    read_only: [true\n";
  CHECK(verdict(kInput, broken, {set_read_only()}).starts_with("the rewritten file does not parse"));

  Intent nowhere = set_read_only();
  nowhere.path = Path{std::string("services"), std::string("api"), std::string("read_only")};
  CHECK(verdict(kInput, kInput, {nowhere}).starts_with("a fix names a path that does not exist"));
}

TEST_CASE("verify_rewrite rejects a changed anchor and a changed alias") {
  const std::string input =
      "x-base: &base\n"
      "  restart: always\n"
      "services:\n"
      "  web:\n"
      "    <<: *base\n"
      "    image: nginx\n";
  std::string renamed_anchor = input;
  renamed_anchor.replace(renamed_anchor.find("&base"), 5, "&other");
  renamed_anchor.replace(renamed_anchor.find("*base"), 5, "*other");
  CHECK(verdict(input, renamed_anchor, {}).find("expected anchor 'base', found 'other'") != std::string::npos);

  // The alias inlined: the same values once expanded, but a change of every
  // user of the anchor to come.
  std::string inlined = input;
  inlined.replace(inlined.find("<<: *base"), 9, "<<: {restart: always}");
  CHECK(verdict(input, inlined, {}) != "");
}

TEST_CASE("verify_rewrite compares every document, not only the first") {
  const std::string input =
      "services:\n"
      "  web:\n"
      "    image: nginx\n"
      "---\n"
      "services:\n"
      "  db:\n"
      "    image: postgres\n";
  CHECK(verdict(input, input, {}) == "");
  std::string after = input;
  after.replace(after.find("postgres"), 8, "mysql");
  std::string error = verdict(input, after, {});
  CHECK(error.find("services.db.image") != std::string::npos);
  // An intent is about the first document: the same change in the second
  // is not explained by it.
  std::string second = input;
  second.insert(second.size(), "    read_only: true\n");
  Intent intent = set_read_only();
  intent.path = Path{std::string("services"), std::string("db"), std::string("read_only")};
  CHECK(verdict(input, second, {intent}) != "");
}

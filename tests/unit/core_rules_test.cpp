// The core rules H101-H106 and the inference behind them, driven through
// process_text with small compose files: each test states the exact output.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "findings.h"
#include "harden/compose.h"
#include "harden/inference.h"
#include "harden/loader.h"
#include "harden/pipeline.h"
#include "harden/rule.h"

using namespace harden;
using harden::test::finding_of;

namespace {

Options only(std::vector<std::string> rules) {
  Options options;
  options.select = std::move(rules);
  return options;
}

// With --unsafe-fixes: an unknown image's read_only fix is unsafe.
Options only_unsafe(std::vector<std::string> rules) {
  Options options = only(std::move(rules));
  options.unsafe_fixes = true;
  return options;
}

// The hardened text; the run must not fail.
std::string harden_text(const std::string& text, const Options& options = {}, const std::string& path = "compose.yaml") {
  FileResult result = process_text(path, text, options);
  INFO("error: " << (result.error ? result.error->message : std::string("none")));
  REQUIRE_FALSE(result.error.has_value());
  // Idempotent: the output hardened again is the same.
  FileResult again = process_text(path, result.output, options);
  REQUIRE_FALSE(again.error.has_value());
  CHECK(again.output == result.output);
  return result.output;
}

// A document and its Compose view, kept alive together.
struct Loaded {
  std::unique_ptr<Document> doc;
  ComposeFile compose;

  const Service& service(std::string_view name) const {
    auto it = std::find_if(compose.services.begin(), compose.services.end(),
                           [&](const Service& s) { return s.name == name; });
    REQUIRE(it != compose.services.end());
    return *it;
  }
};

Loaded load(const std::string& text, const std::string& path = "compose.yaml") {
  Loaded loaded;
  LoadResult result = load_document(path, text);
  REQUIRE(result.ok());
  loaded.doc = std::move(result.document);
  auto compose = read_compose(*loaded.doc);
  REQUIRE(std::holds_alternative<ComposeFile>(compose));
  loaded.compose = std::get<ComposeFile>(compose);
  return loaded;
}

ServiceFacts facts_for(const std::string& text, std::string_view service, const Options& options = {},
                       const std::string& dir = "") {
  Loaded loaded = load(text);
  return infer(loaded.service(service), options, dir);
}

std::vector<std::string> cap_names(const ServiceFacts& facts) {
  std::vector<std::string> names;
  for (const InferredCapability& cap : facts.capabilities) names.push_back(cap.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> tmpfs_entries(const ServiceFacts& facts) {
  std::vector<std::string> entries;
  for (const InferredTmpfs& t : facts.tmpfs) entries.push_back(t.options.empty() ? t.path : t.path + ":" + t.options);
  return entries;
}

// A temporary folder for Dockerfiles, removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("harden-core-rules-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  void write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories((path / name).parent_path());
    std::ofstream(path / name, std::ios::binary) << text;
  }
};

}  // namespace

// ================================================================ registry

TEST_CASE("registry: the core rules in code order, found by code or name") {
  const auto& rules = all_rules();
  REQUIRE(rules.size() >= 6);
  std::vector<std::string> codes;
  for (const auto& rule : rules) codes.emplace_back(rule->info().code);
  CHECK(std::vector<std::string>(codes.begin(), codes.begin() + 6) ==
        std::vector<std::string>{"H101", "H102", "H103", "H104", "H105", "H106"});
  for (std::string_view code : {"H101", "H102", "H103", "H104", "H105", "H106"}) {
    const Rule* rule = find_rule(code);
    REQUIRE(rule != nullptr);
    CHECK(rule->info().profile == Profile::Baseline);
    CHECK(rule->info().has_fix);
    CHECK(rule->info().safety == FixSafety::Safe);
    CHECK(rule->info().explain.find("harden: ignore[" + std::string(code) + "]") != std::string_view::npos);
    CHECK(rule->info().explain.find("CIS Docker Benchmark") != std::string_view::npos);
  }
  CHECK(find_rule("h102") == find_rule("H102"));
  CHECK(find_rule("no-privileged") == find_rule("H101"));
  CHECK(find_rule("cap-drop-all") == find_rule("H102"));
  CHECK(find_rule("no-new-privileges") == find_rule("H103"));
  CHECK(find_rule("read-only-rootfs") == find_rule("H104"));
  CHECK(find_rule("resource-limits") == find_rule("H105"));
  CHECK(find_rule("no-host-root-mount") == find_rule("H106"));
  CHECK(find_rule("H999") == nullptr);
}

// ================================================================ H101

TEST_CASE("H101: privileged: true is deleted with its comment") {
  CHECK(harden_text("services:\n"
                    "  web:\n"
                    "    image: nginx\n"
                    "    privileged: true  # for debugging\n"
                    "    ports:\n"
                    "      - \"8080:80\"\n",
                    only({"H101"})) ==
        "services:\n"
        "  web:\n"
        "    image: nginx\n"
        "    ports:\n"
        "      - \"8080:80\"\n");
}

TEST_CASE("H101: any true spelling; the last entry without a final newline; CRLF") {
  CHECK(harden_text("services:\n  web:\n    image: nginx\n    privileged: True", only({"H101"})) ==
        "services:\n  web:\n    image: nginx");
  CHECK(harden_text("services:\r\n  web:\r\n    privileged: TRUE\r\n    image: nginx\r\n", only({"H101"})) ==
        "services:\r\n  web:\r\n    image: nginx\r\n");
}

TEST_CASE("H101: privileged: false and an absent key are fine") {
  const std::string text = "services:\n  web:\n    image: nginx\n    privileged: false\n";
  FileResult result = process_text("compose.yaml", text, only({"H101"}));
  CHECK(result.findings.empty());
  CHECK(result.output == text);
}

TEST_CASE("H101, H104: a value set from a variable is reported, never replaced") {
  const std::string text =
      "services:\n"
      "  web:\n"
      "    image: nginx\n"
      "    read_only: ${READ_ONLY:-false}\n"
      "    privileged: \"$PRIVILEGED\"\n"
      "  cost:\n"
      "    image: nginx\n"
      "    privileged: \"$$5\"\n";  // $$ is a literal dollar: no variable, not true
  FileResult result = process_text("compose.yaml", text, only({"H101", "H104"}));
  CHECK(result.output.find("    read_only: ${READ_ONLY:-false}\n    privileged: \"$PRIVILEGED\"\n") !=
        std::string::npos);
  const Finding* read_only = finding_of(result, "H104", "web");
  REQUIRE(read_only);
  CHECK(read_only->line == 4);
  CHECK_FALSE(read_only->fixed);
  CHECK(read_only->message.find("${READ_ONLY:-false}") != std::string::npos);
  CHECK(read_only->not_fixed.find("variable") != std::string::npos);
  const Finding* privileged = finding_of(result, "H101", "web");
  REQUIRE(privileged);
  CHECK(privileged->line == 5);
  CHECK_FALSE(privileged->fixed);
  CHECK(finding_of(result, "H101", "cost") == nullptr);
  CHECK(finding_of(result, "H104", "cost") != nullptr);  // no read_only at all: fixed as usual
  CHECK(result.output.find("  cost:\n    image: nginx\n    privileged: \"$$5\"\n    read_only: true\n") !=
        std::string::npos);
}

TEST_CASE("H101: a flow mapping loses the entry") {
  CHECK(harden_text("services:\n  web: {image: nginx, privileged: true}\n", only({"H101"})) ==
        "services:\n  web: {image: nginx}\n");
}

TEST_CASE("H101: privileged received through a merge key is overridden in the service") {
  CHECK(harden_text("x-priv: &priv\n"
                    "  privileged: true\n"
                    "services:\n"
                    "  web:\n"
                    "    <<: *priv\n"
                    "    image: nginx\n",
                    only({"H101"})) ==
        "x-priv: &priv\n"
        "  privileged: true\n"
        "services:\n"
        "  web:\n"
        "    <<: *priv\n"
        "    image: nginx\n"
        "    privileged: false\n");
}

TEST_CASE("H101: a waiver on the service line keeps the entry") {
  const std::string text =
      "services:\n  dind:  # harden: ignore[H101] -- docker in docker\n    image: docker:dind\n    privileged: true\n";
  FileResult result = process_text("compose.yaml", text, only({"H101"}));
  CHECK(result.output == text);
  const Finding* f = finding_of(result, "H101", "dind");
  REQUIRE(f != nullptr);
  CHECK(f->waived);
}

// ================================================================ H102

TEST_CASE("H102: nginx gets cap_drop ALL and its start-up capabilities") {
  CHECK(harden_text("services:\n"
                    "  web:\n"
                    "    image: nginx:1.27\n"
                    "    ports:\n"
                    "      - \"80:80\"\n",
                    only({"H102"})) ==
        "services:\n"
        "  web:\n"
        "    image: nginx:1.27\n"
        "    ports:\n"
        "      - \"80:80\"\n"
        "    cap_drop:\n"
        "      - ALL\n"
        "    cap_add:\n"
        "      - CHOWN\n"
        "      - SETGID\n"
        "      - SETUID\n");
}

TEST_CASE("H102: sequences at the key's column and 4-space indentation") {
  CHECK(harden_text("services:\n"
                    "    web:\n"
                    "        image: nginx\n"
                    "        ports:\n"
                    "        - 8080:80\n",
                    only({"H102"})) ==
        "services:\n"
        "    web:\n"
        "        image: nginx\n"
        "        ports:\n"
        "        - 8080:80\n"
        "        cap_drop:\n"
        "        - ALL\n"
        "        cap_add:\n"
        "        - CHOWN\n"
        "        - SETGID\n"
        "        - SETUID\n");
}

TEST_CASE("H102: a file of flow sequences gets flow sequences") {
  CHECK(harden_text("services:\n"
                    "  web:\n"
                    "    image: redis:7\n"
                    "    ports: [\"6379:6379\"]\n",
                    only({"H102"})) ==
        "services:\n"
        "  web:\n"
        "    image: redis:7\n"
        "    ports: [\"6379:6379\"]\n"
        "    cap_drop: [ALL]\n"
        "    cap_add: [CHOWN, SETGID, SETUID]\n");
}

TEST_CASE("H102: ALL is appended to an existing cap_drop; cap_add keeps its items") {
  CHECK(harden_text("services:\n"
                    "  web:\n"
                    "    image: nginx\n"
                    "    cap_drop: [NET_RAW]\n"
                    "    cap_add:\n"
                    "      - CAP_CHOWN\n"
                    "      - NET_ADMIN\n"
                    "    restart: always\n",
                    only({"H102"})) ==
        "services:\n"
        "  web:\n"
        "    image: nginx\n"
        "    cap_drop: [NET_RAW, ALL]\n"
        "    cap_add:\n"
        "      - CAP_CHOWN\n"
        "      - NET_ADMIN\n"
        "      - SETGID\n"
        "      - SETUID\n"
        "    restart: always\n");
}

TEST_CASE("H102: cap_drop as the last entry gains ALL in place") {
  CHECK(harden_text("services:\n"
                    "  app:\n"
                    "    image: alpine\n"
                    "    cap_drop:\n"
                    "      - NET_RAW\n",
                    only({"H102"})) ==
        "services:\n"
        "  app:\n"
        "    image: alpine\n"
        "    cap_drop:\n"
        "      - NET_RAW\n"
        "      - ALL\n");
}

TEST_CASE("H102: a cap_drop of ALL through a merge key counts; beside cap_add ALL it is never fixed") {
  const std::string merged =
      "x-hardened: &hardened\n"
      "  cap_drop: [all]\n"
      "services:\n"
      "  web:\n"
      "    <<: *hardened\n"
      "    image: nginx\n";
  CHECK(harden_text(merged, only({"H102"})) == merged);
  // cap_add ALL gives every capability back whatever cap_drop says: no
  // cap_drop is added as if that fixed it, and the finding stays unfixed.
  for (const char* text : {"services:\n  web:\n    image: nginx\n    cap_add: [ALL]\n",
                           "services:\n  web:\n    image: nginx\n    cap_drop: [ALL]\n    cap_add: [all]\n"}) {
    CAPTURE(text);
    CHECK(harden_text(text, only({"H102"})) == text);
    FileResult r = harden::process_text("compose.yaml", text, only({"H102"}));
    REQUIRE(r.findings.size() == 1);
    CHECK_FALSE(r.findings[0].fixed);
    CHECK(r.findings[0].message.find("cap_add ALL") != std::string::npos);
  }
}

TEST_CASE("H102: a non-root user gets no cap_add; caddy keeps its file capability") {
  CHECK(harden_text("services:\n  db:\n    image: postgres:16\n    user: \"999\"\n", only({"H102"})) ==
        "services:\n  db:\n    image: postgres:16\n    user: \"999\"\n    cap_drop:\n      - ALL\n");
  CHECK(harden_text("services:\n  proxy:\n    image: caddy:2\n    user: \"1000\"\n", only({"H102"})) ==
        "services:\n  proxy:\n    image: caddy:2\n    user: \"1000\"\n    cap_drop:\n      - ALL\n"
        "    cap_add:\n      - NET_BIND_SERVICE\n");
  // Values the file quotes are quoted in new entries too.
  CHECK(harden_text("services:\n  db:\n    image: \"postgres:16\"\n    user: \"postgres\"\n", only({"H102"})) ==
        "services:\n  db:\n    image: \"postgres:16\"\n    user: \"postgres\"\n    cap_drop:\n      - \"ALL\"\n");
}

TEST_CASE("H102: a cap_add received through a merge key is carried into the service's own list") {
  CHECK(harden_text("x-caps: &caps\n"
                    "  cap_add:\n"
                    "    - SYS_NICE\n"
                    "services:\n"
                    "  web:\n"
                    "    <<: *caps\n"
                    "    image: nginx\n",
                    only({"H102"})) ==
        "x-caps: &caps\n"
        "  cap_add:\n"
        "    - SYS_NICE\n"
        "services:\n"
        "  web:\n"
        "    <<: *caps\n"
        "    image: nginx\n"
        "    cap_drop:\n"
        "      - ALL\n"
        "    cap_add:\n"
        "      - SYS_NICE\n"
        "      - CHOWN\n"
        "      - SETGID\n"
        "      - SETUID\n");
}

TEST_CASE("H102: a service written as an alias, or an anchored service reused elsewhere, is reported unfixed") {
  const std::string text =
      "services:\n"
      "  web: &web\n"
      "    image: example/app\n"
      "    cap_drop: [ALL]\n"
      "  api: &api\n"
      "    image: example/app\n"
      "  api2: *api\n";
  FileResult result = process_text("compose.yaml", text, only({"H102"}));
  CHECK_FALSE(result.error.has_value());
  CHECK(result.output == text);
  const Finding* api = finding_of(result, "H102", "api");
  const Finding* api2 = finding_of(result, "H102", "api2");
  REQUIRE(api != nullptr);
  REQUIRE(api2 != nullptr);
  CHECK_FALSE(api->fixed);
  CHECK_FALSE(api2->fixed);
  CHECK(api->not_fixed.find("anchored as &api") != std::string::npos);
  CHECK(api2->not_fixed.find("alias") != std::string::npos);
  CHECK(finding_of(result, "H102", "web") == nullptr);
}

TEST_CASE("H102: each added capability has its reason") {
  FileResult result = process_text("compose.yaml", "services:\n  db:\n    image: postgres:16\n", only({"H102"}));
  const Finding* f = finding_of(result, "H102", "db");
  REQUIRE(f != nullptr);
  CHECK(f->fixed);
  bool gosu = std::any_of(f->reasons.begin(), f->reasons.end(), [](const std::string& r) {
    return r.starts_with("cap_add SETUID:") && r.find("gosu") != std::string::npos;
  });
  CHECK(gosu);
}

// ================================================================ H103

TEST_CASE("H103: a new security_opt, in the file's quoting") {
  CHECK(harden_text("services:\n  web:\n    image: nginx\n", only({"H103"})) ==
        "services:\n  web:\n    image: nginx\n    security_opt:\n      - no-new-privileges:true\n");
  CHECK(harden_text("services:\n  web:\n    image: 'nginx'\n    command: 'nginx -g daemon off;'\n",
                    only({"H103"})) ==
        "services:\n  web:\n    image: 'nginx'\n    command: 'nginx -g daemon off;'\n"
        "    security_opt:\n      - 'no-new-privileges:true'\n");
}

TEST_CASE("H103: appended to an existing list, with its separator") {
  CHECK(harden_text("services:\n"
                    "  web:\n"
                    "    image: nginx\n"
                    "    security_opt:\n"
                    "      - label=disable\n"
                    "    restart: always\n",
                    only({"H103"})) ==
        "services:\n"
        "  web:\n"
        "    image: nginx\n"
        "    security_opt:\n"
        "      - label=disable\n"
        "      - no-new-privileges=true\n"
        "    restart: always\n");
  CHECK(harden_text("services:\n  web:\n    security_opt: [\"apparmor:unconfined\"]\n    image: nginx\n",
                    only({"H103"})) ==
        "services:\n  web:\n    security_opt: [\"apparmor:unconfined\", \"no-new-privileges:true\"]\n    image: nginx\n");
}

TEST_CASE("H102, H103: a list that lacks the item is reported at its key, a false item at that item") {
  const std::string text =
      "services:\n"
      "  web:\n"
      "    image: nginx\n"
      "    cap_drop:\n"
      "      - NET_RAW\n"
      "    security_opt:\n"
      "      - label=disable\n"
      "  api:\n"
      "    image: nginx\n"
      "    security_opt:\n"
      "      - no-new-privileges:false\n";
  FileResult result = process_text("compose.yaml", text, only({"H102", "H103"}));
  const Finding* drop = finding_of(result, "H102", "web");
  const Finding* missing = finding_of(result, "H103", "web");
  const Finding* flipped = finding_of(result, "H103", "api");
  REQUIRE(drop);
  REQUIRE(missing);
  REQUIRE(flipped);
  CHECK(drop->line == 4);
  CHECK(missing->line == 6);
  CHECK(flipped->line == 11);
  // No list at all: the service's key.
  FileResult bare = process_text("compose.yaml", "services:\n  web:\n    image: nginx\n", only({"H102", "H103"}));
  REQUIRE(bare.findings.size() == 2);
  CHECK(bare.findings[0].line == 2);
  CHECK(bare.findings[1].line == 2);
}

TEST_CASE("H103: every accepted spelling counts as set") {
  for (std::string spelling : {"no-new-privileges", "no-new-privileges:true", "no-new-privileges=true",
                               "no-new-privileges=1"}) {
    const std::string text = "services:\n  web:\n    image: nginx\n    security_opt:\n      - " + spelling + "\n";
    FileResult result = process_text("compose.yaml", text, only({"H103"}));
    CHECK_MESSAGE(result.findings.empty(), spelling);
    CHECK(result.output == text);
  }
}

TEST_CASE("H103: an explicit false is flipped, keeping separator and quotes") {
  CHECK(harden_text("services:\n  web:\n    security_opt:\n      - no-new-privileges:false\n    image: nginx\n",
                    only({"H103"})) ==
        "services:\n  web:\n    security_opt:\n      - no-new-privileges:true\n    image: nginx\n");
  CHECK(harden_text("services:\n  web:\n    image: nginx\n    security_opt: [\"no-new-privileges=false\"]",
                    only({"H103"})) ==
        "services:\n  web:\n    image: nginx\n    security_opt: [\"no-new-privileges=true\"]");
}

TEST_CASE("H103: a false received through a merge key is overridden by an own list") {
  CHECK(harden_text("x-opts: &opts\n"
                    "  security_opt:\n"
                    "    - label=disable\n"
                    "    - no-new-privileges=false\n"
                    "services:\n"
                    "  web:\n"
                    "    <<: *opts\n"
                    "    image: nginx\n",
                    only({"H103"})) ==
        "x-opts: &opts\n"
        "  security_opt:\n"
        "    - label=disable\n"
        "    - no-new-privileges=false\n"
        "services:\n"
        "  web:\n"
        "    <<: *opts\n"
        "    image: nginx\n"
        "    security_opt:\n"
        "      - label=disable\n"
        "      - no-new-privileges=true\n");
}

// ================================================================ H104

TEST_CASE("H104: nginx gets read_only and the tmpfs its profile lists") {
  CHECK(harden_text("services:\n  web:\n    image: nginx\n", only({"H104"})) ==
        "services:\n"
        "  web:\n"
        "    image: nginx\n"
        "    read_only: true\n"
        "    tmpfs:\n"
        "      - /tmp\n"
        "      - /var/cache/nginx\n"
        "      - /var/run\n");
}

TEST_CASE("H104: read_only: false is flipped; an existing tmpfs string becomes a list") {
  CHECK(harden_text("services:\n"
                    "  web:\n"
                    "    image: example/app\n"
                    "    read_only: false\n"
                    "    tmpfs: /run\n"
                    "    restart: always\n",
                    only_unsafe({"H104"})) ==
        "services:\n"
        "  web:\n"
        "    image: example/app\n"
        "    read_only: true\n"
        "    tmpfs:\n"
        "      - /run\n"
        "      - /tmp\n"
        "    restart: always\n");
}

TEST_CASE("H104: paths already mounted get no tmpfs; a parent mount covers its children") {
  CHECK(harden_text("services:\n"
                    "  web:\n"
                    "    image: nginx\n"
                    "    tmpfs:\n"
                    "      - /tmp:size=64m\n"
                    "    volumes:\n"
                    "      - ./cache:/var/cache\n",
                    only({"H104"})) ==
        "services:\n"
        "  web:\n"
        "    image: nginx\n"
        "    tmpfs:\n"
        "      - /tmp:size=64m\n"
        "      - /var/run\n"
        "    volumes:\n"
        "      - ./cache:/var/cache\n"
        "    read_only: true\n");
}

TEST_CASE("H104: tmpfs options of the profile; Java images get an executable /tmp") {
  CHECK(harden_text("services:\n  db:\n    image: mysql:8.4\n", only({"H104"})) ==
        "services:\n  db:\n    image: mysql:8.4\n    read_only: true\n    tmpfs:\n      - /tmp\n"
        "      - /var/run/mysqld:mode=1777\n");
  CHECK(harden_text("services:\n  kc:\n    image: quay.io/keycloak/keycloak:26.0\n", only({"H104"})) ==
        "services:\n  kc:\n    image: quay.io/keycloak/keycloak:26.0\n    read_only: true\n    tmpfs:\n"
        "      - /tmp:exec\n      - /opt/keycloak/data:uid=1000,gid=0\n");
}

TEST_CASE("H104: images that cannot run read-only are reported without a fix") {
  const std::string text = "services:\n  es:\n    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0\n";
  FileResult result = process_text("compose.yaml", text, only({"H104"}));
  CHECK(result.output == text);
  const Finding* f = finding_of(result, "H104", "es");
  REQUIRE(f != nullptr);
  CHECK_FALSE(f->fixed);
  CHECK(f->not_fixed.find("cannot run with a read-only root filesystem") != std::string::npos);
}

TEST_CASE("H104: read_only through a merge key counts; a comment after the last entry stays after the insertion") {
  const std::string merged = "x-ro: &ro\n  read_only: true\nservices:\n  web:\n    <<: *ro\n    image: nginx\n";
  CHECK(harden_text(merged, only({"H104"})) == merged);
  CHECK(harden_text("services:\n"
                    "  app:\n"
                    "    image: example/app\n"
                    "\n"
                    "  # the database\n"
                    "  db:\n"
                    "    image: example/db\n",
                    only_unsafe({"H104"})) ==
        "services:\n"
        "  app:\n"
        "    image: example/app\n"
        "    read_only: true\n"
        "    tmpfs:\n"
        "      - /tmp\n"
        "\n"
        "  # the database\n"
        "  db:\n"
        "    image: example/db\n"
        "    read_only: true\n"
        "    tmpfs:\n"
        "      - /tmp\n");
}

TEST_CASE("H104: an unknown image gets /tmp and a note") {
  FileResult result = process_text("compose.yaml", "services:\n  app:\n    image: example/app:1\n", only({"H104"}));
  const Finding* f = finding_of(result, "H104", "app");
  REQUIRE(f != nullptr);
  bool note = std::any_of(f->reasons.begin(), f->reasons.end(), [](const std::string& r) {
    return r.find("image example/app:1 is unknown") != std::string::npos;
  });
  CHECK(note);
}

// ================================================================ H105

TEST_CASE("H105: service-level keys by default") {
  CHECK(harden_text("services:\n  app:\n    image: example/app\n", only({"H105"})) ==
        "services:\n  app:\n    image: example/app\n    mem_limit: 512m\n    cpus: 1\n    pids_limit: 100\n");
}

TEST_CASE("H105: only the missing limits; the run's defaults; the file's quotes") {
  Options options = only({"H105"});
  options.defaults.memory = "1g";
  options.defaults.cpus = "0.5";
  CHECK(harden_text("services:\n  app:\n    image: example/app\n    mem_limit: 2g\n", options) ==
        "services:\n  app:\n    image: example/app\n    mem_limit: 2g\n    cpus: 0.5\n    pids_limit: 100\n");
  CHECK(harden_text("services:\n  app:\n    image: \"example/app\"\n    restart: \"always\"\n", only({"H105"})) ==
        "services:\n  app:\n    image: \"example/app\"\n    restart: \"always\"\n    mem_limit: \"512m\"\n"
        "    cpus: \"1\"\n    pids_limit: 100\n");
}

TEST_CASE("H105: a service with deploy limits gets the missing ones there") {
  CHECK(harden_text("services:\n"
                    "  app:\n"
                    "    deploy:\n"
                    "      resources:\n"
                    "        limits:\n"
                    "          memory: 1g\n"
                    "    image: example/app\n",
                    only({"H105"})) ==
        "services:\n"
        "  app:\n"
        "    deploy:\n"
        "      resources:\n"
        "        limits:\n"
        "          memory: 1g\n"
        "          cpus: 1\n"
        "          pids: 100\n"
        "    image: example/app\n");
}

TEST_CASE("H105: a limit set in one style is never written in the other") {
  CHECK(harden_text("services:\n"
                    "  app:\n"
                    "    mem_limit: 1g\n"
                    "    deploy:\n"
                    "      resources:\n"
                    "        limits:\n"
                    "          cpus: '2'\n"
                    "    image: example/app\n",
                    only({"H105"})) ==
        "services:\n"
        "  app:\n"
        "    mem_limit: 1g\n"
        "    deploy:\n"
        "      resources:\n"
        "        limits:\n"
        "          cpus: '2'\n"
        "          pids: 100\n"
        "    image: example/app\n");
}

TEST_CASE("H105: a service without limits follows the file's style") {
  CHECK(harden_text("services:\n"
                    "  api:\n"
                    "    image: example/api\n"
                    "    deploy:\n"
                    "      resources:\n"
                    "        limits: {memory: 1g, cpus: 1, pids: 50}\n"
                    "  worker:\n"
                    "    image: example/worker\n"
                    "    deploy:\n"
                    "      replicas: 2\n"
                    "  cron:\n"
                    "    image: example/cron\n",
                    only({"H105"})) ==
        "services:\n"
        "  api:\n"
        "    image: example/api\n"
        "    deploy:\n"
        "      resources:\n"
        "        limits: {memory: 1g, cpus: 1, pids: 50}\n"
        "  worker:\n"
        "    image: example/worker\n"
        "    deploy:\n"
        "      replicas: 2\n"
        "      resources:\n"
        "        limits:\n"
        "          memory: 512m\n"
        "          cpus: 1\n"
        "          pids: 100\n"
        "  cron:\n"
        "    image: example/cron\n"
        "    deploy:\n"
        "      resources:\n"
        "        limits:\n"
        "          memory: 512m\n"
        "          cpus: 1\n"
        "          pids: 100\n");
}

TEST_CASE("H105: limits received through a merge key count; a merged deploy is not replaced") {
  const std::string merged =
      "x-limits: &limits\n  mem_limit: 1g\n  cpus: 2\n  pids_limit: 200\nservices:\n  app:\n    <<: *limits\n"
      "    image: example/app\n";
  CHECK(harden_text(merged, only({"H105"})) == merged);
  CHECK(harden_text("x-deploy: &deploy\n"
                    "  deploy:\n"
                    "    restart_policy: {condition: on-failure}\n"
                    "services:\n"
                    "  app:\n"
                    "    <<: *deploy\n"
                    "    image: example/app\n"
                    "  other:\n"
                    "    image: example/other\n"
                    "    deploy:\n"
                    "      resources:\n"
                    "        limits: {memory: 1g, cpus: 1, pids: 50}\n",
                    only({"H105"})) ==
        "x-deploy: &deploy\n"
        "  deploy:\n"
        "    restart_policy: {condition: on-failure}\n"
        "services:\n"
        "  app:\n"
        "    <<: *deploy\n"
        "    image: example/app\n"
        "    mem_limit: 512m\n"
        "    cpus: 1\n"
        "    pids_limit: 100\n"
        "  other:\n"
        "    image: example/other\n"
        "    deploy:\n"
        "      resources:\n"
        "        limits: {memory: 1g, cpus: 1, pids: 50}\n");
}

TEST_CASE("H105: one finding per service naming what is missing") {
  FileResult result =
      process_text("compose.yaml", "services:\n  app:\n    image: example/app\n    cpus: 1\n", only({"H105"}));
  REQUIRE(result.findings.size() == 1);
  CHECK(result.findings[0].message.starts_with("no memory limit and no pids limit"));
}

TEST_CASE("H105: missing limits are reported under the deploy block the service writes") {
  auto line_of = [](const std::string& text) {
    FileResult result = process_text("compose.yaml", text, only({"H105"}));
    REQUIRE(result.findings.size() == 1);
    return result.findings[0].line;
  };
  CHECK(line_of("services:\n  app:\n    image: example/app\n") == 2);
  CHECK(line_of("services:\n  app:\n    image: example/app\n    deploy:\n      replicas: 2\n") == 4);
  CHECK(line_of("services:\n  app:\n    image: example/app\n    deploy:\n") == 4);
  CHECK(line_of("services:\n  app:\n    image: example/app\n    deploy:\n      resources:\n"
                "        reservations:\n          cpus: '0.1'\n") == 5);
  CHECK(line_of("services:\n  app:\n    image: example/app\n    deploy:\n      resources:\n"
                "        limits:\n          memory: 1g\n") == 6);
  // Service-level keys go to the service: the finding stays there.
  CHECK(line_of("services:\n  app:\n    image: example/app\n    mem_limit: 1g\n    deploy:\n      replicas: 2\n") ==
        2);
}

TEST_CASE("H105: a deploy block with other settings gets the limits") {
  CHECK(harden_text("services:\n  app:\n    image: example/app\n    deploy:\n      replicas: 2\n", only({"H105"})) ==
        "services:\n  app:\n    image: example/app\n    deploy:\n      replicas: 2\n      resources:\n"
        "        limits:\n          memory: 512m\n          cpus: 1\n          pids: 100\n");
}

TEST_CASE("H105: a value meaning no limit is reported at its key; replaced only with unsafe fixes") {
  const std::string text =
      "services:\n"
      "  app:\n"
      "    image: example/app\n"
      "    pids_limit: -1\n"
      "    cpus: 0\n"
      "    mem_limit: 1g\n"
      "  job:\n"
      "    image: example/job\n"
      "    deploy:\n"
      "      resources:\n"
      "        limits: {memory: 0m, cpus: '0.5', pids: 0}\n"
      "  ok:\n"
      "    image: example/ok\n"
      "    pids_limit: ${PIDS:-0}\n"
      "    cpus: 0.25\n"
      "    mem_limit: 10\n";
  FileResult result = process_text("compose.yaml", text, only({"H105"}));
  std::vector<std::string> seen;
  for (const Finding& f : result.findings) seen.push_back(f.service + "@" + std::to_string(f.line) + " " + f.message);
  REQUIRE(seen.size() == 4);
  CHECK(seen[0] == "app@4 pids_limit -1 sets no pids limit: one runaway container can exhaust the host");
  CHECK(seen[1] == "app@5 cpus 0 sets no cpu limit: one runaway container can exhaust the host");
  CHECK(seen[2].starts_with("job@11 deploy.resources.limits.memory 0m sets no memory limit"));
  CHECK(seen[3].starts_with("job@11 deploy.resources.limits.pids 0 sets no pids limit"));
  CHECK(result.output == text);  // the fixes are unsafe
  Options unsafe = only({"H105"});
  unsafe.unsafe_fixes = true;
  CHECK(harden_text(text, unsafe) ==
        "services:\n"
        "  app:\n"
        "    image: example/app\n"
        "    pids_limit: 100\n"
        "    cpus: 1\n"
        "    mem_limit: 1g\n"
        "  job:\n"
        "    image: example/job\n"
        "    deploy:\n"
        "      resources:\n"
        "        limits: {memory: 512m, cpus: '0.5', pids: 100}\n"
        "  ok:\n"
        "    image: example/ok\n"
        "    pids_limit: ${PIDS:-0}\n"
        "    cpus: 0.25\n"
        "    mem_limit: 10\n");
}

// ================================================================ H106

TEST_CASE("H106: a bind of / is deleted, short and long syntax") {
  CHECK(harden_text("services:\n"
                    "  agent:\n"
                    "    image: example/agent\n"
                    "    volumes:\n"
                    "      - /:/host:ro  # the whole host\n"
                    "      - ./conf:/conf\n",
                    only({"H106"})) ==
        "services:\n"
        "  agent:\n"
        "    image: example/agent\n"
        "    volumes:\n"
        "      - ./conf:/conf\n");
  CHECK(harden_text("services:\n"
                    "  agent:\n"
                    "    volumes:\n"
                    "      - data:/data\n"
                    "      - type: bind\n"
                    "        source: /\n"
                    "        target: /rootfs\n"
                    "        read_only: true\n"
                    "    image: example/agent\n",
                    only({"H106"})) ==
        "services:\n"
        "  agent:\n"
        "    volumes:\n"
        "      - data:/data\n"
        "    image: example/agent\n");
}

TEST_CASE("H106: the only mount leaves an empty list; flow lists; other binds stay") {
  CHECK(harden_text("services:\n  agent:\n    volumes:\n      - /:/host\n    image: example/agent\n",
                    only({"H106"})) == "services:\n  agent:\n    volumes: []\n    image: example/agent\n");
  CHECK(harden_text("services:\n  agent:\n    image: example/agent\n    volumes: [\"/srv:/srv\", \"/:/host:ro\"]\n",
                    only({"H106"})) == "services:\n  agent:\n    image: example/agent\n    volumes: [\"/srv:/srv\"]\n");
  const std::string fine = "services:\n  agent:\n    image: example/agent\n    volumes:\n      - /srv:/srv\n      - /var/log:/logs:ro\n";
  CHECK(harden_text(fine, only({"H106"})) == fine);
}

TEST_CASE("H106: the host root written as // or /. is the host root too") {
  CHECK(harden_text("services:\n  agent:\n    image: example/agent\n    volumes:\n      - //:/host\n      - /.:/also\n"
                    "      - /srv/.:/srv\n",
                    only({"H106"})) == "services:\n  agent:\n    image: example/agent\n    volumes:\n      - /srv/.:/srv\n");
}

// ================================================================ all core rules together

TEST_CASE("core rules together: one partly hardened service") {
  CHECK(harden_text("services:\n"
                    "  web:\n"
                    "    image: nginx:1.27-alpine\n"
                    "    cap_drop: [ALL]\n"
                    "    cap_add: [CHOWN, SETGID, SETUID]\n"
                    "    security_opt: [no-new-privileges:true]\n"
                    "    ports: [\"8080:80\"]\n"
                    "    restart: unless-stopped\n") ==
        "services:\n"
        "  web:\n"
        "    image: nginx:1.27-alpine\n"
        "    cap_drop: [ALL]\n"
        "    cap_add: [CHOWN, SETGID, SETUID]\n"
        "    security_opt: [no-new-privileges:true]\n"
        "    ports: [\"8080:80\"]\n"
        "    restart: unless-stopped\n"
        "    read_only: true\n"
        "    tmpfs: [/tmp, /var/cache/nginx, /var/run]\n"
        "    mem_limit: 512m\n"
        "    cpus: 1\n"
        "    pids_limit: 100\n");
}

TEST_CASE("core rules together: CRLF, no final newline, comments after the last entry") {
  CHECK(harden_text("services:\r\n"
                    "  db:\r\n"
                    "    image: postgres:17\r\n"
                    "    user: postgres\r\n"
                    "    privileged: true\r\n"
                    "    volumes:\r\n"
                    "      - pgdata:/var/lib/postgresql/data\r\n"
                    "    # keep the data\r\n"
                    "volumes:\r\n"
                    "  pgdata: {}") ==
        "services:\r\n"
        "  db:\r\n"
        "    image: postgres:17\r\n"
        "    user: postgres\r\n"
        "    volumes:\r\n"
        "      - pgdata:/var/lib/postgresql/data\r\n"
        "    cap_drop:\r\n"
        "      - ALL\r\n"
        "    security_opt:\r\n"
        "      - no-new-privileges:true\r\n"
        "    read_only: true\r\n"
        "    tmpfs:\r\n"
        "      - /tmp\r\n"
        "      - /var/run/postgresql:mode=1777\r\n"
        "    mem_limit: 512m\r\n"
        "    cpus: 1\r\n"
        "    pids_limit: 200\r\n"
        "    # keep the data\r\n"
        "volumes:\r\n"
        "  pgdata: {}");
}

TEST_CASE("core rules together: a fully hardened file is left byte for byte") {
  const std::string text =
      "\xEF\xBB\xBFservices:\n"
      "  web:\n"
      "    image: nginx\n"
      "    cap_drop: [ALL]\n"
      "    cap_add: [CHOWN, SETGID, SETUID]\n"
      "    security_opt: [\"no-new-privileges=true\"]\n"
      "    read_only: true\n"
      "    tmpfs: [/tmp, /var/cache/nginx, /var/run]\n"
      "    deploy:\n"
      "      resources:\n"
      "        limits: {memory: 256m, cpus: '0.5', pids: 64}\n";
  FileResult result = process_text("compose.yaml", text, {});
  CHECK_FALSE(result.error.has_value());
  CHECK(result.findings.empty());
  CHECK_FALSE(result.changed);
  CHECK(result.output == text);
}

// Several fixes insert at the same offset when a list or nested mapping ends
// the service: the item of the deeper collection must come first.
TEST_CASE("core rules together: a list that ends the service gains its item before new keys") {
  CHECK(harden_text("services:\n"
                    "  app:\n"
                    "    image: alpine\n"
                    "    cap_drop:\n"
                    "      - NET_RAW\n",
                    only({"H102", "H103"})) ==
        "services:\n"
        "  app:\n"
        "    image: alpine\n"
        "    cap_drop:\n"
        "      - NET_RAW\n"
        "      - ALL\n"
        "    security_opt:\n"
        "      - no-new-privileges:true\n");
  CHECK(harden_text("services:\n"
                    "  app:\n"
                    "    image: example/app\n"
                    "    deploy:\n"
                    "      resources:\n"
                    "        limits:\n"
                    "          memory: 1g\n",
                    only({"H103", "H105"})) ==
        "services:\n"
        "  app:\n"
        "    image: example/app\n"
        "    deploy:\n"
        "      resources:\n"
        "        limits:\n"
        "          memory: 1g\n"
        "          cpus: 1\n"
        "          pids: 100\n"
        "    security_opt:\n"
        "      - no-new-privileges:true\n");
}

// ================================================================ inference

TEST_CASE("inference: nginx needs its temp and pid folders and CHOWN, SETUID, SETGID") {
  ServiceFacts facts = facts_for("services:\n  web:\n    image: nginx:1.27\n", "web");
  REQUIRE(facts.profile != nullptr);
  CHECK(facts.profile->family == "nginx");
  CHECK_FALSE(facts.image_unknown);
  CHECK(facts.starts_as_root);
  CHECK(facts.switches_user);
  CHECK(cap_names(facts) == std::vector<std::string>{"CHOWN", "SETGID", "SETUID"});
  CHECK(tmpfs_entries(facts) == std::vector<std::string>{"/tmp", "/var/cache/nginx", "/var/run"});
  for (const InferredCapability& cap : facts.capabilities) CHECK(cap.reason.find("image nginx:1.27") != std::string::npos);
}

TEST_CASE("inference: postgres with a non-root user: gets no cap_add") {
  ServiceFacts facts = facts_for("services:\n  db:\n    image: postgres:16\n    user: \"999\"\n", "db");
  CHECK(facts.user == "999");
  CHECK_FALSE(facts.starts_as_root);
  CHECK(facts.capabilities.empty());
  ServiceFacts as_root = facts_for("services:\n  db:\n    image: postgres:16\n    user: \"0:0\"\n", "db");
  CHECK(as_root.starts_as_root);
  CHECK_FALSE(as_root.capabilities.empty());
}

TEST_CASE("inference: caddy needs NET_BIND_SERVICE as root and as non-root") {
  ServiceFacts facts = facts_for("services:\n  proxy:\n    image: caddy:2-alpine\n", "proxy");
  CHECK(cap_names(facts) == std::vector<std::string>{"NET_BIND_SERVICE"});
  ServiceFacts non_root = facts_for("services:\n  proxy:\n    image: caddy\n    user: \"1000:1000\"\n", "proxy");
  CHECK(cap_names(non_root) == std::vector<std::string>{"NET_BIND_SERVICE"});
}

TEST_CASE("inference: NET_BIND_SERVICE only for a low port in the host's namespace as root") {
  CHECK(cap_names(facts_for("services:\n  app:\n    image: alpine\n    network_mode: host\n"
                            "    ports: [\"80:80\"]\n",
                            "app")) == std::vector<std::string>{"NET_BIND_SERVICE"});
  CHECK(cap_names(facts_for("services:\n  app:\n    image: alpine\n    network_mode: \"service:vpn\"\n"
                            "    expose: [443]\n",
                            "app")) == std::vector<std::string>{"NET_BIND_SERVICE"});
  // Its own network namespace: Docker opens low ports to everyone.
  CHECK(facts_for("services:\n  app:\n    image: alpine\n    ports: [\"80:80\"]\n", "app").capabilities.empty());
  // A non-root process cannot use cap_add.
  CHECK(facts_for("services:\n  app:\n    image: alpine\n    network_mode: host\n    user: \"1000\"\n"
                  "    ports: [\"80:80\"]\n",
                  "app")
            .capabilities.empty());
  // High ports only.
  CHECK(facts_for("services:\n  app:\n    image: alpine\n    network_mode: host\n    ports: [\"8080:8080\"]\n",
                  "app")
            .capabilities.empty());
}

TEST_CASE("inference: image VOLUME folders never get a tmpfs") {
  Options options;
  ProfileCatalog catalog = ProfileCatalog::builtin();
  catalog.merge(ProfileCatalog::parse("profiles:\n"
                                      "  - family: appliance\n"
                                      "    images: [example/appliance]\n"
                                      "    user: root\n"
                                      "    tmpfs: [/srv/data/cache, /run/appliance]\n"
                                      "    volumes: [/srv/data]\n"));
  options.catalog = &catalog;
  ServiceFacts facts = facts_for("services:\n  app:\n    image: example/appliance\n", "app", options);
  CHECK(tmpfs_entries(facts) == std::vector<std::string>{"/tmp", "/run/appliance"});
}

TEST_CASE("inference: a parent mount covers child paths") {
  ServiceFacts facts =
      facts_for("services:\n  web:\n    image: nginx\n    volumes:\n      - ./cache:/var/cache\n"
                "    tmpfs: /tmp\n",
                "web");
  CHECK(tmpfs_entries(facts) == std::vector<std::string>{"/var/run"});
  CHECK(path_covered("/var/cache/nginx", "/var/cache"));
  CHECK(path_covered("/var/cache", "/var/cache/"));
  CHECK(path_covered("/anything", "/"));
  CHECK_FALSE(path_covered("/var/cachet", "/var/cache"));
  CHECK_FALSE(path_covered("/var", "/var/cache"));
}

TEST_CASE("inference: unknown images get /tmp only and a note") {
  ServiceFacts facts = facts_for("services:\n  app:\n    image: example/app:1\n", "app");
  CHECK(facts.image_unknown);
  CHECK(facts.profile == nullptr);
  CHECK(facts.user == "root");
  CHECK(tmpfs_entries(facts) == std::vector<std::string>{"/tmp"});
  REQUIRE(facts.notes.size() == 1);
  CHECK(facts.notes[0] ==
        "image example/app:1 is unknown (no profile, no Dockerfile with a profiled base image, not read from a local "
        "engine): harden assumes it starts as root and may switch user or chown its data, so cap_drop ALL keeps "
        "CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID; which paths it writes is unknown, so read_only is an unsafe "
        "fix; to give evidence, run harden where the image is in the local engine, add a profile under `images:` "
        "in .harden.yaml, or prove it at runtime: start it hardened with --unsafe-fixes and check that it works");
}

TEST_CASE("inference: a non-root user: gives a profile tmpfs an owner unless the profile set one") {
  CHECK(tmpfs_entries(facts_for("services:\n  web:\n    image: nginx\n    user: \"101:101\"\n", "web")) ==
        std::vector<std::string>{"/tmp", "/var/cache/nginx:uid=101,gid=101", "/var/run:uid=101,gid=101"});
  CHECK(tmpfs_entries(facts_for("services:\n  db:\n    image: mysql\n    user: \"999:999\"\n", "db")) ==
        std::vector<std::string>{"/tmp", "/var/run/mysqld:mode=1777"});
}

TEST_CASE("read_mounts: short and long syntax, tmpfs, variables kept") {
  Loaded loaded = load(
      "services:\n"
      "  app:\n"
      "    image: example/app\n"
      "    volumes:\n"
      "      - /:/host:ro\n"
      "      - data:/data\n"
      "      - /anonymous\n"
      "      - ${DATA:-./data}:/srv/data:rw\n"
      "      - ./conf:/etc/app:ro,z\n"
      "      - type: bind\n"
      "        source: /var/log\n"
      "        target: /logs\n"
      "        read_only: true\n"
      "      - type: tmpfs\n"
      "        target: /cache\n"
      "    tmpfs:\n"
      "      - /run:size=16m\n");
  std::vector<Mount> mounts = read_mounts(loaded.service("app"));
  REQUIRE(mounts.size() == 8);
  CHECK(mounts[0].kind == Mount::Kind::Bind);
  CHECK(mounts[0].source == "/");
  CHECK(mounts[0].target == "/host");
  CHECK(mounts[0].read_only);
  CHECK(mounts[1].kind == Mount::Kind::Volume);
  CHECK(mounts[1].source == "data");
  CHECK(mounts[2].kind == Mount::Kind::Volume);
  CHECK(mounts[2].source.empty());
  CHECK(mounts[2].target == "/anonymous");
  CHECK(mounts[3].kind == Mount::Kind::Bind);
  CHECK(mounts[3].source == "${DATA:-./data}");
  CHECK(mounts[3].target == "/srv/data");
  CHECK_FALSE(mounts[3].read_only);
  CHECK(mounts[4].read_only);
  CHECK(mounts[5].kind == Mount::Kind::Bind);
  CHECK(mounts[5].target == "/logs");
  CHECK(mounts[5].read_only);
  CHECK(mounts[5].index == 5);
  CHECK(mounts[6].kind == Mount::Kind::Tmpfs);
  CHECK(mounts[6].target == "/cache");
  CHECK(mounts[7].kind == Mount::Kind::Tmpfs);
  CHECK(mounts[7].target == "/run");
  CHECK(mounts[7].index == 0);
}

TEST_CASE("inference: the final stage of a local Dockerfile is read as the image") {
  TempDir dir;
  dir.write("web/Dockerfile",
            "# syntax=docker/dockerfile:1\n"
            "FROM golang:1.22 AS build\n"
            "USER builder\n"
            "RUN go build -o /out/app .\n"
            "\n"
            "FROM nginx:1.27 AS base\n"
            "VOLUME [\"/var/cache/nginx\"]\n"
            "\n"
            "FROM base\n"
            "RUN apt-get update && \\\n"
            "    setcap 'cap_net_raw+ep' /usr/bin/ping && \\\n"
            "    rm -rf /var/lib/apt/lists/*\n"
            "EXPOSE 80\n");
  std::string compose = "services:\n  web:\n    build:\n      context: ./web\n";
  ServiceFacts facts = facts_for(compose, "web", {}, dir.path.string());
  REQUIRE(facts.profile != nullptr);
  CHECK(facts.profile->family == "nginx");
  CHECK(facts.profile_origin == "Dockerfile web/Dockerfile");
  CHECK_FALSE(facts.image_unknown);
  CHECK(facts.user == "root");  // the USER of the build stage does not carry over
  CHECK(facts.dockerfile_volumes == std::vector<std::string>{"/var/cache/nginx"});
  CHECK(tmpfs_entries(facts) == std::vector<std::string>{"/tmp", "/var/run"});
  CHECK(cap_names(facts) == std::vector<std::string>{"CHOWN", "NET_RAW", "SETGID", "SETUID"});
}

TEST_CASE("inference: a Dockerfile USER makes the service non-root; an unreadable one is reported") {
  TempDir dir;
  dir.write("Dockerfile.prod", "FROM python:3.12-slim\nVOLUME /data /cache\nUSER 10001\n");
  ServiceFacts facts =
      facts_for("services:\n  api:\n    build: {context: ., dockerfile: Dockerfile.prod}\n", "api", {}, dir.path.string());
  CHECK(facts.user == "10001");
  CHECK_FALSE(facts.starts_as_root);
  CHECK(facts.dockerfile_volumes == std::vector<std::string>{"/data", "/cache"});

  ServiceFacts missing = facts_for("services:\n  api:\n    build: ./nowhere\n", "api", {}, dir.path.string());
  CHECK(missing.image_unknown);
  REQUIRE(missing.notes.size() == 1);
  CHECK(missing.notes[0].find("nowhere/Dockerfile cannot be read") != std::string::npos);
}

TEST_CASE("inference: FROM may use the defaults of global ARGs") {
  TempDir dir;
  dir.write("Dockerfile", "ARG BASE=postgres\nARG TAG=\"16-alpine\"\nFROM ${BASE}:${TAG} AS db\nRUN echo\n");
  ServiceFacts facts = facts_for("services:\n  db:\n    build: .\n", "db", {}, dir.path.string());
  REQUIRE(facts.profile != nullptr);
  CHECK(facts.profile->family.starts_with("postgres"));
  CHECK(facts.switches_user);
}

TEST_CASE("core rules together: keys from the base file and from extends are not added again") {
  TempDir dir;
  dir.write("compose.yaml",
            "services:\n"
            "  web:\n"
            "    image: nginx\n"
            "    cap_drop: [ALL]\n"
            "    read_only: true\n"
            "    mem_limit: 1g\n");
  const std::string override_path = (dir.path / "compose.override.yaml").string();
  CHECK(harden_text("services:\n"
                    "  web:\n"
                    "    ports:\n"
                    "      - \"8080:80\"\n"
                    "  base:\n"
                    "    image: example/worker\n"
                    "    security_opt: [no-new-privileges:true]\n"
                    "    cap_drop: [ALL]\n"
                    "    read_only: true\n"
                    "    tmpfs: [/tmp]\n"
                    "    mem_limit: 1g\n"
                    "    cpus: 1\n"
                    "    pids_limit: 64\n"
                    "  worker:\n"
                    "    extends: base\n"
                    "    command: work\n",
                    {}, override_path) ==
        "services:\n"
        "  web:\n"
        "    ports:\n"
        "      - \"8080:80\"\n"
        "    security_opt:\n"
        "      - no-new-privileges:true\n"
        "    cpus: 1\n"
        "    pids_limit: 100\n"
        "  base:\n"
        "    image: example/worker\n"
        "    security_opt: [no-new-privileges:true]\n"
        "    cap_drop: [ALL]\n"
        "    read_only: true\n"
        "    tmpfs: [/tmp]\n"
        "    mem_limit: 1g\n"
        "    cpus: 1\n"
        "    pids_limit: 64\n"
        "  worker:\n"
        "    extends: base\n"
        "    command: work\n");
}

TEST_CASE("inference: in the host's namespace without listed ports, root keeps NET_BIND_SERVICE") {
  CHECK(cap_names(facts_for("services:\n  web:\n    image: nginx:1.27\n    network_mode: host\n", "web")) ==
        std::vector<std::string>{"CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"});
  CHECK(facts_for("services:\n  web:\n    image: alpine\n", "web").capabilities.empty());
}

TEST_CASE("inference: /var/run and /run are one folder") {
  CHECK(tmpfs_entries(facts_for("services:\n  web:\n    image: nginx\n    tmpfs: /run\n", "web")) ==
        std::vector<std::string>{"/tmp", "/var/cache/nginx"});
  CHECK(tmpfs_entries(facts_for("services:\n  wp:\n    image: wordpress\n    volumes:\n      - ./run:/var/run\n", "wp")) ==
        std::vector<std::string>{"/tmp"});
}

TEST_CASE("H105: deploy.resources without limits is the service's style") {
  CHECK(harden_text("services:\n"
                    "  web:\n"
                    "    deploy:\n"
                    "      resources:\n"
                    "        reservations:\n"
                    "          memory: 64m\n"
                    "    image: nginx\n",
                    only({"H105"})) ==
        "services:\n"
        "  web:\n"
        "    deploy:\n"
        "      resources:\n"
        "        reservations:\n"
        "          memory: 64m\n"
        "        limits:\n"
        "          memory: 512m\n"
        "          cpus: 1\n"
        "          pids: 100\n"
        "    image: nginx\n");
}

TEST_CASE("extends in the same file: the extended service takes the fix when the values are the same") {
  CHECK(harden_text("services:\n"
                    "  base:\n"
                    "    image: example/worker\n"
                    "  worker:\n"
                    "    extends:\n"
                    "      service: base\n"
                    "    command: ./work\n",
                    only({"H102", "H103", "H105"})) ==
        "services:\n"
        "  base:\n"
        "    image: example/worker\n"
        "    cap_drop:\n"
        "      - ALL\n"
        "    cap_add:\n"
        "      - CHOWN\n"
        "      - DAC_OVERRIDE\n"
        "      - FOWNER\n"
        "      - SETGID\n"
        "      - SETUID\n"
        "    security_opt:\n"
        "      - no-new-privileges:true\n"
        "    mem_limit: 512m\n"
        "    cpus: 1\n"
        "    pids_limit: 100\n"
        "  worker:\n"
        "    extends:\n"
        "      service: base\n"
        "    command: ./work\n");
  // A waiver on the extended service: the extending one is fixed itself.
  CHECK(harden_text("services:\n"
                    "  base:  # harden: ignore[H103] -- legacy setuid helper\n"
                    "    image: example/worker\n"
                    "  worker:\n"
                    "    extends: base\n",
                    only({"H103"})) ==
        "services:\n"
        "  base:  # harden: ignore[H103] -- legacy setuid helper\n"
        "    image: example/worker\n"
        "  worker:\n"
        "    extends: base\n"
        "    security_opt:\n"
        "      - no-new-privileges:true\n");
}

// The extending service runs another image with other needs: whatever it
// inherits, it ends up with its own image's capabilities and tmpfs.
TEST_CASE("extends in the same file: a service with another image keeps its own needs") {
  const std::string output = harden_text("services:\n"
                                         "  base:\n"
                                         "    image: example/worker\n"
                                         "  web:\n"
                                         "    extends: base\n"
                                         "    image: nginx\n",
                                         only({"H102", "H104"}));
  Loaded loaded = load(output);
  const Service& web = loaded.service("web");
  std::optional<KeyLookup> drop = web.find("cap_drop");
  REQUIRE(drop.has_value());
  CHECK(scalar_or_empty(drop->value->resolved()->items.at(0).value) == "ALL");
  std::vector<std::string> caps;
  for (const Service* s : {&web, &loaded.service("base")})
    if (const MapEntry* add = s->own("cap_add"))
      for (const SeqItem& item : add->value->items) caps.push_back(item.value->value);
  std::sort(caps.begin(), caps.end());
  caps.erase(std::unique(caps.begin(), caps.end()), caps.end());
  // base, of an unknown image, keeps the assumed set, which covers nginx's.
  CHECK(caps == std::vector<std::string>{"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"});
  CHECK(is_true(web.value("read_only")));
  std::vector<std::string> tmpfs;
  for (const Service* s : {&web, &loaded.service("base")})
    if (const MapEntry* list = s->own("tmpfs"))
      for (const SeqItem& item : list->value->items) tmpfs.push_back(item.value->value);
  std::sort(tmpfs.begin(), tmpfs.end());
  tmpfs.erase(std::unique(tmpfs.begin(), tmpfs.end()), tmpfs.end());
  CHECK(tmpfs == std::vector<std::string>{"/tmp", "/var/cache/nginx", "/var/run"});
}

TEST_CASE("H102/H104: a service that merges a hardened service adds its own image's needs") {
  CHECK(harden_text("services:\n"
                    "  base: &base\n"
                    "    image: example/worker\n"
                    "    cap_drop: [ALL]\n"
                    "    read_only: true\n"
                    "    tmpfs: [/tmp]\n"
                    "  web:\n"
                    "    <<: *base\n"
                    "    image: nginx\n",
                    only({"H102", "H104"})) ==
        "services:\n"
        "  base: &base\n"
        "    image: example/worker\n"
        "    cap_drop: [ALL]\n"
        "    read_only: true\n"
        "    tmpfs: [/tmp]\n"
        "  web:\n"
        "    <<: *base\n"
        "    image: nginx\n"
        "    cap_add: [CHOWN, SETGID, SETUID]\n"
        "    tmpfs: [/tmp, /var/cache/nginx, /var/run]\n");
}

TEST_CASE("H102/H104: what the extended service itself goes without is left as the file has it") {
  const std::string same_image =
      "services:\n"
      "  base:\n"
      "    image: alpine:3.20\n"
      "    cap_drop: [ALL]\n"
      "    read_only: true\n"
      "  worker:\n"
      "    extends: base\n"
      "    command: work\n";
  CHECK(harden_text(same_image, only({"H102", "H104"})) == same_image);
  CHECK(harden_text("services:\n"
                    "  base:\n"
                    "    image: alpine:3.20\n"
                    "    cap_drop: [ALL]\n"
                    "    read_only: true\n"
                    "  web:\n"
                    "    extends: base\n"
                    "    image: nginx\n",
                    only({"H102", "H104"})) ==
        "services:\n"
        "  base:\n"
        "    image: alpine:3.20\n"
        "    cap_drop: [ALL]\n"
        "    read_only: true\n"
        "  web:\n"
        "    extends: base\n"
        "    image: nginx\n"
        "    cap_add: [CHOWN, SETGID, SETUID]\n"
        "    tmpfs: [/var/cache/nginx, /var/run]\n");
}

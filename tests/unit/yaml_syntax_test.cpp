// find_syntax_problem against the YAML test suite, the corpus of real Docker
// Compose files, and hand-written cases.
#include "harden/yaml_syntax.h"

#include "data_dir.h"

#include <doctest/doctest.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kSuiteDir = harden::test::data_dir() / "yaml-test-suite";
const fs::path kCorpusDir = harden::test::data_dir() / "corpus";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Discards every event: we only want to know whether yaml-cpp throws.
struct NullHandler : YAML::EventHandler {
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

bool yaml_cpp_rejects(const std::string& text) {
  std::istringstream in(text);
  try {
    YAML::Parser parser(in);
    NullHandler handler;
    while (parser.HandleNextDocument(handler)) {
    }
  } catch (const YAML::Exception&) {
    return true;
  }
  return false;
}

struct SuiteCase {
  fs::path input;  // in.yaml
  bool error;      // an `error` file marks input that must be rejected
};

// Every in.yaml of the suite: one folder per test id, sometimes with
// numbered subfolders.
std::vector<SuiteCase> suite_cases() {
  std::vector<SuiteCase> cases;
  for (const auto& entry : fs::recursive_directory_iterator(kSuiteDir)) {
    if (entry.is_regular_file() && entry.path().filename() == "in.yaml") {
      cases.push_back({entry.path(), fs::exists(entry.path().parent_path() / "error")});
    }
  }
  std::sort(cases.begin(), cases.end(),
            [](const SuiteCase& a, const SuiteCase& b) { return a.input < b.input; });
  return cases;
}

std::vector<fs::path> corpus_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kCorpusDir / "real")) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yml" || ext == ".yaml")) files.push_back(entry.path());
  }
  for (const auto& dir : fs::directory_iterator(kCorpusDir / "kics")) {
    if (!dir.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
        files.push_back(entry.path());
      }
    }
  }
  return files;
}

std::string describe(const std::optional<harden::SyntaxProblem>& problem) {
  if (!problem) return "none";
  return std::to_string(problem->line) + ":" + std::to_string(problem->column) + " " +
         problem->message;
}

void check_problem_at(const char* text, int line, int column) {
  INFO("input: " << std::string(text));
  const auto problem = harden::find_syntax_problem(text);
  REQUIRE(problem.has_value());
  INFO("message: " << problem->message);
  CHECK(problem->line == line);
  CHECK(problem->column == column);
  CHECK_FALSE(problem->message.empty());
}

}  // namespace

TEST_CASE("yaml syntax: every yaml-test-suite error case is rejected" * doctest::test_suite("data")) {
  REQUIRE(fs::is_directory(kSuiteDir));
  int errors = 0;
  int by_yaml_cpp = 0;
  int by_scanner_only = 0;
  for (const auto& c : suite_cases()) {
    if (!c.error) continue;
    ++errors;
    const std::string text = read_file(c.input);
    const bool rejected_by_yaml_cpp = yaml_cpp_rejects(text);
    const bool flagged = harden::find_syntax_problem(text).has_value();
    by_yaml_cpp += rejected_by_yaml_cpp;
    by_scanner_only += !rejected_by_yaml_cpp && flagged;
    INFO("error case: " << c.input.string());
    CHECK((rejected_by_yaml_cpp || flagged));
  }
  MESSAGE(errors << " error cases: " << by_yaml_cpp << " rejected by yaml-cpp, "
                 << by_scanner_only << " more by find_syntax_problem");
  CHECK(errors == 94);
  CHECK(by_yaml_cpp + by_scanner_only == errors);
}

TEST_CASE("yaml syntax: no valid yaml-test-suite case is flagged" * doctest::test_suite("data")) {
  REQUIRE(fs::is_directory(kSuiteDir));
  int valid = 0;
  int flagged = 0;
  for (const auto& c : suite_cases()) {
    if (c.error) continue;
    ++valid;
    const auto problem = harden::find_syntax_problem(read_file(c.input));
    flagged += problem.has_value();
    INFO("valid case: " << c.input.string() << ", problem: " << describe(problem));
    CHECK_FALSE(problem.has_value());
  }
  MESSAGE(valid << " valid cases, " << flagged << " flagged");
  CHECK(valid == 308);
}

TEST_CASE("yaml syntax: no corpus file is flagged" * doctest::test_suite("data")) {
  const auto files = corpus_files();
  REQUIRE(files.size() >= 350);  // 252 real files and 111 KICS fixtures
  int flagged = 0;
  for (const auto& file : files) {
    const auto problem = harden::find_syntax_problem(read_file(file));
    flagged += problem.has_value();
    INFO("corpus file: " << file.string() << ", problem: " << describe(problem));
    CHECK_FALSE(problem.has_value());
  }
  MESSAGE(files.size() << " corpus files, " << flagged << " flagged");
}

TEST_CASE("yaml syntax: problems are reported at their line and column") {
  // Quoted scalars.
  check_problem_at("key: \"missing closing quote\n", 1, 6);
  check_problem_at("key: 'missing\n", 1, 6);
  check_problem_at("quoted: \"a\nb\"\n", 2, 1);          // continuation not indented
  check_problem_at("foo: \"bar\n\tbaz\"\n", 2, 2);       // tabs are not indentation
  check_problem_at("key: \"value\"# comment\n", 1, 13);  // '#' needs whitespace
  check_problem_at("a: \"quoted \\' scalar\"\n", 1, 12);  // invalid escape
  // Flow collections.
  check_problem_at("[ a, b ]#comment\n", 1, 9);
  check_problem_at("[ , a ]\n", 1, 3);
  check_problem_at("[ a, , b ]\n", 1, 6);
  check_problem_at("[ a,#comment\n]\n", 1, 5);
  check_problem_at("- [-, -]\n", 1, 4);
  check_problem_at("flow: [a,\nb]\n", 2, 1);
  check_problem_at("[\na\n]\nmore\n", 4, 1);  // content after the root node
  // Block structure.
  check_problem_at("foo:\n  bar\ninvalid\n", 3, 1);
  check_problem_at("- item1\ninvalid: x\n", 2, 1);
  check_problem_at("- item1\n&node\n- item2\n", 2, 1);
  check_problem_at("word1  # comment\nword2\n", 2, 1);
  // Block scalars.
  check_problem_at("block: ># comment\n  scalar\n", 1, 9);
  check_problem_at("a: >\n \n   \n  text\n", 3, 3);
  // Documents, directives, tags.
  check_problem_at("---\nkey: value\n... invalid\n", 3, 5);
  check_problem_at("%YAML 1.2\n", 1, 1);
  check_problem_at("%YAML 1.2\n...\n", 2, 1);
  check_problem_at("key: value\n%YAML 1.2\n---\n", 2, 1);
  check_problem_at("---\n!invalid{}tag scalar\n", 2, 9);
  check_problem_at("%TAG !e! tag:example.com,2000:\n--- !e!a x\n--- !e!b y\n", 3, 5);
}

TEST_CASE("yaml syntax: valid constructs near the checks are not flagged") {
  const char* const valid[] = {
      "",
      "# only a comment\n",
      "key: value # comment\nurl: http://x:80/#frag\na#b: c\n",
      "command: [\"sh\", \"-c\", \"echo # not a comment\"]\n",
      "command: [\n    \"a\",\n    \"b\"\n  ]\n",
      "deploy: {\n    replicas: 2\n  }\n",
      "top:\n  cmd: [a,\n    b]\n",
      "{\"a\":\"b]\"}\n",
      "[don 't, a \"b\" c, x ? y, -1, -x]\n",
      "[single multiline\n - sequence entry]\n",
      "entry: \"sh -c 'a\n  b'\"\nnext: 1\n",
      "a: \"line\\\n  continued \\u00e9 \\x41 \\\" \\\\\"\nb: 'it''s'\n",
      "- run: |\n    echo\n    # not a comment\n  shell: bash\n- run: x\n",
      "text: >-\n  nginx/docker-nginx#524; PR #1567;\n  more #2\n",
      "a: |2\n    indented\n  text\nb: >\n\n  folded\n",
      "seq:\n- a\n- b\nmap:\n  x: 1\n",
      "- - a\n  - b\n-   c: 1\n    d: 2\n",
      "? complex key\n: complex value\n",
      "x-common: &common\n  restart: always\nsvc:\n  <<: *common\n",
      "plain: a multi\n  line scalar\nnext: x\n",
      "---\nscalar\n%YAML 1.2\n",  // a plain scalar line, not a directive
      "%YAML 1.2\n---\na: 1\n...\n%YAML 1.2\n---\nb: 2\n",
      "%TAG !e! tag:example.com,2000:\n--- !e!foo\na: !e!bar b\n",
      "--- |\n  literal\n...\n--- >\n folded\n",
      "a: 1\r\nb: [x,\r\n  y]\r\n",
      "a: 1\rb: 2\r",
      "\xEF\xBB\xBF" "a: 1\n",  // byte order mark
  };
  for (const char* text : valid) {
    const auto problem = harden::find_syntax_problem(text);
    INFO("input: " << std::string(text) << "\nproblem: " << describe(problem));
    CHECK_FALSE(problem.has_value());
  }
}

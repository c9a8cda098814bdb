// The loader's limits (SPEC §8): file size, nesting depth, nodes, line
// length, alias expansion, and the encoding checks. Each gives a clear error
// instead of a crash or a blow-up.
#include <doctest/doctest.h>

#include <algorithm>

#include <chrono>
#include <string>

#include "harden/loader.h"
#include "harden/pipeline.h"
#include "harden/text.h"
#include "harden/verify.h"

using namespace harden;

namespace {

LoadResult load(const std::string& text, const Limits& limits = {}) {
  LoadOptions options;
  options.limits = limits;
  return load_document("t.yml", text, options);
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// 9^depth nodes if aliases were expanded.
std::string alias_bomb(int depth) {
  std::string text = "x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= depth; ++i) {
    text += "x-a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 9; ++j) text += (j ? ", *a" : "*a") + std::to_string(i - 1);
    text += "]\n";
  }
  return text;
}

}  // namespace

TEST_CASE("limits: a file larger than max_bytes is refused") {
  Limits limits;
  limits.max_bytes = 10;
  LoadResult r = load("services:\n  web:\n    image: nginx\n", limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message.find("larger than the limit of 10 bytes") != std::string::npos);
  CHECK(load("a: b\n", limits).ok());
}

TEST_CASE("limits: nesting deeper than max_depth is refused with a position") {
  Limits limits;
  limits.max_depth = 20;
  std::string deep = "a: " + repeat("[", 30) + repeat("]", 30) + "\n";
  LoadResult r = load(deep, limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message.find("nesting deeper than 20 levels") != std::string::npos);
  CHECK(r.error->line == 1);
  CHECK(r.error->column > 0);
  std::string shallow = "a: " + repeat("[", 10) + repeat("]", 10) + "\n";
  CHECK(load(shallow, limits).ok());
}

TEST_CASE("limits: 10000 open brackets, balanced or not, fail fast and cleanly") {
  for (const std::string& text : {"services: " + repeat("[", 10000) + "\n",
                                  "services: " + repeat("[", 10000) + repeat("]", 10000) + "\n",
                                  "services: " + repeat("{a: ", 5000) + "1" + repeat("}", 5000) + "\n"}) {
    auto started = std::chrono::steady_clock::now();
    LoadResult r = load(text);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    REQUIRE_FALSE(r.ok());
    CHECK_FALSE(r.error->message.empty());
    CHECK(r.error->line >= 1);
    CHECK(seconds < 2.0);
  }
}

TEST_CASE("limits: yaml-cpp's own depth guard reads as a nesting error") {
  // Block nesting deeper than yaml-cpp's guard (500) but within our own
  // limit: the message must not be yaml-cpp's bare "bad file".
  Limits limits;
  limits.max_depth = 100000;
  std::string text = "a: " + repeat("[", 1000) + repeat("]", 1000) + "\n";
  LoadResult r = load(text, limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message.find("bad file") == std::string::npos);
  CHECK(r.error->message.find("nesting") != std::string::npos);
}

TEST_CASE("limits: more nodes than max_nodes is refused") {
  Limits limits;
  limits.max_nodes = 50;
  std::string text = "a: [" + repeat("x, ", 200) + "x]\n";
  LoadResult r = load(text, limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message.find("more than 50 nodes") != std::string::npos);
}

TEST_CASE("limits: a line longer than max_line_length is refused with its line") {
  Limits limits;
  limits.max_line_length = 100;
  LoadResult r = load("a: b\nc: " + std::string(200, 'x') + "\n", limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message.find("line longer than the limit of 100 bytes") != std::string::npos);
  CHECK(r.error->line == 2);
}

TEST_CASE("limits: a billion-laughs document loads without expanding its aliases") {
  std::string text = alias_bomb(10) + "services:\n  web:\n    image: nginx\n    labels: *a10\n";
  auto started = std::chrono::steady_clock::now();
  LoadResult r = load(text);
  REQUIRE(r.ok());
  // The verifier keeps aliases as references: the unchanged text verifies.
  CHECK_FALSE(verify_rewrite(*r.document, text, {}).has_value());
  Options options;
  FileResult result = process_text("/nonexistent-harden-test/compose.yaml", text, options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(seconds < 1.0);
  if (result.error) CHECK(result.output == text);
  else CHECK(result.output.find("labels: *a10") != std::string::npos);
}

TEST_CASE("limits: parse_values stops at max_expanded_nodes") {
  Limits limits;
  limits.max_expanded_nodes = 100;
  ParsedValues values = parse_values("a: [" + repeat("x, ", 500) + "x]\n", limits);
  REQUIRE(values.error.has_value());
  CHECK(values.error->message.find("100") != std::string::npos);
}

TEST_CASE("encoding: NUL, invalid UTF-8, UTF-16 and UTF-32 are refused with a position") {
  using namespace std::literals;
  struct Case {
    std::string_view text;
    const char* message;
    int line, column;
  };
  const Case cases[] = {
      {"a: b\nc: d\0e\n"sv, "NUL byte", 2, 5},
      {"a: \xff\n"sv, "invalid UTF-8", 1, 4},
      {"a: \xc0\xaf\n"sv, "invalid UTF-8", 1, 4},          // overlong
      {"a: \xed\xa0\x80\n"sv, "invalid UTF-8", 1, 4},      // surrogate
      {"a: \xf4\x90\x80\x80\n"sv, "invalid UTF-8", 1, 4},  // beyond U+10FFFF
      {"a: \xe2\x82\n"sv, "invalid UTF-8", 1, 4},          // truncated
      {"\xff\xfe" "a\0:\0"sv, "UTF-16", 1, 1},
      {"\xfe\xff\0a\0:"sv, "UTF-16", 1, 1},
      {"\xff\xfe\0\0a\0\0\0"sv, "UTF-32", 1, 1},
      {"\0\0\xfe\xff\0\0\0a"sv, "UTF-32", 1, 1},
  };
  for (const Case& c : cases) {
    CAPTURE(c.message);
    auto problem = check_encoding(c.text);
    REQUIRE(problem.has_value());
    CHECK(problem->message.find(c.message) != std::string::npos);
    CHECK(problem->line == c.line);
    CHECK(problem->column == c.column);
    CHECK_FALSE(load(std::string(c.text)).ok());
  }
  CHECK_FALSE(check_encoding("a: \xc3\xa9t\xc3\xa9 \xf0\x9f\x90\xb3\n").has_value());
  CHECK_FALSE(check_encoding("\xef\xbb\xbf" "a: b\n").has_value());
}

TEST_CASE("loader: aliases to an anchor inside its own node load and verify") {
  for (const char* text : {"x-a: &a\n  b: *a\n", "x-a: &a\n  <<: *a\n  image: nginx\n",
                           "services:\n  web: &w\n    image: nginx\n    <<: *w\n"}) {
    CAPTURE(text);
    LoadResult r = load(text);
    if (!r.ok()) continue;  // refusing is fine too
    CHECK_FALSE(verify_rewrite(*r.document, text, {}).has_value());
    Options options;
    FileResult result = process_text("/nonexistent-harden-test/compose.yaml", text, options);
    if (result.error) CHECK(result.output == text);
  }
}

TEST_CASE("loader: a key at its parent key's indentation is a sibling, not a child") {
  // yaml-cpp 0.7 reads `web:` then `: x` at web's column as web: {null: x};
  // YAML (and Compose) read two entries. Refuse rather than agree with it.
  for (const char* text : {"services:\n  web:\n  : x\n", "services:\n  web:\n  :  image: nginx\n"}) {
    CAPTURE(text);
    LoadResult r = load(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->line == 3);
    CHECK(r.error->message.find("parent key's indentation") != std::string::npos);
  }
  CHECK(load("services:\n  web:\n  - x\n").ok());  // a block sequence may sit at its key's column
}

TEST_CASE("loader: input on which yaml-cpp hands out endless empty documents fails fast") {
  // yaml-cpp 0.7 returns empty documents forever for a leading ','.
  for (const char* text : {",x\n", ",# comment\n    ports: !override\n        - \"4444\"\n", "\n  ]\n"}) {
    CAPTURE(text);
    LoadResult r = load(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->message.find("invalid YAML") == 0);
    CHECK(r.error->message.find("nodes") == std::string::npos);  // not the node limit
  }
}

TEST_CASE("text: find_line_break finds the first LF or CR from a position") {
  CHECK(find_line_break("a: b\nc") == 4);
  CHECK(find_line_break("a: b\r\nc") == 4);
  CHECK(find_line_break("a\rb\nc") == 1);
  CHECK(find_line_break("a\nb\rc", 2) == 3);
  CHECK(find_line_break("a: b") == std::string_view::npos);
  CHECK(find_line_break("a\n", 2) == std::string_view::npos);
  CHECK(find_line_break("", 0) == std::string_view::npos);
  CHECK(find_line_break("a\n", 7) == std::string_view::npos);  // past the end
}

TEST_CASE("encoding: a carriage return without a line feed is refused with its position") {
  auto error = check_encoding("services:\n  web:\r  ?\rweb:\n");
  REQUIRE(error.has_value());
  CHECK(error->line == 2);
  CHECK(error->column == 7);
  CHECK(check_encoding("a: b\r").has_value());
  CHECK_FALSE(check_encoding("a: b\r\nc: d\n").has_value());
}

TEST_CASE("encoding: a problem is found at its line and column wherever it sits in a long text") {
  // The check looks at blocks of bytes first: put each problem at every
  // offset of a text several blocks long, inside and across block bounds.
  std::string lines;
  while (lines.size() < 300) lines += "services:\n  web:\n    image: nginx\t# a comment\n";
  struct Problem {
    std::string bytes;
    std::string message;
  };
  const std::vector<Problem> problems{{std::string(1, '\0'), "NUL byte"},
                                      {"\x01", "U+0001"},
                                      {"\x7f", "U+007F"},
                                      {"\r", "carriage return"},
                                      {"\xc3", "invalid UTF-8"},
                                      {"\xef\xbb\xbf", "byte-order mark"}};
  for (std::size_t at = 1; at < 260; ++at) {
    std::string before = lines.substr(0, at);
    int line = static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1;
    int column = static_cast<int>(at - (before.rfind('\n') == std::string::npos ? 0 : before.rfind('\n') + 1)) + 1;
    for (const Problem& p : problems) {
      std::string text = before + p.bytes + "x" + lines.substr(at);
      CAPTURE(at);
      CAPTURE(p.message);
      auto problem = check_encoding(text);
      REQUIRE(problem.has_value());
      CHECK(problem->message.find(p.message) != std::string::npos);
      CHECK(problem->line == line);
      CHECK(problem->column == column);
    }
    // Well-formed UTF-8 and CRLF pass wherever they sit, across bounds too.
    for (std::string good : {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x90\xb3", "\r\n"}) {
      CAPTURE(at);
      CHECK_FALSE(check_encoding(before + good + lines.substr(at)).has_value());
    }
  }
}

TEST_CASE("encoding: C0 control characters and DEL are refused with a position") {
  auto error = check_encoding("services:\n  \x01web:\n");
  REQUIRE(error.has_value());
  CHECK(error->line == 2);
  CHECK(error->column == 3);
  CHECK(error->message.find("U+0001") != std::string::npos);
  CHECK(check_encoding("a: \x7f\n").has_value());
  CHECK_FALSE(check_encoding("a:\tb\r\n").has_value());
}

TEST_CASE("anchors: names outside letters, digits, '_', '-' and '.' are refused") {
  LoadResult r = load("x: {&&a: b, c: d}\n");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message.find("unsupported anchor name") != std::string::npos);
  CHECK(load("x: &web-base.v1_2 {a: b}\ny: *web-base.v1_2\n").ok());
}

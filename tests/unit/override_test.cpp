// --to-override: base + override, merged the way Docker Compose merges files
// (compose-spec "merge": mappings merged recursively, sequences appended,
// cap_add/cap_drop/security_opt/tmpfs/... unique, volumes unique by target,
// command/entrypoint/healthcheck.test replaced, `!override` replaces,
// `!reset` removes), must give the values of the hardened file.
#include <doctest/doctest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harden/override.h"
#include "harden/pipeline.h"

using namespace harden;
namespace fs = std::filesystem;

namespace {

// A YAML value as Compose's merge sees it: aliases and merge keys resolved,
// tags kept for !override / !reset.
struct TV {
  enum class K { Null, Scalar, Map, Seq } k = K::Null;
  std::string s;
  std::string tag;
  std::vector<std::pair<std::string, TV>> m;
  std::vector<TV> q;

  TV* get(const std::string& key) {
    for (auto& [k2, v] : m)
      if (k2 == key) return &v;
    return nullptr;
  }
  void erase(const std::string& key) {
    m.erase(std::remove_if(m.begin(), m.end(), [&](const auto& e) { return e.first == key; }), m.end());
  }
  bool operator==(const TV& o) const { return k == o.k && s == o.s && m == o.m && q == o.q; }
};

std::string show(const TV& v, int indent = 0) {
  std::string pad(static_cast<std::size_t>(indent), ' '), out;
  switch (v.k) {
    case TV::K::Null: return "null";
    case TV::K::Scalar: return v.s;
    case TV::K::Seq:
      out = "[";
      for (const TV& i : v.q) out += show(i, indent) + ", ";
      return out + "]";
    case TV::K::Map:
      out = "{\n";
      for (const auto& [k, x] : v.m) out += pad + "  " + k + ": " + show(x, indent + 2) + "\n";
      return out + pad + "}";
  }
  return out;
}

TV to_tv(const YAML::Node& n) {
  TV v;
  std::string tag = n.Tag();
  if (tag == "!override" || tag == "!reset") v.tag = tag;
  if (n.IsNull()) return v;
  if (n.IsScalar()) {
    v.k = TV::K::Scalar;
    v.s = n.Scalar();
    return v;
  }
  if (n.IsSequence()) {
    v.k = TV::K::Seq;
    for (const auto& item : n) v.q.push_back(to_tv(item));
    return v;
  }
  v.k = TV::K::Map;
  std::vector<TV> merged;
  for (const auto& e : n) {
    std::string key = e.first.Scalar();
    if (key == "<<" && e.first.Tag() == "?") {
      TV m = to_tv(e.second);
      if (m.k == TV::K::Map) merged.push_back(m);
      for (const TV& x : m.q) merged.push_back(x);
      continue;
    }
    v.m.emplace_back(key, to_tv(e.second));
  }
  for (const TV& m : merged)
    for (const auto& [k, x] : m.m)
      if (!v.get(k)) v.m.emplace_back(k, x);
  return v;
}

TV load(const std::string& text) { return to_tv(YAML::Load(text)); }

void strip_tags(TV& v) {
  v.tag.clear();
  for (auto& [k, x] : v.m) strip_tags(x);
  for (TV& x : v.q) strip_tags(x);
}

const std::set<std::string> kUniqueLists = {"cap_add", "cap_drop", "security_opt", "tmpfs", "dns", "dns_opt",
                                            "dns_search", "expose", "profiles", "links", "devices", "group_add"};

std::string volume_target(const TV& item) {
  if (item.k == TV::K::Map) {
    for (const auto& [k, x] : item.m)
      if (k == "target") return x.s;
    return "";
  }
  // short syntax: [SOURCE:]TARGET[:MODE]
  std::vector<std::string> parts;
  std::stringstream in(item.s);
  std::string part;
  while (std::getline(in, part, ':')) parts.push_back(part);
  if (parts.size() == 1) return parts[0];
  return parts[1];
}

// Merges `ov` into `base` at `path` (keys from the root).
void merge(TV& base, const TV& ov, std::vector<std::string>& path) {
  if (ov.tag == "!override" || base.k != ov.k || ov.k == TV::K::Scalar || ov.k == TV::K::Null) {
    base = ov;
    strip_tags(base);
    return;
  }
  std::string key = path.empty() ? "" : path.back();
  bool in_service = path.size() >= 3 && path[0] == "services";
  if (ov.k == TV::K::Seq) {
    bool replaced = in_service && path.size() == 3 && (key == "command" || key == "entrypoint");
    replaced = replaced || (in_service && path.size() == 4 && path[2] == "healthcheck" && key == "test");
    if (replaced) {
      base = ov;
      strip_tags(base);
    } else if (in_service && path.size() == 3 && key == "volumes") {
      for (TV item : ov.q) {
        strip_tags(item);
        auto same_target = std::find_if(base.q.begin(), base.q.end(),
                                        [&](const TV& b) { return volume_target(b) == volume_target(item); });
        if (same_target != base.q.end()) *same_target = item;
        else base.q.push_back(item);
      }
    } else {
      bool unique = in_service && path.size() == 3 && kUniqueLists.count(key);
      for (TV item : ov.q) {
        strip_tags(item);
        if (unique && std::find(base.q.begin(), base.q.end(), item) != base.q.end()) continue;
        base.q.push_back(item);
      }
    }
    return;
  }
  for (const auto& [k, x] : ov.m) {
    if (x.tag == "!reset") {
      base.erase(k);
      continue;
    }
    TV* b = base.get(k);
    if (!b) {
      TV copy = x;
      strip_tags(copy);
      base.m.emplace_back(k, copy);
      continue;
    }
    path.push_back(k);
    merge(*b, x, path);
    path.pop_back();
  }
}

// Order does not matter in the unique lists, nor in mappings; a service's
// `privileged: false` is Compose's default, the same as no entry.
void normalize(TV& v, std::vector<std::string>& path) {
  if (v.k == TV::K::Map && path.size() == 2 && path[0] == "services") {
    TV* p = v.get("privileged");
    if (p && p->k == TV::K::Scalar && p->s == "false") v.erase("privileged");
  }
  if (v.k == TV::K::Seq && path.size() == 3 && path[0] == "services" && kUniqueLists.count(path[2]))
    std::sort(v.q.begin(), v.q.end(), [](const TV& a, const TV& b) { return show(a) < show(b); });
  if (v.k == TV::K::Map) {
    std::sort(v.m.begin(), v.m.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [k, x] : v.m) {
      path.push_back(k);
      normalize(x, path);
      path.pop_back();
    }
  }
  for (TV& x : v.q) {
    path.push_back("[]");
    normalize(x, path);
    path.pop_back();
  }
}

TV merged_services(const std::string& base, const std::string& override_text) {
  TV b = load(base);
  if (!override_text.empty()) {
    std::vector<std::string> path;
    merge(b, load(override_text), path);
  }
  std::vector<std::string> path;
  normalize(b, path);
  // The keys that do not carry over between files.
  b.erase("version");
  std::vector<std::string> xs;
  for (const auto& [k, x] : b.m)
    if (k.rfind("x-", 0) == 0) xs.push_back(k);
  for (const auto& k : xs) b.erase(k);
  return b;
}

FileResult harden_it(const std::string& text, const std::string& path = "compose.yaml") {
  FileResult r = process_text(path, text, Options{});
  INFO("error: " << (r.error ? r.error->message : std::string("none")));
  REQUIRE_FALSE(r.error.has_value());
  return r;
}

// Builds the override of `text`, checks base + override == hardened, and
// returns the override text.
std::string check_override(const std::string& text) {
  FileResult r = harden_it(text);
  OverrideResult o = build_override(r);
  INFO("override error: " << o.error.value_or("none"));
  REQUIRE_FALSE(o.error.has_value());
  CHECK(o.empty == !r.changed);
  TV merged = merged_services(r.original, o.text);
  TV expected = merged_services(r.output, "");
  INFO("base:\n" << text << "\nhardened:\n" << r.output << "\noverride:\n" << o.text);
  INFO("merged:\n" << show(merged) << "\nexpected:\n" << show(expected));
  CHECK(merged == expected);
  // The override is valid YAML that harden can read again.
  if (!o.text.empty()) CHECK_NOTHROW(YAML::Load(o.text));
  return o.text;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("override: a plain service gets every hardening key, privileged: false for the removal") {
  std::string o = check_override(
      "services:\n"
      "  web:\n"
      "    image: nginx:1.25\n"
      "    privileged: true\n"
      "    ports: [\"8080:80\"]\n");
  CHECK(o.rfind(std::string(kOverrideMarker), 0) == 0);
  CHECK(o.find("    privileged: false\n") != std::string::npos);
  CHECK(o.find("    cap_drop:\n      - ALL\n") != std::string::npos);
  CHECK(o.find("    read_only: true\n") != std::string::npos);
  CHECK(o.find("image:") == std::string::npos);  // unchanged keys stay out
  CHECK(o.find("ports:") == std::string::npos);
}

TEST_CASE("override: lists the base already has get only the new items") {
  std::string o = check_override(
      "services:\n"
      "  app:\n"
      "    image: python:3.12\n"
      "    cap_add: [NET_BIND_SERVICE]\n"
      "    security_opt:\n"
      "      - label:type:svirt_apache_t\n"
      "    tmpfs:\n"
      "      - /run\n");
  CHECK(o.find("NET_BIND_SERVICE") == std::string::npos);
  CHECK(o.find("svirt_apache_t") == std::string::npos);
  CHECK(o.find("- /run\n") == std::string::npos);
  CHECK(o.find("no-new-privileges") != std::string::npos);
  CHECK(o.find(": !override") == std::string::npos);
}

TEST_CASE("override: a removed host-root bind is written with !override [remaining items]") {
  std::string o = check_override(
      "services:\n"
      "  agent:\n"
      "    image: busybox\n"
      "    volumes:\n"
      "      - ./data:/data\n"
      "      - /:/host:ro\n");
  CHECK(o.find("    volumes: !override\n      - ./data:/data\n") != std::string::npos);
  std::string only = check_override(
      "services:\n"
      "  agent:\n"
      "    image: busybox\n"
      "    volumes:\n"
      "      - type: bind\n"
      "        source: /\n"
      "        target: /host\n");
  CHECK(only.find("    volumes: !override []\n") != std::string::npos);
}

TEST_CASE("override: a flipped no-new-privileges:false replaces security_opt") {
  std::string o = check_override(
      "services:\n"
      "  web:\n"
      "    image: nginx\n"
      "    security_opt: [\"no-new-privileges:false\", \"label:disable\"]\n");
  CHECK(o.find("security_opt: !override") != std::string::npos);
}

TEST_CASE("override: mappings hold only the changed entries (deploy limits)") {
  std::string o = check_override(
      "services:\n"
      "  api:\n"
      "    image: node:20\n"
      "    deploy:\n"
      "      replicas: 2\n"
      "      resources:\n"
      "        reservations:\n"
      "          memory: 128m\n");
  CHECK(o.find("replicas") == std::string::npos);
  CHECK(o.find("reservations") == std::string::npos);
}

TEST_CASE("override: anchors and merge keys are resolved per service") {
  check_override(
      "x-common: &common\n"
      "  restart: always\n"
      "  cap_drop: [ALL]\n"
      "services:\n"
      "  a:\n"
      "    <<: *common\n"
      "    image: redis:7\n"
      "  b:\n"
      "    <<: *common\n"
      "    image: busybox\n"
      "    privileged: true\n");
}

TEST_CASE("override: nothing to harden gives no override") {
  FileResult r = harden_it("services:\n  web:\n    image: nginx\n    privileged: true\n");
  FileResult again = harden_it(r.output);
  OverrideResult o = build_override(again);
  CHECK_FALSE(o.error.has_value());
  CHECK(o.empty);
  CHECK(o.text.empty());
}

TEST_CASE("override: quoting and odd scalars survive the round trip") {
  check_override(
      "services:\n"
      "  \"web app\":\n"
      "    image: 'nginx:1.25'\n"
      "    mem_limit: \"${MEM:-256m}\"\n"
      "    environment:\n"
      "      A: \"x: y # z\"\n");
}

TEST_CASE("override: merged by Compose's rules, the override reproduces the golden inputs") {
  fs::path dir = fs::path(HARDEN_SOURCE_DIR) / "golden-override";
  REQUIRE(fs::is_directory(dir));
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    fs::path input = entry.path() / "input.yml";
    if (!fs::exists(input)) continue;
    if (fs::exists(entry.path() / "args")) continue;  // options only the CLI runner applies
    ++cases;
    CAPTURE(entry.path().filename().string());
    FileResult r = harden_it(read(input), "input.yml");
    OverrideResult o = build_override(r);
    REQUIRE_FALSE(o.error.has_value());
    fs::path expected = entry.path() / "expected-override.yml";
    CHECK(o.text == read(expected));
    TV merged = merged_services(r.original, o.text);
    TV hardened = merged_services(r.output, "");
    INFO("merged:\n" << show(merged) << "\nexpected:\n" << show(hardened));
    CHECK(merged == hardened);
  }
  CHECK(cases >= 5);
}

TEST_CASE("run_to_override: writes the override beside the base, never the base") {
  fs::path dir = fs::temp_directory_path() / ("harden-override-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string base_text = "services:\n  web:\n    image: nginx\n    privileged: true\n";
  std::string base = (dir / "compose.yaml").string();
  std::ofstream(base, std::ios::binary) << base_text;
  std::vector<FileResult> results{process_file(base, Options{})};
  REQUIRE_FALSE(results[0].error.has_value());
  std::ostringstream out, err;
  OverrideRunOptions options;

  options.mode = OverrideMode::Check;
  CHECK(run_to_override(results, options, out, err) == 1);
  CHECK_FALSE(fs::exists(dir / "compose.override.yaml"));

  options.mode = OverrideMode::Write;
  CHECK(run_to_override(results, options, out, err) == 0);
  CHECK(read(base) == base_text);
  std::string written = read(dir / "compose.override.yaml");
  CHECK(written == build_override(results[0]).text);

  options.mode = OverrideMode::Check;
  CHECK(run_to_override(results, options, out, err) == 0);  // up to date
  options.mode = OverrideMode::Diff;
  out.str("");
  CHECK(run_to_override(results, options, out, err) == 0);
  CHECK(out.str().empty());

  options.mode = OverrideMode::Print;
  out.str("");
  CHECK(run_to_override(results, options, out, err) == 0);
  CHECK(out.str() == written);

  // A file harden did not write is not replaced.
  std::ofstream(dir / "compose.override.yaml", std::ios::binary) << "services:\n  web:\n    ports: [\"80:80\"]\n";
  options.mode = OverrideMode::Write;
  err.str("");
  CHECK(run_to_override(results, options, out, err) == 2);
  CHECK(err.str().find("not written by harden") != std::string::npos);

  // A bare name goes beside the base; a path names one file.
  options.file = "hardening.yaml";
  CHECK(run_to_override(results, options, out, err) == 0);
  CHECK(fs::exists(dir / "hardening.yaml"));
  options.file = (dir / "elsewhere.yml").string();
  CHECK(run_to_override(results, options, out, err) == 0);
  CHECK(read(dir / "elsewhere.yml") == written);
  fs::remove_all(dir);
}

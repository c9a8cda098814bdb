#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "../../src/gitignore.h"
#include "harden/discovery.h"

namespace fs = std::filesystem;
using namespace harden;

namespace {

struct TempTree {
  fs::path root;
  TempTree() {
    std::string pattern = (fs::temp_directory_path() / "harden-discovery-XXXXXX").string();
    root = mkdtemp(pattern.data());
  }
  ~TempTree() { fs::remove_all(root); }
  void file(const std::string& relative, const std::string& text = "services: {}\n") const {
    fs::create_directories((root / relative).parent_path());
    std::ofstream(root / relative) << text;
  }
  std::vector<std::string> found(DiscoveryOptions options = {}) const {
    DiscoveryResult r = discover({root.string()}, options);
    std::vector<std::string> relative;
    for (const std::string& f : r.files) relative.push_back(fs::relative(f, root).string());
    return relative;
  }
};

}  // namespace

TEST_CASE("compose file names: the names docker compose uses and their variants") {
  for (const char* name : {"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml",
                           "compose.prod.yaml", "docker-compose.override.yml", "docker-compose-dev.yml"})
    CHECK_MESSAGE(is_compose_file_name(name), name);
  for (const char* name : {"compose.json", "my-compose.yml", "docker-compose.yml.bak", "compose-dev.txt",
                           "values.yaml", "compose..yaml"})
    CHECK_MESSAGE(!is_compose_file_name(name), name);
}

TEST_CASE("compose file names: the hand-written matcher agrees with the regular expressions it replaced") {
  const std::regex discovered(R"(^(compose(\.[^.]+)?|docker-compose([.-][^.]+)?)\.ya?ml$)");
  const std::regex variant(R"(^(docker-compose|compose)([.-])([^.]+)\.(ya?ml)$)");
  const char* parts[] = {"", "compose", "docker-compose", "docker", ".", "-", "prod", "a.b", "yaml", "yml",
                         ".yaml", ".yml", "..", "x", "compose-", "_"};
  int names = 0, matches = 0;
  std::vector<std::string> disagreements;
  for (const char* a : parts)
    for (const char* b : parts)
      for (const char* c : parts)
        for (const char* d : parts) {
          std::string name = std::string(a) + b + c + d;
          auto parsed = parse_compose_name(name);
          bool is_compose = std::regex_match(name, discovered);
          if (is_compose_file_name(name) != is_compose) disagreements.push_back(name);
          if ((parsed && parsed->separator) != std::regex_match(name, variant)) disagreements.push_back(name);
          matches += is_compose;
          ++names;
        }
  CHECK(names == 65536);
  CHECK(matches > 100);  // the names are not all trivially rejected
  CHECK(disagreements == std::vector<std::string>{});
  auto parsed = parse_compose_name("docker-compose-dev.yml");
  REQUIRE(parsed);
  CHECK(parsed->docker);
  CHECK(parsed->separator == '-');
  CHECK(parsed->variant == "dev");
}

TEST_CASE("folders are searched recursively, sorted, VCS folders skipped") {
  TempTree t;
  t.file("b/compose.yaml");
  t.file("a/docker-compose.override.yml");
  t.file("a/deep/er/docker-compose-dev.yml");
  t.file("a/notes.yaml");
  t.file(".git/compose.yaml");
  t.file("node_modules/x/compose.yaml");
  CHECK(t.found() == std::vector<std::string>{"a/deep/er/docker-compose-dev.yml", "a/docker-compose.override.yml",
                                              "b/compose.yaml"});
}

TEST_CASE("--glob adds patterns") {
  TempTree t;
  t.file("stack.yml");
  t.file("compose.yaml");
  DiscoveryOptions options;
  options.extra_globs = {"stack*.yml"};
  CHECK(t.found(options) == std::vector<std::string>{"compose.yaml", "stack.yml"});
}

TEST_CASE(".gitignore is honoured unless --no-ignore") {
  TempTree t;
  t.file(".gitignore", "build/\n*.generated.yml\n!keep/\n/top-only/\n");
  t.file("compose.yaml");
  t.file("build/compose.yaml");
  t.file("sub/docker-compose.generated.yml");
  t.file("sub/top-only/compose.yaml");
  t.file("top-only/compose.yaml");
  t.file("sub/.gitignore", "local/\n");
  t.file("sub/local/compose.yaml");
  t.file("other/local/compose.yaml");
  CHECK(t.found() == std::vector<std::string>{"compose.yaml", "other/local/compose.yaml", "sub/top-only/compose.yaml"});
  DiscoveryOptions all;
  all.respect_gitignore = false;
  CHECK(t.found(all).size() == 7);
}

TEST_CASE("symlinks: loops are reported, links out of the tree are not followed") {
  TempTree t;
  TempTree outside;
  outside.file("compose.yaml");
  t.file("inside/compose.yaml");
  fs::create_directory_symlink(outside.root, t.root / "linked-folder");
  fs::create_symlink(outside.root / "compose.yaml", t.root / "docker-compose.yml");
  fs::create_symlink(t.root / "loop.yml", t.root / "compose.loop.yml");
  fs::create_symlink(t.root / "compose.loop.yml", t.root / "loop.yml");
  fs::create_symlink(t.root / "inside/compose.yaml", t.root / "compose.yaml");
  DiscoveryResult r = discover({t.root.string()}, {});
  std::vector<std::string> relative;
  for (const std::string& f : r.files) relative.push_back(fs::relative(f, t.root).string());
  CHECK(relative == std::vector<std::string>{"inside/compose.yaml"});  // one file, its own name
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].find("compose.loop.yml") != std::string::npos);
}

TEST_CASE("one file named twice (a path inside a named folder, a hard link) is processed once") {
  TempTree t;
  t.file("app/compose.yaml");
  fs::create_hard_link(t.root / "app/compose.yaml", t.root / "app/docker-compose.yml");
  DiscoveryResult r = discover({t.root.string(), (t.root / "app/compose.yaml").string(),
                                (t.root / "app/./compose.yaml").string()},
                               {});
  REQUIRE(r.files.size() == 1);
  CHECK(fs::relative(r.files[0], t.root).string() == "app/compose.yaml");
  CHECK(r.errors.empty());
}

TEST_CASE("hard links found only by searching a folder are processed once, other files as they are") {
  // The folder listing's inodes decide which files need a stat: here the two
  // links share one, the other files have their own.
  TempTree t;
  t.file("a/compose.yaml");
  t.file("b/compose.yaml");
  t.file("c/compose.yaml");
  fs::create_hard_link(t.root / "b/compose.yaml", t.root / "c/docker-compose.yml");
  CHECK(t.found() == std::vector<std::string>{"a/compose.yaml", "b/compose.yaml", "c/compose.yaml"});
}

TEST_CASE("a folder without compose files and a missing path are errors") {
  TempTree t;
  t.file("README.md", "hi");
  DiscoveryResult r = discover({t.root.string()}, {});
  CHECK(r.files.empty());
  CHECK(r.errors.size() == 1);
}

TEST_CASE("gitignore globs") {
  using detail::glob_match;
  CHECK(glob_match("*.yml", "a.yml"));
  CHECK(!glob_match("*.yml", "dir/a.yml"));
  CHECK(glob_match("**/a.yml", "x/y/a.yml"));
  CHECK(glob_match("**/a.yml", "a.yml"));
  CHECK(glob_match("a/**", "a/b/c"));
  CHECK(glob_match("a/**/b", "a/x/y/b"));
  CHECK(glob_match("a/**/b", "a/b"));
  CHECK(glob_match("[abc].yml", "b.yml"));
  CHECK(!glob_match("[!abc].yml", "b.yml"));
  CHECK(glob_match("?.yml", "x.yml"));
}

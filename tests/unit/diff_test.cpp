// The unified diff of --diff: headers as git writes them, hunks with context.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "harden/diff.h"
#include "temp_dir.h"

using harden::unified_diff;

TEST_CASE("diff: headers name the file under a/ and b/, an absolute path as git writes it") {
  std::string before = "services:\n  web:\n    image: nginx\n";
  std::string after = "services:\n  web:\n    image: nginx\n    read_only: true\n";
  CHECK(unified_diff(before, after, "svc/compose.yml", 3, false) ==
        "--- a/svc/compose.yml\n+++ b/svc/compose.yml\n@@ -1,3 +1,4 @@\n services:\n   web:\n     image: nginx\n"
        "+    read_only: true\n");
  std::string absolute = unified_diff(before, after, "/srv/app/compose.yml", 3, false);
  CHECK(absolute.starts_with("--- a/srv/app/compose.yml\n+++ b/srv/app/compose.yml\n"));
}

TEST_CASE("diff: no change, no output") { CHECK(unified_diff("a: 1\n", "a: 1\n", "x.yml", 3, false).empty()); }

TEST_CASE("diff: patch_path names a file as git diff does, relative to its work tree's root") {
  namespace fs = std::filesystem;
  harden::testing::TempDir tmp;
  const fs::path repo = fs::weakly_canonical(tmp.path) / "repo";
  fs::create_directories(repo / ".git");
  fs::create_directories(repo / "app");
  std::ofstream(repo / "app" / "compose.yaml") << "services: {}\n";
  CHECK(harden::patch_path((repo / "app" / "compose.yaml").string()) == "app/compose.yaml");
  CHECK(harden::patch_path((repo / "app" / "." / "compose.yaml").string()) == "app/compose.yaml");
  CHECK(harden::patch_path((repo / "app" / ".." / "app" / "compose.yaml").string()) == "app/compose.yaml");

  // A symlinked folder is resolved; a symlinked file keeps its own name.
  fs::create_directory_symlink(repo / "app", tmp.path / "link");
  CHECK(harden::patch_path((tmp.path / "link" / "compose.yaml").string()) == "app/compose.yaml");
  fs::create_symlink("compose.yaml", repo / "app" / "alias.yaml");
  CHECK(harden::patch_path((repo / "app" / "alias.yaml").string()) == "app/alias.yaml");

  // A linked work tree has a .git file, not a folder.
  const fs::path linked = fs::weakly_canonical(tmp.path) / "linked";
  fs::create_directories(linked / "x");
  std::ofstream(linked / ".git") << "gitdir: elsewhere\n";
  CHECK(harden::patch_path((linked / "x" / "compose.yaml").string()) == "x/compose.yaml");

  // Outside any work tree and outside the current folder: the absolute path
  // (unified_diff drops its leading slash).
  const fs::path loose = fs::weakly_canonical(tmp.path) / "loose";
  fs::create_directories(loose);
  if (!fs::exists(fs::path("/.git"))) {
    CHECK(harden::patch_path((loose / "compose.yaml").string()) == (loose / "compose.yaml").generic_string());
  }
  CHECK(harden::patch_path("-") == "-");
}

// The writer on real files: a new file renamed over the old one (a hard
// link keeps the old content, the inode changes), permissions kept, and a
// batch abandoned between staging and commit leaves every original as it
// was and no temporary file. Faults inside commit (fsync, syncfs, rename)
// are injected from outside by tests/atomic_write_test.sh.
#include "harden/atomic_write.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "temp_dir.h"

namespace fs = std::filesystem;
using harden::testing::TempDir;

namespace {

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

ino_t inode_of(const fs::path& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return st.st_ino;
}

int temporary_files(const fs::path& folder) {
  int count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    if (entry.path().filename().string().find(".harden-") != std::string::npos) ++count;
  return count;
}

}  // namespace

TEST_CASE("write_atomically replaces the file: a hard link keeps the old content") {
  TempDir dir;
  fs::path file = dir.write("compose.yml", "old\n");
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  fs::create_hard_link(file, dir.path / "link.yml");
  ino_t before = inode_of(file);

  REQUIRE_FALSE(harden::write_atomically(file.string(), "new\n").has_value());
  CHECK(read(file) == "new\n");
  CHECK(read(dir.path / "link.yml") == "old\n");
  CHECK(inode_of(file) != before);
  CHECK(fs::hard_link_count(file) == 1);
  CHECK(fs::status(file).permissions() ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
  CHECK(temporary_files(dir.path) == 0);
}

TEST_CASE("write_atomically through a symlink rewrites the target and keeps the link") {
  TempDir dir;
  fs::path target = dir.write("real/compose.yml", "old\n");
  fs::create_symlink(target, dir.path / "compose.yml");
  REQUIRE_FALSE(harden::write_atomically((dir.path / "compose.yml").string(), "new\n").has_value());
  CHECK(fs::is_symlink(dir.path / "compose.yml"));
  CHECK(read(target) == "new\n");
  CHECK(temporary_files(dir.path) == 0);
}

TEST_CASE("a batch abandoned between staging and commit leaves the originals and no temporary file") {
  TempDir dir;
  fs::path a = dir.write("a/compose.yml", "a\n");
  fs::path b = dir.write("b/compose.yml", "b\n");
  ino_t inode_a = inode_of(a);
  {
    harden::WriteBatch batch;
    REQUIRE_FALSE(batch.stage(a.string(), "new a\n").has_value());
    REQUIRE_FALSE(batch.stage(b.string(), "new b\n").has_value());
    CHECK(batch.size() == 2);
    // Staged: the new content is on disk beside each file, the file untouched.
    CHECK(temporary_files(dir.path) == 2);
    CHECK(read(a) == "a\n");
  }
  CHECK(read(a) == "a\n");
  CHECK(read(b) == "b\n");
  CHECK(inode_of(a) == inode_a);
  CHECK(temporary_files(dir.path) == 0);
}

TEST_CASE("a batch commit replaces every staged file, with a few or many flushes") {
  for (int files : {1, 2, 3, 5}) {
    CAPTURE(files);
    TempDir dir;
    harden::WriteBatch batch;
    for (int i = 0; i < files; ++i)
      REQUIRE_FALSE(batch.stage(dir.write("s" + std::to_string(i) + "/compose.yml", "old\n").string(),
                                "new " + std::to_string(i) + "\n")
                        .has_value());
    auto errors = batch.commit();
    REQUIRE(errors.size() == static_cast<std::size_t>(files));
    for (int i = 0; i < files; ++i) {
      CHECK_FALSE(errors[i].has_value());
      CHECK(read(dir.path / ("s" + std::to_string(i)) / "compose.yml") == "new " + std::to_string(i) + "\n");
    }
    CHECK(temporary_files(dir.path) == 0);
  }
}

TEST_CASE("a file that cannot be staged is reported and left alone") {
  TempDir dir;
  fs::path file = dir.write("ro/compose.yml", "old\n");
  if (::geteuid() == 0) {
    // root writes into a read-only folder; a missing file fails for anyone.
    auto error = harden::write_atomically((dir.path / "ro" / "missing.yml").string(), "new\n");
    REQUIRE(error.has_value());
    CHECK(error->find("cannot stat the file") != std::string::npos);
  } else {
    fs::permissions(dir.path / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    auto error = harden::write_atomically(file.string(), "new\n");
    fs::permissions(dir.path / "ro", fs::perms::owner_all);
    REQUIRE(error.has_value());
    CHECK(error->find("cannot create a temporary file") != std::string::npos);
    CHECK(read(file) == "old\n");
  }
  CHECK(temporary_files(dir.path) == 0);
}

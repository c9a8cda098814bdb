// Reading input files: the bytes as they are, or why not.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <variant>

#include "harden/read_file.h"
#include "temp_dir.h"

namespace {

std::string error_of(const std::variant<std::string, harden::LoadError>& result) {
  auto* error = std::get_if<harden::LoadError>(&result);
  return error ? error->message : std::string("(no error)");
}

}  // namespace

TEST_CASE("read_regular_file returns the bytes, and why not") {
  harden::testing::TempDir dir;
  std::string bytes = "a: 1\r\nb: \"\xC3\xA9\"\n";
  bytes.push_back('\0');  // the reader does not judge content
  auto file = dir.write("compose.yaml", bytes).string();
  auto read = harden::read_regular_file(file, 1000);
  REQUIRE(std::holds_alternative<std::string>(read));
  CHECK(std::get<std::string>(read) == bytes);

  auto empty = dir.write("empty.yaml", "").string();
  CHECK(std::get<std::string>(harden::read_regular_file(empty, 1000)).empty());

  CHECK(error_of(harden::read_regular_file(file, bytes.size() - 1)) ==
        "file is larger than the limit of " + std::to_string(bytes.size() - 1) + " bytes");
  CHECK(std::holds_alternative<std::string>(harden::read_regular_file(file, bytes.size())));

  CHECK(error_of(harden::read_regular_file((dir.path / "missing.yaml").string(), 1000)) == "no such file");
  CHECK(error_of(harden::read_regular_file((dir.path / "missing" / "x.yaml").string(), 1000)) == "no such file");
  CHECK(error_of(harden::read_regular_file(dir.path.string(), 1000)) == "is a folder, not a file");

  auto fifo = (dir.path / "fifo.yaml").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(error_of(harden::read_regular_file(fifo, 1000)) == "not a regular file");  // and does not wait for a writer

  auto loop = dir.path / "loop.yaml";
  std::filesystem::create_symlink(loop, loop);
  CHECK(error_of(harden::read_regular_file(loop.string(), 1000)).starts_with("cannot be read: "));

  auto link = dir.path / "link.yaml";
  std::filesystem::create_symlink(file, link);
  CHECK(std::get<std::string>(harden::read_regular_file(link.string(), 1000)) == bytes);
}

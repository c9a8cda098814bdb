// --fail-on: a CI gate on the findings that remain after the run's fixes.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harden/cli.h"
#include "temp_dir.h"

namespace {

int harden_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "harden");
  args.push_back("--no-engine");
  args.push_back("--no-config");
  args.push_back("-q");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return harden::run_cli(static_cast<int>(argv.size()), argv.data());
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A docker socket (H107: an unsafe fix), host networking (H109: unsafe) and
// a profiled image whose baseline fixes are all safe.
const char* const kSocket =
    "services:\n"
    "  ci:\n"
    "    image: nginx:1.27\n"
    "    volumes:\n"
    "      - /var/run/docker.sock:/var/run/docker.sock\n";

}  // namespace

TEST_CASE("--fail-on: findings of the named rules that remain unfixed fail the run") {
  harden::testing::TempDir tmp;
  const auto file = tmp.write("compose.yaml", kSocket).string();
  // Without --fail-on a check fails only because the file would change.
  CHECK(harden_cli({"--check", "--select", "H107", file}) == 0);
  CHECK(harden_cli({"--check", "--select", "H107", "--fail-on", "H107", file}) == 1);
  CHECK(harden_cli({"--check", "--select", "H107", "--fail-on", "no-docker-socket", file}) == 1);
  CHECK(harden_cli({"--check", "--select", "H107", "--fail-on", "baseline", file}) == 1);
  CHECK(harden_cli({"--check", "--select", "H107", "--fail-on", "all", file}) == 1);
  // H107 is a baseline rule; H112 has nothing to report here.
  CHECK(harden_cli({"--check", "--select", "H107", "--fail-on", "strict", file}) == 0);
  CHECK(harden_cli({"--check", "--select", "H107", "--fail-on", "H112", file}) == 0);
  // With the unsafe fix taken nothing remains, in --check as in --write.
  CHECK(harden_cli({"--check", "--select", "H107", "--unsafe-fixes", "--fail-on", "H107", file}) == 1);  // would change
  CHECK(harden_cli({"--write", "--select", "H107", "--unsafe-fixes", "--fail-on", "H107", file}) == 0);
  CHECK(read(file).find("docker.sock") == std::string::npos);
}

TEST_CASE("--fail-on: a waived finding does not fail the run; --write still writes, then fails") {
  harden::testing::TempDir tmp;
  const auto waived = tmp.write("a/compose.yaml",
                                "services:\n"
                                "  ci:  # harden: ignore[H107] -- the CI runner drives the engine\n"
                                "    image: nginx:1.27\n"
                                "    volumes:\n"
                                "      - /var/run/docker.sock:/var/run/docker.sock\n");
  CHECK(harden_cli({"--check", "--fail-on", "H107", waived.string()}) == 1);  // the other fixes would change it
  CHECK(harden_cli({"--write", "--fail-on", "H107", waived.string()}) == 0);
  const auto file = tmp.write("b/compose.yaml", kSocket);
  CHECK(harden_cli({"--write", "--fail-on", "H107", file.string()}) == 1);
  // The safe fixes were written all the same; the socket stays.
  CHECK(read(file).find("cap_drop") != std::string::npos);
  CHECK(read(file).find("docker.sock") != std::string::npos);
}

TEST_CASE("--fail-on: an unknown name is an error before any file is touched") {
  harden::testing::TempDir tmp;
  const auto file = tmp.write("compose.yaml", kSocket);
  CHECK(harden_cli({"--write", "--fail-on", "H1O7", file.string()}) == 2);
  CHECK(read(file) == kSocket);
}

#include "harden/config.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "harden/pipeline.h"
#include "harden/rule.h"
#include "temp_dir.h"

using namespace harden;
namespace fs = std::filesystem;

namespace {

using harden::testing::TempDir;

std::string error_of(const std::string& text) {
  try {
    parse_config(text, "cfg.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

const char* kProfile = R"(
  - family: acme-web
    images: [acme/web]
    user: root
    cap_add:
      - name: NET_ADMIN
        reason: "acme configures its own firewall"
)";

}  // namespace

TEST_CASE("config: a complete file") {
  Config c = parse_config(R"(# harden settings
profile: strict
select: [H101, no-privileged, H102]
ignore: H104, H105
unsafe-fixes: true
defaults:
  memory: 1g
  cpus: 0.5
  pids: 200
  restart: on-failure:3
services:
  vpn:
    ignore: [H101, H102]
  db:
    ignore: H104
)",
                          "cfg.yaml");
  CHECK(c.path == "cfg.yaml");
  REQUIRE(c.profile);
  CHECK(*c.profile == Profile::Strict);
  REQUIRE(c.select);
  CHECK(*c.select == std::vector<std::string>{"H101", "no-privileged", "H102"});
  REQUIRE(c.ignore);
  CHECK(*c.ignore == std::vector<std::string>{"H104", "H105"});
  CHECK(c.unsafe_fixes == true);
  CHECK(c.memory == "1g");
  CHECK(c.cpus == "0.5");
  CHECK(c.pids == "200");
  CHECK(c.restart == "on-failure:3");
  CHECK(c.service_ignores.at("vpn") == std::vector<std::string>{"H101", "H102"});
  CHECK(c.service_ignores.at("db") == std::vector<std::string>{"H104"});
  CHECK(c.catalog == nullptr);
}

TEST_CASE("config: empty file, comments only, select none") {
  CHECK_FALSE(parse_config("", "c").profile);
  CHECK_FALSE(parse_config("# nothing here\n", "c").select);
  Config none = parse_config("select: none\n", "c");
  REQUIRE(none.select);
  CHECK(none.select->empty());
  Config empty_list = parse_config("select: []\nignore: []\n", "c");
  REQUIRE(empty_list.select);
  CHECK(empty_list.select->empty());
  CHECK(parse_config("unsafe-fixes: false\n", "c").unsafe_fixes == false);
}

TEST_CASE("config: errors carry FILE:LINE:COL") {
  CHECK(error_of("profile: strict\nfoo: 1\n") == "cfg.yaml:2:1: unknown key 'foo' in the configuration (known: "
                                                  "profile, select, ignore, unsafe-fixes, defaults, services, images)");
  CHECK(error_of("profile: paranoid\n").rfind("cfg.yaml:1:10: profile must be", 0) == 0);
  CHECK(error_of("profile: [strict]\n").rfind("cfg.yaml:1:10: profile: expected a single value", 0) == 0);
  CHECK(error_of("unsafe-fixes: yes\n").rfind("cfg.yaml:1:15: unsafe-fixes: expected true or false", 0) == 0);
  CHECK(error_of("unsafe-fixes: \"true\"\n").rfind("cfg.yaml:1:15:", 0) == 0);
  CHECK(error_of("select: [H101, H999]\n") == "cfg.yaml:1:16: select: unknown rule 'H999' (see `harden rules`)");
  CHECK(error_of("ignore: {H101: x}\n").rfind("cfg.yaml:1:9: ignore: expected a list", 0) == 0);
  CHECK(error_of("select: none, H101\n").rfind("cfg.yaml:1:9: select: 'none' cannot", 0) == 0);
  CHECK(error_of("defaults:\n  memory: lots\n").rfind("cfg.yaml:2:11: defaults.memory:", 0) == 0);
  CHECK(error_of("defaults:\n  cpus: -1\n").rfind("cfg.yaml:2:9: defaults.cpus:", 0) == 0);
  CHECK(error_of("defaults:\n  pids: 0\n").rfind("cfg.yaml:2:9: defaults.pids:", 0) == 0);
  CHECK(error_of("defaults:\n  restart: sometimes\n").rfind("cfg.yaml:2:12: defaults.restart:", 0) == 0);
  CHECK(error_of("defaults:\n  swap: 1g\n").rfind("cfg.yaml:2:3: unknown key 'swap' in defaults", 0) == 0);
  CHECK(error_of("defaults: 512m\n").rfind("cfg.yaml:1:11: expected a mapping for defaults", 0) == 0);
  CHECK(error_of("services:\n  web:\n    select: [H101]\n")
            .rfind("cfg.yaml:3:5: unknown key 'select' in services.web", 0) == 0);
  CHECK(error_of("services:\n  web:\n    ignore: [H1O1]\n")
            .rfind("cfg.yaml:3:14: services.web.ignore: unknown rule 'H1O1'", 0) == 0);
  CHECK(error_of("services: [web]\n").rfind("cfg.yaml:1:11: expected a mapping for services", 0) == 0);
  CHECK(error_of("profile: strict\nprofile: baseline\n").rfind("cfg.yaml:2:1: duplicate key 'profile'", 0) == 0);
  CHECK(error_of("- profile\n").rfind("cfg.yaml:1:1: expected a mapping at the top", 0) == 0);
  CHECK(error_of("profile: [strict\n").rfind("cfg.yaml:", 0) == 0);  // a YAML syntax error
  CHECK(error_of("images: {family: x}\n").rfind("cfg.yaml:1:9: images: expected a list", 0) == 0);
}

TEST_CASE("config: images add profiles over the built-in ones") {
  Config c = parse_config(std::string("profile: baseline\nimages:") + kProfile + "ignore: [H104]\n", "cfg.yaml");
  REQUIRE(c.catalog);
  const ImageProfile* acme = c.catalog->find("acme/web:1.2");
  REQUIRE(acme);
  CHECK(acme->family == "acme-web");
  REQUIRE(acme->cap_add.size() == 1);
  CHECK(acme->cap_add[0].name == "NET_ADMIN");
  CHECK(c.catalog->profiles().size() == ProfileCatalog::builtin().profiles().size() + 1);
  CHECK(c.ignore == std::vector<std::string>{"H104"});

  // The same family replaces the built-in profile.
  Config replaced = parse_config(R"(images:
  - family: nginx
    images: [nginx]
    user: nginx
)",
                                 "cfg.yaml");
  REQUIRE(replaced.catalog);
  CHECK(replaced.catalog->find("nginx:1.27")->user == "nginx");
  CHECK(replaced.catalog->profiles().size() == ProfileCatalog::builtin().profiles().size());

  // Errors in a profile point into the configuration file.
  std::string error = error_of("profile: strict\n\nimages:\n  - family: x\n    images: [x]\n    colour: blue\n");
  CHECK(error.rfind("cfg.yaml:6:5: unknown key 'colour'", 0) == 0);
  error = error_of("images:\n  - family: x\n    images: [x]\n    tmp_exec: maybe\nprofile: strict\n");
  CHECK(error.rfind("cfg.yaml:4:", 0) == 0);
  // A flow mapping at the top still works.
  Config flow = parse_config("{images: [{family: f, images: [f/f]}], profile: strict}", "cfg.yaml");
  REQUIRE(flow.catalog);
  CHECK(flow.catalog->find("f/f") != nullptr);
}

TEST_CASE("config: the nearest .harden.yaml upwards") {
  TempDir dir;
  dir.write("repo/.harden.yaml", "profile: strict\n");
  dir.write("repo/svc/deep/compose.yaml", "services: {}\n");
  dir.write("repo/other/.harden.yaml", "profile: baseline\n");
  auto found = find_config(dir.path / "repo/svc/deep");
  REQUIRE(found);
  CHECK(fs::equivalent(*found, dir.path / "repo/.harden.yaml"));
  found = find_config(dir.path / "repo/other");
  REQUIRE(found);
  CHECK(fs::equivalent(*found, dir.path / "repo/other/.harden.yaml"));
  CHECK_FALSE(find_config(dir.path));  // nothing between the temp folder and / (assumed)
  // A folder named .harden.yaml is not a configuration.
  fs::create_directories(dir.path / "x/.harden.yaml");
  CHECK_FALSE(find_config(dir.path / "x"));
}

TEST_CASE("config: command-line options win over the file") {
  Config file = parse_config(R"(profile: strict
select: [H101, H102]
ignore: [H104, H105]
unsafe-fixes: true
defaults: {memory: 1g, cpus: 2, pids: 50, restart: always}
services: {vpn: {ignore: [H101]}}
images:
  - family: acme
    images: [acme/app]
)",
                             "cfg.yaml");
  Options cli;
  SUBCASE("nothing given: the file decides") {
    Options o = apply_config(cli, CliGiven{}, file);
    CHECK(o.profile == Profile::Strict);
    CHECK(o.select == std::vector<std::string>{"H101", "H102"});
    CHECK(o.ignore == std::vector<std::string>{"H104", "H105"});
    CHECK(o.unsafe_fixes);
    CHECK(o.defaults.memory == "1g");
    CHECK(o.defaults.cpus == "2");
    CHECK(o.defaults.pids == "50");
    CHECK(o.defaults.restart == "always");
    CHECK(o.service_ignores.at("vpn") == std::vector<std::string>{"H101"});
    REQUIRE(o.catalog == file.catalog.get());
    CHECK(o.profiles().find("acme/app") != nullptr);
  }
  SUBCASE("given options win") {
    cli.profile = Profile::Baseline;
    cli.select = std::vector<std::string>{"cap-drop-all", "H104"};
    cli.defaults.memory = "256m";
    CliGiven given;
    given.profile = given.select = given.memory = true;
    Options o = apply_config(cli, given, file);
    CHECK(o.profile == Profile::Baseline);
    CHECK(o.select == std::vector<std::string>{"cap-drop-all", "H104"});
    // H104 is named on the command line: the file's ignore of it gives way.
    CHECK(o.ignore == std::vector<std::string>{"H105"});
    CHECK(o.defaults.memory == "256m");
    CHECK(o.defaults.cpus == "2");  // not given: the file's
  }
  SUBCASE("--ignore replaces the file's ignore; --unsafe-fixes") {
    cli.ignore = {"H106"};
    cli.unsafe_fixes = false;
    CliGiven given;
    given.ignore = true;
    Options o = apply_config(cli, given, file);
    CHECK(o.ignore == std::vector<std::string>{"H106"});
    CHECK(o.unsafe_fixes);  // the flag was not given: the file's true
  }
}

TEST_CASE("config: the cache resolves per file") {
  TempDir dir;
  dir.write("a/.harden.yaml", "profile: strict\nservices: {web: {ignore: [H101]}}\n");
  dir.write("b/.harden.yaml", "defaults: {memory: 2g}\n");
  fs::path a = dir.write("a/x/compose.yaml", "services: {}\n");
  fs::path b = dir.write("b/compose.yaml", "services: {}\n");
  fs::path bad = dir.write("c/.harden.yaml", "profile: strict\nbogus: 1\n");
  fs::path c = dir.write("c/compose.yaml", "services: {}\n");

  Options cli;
  ConfigCache nearest(cli, CliGiven{});
  Options oa = *nearest.options_for_file(a.string());
  CHECK(oa.profile == Profile::Strict);
  CHECK(oa.service_ignores.count("web") == 1);
  CHECK(oa.defaults.memory == "512m");
  Options ob = *nearest.options_for_file(b.string());
  CHECK(ob.profile == Profile::Baseline);
  CHECK(ob.defaults.memory == "2g");
  CHECK(nearest.config_for_file(a.string()) == nearest.config_for_file(a.string()));  // cached
  fs::path a2 = dir.write("a/y/compose.yaml", "services: {}\n");
  CHECK(nearest.options_for_file(a2.string()) == nearest.options_for_file(a.string()));  // one per configuration
  CHECK(nearest.options_for_file(a.string()) != nearest.options_for_file(b.string()));
  try {
    nearest.options_for_file(c.string());
    FAIL("no error for a bad configuration");
  } catch (const ConfigError& e) {
    std::string message = e.what();
    CHECK(message.find(".harden.yaml:2:1: unknown key 'bogus'") != std::string::npos);
  }

  ConfigCache none(cli, CliGiven{}, ConfigCache::Mode::None);
  CHECK(none.options_for_file(a.string())->profile == Profile::Baseline);
  CHECK(none.config_for_file(c.string()) == nullptr);

  ConfigCache explicit_file(cli, CliGiven{}, ConfigCache::Mode::Explicit, (dir.path / "b/.harden.yaml").string());
  CHECK(explicit_file.options_for_file(a.string())->defaults.memory == "2g");
  ConfigCache missing(cli, CliGiven{}, ConfigCache::Mode::Explicit, (dir.path / "nope.yaml").string());
  CHECK_THROWS_AS(missing.options_for_file(a.string()), ConfigError);
}

TEST_CASE("config: services.NAME.ignore waives findings in the pipeline") {
  Options cli;
  Config file = parse_config("services: {web: {ignore: [H101]}}\n", "cfg.yaml");
  Options o = apply_config(cli, CliGiven{}, file);
  FileResult r = process_text("compose.yaml", "services:\n  web:\n    image: busybox\n    privileged: true\n", o);
  REQUIRE_FALSE(r.error);
  bool seen = false;
  for (const Finding& f : r.findings)
    if (f.rule->code == "H101") {
      seen = true;
      CHECK(f.waived);
      CHECK_FALSE(f.fixed);
    }
  CHECK(seen);
  CHECK(r.output.find("privileged: true") != std::string::npos);
}

// H105's values: Docker's syntax and minimums for limits (command line and
// .harden.yaml), each source of a service's own needs, and the rules that
// keep a written limit above them and clear of conflicting settings.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "harden/config.h"
#include "harden/limit_values.h"
#include "harden/pipeline.h"
#include "harden/resource_needs.h"
#include "harden/rule.h"

using namespace harden;

namespace {

constexpr std::uint64_t MiB = 1024ULL * 1024;
constexpr std::uint64_t GiB = 1024 * MiB;

Options h105() {
  Options options;
  options.select = std::vector<std::string>{"H105"};
  return options;
}

std::string harden_text(const std::string& text, const Options& options = h105()) {
  FileResult result = process_text("compose.yaml", text, options);
  INFO("error: " << (result.error ? result.error->message : std::string("none")));
  REQUIRE_FALSE(result.error.has_value());
  FileResult again = process_text("compose.yaml", result.output, options);
  REQUIRE_FALSE(again.error.has_value());
  CHECK(again.output == result.output);
  return result.output;
}

// Every reason of the H105 findings, joined.
std::string reasons(const std::string& text, const Options& options = h105()) {
  FileResult result = process_text("compose.yaml", text, options);
  REQUIRE_FALSE(result.error.has_value());
  std::string all;
  for (const Finding& f : result.findings) {
    all += f.message + "\n";
    for (const std::string& r : f.reasons) all += "  " + r + "\n";
  }
  return all;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

// ---------------------------------------------------------------- values

TEST_CASE("limit values: memory sizes as Docker reads them") {
  CHECK(parse_memory_size("512m") == 512 * MiB);
  CHECK(parse_memory_size("1G") == GiB);
  CHECK(parse_memory_size("1.5g") == GiB + 512 * MiB);
  CHECK(parse_memory_size("2048kb") == 2 * MiB);
  CHECK(parse_memory_size("1GiB") == GiB);
  CHECK(parse_memory_size("1 g") == GiB);
  CHECK(parse_memory_size("6291456") == 6291456);
  CHECK(parse_memory_size("100b") == 100);
  CHECK_FALSE(parse_memory_size("lots"));
  CHECK_FALSE(parse_memory_size("-1"));
  CHECK_FALSE(parse_memory_size("1x"));
  CHECK_FALSE(parse_memory_size("1.g"));
  CHECK_FALSE(parse_memory_size(""));
  CHECK(format_memory(3 * GiB) == "3g");
  CHECK(format_memory(2304 * MiB) == "2304m");
  CHECK(format_memory(512 * MiB + 1) == "513m");
}

TEST_CASE("limit values: the engine's minimums and forms") {
  CHECK_FALSE(memory_limit_problem("512m"));
  CHECK_FALSE(memory_limit_problem("6291456"));
  CHECK(memory_limit_problem("6291455"));
  REQUIRE(memory_limit_problem("512"));
  CHECK(contains(*memory_limit_problem("512"), "below Docker's minimum memory limit of 6 MB"));
  CHECK(contains(*memory_limit_problem("lots"), "expected a size such as 512m"));
  CHECK_FALSE(cpus_limit_problem("1"));
  CHECK_FALSE(cpus_limit_problem("0.5"));
  CHECK_FALSE(cpus_limit_problem(".25"));
  CHECK(cpus_limit_problem("0.00000001"));  // below 0.01
  CHECK(cpus_limit_problem("-3"));
  CHECK(cpus_limit_problem("0"));
  CHECK(cpus_limit_problem("0.001"));
  CHECK(cpus_limit_problem("1.0000000001"));  // more than 9 decimals
  CHECK(cpus_limit_problem("one"));
  CHECK(cpus_limit_problem("1."));
  CHECK(parse_nano_cpus("1.5") == 1500000000ULL);
  CHECK(parse_nano_cpus(".25") == 250000000ULL);
  CHECK_FALSE(pids_limit_problem("100"));
  CHECK(pids_limit_problem("abc"));
  CHECK(pids_limit_problem("0"));
  CHECK(pids_limit_problem("-1"));
  CHECK(pids_limit_problem("1.5"));
}

TEST_CASE("limit values: .harden.yaml checks defaults and per-service limits") {
  auto error_of = [](const std::string& text) -> std::string {
    try {
      parse_config(text, "cfg.yaml");
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(contains(error_of("defaults:\n  memory: 512\n"), "cfg.yaml:2:11: defaults.memory: '512' is 512 bytes"));
  CHECK(contains(error_of("services:\n  es01:\n    memory: lots\n"), "cfg.yaml:3:13: services.es01.memory: expected"));
  CHECK(contains(error_of("services:\n  es01:\n    cpus: -3\n"), "cfg.yaml:3:11: services.es01.cpus:"));
  CHECK(contains(error_of("services:\n  es01:\n    pids: abc\n"), "cfg.yaml:3:11: services.es01.pids:"));
  Config config = parse_config("services:\n  es01:\n    memory: 4g\n    pids: 300\n  web:\n    cpus: 2\n", "cfg.yaml");
  REQUIRE(config.service_limits.count("es01"));
  CHECK(config.service_limits["es01"].memory == "4g");
  CHECK(config.service_limits["es01"].pids == "300");
  CHECK_FALSE(config.service_limits["es01"].cpus);
  CHECK(config.service_limits["web"].cpus == "2");
  Options options = apply_config(Options{}, CliGiven{}, config);
  CHECK(options.service_limits["es01"].memory == "4g");
}

TEST_CASE("limit values: a profile's limits are checked") {
  CHECK_THROWS_WITH_AS(ProfileCatalog::parse("- family: f\n  images: [f]\n  limits: {memory: 5}\n"),
                       doctest::Contains("limits.memory:"), std::runtime_error);
  ProfileCatalog catalog = ProfileCatalog::parse("- family: f\n  images: [f]\n  limits: {memory: 2g, pids: 300, reason: why}\n");
  CHECK(catalog.profiles()[0].limits == LimitFloors{"2g", "", "300", "why"});
  const ImageProfile* postgres = ProfileCatalog::builtin().find("postgres:16");
  REQUIRE(postgres);
  CHECK(postgres->limits.pids == "200");
}

// ---------------------------------------------------------------- needs

TEST_CASE("needs: JVM heap options") {
  CHECK(jvm_heap_bytes("-Xms2g -Xmx2g") == 2 * GiB);
  CHECK(jvm_heap_bytes("-Xmx1536m") == 1536 * MiB);
  CHECK(jvm_heap_bytes("-XX:+UseG1GC -Xmx1G -Xmx512m") == 512 * MiB);  // the last -Xmx counts
  CHECK(jvm_heap_bytes("-Xms4g -Xmx2g") == 4 * GiB);                    // the larger of the two
  CHECK(jvm_heap_bytes("-XX:MaxHeapSize=3g") == 3 * GiB);
  CHECK(jvm_heap_bytes("java -Xmx1024k -jar app.jar") == MiB);
  CHECK(jvm_heap_bytes("\"-Xmx2g\"") == 2 * GiB);
  CHECK_FALSE(jvm_heap_bytes("-XX:MaxRAMPercentage=75"));
  CHECK_FALSE(jvm_heap_bytes("--foo-Xmx2g"));
  CHECK_FALSE(jvm_heap_bytes("-Xmx2gb"));
  CHECK(node_heap_bytes("--max-old-space-size=4096") == 4 * GiB);
  CHECK(node_heap_bytes("node --max_old_space_size 2048 server.js") == 2 * GiB);
  CHECK_FALSE(node_heap_bytes("--max-semi-space-size=64"));
}

TEST_CASE("needs: heap plus room for the runtime") {
  CHECK(memory_for_heap(2 * GiB) == 3 * GiB);
  CHECK(memory_for_heap(1536 * MiB) == 2304 * MiB);
  CHECK(memory_for_heap(256 * MiB) == 512 * MiB);  // at least 256m of room
  CHECK(memory_for_heap(100 * MiB + 1) == 357 * MiB);
}

TEST_CASE("needs: variables take their defaults") {
  CHECK(with_variable_defaults("-Xmx${HEAP:-2g}") == "-Xmx2g");
  CHECK(with_variable_defaults("-Xmx${HEAP-1g} $OTHER ${X}") == "-Xmx1g  ");
  CHECK(with_variable_defaults("${A:-${B:-3g}}") == "3g");
  CHECK(with_variable_defaults("cost $$5") == "cost $5");
}

// ---------------------------------------------------------------- limits written

TEST_CASE("H105: ES_JAVA_OPTS heap and memlock set the memory limit") {
  std::string input =
      "services:\n"
      "  es01:\n"
      "    image: example/search\n"
      "    environment:\n"
      "      - bootstrap.memory_lock=true\n"
      "      - \"ES_JAVA_OPTS=-Xms2g -Xmx2g\"\n"
      "    ulimits:\n"
      "      memlock:\n"
      "        soft: -1\n"
      "        hard: -1\n";
  std::string output = harden_text(input);
  CHECK(contains(output, "    mem_limit: 3g\n"));
  CHECK(contains(reasons(input), "mem_limit 3g: ES_JAVA_OPTS sets -Xmx2g; the JVM needs its heap plus room"));
}

TEST_CASE("H105: JVM options in every place") {
  auto memory_of = [](const std::string& service) {
    std::string output = harden_text("services:\n  app:\n    image: example/app\n" + service);
    std::size_t at = output.find("mem_limit: ");
    REQUIRE(at != std::string::npos);
    return output.substr(at + 11, output.find('\n', at) - at - 11);
  };
  CHECK(memory_of("    environment:\n      JAVA_OPTS: -Xmx1536m\n") == "2304m");
  CHECK(memory_of("    environment:\n      JAVA_TOOL_OPTIONS: \"-Xmx${HEAP:-2g}\"\n") == "3g");
  CHECK(memory_of("    environment:\n      _JAVA_OPTIONS: -Xms1g\n") == "1536m");
  CHECK(memory_of("    command: [java, -Xmx4g, -jar, app.jar]\n") == "6g");
  CHECK(memory_of("    entrypoint: sh -c 'exec java -Xmx1g -jar /app.jar'\n") == "1536m");
  CHECK(memory_of("    environment:\n      NODE_OPTIONS: --max-old-space-size=4096\n") == "6g");
  CHECK(memory_of("    command: node --max-old-space-size=1024 server.js\n") == "1536m");
  CHECK(memory_of("    environment:\n      OTHER_OPTS: -Xmx8g\n") == "512m");  // not a JVM variable
  CHECK(memory_of("    environment:\n      JAVA_OPTS: -Xmx128m\n") == "512m");  // the default is more
}

TEST_CASE("H105: reservations, memlock and a swap limit") {
  CHECK(contains(harden_text("services:\n  app:\n    image: example/app\n    mem_reservation: 1g\n"),
                 "    mem_limit: 1g\n"));
  std::string deploy = harden_text(
      "services:\n  app:\n    image: example/app\n    deploy:\n      resources:\n        reservations:\n"
      "          memory: 1G\n");
  CHECK(contains(deploy, "        limits:\n          memory: 1g\n"));
  CHECK(contains(harden_text("services:\n  app:\n    image: example/app\n    ulimits:\n      memlock: 2147483648\n"),
                 "    mem_limit: 2g\n"));
  std::string swap = "services:\n  app:\n    image: example/app\n    memswap_limit: 256m\n";
  CHECK(contains(harden_text(swap), "    mem_limit: 256m\n"));
  CHECK(contains(reasons(swap), "memswap_limit 256m: the engine refuses a memory limit above"));
  CHECK(contains(harden_text("services:\n  app:\n    image: example/app\n    memswap_limit: -1\n"),
                 "    mem_limit: 512m\n"));
  // A need above the swap limit: no memory limit fits, and the report says why.
  std::string clash = "services:\n  app:\n    image: example/app\n    memswap_limit: 1g\n    mem_reservation: 2g\n";
  std::string out = harden_text(clash);
  CHECK_FALSE(contains(out, "mem_limit"));
  CHECK(contains(out, "    cpus: 1\n"));
  CHECK(contains(reasons(clash), "no memory limit written: mem_reservation 2g"));
}

TEST_CASE("H105: no cpus beside a cpu setting that conflicts, and no 'no cpu limit'") {
  for (std::string key : {"cpu_quota: 50000", "cpu_period: 100000", "cpu_count: 2", "cpu_percent: 50",
                          "cpuset: \"0,1\""}) {
    std::string input = "services:\n  app:\n    image: example/app\n    " + key + "\n";
    CAPTURE(key);
    std::string out = harden_text(input);
    CHECK_FALSE(contains(out, "cpus:"));
    CHECK(contains(out, "mem_limit: 512m"));
    CHECK_FALSE(contains(reasons(input), "no cpu limit"));
    CHECK(contains(reasons(input), "no cpus added: " + key.substr(0, key.find(':')) + " counts as the cpu limit"));
  }
  // cpu_shares is a weight, not a limit: cpus is still added.
  CHECK(contains(harden_text("services:\n  app:\n    image: example/app\n    cpu_shares: 512\n"), "    cpus: 1\n"));
}

TEST_CASE("H105: profile floors") {
  std::string out = harden_text("services:\n  db:\n    image: postgres:16\n");
  CHECK(contains(out, "    pids_limit: 200\n"));
  CHECK(contains(reasons("services:\n  db:\n    image: postgres:16\n"),
                 "pids_limit 200: image profile postgres-17 needs at least 200 processes"));
  CHECK(contains(harden_text("services:\n  web:\n    image: httpd:2.4\n"), "    pids_limit: 500\n"));
  Options more = h105();
  more.defaults.pids = "1000";  // above the floor: the run's value
  CHECK(contains(harden_text("services:\n  db:\n    image: postgres:16\n", more), "    pids_limit: 1000\n"));
}

TEST_CASE("H105: a JVM image without a heap keeps the default and says so") {
  std::string input = "services:\n  ci:\n    image: jenkins/jenkins:lts\n";
  CHECK(contains(harden_text(input), "    mem_limit: 512m\n"));
  CHECK(contains(reasons(input), "image jenkins/jenkins:lts runs a JVM and sets no -Xmx"));
}

TEST_CASE("H105: per-service limits from .harden.yaml; never below a need") {
  Options options = h105();
  options.service_limits["es01"] = ServiceLimits{"4g", "2", "300"};
  options.service_limits["jvm"] = ServiceLimits{"1g", std::nullopt, std::nullopt};
  std::string input =
      "services:\n"
      "  es01:\n    image: example/search\n"
      "  jvm:\n    image: example/app\n    environment:\n      JAVA_OPTS: -Xmx2g\n"
      "  other:\n    image: example/app\n";
  std::string out = harden_text(input, options);
  CHECK(contains(out, "  es01:\n    image: example/search\n    mem_limit: 4g\n    cpus: 2\n    pids_limit: 300\n"));
  CHECK(contains(out, "      JAVA_OPTS: -Xmx2g\n    mem_limit: 3g\n    cpus: 1\n"));
  CHECK(contains(out, "  other:\n    image: example/app\n    mem_limit: 512m\n"));
  std::string why = reasons(input, options);
  CHECK(contains(why, "mem_limit 4g: the memory limit set for the service (services.es01.memory in .harden.yaml)"));
  CHECK(contains(why, "warning: services.jvm.memory 1g in .harden.yaml is below this need, so the need is used"));
}

TEST_CASE("H105: an unlimited value is replaced by the fitted one") {
  Options options = h105();
  options.unsafe_fixes = true;
  CHECK(contains(harden_text("services:\n  db:\n    image: postgres:16\n    pids_limit: -1\n", options),
                 "    pids_limit: 200\n"));
}

TEST_CASE("H105: limits in a user's image profile (.harden.yaml images:)") {
  Config config = parse_config(
      "images:\n"
      "  - family: acme-search\n"
      "    images: [acme/search]\n"
      "    limits:\n"
      "      memory: 2g\n"
      "      cpus: 2\n"
      "      pids: 400\n"
      "      reason: acme's indexer\n",
      "cfg.yaml");
  Options options = apply_config(h105(), CliGiven{}, config);
  std::string input = "services:\n  search:\n    image: acme/search:3\n";
  CHECK(contains(harden_text(input, options), "    mem_limit: 2g\n    cpus: 2\n    pids_limit: 400\n"));
  CHECK(contains(reasons(input, options), "mem_limit 2g: image profile acme-search needs at least 2g of memory: acme's indexer"));
  // The service's own line in .harden.yaml wins over the profile only upwards.
  options.service_limits["search"] = ServiceLimits{"4g", "1", std::nullopt};
  std::string out = harden_text(input, options);
  CHECK(contains(out, "    mem_limit: 4g\n    cpus: 2\n    pids_limit: 400\n"));
}

TEST_CASE("H105: a service that extends another gets its own limits when its needs differ") {
  std::string out = harden_text(
      "services:\n"
      "  base:\n    image: example/app\n"
      "  same:\n    extends: base\n"
      "  big:\n    extends: base\n    environment:\n      JAVA_OPTS: -Xmx2g\n");
  CHECK(contains(out, "  same:\n    extends: base\n  big:"));  // the base's limits reach it
  // An inherited limit below the service's own need does not count: its own
  // key wins; the cpu and pids limits it inherits do.
  CHECK(contains(out, "      JAVA_OPTS: -Xmx2g\n    mem_limit: 3g\n"));
  CHECK_FALSE(contains(out, "-Xmx2g\n    mem_limit: 3g\n    cpus"));
  // The same through a merge key.
  std::string merged = harden_text(
      "x-common: &common\n  mem_limit: 512m\n  image: example/app\n"
      "services:\n  a:\n    <<: *common\n    environment:\n      JAVA_OPTS: -Xmx2g\n  b:\n    <<: *common\n");
  CHECK(contains(merged, "      JAVA_OPTS: -Xmx2g\n    mem_limit: 3g\n    cpus: 1\n"));
  CHECK(contains(merged, "  b:\n    <<: *common\n    cpus: 1\n    pids_limit: 100\n"));
}

TEST_CASE("H105: a limit the service sets below its need is reported; the unsafe fix raises it") {
  std::string input =
      "services:\n"
      "  es:\n    image: example/search\n    environment:\n      ES_JAVA_OPTS: -Xmx2g\n    mem_limit: 1g\n"
      "    cpus: 1\n    pids_limit: 100\n"
      "  db:\n    image: postgres:16\n    mem_limit: 1g\n    cpus: 1\n    pids_limit: \"100\"\n"
      "  fine:\n    image: example/app\n    environment:\n      JAVA_OPTS: -Xmx2g\n    mem_limit: 3g\n"
      "    cpus: 1\n    pids_limit: 100\n";
  // By default nothing changes: the value was written on purpose.
  CHECK(harden_text(input) == input);
  std::string why = reasons(input);
  CHECK(contains(why, "mem_limit 1g is below what the service needs: ES_JAVA_OPTS sets -Xmx2g"));
  CHECK(contains(why, "pids_limit 100 is below what the service needs: image profile postgres-17"));
  CHECK_FALSE(contains(why, "mem_limit 3g is below"));
  Options unsafe = h105();
  unsafe.unsafe_fixes = true;
  std::string out = harden_text(input, unsafe);
  CHECK(contains(out, "      ES_JAVA_OPTS: -Xmx2g\n    mem_limit: 3g\n"));
  CHECK(contains(out, "    image: postgres:16\n    mem_limit: 1g\n    cpus: 1\n    pids_limit: 200\n"));
  CHECK(contains(out, "      JAVA_OPTS: -Xmx2g\n    mem_limit: 3g\n    cpus: 1\n    pids_limit: 100\n"));
}

// The image facts, written down a second time: per profile family, an image
// reference that resolves to it and what the family grants (capabilities,
// tmpfs paths, user switching, what breaks). The table is typed from the
// research (shared/research/image-runtime-facts.md), not read from
// transforms/image_profiles.yaml, so a fact removed or changed there (say
// mongo's DAC_OVERRIDE) fails here until someone changes both on purpose.
// A second check runs the rules on each image and reads the grants back
// from the rewritten file, so a fact the rules stop using fails too.
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "harden/image_profile.h"
#include "harden/options.h"
#include "harden/pipeline.h"

namespace {

struct Facts {
  const char* family;
  const char* image;             // a reference that resolves to the family
  const char* user;              // the image's default user
  bool switches_user;
  const char* non_root_user;     // "" when none is safe
  const char* cap_add;           // space separated, sorted
  const char* file_caps;         // space separated, sorted
  const char* tmpfs;             // "path{options}" space separated, sorted
  bool tmp_exec;
  bool breaks_read_only;
  bool breaks_no_new_privileges;
};

// clang-format off
const Facts kFacts[] = {
  // family               image                                              user         switches non_root      cap_add                                          file_caps            tmpfs                                              exec   ro!    nnp!
  {"nginx",              "nginx:1.27",                                       "root",        true,  "",           "CHOWN SETGID SETUID",                           "",                  "/var/cache/nginx /var/run",                       false, false, false},
  {"nginx-unprivileged", "nginxinc/nginx-unprivileged:1.27",                 "101",         false, "101",        "",                                              "",                  "",                                                false, false, false},
  {"httpd",              "httpd:2.4",                                        "root",        true,  "",           "SETGID SETUID",                                 "",                  "/usr/local/apache2/logs",                         false, false, false},
  {"caddy",              "caddy:2",                                          "root",        false, "",           "",                                              "NET_BIND_SERVICE",  "",                                                false, false, false},
  {"traefik",            "traefik:v3.1",                                     "root",        false, "",           "",                                              "",                  "",                                                false, false, false},
  {"haproxy",            "haproxy:3.0",                                      "haproxy",     false, "haproxy",    "",                                              "",                  "",                                                false, false, false},
  {"haproxy-legacy",     "haproxy:2.2",                                      "root",        false, "",           "",                                              "",                  "",                                                false, false, false},
  {"postgres",           "postgres:18",                                      "root",        true,  "postgres",   "CHOWN DAC_OVERRIDE FOWNER SETGID SETUID",       "",                  "/var/run/postgresql",                             false, false, false},
  {"postgres-17",        "postgres:16-alpine",                               "root",        true,  "postgres",   "CHOWN DAC_OVERRIDE FOWNER SETGID SETUID",       "",                  "/var/run/postgresql",                             false, false, false},
  {"mysql",              "mysql:8.4",                                        "root",        true,  "mysql",      "CHOWN DAC_OVERRIDE SETGID SETUID",              "",                  "/var/run/mysqld{mode=1777}",                      false, false, false},
  {"mariadb",            "mariadb:11",                                       "root",        true,  "mysql",      "CHOWN DAC_OVERRIDE SETGID SETUID",              "",                  "/run/mysqld{mode=1777}",                          false, false, false},
  {"mongo",              "mongo:8.0",                                        "root",        true,  "mongodb",    "CHOWN DAC_OVERRIDE SETGID SETUID",              "",                  "",                                                false, false, false},
  {"redis",              "redis:8",                                          "root",        true,  "redis",      "CHOWN SETGID SETUID",                           "",                  "",                                                false, false, false},
  {"redis-7",            "redis:7-alpine",                                   "root",        true,  "redis",      "CHOWN SETGID SETUID",                           "",                  "",                                                false, false, false},
  {"memcached",          "memcached:1.6",                                    "memcache",    false, "memcache",   "",                                              "",                  "",                                                false, false, false},
  {"rabbitmq",           "rabbitmq:4-management",                            "root",        true,  "rabbitmq",   "CHOWN SETGID SETUID",                           "",                  "",                                                false, false, false},
  {"rabbitmq-alpine",    "rabbitmq:4-alpine",                                "root",        true,  "rabbitmq",   "CHOWN SETGID SETUID",                           "",                  "",                                                false, false, false},
  {"elasticsearch",      "docker.elastic.co/elasticsearch/elasticsearch:8.15.0", "1000:0",  false, "1000:0",     "",                                              "",                  "/usr/share/elasticsearch/logs{uid=1000,gid=0}",   true,  true,  false},
  {"elasticsearch-7",    "elasticsearch:7.17.24",                            "root",        true,  "1000:0",     "SETGID SETUID SYS_CHROOT",                      "",                  "/usr/share/elasticsearch/logs{uid=1000,gid=0}",   true,  true,  false},
  {"grafana",            "grafana/grafana:11.2.0",                           "472",         false, "472",        "",                                              "",                  "",                                                false, false, false},
  {"prometheus",         "prom/prometheus:v2.54.1",                          "nobody",      false, "nobody",     "",                                              "",                  "",                                                false, false, false},
  {"minio",              "minio/minio:latest",                               "root",        false, "",           "",                                              "",                  "/root/.minio",                                    false, false, false},
  {"keycloak",           "quay.io/keycloak/keycloak:25.0",                   "1000",        false, "1000",       "",                                              "",                  "/opt/keycloak/data{uid=1000,gid=0}",              true,  false, false},
  {"wordpress",          "wordpress:6.6",                                    "root",        true,  "",           "CHOWN DAC_OVERRIDE FOWNER SETGID SETUID",       "",                  "/run",                                            false, false, false},
  {"wordpress-fpm",      "wordpress:6.6-fpm",                                "root",        true,  "",           "CHOWN DAC_OVERRIDE FOWNER SETGID SETUID",       "",                  "",                                                false, false, false},
  {"php-apache",         "php:8.3-apache",                                   "root",        true,  "www-data",   "SETGID SETUID",                                 "",                  "/run{mode=1777}",                                 false, false, false},
  {"php-fpm",            "php:8.3-fpm-alpine",                               "root",        true,  "www-data",   "SETGID SETUID",                                 "",                  "",                                                false, false, false},
  {"nextcloud",          "nextcloud:29",                                     "root",        true,  "",           "CHOWN DAC_OVERRIDE FOWNER SETGID SETUID",       "",                  "/run",                                            false, true,  false},
  {"gitea",              "gitea/gitea:1.22",                                 "root",        true,  "",           "CHOWN DAC_OVERRIDE FOWNER SETGID SETUID SYS_CHROOT", "",             "",                                                false, true,  false},
  {"gitea-rootless",     "gitea/gitea:1.22-rootless",                        "1000:1000",   false, "1000:1000",  "",                                              "",                  "",                                                false, false, false},
  {"adminer",            "adminer:4",                                        "adminer",     false, "adminer",    "",                                              "",                  "",                                                false, false, false},
  {"portainer",          "portainer/portainer-ce:2.21.0",                    "root",        false, "",           "",                                              "",                  "",                                                false, false, false},
  {"mailpit",            "axllent/mailpit:v1.20",                            "root",        false, "1000:1000",  "",                                              "",                  "",                                                false, false, false},
  {"mailhog",            "mailhog/mailhog:latest",                           "mailhog",     false, "mailhog",    "",                                              "",                  "",                                                false, false, false},
  {"node",               "node:20-alpine",                                   "root",        false, "node",       "",                                              "",                  "",                                                false, false, false},
  {"python",             "python:3.12-slim",                                 "root",        false, "",           "",                                              "",                  "",                                                false, false, false},
  {"golang",             "golang:1.23",                                      "root",        false, "",           "",                                              "",                  "",                                                false, false, false},
  {"distroless",         "gcr.io/distroless/static-debian12",                "root",        false, "65532:65532", "",                                             "",                  "",                                                false, false, false},
  {"distroless-nonroot", "gcr.io/distroless/static:nonroot",                 "65532:65532", false, "65532:65532", "",                                             "",                  "",                                                false, false, false},
  {"alpine",             "alpine:3.20",                                      "root",        false, "",           "",                                              "",                  "",                                                false, false, false},
  {"busybox",            "busybox:1.36",                                     "root",        false, "",           "",                                              "",                  "",                                                false, false, false},
  {"ubuntu",             "ubuntu:24.04",                                     "root",        false, "",           "",                                              "",                  "",                                                false, false, false},
};
// clang-format on

// The families of transforms/image_profiles.yaml when this table was
// written; every one has a row.
constexpr std::size_t kFamilies = 42;

std::string sorted_words(std::vector<std::string> words) {
  std::sort(words.begin(), words.end());
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string names(const std::vector<harden::CapabilityNeed>& needs) {
  std::vector<std::string> words;
  for (const auto& need : needs) words.push_back(need.name);
  return sorted_words(words);
}

std::string tmpfs_text(const std::vector<harden::TmpfsNeed>& needs) {
  std::vector<std::string> words;
  for (const auto& need : needs) words.push_back(need.options.empty() ? need.path : need.path + "{" + need.options + "}");
  return sorted_words(words);
}

std::vector<std::string> split(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool starts_as_root(const Facts& f) {
  std::string user = f.user;
  return user == "root" || user == "0" || user.starts_with("0:");
}

// The rewritten service `app` of a file with only `image:`, under the
// baseline rules, or the strict ones with unsafe fixes (which add `user:`).
YAML::Node harden_service(const std::string& image, bool strict = false) {
  std::string text = "services:\n  app:\n    image: " + image + "\n";
  harden::Options options;
  if (strict) {
    options.profile = harden::Profile::Strict;
    options.unsafe_fixes = true;
  }
  harden::FileResult result = harden::process_text("compose.yml", text, options);
  REQUIRE_MESSAGE(!result.error, image << ": " << (result.error ? result.error->message : ""));
  return YAML::Load(result.output)["services"]["app"];
}

std::string grants_of(const YAML::Node& list) {
  std::vector<std::string> words;
  if (list && list.IsSequence())
    for (const auto& item : list) {
      std::string text = item.as<std::string>();
      if (text.starts_with("CAP_")) text = text.substr(4);
      words.push_back(text);
    }
  return sorted_words(words);
}

std::vector<std::string> tmpfs_entries(const YAML::Node& list) {
  std::vector<std::string> entries;
  if (list && list.IsSequence())
    for (const auto& item : list) entries.push_back(item.as<std::string>());
  return entries;
}

}  // namespace

TEST_CASE("image profile facts: every family has a row, each row resolves to its family") {
  std::set<std::string> families;
  for (const Facts& f : kFacts) families.insert(f.family);
  CHECK(families.size() == kFamilies);
  CHECK(std::size(kFacts) == kFamilies);
  for (const Facts& f : kFacts) {
    CAPTURE(f.image);
    const harden::ImageProfile* profile = harden::ProfileCatalog::builtin().find(f.image);
    REQUIRE_MESSAGE(profile, "no profile for " << f.image);
    CHECK(profile->family == f.family);
  }
}

TEST_CASE("image profile facts: the grants of each family") {
  for (const Facts& f : kFacts) {
    CAPTURE(f.family);
    const harden::ImageProfile* profile = harden::ProfileCatalog::builtin().find(f.image);
    REQUIRE(profile);
    CHECK(profile->user == f.user);
    CHECK(profile->switches_user == f.switches_user);
    CHECK(profile->non_root_user == f.non_root_user);
    CHECK(names(profile->cap_add) == f.cap_add);
    CHECK(names(profile->file_caps) == f.file_caps);
    CHECK(tmpfs_text(profile->tmpfs) == f.tmpfs);
    CHECK(profile->tmp_exec == f.tmp_exec);
    CHECK(profile->breaks_with_read_only == f.breaks_read_only);
    CHECK(profile->breaks_with_no_new_privileges == f.breaks_no_new_privileges);
    // Every capability has its reason, every tmpfs path its reason.
    for (const auto& need : profile->cap_add) CHECK_MESSAGE(!need.reason.empty(), need.name);
    for (const auto& need : profile->tmpfs) CHECK_MESSAGE(!need.reason.empty(), need.path);
  }
}

TEST_CASE("image profile facts: the rules grant what each family needs, and no more") {
  for (const Facts& f : kFacts) {
    CAPTURE(f.family);
    YAML::Node service = harden_service(f.image);
    REQUIRE(service.IsMap());
    // cap_drop ALL, then the start-up needs of an image that starts as root
    // and the file capabilities of any image.
    REQUIRE(service["cap_drop"]);
    CHECK(grants_of(service["cap_drop"]) == "ALL");
    std::vector<std::string> expected = split(f.file_caps);
    if (starts_as_root(f))
      for (const std::string& cap : split(f.cap_add)) expected.push_back(cap);
    CHECK(grants_of(service["cap_add"]) == sorted_words(expected));
    // read_only with a tmpfs per writable path, or neither when read_only
    // breaks the image.
    if (f.breaks_read_only) {
      CHECK_FALSE(service["read_only"]);
      continue;
    }
    REQUIRE(service["read_only"]);
    CHECK(service["read_only"].as<std::string>() == "true");
    // `path:options`, and /tmp with exec where the family needs it.
    std::vector<std::string> wanted{f.tmp_exec ? "/tmp:exec" : "/tmp"};
    for (std::string entry : split(f.tmpfs)) {
      if (auto brace = entry.find('{'); brace != std::string::npos)
        entry = entry.substr(0, brace) + ":" + entry.substr(brace + 1, entry.size() - brace - 2);
      wanted.push_back(entry);
    }
    CHECK(sorted_words(tmpfs_entries(service["tmpfs"])) == sorted_words(wanted));
  }
}

TEST_CASE("image profile facts: the strict rules switch to the family's user where one is safe") {
  for (const Facts& f : kFacts) {
    CAPTURE(f.family);
    YAML::Node service = harden_service(f.image, true);
    REQUIRE(service.IsMap());
    // An image that starts as root gets its non-root user; one that starts
    // as another user, or has no safe user, gets no `user:`.
    std::string wanted = starts_as_root(f) ? f.non_root_user : "";
    CHECK((service["user"] ? service["user"].as<std::string>() : std::string()) == wanted);
  }
}

TEST_CASE("image profile facts: the images the e2e stacks start resolve to the families the README names") {
  // tests/e2e/stacks: look-alikes tagged `e2e`, so no tag-limited variant.
  const std::pair<const char*, const char*> started[] = {
      {"nginx:e2e", "nginx"}, {"redis:e2e", "redis"}, {"postgres:e2e", "postgres"}, {"caddy:e2e", "caddy"}};
  for (const auto& entry : started) {
    CAPTURE(entry.first);
    const harden::ImageProfile* profile = harden::ProfileCatalog::builtin().find(entry.first);
    REQUIRE(profile);
    CHECK(profile->family == entry.second);
  }
  CHECK(harden::ProfileCatalog::builtin().find("app:e2e") == nullptr);
}

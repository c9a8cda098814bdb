#include "harden/image_profile.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

using harden::ImageProfile;
using harden::ImageRef;
using harden::parse_image_ref;
using harden::ProfileCatalog;

namespace {

// Docker's accepted capability names (research file §3, containerd pkg/cap Known()).
constexpr std::array<std::string_view, 41> kDockerCapabilities = {
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
    "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
    "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
    "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
    "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
    "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE"};

bool is_docker_capability(std::string_view name) {
  return std::find(kDockerCapabilities.begin(), kDockerCapabilities.end(), name) != kDockerCapabilities.end();
}

// The family of the best builtin profile, or "" when the image is unknown.
std::string family_of(std::string_view image) {
  const ImageProfile* profile = ProfileCatalog::builtin().find(image);
  return profile ? profile->family : std::string();
}

bool starts_as_root(const ImageProfile& profile) {
  return profile.user == "root" || profile.user == "0" || profile.user.starts_with("0:");
}

bool has_capability(const std::vector<harden::CapabilityNeed>& needs, std::string_view name) {
  return std::any_of(needs.begin(), needs.end(), [&](const auto& need) { return need.name == name; });
}

// True when `path` is `folder` or lies below it.
bool is_within(std::string_view path, std::string_view folder) {
  if (folder == "/") return true;
  return path == folder || (path.starts_with(folder) && path.size() > folder.size() && path[folder.size()] == '/');
}

std::string error_of(std::string_view yaml_text) {
  try {
    ProfileCatalog::parse(yaml_text);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

// ------------------------------------------------------------ image references

TEST_CASE("image reference: Docker Hub official images are normalised to library/") {
  for (const char* image : {"nginx", "library/nginx", "docker.io/nginx", "docker.io/library/nginx",
                            "index.docker.io/library/nginx"}) {
    CAPTURE(image);
    const ImageRef ref = parse_image_ref(image);
    CHECK(ref.repository == "library/nginx");
    CHECK(ref.name == "nginx");
    CHECK(ref.tag.empty());
    CHECK_FALSE(ref.has_variables);
  }
  CHECK(parse_image_ref("nginx").registry.empty());
  CHECK(parse_image_ref("docker.io/nginx").registry == "docker.io");
}

TEST_CASE("image reference: registry, namespace, tag and digest") {
  ImageRef ref = parse_image_ref("ghcr.io/owner/app:v1.2@sha256:0123abcd");
  CHECK(ref.registry == "ghcr.io");
  CHECK(ref.repository == "owner/app");
  CHECK(ref.name == "app");
  CHECK(ref.tag == "v1.2");

  ref = parse_image_ref("nginx@sha256:0123abcd");
  CHECK(ref.repository == "library/nginx");
  CHECK(ref.tag.empty());

  ref = parse_image_ref("bitnami/redis:7.2");
  CHECK(ref.registry.empty());
  CHECK(ref.repository == "bitnami/redis");
  CHECK(ref.tag == "7.2");

  ref = parse_image_ref("mirror.gcr.io/library/nginx:1.27-alpine");
  CHECK(ref.registry == "mirror.gcr.io");
  CHECK(ref.repository == "library/nginx");
  CHECK(ref.tag == "1.27-alpine");

  ref = parse_image_ref("quay.io/keycloak/keycloak:26.0");
  CHECK(ref.registry == "quay.io");
  CHECK(ref.repository == "keycloak/keycloak");
  CHECK(ref.name == "keycloak");
}

TEST_CASE("image reference: a port or localhost marks a registry, the tag is in the last part") {
  ImageRef ref = parse_image_ref("localhost:5000/myapp:dev");
  CHECK(ref.registry == "localhost:5000");
  CHECK(ref.repository == "myapp");  // not Docker Hub: no library/
  CHECK(ref.tag == "dev");

  ref = parse_image_ref("localhost/team/app");
  CHECK(ref.registry == "localhost");
  CHECK(ref.repository == "team/app");

  ref = parse_image_ref("registry.example.com:5000/team/app:1.0");
  CHECK(ref.registry == "registry.example.com:5000");
  CHECK(ref.repository == "team/app");
  CHECK(ref.tag == "1.0");

  ref = parse_image_ref("  redis:7  ");
  CHECK(ref.repository == "library/redis");
  CHECK(ref.tag == "7");
}

TEST_CASE("image reference: Compose variables are flagged and their defaults used") {
  ImageRef ref = parse_image_ref("${REGISTRY:-docker.io}/nginx:${TAG:-1.25}");
  CHECK(ref.has_variables);
  CHECK(ref.registry == "docker.io");
  CHECK(ref.repository == "library/nginx");
  CHECK(ref.tag == "1.25");

  ref = parse_image_ref("${REGISTRY}/nginx");
  CHECK(ref.has_variables);
  CHECK(ref.name == "nginx");

  ref = parse_image_ref("postgres:${PG_VERSION}");
  CHECK(ref.has_variables);
  CHECK(ref.repository == "library/postgres");
  CHECK(ref.tag.empty());

  ref = parse_image_ref("$REGISTRY/team/app:${TAG-${FALLBACK:-2}}");
  CHECK(ref.has_variables);
  CHECK(ref.repository == "team/app");
  CHECK(ref.tag == "2");

  CHECK_FALSE(parse_image_ref("team/app:$$literal").has_variables);
}

// ------------------------------------------------------------------- matching

TEST_CASE("image profile: official images match on any registry spelling") {
  for (const char* image : {"nginx", "library/nginx", "docker.io/library/nginx", "nginx:1.27",
                            "mirror.gcr.io/library/nginx:1.27-alpine", "nginx@sha256:0123abcd",
                            "registry.example.com/hub-proxy/library/nginx:stable",
                            "${REGISTRY:-docker.io}/nginx:${TAG:-1.25}"}) {
    CAPTURE(image);
    CHECK(family_of(image) == "nginx");
  }
  CHECK(family_of("nginxinc/nginx-unprivileged:1.27-alpine") == "nginx-unprivileged");
  CHECK(family_of("quay.io/keycloak/keycloak:26.0") == "keycloak");
  CHECK(family_of("docker.elastic.co/elasticsearch/elasticsearch:8.15.0") == "elasticsearch");
  CHECK(family_of("prom/prometheus") == "prometheus");
}

TEST_CASE("image profile: variants are told apart by tag") {
  CHECK(family_of("redis") == "redis");
  CHECK(family_of("redis:8.0") == "redis");
  CHECK(family_of("redis:latest") == "redis");
  CHECK(family_of("redis:7.2-alpine") == "redis-7");
  CHECK(family_of("postgres") == "postgres");
  CHECK(family_of("postgres:18-alpine") == "postgres");
  CHECK(family_of("postgres:16") == "postgres-17");
  CHECK(family_of("postgres:17-alpine") == "postgres-17");
  CHECK(family_of("php:8.3-fpm-alpine") == "php-fpm");
  CHECK(family_of("php:8.3-apache") == "php-apache");
  CHECK(family_of("wordpress:6-php8.3-fpm") == "wordpress-fpm");
  CHECK(family_of("wordpress:6") == "wordpress");
  CHECK(family_of("gitea/gitea:1.22-rootless") == "gitea-rootless");
  CHECK(family_of("gitea/gitea:1.22") == "gitea");
  CHECK(family_of("gcr.io/distroless/static-debian12:nonroot") == "distroless-nonroot");
  CHECK(family_of("gcr.io/distroless/static-debian12") == "distroless");
  CHECK(family_of("elasticsearch:7.17.0") == "elasticsearch-7");
  CHECK(family_of("rabbitmq:3-management-alpine") == "rabbitmq-alpine");
  CHECK(family_of("rabbitmq:3-management") == "rabbitmq");
  CHECK(family_of("haproxy:2.2") == "haproxy-legacy");
  CHECK(family_of("haproxy:2.8") == "haproxy");
}

TEST_CASE("image profile: a tag-limited profile needs a known tag") {
  // With an unknown tag only the untagged profile applies.
  CHECK(family_of("redis:${REDIS_TAG}") == "redis");
  CHECK(family_of("redis@sha256:0123abcd") == "redis");
  CHECK(family_of("redis:${REDIS_TAG:-7.2}") == "redis-7");
  // php has only tag-limited profiles.
  CHECK(family_of("php:8.3-cli").empty());
}

TEST_CASE("image profile: unknown images find nothing") {
  CHECK(family_of("myorg/myapp:1.0").empty());
  CHECK(family_of("gcr.io/other/base").empty());  // distroless names are not distinctive
  CHECK(family_of("someone/static").empty());
  CHECK(family_of("").empty());
  CHECK(family_of("${IMAGE}").empty());
}

TEST_CASE("image profile: a derived image matches an official profile by name") {
  CHECK(family_of("myorg/postgres:16") == "postgres-17");
  CHECK(family_of("localhost:5000/nginx") == "nginx");
}

TEST_CASE("image profile: exact repository beats name-only, tags beat no tags") {
  ProfileCatalog catalog = ProfileCatalog::builtin();
  catalog.merge(ProfileCatalog::parse(R"(
profiles:
  - family: myorg-nginx
    images: [myorg/nginx]
  - family: nginx-alpine-custom
    images: [nginx]
    tags: ["*-alpine"]
)"));
  REQUIRE(catalog.find("myorg/nginx:1.27") != nullptr);
  CHECK(catalog.find("myorg/nginx:1.27")->family == "myorg-nginx");
  CHECK(catalog.find("nginx:1.27-alpine")->family == "nginx-alpine-custom");
  CHECK(catalog.find("nginx:1.27")->family == "nginx");
}

// ------------------------------------------------------------- builtin profiles

TEST_CASE("image profile: builtin catalog covers at least 30 families") {
  const auto& profiles = ProfileCatalog::builtin().profiles();
  std::set<std::string> families;
  for (const ImageProfile& profile : profiles) families.insert(profile.family);
  CHECK(families.size() == profiles.size());
  CHECK(families.size() >= 30);
}

TEST_CASE("image profile: every builtin profile is complete and cites a source") {
  for (const ImageProfile& profile : ProfileCatalog::builtin().profiles()) {
    CAPTURE(profile.family);
    CHECK_FALSE(profile.images.empty());
    CHECK_FALSE(profile.user.empty());
    CHECK_FALSE(profile.source.empty());
    for (const auto& need : profile.cap_add) CHECK_FALSE(need.reason.empty());
    for (const auto& need : profile.file_caps) CHECK_FALSE(need.reason.empty());
    for (const auto& need : profile.tmpfs) CHECK_FALSE(need.reason.empty());
  }
}

TEST_CASE("image profile: capabilities are Docker names without CAP_ prefix") {
  for (const ImageProfile& profile : ProfileCatalog::builtin().profiles()) {
    CAPTURE(profile.family);
    for (const auto* needs : {&profile.cap_add, &profile.file_caps}) {
      for (const auto& need : *needs) {
        CAPTURE(need.name);
        CHECK(is_docker_capability(need.name));
        CHECK_FALSE(need.name.starts_with("CAP_"));
      }
    }
  }
}

TEST_CASE("image profile: capabilities follow the engine facts") {
  for (const ImageProfile& profile : ProfileCatalog::builtin().profiles()) {
    CAPTURE(profile.family);
    // Low ports need no capability on a bridge network; only file capabilities do.
    CHECK_FALSE(has_capability(profile.cap_add, "NET_BIND_SERVICE"));
    // cap_add does not reach a process that starts non-root.
    if (!starts_as_root(profile)) CHECK(profile.cap_add.empty());
    // An in-container user switch needs both.
    if (profile.switches_user) {
      CHECK(starts_as_root(profile));
      CHECK(has_capability(profile.cap_add, "SETUID"));
      CHECK(has_capability(profile.cap_add, "SETGID"));
    }
  }
  const ImageProfile* caddy = ProfileCatalog::builtin().find("caddy:2");
  REQUIRE(caddy != nullptr);
  CHECK(has_capability(caddy->file_caps, "NET_BIND_SERVICE"));
  CHECK(ProfileCatalog::builtin().find("elasticsearch:8.15.0")->tmp_exec);
}

TEST_CASE("image profile: tmpfs paths are absolute and never on the image's volumes") {
  for (const ImageProfile& profile : ProfileCatalog::builtin().profiles()) {
    CAPTURE(profile.family);
    for (const auto& need : profile.tmpfs) {
      CAPTURE(need.path);
      CHECK(need.path.starts_with('/'));
      CHECK(need.path != "/tmp");  // the rule always adds /tmp itself
      for (const std::string& volume : profile.volumes) CHECK_FALSE(is_within(need.path, volume));
      for (const std::string& data : profile.data_dirs) CHECK(need.path != data);
    }
    for (const std::string& volume : profile.volumes) CHECK(volume.starts_with('/'));
  }
}

TEST_CASE("image profile: the compiled-in catalogue is the data file, field for field") {
  std::ifstream file(std::string(HARDEN_SOURCE_DIR) + "/transforms/image_profiles.yaml");
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  const ProfileCatalog from_file = ProfileCatalog::parse(text.str());
  const auto& parsed = from_file.profiles();
  const auto& builtin = ProfileCatalog::builtin().profiles();
  REQUIRE(parsed.size() == builtin.size());
  CHECK(builtin.size() > 40);
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    CAPTURE(parsed[i].family);
    CHECK(parsed[i] == builtin[i]);
  }
}

// -------------------------------------------------------------- user profiles

TEST_CASE("image profile: a user-supplied profile overrides a builtin") {
  ProfileCatalog catalog = ProfileCatalog::builtin();
  const std::size_t builtin_count = catalog.profiles().size();
  catalog.merge(ProfileCatalog::parse(R"(
- family: nginx
  images: [nginx]
  user: "101"
  tmpfs: ["/var/cache/nginx:uid=101,gid=101"]
)"));
  CHECK(catalog.profiles().size() == builtin_count);
  const ImageProfile* nginx = catalog.find("nginx:1.27");
  REQUIRE(nginx != nullptr);
  CHECK(nginx->user == "101");
  CHECK(nginx->cap_add.empty());
  REQUIRE(nginx->tmpfs.size() == 1);
  CHECK(nginx->tmpfs[0].path == "/var/cache/nginx");
  CHECK(nginx->tmpfs[0].options == "uid=101,gid=101");
  // The builtin catalog itself is unchanged.
  CHECK(ProfileCatalog::builtin().find("nginx")->user == "root");
}

TEST_CASE("image profile: parsing accepts short forms and normalises capabilities") {
  const ProfileCatalog catalog = ProfileCatalog::parse(R"(
profiles:
  - family: app
    images: myorg/app
    cap_add: [cap_sys_nice, {name: CAP_SETUID, reason: "switches user"}]
    tmpfs:
      - /run:mode=1777
      - {path: /var/cache/app, options: "uid=1000", reason: "cache"}
    tmp_exec: yes
)");
  REQUIRE(catalog.profiles().size() == 1);
  const ImageProfile& app = catalog.profiles()[0];
  CHECK(app.images == std::vector<std::string>{"myorg/app"});
  REQUIRE(app.cap_add.size() == 2);
  CHECK(app.cap_add[0].name == "SYS_NICE");
  CHECK(app.cap_add[1].name == "SETUID");
  CHECK(app.cap_add[1].reason == "switches user");
  REQUIRE(app.tmpfs.size() == 2);
  CHECK(app.tmpfs[0].path == "/run");
  CHECK(app.tmpfs[0].options == "mode=1777");
  CHECK(app.tmpfs[1].reason == "cache");
  CHECK(app.tmp_exec);

  CHECK(ProfileCatalog::parse("").profiles().empty());
  CHECK(ProfileCatalog::parse("profiles:").profiles().empty());
}

TEST_CASE("image profile: bad profiles fail with line:column") {
  CHECK(error_of("profiles:\n  - family: x\n    images: [x]\n    cap_add: [NOPE]\n") ==
        "4:15: unknown capability 'NOPE'");
  CHECK(error_of("profiles:\n  - family: x\n    images: [x]\n    colour: red\n") ==
        "4:5: unknown key 'colour' in an image profile");
  CHECK(error_of("profiles:\n  - family: x\n") == "2:5: profile 'x' lists no 'images'");
  CHECK(error_of("profiles:\n  - images: [x]\n") == "2:5: an image profile needs a 'family'");
  CHECK(error_of("- family: x\n  images: [x]\n  tmpfs: [run]\n") == "3:11: a tmpfs path must be absolute");
  CHECK(error_of("- family: x\n  images: [x]\n  tmp_exec: maybe\n") == "3:13: 'tmp_exec' must be true or false");
  CHECK(error_of("- {family: x, images: [x]}\n- {family: x, images: [y]}\n") == "2:3: duplicate family 'x'");
  CHECK(error_of("other: 1\n") == "1:1: unknown key 'other' in the image profiles document");
  CHECK(error_of("profiles: 3\n") == "1:11: expected a list of image profiles");

  // Malformed YAML: yaml-cpp's message with a 1-based position.
  const std::string syntax = error_of("profiles:\n  - family: [x\n");
  CAPTURE(syntax);
  CHECK(syntax.find(':') != std::string::npos);
  CHECK(std::isdigit(static_cast<unsigned char>(syntax.front())));
  CHECK(syntax != "no error");
}

TEST_CASE("image profile: find scores only the profiles that list the name, with the same answers") {
  // Expected families as scoring every profile in turn gave them (before
  // the catalogue indexed its profiles by listed name): listings with
  // variables, tag limits, ties won by the later profile, merged profiles.
  ProfileCatalog catalog = ProfileCatalog::builtin();
  catalog.merge(ProfileCatalog::parse(R"(profiles:
  - family: var-app
    images: ["${REGISTRY:-docker.io}/team/app"]
  - family: plain-app
    images: ["team/app"]
  - family: ghcr-app
    images: ["ghcr.io/team/app"]
  - family: var-tagged
    images: ["$REG/team/app", "other"]
    tags: ["2*"]
  - family: redis-custom
    images: ["redis"]
    tags: ["7*"]
)"));
  const std::vector<std::pair<std::string, std::string>> expected{
      {"team/app", "ghcr-app"},         {"team/app:1", "ghcr-app"},       {"team/app:2.1", "var-tagged"},
      {"ghcr.io/team/app", "ghcr-app"}, {"docker.io/team/app:2", "var-tagged"},
      {"${REGISTRY}/team/app", "ghcr-app"}, {"${X}/team/app:2", "var-tagged"},
      {"redis", "redis"},               {"redis:7.2", "redis-custom"},    {"redis:6", "redis-7"},
      {"nginx:1.25", "nginx"},          {"other:2", "var-tagged"},        {"other", ""},
      {"quay.io/x/app", ""},            {"${IMAGE}", ""},                 {"app", ""}};
  for (const auto& [image, family] : expected) {
    CAPTURE(image);
    const ImageProfile* found = catalog.find(image);
    CHECK((found ? found->family : std::string()) == family);
  }
}

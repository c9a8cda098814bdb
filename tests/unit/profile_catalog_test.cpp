// The builtin image knowledge base against facts written here, apart from
// transforms/image_profiles.yaml: which family an image reference finds and
// what that family grants (capabilities, required or conditional, file
// capabilities, tmpfs, an executable /tmp). A wrong fact in the YAML, or a
// family without a row here, fails. Then the conditions of conditional
// grants, evaluated by inference against a service's mounts and environment.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "harden/compose.h"
#include "harden/image_profile.h"
#include "harden/inference.h"
#include "harden/loader.h"

using namespace harden;

namespace {

// One row: an image reference as a Compose file writes it, the family it
// must find ("" = none), and the grants of that family as words:
//   caps   "SETUID CHOWN?" (a trailing ? marks a conditional grant)
//   files  file capabilities
//   tmpfs  "/run:exec /consul/config?" (path[:options], ? = conditional)
struct Expected {
  Expected(std::string_view image_, std::string_view family_, std::string_view caps_, std::string_view files_,
           std::string_view tmpfs_, bool tmp_exec_ = false)
      : image(image_), family(family_), caps(caps_), files(files_), tmpfs(tmpfs_), tmp_exec(tmp_exec_) {}
  std::string_view image;
  std::string_view family;
  std::string_view caps;
  std::string_view files;
  std::string_view tmpfs;
  bool tmp_exec;
};

constexpr std::string_view kPostgresCaps = "CHOWN DAC_OVERRIDE FOWNER SETGID SETUID";

// clang-format off
const std::vector<Expected> kCatalogue = {
    // web servers and proxies
    {"nginx:1.27", "nginx", "CHOWN SETGID SETUID", "", "/var/cache/nginx /var/run"},
    {"nginxinc/nginx-unprivileged:1.27-alpine", "nginx-unprivileged", "", "", ""},
    {"httpd:2.4", "httpd", "SETGID SETUID", "", "/usr/local/apache2/logs"},
    {"caddy:2", "caddy", "", "NET_BIND_SERVICE", ""},
    {"traefik:v3.1", "traefik", "", "", ""},
    {"haproxy:2.9", "haproxy", "", "", ""},
    {"haproxy:2.2", "haproxy-legacy", "", "", ""},
    {"jc21/nginx-proxy-manager:latest", "nginx-proxy-manager", "SETGID SETUID CHOWN? DAC_OVERRIDE? KILL?", "", "/run:exec"},
    {"envoyproxy/envoy:v1.31-latest", "envoy", "CHOWN SETGID SETUID", "", ""},
    {"envoyproxy/envoy:distroless-v1.31-latest", "envoy-distroless", "", "", ""},
    {"kong:3.7", "kong", "", "", ""},
    {"traefik/whoami", "whoami", "", "", ""},
    {"kennethreitz/httpbin", "httpbin", "", "", ""},
    {"quay.io/oauth2-proxy/oauth2-proxy:v7.6.0", "oauth2-proxy", "", "", ""},
    {"authelia/authelia:4", "authelia", "SETGID SETUID? CHOWN?", "", ""},
    {"ghcr.io/goauthentik/server:2024.6", "authentik", "", "", ""},
    // databases, queues, key-value stores
    {"postgres:18", "postgres", kPostgresCaps, "", "/var/run/postgresql"},
    {"postgres:16-alpine", "postgres-17", kPostgresCaps, "", "/var/run/postgresql"},
    {"postgis/postgis:18-3.6", "postgis", kPostgresCaps, "", "/var/run/postgresql"},
    {"postgis/postgis:16-3.4", "postgis-17", kPostgresCaps, "", "/var/run/postgresql"},
    {"timescale/timescaledb:latest-pg16", "timescaledb", kPostgresCaps, "", "/var/run/postgresql"},
    {"timescale/timescaledb:2.17.2-pg18", "timescaledb-pg18", kPostgresCaps, "", "/var/run/postgresql"},
    {"pgvector/pgvector:pg16", "pgvector", kPostgresCaps, "", "/var/run/postgresql"},
    {"pgvector/pgvector:0.8.0-pg18", "pgvector-pg18", kPostgresCaps, "", "/var/run/postgresql"},
    {"ghcr.io/immich-app/postgres:14-vectorchord0.4.3-pgvectors0.2.0@sha256:0123abcd", "immich-postgres",
     kPostgresCaps, "", "/var/run/postgresql /etc/postgresql:mode=1777"},
    {"mysql:8.4", "mysql", "CHOWN DAC_OVERRIDE SETGID SETUID", "", "/var/run/mysqld:mode=1777"},
    {"mariadb:11", "mariadb", "CHOWN DAC_OVERRIDE SETGID SETUID", "", "/run/mysqld:mode=1777"},
    {"mongo:8", "mongo", "CHOWN DAC_OVERRIDE SETGID SETUID", "", ""},
    {"redis:8.0", "redis", "CHOWN SETGID SETUID", "", ""},
    {"redis:7.2-alpine", "redis-7", "CHOWN SETGID SETUID", "", ""},
    {"valkey/valkey:8-alpine", "valkey", "DAC_READ_SEARCH SETGID SETUID CHOWN?", "", ""},
    {"memcached:1.6", "memcached", "", "", ""},
    {"rabbitmq:3-management", "rabbitmq", "CHOWN SETGID SETUID", "", ""},
    {"rabbitmq:3-management-alpine", "rabbitmq-alpine", "CHOWN SETGID SETUID", "", ""},
    {"elasticsearch:8.15.0", "elasticsearch", "", "", "/usr/share/elasticsearch/logs:uid=1000,gid=0", true},
    {"elasticsearch:7.17.0", "elasticsearch-7", "SETGID SETUID SYS_CHROOT", "",
     "/usr/share/elasticsearch/logs:uid=1000,gid=0", true},
    {"clickhouse/clickhouse-server:24.8", "clickhouse", "CHOWN SETGID SETUID", "",
     "/var/log/clickhouse-server /etc/clickhouse-server/users.d:mode=1777"},
    {"clickhouse/clickhouse-server:25.3-distroless", "clickhouse-distroless", "", "", ""},
    {"confluentinc/cp-kafka:7.6.0", "cp-kafka", "", "", "/etc/kafka:mode=1777 /usr/logs:mode=1777", true},
    {"confluentinc/cp-zookeeper:7.6.0", "cp-zookeeper", "", "", "/etc/kafka:mode=1777 /usr/logs:mode=1777"},
    {"apache/kafka:3.9.0", "apache-kafka", "", "", "/opt/kafka/config:mode=1777 /opt/kafka/logs:mode=1777", true},
    {"zookeeper:3.9", "zookeeper", "CHOWN SETGID SETUID", "", ""},
    {"cassandra:5", "cassandra", "SETGID SETUID CHOWN?", "", "", true},
    {"couchdb:3", "couchdb", "CHOWN SETGID SETUID FOWNER? DAC_OVERRIDE?", "", "/opt/couchdb/etc/local.d:mode=1777"},
    {"influxdb:2.7", "influxdb", "DAC_READ_SEARCH SETGID SETUID CHOWN? DAC_OVERRIDE?", "", ""},
    {"influxdb:1.8", "influxdb-1", "", "", ""},
    {"influxdb:3-core", "influxdb-3", "", "", ""},
    {"eclipse-mosquitto:2", "eclipse-mosquitto", "SETGID SETUID CHOWN?", "", ""},
    {"nats:2.10", "nats", "", "", ""},
    {"hashicorp/consul:1.19", "consul", "SETGID SETUID CHOWN?", "", "/consul/config?"},
    {"hashicorp/vault:1.17", "vault", "SETGID SETUID CHOWN? SETFCAP? IPC_LOCK?", "", "/vault/config?"},
    {"quay.io/coreos/etcd:v3.5.9", "etcd", "", "", ""},
    {"seaweedfs/seaweedfs:3.80", "seaweedfs", "SETGID SETUID CHOWN?", "", ""},
    {"minio/minio", "minio", "", "", "/root/.minio"},
    {"registry:2", "registry", "", "", ""},
    // Bitnami: uid 1001, a family rule and per-application tmpfs
    {"bitnami/mongodb:7.0", "bitnami", "", "", ""},
    {"bitnamilegacy/redis-cluster:7.2", "bitnami", "", "", ""},
    {"bitnami/minideb:bookworm", "bitnami-minideb", "", "", ""},
    {"bitnami/redis:7.2", "bitnami-redis", "", "", "/opt/bitnami/redis/etc:mode=1777 /opt/bitnami/redis/tmp:mode=1777"},
    {"docker.io/bitnami/postgresql:16", "bitnami-postgresql", "", "",
     "/opt/bitnami/postgresql/conf:mode=1777 /opt/bitnami/postgresql/tmp:mode=1777"},
    {"bitnami/kafka:3.7", "bitnami-kafka", "", "", "/opt/bitnami/kafka/config:mode=1777 /opt/bitnami/kafka/logs:mode=1777",
     true},
    {"bitnamilegacy/etcd:3.5", "bitnami-etcd", "", "", "/opt/bitnami/etcd/conf:mode=1777 /opt/bitnami/etcd/tmp:mode=1777"},
    // apps
    {"grafana/grafana:11.1.0", "grafana", "", "", ""},
    {"prom/prometheus", "prometheus", "", "", ""},
    {"quay.io/keycloak/keycloak:26.0", "keycloak", "", "", "/opt/keycloak/data:uid=1000,gid=0", true},
    {"wordpress:6", "wordpress", "CHOWN DAC_OVERRIDE FOWNER SETGID SETUID", "", "/run"},
    {"wordpress:6-php8.3-fpm", "wordpress-fpm", "CHOWN DAC_OVERRIDE FOWNER SETGID SETUID", "", ""},
    {"php:8.3-apache", "php-apache", "SETGID SETUID", "", "/run:mode=1777"},
    {"php:8.3-fpm-alpine", "php-fpm", "SETGID SETUID", "", ""},
    {"nextcloud:29", "nextcloud", "CHOWN DAC_OVERRIDE FOWNER SETGID SETUID", "", "/run"},
    {"gitea/gitea:1.22", "gitea", "CHOWN DAC_OVERRIDE FOWNER SETGID SETUID SYS_CHROOT", "", ""},
    {"gitea/gitea:1.22-rootless", "gitea-rootless", "", "", ""},
    {"codeberg.org/forgejo/forgejo:9", "forgejo", "CHOWN DAC_OVERRIDE FOWNER KILL SETGID SETUID SYS_CHROOT", "", ""},
    {"codeberg.org/forgejo/forgejo:9-rootless", "forgejo-rootless", "", "", ""},
    {"adminer", "adminer", "", "", ""},
    {"portainer/portainer-ce:2.21.0", "portainer", "", "", ""},
    {"axllent/mailpit", "mailpit", "", "", ""},
    {"mailhog/mailhog", "mailhog", "", "", ""},
    {"mongo-express:1", "mongo-express", "", "", ""},
    {"dpage/pgadmin4:9.16", "pgadmin4", "", "", ""},
    {"dpage/pgadmin4", "pgadmin4", "", "", ""},
    {"dpage/pgadmin4:8.12", "pgadmin4-9.15", "", "NET_BIND_SERVICE", ""},
    {"dpage/pgadmin4:9.1", "pgadmin4-9.15", "", "NET_BIND_SERVICE", ""},
    {"dpage/pgadmin4:9.15.1", "pgadmin4-9.15", "", "NET_BIND_SERVICE", ""},
    {"jellyfin/jellyfin:10.9", "jellyfin", "", "", ""},
    {"plexinc/pms-docker", "plex", "KILL SETGID SETUID CHOWN?", "", "/run:exec"},
    {"ghcr.io/home-assistant/home-assistant:stable", "home-assistant", "", "", "/run:exec"},
    {"pihole/pihole:2024.07.0", "pihole", "CHOWN DAC_OVERRIDE FOWNER KILL SETFCAP SETGID SETUID NET_ADMIN? SYS_TIME?", "", ""},
    {"adguard/adguardhome", "adguardhome", "", "NET_BIND_SERVICE", ""},
    {"vaultwarden/server:1.32.0", "vaultwarden", "", "", ""},
    {"syncthing/syncthing:1.27", "syncthing", "SETGID SETUID CHOWN? SETFCAP?", "", ""},
    {"louislam/uptime-kuma:1", "uptime-kuma", "", "", ""},
    {"louislam/uptime-kuma:2.0.0-beta.0-rootless", "uptime-kuma-rootless", "", "", ""},
    {"ghcr.io/paperless-ngx/paperless-ngx:2.11", "paperless-ngx", "KILL SETGID SETUID CHOWN?", "",
     "/run:exec /var/cache/fontconfig:mode=1777"},
    {"ghcr.io/immich-app/immich-server:release", "immich-server", "", "", ""},
    {"docker.n8n.io/n8nio/n8n:1.50.0", "n8n", "", "", ""},
    {"mattermost/mattermost-team-edition:9", "mattermost", "", "", ""},
    {"matrixdotorg/synapse:latest", "synapse", "SETGID SETUID", "", ""},
    {"wekanteam/wekan", "wekan", "", "", ""},
    {"ghcr.io/docker-mailserver/docker-mailserver:14", "docker-mailserver",
     "CHOWN DAC_OVERRIDE FOWNER KILL MAC_OVERRIDE MKNOD SETGID SETUID SYS_CHROOT NET_ADMIN? NET_RAW?", "", ""},
    {"ghcr.io/gethomepage/homepage:v0.9", "homepage", "SETGID? SETUID? CHOWN?", "", "/app/.next/cache:mode=1777"},
    {"filebrowser/filebrowser:v2", "filebrowser", "", "", ""},
    {"filebrowser/filebrowser:v2-s6", "filebrowser-s6", "CHOWN KILL SETGID SETUID", "NET_BIND_SERVICE", "/run:exec"},
    {"ghost:5-alpine", "ghost", "SETGID SETUID CHOWN?", "", ""},
    // linuxserver.io: one family rule, wireguard apart
    {"lscr.io/linuxserver/sonarr:latest", "linuxserver", "CHOWN DAC_OVERRIDE FOWNER KILL SETGID SETUID", "", "/run:exec"},
    {"linuxserver/jellyfin:10.9.7", "linuxserver", "CHOWN DAC_OVERRIDE FOWNER KILL SETGID SETUID", "", "/run:exec"},
    {"ghcr.io/linuxserver/nginx", "linuxserver", "CHOWN DAC_OVERRIDE FOWNER KILL SETGID SETUID", "", "/run:exec"},
    {"lscr.io/linuxserver/wireguard:latest", "linuxserver-wireguard", "CHOWN DAC_OVERRIDE NET_ADMIN SYS_MODULE?", "",
     "/run:exec"},
    // Docker-in-Docker
    {"docker:27-dind", "docker-dind", "", "", ""},
    {"docker:dind", "docker-dind", "", "", ""},
    {"docker:27-dind-rootless", "docker-dind-rootless", "", "", ""},
    {"docker:27-cli", "", "", "", ""},
    // observability and agents
    {"prom/node-exporter:v1.8.1", "node-exporter", "", "", ""},
    {"gcr.io/cadvisor/cadvisor:v0.49.1", "cadvisor", "DAC_READ_SEARCH?", "", ""},
    {"grafana/loki:3.1.0", "loki", "", "", ""},
    {"grafana/promtail:3.0.0", "promtail", "DAC_READ_SEARCH?", "", ""},
    {"grafana/alloy:latest", "alloy", "DAC_OVERRIDE", "", ""},
    {"netdata/netdata:stable", "netdata", "CHOWN DAC_READ_SEARCH SETGID SETUID SYS_ADMIN SYS_PTRACE", "", "/run"},
    {"jaegertracing/all-in-one:1.57", "jaeger", "", "", ""},
    {"otel/opentelemetry-collector-contrib:0.100.0", "otel-collector", "", "", ""},
    {"docker.elastic.co/kibana/kibana:8.15.0", "kibana", "", "", "/usr/share/kibana/data:uid=1000,gid=0"},
    {"logstash:8.15.0", "logstash", "", "", "/usr/share/logstash/data:uid=1000,gid=0", true},
    {"fluent/fluent-bit:3.0", "fluent-bit", "", "", ""},
    // CI and JVM apps
    {"jenkins/jenkins:lts", "jenkins", "", "", "", true},
    {"sonatype/nexus3:3.70.1", "nexus3", "", "", "", true},
    {"temporalio/auto-setup:1.24", "temporal", "", "", ""},
    {"apache/airflow:2.9.2", "airflow", "", "", ""},
    {"gitlab/gitlab-ce:17.0.0-ce.0", "gitlab",
     "AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER FSETID KILL MKNOD NET_RAW SETFCAP SETGID SETPCAP SETUID SYS_CHROOT", "", ""},
    // language and base images
    {"node:22", "node", "", "", ""},
    {"python:3.12-slim", "python", "", "", ""},
    {"golang:1.22", "golang", "", "", ""},
    {"gcr.io/distroless/static-debian12", "distroless", "", "", ""},
    {"gcr.io/distroless/static-debian12:nonroot", "distroless-nonroot", "", "", ""},
    {"alpine:3.20", "alpine", "", "", ""},
    {"busybox", "busybox", "", "", ""},
    {"ubuntu:24.04", "ubuntu", "", "", ""},
};
// clang-format on

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) out.push_back(word);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> list) {
  std::sort(list.begin(), list.end());
  return list;
}

std::vector<std::string> grant_words(const std::vector<CapabilityNeed>& needs) {
  std::vector<std::string> out;
  for (const CapabilityNeed& need : needs) out.push_back(need.name + (need.when.empty() ? "" : "?"));
  return sorted(out);
}

std::vector<std::string> tmpfs_words(const std::vector<TmpfsNeed>& needs) {
  std::vector<std::string> out;
  for (const TmpfsNeed& need : needs)
    out.push_back(need.path + (need.options.empty() ? "" : ":" + need.options) + (need.when.empty() ? "" : "?"));
  return sorted(out);
}

// A document and its Compose view, kept alive together.
struct Loaded {
  std::unique_ptr<Document> doc;
  ComposeFile compose;
};

Loaded load(const std::string& text) {
  Loaded loaded;
  LoadResult result = load_document("compose.yaml", text);
  REQUIRE(result.ok());
  loaded.doc = std::move(result.document);
  auto compose = read_compose(*loaded.doc);
  REQUIRE(std::holds_alternative<ComposeFile>(compose));
  loaded.compose = std::get<ComposeFile>(compose);
  return loaded;
}

// The facts of the only service of a compose file.
ServiceFacts facts_of(const std::string& text) {
  Loaded loaded = load(text);
  REQUIRE(loaded.compose.services.size() == 1);
  return infer(loaded.compose.services.front(), Options{}, "");
}

const InferredCapability* capability(const ServiceFacts& facts, std::string_view name) {
  for (const InferredCapability& cap : facts.capabilities)
    if (cap.name == name) return &cap;
  return nullptr;
}

const InferredTmpfs* tmpfs(const ServiceFacts& facts, std::string_view path) {
  for (const InferredTmpfs& t : facts.tmpfs)
    if (t.path == path) return &t;
  return nullptr;
}

bool has_note_about(const ServiceFacts& facts, std::string_view text) {
  return std::any_of(facts.notes.begin(), facts.notes.end(),
                     [&](const std::string& note) { return note.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("profile catalogue: each image finds its family, with the grants written here") {
  const ProfileCatalog& catalog = ProfileCatalog::builtin();
  for (const Expected& row : kCatalogue) {
    CAPTURE(row.image);
    const ImageProfile* profile = catalog.find(row.image);
    CHECK((profile ? profile->family : std::string()) == row.family);
    if (!profile || profile->family != row.family) continue;
    CHECK(grant_words(profile->cap_add) == words(row.caps));
    CHECK(grant_words(profile->file_caps) == words(row.files));
    CHECK(tmpfs_words(profile->tmpfs) == words(row.tmpfs));
    CHECK(profile->tmp_exec == row.tmp_exec);
  }
}

TEST_CASE("profile catalogue: every builtin family has a row, and there are 40 more than the first 42") {
  std::set<std::string> covered;
  for (const Expected& row : kCatalogue) covered.insert(std::string(row.family));
  for (const ImageProfile& profile : ProfileCatalog::builtin().profiles()) {
    CAPTURE(profile.family);
    CHECK(covered.count(profile.family) == 1);
  }
  CHECK(ProfileCatalog::builtin().profiles().size() >= 42 + 40);
}

TEST_CASE("profile catalogue: forks and re-packagings find the family of their upstream entrypoint") {
  const ProfileCatalog& catalog = ProfileCatalog::builtin();
  const auto family = [&](std::string_view image) {
    const ImageProfile* profile = catalog.find(image);
    return profile ? profile->family : std::string();
  };
  // A Bitnami or linuxserver.io image named like an official one is not that
  // image: the namespace rule beats the official name.
  CHECK(family("bitnami/nginx:1.27") == "bitnami");
  CHECK(family("bitnami/mysql:8.4") == "bitnami");
  CHECK(family("linuxserver/nginx:1.26") == "linuxserver");
  CHECK(family("lscr.io/linuxserver/mariadb") == "linuxserver");
  // while an image of another namespace still finds the official one.
  CHECK(family("myorg/nginx:1.27") == "nginx");
  // A registry proxy's path prefix is skipped for family rules too; `*`
  // spans one path component only.
  CHECK(family("registry.example.com/hub/linuxserver/radarr:5") == "linuxserver");
  CHECK(family("bitnami/charts/cache").empty());
  CHECK(family("notbitnami/redis") == "redis");
  // The forks.
  CHECK(family("valkey/valkey:7.2") == "valkey");
  CHECK(family("codeberg.org/forgejo/forgejo:8") == "forgejo");
  CHECK(family("codeberg.org/forgejo/forgejo:1.21-rootless") == "forgejo-rootless");
  CHECK(family("ghcr.io/immich-app/postgres:16-vectorchord0.3.0") == "immich-postgres");
  CHECK(family("tensorchord/pgvecto-rs:pg14-v0.2.0") == "pgvector");
}

TEST_CASE("profile catalogue: names written through interpolation defaults match") {
  const ProfileCatalog& catalog = ProfileCatalog::builtin();
  const auto family = [&](std::string_view image) {
    const ImageProfile* profile = catalog.find(image);
    return profile ? profile->family : std::string();
  };
  CHECK(family("${IMAGE:-nginx}:${TAG:-1.27}") == "nginx");
  CHECK(family("${VALKEY_IMAGE:-valkey/valkey}:${VALKEY_TAG:-8}") == "valkey");
  CHECK(family("${LSIO:-lscr.io/linuxserver}/jellyfin:${TAG-latest}") == "linuxserver");
  CHECK(family("${REGISTRY:-docker.io}/bitnami/redis:${TAG:-7.2}") == "bitnami-redis");
  CHECK(family("docker:${DOCKER_VERSION:-27}-dind") == "docker-dind");
  CHECK(family("${PG_IMAGE:-postgis/postgis:${PG_TAG:-16-3.4}}") == "postgis-17");
  CHECK(family("${AUTHENTIK_IMAGE:-ghcr.io/goauthentik/server}:${AUTHENTIK_TAG:-2025.2.4}") == "authentik");
  CHECK(family("${JAEGER_IMAGE:-cr.jaegertracing.io/jaegertracing/jaeger:${JAEGER_VERSION:-2.18.0}}") == "jaeger");
  // Without a default the tag is unknown: only untagged profiles apply.
  CHECK(family("docker:${DOCKER_VERSION}") == "");
  CHECK(family("postgis/postgis:${PG_TAG}") == "postgis");
}

TEST_CASE("profile format: a grant carries its conditions; bad conditions fail with their position") {
  const ProfileCatalog catalog = ProfileCatalog::parse(R"(profiles:
  - family: app
    images: ["myorg/*"]
    user: root
    cap_add:
      - SETUID
      - {name: CHOWN, reason: "chowns /data", when: bind-mount /data/}
      - {name: SETFCAP, reason: "setcap", when: [no-env SKIP_SETCAP, env PCAP]}
    tmpfs:
      - {path: /run, options: exec, reason: "s6", when: env S6}
)");
  REQUIRE(catalog.profiles().size() == 1);
  const ImageProfile& app = catalog.profiles()[0];
  REQUIRE(app.cap_add.size() == 3);
  CHECK(app.cap_add[0].when.empty());
  REQUIRE(app.cap_add[1].when.size() == 1);
  CHECK(app.cap_add[1].when[0] == GrantCondition{GrantCondition::Kind::BindMount, "/data"});
  REQUIRE(app.cap_add[2].when.size() == 2);
  CHECK(app.cap_add[2].when[0] == GrantCondition{GrantCondition::Kind::NoEnv, "SKIP_SETCAP"});
  CHECK(app.cap_add[2].when[1] == GrantCondition{GrantCondition::Kind::Env, "PCAP"});
  REQUIRE(app.tmpfs.size() == 1);
  CHECK(to_string(app.tmpfs[0].when.at(0)) == "env S6");
  CHECK(catalog.find("myorg/anything:1") == &app);
  CHECK(catalog.find("myorg/a/b") == nullptr);

  const auto error_of = [](std::string_view text) {
    try {
      ProfileCatalog::parse(text);
    } catch (const std::runtime_error& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  const std::string message = "a condition in 'when' must be 'bind-mount /PATH', 'env NAME' or 'no-env NAME'";
  CHECK(error_of("- {family: x, images: [x], cap_add: [{name: CHOWN, when: bind-mount data}]}\n") ==
        "1:58: " + message);
  CHECK(error_of("- {family: x, images: [x], cap_add: [{name: CHOWN, when: [env]}]}\n") == "1:59: " + message);
  CHECK(error_of("- {family: x, images: [x], tmpfs: [{path: /run, when: env 1X}]}\n") == "1:55: " + message);
  CHECK(error_of("- {family: x, images: [x], cap_add: [{name: CHOWN, when: mounted /x}]}\n") == "1:58: " + message);
  CHECK_FALSE(parse_grant_condition("bind-mount /a b"));
  CHECK(parse_grant_condition("  no-env   SKIP  ") == GrantCondition{GrantCondition::Kind::NoEnv, "SKIP"});
}

TEST_CASE("conditions: CHOWN for a data folder only when that folder is a host bind mount") {
  SUBCASE("a host folder at the data path: the owner is unknown, CHOWN is added as conditional") {
    ServiceFacts facts = facts_of(R"(services:
  mqtt:
    image: eclipse-mosquitto:2
    volumes:
      - ./mosquitto/data:/mosquitto/data
)");
    const InferredCapability* chown = capability(facts, "CHOWN");
    REQUIRE(chown != nullptr);
    CHECK(chown->reason.find("(conditional: /mosquitto/data is a host bind mount, owner unknown)") !=
          std::string::npos);
    REQUIRE(capability(facts, "SETUID") != nullptr);
    CHECK(capability(facts, "SETUID")->reason.find("(required)") != std::string::npos);
  }
  SUBCASE("a named volume: seeded from the image's folder, it keeps the image's owner") {
    ServiceFacts facts = facts_of(R"(services:
  mqtt:
    image: eclipse-mosquitto:2
    volumes:
      - mqtt-data:/mosquitto/data
volumes:
  mqtt-data:
)");
    CHECK(capability(facts, "CHOWN") == nullptr);
    CHECK(capability(facts, "SETUID") != nullptr);
    CHECK(has_note_about(facts, "CHOWN is not added: image eclipse-mosquitto:2 needs it only when /mosquitto/data "
                                "is a host bind mount"));
  }
  SUBCASE("no mount: the image's own VOLUME folder") {
    ServiceFacts facts = facts_of("services:\n  mqtt:\n    image: eclipse-mosquitto:2\n");
    CHECK(capability(facts, "CHOWN") == nullptr);
  }
  SUBCASE("a bind of a parent folder, long syntax, or a bind inside the path all count") {
    CHECK(capability(facts_of(R"(services:
  mqtt:
    image: eclipse-mosquitto:2
    volumes: ["/srv/mosquitto:/mosquitto"]
)"),
                     "CHOWN") != nullptr);
    CHECK(capability(facts_of(R"(services:
  mqtt:
    image: eclipse-mosquitto:2
    volumes:
      - type: bind
        source: /srv/data
        target: /mosquitto/data/
)"),
                     "CHOWN") != nullptr);
    CHECK(capability(facts_of(R"(services:
  cache:
    image: valkey/valkey:8
    volumes: ["${DATA_DIR:-./data}/dump:/data/dump"]
)"),
                     "CHOWN") != nullptr);
  }
  SUBCASE("a bind of another folder does not") {
    ServiceFacts facts = facts_of(R"(services:
  mqtt:
    image: eclipse-mosquitto:2
    volumes:
      - ./mosquitto.conf:/mosquitto/config/mosquitto.conf:ro
      - mqtt-data:/mosquitto/data
)");
    CHECK(capability(facts, "CHOWN") == nullptr);
  }
  SUBCASE("a non-root user: no cap_add at all, conditional or not") {
    ServiceFacts facts = facts_of(R"(services:
  mqtt:
    image: eclipse-mosquitto:2
    user: "1883:1883"
    volumes: ["./data:/mosquitto/data"]
)");
    CHECK(facts.capabilities.empty());
  }
}

TEST_CASE("conditions: environment variables, set, unset or unknown") {
  SUBCASE("env: set in the mapping form adds the tmpfs and the capability") {
    ServiceFacts facts = facts_of(R"(services:
  consul:
    image: hashicorp/consul:1.19
    environment:
      CONSUL_LOCAL_CONFIG: '{"datacenter": "dc1"}'
)");
    REQUIRE(tmpfs(facts, "/consul/config") != nullptr);
    CHECK(tmpfs(facts, "/consul/config")->reason.find("(conditional: the service sets CONSUL_LOCAL_CONFIG)") !=
          std::string::npos);
    REQUIRE(capability(facts, "CHOWN") != nullptr);
  }
  SUBCASE("env: not set, no tmpfs and no CHOWN") {
    ServiceFacts facts = facts_of(R"(services:
  consul:
    image: hashicorp/consul:1.19
    environment: [CONSUL_BIND_INTERFACE=eth0]
)");
    CHECK(tmpfs(facts, "/consul/config") == nullptr);
    CHECK(capability(facts, "CHOWN") == nullptr);
  }
  SUBCASE("env: the list form, and an env_file that may set it") {
    CHECK(capability(facts_of(R"(services:
  consul:
    image: hashicorp/consul:1.19
    environment: ["CONSUL_LOCAL_CONFIG={}"]
)"),
                     "CHOWN") != nullptr);
    ServiceFacts facts = facts_of(R"(services:
  consul:
    image: hashicorp/consul:1.19
    env_file: consul.env
)");
    REQUIRE(capability(facts, "CHOWN") != nullptr);
    CHECK(capability(facts, "CHOWN")->reason.find("CONSUL_LOCAL_CONFIG may be set (env_file or the shell)") !=
          std::string::npos);
  }
  SUBCASE("no-env: vault's start-up setcap unless SKIP_SETCAP is set") {
    ServiceFacts facts = facts_of("services:\n  vault:\n    image: hashicorp/vault:1.17\n");
    REQUIRE(capability(facts, "SETFCAP") != nullptr);
    CHECK(capability(facts, "SETFCAP")->reason.find("(conditional: the service does not set SKIP_SETCAP)") !=
          std::string::npos);
    CHECK(capability(facts, "IPC_LOCK") != nullptr);
    ServiceFacts skipped = facts_of(R"(services:
  vault:
    image: hashicorp/vault:1.17
    environment:
      SKIP_SETCAP: "1"
)");
    CHECK(capability(skipped, "SETFCAP") == nullptr);
    CHECK(capability(skipped, "IPC_LOCK") == nullptr);
    CHECK(capability(skipped, "SETUID") != nullptr);
  }
  SUBCASE("a value taken from the shell is unknown: the grant holds") {
    ServiceFacts facts = facts_of(R"(services:
  vault:
    image: hashicorp/vault:1.17
    environment: [SKIP_SETCAP]
)");
    REQUIRE(capability(facts, "SETFCAP") != nullptr);
    CHECK(capability(facts, "SETFCAP")->reason.find("SKIP_SETCAP may be unset") != std::string::npos);
  }
}

TEST_CASE("conditions: linuxserver.io and bitnami family rules in inference") {
  ServiceFacts lsio = facts_of(R"(services:
  sonarr:
    image: lscr.io/linuxserver/sonarr:latest
    environment: [PUID=1000, PGID=1000]
    volumes: ["./config:/config"]
)");
  REQUIRE(lsio.profile != nullptr);
  CHECK(lsio.profile->family == "linuxserver");
  std::vector<std::string> names;
  for (const InferredCapability& cap : lsio.capabilities) names.push_back(cap.name);
  CHECK(names == std::vector<std::string>{"CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "SETGID", "SETUID"});
  CHECK(lsio.switches_user);

  ServiceFacts bitnami = facts_of("services:\n  cache:\n    image: bitnami/redis:7.2\n");
  CHECK(bitnami.capabilities.empty());
  CHECK_FALSE(bitnami.starts_as_root);
  REQUIRE(tmpfs(bitnami, "/opt/bitnami/redis/etc") != nullptr);
  CHECK(tmpfs(bitnami, "/opt/bitnami/redis/etc")->options == "mode=1777");
}

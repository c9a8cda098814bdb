// The policy rules H107-H120 and D201: findings and exact output of their
// fixes, run through the whole pipeline (harden::process_text).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harden/image_profile.h"
#include "harden/pipeline.h"

namespace fs = std::filesystem;
using harden::FileResult;
using harden::Options;

namespace {

struct Run {
  std::vector<std::string> rules;
  bool unsafe = false;
  std::string path = "policy/compose.yaml";
  const harden::ProfileCatalog* catalog = nullptr;

  FileResult operator()(const std::string& text) const {
    Options options;
    options.profile = harden::Profile::Strict;
    options.select = rules;
    options.unsafe_fixes = unsafe;
    options.catalog = catalog;
    return harden::process_text(path, text, options);
  }
};

// "H107@5" per finding (code and line), in file order.
std::vector<std::string> found(const FileResult& result) {
  std::vector<std::string> out;
  for (const harden::Finding& f : result.findings) out.push_back(std::string(f.rule->code) + "@" + std::to_string(f.line));
  return out;
}

using List = std::vector<std::string>;

// The fix is applied, its output is exact, and harden on its own output
// changes nothing more.
void check_fix(const Run& run, const std::string& input, const std::string& expected) {
  FileResult first = run(input);
  REQUIRE_FALSE(first.error.has_value());
  CHECK(first.output == expected);
  CHECK(first.changed == (expected != input));
  FileResult second = run(first.output);
  REQUIRE_FALSE(second.error.has_value());
  CHECK(second.output == first.output);
}

}  // namespace

TEST_CASE("H107 no-docker-socket: socket binds are removed with --unsafe-fixes only, all in one fix") {
  const std::string input =
      "services:\n"
      "  ci:\n"
      "    image: example/runner\n"
      "    volumes:\n"
      "      - /var/run/docker.sock:/var/run/docker.sock\n"
      "      - ./work:/work\n"
      "      - \"/run/docker.sock:/sock:ro\"\n";
  FileResult safe = Run{{"H107"}}(input);
  CHECK(found(safe) == List{"H107@5", "H107@7"});
  CHECK(safe.output == input);
  CHECK_FALSE(safe.findings[0].fixed);
  CHECK(safe.findings[0].not_fixed.find("--unsafe-fixes") != std::string::npos);
  // Read-only changes nothing for a socket: the finding says so.
  CHECK(safe.findings[1].message.find("read-only does not restrict the engine's API") != std::string::npos);

  check_fix(Run{{"H107"}, true}, input,
            "services:\n"
            "  ci:\n"
            "    image: example/runner\n"
            "    volumes:\n"
            "      - ./work:/work\n");
}

TEST_CASE("H107 no-docker-socket: long syntax, and a list left empty") {
  const std::string input =
      "services:\n"
      "  proxy:\n"
      "    image: traefik:v3.1\n"
      "    volumes:\n"
      "      - type: bind\n"
      "        source: /var/run/docker.sock\n"
      "        target: /var/run/docker.sock\n"
      "      - /run/containerd/containerd.sock:/other.sock:ro\n";
  FileResult result = Run{{"H107"}, true}(input);
  CHECK(found(result) == List{"H107@6", "H107@8"});
  CHECK(result.output ==
        "services:\n"
        "  proxy:\n"
        "    image: traefik:v3.1\n"
        "    volumes: []\n");
  CHECK(result.findings[1].message.find("containerd socket") != std::string::npos);
}

TEST_CASE("H107 no-docker-socket: a folder that holds the socket is reported, not fixed") {
  const std::string input =
      "services:\n"
      "  cadvisor:\n"
      "    image: gcr.io/cadvisor/cadvisor\n"
      "    volumes:\n"
      "      - /var/run:/var/run:ro\n"
      "      - ${DOCKER_SOCK:-/var/run/docker.sock}:/var/run/docker.sock\n";
  FileResult result = Run{{"H107"}, true}(input);
  CHECK(found(result) == List{"H107@5", "H107@6"});
  CHECK_FALSE(result.findings[0].fix.has_value());
  CHECK(result.findings[0].not_fixed.find("the socket comes with the folder /var/run") != std::string::npos);
  CHECK(result.output ==
        "services:\n"
        "  cadvisor:\n"
        "    image: gcr.io/cadvisor/cadvisor\n"
        "    volumes:\n"
        "      - /var/run:/var/run:ro\n");
}

TEST_CASE("H108 no-sensitive-host-mount: programs, libraries and the host's /var state; not a site or a project") {
  const std::string input =
      "services:\n"
      "  agent:\n"
      "    image: example/agent\n"
      "    volumes:\n"
      "      - /usr/local/bin:/host/bin\n"
      "      - /lib/modules:/lib/modules\n"
      "      - /var/lib/app:/data\n"
      "      - /var/spool/cron:/cron\n"
      "      - /var/www/html:/var/www/html\n"
      "      - /home/dev/project:/src\n"
      "      - /home:/homes\n"
      "      - /var/:/host/var\n"
      "      - /usr/share/zoneinfo:/usr/share/zoneinfo:ro\n"
      "      - /var/lib:/var/lib\n";
  CHECK(found(Run{{"H108"}}(input)) == List{"H108@5", "H108@6", "H108@7", "H108@8", "H108@11", "H108@12", "H108@14"});
}

TEST_CASE("H108 no-sensitive-host-mount: a named volume bound to a host folder, reported at its device") {
  const std::string input =
      "services:\n"
      "  web:\n"
      "    image: example/web\n"
      "    volumes:\n"
      "      - conf:/etc/app\n"
      "      - data:/data\n"
      "      - type: volume\n"
      "        source: logs\n"
      "        target: /logs\n"
      "volumes:\n"
      "  conf:\n"
      "    driver: local\n"
      "    driver_opts:\n"
      "      type: none\n"
      "      o: bind\n"
      "      device: /etc/app\n"
      "  data:\n"
      "    driver_opts:\n"
      "      type: nfs\n"
      "      o: addr=10.0.0.1,rw\n"
      "      device: \":/var/lib/data\"\n"
      "  logs:\n"
      "    driver_opts: {type: none, o: 'rbind,ro', device: /var/log}\n";
  // logs is bound read-only by the driver (`o: rbind,ro`).
  CHECK(found(Run{{"H108"}}(input)) == List{"H108@16"});
  check_fix(Run{{"H108"}, true}, input,
            "services:\n"
            "  web:\n"
            "    image: example/web\n"
            "    volumes:\n"
            "      - conf:/etc/app:ro\n"
            "      - data:/data\n"
            "      - type: volume\n"
            "        source: logs\n"
            "        target: /logs\n"
            "volumes:\n"
            "  conf:\n"
            "    driver: local\n"
            "    driver_opts:\n"
            "      type: none\n"
            "      o: bind\n"
            "      device: /etc/app\n"
            "  data:\n"
            "    driver_opts:\n"
            "      type: nfs\n"
            "      o: addr=10.0.0.1,rw\n"
            "      device: \":/var/lib/data\"\n"
            "  logs:\n"
            "    driver_opts: {type: none, o: 'rbind,ro', device: /var/log}\n");
}

TEST_CASE("H108 no-sensitive-host-mount: writable system folders become read-only") {
  const std::string input =
      "services:\n"
      "  agent:\n"
      "    image: example/agent\n"
      "    volumes:\n"
      "      - /etc/nginx:/etc/nginx:z\n"
      "      - /etc/localtime:/etc/localtime:ro\n"
      "      - ./etc:/etc/app\n"
      "      - /var/run/docker.sock:/var/run/docker.sock\n"
      "      - /srv/data:/data\n"
      "      - type: bind\n"
      "        source: /proc/\n"
      "        target: /host/proc\n"
      "        read_only: false\n"
      "      - /var/lib/docker/volumes:/volumes\n";
  CHECK(found(Run{{"H108"}}(input)) == List{"H108@5", "H108@11", "H108@14"});
  check_fix(Run{{"H108"}, true}, input,
            "services:\n"
            "  agent:\n"
            "    image: example/agent\n"
            "    volumes:\n"
            "      - /etc/nginx:/etc/nginx:z,ro\n"
            "      - /etc/localtime:/etc/localtime:ro\n"
            "      - ./etc:/etc/app\n"
            "      - /var/run/docker.sock:/var/run/docker.sock\n"
            "      - /srv/data:/data\n"
            "      - type: bind\n"
            "        source: /proc/\n"
            "        target: /host/proc\n"
            "        read_only: true\n"
            "      - /var/lib/docker/volumes:/volumes:ro\n");
}

TEST_CASE("H109 no-host-namespaces: host namespaces are deleted with --unsafe-fixes") {
  const std::string input =
      "services:\n"
      "  mon:\n"
      "    image: example/mon\n"
      "    network_mode: host\n"
      "    pid: \"host\"  # see processes\n"
      "    ipc: shareable\n"
      "    userns_mode: host\n";
  FileResult safe = Run{{"H109"}}(input);
  CHECK(found(safe) == List{"H109@4", "H109@5", "H109@7"});
  CHECK(safe.output == input);
  check_fix(Run{{"H109"}, true}, input,
            "services:\n"
            "  mon:\n"
            "    image: example/mon\n"
            "    ipc: shareable\n");
}

TEST_CASE("H109 no-host-namespaces: container: and service: modes are not reported") {
  const std::string input =
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    network_mode: \"service:b\"\n"
      "    pid: container:abc\n";
  CHECK(found(Run{{"H109"}, true}(input)).empty());
}

TEST_CASE("H110 no-unconfined-profiles: unconfined entries are deleted, in both spellings") {
  const std::string input =
      "services:\n"
      "  app:\n"
      "    image: x\n"
      "    security_opt:\n"
      "      - seccomp:unconfined\n"
      "      - no-new-privileges:true\n"
      "      - label=disable\n"
      "      - apparmor=docker-default\n";
  FileResult safe = Run{{"H110"}}(input);
  CHECK(found(safe) == List{"H110@5", "H110@7"});
  CHECK(safe.output == input);
  check_fix(Run{{"H110"}, true}, input,
            "services:\n"
            "  app:\n"
            "    image: x\n"
            "    security_opt:\n"
            "      - no-new-privileges:true\n"
            "      - apparmor=docker-default\n");
}

TEST_CASE("H110 no-unconfined-profiles: the last entries leave an empty list") {
  check_fix(Run{{"H110"}, true},
            "services:\n"
            "  app:\n"
            "    image: x\n"
            "    security_opt:\n"
            "      - systempaths=unconfined\n"
            "    restart: always\n",
            "services:\n"
            "  app:\n"
            "    image: x\n"
            "    security_opt: []\n"
            "    restart: always\n");
  check_fix(Run{{"H110"}, true},
            "services:\n"
            "  app:\n"
            "    image: x\n"
            "    security_opt: [seccomp=unconfined, apparmor:unconfined]\n",
            "services:\n"
            "  app:\n"
            "    image: x\n"
            "    security_opt: []\n");
}

TEST_CASE("H111 valid-seccomp: seccomp=default is deleted by default (safe)") {
  const std::string input =
      "services:\n"
      "  app:\n"
      "    image: x\n"
      "    security_opt:\n"
      "      - seccomp=default\n"
      "      - seccomp=./profiles/app.json\n"
      "      - \"seccomp:runtime/default\"\n"
      "      - no-new-privileges\n";
  CHECK(found(Run{{"H111"}}(input)) == List{"H111@5", "H111@7"});
  check_fix(Run{{"H111"}}, input,
            "services:\n"
            "  app:\n"
            "    image: x\n"
            "    security_opt:\n"
            "      - seccomp=./profiles/app.json\n"
            "      - no-new-privileges\n");
}

TEST_CASE("H111 valid-seccomp: a seccomp setting written as a label option is deleted; H110 leaves it") {
  const std::string input =
      "services:\n"
      "  app:\n"
      "    image: x\n"
      "    security_opt:\n"
      "      - label:seccomp:unconfined\n"
      "      - label=type:container_t\n"
      "      - label=disable\n";
  CHECK(found(Run{{"H111"}}(input)) == List{"H111@5"});
  CHECK(found(Run{{"H110"}}(input)) == List{"H110@7"});
  check_fix(Run{{"H111"}}, input,
            "services:\n"
            "  app:\n"
            "    image: x\n"
            "    security_opt:\n"
            "      - label=type:container_t\n"
            "      - label=disable\n");
}

TEST_CASE("H111 empties a list that H103 appends to: the two fixes run in separate passes") {
  check_fix(Run{{"H103", "H111"}},
            "services:\n"
            "  app:\n"
            "    image: x\n"
            "    security_opt:\n"
            "      - seccomp=default\n"
            "\n"
            "volumes:\n"
            "  data:\n",
            "services:\n"
            "  app:\n"
            "    image: x\n"
            "    security_opt:\n"
            "      - no-new-privileges=true\n"
            "\n"
            "volumes:\n"
            "  data:\n");
}

TEST_CASE("H110 and H111 together empty a list in two passes") {
  check_fix(Run{{"H110", "H111"}, true},
            "services:\n"
            "  app:\n"
            "    image: x\n"
            "    security_opt:\n"
            "      - seccomp=default\n"
            "      - apparmor=unconfined\n"
            "    restart: always\n",
            "services:\n"
            "  app:\n"
            "    image: x\n"
            "    security_opt: []\n"
            "    restart: always\n");
}

TEST_CASE("H112 no-dangerous-cap-add: finding only") {
  const std::string input =
      "services:\n"
      "  vpn:\n"
      "    image: x\n"
      "    cap_add:\n"
      "      - NET_ADMIN\n"
      "      - CHOWN\n"
      "      - cap_sys_admin\n"
      "  all:\n"
      "    image: y\n"
      "    cap_add: [ALL]\n";
  FileResult result = Run{{"H112"}, true}(input);
  // On the `cap_add:` line, as KICS reports it; the message names the item.
  CHECK(found(result) == List{"H112@4", "H112@4", "H112@10"});
  CHECK(result.findings[0].message.find("NET_ADMIN") != std::string::npos);
  CHECK(result.findings[1].message.find("SYS_ADMIN") != std::string::npos);
  CHECK(result.output == input);
}

TEST_CASE("H112 and H116: a waiver on the item's line or on the list's key counts") {
  const std::string input =
      "services:\n"
      "  vpn:\n"
      "    image: x\n"
      "    cap_add:\n"
      "      - NET_ADMIN  # harden: ignore[H112] -- the tunnel needs it\n"
      "      - SYS_ADMIN\n"
      "    ports:  # harden: ignore[H116] -- a public endpoint\n"
      "      - \"8080:80\"\n"
      "      - \"8443:443\"\n";
  FileResult result = Run{{"H112", "H116"}, true}(input);
  REQUIRE(result.findings.size() == 4);
  std::vector<std::string> waived;
  for (const harden::Finding& f : result.findings)
    waived.push_back(std::string(f.rule->code) + (f.waived ? " waived: " + f.waiver_reason : " open"));
  CHECK(waived == List{"H112 waived: the tunnel needs it", "H112 open", "H116 waived: a public endpoint",
                       "H116 waived: a public endpoint"});
  CHECK(result.output == input);
}

TEST_CASE("H113 no-host-devices: one finding per device, no change") {
  const std::string input =
      "services:\n"
      "  usb:\n"
      "    image: x\n"
      "    devices:\n"
      "      - /dev/ttyUSB0:/dev/ttyUSB0\n"
      "      - \"/dev/fuse\"\n";
  FileResult result = Run{{"H113"}, true}(input);
  CHECK(found(result) == List{"H113@5", "H113@6"});
  CHECK(result.output == input);
  CHECK(Run{{"H113"}}("services:\n  a:\n    image: x\n").findings.empty());
}

TEST_CASE("H114 non-root-user: the profile's user is set with --unsafe-fixes") {
  const std::string input =
      "services:\n"
      "  db:\n"
      "    image: postgres:16\n";
  FileResult safe = Run{{"H114"}}(input);
  CHECK(found(safe) == List{"H114@2"});
  CHECK(safe.output == input);
  check_fix(Run{{"H114"}, true}, input,
            "services:\n"
            "  db:\n"
            "    image: postgres:16\n"
            "    user: postgres\n");
  // A user that is set, an unknown image and a non-root image are fine.
  CHECK(Run{{"H114"}, true}("services:\n  db:\n    image: postgres:16\n    user: \"999\"\n").findings.empty());
  CHECK(Run{{"H114"}, true}("services:\n  a:\n    image: example/unknown\n").findings.empty());
  CHECK(Run{{"H114"}, true}("services:\n  a:\n    image: nginxinc/nginx-unprivileged\n").findings.empty());
}

TEST_CASE("H114 non-root-user: a numeric user is quoted; no known user means no fix") {
  harden::ProfileCatalog catalog = harden::ProfileCatalog::builtin();
  catalog.merge(harden::ProfileCatalog::parse(
      "profiles:\n"
      "  - family: myapp\n"
      "    images: [example/myapp]\n"
      "    user: root\n"
      "    non_root_user: \"1000:1000\"\n"
      "  - family: rootonly\n"
      "    images: [example/rootonly]\n"
      "    user: root\n"));
  Run run{{"H114"}, true};
  run.catalog = &catalog;
  check_fix(run, "services:\n  a:\n    image: example/myapp:2\n",
            "services:\n  a:\n    image: example/myapp:2\n    user: \"1000:1000\"\n");
  FileResult none = run("services:\n  a:\n    image: example/rootonly\n");
  CHECK(found(none) == List{"H114@2"});
  CHECK_FALSE(none.changed);
  CHECK(none.findings[0].not_fixed.find("no non-root user is known") != std::string::npos);
}

TEST_CASE("H115 restart-policy: restart: unless-stopped is added (safe)") {
  const std::string input =
      "services:\n"
      "  web:\n"
      "    image: x\n"
      "\n"
      "  worker:\n"
      "    image: y\n"
      "    deploy:\n"
      "      restart_policy:\n"
      "        condition: on-failure\n"
      "  job:\n"
      "    image: z\n"
      "    restart: \"no\"\n";
  CHECK(found(Run{{"H115"}}(input)) == List{"H115@2"});
  check_fix(Run{{"H115"}}, input,
            "services:\n"
            "  web:\n"
            "    image: x\n"
            "    restart: unless-stopped\n"
            "\n"
            "  worker:\n"
            "    image: y\n"
            "    deploy:\n"
            "      restart_policy:\n"
            "        condition: on-failure\n"
            "  job:\n"
            "    image: z\n"
            "    restart: \"no\"\n");
}

TEST_CASE("H115 restart-policy: the configured default is used") {
  Options options;
  options.profile = harden::Profile::Strict;
  options.select = List{"H115"};
  options.defaults.restart = "on-failure:5";
  FileResult result = harden::process_text("compose.yaml", "services:\n  a:\n    image: x\n", options);
  CHECK(result.output == "services:\n  a:\n    image: x\n    restart: on-failure:5\n");
}

TEST_CASE("H116 bind-localhost: published ports get 127.0.0.1, quoting kept") {
  const std::string input =
      "services:\n"
      "  web:\n"
      "    image: x\n"
      "    ports:\n"
      "      - \"8080:80\"\n"
      "      - '3000'\n"
      "      - 127.0.0.1:5432:5432\n"
      "      - \"[::1]:6379:6379\"\n"
      "      - 9000-9010:9000-9010/udp\n"
      "      - target: 443\n"
      "        published: 8443\n"
      "      - target: 53\n"
      "        host_ip: 0.0.0.0\n";
  FileResult safe = Run{{"H116"}}(input);
  CHECK(found(safe) == List{"H116@4", "H116@4", "H116@4", "H116@4"});
  CHECK(safe.output == input);
  check_fix(Run{{"H116"}, true}, input,
            "services:\n"
            "  web:\n"
            "    image: x\n"
            "    ports:\n"
            "      - \"127.0.0.1:8080:80\"\n"
            "      - '127.0.0.1::3000'\n"
            "      - 127.0.0.1:5432:5432\n"
            "      - \"[::1]:6379:6379\"\n"
            "      - 127.0.0.1:9000-9010:9000-9010/udp\n"
            "      - target: 443\n"
            "        published: 8443\n"
            "        host_ip: \"127.0.0.1\"\n"
            "      - target: 53\n"
            "        host_ip: 0.0.0.0\n");
}

TEST_CASE("H116 bind-localhost: with H109 the host network goes and its ports are bound in the same run") {
  check_fix(Run{{"H109", "H116"}, true},
            "services:\n  a:\n    image: x\n    network_mode: host\n    ports:\n      - 80:80\n",
            "services:\n  a:\n    image: x\n    ports:\n      - 127.0.0.1:80:80\n");
}

TEST_CASE("H117 network-isolation: default network only") {
  const std::string input =
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "  b:\n"
      "    image: x\n"
      "    networks: [back]\n"
      "  c:\n"
      "    image: x\n"
      "    network_mode: none\n"
      "  d:\n"
      "    image: x\n"
      "    networks:\n"
      "      default:\n"
      "networks:\n"
      "  back:\n";
  FileResult result = Run{{"H117"}, true}(input);
  CHECK(found(result) == List{"H117@2", "H117@13"});
  CHECK(result.output == input);
}

TEST_CASE("H118 healthcheck: missing or disabled") {
  const std::string input =
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "  b:\n"
      "    image: x\n"
      "    healthcheck:\n"
      "      disable: true\n"
      "  c:\n"
      "    image: x\n"
      "    healthcheck:\n"
      "      test: [\"NONE\"]\n"
      "  d:\n"
      "    image: x\n"
      "    healthcheck:\n"
      "      test: [\"CMD\", \"true\"]\n";
  FileResult result = Run{{"H118"}, true}(input);
  CHECK(found(result) == List{"H118@2", "H118@7", "H118@11"});
  CHECK(result.output == input);
}

TEST_CASE("H119 obsolete-version: deleted with the blank line after it") {
  check_fix(Run{{"H119"}},
            "version: \"3.8\"\n"
            "\n"
            "services:\n"
            "  a:\n"
            "    image: x\n",
            "services:\n"
            "  a:\n"
            "    image: x\n");
  check_fix(Run{{"H119"}},
            "# stack\r\n"
            "services:\r\n"
            "  a:\r\n"
            "    image: x\r\n"
            "version: '2.4'  # old\r\n"
            "\r\n"
            "volumes: {}\r\n",
            "# stack\r\n"
            "services:\r\n"
            "  a:\r\n"
            "    image: x\r\n"
            "\r\n"
            "volumes: {}\r\n");
  FileResult result = Run{{"H119"}}("version: '3'\nservices:\n  a:\n    image: x\n");
  CHECK(found(result) == List{"H119@1"});
  CHECK(result.findings[0].service.empty());
  // Off in the baseline profile.
  Options baseline;
  baseline.ignore = {"H101", "H102", "H103", "H104", "H105", "H106"};
  CHECK(harden::process_text("compose.yaml", "version: '3'\nservices:\n  a:\n    image: x\n", baseline).findings.empty());
}

TEST_CASE("H120 mount-propagation: shared and slave modes, not private ones") {
  const std::string input =
      "services:\n"
      "  csi:\n"
      "    image: x\n"
      "    volumes:\n"
      "      - /var/lib/kubelet:/var/lib/kubelet:rshared\n"
      "      - /mnt:/mnt:rslave\n"
      "      - type: bind\n"
      "        source: ./data\n"
      "        target: /data\n"
      "        bind:\n"
      "          propagation: shared\n"
      "      - /srv:/srv:ro,rprivate\n"
      "      - type: bind\n"
      "        source: ./cache\n"
      "        target: /cache\n"
      "        bind:\n"
      "          propagation: slave\n"
      "      - type: bind\n"
      "        source: ./tmp\n"
      "        target: /tmp\n"
      "        bind:\n"
      "          propagation: private\n";
  FileResult result = Run{{"H120"}, true}(input);
  CHECK(found(result) == List{"H120@5", "H120@6", "H120@11", "H120@17"});
  REQUIRE(result.findings.size() == 4);
  CHECK(result.findings[0].message == "bind propagation rshared: mounts made in the container reach the host");
  CHECK(result.findings[1].message ==
        "bind propagation rslave: mounts the host makes later below the source appear in the container");
  CHECK(result.output == input);
}

TEST_CASE("D201 dockerfile-user: a local Dockerfile without a non-root USER") {
  fs::path dir = fs::temp_directory_path() / "harden_policy_rules_test";
  fs::create_directories(dir / "root");
  fs::create_directories(dir / "user");
  std::ofstream(dir / "root" / "Dockerfile") << "FROM example/base AS build\nUSER app\nFROM example/base\nCMD [\"x\"]\n";
  std::ofstream(dir / "user" / "Dockerfile") << "FROM example/base\nRUN useradd app\nUSER app\n";
  const std::string input =
      "services:\n"
      "  rooted:\n"
      "    build: ./root\n"
      "  fine:\n"
      "    build:\n"
      "      context: ./user\n"
      "  overridden:\n"
      "    build: ./root\n"
      "    user: \"1000\"\n"
      "  pulled:\n"
      "    image: example/base\n";
  Run run{{"D201"}, true};
  run.path = (dir / "compose.yaml").string();
  FileResult result = run(input);
  CHECK(found(result) == List{"D201@3"});
  CHECK(result.output == input);
  fs::remove_all(dir);
}

TEST_CASE("policy rules: every rule has explain text and the documented profile") {
  struct Expect {
    const char* code;
    harden::Profile profile;
    bool has_fix;
    harden::FixSafety safety;
  };
  using harden::FixSafety;
  using harden::Profile;
  const Expect expected[] = {
      {"H107", Profile::Baseline, true, FixSafety::Unsafe}, {"H108", Profile::Baseline, true, FixSafety::Unsafe},
      {"H109", Profile::Baseline, true, FixSafety::Unsafe}, {"H110", Profile::Baseline, true, FixSafety::Unsafe},
      {"H111", Profile::Baseline, true, FixSafety::Safe},   {"H112", Profile::Baseline, false, FixSafety::Safe},
      {"H113", Profile::Strict, false, FixSafety::Safe},    {"H114", Profile::Strict, true, FixSafety::Unsafe},
      {"H115", Profile::Strict, true, FixSafety::Safe},     {"H116", Profile::Strict, true, FixSafety::Unsafe},
      {"H117", Profile::Strict, false, FixSafety::Unsafe},  {"H118", Profile::Strict, false, FixSafety::Safe},
      {"H119", Profile::Strict, true, FixSafety::Safe},     {"H120", Profile::Strict, false, FixSafety::Safe},
      {"D201", Profile::Strict, false, FixSafety::Unsafe},
  };
  for (const Expect& e : expected) {
    CAPTURE(e.code);
    const harden::Rule* rule = harden::find_rule(e.code);
    REQUIRE(rule != nullptr);
    const harden::RuleInfo& info = rule->info();
    CHECK(info.profile == e.profile);
    CHECK(info.has_fix == e.has_fix);
    if (info.has_fix) CHECK(info.safety == e.safety);
    CHECK(info.explain.find("How to opt out") != std::string_view::npos);
    CHECK(info.explain.find(std::string("ignore[") + e.code + "]") != std::string_view::npos);
    CHECK(info.explain.find("References") != std::string_view::npos);
  }
}

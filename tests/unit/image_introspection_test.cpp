#include "harden/image_introspection.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harden/pipeline.h"
#include "temp_dir.h"

using namespace harden;

namespace {

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string le32(std::uint32_t value) {
  std::string out;
  for (int i = 0; i < 4; ++i) out += static_cast<char>(value >> (8 * i) & 0xFF);
  return out;
}

// struct vfs_cap_data as the kernel stores it in security.capability.
std::string vfs_cap(std::uint32_t revision, bool effective, std::uint64_t permitted) {
  std::string out = le32(revision | (effective ? 1u : 0u));
  out += le32(static_cast<std::uint32_t>(permitted)) + le32(0);
  if (revision != 0x01000000) out += le32(static_cast<std::uint32_t>(permitted >> 32)) + le32(0);
  if (revision == 0x03000000) out += le32(0);  // rootid
  return out;
}

std::vector<std::string> switch_tools(const ScriptFindings& f) {
  std::vector<std::string> out;
  for (const auto& s : f.switches) out.push_back(s.tool + (s.user.empty() ? "" : " " + s.user));
  return out;
}

ImageFile dir(std::uint32_t uid = 0, std::uint32_t mode = 0755) {
  ImageFile f;
  f.type = ImageFile::Type::Directory;
  f.uid = f.gid = uid;
  f.mode = mode;
  return f;
}

ImageFile file(std::string content = "", std::uint32_t mode = 0755) {
  ImageFile f;
  f.mode = mode;
  if (!content.empty()) f.content = std::move(content);
  return f;
}

ImageFile symlink(std::string target) {
  ImageFile f;
  f.type = ImageFile::Type::Symlink;
  f.link = std::move(target);
  return f;
}

// A small Debian-like tree: /var/run -> /run, a passwd with a few users.
ImageFilesystem base_fs() {
  ImageFilesystem fs;
  for (const char* d : {"/", "/bin", "/etc", "/run", "/tmp", "/usr", "/usr/bin", "/usr/local", "/usr/local/bin", "/var",
                        "/var/lib", "/var/cache", "/srv", "/opt"})
    fs.files[d] = dir();
  fs.files["/var/run"] = symlink("/run");
  fs.files["/bin/sh"] = file();
  fs.files["/usr/bin/python3"] = file();
  fs.files["/usr/bin/setpriv"] = file();
  fs.files["/usr/bin/chown"] = file();
  fs.files["/etc/passwd"] = file(
      "root:x:0:0:root:/root:/bin/bash\nstore:x:1500:1500::/var/lib/store:/usr/sbin/nologin\n"
      "web:x:1000:1000::/srv/web:/usr/sbin/nologin\nabc:x:911:911::/config:/bin/false\n",
      0644);
  fs.files["/etc/os-release"] = file("", 0644);
  return fs;
}

const ImageGrant* grant(const std::vector<ImageGrant>& grants, const std::string& cap) {
  for (const ImageGrant& g : grants)
    if (g.capability == cap) return &g;
  return nullptr;
}

const ImageTmpfs* tmpfs_at(const ImageFacts& facts, const std::string& path) {
  for (const ImageTmpfs& t : facts.tmpfs)
    if (t.path == path) return &t;
  return nullptr;
}

}  // namespace

TEST_CASE("file capabilities: vfs_cap_data revisions 1 to 3, little-endian") {
  // cap_net_bind_service=+ep (bit 10), revision 2: what setcap writes.
  CHECK(decode_file_capabilities(vfs_cap(0x02000000, true, 1ull << 10)) == std::vector<std::string>{"NET_BIND_SERVICE"});
  // Revision 3 (namespaced): bits in both words; PERFMON is bit 38.
  CHECK(decode_file_capabilities(vfs_cap(0x03000000, true, (1ull << 13) | (1ull << 38))) ==
        std::vector<std::string>{"NET_RAW", "PERFMON"});
  // Revision 1 holds 32 bits only.
  CHECK(decode_file_capabilities(vfs_cap(0x01000000, false, (1ull << 0) | (1ull << 7))) ==
        std::vector<std::string>{"CHOWN", "SETUID"});
  // Malformed: too short, or an unknown revision.
  CHECK(decode_file_capabilities(vfs_cap(0x02000000, true, 1ull << 10).substr(0, 12)).empty());
  CHECK(decode_file_capabilities(vfs_cap(0x07000000, true, 1ull << 10)).empty());
  CHECK(decode_file_capabilities("").empty());
}

TEST_CASE("script analysis: the commands that switch user") {
  const char* script = R"SH(#!/bin/sh
set -e
if [ "$(id -u)" = '0' ]; then
  exec gosu redis "$0" "$@"
fi
su-exec app:app /usr/bin/app --serve
setpriv --reuid=store --regid=store --init-groups python3 server.py
setpriv --no-new-privs true
s6-setuidgid abc nginx
chroot --userspec=1000:1000 / /bin/true
start-stop-daemon --start -c www-data --exec /usr/sbin/thttpd
runuser -u postgres -- pg_ctl start
su -s /bin/sh -c 'true' mosquitto
)SH";
  ScriptFindings f = analyse_script(script, {}, "/");
  std::vector<std::string> tools = switch_tools(f);
  CHECK(tools == std::vector<std::string>{"gosu redis", "su-exec app:app", "setpriv store", "s6-setuidgid abc",
                                          "chroot 1000:1000", "start-stop-daemon www-data", "runuser postgres",
                                          "su mosquitto"});
  // What runs after the switch is still seen.
  CHECK(has(f.executed, "/usr/bin/app"));
  CHECK(has(f.executed, "/usr/sbin/thttpd"));
  CHECK(has(f.commands, "python3"));
  CHECK(has(f.commands, "pg_ctl"));
}

TEST_CASE("script analysis: chown, chmod and the folders it creates or writes") {
  const char* script = R"SH(#!/bin/sh
# chown /not/this (a comment)
: "${DATA:=/srv/data}"
RUN_DIR=/var/run/app
mkdir -p "$RUN_DIR" /var/cache/app/tmp
chown -R app:app "$DATA"
chmod 0700 "$DATA"
echo $$ > "$RUN_DIR/app.pid"
printf 'x' >>/var/log/app.log 2>&1
echo hi >&2
touch /etc/app/ready
install -d -o app -m 0750 /var/lib/app
ln -sf /dev/stdout /var/log/nginx/access.log
sed -i "s/a/b/" /etc/app.conf
mkdir -p "$UNKNOWN/x"
cat <<EOF > /etc/app/generated.conf
chown root /heredoc/body
EOF
echo '$HOME' > /var/quoted/file
cd /data
find . \! -user redis -exec chown redis '{}' +
)SH";
  ScriptFindings f = analyse_script(script, {"PATH=/usr/bin"}, "/");
  CHECK(has(f.created, "/var/run/app"));
  CHECK(has(f.created, "/var/cache/app/tmp"));
  CHECK(has(f.created, "/var/lib/app"));
  CHECK(has(f.chowned, "/srv/data"));
  CHECK(has(f.chowned, "/var/lib/app"));  // install -o
  CHECK(has(f.chowned, "/data"));         // find . -exec chown, after cd /data
  CHECK(has(f.recursive_owner_changes, "/srv/data"));
  CHECK(has(f.recursive_owner_changes, "/data"));
  CHECK(has(f.chmodded, "/srv/data"));
  CHECK(has(f.written, "/var/run/app/app.pid"));
  CHECK(has(f.written, "/var/log/app.log"));
  CHECK(has(f.written, "/etc/app/ready"));
  CHECK(has(f.written, "/var/log/nginx/access.log"));
  CHECK(has(f.written, "/etc/app.conf"));
  CHECK(has(f.written, "/etc/app/generated.conf"));
  CHECK(has(f.written, "/var/quoted/file"));
  // Unknown variables, comments, descriptors and here-document bodies are not paths.
  CHECK_FALSE(has(f.chowned, "/not/this"));
  CHECK_FALSE(has(f.chowned, "/heredoc/body"));
  CHECK(std::none_of(f.created.begin(), f.created.end(), [](const std::string& p) { return p.find("UNKNOWN") != std::string::npos || p == "/x"; }));
  CHECK(std::none_of(f.written.begin(), f.written.end(), [](const std::string& p) { return p.find('&') != std::string::npos; }));
}

TEST_CASE("script analysis: the scripts it runs") {
  const char* script = R"SH(#!/bin/sh
for f in /docker-entrypoint.d/*.sh; do . "$f"; done
. /usr/local/lib/functions.sh
sh /opt/app/prepare.sh
run-parts /etc/app.d
find /entrypoint.d/ -type f -executable | sort | while read -r f; do "$f"; done
sh -c 'mkdir -p /run/inner && gosu app true'
exec /usr/local/bin/app
)SH";
  ScriptFindings f = analyse_script(script, {}, "/");
  CHECK(has(f.sourced, "/docker-entrypoint.d/"));
  CHECK(has(f.sourced, "/usr/local/lib/functions.sh"));
  CHECK(has(f.sourced, "/opt/app/prepare.sh"));
  CHECK(has(f.sourced, "/etc/app.d/"));
  CHECK(has(f.sourced, "/entrypoint.d/"));
  CHECK(has(f.created, "/run/inner"));
  CHECK(switch_tools(f) == std::vector<std::string>{"gosu app"});
  CHECK(has(f.executed, "/usr/local/bin/app"));
}

TEST_CASE("derivation: an entrypoint that chowns its folders and drops with setpriv") {
  ImageFilesystem fs = base_fs();
  fs.files["/usr/local/bin/docker-entrypoint.sh"] = file(R"SH(#!/bin/sh
set -e
STORE_RUN=/var/run/store
if [ "$(id -u)" = '0' ]; then
	mkdir -p "$STORE_RUN"
	chown store:store "$STORE_RUN"
	find /var/lib/store \! -user store -exec chown store:store '{}' +
	exec setpriv --reuid=store --regid=store --init-groups "$0" "$@"
fi
exec "$@"
)SH");
  fs.files["/var/lib/store"] = dir();
  ImageConfig config;
  config.id = "sha256:0123456789abcdef";
  config.entrypoint = {"docker-entrypoint.sh"};
  config.cmd = {"python3", "/opt/store/server.py"};
  config.env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
  config.volumes = {"/var/lib/store"};
  ImageFacts facts = derive_image_facts(config, &fs);
  CHECK(facts.filesystem_read);
  CHECK(facts.starts_as_root);
  CHECK(facts.switches_user);
  REQUIRE(grant(facts.capabilities, "SETUID"));
  CHECK(grant(facts.capabilities, "SETUID")->reason ==
        "the entrypoint /usr/local/bin/docker-entrypoint.sh switches user with setpriv store");
  CHECK(grant(facts.capabilities, "SETGID"));
  CHECK(grant(facts.capabilities, "CHOWN"));
  CHECK(grant(facts.capabilities, "DAC_READ_SEARCH"));  // walks the data volume as root
  CHECK_FALSE(grant(facts.capabilities, "FOWNER"));      // no chmod
  // /var/run is /run; /run is an empty folder of the image.
  REQUIRE(tmpfs_at(facts, "/run"));
  CHECK(tmpfs_at(facts, "/run")->options == "");
  CHECK(facts.tmpfs.size() == 1);  // nothing for the volume
  CHECK(short_image_id(config.id) == "0123456789ab");

  SUBCASE("a non-root start user gets no capability, only the folders") {
    config.user = "1500:1500";
    ImageFacts as_user = derive_image_facts(config, &fs);
    CHECK_FALSE(as_user.starts_as_root);
    CHECK(as_user.capabilities.empty());
    CHECK(tmpfs_at(as_user, "/run"));
  }
}

TEST_CASE("derivation: an s6-overlay /init needs an executable /run and user switches") {
  ImageFilesystem fs = base_fs();
  fs.files["/init"] = file("#!/bin/sh\nexec /package/admin/s6-overlay/command/s6-overlay-suexec\n");
  fs.files["/package/admin/s6-overlay"] = dir();
  fs.files["/etc/s6-overlay"] = dir();
  fs.files["/etc/s6-overlay/s6-rc.d"] = dir();
  fs.files["/etc/s6-overlay/s6-rc.d/svc-app"] = dir();
  fs.files["/etc/s6-overlay/s6-rc.d/svc-app/run"] =
      file("#!/usr/bin/with-contenv bash\nexec s6-setuidgid abc /app/bin/server\n");
  fs.files["/etc/s6-overlay/s6-rc.d/init-adduser"] = dir();
  fs.files["/etc/s6-overlay/s6-rc.d/init-adduser/run"] = file("#!/bin/sh\nlsiown abc:abc /config\n");
  fs.files["/config"] = dir(911);
  ImageConfig config;
  config.id = "sha256:aa";
  config.entrypoint = {"/init"};
  config.volumes = {"/config"};
  ImageFacts facts = derive_image_facts(config, &fs);
  REQUIRE(tmpfs_at(facts, "/run"));
  CHECK(tmpfs_at(facts, "/run")->options == "exec");
  CHECK(grant(facts.capabilities, "SETUID"));
  CHECK(grant(facts.capabilities, "SETGID"));
  CHECK(grant(facts.capabilities, "CHOWN"));
  CHECK(grant(facts.capabilities, "KILL"));
  // /config belongs to abc but is the image's volume: no tmpfs over it.
  CHECK_FALSE(tmpfs_at(facts, "/config"));

  SUBCASE("without the s6-overlay files, /init is just a program") {
    fs.files.erase("/package/admin/s6-overlay");
    fs.files.erase("/etc/s6-overlay");
    ImageFacts plain = derive_image_facts(config, &fs);
    CHECK_FALSE(tmpfs_at(plain, "/run"));
    CHECK_FALSE(grant(plain.capabilities, "KILL"));
  }
}

TEST_CASE("derivation: a non-root app's empty folder under its working directory") {
  ImageFilesystem fs = base_fs();
  fs.files["/srv/web"] = dir();
  fs.files["/srv/web/app.py"] = file("", 0644);
  fs.files["/srv/web/cache"] = dir(1000, 0750);
  fs.files["/srv/web/static"] = dir(1000);
  fs.files["/srv/web/static/logo.png"] = file("", 0644);
  ImageConfig config;
  config.id = "sha256:bb";
  config.user = "web";
  config.working_dir = "/srv/web";
  config.cmd = {"python3", "app.py"};
  ImageFacts facts = derive_image_facts(config, &fs);
  CHECK_FALSE(facts.starts_as_root);
  REQUIRE(tmpfs_at(facts, "/srv/web/cache"));
  CHECK(tmpfs_at(facts, "/srv/web/cache")->options == "uid=1000,gid=1000,mode=750");
  CHECK(tmpfs_at(facts, "/srv/web/cache")->reason.find("belongs to web (uid 1000)") != std::string::npos);
  // A folder of the user that holds image files is not hidden under a tmpfs.
  CHECK_FALSE(tmpfs_at(facts, "/srv/web/static"));
  CHECK(facts.capabilities.empty());

  SUBCASE("not the parent of a volume, nor a folder under /etc") {
    fs.files["/srv/web/state"] = dir(1000);
    fs.files["/srv/web/state/db"] = dir(1000);
    fs.files["/etc/web"] = dir(1000);
    config.volumes = {"/srv/web/state/db"};
    ImageFacts with_volume = derive_image_facts(config, &fs);
    CHECK(tmpfs_at(with_volume, "/srv/web/cache"));
    CHECK_FALSE(tmpfs_at(with_volume, "/srv/web/state"));
    CHECK_FALSE(tmpfs_at(with_volume, "/srv/web/state/db"));
    CHECK_FALSE(tmpfs_at(with_volume, "/etc/web"));
  }
}

TEST_CASE("derivation: a root program with no switch in the scripts is flagged as unknown territory") {
  ImageFilesystem fs = base_fs();
  fs.files["/usr/sbin/nginx"] = file();
  ImageConfig config;
  config.id = "sha256:ee";
  config.cmd = {"/usr/sbin/nginx", "-g", "daemon off;"};
  ImageFacts facts = derive_image_facts(config, &fs);
  CHECK(facts.capabilities.empty());
  CHECK(std::any_of(facts.notes.begin(), facts.notes.end(), [](const std::string& n) {
    return n.starts_with("entrypoint /usr/sbin/nginx starts as root and no script switches user");
  }));
  config.user = "101";
  ImageFacts as_user = derive_image_facts(config, &fs);
  CHECK(as_user.notes.empty());
}

TEST_CASE("derivation: file capabilities of what runs; folders that hold files") {
  ImageFilesystem fs = base_fs();
  fs.files["/usr/bin/caddy"] = file();
  fs.files["/usr/bin/caddy"].file_caps = {"NET_BIND_SERVICE"};
  fs.files["/usr/bin/ping"] = file();
  fs.files["/usr/bin/ping"].file_caps = {"NET_RAW"};  // in the image, never run
  fs.files["/usr/local/bin/start.sh"] = file("#!/bin/sh\necho x > /etc/caddy/generated\nexec caddy run\n");
  fs.files["/etc/caddy"] = dir();
  fs.files["/etc/caddy/Caddyfile"] = file("", 0644);
  ImageConfig config;
  config.id = "sha256:cc";
  config.user = "1000";
  config.entrypoint = {"/usr/local/bin/start.sh"};
  ImageFacts facts = derive_image_facts(config, &fs);
  REQUIRE(grant(facts.file_caps, "NET_BIND_SERVICE"));
  CHECK(grant(facts.file_caps, "NET_BIND_SERVICE")->reason.starts_with("/usr/bin/caddy has the file capability"));
  CHECK_FALSE(grant(facts.file_caps, "NET_RAW"));
  CHECK_FALSE(tmpfs_at(facts, "/etc/caddy"));
  CHECK(std::any_of(facts.notes.begin(), facts.notes.end(), [](const std::string& n) {
    return n.find("/etc/caddy/generated") != std::string::npos && n.find("holds files") != std::string::npos;
  }));
}

TEST_CASE("derivation: a JVM heap in the image's settings is reported") {
  ImageFilesystem fs = base_fs();
  fs.files["/usr/bin/java"] = file();
  ImageConfig config;
  config.id = "sha256:ff";
  config.user = "1000";
  config.env = {"PATH=/usr/bin", "JAVA_OPTS=-Xms256m -Xmx768m -Dfile.encoding=UTF-8", "OTHER=-Xmx1g"};
  config.cmd = {"java", "-Xmx1536m", "-jar", "/app.jar"};
  ImageFacts facts = derive_image_facts(config, &fs);
  CHECK(facts.notes == std::vector<std::string>{
                           "its JAVA_OPTS sets the JVM heap -Xmx768m: a memory limit must leave room above it",
                           "its start command sets the JVM heap -Xmx1536m: a memory limit must leave room above it"});
}

TEST_CASE("derivation: a folder programs run from gets an exec tmpfs; set-uid programs are noted") {
  ImageFilesystem fs = base_fs();
  fs.files["/usr/local/bin/start"] = file(
      "#!/bin/sh\nmkdir -p /run/app/bin\ncp /opt/helper /run/app/bin/helper\n/run/app/bin/helper\n"
      "mkdir -p /var/cache/app\nexec /usr/bin/sudo -u app /usr/bin/python3\n");
  fs.files["/usr/bin/sudo"] = file("", 04755);
  ImageConfig config;
  config.id = "sha256:99";
  config.entrypoint = {"/usr/local/bin/start"};
  ImageFacts facts = derive_image_facts(config, &fs);
  REQUIRE(tmpfs_at(facts, "/run"));
  CHECK(tmpfs_at(facts, "/run")->options == "exec");
  CHECK(tmpfs_at(facts, "/run")->reason.ends_with(", and runs programs from there"));
  // /var/cache is a system folder: the tmpfs goes on the folder the script creates.
  REQUIRE(tmpfs_at(facts, "/var/cache/app"));
  CHECK(tmpfs_at(facts, "/var/cache/app")->options == "");
  CHECK(std::count(facts.notes.begin(), facts.notes.end(),
                   "/usr/bin/sudo is set-uid; no-new-privileges stops it from changing user") == 1);
}

TEST_CASE("derivation: only the config when the files could not be read") {
  ImageConfig config;
  config.id = "sha256:dd";
  config.user = "app";
  ImageFacts facts = derive_image_facts(config, nullptr, "the export failed");
  CHECK_FALSE(facts.filesystem_read);
  CHECK(facts.filesystem_problem == "the export failed");
  CHECK(facts.start_user == "app");
  CHECK_FALSE(facts.starts_as_root);
}

TEST_CASE("engine discovery: DOCKER_HOST, the docker context, the sockets") {
  testing::TempDir home;
  std::map<std::string, std::string> vars;
  EngineEnvironment env{[&](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  }};
  vars["HOME"] = home.path.string();

  vars["DOCKER_HOST"] = "unix:///custom/docker.sock";
  EngineEndpoint e = discover_engine(env);
  CHECK(e.socket == "/custom/docker.sock");
  CHECK(e.origin == "DOCKER_HOST");

  vars["DOCKER_HOST"] = "tcp://10.0.0.1:2376";
  e = discover_engine(env);
  CHECK(e.socket.empty());
  CHECK(e.problem.find("only unix:// sockets are supported") != std::string::npos);
  vars.erase("DOCKER_HOST");

  home.write(".docker/config.json", R"({"auths": {}, "currentContext": "colima"})");
  home.write(".docker/contexts/meta/0a1b/meta.json",
             R"({"Name":"other","Endpoints":{"docker":{"Host":"unix:///other.sock"}}})");
  home.write(".docker/contexts/meta/9f8e/meta.json",
             R"({"Name":"colima","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///home/u/.colima/docker.sock","SkipTLSVerify":false}}})");
  e = discover_engine(env);
  CHECK(e.socket == "/home/u/.colima/docker.sock");
  CHECK(e.origin == "docker context colima");

  vars["DOCKER_CONTEXT"] = "missing";
  e = discover_engine(env);
  CHECK(e.socket.empty());
  CHECK(e.problem.find("docker context missing") != std::string::npos);

  // The default context falls through to the sockets that exist.
  vars["DOCKER_CONTEXT"] = "default";
  vars["XDG_RUNTIME_DIR"] = home.path.string();
  home.write("podman/podman.sock", "");
  e = discover_engine(env);
  std::error_code ec;
  if (!std::filesystem::exists("/var/run/docker.sock", ec)) {
    CHECK(e.socket == home.path.string() + "/podman/podman.sock");
    CHECK(e.origin == "the Podman socket");
  } else {
    CHECK(e.socket == "/var/run/docker.sock");
  }
}

TEST_CASE("image cache: one JSON file per image ID; a corrupt entry is ignored") {
  testing::TempDir cache;
  ImageConfig config;
  config.id = "sha256:00112233445566778899aabbccddeeff";
  config.user = "app";
  config.entrypoint = {"/init"};
  config.labels = {{"org.opencontainers.image.title", "x"}};
  ImageFacts facts = derive_image_facts(config, nullptr, "not read");
  facts.capabilities.push_back({"SETUID", "why"});
  facts.tmpfs.push_back({"/run", "exec", "because"});
  std::string dir = cache.path.string() + "/harden/images";
  store_cached_facts(dir, facts);
  std::optional<ImageFacts> back = load_cached_facts(dir, config.id);
  REQUIRE(back);
  CHECK(facts_to_json(*back) == facts_to_json(facts));
  CHECK(back->tmpfs.at(0).options == "exec");

  CHECK_FALSE(load_cached_facts(dir, "sha256:ffff"));
  cache.write("harden/images/00112233445566778899aabbccddeeff.json", "{\"format\": 1, \"config\": ");
  CHECK_FALSE(load_cached_facts(dir, config.id));
  CHECK_FALSE(facts_from_json("[]"));
  CHECK_FALSE(facts_from_json(R"({"format": 999})"));
  CHECK_FALSE(facts_from_json(R"({"format": "3", "config": 1})"));  // a wrong type is not an exception
  CHECK_FALSE(facts_from_json(R"({"format": 3, "config": {"id": 7}})"));
}

namespace {

// A tar writer for test data only (ustar headers, PAX records for xattrs):
// the archives are what `docker save` sends, made here byte by byte.
struct TarEntry {
  TarEntry(std::string name_, char type_, std::string content_, std::string link_, unsigned mode_, unsigned uid_ = 0,
           std::map<std::string, std::string> xattrs_ = {})
      : name(std::move(name_)), type(type_), content(std::move(content_)), link(std::move(link_)), mode(mode_),
        uid(uid_), xattrs(std::move(xattrs_)) {}
  std::string name;
  char type;  // '0' file, '5' folder, '2' symlink
  std::string content;
  std::string link;
  unsigned mode;
  unsigned uid;
  std::map<std::string, std::string> xattrs;
};

void put_octal(std::string& block, std::size_t at, std::size_t width, unsigned long long value) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + (value & 7)));
    value >>= 3;
  } while (value);
  digits.insert(digits.begin(), width - 1 - digits.size(), '0');
  block.replace(at, width - 1, digits);
}

std::string header(const std::string& name, char type, std::size_t size, unsigned mode, unsigned uid,
                   const std::string& link) {
  std::string block(512, '\0');
  block.replace(0, name.size(), name);
  put_octal(block, 100, 8, mode);
  put_octal(block, 108, 8, uid);
  put_octal(block, 116, 8, uid);
  put_octal(block, 124, 12, size);
  put_octal(block, 136, 12, 0);
  block[156] = type;
  block.replace(157, link.size(), link);
  block.replace(257, 6, std::string("ustar\0", 6));
  block.replace(263, 2, "00");
  block.replace(148, 8, "        ");
  unsigned sum = 0;
  for (unsigned char c : block) sum += c;
  put_octal(block, 148, 7, sum);
  return block;
}

std::string padded(std::string data) {
  data.append((512 - data.size() % 512) % 512, '\0');
  return data;
}

std::string pax_record(const std::string& key, const std::string& value) {
  std::string body = " " + key + "=" + value + "\n";
  std::size_t length = body.size() + 1;
  while (std::to_string(length).size() + body.size() != length) ++length;
  return std::to_string(length) + body;
}

std::string tar(const std::vector<TarEntry>& entries) {
  std::string out;
  for (const TarEntry& e : entries) {
    if (!e.xattrs.empty()) {
      std::string records;
      for (const auto& [key, value] : e.xattrs) records += pax_record("SCHILY.xattr." + key, value);
      out += header("PaxHeaders/" + e.name, 'x', records.size(), 0644, 0, "") + padded(records);
    }
    out += header(e.name, e.type, e.content.size(), e.mode, e.uid, e.link) + padded(e.content);
  }
  return out + std::string(1024, '\0');
}

std::function<long(char*, std::size_t)> reader(const std::string& data) {
  auto at = std::make_shared<std::size_t>(0);
  return [&data, at](char* out, std::size_t size) -> long {
    std::size_t n = std::min(size, data.size() - *at);
    std::copy_n(data.data() + *at, n, out);
    *at += n;
    return static_cast<long>(n);
  };
}

}  // namespace

TEST_CASE("image archive: layers applied in manifest order, whiteouts, xattrs, scripts kept") {
  std::string lower = tar({
      {"etc/", '5', "", "", 0755},
      {"etc/passwd", '0', "root:x:0:0::/root:/bin/sh\n", "", 0644},
      {"usr/", '5', "", "", 0755},
      {"usr/bin/", '5', "", "", 0755},
      {"usr/bin/app", '0', "\x7f" "ELF", "", 0755, 0, {{"security.capability", vfs_cap(0x02000000, true, 1ull << 10)}}},
      {"run/", '5', "", "", 0755},
      {"var/", '5', "", "", 0755},
      {"var/run", '2', "", "/run", 0777},
      {"opt/", '5', "", "", 0755},
      {"opt/old.txt", '0', "old", "", 0644},
      {"data/", '5', "", "", 0700, 999},
      {"data/x", '0', "x", "", 0600, 999},
  });
  std::string upper = tar({
      {"opt/.wh.old.txt", '0', "", "", 0644},
      {"data/", '5', "", "", 0700, 999},
      {"data/.wh..wh..opq", '0', "", "", 0644},
      {"data/new", '0', "n", "", 0600, 999},
      {"entry.sh", '0', "#!/bin/sh\nexec gosu app \"$@\"\n", "", 0755},
      {"usr/bin/tool", '0', "plain binary", "", 0755},
  });
  std::string manifest = R"([{"Config":"c.json","RepoTags":["x:1"],"Layers":["ccc/layer.tar","bbb/layer.tar"]}])";
  // The upper layer comes first in the stream, the manifest last; the
  // manifest names the lower layer by a link to where it is stored (docker
  // save stores a layer shared by two IDs once).
  std::string saved = tar({
      {"bbb/", '5', "", "", 0755},
      {"bbb/layer.tar", '0', upper, "", 0644},
      {"aaa/", '5', "", "", 0755},
      {"aaa/layer.tar", '0', lower, "", 0644},
      {"ccc/layer.tar", '2', "", "../aaa/layer.tar", 0777},
      {"c.json", '0', "{}", "", 0644},
      {"manifest.json", '0', manifest, "", 0644},
  });
  ImageFilesystem fs;
  REQUIRE(read_image_archive(reader(saved), fs) == "");
  REQUIRE(fs.files.count("/usr/bin/app"));
  CHECK(fs.files["/usr/bin/app"].file_caps == std::vector<std::string>{"NET_BIND_SERVICE"});
  CHECK(fs.files["/usr/bin/app"].mode == 0755);
  CHECK_FALSE(fs.files.count("/opt/old.txt"));  // whited out
  CHECK(fs.files.count("/opt"));
  CHECK_FALSE(fs.files.count("/data/x"));  // the opaque folder hides the lower layer...
  CHECK(fs.files.count("/data/new"));      // ...but not its own layer
  CHECK(fs.files["/data"].uid == 999);
  CHECK(fs.files["/var/run"].type == ImageFile::Type::Symlink);
  CHECK(fs.files["/var/run"].link == "/run");
  REQUIRE(fs.files["/entry.sh"].content);
  CHECK(fs.files["/entry.sh"].content->starts_with("#!/bin/sh"));
  CHECK(fs.files["/etc/passwd"].content);
  CHECK_FALSE(fs.files["/usr/bin/tool"].content);  // not a script: only its metadata

  SUBCASE("a cut archive or one without a manifest is a problem, not a crash") {
    ImageFilesystem partial;
    std::string cut = saved.substr(0, saved.size() / 2);
    CHECK(read_image_archive(reader(cut), partial) != "");
    std::string no_manifest = tar({{"aaa/layer.tar", '0', lower, "", 0644}});
    CHECK(read_image_archive(reader(no_manifest), partial) == "the image archive has no manifest.json");
  }
}

TEST_CASE("inference: image facts fill in for a missing profile, with their reasons") {
  ImageFilesystem fs = base_fs();
  fs.files["/usr/local/bin/entry.sh"] = file(
      "#!/bin/sh\nmkdir -p /var/run/app\nchown app /var/run/app\nexec su-exec app /usr/local/bin/app\n");
  fs.files["/usr/local/bin/app"] = file();
  fs.files["/srv"] = dir();
  ImageConfig config;
  config.id = "sha256:abcdef0123456789";
  config.entrypoint = {"/usr/local/bin/entry.sh"};
  config.volumes = {"/srv/data"};
  ImageFacts facts = derive_image_facts(config, &fs);
  std::vector<std::string> asked;
  set_image_source_for_tests([&](const std::string& reference) {
    asked.push_back(reference);
    IntrospectionResult result;
    if (reference == "example/app:1") result.facts = facts;
    else result.missing = "image " + reference + " is not in the engine";
    return result;
  });
  Options options;
  options.select = std::vector<std::string>{"H102", "H104"};
  options.introspect = true;
  const std::string text =
      "services:\n"
      "  app:\n    image: example/app:1\n"
      "  as_user:\n    image: example/app:1\n    user: \"1000\"\n"
      "  other:\n    image: example/other:2\n"
      "  web:\n    image: nginx:1.27\n";
  FileResult result = process_text("compose.yaml", text, options);
  set_image_source_for_tests({});
  REQUIRE_FALSE(result.error.has_value());
  // The profiled image is never asked about.
  CHECK(std::count(asked.begin(), asked.end(), "nginx:1.27") == 0);
  CHECK(std::count(asked.begin(), asked.end(), "example/other:2") == 1);
  CHECK(result.output.find("  app:\n    image: example/app:1\n    cap_drop:\n      - ALL\n    cap_add:\n      - CHOWN\n"
                           "      - SETGID\n      - SETUID\n") != std::string::npos);
  // /run is an empty folder of the image: the tmpfs goes there.
  CHECK(result.output.find("      - /tmp\n      - /run\n") != std::string::npos);
  // user: makes cap_add useless (it never reaches a non-root process); the tmpfs stays.
  CHECK(result.output.find("    user: \"1000\"\n    cap_drop:\n      - ALL\n    security_opt") == std::string::npos);
  std::size_t as_user = result.output.find("  as_user:");
  std::size_t other = result.output.find("  other:");
  REQUIRE(as_user != std::string::npos);
  REQUIRE(other != std::string::npos);
  std::string as_user_text = result.output.substr(as_user, other - as_user);
  CHECK(as_user_text.find("cap_add") == std::string::npos);
  CHECK(as_user_text.find("      - /run:uid=1000\n") != std::string::npos);  // owned by who writes there

  std::vector<std::string> reasons;
  for (const Finding& f : result.findings)
    if (f.service == "app")
      for (const std::string& r : f.reasons) reasons.push_back(r);
  CHECK(has(reasons, "cap_add SETUID: image example/app:1 (abcdef012345): the entrypoint /usr/local/bin/entry.sh "
                     "switches user with su-exec app"));
  CHECK(has(reasons, "tmpfs /run: image example/app:1 (abcdef012345): the entrypoint /usr/local/bin/entry.sh "
                     "creates /var/run/app"));
  CHECK(has(reasons, "image example/app:1 has no profile: what it needs was read from the image abcdef012345 in the "
                     "local engine"));
  std::vector<std::string> other_reasons;
  for (const Finding& f : result.findings)
    if (f.service == "other")
      for (const std::string& r : f.reasons) other_reasons.push_back(r);
  CHECK(has(other_reasons, "the image could not be read from the local engine: image example/other:2 is not in the engine"));
}

TEST_CASE("inference: an image folder's owner gives way to the file's non-root user:") {
  ImageFilesystem fs = base_fs();
  fs.files["/srv/web"] = dir();
  fs.files["/srv/web/cache"] = dir(1000, 0750);
  ImageConfig config;
  config.id = "sha256:1234";
  config.user = "web";
  config.working_dir = "/srv/web";
  config.cmd = {"python3", "app.py"};
  ImageFacts facts = derive_image_facts(config, &fs);
  REQUIRE(tmpfs_at(facts, "/srv/web/cache"));
  set_image_source_for_tests([&](const std::string&) { return IntrospectionResult{facts, ""}; });
  Options options;
  options.select = std::vector<std::string>{"H104"};
  options.introspect = true;
  FileResult own = process_text("compose.yaml", "services:\n  web:\n    image: web:1\n", options);
  FileResult other = process_text("compose.yaml", "services:\n  web:\n    image: web:1\n    user: \"2000:2000\"\n", options);
  set_image_source_for_tests({});
  CHECK(own.output.find("      - /srv/web/cache:uid=1000,gid=1000,mode=750\n") != std::string::npos);
  CHECK(other.output.find("      - /srv/web/cache:uid=2000,gid=2000\n") != std::string::npos);
}

TEST_CASE("inference: a JVM heap the image sets raises the memory limit; the file's own settings win") {
  ImageConfig config;
  config.id = "sha256:4321";
  config.user = "1000";
  config.env = {"PATH=/usr/bin", "JAVA_OPTS=-Xms256m -Xmx768m"};
  config.cmd = {"java", "-jar", "/app.jar"};
  ImageFacts facts = derive_image_facts(config, nullptr, "not read");
  set_image_source_for_tests([&](const std::string&) { return IntrospectionResult{facts, ""}; });
  Options options;
  options.select = std::vector<std::string>{"H105"};
  options.introspect = true;
  FileResult image_heap = process_text("compose.yaml", "services:\n  app:\n    image: jvm:1\n", options);
  FileResult own_heap = process_text(
      "compose.yaml", "services:\n  app:\n    image: jvm:1\n    environment:\n      JAVA_OPTS: -Xmx128m\n", options);
  config.env = {"PATH=/usr/bin"};
  config.cmd = {"java", "-Xmx2g", "-jar", "/app.jar"};
  facts = derive_image_facts(config, nullptr, "not read");
  FileResult command_heap = process_text("compose.yaml", "services:\n  app:\n    image: jvm:1\n", options);
  FileResult own_command = process_text(
      "compose.yaml", "services:\n  app:\n    image: jvm:1\n    command: [java, -jar, /app.jar]\n", options);
  set_image_source_for_tests({});
  // 768m of heap plus half of it for the JVM itself.
  CHECK(image_heap.output.find("    mem_limit: 1152m\n") != std::string::npos);
  std::vector<std::string> reasons;
  for (const Finding& f : image_heap.findings)
    for (const std::string& r : f.reasons) reasons.push_back(r);
  CHECK(std::any_of(reasons.begin(), reasons.end(),
                    [](const std::string& r) { return r.find("the image's JAVA_OPTS sets -Xmx768m") != std::string::npos; }));
  CHECK(own_heap.output.find("    mem_limit: 512m\n") != std::string::npos);
  CHECK(command_heap.output.find("    mem_limit: 3g\n") != std::string::npos);
  CHECK(own_command.output.find("    mem_limit: 512m\n") != std::string::npos);
}

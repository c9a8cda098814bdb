// The local engine: where it listens, a small HTTP/1.1 client over its unix
// socket (Engine API, served by Docker and by Podman's compat service),
// the image archive read with libarchive, and the per-image cache.
//
// libarchive is loaded with dlopen when an image is first read: linked
// normally it brings 16 shared libraries whose loading every run would pay,
// engine or not.

#include "harden/image_introspection.h"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace harden {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// A string member, or "" when it is missing or not a string (never throws).
std::string string_field(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> read_text_file(const std::string& path, std::size_t limit = 1u << 20) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec) || fs::file_size(path, ec) > limit) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// ------------------------------------------------------------ HTTP over a unix socket

class UnixHttp {
 public:
  ~UnixHttp() {
    if (fd_ >= 0) ::close(fd_);
  }

  // "" on success, else why the engine did not answer.
  std::string connect(const std::string& socket_path, int timeout_seconds) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return std::strerror(errno);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof(address.sun_path)) return "the socket path is too long";
    std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
    timeval timeout{timeout_seconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) return std::strerror(errno);
    return "";
  }

  // Sends a GET and reads the status line and headers; "" on success.
  std::string get(const std::string& target) {
    std::string request = fmt::format("GET {} HTTP/1.1\r\nHost: docker\r\nUser-Agent: harden\r\nConnection: close\r\n\r\n", target);
    for (std::size_t sent = 0; sent < request.size();) {
      ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return fmt::format("cannot send the request: {}", std::strerror(errno));
      sent += static_cast<std::size_t>(n);
    }
    std::string line;
    if (!read_line(line) || !line.starts_with("HTTP/1.")) return "no HTTP answer";
    status_ = std::atoi(line.c_str() + 9);
    while (read_line(line) && !line.empty()) {
      std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(line.find_first_not_of(' ', colon + 1) == std::string::npos ? line.size() : line.find_first_not_of(' ', colon + 1));
      if (name == "content-length") remaining_ = std::strtoll(value.c_str(), nullptr, 10);
      if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked_ = true;
    }
    return "";
  }

  int status() const { return status_; }

  // Body bytes: 0 at the end, -1 on an error.
  long read_body(char* out, std::size_t size) {
    if (chunked_) {
      if (chunk_left_ == 0) {
        if (chunks_done_) return 0;
        std::string line;
        if (started_chunks_ && !read_line(line)) return -1;  // the CRLF after the previous chunk
        started_chunks_ = true;
        if (!read_line(line)) return -1;
        chunk_left_ = std::strtoll(line.c_str(), nullptr, 16);
        if (chunk_left_ == 0) {
          chunks_done_ = true;
          return 0;
        }
      }
      long n = raw_read(out, std::min<std::size_t>(size, static_cast<std::size_t>(chunk_left_)));
      if (n > 0) chunk_left_ -= n;
      return n == 0 ? -1 : n;
    }
    if (remaining_ == 0) return 0;
    std::size_t want = remaining_ > 0 ? std::min<std::size_t>(size, static_cast<std::size_t>(remaining_)) : size;
    long n = raw_read(out, want);
    if (n > 0 && remaining_ > 0) remaining_ -= n;
    return n;
  }

  std::optional<std::string> read_all(std::size_t limit) {
    std::string body;
    char buffer[65536];
    for (;;) {
      long n = read_body(buffer, sizeof buffer);
      if (n < 0) return std::nullopt;
      if (n == 0) return body;
      body.append(buffer, static_cast<std::size_t>(n));
      if (body.size() > limit) return std::nullopt;
    }
  }

 private:
  long raw_read(char* out, std::size_t size) {
    if (begin_ < end_) {
      std::size_t n = std::min(size, end_ - begin_);
      std::memcpy(out, buffer_ + begin_, n);
      begin_ += n;
      return static_cast<long>(n);
    }
    ssize_t n = ::recv(fd_, out, size, 0);
    return n < 0 ? -1 : static_cast<long>(n);
  }

  bool fill() {
    if (begin_ < end_) return true;
    ssize_t n = ::recv(fd_, buffer_, sizeof buffer_, 0);
    if (n <= 0) return false;
    begin_ = 0;
    end_ = static_cast<std::size_t>(n);
    return true;
  }

  bool read_line(std::string& line) {
    line.clear();
    for (;;) {
      if (!fill()) return false;
      char c = buffer_[begin_++];
      if (c == '\n') {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return true;
      }
      line += c;
      if (line.size() > 65536) return false;
    }
  }

  int fd_ = -1;
  int status_ = 0;
  long long remaining_ = -1;  // -1: until the connection closes
  bool chunked_ = false;
  long long chunk_left_ = 0;
  bool chunks_done_ = false;
  bool started_chunks_ = false;
  char buffer_[16384];
  std::size_t begin_ = 0, end_ = 0;
};

std::string url_path_escape(std::string_view reference) {
  std::string out;
  for (unsigned char c : reference) {
    if (std::isalnum(c) || std::string_view("-._~/:@").find(static_cast<char>(c)) != std::string_view::npos) out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

// ------------------------------------------------------------ libarchive, loaded when needed

struct Libarchive {
  decltype(&archive_read_new) read_new = nullptr;
  decltype(&archive_read_support_format_tar) support_format_tar = nullptr;
  decltype(&archive_read_support_filter_all) support_filter_all = nullptr;
  decltype(&archive_read_open) read_open = nullptr;
  decltype(&archive_read_next_header) next_header = nullptr;
  decltype(&archive_read_data) read_data = nullptr;
  decltype(&archive_read_free) read_free = nullptr;
  decltype(&archive_error_string) error_string = nullptr;
  decltype(&archive_entry_pathname) pathname = nullptr;
  decltype(&archive_entry_filetype) filetype = nullptr;
  decltype(&archive_entry_perm) perm = nullptr;
  decltype(&archive_entry_uid) uid = nullptr;
  decltype(&archive_entry_gid) gid = nullptr;
  decltype(&archive_entry_size) size = nullptr;
  decltype(&archive_entry_symlink) symlink = nullptr;
  decltype(&archive_entry_hardlink) hardlink = nullptr;
  decltype(&archive_entry_xattr_reset) xattr_reset = nullptr;
  decltype(&archive_entry_xattr_next) xattr_next = nullptr;
  std::string problem;

  static const Libarchive& get() {
    static const Libarchive instance = load();
    return instance;
  }

 private:
  static Libarchive load() {
    Libarchive lib;
    void* handle = ::dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      lib.problem = fmt::format("libarchive cannot be loaded: {}", ::dlerror());
      return lib;
    }
    bool ok = true;
    const auto bind = [&](auto& function, const char* name) {
      function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(::dlsym(handle, name));
      if (!function) ok = false;
    };
    bind(lib.read_new, "archive_read_new");
    bind(lib.support_format_tar, "archive_read_support_format_tar");
    bind(lib.support_filter_all, "archive_read_support_filter_all");
    bind(lib.read_open, "archive_read_open");
    bind(lib.next_header, "archive_read_next_header");
    bind(lib.read_data, "archive_read_data");
    bind(lib.read_free, "archive_read_free");
    bind(lib.error_string, "archive_error_string");
    bind(lib.pathname, "archive_entry_pathname");
    bind(lib.filetype, "archive_entry_filetype");
    bind(lib.perm, "archive_entry_perm");
    bind(lib.uid, "archive_entry_uid");
    bind(lib.gid, "archive_entry_gid");
    bind(lib.size, "archive_entry_size");
    bind(lib.symlink, "archive_entry_symlink");
    bind(lib.hardlink, "archive_entry_hardlink");
    bind(lib.xattr_reset, "archive_entry_xattr_reset");
    bind(lib.xattr_next, "archive_entry_xattr_next");
    if (!ok) lib.problem = "libarchive lacks a function harden uses";
    return lib;
  }
};

// One layer's entries in archive order, applied to the merged tree later
// (layers arrive before the manifest that orders them).
struct LayerEntry {
  std::string path;
  enum class Kind { Add, Whiteout, Opaque } kind = Kind::Add;
  ImageFile file;
  std::string hardlink;  // a hard link to an earlier path
};

std::string entry_path(const char* raw) {
  std::string path = raw ? raw : "";
  while (path.starts_with("./")) path.erase(0, 2);
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path == ".") path.clear();
  return "/" + path;
}

constexpr std::size_t kMaxKeptFile = 256 * 1024;

bool keep_content(const std::string& path) { return path == "/etc/passwd" || path == "/etc/group"; }

struct ReadContext {
  const Libarchive* lib;
  const std::function<long(char*, std::size_t)>* read = nullptr;  // outer: the HTTP stream
  archive* outer = nullptr;                                       // inner: the outer entry's data
  char buffer[65536];
};

la_ssize_t read_callback(archive*, void* data, const void** out) {
  auto* context = static_cast<ReadContext*>(data);
  *out = context->buffer;
  if (context->outer) return context->lib->read_data(context->outer, context->buffer, sizeof context->buffer);
  long n = (*context->read)(context->buffer, sizeof context->buffer);
  return n < 0 ? ARCHIVE_FATAL : n;
}

// Reads one layer tar from the current entry of `outer`; false when the
// entry is not a tar archive.
bool read_layer(const Libarchive& lib, archive* outer, std::vector<LayerEntry>& entries) {
  archive* inner = lib.read_new();
  lib.support_format_tar(inner);
  lib.support_filter_all(inner);
  ReadContext context{&lib, nullptr, outer, {}};
  if (lib.read_open(inner, &context, nullptr, read_callback, nullptr) != ARCHIVE_OK) {
    lib.read_free(inner);
    return false;
  }
  archive_entry* entry = nullptr;
  bool any = false;
  int status;
  while ((status = lib.next_header(inner, &entry)) == ARCHIVE_OK || status == ARCHIVE_WARN) {
    any = true;
    LayerEntry item;
    item.path = entry_path(lib.pathname(entry));
    std::string base = item.path.substr(item.path.rfind('/') + 1);
    std::string parent = item.path.substr(0, item.path.rfind('/'));
    if (base == ".wh..wh..opq") {
      item.kind = LayerEntry::Kind::Opaque;
      item.path = parent.empty() ? "/" : parent;
      entries.push_back(std::move(item));
      continue;
    }
    if (base.starts_with(".wh.")) {
      item.kind = LayerEntry::Kind::Whiteout;
      item.path = (parent.empty() ? "" : parent) + "/" + base.substr(4);
      entries.push_back(std::move(item));
      continue;
    }
    ImageFile& file = item.file;
    unsigned type = lib.filetype(entry);
    file.type = type == AE_IFDIR ? ImageFile::Type::Directory
                : type == AE_IFLNK ? ImageFile::Type::Symlink
                : type == AE_IFREG ? ImageFile::Type::File
                                   : ImageFile::Type::Other;
    file.mode = static_cast<std::uint32_t>(lib.perm(entry));
    file.uid = static_cast<std::uint32_t>(lib.uid(entry));
    file.gid = static_cast<std::uint32_t>(lib.gid(entry));
    if (const char* link = lib.symlink(entry)) file.link = link;
    if (const char* hard = lib.hardlink(entry)) item.hardlink = entry_path(hard);
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    lib.xattr_reset(entry);
    while (lib.xattr_next(entry, &name, &value, &size) == ARCHIVE_OK)
      if (name && std::string_view(name) == "security.capability")
        file.file_caps = decode_file_capabilities(std::string_view(static_cast<const char*>(value), size));
    la_int64_t length = lib.size(entry);
    if (file.type == ImageFile::Type::File && item.hardlink.empty() && length > 0 &&
        static_cast<std::size_t>(length) <= kMaxKeptFile) {
      std::string content(static_cast<std::size_t>(length), '\0');
      la_ssize_t got = lib.read_data(inner, content.data(), content.size());
      if (got == length && (content.starts_with("#!") || keep_content(item.path))) file.content = std::move(content);
    }
    entries.push_back(std::move(item));
  }
  lib.read_free(inner);
  return any;
}

void apply_layer(const std::vector<LayerEntry>& entries, ImageFilesystem& fs) {
  const auto remove_below = [&](const std::string& path, bool keep_self) {
    auto it = fs.files.lower_bound(path);
    while (it != fs.files.end() && (it->first == path || (it->first.starts_with(path) && it->first.size() > path.size() && (path == "/" || it->first[path.size()] == '/')))) {
      if (keep_self && it->first == path) ++it;
      else it = fs.files.erase(it);
    }
  };
  for (const LayerEntry& item : entries) {
    if (item.kind == LayerEntry::Kind::Whiteout) remove_below(item.path, false);
    else if (item.kind == LayerEntry::Kind::Opaque) remove_below(item.path, true);
  }
  for (const LayerEntry& item : entries) {
    if (item.kind != LayerEntry::Kind::Add) continue;
    ImageFile file = item.file;
    if (!item.hardlink.empty()) {
      auto target = fs.files.find(item.hardlink);
      if (target != fs.files.end()) file = target->second;
      file.mode = item.file.mode ? item.file.mode : file.mode;
    }
    if (file.type != ImageFile::Type::Directory) remove_below(item.path, false);
    fs.files[item.path] = std::move(file);
  }
}

}  // namespace

std::string read_image_archive(const std::function<long(char*, std::size_t)>& read, ImageFilesystem& out) {
  const Libarchive& lib = Libarchive::get();
  if (!lib.problem.empty()) return lib.problem;
  archive* outer = lib.read_new();
  lib.support_format_tar(outer);
  ReadContext context{&lib, &read, nullptr, {}};
  if (lib.read_open(outer, &context, nullptr, read_callback, nullptr) != ARCHIVE_OK) {
    std::string problem = fmt::format("the image archive cannot be read: {}", lib.error_string(outer) ? lib.error_string(outer) : "?");
    lib.read_free(outer);
    return problem;
  }
  std::map<std::string, std::vector<LayerEntry>> layers;
  std::map<std::string, std::string> aliases;  // a layer stored once and linked
  std::vector<std::string> order;
  std::string problem;
  archive_entry* entry = nullptr;
  int status;
  while ((status = lib.next_header(outer, &entry)) == ARCHIVE_OK || status == ARCHIVE_WARN) {
    std::string name = entry_path(lib.pathname(entry)).substr(1);
    unsigned type = lib.filetype(entry);
    if (type == AE_IFLNK) {
      if (const char* link = lib.symlink(entry))
        aliases[name] = fs::path(name).parent_path().append(link).lexically_normal().generic_string();
      continue;
    }
    if (type != AE_IFREG) continue;
    if (name == "manifest.json") {
      la_int64_t length = lib.size(entry);
      if (length <= 0 || length > (1 << 24)) continue;
      std::string text(static_cast<std::size_t>(length), '\0');
      if (lib.read_data(outer, text.data(), text.size()) != length) continue;
      json manifest = json::parse(text, nullptr, false);
      if (manifest.is_array() && !manifest.empty() && manifest[0].contains("Layers") && manifest[0]["Layers"].is_array())
        for (const json& layer : manifest[0]["Layers"])
          if (layer.is_string()) order.push_back(layer.get<std::string>());
      continue;
    }
    if (name.ends_with(".json") || name == "repositories" || name == "oci-layout" || name.ends_with("/VERSION")) continue;
    std::vector<LayerEntry> entries;
    if (read_layer(lib, outer, entries)) layers[name] = std::move(entries);
  }
  if (status != ARCHIVE_EOF)
    problem = fmt::format("the image archive is cut short: {}", lib.error_string(outer) ? lib.error_string(outer) : "?");
  lib.read_free(outer);
  if (!problem.empty()) return problem;
  if (order.empty()) return "the image archive has no manifest.json";
  for (const std::string& layer : order) {
    std::string name = layer;
    for (int hops = 0; hops < 8 && !layers.count(name) && aliases.count(name); ++hops) name = aliases[name];
    auto found = layers.find(name);
    if (found == layers.end()) return fmt::format("the image archive lacks layer {}", layer);
    apply_layer(found->second, out);
  }
  return "";
}

// ------------------------------------------------------------ discovery

EngineEnvironment system_engine_environment() {
  return {[](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
  }};
}

namespace {

std::string docker_config_dir(const EngineEnvironment& env) {
  if (auto dir = env.getenv("DOCKER_CONFIG")) return *dir;
  if (auto home = env.getenv("HOME")) return *home + "/.docker";
  return "";
}

EngineEndpoint from_host(const std::string& host, std::string origin) {
  EngineEndpoint endpoint;
  endpoint.origin = std::move(origin);
  if (host.starts_with("unix://")) endpoint.socket = host.substr(7);
  else endpoint.problem = fmt::format("{} is {}: only unix:// sockets are supported (not tcp://, ssh:// or npipe://)", endpoint.origin, host);
  return endpoint;
}

}  // namespace

EngineEndpoint discover_engine(const EngineEnvironment& env) {
  if (auto host = env.getenv("DOCKER_HOST")) return from_host(*host, "DOCKER_HOST");
  std::string config_dir = docker_config_dir(env);
  std::optional<std::string> context = env.getenv("DOCKER_CONTEXT");
  if (!context && !config_dir.empty())
    if (auto text = read_text_file(config_dir + "/config.json")) {
      json config = json::parse(*text, nullptr, false);
      if (config.is_object() && config.contains("currentContext") && config["currentContext"].is_string())
        context = config["currentContext"].get<std::string>();
    }
  if (context && !context->empty() && *context != "default") {
    // Each context's meta.json sits in a folder named by the SHA-256 of
    // its name; reading the names finds it without hashing.
    std::error_code ec;
    std::string origin = fmt::format("docker context {}", *context);
    for (const auto& folder : fs::directory_iterator(config_dir + "/contexts/meta", ec)) {
      auto text = read_text_file(folder.path().string() + "/meta.json");
      if (!text) continue;
      json meta = json::parse(*text, nullptr, false);
      if (string_field(meta, "Name") != *context) continue;
      const json* host = nullptr;
      if (meta.contains("Endpoints") && meta["Endpoints"].contains("docker") && meta["Endpoints"]["docker"].contains("Host"))
        host = &meta["Endpoints"]["docker"]["Host"];
      if (host && host->is_string()) return from_host(host->get<std::string>(), origin);
      break;
    }
    EngineEndpoint endpoint;
    endpoint.origin = origin;
    endpoint.problem = fmt::format("{} has no readable endpoint under {}/contexts/meta", origin, config_dir);
    return endpoint;
  }
  std::vector<std::pair<std::string, std::string>> candidates = {{"/var/run/docker.sock", "the default Docker socket"}};
  if (auto runtime = env.getenv("XDG_RUNTIME_DIR")) {
    candidates.push_back({*runtime + "/docker.sock", "the rootless Docker socket"});
    candidates.push_back({*runtime + "/podman/podman.sock", "the Podman socket"});
  }
  candidates.push_back({"/run/podman/podman.sock", "the Podman socket"});
  std::string looked;
  for (const auto& [path, origin] : candidates) {
    std::error_code ec;
    if (fs::exists(path, ec)) return {path, origin, ""};
    looked += (looked.empty() ? "" : ", ") + path;
  }
  EngineEndpoint endpoint;
  endpoint.problem = fmt::format("no engine socket was found ({})", looked);
  return endpoint;
}

// ------------------------------------------------------------ cache

std::string image_cache_dir(const EngineEnvironment& env) {
  if (auto dir = env.getenv("XDG_CACHE_HOME")) return *dir + "/harden/images";
  if (auto home = env.getenv("HOME")) return *home + "/.cache/harden/images";
  return "";
}

namespace {
// Bump when what is derived changes: older entries are then ignored.
constexpr int kCacheFormat = 3;

std::string cache_file(const std::string& dir, const std::string& image_id) {
  std::string id = image_id.substr(image_id.find(':') == std::string::npos ? 0 : image_id.find(':') + 1);
  if (id.empty() || id.find_first_not_of("0123456789abcdef") != std::string::npos) return "";
  return dir + "/" + id + ".json";
}
}  // namespace

std::string facts_to_json(const ImageFacts& facts) {
  const auto grants = [](const std::vector<ImageGrant>& list) {
    json out = json::array();
    for (const ImageGrant& g : list) out.push_back({{"capability", g.capability}, {"reason", g.reason}});
    return out;
  };
  json tmpfs = json::array();
  for (const ImageTmpfs& t : facts.tmpfs) tmpfs.push_back({{"path", t.path}, {"options", t.options}, {"reason", t.reason}});
  const ImageConfig& c = facts.config;
  json out = {
      {"format", kCacheFormat},
      {"config",
       {{"id", c.id}, {"user", c.user}, {"entrypoint", c.entrypoint}, {"cmd", c.cmd}, {"env", c.env},
        {"working_dir", c.working_dir}, {"volumes", c.volumes}, {"exposed_ports", c.exposed_ports}, {"labels", c.labels}}},
      {"filesystem_read", facts.filesystem_read},
      {"filesystem_problem", facts.filesystem_problem},
      {"start_user", facts.start_user},
      {"starts_as_root", facts.starts_as_root},
      {"switches_user", facts.switches_user},
      {"capabilities", grants(facts.capabilities)},
      {"file_caps", grants(facts.file_caps)},
      {"tmpfs", tmpfs},
      {"notes", facts.notes}};
  return out.dump(1);
}

std::optional<ImageFacts> facts_from_json(std::string_view text) {
  json in = json::parse(text, nullptr, false);
  if (!in.is_object() || !in.contains("format") || !in["format"].is_number_integer() ||
      in["format"].get<int>() != kCacheFormat)
    return std::nullopt;
  try {
    ImageFacts facts;
    const json& c = in.at("config");
    facts.config.id = c.at("id").get<std::string>();
    facts.config.user = c.at("user").get<std::string>();
    facts.config.entrypoint = c.at("entrypoint").get<std::vector<std::string>>();
    facts.config.cmd = c.at("cmd").get<std::vector<std::string>>();
    facts.config.env = c.at("env").get<std::vector<std::string>>();
    facts.config.working_dir = c.at("working_dir").get<std::string>();
    facts.config.volumes = c.at("volumes").get<std::vector<std::string>>();
    facts.config.exposed_ports = c.at("exposed_ports").get<std::vector<std::string>>();
    facts.config.labels = c.at("labels").get<std::map<std::string, std::string>>();
    facts.filesystem_read = in.at("filesystem_read").get<bool>();
    facts.filesystem_problem = in.at("filesystem_problem").get<std::string>();
    facts.start_user = in.at("start_user").get<std::string>();
    facts.starts_as_root = in.at("starts_as_root").get<bool>();
    facts.switches_user = in.at("switches_user").get<bool>();
    for (const char* key : {"capabilities", "file_caps"})
      for (const json& g : in.at(key))
        (std::string_view(key) == "file_caps" ? facts.file_caps : facts.capabilities)
            .push_back({g.at("capability").get<std::string>(), g.at("reason").get<std::string>()});
    for (const json& t : in.at("tmpfs"))
      facts.tmpfs.push_back({t.at("path").get<std::string>(), t.at("options").get<std::string>(), t.at("reason").get<std::string>()});
    facts.notes = in.at("notes").get<std::vector<std::string>>();
    return facts;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::optional<ImageFacts> load_cached_facts(const std::string& dir, const std::string& image_id) {
  std::string path = cache_file(dir, image_id);
  if (dir.empty() || path.empty()) return std::nullopt;
  auto text = read_text_file(path, 16u << 20);
  if (!text) return std::nullopt;
  std::optional<ImageFacts> facts = facts_from_json(*text);
  if (facts && facts->config.id != image_id) return std::nullopt;
  return facts;
}

void store_cached_facts(const std::string& dir, const ImageFacts& facts) {
  std::string path = cache_file(dir, facts.config.id);
  if (dir.empty() || path.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string temporary = fmt::format("{}.{}.tmp", path, ::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return;
    out << facts_to_json(facts);
    if (!out) return;
  }
  fs::rename(temporary, path, ec);
  if (ec) fs::remove(temporary, ec);
}

// ------------------------------------------------------------ introspect

namespace {

std::vector<std::string> strings_of(const json& value) {
  std::vector<std::string> out;
  if (value.is_array())
    for (const json& item : value)
      if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

std::vector<std::string> keys_of(const json& value) {
  std::vector<std::string> out;
  if (value.is_object())
    for (const auto& [key, unused] : value.items()) out.push_back(key);
  return out;
}

ImageConfig parse_inspect(const json& inspect) {
  ImageConfig c;
  c.id = string_field(inspect, "Id");
  const json& config = inspect.contains("Config") && inspect["Config"].is_object() ? inspect["Config"] : json::object();
  if (config.contains("User") && config["User"].is_string()) c.user = config["User"].get<std::string>();
  if (config.contains("Entrypoint")) c.entrypoint = strings_of(config["Entrypoint"]);
  if (config.contains("Cmd")) c.cmd = strings_of(config["Cmd"]);
  if (config.contains("Env")) c.env = strings_of(config["Env"]);
  if (config.contains("WorkingDir") && config["WorkingDir"].is_string()) c.working_dir = config["WorkingDir"].get<std::string>();
  if (config.contains("Volumes")) c.volumes = keys_of(config["Volumes"]);
  if (config.contains("ExposedPorts")) c.exposed_ports = keys_of(config["ExposedPorts"]);
  if (config.contains("Labels") && config["Labels"].is_object())
    for (const auto& [key, value] : config["Labels"].items())
      if (value.is_string()) c.labels[key] = value.get<std::string>();
  return c;
}

struct EngineState {
  std::mutex mutex;
  bool discovered = false;
  EngineEndpoint endpoint;
  std::string unavailable;  // set once no engine answered: no second attempt
  std::string cache_dir;
  std::map<std::string, IntrospectionResult> results;
};

IntrospectionResult ask_engine(EngineState& state, const std::string& reference) {
  IntrospectionResult result;
  std::string where = fmt::format("unix://{} ({})", state.endpoint.socket, state.endpoint.origin);
  json inspect;
  {
    UnixHttp http;
    if (std::string problem = http.connect(state.endpoint.socket, 10); !problem.empty()) {
      state.unavailable = fmt::format("no engine answers at {}: {}", where, problem);
      result.missing = state.unavailable;
      return result;
    }
    if (std::string problem = http.get("/images/" + url_path_escape(reference) + "/json"); !problem.empty()) {
      state.unavailable = fmt::format("the engine at {} does not answer: {}", where, problem);
      result.missing = state.unavailable;
      return result;
    }
    if (http.status() == 404) {
      result.missing = fmt::format("image {} is not in the engine at {}", reference, where);
      return result;
    }
    std::optional<std::string> body = http.read_all(8u << 20);
    if (http.status() != 200 || !body) {
      result.missing = fmt::format("the engine at {} answered {} for image {}", where, http.status(), reference);
      return result;
    }
    inspect = json::parse(*body, nullptr, false);
  }
  if (!inspect.is_object()) {
    result.missing = fmt::format("the engine at {} sent no image description for {}", where, reference);
    return result;
  }
  ImageConfig config = parse_inspect(inspect);
  if (std::optional<ImageFacts> cached = load_cached_facts(state.cache_dir, config.id)) {
    result.facts = std::move(cached);
    return result;
  }
  ImageFilesystem filesystem;
  std::string problem;
  // The export streams every layer: past this size a first run would wait
  // too long, and the configuration alone is the evidence.
  constexpr double kMaxExportBytes = 4.0 * (1ull << 30);
  double size = inspect.contains("Size") && inspect["Size"].is_number() ? inspect["Size"].get<double>() : 0.0;
  if (size > kMaxExportBytes)
    problem = fmt::format("the image is {:.1f} GiB, over the 4 GiB whose files harden reads", size / (1ull << 30));
  if (problem.empty()) {
    UnixHttp http;
    problem = http.connect(state.endpoint.socket, 60);
    if (problem.empty()) problem = http.get("/images/" + url_path_escape(reference) + "/get");
    if (problem.empty() && http.status() != 200) problem = fmt::format("the engine answered {} to the export", http.status());
    if (problem.empty())
      problem = read_image_archive([&](char* out, std::size_t size) { return http.read_body(out, size); }, filesystem);
  }
  result.facts = derive_image_facts(config, problem.empty() ? &filesystem : nullptr, problem);
  store_cached_facts(state.cache_dir, *result.facts);
  return result;
}

}  // namespace

namespace {
std::mutex test_source_mutex;
std::function<IntrospectionResult(const std::string&)> test_source;
}  // namespace

void set_image_source_for_tests(std::function<IntrospectionResult(const std::string&)> source) {
  std::lock_guard<std::mutex> lock(test_source_mutex);
  test_source = std::move(source);
}

IntrospectionResult introspect_image(const std::string& reference) {
  {
    std::lock_guard<std::mutex> lock(test_source_mutex);
    if (test_source) return test_source(reference);
  }
  static EngineState state;
  std::lock_guard<std::mutex> lock(state.mutex);
  if (auto known = state.results.find(reference); known != state.results.end()) return known->second;
  if (!state.discovered) {
    state.discovered = true;
    EngineEnvironment env = system_engine_environment();
    state.endpoint = discover_engine(env);
    state.cache_dir = image_cache_dir(env);
    if (state.endpoint.socket.empty()) state.unavailable = state.endpoint.problem;
  }
  IntrospectionResult result;
  if (reference.find('$') != std::string::npos) result.missing = fmt::format("the image name {} uses variables", reference);
  else if (!state.unavailable.empty()) result.missing = state.unavailable;
  else result = ask_engine(state, reference);
  state.results[reference] = result;
  return result;
}

}  // namespace harden

#include "harden/compose.h"

#include <sys/stat.h>

#include <filesystem>

#include "harden/discovery.h"
#include "harden/read_file.h"

namespace harden {
namespace fs = std::filesystem;

namespace {

constexpr int kMaxMergeDepth = 16;

// Mappings a `<<` value brings in: one alias/mapping or a list of them.
void collect_merged(const Node* mapping, std::vector<const Node*>& out, int depth) {
  if (!mapping || depth > kMaxMergeDepth) return;
  for (const MapEntry& e : mapping->entries) {
    const Node* key = e.key->resolved();
    if (!key->is_scalar() || key->value != "<<" || key->scalar_style != ScalarStyle::Plain) continue;
    const Node* v = e.value->resolved();
    std::vector<const Node*> sources;
    if (v->is_mapping()) sources.push_back(v);
    else if (v->is_sequence())
      for (const SeqItem& item : v->items)
        if (item.value->resolved()->is_mapping()) sources.push_back(item.value->resolved());
    for (const Node* source : sources) {
      if (out.size() > 256) return;
      out.push_back(source);
      collect_merged(source, out, depth + 1);  // a merged mapping may merge others
    }
  }
}

const Node* lookup_in(const Node* mapping, std::string_view key) {
  if (!mapping || !mapping->is_mapping()) return nullptr;
  return mapping->get(key);
}

}  // namespace

FileStamp FileStamp::of(const std::string& path) {
  FileStamp stamp;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return stamp;
  stamp.exists = true;
  stamp.size = static_cast<std::uintmax_t>(info.st_size);
  stamp.modified_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  stamp.inode = static_cast<std::uintmax_t>(info.st_ino);
  return stamp;
}

std::optional<std::shared_ptr<const Document>> DocumentCache::find(const std::string& path, const FileStamp& stamp) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(path);
  if (it == entries_.end() || it->second.stamp != stamp) return std::nullopt;
  it->second.used = ++clock_;
  return it->second.doc;
}

std::shared_ptr<const Document> DocumentCache::find_loaded_from(const std::string& path, std::string_view text) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(path);
  if (it == entries_.end() || !it->second.doc || it->second.doc->text != text) return nullptr;
  it->second.used = ++clock_;
  return it->second.doc;
}

void DocumentCache::put(const std::string& path, const FileStamp& stamp, std::shared_ptr<const Document> doc) {
  std::lock_guard lock(mutex_);
  entries_[path] = Entry{std::move(doc), stamp, ++clock_};
  while (entries_.size() > capacity_) {
    auto oldest = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
      if (it->second.used < oldest->second.used) oldest = it;
    entries_.erase(oldest);
  }
}

const Document* RelatedFiles::load(const std::string& path) {
  if (auto it = loaded_.find(path); it != loaded_.end()) return it->second.get();
  FileStamp stamp = shared_ ? FileStamp::of(path) : FileStamp{};
  std::optional<std::shared_ptr<const Document>> cached = shared_ ? shared_->find(path, stamp) : std::nullopt;
  std::shared_ptr<const Document> doc = cached ? *cached : nullptr;
  if (!cached) {
    auto text = read_regular_file(path, limits_.max_bytes);
    if (auto* bytes = std::get_if<std::string>(&text)) {
      LoadOptions options;
      options.limits = limits_;
      doc = load_document(path, std::move(*bytes), options).document;
    }
    if (shared_) shared_->put(path, stamp, doc);
  }
  loaded_.emplace(path, doc);
  return doc.get();
}

bool is_true(const Node* node) {
  if (!node) return false;
  node = node->resolved();
  if (!node->is_scalar()) return false;
  const std::string& v = node->value;
  return v == "true" || v == "True" || v == "TRUE" || v == "yes" || v == "Yes" || v == "on" || v == "On";
}

std::string scalar_or_empty(const Node* node) {
  if (!node) return {};
  node = node->resolved();
  return node->is_scalar() ? node->value : std::string();
}

const MapEntry* Service::own(std::string_view key) const {
  if (!node || is_alias) return nullptr;
  return node->find(key);
}

std::optional<KeyLookup> Service::find(std::string_view key) const {
  if (!node) return std::nullopt;
  if (const MapEntry* e = node->find(key)) return KeyLookup{e->value, e, KeySource::Own, ""};
  for (const Node* m : merged)
    if (const MapEntry* e = m->find(key))
      return KeyLookup{e->value, e, KeySource::MergeKey, m->anchor.empty() ? "a merge key" : "&" + m->anchor};
  for (const auto& [mapping, origin] : inherited) {
    if (const Node* v = lookup_in(mapping, key)) return KeyLookup{v, nullptr, KeySource::Extends, origin};
    std::vector<const Node*> inner;
    collect_merged(mapping, inner, 0);
    for (const Node* m : inner)
      if (const Node* v = lookup_in(m, key)) return KeyLookup{v, nullptr, KeySource::Extends, origin};
  }
  return std::nullopt;
}

const Node* Service::value(std::string_view key) const {
  auto found = find(key);
  return found ? found->value : nullptr;
}

std::vector<std::string> base_files_for(const std::string& path) {
  fs::path p(path);
  std::string name = p.filename().string();
  auto parsed = parse_compose_name(name);
  if (!parsed || !parsed->separator) return {};
  std::vector<std::string> bases;
  for (const char* candidate : {"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}) {
    fs::path base = p.parent_path() / candidate;
    std::error_code ec;
    if (fs::is_regular_file(base, ec) && base.filename() != p.filename()) {
      bases.push_back(base.string());
      break;  // Compose uses the first it finds
    }
  }
  return bases;
}

namespace {

const Node* services_of(const Document* doc) {
  if (!doc || !doc->root()) return nullptr;
  const Node* root = doc->root()->resolved();
  if (!root->is_mapping()) return nullptr;
  const Node* services = root->get("services");
  return services ? services->resolved() : nullptr;
}

const Node* service_in(const Node* services, std::string_view name) {
  if (!services || !services->is_mapping()) return nullptr;
  const Node* s = services->get(name);
  return s && s->resolved()->is_mapping() ? s->resolved() : nullptr;
}

// Follows `extends` (depth-limited): the mappings a service inherits from.
void collect_extends(const Node* service, const Node* services, const std::string& here, const fs::path& dir,
                     const DocumentLoader& load, std::vector<std::pair<const Node*, std::string>>& out,
                     int depth) {
  if (!service || depth > kMaxMergeDepth) return;
  const Node* ext = service->get("extends");
  if (!ext) return;
  ext = ext->resolved();
  std::string target, file;
  if (ext->is_scalar()) target = ext->value;
  else if (ext->is_mapping()) {
    target = scalar_or_empty(ext->get("service"));
    file = scalar_or_empty(ext->get("file"));
  }
  if (target.empty()) return;
  const Node* other_services = services;
  std::string origin = "extends " + target;
  fs::path other_dir = dir;
  if (!file.empty()) {
    if (!load) return;
    fs::path other = dir / file;
    const Document* doc = load(other.lexically_normal().string());
    if (!doc) return;
    other_services = services_of(doc);
    origin += " in " + file;
    other_dir = other.parent_path();
  }
  const Node* base = service_in(other_services, target);
  if (!base || base == service) return;
  out.emplace_back(base, origin);
  collect_extends(base, other_services, here, other_dir, load, out, depth + 1);
}

}  // namespace

std::variant<ComposeFile, ComposeError> read_compose(const Document& doc, const DocumentLoader& load_related,
                                                     const std::vector<std::string>& base_paths) {
  ComposeFile file;
  file.doc = &doc;
  if (doc.documents.size() > 1)
    return ComposeError{"a compose file holds one YAML document; this one has several",
                        doc.documents[1].begin, true};
  if (!doc.root()) return ComposeError{"the file is empty (no YAML content)", 0, false};
  const Node* root = doc.root()->resolved();
  if (!root->is_mapping())
    return ComposeError{"the top level must be a mapping (services:, volumes:, ...)", root->content_begin, true};
  file.root = root;
  const MapEntry* services_entry = root->find("services");
  if (!services_entry) return file;
  const Node* services = services_entry->value->resolved();
  if (services->is_null()) return file;
  if (!services->is_mapping())
    return ComposeError{"'services' must be a mapping of service names", services->content_begin, true};
  file.services_entry = services_entry;
  file.services_node = services;

  fs::path dir = fs::path(doc.path).parent_path();
  std::vector<const Node*> base_services;
  if (load_related)
    for (const std::string& base : base_paths)
      if (const Document* bd = load_related(base)) base_services.push_back(services_of(bd));

  for (const MapEntry& e : services->entries) {
    const Node* key = e.key->resolved();
    if (!key->is_scalar()) return ComposeError{"a service name must be a string", key->content_begin, true};
    Service s;
    s.name = key->value;
    s.entry = &e;
    s.is_alias = e.value->is_alias();
    const Node* v = e.value->resolved();
    if (v->is_null()) {
      file.services.push_back(std::move(s));
      continue;
    }
    if (!v->is_mapping())
      return ComposeError{"service '" + s.name + "' must be a mapping", v->content_begin, true};
    s.node = v;
    collect_merged(v, s.merged, 0);
    collect_extends(v, services, doc.path, dir, load_related, s.inherited, 0);
    for (std::size_t i = 0; i < base_services.size(); ++i)
      if (const Node* base = service_in(base_services[i], s.name))
        s.inherited.emplace_back(base, fs::path(base_paths[i]).filename().string());
    file.services.push_back(std::move(s));
  }
  return file;
}

}  // namespace harden

// The Compose view of a document: services, and each service's keys as
// Compose resolves them through merge keys (`<<`), `extends` and the base
// file of an override file.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harden/document.h"
#include "harden/loader.h"

namespace harden {

// Where a service gets a key from.
enum class KeySource { Own, MergeKey, Extends, BaseFile };

struct KeyLookup {
  const Node* value = nullptr;
  const MapEntry* entry = nullptr;  // nullptr for keys from another file
  KeySource source = KeySource::Own;
  std::string origin;  // "&common", "extends web", "compose.yaml"
};

struct Service {
  std::string name;
  const MapEntry* entry = nullptr;  // the entry under `services`
  const Node* node = nullptr;       // its mapping; nullptr when not a mapping
  // The service is written as an alias of another node (`web2: *web`):
  // nothing can be added to it without changing the other.
  bool is_alias = false;
  // Mappings merged in through `<<`, in priority order.
  std::vector<const Node*> merged;
  // Values from `extends` (same or other file) and from the base file of an
  // override, in priority order, as nodes of their own documents.
  std::vector<std::pair<const Node*, std::string>> inherited;

  // The service's own entry for key, or nullptr.
  const MapEntry* own(std::string_view key) const;
  // The value Compose would use for key: own, then merged, then inherited.
  std::optional<KeyLookup> find(std::string_view key) const;
  const Node* value(std::string_view key) const;
};

// How to read another file (for `extends: {file: ...}` and base files).
// Returns nullptr when the file cannot be read or parsed.
using DocumentLoader = std::function<const Document*(const std::string& path)>;

// What tells a file's content apart without reading it: size, modification
// time and inode (an atomic rewrite replaces the inode).
struct FileStamp {
  bool exists = false;
  std::uintmax_t size = 0;
  std::int64_t modified_ns = 0;
  std::uintmax_t inode = 0;
  bool operator==(const FileStamp&) const = default;
  static FileStamp of(const std::string& path);
};

// Documents loaded during a batch as related files (bases of override
// files, `extends` targets), shared by its workers (thread-safe): a base
// is loaded once for all its override files, and again for itself only if
// it changed. An entry serves only while the file's stamp is unchanged:
// once a --write rewrites the base, it is read again. Holds at most
// `capacity` documents; one in use stays alive until its user is done.
class DocumentCache {
 public:
  explicit DocumentCache(std::size_t capacity = 16) : capacity_(capacity) {}
  // The cached entry for `path` if its stamp is `stamp`, or nothing. An
  // entry's document is null for a file that is missing or not YAML.
  std::optional<std::shared_ptr<const Document>> find(const std::string& path, const FileStamp& stamp);
  // The cached document of `path` if it was loaded from exactly `text`.
  std::shared_ptr<const Document> find_loaded_from(const std::string& path, std::string_view text);
  void put(const std::string& path, const FileStamp& stamp, std::shared_ptr<const Document> doc);

 private:
  struct Entry {
    std::shared_ptr<const Document> doc;
    FileStamp stamp;
    std::uint64_t used = 0;
  };
  std::size_t capacity_;
  std::uint64_t clock_ = 0;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

// Reads the files that `extends` and override files refer to, once each,
// for the length of one file's processing (through `shared` when given). A
// file that cannot be read or parsed is remembered as missing.
class RelatedFiles {
 public:
  explicit RelatedFiles(const Limits& limits, DocumentCache* shared = nullptr) : limits_(limits), shared_(shared) {}
  const Document* load(const std::string& path);
  DocumentLoader loader() {
    return [this](const std::string& path) { return load(path); };
  }

 private:
  Limits limits_;
  DocumentCache* shared_;
  std::map<std::string, std::shared_ptr<const Document>> loaded_;  // kept alive for this file
};

struct ComposeFile {
  const Document* doc = nullptr;
  const Node* root = nullptr;
  const Node* services_node = nullptr;  // nullptr when the file has no services
  const MapEntry* services_entry = nullptr;
  std::vector<Service> services;
};

struct ComposeError {
  std::string message;
  std::size_t offset = 0;
  bool located = false;
};

// Builds the Compose view. `load_related` (may be empty) reads the files that
// `extends` and override files refer to; `base_paths` lists base files whose
// services this file overrides (docker-compose.override.yml over
// docker-compose.yml), already resolved by the caller.
std::variant<ComposeFile, ComposeError> read_compose(const Document& doc, const DocumentLoader& load_related = {},
                                                     const std::vector<std::string>& base_paths = {});

// The base files an override file applies to, by Compose's naming
// (`compose.override.yaml` and `compose.prod.yaml` over `compose.yaml`...),
// that exist beside it.
std::vector<std::string> base_files_for(const std::string& path);

// Helpers over Compose values.
bool is_true(const Node* node);             // true, "true", True...
std::string scalar_or_empty(const Node* node);  // a scalar's value, or ""

}  // namespace harden

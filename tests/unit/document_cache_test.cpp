// The batch's shared documents: a base file is loaded once for all its
// override files and for itself, and read again once it changes on disk
// (a --write of the base in the same run).
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "harden/compose.h"
#include "harden/pipeline.h"

using namespace harden;
namespace fs = std::filesystem;

namespace {

struct Folder {
  fs::path path;
  Folder() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() /
           ("harden-document-cache-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary | std::ios::trunc) << text;
    return (path / name).string();
  }
};

std::size_t open_findings(const FileResult& r) {
  std::size_t n = 0;
  for (const Finding& f : r.findings) n += f.waived ? 0 : 1;
  return n;
}

const std::string kBase = "services:\n  web:\n    image: nginx\n";
const std::string kOverride = "services:\n  web:\n    environment:\n      - A=1\n";

}  // namespace

TEST_CASE("document cache: an override file sees its base as it is on disk now") {
  Folder folder;
  std::string base = folder.write("compose.yaml", kBase);
  std::string override_file = folder.write("compose.override.yaml", kOverride);
  DocumentCache cache;
  Options options;

  FileResult before = process_file(override_file, options, &cache);
  REQUIRE_FALSE(before.error);
  CHECK(open_findings(before) == 4);  // H102..H105 for the base's nginx

  // The base is processed (and, as --write would, rewritten) in the same run.
  FileResult hardened = process_file(base, options, &cache);
  REQUIRE(hardened.changed);
  folder.write("compose.yaml", hardened.output);

  FileResult after = process_file(override_file, options, &cache);
  REQUIRE_FALSE(after.error);
  CHECK(open_findings(after) == 0);  // the base now sets everything
}

TEST_CASE("document cache: a base met first as an override's base is not loaded again") {
  Folder folder;
  std::string base = folder.write("compose.yaml", kBase);
  std::string override_file = folder.write("compose.override.yaml", kOverride);
  DocumentCache cache;
  process_file(override_file, Options{}, &cache);

  auto entry = cache.find(base, FileStamp::of(base));
  REQUIRE(entry);
  std::shared_ptr<const Document> cached = *entry;
  REQUIRE(cached);
  CHECK(cached->text == kBase);
  // Processing the base itself gives the same result with or without the cache.
  FileResult shared = process_file(base, Options{}, &cache);
  FileResult alone = process_file(base, Options{});
  CHECK(shared.output == alone.output);
  CHECK(shared.findings.size() == alone.findings.size());
  CHECK(cache.find(base, FileStamp::of(base)) == cached);
}

TEST_CASE("document cache: a missing file is remembered as missing until it appears") {
  Folder folder;
  std::string path = (folder.path / "compose.yaml").string();
  DocumentCache cache;
  RelatedFiles first(Limits{}, &cache);
  CHECK(first.load(path) == nullptr);
  folder.write("compose.yaml", kBase);
  RelatedFiles second(Limits{}, &cache);
  const Document* doc = second.load(path);
  REQUIRE(doc);
  CHECK(doc->text == kBase);
}

TEST_CASE("document cache: holds at most its capacity, least recently used out first") {
  Folder folder;
  DocumentCache cache(2);
  std::string a = folder.write("a.yaml", "a: 1\n");
  std::string b = folder.write("b.yaml", "b: 1\n");
  std::string c = folder.write("c.yaml", "c: 1\n");
  RelatedFiles related(Limits{}, &cache);
  related.load(a);
  related.load(b);
  cache.find(a, FileStamp::of(a));  // a is now more recent than b
  related.load(c);
  CHECK(cache.find(a, FileStamp::of(a)));
  CHECK_FALSE(cache.find(b, FileStamp::of(b)));
  CHECK(cache.find(c, FileStamp::of(c)));
}

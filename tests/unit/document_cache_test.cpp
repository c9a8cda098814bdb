// The batch's shared documents: a base file is loaded once for all its
// override files and for itself, and read again once it changes on disk
// (a --write of the base in the same run).
#include <doctest/doctest.h>

#include <string>

#include "harden/compose.h"
#include "harden/pipeline.h"
#include "temp_dir.h"

using namespace harden;
namespace {

using harden::testing::TempDir;

std::size_t open_findings(const FileResult& r) {
  std::size_t n = 0;
  for (const Finding& f : r.findings) n += f.waived ? 0 : 1;
  return n;
}

const std::string kBase = "services:\n  web:\n    image: nginx\n";
const std::string kOverride = "services:\n  web:\n    environment:\n      - A=1\n";

}  // namespace

TEST_CASE("document cache: an override file sees its base as it is on disk now") {
  TempDir folder;
  std::string base = folder.write("compose.yaml", kBase).string();
  std::string override_file = folder.write("compose.override.yaml", kOverride).string();
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
  TempDir folder;
  std::string base = folder.write("compose.yaml", kBase).string();
  std::string override_file = folder.write("compose.override.yaml", kOverride).string();
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
  TempDir folder;
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
  TempDir folder;
  DocumentCache cache(2);
  std::string a = folder.write("a.yaml", "a: 1\n").string();
  std::string b = folder.write("b.yaml", "b: 1\n").string();
  std::string c = folder.write("c.yaml", "c: 1\n").string();
  RelatedFiles related(Limits{}, &cache);
  related.load(a);
  related.load(b);
  cache.find(a, FileStamp::of(a));  // a is now more recent than b
  related.load(c);
  CHECK(cache.find(a, FileStamp::of(a)));
  CHECK_FALSE(cache.find(b, FileStamp::of(b)));
  CHECK(cache.find(c, FileStamp::of(c)));
}

// What a run says beside its findings: a file with nothing to check, and a
// waiver that names no rule.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "harden/options.h"
#include "harden/pipeline.h"

using harden::FileResult;
using harden::Options;

namespace {

bool has_note(const FileResult& r, std::string_view text) {
  return std::any_of(r.notes.begin(), r.notes.end(),
                     [&](const std::string& note) { return note.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("notes: a file with no services is said to be unchecked") {
  FileResult k8s = harden::process_text("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n", Options{});
  CHECK(k8s.no_services);
  CHECK(has_note(k8s, "no services: key"));
  CHECK_FALSE(k8s.changed);

  FileResult typo = harden::process_text("compose.yaml", "servces:\n  web:\n    image: nginx\n", Options{});
  CHECK(typo.no_services);

  // A file of includes only is a Compose file; so is one with no service yet.
  FileResult includes = harden::process_text("compose.yaml", "include:\n  - other.yaml\n", Options{});
  CHECK_FALSE(includes.no_services);
  FileResult empty = harden::process_text("compose.yaml", "services: {}\n", Options{});
  CHECK_FALSE(empty.no_services);
  FileResult web = harden::process_text("compose.yaml", "services:\n  web:\n    image: nginx\n", Options{});
  CHECK_FALSE(web.no_services);
  CHECK_FALSE(has_note(web, "no services"));
}

TEST_CASE("notes: a waiver that names no rule is reported with its line; known names are not") {
  const std::string text =
      "services:\n"
      "  web:  # harden: ignore[H1O4, read-only-rootfs] -- typo\n"
      "    image: nginx\n"
      "    privileged: true  # harden: ignore[h101,no-such-rule]\n";
  FileResult r = harden::process_text("compose.yaml", text, Options{});
  CHECK(has_note(r, "line 2: the waiver ignore[...] names 'H1O4'"));
  CHECK(has_note(r, "line 4: the waiver ignore[...] names 'no-such-rule'"));
  CHECK_FALSE(has_note(r, "'read-only-rootfs'"));
  CHECK_FALSE(has_note(r, "'h101'"));
  CHECK(std::count_if(r.notes.begin(), r.notes.end(),
                      [](const std::string& n) { return n.find("waiver") != std::string::npos; }) == 2);
}

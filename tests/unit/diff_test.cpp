// The unified diff of --diff: headers as git writes them, hunks with context.
#include <doctest/doctest.h>

#include <string>

#include "harden/diff.h"

using harden::unified_diff;

TEST_CASE("diff: headers name the file under a/ and b/, an absolute path as git writes it") {
  std::string before = "services:\n  web:\n    image: nginx\n";
  std::string after = "services:\n  web:\n    image: nginx\n    read_only: true\n";
  CHECK(unified_diff(before, after, "svc/compose.yml", 3, false) ==
        "--- a/svc/compose.yml\n+++ b/svc/compose.yml\n@@ -1,3 +1,4 @@\n services:\n   web:\n     image: nginx\n"
        "+    read_only: true\n");
  std::string absolute = unified_diff(before, after, "/srv/app/compose.yml", 3, false);
  CHECK(absolute.starts_with("--- a/srv/app/compose.yml\n+++ b/srv/app/compose.yml\n"));
}

TEST_CASE("diff: no change, no output") { CHECK(unified_diff("a: 1\n", "a: 1\n", "x.yml", 3, false).empty()); }

// H112 no-dangerous-cap-add and the audit read capabilities from one table.
#include <doctest/doctest.h>

#include <string>

#include "harden/capabilities.h"
#include "harden/options.h"
#include "harden/pipeline.h"

namespace {

bool h112_flags(const std::string& capability) {
  harden::Options options;
  options.select = {"H112"};
  harden::FileResult r = harden::process_text(
      "compose.yaml", "services:\n  web:\n    image: nginx\n    cap_add: [" + capability + "]\n", options);
  return !r.findings.empty();
}

}  // namespace

TEST_CASE("H112: flags exactly the dangerous capabilities of the shared table, in any spelling") {
  int dangerous = 0;
  for (const std::string& cap : harden::all_capabilities()) {
    CAPTURE(cap);
    CHECK(h112_flags(cap) == harden::is_dangerous_capability(cap));
    CHECK(h112_flags("cap_" + cap) == harden::is_dangerous_capability(cap));
    dangerous += harden::is_dangerous_capability(cap);
  }
  CHECK(dangerous == 14);  // and ALL
  CHECK(h112_flags("ALL"));
  CHECK(harden::default_capabilities().size() == 14);
  for (const std::string& cap : harden::default_capabilities()) CHECK_FALSE(harden::is_dangerous_capability(cap));
}

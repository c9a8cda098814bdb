// Linux capabilities as Docker hands them out: one table for the rules and
// the audit, so that both judge a file the same way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace harden {

// Docker's default set (moby oci/caps/defaults.go), in the order people
// know it.
const std::vector<std::string>& default_capabilities();

// Every capability Linux knows (what `privileged` and `cap_add: [ALL]` give).
const std::vector<std::string>& all_capabilities();

// Capabilities that alone give a way out of the container or power over the
// host (H112), and ALL. `name` as normalise_capability gives it ("SYS_ADMIN").
bool is_dangerous_capability(std::string_view name);

}  // namespace harden

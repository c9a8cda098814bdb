// The command line: harden [OPTIONS] [PATH ...], harden rules, harden
// explain RULE, harden audit.
#pragma once

namespace harden {

int run_cli(int argc, char** argv);

}  // namespace harden

#!/usr/bin/env bash
# ctest entry of the runtime proof: set up the engine and images, run every
# stack hardened by HARDEN_BINARY, always tear down.
#   tests/e2e/ctest.sh HARDEN_BINARY
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
harden=${1:?usage: ctest.sh HARDEN_BINARY}
trap 'bash "$here/teardown.sh" >/dev/null 2>&1 || true' EXIT
bash "$here/setup.sh" || exit $?
bash "$here/run.sh" "$harden"

#!/usr/bin/env bash
# Runs a test that reads third-party data (the YAML test suite, the real
# Compose corpus, KICS's fixtures, the Compose schema) from the data
# directory, or explains why it cannot.
#
#   tests/needs_data.sh DATA_DIR PATH... -- COMMAND [ARGS...]
#
# Each PATH (relative to DATA_DIR) must exist. When one is missing the test
# is skipped with exit code 77 (ctest's SKIP_RETURN_CODE) and the reason on
# stderr; with CI=true it fails instead, so that a CI run never passes on
# data it did not have. A clone without the data directory beside it (the
# default is ../shared) can point HARDEN_DATA_DIR at one when configuring.
set -u
if [ $# -lt 3 ]; then
  echo "usage: $0 DATA_DIR PATH... -- COMMAND [ARGS...]" >&2
  exit 2
fi
data_dir=$1
shift
missing=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  [ -e "$data_dir/$1" ] || missing+=("$data_dir/$1")
  shift
done
if [ $# -eq 0 ]; then
  echo "usage: $0 DATA_DIR PATH... -- COMMAND [ARGS...]" >&2
  exit 2
fi
shift
if ((${#missing[@]})); then
  if [ "${CI:-}" = true ]; then
    echo "FAIL: this test needs ${missing[*]} and CI=true requires it" >&2
    exit 1
  fi
  echo "SKIPPED: this test needs ${missing[*]}, which is not here." >&2
  echo "SKIPPED: set HARDEN_DATA_DIR (cmake -DHARDEN_DATA_DIR=... or the environment) to a folder holding the data sets." >&2
  exit 77
fi
export HARDEN_DATA_DIR=$data_dir
exec "$@"

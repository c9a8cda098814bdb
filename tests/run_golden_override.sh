#!/usr/bin/env bash
# Golden tests of --to-override: each folder of DIR holds input.yml, an
# optional args file (extra arguments) and expected-override.yml, the exact
# output of
#   harden --no-config --to-override compose.override.yaml ARGS input.yml
# run inside the folder (print mode: the override on stdout, input.yml and
# the folder left untouched). An empty expected-override.yml means "nothing
# to override". scripts/regen-golden rewrites expected-override.yml; this
# runner never writes. A folder without input.yml, or fewer than MIN_CASES
# cases (default 1), fails the run.
# Usage: tests/run_golden_override.sh HARDEN_BIN DIR [MIN_CASES]
# Hermetic: what images the local engine holds must not change results.
export HARDEN_NO_ENGINE=1
set -u
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 HARDEN_BIN DIR [MIN_CASES]" >&2
  exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$2
min_cases=${3:-1}
passed=0
failed=0
for case_dir in "$dir"/*/; do
  case_dir=${case_dir%/}
  name=$(basename "$case_dir")
  if [ ! -f "$case_dir/input.yml" ]; then
    failed=$((failed + 1))
    echo "FAIL $name: no input.yml"
    continue
  fi
  args=()
  if [ -f "$case_dir/args" ]; then
    read -r -a args < "$case_dir/args" || true
  fi
  before=$(cd "$case_dir" && ls -A | sort | tr '\n' ' '; cksum < input.yml)
  actual_file=$(mktemp)
  (cd "$case_dir" && "$bin" --no-config --color never --to-override compose.override.yaml "${args[@]}" input.yml \
     >"$actual_file" 2>/dev/null)
  rc=$?
  after=$(cd "$case_dir" && ls -A | sort | tr '\n' ' '; cksum < input.yml)
  problem=
  if [ "$rc" != 0 ]; then
    problem="exit $rc"
  elif [ "$before" != "$after" ]; then
    problem="the folder or input.yml changed"
  elif [ ! -f "$case_dir/expected-override.yml" ]; then
    problem="no expected-override.yml"
  elif ! cmp -s "$actual_file" "$case_dir/expected-override.yml"; then
    problem="output differs"
  fi
  if [ -z "$problem" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: $problem"
    [ -f "$case_dir/expected-override.yml" ] && diff -u "$case_dir/expected-override.yml" "$actual_file" | head -40
  fi
  rm -f "$actual_file"
done
if [ $((passed + failed)) -lt "$min_cases" ]; then
  echo "FAIL: $((passed + failed)) cases in $dir, expected at least $min_cases"
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

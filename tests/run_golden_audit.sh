#!/usr/bin/env bash
# Golden tests of `harden audit`: each folder of DIR holds input.yml, args
# (extra arguments, may be empty) and expected.txt, the exact output of
#   harden audit --color never ARGS input.yml
# run inside the folder. scripts/regen-golden rewrites expected.txt; this
# runner never writes. A folder without input.yml, or fewer than MIN_CASES
# cases (default 1), fails the run: it never passes on nothing.
# Usage: tests/run_golden_audit.sh HARDEN_BIN DIR [MIN_CASES]
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
  actual=$(cd "$case_dir" && "$bin" audit --color never "${args[@]}" input.yml 2>&1; echo "exit $?")
  if [ -f "$case_dir/expected.txt" ] && [ "$actual" = "$(cat "$case_dir/expected.txt")" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    if [ -f "$case_dir/expected.txt" ]; then
      diff -u "$case_dir/expected.txt" <(printf '%s\n' "$actual") | head -40
    else
      echo "  no expected.txt"
    fi
  fi
done
if [ $((passed + failed)) -lt "$min_cases" ]; then
  echo "FAIL: $((passed + failed)) cases in $dir, expected at least $min_cases"
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

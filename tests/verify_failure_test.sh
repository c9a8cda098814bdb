#!/usr/bin/env bash
# The "verification failed" path of the whole pipeline: harden_with_corrupt_fix
# (harden plus one rule whose fix disagrees with its intent) must exit 2 on
# --write and --diff, name the verification failure, and leave the file
# byte-identical on its inode with no temporary file. The same binary with
# the rule quiet writes the file: the failure comes from the wrong fix.
#
# Usage: tests/verify_failure_test.sh HARDEN_BIN CORRUPT_BIN
set -u

HARDEN=${1:?usage: verify_failure_test.sh HARDEN_BIN CORRUPT_BIN}
CORRUPT=${2:?}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/harden-verify.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

FAILED=0
PASSED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1: $2"; }
check() { if eval "$2"; then pass "$1"; else fail "$1" "${3:-$2}"; fi; }

INPUT='services:
  web:
    image: nginx:1.27
    ports:
      - "8080:80"
'
fresh() {
  rm -rf "$WORK/d"
  mkdir -p "$WORK/d"
  printf '%s' "$INPUT" >"$WORK/d/compose.yml"
}
same_as_input() { [ "$(cat "$WORK/d/compose.yml"; echo x)" = "${INPUT}x" ]; }

# The test binary holds the shipped rules, in the same order, and H999 (the
# wrap took effect).
"$HARDEN" rules >"$WORK/shipped"
"$CORRUPT" rules >"$WORK/test-binary"
check "the test binary has the shipped rules and H999" \
  'grep -v "^H999 " "$WORK/test-binary" | cmp -s "$WORK/shipped" - && grep -q "^H999 " "$WORK/test-binary"' \
  "$(diff "$WORK/shipped" "$WORK/test-binary")"

# Control: the test binary with its rule quiet hardens the file.
fresh
HARDEN_CORRUPTION=none "$CORRUPT" --write --no-config "$WORK/d/compose.yml" >"$WORK/out" 2>&1
rc=$?
check "control: with H999 quiet, --write exits 0 and writes" '[ $rc -eq 0 ] && ! same_as_input' \
  "exit $rc: $(cat "$WORK/out")"
printf '%s' "$INPUT" >"$WORK/expected-input"
"$HARDEN" --no-config "$WORK/expected-input" >"$WORK/expected" 2>/dev/null
check "control: it writes what harden writes" 'cmp -s "$WORK/d/compose.yml" "$WORK/expected"'

for mode in unexplained wrong-value; do
  for flag in --write --diff; do
    fresh
    ino=$(stat -c %i "$WORK/d/compose.yml")
    HARDEN_CORRUPTION=$mode "$CORRUPT" "$flag" --no-config "$WORK/d/compose.yml" >"$WORK/out" 2>"$WORK/err"
    rc=$?
    name="$mode fix, $flag"
    check "$name: exit 2" '[ $rc -eq 2 ]' "exit $rc"
    check "$name: the error is the verification failure" \
      'grep -q "verification of the rewrite failed" "$WORK/err" "$WORK/out"' "$(cat "$WORK/err" "$WORK/out")"
    check "$name: the error names the path" 'grep -q "x-injected\|expected [0-9]* entries" "$WORK/err" "$WORK/out"' \
      "$(cat "$WORK/err")"
    check "$name: the file is byte-identical" 'same_as_input'
    check "$name: the file keeps its inode" '[ "$(stat -c %i "$WORK/d/compose.yml")" = "$ino" ]'
    check "$name: no temporary file" '[ -z "$(find "$WORK/d" -name ".*.harden-*")" ]'
  done
done

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]

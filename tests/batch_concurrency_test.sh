#!/usr/bin/env bash
# Batch concurrency (SPEC §8): thousands of files with failures mixed in give
# the same report, exit code and written files with -j 1 and with -j 8.
# Run with a ThreadSanitizer build (scripts/test does) a data race fails the
# run: TSAN_OPTIONS makes the sanitizer exit with 66.
#
# Usage: tests/batch_concurrency_test.sh HARDEN_BIN SHARED_DIR [COPIES]
# COPIES of ../shared/corpus/real (252 files each; default 10) plus, in each
# copy, the failures: invalid YAML, a file over --max-size, a NUL byte, a
# folder named like a compose file, a dangling symlink, a symlink loop and,
# for --write, a file whose rename fails (chattr +i) where chattr works.
# Hermetic: what images the local engine holds must not change results.
export HARDEN_NO_ENGINE=1
set -uo pipefail
HARDEN=$(realpath "$1")
SHARED=$(realpath "$2")
COPIES=${3:-10}
WORK=$(mktemp -d)
IMMUTABLE=()
cleanup() {
  for f in "${IMMUTABLE[@]}"; do chattr -i "$f" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"

PASSED=0
FAILED=0
pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1: $2"; FAILED=$((FAILED + 1)); }

# The tree: each corpus file alone in a folder, as compose.yaml, and the
# failures; copy-1 is built once and copied.
first=$WORK/tree/copy-1
for f in "$SHARED"/corpus/real/*.yml "$SHARED"/corpus/real/*.yaml; do
  [ -f "$f" ] || continue
  dir=$first/$(basename "$f" | tr '.' '_')
  mkdir -p "$dir"
  cp "$f" "$dir/compose.yaml"
done
bad=$first/zz-failures
mkdir -p "$bad"/{invalid,large,nul,folder,dangling,loop}
printf 'services:\n  web:\n    image: "nginx\n' > "$bad/invalid/compose.yaml"
{ printf 'services:\n  web:\n    image: nginx\n    labels:\n'
  seq -f '      l%.0f: "0000000000000000000000000000000000000000000000000000000000"' 1 4000; } > "$bad/large/compose.yaml"
printf 'services:\n  web:\n    image: nginx\0\n' > "$bad/nul/compose.yaml"
mkdir -p "$bad/folder/compose.yaml"
ln -s missing.yaml "$bad/dangling/compose.yaml"
ln -s compose.yaml "$bad/loop/compose.yaml"
for copy in $(seq 2 "$COPIES"); do cp -a "$first" "$WORK/tree/copy-$copy"; done
injected=$((COPIES * 6))
files=$(find "$WORK/tree" -name compose.yaml -type f | wc -l)
echo "tree: $files readable compose files and $injected injected failures in $COPIES copies"
# Each copy holds the 252 real files and three unreadable ones: a tree of far
# fewer has lost its corpus, and comparing two runs over nothing proves nothing.
if [ "$files" -lt $((COPIES * 250)) ]; then
  echo "FAIL tree: $files compose files, expected at least $((COPIES * 250)) ($SHARED/corpus/real has $(ls "$SHARED/corpus/real" 2>/dev/null | wc -l) entries)"
  echo "0 passed, 1 failed"
  exit 1
fi

# Reports carry a duration: drop it before comparing.
normalise() { sed -E 's/\([0-9.]+s\)//; s/"seconds": [0-9.]+/"seconds": X/'; }

# run NAME ARGS...: sets OUT (normalised stdout), ERR (normalised stderr), RC.
run() {
  "$HARDEN" "$@" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  OUT=$(normalise <"$WORK/out")
  ERR=$(normalise <"$WORK/err" | sort)
}

# --check, json and text, -j 1 against -j 8.
for format in json text; do
  run --check --format "$format" --max-size 200000 -j 1 "$WORK/tree"
  out1=$OUT err1=$ERR rc1=$RC
  run --check --format "$format" --max-size 200000 -j 8 "$WORK/tree"
  if [ "$RC" -eq 66 ] || grep -q 'ThreadSanitizer' "$WORK/err"; then
    fail "--check --format $format -j 8" "ThreadSanitizer: $(grep -m1 'WARNING\|ERROR' "$WORK/err")"
  elif [ "$rc1" -ne 2 ] || [ "$RC" -ne "$rc1" ]; then
    fail "--check --format $format exit code" "-j 1 gave $rc1, -j 8 gave $RC (expected 2: some files fail)"
  elif [ "$out1" != "$OUT" ] || [ "$err1" != "$ERR" ]; then
    fail "--check --format $format" "-j 1 and -j 8 differ: $(diff <(echo "$out1") <(echo "$OUT") | head -3 | tr '\n' '|')"
  else
    pass "--check --format $format: -j 1 and -j 8 give the same report ($(wc -l <"$WORK/out") lines) and exit $RC"
  fi
done

# The summary counts every failure as an error.
run --check --max-size 200000 -j 8 "$WORK/tree"
errors=$(grep -Eo '[0-9]+ errors?' "$WORK/out" "$WORK/err" | grep -Eo '^[^:]*:[0-9]+|^[0-9]+' | grep -Eo '[0-9]+$' | tail -1)
# Folders, dangling links and loops named like compose files are reported
# or skipped by discovery; the three bad files are always errors.
if [ "${errors:-0}" -ge $((COPIES * 3)) ]; then
  pass "summary counts the failures as errors ($errors errors for $((COPIES * 3)) bad files and $((COPIES * 3)) bad entries)"
else
  fail "summary errors" "expected at least $((COPIES * 3)), got '${errors:-none}': $(tail -1 "$WORK/out") $(tail -1 "$WORK/err")"
fi

# --write: two identical trees, -j 1 and -j 8; the results must be identical.
for side in one eight; do cp -a "$WORK/tree" "$WORK/$side"; done
chattr_works=0
for side in one eight; do
  for copy in $(seq 1 "$COPIES"); do
    target=$(find "$WORK/$side/copy-$copy" -name compose.yaml -type f | sort | head -1)
    if chattr +i "$target" 2>/dev/null; then IMMUTABLE+=("$target"); chattr_works=1; fi
  done
done
[ "$chattr_works" -eq 1 ] && echo "rename failures: one immutable file per copy (chattr +i)" ||
  echo "rename failures: not injected (chattr +i is not permitted here)"

"$HARDEN" --write --max-size 200000 -j 1 "$WORK/one" >"$WORK/out1" 2>"$WORK/err1"
rc1=$?
"$HARDEN" --write --max-size 200000 -j 8 "$WORK/eight" >"$WORK/out8" 2>"$WORK/err8"
rc8=$?
strip() { normalise <"$1" | sed "s|$WORK/[a-z]*/|TREE/|g" | sort; }
if [ "$rc8" -eq 66 ] || grep -q 'ThreadSanitizer' "$WORK/err8"; then
  fail "--write -j 8" "ThreadSanitizer: $(grep -m1 'WARNING\|ERROR' "$WORK/err8")"
elif [ "$rc1" -ne 2 ] || [ "$rc8" -ne 2 ]; then
  fail "--write exit code" "-j 1 gave $rc1, -j 8 gave $rc8 (expected 2: some files failed)"
elif [ "$(strip "$WORK/out1")" != "$(strip "$WORK/out8")" ] || [ "$(strip "$WORK/err1")" != "$(strip "$WORK/err8")" ]; then
  fail "--write report" "-j 1 and -j 8 differ: $(diff <(strip "$WORK/err1") <(strip "$WORK/err8") | head -3 | tr '\n' '|')"
elif ! diff -r --no-dereference "$WORK/one" "$WORK/eight" >"$WORK/tree-diff" 2>&1; then
  fail "--write files" "the written trees differ: $(head -3 "$WORK/tree-diff" | tr '\n' '|')"
else
  written=$(diff -rq "$WORK/tree" "$WORK/eight" 2>/dev/null | grep -c differ)
  pass "--write: -j 1 and -j 8 write the same $written files, report the same and exit 2"
fi

# Files that failed are byte-identical to the original.
untouched=1
for f in "${IMMUTABLE[@]}"; do
  rel=${f#"$WORK"/*/}
  cmp -s "$f" "$WORK/tree/$rel" || { untouched=0; fail "immutable file" "$rel changed"; }
done
for copy in $(seq 1 "$COPIES"); do
  for kind in invalid large nul; do
    rel=copy-$copy/zz-failures/$kind/compose.yaml
    cmp -s "$WORK/eight/$rel" "$WORK/tree/$rel" || { untouched=0; fail "failed file" "$rel changed"; }
  done
done
[ "$untouched" -eq 1 ] && pass "every file that failed is byte-identical afterwards"
leftovers=$(find "$WORK/one" "$WORK/eight" -name '*.harden-*' -o -name '.*.tmp*' | head -1)
[ -z "$leftovers" ] && pass "no temporary file left" || fail "temporary files" "$leftovers"

echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]

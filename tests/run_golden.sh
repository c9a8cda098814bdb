#!/usr/bin/env bash
# Golden tests for harden.
#
#   tests/run_golden.sh HARDEN_BIN GOLDEN_DIR [MIN_CASES]
#
# It never writes an expected file (scripts/regen-golden does). Fewer than
# MIN_CASES cases (default 1) fail the run: it never passes on nothing.
#
# Each folder GOLDEN_DIR/NAME/ is one case:
#   input.yml | input.yaml   the compose file (or the name given in `input-name`)
#   input-name               optional: one line, the input file's name (for cases
#                            where the name matters, e.g. compose.override.yml)
#   args                     optional: one line of extra arguments (may be empty)
#   expected.yml             expected stdout of `harden ARGS INPUT`
#   expected.diff            expected stdout of `harden --diff ARGS INPUT`, run
#                            from inside the case folder (paths read a/INPUT)
# or, for an error case:
#   expected-error           expected stderr of `harden ARGS INPUT`, without the
#                            run summary line (`1 file checked, ... (0.03s)`), which
#                            holds a timing
#   expected-exit            expected exit code (e.g. 2)
#   known-bad                optional marker: the expected files hold the output a
#                            user would want, which harden does not produce yet (the
#                            marker says why). Such a case is reported as KNOWN-BAD
#                            while it differs, and FAILS once it passes, so that the
#                            marker is removed.
# Other files (a Dockerfile, a base compose.yaml, ...) are copied along.
#
# Per case, in a temporary copy of the folder:
#   - stdout of `harden ARGS INPUT` == expected.yml, exit 0
#   - stdout of `harden --diff ARGS INPUT` == expected.diff, exit 1 (0 if empty)
#   - the input is untouched by both runs
#   - idempotence: harden on expected.yml (under the input's name) gives it back
#     byte for byte, and `--check` on it exits 0
#   - expected.diff applies onto the input with `git apply --check` and
#     `patch -p1 --dry-run`, and applying it yields expected.yml
#   - error cases: stderr == expected-error, exit == expected-exit, and the
#     input is untouched (also with --diff and --write)
# Prints one line per case and a final line `N passed, M failed`.
# Hermetic: what images the local engine holds must not change results.
export HARDEN_NO_ENGINE=1
set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 HARDEN_BIN GOLDEN_DIR [MIN_CASES]" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GOLDEN=$(cd "$2" && pwd)
MIN_CASES=${3:-1}
if [ ! -x "$BIN" ]; then echo "not executable: $BIN" >&2; exit 2; fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/harden-golden.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export NO_COLOR=1

passed=0
known_bad=0
failed=0
failed_names=()

input_name() { # $1 = case dir
  if [ -f "$1/input-name" ]; then
    head -n1 "$1/input-name" | tr -d '\r\n'
  elif [ -f "$1/input.yaml" ]; then
    echo input.yaml
  else
    echo input.yml
  fi
}

# the stderr of a run without its summary line (it holds a timing)
strip_summary() { grep -Ev '^[0-9]+ files? checked, .*\([0-9.]+s\)$' "$1" || true; }

# compare EXPECTED_FILE ACTUAL_FILE WHAT -> 0 if identical, else prints diff
compare() {
  if cmp -s "$1" "$2"; then return 0; fi
  echo "    $3 differs (--- expected +++ actual):"
  diff -u --label expected --label actual "$1" "$2" | sed 's/^/    /' | head -n 80
  return 1
}

run_case() { # $1 = case dir; prints problems, returns 0 on pass
  local src=$1 name ok=0
  name=$(basename "$src")
  local work="$TMP/$name"
  rm -rf "$work"; mkdir -p "$work/case"
  cp -a "$src/." "$work/case/"
  local in; in=$(input_name "$src")
  if [ ! -f "$src/$in" ]; then echo "    missing input file $in"; return 1; fi
  local args=()
  if [ -f "$src/args" ]; then read -r -a args < "$src/args" || true; fi
  cp -a "$src/$in" "$work/orig-input"
  local d="$work/case"

  if [ -f "$src/expected-exit" ]; then
    # ---- error case
    local want_exit; want_exit=$(tr -d ' \r\n' < "$src/expected-exit")
    (cd "$d" && "$BIN" "${args[@]}" "$in" >"$work/out" 2>"$work/err"); local rc=$?
    if [ "$rc" != "$want_exit" ]; then echo "    exit $rc, expected $want_exit"; ok=1; fi
    if [ -f "$src/expected-error" ]; then
      strip_summary "$work/err" > "$work/err.lines"
      compare "$src/expected-error" "$work/err.lines" "stderr" || ok=1
    else
      echo "    missing expected-error"; ok=1
    fi
    (cd "$d" && "$BIN" --diff "${args[@]}" "$in" >"$work/dout" 2>"$work/derr"); rc=$?
    if [ "$rc" != "$want_exit" ]; then echo "    --diff exit $rc, expected $want_exit"; ok=1; fi
    (cd "$d" && "$BIN" --write "${args[@]}" "$in" >"$work/wout" 2>"$work/werr"); rc=$?
    if [ "$rc" != "$want_exit" ]; then echo "    --write exit $rc, expected $want_exit"; ok=1; fi
    if ! cmp -s "$work/orig-input" "$d/$in"; then echo "    input file was modified"; ok=1; fi
  else
    # ---- normal case
    for f in expected.yml expected.diff; do
      if [ ! -f "$src/$f" ]; then echo "    missing $f"; return 1; fi
    done
    (cd "$d" && "$BIN" "${args[@]}" "$in" >"$work/out" 2>"$work/err"); local rc=$?
    if [ "$rc" != 0 ]; then echo "    exit $rc, expected 0; stderr:"; sed 's/^/      /' "$work/err" | head -5; ok=1; fi
    compare "$src/expected.yml" "$work/out" "output" || ok=1

    (cd "$d" && "$BIN" --diff "${args[@]}" "$in" >"$work/dout" 2>"$work/derr"); rc=$?
    local want_rc=1; [ -s "$src/expected.diff" ] || want_rc=0
    if [ "$rc" != "$want_rc" ]; then echo "    --diff exit $rc, expected $want_rc"; ok=1; fi
    compare "$src/expected.diff" "$work/dout" "diff" || ok=1
    if ! cmp -s "$work/orig-input" "$d/$in"; then echo "    input file was modified"; ok=1; fi

    # an empty diff means output == input
    if [ ! -s "$src/expected.diff" ] && ! cmp -s "$src/expected.yml" "$src/$in"; then
      echo "    expected.diff is empty but expected.yml differs from the input"; ok=1
    fi

    # idempotence: the expected output under the input's own name
    local idem="$work/idem"
    mkdir -p "$idem"; cp -a "$src/." "$idem/"; cp "$src/expected.yml" "$idem/$in"
    (cd "$idem" && "$BIN" "${args[@]}" "$in" >"$work/iout" 2>"$work/ierr"); rc=$?
    if [ "$rc" != 0 ]; then echo "    idempotence: exit $rc"; ok=1; fi
    compare "$src/expected.yml" "$work/iout" "idempotence (harden on expected.yml)" || ok=1
    (cd "$idem" && "$BIN" --check "${args[@]}" "$in" >/dev/null 2>"$work/cerr"); rc=$?
    if [ "$rc" != 0 ]; then echo "    idempotence: --check on expected.yml exits $rc"; sed 's/^/      /' "$work/cerr" | head -5; ok=1; fi

    # the diff applies and yields the expected output
    if [ -s "$src/expected.diff" ]; then
      local ap="$work/apply"
      mkdir -p "$ap"; cp -a "$src/." "$ap/"
      if ! (cd "$ap" && git apply --check "$src/expected.diff" >"$work/gerr" 2>&1); then
        echo "    git apply --check failed:"; sed 's/^/      /' "$work/gerr" | head -5; ok=1
      fi
      if ! (cd "$ap" && patch -p1 --dry-run --quiet < "$src/expected.diff" >"$work/perr" 2>&1); then
        echo "    patch -p1 --dry-run failed:"; sed 's/^/      /' "$work/perr" | head -5; ok=1
      fi
      if (cd "$ap" && git apply "$src/expected.diff" >/dev/null 2>&1); then
        compare "$src/expected.yml" "$ap/$in" "input + expected.diff (git apply)" || ok=1
      fi
    fi
  fi

  return $ok
}

for src in "$GOLDEN"/*/; do
  src=${src%/}
  [ -d "$src" ] || continue
  name=$(basename "$src")
  msgs=$(run_case "$src"); rc=$?
  if [ -f "$src/known-bad" ]; then
    if [ $rc -eq 0 ]; then
      echo "FAIL $name: passes now; remove its known-bad marker"
      failed=$((failed + 1))
      failed_names+=("$name")
    else
      echo "KNOWN-BAD $name: $(head -1 "$src/known-bad")"
      known_bad=$((known_bad + 1))
    fi
  elif [ $rc -eq 0 ]; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    [ -n "$msgs" ] && printf '%s\n' "$msgs"
    failed=$((failed + 1))
    failed_names+=("$name")
  fi
done

cases=$((passed + failed + known_bad))
if [ "$cases" -lt "$MIN_CASES" ]; then
  echo "FAIL: $cases cases in $GOLDEN, expected at least $MIN_CASES"
  failed=$((failed + 1))
fi
[ "${known_bad:-0}" -gt 0 ] && echo "${known_bad} known-bad cases (harden's output differs from the wanted one; see each marker)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Diffs that git applies, whatever form the path was given in: every golden
# case that changes its file is put in a real git repository as
# c/NAME/compose.yaml, and `harden --diff` is run on it as `x`, `./x`, an
# absolute path, a path through a symlinked folder (from the repository's
# root) and `.` (from the case's folder). Each diff must pass
# `git apply --check` at the root, and applying the first must give what
# `harden` prints for the file.
#
# Usage: tests/diff_paths_test.sh HARDEN_BIN GOLDEN_DIR [MIN_CASES]
set -u
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 HARDEN_BIN GOLDEN_DIR [MIN_CASES]" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GOLDEN=$(cd "$2" && pwd)
MIN_CASES=${3:-1}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/harden-diff-paths.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1 HOME=$WORK
REPO=$WORK/repo
mkdir -p "$REPO/c"
git -C "$REPO" init -q
ln -s "$REPO/c" "$WORK/link"

passed=0
failed=0
cases=()
for src in "$GOLDEN"/*/; do
  src=${src%/}
  name=$(basename "$src")
  # Cases whose file name matters, error cases and cases that change nothing
  # have no diff to apply.
  [ -f "$src/input-name" ] || [ -f "$src/expected-exit" ] || [ -f "$src/known-bad" ] && continue
  [ -f "$src/input.yml" ] && [ -s "$src/expected.diff" ] || continue
  # Arguments that name a file of the case folder hold only from inside it.
  grep -q -- '--config' "$src/args" 2>/dev/null && continue
  mkdir -p "$REPO/c/$name"
  cp -a "$src/." "$REPO/c/$name/"
  rm -f "$REPO/c/$name"/expected.* "$REPO/c/$name/args"
  mv "$REPO/c/$name/input.yml" "$REPO/c/$name/compose.yaml"
  cases+=("$name")
done
git -C "$REPO" add -A && git -C "$REPO" -c user.name=t -c user.email=t@t commit -qm cases

for name in "${cases[@]}"; do
  args=()
  if [ -f "$GOLDEN/$name/args" ]; then read -r -a args < "$GOLDEN/$name/args" || true; fi
  problems=""
  for form in x ./x absolute symlink .; do
    case $form in
      x) (cd "$REPO" && "$BIN" --diff "${args[@]}" "c/$name/compose.yaml") ;;
      ./x) (cd "$REPO" && "$BIN" --diff "${args[@]}" "./c/$name/compose.yaml") ;;
      absolute) (cd "$REPO" && "$BIN" --diff "${args[@]}" "$REPO/c/$name/compose.yaml") ;;
      symlink) (cd "$REPO" && "$BIN" --diff "${args[@]}" "$WORK/link/$name/compose.yaml") ;;
      .) (cd "$REPO/c/$name" && "$BIN" --diff "${args[@]}" .) ;;
    esac >"$WORK/patch" 2>"$WORK/err"
    rc=$?
    if [ "$rc" -ne 1 ] || [ ! -s "$WORK/patch" ]; then
      problems+=" [$form: exit $rc, $(wc -c <"$WORK/patch") bytes: $(head -c 200 "$WORK/err" | tr '\n' ' ')]"
    elif ! (cd "$REPO" && git apply --check "$WORK/patch" 2>"$WORK/err"); then
      problems+=" [$form: git apply --check: $(head -c 200 "$WORK/err" | tr '\n' ' ') ($(head -1 "$WORK/patch"))]"
    fi
  done
  # Applied, the first form gives the hardened file.
  (cd "$REPO" && "$BIN" "${args[@]}" "c/$name/compose.yaml" >"$WORK/want" 2>/dev/null)
  (cd "$REPO" && "$BIN" --diff "${args[@]}" "c/$name/compose.yaml" >"$WORK/patch" 2>/dev/null)
  if (cd "$REPO" && git apply "$WORK/patch" 2>"$WORK/err"); then
    cmp -s "$WORK/want" "$REPO/c/$name/compose.yaml" || problems+=" [applied diff differs from harden's output]"
    git -C "$REPO" checkout -q -- "c/$name/compose.yaml"
  else
    problems+=" [git apply: $(head -c 200 "$WORK/err" | tr '\n' ' ')]"
  fi
  if [ -z "$problems" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name:$problems"
  fi
done
if [ "${#cases[@]}" -lt "$MIN_CASES" ]; then
  echo "FAIL: ${#cases[@]} golden cases with a diff, expected at least $MIN_CASES"
  failed=$((failed + 1))
fi
echo "diffs of ${#cases[@]} golden cases in 5 path forms applied with git apply at the repository root"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

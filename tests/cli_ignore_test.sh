#!/usr/bin/env bash
# Ignores from the command line, against git itself: a real repository with
# .gitignore files above and inside the folder named on the command line.
# `harden --check DIR` processes exactly the files git does not ignore,
# `--no-ignore` processes them all, and a file named explicitly is processed
# even when git ignores it. Also the exit codes of --check: 1 when a file
# would change, 0 when none would.
#
# Usage: tests/cli_ignore_test.sh HARDEN_BIN
# Exits 77 (skipped) when git is missing.
set -u

HARDEN=${1:?usage: cli_ignore_test.sh HARDEN_BIN}
HARDEN=$(cd "$(dirname "$HARDEN")" && pwd)/$(basename "$HARDEN")
command -v git >/dev/null || { echo "SKIP: git is not installed"; exit 77; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/harden-ignore.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# git's verdicts from the repository's .gitignore files alone: no user's or
# system's excludes file (harden reads neither).
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME=$WORK/no-config

FAILED=0
PASSED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1: $2"; }

# A service with findings, so that every processed file shows in the report.
compose() {
  mkdir -p "$(dirname "$1")"
  printf 'services:\n  app:\n    image: alpine:3.20\n    privileged: true\n' >"$1"
}

REPO=$WORK/repo
mkdir -p "$REPO"
git -C "$REPO" init -q
# Above the named folder (apps/): the repository's top .gitignore.
printf 'from-above/\n*.generated.yml\n' >"$REPO/.gitignore"
# Inside it, at two depths, with a re-inclusion.
mkdir -p "$REPO/apps/b"
printf '*-ignored/\n!kept-ignored/\n' >"$REPO/apps/.gitignore"
printf 'compose.override.yml\n' >"$REPO/apps/b/.gitignore"
for f in a/compose.yml from-above/compose.yml tmp-ignored/compose.yml kept-ignored/compose.yml \
         b/compose.yml b/compose.override.yml c/docker-compose.generated.yml c/docker-compose.yml; do
  compose "$REPO/apps/$f"
done
ALL=$(cd "$REPO" && find apps -name '*.yml' | sort)

# What git ignores, asked of git file by file.
git_kept=""
git_ignored=""
for f in $ALL; do
  if git -C "$REPO" check-ignore -q "$f"; then git_ignored+="$f"$'\n'; else git_kept+="$f"$'\n'; fi
done
git_kept=$(printf '%s' "$git_kept" | sort)
git_ignored=$(printf '%s' "$git_ignored" | sort)
# The layout must exercise every kind of ignore, or the comparison proves little.
for f in apps/from-above/compose.yml apps/tmp-ignored/compose.yml apps/b/compose.override.yml \
         apps/c/docker-compose.generated.yml; do
  grep -qx "$f" <<<"$git_ignored" || fail "layout" "git does not ignore $f"
done
grep -qx apps/kept-ignored/compose.yml <<<"$git_kept" || fail "layout" "git ignores apps/kept-ignored/compose.yml"

# The files a run processed, from its JSON report, relative to the repository.
processed() {
  python3 -c '
import json, os, sys
report = json.load(sys.stdin)
for f in report["files"]:
    print(os.path.relpath(f["path"], sys.argv[1]))' "$REPO" | sort
}

cd "$REPO" || exit 2
out=$("$HARDEN" --check --no-config --format json "$REPO/apps" 2>"$WORK/err")
rc=$?
got=$(processed <<<"$out")
if [ "$got" = "$git_kept" ]; then pass "--check DIR processes what git keeps"
else fail "--check DIR processes what git keeps" "got [$(echo $got)], git keeps [$(echo $git_kept)]"; fi
[ "$rc" -eq 1 ] && pass "--check exits 1 when files would change" || fail "--check exit code" "$rc, expected 1"

# The same from inside the folder, named as `.`.
out=$(cd "$REPO/apps" && "$HARDEN" --check --no-config --format json . 2>"$WORK/err")
got=$(cd "$REPO/apps" && python3 -c '
import json, os, sys
for f in json.load(sys.stdin)["files"]:
    print(os.path.normpath(os.path.join("apps", f["path"])))' <<<"$out" | sort)
if [ "$got" = "$git_kept" ]; then pass "--check . inside the folder processes what git keeps"
else fail "--check . inside the folder" "got [$(echo $got)], git keeps [$(echo $git_kept)]"; fi

out=$("$HARDEN" --check --no-config --no-ignore --format json "$REPO/apps" 2>"$WORK/err")
got=$(processed <<<"$out")
if [ "$got" = "$ALL" ]; then pass "--no-ignore processes every file"
else fail "--no-ignore processes every file" "got [$(echo $got)], expected [$(echo $ALL)]"; fi

for f in apps/from-above/compose.yml apps/b/compose.override.yml; do
  out=$("$HARDEN" --check --no-config --format json "$REPO/$f" 2>"$WORK/err")
  rc=$?
  got=$(processed <<<"$out")
  if [ "$got" = "$f" ] && [ "$rc" -eq 1 ]; then pass "a file named explicitly is processed ($f)"
  else fail "a file named explicitly is processed ($f)" "got [$got], exit $rc"; fi
done

# --write leaves what git ignores alone; --check on the result exits 0.
before=$(sha256sum "$REPO/apps/tmp-ignored/compose.yml")
"$HARDEN" --write --no-config -q "$REPO/apps" >/dev/null 2>"$WORK/err"
rc=$?
[ "$rc" -eq 0 ] && pass "--write DIR exits 0" || fail "--write DIR" "exit $rc: $(cat "$WORK/err")"
[ "$before" = "$(sha256sum "$REPO/apps/tmp-ignored/compose.yml")" ] && pass "--write leaves an ignored file alone" \
  || fail "--write leaves an ignored file alone" "apps/tmp-ignored/compose.yml changed"
"$HARDEN" --check --no-config -q "$REPO/apps" >/dev/null 2>"$WORK/err"
rc=$?
[ "$rc" -eq 0 ] && pass "--check exits 0 when nothing would change" || fail "--check after --write" "exit $rc, expected 0"
"$HARDEN" --diff --no-config -q "$REPO/apps" >/dev/null 2>"$WORK/err"
rc=$?
[ "$rc" -eq 0 ] && pass "--diff exits 0 when nothing would change" || fail "--diff after --write" "exit $rc, expected 0"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]

#!/usr/bin/env bash
# Tests of scripts/harden-pr against real git repositories made here: a bare
# "remote" and a clone of it, in a temporary folder, with a local identity.
# Usage: tests/bot_test.sh HARDEN_BIN
# Hermetic: what images the local engine holds must not change results.
export HARDEN_NO_ENGINE=1
set -u
if [ $# -ne 1 ]; then
  echo "usage: $0 HARDEN_BIN" >&2
  exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
pr=$here/../scripts/harden-pr
[ -x "$bin" ] || { echo "no harden binary at $bin" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/harden-bot-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# No user or system git configuration leaks into the test.
export GIT_CONFIG_NOSYSTEM=1 HOME=$tmp/home GIT_TERMINAL_PROMPT=0
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global user.name "Bot Test"
git config --global user.email bot-test@example.invalid
git config --global commit.gpgsign false
git config --global advice.detachedHead false

# A PATH without gh, for the --open fallback.
nogh_path=
IFS=: read -r -a path_dirs <<<"$PATH"
for d in "${path_dirs[@]}"; do
  [ -n "$d" ] && [ -x "$d/gh" ] && continue
  nogh_path=${nogh_path:+$nogh_path:}$d
done

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then ok; else bad "$what"; fi
}
check_not() {  # check_not DESCRIPTION COMMAND...: the command fails
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then bad "$what"; else ok; fi
}

run_pr() {  # run_pr DIR ARGS... -> rc, out, err
  local dir=$1
  shift
  (cd "$dir" && PATH=$nogh_path "$pr" --harden "$bin" "$@" >"$tmp/out" 2>"$tmp/err")
  rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

# --- a repository with compose files in several folders -------------------
git init -q --bare "$tmp/remote.git"
git clone -q "$tmp/remote.git" "$tmp/work" 2>/dev/null
w=$tmp/work
cd "$w" || exit 2
git symbolic-ref HEAD refs/heads/main

cat >compose.yml <<'EOF'
# The front end.
services:
  web:
    image: nginx:1.25   # pinned
    ports: [ "8080:80" ]

    # privileged for the old plugin
    privileged: true
  cache:
      image: redis:7
      command: ["redis-server",   "--save", ""]
EOF
mkdir -p svc/api infra ops docs
cat >svc/api/docker-compose.yml <<'EOF'
version: "3.8"
services:
    api:
        image: "python:3.12-slim"
        environment:
            - DEBUG=0     # keep off
        volumes:
            - ./src:/app:ro
            - /:/host
        cap_add: [NET_BIND_SERVICE]
EOF
printf 'services:\r\n  worker:\r\n    image: busybox\r\n    command: sleep 1000\r\n' >infra/docker-compose-dev.yml
cat >ops/compose.prod.yaml <<'EOF'
services:
  db:
    image: postgres:16
    # data lives on the host
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata: {}
EOF
# Not a compose file: left alone.
cat >docs/config.yml <<'EOF'
services:
  web:
    privileged: true
EOF
git add -A
git commit -q -m "initial"
git push -q -u origin main 2>/dev/null
git --git-dir="$tmp/remote.git" symbolic-ref HEAD refs/heads/main
# An untracked compose file: neither read nor committed.
mkdir -p scratch
printf 'services:\n  x:\n    image: busybox\n    privileged: true\n' >scratch/compose.yml

compose_files=(compose.yml svc/api/docker-compose.yml infra/docker-compose-dev.yml ops/compose.prod.yaml)
# What harden prints for each original file: the branch must hold exactly that.
mkdir -p "$tmp/expected"
for f in "${compose_files[@]}"; do
  mkdir -p "$tmp/expected/$(dirname "$f")"
  "$bin" --no-config "$f" >"$tmp/expected/$f" 2>/dev/null
done
main_sha=$(git rev-parse main)

# --- 1. first run: branch created, committed, pushed, body written --------
run_pr "$w" --push --body-file "$tmp/body.md"
check "first run exits 0 (rc $rc: $err)" [ "$rc" = 0 ]
check "branch harden/compose created" git rev-parse -q --verify refs/heads/harden/compose
tip1=$(git rev-parse -q --verify refs/heads/harden/compose)
check "commit subject" [ "$(git log -1 --format=%s harden/compose 2>/dev/null)" = "Harden Docker Compose files (least privilege)" ]
body=$(git log -1 --format=%b harden/compose 2>/dev/null)
check "commit body lists compose.yml" grep -qxF -- "- compose.yml" <<<"$body"
check "commit body lists svc/api/docker-compose.yml" grep -qxF -- "- svc/api/docker-compose.yml" <<<"$body"
check "commit body has a summary" grep -q "finding" <<<"$body"
check "commit's parent is main" [ "$(git rev-parse harden/compose^ 2>/dev/null)" = "$main_sha" ]
check "pushed to the remote" [ "$(git --git-dir="$tmp/remote.git" rev-parse -q --verify refs/heads/harden/compose)" = "$tip1" ]
for f in "${compose_files[@]}"; do
  git --git-dir="$tmp/remote.git" show "harden/compose:$f" >"$tmp/pushed" 2>/dev/null
  check "pushed $f is harden's output of the original, byte for byte" cmp -s "$tmp/pushed" "$tmp/expected/$f"
  check_not "$f changed on the branch" cmp -s "$tmp/pushed" "$f"
done
pushed_root=$(git show harden/compose:compose.yml 2>/dev/null)
check "comments kept" grep -qF "    # privileged for the old plugin" <<<"$pushed_root"
check "odd flow spacing kept" grep -qF 'command: ["redis-server",   "--save", ""]' <<<"$pushed_root"
check_not "privileged removed" grep -q "privileged: true" <<<"$pushed_root"
check "CRLF kept" grep -q $'\r$' <(git show harden/compose:infra/docker-compose-dev.yml 2>/dev/null)
check "docs/config.yml untouched" git diff --quiet main harden/compose -- docs/config.yml
check "untracked compose file not committed" [ -z "$(git ls-tree -r --name-only harden/compose -- scratch 2>/dev/null)" ]
check "untracked compose file not changed" grep -q "privileged: true" scratch/compose.yml
check "only the compose files changed" [ "$(git diff --name-only main harden/compose | sort | tr '\n' ' ')" = "compose.yml infra/docker-compose-dev.yml ops/compose.prod.yaml svc/api/docker-compose.yml " ]
check "body file written" [ -s "$tmp/body.md" ]
check "body is the markdown report" grep -q '^## ' "$tmp/body.md"
check "body names compose.yml" grep -qF 'compose.yml' "$tmp/body.md"
check "body names svc/api/docker-compose.yml" grep -qF 'svc/api/docker-compose.yml' "$tmp/body.md"
check "body explains H101" grep -qF 'H101' "$tmp/body.md"
check "back on main afterwards" [ "$(git symbolic-ref --short HEAD)" = main ]
check "worktree clean afterwards" [ -z "$(git status --porcelain --untracked-files=no)" ]
check "main unchanged" [ "$(git rev-parse main)" = "$main_sha" ]

# --- 2. second run: a no-op ------------------------------------------------
run_pr "$w" --push --body-file "$tmp/body2.md"
check "second run exits 0 (rc $rc: $err)" [ "$rc" = 0 ]
check "second run makes no new commit" [ "$(git rev-parse harden/compose)" = "$tip1" ]
check "second run pushes nothing new" [ "$(git --git-dir="$tmp/remote.git" rev-parse refs/heads/harden/compose)" = "$tip1" ]
check "second run says it is up to date" grep -q "up to date" <<<"$err"
check "second run writes the same body" cmp -s "$tmp/body.md" "$tmp/body2.md"

# --- 3. the body on stdout without --body-file ------------------------------
run_pr "$w"
check "body on stdout (rc $rc)" grep -q '^## ' <<<"$out"

# --- 4. the base moves on: the existing branch is updated -------------------
mkdir -p svc/new
printf 'services:\n  queue:\n    image: rabbitmq:3\n' >svc/new/docker-compose.yaml
git add svc/new/docker-compose.yaml
git commit -q -m "add queue"
git push -q origin main 2>/dev/null
main2=$(git rev-parse main)
run_pr "$w" --push --body-file "$tmp/body3.md"
check "update run exits 0 (rc $rc: $err)" [ "$rc" = 0 ]
tip2=$(git rev-parse harden/compose)
check "branch moved to a new commit" [ "$tip2" != "$tip1" ]
check "branch rebuilt on the new main" [ "$(git rev-parse harden/compose^)" = "$main2" ]
check "still one commit on top of main" [ "$(git rev-list --count main..harden/compose)" = 1 ]
check "remote branch updated (force-with-lease)" [ "$(git --git-dir="$tmp/remote.git" rev-parse refs/heads/harden/compose)" = "$tip2" ]
check "new file hardened on the branch" grep -q "cap_drop" <(git show harden/compose:svc/new/docker-compose.yaml)
check "body mentions the new file" grep -qF 'svc/new/docker-compose.yaml' "$tmp/body3.md"
run_pr "$w" --push
check "and a run after the update is a no-op" [ "$(git rev-parse harden/compose)" = "$tip2" ]

# --- 5. a dirty worktree is refused ----------------------------------------
echo "# local edit" >>compose.yml
run_pr "$w" --push
check "dirty worktree: exit 3 (rc $rc)" [ "$rc" = 3 ]
check "dirty worktree: clear message" grep -q "uncommitted changes" <<<"$err"
check "dirty worktree: edit kept" grep -q "# local edit" compose.yml
check "dirty worktree: branch untouched" [ "$(git rev-parse harden/compose)" = "$tip2" ]
git checkout -q -- compose.yml
echo "# staged" >>ops/compose.prod.yaml
git add ops/compose.prod.yaml
run_pr "$w"
check "staged change: exit 3 (rc $rc)" [ "$rc" = 3 ]
git reset -q --hard

# --- 6. --open without gh prints what it would run --------------------------
run_pr "$w" --open --body-file "$tmp/body4.md"
check "--open without gh: exit 0 (rc $rc: $err)" [ "$rc" = 0 ]
check "--open without gh: prints gh pr create" grep -qF "gh pr create --base main --head harden/compose" <<<"$out"
check "--open without gh: names the body file" grep -qF -- "--body-file $tmp/body4.md" <<<"$out"
check "--open without gh: says gh is missing" grep -q "gh (GitHub CLI) not found" <<<"$err"

# --- 7. --open with a gh: create, then edit --------------------------------
mkdir -p "$tmp/fakegh"
cat >"$tmp/fakegh/gh" <<EOF
#!/usr/bin/env bash
echo "gh \$*" >>"$tmp/gh.log"
if [ "\$1 \$2" = "pr view" ]; then [ -f "$tmp/gh.opened" ]; exit; fi
if [ "\$1 \$2" = "pr create" ]; then touch "$tmp/gh.opened"; fi
exit 0
EOF
chmod +x "$tmp/fakegh/gh"
(cd "$w" && PATH=$tmp/fakegh:$PATH "$pr" --harden "$bin" --push --open --body-file "$tmp/body5.md" >/dev/null 2>&1)
check "--open with gh: gh pr create called" grep -qF "gh pr create --base main --head harden/compose --title Harden Docker Compose files (least privilege) --body-file $tmp/body5.md" "$tmp/gh.log"
(cd "$w" && PATH=$tmp/fakegh:$PATH "$pr" --harden "$bin" --push --open --body-file "$tmp/body5.md" >/dev/null 2>&1)
check "--open with gh: an open PR is edited" grep -qF "gh pr edit harden/compose --title" "$tmp/gh.log"

# --- 8. HARDEN-OPTIONS after -- ----------------------------------------------
run_pr "$w" --branch harden/only-privileged -- --select H101
check "harden options: exit 0 (rc $rc: $err)" [ "$rc" = 0 ]
only=$(git diff main harden/only-privileged 2>/dev/null)
check "harden options: privileged removed" grep -q "^-    privileged: true" <<<"$only"
check_not "harden options: nothing else added" grep -q "^+.*cap_drop" <<<"$only"

# --- 9. harden errors: nothing committed, exit 1 ----------------------------
printf 'services:\n  bad: [unclosed\n' >svc/new/docker-compose.yaml
git commit -q -am "break a file"
# (no such remote: the local main is the base)
run_pr "$w" --branch harden/broken --remote no-such-remote
check "harden error: exit 1 (rc $rc)" [ "$rc" = 1 ]
check_not "harden error: no branch left" git rev-parse -q --verify refs/heads/harden/broken
check "harden error: worktree clean" [ -z "$(git status --porcelain --untracked-files=no)" ]
check "harden error: back on main" [ "$(git symbolic-ref --short HEAD)" = main ]
git reset -q --hard HEAD^

# --- 10. usage and git errors ------------------------------------------------
run_pr "$w" --bogus
check "unknown option: exit 2 (rc $rc)" [ "$rc" = 2 ]
(cd "$w" && "$pr" --harden "$tmp/no-such-harden" >/dev/null 2>&1)
check "missing harden binary: exit 2" [ "$?" = 2 ]
mkdir -p "$tmp/not-a-repo"
run_pr "$tmp/not-a-repo"
check "not a git checkout: exit 4 (rc $rc)" [ "$rc" = 4 ]
run_pr "$w" --base no-such-branch
check "unknown base: exit 4 (rc $rc)" [ "$rc" = 4 ]

# --- 11. nothing to change: no commit, exit 0 -------------------------------
git init -q "$tmp/clean"
cd "$tmp/clean" || exit 2
for f in "${compose_files[@]}"; do
  mkdir -p "$(dirname "$f")"
  cp "$tmp/expected/$f" "$f"
done
git add -A
git commit -q -m "already hardened"
clean_sha=$(git rev-parse HEAD)
run_pr "$tmp/clean" --push --open
check "nothing to change: exit 0 (rc $rc: $err)" [ "$rc" = 0 ]
check "nothing to change: says so" grep -q "nothing to harden" <<<"$err"
check_not "nothing to change: no branch" git rev-parse -q --verify refs/heads/harden/compose
check "nothing to change: no commit" [ "$(git rev-parse HEAD)" = "$clean_sha" ]
check "nothing to change: no gh command printed" [ -z "$out" ]
git init -q "$tmp/empty"
(cd "$tmp/empty" && echo hi >README && git add README && git commit -q -m readme)
run_pr "$tmp/empty"
check "no compose file: exit 0 (rc $rc)" [ "$rc" = 0 ]
check "no compose file: says so" grep -q "no compose files" <<<"$err"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

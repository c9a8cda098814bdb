#!/usr/bin/env bash
# Robustness of the tool itself (SPEC §8): bad input gives exit 2, a
# one-line error naming the file, the file byte-identical afterwards and no
# temporary file left; unusual but valid input is hardened; write faults and
# signals never leave a partial file or a temporary file.
#
# Usage: tests/robustness_test.sh HARDEN_BIN
# Prints a line per check and "N passed, M failed" (and skipped checks).
# Hermetic: what images the local engine holds must not change results.
export HARDEN_NO_ENGINE=1
set -u

HARDEN=${1:?usage: robustness_test.sh HARDEN_BIN}
HARDEN=$(cd "$(dirname "$HARDEN")" && pwd)/$(basename "$HARDEN")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/harden-robust.XXXXXX")
chmod 755 "$WORK"
MOUNTS=()
cleanup() {
  local m
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  chattr -R -i "$WORK" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 2

PASSED=0
FAILED=0
SKIPPED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1: $2"; }
skip() { SKIPPED=$((SKIPPED + 1)); echo "SKIP $1: $2"; }

sha() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }
temp_files() { find "$WORK" -name '.*.harden-*' 2>/dev/null; }

# Runs harden with a time limit; sets OUT (stdout+stderr), RC and CPU_MS
# (user + system time: wall time means little on a loaded CI machine).
run() {
  local TIMEFORMAT='%3U %3S'
  { time timeout 20 "$HARDEN" "$@" >"$WORK/.out" 2>&1; } 2>"$WORK/.time"
  RC=$?
  OUT=$(cat "$WORK/.out")
  CPU_MS=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$WORK/.time")
  rm -f "$WORK/.out" "$WORK/.time"
}

# The lines of OUT that name PATH (the summary line does not).
lines_naming() { printf '%s\n' "$OUT" | grep -F -- "$1" ; }

# expect_refused NAME PATH LOCATED [harden options...]
# LOCATED: "loc" when the error must carry PATH:LINE:COL, "any" otherwise.
expect_refused() {
  local name=$1 path=$2 located=$3
  shift 3
  local before=""
  [ -f "$path" ] && before=$(sha "$path")
  run --write "$@" "$path"
  local problems=""
  [ "$RC" -eq 2 ] || problems+=" exit $RC (want 2);"
  local named
  named=$(lines_naming "$path")
  local count
  count=$(printf '%s' "$named" | grep -c '' || true)
  [ "$count" -eq 1 ] || problems+=" $count lines name the file (want 1);"
  if [ "$located" = loc ] && ! printf '%s\n' "$named" | grep -Eq -- "^$(printf '%s' "$path" | sed 's/[.[\*^$/]/\\&/g'):[0-9]+:[0-9]+: error: "; then
    problems+=" error not located as FILE:LINE:COL;"
  fi
  if [ -n "$before" ] && [ "$(sha "$path")" != "$before" ]; then problems+=" file changed;"; fi
  [ -z "$(temp_files)" ] && : || problems+=" temporary file left: $(temp_files | head -1);"
  [ "$CPU_MS" -lt 5000 ] || problems+=" took $CPU_MS ms of CPU;"
  if [ -z "$problems" ]; then
    pass "$name -> $(printf '%s' "$named" | head -1 | cut -c1-110)"
  else
    fail "$name" "$problems output: $(printf '%s' "$OUT" | head -3 | tr '\n' '|' | cut -c1-300)"
  fi
}

# A fixed pseudo-random byte pattern (deterministic "binary data").
binary_pattern() {
  LC_ALL=C awk -v n="$1" 'BEGIN { x = 12345; s = "";
    for (i = 0; i < n; i++) { x = (x * 1103515245 + 12345) % 2147483648; b = int(x / 65536) % 256;
      if (i == 0) b = 127 + 64;  # not a byte-order mark
      s = s sprintf("\\%03o", b) }
    printf "%s", s }' | { IFS= read -r esc; printf "$esc"; }
}

VALID=$'services:\n  web:\n    image: nginx:1.25\n'

echo "== bad input: exit 2, one-line error, file untouched, no temporary file"
mkdir -p bad && cd bad || exit 2
: > empty.yml;                                      expect_refused "empty file" empty.yml any
printf '# only\n# comments\n\n' > comments.yml;     expect_refused "comments only" comments.yml any
printf -- '- a\n- b\n' > list.yml;                  expect_refused "top-level list" list.yml loc
printf 'just a scalar\n' > scalar.yml;              expect_refused "top-level scalar" scalar.yml loc
printf 'services: 5\n' > svc-scalar.yml;            expect_refused "services not a mapping" svc-scalar.yml loc
printf 'services:\n  - web\n' > svc-list.yml;       expect_refused "services a list" svc-list.yml loc
printf 'services:\n  web: nginx\n' > svc-one.yml;   expect_refused "a service that is a scalar" svc-one.yml loc
printf 'services:\n  web:\n    image: "nginx\n' > quote.yml; expect_refused "unterminated double quote" quote.yml loc
printf "services:\n  web:\n    image: 'nginx\n" > squote.yml; expect_refused "unterminated single quote" squote.yml loc
printf 'services:\n\tweb:\n\t\timage: nginx\n' > tab.yml; expect_refused "tab indentation" tab.yml loc
printf 'services:\n  web:\n    image: ng\xffinx\n' > utf8.yml; expect_refused "invalid UTF-8" utf8.yml loc
printf 'services:\n  web:\n    image: \xc0\xafx\n' > overlong.yml; expect_refused "overlong UTF-8" overlong.yml loc
printf 'services:\n  web:\n    image: \xed\xa0\x80\n' > surrogate.yml; expect_refused "UTF-8 surrogate" surrogate.yml loc
printf 'services:\n  web:\n    image: ng\0inx\n' > nul.yml; expect_refused "NUL byte" nul.yml loc
utf16() { printf '%s' "$VALID" | iconv -f UTF-8 -t "$1"; }
{ printf '\xff\xfe'; utf16 UTF-16LE; } > utf16le.yml; expect_refused "UTF-16 LE with BOM" utf16le.yml any
{ printf '\xfe\xff'; utf16 UTF-16BE; } > utf16be.yml; expect_refused "UTF-16 BE with BOM" utf16be.yml any
{ printf '\xff\xfe\0\0'; utf16 UTF-32LE; } > utf32le.yml; expect_refused "UTF-32 LE with BOM" utf32le.yml any
{ printf '\0\0\xfe\xff'; utf16 UTF-32BE; } > utf32be.yml; expect_refused "UTF-32 BE with BOM" utf32be.yml any
utf16 UTF-16LE > utf16-nobom.yml;                   expect_refused "UTF-16 LE without BOM" utf16-nobom.yml any
binary_pattern 4096 > binary.yml
if [ "$(wc -c < binary.yml)" -eq 4096 ]; then expect_refused "binary data (4096 fixed pseudo-random bytes)" binary.yml any
else fail "binary data" "could not generate the byte pattern"; fi
printf 'services:\n  web:\n    image: a\n    image: b\n' > dup.yml; expect_refused "duplicate keys" dup.yml loc
printf 'services:\n  web:\n    image: a\n  web:\n    image: b\n' > dup-svc.yml; expect_refused "duplicate service" dup-svc.yml loc
printf 'services:\n  web:\n    image: a\n---\nservices:\n  db:\n    image: b\n' > multi.yml
expect_refused "several YAML documents" multi.yml loc
printf 'services:\n  web:\n    image: nginx\n    environment: *nothere\n' > alias.yml; expect_refused "undefined alias" alias.yml loc
printf 'services: [[[[[[[[[[' > deep-open.yml
head -c 10000 /dev/zero | tr '\0' '[' >> deep-open.yml; expect_refused "deep nesting: 10000 [" deep-open.yml loc
{ printf 'services:\n  web:\n    image: nginx\n    labels: '; head -c 10000 /dev/zero | tr '\0' '['; head -c 10000 /dev/zero | tr '\0' ']'; echo; } > deep-flow.yml
expect_refused "deep nesting: 10000 balanced []" deep-flow.yml loc
awk 'BEGIN { print "x-deep:"; for (i = 1; i <= 1000; i++) printf "%" i "s" "k:\n", "" }' > deep-block.yml
printf 'services:\n  web:\n    image: nginx\n' >> deep-block.yml; expect_refused "deep nesting: 1000 block levels" deep-block.yml loc
printf '%s' "$VALID" > big.yml;                     expect_refused "larger than --max-size" big.yml any --max-size 16
{ printf 'services:\n  web:\n    image: nginx\n    labels:\n      x: '; head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' a; echo; } > longline.yml
expect_refused "very long line (2 MiB)" longline.yml loc
ln -s loop-b.yml loop-a.yml; ln -s loop-a.yml loop-b.yml; expect_refused "symlink loop" loop-a.yml any
ln -s nowhere.yml dangling.yml;                     expect_refused "dangling symlink" dangling.yml any
mkdir compose.yml;                                  expect_refused "folder named like a compose file" compose.yml any
mkdir -p dir-with-folder/docker-compose.yml
expect_refused "folder holding only a folder named docker-compose.yml" dir-with-folder any
mkfifo fifo.yml;                                    expect_refused "FIFO" fifo.yml any
expect_refused "missing file" missing.yml any
# A file with no services is not a pass: --check exits 1 and says why.
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n' > pod.yml
before=$(sha pod.yml)
run --check pod.yml
if [ "$RC" -eq 1 ] && printf '%s\n' "$OUT" | grep -q 'pod.yml: note: the file has no services: key' &&
   [ "$(sha pod.yml)" = "$before" ]; then
  pass "no services: (a Kubernetes manifest) -> --check exits 1 with a note naming the file"
else
  fail "no services: (a Kubernetes manifest)" "exit $RC: $(printf '%s' "$OUT" | head -2 | tr '\n' '|')"
fi
printf '%s' "$VALID" > unreadable.yml; chmod 000 unreadable.yml
if [ "$(id -u)" -ne 0 ]; then
  expect_refused "unreadable file (mode 000)" unreadable.yml any
elif command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
  # As root every file is readable: run harden as nobody instead. nobody may
  # not be able to reach the checkout or $TMPDIR (a home folder of mode 0700,
  # a mktemp -d folder), so the binary and the file go to a folder of their
  # own that nobody can enter, under /tmp.
  NOBODY_DIR=$(mktemp -d /tmp/harden-nobody.XXXXXX)
  chmod 755 "$NOBODY_DIR"
  cp "$HARDEN" "$NOBODY_DIR/harden" && chmod 755 "$NOBODY_DIR/harden"
  mv unreadable.yml "$NOBODY_DIR/unreadable.yml"
  before=$(sha "$NOBODY_DIR/unreadable.yml")
  OUT=$(cd "$NOBODY_DIR" && setpriv --reuid=65534 --regid=65534 --clear-groups timeout 20 ./harden --write unreadable.yml 2>&1); RC=$?
  n=$(printf '%s\n' "$OUT" | grep -c -F unreadable.yml)
  denied=$(printf '%s\n' "$OUT" | grep -c -i 'permission denied')
  after=$(sha "$NOBODY_DIR/unreadable.yml")
  leftovers=$(find "$NOBODY_DIR" -name '.*.harden-*')
  rm -rf "$NOBODY_DIR"
  if [ "$RC" -eq 2 ] && [ "$n" -eq 1 ] && [ "$denied" -ge 1 ] && [ "$after" = "$before" ] && [ -z "$leftovers" ]; then
    pass "unreadable file (mode 000, run as nobody) -> $(printf '%s\n' "$OUT" | grep -F unreadable.yml)"
  else
    fail "unreadable file (mode 000, run as nobody)" "exit $RC, $n lines: $(printf '%s' "$OUT" | head -2 | tr '\n' '|')"
  fi
else
  skip "unreadable file" "running as root and cannot drop to another user (setpriv): root reads mode 000 files"
fi
cd "$WORK" || exit 2

echo "== alias bombs and merge keys: fast, and harmless or refused"
mkdir -p aliases && cd aliases || exit 2
# billion laughs: 9^10 nodes if expanded.
bomb() {
  echo 'x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'
  for i in 1 2 3 4 5 6 7 8 9 10; do
    printf 'x-a%d: &a%d [' "$i" "$i"
    for j in 1 2 3 4 5 6 7 8; do printf '*a%d, ' $((i - 1)); done
    printf '*a%d]\n' $((i - 1))
  done
}
# expect_harmless NAME FILE MUST_KEEP: exit 0 (hardened, MUST_KEEP still in
# the file, second run changes nothing) or exit 2 (untouched); under 1 s.
expect_harmless() {
  local name=$1 path=$2 keep=$3 before
  before=$(sha "$path")
  run --write "$path"
  local ms=$CPU_MS problems=""
  [ "$ms" -lt 1000 ] || problems+=" took $ms ms of CPU (limit 1000);"
  if [ "$RC" -eq 0 ]; then
    grep -qF -- "$keep" "$path" || problems+=" '$keep' is gone;"
    run --diff "$path"; [ "$RC" -eq 0 ] || problems+=" second run would change it again (exit $RC);"
  elif [ "$RC" -eq 2 ]; then
    [ "$(sha "$path")" = "$before" ] || problems+=" refused but changed;"
    [ "$(lines_naming "$path" | grep -c '')" -eq 1 ] || problems+=" error does not name the file once;"
  else
    problems+=" exit $RC;"
  fi
  [ -z "$(temp_files)" ] || problems+=" temporary file left;"
  if [ -z "$problems" ]; then pass "$name (exit $RC, $ms ms CPU)"; else fail "$name" "$problems $(printf '%s' "$OUT" | head -2 | tr '\n' '|')"; fi
}
{ bomb; printf 'services:\n  web:\n    image: nginx\n'; } > bomb-unused.yml
expect_harmless "billion laughs, unused" bomb-unused.yml '*a9, *a9'
{ bomb; printf 'services:\n  web:\n    image: nginx\n    labels: *a10\n    environment: *a10\n'; } > bomb-used.yml
expect_harmless "billion laughs under a service" bomb-used.yml 'labels: *a10'
{ bomb; printf 'services:\n  web:\n    <<: *a10\n    image: nginx\n'; } > bomb-merge.yml
expect_harmless "billion laughs as a merge key" bomb-merge.yml '<<: *a10'
printf 'services:\n  web:\n    <<: 5\n    image: nginx\n' > merge-scalar.yml
expect_harmless "merge key on a scalar (<<: 5)" merge-scalar.yml '<<: 5'
printf 'services:\n  web:\n    <<: [1, 2]\n    image: nginx\n' > merge-seq.yml
expect_harmless "merge key on a list of scalars" merge-seq.yml '<<: [1, 2]'
printf 'x-base: &base\n  image: nginx\nservices:\n  web:\n    <<: *base\n    <<: *base\n' > merge-twice.yml
expect_harmless "merge key twice" merge-twice.yml '<<: *base'
printf 'x-a: &a\n  b: *a\nservices:\n  web:\n    image: nginx\n' > recursive.yml
expect_harmless "recursive alias (alias inside its own anchor)" recursive.yml 'b: *a'
printf 'services:\n  web: &w\n    image: nginx\n    <<: *w\n' > recursive-merge.yml
expect_harmless "service merging itself (<<: *self)" recursive-merge.yml '<<: *w'
printf 'x-a: &a\n  <<: *a\n  image: nginx\nservices:\n  web:\n    <<: *a\n' > recursive-merge2.yml
expect_harmless "anchor merging itself, used by a service" recursive-merge2.yml '<<: *a'
cd "$WORK" || exit 2

echo "== valid but unusual input is hardened"
mkdir -p unusual && cd unusual || exit 2
# expect_hardened NAME FILE: exit 0, changed, a second run changes nothing,
# every original line kept byte for byte (the rewrite only inserts lines).
expect_hardened() {
  local name=$1 path=$2 add_eol=${3:-} before problems=""
  cp "$path" "$path.orig"
  # Without a final newline the last line gains one: compare with that.
  [ -n "$add_eol" ] && printf "$add_eol" >> "$path.orig"
  before=$(sha "$path")
  run --write "$path"
  [ "$RC" -eq 0 ] || problems+=" exit $RC;"
  [ "$(sha "$path")" != "$before" ] || problems+=" not changed;"
  local removed
  removed=$(diff "$path.orig" "$path" | grep -c '^<')
  [ "$removed" -eq 0 ] || problems+=" $removed original lines changed;"
  run --diff "$path"; [ "$RC" -eq 0 ] || problems+=" second run would change it again (exit $RC);"
  [ -z "$(temp_files)" ] || problems+=" temporary file left;"
  CHECK_PROBLEMS=$problems
}
report() { if [ -z "$CHECK_PROBLEMS" ]; then pass "$1"; else fail "$1" "$CHECK_PROBLEMS"; fi; }

{ printf '\xef\xbb\xbf'; printf '%s' "$VALID"; } > bom.yml
expect_hardened "UTF-8 BOM" bom.yml
[ "$(head -c 3 bom.yml | od -An -tx1 | tr -d ' ')" = efbbbf ] || CHECK_PROBLEMS+=" BOM lost;"
report "UTF-8 BOM kept, file hardened"

printf '%s' "$VALID" | sed 's/$/\r/' > crlf.yml
expect_hardened "CRLF" crlf.yml
bare=$(LC_ALL=C grep -c $'[^\r]$\|^$' crlf.yml)
[ "$bare" -eq 0 ] || CHECK_PROBLEMS+=" $bare lines end in a bare LF;"
report "CRLF line endings kept on every line"

# Mixed: web's block uses CRLF, db's block LF; inserted lines follow the
# line where they go.
printf 'services:\n  web:\r\n    image: nginx:1.25\r\n  db:\n    image: postgres:16\n' > mixed.yml
expect_hardened "mixed line endings" mixed.yml
bad=$(LC_ALL=C awk '/^  web:/ { blk = "web" } /^  db:/ { blk = "db" }
  blk == "web" && !/\r$/ { n++ } blk == "db" && /\r$/ { n++ } END { print n + 0 }' mixed.yml)
[ "$bad" -eq 0 ] || CHECK_PROBLEMS+=" $bad lines do not use their block's line ending;"
report "mixed line endings: each line keeps its own, inserted lines use their neighbours'"

printf 'services:\n  web:\n    image: nginx:1.25' > nofinal.yml
expect_hardened "no final newline" nofinal.yml '\n'
report "no final newline"
printf 'services:\r\n  web:\r\n    image: nginx:1.25' > crlf-nofinal.yml
expect_hardened "CRLF without a final newline" crlf-nofinal.yml '\r\n'
bad=$(LC_ALL=C awk '{ if (last_bare) n++; last_bare = !/\r$/ } END { print n + 0 }' crlf-nofinal.yml)
[ "$bad" -eq 0 ] || CHECK_PROBLEMS+=" $bad lines before the last end in a bare LF;"
report "CRLF without a final newline"
cd "$WORK" || exit 2

echo "== several files, one bad"
mkdir -p many/a many/b many/c
printf '%s' "$VALID" > many/a/compose.yml
printf 'services:\n  web: [\n' > many/b/compose.yml
printf '%s' "$VALID" > many/c/compose.yml
before_b=$(sha many/b/compose.yml); before_a=$(sha many/a/compose.yml)
run --write many
problems=""
[ "$RC" -eq 2 ] || problems+=" exit $RC;"
[ "$(sha many/b/compose.yml)" = "$before_b" ] || problems+=" bad file changed;"
[ "$(sha many/a/compose.yml)" != "$before_a" ] || problems+=" a not written;"
[ "$(sha many/c/compose.yml)" != "$before_a" ] || problems+=" c not written;"
[ "$(lines_naming many/b/compose.yml | grep -c error)" -eq 1 ] || problems+=" no single error line for b;"
[ -z "$(temp_files)" ] || problems+=" temporary file left;"
if [ -z "$problems" ]; then pass "several files with one bad: exit 2, the others written"; else fail "several files with one bad" "$problems"; fi

echo "== --write: a batch of files named without a folder"
mkdir -p bare
for n in 1 2 3 4; do printf '%s' "$VALID" > "bare/f$n.yml"; done
before=$(sha bare/f1.yml)
problems=""
(cd bare && timeout 20 "$HARDEN" --write -q -j 1 f1.yml f2.yml f3.yml f4.yml >/dev/null 2>&1) || problems+=" exit $?;"
for n in 1 2 3 4; do [ "$(sha "bare/f$n.yml")" != "$before" ] || problems+=" f$n not written;"; done
[ -z "$(temp_files)" ] || problems+=" temporary file left;"
if [ -z "$problems" ]; then pass "--write of four files named without a folder (one flush of '.')"; else fail "bare names" "$problems"; fi

echo "== --write: symlinks and permissions"
mkdir -p links/real
printf '%s' "$VALID" > links/real/target.yml
ln -s real/target.yml links/compose.yml
before=$(sha links/real/target.yml)
run --write links/compose.yml
problems=""
[ "$RC" -eq 0 ] || problems+=" exit $RC;"
[ -L links/compose.yml ] || problems+=" the link was replaced;"
[ "$(readlink links/compose.yml)" = real/target.yml ] || problems+=" the link points elsewhere;"
[ "$(sha links/real/target.yml)" != "$before" ] || problems+=" the target was not rewritten;"
[ -z "$(temp_files)" ] || problems+=" temporary file left;"
if [ -z "$problems" ]; then pass "--write through a symlink rewrites the target, keeps the link"; else fail "symlink" "$problems"; fi

mkdir -p perms
printf '%s' "$VALID" > perms/compose.yml
chmod 640 perms/compose.yml
chown 1234:2345 perms/compose.yml 2>/dev/null
owner_before=$(stat -c %u:%g perms/compose.yml)
run --write perms/compose.yml
mode=$(stat -c %a perms/compose.yml)
if [ "$RC" -eq 0 ] && [ "$mode" = 640 ] && [ "$(stat -c %u:%g perms/compose.yml)" = "$owner_before" ] && grep -q cap_drop perms/compose.yml; then
  pass "--write keeps mode 640 and the owner ($owner_before)"
else
  fail "permissions" "exit $RC, mode $mode, owner $(stat -c %u:%g perms/compose.yml) (was $owner_before)"
fi

echo "== write faults"
# mount_tmpfs DIR SIZE: a small tmpfs, or fails (no privilege).
mount_tmpfs() {
  mkdir -p "$1" && mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null || return 1
  MOUNTS+=("$WORK/$1")
}
# expect_write_fails NAME PATH: exit 2, "not written" naming the file,
# file untouched, no temporary file.
expect_write_fails() {
  local name=$1 path=$2 before problems=""
  before=$(sha "$path")
  run --write "$path"
  [ "$RC" -eq 2 ] || problems+=" exit $RC;"
  [ "$(sha "$path")" = "$before" ] || problems+=" file changed;"
  [ "$(lines_naming "$path" | grep -c 'error')" -eq 1 ] || problems+=" no single error line naming the file;"
  [ -z "$(temp_files)" ] || problems+=" temporary file left: $(temp_files | head -1);"
  if [ -z "$problems" ]; then pass "$name -> $(lines_naming "$path" | head -1 | cut -c1-120)"
  else fail "$name" "$problems $(printf '%s' "$OUT" | head -2 | tr '\n' '|')"; fi
}

if mount_tmpfs rofs 1m; then
  printf '%s' "$VALID" > rofs/compose.yml
  if mount -o remount,ro "$WORK/rofs" 2>/dev/null; then
    expect_write_fails "read-only file system" rofs/compose.yml
  else
    skip "read-only file system" "mount -o remount,ro is not permitted here"
  fi
else
  skip "read-only file system" "cannot mount a tmpfs (needs root and mount permission)"
fi

if mount_tmpfs full 64k; then
  printf '%s' "$VALID" > full/compose.yml
  dd if=/dev/zero of=full/filler bs=1k count=1024 2>/dev/null
  # Fill the last partial page too.
  head -c 100000 /dev/zero >> full/filler2 2>/dev/null
  if [ "$(df -k --output=avail "$WORK/full" | tail -1 | tr -d ' ')" -eq 0 ]; then
    expect_write_fails "full disk (ENOSPC on the temporary file)" full/compose.yml
  else
    skip "full disk" "could not fill the tmpfs"
  fi
else
  skip "full disk" "cannot mount a tmpfs (needs root and mount permission)"
fi

mkdir -p immutable
printf '%s' "$VALID" > immutable/compose.yml
if chattr +i immutable 2>/dev/null; then
  expect_write_fails "folder where no temporary file can be created (chattr +i)" immutable/compose.yml
  chattr -i immutable
elif mkdir -p robind && mount --bind immutable robind 2>/dev/null && MOUNTS+=("$WORK/robind") &&
     mount -o remount,ro,bind "$WORK/robind" 2>/dev/null; then
  expect_write_fails "folder where no temporary file can be created (read-only bind mount)" robind/compose.yml
else
  skip "folder where no temporary file can be created" "neither chattr +i nor a read-only bind mount is permitted"
fi

mkdir -p renamefail
printf '%s' "$VALID" > renamefail/compose.yml
if chattr +i renamefail/compose.yml 2>/dev/null; then
  # The folder is writable, so the temporary file is written; the rename
  # over an immutable file fails with EPERM.
  expect_write_fails "failing rename (the target is immutable, chattr +i)" renamefail/compose.yml
  chattr -i renamefail/compose.yml
else
  skip "failing rename" "chattr +i is not permitted here"
fi

echo "== write faults inside a group of files written together"
# A batch writes its files in groups flushed together; a file that cannot
# be written fails alone: its group's other files are written.
mkdir -p group
for k in $(seq -w 1 40); do mkdir -p "group/s$k" && printf '%s' "$VALID" > "group/s$k/compose.yml"; done
if chattr +i group/s07 2>/dev/null && chattr +i group/s23/compose.yml 2>/dev/null; then
  run --write -j 2 group
  problems=""
  [ "$RC" -eq 2 ] || problems+=" exit $RC;"
  for k in 07 23; do
    [ "$(printf '%s' "$VALID" | sha256sum | cut -d' ' -f1)" = "$(sha "group/s$k/compose.yml")" ] || problems+=" s$k changed;"
    [ "$(lines_naming "group/s$k/compose.yml" | grep -c 'error: not written')" -eq 1 ] || problems+=" no error for s$k;"
  done
  written=0
  for k in $(seq -w 1 40); do
    [ "$k" = 07 ] || [ "$k" = 23 ] && continue
    grep -q 'cap_drop' "group/s$k/compose.yml" && written=$((written + 1))
  done
  [ "$written" -eq 38 ] || problems+=" $written of 38 others written;"
  [ -z "$(temp_files)" ] || problems+=" temporary file left: $(temp_files | head -1);"
  chattr -i group/s07 group/s23/compose.yml
  if [ -z "$problems" ]; then pass "40 files, 2 unwritable: exit 2, those 2 untouched with an error each, 38 written, no temporary file"
  else fail "write faults inside a group" "$problems"; fi
else
  chattr -i group/s07 group/s23/compose.yml 2>/dev/null
  skip "write faults inside a group" "chattr +i is not permitted here"
fi

echo "== signals during --write of many files: every file original or fully hardened"
mkdir -p sig-src
i=0
for img in nginx:1.25 postgres:16 redis:7 caddy:2 node:20; do
  i=$((i + 1))
  printf 'services:\n  web:\n    image: %s\n  db:\n    image: postgres:16\n    user: "999"\n' "$img" > "sig-src/in$i.yml"
  cp "sig-src/in$i.yml" "sig-src/tmp.yml"
  "$HARDEN" sig-src/tmp.yml > "sig-src/out$i.yml" 2>/dev/null
done
rm -f sig-src/tmp.yml
IN_TEXT=() IN_SHA=() OUT_SHA=()
for i in 1 2 3 4 5; do
  IN_TEXT[i]=$(<"sig-src/in$i.yml")
  IN_SHA[i]=$(sha "sig-src/in$i.yml")
  OUT_SHA[i]=$(sha "sig-src/out$i.yml")
done
# N folders DIR/sK, each with compose.yml = sig-src/in(K%5+1).yml, made
# without a process per file (thousands of cp and mkdir cost CI minutes).
make_tree() {
  local dir=$1 n=$2 k
  mkdir -p $(printf "$dir/s%d\n" $(seq 0 $((n - 1))))
  for ((k = 0; k < n; k++)); do printf '%s\n' "${IN_TEXT[k % 5 + 1]}" > "$dir/s$k/compose.yml"; done
}
# Sets ORIGINAL, HARDENED and PARTIAL (anything else, or missing) for a tree
# made by make_tree, from one sha256sum of all its files.
count_states() {
  local dir=$1 n=$2 hash path k src
  ORIGINAL=0 HARDENED=0 PARTIAL=0
  while read -r hash path; do
    k=${path##*/s}
    k=${k%/compose.yml}
    src=$((k % 5 + 1))
    if [ "$hash" = "${IN_SHA[src]}" ]; then ORIGINAL=$((ORIGINAL + 1))
    elif [ "$hash" = "${OUT_SHA[src]}" ]; then HARDENED=$((HARDENED + 1))
    else PARTIAL=$((PARTIAL + 1)); fi
  done < <(sha256sum "$dir"/s*/compose.yml)
  PARTIAL=$((PARTIAL + n - ORIGINAL - HARDENED - PARTIAL))
}
RESET_SIGNALS=
env --default-signal=INT true 2>/dev/null && RESET_SIGNALS="env --default-signal=INT,TERM,QUIT"
signal_run() {
  local sig=$1 delay=$2 dir=sig-$1-$2 n=${3:-200}
  if { [ "$sig" = INT ] || [ "$sig" = QUIT ]; } && [ -z "$RESET_SIGNALS" ]; then
    skip "SIG$sig after ${delay}s" "env --default-signal is not available to undo the ignored SIG$sig of background jobs"
    return
  fi
  make_tree "$dir" "$n"
  # A background job of a script starts with SIGINT ignored: restore it.
  $RESET_SIGNALS "$HARDEN" --write -q "$dir" >/dev/null 2>&1 &
  local pid=$!
  sleep "$delay"
  kill -s "$sig" "$pid" 2>/dev/null
  wait "$pid"
  local rc=$? temps
  count_states "$dir" "$n"
  temps=$(find "$dir" -name '.*.harden-*' | wc -l)
  [ "$ORIGINAL" -gt 0 ] && [ "$HARDENED" -gt 0 ] && MID_BATCH=$((MID_BATCH + 1))
  if [ "$PARTIAL" -eq 0 ] && [ "$temps" -eq 0 ]; then
    pass "SIG$sig after ${delay}s (exit $rc): $ORIGINAL original, $HARDENED hardened, 0 partial, 0 temporary files"
  else
    fail "SIG$sig after ${delay}s" "$ORIGINAL original, $HARDENED hardened, $PARTIAL partial, $temps temporary files"
  fi
  rm -rf "$dir"
}
# Runs whose signal came after the batch had ended, or before it wrote
# anything, prove little: at least one must land mid-batch (some files
# written, some not). A faster machine needs a bigger tree for that.
MID_BATCH=0
for delay in 0.05 0.3 0.8; do
  signal_run TERM "$delay"
  signal_run INT "$delay"
done
# A closed terminal or SSH session, and a quit key: these killed the
# process (and left temporary files) while the workers held them back.
signal_run HUP 0.1 2000
signal_run QUIT 0.1 2000
for n in 5000 20000; do
  [ "$MID_BATCH" -gt 0 ] && break
  signal_run TERM 0.2 "$n"
done
if [ "$MID_BATCH" -gt 0 ]; then
  pass "signals: $MID_BATCH runs were stopped mid-batch (some files hardened, some still original)"
else
  fail "signals" "no run was stopped mid-batch: every signal came before the first or after the last write"
fi

echo "== --write whose report goes to a pipe closed early"
make_tree piped 200
"$HARDEN" --write piped 2>/dev/null | head -1 >/dev/null
rc=${PIPESTATUS[0]}
count_states piped 200
temps=$(find piped -name '.*.harden-*' | wc -l)
if [ "$rc" -eq 0 ] && [ "$HARDENED" -eq 200 ] && [ "$temps" -eq 0 ]; then
  pass "--write | head -1: the run completes (exit 0, 200 of 200 hardened, no temporary file)"
else
  fail "--write into a closed pipe" "exit $rc, $HARDENED of 200 hardened, $PARTIAL partial, $temps temporary files"
fi

# A CI run has root and mount permission: a check it skips is a check lost.
if [ "${CI:-}" = true ] && [ "$SKIPPED" -gt 0 ]; then
  fail "skipped checks" "CI=true and $SKIPPED checks were skipped (see the SKIP lines)"
fi
echo
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]

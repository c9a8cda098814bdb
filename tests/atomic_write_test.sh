#!/usr/bin/env bash
# Atomic, durable --write, seen from outside the process.
#
#   tests/atomic_write_test.sh HARDEN_BIN SHIM_LIB faults
#     A hard link to the file keeps the old content and the file gets a new
#     inode (a new file renamed over the old, never an overwrite in place);
#     a failed fsync, syncfs or rename (SHIM_LIB, preloaded) leaves every
#     original byte-identical, on the same inode, and no temporary file.
#   tests/atomic_write_test.sh HARDEN_BIN - trace
#     strace shows, in this order: the temporary file written, flushed
#     (fsync of the file; syncfs for a batch of more than two), renamed over
#     the original, and the folder flushed (fsync of the folder; syncfs).
#     Exits 77 (skipped) when strace is missing or cannot trace here.
set -u

HARDEN=${1:?usage: atomic_write_test.sh HARDEN_BIN SHIM_LIB faults|trace}
SHIM=${2:?}
PART=${3:?}
HARDEN=$(cd "$(dirname "$HARDEN")" && pwd)/$(basename "$HARDEN")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/harden-atomic.XXXXXX")
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
# A fresh folder holding `count` compose files; prints its path.
fresh() {
  local dir=$WORK/$1 count=${2:-1} i
  rm -rf "$dir"
  mkdir -p "$dir"
  for ((i = 1; i <= count; i++)); do
    mkdir -p "$dir/s$i"
    printf '%s' "$INPUT" >"$dir/s$i/compose.yml"
  done
  echo "$dir"
}
temp_files() { find "$1" -name '.*.harden-*' | wc -l; }
same_as_input() { [ "$(cat "$1"; echo x)" = "${INPUT}x" ]; }

faults() {
  # Hard link and inode.
  local dir file ino rc log
  dir=$(fresh link)
  file=$dir/s1/compose.yml
  chmod 640 "$file"
  ln "$file" "$dir/link.yml"
  ino=$(stat -c %i "$file")
  "$HARDEN" --write --no-config -q "$file" >"$WORK/out" 2>&1
  rc=$?
  check "--write exits 0" '[ $rc -eq 0 ]' "exit $rc: $(cat "$WORK/out")"
  check "--write changed the file" '! same_as_input "$file"'
  check "the file has a new inode" '[ "$(stat -c %i "$file")" != "$ino" ]' "inode $ino kept"
  check "a hard link keeps the old content" 'same_as_input "$dir/link.yml"'
  check "the file is no longer linked" '[ "$(stat -c %h "$file")" = 1 ]'
  check "the file keeps its mode" '[ "$(stat -c %a "$file")" = 640 ]' "mode $(stat -c %a "$file")"
  check "no temporary file after --write" '[ "$(temp_files "$dir")" = 0 ]'

  # The shim must be loaded and do nothing unless asked: the control.
  dir=$(fresh control)
  LD_PRELOAD=$SHIM "$HARDEN" --write --no-config -q "$dir/s1/compose.yml" >"$WORK/out" 2>&1
  rc=$?
  check "with the shim and no fault, --write works" '[ $rc -eq 0 ] && ! same_as_input "$dir/s1/compose.yml"' \
    "exit $rc: $(cat "$WORK/out")"

  # Faults between staging and rename: one file (fsync per file) and a batch
  # of three (syncfs per filesystem).
  local call count expected i inodes
  for case in "fsync 1 cannot flush the temporary file" "rename 1 cannot replace the file" \
              "syncfs 3 cannot flush the temporary file" "rename 3 cannot replace the file"; do
    read -r call count expected <<<"$case"
    dir=$(fresh "fault-$call-$count" "$count")
    inodes=$(stat -c %i "$dir"/s*/compose.yml)
    log=$WORK/fault.log
    rm -f "$log"
    HARDEN_TEST_FAIL=$call HARDEN_TEST_FAIL_LOG=$log LD_PRELOAD=$SHIM \
      "$HARDEN" --write --no-config -j 1 "$dir" >"$WORK/out" 2>&1
    rc=$?
    local name="a failed $call with $count file(s)"
    check "$name: the fault happened" '[ -s "$log" ]' "the shim logged nothing"
    check "$name: exit 2" '[ $rc -eq 2 ]' "exit $rc"
    check "$name: the error says so" 'grep -q "$expected" "$WORK/out"' "$(cat "$WORK/out")"
    for ((i = 1; i <= count; i++)); do
      check "$name: s$i/compose.yml byte-identical" 'same_as_input "$dir/s$i/compose.yml"'
    done
    check "$name: same inodes" '[ "$(stat -c %i "$dir"/s*/compose.yml)" = "$inodes" ]'
    check "$name: no temporary file" '[ "$(temp_files "$dir")" = 0 ]' "$(find "$dir" -name '.*.harden-*')"
  done
}

trace() {
  command -v strace >/dev/null || { echo "SKIP: strace is not installed (scripts/setup installs it)"; exit 77; }
  strace -f -o /dev/null true 2>"$WORK/strace.err" ||
    { echo "SKIP: strace cannot trace here: $(head -1 "$WORK/strace.err")"; exit 77; }
  local dir count order rc
  for count in 1 3; do
    dir=$(fresh "trace-$count" "$count")
    strace -f -y -qq -o "$WORK/trace" \
      -e trace=openat,open,creat,write,pwrite64,ftruncate,truncate,fsync,fdatasync,syncfs,sync,rename,renameat,renameat2 \
      "$HARDEN" --write --no-config -j 1 -q "$dir" >"$WORK/out" 2>&1
    rc=$?
    check "$count file(s) under strace: exit 0" '[ $rc -eq 0 ]' "exit $rc: $(cat "$WORK/out")"
    order=$(python3 - "$WORK/trace" "$dir" "$count" <<'PY'
import re, sys
trace_file, folder, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
targets = {f"{folder}/s{i}/compose.yml" for i in range(1, count + 1)}
events = []  # (what, path)
for line in open(trace_file):
    m = re.match(r"\d+\s+(\w+)\((.*)", line)
    if not m or "= -1" in line:
        continue
    call, args = m.groups()
    fd_path = re.match(r"\d+<([^>]*)>", args)
    if call in ("write", "pwrite64") and fd_path:
        events.append(("write", fd_path.group(1)))
    elif call in ("ftruncate",) and fd_path:
        events.append(("truncate", fd_path.group(1)))
    elif call in ("fsync", "fdatasync", "syncfs") and fd_path:
        events.append((call, fd_path.group(1)))
    elif call in ("rename", "renameat", "renameat2"):
        paths = re.findall(r'"([^"]*)"', args)
        events.append(("rename", paths[0] + " -> " + paths[1]))
    elif call in ("openat", "open", "creat"):
        paths = re.findall(r'"([^"]*)"', args)
        if paths and ("O_TRUNC" in args or "O_WRONLY" in args or "O_RDWR" in args):
            events.append(("open-for-writing", paths[0]))
problems = []
def index(pred, what, after=-1, before=None):
    """The first event after `after` (and before `before`) that satisfies pred."""
    for i, e in enumerate(events):
        if i > after and (before is None or i < before) and pred(e):
            return i
    problems.append("no " + what)
    return None
for target in sorted(targets):
    name = target.rsplit("/", 1)[1]
    folder_of = target.rsplit("/", 1)[0]
    is_temp = lambda p: p.startswith(folder_of + "/." + name + ".harden-")
    for e in events:
        if e[0] in ("write", "truncate", "open-for-writing") and e[1] == target:
            problems.append(f"{target} itself is {e[0]}")
    w = index(lambda e: e[0] == "write" and is_temp(e[1]), f"write of a temporary file beside {target}")
    r = index(lambda e: e[0] == "rename" and is_temp(e[1].split(" -> ")[0]) and e[1].endswith(" -> " + target),
              f"rename of the temporary file over {target}")
    if r is None:
        continue
    if count <= 2:
        f = index(lambda e: e[0] in ("fsync", "fdatasync") and is_temp(e[1]), f"fsync of {target}'s temporary file",
                  before=r)
        d = index(lambda e: e[0] == "fsync" and e[1] == folder_of, f"fsync of {folder_of} after the rename", after=r)
    else:
        f = index(lambda e: e[0] == "syncfs", f"syncfs before {target}'s rename", before=r)
        d = index(lambda e: e[0] == "syncfs", f"syncfs after {target}'s rename", after=r)
    if None not in (w, f, r, d) and not (w < f < r < d):
        problems.append(f"{target}: write {w}, flush {f}, rename {r}, folder flush {d}: out of order")
print("\n".join(problems) if problems else "ok")
PY
)
    check "$count file(s) under strace: write, flush, rename, flush the folder, in order" '[ "$order" = ok ]' "$order"
  done
}

# In a sanitizer build: AddressSanitizer refuses a preloaded library ahead
# of its runtime unless told not to check, and LeakSanitizer cannot run
# under ptrace (strace).
case $PART in
  faults) export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"; faults ;;
  trace) export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"; trace ;;
  *) echo "unknown part $PART"; exit 2 ;;
esac
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]

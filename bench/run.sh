#!/usr/bin/env bash
# Benchmarks harden against the floor (yaml-cpp's event parser alone) and
# `cat`, on ~10,000 real compose files. Run by hand; never part of the tests.
#   bench/run.sh [HARDEN_BIN]       (default: build/harden)
# Needs GNU time (`apt-get install time`) for the peak memory.
set -euo pipefail
# The same work on every machine: no image reads from a local engine.
export HARDEN_NO_ENGINE=1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
harden=${1:-$root/build/harden}
work=${BENCH_DIR:-/tmp/harden-bench}
runs=${BENCH_RUNS:-3}
mkdir -p "$work"

command -v /usr/bin/time >/dev/null || { echo "bench: install GNU time (apt-get install time)"; exit 2; }
g++ -O2 -std=c++20 -o "$work/floor" "$here/floor.cpp" -lyaml-cpp -lpthread
g++ -O2 -std=c++20 -o "$work/floor_write" "$here/floor_write.cpp" -lyaml-cpp -lpthread
g++ -O2 -std=c++20 -o "$work/timeit" "$here/timeit.cpp"
if [ -f "$work/corpus/.complete" ]; then
  files=$(find "$work/corpus" -type f ! -name .complete | wc -l)
else
  files=$("$here/make-corpus.sh" "$work/corpus" "$root/../shared")
  touch "$work/corpus/.complete"
fi
find "$work/corpus" -type f ! -name .complete | sort > "$work/files.txt"
(cd "$work/corpus" && find . -type f ! -name .complete | sed 's#^\./##' | sort) > "$work/relative.txt"
bytes=$(cat $(cat "$work/files.txt") | wc -c)

# Wall time of a command, process start to exit (bench/timeit.cpp: no shell
# or clock process inside the timing): prints "BEST MEDIAN" in seconds.
timeit() { "$work/timeit" "$@"; }

globs=(--no-ignore --glob '*.yml' --glob '*.yaml')
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "corpus: $files files, $bytes bytes; best and median of $runs runs (one file: of 30)"
read -r cat_best cat_median < <(timeit "$runs" -- sh -c "xargs cat < '$work/files.txt' > /dev/null")
read -r floor_best floor_median < <(timeit "$runs" -- sh -c "'$work/floor' 2 - < '$work/files.txt'")
read -r check_best check_median < <(timeit "$runs" -- "$harden" --check -q -j 2 "${globs[@]}" "$work/corpus")
# The copy is flushed before the timing: its write-back is not the
# command's work (a syncfs in the command would otherwise pay for it).
read -r write_best write_median < <(timeit "$runs" --before "rm -rf '$work/write' && cp -r '$work/corpus' '$work/write' && sync" \
  -- "$harden" --write -q -j 2 "${globs[@]}" "$work/write")
# The write floor (bench/floor_write.cpp): parse each file and its
# rewritten text (harden's output above) and replace the file durably.
read -r wfloor_best wfloor_median < <(timeit "$runs" --before "rm -rf '$work/target' && cp -r '$work/corpus' '$work/target' && sync" \
  -- sh -c "'$work/floor_write' 2 '$work/corpus' '$work/write' '$work/target' < '$work/relative.txt'")
one=$(grep -m1 'docker-compose.yml$' "$work/files.txt")
read -r one_best one_median < <(timeit 30 -- "$harden" --check -q "$one")
read -r true_best true_median < <(timeit 30 -- /bin/true)
# --check exits 1 (changes needed) or 2 (some files fail): not an error here.
peak=$( { /usr/bin/time -f '%M' "$harden" --check -q -j 2 "${globs[@]}" "$work/corpus" 2>&1 >/dev/null || true; } | tail -1)

ratio() { echo "scale=2; $1 / $2" | bc -l; }
row() { printf '%-34s %8s s %8s s' "$1" "$2" "$3"; }
printf '%-34s %10s %10s\n' "" "best" "median"
row "cat of the files" "$cat_best" "$cat_median"; echo
row "floor (yaml-cpp events, 2 threads)" "$floor_best" "$floor_median"; echo
row "harden --check -j 2" "$check_best" "$check_median"
echo "   $(ratio "$check_best" "$floor_best")x floor (target <= 1.5)"
row "write floor (2 parses + replace)" "$wfloor_best" "$wfloor_median"
echo "   $(ratio "$wfloor_best" "$floor_best")x floor"
row "harden --write -j 2" "$write_best" "$write_median"
echo "   $(ratio "$write_best" "$floor_best")x floor (target <= 3), $(ratio "$write_best" "$wfloor_best")x write floor"
row "harden --check, one file" "$one_best" "$one_median"; echo "   (target <= 0.010)"
row "/bin/true (process start alone)" "$true_best" "$true_median"; echo
printf '%-34s %8s KiB (target <= 65536)\n' "peak memory of --check -j 2" "$peak"

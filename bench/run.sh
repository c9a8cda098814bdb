#!/usr/bin/env bash
# Benchmarks harden against the floor (yaml-cpp's event parser alone) and
# `cat`, on ~10,000 real compose files. Run by hand; never part of the tests.
#   bench/run.sh [HARDEN_BIN]       (default: build/harden)
# Needs GNU time (`apt-get install time`) for the peak memory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
harden=${1:-$root/build/harden}
work=${BENCH_DIR:-/tmp/harden-bench}
runs=${BENCH_RUNS:-3}
mkdir -p "$work"

command -v /usr/bin/time >/dev/null || { echo "bench: install GNU time (apt-get install time)"; exit 2; }
g++ -O2 -std=c++20 -o "$work/floor" "$here/floor.cpp" -lyaml-cpp -lpthread
if [ -f "$work/corpus/.complete" ]; then
  files=$(find "$work/corpus" -type f ! -name .complete | wc -l)
else
  files=$("$here/make-corpus.sh" "$work/corpus" "$root/../shared")
  touch "$work/corpus/.complete"
fi
find "$work/corpus" -type f ! -name .complete | sort > "$work/files.txt"
bytes=$(cat $(cat "$work/files.txt") | wc -c)

# best-of-N wall time of a command, in seconds
best() {
  local best=999999 t0 t1 t
  for _ in $(seq "$runs"); do
    [ -n "${BEFORE:-}" ] && eval "$BEFORE"
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
    t=$(echo "$t1 - $t0" | bc -l)
    best=$(echo "if ($t < $best) $t else $best" | bc -l)
  done
  printf '%.3f' "$best"
}

globs=(--no-ignore --glob '*.yml' --glob '*.yaml')
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "corpus: $files files, $bytes bytes"
t_cat=$(best sh -c "xargs cat < '$work/files.txt' > /dev/null")
t_floor=$(best sh -c "'$work/floor' 2 - < '$work/files.txt'")
t_check=$(best "$harden" --check -q -j 2 "${globs[@]}" "$work/corpus")
BEFORE="rm -rf '$work/write' && cp -r '$work/corpus' '$work/write'" \
  t_write=$(best "$harden" --write -q -j 2 "${globs[@]}" "$work/write")
one=$(grep -m1 'docker-compose.yml$' "$work/files.txt")
BENCH_RUNS=20 t_one=$(runs=20 best "$harden" --check -q "$one")
# --check exits 1 (changes needed) or 2 (some files fail): not an error here.
peak=$( { /usr/bin/time -f '%M' "$harden" --check -q -j 2 "${globs[@]}" "$work/corpus" 2>&1 >/dev/null || true; } | tail -1)

ratio() { echo "scale=2; $1 / $2" | bc -l; }
printf '%-34s %8s s\n' "cat of the files" "$t_cat"
printf '%-34s %8s s\n' "floor (yaml-cpp events, 2 threads)" "$t_floor"
printf '%-34s %8s s   %sx floor (target <= 1.5)\n' "harden --check -j 2" "$t_check" "$(ratio "$t_check" "$t_floor")"
printf '%-34s %8s s   %sx floor (target <= 3)\n' "harden --write -j 2" "$t_write" "$(ratio "$t_write" "$t_floor")"
printf '%-34s %8s s   (target <= 0.010)\n' "harden --check, one file" "$t_one"
printf '%-34s %8s KiB (target <= 65536)\n' "peak memory of --check -j 2" "$peak"

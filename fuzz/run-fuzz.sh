#!/bin/sh
# Builds the libFuzzer targets with clang and runs each for SECONDS
# (default 60). Seeds: $HARDEN_DATA_DIR/corpus/real (default ../shared),
# golden/*/input.yml, the KICS fixtures and the
# saved regressions. New crashers are left in fuzz/findings/TARGET/.
# With HARDEN_FUZZ_RUNS=N each target instead runs N inputs after its seeds
# with a fixed random seed (SECONDS stays a cap): the same inputs on every
# machine, so a CI failure can be reproduced.
# Usage: fuzz/run-fuzz.sh [SECONDS] [JOBS]
set -eu
SECONDS_PER_TARGET=${1:-60}
JOBS=${2:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${HARDEN_FUZZ_BUILD:-$ROOT/build-fuzz}
WORK=${HARDEN_FUZZ_WORK:-$BUILD/fuzz-work}

cmake -S "$ROOT" -B "$BUILD" -DHARDEN_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target fuzz_loader fuzz_edits fuzz_pipeline

# Seed corpora. fuzz_edits reads 4 control bytes before the YAML.
mkdir -p "$WORK/seeds-yaml" "$WORK/seeds-edits"
n=0
DATA=${HARDEN_DATA_DIR:-$ROOT/../shared}
for f in "$DATA"/corpus/real/* "$ROOT"/golden/*/input.yml "$DATA"/corpus/kics/*/*.yaml; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  cp "$f" "$WORK/seeds-yaml/seed-$n"
  for c in '\000\000\000\000' '\001\001\001\001' '\002\000\203\001' '\003\002\005\002'; do
    { printf "$c"; cat "$f"; } > "$WORK/seeds-edits/seed-$n-$(printf "$c" | od -An -tx1 | tr -d ' \n')"
  done
done

status=0
parallel=
[ "$JOBS" -gt 1 ] && parallel="-fork=$JOBS -ignore_crashes=1"
fixed=
[ -n "${HARDEN_FUZZ_RUNS:-}" ] && fixed="-runs=$HARDEN_FUZZ_RUNS -seed=1"
for target in fuzz_loader fuzz_edits fuzz_pipeline; do
  case $target in
    fuzz_loader) seeds=$WORK/seeds-yaml; regress=$ROOT/fuzz/corpus-regressions/loader ;;
    fuzz_edits) seeds=$WORK/seeds-edits; regress=$ROOT/fuzz/corpus-regressions/edits ;;
    fuzz_pipeline) seeds=$WORK/seeds-yaml; regress=$ROOT/fuzz/corpus-regressions/pipeline ;;
  esac
  corpus=$WORK/corpus-$target
  findings=$ROOT/fuzz/findings/$target
  mkdir -p "$corpus" "$findings" "$regress"
  echo "== $target: ${SECONDS_PER_TARGET}s"
  if ! "$BUILD/fuzz/$target" "$corpus" "$seeds" "$regress" -max_total_time="$SECONDS_PER_TARGET" \
      -max_len=65536 -timeout=10 -rss_limit_mb=2048 $parallel $fixed \
      -artifact_prefix="$findings/" -print_final_stats=1 2>"$WORK/$target.log"; then
    echo "$target: FOUND A PROBLEM (see $WORK/$target.log and $findings)"
    grep -m5 'FUZZ FAILURE\|ERROR: \|SUMMARY' "$WORK/$target.log" || true
    status=1
  fi
  grep -h 'stat::number_of_executed_units\|cov:' "$WORK/$target.log" | tail -2 || true
done
exit $status

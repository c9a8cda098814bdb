#!/bin/sh
# A long fuzz campaign: runs each target for SECONDS in total (default
# 1200), restarting it after a finding so one crash does not end the
# campaign, and prints per target: executions, coverage, corpus size and
# the inputs that failed (kept in fuzz/findings/TARGET/).
# Usage: fuzz/campaign.sh [SECONDS] [TARGET...]  (HARDEN_FUZZ_MAX_LEN: largest input, default 65536)
# Run fuzz/run-fuzz.sh 1 first: it builds the targets and the seed corpora.
set -eu
BUDGET=${1:-1200}
shift || true
TARGETS=${*:-fuzz_loader fuzz_edits fuzz_pipeline}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${HARDEN_FUZZ_BUILD:-$ROOT/build-fuzz}
WORK=${HARDEN_FUZZ_WORK:-$BUILD/fuzz-work}

for target in $TARGETS; do
  case $target in
    fuzz_edits) seeds=$WORK/seeds-edits; regress=$ROOT/fuzz/corpus-regressions/edits ;;
    fuzz_loader) seeds=$WORK/seeds-yaml; regress=$ROOT/fuzz/corpus-regressions/loader ;;
    *) seeds=$WORK/seeds-yaml; regress=$ROOT/fuzz/corpus-regressions/pipeline ;;
  esac
  corpus=$WORK/corpus-$target
  findings=$ROOT/fuzz/findings/$target
  mkdir -p "$corpus" "$findings"
  start=$(date +%s)
  executions=0
  runs=0
  while :; do
    left=$((BUDGET - ($(date +%s) - start)))
    [ "$left" -gt 5 ] || break
    runs=$((runs + 1))
    mkdir -p "$findings"  # again: findings may be moved away while it runs
    log=$WORK/$target.campaign-$runs.log
    "$BUILD/fuzz/$target" "$corpus" "$seeds" "$regress" -max_total_time="$left" -max_len="${HARDEN_FUZZ_MAX_LEN:-65536}" \
      -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 2>"$log" || true
    n=$(grep -h 'stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
    executions=$((executions + ${n:-0}))
  done
  cov=$(grep -ho 'cov: [0-9]*' "$WORK/$target.campaign-$runs.log" | tail -1)
  echo "$target: $executions executions in $BUDGET s ($runs runs), $cov, corpus $(ls "$corpus" | wc -l) inputs," \
       "findings: $(ls "$findings" | wc -l)"
done

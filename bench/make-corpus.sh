#!/usr/bin/env bash
# Builds the benchmark corpus: the real corpus copied 41 times (about
# 10,000 files), each copy in its own folder so names stay as they were.
#   bench/make-corpus.sh OUT_DIR [SHARED_DIR]
set -euo pipefail
out=${1:?usage: make-corpus.sh OUT_DIR [SHARED_DIR]}
shared=${2:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
rm -rf "$out"
for i in $(seq -w 1 41); do
  mkdir -p "$out/copy$i"
  for f in "$shared"/corpus/real/*.y*ml; do
    name=$(basename "$f")
    # Corpus names are REPO__PATH__FILE: keep the file's own name in a folder of its own.
    dir="$out/copy$i/${name%__*}"
    mkdir -p "$dir"
    cp "$f" "$dir/${name##*__}"
  done
done
find "$out" -type f | wc -l

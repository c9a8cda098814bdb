#!/usr/bin/env bash
# Corpus test (SPEC §1): harden over every real and KICS compose file.
#   usage: tests/corpus_test.sh HARDEN_BIN SHARED_DIR
# The checks are in tests/corpus_check.py; it prints the counts and a last
# line `N passed, M failed`, and exits non-zero on any failure.
# Needs python3 with the Debian packages python3-yaml and python3-jsonschema.
# Hermetic: what images the local engine holds must not change results.
export HARDEN_NO_ENGINE=1
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 HARDEN_BIN SHARED_DIR" >&2
  exit 2
fi
harden=$1
shared=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ ! -x "$harden" ]; then
  echo "corpus_test: $harden is not an executable" >&2
  exit 2
fi
if [ ! -d "$shared/corpus/real" ] || [ ! -d "$shared/corpus/kics" ] || [ ! -f "$shared/schema/compose-spec.json" ]; then
  echo "corpus_test: $shared has no corpus/real, corpus/kics or schema/compose-spec.json" >&2
  exit 2
fi

# Prefer the system interpreter, where the Debian packages live.
python=
for candidate in /usr/bin/python3 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import yaml, jsonschema; jsonschema.Draft202012Validator' >/dev/null 2>&1; then
    python=$candidate
    break
  fi
done
if [ -z "$python" ]; then
  echo "corpus_test: needs python3 with yaml and jsonschema >= 4 (apt-get install python3-yaml python3-jsonschema)" >&2
  exit 2
fi

exec "$python" "$here/corpus_check.py" "$harden" "$shared"

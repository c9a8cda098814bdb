#!/usr/bin/env bash
# Limit values from the command line and .harden.yaml are checked with
# Docker's syntax and minimums: a bad one gives exit 2, an error naming the
# option (or the file, line and column), and the compose file byte-identical.
#   tests/limit_options_test.sh HARDEN_BIN
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
failures=0
fail() { echo "FAIL: $1: $2"; failures=$((failures + 1)); }

printf 'services:\n  web:\n    image: example/web\n' > compose.yaml
cp compose.yaml original.yaml

# expect_refused NAME EXPECTED_TEXT ARGS...
expect_refused() {
  local name=$1 expected=$2
  shift 2
  "$BIN" --write "$@" compose.yaml > out.txt 2> err.txt
  local code=$?
  [ "$code" -eq 2 ] || fail "$name" "exit $code, expected 2"
  grep -qF -- "$expected" err.txt || fail "$name" "stderr lacks '$expected': $(cat err.txt)"
  cmp -s compose.yaml original.yaml || { fail "$name" "the file changed"; cp original.yaml compose.yaml; }
  [ -z "$(ls -A | grep -v -e '^compose.yaml$' -e '^original.yaml$' -e '^out.txt$' -e '^err.txt$' -e '^harden.yaml$')" ] ||
    fail "$name" "left files behind: $(ls -A)"
}

echo "== command line"
expect_refused "--memory lots" "harden: --memory: expected a size such as 512m" --no-config --memory lots
expect_refused "--memory 512 (bytes)" "harden: --memory: '512' is 512 bytes, below Docker's minimum memory limit of 6 MB" --no-config --memory 512
expect_refused "--memory -1" "harden: --memory:" --no-config --memory=-1
expect_refused "--cpus -3" "harden: --cpus: expected a positive number of CPUs" --no-config --cpus=-3
expect_refused "--cpus 0" "harden: --cpus: '0' is below Docker's minimum of 0.01 CPUs" --no-config --cpus 0
expect_refused "--cpus too precise" "too precise" --no-config --cpus 0.1234567891
expect_refused "--pids abc" "harden: --pids: expected a positive whole number" --no-config --pids abc
expect_refused "--pids 0" "harden: --pids:" --no-config --pids 0
expect_refused "--pids -1" "harden: --pids:" --no-config --pids=-1

echo "== .harden.yaml"
printf 'defaults:\n  memory: 512\n' > harden.yaml
expect_refused "defaults.memory 512" "harden.yaml:2:11: defaults.memory: '512' is 512 bytes" --config harden.yaml
printf 'services:\n  web:\n    memory: lots\n' > harden.yaml
expect_refused "services.web.memory lots" "harden.yaml:3:13: services.web.memory: expected a size" --config harden.yaml
printf 'services:\n  web:\n    cpus: -3\n' > harden.yaml
expect_refused "services.web.cpus -3" "harden.yaml:3:11: services.web.cpus:" --config harden.yaml
printf 'services:\n  web:\n    pids: abc\n' > harden.yaml
expect_refused "services.web.pids abc" "harden.yaml:3:11: services.web.pids:" --config harden.yaml
printf 'images:\n  - family: web\n    images: [example/web]\n    limits: {pids: 0}\n' > harden.yaml
expect_refused "images limits.pids 0" "limits.pids:" --config harden.yaml

echo "== good values are written"
"$BIN" --write --no-config --select H105 --memory 1.5g --cpus .5 --pids 64 compose.yaml 2> err.txt ||
  [ $? -eq 1 ] || fail "good values" "$(cat err.txt)"
grep -q 'mem_limit: 1.5g' compose.yaml && grep -q 'cpus: .5' compose.yaml && grep -q 'pids_limit: 64' compose.yaml ||
  fail "good values" "not written: $(cat compose.yaml)"

if [ "$failures" -gt 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all limit option checks passed"

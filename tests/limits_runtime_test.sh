#!/usr/bin/env bash
# The limits H105 writes are accepted by a real Docker engine: a service with
# cpu_quota, one with mem_reservation, one with deploy reservations and one
# with memswap_limit, hardened, are created and keep running, with the
# limits harden chose. Negative control: `cpus` beside cpu_quota, as harden
# used to write, is refused by the same engine.
#   tests/limits_runtime_test.sh HARDEN_BIN [IMAGE]
# IMAGE (default app:e2e, built by tests/e2e/setup.sh) is any local image
# whose default command keeps running. Without an engine, compose or the
# image it prints SKIPPED and exits 77, ctest's skip code (1 with
# HARDEN_E2E_REQUIRED=1, which scripts/test sets when CI=true).
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
IMAGE=${2:-app:e2e}
skip() {
  echo "SKIPPED: $1"
  [ "${HARDEN_E2E_REQUIRED:-}" = 1 ] && exit 1
  exit 77
}
timeout 15 docker info > /dev/null 2>&1 || skip "no Docker engine answers"
if command -v docker-compose > /dev/null 2>&1; then compose() { docker-compose "$@"; }
elif docker compose version > /dev/null 2>&1; then compose() { docker compose "$@"; }
else skip "neither docker-compose nor the compose plugin is installed"; fi
docker image inspect "$IMAGE" > /dev/null 2>&1 || skip "image $IMAGE is not built (tests/e2e/setup.sh builds it)"

WORK=$(mktemp -d)
PROJECT=harden-limits-$$
cleanup() {
  (cd "$WORK" && compose -p "$PROJECT" down -v --remove-orphans > /dev/null 2>&1)
  (cd "$WORK/negative" 2> /dev/null && compose -p "$PROJECT-neg" down -v --remove-orphans > /dev/null 2>&1)
  rm -rf "$WORK"
}
trap cleanup EXIT
passed=0
failed=0
check() {
  if [ "$1" = 0 ]; then passed=$((passed + 1)); echo "PASS $2"; else failed=$((failed + 1)); echo "FAIL $2"; fi
}

cd "$WORK" || exit 2
services="quota reserved swap"
cat > compose.yml << YAML
services:
  quota:
    image: $IMAGE
    cpu_period: 100000
    cpu_quota: 50000
  reserved:
    image: $IMAGE
    mem_reservation: 1g
  swap:
    image: $IMAGE
    memswap_limit: 256m
YAML
# docker-compose v1 does not know deploy.resources.limits.pids (Compose v2 does).
if [ "$(compose version --short 2> /dev/null | cut -c1)" != 1 ]; then
  services="$services deploy-reserved"
  printf '  deploy-reserved:\n    image: %s\n    deploy:\n      resources:\n        reservations:\n          memory: 768M\n' \
    "$IMAGE" >> compose.yml
else
  echo "INFO docker-compose v1: the deploy reservation service is left out (v1 refuses deploy pids limits)"
fi
"$BIN" --write --no-config --select H105 compose.yml > /dev/null 2>&1
check $? "harden --write"

# `--compatibility` maps deploy.resources for docker-compose v1; v2 reads it anyway.
compat=()
compose --help 2> /dev/null | grep -q -- --compatibility && compat=(--compatibility)
compose "${compat[@]}" -p "$PROJECT" up -d > up.log 2>&1
check $? "hardened stack created and started$( [ -s up.log ] && grep -i error up.log | head -1 | sed 's/^/: /')"
sleep 3

# inspect SERVICE FORMAT: the container's value.
inspect() {
  local id
  id=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1" | head -n1)
  [ -n "$id" ] && docker inspect -f "$2" "$id"
}
for service in $services; do
  [ "$(inspect "$service" '{{.State.Running}}')" = true ]
  check $? "$service keeps running"
done
[ "$(inspect quota '{{.HostConfig.NanoCpus}} {{.HostConfig.CpuQuota}}')" = "0 50000" ]
check $? "quota: no cpus beside cpu_quota"
[ "$(inspect reserved '{{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}}')" = "1073741824 1073741824" ]
check $? "reserved: memory limit 1g, at its reservation"
if [ "${services%deploy-reserved}" != "$services" ]; then
  [ "$(inspect deploy-reserved '{{.HostConfig.Memory}}')" = "805306368" ]
  check $? "deploy-reserved: memory limit 768m, at its reservation"
fi
[ "$(inspect swap '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}')" = "268435456 268435456" ]
check $? "swap: memory limit 256m, at memswap_limit"

# Negative control: what harden wrote before, cpus beside cpu_quota.
mkdir negative && cd negative || exit 2
printf 'services:\n  quota:\n    image: %s\n    cpu_period: 100000\n    cpu_quota: 50000\n    cpus: 1\n' "$IMAGE" > compose.yml
compose -p "$PROJECT-neg" up -d > up.log 2>&1
status=$?
[ "$status" -ne 0 ] && grep -qi "conflicting options" up.log
check $? "negative control: the engine refuses cpus beside cpu_quota"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

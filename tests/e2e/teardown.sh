#!/usr/bin/env bash
# Remove every container, network and volume the e2e tests made, then stop the
# dockerd that setup.sh started (by its recorded pid). An engine that was already
# running before setup.sh is left running.
set -uo pipefail
# shellcheck source=lib/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/common.sh"

if command -v docker >/dev/null 2>&1 && e2e_engine_ok; then
	e2e_remove_leftovers
	e2e_log "removed e2e containers, networks and volumes"
fi

PIDFILE="$E2E_STATE/dockerd.pid"
if [ -s "$PIDFILE" ]; then
	pid="$(cat "$PIDFILE")"
	if kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
		e2e_log "stopping dockerd (pid $pid)"
		kill -TERM "$pid"
		for _ in $(seq 1 30); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 1
		done
		if kill -0 "$pid" 2>/dev/null; then
			e2e_log "dockerd did not stop in 30 s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	else
		e2e_log "dockerd pid $pid is not running"
	fi
	rm -f "$PIDFILE"
else
	e2e_log "no dockerd started by setup.sh (nothing to stop)"
fi
echo "teardown OK"

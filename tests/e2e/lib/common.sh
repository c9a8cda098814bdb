# shellcheck shell=bash
# shellcheck disable=SC2034  # variables used by the scripts that source this file
# Shared settings and helpers for setup.sh, run.sh and teardown.sh.
# Everything is relative to this folder; nothing here names a machine path
# except the overridable defaults for state and cache.

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Runtime state (dockerd pid and log, timings). Not in the repository.
E2E_STATE="${HARDEN_E2E_STATE:-${TMPDIR:-/tmp}/harden-e2e-state}"
# Cache of the Debian base rootfs tarball, kept between runs (and between CI runs).
E2E_CACHE="${HARDEN_E2E_CACHE:-${HOME:-/root}/.cache/harden-e2e}"
# Debian suite of the base image. The package names in base/build-rootfs.sh are for it.
E2E_SUITE="${HARDEN_E2E_SUITE:-bookworm}"
# Prefix of every compose project, container and label this suite creates.
E2E_PREFIX="${HARDEN_E2E_PREFIX:-he2e}"
E2E_LABEL="harden-e2e"

# The classic builder works with every daemon and needs no buildx plugin.
export DOCKER_BUILDKIT=0
export COMPOSE_DOCKER_CLI_BUILD=0
# docker-compose v1 prints a deprecation banner on every call otherwise.
export COMPOSE_INTERACTIVE_NO_CLI=1

E2E_IMAGES="nginx redis postgres app caddy s6app filestore cacheweb jvmlike"
E2E_BASE_REPO="harden-e2e/debian"
E2E_PROBE_IMAGE="harden-e2e/probe:e2e"

e2e_log() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
e2e_die() { printf '[e2e] ERROR: %s\n' "$*" >&2; exit 2; }

# Engine unavailable: loud SKIPPED and exit 77 (ctest's skip code: the suite
# is reported skipped, never passed), or exit 1 with HARDEN_E2E_REQUIRED=1
# (scripts/test sets it when CI=true).
e2e_skip() {
	printf '\n'
	printf '************************************************************\n'
	printf 'SKIPPED: %s\n' "$*"
	printf '************************************************************\n'
	if [ "${HARDEN_E2E_REQUIRED:-0}" = 1 ]; then
		printf 'HARDEN_E2E_REQUIRED=1, so a skip counts as a failure.\n'
		exit 1
	fi
	exit 77
}

e2e_engine_ok() { timeout 15 docker info >/dev/null 2>&1; }

# docker-compose v1 (Debian) or the v2 plugin, whichever is present.
e2e_compose() {
	if command -v docker-compose >/dev/null 2>&1; then
		docker-compose "$@"
	else
		docker compose "$@"
	fi
}

e2e_have_compose() {
	command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1
}

# A python3 that can import yaml (Debian's python3-yaml is a docker-compose dependency).
e2e_python() {
	local p
	for p in /usr/bin/python3 python3; do
		if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' >/dev/null 2>&1; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	return 1
}

e2e_arch() { dpkg --print-architecture 2>/dev/null || uname -m; }

# Cache key of the base rootfs: hash of its recipe, the suite and the architecture.
# The mirror is not part of the key: any mirror of the suite gives the same recipe.
e2e_base_key() {
	{
		printf 'suite=%s arch=%s\n' "$E2E_SUITE" "$(e2e_arch)"
		cat "$E2E_DIR/base/build-rootfs.sh"
	} | sha256sum | cut -c1-16
}

e2e_base_image() { printf '%s:%s-%s\n' "$E2E_BASE_REPO" "$E2E_SUITE" "$(e2e_base_key)"; }

e2e_now() { date +%s; }

# Remove every container (with its anonymous volumes), network and volume left by
# this suite: compose projects named $E2E_PREFIX-* and containers labelled $E2E_LABEL.
e2e_remove_leftovers() {
	local ids
	ids="$( {
		docker ps -aq --filter "label=$E2E_LABEL=1"
		docker ps -a --format '{{.ID}} {{.Label "com.docker.compose.project"}}' | awk -v p="^$E2E_PREFIX-" '$2 ~ p {print $1}'
	} 2>/dev/null | sort -u)"
	# shellcheck disable=SC2086
	[ -z "$ids" ] || docker rm -f -v $ids >/dev/null 2>&1 || true
	ids="$(docker network ls --format '{{.ID}} {{.Label "com.docker.compose.project"}}' 2>/dev/null |
		awk -v p="^$E2E_PREFIX-" '$2 ~ p {print $1}')"
	# shellcheck disable=SC2086
	[ -z "$ids" ] || docker network rm $ids >/dev/null 2>&1 || true
	ids="$(docker volume ls --format '{{.Name}} {{.Label "com.docker.compose.project"}}' 2>/dev/null |
		awk -v p="^$E2E_PREFIX-" '$2 ~ p {print $1}')"
	# shellcheck disable=SC2086
	[ -z "$ids" ] || docker volume rm -f $ids >/dev/null 2>&1 || true
}

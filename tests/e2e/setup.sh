#!/usr/bin/env bash
# Prepare the runtime end-to-end test: packages, a running Docker engine, the
# cached Debian base image and the local look-alikes of the official images
# (nginx:e2e, redis:e2e, postgres:e2e, app:e2e, caddy:e2e).
#
# Idempotent. Needs root on a machine without a running engine.
# Environment:
#   HARDEN_E2E_CACHE     base tarball cache (default: $HOME/.cache/harden-e2e)
#   HARDEN_E2E_STATE     dockerd pid/log and timings (default: $TMPDIR/harden-e2e-state)
#   HARDEN_E2E_MIRROR    Debian mirror for debootstrap (default: read from apt sources)
#   HARDEN_E2E_SECURITY_MIRROR  Debian security mirror (default: read from apt sources)
#   HARDEN_E2E_DOCKERD_ARGS     extra dockerd flags (word-split)
#   HARDEN_E2E_REQUIRED=1       an engine that cannot be started is a failure, not a skip
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/common.sh"

mkdir -p "$E2E_STATE" "$E2E_CACHE"
: >"$E2E_STATE/timings.setup"
T_START=$(e2e_now)
T_PHASE=$T_START
phase_done() {
	local now
	now=$(e2e_now)
	printf '%-34s %4ss\n' "$1" "$((now - T_PHASE))" | tee -a "$E2E_STATE/timings.setup" >&2
	T_PHASE=$now
}

is_root() { [ "$(id -u)" = 0 ]; }

APT_UPDATED=0
apt_install() {
	# apt_install PKG... : install only what is missing, without recommends.
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	is_root || { e2e_log "need root to install: ${missing[*]}"; return 1; }
	command -v apt-get >/dev/null 2>&1 || { e2e_log "no apt-get to install: ${missing[*]}"; return 1; }
	e2e_log "apt-get install ${missing[*]}"
	if [ "$APT_UPDATED" = 0 ]; then
		apt-get update -qq >"$E2E_STATE/apt.log" 2>&1 || { tail -5 "$E2E_STATE/apt.log" >&2; return 1; }
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
		>>"$E2E_STATE/apt.log" 2>&1 || { tail -20 "$E2E_STATE/apt.log" >&2; return 1; }
}

# ---------------------------------------------------------------- packages
need_pkgs=()
command -v docker >/dev/null 2>&1 || need_pkgs+=(docker.io)
if ! e2e_engine_ok; then
	command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
fi
e2e_have_compose || need_pkgs+=(docker-compose)
e2e_python >/dev/null || need_pkgs+=(python3-yaml)
command -v zstd >/dev/null 2>&1 || need_pkgs+=(zstd)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
	# shellcheck disable=SC2207
	need_pkgs=($(printf '%s\n' "${need_pkgs[@]}" | sort -u))
	if ! apt_install "${need_pkgs[@]}"; then
		e2e_skip "cannot install ${need_pkgs[*]} (see $E2E_STATE/apt.log), so no Docker engine can be run"
	fi
fi
phase_done "packages"

# ---------------------------------------------------------------- engine
PIDFILE="$E2E_STATE/dockerd.pid"
if e2e_engine_ok; then
	if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
		e2e_log "dockerd already started by setup.sh (pid $(cat "$PIDFILE"))"
	else
		rm -f "$PIDFILE"
		e2e_log "using the Docker engine that is already running (teardown.sh will not stop it)"
	fi
else
	is_root || e2e_skip "no Docker engine answers and starting dockerd needs root"
	command -v dockerd >/dev/null 2>&1 || e2e_skip "dockerd not found"
	if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
		e2e_log "dockerd pid $(cat "$PIDFILE") is alive but does not answer; stopping it"
		kill "$(cat "$PIDFILE")" 2>/dev/null || true
		sleep 3
	fi
	rm -f "$PIDFILE"
	# A stale default pid file (from a killed daemon) makes dockerd refuse to start.
	if [ -s /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
		rm -f /var/run/docker.pid
	fi
	# No init system is assumed: start it by hand in its own session. The defaults
	# work (overlay2 on ext4, cgroupfs driver on cgroup v1 or v2, a managed containerd);
	# HARDEN_E2E_DOCKERD_ARGS can add flags such as --storage-driver=vfs.
	# shellcheck disable=SC2086
	setsid dockerd --pidfile "$PIDFILE" ${HARDEN_E2E_DOCKERD_ARGS:-} \
		>"$E2E_STATE/dockerd.log" 2>&1 </dev/null &
	e2e_log "started dockerd (log: $E2E_STATE/dockerd.log)"
	ok=0
	for _ in $(seq 1 60); do
		if e2e_engine_ok; then ok=1; break; fi
		if [ ! -s "$PIDFILE" ] && ! pgrep -x dockerd >/dev/null 2>&1; then break; fi
		sleep 1
	done
	if [ "$ok" != 1 ]; then
		tail -15 "$E2E_STATE/dockerd.log" >&2 || true
		if [ -s "$PIDFILE" ]; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; fi
		why="$(grep -E -i 'error|fatal|failed|unknown|denied|permitted' "$E2E_STATE/dockerd.log" | tail -n1 | cut -c1-200)"
		[ -n "$why" ] || why="$(grep -v '^$' "$E2E_STATE/dockerd.log" | tail -n1 | cut -c1-200)"
		e2e_skip "dockerd did not come up: $why (log: $E2E_STATE/dockerd.log)"
	fi
	e2e_log "dockerd is up, pid $(cat "$PIDFILE")"
fi
docker version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}, client {{.Client.Version}}' >&2 || true
phase_done "engine"

# ---------------------------------------------------------------- base image
# Mirrors: the machine's own Debian sources (deb822 *.sources or one-line *.list).
detect_mirror() {
	# detect_mirror debian|debian-security -> prints the first matching URI
	local want="$1" f uri
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		if [[ "$f" == *.sources ]]; then
			uri=$(awk -v RS='' '
				/(^|\n)Types:[^\n]*deb([ \n]|$)/ && !/(^|\n)Enabled: *no/ {
					n = split($0, lines, "\n")
					for (i = 1; i <= n; i++) if (lines[i] ~ /^URIs:/) {
						sub(/^URIs: */, "", lines[i]); m = split(lines[i], u, " ")
						for (j = 1; j <= m; j++) print u[j]
					}
				}' "$f")
		else
			uri=$(sed -E 's/\[[^]]*\]//; s/#.*//' "$f" | awk '$1 == "deb" { print $2 }')
		fi
		printf '%s\n' "$uri" | sed 's:/*$::' | grep -E "/${want}\$" | head -n1 && return 0
	done
	return 1
}

BASE_IMAGE="$(e2e_base_image)"
KEY="$(e2e_base_key)"
TARBALL="$E2E_CACHE/debian-$E2E_SUITE-$(e2e_arch)-$KEY.tar.zst"
if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
	e2e_log "base image $BASE_IMAGE already in the engine"
else
	if [ ! -s "$TARBALL" ]; then
		is_root || e2e_die "building the base rootfs needs root (debootstrap, chroot)"
		MIRROR="${HARDEN_E2E_MIRROR:-$(detect_mirror debian || true)}"
		SECURITY_MIRROR="${HARDEN_E2E_SECURITY_MIRROR:-$(detect_mirror debian-security || true)}"
		[ -n "$MIRROR" ] || e2e_die "no Debian mirror found in the apt sources; set HARDEN_E2E_MIRROR"
		apt_install debootstrap debian-archive-keyring || e2e_die "cannot install debootstrap"
		e2e_log "no cached base ($TARBALL); building it with debootstrap from $MIRROR (takes minutes)"
		exec 9>"$E2E_CACHE/.lock"
		flock 9
		if [ ! -s "$TARBALL" ]; then
			WORK="$(mktemp -d "$E2E_CACHE/build.XXXXXX")"
			if ! bash "$E2E_DIR/base/build-rootfs.sh" "$WORK/rootfs" "$E2E_SUITE" "$MIRROR" "$SECURITY_MIRROR" \
				>"$E2E_STATE/rootfs.log" 2>&1; then
				tail -30 "$E2E_STATE/rootfs.log" >&2
				mountpoint -q "$WORK/rootfs/proc" 2>/dev/null && umount "$WORK/rootfs/proc"
				rm -rf --one-file-system "$WORK"
				e2e_die "base rootfs build failed (see $E2E_STATE/rootfs.log)"
			fi
			phase_done "base rootfs (debootstrap+apt)"
			tar --numeric-owner -C "$WORK/rootfs" -cf - . | zstd -q -T0 -3 -o "$TARBALL.tmp"
			mv "$TARBALL.tmp" "$TARBALL"
			rm -rf --one-file-system "$WORK"
			# Older tarballs of this suite/arch are from an outdated recipe.
			find "$E2E_CACHE" -maxdepth 1 -name "debian-$E2E_SUITE-$(e2e_arch)-*.tar.zst" \
				! -name "$(basename "$TARBALL")" -delete
			phase_done "base tarball ($(du -h "$TARBALL" | cut -f1))"
		fi
		flock -u 9
	else
		e2e_log "using cached base tarball $TARBALL"
	fi
	zstd -q -dc "$TARBALL" | docker import \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'ENV LANG=C.UTF-8' \
		--change 'CMD ["/bin/bash"]' \
		--message "harden e2e base ($E2E_SUITE, recipe $KEY)" \
		- "$BASE_IMAGE" >/dev/null
	e2e_log "imported $BASE_IMAGE"
fi
docker tag "$BASE_IMAGE" "$E2E_PROBE_IMAGE"
phase_done "base image"

# ---------------------------------------------------------------- look-alike images
# Each image carries a label with the hash of its inputs (base image and build
# folder); an image whose label matches is up to date and is not rebuilt.
built=""
for name in $E2E_IMAGES; do
	key="$( {
		echo "$BASE_IMAGE"
		(cd "$E2E_DIR/images/$name" && find . -type f | LC_ALL=C sort | xargs sha256sum)
	} | sha256sum | cut -c1-16)"
	have="$(docker image inspect -f '{{index .Config.Labels "org.harden.e2e.key"}}' "$name:e2e" 2>/dev/null || true)"
	[ "$have" = "$key" ] && continue
	if ! docker build -q --build-arg "BASE=$BASE_IMAGE" --label "org.harden.e2e.key=$key" \
		-t "$name:e2e" "$E2E_DIR/images/$name" >"$E2E_STATE/build-$name.log" 2>&1; then
		cat "$E2E_STATE/build-$name.log" >&2
		e2e_die "docker build of $name:e2e failed"
	fi
	built="$built $name:e2e"
done
e2e_log "built:${built:- nothing (all images up to date)}"
phase_done "look-alike images"

printf '%-34s %4ss\n' "setup total" "$(($(e2e_now) - T_START))" | tee -a "$E2E_STATE/timings.setup" >&2
echo "setup OK"

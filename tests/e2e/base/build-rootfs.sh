#!/usr/bin/env bash
# Build the Debian rootfs that every e2e image starts from.
#
#   build-rootfs.sh ROOTFS_DIR SUITE MIRROR [SECURITY_MIRROR]
#
# The cache key of the resulting tarball is a hash of this file (plus suite and
# architecture), so any change here rebuilds the base image. Keep it deterministic.
# Needs root: debootstrap, chroot and a proc mount.
set -euo pipefail

ROOTFS="$1"
SUITE="$2"
MIRROR="$3"
SECURITY_MIRROR="${4:-}"

# Everything the look-alike images need, so no image build touches the network.
PACKAGES=(
	nginx-light
	redis-server redis-tools
	postgresql-15 postgresql-client-15
	python3
	gosu
	libcap2-bin
	procps
	curl ca-certificates
)

keyring_args=()
if [ -s /usr/share/keyrings/debian-archive-keyring.gpg ]; then
	keyring_args=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
fi

debootstrap --variant=minbase "${keyring_args[@]}" "$SUITE" "$ROOTFS" "$MIRROR"

cleanup() {
	umount "$ROOTFS/proc" 2>/dev/null || true
}
trap cleanup EXIT

# Never start daemons from maintainer scripts.
printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
chmod 0755 "$ROOTFS/usr/sbin/policy-rc.d"

{
	printf 'deb %s %s main\n' "$MIRROR" "$SUITE"
	printf 'deb %s %s-updates main\n' "$MIRROR" "$SUITE"
	if [ -n "$SECURITY_MIRROR" ]; then
		printf 'deb %s %s-security main\n' "$SECURITY_MIRROR" "$SUITE"
	fi
} >"$ROOTFS/etc/apt/sources.list"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf" 2>/dev/null || true

mount -t proc proc "$ROOTFS/proc"

chroot "$ROOTFS" /usr/bin/env -i \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 \
	/bin/bash -euxo pipefail -c '
		# Fixed ids as in the official images (nginx 101, postgres 999).
		# redis gets 999 in its own image (see images/redis/Dockerfile).
		groupadd --system --gid 101 nginx
		useradd --system --gid nginx --no-create-home --home /nonexistent \
			--comment "nginx user" --shell /bin/false --uid 101 nginx
		groupadd --system --gid 999 postgres
		useradd --system --gid postgres --uid 999 --home-dir /var/lib/postgresql \
			--shell /bin/bash postgres
		install --directory --owner postgres --group postgres --mode 1777 /var/lib/postgresql

		apt-get update
		apt-get install -y --no-install-recommends postgresql-common
		# No cluster from the package: the image entrypoint runs initdb itself.
		sed -ri "s/#(create_main_cluster) .*$/\1 = false/" /etc/postgresql-common/createcluster.conf
		apt-get install -y --no-install-recommends '"${PACKAGES[*]}"'
		apt-get clean
	'

umount "$ROOTFS/proc"
rm -f "$ROOTFS/usr/sbin/policy-rc.d"
: >"$ROOTFS/etc/resolv.conf"
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin \
	"$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
	"$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/* "$ROOTFS"/tmp/* "$ROOTFS"/var/tmp/*

#!/bin/sh
# Started as root: prepare the run and data folders for the service user,
# then drop privileges and run this script again as that user.
set -e
STORE_RUN=/var/run/store
if [ "$(id -u)" = '0' ]; then
	mkdir -p "$STORE_RUN"
	chown store:store "$STORE_RUN"
	find /var/lib/store \! -user store -exec chown store:store '{}' +
	exec setpriv --reuid=store --regid=store --init-groups "$0" "$@"
fi
exec "$@"

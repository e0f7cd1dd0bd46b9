# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Helpers for guest workload scripts (busybox sh).

SERVER=10.0.2.100

say() { echo "E2E: $*"; }

fail() {
	say "FAIL: $*"
	exit 1
}

# nfs_mount VERS [DIR]: mount the ditto export over NFSv4.VERS.
nfs_mount() {
	mkdir -p "${2:-/mnt}"
	mount -t nfs4 -o "vers=$1,port=2049,timeo=100,retrans=3${DITTO_mntopts:+,$DITTO_mntopts}" \
		"$SERVER:${DITTO_export:-/ditto}" "${2:-/mnt}" ||
		fail "mount vers=$1"
	say "mounted vers=$1"
}

# step NAME CMD...: run one checked step and say so on the console.
step() {
	name=$1
	shift
	"$@" || fail "$name"
	say "ok $name"
}

# wait_for FILE SECONDS: poll (uncached: a new lookup each time) until
# FILE exists on the export; false after SECONDS.
wait_for() {
	i=0
	while [ $i -lt $(($2 * 5)) ]; do
		[ -e "$1" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

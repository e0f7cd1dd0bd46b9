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

# perm_mounts VERS: the perm scenarios' two exports (tests/e2e/perm.sh),
# /vfs on /mnt/vfs and /ditto on /mnt/ditto, their roots open to every
# user; says which of the client's own link rules are on (Debian kernels
# turn them on: calls they refuse never reach either server).
perm_mounts() {
	DITTO_export=/vfs nfs_mount "$1" /mnt/vfs
	DITTO_export=/ditto nfs_mount "$1" /mnt/ditto
	chmod 0755 /mnt/vfs /mnt/ditto || fail "chmod the export roots"
	say "guest fs.protected_hardlinks=$(cat /proc/sys/fs/protected_hardlinks) protected_symlinks=$(cat /proc/sys/fs/protected_symlinks) protected_regular=$(cat /proc/sys/fs/protected_regular 2>/dev/null) protected_fifos=$(cat /proc/sys/fs/protected_fifos 2>/dev/null)"
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

# NLM scenario (nlm.sh): the server's fixed MOUNT port and, in the guest,
# the port rpc.statd listens on (qemu forwards it for SM_NOTIFY).
MNT_PORT=20048
STATD_PORT=662

# nsm_start: rpcbind and rpc.statd (Debian's, copied in by nlm.sh): the
# kernel's lockd asks statd to monitor the server (SM_MON) before its
# first NLM lock, and statd passes the server's reboot notice on.
nsm_start() {
	PATH=$PATH:/usr/sbin
	mkdir -p /run /var/lib/nfs/sm /var/lib/nfs/sm.bak
	ln -sfn /run /var/run
	rpcbind -f >/tmp/rpcbind.log 2>&1 &
	i=0
	until rpcinfo -p 127.0.0.1 >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "rpcbind did not start: $(cat /tmp/rpcbind.log)"
		sleep 0.1
	done
	rpc.statd -F -d -L -p $STATD_PORT -o $((STATD_PORT + 1)) \
		-P /var/lib/nfs >/tmp/statd.log 2>&1 &
	i=0
	until rpcinfo -p 127.0.0.1 2>/dev/null | grep -q ' 100024 '; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "rpc.statd did not register: $(tail -n 5 /tmp/statd.log)"
		sleep 0.1
	done
	say "rpcbind and rpc.statd (port $STATD_PORT) running"
}

# nfs3_mount: the ditto export over NFSv3 on TCP, locks by NLM.
nfs3_mount() {
	mkdir -p /mnt
	mount -t nfs -o "vers=3,proto=tcp,port=2049,mountport=$MNT_PORT,mountproto=tcp,timeo=100,retrans=3${DITTO_mntopts:+,$DITTO_mntopts}" \
		"$SERVER:${DITTO_export:-/ditto}" /mnt || fail "mount vers=3"
	say "mounted vers=3"
}

# ctl_wait WORD SECONDS: wait for the host to write WORD on the second
# serial port (nlm.sh's control pipe).
ctl_wait() {
	stty -F /dev/ttyS1 -echo raw 2>/dev/null || true
	# shellcheck disable=SC3045 # busybox ash has read -t
	while read -r -t "$2" line </dev/ttyS1; do
		[ "$line" = "$1" ] && return 0
	done
	return 1
}

# hold_start FILE WHAT: a whole-file write lock on FILE held by a
# lockprobe in the background (HOLDER) until hold_end; WHAT names it in
# the messages.
hold_start() {
	rm -f /tmp/held /tmp/release
	lockprobe "$1" lock:w:0:0 touch:/tmp/held wait:/tmp/release:600 \
		>/tmp/holder.log 2>&1 &
	HOLDER=$!
	wait_for /tmp/held 60 || fail "5 $2: $(cat /tmp/holder.log)"
	say "ok 5 $2 held"
}

# hold_end WHAT: release hold_start's lock; its lockprobe must end well.
hold_end() {
	touch /tmp/release
	wait "$HOLDER" || fail "5 the $1 holder: $(cat /tmp/holder.log)"
	grep 'lockprobe:' /tmp/holder.log
}

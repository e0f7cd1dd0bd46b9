#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The NLM E2E scenario (run.sh driver "nlm"): two Linux guests on one
# FSAL_DITTO export, A with an NFSv3 mount (fcntl locks go out as NLM)
# and B with an NFSv4.1 mount (NFSv4 LOCK), check that their locks
# exclude each other both ways with POSIX range rules, then survive a
# server restart: the host kills ganesha.nfsd, runs sm-notify (A's statd
# gets SM_NOTIFY and A's lockd reclaims), starts it again in grace, and
# B's client reclaims through NFSv4.1 recovery.  The workloads are
# scenarios/nlm-v3.sh and scenarios/nlm-v41.sh; the locks are taken by
# lockprobe.c, built static here.
#
#   nlm.sh DIR KDIR      (root; run.sh calls it with the kernel dir)
#
# Everything runs in private network, mount and UTS namespaces (unshare):
# the only interface is lo, so every packet stays on loopback.  In them:
#  - rpcbind (port 111; Ganesha registers MOUNT and NLM with it, A's
#    lockd asks it for NLM's port), rpc.statd (Ganesha monitors A
#    through it) and ganesha.nfsd (nlm.conf.in: NFSv3 + NLM + NFSv4.1,
#    fixed ports, durable store, recovery backend "fs");
#  - rpcbind and statd see an /etc/netconfig without UDP (rpcbind 1.2.6
#    cannot be kept off the wildcard address, -h aborts): UDP port 111
#    stays free for qemu;
#  - host name "ditto-server" (what Ganesha sends statd as its own name,
#    hence the name sm-notify announces) and an /etc/hosts in which A's
#    host name is 127.0.0.3: qemu forwards UDP 127.0.0.3:111 and :662 to
#    A's rpcbind and statd, which is where sm-notify sends SM_NOTIFY.
# The guests reach the server through guestfwd (TCP to 127.0.0.1: NFS
# 2049, and for A rpcbind 111, MOUNT 20048, NLM 32803).  The host tells
# them when the restart is done on a second serial port (a pipe).
#
# Prints "    PASS|FAIL guest: check" lines; the first failure's reason
# goes to DIR/why.  Exit status 0 when every check passed.
# Environment: DITTO_NLM_LEASE / DITTO_NLM_GRACE (default 10 / 15 s),
# DITTO_E2E_GUEST_TIMEOUT (seconds per guest, default 600).  Details and
# the checks: docs/grace-nlm.md.
set -euo pipefail

: "${DITTO_ROOT:?}" "${DITTO_BUILD:?}" "${DITTO_UPSTREAM:?}"
die() {
	echo "e2e nlm: $*" >&2
	exit 2
}

if [ "${1:-}" != --in-namespace ]; then
	[ "$(id -u)" = 0 ] ||
		die "needs root (private network, mount and UTS namespaces)"
	PATH=$PATH:/usr/sbin:/sbin
	for t in rpcbind rpcinfo rpc.statd sm-notify unshare ip cc; do
		command -v "$t" >/dev/null ||
			die "$t not found (packages rpcbind nfs-common iproute2 util-linux gcc)"
	done
	exec unshare --net --mount --uts --propagation private \
		"$0" --in-namespace "$@"
fi
shift
DIR=${1:?} KDIR=${2:?}
# shellcheck source=../../scripts/lib/daemon.sh
. "$DITTO_ROOT/scripts/lib/daemon.sh"
# shellcheck source=../../scripts/lib/nsm.sh
. "$DITTO_ROOT/scripts/lib/nsm.sh"
# shellcheck source=initramfs.sh
. "$DITTO_ROOT/tests/e2e/initramfs.sh"
# shellcheck source=console.sh
. "$DITTO_ROOT/tests/e2e/console.sh"

RUN_DIR=$DIR
mkdir -p "$RUN_DIR"
: >"$RUN_DIR/why"
# From here on the reason also goes to run.sh's FAIL line.
die() {
	echo "host: $*" >"$RUN_DIR/why"
	echo "e2e nlm: $*" >&2
	exit 2
}
GUEST_TIMEOUT=${DITTO_E2E_GUEST_TIMEOUT:-600}
V3=nlm-v3
V41=nlm-v41
# Each guest's address on the server's side: its forwarded connections
# come from there (two guests are two hosts to Ganesha, as in real life:
# it tells NFSv3 and NLM callers apart from NFSv4 delegation holders by
# address) and, for A, SM_NOTIFY goes there.
V3_ADDR=127.0.0.3
V41_ADDR=127.0.0.4
NFS_PORT=2049
pids=()
qpids=()

cleanup() {
	local p

	for p in "${qpids[@]+"${qpids[@]}"}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	daemon_stop
	for p in "${pids[@]+"${pids[@]}"}"; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}
trap 'rc=$?; cleanup; exit $rc' EXIT

fail_why() {
	[ -s "$RUN_DIR/why" ] || echo "$*" >"$RUN_DIR/why"
	echo "    FAIL $*"
}

# The namespace's own network, names and /run.
PATH=$PATH:/usr/sbin:/sbin
hostname ditto-server
nsm_netns_setup
printf '127.0.0.1\tlocalhost ditto-server\n%s\t%s\n' "$V3_ADDR" "$V3" \
	>"$RUN_DIR/hosts"
mount --bind "$RUN_DIR/hosts" /etc/hosts
# rpcbind and statd see an /etc/netconfig without UDP (Ganesha needs
# the full one even with Enable_UDP = false).
grep -v '^udp' /etc/netconfig >"$RUN_DIR/netconfig"
# exec: the PID that "&" gives is rpcbind's or statd's own.
no_udp() {
	exec unshare --mount --propagation private -- sh -c \
		'mount --bind "$0" /etc/netconfig && exec "$@"' \
		"$RUN_DIR/netconfig" "$@"
}

mkdir -p "$RUN_DIR/store"
nsm_start "$RUN_DIR" no_udp

MONITORING_PORT=$(free_port)
DITTO_LEASE=${DITTO_NLM_LEASE:-10} DITTO_GRACE=${DITTO_NLM_GRACE:-15}
# For daemon.sh (render_conf, daemon_start).
export NFS_PORT MONITORING_PORT DITTO_LEASE DITTO_GRACE
render_conf "$DITTO_ROOT/tests/e2e/nlm.conf.in" "$RUN_DIR/ganesha.conf"
daemon_start "$RUN_DIR/ganesha.conf" >&2
disown "$GANESHA_PID" 2>/dev/null || true

# lockprobe for both guests; rpcbind, rpcinfo and rpc.statd with their
# libraries for A.
cc -static -O2 -o "$RUN_DIR/lockprobe" "$DITTO_ROOT/tests/e2e/lockprobe.c" ||
	die "cannot build lockprobe"
mkdir -p "$RUN_DIR/root-v41/bin" "$RUN_DIR/root-v3/bin"
cp "$RUN_DIR/lockprobe" "$RUN_DIR/root-v41/bin/"
cp "$RUN_DIR/lockprobe" "$RUN_DIR/root-v3/bin/"
nsm_root() {
	local root=$1 b l

	for b in /usr/sbin/rpcbind /usr/sbin/rpcinfo /usr/sbin/rpc.statd; do
		mkdir -p "$root/usr/sbin"
		cp "$b" "$root/usr/sbin/"
		for l in $(ldd "$b" | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
			mkdir -p "$root$(dirname "$l")"
			cp -L "$l" "$root$l"
		done
	done
	l=/lib/x86_64-linux-gnu/libnss_files.so.2
	[ ! -e "$l" ] || cp -L "$l" "$root$l"
	mkdir -p "$root/etc"
	# getaddrinfo("sunrpc") needs services; libtirpc needs netconfig.
	cp /etc/netconfig /etc/services /etc/protocols /etc/rpc "$root/etc/"
	printf 'root:x:0:0::/:/bin/sh\n_rpc:x:102:65534::/run/rpcbind:/bin/false\nstatd:x:103:65534::/var/lib/nfs:/bin/false\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	printf 'passwd: files\ngroup: files\nhosts: files\n' \
		>"$root/etc/nsswitch.conf"
	# The server's name as sm-notify announces it.
	printf '127.0.0.1\tlocalhost\n10.0.2.100\tditto-server\n10.0.2.15\t%s\n' \
		"$V3" >"$root/etc/hosts"
}
nsm_root "$RUN_DIR/root-v3"


# fwd SOURCE PORT...: guestfwd rules, 10.0.2.100:PORT to 127.0.0.1:PORT
# from the address SOURCE.
fwd() {
	local src=$1 p out=""

	shift
	for p in "$@"; do
		out+=",guestfwd=tcp:10.0.2.100:$p-cmd:$DITTO_ROOT/tests/e2e/forward.sh $RUN_DIR/$G.fwd.pids $p $src"
	done
	echo "$out"
}

# boot GUEST WORKLOAD ROOT MODULES RESTRICT NETDEV_RULES [OPTS]: start a
# guest in the background; its console goes to $RUN_DIR/GUEST.console,
# its control pipe is $RUN_DIR/GUEST.ctl.in.
boot() {
	local g=$1 work=$2 root=$3 mods=$4 restrict=$5 rules=$6 opts=${7:-}

	E2E_EXTRA_ROOT=$root E2E_EXTRA_MODULES=$mods build_initramfs \
		"$KDIR" "$DITTO_ROOT/tests/e2e/scenarios/$work.sh" \
		"$RUN_DIR/$g.initrd"
	mkfifo "$RUN_DIR/$g.ctl.in" "$RUN_DIR/$g.ctl.out"
	: >"$RUN_DIR/$g.console"
	qemu-system-x86_64 -machine pc -cpu max \
		-accel tcg -m 768 -smp 1 -nographic -no-reboot \
		-kernel "$KDIR/vmlinux" -initrd "$RUN_DIR/$g.initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4 ditto.scenario=$g $opts" \
		-netdev "user,id=n0,restrict=$restrict$rules" \
		-device virtio-net-pci,netdev=n0,romfile= \
		-chardev "pipe,id=ctl,path=$RUN_DIR/$g.ctl" \
		-serial mon:stdio -serial chardev:ctl \
		</dev/null > >(stamp >>"$RUN_DIR/$g.console") 2>&1 &
	qpids+=($!)
}

# marked GUEST MARK: the guest's console says "mark MARK".
marked() {
	grep -q "E2E: mark $2\$" "$RUN_DIR/$1.console"
}
alive() {
	kill -0 "$1" 2>/dev/null
}
first_fail() {
	grep -m 1 -E 'E2E: FAIL|lockprobe: FAIL' "$RUN_DIR/$1.console" |
		sed -e 's/.*E2E: FAIL: //' -e 's/.*lockprobe: //'
}
# failed: a guest has failed (the other then waits in vain: stop it).
failed() {
	grep -q 'E2E: RESULT FAIL' "$RUN_DIR/$V3.console" "$RUN_DIR/$V41.console"
}

t0=$(date +%s)
# The guests poll for each other's marker files: no negative lookup
# caching.  A answers SM_NOTIFY (UDP): qemu's restrict=on drops every
# UDP datagram from the guest, replies to forwarded ones too, so A runs
# with restrict=off; in this namespace lo is the only interface, so
# slirp still reaches nothing but loopback.
G=$V3 boot "$V3" nlm-v3 "$RUN_DIR/root-v3" nfsv3 off \
	"$(G=$V3 fwd $V3_ADDR 2049 111 20048 32803),hostfwd=udp:$V3_ADDR:111-:111,hostfwd=udp:$V3_ADDR:662-:662" \
	ditto.mntopts=lookupcache=none
G=$V41 boot "$V41" nlm-v41 "$RUN_DIR/root-v41" "" on \
	"$(G=$V41 fwd $V41_ADDR 2049)" ditto.mntopts=lookupcache=none
pa=${qpids[0]} pb=${qpids[1]}

# Phases 1-4 run between the guests; wait until both hold their lock
# for the restart (or one of them ends).
ok=0
for _ in $(seq 1 $((GUEST_TIMEOUT * 5))); do
	if marked "$V3" held-v3 && marked "$V41" held-v41; then
		ok=1
		break
	fi
	alive "$pa" && alive "$pb" || break
	failed && break
	sleep 0.2
done

report() {
	local g=$1 tag=$2 line

	while IFS= read -r line; do
		echo "    PASS $tag: ${line#*E2E: ok }"
	done < <(grep 'E2E: ok ' "$RUN_DIR/$g.console")
}

rc=0
if [ "$ok" = 1 ]; then
	echo "    host: both guests hold their lock after $(($(date +%s) - t0)) s; restarting ganesha.nfsd"
	pid=$GANESHA_PID
	kill -KILL "$pid" 2>/dev/null || true
	for _ in $(seq 1 100); do
		alive "$pid" || break
		sleep 0.1
	done
	rm -f "$RUN_DIR/ganesha.pid"
	stop_pidfile "$RUN_DIR/dbus.pid"
	mv "$RUN_DIR/ganesha.log" "$RUN_DIR/ganesha.log.1"
	# The NSM side of a server reboot, before Ganesha is back (its
	# start sends SM_UNMON_ALL, which empties the list of hosts).
	# Bounded: one minute of retries at most.
	ts=$(date +%s)
	if timeout 90 sm-notify -d -f -m 1 -P "$RUN_DIR/statd" \
		>"$RUN_DIR/sm-notify.log" 2>&1; then
		if grep -qs "$V3" "$RUN_DIR/sm-notify.log"; then
			echo "    PASS host: sm-notify sent SM_NOTIFY to $V3 ($V3_ADDR, qemu forwards it to the guest) and got its reply in $(($(date +%s) - ts)) s"
		else
			fail_why "host: sm-notify had no host to notify (the server's statd never monitored $V3)"
			rc=1
		fi
	else
		fail_why "host: sm-notify could not notify $V3: $(tail -n 3 "$RUN_DIR/sm-notify.log" | tr '\n' ' ')"
		rc=1
	fi
	daemon_start "$RUN_DIR/ganesha.conf" >&2
	disown "$GANESHA_PID" 2>/dev/null || true
	echo "    host: ganesha.nfsd restarted (PID $GANESHA_PID), grace ${DITTO_GRACE} s"
	for g in "$V3" "$V41"; do
		timeout 5 sh -c "echo restarted >'$RUN_DIR/$g.ctl.in'" ||
			fail_why "host: cannot signal $g"
	done
fi

# Both guests power off at the end (bounded).
for _ in $(seq 1 $((GUEST_TIMEOUT * 5))); do
	alive "$pa" || alive "$pb" || break
	failed && break
	sleep 0.2
done
for p in "$pa" "$pb"; do
	if alive "$p"; then
		kill -KILL "$p" 2>/dev/null || true
		failed || fail_why "host: a guest timed out after ${GUEST_TIMEOUT}s"
		rc=1
	fi
	wait "$p" 2>/dev/null || true
done
qpids=()
sleep 0.2

report "$V3" "v3 (NLM)"
report "$V41" "v4.1"
# The server's side of the restart (NLM = DEBUG in the log): A's lockd
# reclaimed its lock in grace, and a new NLM lock was refused in grace.
if [ "$ok" = 1 ]; then
	log=$RUN_DIR/ganesha.log
	if awk '/NOT IN GRACE/ { exit } /reclaim=yes/ { r = 1 }
		r && /REQUEST RESULT: nlm4_Lock NLM4_GRANTED/ { ok = 1; exit }
		END { exit !ok }' "$log"; then
		echo "    PASS host: A's lockd reclaimed its NLM lock in grace (NLM LOCK reclaim=yes granted)"
	else
		fail_why "host: no NLM lock reclaim granted in grace after the restart (see $log)"
		rc=1
	fi
	if grep -q 'in grace nlm4_Lock NLM4_DENIED_GRACE_PERIOD' "$log"; then
		echo "    PASS host: A's new NLM lock was refused in grace (NLM4_DENIED_GRACE_PERIOD), then denied by B's reclaimed lock"
	else
		fail_why "host: A's new NLM lock was never refused in grace (see $log)"
		rc=1
	fi
fi
# A guest's own failure first: the other one was then stopped.
stopped=()
for g in "$V3" "$V41"; do
	grep -q 'E2E: RESULT PASS' "$RUN_DIR/$g.console" && continue
	rc=1
	why=$(first_fail "$g" || true)
	if [ -n "$why" ]; then
		fail_why "$g: $why"
	else
		stopped+=("$g")
	fi
done
for g in "${stopped[@]+"${stopped[@]}"}"; do
	fail_why "$g: stopped (the other guest failed, or it timed out)"
done
alive "$GANESHA_PID" || { fail_why "host: ganesha.nfsd died (see $RUN_DIR/ganesha.log)"; rc=1; }
echo "    logs: $RUN_DIR"
exit "$rc"

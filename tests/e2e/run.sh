#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# E2E tests with the real Linux NFS client: each scenario boots a Debian
# kernel under qemu (TCG: nested KVM hangs these kernels) with a busybox
# initramfs whose /scenario.sh is the workload, against a ganesha.nfsd
# serving FSAL_DITTO on a free loopback port.  The guest reaches the server
# only through qemu's guestfwd, which connects to 127.0.0.1.  The
# nlm-v3-v4.1 scenario (NFSv3 + NLM next to NFSv4.1, server restart)
# runs a daemon of its own in private namespaces: tests/e2e/nlm.sh.  So
# do perm-users and posix-diff (FSAL_DITTO, or with --fsal mem FSAL_MEM,
# compared with FSAL_VFS, one daemon with both exports):
# tests/e2e/perm.sh.
#
# usage: run.sh [--list] [--fsal ditto|mem] [SCENARIO...]
#
# Environment: DITTO_E2E_CONF (base config instead of
# ganesha-conf/ditto.conf), DITTO_E2E_GUEST_TIMEOUT (seconds per guest,
# default 600), DITTO_E2E_KEEP (seconds to keep the daemon up after the
# run, for inspection), DITTO_LEASE / DITTO_GRACE (default 15 / 5);
# for posix-diff DITTO_E2E_SEED, DITTO_E2E_COUNT, DITTO_E2E_BUDGET and
# DITTO_E2E_SKIP (tests/e2e/perm.sh, docs/perm-e2e.md).
set -euo pipefail

: "${DITTO_ROOT:?}" "${DITTO_BUILD:?}" "${DITTO_CACHE:?}" "${DITTO_UPSTREAM:?}"
die() {
	echo "e2e: $*" >&2
	exit 1
}
# shellcheck source=../../scripts/lib/daemon.sh
. "$DITTO_ROOT/scripts/lib/daemon.sh"
# shellcheck source=kernel.sh
. "$DITTO_ROOT/tests/e2e/kernel.sh"
# shellcheck source=initramfs.sh
. "$DITTO_ROOT/tests/e2e/initramfs.sh"
# shellcheck source=console.sh
. "$DITTO_ROOT/tests/e2e/console.sh"
# shellcheck source=boot.sh
. "$DITTO_ROOT/tests/e2e/boot.sh"

# name  kernel  driver  workload  kernel-command-line options
SCENARIOS="
basic-v4.1	6.1	basic	basic	ditto.vers=4.1
basic-v4.0	6.1	basic	basic	ditto.vers=4.0
basic-v4.2	6.12	basic	basic	ditto.vers=4.2
disconnect	6.1	disconnect	-	ditto.vers=4.1
deleg-recall	6.1	deleg	-	ditto.mntopts=actimeo=1
eos-reconnect	6.1	eos	-	ditto.vers=4.1
dirdeleg-7x	7	dirdeleg	-	ditto.mntopts=acdirmin=3600,acdirmax=3600
nlm-v3-v4.1	6.1	nlm	-	-
watch	6.1	watch	watch-changer	ditto.vers=4.1
users-churn	6.12	plain	users-churn	ditto.vers=4.1
perm-users	6.1	perm	perm-users	ditto.vers=4.1 ditto.mntopts=actimeo=0
posix-diff	6.12	perm	posix-diff	ditto.vers=4.2 ditto.mntopts=actimeo=0 ditto.seed=4055718034 ditto.count=3000
rm-tree-7x	7	rmtree	rm-tree	ditto.vers=4.2
rm-tree-6.12	6.12	rmtree	rm-tree	ditto.vers=4.2
attrdeleg-7x	7	attrdeleg	-	ditto.mntopts=actimeo=0
dirdeleg-neg-7x	7	dirdelegneg	-	ditto.mntopts=actimeo=0
"
GUEST_TIMEOUT=${DITTO_E2E_GUEST_TIMEOUT:-600}
# What the daemon's heap may keep after the disconnect scenario: the
# caches of the fresh guest's workload, not the killed guests' data.
DISCONNECT_HEAP_SLACK_MIB=16

fsal=ditto
list=0
sel=()
while [ $# -gt 0 ]; do
	case "$1" in
	--fsal) fsal=${2:?}; shift ;;
	--list) list=1 ;;
	-*) die "unknown option $1" ;;
	*) sel+=("$1") ;;
	esac
	shift
done
if [ "$list" = 1 ]; then
	echo "$SCENARIOS" | awk 'NF { print $1 "\t(kernel " $2 ", " $3 ")" }'
	exit 0
fi
[ ${#sel[@]} -gt 0 ] ||
	mapfile -t sel < <(echo "$SCENARIOS" | awk 'NF { print $1 }')

RUN_DIR=$(mktemp -d /tmp/ditto-e2e.XXXXXX)
cleanup() {
	if [ -n "${QEMU_PID:-}" ]; then
		kill -KILL "$QEMU_PID" 2>/dev/null || true
	fi
	if [ -n "${DITTO_E2E_KEEP:-}" ]; then
		sleep "$DITTO_E2E_KEEP"
	fi
	daemon_stop
}
# Keep the run's own exit status whatever the clean-up returns.
trap 'rc=$?; cleanup; exit $rc' EXIT
NFS_PORT=$(free_port)
MONITORING_PORT=$(free_port)
DITTO_LEASE=${DITTO_LEASE:-15} DITTO_GRACE=${DITTO_GRACE:-5}
export DITTO_LEASE DITTO_GRACE
# Ganesha 6.5 parks expired clients for up to a day (courtesy clients,
# Expired_Client_Threshold); off here so the lease is the only clock and
# "gone after the lease" is what the disconnect scenario checks.
sed -e "s/Name = DITTO;/Name = ${fsal^^};/" \
	-e 's/^\(\s*\)Lease_Lifetime = .*/&\n\1Expired_Client_Threshold = 0;/' \
	"${DITTO_E2E_CONF:-$DITTO_ROOT/ganesha-conf/ditto.conf}" >"$RUN_DIR/template.conf"
render_conf "$RUN_DIR/template.conf" "$RUN_DIR/ganesha.conf"
daemon_start "$RUN_DIR/ganesha.conf"
echo "e2e: ganesha.nfsd PID $GANESHA_PID on 127.0.0.1:$NFS_PORT (FSAL_${fsal^^}), logs in $RUN_DIR"


# wait_mark MARK: wait until the console says "mark MARK".
wait_mark() {
	local i

	for i in $(seq 1 $((GUEST_TIMEOUT * 10))); do
		grep -q "E2E: mark $1" "$CONSOLE" && return 0
		kill -0 "$QEMU_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# boot_kill_at MARK DELAY: kill -9 the guest DELAY seconds after its
# console says "mark MARK" (a client vanishing without a word).
boot_kill_at() {
	wait_mark "$1" || return 1
	sleep "$2"
	kill -KILL "$QEMU_PID" 2>/dev/null || return 1
	wait "$QEMU_PID" 2>/dev/null || true
	echo "E2E: host: killed the guest $2 s after mark $1" >>"$CONSOLE"
}

guest_passed() {
	grep -q 'E2E: RESULT PASS' "$1"
}

# Daemon figures for leak checks.
fd_count() { ls "/proc/$GANESHA_PID/fd" | wc -l; }
fd_list() {
	for f in /proc/"$GANESHA_PID"/fd/*; do
		readlink "$f"
	done 2>/dev/null | sed 's/\[[0-9]*\]//' | sort | uniq -c
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$GANESHA_PID/status"; }
client_ids() {
	dbus-send --system --print-reply --dest=org.ganesha.nfsd \
		/org/ganesha/nfsd/CBSIM org.ganesha.nfsd.cbsim.get_client_ids |
		awk '/array \[/ { a = 1; next } a && /uint64/ { n++ }
			END { print n + 0 }'
}

# scenario_plain NAME KDIR WORKLOAD OPTS: one guest, its verdict.
scenario_plain() {
	CONSOLE="$RUN_DIR/$1.console"
	boot_start "$@"
	boot_wait
	guest_passed "$CONSOLE" || { FAIL_WHY=$(grep -m 1 -E 'E2E: (FAIL|host)' "$CONSOLE" | cut -c10-); return 1; }
}

# metric NAME_WITH_LABELS: its value on the daemon's /metrics (0 if absent).
metric() {
	curl -sf "http://127.0.0.1:$MONITORING_PORT/metrics" |
		awk -v m="$1" '$1 == m { v = $2 } END { print v + 0 }'
}

# metric_sum FAMILY [NOT]: the sum of FAMILY's labelled series on the
# daemon's /metrics, without those whose labels contain NOT.
metric_sum() {
	curl -sf "http://127.0.0.1:$MONITORING_PORT/metrics" |
		awk -v f="$1{" -v not="${2:-}" 'index($1, f) == 1 &&
			(not == "" || index($1, not) == 0) { v += $2 }
			END { print v + 0 }'
}

# metric_with FAMILY LABEL: the sum of FAMILY's labelled series on the
# daemon's /metrics whose labels contain LABEL.
metric_with() {
	curl -sf "http://127.0.0.1:$MONITORING_PORT/metrics" |
		awk -v f="$1{" -v with="$2" 'index($1, f) == 1 &&
			index($1, with) > 0 { v += $2 } END { print v + 0 }'
}

# session_ends: sessions ended other than by their client (expired,
# admin, error).
session_ends() {
	metric_sum nfsv41_sessions_destroyed_total 'reason="client"'
}

# scenario_basic NAME KDIR WORKLOAD OPTS: one guest (scenario_plain);
# over NFSv4.1 and later each of its mounts made exactly one session and
# its unmount destroyed it (DESTROY_SESSION, reason "client"), over
# NFSv4.0 none was made, and no session ended any other way.
scenario_basic() {
	local c0 d0 e0 a0 c d e a1 mounts want

	c0=$(metric nfsv41_sessions_created_total)
	d0=$(metric 'nfsv41_sessions_destroyed_total{reason="client"}')
	e0=$(session_ends)
	a0=$(metric nfsv41_sessions_active)
	scenario_plain "$@" || return 1
	c=$(($(metric nfsv41_sessions_created_total) - c0))
	d=$(($(metric 'nfsv41_sessions_destroyed_total{reason="client"}') - d0))
	e=$(($(session_ends) - e0))
	a1=$(metric nfsv41_sessions_active)
	mounts=$(grep -c 'E2E: mounted vers=' "$CONSOLE" || true)
	case "$4" in
	*ditto.vers=4.0*) want=0 ;;
	*) want=$mounts ;;
	esac
	echo "    $mounts mounts: sessions created +$c, destroyed by the client +$d, otherwise +$e, active $a0 -> $a1 (want +$want, +$want, +0, unchanged)"
	[ "$mounts" -ge 1 ] || { FAIL_WHY="the guest never said it mounted"; return 1; }
	[ "$c" -eq "$want" ] ||
		{ FAIL_WHY="$c sessions created for $mounts mounts (want $want)"; return 1; }
	[ "$d" -eq "$want" ] ||
		{ FAIL_WHY="$d sessions destroyed by the client for $mounts mounts (want $want)"; return 1; }
	[ "$e" -eq 0 ] ||
		{ FAIL_WHY="$e sessions ended otherwise (expired, admin, error)"; return 1; }
	[ "$a1" -eq "$a0" ] ||
		{ FAIL_WHY="nfsv41_sessions_active $a0 before, $a1 after"; return 1; }
}

# boot_pair NAME KDIR WORK_A WORK_B OPTS [MARK]: boot guests NAME-a and
# NAME-b (workloads WORK_A, WORK_B), B at once or once A's console says
# "mark MARK", wait for both; false with FAIL_WHY set unless both passed.
boot_pair() {
	local name=$1 kdir=$2 opts=$5 mark=${6:-} pa pb g

	CONSOLE="$RUN_DIR/$name-a.console"
	boot_start "$name-a" "$kdir" "$3" "$opts"
	pa=$QEMU_PID
	if [ -n "$mark" ] && ! wait_mark "$mark"; then
		FAIL_WHY="guest a: $(grep -m 1 -E 'E2E: (FAIL|host)' "$CONSOLE" | cut -c10-)"
		return 1
	fi
	boot_start "$name-b" "$kdir" "$4" "$opts"
	pb=$QEMU_PID
	QEMU_PID=$pa CONSOLE="$RUN_DIR/$name-a.console" boot_wait
	QEMU_PID=$pb CONSOLE="$RUN_DIR/$name-b.console" boot_wait
	QEMU_PID=
	for g in a b; do
		CONSOLE="$RUN_DIR/$name-$g.console"
		guest_passed "$CONSOLE" || {
			FAIL_WHY="guest $g: $(grep -m 1 -E 'E2E: (FAIL|host)' "$CONSOLE" | cut -c10-)"
			return 1
		}
	done
}

# scenario_deleg NAME KDIR _ OPTS: two guests, two clients on one file:
# A holds a write delegation, B's open makes the server recall it over
# A's back channel; both must see the other's data in order.
scenario_deleg() {
	local name=$1 kdir=$2 opts=$4 r0 r1 rc=0

	r0=$(metric 'nfsv41_callbacks_total{op="CB_RECALL"}')
	boot_pair "$name" "$kdir" deleg-holder deleg-breaker "$opts" || return 1
	r1=$(metric 'nfsv41_callbacks_total{op="CB_RECALL"}')
	echo "    CB_RECALL callbacks sent: $((r1 - r0))"
	[ "$((r1 - r0))" -ge 1 ] ||
		{ FAIL_WHY="no CB_RECALL was sent (nfsv41_callbacks_total{op=\"CB_RECALL\"} $r0 -> $r1)"; return 1; }
	grep -q 'CB_RECALL' "$RUN_DIR/ganesha.log" &&
		echo "    log: $(grep 'CB_RECALL' "$RUN_DIR/ganesha.log" | head -n 1 | cut -d: -f5-)"
	return $rc
}

# scenario_attrdeleg NAME KDIR _ OPTS: two 7.x guests over NFSv4.2.  A
# writes through a write delegation with delegated timestamps (RFC 9754)
# and sets atime and mtime, which it keeps; B's stat must show them
# (the server asks A with CB_GETATTR), and again from the server alone
# once A returned the delegation with the times (SETATTR of
# time_deleg_access/modify).
scenario_attrdeleg() {
	local name=$1 kdir=$2 opts=$4 c0 c1

	c0=$(metric 'nfsv41_callbacks_total{op="CB_GETATTR"}')
	# B boots once A is ready: a lookup of the directory before A made
	# it is no part of the scenario
	boot_pair "$name" "$kdir" attrdeleg-holder attrdeleg-reader "$opts" \
		a-ready || return 1
	c1=$(metric 'nfsv41_callbacks_total{op="CB_GETATTR"}')
	echo "    CB_GETATTR callbacks sent: $((c1 - c0))"
	[ "$((c1 - c0))" -ge 1 ] ||
		{ FAIL_WHY="B saw the times without a CB_GETATTR to A: no attribute delegation in play"; return 1; }
}

# scenario_eos NAME KDIR _ OPTS: cut the guest's forwarded connection in
# the middle of a large write (kill the socat qemu started for it); the
# client reconnects on the same session and the data must be intact.
scenario_eos() {
	local name=$1 kdir=$2 opts=$4 p k=0 i m d
	local metrics=(nfsv41_sessions_created_total
		'nfsv41_connections_unbind_total{reason="closed"}'
		nfsv41_sequence_replay_hits_total
		nfsv41_sequence_retry_uncached_total)
	local before=() delta=()

	for i in "${!metrics[@]}"; do
		before[i]=$(metric "${metrics[i]}")
	done
	CONSOLE="$RUN_DIR/$name.console"
	boot_start "$name" "$kdir" eos-write "$opts"
	wait_mark "eos-write" || { FAIL_WHY="guest never reached the write"; return 1; }
	sleep 1.5
	# The forwarders of this guest's connections, by their own PIDs.
	for p in $(cat "$RUN_DIR/$name.fwd.pids" 2>/dev/null); do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = socat ] || continue
		kill -KILL "$p" && k=$((k + 1))
	done
	echo "E2E: host: cut $k forwarded connection(s) during the write" >>"$CONSOLE"
	[ "$k" -ge 1 ] || { FAIL_WHY="no forwarded connection to cut"; return 1; }
	boot_wait
	guest_passed "$CONSOLE" ||
		{ FAIL_WHY=$(grep -m 1 -E 'E2E: (FAIL|host: guest)' "$CONSOLE" | cut -c10-); return 1; }
	for i in "${!metrics[@]}"; do
		m=$(metric "${metrics[i]}")
		delta[i]=$((m - before[i]))
		echo "    ${metrics[i]} +${delta[i]}"
	done
	d=$(wc -l <"$RUN_DIR/$name.fwd.pids")
	echo "    guest connections: $d"
	[ "$d" -ge 2 ] || { FAIL_WHY="the client never reconnected"; return 1; }
	[ "${delta[1]}" -ge 1 ] ||
		{ FAIL_WHY="the server never saw a session connection close"; return 1; }
	# Two mounts, two sessions: the reconnect reused the session.
	[ "${delta[0]}" -eq 2 ] ||
		{ FAIL_WHY="${delta[0]} sessions created for 2 mounts: the reconnect did not keep its session"; return 1; }
}

# scenario_watch NAME KDIR WORKLOAD OPTS: ditto-watch --recursive on the
# host prints, in order, what the guest does through its kernel mount
# (scenarios/watch-changer.sh), and its final listing (--verify) equals
# the server's.
scenario_watch() {
	local out="$RUN_DIR/$1.watch" err="$RUN_DIR/$1.watch-err" pid rc=0
	local want n=0 line at=0

	"$DITTO_BUILD/watch/ditto-watch" --recursive --verify \
		"127.0.0.1:$NFS_PORT:/ditto" >"$out" 2>"$err" &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q watching "$err" && break
		sleep 0.1
	done
	grep -q 'watching .*(directory delegation' "$err" ||
		{ FAIL_WHY="ditto-watch did not start: $(cat "$err")"; kill "$pid"; return 1; }
	scenario_plain "$@" || { kill "$pid"; return 1; }
	sleep 1
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	sed 's/^/    watch: /' "$out" "$err"
	[ "$rc" = 0 ] || { FAIL_WHY="ditto-watch exit $rc"; return 1; }
	# Each line, after the one before (others may come between).
	for want in "/ditto/ CREATE,ISDIR watched" "/ditto/watched/ CREATE a" \
		"/ditto/watched/ MOVED_FROM a" "/ditto/watched/ MOVED_TO b" \
		"/ditto/watched/ ATTRIB b" "/ditto/watched/ DELETE b" \
		"/ditto/ DELETE,ISDIR watched"; do
		n=$(awk -v w="$want" -v a="$at" 'NR > a && $0 == w { print NR; exit }' "$out")
		[ -n "$n" ] || { FAIL_WHY="no '$want' after line $at"; return 1; }
		at=$n
	done
	grep -q 'final listing, .* (equal to the server' "$err" ||
		{ FAIL_WHY="--verify: the listing differed"; return 1; }
	line=$(grep -c . "$out")
	echo "    ditto-watch printed $line lines, the 7 expected in order"
}

# scenario_dirdeleg NAME KDIR _ OPTS: guest A lists a directory (and gets
# a directory delegation), then guest B creates an entry in it; the
# server must recall A's delegation so that A's next listing shows it,
# and B's create must wait for the recall (NFS4ERR_DELAY, RFC 8881
# 10.9.2).  The recall must be of a directory delegation the server
# granted A before B started.
scenario_dirdeleg() {
	local name=$1 kdir=$2 opts=$4 pa r0 r1 g0 g1 dr0 dr1 w0 w1

	r0=$(metric 'nfsv41_callbacks_total{op="CB_RECALL"}')
	g0=$(metric nfsv41_dir_delegations_granted_total)
	dr0=$(dir_recalls)
	CONSOLE="$RUN_DIR/$name-a.console"
	boot_start "$name-a" "$kdir" dirdeleg-holder "$opts"
	pa=$QEMU_PID
	wait_mark a-listed ||
		{ FAIL_WHY="guest A: $(grep -m 1 -E 'E2E: (FAIL|host)' "$CONSOLE" | cut -c10-)"; return 1; }
	g1=$(metric nfsv41_dir_delegations_granted_total)
	echo "    directory delegations granted while A listed: $((g1 - g0))"
	[ "$((g1 - g0))" -ge 1 ] ||
		{ FAIL_WHY="no directory delegation was granted to A (nfsv41_dir_delegations_granted_total $g0 -> $g1)"; return 1; }
	w0=$(metric_with nfsv4__op_count 'status="NFS4ERR_DELAY"')
	CONSOLE="$RUN_DIR/$name-b.console"
	boot_start "$name-b" "$kdir" dirdeleg-changer "$opts"
	boot_wait
	guest_passed "$CONSOLE" ||
		{ FAIL_WHY="guest B: $(grep -m 1 -E 'E2E: (FAIL|host)' "$CONSOLE" | cut -c10-)"; return 1; }
	QEMU_PID=$pa
	CONSOLE="$RUN_DIR/$name-a.console"
	boot_wait
	QEMU_PID=
	guest_passed "$CONSOLE" ||
		{ FAIL_WHY="guest A: $(grep -m 1 -E 'E2E: (FAIL|host)' "$CONSOLE" | cut -c10-)"; return 1; }
	r1=$(metric 'nfsv41_callbacks_total{op="CB_RECALL"}')
	dr1=$(dir_recalls)
	echo "    CB_RECALL callbacks sent: $((r1 - r0)), directory delegations recalled: $((dr1 - dr0))"
	[ "$((r1 - r0))" -ge 1 ] ||
		{ FAIL_WHY="no CB_RECALL was sent"; return 1; }
	[ "$((dr1 - dr0))" -ge 1 ] ||
		{ FAIL_WHY="$((r1 - r0)) CB_RECALL sent, but none recalled a directory delegation"; return 1; }
	w1=$(metric_with nfsv4__op_count 'status="NFS4ERR_DELAY"')
	echo "    NFS4ERR_DELAY answers while B created: $((w1 - w0))"
	[ "$((w1 - w0))" -ge 1 ] ||
		{ FAIL_WHY="B's create did not wait for the recall (no NFS4ERR_DELAY answered)"; return 1; }
}

# scenario_dirdelegneg NAME KDIR _ OPTS: guest A lists the export's root
# (a 7.x client takes a directory delegation of it) and looks up a name
# that is not there; guest B then makes it.  A trusts its negative entry
# while it holds the delegation: the server must recall it, B's mkdir
# must wait for that (NFS4ERR_DELAY), and A must then see the directory.
# (With acdirmin=3600 A keeps trusting its cached directory attributes,
# and so the negative entry, after the recall too: the client's cache,
# as asked, not the delegation.)
scenario_dirdelegneg() {
	local name=$1 kdir=$2 opts=$4 dr0 dr1 g0 g1 w0 w1 rc=0

	dr0=$(dir_recalls)
	g0=$(metric nfsv41_dir_delegations_granted_total)
	w0=$(metric_with nfsv4__op_count 'status="NFS4ERR_DELAY"')
	boot_pair "$name" "$kdir" dirdeleg-neg-holder dirdeleg-neg-changer \
		"$opts" a-ready || rc=1
	g1=$(metric nfsv41_dir_delegations_granted_total)
	dr1=$(dir_recalls)
	w1=$(metric_with nfsv4__op_count 'status="NFS4ERR_DELAY"')
	echo "    directory delegations granted: $((g1 - g0)), NFS4ERR_DELAY answers: $((w1 - w0))"
	[ "$rc" = 0 ] || return 1
	echo "    directory delegations recalled: $((dr1 - dr0))"
	[ "$((dr1 - dr0))" -ge 1 ] ||
		{ FAIL_WHY="A saw B's directory, but no directory delegation was recalled: did A hold one?"; return 1; }
	[ "$((w1 - w0))" -ge 1 ] ||
		{ FAIL_WHY="B's mkdir did not wait for the recall (no NFS4ERR_DELAY answered)"; return 1; }
}

# scenario_rmtree NAME KDIR WORKLOAD OPTS: one client makes, lists and
# removes a tree (scenarios/rm-tree.sh).  Its own removals are no
# conflict (RFC 8881 10.9.2): no directory delegation may be recalled or
# revoked, and no SEQUENCE may tell it state was revoked (the client
# would re-check all of it: a TEST_STATEID storm).  A 7.x client must
# have taken directory delegations.  The rm -rf time is reported, not
# judged (scripts/bench-all's rmtree phase compares kernels).
scenario_rmtree() {
	local name=$1 kdir=$2 g0 g1 v0 v1 t0 t1 r0 r1 secs files

	g0=$(metric nfsv41_dir_delegations_granted_total)
	v0=$(metric nfsv41_dir_delegations_revoked_total)
	r0=$(dir_recalls)
	t0=$(metric_with nfsv4__op_count 'operation="TEST_STATEID"')
	scenario_plain "$@" || return 1
	g1=$(metric nfsv41_dir_delegations_granted_total)
	v1=$(metric nfsv41_dir_delegations_revoked_total)
	r1=$(dir_recalls)
	t1=$(metric_with nfsv4__op_count 'operation="TEST_STATEID"')
	read -r _ _ secs _ _ files <<<"$(grep -m 1 -o 'timing rm-rf [0-9.]* s files [0-9]*' "$CONSOLE")"
	# One line for scripts/bench-all's rmtree phase.
	echo "    rmtree name=$name kernel=$(cat "$kdir/release") seconds=${secs:-?} files=${files:-?} granted=$((g1 - g0)) recalled=$((r1 - r0)) revoked=$((v1 - v0)) test_stateid=$((t1 - t0))"
	[ -n "$secs" ] || { FAIL_WHY="the guest printed no rm -rf timing"; return 1; }
	case $kdir in
	7*) [ "$((g1 - g0))" -ge 1 ] ||
		{ FAIL_WHY="the 7.x client took no directory delegation: the scenario shows nothing"; return 1; } ;;
	esac
	[ "$((v1 - v0))" -eq 0 ] && [ "$((r1 - r0))" -eq 0 ] ||
		{ FAIL_WHY="the client's own rm -rf recalled $((r1 - r0)) and revoked $((v1 - v0)) of its directory delegations"; return 1; }
	[ "$((t1 - t0))" -eq 0 ] ||
		{ FAIL_WHY="$((t1 - t0)) TEST_STATEID: the client was told its state was revoked"; return 1; }
}

# dir_recalls: directory delegation recalls started, all reasons.
dir_recalls() {
	metric_sum nfsv41_dir_delegations_recalled_total
}

# scenario_disconnect NAME KDIR _ OPTS: guests killed during a large
# write, a 10,000-entry listing and the mount; the server stays up, their
# client records go after the lease, a fresh guest works, and the
# daemon's fd count comes back to where it was.
scenario_disconnect() {
	local name=$1 kdir=$2 opts=$4 fd0 rss0 heap0 heap1 k mark delay n i

	# ntirpc spreads connections over 3 event channels (an epoll fd and
	# a socket pair each) that it creates on first use and keeps: open
	# a few connections first so the baseline already has them.
	for i in 1 2 3 4; do
		"$DITTO_BUILD/tests/conformance/ditto-conformance" \
			--server "127.0.0.1:$NFS_PORT:/ditto" --ping ||
			{ FAIL_WHY="NFS NULL from the host failed"; return 1; }
	done
	fd0=$(fd_count)
	fd_list >"$RUN_DIR/fds.before"
	rss0=$(rss_kib)
	heap0=$(daemon_heap_kib "$GANESHA_PID" "$RUN_DIR/ganesha.out")
	[ -n "$heap0" ] || { FAIL_WHY="cannot read the daemon's heap (gdb)"; return 1; }
	for k in write:big-write:2 readdir:readdir:1 mount:mount:0.3; do
		IFS=: read -r work mark delay <<<"$k"
		CONSOLE="$RUN_DIR/$name-$work.console"
		boot_start "$name-$work" "$kdir" "kill-$work" "$opts"
		boot_kill_at "$mark" "$delay" ||
			{ FAIL_WHY="guest kill-$work ended before mark $mark"; return 1; }
		kill -0 "$GANESHA_PID" ||
			{ FAIL_WHY="ganesha.nfsd died after kill-$work"; return 1; }
	done
	# The killed clients' records must go once their lease runs out.
	for i in $(seq 1 $((DITTO_LEASE * 40))); do
		n=$(client_ids)
		[ "$n" = 0 ] && break
		sleep 0.1
	done
	[ "$n" = 0 ] || { FAIL_WHY="$n client records left $((DITTO_LEASE * 4)) s after the clients died"; return 1; }
	echo "    killed clients expired after ~$((i / 10)) s (lease ${DITTO_LEASE} s)"
	CONSOLE="$RUN_DIR/$name-fresh.console"
	boot_start "$name-fresh" "$kdir" cleanup-and-basic "$opts"
	boot_wait
	guest_passed "$CONSOLE" ||
		{ FAIL_WHY="fresh guest after the kills: $(grep -m 1 -E 'E2E: (FAIL|host)' "$CONSOLE" | cut -c10-)"; return 1; }
	for i in $(seq 1 100); do
		[ "$(fd_count)" -le "$fd0" ] && break
		sleep 0.1
	done
	heap1=$(daemon_heap_kib "$GANESHA_PID" "$RUN_DIR/ganesha.out")
	echo "    daemon fds $fd0 -> $(fd_count), RSS ${rss0} -> $(rss_kib) KiB," \
		"heap in use ${heap0} -> ${heap1:-?} KiB"
	# The killed guests' data was removed and their state expired: the
	# heap comes back (RSS need not: glibc keeps freed pages).
	[ -n "$heap1" ] && [ $((heap1 - heap0)) -le $((DISCONNECT_HEAP_SLACK_MIB * 1024)) ] ||
		{ FAIL_WHY="daemon heap in use ${heap0} -> ${heap1:-unreadable} KiB, more than ${DISCONNECT_HEAP_SLACK_MIB} MiB kept"; return 1; }
	if [ "$(fd_count)" -gt "$fd0" ]; then
		fd_list >"$RUN_DIR/fds.after"
		FAIL_WHY="daemon fds grew from $fd0 to $(fd_count): $(diff "$RUN_DIR/fds.before" "$RUN_DIR/fds.after" | grep '^[<>]' | tr '\n' ' ')"
		return 1
	fi
}

# scenario_nlm NAME KDIR: an NFSv3 (NLM) guest and an NFSv4.1 guest lock
# the same files, then the server restarts under them (tests/e2e/nlm.sh:
# its own daemon with NFSv3 and NLM, rpcbind and rpc.statd, in private
# namespaces; needs root).
scenario_nlm() {
	local rc=0

	CONSOLE="$RUN_DIR/$1/nlm-v3.console"
	"$DITTO_ROOT/tests/e2e/nlm.sh" "$RUN_DIR/$1" "$2" || rc=$?
	[ "$rc" -eq 0 ] && return 0
	FAIL_WHY=$(cat "$RUN_DIR/$1/why" 2>/dev/null)
	return 1
}

# scenario_perm NAME KDIR WORKLOAD OPTS: POSIX permission rules and the
# random differential test, FSAL_DITTO against FSAL_VFS
# (tests/e2e/perm.sh: its own daemon with both exports).
scenario_perm() {
	local rc=0

	CONSOLE="$RUN_DIR/$1/$3.console"
	DITTO_E2E_FSAL=${fsal^^} \
		"$DITTO_ROOT/tests/e2e/perm.sh" "$RUN_DIR/$1" "$2" "$3" "$4" ||
		rc=$?
	[ "$rc" -eq 0 ] && return 0
	FAIL_WHY=$(cat "$RUN_DIR/$1/why" 2>/dev/null)
	return 1
}

passed=0
failed=0
for s in "${sel[@]}"; do
	line=$(echo "$SCENARIOS" | awk -v n="$s" '$1 == n')
	[ -n "$line" ] || die "unknown scenario '$s' (see --list)"
	read -r name kern driver work opts <<<"$line"
	kdir=$(kernel_fetch "$kern")
	t0=$(date +%s)
	FAIL_WHY=""
	rc=0
	"scenario_$driver" "$name" "$kdir" "$work" "$opts" || rc=$?
	dt=$(($(date +%s) - t0))
	if ! kill -0 "$GANESHA_PID" 2>/dev/null; then
		echo "FAIL $name: ganesha.nfsd died (see $RUN_DIR/ganesha.log)"
		failed=$((failed + 1))
		break
	elif [ "$rc" -eq 0 ]; then
		echo "PASS $name (kernel $(cat "$kdir/release"), ${dt}s)"
		passed=$((passed + 1))
	else
		echo "FAIL $name (kernel $(cat "$kdir/release"), ${dt}s): ${FAIL_WHY:-see console}"
		tail -n 30 "$CONSOLE" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Soak: 16 NFSv4.1 clients (ditto-soak) against a ganesha.nfsd serving
# FSAL_DITTO, then a check that the daemon comes back to its baseline.
#
#   soak.sh [--seconds N] [--clients N] [--seed N] [--lease N]
#           [--leak-bytes N] [--growth-mib N] [--rss-rise-mib N] [--gdb]
#           [-- ditto-soak options...]
#
# Phases, all against one daemon on free loopback ports:
#   warm-up  a short run (min(60, max(10, N/10)) s), then settle;
#            the baseline is taken here, after the allocator, Ganesha's
#            caches and thread pools have seen the workload once;
#   rounds 1-3  N/3 seconds each, then settle and measure.
# "Settle" waits (bounded) until the gauges below are back to their
# value at daemon start: what vanished clients left expires with the
# lease (--lease, default 10 s) and is reaped (a client parked for
# delayed cleanup one lease later, see soak.conf.in).
#
# Checks (any failure: exit 1):
#   - every ditto-soak run reports errors=0, and the daemon stays up;
#   - after each round the gauges nfsv41_sessions_active,
#     clients__confirmed_count, nfsv41_delegations_active,
#     nfsv41_dir_delegations_active, nfsv41_slots_in_use,
#     nfsv41_replay_cache_bytes, locks__count{holders},
#     locks__count{waiters} equal their values at start, and are all
#     0: nothing is left once every client is gone (what a parked
#     courtesy client holds counts until it is reaped; conformance
#     CHURN9 checks the same); no gauge of the daemon is negative;
#   - the daemon's open file descriptors equal the baseline;
#   - the export's files_free and space_free equal the baseline (every
#     object and byte the soak made is gone from the store);
#   - memory: the heap in use may not grow in all of baseline->1,
#     round 1->2 and round 2->3 by more than --leak-bytes (default 24)
#     per 1,000 operations of the round: a leak of one small object (a
#     32-byte chunk, malloc's least) per 1,000 operations fails;
#     without the heap figure RSS may not grow by --growth-mib
#     (default 8) in all three; no round may end with RSS more than
#     --rss-rise-mib (default 64) above the baseline.
# Why the heap and not RSS for growth: RSS also holds the stacks of
# worker threads (ntirpc's pool grows with load, and glibc caches the
# stacks of threads that exit, up to 40 MiB) and memory freed into
# glibc's per-thread arenas: over three rounds of 4.5M operations it
# moved +18, -4 and +5.5 MiB while the heap in use moved -0.6, -0.1
# and +0.6 MiB, and it failed the check on a daemon that does not leak.
# With glibc's tcache off (below) the heap in use moves by tens of KiB
# between rounds (-8, +9, +16 KiB over 60 s rounds), so the bound can
# be a leak's size.
# The heap in use is glibc's own count (malloc_stats(), called through
# gdb while the daemon is idle); when gdb cannot attach (--gdb, or no
# gdb) RSS is used instead.  A leak grows the heap with the work done:
# equal rounds leak about the same amount each, so growth in every
# round is the signature checked; the summary gives the growths and
# their bounds.  The rise bound only
# catches gross growth.  LeakSanitizer runs (scripts/ditto --sanitize
# soak) are the exact check for unreachable memory.
#
# --gdb runs the daemon under gdb (batch) and prints its backtrace if it
# dies.  Environment: DITTO_UPSTREAM (cached upstream build), DITTO_BUILD
# (our build: plugins/, tests/soak/ditto-soak).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() {
	echo "soak.sh: $*" >&2
	exit 2
}
# shellcheck source=../../scripts/lib/daemon.sh
. "$here/../../scripts/lib/daemon.sh"

seconds=600
clients=16
seed=1
lease=10
rss_growth_mib=8
leak_bytes=24
rss_rise_mib=64
use_gdb=0
extra=()

while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
	--clients) clients=${2:?--clients needs a number}; shift 2 ;;
	--seed) seed=${2:?--seed needs a number}; shift 2 ;;
	--lease) lease=${2:?--lease needs a number}; shift 2 ;;
	--leak-bytes) leak_bytes=${2:?}; shift 2 ;;
	--growth-mib | --rss-growth-mib) rss_growth_mib=${2:?}; shift 2 ;;
	--rss-rise-mib) rss_rise_mib=${2:?}; shift 2 ;;
	--gdb) use_gdb=1; shift ;;
	-h|--help) sed -n '4,58s/^# \{0,1\}//p' "$0"; exit 0 ;;
	--) shift; extra=("$@"); break ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
done
for v in "$seconds" "$clients" "$seed" "$lease" "$rss_growth_mib" \
	"$rss_rise_mib" "$leak_bytes"; do
	case "$v" in
	'' | *[!0-9]*) die "options take whole numbers, not '$v'" ;;
	esac
done
[ "$seconds" -ge 2 ] || die "--seconds must be at least 2"
[ "$lease" -ge 1 ] || die "--lease must be at least 1"

DITTO_BUILD=${DITTO_BUILD:-$(cd "$here/../.." && pwd)/build}
soak=$DITTO_BUILD/tests/soak/ditto-soak
[ -x "$soak" ] || die "no $soak (build target ditto-soak)"
[ -n "${DITTO_UPSTREAM:-}" ] || die "DITTO_UPSTREAM is not set"
[ -x "$DITTO_UPSTREAM/prefix/bin/ganesha.nfsd" ] ||
	die "no ganesha.nfsd in $DITTO_UPSTREAM/prefix/bin"
command -v curl >/dev/null || die "curl is needed for /metrics"
[ "$use_gdb" = 0 ] || command -v gdb >/dev/null || die "--gdb: no gdb"

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ditto-soak.XXXXXX")
failures=()
# The daemon is stopped by PID (and gdb, if any); the run dir is kept
# when something failed, for its logs.
finish() {
	local rc=$?

	[ -n "${MON_PID:-}" ] && kill "$MON_PID" 2>/dev/null
	stop_pidfile "$RUN_DIR/ganesha.real.pid"
	daemon_stop
	if [ "$rc" = 0 ]; then
		rm -rf "$RUN_DIR"
	else
		echo "soak.sh: logs kept in $RUN_DIR" >&2
	fi
	exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

NFS_PORT=$(free_port)
MONITORING_PORT=$(free_port)
[ "$MONITORING_PORT" != "$NFS_PORT" ] || MONITORING_PORT=$(free_port)
DITTO_LEASE=$lease render_conf "$here/soak.conf.in" "$RUN_DIR/ganesha.conf"
srv=127.0.0.1:$NFS_PORT:/ditto

# start_daemon: daemon_start, or the same command under gdb.
# glibc's per-thread caches (tcache) hold freed chunks that its heap
# figure counts as in use: with hundreds of worker threads they moved the
# heap in use by +-2 MiB between idle rounds.  The soak runs the daemon
# without them, so its heap figure is what the daemon holds.
export GLIBC_TUNABLES=glibc.malloc.tcache_count=0

start_daemon() {
	if [ "$use_gdb" = 0 ]; then
		daemon_start "$RUN_DIR/ganesha.conf"
		DAEMON_PID=$GANESHA_PID
		return
	fi
	mkdir -p "$RUN_DIR/recovery"
	bus_start
	local lib=$DITTO_UPSTREAM/prefix/lib

	LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
		gdb -batch -ex 'handle SIGPIPE nostop noprint pass' \
		-ex run -ex bt -ex 'thread apply all bt 16' \
		--args "$DITTO_UPSTREAM/prefix/bin/ganesha.nfsd" -F \
		-f "$RUN_DIR/ganesha.conf" -L "$RUN_DIR/ganesha.log" \
		-N NIV_EVENT -p "$RUN_DIR/ganesha.nfsd.pid" \
		</dev/null >"$RUN_DIR/gdb.out" 2>&1 &
	echo $! >"$RUN_DIR/ganesha.pid"
	for _ in $(seq 1 300); do
		grep -qs 'NFS SERVER INITIALIZED' "$RUN_DIR/ganesha.log" &&
			[ -s "$RUN_DIR/ganesha.nfsd.pid" ] && break
		sleep 0.1
	done
	[ -s "$RUN_DIR/ganesha.nfsd.pid" ] ||
		die "ganesha.nfsd under gdb did not start ($RUN_DIR/gdb.out)"
	DAEMON_PID=$(cat "$RUN_DIR/ganesha.nfsd.pid")
	echo "$DAEMON_PID" >"$RUN_DIR/ganesha.real.pid"
}

daemon_alive() {
	kill -0 "$DAEMON_PID" 2>/dev/null
}

died() {
	echo "soak.sh: ganesha.nfsd died ($1)" >&2
	grep -v '^$' "$RUN_DIR/ganesha.log" | tail -n 20 >&2 || true
	if [ "$use_gdb" = 1 ]; then
		sleep 2
		sed -n '/received signal/,/^Thread [0-9]* (/p' \
			"$RUN_DIR/gdb.out" >&2 || true
	fi
	exit 1
}

scrape() {
	curl -sf --max-time 10 "http://127.0.0.1:$MONITORING_PORT/metrics" \
		>"$RUN_DIR/metrics.txt" || return 1
}

# metric NAME [LABELS]: a sample's value (0 when not exposed yet).
metric() {
	awk -v n="$1" -v l="${2:-}" '
		{ key = $1; sub(/[ \t].*/, "", key) }
		l == "" && key == n { v = $2 }
		l != "" && key == n "{" l "}" { v = $2 }
		END { printf "%s\n", v == "" ? 0 : v + 0 }' \
		"$RUN_DIR/metrics.txt"
}

gauge_names=(nfsv41_sessions_active clients__confirmed_count
	nfsv41_delegations_active nfsv41_dir_delegations_active
	nfsv41_slots_in_use nfsv41_replay_cache_bytes
	'locks__count lock_type="holders"' 'locks__count lock_type="waiters"')

# negative_gauges: the samples of every gauge in the last scrape that
# are below 0 (a count decremented more often than incremented), one
# line.
negative_gauges() {
	awk '/^# TYPE / { g = ($4 == "gauge"); next }
		/^#/ { next }
		g && $NF + 0 < 0 { printf "%s ", $0 }' "$RUN_DIR/metrics.txt"
}

# all_zero GAUGES: every value in the line is 0.
all_zero() {
	local v

	for v in $1; do
		[ "$v" = 0 ] || return 1
	done
}

# gauges: the gauge values, one line.
gauges() {
	local g out=""

	scrape || { echo "scrape-failed"; return; }
	for g in "${gauge_names[@]}"; do
		# shellcheck disable=SC2086
		out+="$(metric $g) "
	done
	echo "${out% }"
}

rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status"
}

heap_kib() {
	[ "$use_gdb" = 0 ] || return 0
	daemon_heap_kib "$DAEMON_PID" "$RUN_DIR/ganesha.out"
}

fd_count() {
	find "/proc/$DAEMON_PID/fd" -mindepth 1 -maxdepth 1 | wc -l
}

statfs() {
	"$soak" --server "$srv" --statfs | tail -n 1
}

# settle LABEL: wait until the gauges are back to their start values.
settle() {
	local g bound=$((6 * lease + 60))

	for _ in $(seq 1 "$bound"); do
		daemon_alive || died "while settling after $1"
		g=$(gauges)
		[ "$g" = "$G0" ] && return 0
		sleep 1
	done
	failures+=("$1: gauges not back within ${bound} s: $g (start $G0)")
	return 0
}

# run_soak LABEL SECONDS: one ditto-soak run, its RSS sampled meanwhile.
run_soak() {
	local rc=0

	echo "== $1: ${2} s, $clients clients"
	(
		while kill -0 "$DAEMON_PID" 2>/dev/null; do
			rss_kib
			sleep 2
		done
	) >>"$RUN_DIR/rss-$1.txt" 2>/dev/null &
	MON_PID=$!
	"$soak" --server "$srv" --clients "$clients" --seconds "$2" \
		--seed "$seed" "${extra[@]+"${extra[@]}"}" \
		2>&1 | tee "$RUN_DIR/soak-$1.log" || rc=$?
	kill "$MON_PID" 2>/dev/null || true
	wait "$MON_PID" 2>/dev/null || true
	MON_PID=
	daemon_alive || died "during $1"
	[ "$rc" = 0 ] || failures+=("$1: ditto-soak failed (exit $rc)")
	seed=$((seed + 1))
}

# measure LABEL: the figures after a settle, in the arrays below under
# the key LABEL.
declare -A RSS HEAP FDS STATFS GAUGES NEGATIVE PEAK
measure() {
	local s

	s=$(statfs) || s="statfs-failed"
	settle "$1 (statfs)"
	RSS[$1]=$(rss_kib)
	HEAP[$1]=$(heap_kib)
	FDS[$1]=$(fd_count)
	STATFS[$1]=$s
	GAUGES[$1]=$(gauges)
	NEGATIVE[$1]=$(negative_gauges)
	# The RSS sampled during the run of that name (none for "base").
	PEAK[$1]=
	[ ! -s "$RUN_DIR/rss-$1.txt" ] ||
		PEAK[$1]=$(sort -n "$RUN_DIR/rss-$1.txt" | tail -n 1)
}

ops_of() {
	sed -n 's/^soak: ops=\([0-9]*\) .*/\1/p' "$RUN_DIR/soak-$1.log" |
		tail -n 1
}

start_daemon
for _ in $(seq 1 60); do
	daemon_alive || died "at start"
	"$soak" --server "$srv" --ping && break
	sleep 0.5
done
echo "soak.sh: ganesha.nfsd PID $DAEMON_PID on $srv, metrics on" \
	"127.0.0.1:$MONITORING_PORT, lease $lease s, run dir $RUN_DIR"
G0=$(gauges)
[ "$G0" != scrape-failed ] || die "cannot scrape /metrics"

warm=$((seconds / 10))
[ "$warm" -ge 10 ] || warm=10
[ "$warm" -le 60 ] || warm=60
third=$((seconds / 3))
[ "$third" -ge 1 ] || third=1
rounds="round1 round2 round3"

run_soak warmup "$warm"
settle warmup
measure base
for r in $rounds; do
	run_soak "$r" "$third"
	settle "$r"
	measure "$r"
done

{
	for r in $rounds; do
		[ "${FDS[$r]}" = "${FDS[base]}" ] ||
			failures+=("$r: ${FDS[$r]} fds, baseline ${FDS[base]}")
		[ "${STATFS[$r]}" = "${STATFS[base]}" ] ||
			failures+=("$r: ${STATFS[$r]}, baseline ${STATFS[base]}")
		g=${GAUGES[$r]}
		[ "$g" = "$G0" ] ||
			failures+=("$r: gauges $g, start $G0")
		neg=${NEGATIVE[$r]}
		all_zero "$g" && [ -z "$neg" ] ||
			failures+=("$r: gauges $g not all 0${neg:+, negative: $neg}")
		[ $((RSS[$r] - RSS[base])) -le $((rss_rise_mib * 1024)) ] ||
			failures+=("$r: RSS ${RSS[$r]} > ${RSS[base]} + $rss_rise_mib MiB")
	done
	# A leak grows the heap in every round by about the same amount;
	# caches and arenas fill up once and then move both ways (seen:
	# +1196, +1171 and -287 KiB over rounds of 6-7.5M operations).  So
	# only growth past the bound in all three of baseline->1, 1->2 and
	# 2->3 fails.  RSS (and its own, looser bound) when the heap could
	# not be read.
	mem=heap
	for r in base $rounds; do
		[ -n "${HEAP[$r]}" ] || mem=rss
	done
	growths=() bounds=() over=0 prev=base
	for r in $rounds; do
		if [ "$mem" = heap ]; then
			growths+=($((HEAP[$r] - HEAP[$prev])))
			ops=$(ops_of "$r")
			bounds+=($((${ops:-0} / 1000 * leak_bytes / 1024)))
		else
			growths+=($((RSS[$r] - RSS[$prev])))
			bounds+=($((rss_growth_mib * 1024)))
		fi
		[ "${growths[-1]}" -le "${bounds[-1]}" ] || over=$((over + 1))
		prev=$r
	done
	[ "$over" -lt 3 ] ||
		failures+=("$mem grew past its bound in every round: ${growths[*]} KiB (bounds ${bounds[*]} KiB)")

	echo "== soak summary (gauges: ${gauge_names[*]})"
	printf '%-10s %10s %10s %10s %5s  %-44s %s\n' phase "RSS KiB" \
		"peak KiB" "heap KiB" fds statfs gauges
	printf '%-10s %10s %10s %10s %5s  %-44s %s\n' start - - - - - "$G0"
	for r in base $rounds; do
		printf '%-10s %10s %10s %10s %5s  %-44s %s\n' \
			"$([ "$r" = base ] && echo baseline || echo "$r")" \
			"${RSS[$r]}" "${PEAK[$r]:--}" "${HEAP[$r]:--}" \
			"${FDS[$r]}" "${STATFS[$r]}" "${GAUGES[$r]}"
	done
	for r in warmup $rounds; do
		echo "$r: $(grep -E '^soak: ops=' "$RUN_DIR/soak-$r.log" |
			tail -n 1)"
	done
	echo "$mem growth baseline -> 1 -> 2 -> 3: ${growths[*]} KiB;" \
		"bounds ${bounds[*]} KiB ($leak_bytes B per 1,000 ops of the" \
		"round for the heap, $rss_growth_mib MiB for RSS)"
	grep -E ' :(CRIT|FATAL|MAJ) :' "$RUN_DIR/ganesha.log" |
		sed 's/^/daemon log: /' | head -n 20 || true
}

# The closing count, as the other suites print it (scripts/lib/test.sh):
# 20 checks (4 ditto-soak runs; per round gauges back at start, gauges
# 0 and none negative, fds, statfs and the RSS rise; the heap growth); a
# settle that timed out is one more failure.
checks=20
passed=$((checks - ${#failures[@]}))
[ "$passed" -ge 0 ] || passed=0
if [ ${#failures[@]} -gt 0 ]; then
	printf 'soak.sh: FAIL: %s\n' "${failures[@]}"
	echo "$passed passed, ${#failures[@]} failed"
	exit 1
fi
echo "soak.sh: PASS"
echo "$checks passed, 0 failed"

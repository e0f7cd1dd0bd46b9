# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# scripts/ditto cluster run --heads N / cluster stop: N ganesha.nfsd
# heads over one PostgreSQL store (docs/postgres.md, "Several heads").
# The store is the private instance of $DITTO_RUN/cluster/pg (pg.sh:
# initdb on first use, never the system's cluster); each head has a run
# dir of its own, $DITTO_RUN/cluster/headI (config, log, bus, recovery,
# PID files), and free 127.0.0.1 ports.  Processes are stopped by the
# PID files recorded when they were started.  Needs daemon.sh and pg.sh.

CLUSTER_MAX_HEADS=16

# cluster_stop_all DIR: every head of DIR, then its PostgreSQL.
cluster_stop_all() {
	local dir=$1 h

	for h in "$dir"/head*; do
		[ -d "$h" ] || continue
		(RUN_DIR=$h; daemon_stop)
	done
	pg_stop "$dir/pg"
}

# cluster_live DIR: true when a head of DIR still runs.
cluster_live() {
	local h pid

	for h in "$1"/head*; do
		pid=$(cat "$h/ganesha.pid" 2>/dev/null) || continue
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && return 0
	done
	return 1
}

cluster_run() {
	local heads=2 conf="$DITTO_ROOT/ganesha-conf/ditto-postgres.conf"
	local dir="$DITTO_RUN/cluster" i pids=() lines=()

	while [ $# -gt 0 ]; do
		case "$1" in
		--heads) heads=${2:?--heads needs a number}; shift ;;
		--conf) conf=${2:?--conf needs a file}; shift ;;
		*) die "cluster run: unknown option $1 (see --help)" ;;
		esac
		shift
	done
	case "$heads" in
	'' | *[!0-9]*) die "cluster run: --heads takes a number, not '$heads'" ;;
	esac
	if [ "$heads" -lt 1 ] || [ "$heads" -gt "$CLUSTER_MAX_HEADS" ]; then
		die "cluster run: --heads takes 1 to $CLUSTER_MAX_HEADS"
	fi
	[ -f "$conf" ] || die "cluster run: no such config file $conf"
	grep -q 'Store = postgres' "$conf" ||
		die "cluster run: $conf has no Store = postgres export (heads share a PostgreSQL store)"
	upstream_ready
	mkdir -p "$dir"
	cluster_live "$dir" &&
		die "cluster run: a cluster is already running in $dir; scripts/ditto cluster stop"
	# Whatever ends the run (Ctrl-C, cluster stop, a head that does
	# not start) stops every head and PostgreSQL.
	CLUSTER_RUN_DIR=$dir
	trap 'cluster_stop_all "$CLUSTER_RUN_DIR"' EXIT
	trap 'exit 130' INT TERM
	PG_CONNINFO=$(pg_start "$dir/pg") || die "PostgreSQL did not start"
	export PG_CONNINFO
	for i in $(seq 1 "$heads"); do
		RUN_DIR=$dir/head$i
		rm -rf "$RUN_DIR"
		mkdir -p "$RUN_DIR"
		NFS_PORT=$(free_port)
		MONITORING_PORT=$(free_port)
		render_conf "$conf" "$RUN_DIR/ganesha.conf"
		daemon_start "$RUN_DIR/ganesha.conf"
		pids+=("$GANESHA_PID")
		lines+=("  head $i (PID $GANESHA_PID): mount -t nfs4 -o vers=4.1,port=$NFS_PORT 127.0.0.1:$(pseudo_of "$RUN_DIR/ganesha.conf") /mnt
           log $RUN_DIR/ganesha.log, metrics http://127.0.0.1:$MONITORING_PORT/metrics")
	done
	echo "ditto: $heads heads serve one store on PostgreSQL ($PG_CONNINFO)"
	printf '%s\n' "${lines[@]}"
	echo "  stop:    Ctrl-C here, or scripts/ditto cluster stop"
	# Until every head is gone: one that dies leaves the others serving.
	wait "${pids[@]}" || true
	echo "ditto: cluster stopped"
}

cluster_stop() {
	local dir="$DITTO_RUN/cluster"

	[ $# -eq 0 ] || die "cluster stop: takes no arguments"
	ls -d "$dir"/head* >/dev/null 2>&1 ||
		die "cluster stop: no cluster started by scripts/ditto cluster run (no $dir/head*)"
	cluster_stop_all "$dir"
	echo "ditto: cluster stopped"
}

cmd_cluster() {
	local what=${1:-}

	[ $# -gt 0 ] && shift
	case "$what" in
	run)
		ensure_built
		cluster_run "$@"
		;;
	stop) cluster_stop "$@" ;;
	*) die "cluster: run [--heads N] [--conf FILE] or stop (see --help)" ;;
	esac
}

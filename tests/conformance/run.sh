#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Run the NFSv4.1 conformance suite.
#
#   run.sh [--fsal ditto|mem|vfs] [--server HOST:PORT:/EXPORT]
#          [--heads 2] [--json FILE] [--list] [SELECTORS...]
#   run.sh --restart [--nlm] [restart.sh options...]  (see restart.sh)
#
# SELECTORS: CODE, code PREFIX or FLAG to run; -FLAG or !FLAG (or -CODE)
# to leave out.  Without selectors some cases that can only fail for
# reasons of the backend are left out:
#   --fsal mem: -filedeleg -data -perm (FSAL_MEM has no lease_op2, so no
#     file delegations; it drops file data beyond Inode_Size and has no
#     xattrs, SEEK or statfs figures; it checks no permission when
#     creating, which Ganesha leaves to the FSAL);
#   --fsal vfs: -filedeleg -xattr -DATA6 (FSAL_VFS here grants no file
#     delegations (WND4_NOT_SUPP_FTYPE) and answers the RFC 8276 xattr
#     ops with NFS4ERR_NOTSUPP; DATA6 reads the free space of the host
#     file system holding the run dir, which other processes change).
# Directory delegation cases (flag deleg, not filedeleg) still run.
# The state churn cases (flag churn) are left out of a run without
# selectors too: CHURN9 checks gauges of the whole daemon, so they run
# on a daemon of their own ("run.sh --fsal ditto churn").  So are the
# CLUSTER cases (flag cluster), which need a second head:
#   run.sh --fsal ditto --heads 2 cluster
# starts two ganesha.nfsd heads on the same PostgreSQL schemas
# (docs/postgres.md, "Several heads") and gives the runner the second
# one (--server2).
#
# With --server the suite runs against that server.  Without it, a
# private dbus-daemon and ganesha.nfsd are started on free loopback
# ports, the suite runs, and both are stopped again (by PID).
#
# Environment: DITTO_UPSTREAM (cached upstream build: prefix/bin/ganesha.nfsd
# and prefix/lib), DITTO_BUILD (our build dir: plugins/ and
# tests/conformance/ditto-conformance), DITTO_STORE=lmdb or postgres
# (--fsal ditto on durable stores; postgres: a private instance in the
# run dir, scripts/lib/pg.sh).  The daemon and its private bus
# are started and stopped with scripts/lib/daemon.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() {
	echo "run.sh: $*" >&2
	exit 2
}
# shellcheck source=../../scripts/lib/daemon.sh
. "$here/../../scripts/lib/daemon.sh"
# shellcheck source=../../scripts/lib/deps.sh
. "$here/../../scripts/lib/deps.sh"
# shellcheck source=../../scripts/lib/pg.sh
. "$here/../../scripts/lib/pg.sh"

fsal=mem
server=
json=
list=0
heads=1
sel=()

# The restart and NLM suites have their own harness (its own daemon).
if [ "${1:-}" = --restart ]; then
	shift
	exec "$here/restart.sh" "$@"
fi

while [ $# -gt 0 ]; do
	case "$1" in
	--fsal) fsal=${2:?--fsal needs a value}; shift 2 ;;
	--server) server=${2:?--server needs a value}; shift 2 ;;
	--json) json=${2:?--json needs a value}; shift 2 ;;
	--heads) heads=${2:?--heads needs a value}; shift 2 ;;
	--list) list=1; shift ;;
	-h|--help) sed -n '4,34p' "$0"; exit 0 ;;
	--) shift; sel+=("$@"); break ;;
	--*) die "unknown option $1" ;;
	-?) die "unknown option $1" ;;
	# -FLAG: an exclusion selector for the runner
	-*) sel+=("$1"); shift ;;
	*) sel+=("$1"); shift ;;
	esac
done

case "$fsal" in
mem|vfs|ditto) ;;
*) die "--fsal must be ditto, mem or vfs" ;;
esac
case "$heads" in
1) ;;
2)	# Only a postgres store can have two heads.
	DITTO_STORE=${DITTO_STORE:-postgres}
	[ "$fsal" = ditto ] && [ "$DITTO_STORE" = postgres ] ||
		die "--heads 2 needs --fsal ditto on DITTO_STORE=postgres (one store, two heads)" ;;
*) die "--heads must be 1 or 2" ;;
esac

DITTO_BUILD=${DITTO_BUILD:-$(cd "$here/../.." && pwd)/build}
runner=$DITTO_BUILD/tests/conformance/ditto-conformance
[ -x "$runner" ] || die "no runner at $runner (build target ditto-conformance)"

jsonargs=()
[ -n "$json" ] && jsonargs=(--json "$json")

# Backend limits (see the header): left out unless cases are asked for.
if [ ${#sel[@]} -eq 0 ] && [ -z "$server" ]; then
	case "$fsal" in
	mem) sel=(-filedeleg -data -perm) ;;
	vfs) sel=(-filedeleg -xattr -DATA6) ;;
	esac
	# Restart and NLM cases need restart.sh's daemon (--restart).
	sel+=(-restart -nlm -churn -cluster)
fi

if [ "$list" = 1 ]; then
	exec "$runner" --list "${sel[@]}"
fi
if [ -n "$server" ]; then
	exec "$runner" --server "$server" "${jsonargs[@]}" "${sel[@]}"
fi

[ -n "${DITTO_UPSTREAM:-}" ] || die "DITTO_UPSTREAM is not set"
[ -x "$DITTO_UPSTREAM/prefix/bin/ganesha.nfsd" ] ||
	die "no ganesha.nfsd in $DITTO_UPSTREAM/prefix/bin"
[ -e "$DITTO_BUILD/plugins/libfsal$fsal.so" ] ||
	die "no libfsal$fsal.so in $DITTO_BUILD/plugins"

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ditto-conformance.XXXXXX")
# Keep the run's own exit status whatever the clean-up returns.
# The second head (--heads 2) has a run dir of its own inside ours.
HEAD2_DIR=$RUN_DIR/head2
trap 'rc=$?; (RUN_DIR=$HEAD2_DIR; daemon_stop); daemon_stop; pg_destroy "$RUN_DIR/pg"; rm -rf "$RUN_DIR"; exit $rc' EXIT
trap 'exit 130' INT TERM

NFS_PORT=$(free_port)
MONITORING_PORT=$(free_port)
[ "$MONITORING_PORT" != "$NFS_PORT" ] || MONITORING_PORT=$(free_port)
# The metrics cases (flag metrics) scrape it; they skip when it is unset.
export DITTO_MONITORING_PORT=$MONITORING_PORT

module_block=
case "$fsal" in
mem) fsal_name=MEM; export_path=/
	module_block='MEM { Inode_Size = 1048576; }' ;;
vfs) fsal_name=VFS; export_path=$RUN_DIR/export; mkdir -p "$export_path" ;;
ditto) fsal_name=DITTO; export_path=/ ;;
esac

sed -e "s|@EXPORT_PATH@|$export_path|" \
    -e "s|@EXPORT_NAME@|$fsal|" \
    -e "s|@FSAL_NAME@|$fsal_name|" \
    -e "s|@FSAL_MODULE_BLOCK@|$module_block|" \
    "$here/server.conf.in" >"$RUN_DIR/template.conf"
# DITTO_STORE=lmdb: every FSAL_DITTO export on a durable store of its
# own in the run dir (docs/durable.md).
if [ "$fsal" = ditto ] && [ "${DITTO_STORE:-memory}" = lmdb ]; then
	awk -v dir="$RUN_DIR" '/Name = DITTO;/ { n++
		sub(/Name = DITTO;/, "Name = DITTO; Store = lmdb; Path = \"" dir "/store" n "\";") } 1' \
		"$RUN_DIR/template.conf" >"$RUN_DIR/template-lmdb.conf"
	mv "$RUN_DIR/template-lmdb.conf" "$RUN_DIR/template.conf"
fi
# DITTO_STORE=postgres: every FSAL_DITTO export on a schema of its own
# in a private PostgreSQL (durability on: synchronous_commit = on).
if [ "$fsal" = ditto ] && [ "${DITTO_STORE:-memory}" = postgres ]; then
	pg_start "$RUN_DIR/pg" >/dev/null
	conninfo=$(cat "$RUN_DIR/pg/conninfo")
	n=$(grep -c 'Name = DITTO;' "$RUN_DIR/template.conf")
	for i in $(seq 1 "$n"); do
		"$PG_BIN/psql" -q -X "$conninfo" -c "CREATE SCHEMA store$i" ||
			die "cannot create schema store$i"
	done
	awk -v ci="$conninfo" '/Name = DITTO;/ { n++
		sub(/Name = DITTO;/, "Name = DITTO; Store = postgres; Conninfo = \"" ci " options=\x27-csearch_path=store" n "\x27\";") } 1' \
		"$RUN_DIR/template.conf" >"$RUN_DIR/template-pg.conf"
	mv "$RUN_DIR/template-pg.conf" "$RUN_DIR/template.conf"
fi
render_conf "$RUN_DIR/template.conf" "$RUN_DIR/ganesha.conf"
# Starts a private system bus too (DBus cases, the callback simulator).
daemon_start "$RUN_DIR/ganesha.conf"
# BADIN11/12 count the daemon's descriptors.
export DITTO_DAEMON_PID=$GANESHA_PID

# ping_head PID SRV DIR: wait until the head answers NULL, or fail.
ping_head() {
	local i

	for i in $(seq 1 60); do
		kill -0 "$1" 2>/dev/null || break
		"$runner" --server "$2" --ping && return 0
		sleep 0.5
	done
	echo "run.sh: ganesha.nfsd does not answer NULL on $2" >&2
	tail -n 40 "$3/ganesha.log" >&2 || true
	exit 1
}

srv=127.0.0.1:$NFS_PORT:/$fsal
ping_head "$GANESHA_PID" "$srv" "$RUN_DIR"
logs=("$RUN_DIR/ganesha.log")
srv2args=()
# The second head: same configuration (so the same schemas), its own
# ports, bus, recovery dir and log, started once the first one serves.
if [ "$heads" = 2 ]; then
	mkdir -p "$HEAD2_DIR"
	HEAD2_PID=$(
		RUN_DIR=$HEAD2_DIR
		NFS_PORT=$(free_port)
		MONITORING_PORT=$(free_port)
		render_conf "$RUN_DIR/../template.conf" "$RUN_DIR/ganesha.conf"
		daemon_start "$RUN_DIR/ganesha.conf" >&2
		echo "$NFS_PORT $GANESHA_PID"
	) || die "the second head did not start"
	srv2=127.0.0.1:${HEAD2_PID% *}:/$fsal
	HEAD2_PID=${HEAD2_PID#* }
	ping_head "$HEAD2_PID" "$srv2" "$HEAD2_DIR"
	logs+=("$HEAD2_DIR/ganesha.log")
	srv2args=(--server2 "$srv2")
	echo "run.sh: two heads on one store: $srv and $srv2"
fi

rc=0
"$runner" --server "$srv" "${srv2args[@]}" "${jsonargs[@]}" "${sel[@]}" || rc=$?
# What the daemon logged as server faults during the run.  The cases
# are clients, right or wrong: nothing they do is a server fault, so a
# CRIT line fails the run (MAJ lines are shown).
for log in "${logs[@]}"; do
	for lvl in CRIT MAJ; do
		n=$(grep -c ":$lvl :" "$log" || true)
		where=
		[ "$heads" = 1 ] || where=" ($log)"
		echo "run.sh: daemon log: $n $lvl lines$where"
		sed -n 's/.*:'"$lvl"' :/    /p' "$log" |
			sort | uniq -c | sort -rn | sed -n 1,20p
		if [ "$lvl" = CRIT ] && [ "$n" -gt 0 ]; then
			echo "FAIL daemon log: $n CRIT lines (client-caused conditions log at INFO)"
			[ "$rc" != 0 ] || rc=1
		fi
	done
done
for pid in "$GANESHA_PID" ${HEAD2_PID:+"$HEAD2_PID"}; do
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "run.sh: ganesha.nfsd (PID $pid) died during the run" >&2
		tail -n 40 "$RUN_DIR/ganesha.log" >&2 || true
		[ "$rc" != 0 ] || rc=1
	fi
done
# A failed run keeps the daemon's log (the run dir goes) and shows what
# it said above startup chatter, so that a rare failure in CI can be read.
if [ "$rc" != 0 ]; then
	kept=$DITTO_BUILD/conformance-failed
	mkdir -p "$kept"
	kept=$kept/ganesha-$(date +%Y%m%dT%H%M%S)-$$.log
	cp "$RUN_DIR/ganesha.log" "$kept"
	echo "run.sh: failed run: daemon log kept in $kept; its EVENT and WARN lines:"
	grep -E ':(EVENT|WARN) :' "$kept" |
		grep -v -E ':(NFS STARTUP|MAIN|THREAD|DBUS|LOG|TIRPC) :' |
		grep -v -E '\] (destroy_fsals|nfs_rpc_cbsim_pkginit|nfs_Init_admin_thread) :' |
		sed -e 's/^[^[]*\[/    [/' | tail -n 60
fi
exit "$rc"

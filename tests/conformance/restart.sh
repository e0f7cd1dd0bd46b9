#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Run the conformance cases that restart the server (flag "restart":
# grace and reclaim, RFC 8881 section 8.4.2) and, with --nlm, the NLM
# cross-protocol cases (flag "nlm") instead.
#
#   restart.sh [--fsal vfs|ditto] [--nlm] [--lease S] [--grace S]
#              [--json FILE] [--list] [SELECTORS...]
#
# Defaults: lease 10 s, grace 20 s; without selectors the cases flagged
# "restart" (not "nlm"), with --nlm those flagged "nlm".
#
# A private dbus-daemon and ganesha.nfsd are started on free loopback
# ports with a real grace period and the "fs" recovery backend under the
# run dir.  The cases restart the daemon themselves through
# DITTO_RESTART_CMD (this script with --restart-hook): SIGKILL by PID,
# start again on the same ports and run dir, wait until it serves.
#
# --fsal vfs (default) exports a directory of the run dir: files and their
# handles outlive the daemon, so opens and locks can be reclaimed.
# --fsal ditto needs the durable store (Store = lmdb) and uses it.
#
# --nlm (root): NFSv3 + NLM are enabled and rpcbind and rpc.statd
# (Debian's) are started; the restart hook also runs sm-notify.
# Everything then runs inside a private network and mount namespace
# (unshare): rpcbind's port 111 and /run/rpcbind.sock are that
# namespace's own, the machine's are never touched.
#
# Environment: DITTO_UPSTREAM, DITTO_BUILD as for run.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() {
	echo "restart.sh: $*" >&2
	exit 2
}
# shellcheck source=../../scripts/lib/daemon.sh
. "$here/../../scripts/lib/daemon.sh"
# shellcheck source=../../scripts/lib/nsm.sh
. "$here/../../scripts/lib/nsm.sh"

# wait_serving: NULL answered on the NFS port (bounded).
wait_serving() {
	for _ in $(seq 1 60); do
		kill -0 "$GANESHA_PID" 2>/dev/null || return 1
		"$runner" --server "127.0.0.1:$NFS_PORT:/" --ping && return 0
		sleep 0.5
	done
	return 1
}

# --restart-hook RUN_DIR: kill the daemon by its PID (a crash: nothing
# is cleaned up), start it again on the same ports, wait until it serves.
if [ "${1:-}" = --restart-hook ]; then
	RUN_DIR=${2:?--restart-hook needs the run dir}
	# shellcheck source=/dev/null
	. "$RUN_DIR/env.sh"
	pid=$(cat "$RUN_DIR/ganesha.pid")
	kill -KILL "$pid" 2>/dev/null || true
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$RUN_DIR/ganesha.pid"
	stop_pidfile "$RUN_DIR/dbus.pid"
	mv "$RUN_DIR/ganesha.log" "$RUN_DIR/ganesha.log.$(date +%s%N)"
	# The NSM side of a server reboot, before the daemon is back (it
	# unmonitors everything at start): every host statd monitored for
	# it gets SM_NOTIFY.  Bounded: one minute of retries at most.
	if [ "$NLM" = 1 ]; then
		sm-notify -d -f -m 1 -P "$RUN_DIR/statd" -v 127.0.0.1 >&2 ||
			die "sm-notify failed"
	fi
	daemon_start "$RUN_DIR/ganesha.conf" >&2
	wait_serving || die "ganesha.nfsd does not serve after the restart"
	exit 0
fi

fsal=vfs
nlm=0
json=
list=0
lease=10
grace=20
sel=()
while [ $# -gt 0 ]; do
	case "$1" in
	--fsal) fsal=${2:?--fsal needs a value}; shift 2 ;;
	--nlm) nlm=1; shift ;;
	--lease) lease=${2:?}; shift 2 ;;
	--grace) grace=${2:?}; shift 2 ;;
	--json) json=${2:?--json needs a value}; shift 2 ;;
	--list) list=1; shift ;;
	--in-namespace) in_ns=1; shift ;;
	-h|--help) sed -n '4,30p' "$0"; exit 0 ;;
	--) shift; sel+=("$@"); break ;;
	--*) die "unknown option $1" ;;
	*) sel+=("$1"); shift ;;
	esac
done
case "$fsal" in
vfs|ditto) ;;
*) die "--fsal must be vfs or ditto" ;;
esac
case "$lease$grace" in
*[!0-9]*) die "--lease and --grace take seconds" ;;
esac

DITTO_BUILD=${DITTO_BUILD:-$(cd "$here/../.." && pwd)/build}
runner=$DITTO_BUILD/tests/conformance/ditto-conformance
[ -x "$runner" ] || die "no runner at $runner (build target ditto-conformance)"

if [ ${#sel[@]} -eq 0 ]; then
	# The grace cases run without NLM (rpcbind and statd are not
	# needed for them), the NLM cases with it.
	if [ "$nlm" = 1 ]; then
		sel=(nlm)
	else
		sel=(restart -nlm)
	fi
fi
if [ "$list" = 1 ]; then
	exec "$runner" --list "${sel[@]}"
fi

# NLM needs rpcbind on port 111: in private namespaces, never the
# machine's.  Re-run this script there (unshare ends with it).
if [ "$nlm" = 1 ] && [ -z "${in_ns:-}" ]; then
	[ "$(id -u)" = 0 ] ||
		die "--nlm needs root (private network and mount namespaces)"
	for t in rpcbind rpc.statd sm-notify unshare ip; do
		command -v "$t" >/dev/null ||
			PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null ||
			die "$t not found (packages rpcbind nfs-common iproute2)"
	done
	args=(--fsal "$fsal" --nlm --lease "$lease" --grace "$grace")
	[ -z "$json" ] || args+=(--json "$json")
	exec unshare --net --mount --propagation private \
		"$0" --in-namespace "${args[@]}" -- "${sel[@]}"
fi

[ -n "${DITTO_UPSTREAM:-}" ] || die "DITTO_UPSTREAM is not set"
[ -x "$DITTO_UPSTREAM/prefix/bin/ganesha.nfsd" ] ||
	die "no ganesha.nfsd in $DITTO_UPSTREAM/prefix/bin"
[ -e "$DITTO_BUILD/plugins/libfsal$fsal.so" ] ||
	die "no libfsal$fsal.so in $DITTO_BUILD/plugins"

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ditto-restart.XXXXXX")
pids=()
cleanup() {
	local p

	daemon_stop
	for p in "${pids[@]+"${pids[@]}"}"; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$RUN_DIR"
}
trap 'rc=$?; cleanup; exit $rc' EXIT
trap 'exit 130' INT TERM

nlm_core=
protocols=4
if [ "$nlm" = 1 ]; then
	PATH=$PATH:/usr/sbin:/sbin
	nsm_netns_setup
	nsm_start "$RUN_DIR"
	NLM_PORT=$(free_port)
	MNT_PORT=$(free_port)
	export DITTO_NLM_PORT=$NLM_PORT DITTO_MNT_PORT=$MNT_PORT
	# The NLM clients' host name (NLM cases): not the server's own.
	export DITTO_NLM_HOST=192.0.2.1
	protocols="3, 4"
	# Monitor NLM hosts by the caller name they send, as a server
	# behind NAT would.
	nlm_core="Enable_NLM = true; NSM_Use_Caller_Name = true;"
	nlm_core+=" NLM_Port = $NLM_PORT; MNT_Port = $MNT_PORT;"
fi

NFS_PORT=$(free_port)
MONITORING_PORT=$(free_port)
export DITTO_MONITORING_PORT=$MONITORING_PORT

module_block=
fsal_options=
case "$fsal" in
vfs) fsal_name=VFS; export_path=$RUN_DIR/export; mkdir -p "$export_path" ;;
ditto)
	fsal_name=DITTO; export_path=/
	mkdir -p "$RUN_DIR/store"
	fsal_options="Store = lmdb; Path = $RUN_DIR/store;"
	;;
esac

sed -e "s|@EXPORT_PATH@|$export_path|" \
    -e "s|@EXPORT_NAME@|$fsal|" \
    -e "s|@FSAL_NAME@|$fsal_name|" \
    -e "s|@FSAL_MODULE_BLOCK@|$module_block|" \
    -e "s|@FSAL_OPTIONS@|$fsal_options|" \
    -e "s|@PROTOCOLS@|$protocols|g" \
    -e "s|@NLM_CORE@|$nlm_core|" \
    "$here/server-restart.conf.in" >"$RUN_DIR/template.conf"
DITTO_LEASE=$lease DITTO_GRACE=$grace \
	render_conf "$RUN_DIR/template.conf" "$RUN_DIR/ganesha.conf"

# What the restart hook needs to start the same daemon again.
{
	declare -p DITTO_UPSTREAM DITTO_BUILD NFS_PORT MONITORING_PORT
	echo "NLM=$nlm"
	echo "runner=$runner"
} >"$RUN_DIR/env.sh"
export DITTO_RESTART_CMD="$here/restart.sh --restart-hook $RUN_DIR"
export DITTO_LEASE=$lease DITTO_GRACE=$grace DITTO_FSAL=$fsal

daemon_start "$RUN_DIR/ganesha.conf"
# The restart hook kills it: no "Killed" job report from this shell.
disown "$GANESHA_PID" 2>/dev/null || true
wait_serving || {
	tail -n 40 "$RUN_DIR/ganesha.log" >&2 || true
	die "ganesha.nfsd does not answer NULL on port $NFS_PORT"
}

jsonargs=()
[ -z "$json" ] || jsonargs=(--json "$json")
rc=0
"$runner" --server "127.0.0.1:$NFS_PORT:/$fsal" "${jsonargs[@]}" \
	"${sel[@]}" || rc=$?
if ! kill -0 "$(cat "$RUN_DIR/ganesha.pid" 2>/dev/null || echo 0)" \
	2>/dev/null; then
	echo "restart.sh: ganesha.nfsd died during the run" >&2
	tail -n 40 "$RUN_DIR/ganesha.log" >&2 || true
	[ "$rc" != 0 ] || rc=1
fi
exit "$rc"

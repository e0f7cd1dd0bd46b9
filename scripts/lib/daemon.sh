# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# Start and stop ganesha.nfsd and its private DBus bus.  Sourced by
# scripts/ditto and the test scripts.  Processes are only ever stopped by
# the PIDs recorded when we started them.

# port_in_use PORT: true if any TCP socket (any state) uses PORT locally.
port_in_use() {
	awk -v p="$(printf ':%04X' "$1")" \
		'substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# port_listening PORT: true if a TCP socket listens on PORT.
port_listening() {
	awk -v p="$(printf ':%04X' "$1")" \
		'substr($2, length($2) - 4) == p && $4 == "0A" { f = 1 }
		END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# free_port: a TCP port nobody is bound to, from the dynamic range.
free_port() {
	local p i

	for i in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		port_in_use "$p" || { echo "$p"; return 0; }
	done
	die "no free TCP port found"
}

# render_conf TEMPLATE OUT: substitute the @...@ placeholders.
# @PG_CONNINFO@ is $PG_CONNINFO when set (several heads on one
# instance, cluster.sh); otherwise it starts (or finds) the private
# PostgreSQL instance of the run dir (scripts/lib/pg.sh) and names it.
render_conf() {
	local pg=${PG_CONNINFO:-}

	if [ -z "$pg" ] && grep -q '@PG_CONNINFO@' "$1"; then
		pg=$(pg_start "$RUN_DIR/pg") || die "PostgreSQL did not start"
	fi
	sed -e "s|@NFS_PORT@|$NFS_PORT|g" \
		-e "s|@PG_CONNINFO@|$pg|g" \
		-e "s|@MONITORING_PORT@|$MONITORING_PORT|g" \
		-e "s|@RUN_DIR@|$RUN_DIR|g" \
		-e "s|@PLUGINS_DIR@|$DITTO_BUILD/plugins|g" \
		-e "s|@LEASE@|${DITTO_LEASE:-90}|g" \
		-e "s|@GRACE@|${DITTO_GRACE:-90}|g" \
		"$1" >"$2" || die "cannot write $2"
	grep -q '@[A-Z_]*@' "$2" &&
		die "$1: unknown placeholder $(grep -o '@[A-Z_]*@' "$2" | head -n 1)"
	return 0
}

# bus_start: a private system bus for Ganesha's DBus interfaces, so the
# machine's own bus (if any) is never touched.
bus_start() {
	local out

	cat >"$RUN_DIR/dbus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$RUN_DIR/dbus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
	out=$(dbus-daemon --config-file="$RUN_DIR/dbus.conf" --fork \
		--print-pid --print-address) || die "dbus-daemon failed to start"
	DBUS_PID=$(echo "$out" | sed -n 2p)
	echo "$DBUS_PID" >"$RUN_DIR/dbus.pid"
	DBUS_SYSTEM_BUS_ADDRESS=unix:path=$RUN_DIR/dbus.sock
	export DBUS_SYSTEM_BUS_ADDRESS
}

# stop_pidfile FILE: SIGTERM the PID in FILE, wait, then SIGKILL.
# Two stoppers may race (`scripts/ditto stop` and the `run` it ends both
# stop the bus): the rename claims the file, so only one of them acts.
stop_pidfile() {
	local pid i claim="$1.stopping.$$"

	mv -f "$1" "$claim" 2>/dev/null || return 0
	pid=$(cat "$claim" 2>/dev/null) || pid=
	rm -f "$claim"
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# config_errors LOG: the daemon's own complaints about its configuration.
config_errors() {
	grep -E ':(CONFIG|EXPORT|FSAL|NFS STARTUP) :(CRIT|MAJ|FATAL) :|Config File|No export entries found|Error while parsing' \
		"$1" || true
}

# daemon_start CONF: start ganesha.nfsd (foreground mode, in the
# background of this shell) and wait until it serves or fails.
daemon_start() {
	local conf=$1 log="$RUN_DIR/ganesha.log" i errs

	: >"$log"
	mkdir -p "$RUN_DIR/recovery"
	# Always our own bus: an address inherited from the environment may
	# be the machine's bus or a stale one from an earlier run.
	bus_start
	LD_LIBRARY_PATH="$DITTO_UPSTREAM/prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
		"$DITTO_UPSTREAM/prefix/bin/ganesha.nfsd" -F -f "$conf" \
		-L "$log" -N NIV_EVENT -p "$RUN_DIR/ganesha.nfsd.pid" \
		>>"$RUN_DIR/ganesha.out" 2>&1 &
	GANESHA_PID=$!
	echo "$GANESHA_PID" >"$RUN_DIR/ganesha.pid"
	for i in $(seq 1 300); do
		if ! kill -0 "$GANESHA_PID" 2>/dev/null; then
			errs=$(config_errors "$log")
			if [ -n "$errs" ]; then
				echo "$errs" >&2
			else
				grep -v '^/' "$log" | tail -n 10 >&2
				tail -n 5 "$RUN_DIR/ganesha.out" >&2
			fi
			daemon_stop
			die "ganesha.nfsd exited during start (log above, full log: $log)"
		fi
		grep -q 'NFS SERVER INITIALIZED' "$log" &&
			port_listening "$NFS_PORT" && break
		sleep 0.1
	done
	if ! grep -q 'NFS SERVER INITIALIZED' "$log"; then
		tail -n 20 "$log" >&2
		daemon_stop
		die "ganesha.nfsd did not come up within 30 s (full log: $log)"
	fi
	errs=$(config_errors "$log")
	if [ -n "$errs" ]; then
		echo "$errs" >&2
		daemon_stop
		die "ganesha.nfsd rejected its configuration $conf (errors above); not serving"
	fi
}

daemon_stop() {
	stop_pidfile "$RUN_DIR/ganesha.pid"
	stop_pidfile "$RUN_DIR/dbus.pid"
	unset DBUS_SYSTEM_BUS_ADDRESS
	# The run dir's PostgreSQL, if render_conf started one; its data
	# stays for the next run.
	if [ -s "$RUN_DIR/pg/pid" ]; then
		pg_stop "$RUN_DIR/pg"
	fi
}

# upstream_ready: DITTO_UPSTREAM from the cache, or a clear error.
# daemon_heap_kib PID OUT: bytes in use in the daemon's malloc heap
# (KiB, every arena and mmapped chunk), from glibc's malloc_stats() run
# in the daemon by gdb; nothing if gdb cannot.  The daemon prints the
# report on its stderr, the file OUT.
daemon_heap_kib() {
	local pid=$1 out=$2 n

	command -v gdb >/dev/null || return 0
	n=$(grep -c '^Total (incl. mmap):' "$out" 2>/dev/null) || n=0
	timeout 60 gdb -p "$pid" -batch -nx \
		-ex 'call (void) malloc_stats()' >/dev/null 2>&1 || return 0
	for _ in $(seq 1 50); do
		[ "$(grep -c '^Total (incl. mmap):' "$out")" -gt "$n" ] && break
		sleep 0.1
	done
	# No new report: no figure, rather than the previous one.
	[ "$(grep -c '^Total (incl. mmap):' "$out")" -gt "$n" ] || return 0
	awk '/^Total \(incl. mmap\):/ { t = 1; next }
		t && /^in use bytes/ { v = $NF; t = 0 }
		END { if (v != "") print int(v / 1024) }' "$out"
}

upstream_ready() {
	[ -n "${DITTO_UPSTREAM:-}" ] && [ -f "$DITTO_UPSTREAM/.complete" ] &&
		return 0
	DITTO_UPSTREAM=$(upstream_dir)
	[ -f "$DITTO_UPSTREAM/.complete" ] ||
		die "no upstream build at $DITTO_UPSTREAM; run scripts/ditto build"
	export DITTO_UPSTREAM
}

# pseudo_of CONF: the first export's Pseudo path.
pseudo_of() {
	sed -n 's/^[[:space:]]*Pseudo[[:space:]]*=[[:space:]]*"\{0,1\}\([^";]*\).*/\1/p' "$1" |
		head -n 1
}

# run_dir_daemon: the daemon `scripts/ditto run` started for this
# checkout (its run dir, $DITTO_RUN), so that the admin tools need no
# address: RUN_PORT, RUN_PSEUDO and RUN_BUS (its private DBus bus).
# False, with the reason on stderr, when none runs.
run_dir_daemon() {
	local pid bus

	pid=$(cat "$DITTO_RUN/ganesha.pid" 2>/dev/null) || pid=
	if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "ditto: no daemon runs for this checkout (no live PID in $DITTO_RUN/ganesha.pid); start one with scripts/ditto run" >&2
		return 1
	fi
	RUN_PORT=$(sed -n 's/^[[:space:]]*NFS_Port[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' \
		"$DITTO_RUN/ganesha.conf" 2>/dev/null | head -n 1)
	RUN_PSEUDO=$(pseudo_of "$DITTO_RUN/ganesha.conf" 2>/dev/null)
	if [ -z "$RUN_PORT" ] || [ -z "$RUN_PSEUDO" ]; then
		echo "ditto: the daemon of $DITTO_RUN (PID $pid) has no readable $DITTO_RUN/ganesha.conf" >&2
		return 1
	fi
	bus=$(cat "$DITTO_RUN/dbus.pid" 2>/dev/null) || bus=
	RUN_BUS=
	[ -n "$bus" ] && kill -0 "$bus" 2>/dev/null && [ -S "$DITTO_RUN/dbus.sock" ] &&
		RUN_BUS=unix:path=$DITTO_RUN/dbus.sock
	return 0
}

# sessions ARGS: scripts/ditto-sessions on the run dir's daemon's bus,
# unless DBUS_SYSTEM_BUS_ADDRESS names one.
cmd_sessions() {
	case "${1:-}" in
	'' | -h | --help | help) exec "$DITTO_ROOT/scripts/ditto-sessions" "$@" ;;
	esac
	if [ -z "${DBUS_SYSTEM_BUS_ADDRESS:-}" ]; then
		run_dir_daemon || exit 1
		[ -n "$RUN_BUS" ] ||
			die "the daemon of $DITTO_RUN runs without its DBus bus ($DITTO_RUN/dbus.sock); restart it with scripts/ditto run"
		export DBUS_SYSTEM_BUS_ADDRESS=$RUN_BUS
	fi
	exec "$DITTO_ROOT/scripts/ditto-sessions" "$@"
}

# watch [OPTIONS] [HOST[:PORT]:/PATH | /PATH]: ditto-watch; without an
# address (or with a path alone) on the run dir's daemon.
cmd_watch() {
	local args=("$@") last=${*: -1} bin="$DITTO_BUILD/watch/ditto-watch"

	[ -x "$bin" ] || cmd_build
	case "$last" in
	-h | --help) exec "$bin" --help ;;
	*:/*) exec "$bin" "$@" ;;
	/*)
		run_dir_daemon || exit 1
		unset 'args[${#args[@]}-1]'
		exec "$bin" "${args[@]+"${args[@]}"}" "127.0.0.1:$RUN_PORT:$last"
		;;
	*)
		run_dir_daemon || exit 1
		exec "$bin" "$@" "127.0.0.1:$RUN_PORT:$RUN_PSEUDO"
		;;
	esac
}

cmd_run() {
	local conf="$DITTO_ROOT/ganesha-conf/ditto.conf" fsal=""

	NFS_PORT=2049
	MONITORING_PORT=""
	while [ $# -gt 0 ]; do
		case "$1" in
		--port) NFS_PORT=${2:?--port needs a number}; shift ;;
		--monitoring-port) MONITORING_PORT=${2:?}; shift ;;
		--conf) conf=${2:?--conf needs a file}; shift ;;
		--fsal) fsal=${2:?--fsal needs ditto, mem or vfs}; shift ;;
		*) die "run: unknown option $1 (see --help)" ;;
		esac
		shift
	done
	[ -f "$conf" ] || die "run: no such config file $conf"
	case "$NFS_PORT" in
	'' | *[!0-9]*) die "run: --port takes a number, not '$NFS_PORT'" ;;
	esac
	port_listening "$NFS_PORT" &&
		die "run: port $NFS_PORT is in use (another NFS server?); pick one with --port N"
	[ -n "$MONITORING_PORT" ] || MONITORING_PORT=$(free_port)
	upstream_ready
	RUN_DIR=$DITTO_RUN
	mkdir -p "$RUN_DIR"
	[ -f "$RUN_DIR/ganesha.pid" ] && kill -0 "$(cat "$RUN_DIR/ganesha.pid")" 2>/dev/null &&
		die "run: a ditto daemon is already running (PID $(cat "$RUN_DIR/ganesha.pid")); scripts/ditto stop"
	render_conf "$conf" "$RUN_DIR/ganesha.conf"
	case "$fsal" in
	'' | ditto) ;;
	mem) sed -i 's/Name = DITTO;/Name = MEM;/' "$RUN_DIR/ganesha.conf" ;;
	vfs)
		# FSAL_VFS exports a real directory: a fresh one per run.
		rm -rf "$RUN_DIR/vfs-export"
		mkdir -p "$RUN_DIR/vfs-export"
		sed -i -e 's/Name = DITTO;/Name = VFS;/' \
			-e "s|^\([[:space:]]*Path = \)/;|\1$RUN_DIR/vfs-export;|" \
			"$RUN_DIR/ganesha.conf"
		;;
	*) die "run: --fsal takes ditto, mem or vfs, not '$fsal'" ;;
	esac
	trap 'daemon_stop; exit 130' INT TERM
	daemon_start "$RUN_DIR/ganesha.conf"
	cat <<EOF
ditto: ganesha.nfsd (PID $GANESHA_PID) serves $conf on 127.0.0.1:$NFS_PORT
  mount:    mount -t nfs4 -o vers=4.1,port=$NFS_PORT 127.0.0.1:$(pseudo_of "$RUN_DIR/ganesha.conf") /mnt
  metrics:  curl http://127.0.0.1:$MONITORING_PORT/metrics
  dbus:     DBUS_SYSTEM_BUS_ADDRESS=$DBUS_SYSTEM_BUS_ADDRESS
  log:      $RUN_DIR/ganesha.log
  stop:     Ctrl-C here, or scripts/ditto stop
EOF
	wait "$GANESHA_PID" || true
	daemon_stop
	echo "ditto: daemon stopped"
}

cmd_stop() {
	RUN_DIR=$DITTO_RUN
	[ -f "$RUN_DIR/ganesha.pid" ] || die "stop: no daemon started by scripts/ditto run (no $RUN_DIR/ganesha.pid)"
	daemon_stop
	echo "ditto: stopped"
}

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# Shared set-up for the daemon tests: each runs `scripts/ditto` against a
# private run directory and stops only what it started.
set -euo pipefail

: "${DITTO_ROOT:?}" "${DITTO_BUILD:?}"
DITTO_RUN=$(mktemp -d /tmp/ditto-test.XXXXXX)
DITTO_SKIP_BUILD=1
export DITTO_RUN DITTO_SKIP_BUILD

die() {
	echo "FAIL: $*" >&2
	exit 1
}

# shellcheck source=../../scripts/lib/upstream.sh
. "$DITTO_ROOT/scripts/lib/upstream.sh"
# shellcheck source=../../scripts/lib/daemon.sh
. "$DITTO_ROOT/scripts/lib/daemon.sh"
# shellcheck source=../../scripts/lib/deps.sh
. "$DITTO_ROOT/scripts/lib/deps.sh"
# shellcheck source=../../scripts/lib/pg.sh
. "$DITTO_ROOT/scripts/lib/pg.sh"

cleanup() {
	RUN_DIR=$DITTO_RUN
	daemon_stop
	if [ -n "${RUN_CMD_PID:-}" ]; then
		# With its daemon gone the run stops the bus itself: a TERM
		# in the middle of that (after it claimed the bus's PID
		# file) would leave the bus running.
		for _ in $(seq 1 50); do
			kill -0 "$RUN_CMD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$RUN_CMD_PID" 2>/dev/null || true
	fi
	# A Store = postgres run's private instance (ditto-postgres.conf).
	pg_destroy "$DITTO_RUN/pg"
	rm -rf "$DITTO_RUN"
}
# Keep the test's own exit status whatever the clean-up returns.
trap 'rc=$?; cleanup; exit $rc' EXIT

# conf_with SED_EXPR: the default config edited by SED_EXPR, as a file.
conf_with() {
	local f="$DITTO_RUN/edited.conf"

	sed -e "$1" "$DITTO_ROOT/ganesha-conf/ditto.conf" >"$f"
	echo "$f"
}

# expect_refused CONF WHAT: `scripts/ditto run` must fail and show why.
expect_refused() {
	local out="$DITTO_RUN/run.out" rc=0

	timeout 60 "$DITTO_ROOT/scripts/ditto" run --port "$(free_port)" \
		--conf "$1" >"$out" 2>&1 || rc=$?
	cat "$out"
	[ "$rc" -ne 0 ] || die "run accepted a config with $2"
	[ "$rc" -ne 124 ] || die "run hung on a config with $2"
	grep -q "$3" "$out" || die "run did not show the daemon's error '$3' for $2"
	[ ! -f "$DITTO_RUN/ganesha.pid" ] || die "daemon left running after refusing $2"
	echo "ok: refused config with $2"
}

# wait_output PID FILE PATTERN WHAT: until FILE (PID's output) has a
# line matching PATTERN (grep -E); dies when PID exits first or after
# 60 s.
wait_output() {
	for _ in $(seq 1 600); do
		grep -qsE -- "$3" "$2" && return 0
		kill -0 "$1" 2>/dev/null ||
			{ cat "$2"; die "$4 exited early"; }
		sleep 0.1
	done
	cat "$2"
	die "$4 never printed '$3'"
}

# run_started ARGS...: `scripts/ditto run ARGS` in the background
# (RUN_CMD_PID, output in $DITTO_RUN/run.out), once it says it serves.
run_started() {
	local out="$DITTO_RUN/run.out"

	"$DITTO_ROOT/scripts/ditto" run "$@" >"$out" 2>&1 &
	RUN_CMD_PID=$!
	wait_output "$RUN_CMD_PID" "$out" serves run
}

# run_exited WHAT: after a stop, the RUN_CMD_PID run exits 0 in 10 s.
run_exited() {
	for _ in $(seq 1 100); do
		kill -0 "$RUN_CMD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$RUN_CMD_PID" 2>/dev/null && die "$1 did not exit after stop"
	wait "$RUN_CMD_PID" || die "$1 exited non-zero after stop"
	RUN_CMD_PID=
}

# run_stopped: `scripts/ditto stop`, and the run_started run exits 0.
run_stopped() {
	"$DITTO_ROOT/scripts/ditto" stop || die "stop failed"
	run_exited run
}

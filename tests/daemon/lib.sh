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

cleanup() {
	RUN_DIR=$DITTO_RUN
	daemon_stop
	if [ -n "${RUN_CMD_PID:-}" ]; then
		kill "$RUN_CMD_PID" 2>/dev/null || true
	fi
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

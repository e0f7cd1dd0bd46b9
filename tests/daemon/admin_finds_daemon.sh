#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Issue 22 point 5: with `scripts/ditto run` serving, `scripts/ditto
# sessions` and `scripts/ditto watch` in another shell (no
# DBUS_SYSTEM_BUS_ADDRESS, no address) find the daemon of this
# checkout's run dir; with none running they say so.
. "$(dirname "$0")/lib.sh"

ditto="$DITTO_ROOT/scripts/ditto"
unset DBUS_SYSTEM_BUS_ADDRESS

expect_none() {
	local rc=0

	"$ditto" "$@" >"$DITTO_RUN/none.out" 2>&1 || rc=$?
	[ "$rc" = 1 ] || die "$* with no daemon: exit $rc ($(cat "$DITTO_RUN/none.out"))"
	grep -q 'no daemon runs for this checkout' "$DITTO_RUN/none.out" ||
		die "$* with no daemon did not say so: $(cat "$DITTO_RUN/none.out")"
	echo "ok: $* with no daemon: $(cat "$DITTO_RUN/none.out")"
}
expect_none sessions list
expect_none watch --timeout 1

port=$(free_port)
run_started --port "$port"
# A new shell: nothing from run's environment.
out=$(env -u DBUS_SYSTEM_BUS_ADDRESS "$ditto" sessions list) ||
	die "sessions list did not find the daemon: $out"
echo "$out"
echo "$out" | head -n 1 | grep -q '^SESSIONID ' || die "sessions list printed no header"

"$ditto" watch --timeout 1 --verify >"$DITTO_RUN/watch.out" 2>&1 ||
	die "watch without an address: $(cat "$DITTO_RUN/watch.out")"
cat "$DITTO_RUN/watch.out"
grep -q "watching 127.0.0.1:$port:/ditto (directory delegation" "$DITTO_RUN/watch.out" ||
	die "watch did not watch the run dir's daemon's export"
rc=0
"$ditto" watch --timeout 1 /ditto/no-such-dir >"$DITTO_RUN/watch.out" 2>&1 || rc=$?
if [ "$rc" != 1 ] || ! grep -q 'no such path' "$DITTO_RUN/watch.out"; then
	die "watch /ditto/no-such-dir: exit $rc: $(cat "$DITTO_RUN/watch.out")"
fi

run_stopped
expect_none sessions list
echo "admin_finds_daemon: ok"

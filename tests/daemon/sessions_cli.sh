#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# scripts/ditto-sessions against a running daemon (patch 0042, DBus
# SessionMgr): a session held by tests/conformance's
# ditto-session-holder is listed (by hex clientid, by d<decimal>
# clientid, and among all sessions), destroyed (the holder then sees
# NFS4ERR_BADSESSION), and the CLI's error exits are checked.
. "$(dirname "$0")/lib.sh"

holder="$DITTO_BUILD/tests/conformance/ditto-session-holder"
cli="$DITTO_ROOT/scripts/ditto-sessions"
[ -x "$holder" ] || die "no $holder (build target ditto-session-holder)"

HOLDER_PID=
stop_holder() {
	[ -n "$HOLDER_PID" ] && kill "$HOLDER_PID" 2>/dev/null
	HOLDER_PID=
	cleanup
}
trap stop_holder EXIT

upstream_ready
RUN_DIR=$DITTO_RUN
NFS_PORT=$(free_port)
# shellcheck disable=SC2034 # render_conf reads it
MONITORING_PORT=$(free_port)
render_conf "$DITTO_ROOT/ganesha-conf/ditto.conf" "$RUN_DIR/ganesha.conf"
# Also starts the private system bus and exports DBUS_SYSTEM_BUS_ADDRESS.
daemon_start "$RUN_DIR/ganesha.conf"

out="$DITTO_RUN/holder.out"
"$holder" --server "127.0.0.1:$NFS_PORT:$(pseudo_of "$RUN_DIR/ganesha.conf")" \
	--seconds 120 >"$out" 2>&1 &
HOLDER_PID=$!
wait_output "$HOLDER_PID" "$out" '^session ' holder
read -r _ sid _ cid <"$out" || die "holder printed no session"
[[ "$sid" =~ ^[0-9a-f]{32}$ ]] || die "holder printed no session id: $(cat "$out")"
echo "holding session $sid of clientid $cid"

# list CLIENTID: header plus our session: SESSIONID CLIENTID ... BC ...
lst=$("$cli" list "$cid") || die "list $cid failed"
echo "$lst"
[ "$(echo "$lst" | wc -l)" = 2 ] || die "list $cid: expected a header and one session"
echo "$lst" | awk -v s="$sid" -v c="$cid" \
	'NR == 2 && $1 == s && $2 == c && $7 == "up" { ok = 1 } END { exit !ok }' ||
	die "list $cid does not show session $sid with its back channel up"
"$cli" list "d$(printf '%u' "0x$cid")" | grep -q "^$sid " ||
	die "list by decimal clientid misses the session"
"$cli" list | grep -q "^$sid " || die "list (all) misses the session"
"$cli" list 0x"$cid" | grep -q "^$sid " || die "list 0x$cid misses the session"

"$cli" destroy "$sid" | grep -qx "destroyed $sid" || die "destroy $sid failed"
for _ in $(seq 1 100); do
	kill -0 "$HOLDER_PID" 2>/dev/null || break
	sleep 0.1
done
rc=0
wait "$HOLDER_PID" || rc=$?
HOLDER_PID=
if [ "$rc" != 0 ] || ! grep -qx BADSESSION "$out"; then
	die "the holder did not get NFS4ERR_BADSESSION after destroy (rc $rc: $(cat "$out"))"
fi
echo "ok: destroyed; the client got NFS4ERR_BADSESSION"

[ "$("$cli" list "$cid" | wc -l)" = 1 ] || die "destroyed session still listed"

expect_exit() {
	local want=$1 rc=0
	shift
	"$cli" "$@" >"$DITTO_RUN/cli.out" 2>&1 || rc=$?
	[ "$rc" = "$want" ] ||
		die "ditto-sessions $*: exit $rc, expected $want ($(cat "$DITTO_RUN/cli.out"))"
}
expect_exit 1 destroy "$sid"
grep -q 'no such session' "$DITTO_RUN/cli.out" || die "destroy again: no 'no such session'"
expect_exit 2 destroy not-a-session-id
expect_exit 2 list zz
expect_exit 2 list 1 2
expect_exit 2 frobnicate
expect_exit 0 --help
echo "sessions_cli: ok"

#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# ditto-watch against our daemon (issue 22): a second client's random
# creates, removes, renames and chmods, replayed from the watcher's
# events, must equal the final READDIR:
#   1. FSAL_DITTO, delegation with CB_NOTIFY (WATCH_OPS changes); and
#      --recursive, the changes inside the directories made too;
#   2. FSAL_DITTO with a notification queue of 20: overflow -> recall ->
#      read again -> difference as events -> delegation again;
#   3. Max_Dir_Delegations = 2 under --recursive: refusals with the
#      promise, polling meanwhile, CB_RECALLABLE_OBJ_AVAIL, asked again;
#      stock FSAL_MEM with Dir_Delegations off: the polling fallback;
#   4. the watcher's connection cut every 400 changes: the session's
#      new connection, delegations given back and asked again, re-read;
#      and the same while polling (calls cut in flight);
#   5. a durable FSAL_DITTO with a 5 s lease: idle for 3 leases, then
#      changes (lease renewal); then the server restarted in the middle
#      of the changes (new client ID, re-read, difference as events).
# Then the CLI: its one-line refusals and exit codes, text and JSON
# lines for another client's changes, --verify.
. "$(dirname "$0")/../../tests/daemon/lib.sh"

churn="$DITTO_BUILD/watch/watch-churn"
cli="$DITTO_BUILD/watch/ditto-watch"
if [ ! -x "$churn" ] || [ ! -x "$cli" ]; then
	die "no $churn or $cli (build first)"
fi
upstream_ready
RUN_DIR=$DITTO_RUN
WATCH_OPS=${WATCH_OPS:-10000}

# serve SED_EXPR [CONF]: the default config (or CONF) edited by
# SED_EXPR, started.
serve() {
	daemon_stop
	NFS_PORT=$(free_port)
	# shellcheck disable=SC2034 # render_conf reads it
	MONITORING_PORT=$(free_port)
	render_conf "${2:-$DITTO_ROOT/ganesha-conf/ditto.conf}" "$RUN_DIR/ganesha.conf"
	sed -i -e "$1" "$RUN_DIR/ganesha.conf"
	daemon_start "$RUN_DIR/ganesha.conf"
	SERVER=127.0.0.1:$NFS_PORT:$(pseudo_of "$RUN_DIR/ganesha.conf")
}

# elapsed T0: seconds since T0 (date +%s%N), one decimal.
elapsed() {
	local ms=$((($(date +%s%N) - $1) / 1000000))

	printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

# run_churn NAME ARGS...: watch-churn, timed, its output kept.
run_churn() {
	local name=$1 t0 rc=0
	shift
	t0=$(date +%s%N)
	timeout 120 "$churn" --server "$SERVER" "$@" >"$RUN_DIR/$name.out" 2>&1 || rc=$?
	cat "$RUN_DIR/$name.out"
	[ "$rc" = 0 ] || die "$name: watch-churn exit $rc"
	echo "ok: $name ($(elapsed "$t0") s)"
}

serve ''
run_churn delegation --ops "$WATCH_OPS" --seconds 60 --seed 1 --expect delegation
run_churn recursive --ops 3000 --seconds 30 --seed 8 --names 50 --recursive --expect delegation

serve 's/^\([[:space:]]*\)Dir_Delegations = true;/&\n\1Dir_Notify_Queue_Max = 20;\n\1Dir_Notify_Window_ms = 300;/'
run_churn overflow --ops 2000 --seconds 30 --seed 2 --expect recall

serve 's/^\([[:space:]]*\)Dir_Delegations = true;/&\n\1Max_Dir_Delegations = 2;/'
run_churn limited --ops 2000 --seconds 30 --seed 9 --names 50 --recursive --expect delegation
grep -Eq '^watch: .* [1-9][0-9]* refusals' "$RUN_DIR/limited.out" ||
	die "limited: no GET_DIR_DELEGATION was refused"

serve 's/Name = DITTO;/Name = MEM;/; s/Dir_Delegations = true;/Dir_Delegations = false;/'
run_churn polling --ops 2000 --seconds 30 --seed 3 --interval 100 --expect polling
grep -q '^watch: .* 0 grants' "$RUN_DIR/polling.out" || die "polling: a delegation was granted"

serve ''
run_churn reconnect --ops 2000 --seconds 30 --seed 5 --cut-every 400 --expect reconnect
# Polling every 2 ms, a cut may meet a READDIR in flight: its slot is
# sent again with its sequence ID, the READDIR done again.
run_churn reconnect-poll --ops 1500 --seconds 30 --seed 10 --poll --interval 2 \
	--cut-every 100 --expect reconnect

export DITTO_LEASE=5 DITTO_GRACE=5
serve '' "$DITTO_ROOT/ganesha-conf/ditto-durable.conf"
run_churn idle --ops 500 --seconds 30 --seed 6 --idle 15 --expect idle
pause="$RUN_DIR/restart.pause"
rm -f "$pause"
t0=$(date +%s%N)
timeout 180 "$churn" --server "$SERVER" --ops 2000 --seconds 60 --seed 7 \
	--pause-at 1000 --pause-file "$pause" --expect restart \
	>"$RUN_DIR/restart.out" 2>&1 &
churn_pid=$!
for _ in $(seq 1 600); do
	[ -e "$pause" ] && break
	kill -0 "$churn_pid" 2>/dev/null || break
	sleep 0.1
done
[ -e "$pause" ] || { cat "$RUN_DIR/restart.out"; die "restart: the changes never paused"; }
daemon_stop
daemon_start "$RUN_DIR/ganesha.conf"
rm -f "$pause"
rc=0
wait "$churn_pid" || rc=$?
cat "$RUN_DIR/restart.out"
[ "$rc" = 0 ] || die "restart: watch-churn exit $rc"
echo "ok: restart ($(elapsed "$t0") s)"
unset DITTO_LEASE DITTO_GRACE

# ---- the CLI --------------------------------------------------------
serve ''
expect_exit() {
	local want=$1 msg=$2 rc=0
	shift 2
	"$cli" "$@" >"$RUN_DIR/cli.out" 2>&1 || rc=$?
	[ "$rc" = "$want" ] || die "ditto-watch $*: exit $rc, expected $want ($(cat "$RUN_DIR/cli.out"))"
	[ "$(wc -l <"$RUN_DIR/cli.out")" = 1 ] || die "ditto-watch $*: not one line: $(cat "$RUN_DIR/cli.out")"
	grep -q "$msg" "$RUN_DIR/cli.out" || die "ditto-watch $*: no '$msg': $(cat "$RUN_DIR/cli.out")"
	echo "ok: ditto-watch $* -> exit $rc: $(cat "$RUN_DIR/cli.out")"
}
expect_exit 1 'bad address' no-path-here
expect_exit 1 'bad port' "127.0.0.1:99999:/ditto"
expect_exit 1 'no such path' "${SERVER}/no/such/dir"
expect_exit 1 'cannot connect' "127.0.0.1:$(free_port):/ditto"
expect_exit 2 'create,delete,move,attrib' --events bogus "$SERVER"

# Text and JSON lines for the changes another client makes below the
# export: watch-churn's own directory comes and goes.
"$cli" --verify --timeout 8 "$SERVER" >"$RUN_DIR/text.out" 2>"$RUN_DIR/text.err" &
text_pid=$!
"$cli" --json --events create,delete --timeout 8 "$SERVER" >"$RUN_DIR/json.out" 2>"$RUN_DIR/json.err" &
json_pid=$!
for _ in $(seq 1 50); do
	grep -qs watching "$RUN_DIR/text.err" && grep -qs watching "$RUN_DIR/json.err" && break
	sleep 0.1
done
"$churn" --server "$SERVER" --ops 200 --seed 4 >"$RUN_DIR/cli-churn.out" 2>&1 ||
	die "watch-churn for the CLI: $(cat "$RUN_DIR/cli-churn.out")"
dir=$(sed -n 's|^watching [^ ]*/\(churn-[^ ]*\) .*|\1|p' "$RUN_DIR/cli-churn.out")
[ -n "$dir" ] || die "watch-churn named no directory"
wait "$text_pid" || die "ditto-watch --verify: exit $? ($(cat "$RUN_DIR/text.err"))"
wait "$json_pid" || die "ditto-watch --json: exit $? ($(cat "$RUN_DIR/json.err"))"
cat "$RUN_DIR/text.out" "$RUN_DIR/text.err" "$RUN_DIR/json.out"
pseudo=$(pseudo_of "$RUN_DIR/ganesha.conf")
grep -qx "$pseudo/ CREATE,ISDIR $dir" "$RUN_DIR/text.out" || die "no CREATE,ISDIR line"
grep -qx "$pseudo/ DELETE,ISDIR $dir" "$RUN_DIR/text.out" || die "no DELETE,ISDIR line"
grep -q 'final listing, 0 entries (equal to the server' "$RUN_DIR/text.err" ||
	die "--verify did not find the listing equal"
grep -q "^{\"event\":\"CREATE\",\"dir\":\"$pseudo/\",\"name\":\"$dir\",.*\"type\":\"dir\"" \
	"$RUN_DIR/json.out" || die "no JSON CREATE"
grep -q '"event":"DELETE"' "$RUN_DIR/json.out" || die "no JSON DELETE"
[ "$(wc -l <"$RUN_DIR/json.out")" = 2 ] || die "--events create,delete let other events through"
echo "watch churn: ok"

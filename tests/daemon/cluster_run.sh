#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# `scripts/ditto cluster run --heads 2` starts a private PostgreSQL and
# two heads on one store, each with its mount line; what a client of
# one head changes a client of the other sees (CLUSTER cases); `cluster
# stop` stops the heads and PostgreSQL by their PID files and the run
# exits 0.  A bad --heads is refused.
. "$(dirname "$0")/lib.sh"

client="$DITTO_BUILD/tests/conformance/ditto-conformance"
out="$DITTO_RUN/cluster.out"
dir="$DITTO_RUN/cluster"

cluster_cleanup() {
	"$DITTO_ROOT/scripts/ditto" cluster stop >/dev/null 2>&1 || true
	pg_destroy "$dir/pg"
	cleanup
}
trap 'rc=$?; cluster_cleanup; exit $rc' EXIT

if "$DITTO_ROOT/scripts/ditto" cluster run --heads 0 >"$out" 2>&1; then
	die "cluster run accepted --heads 0"
fi
grep -q -- '--heads takes 1 to' "$out" || { cat "$out"; die "no reason for --heads 0"; }

"$DITTO_ROOT/scripts/ditto" cluster run --heads 2 >"$out" 2>&1 &
RUN_CMD_PID=$!
wait_output "$RUN_CMD_PID" "$out" 'cluster stop' "cluster run"
cat "$out"
mapfile -t ports < <(sed -n 's/.*mount -t nfs4 -o vers=4.1,port=\([0-9]*\) .*/\1/p' "$out")
[ "${#ports[@]}" = 2 ] || die "cluster run printed ${#ports[@]} mount lines, not 2"
[ "${ports[0]}" != "${ports[1]}" ] || die "both heads on port ${ports[0]}"
"$client" --server "127.0.0.1:${ports[0]}:/ditto" \
	--server2 "127.0.0.1:${ports[1]}:/ditto" CLUSTER1 CLUSTER4 ||
	die "the heads do not serve one store coherently"

heads=()
for h in "$dir"/head*; do
	heads+=("$(cat "$h/ganesha.pid")")
done
pg=$(cat "$dir/pg/pid")
"$DITTO_ROOT/scripts/ditto" cluster stop || die "cluster stop failed"
run_exited "cluster run"
for pid in "${heads[@]}" "$pg"; do
	kill -0 "$pid" 2>/dev/null && die "PID $pid still runs after cluster stop"
done
echo "cluster_run: ok"

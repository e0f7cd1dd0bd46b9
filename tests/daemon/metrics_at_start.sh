#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Right after start, before any client, /metrics follows the Prometheus
# conventions ditto's metrics promise (docs/sessions.md, "Metrics"):
# every labelled nfsv41_* series is there at 0, not only after its first
# event, and durations are in seconds.
. "$(dirname "$0")/lib.sh"

# family series: the nfsv41_* counters with labels and how many label
# values each registers (SAL/nfs41_metrics.c, patches 0037 and 0057).
families="nfsv41_sessions_destroyed_total 4
nfsv41_sequence_errors_total 16
nfsv41_connections_bind_total 3
nfsv41_connections_unbind_total 2
nfsv41_callbacks_total 9
nfsv41_callback_failures_total 36
nfsv41_delegations_granted_total 2
nfsv41_delegations_recalled_total 2
nfsv41_dir_delegations_recalled_total 6
nfsv41_dir_notifications_queued_total 6
nfsv41_dir_notifications_sent_total 6
nfsv41_dir_notifications_coalesced_total 6
nfsv41_cb_notify_total 2"

port=$(free_port)
mport=$(free_port)
run_started --port "$port" --monitoring-port "$mport"

m="$DITTO_RUN/metrics"
curl -sf --max-time 10 "http://127.0.0.1:$mport/metrics" >"$m" ||
	die "no /metrics on port $mport"

bad=0
while read -r name want; do
	got=$(grep -c "^$name{" "$m" || true)
	zero=$(grep -c "^$name{.*} 0\$" "$m" || true)
	echo "$name: $got series ($zero at 0), want $want at 0"
	if [ "$got" -ne "$want" ] || [ "$zero" -ne "$want" ]; then
		bad=1
	fi
done <<<"$families"
for h in nfsv41_callback_duration_seconds \
	nfsv41_dir_notification_latency_seconds; do
	grep -q "^${h}_count 0\$" "$m" || { echo "no ${h}_count 0"; bad=1; }
done
if grep -q '^nfsv41_[a-z_]*_milliseconds' "$m"; then
	grep '^nfsv41_[a-z_]*_milliseconds' "$m" | head -n 3
	echo "durations not in seconds"
	bad=1
fi
[ "$bad" -eq 0 ] || die "/metrics at start lacks series or units (above)"

run_stopped
echo "metrics_at_start: ok"

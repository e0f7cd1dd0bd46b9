#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# README command 1: `scripts/ditto run` serves the FSAL_DITTO export over
# NFSv4.1 (NULL, then a session and PUTROOTFH/LOOKUP/GETATTR through our
# test client), exposes /metrics, and `scripts/ditto stop` ends it.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
mport=$(free_port)
run_started --port "$port" --monitoring-port "$mport"
out="$DITTO_RUN/run.out"
cat "$out"
grep -q "serves .* on 127.0.0.1:$port" "$out" || die "run never said it serves"

client="$DITTO_BUILD/tests/conformance/ditto-conformance"
"$client" --server "127.0.0.1:$port:/ditto" --ping || die "NFS NULL failed"
"$client" --server "127.0.0.1:$port:/ditto" SEQ4 COEX1 ||
	die "session + PUTROOTFH/GETATTR against the export failed"

curl -sf "http://127.0.0.1:$mport/metrics" >"$DITTO_RUN/metrics" ||
	die "no /metrics on port $mport"
grep -q '^[a-z_]* *[0-9]' "$DITTO_RUN/metrics" ||
	grep -q '^[a-z_]*{' "$DITTO_RUN/metrics" || die "/metrics has no samples"

run_stopped
port_listening "$port" && die "port $port still listened on after stop"
echo "run_serves_export: ok"

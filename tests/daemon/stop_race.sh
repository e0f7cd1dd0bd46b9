#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# `scripts/ditto stop` and the `run` it ends both stop the same pid files
# at the same moment.  Both must succeed and the process must be gone:
# CI once failed on "cat: dbus.pid: No such file or directory".
. "$(dirname "$0")/lib.sh"

rounds=100
for i in $(seq 1 "$rounds"); do
	sleep 60 &
	victim=$!
	echo "$victim" >"$DITTO_RUN/victim.pid"
	(stop_pidfile "$DITTO_RUN/victim.pid") &
	a=$!
	(stop_pidfile "$DITTO_RUN/victim.pid") &
	b=$!
	wait "$a" || die "round $i: first stopper failed"
	wait "$b" || die "round $i: second stopper failed"
	wait "$victim" 2>/dev/null || true
	kill -0 "$victim" 2>/dev/null && die "round $i: PID $victim survived"
	[ -z "$(ls "$DITTO_RUN")" ] || die "round $i: left $(ls "$DITTO_RUN")"
done
echo "stop_race: $rounds rounds of two concurrent stoppers: ok"

#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Store = postgres (docs/postgres.md): `scripts/ditto run --conf
# ganesha-conf/ditto-postgres.conf` serves an export on a private
# PostgreSQL in the run dir and finds its store again at the next run;
# a head refuses, with a line that says why and a non-zero exit of
# `run`, a database it cannot reach, a missing Conninfo and a schema
# newer than it knows.
. "$(dirname "$0")/lib.sh"

pgconf=$DITTO_ROOT/ganesha-conf/ditto-postgres.conf
client="$DITTO_BUILD/tests/conformance/ditto-conformance"

expect_refused "$(conf_with 's/Name = DITTO;/Name = DITTO; Store = postgres; Conninfo = "host=127.0.0.1 port=1 connect_timeout=5";/')" \
	"an unreachable database" "cannot reach PostgreSQL"
expect_refused "$(conf_with 's/Name = DITTO;/Name = DITTO; Store = postgres;/')" \
	"no Conninfo" "Store = postgres needs Conninfo"

for boot in 1 2; do
	port=$(free_port)
	run_started --port "$port" --conf "$pgconf"
	# The second run is in grace (its clients' records survive):
	# COEX1's OPENs would get NFS4ERR_GRACE, so a session only.
	cases=(SEQ4 COEX1)
	[ "$boot" = 1 ] || cases=(SEQ4)
	"$client" --server "127.0.0.1:$port:/ditto" "${cases[@]}" ||
		die "NFS on the postgres store (boot $boot) failed"
	grep -q "Store = postgres: boot $boot," "$DITTO_RUN/ganesha.log" ||
		die "the log does not say boot $boot of the postgres store"
	run_stopped
	[ ! -s "$DITTO_RUN/pg/pid" ] || die "stop left PostgreSQL running"
done

# A schema from a newer ditto: refused, and the database left as it was.
ci=$(pg_start "$DITTO_RUN/pg")
"$PG_BIN/psql" -q -X "$ci" -c "INSERT INTO ditto_schema (version) VALUES (1000)" ||
	die "cannot add a schema version"
pg_stop "$DITTO_RUN/pg"
expect_refused "$pgconf" "a newer schema" "newer than this ditto knows"
echo "postgres_store: ok"

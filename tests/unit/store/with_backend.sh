#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# with_backend.sh BACKEND TEST [ARGS...]: runs a store test suite on
# BACKEND (memory, lmdb, postgres), its stores in a directory removed
# afterwards; postgres: in the instance that pg_fixture.sh started in
# DITTO_PG_DIR.
backend=$1
shift
if [ "$backend" = postgres ]; then
	DITTO_PG_CONNINFO=$(cat "${DITTO_PG_DIR:?}/conninfo") || exit 1
	export DITTO_PG_CONNINFO
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/ditto-store-test.XXXXXX") || exit 1
DITTO_STORE_BACKEND=$backend DITTO_STORE_DIR=$dir "$@"
rc=$?
rm -rf "$dir"
exit $rc

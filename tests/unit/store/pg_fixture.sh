#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
# pg_fixture.sh start|stop DIR: the private PostgreSQL instance the
# store suites run on (ctest fixture "pg"); start prints its conninfo
# and keeps it in DIR/conninfo, stop removes it.  Unit tests only: no
# fsync (as the LMDB suites' nosync).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
die() {
	echo "pg_fixture: $*" >&2
	exit 1
}
# shellcheck source=../../../scripts/lib/deps.sh
. "$root/scripts/lib/deps.sh"
# shellcheck source=../../../scripts/lib/daemon.sh
. "$root/scripts/lib/daemon.sh"
# shellcheck source=../../../scripts/lib/pg.sh
. "$root/scripts/lib/pg.sh"
case "${1:-}" in
start) pg_destroy "$2"; pg_start "$2" --fast ;;
stop) pg_destroy "$2" ;;
*) die "usage: pg_fixture.sh start|stop DIR" ;;
esac

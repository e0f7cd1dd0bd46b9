# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# A private PostgreSQL instance for tests and Store = postgres runs:
# initdb'd under a directory we name (normally in the run dir), its unix
# socket there too, TCP only on 127.0.0.1 at a free port, trust
# authentication for the superuser "ditto".  The machine's own clusters
# and its postgresql service are never used.  PostgreSQL refuses to run
# as root, so the instance runs as the "postgres" account that
# Debian's package makes (or nobody).  Stopped by the PID it recorded.
# Needs deps.sh (ensure_pkgs) and daemon.sh (free_port).

PG_BIN=/usr/lib/postgresql/15/bin

# pg_user: the account the server runs as.
pg_user() {
	if getent passwd postgres >/dev/null; then
		echo postgres
	else
		echo nobody
	fi
}

# pg_as CMD...: CMD as the server's account (as ourselves if not root).
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$(pg_user)" -- "$@"
	else
		"$@"
	fi
}

# pg_home DIR: where the instance of DIR lives.  DIR itself when the
# server's account can reach it and a socket path in it fits in
# sun_path (107 bytes); else a directory in /tmp that DIR/home names.
pg_home() {
	local dir=$1 home

	if [ -s "$dir/home" ]; then
		cat "$dir/home"
		return 0
	fi
	if [ ${#dir} -le 80 ] && pg_as test -x "$dir" 2>/dev/null &&
		pg_as test -w "$dir" 2>/dev/null; then
		echo "$dir"
		return 0
	fi
	home=$(mktemp -d /tmp/ditto-pg.XXXXXX) || die "mktemp failed"
	[ "$(id -u)" -ne 0 ] || chown "$(pg_user)" "$home"
	echo "$home" >"$dir/home"
	echo "$home"
}

# pg_start DIR [--fast]: start (initdb on first use) the instance of
# DIR; prints its conninfo, also kept in DIR/conninfo.  --fast: no
# fsync (unit tests, like the LMDB store's nosync); otherwise
# PostgreSQL's durability is left on (synchronous_commit = on).
pg_start() {
	local dir=$1 fast=${2:-} home port pid opts

	ensure_pg_pkgs
	[ -x "$PG_BIN/postgres" ] || die "no $PG_BIN/postgres (postgresql-15)"
	mkdir -p "$dir"
	if [ -s "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
		cat "$dir/conninfo"
		return 0
	fi
	[ "$(id -u)" -ne 0 ] || chown "$(pg_user)" "$dir"
	home=$(pg_home "$dir")
	if [ ! -s "$home/data/PG_VERSION" ]; then
		rm -rf "$home/data"
		pg_as "$PG_BIN/initdb" -D "$home/data" -U ditto --auth=trust \
			-E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; die "initdb failed"; }
	fi
	port=$(free_port)
	opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$home"
	opts="$opts -c max_connections=200 -c shared_buffers=64MB"
	[ "$fast" != --fast ] || opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	pg_as "$PG_BIN/pg_ctl" -D "$home/data" -l "$home/postgres.log" \
		-o "-p $port $opts" -w -t 60 start >"$dir/pg_ctl.log" 2>&1 ||
		{ tail -n 20 "$home/postgres.log" >&2; die "PostgreSQL did not start (log: $home/postgres.log)"; }
	pid=$(head -n 1 "$home/data/postmaster.pid")
	echo "$pid" >"$dir/pid"
	echo "host=$home port=$port dbname=postgres user=ditto" >"$dir/conninfo"
	for _ in $(seq 1 100); do
		"$PG_BIN/pg_isready" -q -h "$home" -p "$port" && break
		sleep 0.1
	done
	cat "$dir/conninfo"
}

# pg_stop DIR: fast shutdown of DIR's instance, by its recorded PID.
pg_stop() {
	local dir=$1 pid

	[ -s "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	rm -f "$dir/pid"
	kill -0 "$pid" 2>/dev/null || return 0
	kill -INT "$pid" 2>/dev/null || true
	for _ in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -QUIT "$pid" 2>/dev/null || true
}

# pg_destroy DIR: stop it and remove its files (tests).
pg_destroy() {
	local dir=$1

	pg_stop "$dir"
	[ -s "$dir/home" ] && rm -rf "$(cat "$dir/home")"
	rm -rf "$dir"
}

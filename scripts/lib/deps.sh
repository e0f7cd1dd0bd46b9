# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# Debian packages ditto needs, installed only when missing.  The system's
# apt configuration is used as it is (binary packages only).

# Build: ntirpc, nfs-ganesha (with monitoring and DBus), fsal_ditto, tests.
DITTO_BUILD_PKGS=(gcc g++ make cmake pkgconf patch bison flex
	liburcu-dev libkrb5-dev libdbus-1-dev libacl1-dev libattr1-dev
	libblkid-dev uuid-dev libnsl-dev libcriterion-dev liblmdb-dev
	# libpq: the postgres store backend (docs/postgres.md)
	libpq-dev
	# scripts/patch-series (the patch header and README table check)
	python3)
# Run and test: private DBus bus, dbus-send, metric scrapes.
DITTO_RUN_PKGS=(dbus-daemon dbus-bin curl procps liblmdb0)
# PostgreSQL: the server binaries for the private instances of
# scripts/lib/pg.sh (tests, Store = postgres runs); never its service.
DITTO_PG_PKGS=(postgresql-15)
# Soak: gdb reads the daemon's malloc figures between rounds.
DITTO_SOAK_PKGS=(gdb)
# Fuzzing (scripts/ditto fuzz only): clang and its libFuzzer runtime.
DITTO_FUZZ_PKGS=(clang-14 libclang-rt-14-dev)
# Restart/NLM suite (conformance --restart --nlm): rpcbind, rpc.statd,
# sm-notify, ip and unshare for its private network namespace.
DITTO_NLM_PKGS=(rpcbind nfs-common iproute2 util-linux)
# Benchmarks (scripts/bench-all): plots; callgrind counts the store
# phase's instructions per lookup.
DITTO_BENCH_PKGS=(gnuplot-nox valgrind)

# ensure_pg_pkgs: PostgreSQL's server binaries for the private
# instances of pg.sh.  Debian's postgresql-15 would create its own
# "main" cluster and start it as a system service: postgresql-common is
# told first not to create it (createcluster.conf, kept over the
# package's copy), so no server runs but ours.
ensure_pg_pkgs() {
	local conf=/etc/postgresql-common/createcluster.conf

	if ! dpkg-query -W -f='${Status}' postgresql-15 2>/dev/null |
		grep -q 'install ok installed' && [ "$(id -u)" -eq 0 ] &&
		[ ! -e "$conf" ]; then
		mkdir -p "${conf%/*}"
		printf '%s\n' '# ditto: no system cluster (scripts/lib/deps.sh)' \
			'create_main_cluster = false' >"$conf"
	fi
	local -a DITTO_APT_OPTS=(-o Dpkg::Options::=--force-confold)

	ensure_pkgs "${DITTO_PG_PKGS[@]}"
}

# Extra apt-get install options (set locally by a caller).
DITTO_APT_OPTS=()

# ensure_pkgs PKG...: install the missing ones (needs root); extra
# apt-get options in DITTO_APT_OPTS.
ensure_pkgs() {
	local missing=() p

	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] ||
		die "missing Debian packages: ${missing[*]} (run as root or install them)"
	echo "ditto: installing ${missing[*]}" >&2
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${DITTO_APT_OPTS[@]}" \
		"${missing[@]}" >&2; then
		apt-get update -q >&2 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "${DITTO_APT_OPTS[@]}" \
			"${missing[@]}" >&2 ||
			die "apt-get install ${missing[*]} failed"
	fi
}

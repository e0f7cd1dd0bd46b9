# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# rpcbind and rpc.statd for the NLM tests (tests/conformance/restart.sh
# --nlm, tests/e2e/nlm.sh), started inside a private network namespace
# whose only interface is lo.  Needs port_listening (daemon.sh) and the
# caller's pids array, which gets both PIDs for its clean-up.

# nsm_netns_setup: bring lo up with an IPv4 address getaddrinfo()
# accepts and give the namespace its own /run (rpcbind's socket,
# statd's pid file).
nsm_netns_setup() {
	ip link set lo up
	# getaddrinfo(AI_ADDRCONFIG) finds no IPv4 at all when loopback
	# is the only address: one from TEST-NET-1, on lo, never routed.
	ip addr add 192.0.2.1/32 dev lo
	mount -t tmpfs -o mode=755 ditto-run /run
}

# nsm_start DIR [WRAPPER...]: rpcbind, then rpc.statd (state in
# DIR/statd, logs in DIR), each run through WRAPPER when given (a
# command or function that ends by exec'ing its arguments, so that the
# PID recorded is the daemon's own).
nsm_start() {
	local dir=$1

	shift
	mkdir -p "$dir/statd/sm" "$dir/statd/sm.bak"
	"$@" rpcbind -f >"$dir/rpcbind.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 1 50); do
		port_listening 111 && break
		sleep 0.1
	done
	port_listening 111 || die "rpcbind did not start"
	"$@" rpc.statd -F -L -P "$dir/statd" -n 127.0.0.1 \
		>"$dir/statd.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 1 50); do
		rpcinfo -T tcp 127.0.0.1 100024 1 >/dev/null 2>&1 && break
		sleep 0.1
	done
	rpcinfo -T tcp 127.0.0.1 100024 1 >/dev/null 2>&1 ||
		die "rpc.statd did not register with rpcbind"
}

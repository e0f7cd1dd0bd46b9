#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The shipped default config (ganesha-conf/ditto.conf, as `scripts/ditto
# run` starts it) exposes nothing beyond loopback: every TCP socket the
# daemon listens on, the NFS port and the metrics port among them, and
# every UDP socket it has bound to a port, is on 127.0.0.0/8 or ::1.
# The metrics endpoint has no authentication (README, "Security").
. "$(dirname "$0")/lib.sh"

# socket_inodes PID: the inodes of PID's sockets, one a line.
socket_inodes() {
	local fd link

	for fd in /proc/"$1"/fd/*; do
		link=$(readlink "$fd" 2>/dev/null) || continue
		case "$link" in
		'socket:['*']') link=${link#socket:[}; echo "${link%]}" ;;
		esac
	done
}

# sockets PID: "proto address port" of PID's listening TCP sockets and
# UDP sockets bound to a port; addresses as /proc/net shows them (hex).
sockets() {
	local inodes="$DITTO_RUN/inodes" f

	socket_inodes "$1" >"$inodes"
	for f in tcp tcp6 udp udp6; do
		awk -v proto="$f" 'NR == FNR { own[$1] = 1; next }
			FNR > 1 && ($10 in own) {
				split($2, a, ":")
				if (proto ~ /^tcp/ && $4 != "0A")
					next
				if (proto ~ /^udp/ && a[2] == "0000")
					next
				print proto, a[1], a[2]
			}' "$inodes" "/proc/$1/net/$f"
	done | while read -r proto addr hexport; do
		echo "$proto $addr $((16#$hexport))"
	done
}

# loopback HEXADDR: true for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104
# in /proc/net's notation (32-bit words in host byte order, here
# little-endian).
loopback() {
	case "$1" in
	??????7F) return 0 ;;
	00000000000000000000000001000000) return 0 ;;
	0000000000000000FFFF0000??????7F) return 0 ;;
	esac
	return 1
}

port=$(free_port)
mport=$(free_port)
run_started --port "$port" --monitoring-port "$mport"
pid=$(cat "$DITTO_RUN/ganesha.pid")
for _ in $(seq 1 100); do
	port_listening "$mport" && break
	sleep 0.1
done

sockets "$pid" >"$DITTO_RUN/sockets"
echo "sockets of ganesha.nfsd (PID $pid), address in /proc/net hex:"
cat "$DITTO_RUN/sockets"
grep -q "^tcp6\{0,1\} [0-9A-F]* $port\$" "$DITTO_RUN/sockets" ||
	die "NFS port $port is not among the listening sockets: test broken"
grep -q "^tcp6\{0,1\} [0-9A-F]* $mport\$" "$DITTO_RUN/sockets" ||
	die "metrics port $mport is not among the listening sockets: test broken"
bad=0
while read -r proto addr p; do
	if ! loopback "$addr"; then
		echo "exposed beyond loopback: $proto port $p (address $addr)" >&2
		bad=1
	fi
done <"$DITTO_RUN/sockets"
[ "$bad" -eq 0 ] || die "the default config listens beyond loopback"

run_stopped
echo "loopback_only: ok"

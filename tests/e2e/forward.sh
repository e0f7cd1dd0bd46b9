#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# qemu guestfwd command: one per guest connection to 10.0.2.100:PORT.
# Records its PID (the eos scenario cuts connections by PID) and becomes
# a socat to the server on the host's loopback, nowhere else; with
# SOURCE (a 127.x address) the connection comes from there, so that two
# guests are two hosts to the server (the NLM scenario).
# usage: forward.sh PIDFILE PORT [SOURCE]
echo $$ >>"$1"
exec socat - "TCP:127.0.0.1:$2${3:+,bind=$3}"

#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# qemu guestfwd command: one per guest connection to 10.0.2.100:2049.
# Records its PID (the eos scenario cuts connections by PID) and becomes
# a socat to the server on the host's loopback, nowhere else.
# usage: forward.sh PIDFILE PORT
echo $$ >>"$1"
exec socat - "TCP:127.0.0.1:$2"

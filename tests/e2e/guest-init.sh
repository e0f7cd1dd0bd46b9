#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# /init of an E2E guest: bring up virtio-net, load the NFS client, run
# /scenario.sh and report its status on the console, then power off.
# The server is reached at 10.0.2.100:2049, which qemu forwards to the
# host's loopback.

/bin/busybox mkdir -p /usr/bin /sbin /usr/sbin
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

say() { echo "E2E: $*"; }

for m in $(cat /mods/order); do
	insmod "/mods/$m" || say "insmod $m failed"
done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0

# Options from the kernel command line: ditto.NAME=VALUE.
for kv in $(cat /proc/cmdline); do
	case $kv in
	ditto.*=*) k=${kv#ditto.}; export "DITTO_${k%%=*}=${kv#*=}" ;;
	esac
done

# The client owner string carries the host name: one per guest, so two
# guests are two NFSv4 clients.
hostname "${DITTO_scenario:-guest}"
. /guest-lib.sh
say "kernel $(uname -r) scenario ${DITTO_scenario:-?} start"
rc=0
sh -e /scenario.sh || rc=$?
if [ "$rc" -eq 0 ]; then
	say "RESULT PASS"
else
	say "RESULT FAIL (status $rc)"
fi
sync
poweroff -f

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "eos": a 64 MiB write during which the host cuts the guest's
# TCP connection to the server; the client reconnects, resends what was
# in flight on the same session, and the data must be intact.
. /guest-lib.sh

nfs_mount 4.1
dd if=/dev/urandom of=/tmp/src bs=1M count=64 2>/dev/null
src=$(sha256sum /tmp/src | cut -d' ' -f1)
say "mark eos-write"
step copy-through-disconnect cp /tmp/src /mnt/eos.data
sync
cd / && umount /mnt && nfs_mount 4.1
got=$(sha256sum /mnt/eos.data | cut -d' ' -f1)
[ "$got" = "$src" ] || fail "after the reconnect the file's sha256 is $got, wrote $src"
say "ok data intact across the reconnect"
rm -f /mnt/eos.data
umount /mnt

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Workload killed by the host in the middle of listing 10,000 entries.
. /guest-lib.sh

nfs_mount "${DITTO_vers:-4.1}"
d=/mnt/kill-readdir.$$
mkdir "$d"
i=0
while [ $i -lt 10000 ]; do
	: >"$d/f$i"
	i=$((i + 1))
done
# A fresh mount so the listing goes to the server, not the client cache.
umount /mnt
nfs_mount "${DITTO_vers:-4.1}"
say "mark readdir"
i=0
while [ $i -lt 50 ]; do
	ls -l "$d" >/dev/null
	i=$((i + 1))
done
fail "the host should have killed this guest during the listing"

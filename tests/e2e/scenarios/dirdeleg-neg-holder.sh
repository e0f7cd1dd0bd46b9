# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "dirdeleg-neg", guest A (7.x: a directory delegation with
# every listing): lists the export's root, then looks up a name that is
# not there, so it holds a negative entry under its delegation.  Guest B
# then makes that directory; A must see it, which it can only if the
# server recalled its delegation of the root (B's mkdir waits for that).
. /guest-lib.sh

nfs_mount 4.2
d=/mnt/dirdeleg-neg
rm -rf "$d"
ls /mnt >/dev/null || fail "ls of the export root"
[ -e "$d" ] && fail "$d is there before B made it"
say "mark a-ready"
i=0
while [ $i -lt 300 ]; do
	[ -d "$d" ] && break
	sleep 0.2
	i=$((i + 1))
done
[ $i -lt 300 ] || fail "B's directory never showed: A kept its negative entry (root delegation not recalled?)"
say "ok A sees B's directory after $((i / 5)) s"
rmdir "$d" || fail "rmdir"
cd /
umount /mnt

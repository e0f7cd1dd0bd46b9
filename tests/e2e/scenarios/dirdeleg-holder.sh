# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "dirdeleg", guest A (a 7.x client: it asks for a directory
# delegation with every listing).  Directory attributes are cached for an
# hour, so only a recall of A's directory delegation can make A see the
# entry guest B creates while A waits.
. /guest-lib.sh

nfs_mount 4.2
d=/mnt/dirdeleg
rm -rf "$d"
mkdir "$d" || fail "mkdir"
: >"$d/a1"
: >"$d/a2"
ls "$d" >/tmp/ls1 || fail "ls of a delegated directory (EREMOTEIO?)"
[ "$(cat /tmp/ls1 | tr '\n' ' ')" = "a1 a2 " ] || fail "first listing: $(cat /tmp/ls1)"
: >"$d/a3"
rm "$d/a1"
[ "$(ls "$d" | tr '\n' ' ')" = "a2 a3 " ] || fail "own changes not listed: $(ls "$d")"
say "ok listing with a directory delegation"
say "mark a-listed"
i=0
while [ $i -lt 600 ]; do
	ls "$d" | grep -qx fromB && break
	sleep 0.2
	i=$((i + 1))
done
[ $i -lt 600 ] || fail "B's entry never showed in A's listing (directory delegation not recalled?)"
[ "$(ls "$d" | tr '\n' ' ')" = "a2 a3 fromB " ] || fail "listing after B's change: $(ls "$d")"
say "ok A sees B's entry"
rm -rf "$d"
cd /
umount /mnt

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "attrdeleg", guest A (7.x over NFSv4.2: it reads
# open_arguments and asks OPEN for delegated timestamps, RFC 9754):
# writes a file through its write delegation and sets its atime and
# mtime, which under an attribute delegation it keeps itself.  B's stat
# meanwhile must get them through CB_GETATTR; once A returned the
# delegation (umount), the server must have them too.
. /guest-lib.sh

nfs_mount 4.2
d=/mnt/attrdeleg
rm -rf "$d"
mkdir "$d" || fail "mkdir"
f=$d/data
exec 3<>"$f"
printf 'AAAA' >&3
touch -a -d '2001-09-09 01:46:40' "$f" || fail "touch -a"
touch -m -d '2004-11-09 11:33:20' "$f" || fail "touch -m"
want=$(stat -c '%s %X %Y' "$f")
say "A holds $f open: size, atime, mtime $want"
echo "$want" >"$d/want"
# A plain write: the mtime is the one A's write gave the file, which A
# keeps under the delegation; the server must not show its own.
p=$d/plain
exec 4<>"$p"
sleep 1.2
printf 'BBBBBBBB' >&4
wantp=$(stat -c '%s %Y' "$p")
say "A holds $p open: size, mtime $wantp"
echo "$wantp" >"$d/want-plain"
: >"$d/a-ready"
say "mark a-ready"
wait_for "$d/b-saw" 300 || fail "guest B never looked"
exec 3>&-
exec 4>&-
cd /
umount /mnt || fail "umount (delegation return)"
say "ok A returned its delegation"
nfs_mount 4.2
: >"$d/a-returned"
wait_for "$d/b-done" 300 || fail "guest B never finished"
rm -rf "$d"
cd /
umount /mnt

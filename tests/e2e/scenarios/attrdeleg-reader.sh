# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "attrdeleg", guest B: while A holds its delegation, stat A's
# file (no open: that would recall it) and see A's size and times; after
# A returned the delegation, see them again from the server alone.
. /guest-lib.sh

nfs_mount 4.2
d=/mnt/attrdeleg
wait_for "$d/a-ready" 300 || fail "guest A never got ready"
want=$(cat "$d/want")
got=$(stat -c '%s %X %Y' "$d/data")
[ "$got" = "$want" ] ||
	fail "B sees size, atime, mtime '$got' while A holds the delegation, A has '$want'"
say "ok B sees A's size and times while A holds the delegation: $got"
wantp=$(cat "$d/want-plain")
got=$(stat -c '%s %Y' "$d/plain")
[ "$got" = "$wantp" ] ||
	fail "B sees size, mtime '$got' of A's plain write while A holds the delegation, A has '$wantp'"
say "ok B sees A's plain write's size and mtime: $got"
: >"$d/b-saw"
wait_for "$d/a-returned" 300 || fail "guest A never returned its delegation"
echo 3 >/proc/sys/vm/drop_caches
got=$(stat -c '%s %X %Y' "$d/data")
[ "$got" = "$want" ] ||
	fail "B sees size, atime, mtime '$got' after A returned the delegation, A had '$want'"
say "ok B sees A's size and times after the delegation return: $got"
got=$(stat -c '%s %Y' "$d/plain")
[ "$got" = "$wantp" ] ||
	fail "B sees size, mtime '$got' of A's plain write after the delegation return, A had '$wantp'"
say "ok B sees A's plain write's size and mtime after the return: $got"
: >"$d/b-done"
cd /
umount /mnt

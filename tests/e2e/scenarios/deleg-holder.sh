# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "deleg", guest A: opens a file read-write and keeps it open
# (the server grants a write delegation), writes through it, then waits
# while guest B opens the same file, which recalls A's delegation over
# A's 4.1 back channel.  Afterwards A must see B's data after its own.
. /guest-lib.sh

nfs_mount 4.1
f=/mnt/deleg.data
rm -f "$f" /mnt/deleg.a-ready /mnt/deleg.b-done
exec 3<>"$f"
printf 'AAAA' >&3
say "holding $f open for write"
: >/mnt/deleg.a-ready
wait_for /mnt/deleg.b-done 300 || fail "guest B never finished"
exec 3>&-
got=$(cat "$f")
[ "$got" = AAAABBBB ] || fail "A reads '$got' after B wrote, expected AAAABBBB"
say "ok A sees AAAABBBB"
rm -f "$f" /mnt/deleg.a-ready /mnt/deleg.b-done
cd /
umount /mnt

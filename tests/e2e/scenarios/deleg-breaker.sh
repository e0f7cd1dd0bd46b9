# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "deleg", guest B: once A holds the file open, open it too (the
# server must recall A's delegation first, so A's cached write reaches
# the server), check A's data is there, append, and tell A.
. /guest-lib.sh

nfs_mount 4.1
f=/mnt/deleg.data
wait_for /mnt/deleg.a-ready 300 || fail "guest A never got ready"
exec 4<>"$f"
got=$(cat "$f")
[ "$got" = AAAA ] || fail "B reads '$got' once A's delegation is recalled, expected AAAA"
say "ok B sees A's write"
printf 'AAAABBBB' >&4
exec 4>&-
: >/mnt/deleg.b-done
cd /
umount /mnt

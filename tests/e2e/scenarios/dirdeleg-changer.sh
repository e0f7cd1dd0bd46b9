# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "dirdeleg", guest B: create an entry in the directory guest A
# holds a directory delegation on.
. /guest-lib.sh

nfs_mount 4.2
[ -d /mnt/dirdeleg ] || fail "no /mnt/dirdeleg"
step create : >/mnt/dirdeleg/fromB
cd /
umount /mnt

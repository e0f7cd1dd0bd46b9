# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "dirdeleg-neg", guest B: make the directory guest A looked up
# while it did not exist.
. /guest-lib.sh

nfs_mount 4.2
step mkdir mkdir /mnt/dirdeleg-neg
cd /
umount /mnt

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# A fresh client after others died: remove what they left, then run the
# basic workload.
. /guest-lib.sh

nfs_mount "${DITTO_vers:-4.1}"
step cleanup rm -rf /mnt/kill-write.* /mnt/kill-readdir.*
umount /mnt
. /scenarios/basic.sh

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "watch": through its kernel mount the guest makes a
# directory, then in it a file it renames, chmods and removes, then
# removes the directory, while ditto-watch --recursive on the host
# prints the changes (tests/e2e/run.sh, scenario_watch).  The pauses
# give the host's watcher time to take the new directory in.
. /guest-lib.sh

nfs_mount "${DITTO_vers:-4.1}"
step mkdir mkdir /mnt/watched
sleep 3
step create sh -c ': >/mnt/watched/a'
sleep 1
step rename mv /mnt/watched/a /mnt/watched/b
sleep 1
step chmod chmod 0600 /mnt/watched/b
sleep 1
step remove rm /mnt/watched/b
sleep 1
step rmdir rmdir /mnt/watched
sleep 1
cd /
umount /mnt

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Workload killed by the host in the middle of a large write.
. /guest-lib.sh

nfs_mount "${DITTO_vers:-4.1}"
say "mark big-write"
dd if=/dev/zero of="/mnt/kill-write.$$" bs=1M count=4096
fail "the host should have killed this guest during the write"

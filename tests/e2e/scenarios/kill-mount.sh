# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Workload killed by the host while the mount (session set-up) runs.
. /guest-lib.sh

say "mark mount"
nfs_mount "${DITTO_vers:-4.1}"
sleep 600

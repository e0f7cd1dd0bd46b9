# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "posix-diff" (driver tests/e2e/perm.sh): a differential test
# between the FSAL_VFS export (/vfs) and the FSAL_DITTO export (/ditto)
# over NFSv4.${DITTO_vers} with attribute caching off.  permprobe draws
# ${DITTO_count} random POSIX calls from ${DITTO_seed} as random users
# (root included), makes each on both trees and compares every result
# and a normalised stat of both trees after each call; on a difference
# it prints the seed, the shortest failing prefix and a reduced sequence.
. /guest-lib.sh

perm_mounts "${DITTO_vers:-4.2}"
say "mark diff"
# Progress on the console as it goes; the status through a file.
{
	rc=0
	PERMPROBE_SKIP=${DITTO_skip:-} /bin/permprobe diff /mnt/vfs \
		/mnt/ditto "${DITTO_seed:?}" "${DITTO_count:?}" \
		"${DITTO_budget:-120}" 2>&1 || rc=$?
	echo "$rc" >/tmp/diff.rc
} | tee /tmp/diff.out
rc=$(cat /tmp/diff.rc)
[ "$rc" -eq 0 ] ||
	fail "$(grep -m 1 'permprobe: FAIL' /tmp/diff.out | cut -c17-)"
say "ok $(grep -m 1 'no difference in' /tmp/diff.out | cut -c12-)"
cd /
umount /mnt/ditto
umount /mnt/vfs

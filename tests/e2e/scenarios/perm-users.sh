# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "perm-users" (driver tests/e2e/perm.sh): the FSAL_VFS export
# (/vfs, the host kernel's POSIX rules) and the FSAL_DITTO export
# (/ditto) mounted over NFSv4.${DITTO_vers} with attribute caching off;
# permprobe (tests/e2e/permprobe.c) runs a fixed list of POSIX
# permission rules on both as root, alice, bob and carol, and every
# errno and mode bit must be the POSIX one on both.
. /guest-lib.sh

perm_mounts "${DITTO_vers:-4.1}"
say "mark rules"
rc=0
/bin/permprobe rules /mnt/vfs /mnt/ditto >/tmp/rules.out 2>&1 || rc=$?
cat /tmp/rules.out
[ "$rc" -eq 0 ] ||
	fail "$(grep -c 'permprobe: FAIL' /tmp/rules.out) rule(s) broken: $(grep -m 1 'permprobe: FAIL' /tmp/rules.out | cut -c17-)"
say "ok $(tail -n 1 /tmp/rules.out | cut -c12-)"
cd /
umount /mnt/ditto
umount /mnt/vfs

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "rm-tree" (issue 19, point 0): one client makes a tree of
# DIRS directories of FILES files each (2,880 files by default), lists
# it (a 7.x client takes a directory delegation with every listing) and
# removes it with rm -rf, timed.  The host checks that none of the
# client's own removals revoked its delegations (tests/e2e/run.sh,
# scenario_rmtree); scripts/bench-all's rmtree phase compares the time
# of a 7.x client with a 6.12 one.  Bounded by DIRS x FILES.
. /guest-lib.sh

DIRS=${DITTO_dirs:-96}
FILES=${DITTO_files:-30}

# uptime_cs: centiseconds since boot (busybox date has no %N).
uptime_cs() {
	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}"
}

nfs_mount "${DITTO_vers:-4.2}"
t=/mnt/rm-tree
rm -rf "$t"
mkdir "$t" || fail "mkdir $t"
i=0
while [ "$i" -lt "$DIRS" ]; do
	mkdir "$t/d$i" || fail "mkdir d$i"
	j=0
	while [ "$j" -lt "$FILES" ]; do
		: >"$t/d$i/f$j" || fail "create d$i/f$j"
		j=$((j + 1))
	done
	i=$((i + 1))
done
say "ok made $DIRS directories of $FILES files"
# The listing is the point (READDIR of each directory), not its names.
# shellcheck disable=SC2010
n=$(ls -R "$t" | grep -c '^f')
[ "$n" -eq $((DIRS * FILES)) ] || fail "listing shows $n files"
say "ok listed $n files"
say "mark tree-listed"
t0=$(uptime_cs)
rm -rf "$t" || fail "rm -rf"
t1=$(uptime_cs)
[ ! -e "$t" ] || fail "the tree is still there"
cs=$((t1 - t0))
say "timing rm-rf $((cs / 100)).$(printf '%02d' $((cs % 100))) s files $n"
cd /
umount /mnt || fail "umount"

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "nlm", guest A: an NFSv3 mount whose fcntl locks are NLM,
# against guest B's NFSv4.1 mount (nlm-v41.sh) of the same export.  The
# two take turns through marker files in /mnt/sync; each lockprobe run
# holds its locks between its steps.
#  1. A's NLM whole-file write lock refuses B's NFSv4 locks.
#  2. A's NLM range locks against B's NFSv4 ranges (POSIX overlap rules,
#     shared read locks).
#  3. B's NFSv4 whole-file write lock refuses A's NLM locks.
#  4. B's NFSv4 lock to EOF, split by an unlock in its middle, against
#     A's NLM ranges.
#  5. Restart: A holds an NLM lock on g3, B an NFSv4 lock on g4; the host
#     kills the server, sm-notify tells A's statd, the server starts in
#     grace; A's lockd reclaims (SM_NOTIFY), B's client reclaims (4.1
#     recovery).  Each side's new lock on the other's file is refused
#     (held back through grace, then denied); once released it is
#     granted.
. /guest-lib.sh

S=/mnt/sync
T=120
nsm_start
nfs3_mount
mkdir -p $S

step "1 NLM whole-file lock refuses NFSv4 locks" \
	lockprobe /mnt/f1 lock:w:0:0 touch:$S/a1 wait:$S/b1:$T \
	unlock:0:0 touch:$S/a1u
step "2 NLM ranges against NFSv4 ranges" \
	lockprobe /mnt/f2 lock:w:0:100 lock:r:200:100 touch:$S/a2 \
	wait:$S/b2:$T unlock:0:0 touch:$S/a2u
step "3 NFSv4 whole-file lock refuses NLM locks" \
	lockprobe /mnt/f3 wait:$S/b3:$T deny:w:0:0 deny:r:100:10 \
	deny:w:0:1 test:r:5:1:w:0:0 touch:$S/a3 wait:$S/b3u:$T \
	lock:w:0:0 unlock:0:0
step "4 NFSv4 lock to EOF and its split against NLM ranges" \
	lockprobe /mnt/f4 wait:$S/b4:$T lock:w:0:1000 deny:w:999:2 \
	deny:r:5000:1 test:r:2000:10:w:1000:0 touch:$S/a4 \
	wait:$S/b4s:$T lock:w:1500:100 deny:w:1499:1 deny:w:1600:1 \
	test:r:1400:1:w:1000:500 test:r:1600:1:w:1600:0 unlock:0:0 \
	touch:$S/a4s wait:$S/b4u:$T lock:w:0:0 unlock:0:0

# 5. Restart with grace.  The holder runs in the background.
hold_start /mnt/g3 "NLM lock on g3"
lockprobe /mnt/g3 wait:$S/b5:$T || fail "guest B never held its lock"
say "mark held-v3"
ctl_wait restarted 300 || fail "5 the host never restarted the server"
say "host restarted the server"
step "5 after the restart B's reclaimed NFSv4 lock refuses an NLM lock" \
	lockprobe /mnt/g4 deny:w:0:0 test:w:10:1:w:0:0 touch:$S/a5d
lockprobe /mnt/g3 wait:$S/b5d:$T >/dev/null || fail "guest B never tried g3"
hold_end "NLM lock"
touch $S/a5u
step "5 B's lock released: NLM lock on g4 granted" \
	lockprobe /mnt/g4 wait:$S/b5u:$T lock:w:0:0 unlock:0:0
# Checked last: without it B's check on g3 above says what was lost.
grep -q 'Received SM_NOTIFY' /tmp/statd.log ||
	fail "5 statd never received SM_NOTIFY: $(tail -n 3 /tmp/statd.log)"
say "ok 5 statd received the server's SM_NOTIFY: $(grep -m 1 'Received SM_NOTIFY' /tmp/statd.log)"
cd /
umount /mnt

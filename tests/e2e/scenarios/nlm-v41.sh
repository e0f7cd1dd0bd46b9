# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "nlm", guest B: the NFSv4.1 side of nlm-v3.sh (which lists
# the steps); its fcntl locks are NFSv4 LOCK, LOCKU and LOCKT.
. /guest-lib.sh

S=/mnt/sync
T=120
nfs_mount 4.1
mkdir -p $S

step "1 NLM whole-file lock refuses NFSv4 locks" \
	lockprobe /mnt/f1 wait:$S/a1:$T deny:w:0:0 deny:r:100:10 \
	deny:w:12345:1 test:w:500:1:w:0:0 touch:$S/b1 wait:$S/a1u:$T \
	lock:w:0:0 unlock:0:0
step "2 NLM ranges against NFSv4 ranges" \
	lockprobe /mnt/f2 wait:$S/a2:$T lock:w:100:100 deny:w:50:100 \
	deny:r:99:1 test:r:0:0:w:0:100 lock:r:250:10 deny:w:250:10 \
	test:w:260:100:r:200:100 test:w:300:0:free unlock:0:0 \
	touch:$S/b2 wait:$S/a2u:$T lock:w:0:0 unlock:0:0
step "3 NFSv4 whole-file lock refuses NLM locks" \
	lockprobe /mnt/f3 wait:$S/a2u:$T lock:w:0:0 touch:$S/b3 \
	wait:$S/a3:$T unlock:0:0 touch:$S/b3u
step "4 NFSv4 lock to EOF and its split against NLM ranges" \
	lockprobe /mnt/f4 wait:$S/b3u:$T lock:w:1000:0 touch:$S/b4 \
	wait:$S/a4:$T unlock:1500:100 touch:$S/b4s wait:$S/a4s:$T \
	unlock:0:0 touch:$S/b4u

# 5. Restart with grace (see nlm-v3.sh).
hold_start /mnt/g4 "NFSv4 lock on g4"
: >$S/b5
say "mark held-v41"
ctl_wait restarted 300 || fail "5 the host never restarted the server"
say "host restarted the server"
step "5 after the restart A's reclaimed NLM lock refuses an NFSv4 lock" \
	lockprobe /mnt/g3 deny:w:0:0 test:r:10:1:w:0:0 touch:$S/b5d
lockprobe /mnt/g4 wait:$S/a5d:$T >/dev/null || fail "guest A never tried g4"
hold_end "NFSv4 lock"
touch $S/b5u
step "5 A's lock released: NFSv4 lock on g3 granted" \
	lockprobe /mnt/g3 wait:$S/a5u:$T lock:w:0:0 unlock:0:0
cd /
umount /mnt

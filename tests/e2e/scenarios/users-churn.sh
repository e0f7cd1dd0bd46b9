# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "users-churn" (issue 21): one Linux client, three programs at
# once, two as root and one as uid 65534, each making, chmod-ing,
# chown-ing, hard-linking and removing small files and directories in a
# directory of its own, and racing the others on a few shared names.
# Removing one of two names, then chmod and stat of the other, has the
# client reach the file by handle after the server dropped its cached
# object (the FSAL_MEM crash of issue 21).  Every step in a worker's own
# directory must work and give the right link count and mode; on the
# shared names anything but a dead server goes.  Bounded by ROUNDS.
. /guest-lib.sh

ROUNDS=${DITTO_rounds:-40}
NOBODY=65534

# worker ID DIR SHARED: the rounds, as whoever runs it; prints "bad N".
worker() {
	id=$1 d=$2 sh=$3 me=$(id -u) bad=0 i=0
	no() {
		echo "worker $id (uid $me) round $i: $*"
		bad=$((bad + 1))
	}
	while [ "$i" -lt "$ROUNDS" ]; do
		f=$d/f$i
		echo x >"$f" || no "create f$i"
		chmod 0640 "$f" || no "chmod f$i"
		chown "$NOBODY:$NOBODY" "$f" || no "chown f$i"
		ln "$f" "$f.l" || no "link f$i"
		rm "$f" || no "unlink f$i"
		chmod 0604 "$f.l" || no "chmod f$i.l after unlink"
		got=$(stat -c %h:%a "$f.l")
		[ "$got" = 1:604 ] || no "f$i.l links:mode $got, expected 1:604"
		rm "$f.l" || no "unlink f$i.l, the last name"
		[ ! -e "$f.l" ] || no "f$i.l still there"
		mkdir "$d/d$i" || no "mkdir d$i"
		chmod 0700 "$d/d$i" || no "chmod d$i"
		echo y >"$d/d$i/x" || no "create d$i/x"
		chown "$NOBODY:$NOBODY" "$d/d$i" || no "chown d$i"
		rm "$d/d$i/x" || no "unlink d$i/x"
		rmdir "$d/d$i" || no "rmdir d$i"
		# The shared names: the others change them too.
		s=$sh/n$((i % 5))
		{
			echo z >"$s"
			chmod 0666 "$s"
			ln "$s" "$s.$id"
			rm -f "$s"
			stat -c %h "$s.$id"
			chmod 0644 "$s.$id"
			rm -f "$s.$id"
			mkdir "$s.d"
			chmod 0777 "$s.d"
			rmdir "$s.d"
		} >/dev/null 2>&1
		i=$((i + 1))
	done
	echo "bad $bad"
}

if [ "${1:-}" = worker ]; then
	shift
	worker "$@"
	exit 0
fi

nfs_mount "${DITTO_vers:-4.1}"
top=/mnt/users-churn.$$
mkdir -m 0777 "$top" "$top/shared" "$top/w0" "$top/w1" "$top/w2" ||
	fail "mkdir $top"
chown "$NOBODY:$NOBODY" "$top/w2" || fail "chown $top/w2"
sh /scenario.sh worker 0 "$top/w0" "$top/shared" >/tmp/w0.out 2>&1 &
sh /scenario.sh worker 1 "$top/w1" "$top/shared" >/tmp/w1.out 2>&1 &
# busybox su as root asks no password; it needs the user in /etc/passwd.
# The initramfs root comes from a mktemp -d (0700): let nobody in.
chmod 0755 / /bin
mkdir -p /etc
grep -q '^nobody:' /etc/passwd 2>/dev/null ||
	echo "nobody:x:$NOBODY:$NOBODY:nobody:/:/bin/sh" >>/etc/passwd
su -s /bin/sh -c "sh /scenario.sh worker 2 $top/w2 $top/shared" nobody \
	>/tmp/w2.out 2>&1 &
wait
for w in 0 1 2; do
	cat "/tmp/w$w.out"
	[ "$(tail -n 1 "/tmp/w$w.out")" = "bad 0" ] ||
		fail "worker $w: $(head -n 1 "/tmp/w$w.out")"
done
say "ok 3 workers x $ROUNDS rounds"
for w in w0 w1 w2; do
	[ -z "$(ls "$top/$w")" ] || fail "$w not empty: $(ls "$top/$w" | head -n 3)"
done
step remove-all rm -rf "$top"
[ ! -e "$top" ] || fail "$top still there"
cd /
step umount umount /mnt

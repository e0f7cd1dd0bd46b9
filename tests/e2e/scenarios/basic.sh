# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=sh
#
# Scenario "basic": one client, the everyday POSIX workload over
# NFSv4.${DITTO_vers}: a 64 MiB file written and read back by checksum,
# rename, chmod, symlink, hard link, a 10,000-entry directory listed and
# removed, unmount.
. /guest-lib.sh

nfs_mount "${DITTO_vers:-4.1}"
# Space the server reports in use (1 KiB blocks) before the workload.
used0=$(df -k /mnt | awk 'NR == 2 { print $3 }')
cd /mnt
d=basic.$$
mkdir "$d" || fail mkdir
cd "$d"

step write-64MiB dd if=/dev/urandom of=/tmp/src bs=1M count=64
src=$(sha256sum /tmp/src | cut -d' ' -f1)
step copy-in cp /tmp/src big
sync
usedw=$(df -k /mnt | awk 'NR == 2 { print $3 }')
[ "$usedw" -ge $((used0 + 65536)) ] ||
	fail "server reports $usedw KiB used with a 64 MiB file, $used0 KiB before"
cd / && umount /mnt && nfs_mount "${DITTO_vers:-4.1}" && cd "/mnt/$d"
got=$(sha256sum big | cut -d' ' -f1)
[ "$got" = "$src" ] || fail "64 MiB read back: sha256 $got, wrote $src"
say "ok read-back-64MiB"
[ "$(stat -c %s big)" = 67108864 ] || fail "size $(stat -c %s big)"

step rename mv big big2
[ ! -e big ] && [ -f big2 ] || fail "rename left big=$([ -e big ] && echo y) big2=$([ -e big2 ] && echo y)"
step chmod chmod 0640 big2
[ "$(stat -c %a big2)" = 640 ] || fail "mode $(stat -c %a big2)"
step symlink ln -s big2 sym
[ "$(readlink sym)" = big2 ] || fail "readlink $(readlink sym)"
step hardlink ln big2 hard
[ "$(stat -c %h big2)" = 2 ] || fail "nlink $(stat -c %h big2) after link"
[ "$(stat -c %i big2)" = "$(stat -c %i hard)" ] || fail "link has another inode"

mkdir many
i=0
while [ $i -lt 10000 ]; do
	: >"many/f$i"
	i=$((i + 1))
done
say "ok create-10000"
n=$(ls many | wc -l)
[ "$n" = 10000 ] || fail "readdir listed $n of 10000"
[ "$(ls many | sort -u | wc -l)" = 10000 ] || fail "readdir returned duplicates"
say "ok readdir-10000"
step remove-all rm -rf many big2 hard sym
cd /mnt
step rmdir rmdir "$d"
[ "$(ls /mnt | grep -c "^$d\$")" = 0 ] || fail "$d still listed"
used1=$(df -k /mnt | awk 'NR == 2 { print $3 }')
[ "$used1" -le "$used0" ] ||
	fail "server reports $used1 KiB used after removing everything, $used0 KiB before"
say "ok space-returned ($used0 KiB -> $usedw KiB -> $used1 KiB used)"
cd /
step umount umount /mnt

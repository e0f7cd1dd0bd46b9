#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The perm-users and posix-diff E2E scenarios (run.sh driver "perm"):
# one ganesha.nfsd of their own (perm.conf.in) with two exports, FSAL_VFS
# (/vfs, a directory of DIR on the host's file system: the reference)
# and FSAL_DITTO (/ditto), one Linux
# guest that mounts both and runs permprobe (permprobe.c, built static
# here) as several users through the kernel NFS client:
#  - perm-users: a fixed list of POSIX permission rules, the POSIX answer
#    required on both exports (scenarios/perm-users.sh);
#  - posix-diff: random POSIX calls from a seed, the same on both
#    exports, every result and the trees compared after each call
#    (scenarios/posix-diff.sh).
#
#   perm.sh DIR KDIR WORKLOAD "OPTS"     (run.sh calls it)
#
# Prints "    ..." lines; the first failure's reason goes to DIR/why.
# Exit status 0 when the guest passed.  Environment:
#   DITTO_E2E_SEED    posix-diff seed (default: the one run.sh pins;
#                     "random" draws one, printed)
#   DITTO_E2E_COUNT   posix-diff calls (default 2000)
#   DITTO_E2E_BUDGET  seconds the guest may spend reducing a failing
#                     sequence (default 300)
#   DITTO_E2E_SKIP    posix-diff: kinds of call left out, comma separated
#                     (permprobe's names: setxattr,mkfifo,...)
#   DITTO_E2E_GUEST_TIMEOUT  seconds for the guest (default 1200)
#   DITTO_E2E_FSAL    the FSAL behind /ditto (run.sh --fsal: DITTO or
#                     MEM; default DITTO)
# The kernel command line may also carry ditto.seed=, ditto.count=
# (run.sh's SCENARIOS options); the environment wins.  Details:
# docs/perm-e2e.md.
set -euo pipefail

: "${DITTO_ROOT:?}" "${DITTO_BUILD:?}" "${DITTO_UPSTREAM:?}"
DIR=${1:?} KDIR=${2:?} WORK=${3:?} OPTS=${4:-}
# shellcheck source=../../scripts/lib/daemon.sh
. "$DITTO_ROOT/scripts/lib/daemon.sh"
# shellcheck source=initramfs.sh
. "$DITTO_ROOT/tests/e2e/initramfs.sh"
# shellcheck source=console.sh
. "$DITTO_ROOT/tests/e2e/console.sh"
# shellcheck source=boot.sh
. "$DITTO_ROOT/tests/e2e/boot.sh"

RUN_DIR=$DIR
mkdir -p "$RUN_DIR"
: >"$RUN_DIR/why"
die() {
	echo "host: $*" >"$RUN_DIR/why"
	echo "e2e perm: $*" >&2
	exit 2
}
GUEST_TIMEOUT=${DITTO_E2E_GUEST_TIMEOUT:-1200}
QEMU_PID=
cleanup() {
	if [ -n "$QEMU_PID" ]; then
		kill -KILL "$QEMU_PID" 2>/dev/null || true
	fi
	daemon_stop
}
rc=0
trap 'rc=$?; cleanup; exit $rc' EXIT

# The VFS export.  FSAL_VFS opens by handle, but makes its namespace
# calls with the caller's fsuid: keep the directories above it
# traversable.
mkdir -p "$RUN_DIR/vfs-export"
chmod 0755 "$RUN_DIR" "$RUN_DIR/vfs-export"
chmod a+x "$(dirname "$RUN_DIR")"
NFS_PORT=$(free_port)
MONITORING_PORT=$(free_port)
DITTO_LEASE=${DITTO_LEASE:-15}
export NFS_PORT MONITORING_PORT DITTO_LEASE
# run.sh --fsal mem: FSAL_MEM instead of FSAL_DITTO at /ditto.
sed -e "s/Name = DITTO;/Name = ${DITTO_E2E_FSAL:-DITTO};/" \
	"$DITTO_ROOT/tests/e2e/perm.conf.in" >"$RUN_DIR/perm.conf"
render_conf "$RUN_DIR/perm.conf" "$RUN_DIR/ganesha.conf"
daemon_start "$RUN_DIR/ganesha.conf" >&2
echo "    host: ganesha.nfsd PID $GANESHA_PID on 127.0.0.1:$NFS_PORT, /ditto (FSAL_${DITTO_E2E_FSAL:-DITTO}) and /vfs (FSAL_VFS on $RUN_DIR/vfs-export)"

mkdir -p "$RUN_DIR/root/bin"
cc -static -O2 -o "$RUN_DIR/root/bin/permprobe" \
	"$DITTO_ROOT/tests/e2e/permprobe.c" || die "cannot build permprobe"

if [ "$WORK" = posix-diff ]; then
	# CI replays the seed pinned in run.sh's SCENARIOS line, so that its
	# verdict is about the change; DITTO_E2E_SEED=random explores.
	seed=${DITTO_E2E_SEED:-$(sed -n 's/.*ditto\.seed=\([0-9]*\).*/\1/p' <<<"$OPTS")}
	[ -n "$seed" ] && [ "$seed" != random ] ||
		seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	count=${DITTO_E2E_COUNT:-$(sed -n 's/.*ditto\.count=\([0-9]*\).*/\1/p' <<<"$OPTS")}
	count=${count:-2000}
	OPTS=$(sed -e 's/ditto\.seed=[0-9]*//' -e 's/ditto\.count=[0-9]*//' <<<"$OPTS")
	OPTS="$OPTS ditto.seed=$seed ditto.count=$count ditto.budget=${DITTO_E2E_BUDGET:-300}${DITTO_E2E_SKIP:+ ditto.skip=$DITTO_E2E_SKIP}"
	echo "    host: posix-diff seed $seed, $count calls (again: DITTO_E2E_SEED=$seed DITTO_E2E_COUNT=$count${DITTO_E2E_SKIP:+ DITTO_E2E_SKIP=$DITTO_E2E_SKIP} scripts/ditto e2e posix-diff)"
fi

G=$WORK
CONSOLE=$RUN_DIR/$G.console
t0=$(date +%s)
E2E_EXTRA_ROOT=$RUN_DIR/root boot_start "$G" "$KDIR" "$WORK" "$OPTS"
boot_wait
QEMU_PID=
echo "    host: guest ran $(($(date +%s) - t0)) s"

# The guest's verdict, with permprobe's summary and failures.
grep -E 'permprobe: (rules:|FAIL|ok .*known:|diff seed|[0-9]+ calls in|SHORTEST|replay|prefix|reduced|REDUCED|the prefix|  )' \
	"$CONSOLE" | cut -c10- | sed -n 1,120p | sed 's/^/    /'
kill -0 "$GANESHA_PID" 2>/dev/null ||
	die "ganesha.nfsd died (see $RUN_DIR/ganesha.log)"
if grep -q 'E2E: RESULT PASS' "$CONSOLE"; then
	exit 0
fi
why=$(grep -m 1 -E 'E2E: (FAIL|host)' "$CONSOLE" | cut -c10-)
echo "${why:-guest gave no verdict (see $CONSOLE)}" >"$RUN_DIR/why"
exit 1

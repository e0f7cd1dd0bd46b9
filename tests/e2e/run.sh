#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# E2E tests with the real Linux NFS client: each scenario boots a Debian
# kernel under qemu (TCG: nested KVM hangs these kernels) with a busybox
# initramfs whose /scenario.sh is the workload, against a ganesha.nfsd
# serving FSAL_DITTO on a free loopback port.  The guest reaches the server
# only through qemu's guestfwd, which connects to 127.0.0.1.
#
# usage: run.sh [--list] [--fsal ditto|mem] [SCENARIO...]
set -euo pipefail

: "${DITTO_ROOT:?}" "${DITTO_BUILD:?}" "${DITTO_CACHE:?}" "${DITTO_UPSTREAM:?}"
die() {
	echo "e2e: $*" >&2
	exit 1
}
# shellcheck source=../../scripts/lib/daemon.sh
. "$DITTO_ROOT/scripts/lib/daemon.sh"
# shellcheck source=kernel.sh
. "$DITTO_ROOT/tests/e2e/kernel.sh"
# shellcheck source=initramfs.sh
. "$DITTO_ROOT/tests/e2e/initramfs.sh"

# name  kernel  workload  kernel-command-line options
SCENARIOS="
basic-v4.1	6.1	basic	ditto.vers=4.1
basic-v4.0	6.1	basic	ditto.vers=4.0
basic-v4.2	6.12	basic	ditto.vers=4.2
"
GUEST_TIMEOUT=${DITTO_E2E_GUEST_TIMEOUT:-600}

fsal=ditto
list=0
sel=()
while [ $# -gt 0 ]; do
	case "$1" in
	--fsal) fsal=${2:?}; shift ;;
	--list) list=1 ;;
	-*) die "unknown option $1" ;;
	*) sel+=("$1") ;;
	esac
	shift
done
if [ "$list" = 1 ]; then
	echo "$SCENARIOS" | awk 'NF { print $1 "\t(kernel " $2 ", " $3 ")" }'
	exit 0
fi
[ ${#sel[@]} -gt 0 ] ||
	mapfile -t sel < <(echo "$SCENARIOS" | awk 'NF { print $1 }')

RUN_DIR=$(mktemp -d /tmp/ditto-e2e.XXXXXX)
trap 'daemon_stop; rm -rf "$RUN_DIR/guest"*' EXIT
NFS_PORT=$(free_port)
MONITORING_PORT=$(free_port)
DITTO_LEASE=${DITTO_LEASE:-15} DITTO_GRACE=${DITTO_GRACE:-5}
export DITTO_LEASE DITTO_GRACE
sed "s/Name = DITTO;/Name = ${fsal^^};/" "$DITTO_ROOT/ganesha-conf/ditto.conf" \
	>"$RUN_DIR/template.conf"
render_conf "$RUN_DIR/template.conf" "$RUN_DIR/ganesha.conf"
daemon_start "$RUN_DIR/ganesha.conf"
echo "e2e: ganesha.nfsd PID $GANESHA_PID on 127.0.0.1:$NFS_PORT (FSAL_${fsal^^}), logs in $RUN_DIR"

# stamp: prefix each console line with seconds since the guest started.
stamp() {
	local t0=${EPOCHREALTIME/./} d line

	while IFS= read -r line; do
		d=$((${EPOCHREALTIME/./} - t0))
		printf '%4d.%03d %s\n' $((d / 1000000)) $((d / 1000 % 1000)) \
			"${line%$'\r'}"
	done
}

# boot NAME KERNEL WORKLOAD OPTS: one guest; console in $RUN_DIR/NAME.console
boot() {
	local name=$1 kdir=$2 work=$3 opts=$4 initrd="$RUN_DIR/$1.initrd"

	build_initramfs "$kdir" "$DITTO_ROOT/tests/e2e/scenarios/$work.sh" "$initrd"
	timeout "$GUEST_TIMEOUT" qemu-system-x86_64 -machine pc -cpu max \
		-accel tcg -m 768 -smp 1 -nographic -no-reboot \
		-kernel "$kdir/vmlinux" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4 ditto.scenario=$name $opts" \
		-netdev "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:2049-cmd:socat - TCP:127.0.0.1:$NFS_PORT" \
		-device virtio-net-pci,netdev=n0,romfile= \
		</dev/null 2>&1 | stamp >"$RUN_DIR/$name.console" || true
}

passed=0
failed=0
for s in "${sel[@]}"; do
	line=$(echo "$SCENARIOS" | awk -v n="$s" '$1 == n')
	[ -n "$line" ] || die "unknown scenario '$s' (see --list)"
	read -r name kern work opts <<<"$line"
	kdir=$(kernel_fetch "$kern")
	t0=$(date +%s)
	boot "$name" "$kdir" "$work" "$opts"
	dt=$(($(date +%s) - t0))
	if ! kill -0 "$GANESHA_PID" 2>/dev/null; then
		echo "FAIL $name: ganesha.nfsd died (see $RUN_DIR/ganesha.log)"
		failed=$((failed + 1))
		break
	elif grep -q 'E2E: RESULT PASS' "$RUN_DIR/$name.console"; then
		echo "PASS $name (kernel $(cat "$kdir/release"), ${dt}s)"
		passed=$((passed + 1))
	else
		echo "FAIL $name (kernel $(cat "$kdir/release"), ${dt}s): $(grep -E 'E2E: (FAIL|RESULT)' "$RUN_DIR/$name.console" | head -n 1 | cut -c10-)"
		tail -n 30 "$RUN_DIR/$name.console" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# Booting one E2E guest: its initramfs (initramfs.sh; E2E_EXTRA_ROOT adds
# files), qemu under TCG with user networking whose only way out is the
# guestfwd to the daemon on 127.0.0.1:NFS_PORT, its console stamped into
# RUN_DIR/NAME.console.  Sourced by run.sh and perm.sh after
# initramfs.sh and console.sh; they set RUN_DIR, NFS_PORT and
# GUEST_TIMEOUT.

# boot_start NAME KDIR WORKLOAD OPTS: start one guest in the background
# (QEMU_PID); its console goes to $RUN_DIR/NAME.console.
boot_start() {
	local name=$1 kdir=$2 work=$3 opts=$4 initrd="$RUN_DIR/$1.initrd"

	build_initramfs "$kdir" "$DITTO_ROOT/tests/e2e/scenarios/$work.sh" "$initrd"
	# Appended to, so the host's own notes land between guest lines.
	: >"$RUN_DIR/$name.console"
	qemu-system-x86_64 -machine pc -cpu max \
		-accel tcg -m 768 -smp 1 -nographic -no-reboot \
		-kernel "$kdir/vmlinux" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4 ditto.scenario=$name $opts" \
		-netdev "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:2049-cmd:$DITTO_ROOT/tests/e2e/forward.sh $RUN_DIR/$name.fwd.pids $NFS_PORT" \
		-device virtio-net-pci,netdev=n0,romfile= \
		</dev/null > >(stamp >>"$RUN_DIR/$name.console") 2>&1 &
	QEMU_PID=$!
}

# boot_wait: wait for the guest to power off, at most GUEST_TIMEOUT.
boot_wait() {
	local i

	for i in $(seq 1 $((GUEST_TIMEOUT * 10))); do
		kill -0 "$QEMU_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$QEMU_PID" 2>/dev/null; then
		kill -KILL "$QEMU_PID"
		echo "E2E: host: guest timed out after ${GUEST_TIMEOUT}s" >>"$CONSOLE"
	fi
	wait "$QEMU_PID" 2>/dev/null || true
	sleep 0.2	# let the console pipe drain
}

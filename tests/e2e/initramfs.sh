# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# A tiny initramfs for an E2E guest: static busybox, the kernel modules an
# NFS client over virtio-net needs (dependencies resolved from each
# module's own depends= field: the .deb ships no modules.dep), /init and
# the scenario's workload script.  E2E_EXTRA_MODULES adds modules and
# E2E_EXTRA_ROOT (a directory) files for one guest (the NLM scenarios).

# Modules the guest loads; their dependencies are added in front.
E2E_MODULES="virtio_pci virtio_net nfsv4"

# mod_path MODDIR NAME: the module file for NAME ('-' and '_' are one).
mod_path() {
	local n=${2//-/_}

	find "$1" -name "${n}.ko*" -o -name "${n//_/-}.ko*" | head -n 1
}

mod_depends() {
	local f=$1

	case $f in
	*.xz) xz -dc "$f" ;;
	*.zst) zstd -dc "$f" ;;
	*) cat "$f" ;;
	esac | LC_ALL=C grep -aoP 'depends=[^\x00]*' | head -n 1 |
		cut -d= -f2 | tr ',' ' '
}

# mod_order MODDIR NAME...: load order, dependencies first.
mod_order() {
	local dir=$1 n f d
	shift
	for n in "$@"; do
		n=${n//-/_}
		case " $MOD_SEEN " in *" $n "*) continue ;; esac
		MOD_SEEN="$MOD_SEEN $n"
		f=$(mod_path "$dir" "$n")
		# Not a file: built into this kernel.
		[ -n "$f" ] || continue
		for d in $(mod_depends "$f"); do
			mod_order "$dir" "$d"
		done
		echo "$f"
	done
}

# build_initramfs KDIR SCENARIO_FILE OUT
build_initramfs() {
	local kdir=$1 scen=$2 out=$3 stage rel moddir f base

	stage=$(mktemp -d)
	rel=$(cat "$kdir/release")
	moddir=$kdir/root/lib/modules/$rel
	[ -d "$moddir" ] || moddir=$kdir/root/usr/lib/modules/$rel
	mkdir -p "$stage"/{bin,dev,proc,sys,mnt,tmp,mods}
	cp /bin/busybox "$stage/bin/busybox"
	MOD_SEEN=""
	for f in $(mod_order "$moddir" $E2E_MODULES ${E2E_EXTRA_MODULES:-}); do
		base=$(basename "$f")
		case $base in
		*.xz) xz -dc "$f" >"$stage/mods/${base%.xz}"; base=${base%.xz} ;;
		*.zst) zstd -qdc "$f" >"$stage/mods/${base%.zst}"; base=${base%.zst} ;;
		*) cp "$f" "$stage/mods/$base" ;;
		esac
		echo "$base" >>"$stage/mods/order"
	done
	cp "$DITTO_ROOT/tests/e2e/guest-init.sh" "$stage/init"
	cp "$DITTO_ROOT/tests/e2e/guest-lib.sh" "$stage/guest-lib.sh"
	mkdir -p "$stage/scenarios"
	cp "$DITTO_ROOT"/tests/e2e/scenarios/*.sh "$stage/scenarios/"
	cp "$scen" "$stage/scenario.sh"
	[ -z "${E2E_EXTRA_ROOT:-}" ] || cp -a "$E2E_EXTRA_ROOT/." "$stage/"
	chmod +x "$stage/init" "$stage/scenario.sh"
	(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
	rm -rf "$stage"
}

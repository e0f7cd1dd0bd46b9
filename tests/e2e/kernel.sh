# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# Fetch Debian kernels for the E2E guests with a private apt configuration
# (binary lines on the mirrors this machine's own apt sources use; the
# system's apt configuration is not changed) and prepare each as an ELF
# vmlinux (direct PVH boot saves ~4 s against the bzImage) plus modules.
# apt checks every .deb against the signed archive index.
# shellcheck source=../../scripts/lib/apt.sh
. "$DITTO_ROOT/scripts/lib/apt.sh"

# kernel_apt: APT_K set up for binary packages of the suites we boot.
kernel_apt() {
	local dir="$DITTO_CACHE/kernel-apt" main sec

	main=$(debian_mirror) || exit 1
	sec=$(debian_security_mirror) || exit 1
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	cat >"$dir/sources.list" <<EOS
deb $main bookworm main
deb $sec bookworm-security main
deb $main trixie-backports main
EOS
	APT_K=(-o "Dir::Etc::sourcelist=$dir/sources.list"
		-o "Dir::Etc::sourceparts=/nonexistent"
		-o "Dir::State::lists=$dir/lists" -o "Dir::Cache=$dir/cache"
		-o "Dir::State::status=/dev/null" -o "APT::Sandbox::User=root"
		# Signatures are still checked; only the index's freshness
		# date is not (mirrors that serve a frozen snapshot).
		-o "Acquire::Check-Valid-Until=false")
	if [ -z "$(find "$dir/lists" -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
		apt-get "${APT_K[@]}" update >&2 ||
			die "apt-get update for kernel packages failed"
	fi
}

# newest_pkg REGEX: the newest package name matching REGEX.
newest_pkg() {
	apt-cache "${APT_K[@]}" pkgnames 2>/dev/null | grep -E "$1" |
		sort -V | tail -n 1
}

# extract_elf BZIMAGE OUT: the ELF kernel inside a bzImage (xz, zstd or
# gzip payload; the first offset that decompresses to an ELF wins).
extract_elf() {
	local img=$1 out=$2 magic off dec

	for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
		dec=${magic%%:*}
		for off in $(LC_ALL=C grep -obUaP "${magic#*:}" "$img" | cut -d: -f1); do
			case $dec in
			xz) tail -c +$((off + 1)) "$img" | xz -dc >"$out" 2>/dev/null ;;
			zstd) tail -c +$((off + 1)) "$img" | zstd -dc >"$out" 2>/dev/null ;;
			gzip) tail -c +$((off + 1)) "$img" | gzip -dc >"$out" 2>/dev/null ;;
			esac
			[ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] &&
				return 0
		done
	done
	die "no ELF kernel found inside $img"
}

# kernel_fetch NAME: prints the prepared kernel's directory (vmlinux,
# lib/modules/<release>/, release).  NAME: 6.1, 6.12 or 7.
kernel_fetch() {
	local name=$1 re dir pkgs=() p rel img

	kernel_apt
	case $name in
	6.1) re='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) re='^linux-image-6\.12\.[0-9]+\+deb12-amd64$' ;;
	7) re='^linux-binary-7\.[0-9.]+\+deb13-cloud-amd64$' ;;
	*) die "unknown kernel '$name' (6.1, 6.12 or 7)" ;;
	esac
	p=$(newest_pkg "$re")
	[ -n "$p" ] || die "no kernel package matching $re in the archive"
	pkgs=("$p")
	[ "$name" = 7 ] && pkgs+=("${p/linux-binary-/linux-modules-}")
	dir="$DITTO_CACHE/kernels/$p"
	if [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/deb" "$dir/root"
		(cd "$dir/deb" && apt-get "${APT_K[@]}" download "${pkgs[@]}" >&2) ||
			die "downloading ${pkgs[*]} failed"
		for p in "$dir"/deb/*.deb; do
			dpkg-deb -x "$p" "$dir/root"
		done
		rel=$(ls "$dir/root/lib/modules" 2>/dev/null | head -n 1)
		[ -n "$rel" ] || rel=$(ls "$dir/root/usr/lib/modules" | head -n 1)
		echo "$rel" >"$dir/release"
		# /boot/vmlinuz-REL, or (newer packaging) in the modules dir.
		img=$(ls "$dir"/root/boot/vmlinuz-* \
			"$dir"/root/usr/lib/modules/*/vmlinuz 2>/dev/null | head -n 1)
		[ -n "$img" ] || die "no vmlinuz in ${pkgs[*]}"
		extract_elf "$img" "$dir/vmlinux"
		rm -rf "$dir/deb"
		touch "$dir/.complete"
	fi
	echo "$dir"
}

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# Fetch, verify, unpack, patch and build the pinned upstream (ntirpc and
# nfs-ganesha) into a cache directory outside the source tree.  Sourced by
# scripts/ditto; every function expects DITTO_ROOT and DITTO_CACHE.
#
# The cache key covers the pinned versions, the patch series, the build
# flags and the build steps, so any change to them rebuilds from scratch.

UPSTREAM_LOCK="$DITTO_ROOT/upstream.lock"
# shellcheck source=apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

# Ganesha's build flags: only what ditto needs (see README "Build").
GANESHA_CMAKE_FLAGS=(
	-DUSE_FSAL_MEM=ON -DUSE_FSAL_VFS=ON
	-DUSE_FSAL_XFS=OFF -DUSE_FSAL_PROXY_V4=OFF -DUSE_FSAL_PROXY_V3=OFF
	-DUSE_FSAL_LUSTRE=OFF -DUSE_FSAL_LIZARDFS=OFF -DUSE_FSAL_KVSFS=OFF
	-DUSE_FSAL_CEPH=OFF -DUSE_FSAL_GPFS=OFF -DUSE_FSAL_GLUSTER=OFF
	-DUSE_FSAL_NULL=OFF -DUSE_FSAL_RGW=OFF -DUSE_FSAL_SAUNAFS=OFF
	-DUSE_DBUS=ON -DUSE_CB_SIMULATOR=ON -DUSE_MONITORING=ON
	-DUSE_9P=OFF -DUSE_9P_RDMA=OFF -DUSE_NFS_RDMA=OFF
	-DUSE_NFS3=ON -DUSE_NLM=ON -DUSE_NFSACL3=OFF -DUSE_RQUOTA=OFF
	# Without ACL mapping libganesha_nfsd fails to link (acl_get_fd).
	-DUSE_ACL_MAPPING=ON
	-DUSE_LTTNG=OFF -DUSE_ADMIN_TOOLS=OFF -DUSE_GUI_ADMIN_TOOLS=OFF
	-DUSE_MAN_PAGE=OFF -DUSE_RADOS_RECOV=OFF -DRADOS_URLS=OFF
	-DCEPHFS_POSIX_ACL=OFF -D_MSPAC_SUPPORT=OFF -DUSE_NFSIDMAP=OFF
	-DUSE_UNWIND=OFF -DUSE_CAPS=OFF -DUSE_GTEST=OFF
	-DUSE_LEGACY_PYTHON_INSTALL=OFF -DALLOCATOR=libc
	# NLM (NFSv3 locking) and rpcbind registration: the NLM suite
	# (tests/conformance/restart.sh --nlm) and NFSv3 kernel clients.
	# v4-only configs are unaffected (patch 0011 turns NLM off).
	-DRPCBIND=ON
	-DUSE_SYSTEM_NTIRPC=ON
)
NTIRPC_CMAKE_FLAGS=(-DUSE_LTTNG=OFF -DUSE_RPC_RDMA=OFF -DUSE_GSS=ON)

die() {
	echo "ditto: $*" >&2
	exit 1
}

# lock_field PACKAGE COLUMN: one column (2=version 3=suite 4=tarball
# 5=sha256) of upstream.lock.
lock_field() {
	awk -v p="$1" -v c="$2" '$1 == p { print $c }' "$UPSTREAM_LOCK"
}

# patch_series: patches/series, or nothing when DITTO_PATCHES=none (a
# stock upstream build, e.g. the baseline of bench/seq_overhead).
patch_series() {
	[ "${DITTO_PATCHES:-}" = none ] || cat "$DITTO_ROOT/patches/series"
}

# ntirpc_series: patches/ntirpc/series (against ntirpc), or nothing when
# DITTO_PATCHES=none.
ntirpc_series() {
	[ "${DITTO_PATCHES:-}" = none ] ||
		cat "$DITTO_ROOT/patches/ntirpc/series"
}

upstream_key() {
	local flavour=${DITTO_SANITIZE:+-asan}

	[ "${DITTO_PATCHES:-}" != none ] || flavour+=-unpatched
	{
		grep -v '^#' "$UPSTREAM_LOCK"
		patch_series
		while read -r p _; do
			case "$p" in '' | '#'*) continue ;; esac
			cat "$DITTO_ROOT/patches/$p"
		done < <(patch_series)
		ntirpc_series
		while read -r p _; do
			case "$p" in '' | '#'*) continue ;; esac
			cat "$DITTO_ROOT/patches/ntirpc/$p"
		done < <(ntirpc_series)
		# The build flags and steps, not this file's comments.
		declare -p GANESHA_CMAKE_FLAGS NTIRPC_CMAKE_FLAGS
		declare -f apply_patches apply_ntirpc_patches build_upstream
	} | sha256sum | cut -c1-16 | sed "s/^/ganesha-$(lock_field nfs-ganesha 2)$flavour-/"
}

upstream_dir() {
	echo "$DITTO_CACHE/$(upstream_key)"
}

# Private apt configuration: deb-src lines for the suites upstream.lock
# names, on the mirror this machine's own apt sources already use.  The
# system's apt configuration is never touched.
private_apt() {
	local dir="$DITTO_CACHE/apt" uri suites

	uri=$(debian_mirror) || exit 1
	suites=$(awk '!/^#/ && NF { print $3 }' "$UPSTREAM_LOCK" | sort -u)
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	: >"$dir/sources.list.new"
	for s in $suites; do
		echo "deb-src $uri $s main" >>"$dir/sources.list.new"
	done
	mv "$dir/sources.list.new" "$dir/sources.list"
	APT_PRIVATE=(-o "Dir::Etc::sourcelist=$dir/sources.list"
		-o "Dir::Etc::sourceparts=/nonexistent"
		-o "Dir::State::lists=$dir/lists" -o "Dir::Cache=$dir/cache"
		-o "APT::Sandbox::User=root"
		# Integrity comes from the sha256 pins in upstream.lock, so
		# an archive index past its Valid-Until date is acceptable.
		-o "Acquire::Check-Valid-Until=false")
}

# fetch_tarball PACKAGE: the verified orig tarball's path on stdout.
fetch_tarball() {
	local pkg=$1 ver tar sum dl="$DITTO_CACHE/sources"

	ver=$(lock_field "$pkg" 2)
	tar=$(lock_field "$pkg" 4)
	sum=$(lock_field "$pkg" 5)
	[ -n "$sum" ] || die "upstream.lock has no entry for $pkg"
	mkdir -p "$dl"
	if ! echo "$sum  $dl/$tar" | sha256sum -c --status 2>/dev/null; then
		rm -f "$dl/$tar"
		private_apt
		if [ ! -f "$DITTO_CACHE/apt/.updated" ] ||
			! cmp -s "$DITTO_CACHE/apt/sources.list" \
				"$DITTO_CACHE/apt/.updated"; then
			apt-get "${APT_PRIVATE[@]}" update >&2 ||
				die "apt-get update (private deb-src config) failed"
			cp "$DITTO_CACHE/apt/sources.list" "$DITTO_CACHE/apt/.updated"
		fi
		(cd "$dl" && apt-get "${APT_PRIVATE[@]}" source --tar-only \
			"$pkg=$ver" >&2) ||
			die "cannot fetch source package $pkg=$ver (is the pinned version still in the archive? update upstream.lock)"
		echo "$sum  $dl/$tar" | sha256sum -c --status ||
			die "$tar: sha256 mismatch (want $sum); refusing to build"
	fi
	echo "$dl/$tar"
}

apply_patches() {
	local src=$1 p

	while read -r p _; do
		case "$p" in '' | '#'*) continue ;; esac
		echo "ditto: applying patches/$p" >&2
		patch -d "$src" -p1 --fuzz=0 --no-backup-if-mismatch -s \
			<"$DITTO_ROOT/patches/$p" ||
			die "patches/$p does not apply cleanly to nfs-ganesha $(lock_field nfs-ganesha 2)"
	done < <(patch_series)
}

apply_ntirpc_patches() {
	local src=$1 p

	while read -r p _; do
		case "$p" in '' | '#'*) continue ;; esac
		echo "ditto: applying patches/ntirpc/$p" >&2
		patch -d "$src" -p1 --fuzz=0 --no-backup-if-mismatch -s \
			<"$DITTO_ROOT/patches/ntirpc/$p" ||
			die "patches/ntirpc/$p does not apply cleanly to ntirpc $(lock_field ntirpc 2)"
	done < <(ntirpc_series)
}

# build_upstream: make sure the cache holds a complete build; prints its dir.
build_upstream() {
	local dir t_gan t_ntirpc t_prom jobs cflags sanitize

	dir=$(upstream_dir)
	if [ -f "$dir/.complete" ]; then
		echo "$dir"
		return 0
	fi
	t_gan=$(fetch_tarball nfs-ganesha) || exit 1
	t_ntirpc=$(fetch_tarball ntirpc) || exit 1
	t_prom=$(fetch_tarball prometheus-cpp-lite) || exit 1
	rm -rf "$dir"
	mkdir -p "$dir/src"
	tar -xzf "$t_gan" -C "$dir/src" --strip-components=1
	mkdir -p "$dir/ntirpc-src"
	tar -xzf "$t_ntirpc" -C "$dir/ntirpc-src" --strip-components=1
	tar -xzf "$t_prom" -C "$dir/src/src/monitoring/prometheus-cpp-lite" \
		--strip-components=1
	apply_ntirpc_patches "$dir/ntirpc-src"
	apply_patches "$dir/src"

	jobs=$(nproc)
	cflags="-g -O2"
	sanitize=()
	if [ -n "${DITTO_SANITIZE:-}" ]; then
		cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined"
		# Ganesha's own switch: it also stops loading FSALs with
		# RTLD_DEEPBIND, which the sanitizer runtime cannot handle.
		sanitize=(-DSANITIZE_ADDRESS=ON)
	fi
	echo "ditto: building ntirpc $(lock_field ntirpc 2)" >&2
	cmake -S "$dir/ntirpc-src" -B "$dir/ntirpc-build" \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_C_FLAGS_RELWITHDEBINFO="$cflags" \
		-DCMAKE_INSTALL_PREFIX="$dir/prefix" \
		"${NTIRPC_CMAKE_FLAGS[@]}" >"$dir/ntirpc-build.log" 2>&1 &&
		make -C "$dir/ntirpc-build" -j"$jobs" install \
			>>"$dir/ntirpc-build.log" 2>&1 ||
		die "ntirpc build failed; see $dir/ntirpc-build.log"

	echo "ditto: building nfs-ganesha $(lock_field nfs-ganesha 2) (about 2 minutes)" >&2
	cmake -S "$dir/src/src" -B "$dir/build" \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_C_FLAGS_RELWITHDEBINFO="$cflags" \
		-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$cflags" \
		-DCMAKE_INSTALL_PREFIX="$dir/prefix" \
		-DSYSCONFDIR="$dir/prefix/etc" \
		-DNTIRPC_PREFIX="$dir/prefix" \
		"${GANESHA_CMAKE_FLAGS[@]}" "${sanitize[@]}" \
		>"$dir/ganesha-build.log" 2>&1 &&
		make -C "$dir/build" -j"$jobs" install \
			>>"$dir/ganesha-build.log" 2>&1 ||
		die "nfs-ganesha build failed; see $dir/ganesha-build.log"
	touch "$dir/.complete"
	echo "$dir"
}

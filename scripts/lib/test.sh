# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# `scripts/ditto test` and `scripts/ditto conformance`.

TEST_PASSED=0
TEST_FAILED=0

# count_ctest LOG: add ctest's totals ("..., F tests failed out of T").
count_ctest() {
	local line t f

	line=$(grep -E 'tests? failed out of [0-9]+' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		TEST_FAILED=$((TEST_FAILED + 1))
		return
	fi
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
	t=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/')
	TEST_PASSED=$((TEST_PASSED + t - f))
	TEST_FAILED=$((TEST_FAILED + f))
}

# count_suite LOG RC: add a suite's closing "N passed, N failed" line; a
# suite that failed without one counts as one failure.
count_suite() {
	local line

	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		TEST_FAILED=$((TEST_FAILED + 1))
		return
	fi
	TEST_PASSED=$((TEST_PASSED + $(echo "$line" | cut -d' ' -f1)))
	TEST_FAILED=$((TEST_FAILED + $(echo "$line" | cut -d' ' -f3)))
	[ "$2" -eq 0 ] || [ "$(echo "$line" | cut -d' ' -f3)" -gt 0 ] ||
		TEST_FAILED=$((TEST_FAILED + 1))
}

# count_fuzz LOG RC: "fuzz: N targets, M crashed" -> N-M passed, M
# failed; a run that ended without that line is one failure.
count_fuzz() {
	local line n m

	line=$(grep -E '^fuzz: [0-9]+ targets, [0-9]+ crashed' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		TEST_FAILED=$((TEST_FAILED + 1))
		return
	fi
	n=$(echo "$line" | sed -E 's/^fuzz: ([0-9]+) targets, ([0-9]+) crashed.*/\1/')
	m=$(echo "$line" | sed -E 's/^fuzz: ([0-9]+) targets, ([0-9]+) crashed.*/\2/')
	TEST_PASSED=$((TEST_PASSED + n - m))
	TEST_FAILED=$((TEST_FAILED + m))
	[ "$2" -eq 0 ] || [ "$m" -gt 0 ] || TEST_FAILED=$((TEST_FAILED + 1))
}

cmd_conformance() {
	upstream_ready
	case " $* " in
	*" --nlm "*) ensure_pkgs "${DITTO_NLM_PKGS[@]}" ;;
	esac
	"$DITTO_ROOT/tests/conformance/run.sh" "$@"
}

cmd_e2e() {
	upstream_ready
	ensure_pkgs qemu-system-x86 busybox-static cpio socat xz-utils zstd gdb
	# The nlm-v3-v4.1 scenario: rpcbind and rpc.statd on the server and
	# (copied in) in the NFSv3 guest.
	ensure_pkgs "${DITTO_NLM_PKGS[@]}"
	"$DITTO_ROOT/tests/e2e/run.sh" "$@"
}

cmd_test() {
	local logs="$DITTO_BUILD/test-logs" rc fsal

	[ $# -eq 0 ] || die "test: takes no arguments (use conformance/e2e for selections)"
	upstream_ready
	rm -rf "$logs"
	mkdir -p "$logs"

	# The patch headers (Subject, Why/How/Tested, Signed-off-by, no
	# fix-up of another patch) and README's patch table, which is
	# generated from them: one check, counted like a suite.
	echo "== patch series headers and README patch table"
	if "$DITTO_ROOT/scripts/patch-series" lint &&
		"$DITTO_ROOT/scripts/patch-series" check-readme; then
		TEST_PASSED=$((TEST_PASSED + 1))
	else
		echo "patch series check failed (scripts/patch-series update-readme rewrites the table)"
		TEST_FAILED=$((TEST_FAILED + 1))
	fi

	echo "== unit and daemon tests (ctest)"
	rc=0
	ctest --test-dir "$DITTO_BUILD" --output-on-failure --timeout 600 \
		2>&1 | tee "$logs/ctest.log" || rc=$?
	count_ctest "$logs/ctest.log"

	for fsal in ditto mem; do
		echo "== conformance suite against FSAL_${fsal^^}"
		rc=0
		cmd_conformance --fsal "$fsal" --json "$logs/conformance-$fsal.json" \
			2>&1 | tee "$logs/conformance-$fsal.log" || rc=$?
		count_suite "$logs/conformance-$fsal.log" "$rc"
	done

	# One FSAL_DITTO head on PostgreSQL (a private instance, durability
	# on): the cases that write data, names and attributes through it
	# (docs/postgres.md).
	echo "== conformance slice against FSAL_DITTO on PostgreSQL"
	rc=0
	DITTO_STORE=postgres cmd_conformance --fsal ditto \
		--json "$logs/conformance-postgres.json" \
		data ops ioe perm race rmrace 2>&1 |
		tee "$logs/conformance-postgres.log" || rc=$?
	count_suite "$logs/conformance-postgres.log" "$rc"

	# Two heads on that kind of store (issue 16): what a client of one
	# head changes, a client of the other sees in its next request
	# (CLUSTER*, docs/postgres.md "Several heads").
	echo "== two FSAL_DITTO heads on one PostgreSQL store (CLUSTER*)"
	rc=0
	cmd_conformance --fsal ditto --heads 2 \
		--json "$logs/conformance-cluster.json" cluster 2>&1 |
		tee "$logs/conformance-cluster.log" || rc=$?
	count_suite "$logs/conformance-cluster.log" "$rc"

	# State churn: clients that vanish holding opens, share
	# reservations, locks, blocked waiters and delegations; then every
	# client, session, lock and delegation gauge must be back at 0
	# (CHURN*, left out of the runs above: CHURN9 needs a daemon of
	# its own).
	echo "== state churn (CHURN*) against FSAL_DITTO"
	rc=0
	cmd_conformance --fsal ditto --json "$logs/churn.json" churn \
		2>&1 | tee "$logs/churn.log" || rc=$?
	count_suite "$logs/churn.log" "$rc"

	# The permission cases against FSAL_VFS on a real filesystem: the
	# reference for what POSIX gives the same non-root callers; and the
	# READ/READDIR edge cases, which Ganesha's core answers for all FSALs;
	# the share reservation cases that need no file delegation.
	echo "== PERM*, IOE* and SHARE* cases against FSAL_VFS, the reference"
	rc=0
	cmd_conformance --fsal vfs --json "$logs/conformance-vfs-perm.json" \
		perm ioedge share -filedeleg 2>&1 | tee "$logs/conformance-vfs-perm.log" || rc=$?
	count_suite "$logs/conformance-vfs-perm.log" "$rc"

	# Restart cycles: grace and reclaim on a durable FSAL_DITTO store,
	# then NLM against NFSv4.1 locks (private network namespace).
	for mode in ditto nlm; do
		echo "== restart suite ($mode)"
		rc=0
		if [ "$mode" = nlm ]; then
			cmd_conformance --restart --nlm --fsal ditto \
				--json "$logs/restart-$mode.json" 2>&1 |
				tee "$logs/restart-$mode.log" || rc=$?
		else
			cmd_conformance --restart --fsal ditto \
				--json "$logs/restart-$mode.json" 2>&1 |
				tee "$logs/restart-$mode.log" || rc=$?
		fi
		count_suite "$logs/restart-$mode.log" "$rc"
	done

	# Soak: 16 clients for 600 s with churn, cut connections and
	# delegations, then back-to-baseline checks (tests/soak/soak.sh).
	echo "== soak (16 clients, 600 s)"
	rc=0
	cmd_soak 2>&1 | tee "$logs/soak.log" || rc=$?
	count_suite "$logs/soak.log" "$rc"

	echo "== end-to-end tests: Linux kernel NFS clients under qemu"
	rc=0
	cmd_e2e 2>&1 | tee "$logs/e2e.log" || rc=$?
	count_suite "$logs/e2e.log" "$rc"

	# FSAL_MEM under a real client too (issue 21: three programs as
	# root and uid 65534 crashed it).
	echo "== end-to-end: users-churn against FSAL_MEM"
	rc=0
	cmd_e2e --fsal mem users-churn 2>&1 | tee "$logs/e2e-mem.log" || rc=$?
	count_suite "$logs/e2e-mem.log" "$rc"

	sanitizer_pass "$logs"

	# libFuzzer targets, a short run each (fuzz/README.md).
	echo "== fuzz targets (short run)"
	rc=0
	cmd_fuzz 2>&1 | tee "$logs/fuzz.log" || rc=$?
	count_fuzz "$logs/fuzz.log" "$rc"

	echo "== total (logs in $logs)"
	echo "$TEST_PASSED passed, $TEST_FAILED failed"
	[ "$TEST_FAILED" -eq 0 ]
}

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# The sanitizer pass of `scripts/ditto test`: the ASan + UBSan build of
# ntirpc, Ganesha (with our patches) and fsal_ditto runs the conformance
# suite against FSAL_DITTO and the fast E2E subset with detect_leaks=1,
# then a few cases and a real-client E2E workload against FSAL_MEM.
# Every sanitizer report fails the pass.

# E2E scenarios short enough for the sanitizer pass (a few guests).
SANITIZE_E2E=(basic-v4.1 deleg-recall dirdeleg-7x)
# Against FSAL_MEM too (issue 21: a real client's workload crashed it):
# the conformance cases for it and a real-client workload.
SANITIZE_MEM_CASES=(RMRACE1)
SANITIZE_MEM_E2E=(users-churn)

# sanitized CMD ARGS...: `scripts/ditto --sanitize CMD ARGS...` in a
# clean environment, so that it picks its own build tree and upstream.
sanitized() {
	env -u DITTO_BUILD -u DITTO_RUN -u DITTO_UPSTREAM -u ASAN_OPTIONS \
		-u UBSAN_OPTIONS \
		"$DITTO_ROOT/scripts/ditto" --sanitize "$@"
}

# sanitizer_reports DIR: print each ASan/LSan/UBSan report left in DIR
# (files asan.PID and ubsan.PID) and count them in SANITIZER_REPORTS.
sanitizer_reports() {
	local f n

	SANITIZER_REPORTS=0
	for f in "$1"/asan.* "$1"/ubsan.*; do
		[ -s "$f" ] || continue
		n=$(grep -cE '^==[0-9]+==ERROR: |runtime error: ' "$f" || true)
		[ "$n" -gt 0 ] || continue
		SANITIZER_REPORTS=$((SANITIZER_REPORTS + n))
		echo "-- $f: $n report(s)"
		grep -E -A14 '^==[0-9]+==ERROR: |runtime error: ' "$f" | head -60
	done
}

# sanitizer_pass LOGDIR: build, run, count (adds to TEST_PASSED/FAILED).
sanitizer_pass() {
	local logs=$1 dir=$DITTO_ROOT/build-asan rc

	echo "== sanitizer pass (ASan + UBSan, detect_leaks=1): building"
	if ! sanitized build 2>&1 | tee "$logs/asan-build.log"; then
		TEST_FAILED=$((TEST_FAILED + 1))
		return
	fi
	rm -f "$dir"/asan.* "$dir"/ubsan.*

	echo "== sanitizer pass: conformance suite against FSAL_DITTO"
	rc=0
	DITTO_SKIP_BUILD=1 sanitized conformance --fsal ditto \
		--json "$logs/asan-conformance-ditto.json" 2>&1 |
		tee "$logs/asan-conformance-ditto.log" || rc=$?
	count_suite "$logs/asan-conformance-ditto.log" "$rc"

	echo "== sanitizer pass: E2E ${SANITIZE_E2E[*]}"
	rc=0
	DITTO_SKIP_BUILD=1 sanitized e2e "${SANITIZE_E2E[@]}" 2>&1 |
		tee "$logs/asan-e2e.log" || rc=$?
	count_suite "$logs/asan-e2e.log" "$rc"

	echo "== sanitizer pass: ${SANITIZE_MEM_CASES[*]} and E2E ${SANITIZE_MEM_E2E[*]} against FSAL_MEM"
	rc=0
	DITTO_SKIP_BUILD=1 sanitized conformance --fsal mem \
		--json "$logs/asan-conformance-mem.json" \
		"${SANITIZE_MEM_CASES[@]}" 2>&1 |
		tee "$logs/asan-conformance-mem.log" || rc=$?
	count_suite "$logs/asan-conformance-mem.log" "$rc"
	rc=0
	DITTO_SKIP_BUILD=1 sanitized e2e --fsal mem "${SANITIZE_MEM_E2E[@]}" \
		2>&1 | tee "$logs/asan-e2e-mem.log" || rc=$?
	count_suite "$logs/asan-e2e-mem.log" "$rc"

	echo "== sanitizer pass: reports"
	sanitizer_reports "$dir" >"$logs/asan-reports.log"
	cat "$logs/asan-reports.log"
	if [ "$SANITIZER_REPORTS" -eq 0 ]; then
		echo "no sanitizer reports"
		TEST_PASSED=$((TEST_PASSED + 1))
	else
		echo "$SANITIZER_REPORTS sanitizer report(s), see $logs/asan-reports.log"
		TEST_FAILED=$((TEST_FAILED + 1))
	fi
}

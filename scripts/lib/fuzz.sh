# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# `scripts/ditto fuzz`: build the libFuzzer targets of fuzz/ with clang
# in their own tree ($DITTO_BUILD/fuzz) and run them (fuzz/README.md).

# Every target, in the order they run.
DITTO_FUZZ_TARGETS=(xdr_gdd_args xdr_bcctl_args xdr_cb_compound_res
	xdr_cb_notify_args xdr_notify_body xdr_compound_args store_names
	fsal_handle)

fuzz_usage() {
	cat <<'EOF'
usage: scripts/ditto fuzz [--time S] [--runs N] [--jobs J] [--list] [TARGET ...]

Builds the fuzz targets (clang, ASan + UBSan) in $DITTO_BUILD/fuzz and
runs each TARGET (default: all) from its seed corpus fuzz/corpus/TARGET,
keeping what it finds in $DITTO_BUILD/fuzz/corpus/TARGET.

  --time S   stop each target after S seconds (default 20, 0 = no limit)
  --runs N   stop each target after N executions (default: no limit)
  --jobs J   run each target in J processes sharing its corpus; --runs
             counts the executions of all of them (default 1)
  --list     list the targets

DITTO_FUZZ_UPSTREAM=DIR uses that complete upstream build (a cache
directory) instead of building the patch series' one.

Ends with one line per target (executions, seconds, crashes) and exits
non-zero if any target crashed; crashing inputs are kept as
$DITTO_BUILD/fuzz/artifacts/TARGET-crash-* (libFuzzer's output in
$DITTO_BUILD/fuzz/logs/TARGET.log).
EOF
}

# fuzz_build FB: configure and build the clang tree FB.
fuzz_build() {
	local fb=$1 up cc=clang-14 cxx=clang++-14

	ensure_pkgs "${DITTO_BUILD_PKGS[@]}" "${DITTO_FUZZ_PKGS[@]}"
	# DITTO_FUZZ_UPSTREAM: a complete upstream build to use instead of
	# the patch series' own (e.g. while the series is being edited).
	up=${DITTO_FUZZ_UPSTREAM:-}
	if [ -z "$up" ]; then
		up=$(build_upstream) || exit 1
	fi
	[ -f "$up/.complete" ] || die "fuzz: $up is not a complete upstream build"
	mkdir -p "$fb"
	CC=$cc CXX=$cxx cmake -S "$DITTO_ROOT" -B "$fb" -DDITTO_UPSTREAM="$up" \
		-DDITTO_FUZZ=ON >"$fb/cmake.log" 2>&1 ||
		{ cat "$fb/cmake.log" >&2; die "configuring the fuzz build failed"; }
	cmake --build "$fb" --target fuzz_all -j"$(nproc)" >"$fb/make.log" 2>&1 ||
		{ grep -E 'error|Error' "$fb/make.log" | head -30 >&2
		  die "building the fuzz targets failed; see $fb/make.log"; }
}

# fuzz_one FB TARGET TIME RUNS JOBS: run one target in JOBS processes
# on one corpus (RUNS split between them); prints its summary line and
# returns non-zero if it crashed.
fuzz_one() {
	local fb=$1 t=$2 time=$3 runs=$4 jobs=$5 j log rc=0 r pids=()
	local execs=0 secs=0 crashes=0 e s
	local args=()

	mkdir -p "$fb/corpus/$t" "$fb/artifacts" "$fb/logs"
	args=(-max_total_time="$time" -print_final_stats=1 -timeout=25
		-rss_limit_mb=2048 -artifact_prefix="$fb/artifacts/$t-")
	[ -z "$runs" ] || args+=(-runs="$(((runs + jobs - 1) / jobs))")
	# The store frees through call_rcu, after the input that freed: the
	# per-input malloc/free balance never holds and libFuzzer would run
	# LeakSanitizer after every input (~60x slower).  Leaks are still
	# reported by LeakSanitizer when the run ends.
	[ "$t" != store_names ] || args+=(-detect_leaks=0)
	for ((j = 1; j <= jobs; j++)); do
		log="$fb/logs/$t.log"
		[ "$j" -eq 1 ] || log="$fb/logs/$t.$j.log"
		# New inputs go to the first directory; the seeds stay as they are.
		"$fb/fuzz/fuzz_$t" "${args[@]}" "$fb/corpus/$t" \
			"$DITTO_ROOT/fuzz/corpus/$t" >"$log" 2>&1 &
		pids+=($!)
	done
	for ((j = 1; j <= jobs; j++)); do
		log="$fb/logs/$t.log"
		[ "$j" -eq 1 ] || log="$fb/logs/$t.$j.log"
		r=0
		wait "${pids[j - 1]}" || r=$?
		e=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
			tail -n 1)
		s=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' \
			"$log" | tail -n 1)
		execs=$((execs + ${e:-0}))
		[ "${s:-0}" -le "$secs" ] || secs=$s
		# Crashes, leaks, timeouts and OOMs: each input libFuzzer kept
		e=$(grep -c 'Test unit written to' "$log" || true)
		[ "$r" -eq 0 ] || [ "$e" -gt 0 ] || e=1
		crashes=$((crashes + e))
		[ "$r" -eq 0 ] || rc=$r
	done
	printf 'fuzz: %-20s %12s executions in %5s s, %d crashes\n' "$t" \
		"$execs" "$secs" "$crashes"
	[ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]
}

cmd_fuzz() {
	local fb="$DITTO_BUILD/fuzz" time=20 runs="" jobs=1 targets=() t
	local failed=0

	while [ $# -gt 0 ]; do
		case "$1" in
		--time) time=${2:?--time needs seconds}; shift 2 ;;
		--runs) runs=${2:?--runs needs a count}; shift 2 ;;
		--jobs) jobs=${2:?--jobs needs a count}; shift 2 ;;
		--list) printf '%s\n' "${DITTO_FUZZ_TARGETS[@]}"; return 0 ;;
		-h | --help) fuzz_usage; return 0 ;;
		-*) die "fuzz: unknown option $1 (see scripts/ditto fuzz --help)" ;;
		*)
			[[ " ${DITTO_FUZZ_TARGETS[*]} " == *" $1 "* ]] ||
				die "fuzz: unknown target $1 (see --list)"
			targets+=("$1"); shift ;;
		esac
	done
	[[ "$time" =~ ^[0-9]+$ ]] || die "fuzz: --time takes whole seconds"
	[ -z "$runs" ] || [[ "$runs" =~ ^[0-9]+$ ]] ||
		die "fuzz: --runs takes a count"
	[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "fuzz: --jobs takes a count"
	[ ${#targets[@]} -gt 0 ] || targets=("${DITTO_FUZZ_TARGETS[@]}")

	fuzz_build "$fb"
	for t in "${targets[@]}"; do
		fuzz_one "$fb" "$t" "$time" "$runs" "$jobs" ||
			failed=$((failed + 1))
	done
	echo "fuzz: ${#targets[@]} targets, $failed crashed"
	[ "$failed" -eq 0 ]
}

# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# Host side of a guest's serial console (run.sh, nlm.sh).

# stamp: prefix each console line with seconds since the guest started.
stamp() {
	local t0=${EPOCHREALTIME/./} d line

	while IFS= read -r line; do
		d=$((${EPOCHREALTIME/./} - t0))
		printf '%4d.%03d %s\n' $((d / 1000000)) $((d / 1000 % 1000)) \
			"${line%$'\r'}"
	done
}

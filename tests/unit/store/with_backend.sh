#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# with_backend.sh BACKEND TEST [ARGS...]: runs a store test suite on
# BACKEND (memory, lmdb), its stores in a directory removed afterwards.
backend=$1
shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/ditto-store-test.XXXXXX") || exit 1
DITTO_STORE_BACKEND=$backend DITTO_STORE_DIR=$dir "$@"
rc=$?
rm -rf "$dir"
exit $rc

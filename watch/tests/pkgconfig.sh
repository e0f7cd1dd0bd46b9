#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# libdittowatch as another program uses it: watch/tests/embed.c built
# with nothing but the installed prefix's header and pkg-config file,
# then run: it must say in one line why it cannot watch a closed port.
set -euo pipefail
: "${DITTO_BUILD:?}" "${DITTO_ROOT:?}"
prefix="$DITTO_BUILD/watch/prefix"
out=$(mktemp -d /tmp/ditto-embed.XXXXXX)
trap 'rm -rf "$out"' EXIT

flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs dittowatch)
# shellcheck disable=SC2086 # pkg-config's flags are words
cc -Wall -Werror -o "$out/embed" "$DITTO_ROOT/watch/tests/embed.c" $flags
rc=0
"$out/embed" 127.0.0.1:1:/ditto 1 >"$out/run" 2>&1 || rc=$?
cat "$out/run"
[ "$rc" = 1 ] || { echo "FAIL: exit $rc, expected 1"; exit 1; }
grep -qx 'cannot watch: cannot connect to 127.0.0.1:1: Connection refused' "$out/run" ||
	{ echo "FAIL: not the one-line reason"; exit 1; }
echo "pkgconfig: ok"

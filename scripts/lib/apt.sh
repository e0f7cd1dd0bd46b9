# SPDX-License-Identifier: LGPL-3.0-or-later
# shellcheck shell=bash
#
# The Debian mirrors this machine's own apt sources use, for the private
# apt configurations that fetch upstream sources and E2E kernels.  Both
# the deb822 (*.sources) and the one-line (*.list) formats are read;
# nothing in the system's apt configuration is changed.

# apt_source_uris: every URI of a binary source, one per line.
apt_source_uris() {
	cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }'
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { for (i = 2; i <= NF; i++)
			if ($i !~ /^\[/) { print $i; break } }'
}

# debian_mirror: the main archive's URI (.../debian).
debian_mirror() {
	local uri

	uri=$(apt_source_uris | grep -E '/debian/?$' | head -n 1)
	[ -n "$uri" ] ||
		die "no Debian mirror in the machine's apt sources (/etc/apt); cannot fetch packages"
	echo "${uri%/}"
}

# debian_security_mirror: the security archive's URI; where the machine
# lists none, the one beside the main archive.
debian_security_mirror() {
	local uri main

	uri=$(apt_source_uris | grep -E '/debian-security/?$' | head -n 1)
	if [ -z "$uri" ]; then
		main=$(debian_mirror) || return 1
		uri=${main%/debian}/debian-security
	fi
	echo "${uri%/}"
}

#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# `scripts/ditto run` refuses configs Ganesha complains about instead of
# running a server with no (or a half-configured) export.
. "$(dirname "$0")/lib.sh"

expect_refused "$(conf_with 's/Name = DITTO;/Name = DITTO; No_Such_Option = 1;/')" \
	"an unknown FSAL option" "Unknown parameter (No_Such_Option)"
expect_refused "$(conf_with 's/Lease_Lifetime = @LEASE@;/Lease_Lifetime = 100000;/')" \
	"an out-of-range value" "(100000) is out of range"
expect_refused "$(conf_with '/^EXPORT {/,/^}/d')" \
	"no export" "No export entries found"
expect_refused "$(conf_with 's/Name = DITTO;/Name = NOSUCHFSAL;/')" \
	"an FSAL that does not exist" "NOSUCHFSAL"
expect_refused "$(conf_with 's/Monitoring_Port = @MONITORING_PORT@;/&\n\tMonitoring_Addr = "localhost";/')" \
	"a Monitoring_Addr that is a name" "Monitoring_Addr localhost is not an IP address"
echo "bad_config: all refused"

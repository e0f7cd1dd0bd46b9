// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Callback simulator calls through dbus-send (fork/exec, no shell).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dbus_cbsim.h"
#include "dbus_send.h"

#define OUT_MAX 65536

const char *dc_cbsim_bus(void)
{
	const char *a = getenv("DBUS_SYSTEM_BUS_ADDRESS");

	return a && *a ? a : NULL;
}

/* A callback simulator method with an optional argument. */
static int dbus_send(const char *method, const char *arg, char *out,
		     size_t outlen)
{
	char name[128];

	snprintf(name, sizeof(name), "org.ganesha.nfsd.cbsim.%s", method);
	return dc_dbus_send("/org/ganesha/nfsd/CBSIM", name, arg, out, outlen);
}

int dc_cbsim_client_ids(uint64_t *ids, size_t max)
{
	char *out = malloc(OUT_MAX), *p;
	int n = 0, rc;

	if (!out)
		return -ENOMEM;
	rc = dbus_send("get_client_ids", NULL, out, OUT_MAX);
	if (rc) {
		free(out);
		return rc;
	}
	/* The (tt) timestamp comes first; ids follow in "array [". */
	p = strstr(out, "array [");
	for (p = p ? strstr(p, "uint64 ") : NULL; p && (size_t)n < max;
	     p = strstr(p + 1, "uint64 "))
		ids[n++] = strtoull(p + 7, NULL, 10);
	free(out);
	return n;
}

int dc_cbsim_fake_recall(uint64_t clientid)
{
	char arg[48], out[4096];

	snprintf(arg, sizeof(arg), "uint64:%" PRIu64, clientid);
	return dbus_send("fake_recall", arg, out, sizeof(out));
}

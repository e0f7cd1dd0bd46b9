// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Callback simulator calls through dbus-send (fork/exec, no shell).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dbus_cbsim.h"

#define OUT_MAX 65536

const char *dc_cbsim_bus(void)
{
	const char *a = getenv("DBUS_SYSTEM_BUS_ADDRESS");

	return a && *a ? a : NULL;
}

/* Run dbus-send with the method and optional argument; capture stdout. */
static int dbus_send(const char *method, const char *arg, char *out,
		     size_t outlen)
{
	char dest[128];
	int pfd[2], status;
	size_t have = 0;
	pid_t pid;

	snprintf(dest, sizeof(dest), "org.ganesha.nfsd.cbsim.%s", method);
	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execlp("dbus-send", "dbus-send", "--system", "--print-reply",
		       "--reply-timeout=10000", "--dest=org.ganesha.nfsd",
		       "/org/ganesha/nfsd/CBSIM", dest, arg, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t n = read(pfd[0], out + have, outlen - 1 - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += n;
		if (have >= outlen - 1)
			break;
	}
	out[have] = 0;
	close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
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

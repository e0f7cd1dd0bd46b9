// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Server restart hook for the restart and NLM cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/wait.h>
#include "server_restart.h"

bool dc_restart_available(void)
{
	const char *cmd = getenv("DITTO_RESTART_CMD");

	return cmd && *cmd;
}

int dc_server_restart(void)
{
	int st;

	if (!dc_restart_available())
		return -1;
	/* The hook's own output (daemon start errors) goes to stderr. */
	fflush(stdout);
	st = system(getenv("DITTO_RESTART_CMD"));
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int dc_env_int(const char *name, int dflt)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return dflt;
	n = strtol(v, &end, 10);
	return *end || n < 0 || n > 100000 ? dflt : (int)n;
}

void dc_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

double dc_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

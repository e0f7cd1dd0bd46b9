// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * A slow disk for the store benchmark's PostgreSQL (LD_PRELOAD into the
 * server, `scripts/ditto bench store-durable --pg-fsync-delay-us N`):
 * every fsync and fdatasync first sleeps DITTO_FSYNC_DELAY_US
 * microseconds.  This VM's disk flushes in ~0.1 ms, where a real disk
 * takes 1 ms or more; only with such a flush does it show whether
 * commits from several threads share the server's WAL flushes (group
 * commit) or queue one after another.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

static void delay(void)
{
	const char *us = getenv("DITTO_FSYNC_DELAY_US");

	if (us)
		usleep((useconds_t)strtoul(us, NULL, 10));
}

int fsync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	delay();
	return real(fd);
}

int fdatasync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	delay();
	return real(fd);
}

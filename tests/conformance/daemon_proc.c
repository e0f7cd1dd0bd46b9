// SPDX-License-Identifier: LGPL-3.0-or-later
/* The daemon under test seen from /proc; raw connections to it. */
#include <dirent.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "daemon_proc.h"

long dc_daemon_pid(void)
{
	const char *s = getenv("DITTO_DAEMON_PID");

	return s ? strtol(s, NULL, 10) : 0;
}

int dc_daemon_fds(long pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

int dc_daemon_fds_settle(long pid, int base)
{
	int i, n = -1;

	for (i = 0; i < DC_SETTLE_TRIES; i++) {
		n = dc_daemon_fds(pid);
		if (n >= 0 && n <= base)
			break;
		usleep(DC_SETTLE_US);
	}
	return n;
}

long dc_daemon_status_kib(long pid, const char *field)
{
	char path[64], line[128];
	size_t n = strlen(field);
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':' &&
		    sscanf(line + n + 1, "%ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

long dc_daemon_rss_kib(long pid)
{
	return dc_daemon_status_kib(pid, "VmRSS");
}

int dc_raw_connect(const struct dc_server *srv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	char port[16];
	int fd;

	snprintf(port, sizeof(port), "%d", srv->port);
	if (getaddrinfo(srv->host, port, &hints, &ai))
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

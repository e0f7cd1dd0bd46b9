// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * dbus-send by fork/exec (no shell), its stdout captured.
 */
#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dbus_send.h"

int dc_dbus_send(const char *path, const char *method, const char *arg,
		 char *out, size_t outlen)
{
	int pfd[2], status;
	size_t have = 0;
	pid_t pid;

	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int rc = -errno;

		close(pfd[0]);
		close(pfd[1]);
		return rc;
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		/* arg NULL ends the list early: a call without arguments */
		execlp("dbus-send", "dbus-send", "--system", "--print-reply",
		       "--reply-timeout=10000", "--dest=org.ganesha.nfsd",
		       path, method, arg, (char *)NULL);
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

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * lockprobe: POSIX byte-range locks for the E2E guests (busybox has no
 * fcntl lock applet).  Built static on the host, run in the guest: on an
 * NFSv3 mount every request is NLM (LOCK, UNLOCK, TEST), on an NFSv4.1
 * mount LOCK, LOCKU, LOCKT.  One process runs a list of steps, so the
 * locks it takes stay held between them; the first step that does not
 * give the expected answer ends it with status 1.
 *
 *   lockprobe FILE STEP...
 *
 * TYPE is r or w, LEN 0 means "to the end of the file" (POSIX).
 *   lock:TYPE:OFF:LEN          F_SETLK, must be granted
 *   deny:TYPE:OFF:LEN          F_SETLK, must be refused (EAGAIN/EACCES)
 *   unlock:OFF:LEN             F_UNLCK of that range
 *   test:TYPE:OFF:LEN:free     F_GETLK finds no conflicting lock
 *   test:TYPE:OFF:LEN:T:S:L    F_GETLK reports a lock of type T on [S,+L)
 *   touch:PATH                 create PATH (a marker for the other guest)
 *   wait:PATH:SECONDS          poll until PATH exists
 *
 * Each step prints "lockprobe: ok ..." or "lockprobe: FAIL ..." with the
 * time it took (a refused F_SETLK waits while the server is in grace).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_FIELDS 8

static const char *file;
static int fd = -1;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Split s (modified) at ':' into at most MAX_FIELDS fields. */
static int split(char *s, char **f)
{
	int n = 0;

	f[n++] = s;
	while (n < MAX_FIELDS && (s = strchr(s, ':'))) {
		*s++ = '\0';
		f[n++] = s;
	}
	return n;
}

static int parse_type(const char *s, short *type)
{
	if (!strcmp(s, "r"))
		*type = F_RDLCK;
	else if (!strcmp(s, "w"))
		*type = F_WRLCK;
	else
		return -1;
	return 0;
}

static int parse_num(const char *s, off_t *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return (errno || *s == '\0' || *end != '\0' || *v < 0) ? -1 : 0;
}

static const char *type_name(short type)
{
	return type == F_RDLCK ? "r" : type == F_WRLCK ? "w" : "none";
}

/* F_SETLK; 0 granted, 1 refused, -1 any other error (errno). */
static int setlk(short type, off_t off, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
			    .l_start = off, .l_len = len };

	if (fcntl(fd, F_SETLK, &fl) == 0)
		return 0;
	return (errno == EAGAIN || errno == EACCES) ? 1 : -1;
}

static int step_setlk(char **f, int n, int want_denied)
{
	short type;
	off_t off, len;
	int rc;

	if (n != 4 || parse_type(f[1], &type) || parse_num(f[2], &off) ||
	    parse_num(f[3], &len))
		return -1;
	rc = setlk(type, off, len);
	if (rc < 0) {
		printf("lockprobe: FAIL %s %s [%lld,+%lld): %s\n", f[0], f[1],
		       (long long)off, (long long)len, strerror(errno));
		return 1;
	}
	if (rc != want_denied) {
		printf("lockprobe: FAIL %s %s [%lld,+%lld): %s\n", f[0], f[1],
		       (long long)off, (long long)len,
		       rc ? "refused, expected granted" :
			    "granted, expected refused");
		return 1;
	}
	return 0;
}

static int step_unlock(char **f, int n)
{
	off_t off, len;

	if (n != 3 || parse_num(f[1], &off) || parse_num(f[2], &len))
		return -1;
	if (setlk(F_UNLCK, off, len)) {
		printf("lockprobe: FAIL unlock [%lld,+%lld): %s\n",
		       (long long)off, (long long)len, strerror(errno));
		return 1;
	}
	return 0;
}

static int step_test(char **f, int n)
{
	struct flock fl = { .l_whence = SEEK_SET };
	short want_type = F_UNLCK;
	off_t off, len, ws = 0, wl = 0;

	if ((n != 5 && n != 7) || parse_type(f[1], &fl.l_type) ||
	    parse_num(f[2], &off) || parse_num(f[3], &len))
		return -1;
	if (n == 5 && strcmp(f[4], "free"))
		return -1;
	if (n == 7 && (parse_type(f[4], &want_type) || parse_num(f[5], &ws) ||
		       parse_num(f[6], &wl)))
		return -1;
	fl.l_start = off;
	fl.l_len = len;
	if (fcntl(fd, F_GETLK, &fl)) {
		printf("lockprobe: FAIL test: %s\n", strerror(errno));
		return 1;
	}
	if (fl.l_type != want_type ||
	    (want_type != F_UNLCK && (fl.l_start != ws || fl.l_len != wl))) {
		printf("lockprobe: FAIL test %s [%lld,+%lld): found %s [%lld,+%lld), expected %s [%lld,+%lld)\n",
		       f[1], (long long)off, (long long)len,
		       type_name(fl.l_type), (long long)fl.l_start,
		       (long long)fl.l_len, type_name(want_type),
		       (long long)ws, (long long)wl);
		return 1;
	}
	return 0;
}

static int step_wait(char **f, int n)
{
	struct stat st;
	off_t secs;
	double t0 = now_s();

	if (n != 3 || parse_num(f[2], &secs))
		return -1;
	while (stat(f[1], &st)) {
		if (now_s() - t0 > secs) {
			printf("lockprobe: FAIL %s did not appear within %lld s\n",
			       f[1], (long long)secs);
			return 1;
		}
		usleep(200000);
	}
	return 0;
}

static int step_touch(char **f, int n)
{
	int t;

	if (n != 2)
		return -1;
	t = open(f[1], O_WRONLY | O_CREAT, 0644);
	if (t < 0) {
		printf("lockprobe: FAIL touch %s: %s\n", f[1], strerror(errno));
		return 1;
	}
	close(t);
	return 0;
}

static int run_step(const char *arg)
{
	char buf[512], *f[MAX_FIELDS];
	int n;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	n = split(buf, f);
	if (!strcmp(f[0], "lock"))
		return step_setlk(f, n, 0);
	if (!strcmp(f[0], "deny"))
		return step_setlk(f, n, 1);
	if (!strcmp(f[0], "unlock"))
		return step_unlock(f, n);
	if (!strcmp(f[0], "test"))
		return step_test(f, n);
	if (!strcmp(f[0], "touch"))
		return step_touch(f, n);
	if (!strcmp(f[0], "wait"))
		return step_wait(f, n);
	return -1;
}

int main(int argc, char **argv)
{
	double t0;
	int i, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: lockprobe FILE STEP...\n");
		return 2;
	}
	file = argv[1];
	fd = open(file, O_RDWR | O_CREAT, 0644);
	if (fd < 0) {
		printf("lockprobe: FAIL open %s: %s\n", file, strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 2; i < argc; i++) {
		t0 = now_s();
		rc = run_step(argv[i]);
		if (rc < 0) {
			printf("lockprobe: FAIL bad step '%s'\n", argv[i]);
			return 2;
		}
		if (rc)
			return 1;
		printf("lockprobe: ok %s %s (%.1f s)\n", argv[i], file,
		       now_s() - t0);
	}
	close(fd);
	return 0;
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Power-loss shim for the durable store's crash test (LD_PRELOAD).
 *
 * SIGKILL leaves the page cache alone, so a process-crash test cannot
 * see a missing fdatasync.  This shim makes a kill behave like a power
 * cut for the files under $DITTO_POWERLOSS_DIR/ (LMDB's lock file
 * excepted: it is rebuilt at open): before each write to such a file
 * lands, the bytes it overwrites (and the file's size) go to an undo
 * journal, $DITTO_POWERLOSS_DIR.undo.  fsync/fdatasync of a file drops
 * its undo records; a write through an O_SYNC/O_DSYNC descriptor is
 * durable when it returns and is recorded as such.  After the kill,
 * ditto_powerloss_cut() (called by the test's parent, which runs with
 * the shim too) replays the journal backwards: every write that was
 * not made durable is undone, as if the disk had never seen it.
 *
 * The journal is written before the data, with plain write(): the
 * process is killed, not the machine, so the journal itself survives.
 * Bytes a later durable write covered are not restored.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "powerloss.h"

#define MAXFD 1024
#define PATHLEN 240

enum pl_kind {
	PL_WRITE = 1,	/* undo: old bytes follow */
	PL_DURABLE,	/* this range reached the disk */
	PL_SYNC,	/* every earlier write of the file reached the disk */
};

struct pl_rec {
	uint32_t kind;
	uint32_t nold;		/* old bytes that follow (PL_WRITE) */
	uint64_t off, len;
	uint64_t old_size;	/* file size before the write */
	char path[PATHLEN];
};

struct pl_fd {
	bool tracked;
	bool sync;
	char path[PATHLEN];
};

static struct pl_fd fds[MAXFD];
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static int jfd = -1;
/* The one file with writes not yet synced ("" none, "*" several). */
static char unsynced[PATHLEN];

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static int (*real_ftruncate)(int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

__attribute__((constructor)) static void pl_init(void)
{
	real_open = dlsym(RTLD_NEXT, "open");
	real_openat = dlsym(RTLD_NEXT, "openat");
	real_close = dlsym(RTLD_NEXT, "close");
	real_write = dlsym(RTLD_NEXT, "write");
	real_pwrite = dlsym(RTLD_NEXT, "pwrite");
	real_writev = dlsym(RTLD_NEXT, "writev");
	real_pwritev = dlsym(RTLD_NEXT, "pwritev");
	real_ftruncate = dlsym(RTLD_NEXT, "ftruncate");
	real_fsync = dlsym(RTLD_NEXT, "fsync");
	real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
}

bool ditto_powerloss_active(void)
{
	return real_pwrite != NULL;
}

static const char *pl_dir(void)
{
	const char *d = getenv("DITTO_POWERLOSS_DIR");

	return d && *d ? d : NULL;
}

static void die(const char *what)
{
	fprintf(stderr, "powerloss: %s: %s\n", what, strerror(errno));
	abort();
}

static int journal(void)
{
	char jp[PATHLEN + 8];

	if (jfd >= 0)
		return jfd;
	snprintf(jp, sizeof(jp), "%s.undo", pl_dir());
	jfd = real_open(jp, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (jfd < 0)
		die(jp);
	return jfd;
}

static void jwrite(const void *p, size_t n)
{
	if (real_write(journal(), p, n) != (ssize_t)n)
		die("journal write");
}

/* A file under the directory, not LMDB's lock file. */
static bool wanted(const char *path)
{
	const char *d = pl_dir();
	size_t n;

	if (!d || path[0] != '/')
		return false;
	n = strlen(d);
	return strncmp(path, d, n) == 0 && path[n] == '/' &&
	       strstr(path + n, "lock") == NULL && strlen(path) < PATHLEN;
}

static void track(int fd, const char *path, int flags)
{
	if (fd < 0 || fd >= MAXFD || !wanted(path))
		return;
	pthread_mutex_lock(&mtx);
	fds[fd].tracked = true;
	fds[fd].sync = (flags & (O_SYNC | O_DSYNC)) != 0;
	strcpy(fds[fd].path, path);
	pthread_mutex_unlock(&mtx);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	fd = real_open(path, flags, mode);
	track(fd, path, flags);
	return fd;
}
int open64(const char *path, int flags, ...)
	__attribute__((alias("open")));

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	fd = real_openat(dirfd, path, flags, mode);
	if (dirfd == AT_FDCWD || path[0] == '/')
		track(fd, path, flags);
	return fd;
}
int openat64(int dirfd, const char *path, int flags, ...)
	__attribute__((alias("openat")));

int close(int fd)
{
	if (fd >= 0 && fd < MAXFD) {
		pthread_mutex_lock(&mtx);
		fds[fd].tracked = false;
		pthread_mutex_unlock(&mtx);
	}
	return real_close(fd);
}

/*
 * Before a write of len bytes at off lands on fd: journal what it
 * replaces.  Called with mtx held.
 */
static void before_write(int fd, uint64_t off, uint64_t len)
{
	struct pl_rec r = { .off = off, .len = len };
	struct stat sb;
	char *old = NULL;

	if (fstat(fd, &sb))
		die("fstat");
	r.old_size = sb.st_size;
	strcpy(r.path, fds[fd].path);
	if (fds[fd].sync) {
		r.kind = PL_DURABLE;
		jwrite(&r, sizeof(r));
		return;
	}
	r.kind = PL_WRITE;
	if (off < (uint64_t)sb.st_size)
		r.nold = (uint32_t)(len < sb.st_size - off ? len :
						sb.st_size - off);
	if (r.nold) {
		old = malloc(r.nold);
		if (!old || pread(fd, old, r.nold, off) != (ssize_t)r.nold)
			die("pread old bytes");
	}
	jwrite(&r, sizeof(r));
	if (r.nold)
		jwrite(old, r.nold);
	free(old);
	if (!unsynced[0])
		strcpy(unsynced, r.path);
	else if (strcmp(unsynced, r.path))
		strcpy(unsynced, "*");
}

static bool is_tracked(int fd)
{
	return fd >= 0 && fd < MAXFD && fds[fd].tracked;
}

static size_t iov_len(const struct iovec *iov, int n)
{
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	return len;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t rc;

	pthread_mutex_lock(&mtx);
	if (is_tracked(fd))
		before_write(fd, off, n);
	rc = real_pwrite(fd, buf, n, off);
	pthread_mutex_unlock(&mtx);
	return rc;
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
	__attribute__((alias("pwrite")));

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
	ssize_t rc;

	pthread_mutex_lock(&mtx);
	if (is_tracked(fd))
		before_write(fd, off, iov_len(iov, n));
	rc = real_pwritev(fd, iov, n, off);
	pthread_mutex_unlock(&mtx);
	return rc;
}
ssize_t pwritev64(int fd, const struct iovec *iov, int n, off_t off)
	__attribute__((alias("pwritev")));

ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t rc;

	pthread_mutex_lock(&mtx);
	if (is_tracked(fd))
		before_write(fd, lseek(fd, 0, SEEK_CUR), n);
	rc = real_write(fd, buf, n);
	pthread_mutex_unlock(&mtx);
	return rc;
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	ssize_t rc;

	pthread_mutex_lock(&mtx);
	if (is_tracked(fd))
		before_write(fd, lseek(fd, 0, SEEK_CUR), iov_len(iov, n));
	rc = real_writev(fd, iov, n);
	pthread_mutex_unlock(&mtx);
	return rc;
}

int ftruncate(int fd, off_t len)
{
	struct stat sb;
	int rc;

	pthread_mutex_lock(&mtx);
	/* Growing only (LMDB never shrinks): undo is the old size. */
	if (is_tracked(fd) && fstat(fd, &sb) == 0 && len > sb.st_size)
		before_write(fd, sb.st_size, 0);
	rc = real_ftruncate(fd, len);
	pthread_mutex_unlock(&mtx);
	return rc;
}
int ftruncate64(int fd, off_t len) __attribute__((alias("ftruncate")));

/* The file of fd reached the disk: forget its undo records. */
static int synced(int fd, int (*fn)(int))
{
	struct pl_rec r = { .kind = PL_SYNC };
	int rc;

	pthread_mutex_lock(&mtx);
	rc = fn(fd);
	if (rc == 0 && is_tracked(fd)) {
		strcpy(r.path, fds[fd].path);
		/* Nothing else to undo: start the journal afresh. */
		if (!strcmp(unsynced, r.path)) {
			if (real_ftruncate(journal(), 0))
				die("journal truncate");
			unsynced[0] = '\0';
		} else {
			jwrite(&r, sizeof(r));
		}
	}
	pthread_mutex_unlock(&mtx);
	return rc;
}

int fsync(int fd)
{
	return synced(fd, real_fsync);
}

int fdatasync(int fd)
{
	return synced(fd, real_fdatasync);
}

/* ----------------------------------------------------------- the cut */

struct pl_ent {
	struct pl_rec r;
	long at;	/* journal offset of the old bytes */
};

/* Does a durable write after record i cover pos?  Then it stays. */
static bool covered(const struct pl_ent **dur, size_t nd, uint64_t pos)
{
	size_t k;

	for (k = 0; k < nd; k++)
		if (pos >= dur[k]->r.off && pos < dur[k]->r.off + dur[k]->r.len)
			return true;
	return false;
}

static void undo(int jf, const struct pl_ent *e, size_t n, size_t i)
{
	const struct pl_rec *r = &e[i].r;
	const struct pl_ent **dur = calloc(n, sizeof(*dur));
	unsigned char *old = malloc(r->nold ? r->nold : 1);
	uint64_t size = r->old_size, k;
	size_t nd = 0, j;
	int fd;

	if (!dur || !old)
		die("malloc");
	/* The durable writes since, and the size they grew the file to. */
	for (j = i + 1; j < n; j++) {
		if (e[j].r.kind != PL_DURABLE || strcmp(e[j].r.path, r->path))
			continue;
		dur[nd++] = &e[j];
		if (e[j].r.off + e[j].r.len > size)
			size = e[j].r.off + e[j].r.len;
	}
	if (pread(jf, old, r->nold, e[i].at) != (ssize_t)r->nold)
		die("journal read");
	fd = real_open(r->path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die(r->path);
	if (nd == 0) {
		if (real_pwrite(fd, old, r->nold, r->off) != (ssize_t)r->nold)
			die("undo write");
	} else {
		for (k = 0; k < r->nold; k++)
			if (!covered(dur, nd, r->off + k) &&
			    real_pwrite(fd, old + k, 1, r->off + k) != 1)
				die("undo write");
	}
	if (real_ftruncate(fd, size))
		die("undo truncate");
	real_close(fd);
	free(old);
	free(dur);
}

int ditto_powerloss_cut(struct ditto_powerloss_stats *st)
{
	struct pl_ent *e = NULL;
	size_t n = 0, cap = 0, i, k;
	struct pl_rec r;
	struct stat sb;
	long at = 0;
	int jf;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&mtx);
	jf = journal();
	if (fstat(jf, &sb))
		die("journal stat");
	/*
	 * A kill between a record and its old bytes leaves a torn last
	 * record: its write never started (the data goes after the
	 * journal), so it is dropped.
	 */
	while (pread(jf, &r, sizeof(r), at) == (ssize_t)sizeof(r) &&
	       at + (off_t)sizeof(r) +
			       (r.kind == PL_WRITE ? (off_t)r.nold : 0) <=
		       sb.st_size) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			e = realloc(e, cap * sizeof(*e));
			if (!e)
				die("realloc");
		}
		e[n].r = r;
		e[n].at = at + sizeof(r);
		at += sizeof(r) + (r.kind == PL_WRITE ? r.nold : 0);
		n++;
	}
	/* Backwards: the oldest old bytes are what the disk holds. */
	for (i = n; i-- > 0;) {
		bool after_sync = false;

		if (e[i].r.kind != PL_WRITE)
			continue;
		for (k = i + 1; k < n && !after_sync; k++)
			after_sync = e[k].r.kind == PL_SYNC &&
				     !strcmp(e[k].r.path, e[i].r.path);
		if (after_sync) {
			st->synced++;
			continue;
		}
		undo(jf, e, n, i);
		st->undone++;
		st->bytes += e[i].r.len;
	}
	free(e);
	if (real_ftruncate(jf, 0))
		die("journal truncate");
	unsynced[0] = '\0';
	pthread_mutex_unlock(&mtx);
	return 0;
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * permprobe: POSIX permission checks for the E2E guests (scenarios
 * perm-users and posix-diff, driver tests/e2e/perm.sh).  Built static on
 * the host, run as root in the guest; every call is made by a forked
 * child that has switched to one of a few users (setgroups, setresgid,
 * setresuid), so the kernel NFS client sends that user's AUTH_SYS
 * credential.  Two trees are compared: REF on a FSAL_VFS export (the
 * reference: the host kernel decides, FSAL_VFS acting with the caller's
 * fsuid, except for SETATTR, which Ganesha checks) and DUT on a
 * FSAL_DITTO export.
 *
 *   permprobe rules REF DUT
 *	A fixed list of POSIX permission rules, each run on both trees:
 *	every errno and mode bit must be the POSIX-expected one on both.
 *	Prints "permprobe: ok|FAIL RULE ..."; status 1 if any failed.
 *
 *   permprobe diff REF DUT SEED COUNT [BUDGET_S]
 *	COUNT random calls from SEED (users and groups including root,
 *	over a small name space so that calls collide), the same call on
 *	both trees; after each call the return values, errnos and a
 *	normalised stat of every entry of both sandboxes (inode numbers,
 *	times, st_dev, st_blocks, st_blksize and directory sizes left out)
 *	must agree.  On a difference the sequence is replayed on fresh
 *	sandboxes to confirm it and find the shortest failing prefix, then
 *	reduced (ddmin, within BUDGET_S seconds, default 120) to a short
 *	list of calls that still fails.  Status 1 on a difference.
 *
 * Users: root 0:0, alice 1001:1001 (+1100), bob 1002:1002 (+1100),
 * carol 1003:1003.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct cred {
	const char *name;
	uid_t uid;
	gid_t gid;
	int ng;
	gid_t g[2];
};

enum { ROOT, ALICE, BOB, CAROL, NCRED };
static const struct cred creds[NCRED] = {
	{ "root", 0, 0, 1, { 0 } },
	{ "alice", 1001, 1001, 2, { 1001, 1100 } },
	{ "bob", 1002, 1002, 2, { 1002, 1100 } },
	{ "carol", 1003, 1003, 1, { 1003 } },
};

enum op_kind {
	OP_CREAT, OP_OPEN, OP_WRITE, OP_TRUNC, OP_FTRUNC, OP_CHMOD, OP_CHOWN,
	OP_LCHOWN, OP_UTIME_NOW, OP_UTIME_SET, OP_LINK, OP_SYMLINK, OP_RENAME,
	OP_UNLINK, OP_MKDIR, OP_RMDIR, OP_MKFIFO, OP_STAT, OP_SETXATTR,
	OP_NKINDS
};
static const char *const op_names[OP_NKINDS] = {
	"creat", "open", "write", "truncate", "ftruncate", "chmod", "chown",
	"lchown", "utimensat-now", "utimensat-set", "link", "symlink",
	"rename", "unlink", "mkdir", "rmdir", "mkfifo", "stat", "setxattr",
};

struct op {
	int kind;
	int who;
	char a[48], b[48];
	long x, y;
};

/* Results beyond errno values. */
#define R_SHORT 250	/* short write */
#define R_CHILD 251	/* the child could not switch user */
#define R_SKIP 252	/* not issued (see diff_skip) */

static const char *rstr(int r)
{
	static char buf[4][32];
	static int i;
	char *b = buf[i++ % 4];

	if (r == 0)
		return "0";
	if (r == R_SHORT)
		return "short-write";
	if (r == R_CHILD)
		return "child-failed";
	if (r == R_SKIP)
		return "skipped";
	snprintf(b, 32, "%s", strerrorname_np(r) ? strerrorname_np(r) : "?");
	return b;
}

static void flags_str(long fl, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s",
		 (fl & O_ACCMODE) == O_RDONLY ? "O_RDONLY" :
		 (fl & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "O_RDWR",
		 fl & O_CREAT ? "|O_CREAT" : "", fl & O_EXCL ? "|O_EXCL" : "",
		 fl & O_TRUNC ? "|O_TRUNC" : "");
}

static void op_str(const struct op *o, char *buf, size_t n)
{
	const char *w = creds[o->who].name, *k = op_names[o->kind];
	char fl[64];

	switch (o->kind) {
	case OP_CREAT:
	case OP_OPEN:
		flags_str(o->x, fl, sizeof(fl));
		snprintf(buf, n, "%s %s %s %s 0%lo", w, k, o->a, fl, o->y);
		break;
	case OP_WRITE:
		snprintf(buf, n, "%s %s %s off %ld len %ld", w, k, o->a, o->x,
			 o->y);
		break;
	case OP_TRUNC:
	case OP_FTRUNC:
		snprintf(buf, n, "%s %s %s %ld", w, k, o->a, o->x);
		break;
	case OP_CHMOD:
	case OP_MKDIR:
	case OP_MKFIFO:
		snprintf(buf, n, "%s %s %s 0%lo", w, k, o->a, o->x);
		break;
	case OP_CHOWN:
	case OP_LCHOWN:
		snprintf(buf, n, "%s %s %s %ld:%ld", w, k, o->a, o->x, o->y);
		break;
	case OP_UTIME_SET:
		snprintf(buf, n, "%s %s %s %ld", w, k, o->a, o->x);
		break;
	case OP_LINK:
	case OP_RENAME:
		snprintf(buf, n, "%s %s %s %s", w, k, o->a, o->b);
		break;
	case OP_SYMLINK:
		snprintf(buf, n, "%s %s %s -> %s", w, k, o->b, o->a);
		break;
	case OP_SETXATTR:
		snprintf(buf, n, "%s %s %s user.k%ld", w, k, o->a, o->x);
		break;
	default:
		snprintf(buf, n, "%s %s %s", w, k, o->a);
	}
}

static void path_of(char *out, size_t n, const char *base, const char *rel)
{
	snprintf(out, n, "%s/%s", base, rel);
}

/* In the child, as the user: the call itself.  Returns 0 or an errno. */
static int do_op(const char *base, const struct op *o)
{
	char a[512], b[512];
	struct timespec ts[2];
	struct stat st;
	char buf[8] = "abcdefg";
	int fd, r = 0;
	ssize_t w;

	path_of(a, sizeof(a), base, o->a);
	path_of(b, sizeof(b), base, o->b);
	switch (o->kind) {
	case OP_CREAT:
	case OP_OPEN:
		fd = open(a, (int)o->x | O_NONBLOCK, (mode_t)o->y);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	case OP_WRITE:
		fd = open(a, O_WRONLY | O_NONBLOCK);
		if (fd < 0)
			return errno;
		w = pwrite(fd, buf, (size_t)o->y, o->x);
		if (w < 0)
			r = errno;
		else if (w != o->y)
			r = R_SHORT;
		if (close(fd) < 0 && !r)
			r = errno;
		return r;
	case OP_TRUNC:
		return truncate(a, o->x) ? errno : 0;
	case OP_FTRUNC:
		fd = open(a, O_WRONLY | O_NONBLOCK);
		if (fd < 0)
			return errno;
		if (ftruncate(fd, o->x) < 0)
			r = errno;
		close(fd);
		return r;
	case OP_CHMOD:
		/* Self-test of the differential machinery: under a path that
		 * contains $PERMPROBE_BREAK, chmod drops S_ISGID. */
		if (getenv("PERMPROBE_BREAK") &&
		    strstr(base, getenv("PERMPROBE_BREAK")))
			return chmod(a, (mode_t)o->x & ~(mode_t)S_ISGID) ?
			       errno : 0;
		return chmod(a, (mode_t)o->x) ? errno : 0;
	case OP_CHOWN:
		return chown(a, (uid_t)o->x, (gid_t)o->y) ? errno : 0;
	case OP_LCHOWN:
		return lchown(a, (uid_t)o->x, (gid_t)o->y) ? errno : 0;
	case OP_UTIME_NOW:
		return utimensat(AT_FDCWD, a, NULL, 0) ? errno : 0;
	case OP_UTIME_SET:
		ts[0].tv_sec = ts[1].tv_sec = o->x;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		return utimensat(AT_FDCWD, a, ts, 0) ? errno : 0;
	case OP_LINK:
		return link(a, b) ? errno : 0;
	case OP_SYMLINK:
		/* a is the target, as written, b the new name. */
		return symlink(o->a, b) ? errno : 0;
	case OP_RENAME:
		return rename(a, b) ? errno : 0;
	case OP_UNLINK:
		return unlink(a) ? errno : 0;
	case OP_MKDIR:
		return mkdir(a, (mode_t)o->x) ? errno : 0;
	case OP_RMDIR:
		return rmdir(a) ? errno : 0;
	case OP_MKFIFO:
		return mkfifo(a, (mode_t)o->x) ? errno : 0;
	case OP_STAT:
		return stat(a, &st) ? errno : 0;
	case OP_SETXATTR:
		snprintf(b, sizeof(b), "user.k%ld", o->x);
		return setxattr(a, b, "v", 1, 0) ? errno : 0;
	}
	return EINVAL;
}

/* run_as: fork, become the op's user, do it; the child's status is the
 * result. */
static int run_op(const char *base, const struct op *o)
{
	const struct cred *c = &creds[o->who];
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("permprobe: fork");
		exit(2);
	}
	if (pid == 0) {
		umask(0);
		if (setgroups(c->ng, c->g) || setresgid(c->gid, c->gid, c->gid) ||
		    setresuid(c->uid, c->uid, c->uid))
			_exit(R_CHILD);
		_exit(do_op(base, o));
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return R_CHILD;
	return WEXITSTATUS(st);
}

/* ---- rules ---- */

static int nfail, nok;
static const char *tree_name[2] = { "vfs", "ditto" };

struct rres {
	char desc[160];
	long expect, got[2];
	int is_mode;
	/* a known FSAL_VFS deviation from POSIX: its value and why */
	int has_vfs_known;
	long vfs_known;
	const char *vfs_why;
};
static struct rres rres[400];
static int nrres, rtree, ridx;

static void record(const char *desc, long expect, long got, int is_mode)
{
	struct rres *r;

	if (ridx >= (int)ARRAY_SIZE(rres)) {
		fprintf(stderr, "permprobe: too many checks\n");
		exit(2);
	}
	r = &rres[ridx++];
	if (rtree == 0) {
		snprintf(r->desc, sizeof(r->desc), "%s", desc);
		r->expect = expect;
		r->is_mode = is_mode;
		nrres = ridx;
	}
	r->got[rtree] = got;
}

static const char *rbase;

/* As root: set up entries.  Failures here are fatal (not a rule). */
static void die_setup(const char *what, const char *p)
{
	printf("permprobe: FAIL setup %s %s on %s: %s\n", what, p,
	       tree_name[rtree], strerror(errno));
	exit(1);
}

static void s_dir(const char *rel, mode_t mode, uid_t u, gid_t g)
{
	char p[512];

	path_of(p, sizeof(p), rbase, rel);
	if (mkdir(p, 0700) || chown(p, u, g) || chmod(p, mode))
		die_setup("mkdir", rel);
}

static void s_file(const char *rel, mode_t mode, uid_t u, gid_t g)
{
	char p[512];
	int fd;

	path_of(p, sizeof(p), rbase, rel);
	fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0600);
	if (fd < 0 || write(fd, "data", 4) != 4 || close(fd) ||
	    chown(p, u, g) || chmod(p, mode))
		die_setup("create", rel);
}

/* A rule: WHO does KIND on A (B, X, Y); POSIX says EXPECT. */
static void rule(const char *desc, int who, int expect, int kind,
		 const char *a, const char *b, long x, long y)
{
	struct op o = { .kind = kind, .who = who, .x = x, .y = y };

	snprintf(o.a, sizeof(o.a), "%s", a);
	snprintf(o.b, sizeof(o.b), "%s", b ? b : "");
	record(desc, expect, run_op(rbase, &o), 0);
}

static long st_of(const char *rel, int what)
{
	char p[512];
	struct stat st;

	path_of(p, sizeof(p), rbase, rel);
	if (lstat(p, &st))
		return -errno;
	return what == 0 ? (long)(st.st_mode & 07777) :
	       what == 1 ? (long)st.st_uid : (long)st.st_gid;
}

static void mode_is(const char *desc, const char *rel, long mode)
{
	record(desc, mode, st_of(rel, 0), 1);
}

/* The last check's FSAL_VFS result may be VAL instead (Ganesha's, not
 * POSIX's: WHY); ditto must still give the POSIX one. */
static void vfs_known(long val, const char *why)
{
	struct rres *r = &rres[ridx - 1];

	r->has_vfs_known = 1;
	r->vfs_known = val;
	r->vfs_why = why;
}

#define VFS_SETID_TRUNC "Ganesha FSAL_VFS keeps set-ID bits when a non-root user truncates (SETATTR size, OPEN with O_TRUNC)"

static void gid_is(const char *desc, const char *rel, long gid)
{
	record(desc, gid, st_of(rel, 2), 2);
}

static void uid_is(const char *desc, const char *rel, long uid)
{
	record(desc, uid, st_of(rel, 1), 2);
}

static void exists_is(const char *desc, const char *rel, int want)
{
	record(desc, want ? 0 : ENOENT, st_of(rel, 0) < 0 ? ENOENT : 0, 0);
}

#define RW (O_RDWR)
#define A_ ALICE
#define B_ BOB
#define C_ CAROL
#define R_ ROOT

static void rules_all(void)
{
	/* Search permission on the directories walked. */
	s_dir("s700", 0700, 1001, 1001);
	s_file("s700/f", 0666, 1001, 1001);
	s_dir("s766", 0766, 1001, 1001);
	s_file("s766/f", 0666, 1001, 1001);
	s_dir("s711", 0711, 1001, 1001);
	s_file("s711/f", 0666, 1001, 1001);
	rule("search: bob stat s700/f (dir 0700 alice)", B_, EACCES, OP_STAT, "s700/f", 0, 0, 0);
	rule("search: alice stat s700/f (her dir 0700)", A_, 0, OP_STAT, "s700/f", 0, 0, 0);
	rule("search: bob open O_RDONLY s700/f", B_, EACCES, OP_OPEN, "s700/f", 0, O_RDONLY, 0);
	rule("search: bob stat s766/f (dir rw- for others)",
	     B_, EACCES, OP_STAT, "s766/f", 0, 0, 0);
	rule("search: bob creat s766/n (write without search)",
	     B_, EACCES, OP_CREAT, "s766/n", 0, O_CREAT | O_WRONLY, 0644);
	rule("search: bob stat s711/f (dir --x for others)", B_, 0, OP_STAT, "s711/f", 0, 0, 0);
	rule("search: bob write s711/f (dir --x, file 0666)", B_, 0, OP_WRITE, "s711/f", 0, 0, 1);
	rule("search: bob creat s711/n (dir --x: no write)",
	     B_, EACCES, OP_CREAT, "s711/n", 0, O_CREAT | O_WRONLY, 0644);
	rule("search: root stat s700/f", R_, 0, OP_STAT, "s700/f", 0, 0, 0);

	/* Write + search on the directory for every name change. */
	s_dir("w", 0755, 1001, 1001);
	s_file("w/f", 0666, 1001, 1001);
	s_dir("w/sub", 0777, 1001, 1001);
	s_file("bobf", 0644, 1002, 1002);
	s_dir("open", 0777, 0, 0);
	rule("dirwrite: bob creat w/n (dir 0755 alice)",
	     B_, EACCES, OP_CREAT, "w/n", 0, O_CREAT | O_WRONLY, 0644);
	rule("dirwrite: bob mkdir w/nd", B_, EACCES, OP_MKDIR, "w/nd", 0, 0755, 0);
	rule("dirwrite: bob mkfifo w/p", B_, EACCES, OP_MKFIFO, "w/p", 0, 0644, 0);
	rule("dirwrite: bob symlink w/l", B_, EACCES, OP_SYMLINK, "f", "w/l", 0, 0);
	rule("dirwrite: bob link bobf w/ln", B_, EACCES, OP_LINK, "bobf", "w/ln", 0, 0);
	rule("dirwrite: bob unlink w/f", B_, EACCES, OP_UNLINK, "w/f", 0, 0, 0);
	rule("dirwrite: bob rmdir w/sub", B_, EACCES, OP_RMDIR, "w/sub", 0, 0, 0);
	rule("dirwrite: bob rename w/f open/f (source dir)",
	     B_, EACCES, OP_RENAME, "w/f", "open/f", 0, 0);
	rule("dirwrite: bob rename bobf w/g (target dir)",
	     B_, EACCES, OP_RENAME, "bobf", "w/g", 0, 0);
	rule("dirwrite: bob rename w/sub open/sub (dir, source dir)",
	     B_, EACCES, OP_RENAME, "w/sub", "open/sub", 0, 0);
	exists_is("dirwrite: w/f still there", "w/f", 1);
	exists_is("dirwrite: w/sub still there", "w/sub", 1);
	exists_is("dirwrite: bobf still there", "bobf", 1);
	exists_is("dirwrite: no w/n", "w/n", 0);
	rule("dirwrite: alice creat w/n (her dir)",
	     A_, 0, OP_CREAT, "w/n", 0, O_CREAT | O_WRONLY, 0644);
	rule("dirwrite: alice mkdir w/nd", A_, 0, OP_MKDIR, "w/nd", 0, 0755, 0);
	rule("dirwrite: alice mkfifo w/p", A_, 0, OP_MKFIFO, "w/p", 0, 0644, 0);
	rule("dirwrite: alice symlink w/l", A_, 0, OP_SYMLINK, "f", "w/l", 0, 0);
	rule("dirwrite: alice link w/f w/ln", A_, 0, OP_LINK, "w/f", "w/ln", 0, 0);
	rule("dirwrite: alice rename w/n w/n2", A_, 0, OP_RENAME, "w/n", "w/n2", 0, 0);
	rule("dirwrite: alice unlink w/n2", A_, 0, OP_UNLINK, "w/n2", 0, 0, 0);
	rule("dirwrite: alice rmdir w/nd", A_, 0, OP_RMDIR, "w/nd", 0, 0, 0);
	s_dir("grp", 0770, 1001, 1100);
	rule("dirwrite: bob creat grp/b (dir 0770 alice:1100, bob in 1100)",
	     B_, 0, OP_CREAT, "grp/b", 0, O_CREAT | O_WRONLY, 0644);
	rule("dirwrite: carol creat grp/c (not in 1100)",
	     C_, EACCES, OP_CREAT, "grp/c", 0, O_CREAT | O_WRONLY, 0644);
	s_dir("gx", 0707, 1001, 1100);
	rule("dirwrite: bob creat gx/b (dir 0707: group class has nothing)",
	     B_, EACCES, OP_CREAT, "gx/b", 0, O_CREAT | O_WRONLY, 0644);
	rule("dirwrite: carol creat gx/c (others rwx)",
	     C_, 0, OP_CREAT, "gx/c", 0, O_CREAT | O_WRONLY, 0644);
	/* rename needs write on both directories */
	s_dir("rw1", 0777, 1001, 1001);
	s_dir("ro1", 0755, 1001, 1001);
	s_file("rw1/f", 0644, 1002, 1002);
	s_file("ro1/f", 0644, 1002, 1002);
	rule("dirwrite: bob rename rw1/f ro1/g (target not writable)",
	     B_, EACCES, OP_RENAME, "rw1/f", "ro1/g", 0, 0);
	rule("dirwrite: bob rename ro1/f rw1/g (source not writable)",
	     B_, EACCES, OP_RENAME, "ro1/f", "rw1/g", 0, 0);
	rule("dirwrite: bob rename rw1/f open/g (both writable)",
	     B_, 0, OP_RENAME, "rw1/f", "open/g", 0, 0);

	/* Sticky directories. */
	s_dir("t", 01777, 0, 0);
	s_file("t/af", 0666, 1001, 1001);
	s_dir("t/ad", 0777, 1001, 1001);
	s_file("t/bf", 0666, 1002, 1002);
	rule("sticky: bob unlink t/af (alice's, t 1777 root)",
	     B_, EPERM, OP_UNLINK, "t/af", 0, 0, 0);
	rule("sticky: bob rmdir t/ad (alice's)", B_, EPERM, OP_RMDIR, "t/ad", 0, 0, 0);
	rule("sticky: bob rename t/af t/x (alice's)", B_, EPERM, OP_RENAME, "t/af", "t/x", 0, 0);
	rule("sticky: bob rename t/bf over t/af (alice's target)",
	     B_, EPERM, OP_RENAME, "t/bf", "t/af", 0, 0);
	rule("sticky: bob rename t/ad open/ad (alice's dir)",
	     B_, EPERM, OP_RENAME, "t/ad", "open/ad", 0, 0);
	exists_is("sticky: t/af still there", "t/af", 1);
	exists_is("sticky: t/ad still there", "t/ad", 1);
	rule("sticky: bob rename t/bf t/b2 (his own)", B_, 0, OP_RENAME, "t/bf", "t/b2", 0, 0);
	rule("sticky: bob unlink t/b2 (his own)", B_, 0, OP_UNLINK, "t/b2", 0, 0, 0);
	rule("sticky: alice unlink t/af (her own)", A_, 0, OP_UNLINK, "t/af", 0, 0, 0);
	rule("sticky: root rmdir t/ad", R_, 0, OP_RMDIR, "t/ad", 0, 0, 0);
	s_dir("tc", 01777, 1003, 1003);
	s_file("tc/af", 0666, 1001, 1001);
	s_file("tc/af2", 0666, 1001, 1001);
	rule("sticky: carol unlink tc/af (tc is carol's 1777)", C_, 0, OP_UNLINK, "tc/af", 0, 0, 0);
	rule("sticky: bob unlink tc/af2 (neither owner)", B_, EPERM, OP_UNLINK, "tc/af2", 0, 0, 0);

	/* Moving a directory to another parent writes its "..". */
	s_dir("mv", 0777, 1001, 1001);
	s_dir("mv/d755", 0755, 1001, 1001);
	s_dir("mv/d777", 0777, 1001, 1001);
	s_dir("mv/same", 0755, 1001, 1001);
	rule("dirmove: bob rename mv/d755 open/d755 (alice's dir 0755)",
	     B_, EACCES, OP_RENAME, "mv/d755", "open/d755", 0, 0);
	rule("dirmove: bob rename mv/d777 open/d777 (alice's dir 0777)",
	     B_, 0, OP_RENAME, "mv/d777", "open/d777", 0, 0);
	rule("dirmove: bob rename mv/same mv/same2 (same parent)",
	     B_, 0, OP_RENAME, "mv/same", "mv/same2", 0, 0);
	rule("dirmove: alice rename mv/d755 open/d755 (owner: write by mode)",
	     A_, 0, OP_RENAME, "mv/d755", "open/d755", 0, 0);

	/* chmod, utimensat. */
	s_file("cm", 0666, 1001, 1001);
	rule("chmod: bob chmod alice's 0666 file", B_, EPERM, OP_CHMOD, "cm", 0, 0777, 0);
	mode_is("chmod: mode unchanged after bob", "cm", 0666);
	rule("chmod: alice chmod her file 0640", A_, 0, OP_CHMOD, "cm", 0, 0640, 0);
	mode_is("chmod: mode 0640", "cm", 0640);
	rule("chmod: root chmod 0604", R_, 0, OP_CHMOD, "cm", 0, 0604, 0);
	s_file("ut666", 0666, 1001, 1001);
	s_file("ut644", 0644, 1001, 1001);
	s_file("ut444", 0444, 1001, 1001);
	rule("utimes: bob explicit times on alice's 0666",
	     B_, EPERM, OP_UTIME_SET, "ut666", 0, 1000000, 0);
	rule("utimes: bob UTIME_NOW on alice's 0666 (writable)",
	     B_, 0, OP_UTIME_NOW, "ut666", 0, 0, 0);
	rule("utimes: bob UTIME_NOW on alice's 0644", B_, EACCES, OP_UTIME_NOW, "ut644", 0, 0, 0);
	rule("utimes: alice explicit times on her 0444",
	     A_, 0, OP_UTIME_SET, "ut444", 0, 1000000, 0);
	rule("utimes: alice UTIME_NOW on her 0444", A_, 0, OP_UTIME_NOW, "ut444", 0, 0, 0);

	/* chown, chgrp. */
	s_file("co", 0644, 1001, 1001);
	rule("chown: alice gives her file to bob", A_, EPERM, OP_CHOWN, "co", 0, 1002, -1);
	rule("chown: bob chgrp alice's file to 1100", B_, EPERM, OP_CHOWN, "co", 0, -1, 1100);
	rule("chown: alice chgrp her file to 1003 (not hers)",
	     A_, EPERM, OP_CHOWN, "co", 0, -1, 1003);
	gid_is("chown: group still 1001", "co", 1001);
	rule("chown: alice chgrp her file to 1100 (hers)", A_, 0, OP_CHOWN, "co", 0, -1, 1100);
	gid_is("chown: group now 1100", "co", 1100);
	rule("chown: alice chown to herself (no change)", A_, 0, OP_CHOWN, "co", 0, 1001, -1);
	rule("chown: root chown to bob:1002", R_, 0, OP_CHOWN, "co", 0, 1002, 1002);
	uid_is("chown: owner now bob", "co", 1002);

	/* Set-ID bits. */
	s_file("su1", 06777, 1001, 1001);
	rule("setid: bob writes alice's 06777", B_, 0, OP_WRITE, "su1", 0, 0, 1);
	mode_is("setid: 06777 -> 0777 after bob's write", "su1", 0777);
	/* S_ISGID without S_IXGRP is kept when the writer is in the
	 * file's group (Linux >= 6.2 drops it for a writer outside the
	 * group, older ones keep it: not a rule here, posix-diff compares
	 * with the server's kernel). */
	s_file("su2", 06766, 1001, 1100);
	rule("setid: bob writes alice's 06766 of group 1100 (no g+x, bob in 1100)",
	     B_, 0, OP_WRITE, "su2", 0, 0, 1);
	mode_is("setid: 06766 -> 02766 after bob's write (S_ISGID kept without S_IXGRP)",
	     "su2", 02766);
	s_file("su3", 06755, 1001, 1001);
	rule("setid: alice writes her 06755", A_, 0, OP_WRITE, "su3", 0, 0, 1);
	mode_is("setid: 06755 -> 0755 after the owner's write", "su3", 0755);
	s_file("su4", 06777, 1001, 1001);
	rule("setid: root writes 06777", R_, 0, OP_WRITE, "su4", 0, 0, 1);
	mode_is("setid: 06777 kept after root's write", "su4", 06777);
	s_file("su5", 06777, 1001, 1001);
	rule("setid: bob truncates alice's 06777", B_, 0, OP_TRUNC, "su5", 0, 1, 0);
	mode_is("setid: 06777 -> 0777 after bob's truncate", "su5", 0777);
	vfs_known(06777, VFS_SETID_TRUNC);
	s_file("su6", 06777, 1001, 1001);
	rule("setid: bob ftruncates alice's 06777", B_, 0, OP_FTRUNC, "su6", 0, 0, 0);
	mode_is("setid: 06777 -> 0777 after bob's ftruncate", "su6", 0777);
	vfs_known(06777, VFS_SETID_TRUNC);
	s_file("su9", 06777, 1001, 1001);
	rule("setid: bob opens alice's 06777 O_WRONLY|O_TRUNC",
	     B_, 0, OP_OPEN, "su9", 0, O_WRONLY | O_TRUNC, 0);
	mode_is("setid: 06777 -> 0777 after bob's O_TRUNC open", "su9", 0777);
	vfs_known(06777, VFS_SETID_TRUNC);
	s_file("su11", 04777, 1001, 1001);
	rule("setid: alice truncates her own 04777", A_, 0, OP_TRUNC, "su11", 0, 1, 0);
	mode_is("setid: 04777 -> 0777 after the owner's truncate", "su11", 0777);
	vfs_known(04777, VFS_SETID_TRUNC);
	s_file("su10", 04777, 1001, 1001);
	rule("setid: root truncates 04777", R_, 0, OP_TRUNC, "su10", 0, 1, 0);
	mode_is("setid: 04777 kept after root's truncate", "su10", 04777);
	s_file("su7", 04755, 1001, 1001);
	rule("setid: root chown 04755 to bob", R_, 0, OP_CHOWN, "su7", 0, 1002, -1);
	mode_is("setid: 04755 -> 0755 after chown", "su7", 0755);
	s_file("su8", 06755, 1001, 1001);
	rule("setid: alice chgrp her 06755 to 1100", A_, 0, OP_CHOWN, "su8", 0, -1, 1100);
	mode_is("setid: 06755 -> 0755 after chgrp", "su8", 0755);
	s_file("sg1", 0755, 1001, 1003);
	rule("setid: alice chmod 02755 her file of group 1003 (not hers)",
	     A_, 0, OP_CHMOD, "sg1", 0, 02755, 0);
	mode_is("setid: S_ISGID silently dropped -> 0755", "sg1", 0755);
	s_file("sg2", 0755, 1001, 1100);
	rule("setid: alice chmod 02755 her file of group 1100 (hers)",
	     A_, 0, OP_CHMOD, "sg2", 0, 02755, 0);
	mode_is("setid: S_ISGID kept -> 02755", "sg2", 02755);

	/* S_ISGID directory. */
	s_dir("g", 02777, 0, 1100);
	rule("sgid-dir: alice creat g/f", A_, 0, OP_CREAT, "g/f", 0, O_CREAT | O_WRONLY, 0644);
	gid_is("sgid-dir: g/f has the dir's group 1100", "g/f", 1100);
	rule("sgid-dir: carol mkdir g/d", C_, 0, OP_MKDIR, "g/d", 0, 0755, 0);
	gid_is("sgid-dir: g/d has the dir's group 1100", "g/d", 1100);
	mode_is("sgid-dir: g/d inherits S_ISGID -> 02755", "g/d", 02755);
	rule("sgid-dir: carol mkfifo g/p", C_, 0, OP_MKFIFO, "g/p", 0, 0644, 0);
	gid_is("sgid-dir: g/p has the dir's group 1100", "g/p", 1100);

	/* open() permission checks. */
	s_file("o640", 0640, 1001, 1100);
	s_file("o604", 0604, 1001, 1100);
	s_file("o600", 0600, 1001, 1001);
	rule("open: bob O_RDONLY 0640 alice:1100 (group r)",
	     B_, 0, OP_OPEN, "o640", 0, O_RDONLY, 0);
	rule("open: bob O_WRONLY 0640 alice:1100", B_, EACCES, OP_OPEN, "o640", 0, O_WRONLY, 0);
	rule("open: carol O_RDONLY 0640 alice:1100", C_, EACCES, OP_OPEN, "o640", 0, O_RDONLY, 0);
	rule("open: bob O_RDONLY 0604 alice:1100 (group class wins)",
	     B_, EACCES, OP_OPEN, "o604", 0, O_RDONLY, 0);
	rule("open: carol O_RDONLY 0604 alice:1100 (others r)",
	     C_, 0, OP_OPEN, "o604", 0, O_RDONLY, 0);
	rule("open: alice O_RDWR her 0600", A_, 0, OP_OPEN, "o600", 0, RW, 0);
	rule("open: bob O_RDWR 0600 alice", B_, EACCES, OP_OPEN, "o600", 0, RW, 0);
	rule("open: bob O_WRONLY|O_TRUNC 0600 alice",
	     B_, EACCES, OP_OPEN, "o600", 0, O_WRONLY | O_TRUNC, 0);
	rule("open: bob truncate 0600 alice", B_, EACCES, OP_TRUNC, "o600", 0, 0, 0);
	rule("open: root O_RDWR 0600 alice", R_, 0, OP_OPEN, "o600", 0, RW, 0);
}

/* A result as text: a mode in octal, an id, or an errno name. */
static void fmt_val(char *buf, size_t n, int kind, long v)
{
	if (kind && v < 0)
		snprintf(buf, n, "%s", rstr((int)-v));
	else if (kind == 1)
		snprintf(buf, n, "0%lo", v);
	else if (kind == 2)
		snprintf(buf, n, "%ld", v);
	else
		snprintf(buf, n, "%s", rstr((int)v));
}

static int cmd_rules(const char *ref, const char *dut)
{
	char base[2][512];
	int i, t;

	for (t = 0; t < 2; t++) {
		snprintf(base[t], sizeof(base[t]), "%s/perm.%d", t ? dut : ref,
			 (int)getpid());
		if (mkdir(base[t], 0777) || chmod(base[t], 0777)) {
			printf("permprobe: FAIL setup mkdir %s: %s\n", base[t],
			       strerror(errno));
			return 1;
		}
		rtree = t;
		ridx = 0;
		rbase = base[t];
		rules_all();
	}
	for (i = 0; i < nrres; i++) {
		struct rres *r = &rres[i];
		char e[32], g0[32], g1[32];
		int vk = r->has_vfs_known && r->got[0] == r->vfs_known;
		int ok = (r->got[0] == r->expect || vk) && r->got[1] == r->expect;

		fmt_val(e, sizeof(e), r->is_mode, r->expect);
		fmt_val(g0, sizeof(g0), r->is_mode, r->got[0]);
		fmt_val(g1, sizeof(g1), r->is_mode, r->got[1]);
		if (ok && vk && r->got[0] != r->expect) {
			nok++;
			printf("permprobe: ok %s: %s (vfs %s: known: %s)\n",
			       r->desc, e, g0, r->vfs_why);
		} else if (ok) {
			nok++;
			printf("permprobe: ok %s: %s\n", r->desc, e);
		} else {
			nfail++;
			printf("permprobe: FAIL %s: expected %s, vfs %s%s, ditto %s%s\n",
			       r->desc, e, g0,
			       r->got[0] == r->expect ? "" :
			       vk ? " (known FSAL_VFS deviation)" : " (WRONG)",
			       g1, r->got[1] == r->expect ? "" : " (WRONG)");
		}
	}
	printf("permprobe: rules: %d passed, %d failed (of %d, each on vfs and ditto)\n",
	       nok, nfail, nrres);
	return nfail ? 1 : 0;
}

/* ---- differential ---- */

static uint64_t rng;
static uint64_t rnd(void)
{
	/* xorshift64*: the same sequence on every machine */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}
static long pick(long n)
{
	return (long)(rnd() % (uint64_t)n);
}

static const char *const names[] = {
	"x", "y", "a", "b", "a/x", "a/y", "a/b", "b/x", "b/y", "b/a",
};
static const char *const targets[] = {
	"x", "y", "a", "b/x", "a/x", "nowhere",
};
static const long modes[] = {
	0644, 0600, 0666, 0755, 0777, 0444, 0000, 0640, 0604,
	06755, 02755, 04755, 02745, 06777, 01777, 03777, 0700, 0711,
};
static const long uids[] = { 0, 1001, 1002, 1003, -1 };
static const long gids[] = { 0, 1001, 1002, 1003, 1100, -1 };

static long rmode(void)
{
	return pick(4) == 0 ? pick(010000) : modes[pick(ARRAY_SIZE(modes))];
}

/* Kinds of call left out of the draw ($PERMPROBE_SKIP: names, comma
 * separated); the sequence then differs from the full one's. */
static unsigned int skip_mask;

static void parse_skip(const char *list)
{
	char buf[256], *t, *save = NULL;
	int k;

	snprintf(buf, sizeof(buf), "%s", list ? list : "");
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < OP_NKINDS; k++)
			if (!strcmp(t, op_names[k]))
				skip_mask |= 1u << k;
	}
}

static void gen(struct op *o)
{
	static const int weights[OP_NKINDS] = {
		[OP_CREAT] = 10, [OP_OPEN] = 6, [OP_WRITE] = 6, [OP_TRUNC] = 4,
		[OP_FTRUNC] = 3, [OP_CHMOD] = 10, [OP_CHOWN] = 6,
		[OP_LCHOWN] = 2, [OP_UTIME_NOW] = 3, [OP_UTIME_SET] = 3,
		[OP_LINK] = 5, [OP_SYMLINK] = 4, [OP_RENAME] = 8,
		[OP_UNLINK] = 6, [OP_MKDIR] = 7, [OP_RMDIR] = 4,
		[OP_MKFIFO] = 1, [OP_STAT] = 2, [OP_SETXATTR] = 4,
	};
	static const long acc[] = { O_RDONLY, O_WRONLY, O_RDWR };
	int total = 0, k, r;

	for (k = 0; k < OP_NKINDS; k++)
		total += skip_mask & (1u << k) ? 0 : weights[k];
	if (!total) {
		skip_mask = 0;
		return gen(o);
	}
	r = (int)pick(total);
	for (k = 0; skip_mask & (1u << k) || r >= weights[k]; k++)
		if (!(skip_mask & (1u << k)))
			r -= weights[k];
	memset(o, 0, sizeof(*o));
	o->kind = k;
	o->who = (int)pick(NCRED);
	snprintf(o->a, sizeof(o->a), "%s", names[pick(ARRAY_SIZE(names))]);
	snprintf(o->b, sizeof(o->b), "%s", names[pick(ARRAY_SIZE(names))]);
	switch (k) {
	case OP_CREAT:
		o->x = acc[pick(3)] | O_CREAT | (pick(3) ? 0 : O_EXCL) |
		       (pick(3) ? 0 : O_TRUNC);
		o->y = rmode();
		break;
	case OP_OPEN:
		o->x = acc[pick(3)] | (pick(4) ? 0 : O_TRUNC);
		break;
	case OP_WRITE:
		o->x = pick(8);
		o->y = 1 + pick(4);
		break;
	case OP_TRUNC:
	case OP_FTRUNC:
		o->x = pick(12);
		break;
	case OP_CHMOD:
	case OP_MKDIR:
	case OP_MKFIFO:
		o->x = rmode();
		break;
	case OP_CHOWN:
	case OP_LCHOWN:
		o->x = uids[pick(ARRAY_SIZE(uids))];
		o->y = gids[pick(ARRAY_SIZE(gids))];
		break;
	case OP_UTIME_SET:
		o->x = 1000000 + pick(1000000);
		break;
	case OP_SYMLINK:
		snprintf(o->a, sizeof(o->a), "%s",
			 targets[pick(ARRAY_SIZE(targets))]);
		break;
	case OP_SETXATTR:
		o->x = pick(3);
		break;
	}
}

/* A normalised listing of a sandbox: path, type, mode, nlink, owner,
 * size (not for directories), link target. */
struct snap {
	char *buf;
	size_t len, cap;
};

static void snap_add(struct snap *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < s->cap - s->len)
			break;
		s->cap = s->cap * 2 + 4096;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf)
			exit(2);
	}
	s->len += (size_t)n;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ign_dir_nlink;

static void snap_dir(struct snap *s, const char *top, const char *rel,
		     int depth)
{
	char p[1024], q[1024], *ents[64], lnk[256];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int n = 0, i;

	snprintf(p, sizeof(p), "%s%s%s", top, *rel ? "/" : "", rel);
	d = opendir(p);
	if (!d) {
		snap_add(s, "%s: opendir %s\n", rel, rstr(errno));
		return;
	}
	while ((de = readdir(d)) && n < (int)ARRAY_SIZE(ents)) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ents[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(ents, (size_t)n, sizeof(ents[0]), cmpstr);
	for (i = 0; i < n; i++) {
		snprintf(q, sizeof(q), "%s%s%s", rel, *rel ? "/" : "", ents[i]);
		snprintf(p, sizeof(p), "%s/%s", top, q);
		if (lstat(p, &st)) {
			snap_add(s, "%s: lstat %s\n", q, rstr(errno));
			free(ents[i]);
			continue;
		}
		snap_add(s, "%s: %c %04o nlink %ld %u:%u", q,
			 S_ISDIR(st.st_mode) ? 'd' : S_ISREG(st.st_mode) ? 'f' :
			 S_ISLNK(st.st_mode) ? 'l' : S_ISFIFO(st.st_mode) ? 'p' : '?',
			 st.st_mode & 07777,
			 S_ISDIR(st.st_mode) && ign_dir_nlink ? 0L : (long)st.st_nlink,
			 st.st_uid, st.st_gid);
		if (S_ISREG(st.st_mode))
			snap_add(s, " size %lld", (long long)st.st_size);
		if (S_ISLNK(st.st_mode)) {
			ssize_t m = readlink(p, lnk, sizeof(lnk) - 1);

			lnk[m < 0 ? 0 : m] = 0;
			snap_add(s, " -> %s", lnk);
		}
		snap_add(s, "\n");
		if (S_ISDIR(st.st_mode) && depth < 8)
			snap_dir(s, top, q, depth + 1);
		free(ents[i]);
	}
}

static void snap_take(struct snap *s, const char *top)
{
	s->len = 0;
	if (!s->buf) {
		s->cap = 4096;
		s->buf = malloc(s->cap);
	}
	s->buf[0] = 0;
	snap_dir(s, top, "", 0);
}

/*
 * Resolve REL under BASE as root without letting the kernel follow
 * symlinks: the guest has fs.protected_symlinks=1, which stops root from
 * following another user's symlink in a sticky world-writable directory
 * that the link's owner, the caller, may follow.  Symlink targets here
 * are relative and have no "..".  0 and the path in OUT, or an errno.
 */
static int resolve_rel(const char *base, const char *rel, char *out, size_t n)
{
	char todo[1024], cur[1024] = "", cand[1024], p[1280], lnk[256], *sl;
	struct stat st;
	int loops = 0;
	ssize_t m;

	snprintf(todo, sizeof(todo), "%s", rel);
	while (todo[0]) {
		char comp[1024];

		sl = strchr(todo, '/');
		if (sl) {
			snprintf(comp, sizeof(comp), "%.*s", (int)(sl - todo),
				 todo);
			memmove(todo, sl + 1, strlen(sl + 1) + 1);
		} else {
			snprintf(comp, sizeof(comp), "%s", todo);
			todo[0] = 0;
		}
		if (!comp[0] || !strcmp(comp, "."))
			continue;
		snprintf(cand, sizeof(cand), "%s%s%s", cur, cur[0] ? "/" : "",
			 comp);
		snprintf(p, sizeof(p), "%s/%s", base, cand);
		if (lstat(p, &st))
			return errno;
		if (S_ISLNK(st.st_mode)) {
			char rest[1024];

			if (++loops > 40)
				return ELOOP;
			m = readlink(p, lnk, sizeof(lnk) - 1);
			if (m < 0)
				return errno;
			lnk[m] = 0;
			snprintf(rest, sizeof(rest), "%s%s%s", lnk,
				 todo[0] ? "/" : "", todo);
			snprintf(todo, sizeof(todo), "%s", rest);
			continue; /* relative to cur */
		}
		if (todo[0] && !S_ISDIR(st.st_mode))
			return ENOTDIR;
		snprintf(cur, sizeof(cur), "%s", cand);
	}
	snprintf(out, n, "%s%s%s", base, cur[0] ? "/" : "", cur);
	return 0;
}

static int rstat(const char *base, const char *rel, char *out, size_t n,
		 struct stat *st)
{
	int r = resolve_rel(base, rel, out, n);

	if (r)
		return r;
	return stat(out, st) ? errno : 0;
}

/* Linux's fs.protected_hardlinks (not POSIX) refuses a link to a file
 * the caller does not own unless it is a regular, non-set-ID file the
 * caller may read and write.  The guest's Debian kernel has it on, so
 * its client refuses such a link before sending anything; they are
 * made and compared like any call and only counted (with how many the
 * reference refused).  Decided from the reference tree before the
 * call. */
static int perm_ok(const struct stat *st, const struct cred *c, unsigned int want)
{
	int i, in = st->st_gid == c->gid;

	if (c->uid == 0)
		return 1;
	for (i = 0; i < c->ng; i++)
		in |= st->st_gid == c->g[i];
	if (st->st_uid == c->uid)
		return ((st->st_mode >> 6) & want) == want;
	if (in)
		return ((st->st_mode >> 3) & want) == want;
	return (st->st_mode & want) == want;
}

static int diff_skip(const char *ref, const struct op *o)
{
	const struct cred *c = &creds[o->who];
	char p[512];
	struct stat st;

	if (o->kind != OP_LINK || c->uid == 0)
		return 0;
	path_of(p, sizeof(p), ref, o->a);
	if (lstat(p, &st) || st.st_uid == c->uid)
		return 0;
	if (S_ISREG(st.st_mode) && !(st.st_mode & S_ISUID) &&
	    (st.st_mode & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP) &&
	    perm_ok(&st, c, 6))
		return 0;
	return 1;
}

/* setxattr: FSAL_VFS answers the RFC 8276 ops with NFS4ERR_NOTSUPP, so
 * the reference gives EOPNOTSUPP once the path resolves.  Then the
 * ditto result is checked against what POSIX (Linux) says for user.*
 * xattrs, from the reference tree's state before the call: regular
 * files and directories only (else EPERM), in a sticky directory only
 * its owner (else EPERM), otherwise write permission (EACCES). */
static int xattr_expect(const char *ref, const struct op *o)
{
	const struct cred *c = &creds[o->who];
	char p[512];
	struct stat st;

	int e = rstat(ref, o->a, p, sizeof(p), &st);

	if (e)
		return e;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return EPERM;
	if (S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) && c->uid &&
	    st.st_uid != c->uid)
		return EPERM;
	return perm_ok(&st, c, 2) ? 0 : EACCES;
}

static int xattr_checked, xattr_dut_only, links_skipped, links_refused;
static int sticky_dropped;

/* FSAL_VFS (Ganesha 6.5, fsal_common_is_referral/is_sticky_bit_set)
 * takes a directory with S_ISVTX and no execute bit at all for a
 * referral: GETFH on it is NFS4ERR_MOVED and the client's calls under
 * it EIO.  So no directory gets such a mode here: S_ISVTX is dropped
 * from mkdir modes and from chmod of what the reference tree shows as
 * a directory when the mode has no x bit, on both trees alike (sticky
 * directories with any x bit, the useful ones, stay). */
static void drop_dir_sticky(const char *ref, struct op *o)
{
	char p[512];
	struct stat st;

	if (!(o->x & S_ISVTX) || (o->x & 0111))
		return;
	if (o->kind == OP_CHMOD) {
		if (rstat(ref, o->a, p, sizeof(p), &st) || !S_ISDIR(st.st_mode))
			return;
	} else if (o->kind != OP_MKDIR) {
		return;
	}
	o->x &= ~(long)S_ISVTX;
	sticky_dropped++;
}

/* After a truncate by a non-root user (truncate, ftruncate, open or
 * creat with O_TRUNC) that succeeded on both trees, the reference tree
 * gets the set-ID bits that Linux clears (S_ISUID; S_ISGID when S_IXGRP
 * is set or the caller is not in the file's group, as the server's
 * kernel does on write) cleared by root: FSAL_VFS keeps them on
 * SETATTR(size) (see VFS_SETID_TRUNC), and the trees are compared as
 * usual after that.  Only when the size changes: the Linux client
 * sends no SETATTR(size) otherwise. */
static int setid_repaired;

static int in_group(const struct cred *c, gid_t g)
{
	int i;

	for (i = 0; i < c->ng; i++)
		if (c->g[i] == g)
			return 1;
	return c->gid == g;
}

static void vfs_truncate_fixup(const char *ref, const struct op *o,
			       int existed, off_t pre_size)
{
	const struct cred *c = &creds[o->who];
	char p[512];
	struct stat st;
	mode_t m;

	if (c->uid == 0 || !(o->kind == OP_TRUNC || o->kind == OP_FTRUNC ||
			     ((o->kind == OP_OPEN || o->kind == OP_CREAT) &&
			      existed && (o->x & O_TRUNC) &&
			      (o->x & O_ACCMODE))))
		return;
	/* The Linux client sends no size when it does not change it
	 * (nfs_setattr), so neither server sees a truncate then. */
	if (pre_size == ((o->kind == OP_TRUNC || o->kind == OP_FTRUNC) ?
			 o->x : 0))
		return;
	if (rstat(ref, o->a, p, sizeof(p), &st) || !S_ISREG(st.st_mode))
		return;
	m = st.st_mode & 07777;
	m &= ~(mode_t)S_ISUID;
	if ((m & S_ISGID) && ((m & S_IXGRP) || !in_group(c, st.st_gid)))
		m &= ~(mode_t)S_ISGID;
	if (m == (st.st_mode & 07777))
		return;
	if (chmod(p, m) == 0)
		setid_repaired++;
}

/* The entries a call names and their parents, lstat'ed (a cheap check
 * after every call; the full listing runs every FULL_EVERY calls). */
static void snap_names(struct snap *s, const char *top, const struct op *o)
{
	const char *rel[4] = { o->a, o->b, NULL, NULL };
	char par[2][64], p[512];
	struct stat st;
	int i;

	for (i = 0; i < 2; i++) {
		char *sl;

		snprintf(par[i], sizeof(par[i]), "%s", rel[i]);
		sl = strrchr(par[i], '/');
		if (sl) {
			*sl = 0;
			rel[2 + i] = par[i];
		}
	}
	s->len = 0;
	if (!s->buf) {
		s->cap = 4096;
		s->buf = malloc(s->cap);
	}
	s->buf[0] = 0;
	for (i = 0; i < 4; i++) {
		if (!rel[i] || !*rel[i] || (o->kind == OP_SYMLINK && i == 0))
			continue;
		path_of(p, sizeof(p), top, rel[i]);
		if (lstat(p, &st)) {
			snap_add(s, "%s: lstat %s\n", rel[i], rstr(errno));
			continue;
		}
		snap_add(s, "%s: %04o nlink %ld %u:%u", rel[i],
			 st.st_mode & 0177777,
			 S_ISDIR(st.st_mode) && ign_dir_nlink ? 0L : (long)st.st_nlink,
			 st.st_uid, st.st_gid);
		if (S_ISREG(st.st_mode))
			snap_add(s, " size %lld", (long long)st.st_size);
		snap_add(s, "\n");
	}
}

/* Run OPS[0..n) on fresh sandboxes; the index of the first call after
 * which the trees differ (its explanation in WHY), or -1. */
static int replay(const char *ref, const char *dut, const char *tag,
		  struct op *ops, int n, int quiet, int full_every,
		  int full_from, char *why, size_t whylen)
{
	static struct snap sa, sb;
	static int nsb;
	char ba[512], bb[512], os[256], pa[1024];
	int i, ra, rb, xe, existed, prot;
	struct stat pst;

	nsb++;
	snprintf(ba, sizeof(ba), "%s/%s.%d", ref, tag, nsb);
	snprintf(bb, sizeof(bb), "%s/%s.%d", dut, tag, nsb);
	if (mkdir(ba, 0777) || chmod(ba, 0777) || mkdir(bb, 0777) ||
	    chmod(bb, 0777)) {
		printf("permprobe: FAIL setup mkdir %s / %s: %s\n", ba, bb,
		       strerror(errno));
		exit(1);
	}
	for (i = 0; i < n; i++) {
		struct op *o = &ops[i];

		drop_dir_sticky(ba, o);
		op_str(o, os, sizeof(os));
		prot = diff_skip(ba, o);
		xe = o->kind == OP_SETXATTR ? xattr_expect(ba, o) : 0;
		path_of(pa, sizeof(pa), ba, o->a);
		existed = rstat(ba, o->a, pa, sizeof(pa), &pst) == 0;
		ra = run_op(ba, o);
		rb = run_op(bb, o);
		if (o->kind == OP_SETXATTR && ra == EOPNOTSUPP) {
			if (!quiet)
				xattr_checked++;
			if (rb != xe) {
				snprintf(why, whylen,
					 "call %d: %s: ditto %s, expected %s (vfs cannot store xattrs: %s)",
					 i + 1, os, rstr(rb), rstr(xe), rstr(ra));
				return i;
			}
			/* the value is on ditto only: nothing to compare */
			if (!quiet && rb == 0)
				xattr_dut_only++;
			continue;
		}
		if (prot && !quiet) {
			links_skipped++;
			links_refused += ra != 0;
		}
		if (ra != rb) {
			snprintf(why, whylen, "call %d: %s: vfs %s, ditto %s",
				 i + 1, os, rstr(ra), rstr(rb));
			return i;
		}
		if (ra == 0)
			vfs_truncate_fixup(ba, o, existed, pst.st_size);
		if (!quiet && (i + 1) % 500 == 0)
			printf("permprobe: ... %d calls, no difference yet\n",
			       i + 1);
		if (full_every > 1 && (i + 1) % full_every && i + 1 < n &&
		    i < full_from) {
			snap_names(&sa, ba, o);
			snap_names(&sb, bb, o);
		} else {
			snap_take(&sa, ba);
			snap_take(&sb, bb);
		}
		if (strcmp(sa.buf, sb.buf)) {
			char *p = sa.buf, *q = sb.buf, *ea, *eb;

			/* the first differing line of each */
			for (;;) {
				ea = strchr(p, '\n');
				eb = strchr(q, '\n');
				if (!ea || !eb || ea - p != eb - q ||
				    memcmp(p, q, (size_t)(ea - p)))
					break;
				p = ea + 1;
				q = eb + 1;
			}
			snprintf(why, whylen,
				 "call %d: %s (both %s), then the trees differ: vfs \"%.*s\", ditto \"%.*s\"",
				 i + 1, os, rstr(ra), ea ? (int)(ea - p) : (int)strlen(p), p,
				 eb ? (int)(eb - q) : (int)strlen(q), q);
			return i;
		}
	}
	return -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_ops(const char *what, const struct op *ops, int n)
{
	char os[256];
	int i;

	printf("permprobe: %s (%d calls):\n", what, n);
	for (i = 0; i < n; i++) {
		op_str(&ops[i], os, sizeof(os));
		printf("permprobe:   %3d  %s\n", i + 1, os);
	}
}

static int cmd_diff(const char *ref, const char *dut, uint64_t seed,
		    int count, double budget, int full_every)
{
	struct op *ops = calloc((size_t)count + 8, sizeof(*ops)), *cur, *try;
	char why[2048], why2[2048], tag[64];
	double t0 = now_s(), tr;
	int i, f, f2, n, chunk, start, any, sig, k;

	if (!ops)
		return 2;
	rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	if (!rng)
		rng = 1;
	/* Prologue: two directories to collide in. */
	ops[0] = (struct op){ .kind = OP_MKDIR, .who = ROOT, .a = "a", .x = 0777 };
	ops[1] = (struct op){ .kind = OP_MKDIR, .who = ROOT, .a = "b", .x = 01777 };
	for (i = 2; i < count; i++)
		gen(&ops[i]);
	snprintf(tag, sizeof(tag), "diff-%llu", (unsigned long long)seed);
	printf("permprobe: diff seed %llu, %d calls%s%s\n",
	       (unsigned long long)seed, count,
	       skip_mask ? ", without " : "",
	       skip_mask ? getenv("PERMPROBE_SKIP") : "");
	f = replay(ref, dut, tag, ops, count, 0, full_every, count, why,
		   sizeof(why));
	printf("permprobe: %d calls in %.0f s; %d setxattr calls checked against POSIX on ditto only (vfs: EOPNOTSUPP), %d of them stored an xattr on ditto; %d links under the protected_hardlinks rule (vfs refused %d); S_ISVTX dropped from %d directory modes without x; set-ID bits cleared on vfs after %d truncates\n",
	       f < 0 ? count : f + 1, now_s() - t0, xattr_checked,
	       xattr_dut_only, links_skipped, links_refused, sticky_dropped,
	       setid_repaired);
	if (f < 0) {
		printf("permprobe: diff seed %llu: no difference in %d calls\n",
		       (unsigned long long)seed, count);
		free(ops);
		return 0;
	}
	printf("permprobe: FAIL seed %llu: %s\n", (unsigned long long)seed, why);
	/* Confirm on fresh sandboxes: the shortest failing prefix is f+1
	 * if prefix f+1 fails again and prefix f passes. */
	n = f + 1;
	f2 = replay(ref, dut, "prefix", ops, n, 1, full_every, n - full_every,
		    why2, sizeof(why2));
	if (f2 < 0) {
		printf("permprobe: replay of the %d-call prefix on fresh trees: no difference (not reproducible)\n", n);
		free(ops);
		return 1;
	}
	n = f2 + 1;
	if (replay(ref, dut, "prefix", ops, n - 1, 1, full_every,
		   n - 1 - full_every, why2, sizeof(why2)) >= 0)
		printf("permprobe: prefix %d fails too (not monotonic); reporting %d\n", n - 1, n);
	printf("permprobe: SHORTEST FAILING PREFIX: %d calls (seed %llu; re-run with ditto.seed=%llu ditto.count=%d)\n",
	       n, (unsigned long long)seed, (unsigned long long)seed, n);
	if (n <= 40)
		print_ops("the prefix", ops, n);
	sig = ops[n - 1].kind;
	/* ddmin-style reduction: drop chunks that are not needed for a
	 * difference to show at the same kind of call, within the budget. */
	cur = malloc(sizeof(*cur) * (size_t)n);
	try = malloc(sizeof(*try) * (size_t)n);
	memcpy(cur, ops, sizeof(*cur) * (size_t)n);
	tr = now_s();
	/* First the last K calls alone, K = 1, 2, 4, ...: on fresh trees
	 * the few calls before the failing one often make all the state
	 * it needs, and these replays are short. */
	for (k = 1; k < n && now_s() - tr <= budget; k *= 2) {
		f2 = replay(ref, dut, "min", cur + n - k, k, 1, full_every, 0,
			    why2, sizeof(why2));
		if (f2 >= 0 && cur[n - k + f2].kind == sig) {
			memmove(cur, cur + n - k, sizeof(*cur) * (size_t)(f2 + 1));
			n = f2 + 1;
			snprintf(why, sizeof(why), "%s", why2);
			break;
		}
	}
	for (chunk = n / 2; chunk >= 1; chunk = chunk > 1 ? chunk / 2 : 0) {
		any = 1;
		while (any) {
			any = 0;
			/* the last call (where it shows) stays */
			for (start = n - 1 - chunk; start >= 0; start -= chunk) {
				int m = 0, j;

				if (now_s() - tr > budget)
					goto out;
				for (j = 0; j < n; j++)
					if (j < start || j >= start + chunk)
						try[m++] = cur[j];
				f2 = replay(ref, dut, "min", try, m, 1,
					    full_every, m - full_every, why2,
					    sizeof(why2));
				/* the same kind of call must show it */
				if (f2 >= 0 && try[f2].kind == sig) {
					n = f2 + 1;
					memcpy(cur, try, sizeof(*cur) * (size_t)n);
					snprintf(why, sizeof(why), "%s", why2);
					any = 1;
					if (start > n - 1)
						start = n - 1;
				}
			}
		}
	}
out:
	printf("permprobe: reduced in %.0f s%s: %s\n", now_s() - tr,
	       now_s() - tr > budget ? " (budget spent, may not be minimal)" : "",
	       why);
	print_ops("REDUCED failing sequence (on fresh empty sandboxes)", cur, n);
	free(cur);
	free(try);
	free(ops);
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "rules"))
		return cmd_rules(argv[2], argv[3]);
	if (argc >= 6 && argc <= 8 && !strcmp(argv[1], "diff")) {
		ign_dir_nlink = getenv("PERMPROBE_IGNORE_DIR_NLINK") != NULL;
		parse_skip(getenv("PERMPROBE_SKIP"));
		return cmd_diff(argv[2], argv[3], strtoull(argv[4], NULL, 0),
				atoi(argv[5]), argc >= 7 ? atof(argv[6]) : 120,
				argc >= 8 ? atoi(argv[7]) : 8);
	}
	fprintf(stderr, "usage: permprobe rules REF DUT\n"
		"       permprobe diff REF DUT SEED COUNT [BUDGET_S [FULL_EVERY]]\n");
	return 2;
}

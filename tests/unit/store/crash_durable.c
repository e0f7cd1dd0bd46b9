// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Crash test of the durable store.  Each cycle forks a child that opens
 * the store and runs a random create / write+commit / rename / link /
 * unlink / truncate / setxattr / unlink-while-open workload, logging
 * every operation before it starts ('B') and once it has returned
 * ('E', or 'X' when it failed) to a side log, one write + fdatasync
 * each.  The parent kills it with SIGKILL at a random moment, reopens
 * the store and checks it against a model replayed from the log: the
 * namespace (fileids per name), link counts, sizes, every byte of every
 * file, xattrs, no orphans, ds_store_check clean (link counts against
 * entries, no block/entry/xattr without its inode), handles still
 * valid, boot count moved.  The one operation that may have been in
 * flight is accepted as done or not done, never half done; which it was
 * is appended to the log.
 *
 *   crash_durable [--cycles N] [--seed S] [--dir D] [--powerloss 1]
 *                 [--conninfo C]
 *
 * --conninfo C: the store is a postgres one in the database C names, in
 * a new schema (the log stays in a directory); with
 * DITTO_STORE_BACKEND=postgres, C is DITTO_PG_CONNINFO (with_backend.sh).
 *
 * --powerloss 1: run under the power-loss shim (powerloss.c, given in
 * LD_PRELOAD): after each kill, every write to the store's files that
 * no sync made durable is undone before the store is reopened, so a
 * missing fdatasync shows up as a lost or torn acknowledged operation.
 *
 * --creators N: instead, N threads of the child each create and remove
 * names of their own (64 each) in one directory, so their commits share
 * batches (group commit); every acknowledged create or remove must be
 * there after the kill (and the power cut), the one in flight per
 * thread done or not.
 *
 * Prints the seed; exit status 0 only if every cycle checked clean.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <pthread.h>

#include "ditto_store.h"
#include "powerloss.h"

#define NDIR 4
#define NNAME 12
#define NSLOT (NDIR * NNAME)
#define NXATTR 3
#define MAXOFF (192 * 1024)
#define MAXLEN (24 * 1024)
#define BS 4096
#define OPS_PER_CHILD 4000

enum op {
	OP_CREATE = 1, OP_WRITE, OP_RENAME, OP_LINK, OP_UNLINK, OP_TRUNC,
	OP_XATTR, OP_ORPHAN,
};

struct lrec {
	uint32_t kind;		/* 'B', 'E', 'X' */
	uint32_t op;
	uint64_t seq;
	uint32_t a, b;		/* slots */
	uint64_t fileid;	/* the file acted on (E of CREATE: made) */
	uint32_t gen;
	uint32_t nrange;
	uint64_t off[3], len[3];
	uint64_t pat;		/* write pattern, xattr value, trunc size */
};

struct mfile {
	uint64_t fileid;
	uint32_t gen;
	uint32_t nlink;
	uint64_t size;
	unsigned char *data;	/* MAXOFF + MAXLEN bytes */
	bool xset[NXATTR];
	uint64_t xval[NXATTR];
};

struct model {
	uint64_t slot[NSLOT];	/* fileid or 0 */
	struct mfile *f;
	size_t nf;
};

static const char *dir;
static char logpath[512];
/* --creators: threads of the child, names per thread */
static unsigned int creators;
#define CNAMES 64
/* postgres: the conninfo of the store's own schema */
static char conninfo[1024];
static struct ds_config cfg = {
	.max_bytes = 64 << 20,
	.max_files = 4096,
	.block_size = BS,
	.max_file_size = 1 << 30,
};

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static unsigned char pat_byte(uint64_t pat, uint64_t off)
{
	uint64_t x = pat ^ (off * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return (unsigned char)x;
}

static void slot_name(uint32_t s, char *dname, char *fname)
{
	sprintf(dname, "d%u", s / NNAME);
	sprintf(fname, "f%u", s % NNAME);
}

static struct ds_store *open_store(void)
{
	struct ds_durable d = { .path = dir };
	struct ds_store *st;
	int rc;

	if (conninfo[0]) {
		d.backend = DS_BACKEND_POSTGRES;
		d.conninfo = conninfo;
	}
	rc = ds_store_open(&cfg, &d, &st);
	if (rc) {
		fprintf(stderr, "open %s: %s\n", dir, strerror(-rc));
		return NULL;
	}
	return st;
}

static void log_rec(int fd, struct lrec *r)
{
	if (write(fd, r, sizeof(*r)) != sizeof(*r) || fdatasync(fd))
		die("log");
}

/*
 * A kill inside write() can leave part of a record (a record straddling
 * a page boundary is copied a page at a time): drop it, or every later
 * record is read misaligned.  A torn 'B' is an op not started, a torn
 * 'E' one in flight.
 */
static void drop_torn_record(void)
{
	struct stat sb;
	off_t torn;

	if (stat(logpath, &sb))
		die(logpath);
	torn = sb.st_size % (off_t)sizeof(struct lrec);
	if (torn && truncate(logpath, sb.st_size - torn))
		die(logpath);
}

/* ---------------------------------------------------------------- child */

static struct ds_inode *dir_of(struct ds_store *st, uint32_t s)
{
	struct ds_inode *root = ds_root(st), *d = NULL;
	char dn[16], fn[16];

	slot_name(s, dn, fn);
	ds_lookup(root, dn, &d);
	ds_put(root);
	return d;
}

static struct ds_inode *file_at(struct ds_store *st, uint32_t s)
{
	struct ds_inode *d = dir_of(st, s), *f = NULL;
	char dn[16], fn[16];

	slot_name(s, dn, fn);
	if (d && ds_lookup(d, fn, &f))
		f = NULL;
	if (d)
		ds_put(d);
	return f;
}

static int do_write(struct ds_inode *f, const struct lrec *r)
{
	static unsigned char buf[MAXLEN];
	uint32_t i;
	uint64_t j;

	for (i = 0; i < r->nrange; i++) {
		struct iovec v = { buf, r->len[i] };

		for (j = 0; j < r->len[i]; j++)
			buf[j] = pat_byte(r->pat + i, r->off[i] + j);
		if (ds_write(f, &v, 1, r->off[i], NULL) != (ssize_t)r->len[i])
			return -EIO;
	}
	return ds_commit(f);
}

static int run_op(struct ds_store *st, struct lrec *r, unsigned int *rs)
{
	struct ds_inode *f, *da, *db;
	char dn[16], an[16], bn[16];
	struct ds_attr at;
	int rc;

	slot_name(r->a, dn, an);
	slot_name(r->b, dn, bn);
	da = dir_of(st, r->a);
	db = dir_of(st, r->b);
	f = file_at(st, r->a);
	switch (r->op) {
	case OP_CREATE: {
		struct ds_new nw = { .type = DS_REG, .mode = 0644 };

		rc = ds_create(da, an, &nw, NULL, &f, NULL, NULL);
		if (!rc) {
			r->fileid = ds_fileid(f);
			r->gen = ds_generation(f);
		}
		break;
	}
	case OP_WRITE:
		rc = f ? do_write(f, r) : -ENOENT;
		break;
	case OP_RENAME:
		rc = ds_rename(da, an, db, bn, NULL, NULL, NULL, NULL, NULL);
		break;
	case OP_LINK:
		rc = f ? ds_link(f, db, bn, NULL, NULL, NULL) : -ENOENT;
		break;
	case OP_UNLINK:
		rc = ds_unlink(da, an, NULL, NULL, NULL);
		break;
	case OP_TRUNC: {
		struct ds_set s = { .mask = DS_SET_SIZE, .size = r->pat };

		rc = f ? ds_setattr(f, &s, NULL, NULL) : -ENOENT;
		break;
	}
	case OP_XATTR: {
		char xn[8];

		sprintf(xn, "x%u", r->b % NXATTR);
		rc = f ? ds_setxattr(f, xn, &r->pat, sizeof(r->pat), 0, NULL) :
			 -ENOENT;
		break;
	}
	case OP_ORPHAN:
		/* Left open for good: the crash makes it an orphan. */
		rc = f ? ds_open(f) : -ENOENT;
		if (!rc)
			rc = ds_unlink(da, an, NULL, NULL, NULL);
		/* Data for the orphan only: a file with names left would
		 * make this op two durable steps, not one.
		 */
		if (!rc && ds_getattr(f, &at) == 0 && at.nlink == 0)
			do_write(f, r);
		break;
	default:
		rc = -EINVAL;
	}
	if (f)
		ds_put(f);
	ds_put(da);
	ds_put(db);
	(void)rs;
	return rc;
}

static void child(unsigned int seed, uint64_t seq0)
{
	unsigned int rs = seed;
	struct ds_store *st = open_store();
	int fd = open(logpath, O_WRONLY | O_APPEND | O_CLOEXEC);
	uint64_t seq = seq0;
	int i;

	if (!st || fd < 0)
		_exit(3);
	for (i = 0; i < OPS_PER_CHILD; i++) {
		struct lrec r = { .kind = 'B', .seq = ++seq };
		struct ds_inode *f;
		uint32_t k;

		r.op = 1 + rand_r(&rs) % 8;
		r.a = rand_r(&rs) % NSLOT;
		r.b = rand_r(&rs) % NSLOT;
		/* writes twice as often: they carry the committed bytes */
		if (rand_r(&rs) % 3 == 0)
			r.op = OP_WRITE;
		r.pat = ((uint64_t)rand_r(&rs) << 32) ^ rand_r(&rs);
		if (r.op == OP_TRUNC)
			r.pat %= MAXOFF;
		r.nrange = 1 + rand_r(&rs) % 3;
		for (k = 0; k < r.nrange; k++) {
			r.off[k] = rand_r(&rs) % MAXOFF;
			r.len[k] = 1 + rand_r(&rs) % MAXLEN;
		}
		f = file_at(st, r.a);
		if (f) {
			r.fileid = ds_fileid(f);
			r.gen = ds_generation(f);
			ds_put(f);
		}
		log_rec(fd, &r);
		r.kind = run_op(st, &r, &rs) ? 'X' : 'E';
		log_rec(fd, &r);
	}
	_exit(0);
}

/* --------------------------------------------------------- creators */

struct stats {
	uint64_t acked;		/* E records replayed */
	uint64_t inflight_done, inflight_undone;
	uint64_t seq;
};

struct creator {
	struct ds_store *st;
	struct ds_inode *g;
	unsigned int t, seed;
	int fd;
};

static void creator_name(uint32_t t, uint32_t i, char *name)
{
	sprintf(name, "t%u-%u", t, i);
}

/* Creates a name of its own if missing, removes it if there. */
static void *creator(void *arg)
{
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	struct creator *c = arg;
	struct ds_inode *f;
	char name[32];
	int i, rc;

	for (i = 0; i < OPS_PER_CHILD; i++) {
		struct lrec r = { .kind = 'B', .a = c->t };

		r.b = rand_r(&c->seed) % CNAMES;
		creator_name(r.a, r.b, name);
		rc = ds_lookup(c->g, name, &f);
		if (!rc)
			ds_put(f);
		r.op = rc ? OP_CREATE : OP_UNLINK;
		log_rec(c->fd, &r);
		if (r.op == OP_CREATE) {
			rc = ds_create(c->g, name, &nw, NULL, &f, NULL, NULL);
			if (!rc)
				ds_put(f);
		} else {
			rc = ds_unlink(c->g, name, NULL, NULL, NULL);
		}
		r.kind = rc ? 'X' : 'E';
		log_rec(c->fd, &r);
	}
	return NULL;
}

static void creators_child(unsigned int seed)
{
	struct ds_store *st = open_store();
	int fd = open(logpath, O_WRONLY | O_APPEND | O_CLOEXEC);
	struct creator c[16];
	pthread_t th[16];
	struct ds_inode *root;
	unsigned int t;

	if (!st || fd < 0)
		_exit(3);
	root = ds_root(st);
	if (ds_lookup(root, "g", &c[0].g))
		_exit(3);
	for (t = 0; t < creators; t++) {
		c[t] = (struct creator){ st, c[0].g, t, seed + t, fd };
		if (pthread_create(&th[t], NULL, creator, &c[t]))
			_exit(3);
	}
	for (t = 0; t < creators; t++)
		pthread_join(th[t], NULL);
	_exit(0);
}

/*
 * Every name as the acknowledged ops left it; the op each thread had in
 * flight may be done or not, and which it was is logged for the next
 * cycle.
 */
static bool creators_same(struct ds_store *st, struct stats *stats)
{
	static bool there[16][CNAMES];
	struct lrec open_op[16] = { 0 }, r;
	struct ds_inode *root, *g, *f;
	int fd = open(logpath, O_RDONLY);
	bool ok = true, has;
	uint32_t t, i;
	char name[32];

	if (fd < 0)
		die(logpath);
	memset(there, 0, sizeof(there));
	stats->acked = 0;
	while (read(fd, &r, sizeof(r)) == sizeof(r)) {
		if (r.a >= creators || r.b >= CNAMES)
			die("log record");
		if (r.kind == 'B') {
			open_op[r.a] = r;
			continue;
		}
		open_op[r.a].kind = 0;
		if (r.kind == 'E') {
			there[r.a][r.b] = r.op == OP_CREATE;
			stats->acked++;
		}
	}
	close(fd);
	root = ds_root(st);
	if (ds_lookup(root, "g", &g))
		die("lookup g");
	ds_put(root);
	fd = open(logpath, O_WRONLY | O_APPEND);
	if (fd < 0)
		die(logpath);
	for (t = 0; t < creators; t++) {
		for (i = 0; i < CNAMES; i++) {
			creator_name(t, i, name);
			has = !ds_lookup(g, name, &f);
			if (has)
				ds_put(f);
			if (has == there[t][i])
				continue;
			r = open_op[t];
			if (r.kind == 'B' && r.b == i &&
			    has == (r.op == OP_CREATE)) {
				r.kind = 'E';	/* done after all */
				log_rec(fd, &r);
				stats->inflight_done++;
				open_op[t].kind = 0;
				continue;
			}
			fprintf(stderr, "%s: %s, acknowledged %s\n", name,
				has ? "there" : "missing",
				there[t][i] ? "there" : "gone");
			ok = false;
		}
		if (open_op[t].kind == 'B') {
			r = open_op[t];
			r.kind = 'X';
			log_rec(fd, &r);
			stats->inflight_undone++;
		}
	}
	close(fd);
	ds_put(g);
	return ok;
}

/* ---------------------------------------------------------------- model */

static struct mfile *mf(struct model *m, uint64_t id)
{
	size_t i;

	for (i = 0; i < m->nf; i++)
		if (m->f[i].fileid == id)
			return &m->f[i];
	return NULL;
}

static void mdrop(struct model *m, uint64_t id)
{
	struct mfile *f = mf(m, id);

	if (f && --f->nlink == 0) {
		free(f->data);
		*f = m->f[--m->nf];
	}
}

static void model_copy(struct model *dst, const struct model *src)
{
	size_t i;

	memcpy(dst->slot, src->slot, sizeof(dst->slot));
	dst->nf = src->nf;
	dst->f = malloc((src->nf + 1) * sizeof(*dst->f));
	if (!dst->f)
		die("malloc");
	for (i = 0; i < src->nf; i++) {
		dst->f[i] = src->f[i];
		dst->f[i].data = malloc(MAXOFF + MAXLEN);
		if (!dst->f[i].data)
			die("malloc");
		memcpy(dst->f[i].data, src->f[i].data, MAXOFF + MAXLEN);
	}
}

static void model_free(struct model *m)
{
	size_t i;

	for (i = 0; i < m->nf; i++)
		free(m->f[i].data);
	free(m->f);
	m->f = NULL;
	m->nf = 0;
}

/* The effect of a successful operation. */
static void apply(struct model *m, const struct lrec *r)
{
	uint64_t src = m->slot[r->a];
	struct mfile *f = mf(m, r->fileid);
	uint32_t i;
	uint64_t j;

	switch (r->op) {
	case OP_CREATE: {
		struct mfile *nf;

		nf = realloc(m->f, (m->nf + 1) * sizeof(*m->f));
		if (!nf)
			die("realloc");
		m->f = nf;
		nf = &m->f[m->nf++];
		memset(nf, 0, sizeof(*nf));
		nf->fileid = r->fileid;
		nf->gen = r->gen;
		nf->nlink = 1;
		nf->data = calloc(1, MAXOFF + MAXLEN);
		if (!nf->data)
			die("calloc");
		m->slot[r->a] = r->fileid;
		break;
	}
	case OP_WRITE:
		for (i = 0; f && i < r->nrange; i++) {
			for (j = 0; j < r->len[i]; j++)
				f->data[r->off[i] + j] =
					pat_byte(r->pat + i, r->off[i] + j);
			if (r->off[i] + r->len[i] > f->size)
				f->size = r->off[i] + r->len[i];
		}
		break;
	case OP_RENAME:
		if (m->slot[r->b] == src)
			break;
		if (m->slot[r->b])
			mdrop(m, m->slot[r->b]);
		m->slot[r->b] = src;
		m->slot[r->a] = 0;
		break;
	case OP_LINK:
		m->slot[r->b] = r->fileid;
		f->nlink++;
		break;
	case OP_UNLINK:
	case OP_ORPHAN:
		m->slot[r->a] = 0;
		mdrop(m, src);
		break;
	case OP_TRUNC:
		if (r->pat < f->size)
			memset(f->data + r->pat, 0, f->size - r->pat);
		f->size = r->pat;
		break;
	case OP_XATTR:
		f->xset[r->b % NXATTR] = true;
		f->xval[r->b % NXATTR] = r->pat;
		break;
	}
}

/* ---------------------------------------------------------------- check */

static bool verbose;

static bool bad(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static bool bad(const char *fmt, ...)
{
	va_list ap;

	if (verbose) {
		va_start(ap, fmt);
		fprintf(stderr, "  mismatch: ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	return false;
}

static bool same_file(struct ds_store *st, const struct mfile *f)
{
	static unsigned char buf[MAXOFF + MAXLEN];
	struct iovec v = { buf, sizeof(buf) };
	struct ds_inode *ino;
	struct ds_attr a;
	uint64_t val;
	size_t len;
	bool eof, ok = true;
	ssize_t n;
	int i;

	if (ds_find(st, f->fileid, f->gen, &ino))
		return bad("file %" PRIu64 ": handle stale", f->fileid);
	ds_getattr(ino, &a);
	if (a.nlink != f->nlink || a.size != f->size)
		ok = bad("file %" PRIu64 ": nlink %u size %" PRIu64
			 ", model %u %" PRIu64, f->fileid, a.nlink, a.size,
			 f->nlink, f->size);
	n = ds_read(ino, &v, 1, 0, &eof);
	if (ok && n != (ssize_t)f->size)
		ok = bad("file %" PRIu64 ": read %zd of %" PRIu64, f->fileid,
			 n, f->size);
	for (len = 0; ok && len < f->size; len++)
		if (buf[len] != f->data[len])
			ok = bad("file %" PRIu64 ": byte %zu is %u, model %u",
				 f->fileid, len, buf[len], f->data[len]);
	for (i = 0; ok && i < NXATTR; i++) {
		char xn[8];
		int rc;

		sprintf(xn, "x%d", i);
		rc = ds_getxattr(ino, xn, NULL, &val, sizeof(val), &len);
		if (f->xset[i] ? rc || val != f->xval[i] : rc != -ENODATA)
			ok = bad("file %" PRIu64 ": xattr %s", f->fileid, xn);
	}
	ds_put(ino);
	return ok;
}

static bool same(struct ds_store *st, const struct model *m)
{
	struct ds_inode *root = ds_root(st);
	bool ok = true;
	uint32_t s;
	size_t i;

	for (s = 0; s < NSLOT && ok; s++) {
		struct ds_inode *f = file_at(st, s);
		uint64_t got = f ? ds_fileid(f) : 0;

		if (f)
			ds_put(f);
		if (got != m->slot[s])
			ok = bad("slot %u: fileid %" PRIu64 ", model %" PRIu64,
				 s, got, m->slot[s]);
	}
	for (s = 0; s < NDIR && ok; s++) {
		struct ds_inode *d = dir_of(st, s * NNAME);
		uint64_t want = 0;
		uint32_t k;

		for (k = 0; k < NNAME; k++)
			want += m->slot[s * NNAME + k] != 0;
		if (ds_dir_count(d) != want)
			ok = bad("d%u: %" PRIu64 " entries, model %" PRIu64, s,
				 ds_dir_count(d), want);
		ds_put(d);
	}
	if (ok && ds_dir_count(root) != NDIR)
		ok = bad("root: %" PRIu64 " entries", ds_dir_count(root));
	for (i = 0; i < m->nf && ok; i++)
		ok = same_file(st, &m->f[i]);
	ds_put(root);
	return ok;
}

/* Replays the log; *open is the trailing 'B' with no outcome, if any. */
static void replay(struct model *m, struct stats *stats,
		   struct lrec *inflight, bool *has_inflight)
{
	int fd = open(logpath, O_RDONLY);
	struct lrec r, b = { 0 };
	bool pending = false;

	if (fd < 0)
		die(logpath);
	stats->acked = 0;
	while (read(fd, &r, sizeof(r)) == sizeof(r)) {
		stats->seq = r.seq;
		if (r.kind == 'B') {
			b = r;
			pending = true;
			continue;
		}
		pending = false;
		if (r.kind == 'E') {
			apply(m, &r);
			stats->acked++;
		}
	}
	close(fd);
	*inflight = b;
	*has_inflight = pending;
}

static int cycle_check(unsigned int cyc, uint64_t *boot, struct stats *stats)
{
	struct model m = { 0 }, m2 = { 0 };
	struct ds_store *st = open_store();
	struct lrec r;
	struct ds_check ck;
	bool open_op, ok;
	int fd;

	if (!st)
		return 1;
	if (ds_boot_count(st) <= *boot) {
		fprintf(stderr, "cycle %u: boot count %" PRIu64 " did not move\n",
			cyc, ds_boot_count(st));
		return 1;
	}
	*boot = ds_boot_count(st);
	if (ds_store_check(st, &ck) || ck.errors || ck.orphans) {
		fprintf(stderr, "cycle %u: check: %" PRIu64 " errors, %" PRIu64
			" orphans: %s\n", cyc, ck.errors, ck.orphans,
			ck.first_error);
		return 1;
	}
	if (creators) {
		ok = creators_same(st, stats);
		open_op = false;
		goto out;
	}
	replay(&m, stats, &r, &open_op);
	verbose = false;
	ok = same(st, &m);
	if (!ok && open_op) {
		/* The operation in flight at the kill: done after all? */
		if (r.op == OP_CREATE) {
			struct ds_inode *f = file_at(st, r.a);

			if (f) {
				r.fileid = ds_fileid(f);
				r.gen = ds_generation(f);
				ds_put(f);
			}
		}
		model_copy(&m2, &m);
		apply(&m2, &r);
		ok = same(st, &m2);
		if (ok) {
			r.kind = 'E';
			stats->inflight_done++;
		}
		model_free(&m2);
	} else if (ok && open_op) {
		r.kind = 'X';
		stats->inflight_undone++;
	}
	if (!ok) {
		fprintf(stderr, "cycle %u: store matches neither model (seq %"
			PRIu64 ", in-flight op %u):\n", cyc, stats->seq,
			open_op ? r.op : 0);
		verbose = true;
		same(st, &m);
	} else if (open_op) {
		fd = open(logpath, O_WRONLY | O_APPEND);
		if (fd < 0)
			die(logpath);
		log_rec(fd, &r);
		close(fd);
	}
	model_free(&m);
out:
	printf("cycle %u: %" PRIu64 " acknowledged ops, %" PRIu64
	       " inodes, %" PRIu64 " blocks, boot %" PRIu64 ": %s\n",
	       cyc, stats->acked, ck.inodes, ck.blocks, *boot,
	       ok ? "ok" : "FAILED");
	ds_store_free(st);
	return ok ? 0 : 1;
}

static int init_store(void)
{
	struct ds_store *st = open_store();
	struct ds_inode *root, *d;
	struct ds_new nw = { .type = DS_DIR, .mode = 0755 };
	char name[8];
	int i, fd;

	if (!st)
		return 1;
	root = ds_root(st);
	for (i = 0; i < NDIR; i++) {
		sprintf(name, "d%d", i);
		if (ds_create(root, name, &nw, NULL, &d, NULL, NULL))
			return 1;
		ds_put(d);
	}
	if (creators) {
		if (ds_create(root, "g", &nw, NULL, &d, NULL, NULL))
			return 1;
		ds_put(d);
	}
	ds_put(root);
	ds_store_free(st);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(logpath);
	close(fd);
	return 0;
}

/* A new schema in the database ci names, for the store. */
static int pg_schema(const char *ci)
{
	char sql[96], schema[64];
	PGconn *c = PQconnectdb(ci);
	PGresult *r;
	int ok;

	snprintf(schema, sizeof(schema), "crash_%d_%ld", (int)getpid(),
		 (long)time(NULL));
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", schema);
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	snprintf(conninfo, sizeof(conninfo), "%s options='-csearch_path=%s'",
		 ci, schema);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	unsigned int cycles = 50, seed = (unsigned int)time(NULL) ^ getpid();
	char tmpl[] = "/tmp/ditto-crash-XXXXXX";
	struct stats stats = { 0 };
	uint64_t boot = 0;
	unsigned int c, failures = 0, killed = 0;
	struct ditto_powerloss_stats pl, pl_sum = { 0 };
	int (*cut)(struct ditto_powerloss_stats *) = NULL;
	bool own_dir = false, powerloss = false;
	const char *ci = NULL, *be = getenv("DITTO_STORE_BACKEND");
	int i;

	if (be && !strcmp(be, "postgres"))
		ci = getenv("DITTO_PG_CONNINFO");

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--cycles"))
			cycles = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
		else if (!strcmp(argv[i], "--powerloss"))
			powerloss = atoi(argv[i + 1]) != 0;
		else if (!strcmp(argv[i], "--conninfo"))
			ci = argv[i + 1];
		else if (!strcmp(argv[i], "--creators"))
			creators = strtoul(argv[i + 1], NULL, 0);
	}
	if (creators > 16) {
		fprintf(stderr, "--creators: at most 16\n");
		return 2;
	}
	if (ci && pg_schema(ci))
		return 2;
	if (powerloss) {
		cut = (int (*)(struct ditto_powerloss_stats *))dlsym(
			RTLD_DEFAULT, "ditto_powerloss_cut");
		if (!cut) {
			fprintf(stderr, "--powerloss: the shim is not loaded "
				"(LD_PRELOAD=libditto_powerloss.so)\n");
			return 2;
		}
	}
	if (!dir) {
		dir = mkdtemp(tmpl);
		if (!dir)
			die("mkdtemp");
		own_dir = true;
	}
	snprintf(logpath, sizeof(logpath), "%s.log", dir);
	/* The shim tracks the store's files from here on. */
	if (powerloss && setenv("DITTO_POWERLOSS_DIR", dir, 1))
		die("setenv");
	printf("crash_durable: seed %u, %u cycles, store %s%s\n", seed,
	       cycles, conninfo[0] ? conninfo : dir,
	       powerloss ? ", power loss at each kill" : "");
	fflush(stdout);
	if (init_store())
		return 2;
	srand(seed);
	for (c = 0; c < cycles && failures == 0; c++) {
		unsigned int cseed = seed * 2654435761u + c;
		pid_t pid;
		int status;

		fflush(stdout);
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0 && creators)
			creators_child(cseed);
		if (pid == 0)
			child(cseed, stats.seq);
		/* Anywhere from inside the open to deep in the workload. */
		usleep(rand() % 400000);
		if (kill(pid, SIGKILL) == 0)
			killed++;
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		drop_torn_record();
		if (cut) {
			cut(&pl);
			pl_sum.undone += pl.undone;
			pl_sum.bytes += pl.bytes;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
			fprintf(stderr, "cycle %u: child failed (%d)\n", c,
				WEXITSTATUS(status));
			failures++;
			break;
		}
		failures += cycle_check(c, &boot, &stats);
	}
	printf("crash_durable: seed %u: %u cycles (%u killed), %" PRIu64
	       " acknowledged ops checked, in-flight op done %" PRIu64
	       " / not done %" PRIu64 ", failures=%u\n",
	       seed, c, killed, stats.acked, stats.inflight_done,
	       stats.inflight_undone, failures);
	if (cut)
		printf("crash_durable: power loss undid %" PRIu64
		       " unsynced writes (%" PRIu64 " bytes) over %u cuts\n",
		       pl_sum.undone, pl_sum.bytes, c);
	if (own_dir && failures == 0) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' '%s.undo'", dir,
			 logpath, dir);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return failures ? 1 : 0;
}

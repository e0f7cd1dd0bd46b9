// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Several heads on one postgres store (docs/postgres.md, "Several
 * heads"): two or three stores opened in this process on one schema.
 * What one head's call changed is visible on the others as soon as the
 * call returns (names, attributes, READDIR with the same cookies, data,
 * xattrs, capacity), the invalidation hook names what changed,
 * concurrent renames and links on two heads keep the store's
 * invariants (no lost entry, no cycle, link counts), and a closed or
 * killed head is not waited for.  Runs with DITTO_STORE_BACKEND=
 * postgres (ctest store_heads_postgres).
 */
#include <pthread.h>
#include <sys/time.h>

#include "durable_test.h"
#include "pg_int.h"

TestSuite(heads, .init = setup, .fini = teardown);

static struct ds_inode *try_get(struct ds_inode *d, const char *name)
{
	struct ds_inode *ino = NULL;

	return ds_lookup(d, name, &ino) ? NULL : ino;
}

static struct ds_inode *mkdir_in(struct ds_inode *d, const char *name)
{
	return mk(d, name, DS_DIR);
}

/* The same attributes as far as another head can know them. */
static void same_attrs(struct ds_inode *a, struct ds_inode *b)
{
	struct ds_attr x = attr_of(a), y = attr_of(b);

	cr_assert_eq(x.fileid, y.fileid);
	cr_assert_eq(x.type, y.type);
	cr_assert_eq(x.mode, y.mode, "mode %o vs %o", x.mode, y.mode);
	cr_assert_eq(x.uid, y.uid);
	cr_assert_eq(x.nlink, y.nlink, "nlink %u vs %u", x.nlink, y.nlink);
	cr_assert_eq(x.size, y.size, "size %lu vs %lu",
		     (unsigned long)x.size, (unsigned long)y.size);
	cr_assert_eq(x.mtime.tv_sec, y.mtime.tv_sec);
	cr_assert_eq(x.mtime.tv_nsec, y.mtime.tv_nsec);
}

/* "name=cookie," for each entry, in READDIR order. */
static void listing(struct ds_inode *d, char *out, size_t len)
{
	struct ds_dirent ents[64];
	unsigned int n, i;
	uint64_t whence = 0;
	bool eof = false;
	size_t o = 0;

	out[0] = '\0';
	while (!eof) {
		cr_assert_eq(ds_readdir(d, whence, ents, 64, &n, &eof), 0);
		for (i = 0; i < n; i++) {
			o += snprintf(out + o, len - o, "%s=%lu,", ents[i].name,
				      (unsigned long)ents[i].cookie);
			whence = ents[i].cookie;
			ds_put(ents[i].ino);
		}
	}
}

static void same_listing(struct ds_inode *a, struct ds_inode *b)
{
	static char x[16384], y[16384];

	listing(a, x, sizeof(x));
	listing(b, y, sizeof(y));
	cr_assert_str_eq(x, y);
}

Test(heads, a_change_on_one_head_is_seen_on_the_other_at_once)
{
	struct ds_store *a = open_at(dir), *b = open_at(dir);
	struct ds_inode *ra = ds_root(a), *rb = ds_root(b);
	struct ds_inode *da, *db, *fa, *fb, *la, *lb;
	struct ds_set set = { .mask = DS_SET_MODE, .mode = 0600 };
	char buf[3 * BS], back[3 * BS], target[64], val[16];
	struct iovec iov = { buf, sizeof(buf) }, biov = { back, sizeof(back) };
	size_t len;
	bool eof;

	da = mkdir_in(ra, "d");
	db = get(rb, "d");
	same_attrs(da, db);
	same_attrs(ra, rb);
	fa = mk(da, "f", DS_REG);
	fb = get(db, "f");
	same_attrs(fa, fb);
	same_attrs(da, db);
	ds_put(mk(da, "g", DS_REG));
	same_listing(da, db);

	/* rename, remove */
	cr_assert_eq(ds_rename(da, "f", ra, "f2", NULL, NULL, NULL, NULL,
			       NULL), 0);
	cr_assert_null(try_get(db, "f"));
	ds_put(get(rb, "f2"));
	same_listing(da, db);
	same_listing(ra, rb);
	cr_assert_eq(ds_unlink(da, "g", NULL, NULL, NULL), 0);
	cr_assert_null(try_get(db, "g"));
	same_listing(da, db);

	/* setattr, data, xattr, symlink */
	cr_assert_eq(ds_setattr(fa, &set, NULL, NULL), 0);
	same_attrs(fa, fb);
	memset(buf, 'x', sizeof(buf));
	buf[BS + 5] = 'y';
	cr_assert_eq(ds_write(fa, &iov, 1, BS / 2, NULL), (ssize_t)sizeof(buf));
	cr_assert_eq(ds_commit(fa), 0);
	same_attrs(fa, fb);
	cr_assert_eq(ds_read(fb, &biov, 1, BS / 2, &eof), (ssize_t)sizeof(buf));
	cr_assert_eq(memcmp(buf, back, sizeof(buf)), 0);
	cr_assert_eq(ds_setxattr(fa, "user.k", "v1", 2, 0, NULL), 0);
	cr_assert_eq(ds_getxattr(fb, "user.k", NULL, val, sizeof(val), &len),
		     0);
	cr_assert_eq(len, 2);
	cr_assert_eq(memcmp(val, "v1", 2), 0);
	cr_assert_eq(ds_removexattr(fa, "user.k", NULL), 0);
	cr_assert_eq(ds_getxattr(fb, "user.k", NULL, val, sizeof(val), &len),
		     -ENODATA);
	la = mk(ra, "l", DS_LNK);
	lb = get(rb, "l");
	cr_assert_eq(ds_readlink(lb, target, sizeof(target), &len), 0);
	cr_assert_str_eq(target, "target");
	/* and the other way round */
	cr_assert_eq(ds_unlink(rb, "l", NULL, NULL, NULL), 0);
	cr_assert_null(try_get(ra, "l"));
	cr_assert_eq(ds_getattr(la, &(struct ds_attr){ 0 }), -ESTALE);
	same_listing(ra, rb);
	check_clean(a);
	ds_put(la);
	ds_put(lb);
	ds_put(fa);
	ds_put(fb);
	ds_put(da);
	ds_put(db);
	ds_put(ra);
	ds_put(rb);
	ds_store_free(b);
	ds_store_free(a);
}

struct seen {
	pthread_mutex_t lock;
	uint64_t ids[64];
	uint32_t gens[64];
	enum ds_type types[64];
	size_t n;
	unsigned int all;	/* calls with n == 0 */
};

static void note_changed(void *arg, const struct ds_changed *objs, size_t n)
{
	struct seen *s = arg;
	size_t i;

	pthread_mutex_lock(&s->lock);
	if (!n)
		s->all++;
	for (i = 0; i < n && s->n < 64; i++) {
		s->gens[s->n] = objs[i].generation;
		s->types[s->n] = objs[i].type;
		s->ids[s->n++] = objs[i].fileid;
	}
	pthread_mutex_unlock(&s->lock);
}

static bool was_seen(struct seen *s, uint64_t id)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->n; i++)
		found |= s->ids[i] == id;
	pthread_mutex_unlock(&s->lock);
	return found;
}

Test(heads, the_hook_names_what_another_head_changed)
{
	struct ds_store *a = open_at(dir), *b = open_at(dir);
	struct seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct ds_invalidate inv = { note_changed, &s };
	struct ds_inode *ra = ds_root(a), *rb = ds_root(b), *fa;
	struct ds_set set = { .mask = DS_SET_UID, .uid = 7 };

	ds_store_set_invalidate(b, &inv);
	fa = mk(ra, "f", DS_REG);
	cr_assert(was_seen(&s, ds_fileid(fa)));
	cr_assert(was_seen(&s, ds_fileid(ra)));
	s.n = 0;
	cr_assert_eq(ds_setattr(fa, &set, NULL, NULL), 0);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.ids[0], ds_fileid(fa));
	cr_assert_eq(s.gens[0], ds_generation(fa));
	cr_assert_eq(s.types[0], DS_REG);
	/* a gone object is named with the generation its handles carry */
	s.n = 0;
	cr_assert_eq(ds_unlink(ra, "f", NULL, NULL, NULL), 0);
	cr_assert(was_seen(&s, ds_fileid(fa)));
	cr_assert(was_seen(&s, ds_fileid(ra)));
	cr_assert_eq(s.gens[s.ids[0] == ds_fileid(fa) ? 0 : 1],
		     ds_generation(fa));
	cr_assert_eq(s.types[s.ids[0] == ds_fileid(ra) ? 0 : 1], DS_DIR);
	/* the head's own changes are not reported to itself */
	s.n = 0;
	ds_put(mk(rb, "g", DS_REG));
	cr_assert_eq(s.n, 0);
	cr_assert_eq(s.all, 0);
	ds_put(fa);
	ds_put(ra);
	ds_put(rb);
	ds_store_free(b);
	ds_store_free(a);
}

struct mover {
	struct ds_inode *odir, *ndir;
	const char *name;
	pthread_barrier_t *go;
	int rc;
};

static void *move(void *arg)
{
	struct mover *m = arg;

	pthread_barrier_wait(m->go);
	m->rc = ds_rename(m->odir, m->name, m->ndir, m->name, NULL, NULL,
			  NULL, NULL, NULL);
	return NULL;
}

/*
 * Two heads move two directories each into the other's subtree at the
 * same moment: d1 into d2 on A, d2 into d1 on B; and a wider one whose
 * four directories no rename shares (p/sa/nb, q/sb/na: sa into na on
 * A, sb into nb on B), where only the store-wide move lock can see the
 * cycle.  One may win; never both.
 */
Test(heads, crossing_renames_on_two_heads_make_no_cycle)
{
	struct ds_store *a = open_at(dir), *b = open_at(dir);
	struct ds_inode *ra = ds_root(a), *rb = ds_root(b);
	pthread_barrier_t go;
	pthread_t t1, t2;
	char n1[32], n2[32];
	int round, wins = 0, conflicts = 0;

	pthread_barrier_init(&go, NULL, 2);
	for (round = 0; round < 20; round++) {
		struct ds_inode *x, *y, *xb, *yb, *na, *nb, *sa, *sb, *sb_;
		struct mover m1, m2;
		bool wide = round % 2;

		snprintf(n1, sizeof(n1), "x%d", round);
		snprintf(n2, sizeof(n2), "y%d", round);
		x = mkdir_in(ra, n1);
		y = mkdir_in(ra, n2);
		if (wide) {
			sa = mkdir_in(x, "s");
			nb = mkdir_in(sa, "n");
			sb = mkdir_in(y, "s");
			na = mkdir_in(sb, "n");
			m1 = (struct mover){ x, na, "s", &go, 0 };
			ds_put(nb);
			xb = get(rb, n1);
			sb_ = get(xb, "s");
			nb = get(sb_, "n");
			ds_put(sb_);
			ds_put(xb);
			yb = get(rb, n2);
			m2 = (struct mover){ yb, nb, "s", &go, 0 };
			ds_put(sa);
			ds_put(sb);
		} else {
			xb = get(rb, n1);
			yb = get(rb, n2);
			ds_put(mkdir_in(x, "in"));
			m1 = (struct mover){ ra, x, n2, &go, 0 };
			m2 = (struct mover){ rb, yb, n1, &go, 0 };
			ds_put(xb);
			na = nb = NULL;
		}
		pthread_create(&t1, NULL, move, &m1);
		pthread_create(&t2, NULL, move, &m2);
		pthread_join(t1, NULL);
		pthread_join(t2, NULL);
		cr_assert(m1.rc == 0 || m1.rc == -EAGAIN || m1.rc == -EINVAL ||
				  m1.rc == -ENOENT,
			  "round %d: %d", round, m1.rc);
		cr_assert(m2.rc == 0 || m2.rc == -EAGAIN || m2.rc == -EINVAL ||
				  m2.rc == -ENOENT,
			  "round %d: %d", round, m2.rc);
		cr_assert(m1.rc || m2.rc, "round %d: both moved", round);
		wins += !m1.rc + !m2.rc;
		conflicts += (m1.rc == -EAGAIN) + (m2.rc == -EAGAIN);
		check_clean(a);
		ds_put(x);
		ds_put(y);
		ds_put(yb);
		if (na)
			ds_put(na);
		if (nb)
			ds_put(nb);
	}
	cr_assert_gt(wins, 0);
	cr_log_info("20 rounds: %d moves done, %d refused as conflicts", wins,
		    conflicts);
	pthread_barrier_destroy(&go);
	ds_put(ra);
	ds_put(rb);
	ds_store_free(b);
	ds_store_free(a);
}

struct linker {
	struct ds_inode *dir, *file;
	char prefix;
	unsigned int conflicts;
};

/* Links and unlinks names of one file, retrying conflicts. */
static void *links(void *arg)
{
	struct linker *l = arg;
	char name[16];
	int i, rc;

	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "%c%d", l->prefix, i);
		while ((rc = ds_link(l->file, l->dir, name, NULL, NULL,
				     NULL)) == -EAGAIN)
			l->conflicts++;
		cr_assert_eq(rc, 0, "link %s: %d", name, rc);
		if (i % 2)
			continue;
		while ((rc = ds_unlink(l->dir, name, NULL, NULL, NULL)) ==
		       -EAGAIN)
			l->conflicts++;
		cr_assert_eq(rc, 0, "unlink %s: %d", name, rc);
	}
	return NULL;
}

Test(heads, link_counts_hold_under_links_from_two_heads)
{
	struct ds_store *a = open_at(dir), *b = open_at(dir);
	struct ds_inode *ra = ds_root(a), *rb = ds_root(b), *fa, *fb;
	struct linker la, lb;
	pthread_t t1, t2;

	fa = mk(ra, "f", DS_REG);
	fb = get(rb, "f");
	la = (struct linker){ ra, fa, 'a', 0 };
	lb = (struct linker){ rb, fb, 'b', 0 };
	pthread_create(&t1, NULL, links, &la);
	pthread_create(&t2, NULL, links, &lb);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	/* f and 20 odd names from each head */
	cr_assert_eq(attr_of(fa).nlink, 41);
	cr_assert_eq(attr_of(fb).nlink, 41);
	same_listing(ra, rb);
	check_clean(a);
	cr_log_info("link/unlink conflicts retried: %u + %u", la.conflicts,
		    lb.conflicts);
	ds_put(fa);
	ds_put(fb);
	ds_put(ra);
	ds_put(rb);
	ds_store_free(b);
	ds_store_free(a);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A statement through a session of the test's own. */
static void sql(const char *q)
{
	PGconn *c = PQconnectdb(dir);
	PGresult *r = PQexec(c, q);

	cr_assert(PQresultStatus(r) == PGRES_TUPLES_OK ||
			  PQresultStatus(r) == PGRES_COMMAND_OK,
		  "%s: %s", q, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

Test(heads, a_closed_or_killed_head_is_not_waited_for)
{
	struct ds_store *a = open_at(dir), *b = open_at(dir), *c;
	struct seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct ds_invalidate inv = { note_changed, &s };
	struct ds_inode *ra = ds_root(a), *rc_;
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	struct ds_inode *got;
	struct timespec t0;
	char q[160];
	int i;

	ds_put(mk(ra, "before", DS_REG));
	ds_store_free(b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ds_put(mk(ra, "after-close", DS_REG));
	cr_assert_lt(ms_since(&t0), 1000.0);

	c = open_at(dir);
	ds_store_set_invalidate(c, &inv);
	rc_ = ds_root(c);
	snprintf(q, sizeof(q),
		 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
		 " WHERE application_name = 'ditto head %ld'",
		 (long)ds_pg_head_id(c));
	sql(q);
	/* The killed head notices and stops taking changes. */
	for (i = 0; i < 100 && !s.all; i++)
		usleep(20000);
	cr_assert_eq(s.all, 1);
	cr_assert_eq(ds_create(rc_, "on-c", &nw, NULL, &got, NULL, NULL),
		     -EIO);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ds_put(mk(ra, "after-kill", DS_REG));
	cr_assert_lt(ms_since(&t0), 1000.0);
	check_clean(a);
	ds_put(rc_);
	ds_store_free(c);
	ds_put(ra);
	ds_store_free(a);
}

Test(heads, capacity_agrees_and_many_blocks_reach_the_other_head)
{
	struct ds_store *a = open_at(dir), *b = open_at(dir);
	struct ds_inode *ra = ds_root(a), *rb = ds_root(b), *fa, *fb;
	static char blk[BS], back[BS];
	struct iovec iov = { blk, BS }, biov = { back, BS };
	struct ds_statfs sa, sb;
	bool eof;
	int i;

	fa = mk(ra, "f", DS_REG);
	/* Every other block of 1,400: 700 runs, more than one payload. */
	for (i = 0; i < 700; i++) {
		memset(blk, 'a' + i % 26, BS);
		cr_assert_eq(ds_write(fa, &iov, 1, (uint64_t)2 * i * BS, NULL),
			     BS);
	}
	cr_assert_eq(ds_commit(fa), 0);
	fb = get(rb, "f");
	same_attrs(fa, fb);
	for (i = 0; i < 700; i++) {
		memset(blk, 'a' + i % 26, BS);
		cr_assert_eq(ds_read(fb, &biov, 1, (uint64_t)2 * i * BS, &eof),
			     BS);
		cr_assert_eq(memcmp(blk, back, BS), 0, "block %d", 2 * i);
	}
	ds_put(mk(rb, "g", DS_LNK));
	cr_assert_eq(ds_setxattr(fb, "user.k", "value", 5, 0, NULL), 0);
	ds_statfs(a, &sa);
	ds_statfs(b, &sb);
	cr_assert_eq(sa.free_bytes, sb.free_bytes);
	cr_assert_eq(sa.free_files, sb.free_files);
	cr_assert_eq(sa.free_files, cfg().max_files - 3);
	/* a truncate drops them on both */
	cr_assert_eq(ds_setattr(fa, &(struct ds_set){ .mask = DS_SET_SIZE,
						      .size = BS },
				NULL, NULL),
		     0);
	ds_statfs(a, &sa);
	ds_statfs(b, &sb);
	cr_assert_eq(sa.free_bytes, sb.free_bytes);
	check_clean(b);
	ds_put(fa);
	ds_put(fb);
	ds_put(ra);
	ds_put(rb);
	ds_store_free(b);
	ds_store_free(a);
}

/* A head whose listener hangs (its hook blocks) until released. */
struct stall {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool released;
	unsigned int all;
};

static void stall_changed(void *arg, const struct ds_changed *objs, size_t n)
{
	struct stall *s = arg;

	pthread_mutex_lock(&s->lock);
	if (!n)
		s->all++;
	while (n && !s->released)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

/*
 * A head alive but silent past the ack wait is fenced: the commit on
 * the other head returns once the silent head's liveness lock is gone,
 * and the silent head, when it runs again, takes no more changes and
 * tells its glue to drop everything.
 */
Test(heads, a_silent_head_is_fenced_after_the_ack_wait)
{
	struct ds_config c = cfg();
	struct ds_durable d = durable_at(dir);
	struct stall s = { .lock = PTHREAD_MUTEX_INITIALIZER,
			   .cond = PTHREAD_COND_INITIALIZER };
	struct ds_invalidate inv = { stall_changed, &s };
	struct ds_store *a = NULL, *b = NULL;
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	struct ds_inode *ra, *rb, *got;
	struct timespec t0;
	double ms;
	int i;

	d.ack_wait_ms = 300;
	cr_assert_eq(ds_store_open(&c, &d, &a), 0);
	cr_assert_eq(ds_store_open(&c, &d, &b), 0);
	ds_store_set_invalidate(b, &inv);
	ra = ds_root(a);
	rb = ds_root(b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ds_put(mk(ra, "f", DS_REG));
	ms = ms_since(&t0);
	cr_assert_geq(ms, 300.0, "returned after %.0f ms", ms);
	cr_assert_lt(ms, 3000.0, "returned after %.0f ms", ms);
	pthread_mutex_lock(&s.lock);
	s.released = true;
	pthread_cond_broadcast(&s.cond);
	pthread_mutex_unlock(&s.lock);
	for (i = 0; i < 100 && !__atomic_load_n(&s.all, __ATOMIC_ACQUIRE); i++)
		usleep(20000);
	cr_assert_eq(s.all, 1);
	cr_assert_eq(ds_create(rb, "g", &nw, NULL, &got, NULL, NULL), -EIO);
	/* the live head goes on without waiting */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ds_put(mk(ra, "h", DS_REG));
	cr_assert_lt(ms_since(&t0), 300.0);
	check_clean(a);
	ds_put(ra);
	ds_put(rb);
	ds_store_free(b);
	ds_store_free(a);
}

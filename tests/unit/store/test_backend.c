// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * The backend interface (backend.h): one commit per mutating call, and
 * a commit the backend fails leaves the store as it was.  The store's
 * own backend (none, lmdb) is wrapped in one that counts commits and
 * fails them on demand.
 */
#include "store_test.h"
#include "backend.h"

static const struct ds_backend_ops *inner;
static struct ds_backend_ops failing;
static int fail_with;
static unsigned int commits, last_changes;

static int failing_commit(struct ds_store *st, const struct ds_changes *cs)
{
	commits++;
	last_changes = cs->n;
	if (fail_with)
		return fail_with;
	return inner && inner->commit ? inner->commit(st, cs) : 0;
}

static struct ds_store *st;
static struct ds_inode *root;

static void setup(void)
{
	st = mkstore_default();
	root = ds_root(st);
	inner = st->be;
	if (inner)
		failing = *inner;
	else
		failing = (struct ds_backend_ops){ .name = "memory" };
	failing.commit = failing_commit;
	ds_store_set_backend(st, &failing, st->be_priv);
	fail_with = 0;
	commits = 0;
}

static void teardown(void)
{
	ds_put(root);
	if (!inner)
		ds_store_set_backend(st, NULL, NULL);
	ds_store_free(st);
}

TestSuite(backend, .init = setup, .fini = teardown);

/* Everything a failed call could have moved, for before/after. */
struct view {
	struct ds_attr a[4];
	struct ds_statfs fs;
	uint64_t count;
};

static struct view look(struct ds_inode **inos, int n)
{
	struct view v;
	int i;

	memset(&v, 0, sizeof(v));
	for (i = 0; i < n; i++)
		cr_assert_eq(ds_getattr(inos[i], &v.a[i]), 0);
	ds_statfs(st, &v.fs);
	v.count = ds_dir_count(root);
	return v;
}

static void same(const struct view *a, const struct view *b)
{
	int i;

	for (i = 0; i < 4; i++) {
		cr_assert_eq(a->a[i].change, b->a[i].change, "inode %d", i);
		cr_assert_eq(a->a[i].nlink, b->a[i].nlink, "inode %d", i);
		cr_assert_eq(memcmp(&a->a[i], &b->a[i], sizeof(a->a[i])), 0,
			     "inode %d", i);
	}
	cr_assert_eq(memcmp(&a->fs, &b->fs, sizeof(a->fs)), 0);
	cr_assert_eq(a->count, b->count);
}

static uint64_t cookie_of(struct ds_inode *dir, const char *name)
{
	struct ds_dirpos pos;

	cr_assert_eq(ds_dir_position(dir, name, &pos), 0, "%s", name);
	return pos.cookie;
}

Test(backend, suite_runs_on_the_backend_it_names)
{
	cr_assert_eq(inner != NULL, strcmp(test_backend(), "memory") != 0);
	cr_assert_eq(inner ? strcmp(inner->name, test_backend()) : 0, 0);
}

Test(backend, one_commit_per_call)
{
	struct ds_inode *a = mk(root, "a", DS_REG);
	struct ds_inode *d = mk(root, "d", DS_DIR);

	ds_put(mk(root, "b", DS_REG));
	commits = 0;
	cr_assert_eq(ds_unlink(root, "b", NULL, NULL, NULL), 0);
	cr_assert_eq(commits, 1);
	/* entry, victim, directory */
	cr_assert_eq(last_changes, 3);
	cr_assert_eq(ds_rename(root, "a", d, "a", NULL, NULL, NULL, NULL,
			       NULL),
		     0);
	cr_assert_eq(commits, 2);
	cr_assert_eq(last_changes, 5);
	ds_put(a);
	ds_put(d);
}

Test(backend, failed_create_changes_nothing)
{
	struct ds_inode *v[] = { root };
	struct ds_new nw = { .type = DS_DIR, .mode = 0755 };
	struct ds_inode *got;
	struct view before = look(v, 1), after;

	fail_with = -EIO;
	cr_assert_eq(ds_create(root, "d", &nw, NULL, &got, NULL, NULL),
		     -EIO);
	nw.type = DS_LNK;
	nw.target = "t";
	cr_assert_eq(ds_create(root, "l", &nw, NULL, &got, NULL, NULL),
		     -EIO);
	after = look(v, 1);
	same(&before, &after);
	cr_assert_not(exists(root, "d"));
	/* Not latched, and no cookie was used up. */
	fail_with = 0;
	ds_put(mk(root, "d", DS_DIR));
	cr_assert_eq(cookie_of(root, "d"), DS_FIRST_COOKIE);
}

Test(backend, failed_link_and_unlink_change_nothing)
{
	struct ds_inode *f = mk(root, "f", DS_REG);
	struct ds_inode *d = mk(root, "d", DS_DIR);
	struct ds_inode *v[] = { root, f, d };
	struct view before = look(v, 3), after;

	cr_assert_eq(wr(f, "data", 4, 0), 4);
	before = look(v, 3);
	commits = 0;
	fail_with = -EIO;
	cr_assert_eq(ds_link(f, root, "g", NULL, NULL, NULL), -EIO);
	cr_assert_eq(ds_unlink(root, "f", NULL, NULL, NULL), -EIO);
	cr_assert_eq(ds_unlink(root, "d", NULL, NULL, NULL), -EIO);
	cr_assert_eq(commits, 3);
	after = look(v, 3);
	same(&before, &after);
	cr_assert(exists(root, "f"));
	cr_assert(exists(root, "d"));
	cr_assert_not(exists(root, "g"));
	fail_with = 0;
	cr_assert_eq(ds_unlink(root, "f", NULL, NULL, NULL), 0);
	cr_assert_eq(ds_getattr(f, &(struct ds_attr){ 0 }), -ESTALE);
	ds_put(f);
	ds_put(d);
}

Test(backend, failed_rename_changes_nothing)
{
	struct ds_inode *a = mk(root, "a", DS_DIR);
	struct ds_inode *b = mk(root, "b", DS_DIR);
	struct ds_inode *s = mk(a, "s", DS_DIR);
	struct ds_inode *t = mk(b, "t", DS_DIR);
	struct ds_inode *v[] = { a, b, s, t }, *got;
	uint64_t ck = cookie_of(b, "t");
	struct view before = look(v, 4), after;

	fail_with = -EAGAIN;
	cr_assert_eq(ds_rename(a, "s", b, "t", NULL, NULL, NULL, NULL, NULL),
		     -EAGAIN);
	after = look(v, 4);
	same(&before, &after);
	cr_assert_eq(ds_lookup(b, "t", &got), 0);
	cr_assert_eq(got, t);
	ds_put(got);
	cr_assert_eq(ds_lookup(s, "..", &got), 0);
	cr_assert_eq(got, a);
	ds_put(got);
	cr_assert_eq(cookie_of(b, "t"), ck);
	fail_with = 0;
	cr_assert_eq(ds_rename(a, "s", b, "t", NULL, NULL, NULL, NULL, NULL),
		     0);
	cr_assert_eq(ds_lookup(s, "..", &got), 0);
	cr_assert_eq(got, b);
	ds_put(got);
	cr_assert_eq(ds_getattr(t, &(struct ds_attr){ 0 }), -ESTALE);
	ds_put(a);
	ds_put(b);
	ds_put(s);
	ds_put(t);
}

Test(backend, failed_setattr_and_xattrs_change_nothing)
{
	struct ds_inode *f = mk(root, "f", DS_REG);
	struct ds_inode *v[] = { f };
	struct ds_set set = { .mask = DS_SET_MODE | DS_SET_SIZE, .mode = 0600,
			      .size = 1 << 20 };
	char buf[8];
	size_t len;
	struct view before, after;

	cr_assert_eq(ds_setxattr(f, "user.k", "v1", 2, 0, NULL), 0);
	before = look(v, 1);
	fail_with = -EIO;
	cr_assert_eq(ds_setattr(f, &set, NULL, NULL), -EIO);
	cr_assert_eq(ds_setxattr(f, "user.k", "v2", 2, 0, NULL), -EIO);
	cr_assert_eq(ds_setxattr(f, "user.n", "v", 1, 0, NULL), -EIO);
	cr_assert_eq(ds_removexattr(f, "user.k", NULL), -EIO);
	after = look(v, 1);
	same(&before, &after);
	cr_assert_eq(ds_getxattr(f, "user.k", NULL, buf, sizeof(buf), &len),
		     0);
	cr_assert_eq(len, 2);
	cr_assert_eq(memcmp(buf, "v1", 2), 0);
	cr_assert_eq(ds_getxattr(f, "user.n", NULL, buf, sizeof(buf), &len),
		     -ENODATA);
	fail_with = 0;
	cr_assert_eq(ds_setattr(f, &set, NULL, NULL), 0);
	cr_assert_eq(attr_of(f).mode, 0600);
	cr_assert_eq(attr_of(f).size, 1 << 20);
	ds_put(f);
}

/* Shrinking frees blocks before the commit: a failure latches. */
Test(backend, failed_truncate_latches_the_store)
{
	struct ds_inode *f = mk(root, "f", DS_REG);
	struct ds_set set = { .mask = DS_SET_SIZE, .size = 1 };

	cr_assert_eq(wr(f, "data", 4, 8192), 4);
	fail_with = -EIO;
	cr_assert_eq(ds_setattr(f, &set, NULL, NULL), -EIO);
	fail_with = 0;
	cr_assert_eq(ds_setxattr(f, "user.k", "v", 1, 0, NULL), -EIO);
	cr_assert_eq(ds_unlink(root, "f", NULL, NULL, NULL), -EIO);
	ds_put(f);
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Every POSIX rename case.
 */
#include "store_test.h"

struct fx {
	struct ds_store *st;
	struct ds_inode *root;
};

static struct fx setup(void)
{
	struct fx x;

	x.st = mkstore_default();
	x.root = ds_root(x.st);
	return x;
}

static void teardown(struct fx *x)
{
	ds_put(x->root);
	ds_store_free(x->st);
}

static struct ds_inode *get(struct ds_inode *dir, const char *name)
{
	struct ds_inode *ino = NULL;

	cr_assert_eq(ds_lookup(dir, name, &ino), 0, "lookup %s", name);
	return ino;
}

Test(rename, simple_same_dir)
{
	struct fx x = setup();
	struct ds_inode *f = mk(x.root, "a", DS_REG), *g;
	struct ds_attr pre, post;

	cr_assert_eq(ds_rename(x.root, "a", x.root, "b", NULL, &pre, &post, NULL,
			       NULL),
		     0);
	cr_assert_gt(post.change, pre.change);
	cr_assert(!exists(x.root, "a"));
	g = get(x.root, "b");
	cr_assert_eq(g, f);
	cr_assert_eq(attr_of(f).nlink, 1);
	ds_put(g);
	ds_put(f);
	teardown(&x);
}

Test(rename, missing_source)
{
	struct fx x = setup();

	cr_assert_eq(ds_rename(x.root, "nope", x.root, "b", NULL, NULL, NULL, NULL,
			       NULL),
		     -ENOENT);
	teardown(&x);
}

Test(rename, over_existing_file)
{
	struct fx x = setup();
	struct ds_inode *a = mk(x.root, "a", DS_REG);
	struct ds_inode *b = mk(x.root, "b", DS_REG), *got;
	struct ds_statfs s0, s1;

	cr_assert_eq(wr(b, "old", 3, 0), 3);
	ds_statfs(x.st, &s0);
	cr_assert_eq(ds_rename(x.root, "a", x.root, "b", NULL, NULL, NULL, NULL,
			       NULL),
		     0);
	got = get(x.root, "b");
	cr_assert_eq(got, a);
	ds_put(got);
	/* the replaced file had one link and no opens: gone, space freed */
	cr_assert_eq(ds_getattr(b, &(struct ds_attr){ 0 }), -ESTALE);
	ds_statfs(x.st, &s1);
	cr_assert_eq(s1.free_files, s0.free_files + 1);
	cr_assert_eq(s1.free_bytes, s0.free_bytes + 4096);
	ds_put(a);
	ds_put(b);
	teardown(&x);
}

Test(rename, over_file_with_other_link)
{
	struct fx x = setup();
	struct ds_inode *a = mk(x.root, "a", DS_REG);
	struct ds_inode *b = mk(x.root, "b", DS_REG);

	cr_assert_eq(ds_link(b, x.root, "b2", NULL, NULL, NULL), 0);
	cr_assert_eq(attr_of(b).nlink, 2);
	cr_assert_eq(ds_rename(x.root, "a", x.root, "b", NULL, NULL, NULL, NULL,
			       NULL),
		     0);
	cr_assert_eq(attr_of(b).nlink, 1);
	cr_assert(exists(x.root, "b2"));
	ds_put(a);
	ds_put(b);
	teardown(&x);
}

Test(rename, same_inode_is_noop)
{
	struct fx x = setup();
	struct ds_inode *a = mk(x.root, "a", DS_REG);

	cr_assert_eq(ds_link(a, x.root, "a2", NULL, NULL, NULL), 0);
	cr_assert_eq(ds_rename(x.root, "a", x.root, "a2", NULL, NULL, NULL, NULL,
			       NULL),
		     0);
	cr_assert(exists(x.root, "a"));
	cr_assert(exists(x.root, "a2"));
	cr_assert_eq(attr_of(a).nlink, 2);
	/* renaming a name onto itself is the same no-op */
	cr_assert_eq(ds_rename(x.root, "a", x.root, "a", NULL, NULL, NULL, NULL,
			       NULL),
		     0);
	cr_assert(exists(x.root, "a"));
	ds_put(a);
	teardown(&x);
}

Test(rename, dir_over_empty_dir)
{
	struct fx x = setup();
	struct ds_inode *p = mk(x.root, "p", DS_DIR);
	struct ds_inode *q = mk(x.root, "q", DS_DIR);
	struct ds_inode *d = mk(p, "d", DS_DIR);
	struct ds_inode *e = mk(q, "e", DS_DIR), *got;

	ds_put(mk(d, "child", DS_REG));
	cr_assert_eq(attr_of(p).nlink, 3);
	cr_assert_eq(attr_of(q).nlink, 3);
	cr_assert_eq(ds_rename(p, "d", q, "e", NULL, NULL, NULL, NULL, NULL), 0);
	cr_assert_eq(ds_getattr(e, &(struct ds_attr){ 0 }), -ESTALE);
	cr_assert_eq(attr_of(p).nlink, 2);
	cr_assert_eq(attr_of(q).nlink, 3);
	got = get(q, "e");
	cr_assert_eq(got, d);
	ds_put(got);
	got = get(d, "..");
	cr_assert_eq(got, q);
	ds_put(got);
	cr_assert(exists(d, "child"));
	ds_put(d);
	ds_put(e);
	ds_put(p);
	ds_put(q);
	teardown(&x);
}

Test(rename, dir_over_nonempty_dir)
{
	struct fx x = setup();
	struct ds_inode *a = mk(x.root, "a", DS_DIR);
	struct ds_inode *b = mk(x.root, "b", DS_DIR);

	ds_put(mk(b, "x", DS_REG));
	cr_assert_eq(ds_rename(x.root, "a", x.root, "b", NULL, NULL, NULL, NULL,
			       NULL),
		     -ENOTEMPTY);
	cr_assert(exists(x.root, "a"));
	cr_assert(exists(b, "x"));
	ds_put(a);
	ds_put(b);
	teardown(&x);
}

Test(rename, type_mismatch)
{
	struct fx x = setup();
	struct ds_inode *d = mk(x.root, "d", DS_DIR);
	struct ds_inode *f = mk(x.root, "f", DS_REG);

	cr_assert_eq(ds_rename(x.root, "d", x.root, "f", NULL, NULL, NULL, NULL,
			       NULL),
		     -ENOTDIR);
	cr_assert_eq(ds_rename(x.root, "f", x.root, "d", NULL, NULL, NULL, NULL,
			       NULL),
		     -EISDIR);
	cr_assert(exists(x.root, "d"));
	cr_assert(exists(x.root, "f"));
	ds_put(d);
	ds_put(f);
	teardown(&x);
}

Test(rename, into_own_subtree)
{
	struct fx x = setup();
	struct ds_inode *a = mk(x.root, "a", DS_DIR);
	struct ds_inode *b = mk(a, "b", DS_DIR);
	struct ds_inode *c = mk(b, "c", DS_DIR);

	cr_assert_eq(ds_rename(x.root, "a", c, "x", NULL, NULL, NULL, NULL, NULL),
		     -EINVAL);
	cr_assert_eq(ds_rename(x.root, "a", a, "x", NULL, NULL, NULL, NULL, NULL),
		     -EINVAL);
	cr_assert_eq(ds_rename(a, "b", b, "x", NULL, NULL, NULL, NULL, NULL),
		     -EINVAL);
	/* a target directory above the source can never be empty */
	cr_assert_eq(ds_rename(b, "c", x.root, "a", NULL, NULL, NULL, NULL, NULL),
		     -ENOTEMPTY);
	cr_assert(exists(x.root, "a"));
	cr_assert(exists(b, "c"));
	ds_put(a);
	ds_put(b);
	ds_put(c);
	teardown(&x);
}

Test(rename, cross_dir_dotdot_and_nlink)
{
	struct fx x = setup();
	struct ds_inode *p = mk(x.root, "p", DS_DIR);
	struct ds_inode *q = mk(x.root, "q", DS_DIR);
	struct ds_inode *d = mk(p, "d", DS_DIR);
	struct ds_inode *f = mk(p, "f", DS_REG), *got;
	struct ds_attr opre, opost, npre, npost;

	cr_assert_eq(ds_rename(p, "d", q, "d2", NULL, &opre, &opost, &npre,
			       &npost),
		     0);
	cr_assert_eq(opre.nlink, 3);
	cr_assert_eq(opost.nlink, 2);
	cr_assert_eq(npre.nlink, 2);
	cr_assert_eq(npost.nlink, 3);
	cr_assert_gt(opost.change, opre.change);
	cr_assert_gt(npost.change, npre.change);
	got = get(d, "..");
	cr_assert_eq(got, q);
	ds_put(got);
	/* files: no nlink change on either directory */
	cr_assert_eq(ds_rename(p, "f", q, "f", NULL, NULL, NULL, NULL, NULL), 0);
	cr_assert_eq(attr_of(p).nlink, 2);
	cr_assert_eq(attr_of(q).nlink, 3);
	cr_assert_eq(attr_of(f).nlink, 1);
	cr_assert(!exists(p, "f"));
	cr_assert(exists(q, "f"));
	ds_put(d);
	ds_put(f);
	ds_put(p);
	ds_put(q);
	teardown(&x);
}

Test(rename, dot_names_rejected)
{
	struct fx x = setup();
	struct ds_inode *d = mk(x.root, "d", DS_DIR);

	cr_assert_eq(ds_rename(d, ".", x.root, "z", NULL, NULL, NULL, NULL, NULL),
		     -EINVAL);
	cr_assert_eq(ds_rename(d, "..", x.root, "z", NULL, NULL, NULL, NULL, NULL),
		     -EINVAL);
	cr_assert_eq(ds_rename(x.root, "d", x.root, "..", NULL, NULL, NULL, NULL,
			       NULL),
		     -EINVAL);
	ds_put(d);
	teardown(&x);
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Namespace: create/lookup, names, hard links, unlink of open files,
 * special files, symlinks, directory link counts.
 */
#include "store_test.h"

Test(namespace, create_lookup_types)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *root = ds_root(st), *f, *d, *l, *got;
	struct ds_new chr = { .type = DS_CHR, .mode = 0600, .rdev_major = 4,
			      .rdev_minor = 64 };
	char buf[64];
	size_t len;

	f = mk(root, "file", DS_REG);
	d = mk(root, "dir", DS_DIR);
	l = mk(root, "link", DS_LNK);
	ds_put(mk(root, "fifo", DS_FIFO));
	ds_put(mk(root, "sock", DS_SOCK));
	cr_assert_eq(ds_create(root, "tty", &chr, NULL, &got, NULL, NULL), 0);
	cr_assert_eq(attr_of(got).rdev_major, 4);
	cr_assert_eq(attr_of(got).rdev_minor, 64);
	cr_assert_eq(attr_of(got).type, DS_CHR);
	ds_put(got);

	cr_assert_eq(ds_lookup(root, "file", &got), 0);
	cr_assert_eq(got, f);
	ds_put(got);
	cr_assert_eq(ds_lookup(root, "nope", &got), -ENOENT);
	cr_assert_eq(ds_lookup(f, "x", &got), -ENOTDIR);
	cr_assert_eq(ds_lookup(d, "..", &got), 0);
	cr_assert_eq(got, root);
	ds_put(got);
	cr_assert_eq(ds_lookup(d, ".", &got), 0);
	cr_assert_eq(got, d);
	ds_put(got);

	cr_assert_eq(ds_readlink(l, buf, sizeof(buf), &len), 0);
	cr_assert_str_eq(buf, "target");
	cr_assert_eq(len, 6);
	cr_assert_eq(attr_of(l).size, 6);
	cr_assert_eq(ds_readlink(f, buf, sizeof(buf), &len), -EINVAL);

	cr_assert_eq(attr_of(f).nlink, 1);
	cr_assert_eq(attr_of(d).nlink, 2);
	/* root: 2 + one subdirectory */
	cr_assert_eq(attr_of(root).nlink, 3);
	cr_assert_eq(ds_create(root, "file", &chr, NULL, &got, NULL, NULL),
		     -EEXIST);
	ds_put(f);
	ds_put(d);
	ds_put(l);
	ds_put(root);
	ds_store_free(st);
}

Test(namespace, name_rules)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *root = ds_root(st), *got;
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	char n255[256], n256[257];

	memset(n255, 'a', 255);
	n255[255] = 0;
	memset(n256, 'b', 256);
	n256[256] = 0;
	cr_assert_eq(ds_create(root, n255, &nw, NULL, &got, NULL, NULL), 0);
	ds_put(got);
	cr_assert(exists(root, n255));
	cr_assert_eq(ds_create(root, n256, &nw, NULL, &got, NULL, NULL),
		     -ENAMETOOLONG);
	cr_assert_eq(ds_lookup(root, n256, &got), -ENAMETOOLONG);
	cr_assert_eq(ds_create(root, ".", &nw, NULL, &got, NULL, NULL), -EEXIST);
	cr_assert_eq(ds_create(root, "..", &nw, NULL, &got, NULL, NULL), -EEXIST);
	cr_assert_eq(ds_create(root, "a/b", &nw, NULL, &got, NULL, NULL), -EINVAL);
	cr_assert_eq(ds_create(root, "", &nw, NULL, &got, NULL, NULL), -EINVAL);
	cr_assert_eq(ds_unlink(root, ".", NULL, NULL, NULL), -EINVAL);
	cr_assert_eq(ds_unlink(root, "..", NULL, NULL, NULL), -EINVAL);
	/* "." and ".." are never stored: a listing shows only real names */
	{
		struct ds_dirent ents[8];
		unsigned int n;
		bool eof;

		cr_assert_eq(ds_readdir(root, 0, ents, 8, &n, &eof), 0);
		cr_assert_eq(n, 1);
		cr_assert(eof);
		cr_assert_str_eq(ents[0].name, n255);
		ds_put(ents[0].ino);
	}
	ds_put(root);
	ds_store_free(st);
}

Test(namespace, hard_links)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *root = ds_root(st), *d = mk(root, "d", DS_DIR);
	struct ds_inode *f = mk(root, "f", DS_REG), *got;
	struct ds_attr pre, post;

	cr_assert_eq(ds_link(f, d, "f2", NULL, &pre, &post), 0);
	cr_assert_gt(post.change, pre.change);
	cr_assert_eq(attr_of(f).nlink, 2);
	cr_assert_eq(ds_lookup(d, "f2", &got), 0);
	cr_assert_eq(got, f);
	ds_put(got);
	cr_assert_eq(ds_link(f, d, "f2", NULL, NULL, NULL), -EEXIST);
	cr_assert_eq(ds_link(d, root, "dlink", NULL, NULL, NULL), -EPERM);
	cr_assert_eq(ds_unlink(root, "f", NULL, NULL, NULL), 0);
	cr_assert_eq(attr_of(f).nlink, 1);
	cr_assert_eq(ds_unlink(d, "f2", NULL, NULL, NULL), 0);
	/* last name gone and not open: the inode is gone */
	cr_assert_eq(ds_getattr(f, &pre), -ESTALE);
	/* cannot link a dead inode back in */
	cr_assert_eq(ds_link(f, root, "back", NULL, NULL, NULL), -ENOENT);
	ds_put(f);
	ds_put(d);
	ds_put(root);
	ds_store_free(st);
}

Test(namespace, unlink_open_file_keeps_data)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *root = ds_root(st), *f = mk(root, "f", DS_REG);
	struct ds_statfs before, during, after;
	char buf[8];

	cr_assert_eq(wr(f, "payload", 7, 0), 7);
	ds_statfs(st, &before);
	cr_assert_eq(ds_open(f), 0);
	cr_assert_eq(ds_unlink(root, "f", NULL, NULL, NULL), 0);
	cr_assert(!exists(root, "f"));
	cr_assert_eq(attr_of(f).nlink, 0);
	cr_assert_eq(rd(f, buf, 7, 0, NULL), 7);
	cr_assert_eq(memcmp(buf, "payload", 7), 0);
	ds_statfs(st, &during);
	cr_assert_eq(during.free_bytes, before.free_bytes);
	ds_close(f);
	cr_assert_eq(ds_getattr(f, &(struct ds_attr){ 0 }), -ESTALE);
	cr_assert_eq(rd(f, buf, 7, 0, NULL), -ESTALE);
	ds_statfs(st, &after);
	cr_assert_eq(after.free_bytes, before.free_bytes + 4096);
	cr_assert_eq(after.free_files, before.free_files + 1);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}

Test(namespace, rmdir_and_dir_nlink)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *root = ds_root(st), *a = mk(root, "a", DS_DIR), *got;

	ds_put(mk(a, "b", DS_DIR));
	ds_put(mk(a, "c", DS_REG));
	cr_assert_eq(attr_of(a).nlink, 3);
	cr_assert_eq(ds_unlink(root, "a", NULL, NULL, NULL), -ENOTEMPTY);
	cr_assert_eq(ds_unlink(a, "b", NULL, NULL, NULL), 0);
	cr_assert_eq(attr_of(a).nlink, 2);
	cr_assert_eq(ds_unlink(a, "c", NULL, NULL, NULL), 0);
	cr_assert_eq(ds_unlink(root, "a", NULL, NULL, NULL), 0);
	cr_assert_eq(attr_of(root).nlink, 2);
	cr_assert_eq(ds_lookup(a, "..", &got), -ENOENT);
	cr_assert_eq(ds_create(a, "x", &(struct ds_new){ .type = DS_REG }, NULL,
			       &got, NULL, NULL),
		     -ENOENT);
	ds_put(a);
	ds_put(root);
	ds_store_free(st);
}

Test(namespace, attrs_and_change)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *root = ds_root(st), *f = mk(root, "f", DS_REG);
	struct ds_set s = { .mask = DS_SET_MODE | DS_SET_UID | DS_SET_GID |
				    DS_SET_ATIME | DS_SET_MTIME,
			    .mode = 0100751,
			    .uid = 42,
			    .gid = 43,
			    .atime = { 1000, 123456789 },
			    .mtime = { 2000, 987654321 } };
	struct ds_attr a0 = attr_of(f), a1, a2;

	cr_assert_eq(ds_setattr(f, &s, NULL, &a1), 0);
	cr_assert_eq(a1.mode, 0751);
	cr_assert_eq(a1.uid, 42);
	cr_assert_eq(a1.gid, 43);
	cr_assert_eq(a1.atime.tv_sec, 1000);
	cr_assert_eq(a1.atime.tv_nsec, 123456789);
	cr_assert_eq(a1.mtime.tv_nsec, 987654321);
	cr_assert_gt(a1.change, a0.change);
	cr_assert_eq(wr(f, "x", 1, 0), 1);
	a2 = attr_of(f);
	cr_assert_gt(a2.change, a1.change);
	cr_assert(a2.mtime.tv_sec > 2000);
	s.mask = DS_SET_SIZE;
	s.size = 10;
	cr_assert_eq(ds_setattr(root, &s, NULL, NULL), -EISDIR);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}

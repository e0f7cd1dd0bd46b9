// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * POSIX permission decisions (store/perm.c) alone, then as the store's
 * namespace, attribute and data calls apply them for a caller.
 */
#include <sys/stat.h>

#include "store_test.h"

static const uint32_t staff[] = { 50, 60 };
/* uid 1000 gid 100, also in groups 50 and 60 */
static const struct ds_cred alice = { 1000, 100, 2, staff };
static const struct ds_cred bob = { 1001, 101, 0, NULL };
static const struct ds_cred root = { 0, 0, 0, NULL };

static struct ds_attr at(enum ds_type t, uint32_t mode, uint32_t uid,
			 uint32_t gid)
{
	struct ds_attr a = { .type = t, .mode = mode, .uid = uid, .gid = gid };

	a.fileid = (uint64_t)uid << 32 | mode;
	return a;
}

/* ---- decisions on snapshots ------------------------------------------ */

Test(perm, access_uses_one_class_of_bits)
{
	struct ds_attr f = at(DS_REG, 0461, 1000, 50);

	/* owner: r-- only, even though group and others may write */
	cr_assert_eq(ds_may_access(&f, &alice, DS_MAY_READ), 0);
	cr_assert_eq(ds_may_access(&f, &alice, DS_MAY_WRITE), -EACCES);
	/* group by a supplementary gid: rw- */
	f.uid = 7;
	cr_assert_eq(ds_may_access(&f, &alice, DS_MAY_READ | DS_MAY_WRITE),
		     0);
	cr_assert_eq(ds_may_access(&f, &alice, DS_MAY_EXEC), -EACCES);
	/* others: --x */
	cr_assert_eq(ds_may_access(&f, &bob, DS_MAY_EXEC), 0);
	cr_assert_eq(ds_may_access(&f, &bob, DS_MAY_READ), -EACCES);
}

Test(perm, root_passes_but_execute_needs_an_x_bit)
{
	struct ds_attr f = at(DS_REG, 0600, 1000, 100);
	struct ds_attr d = at(DS_DIR, 0000, 1000, 100);

	cr_assert_eq(ds_may_access(&f, &root, DS_MAY_READ | DS_MAY_WRITE), 0);
	cr_assert_eq(ds_may_access(&f, &root, DS_MAY_EXEC), -EACCES);
	f.mode = 0601;
	cr_assert_eq(ds_may_access(&f, &root, DS_MAY_EXEC), 0);
	cr_assert_eq(ds_may_access(&d, &root, DS_MAY_EXEC | DS_MAY_WRITE), 0);
	cr_assert_eq(ds_may_access(&f, NULL, DS_MAY_READ), 0);
}

Test(perm, delete_needs_write_and_search_then_sticky_rule)
{
	struct ds_attr d = at(DS_DIR, 0755, 0, 0);
	struct ds_attr v = at(DS_REG, 0644, 1000, 100);

	cr_assert_eq(ds_may_delete(&d, &v, &alice), -EACCES);
	d.mode = 0776;	/* write but no search for others */
	cr_assert_eq(ds_may_delete(&d, &v, &bob), -EACCES);
	d.mode = 01777;
	cr_assert_eq(ds_may_delete(&d, &v, &bob), -EPERM);
	cr_assert_eq(ds_may_delete(&d, &v, &alice), 0);	/* owns the file */
	cr_assert_eq(ds_may_delete(&d, &v, &root), 0);
	d.uid = 1001;
	cr_assert_eq(ds_may_delete(&d, &v, &bob), 0);	/* owns the dir */
	d.mode = 0777;
	d.uid = 0;
	cr_assert_eq(ds_may_delete(&d, &v, &bob), 0);
}

Test(perm, protected_hardlinks)
{
	struct ds_attr f = at(DS_REG, 0644, 1000, 100);

	cr_assert_eq(ds_may_link(&f, &alice), 0);
	cr_assert_eq(ds_may_link(&f, &bob), -EPERM);	/* no write */
	f.mode = 0666;
	cr_assert_eq(ds_may_link(&f, &bob), 0);
	f.mode = 04666;
	cr_assert_eq(ds_may_link(&f, &bob), -EPERM);
	f.mode = 02676;
	cr_assert_eq(ds_may_link(&f, &bob), -EPERM);
	f.mode = 02666;	/* S_ISGID without group execute: not set-ID */
	cr_assert_eq(ds_may_link(&f, &bob), 0);
	f.type = DS_FIFO;
	cr_assert_eq(ds_may_link(&f, &bob), -EPERM);
	cr_assert_eq(ds_may_link(&f, &root), 0);
}

Test(perm, rename_checks_both_dirs_target_and_moved_dir)
{
	struct ds_attr od = at(DS_DIR, 0777, 0, 0);
	struct ds_attr nd = at(DS_DIR, 0755, 0, 1);
	struct ds_attr src = at(DS_DIR, 0755, 1001, 101);
	struct ds_attr tgt = at(DS_REG, 0644, 1001, 101);

	nd.fileid = od.fileid + 1;
	cr_assert_eq(ds_may_rename(&od, &src, &nd, NULL, &alice), -EACCES);
	nd.mode = 0777;
	/* the directory moved gets a new "..": alice cannot write it */
	cr_assert_eq(ds_may_rename(&od, &src, &nd, NULL, &alice), -EACCES);
	cr_assert_eq(ds_may_rename(&od, &src, &od, NULL, &alice), 0);
	cr_assert_eq(ds_may_rename(&od, &src, &nd, NULL, &bob), 0);
	/* a sticky target directory protects the entry replaced */
	src = at(DS_REG, 0644, 1000, 100);
	nd.mode = 01777;
	cr_assert_eq(ds_may_rename(&od, &src, &nd, &tgt, &alice), -EPERM);
	cr_assert_eq(ds_may_rename(&od, &src, &nd, NULL, &alice), 0);
	od.mode = 01777;
	cr_assert_eq(ds_may_rename(&od, &src, &nd, NULL, &bob), -EPERM);
	cr_assert_eq(ds_may_rename(&od, &src, &nd, &tgt, &root), 0);
}

Test(perm, setattr_ownership_rules)
{
	struct ds_attr f = at(DS_REG, 0644, 1000, 100);
	struct ds_set s = { .mask = DS_SET_MODE, .mode = 0600 };

	cr_assert_eq(ds_may_setattr(&f, &s, &bob), -EPERM);
	cr_assert_eq(ds_may_setattr(&f, &s, &alice), 0);
	s = (struct ds_set){ .mask = DS_SET_UID, .uid = 1001 };
	cr_assert_eq(ds_may_setattr(&f, &s, &alice), -EPERM);
	cr_assert_eq(ds_may_setattr(&f, &s, &root), 0);
	s.uid = 1000;	/* to oneself: a no-op the owner may make */
	cr_assert_eq(ds_may_setattr(&f, &s, &alice), 0);
	s = (struct ds_set){ .mask = DS_SET_GID, .gid = 60 };
	cr_assert_eq(ds_may_setattr(&f, &s, &alice), 0);
	s.gid = 101;
	cr_assert_eq(ds_may_setattr(&f, &s, &alice), -EPERM);
	cr_assert_eq(ds_may_setattr(&f, &s, &bob), -EPERM);
}

Test(perm, setattr_times)
{
	struct ds_attr f = at(DS_REG, 0646, 1000, 100);
	struct ds_set s = { .mask = DS_SET_MTIME };

	cr_assert_eq(ds_may_setattr(&f, &s, &bob), -EPERM);
	cr_assert_eq(ds_may_setattr(&f, &s, &alice), 0);
	s.mask = DS_SET_ATIME_NOW | DS_SET_MTIME_NOW;
	cr_assert_eq(ds_may_setattr(&f, &s, &bob), 0);	/* may write */
	f.mode = 0644;
	cr_assert_eq(ds_may_setattr(&f, &s, &bob), -EACCES);
	cr_assert_eq(ds_may_setattr(&f, &s, &alice), 0);
	s.mask = DS_SET_BTIME;
	cr_assert_eq(ds_may_setattr(&f, &s, &bob), -EPERM);
}

Test(perm, setattr_size_needs_write_and_drops_set_id)
{
	struct ds_attr f = at(DS_REG, 06755, 1000, 100);
	struct ds_set s = { .mask = DS_SET_SIZE };

	cr_assert_eq(ds_may_setattr(&f, &s, &bob), -EACCES);
	cr_assert_eq(ds_may_setattr(&f, &s, &alice), 0);
	cr_assert(s.mask & DS_SET_MODE);
	cr_assert_eq(s.mode, 0755);
	s.mask = DS_SET_SIZE;
	cr_assert_eq(ds_may_setattr(&f, &s, &root), 0);
	cr_assert_eq(s.mask, DS_SET_SIZE, "root keeps the bits");
}

Test(perm, chmod_drops_sgid_outside_the_group)
{
	struct ds_attr f = at(DS_REG, 0644, 1000, 101);
	struct ds_set s = { .mask = DS_SET_MODE, .mode = 02755 };

	cr_assert_eq(ds_may_setattr(&f, &s, &alice), 0);
	cr_assert_eq(s.mode, 0755);
	f.gid = 60;
	s.mode = 02755;
	cr_assert_eq(ds_may_setattr(&f, &s, &alice), 0);
	cr_assert_eq(s.mode, 02755);
	/* the new group counts when it changes in the same call */
	f.gid = 101;
	s = (struct ds_set){ .mask = DS_SET_MODE | DS_SET_GID,
			     .mode = 02755, .gid = 50 };
	cr_assert_eq(ds_may_setattr(&f, &s, &alice), 0);
	cr_assert_eq(s.mode, 02755);
}

Test(perm, chown_drops_set_id_even_for_root)
{
	struct ds_attr f = at(DS_REG, 06755, 1000, 100);
	struct ds_attr d = at(DS_DIR, 02755, 1000, 100);
	struct ds_set s = { .mask = DS_SET_UID, .uid = 1001 };

	cr_assert_eq(ds_may_setattr(&f, &s, &root), 0);
	cr_assert(s.mask & DS_SET_MODE);
	cr_assert_eq(s.mode, 0755);
	/* S_ISGID without group execute stays */
	f.mode = 06745;
	s = (struct ds_set){ .mask = DS_SET_GID, .gid = 50 };
	cr_assert_eq(ds_may_setattr(&f, &s, &alice), 0);
	cr_assert_eq(s.mode, 02745);
	/* directories keep theirs */
	s = (struct ds_set){ .mask = DS_SET_GID, .gid = 50 };
	cr_assert_eq(ds_may_setattr(&d, &s, &alice), 0);
	cr_assert_eq(s.mask, DS_SET_GID);
}

Test(perm, write_drops_set_id_for_non_root)
{
	struct ds_attr f = at(DS_REG, 06777, 1000, 100);

	cr_assert_eq(ds_mode_drop_privs(&f, &bob), 0777);
	cr_assert_eq(ds_mode_drop_privs(&f, &alice), 0777, "the owner too");
	cr_assert_eq(ds_mode_drop_privs(&f, &root), 06777);
	/* S_ISGID without group execute: kept for a group member */
	f.mode = 02767;
	cr_assert_eq(ds_mode_drop_privs(&f, &alice), 02767);
	cr_assert_eq(ds_mode_drop_privs(&f, &bob), 0767);
}

Test(perm, sgid_directory_passes_group_and_bit)
{
	struct ds_attr d = at(DS_DIR, 02777, 0, 60);
	struct ds_new sub = { .type = DS_DIR, .mode = 0755, .gid = 101 };
	struct ds_new f = { .type = DS_REG, .mode = 02755, .gid = 101 };

	ds_create_inherit(&d, &bob, &sub);
	cr_assert_eq(sub.gid, 60);
	cr_assert_eq(sub.mode, 02755);
	ds_create_inherit(&d, &bob, &f);
	cr_assert_eq(f.gid, 60);
	cr_assert_eq(f.mode, 0755, "bob is not in group 60");
	f.mode = 02755;
	ds_create_inherit(&d, &alice, &f);
	cr_assert_eq(f.mode, 02755);
	d.mode = 0777;
	f = (struct ds_new){ .type = DS_REG, .mode = 0644, .gid = 101 };
	ds_create_inherit(&d, &bob, &f);
	cr_assert_eq(f.gid, 101);
}

/* ---- the store's calls as a caller ----------------------------------- */

static struct ds_inode *mk_as(struct ds_inode *dir, const char *name,
			      enum ds_type t, uint32_t mode,
			      const struct ds_cred *cr)
{
	struct ds_new nw = { .type = t, .mode = mode, .uid = cr->uid,
			     .gid = cr->gid };
	struct ds_inode *ino = NULL;

	cr_assert_eq(ds_create(dir, name, &nw, cr, &ino, NULL, NULL), 0,
		     "create %s as %u", name, cr->uid);
	return ino;
}

static void chmod_to(struct ds_inode *ino, uint32_t mode)
{
	struct ds_set s = { .mask = DS_SET_MODE, .mode = mode };

	cr_assert_eq(ds_setattr(ino, &s, NULL, NULL), 0);
}

static uint32_t mode_of(struct ds_inode *ino)
{
	struct ds_attr a;

	cr_assert_eq(ds_getattr(ino, &a), 0);
	return a.mode;
}

Test(perm_ops, unlink_rmdir_in_unwritable_dir_fail_and_keep_entry)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *r = ds_root(st);
	struct ds_inode *d = mk_as(r, "d", DS_DIR, 0755, &root);
	struct ds_inode *f = mk_as(d, "f", DS_REG, 0666, &root);
	struct ds_inode *p = mk_as(d, "p", DS_REG, 0600, &root);
	struct ds_inode *s = mk_as(d, "s", DS_DIR, 0777, &root);
	struct ds_new nw = { .type = DS_REG, .mode = 0644, .uid = 1000 };
	struct ds_inode *x = NULL;

	cr_assert_eq(ds_unlink(d, "f", &alice, NULL, NULL), -EACCES);
	cr_assert_eq(ds_unlink(d, "s", &alice, NULL, NULL), -EACCES);
	cr_assert_eq(ds_create(d, "n", &nw, &alice, &x, NULL, NULL), -EACCES);
	cr_assert_eq(ds_link(f, d, "l", &alice, NULL, NULL), -EACCES);
	/* an existing name is EEXIST even to who may not write */
	cr_assert_eq(ds_create(d, "f", &nw, &alice, &x, NULL, NULL), -EEXIST);
	/* and to who may not link the file (do_linkat looks it up first) */
	cr_assert_eq(ds_link(p, d, "f", &alice, NULL, NULL), -EEXIST);
	cr_assert_eq(ds_link(p, d, "l", &alice, NULL, NULL), -EPERM);
	cr_assert(exists(d, "f") && exists(d, "s") && !exists(d, "n"));
	cr_assert_eq(ds_unlink(d, "f", &root, NULL, NULL), 0);
	ds_put(p);
	ds_put(f);
	ds_put(s);
	ds_put(d);
	ds_put(r);
	ds_store_free(st);
}

Test(perm_ops, sticky_dir_protects_others_entries)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *r = ds_root(st);
	struct ds_inode *t = mk_as(r, "tmp", DS_DIR, 0777, &root);
	struct ds_inode *a, *b;

	chmod_to(t, 01777);
	a = mk_as(t, "a", DS_REG, 0666, &alice);
	b = mk_as(t, "b", DS_REG, 0666, &bob);
	cr_assert_eq(ds_unlink(t, "a", &bob, NULL, NULL), -EPERM);
	cr_assert_eq(ds_rename(t, "a", t, "z", &bob, NULL, NULL, NULL, NULL),
		     -EPERM);
	/* nor replace alice's entry with his own */
	cr_assert_eq(ds_rename(t, "b", t, "a", &bob, NULL, NULL, NULL, NULL),
		     -EPERM);
	cr_assert(exists(t, "a") && exists(t, "b"));
	cr_assert_eq(ds_rename(t, "a", t, "z", &alice, NULL, NULL, NULL,
			       NULL),
		     0);
	cr_assert_eq(ds_unlink(t, "b", &bob, NULL, NULL), 0);
	ds_put(a);
	ds_put(b);
	ds_put(t);
	ds_put(r);
	ds_store_free(st);
}

Test(perm_ops, rename_permission_comes_before_type_errors)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *r = ds_root(st);
	struct ds_inode *d = mk_as(r, "d", DS_DIR, 0755, &root);
	struct ds_inode *sub = mk_as(d, "sub", DS_DIR, 0755, &root);
	struct ds_inode *f = mk_as(d, "f", DS_REG, 0644, &root);

	/* POSIX: EACCES, not the ENOTDIR an allowed caller would get */
	cr_assert_eq(ds_rename(d, "sub", d, "f", &alice, NULL, NULL, NULL,
			       NULL),
		     -EACCES);
	cr_assert_eq(ds_rename(d, "sub", d, "f", &root, NULL, NULL, NULL,
			       NULL),
		     -ENOTDIR);
	ds_put(f);
	ds_put(sub);
	ds_put(d);
	ds_put(r);
	ds_store_free(st);
}

Test(perm_ops, moving_a_directory_needs_write_on_it)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *r = ds_root(st);
	struct ds_inode *p = mk_as(r, "p", DS_DIR, 0777, &root);
	struct ds_inode *q = mk_as(r, "q", DS_DIR, 0777, &root);
	struct ds_inode *m = mk_as(p, "m", DS_DIR, 0755, &bob);

	cr_assert_eq(ds_rename(p, "m", q, "m", &alice, NULL, NULL, NULL,
			       NULL),
		     -EACCES);
	cr_assert(exists(p, "m") && !exists(q, "m"));
	cr_assert_eq(ds_rename(p, "m", p, "m2", &alice, NULL, NULL, NULL,
			       NULL),
		     0);
	cr_assert_eq(ds_rename(p, "m2", q, "m", &bob, NULL, NULL, NULL, NULL),
		     0);
	ds_put(m);
	ds_put(q);
	ds_put(p);
	ds_put(r);
	ds_store_free(st);
}

Test(perm_ops, write_and_truncate_drop_set_id_bits)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *r = ds_root(st);
	struct ds_inode *f = mk_as(r, "f", DS_REG, 0777, &alice);
	struct iovec v = { .iov_base = "x", .iov_len = 1 };
	struct ds_set s = { .mask = DS_SET_SIZE, .size = 0 };

	chmod_to(f, 06777);
	cr_assert_eq(ds_write(f, &v, 1, 0, &root), 1);
	cr_assert_eq(mode_of(f), 06777);
	cr_assert_eq(ds_write(f, &v, 1, 0, &bob), 1);
	cr_assert_eq(mode_of(f), 0777);
	chmod_to(f, 04777);
	cr_assert_eq(ds_setattr(f, &s, &bob, NULL), 0);
	cr_assert_eq(mode_of(f), 0777);
	/* a chmod by a stranger fails and changes nothing */
	s = (struct ds_set){ .mask = DS_SET_MODE, .mode = 0700 };
	cr_assert_eq(ds_setattr(f, &s, &bob, NULL), -EPERM);
	cr_assert_eq(mode_of(f), 0777);
	ds_put(f);
	ds_put(r);
	ds_store_free(st);
}

Test(perm_ops, create_in_sgid_directory)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *r = ds_root(st);
	struct ds_inode *d = mk_as(r, "d", DS_DIR, 0777, &root);
	struct ds_inode *f, *sub;
	struct ds_attr a;

	chmod_to(d, 02777);
	f = mk_as(d, "f", DS_REG, 0644, &bob);
	sub = mk_as(d, "sub", DS_DIR, 0755, &bob);
	cr_assert_eq(ds_getattr(f, &a), 0);
	cr_assert_eq(a.gid, 0);
	cr_assert_eq(a.uid, 1001);
	cr_assert_eq(ds_getattr(sub, &a), 0);
	cr_assert_eq(a.gid, 0);
	cr_assert_eq(a.mode, 02755);
	ds_put(sub);
	ds_put(f);
	ds_put(d);
	ds_put(r);
	ds_store_free(st);
}

Test(perm_ops, xattrs_need_read_or_write_permission)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *r = ds_root(st);
	struct ds_inode *f = mk_as(r, "f", DS_REG, 0644, &alice);
	struct ds_inode *p = mk_as(r, "p", DS_FIFO, 0666, &alice);
	char buf[8];
	size_t len;

	cr_assert_eq(ds_setxattr(f, "k", "v", 1, 0, &alice), 0);
	cr_assert_eq(ds_setxattr(f, "k", "w", 1, 0, &bob), -EACCES);
	cr_assert_eq(ds_removexattr(f, "k", &bob), -EACCES);
	cr_assert_eq(ds_getxattr(f, "k", &bob, buf, sizeof(buf), &len), 0);
	chmod_to(f, 0640);
	cr_assert_eq(ds_getxattr(f, "k", &bob, buf, sizeof(buf), &len),
		     -EACCES);
	/* user.* names only on files and directories, for root too */
	cr_assert_eq(ds_setxattr(p, "k", "v", 1, 0, &root), -EPERM);
	cr_assert_eq(ds_getxattr(p, "k", &root, buf, sizeof(buf), &len),
		     -ENODATA);
	ds_put(p);
	ds_put(f);
	ds_put(r);
	ds_store_free(st);
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Durable stores, on every durable backend (lmdb, postgres; ctest
 * store_durable_<backend>): what a reopen brings back, what a crash (a
 * child that _exit()s without closing) keeps, orphans, the boot count,
 * capacity.  Each backend's own errors are in test_<backend>.c.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "durable_test.h"

TestSuite(durable, .init = setup, .fini = teardown);

Test(durable, reopen_keeps_namespace_attrs_and_handles)
{
	struct ds_store *st = open_at(dir);
	struct ds_inode *root = ds_root(st), *d, *f, *l, *got;
	struct ds_new fifo = { .type = DS_FIFO, .mode = 0600, .uid = 7 };
	struct ds_set s = { .mask = DS_SET_MODE | DS_SET_UID | DS_SET_MTIME,
			    .mode = 0640, .uid = 42,
			    .mtime = { 1234567, 89 } };
	struct ds_attr fa, da, ra;
	uint64_t fid, did, gen;
	char buf[64];
	size_t len;

	cr_assert_eq(ds_boot_count(st), 1);
	d = mk(root, "d", DS_DIR);
	f = mk(d, "f", DS_REG);
	l = mk(root, "l", DS_LNK);
	cr_assert_eq(ds_create(root, "p", &fifo, NULL, &got, NULL, NULL), 0);
	ds_put(got);
	cr_assert_eq(ds_link(f, root, "hard", NULL, NULL, NULL), 0);
	cr_assert_eq(ds_setattr(f, &s, NULL, NULL), 0);
	cr_assert_eq(ds_rename(root, "l", d, "l2", NULL, NULL, NULL, NULL, NULL),
		     0);
	fa = attr_of(f);
	da = attr_of(d);
	ra = attr_of(root);
	fid = ds_fileid(f);
	did = ds_fileid(d);
	gen = ds_generation(f);
	ds_put(f);
	ds_put(d);
	ds_put(l);
	ds_put(root);
	ds_store_free(st);

	st = open_at(dir);
	check_clean(st);
	cr_assert_eq(ds_boot_count(st), 2);
	cr_assert_eq(ds_find(st, fid, gen, &f), 0, "old handle is stale");
	cr_assert_eq(attr_of(f).nlink, 2);
	cr_assert_eq(attr_of(f).mode, 0640);
	cr_assert_eq(attr_of(f).uid, 42);
	cr_assert_eq(attr_of(f).mtime.tv_sec, 1234567);
	cr_assert_eq(attr_of(f).mtime.tv_nsec, 89);
	/* unstable writes a crash lost must not leave a change value
	 * that once named other contents: files jump at every load
	 */
	cr_assert_gt(attr_of(f).change, fa.change + 1000000);
	cr_assert_eq(attr_of(f).ctime.tv_nsec, fa.ctime.tv_nsec);
	root = ds_root(st);
	cr_assert_eq(attr_of(root).nlink, ra.nlink);
	cr_assert_eq(attr_of(root).change, ra.change);
	d = get(root, "d");
	cr_assert_eq(ds_fileid(d), did);
	cr_assert_eq(attr_of(d).nlink, da.nlink);
	got = get(d, "f");
	cr_assert_eq(got, f);
	ds_put(got);
	got = get(root, "hard");
	cr_assert_eq(got, f);
	ds_put(got);
	got = get(d, "..");
	cr_assert_eq(got, root);
	ds_put(got);
	cr_assert(!exists(root, "l"));
	l = get(d, "l2");
	cr_assert_eq(ds_readlink(l, buf, sizeof(buf), &len), 0);
	cr_assert_str_eq(buf, "target");
	got = get(root, "p");
	cr_assert_eq(ds_type_of(got), DS_FIFO);
	cr_assert_eq(attr_of(got).uid, 7);
	ds_put(got);
	/* fileids are not reused after a restart */
	got = mk(root, "new", DS_REG);
	cr_assert_gt(ds_fileid(got), ds_fileid(l));
	cr_assert_eq(ds_generation(got), gen);
	ds_put(got);
	ds_put(l);
	ds_put(d);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}

Test(durable, readdir_cookies_survive_reopen)
{
	struct ds_store *st = open_at(dir);
	struct ds_inode *root = ds_root(st);
	struct ds_dirent ents[8];
	unsigned int n, i;
	uint64_t c3;
	bool eof;
	char name[8];

	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "e%u", i);
		ds_put(mk(root, name, DS_REG));
	}
	cr_assert_eq(ds_unlink(root, "e1", NULL, NULL, NULL), 0);
	cr_assert_eq(ds_readdir(root, 0, ents, 3, &n, &eof), 0);
	cr_assert_eq(n, 3);
	c3 = ents[2].cookie;	/* after e0, e2, e3 */
	for (i = 0; i < n; i++)
		ds_put(ents[i].ino);
	ds_put(root);
	ds_store_free(st);

	st = open_at(dir);
	root = ds_root(st);
	cr_assert_eq(ds_readdir(root, c3, ents, 8, &n, &eof), 0);
	cr_assert(eof);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(ents[0].name, "e4");
	cr_assert_str_eq(ents[3].name, "e7");
	for (i = 0; i < n; i++)
		ds_put(ents[i].ino);
	/* new entries still get cookies after every old one */
	ds_put(mk(root, "late", DS_REG));
	cr_assert_eq(ds_readdir(root, c3, ents, 8, &n, &eof), 0);
	cr_assert_eq(n, 5);
	cr_assert_str_eq(ents[4].name, "late");
	for (i = 0; i < n; i++)
		ds_put(ents[i].ino);
	ds_put(root);
	ds_store_free(st);
}

Test(durable, data_and_xattrs_survive_reopen)
{
	struct ds_store *st = open_at(dir);
	struct ds_inode *root = ds_root(st), *f = mk(root, "f", DS_REG);
	char big[3 * BS], back[3 * BS], list[64] = "", v[8];
	struct ds_set tr = { .mask = DS_SET_SIZE, .size = 5 * BS + 10 };
	uint64_t cookie = 0;
	size_t len;
	bool eof;

	memset(big, 'a', sizeof(big));
	cr_assert_eq(wr(f, big, sizeof(big), 0), sizeof(big));
	cr_assert_eq(wr(f, "tail", 4, 10 * BS), 4);
	cr_assert_eq(ds_setxattr(f, "zeta", "1", 1, 0, NULL), 0);
	cr_assert_eq(ds_setxattr(f, "alpha", "22", 2, 0, NULL), 0);
	cr_assert_eq(ds_setxattr(f, "zeta", "333", 3, 0, NULL), 0);
	/* truncate carries the written data with it, then cuts it */
	cr_assert_eq(ds_setattr(f, &tr, NULL, NULL), 0);
	cr_assert_eq(ds_deallocate(f, BS, BS), 0);
	cr_assert_eq(ds_allocate(f, 8 * BS, BS), 0);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);

	st = open_at(dir);
	check_clean(st);
	root = ds_root(st);
	f = get(root, "f");
	cr_assert_eq(attr_of(f).size, 9 * BS);
	/* blocks 0, 2 and the allocated 8: block 1 was punched */
	cr_assert_eq(attr_of(f).space_used, 3 * BS);
	cr_assert_eq(rd(f, back, sizeof(back), 0, &eof), sizeof(back));
	cr_assert_eq(memcmp(back, big, BS), 0);
	memset(big + BS, 0, BS);
	cr_assert_eq(memcmp(back, big, sizeof(back)), 0);
	cr_assert_eq(ds_listxattr(f, &cookie, collect, list, &eof), 0);
	cr_assert_str_eq(list, "zeta,alpha,");
	cr_assert_eq(ds_getxattr(f, "zeta", NULL, v, sizeof(v), &len), 0);
	cr_assert_eq(len, 3);
	cr_assert_eq(memcmp(v, "333", 3), 0);
	cr_assert_eq(ds_removexattr(f, "zeta", NULL), 0);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);

	st = open_at(dir);
	root = ds_root(st);
	f = get(root, "f");
	cr_assert_eq(ds_getxattr(f, "zeta", NULL, v, sizeof(v), &len), -ENODATA);
	cr_assert_eq(ds_getxattr(f, "alpha", NULL, v, sizeof(v), &len), 0);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}

/* Runs fn in a child that then dies without closing the store. */
static void crash_after(void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void commit_then_die(void)
{
	struct ds_store *st = open_at(dir);
	struct ds_inode *root = ds_root(st), *f = mk(root, "f", DS_REG);

	if (wr(f, "committed", 9, 0) != 9 || ds_commit(f) != 0)
		_exit(1);
	if (wr(f, "unstable", 8, 100 * BS) != 8)
		_exit(1);
	_exit(0);
}

Test(durable, commit_survives_a_crash)
{
	struct ds_store *st;
	struct ds_inode *root, *f;
	char buf[16];

	crash_after(commit_then_die);
	st = open_at(dir);
	check_clean(st);
	root = ds_root(st);
	f = get(root, "f");
	cr_assert_eq(rd(f, buf, 9, 0, NULL), 9);
	cr_assert_eq(memcmp(buf, "committed", 9), 0);
	/* never committed, and nothing else persisted the inode */
	cr_assert_eq(attr_of(f).size, 9);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}

static void orphan_then_die(void)
{
	struct ds_store *st = open_at(dir);
	struct ds_inode *root = ds_root(st), *f = mk(root, "gone", DS_REG);
	struct ds_check ck;

	if (ds_open(f) || wr(f, "data", 4, 0) != 4 || ds_commit(f))
		_exit(1);
	if (ds_unlink(root, "gone", NULL, NULL, NULL) || ds_commit(f))
		_exit(1);
	if (ds_store_check(st, &ck) || ck.orphans != 1 || ck.errors)
		_exit(1);
	_exit(0);
}

Test(durable, orphans_are_freed_at_reopen)
{
	struct ds_store *st;
	struct ds_check ck;

	crash_after(orphan_then_die);
	st = open_at(dir);
	cr_assert_eq(ds_orphans_freed(st), 1);
	cr_assert_eq(ds_store_check(st, &ck), 0);
	cr_assert_eq(ck.errors, 0, "%s", ck.first_error);
	cr_assert_eq(ck.orphans, 0);
	cr_assert_eq(ck.blocks, 0);
	cr_assert_eq(ck.inodes, 1);	/* the root */
	ds_store_free(st);
}

Test(durable, last_close_of_an_orphan_frees_it_on_disk)
{
	struct ds_store *st = open_at(dir);
	struct ds_inode *root = ds_root(st), *f = mk(root, "f", DS_REG);
	struct ds_check ck;

	cr_assert_eq(ds_open(f), 0);
	cr_assert_eq(wr(f, "x", 1, 0), 1);
	cr_assert_eq(ds_unlink(root, "f", NULL, NULL, NULL), 0);
	cr_assert_eq(ds_commit(f), 0);
	cr_assert_eq(ds_store_check(st, &ck), 0);
	cr_assert_eq(ck.orphans, 1);
	cr_assert_eq(ck.blocks, 1);
	ds_close(f);
	cr_assert_eq(ds_store_check(st, &ck), 0);
	cr_assert_eq(ck.orphans, 0);
	cr_assert_eq(ck.blocks, 0);
	cr_assert_eq(ck.errors, 0, "%s", ck.first_error);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}

Test(durable, capacity_limits_still_apply)
{
	struct ds_config c = cfg();
	struct ds_durable d = durable_at(dir);
	struct ds_store *st;
	struct ds_inode *root, *f;
	static char buf[16 * BS];

	c.max_bytes = 16 * BS;
	cr_assert_eq(ds_store_open(&c, &d, &st), 0);
	root = ds_root(st);
	f = mk(root, "f", DS_REG);
	cr_assert_eq(wr(f, buf, sizeof(buf), 0), sizeof(buf));
	cr_assert_eq(wr(f, "x", 1, sizeof(buf)), -ENOSPC);
	cr_assert_eq(ds_commit(f), 0);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
	/* the reloaded store counts what it holds */
	cr_assert_eq(ds_store_open(&c, &d, &st), 0);
	root = ds_root(st);
	f = get(root, "f");
	cr_assert_eq(wr(f, "x", 1, sizeof(buf)), -ENOSPC);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}

struct worker {
	struct ds_inode *dirs[2];
	unsigned int seed;
};

/* Mixed namespace and data traffic on two shared directories. */
static void *work(void *arg)
{
	struct worker *w = arg;
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	char a[16], b[16], buf[6000];
	int i;

	memset(buf, 'w', sizeof(buf));
	for (i = 0; i < 150; i++) {
		struct ds_inode *da = w->dirs[rand_r(&w->seed) % 2];
		struct ds_inode *db = w->dirs[rand_r(&w->seed) % 2], *f;

		snprintf(a, sizeof(a), "n%u", rand_r(&w->seed) % 24);
		snprintf(b, sizeof(b), "n%u", rand_r(&w->seed) % 24);
		switch (rand_r(&w->seed) % 5) {
		case 0:
			if (ds_create(da, a, &nw, NULL, &f, NULL, NULL) == 0)
				ds_put(f);
			break;
		case 1:
			if (ds_lookup(da, a, &f) == 0) {
				wr(f, buf, rand_r(&w->seed) % sizeof(buf),
				   rand_r(&w->seed) % 20000);
				ds_commit(f);
				ds_put(f);
			}
			break;
		case 2:
			ds_rename(da, a, db, b, NULL, NULL, NULL, NULL, NULL);
			break;
		case 3:
			if (ds_lookup(da, a, &f) == 0) {
				ds_link(f, db, b, NULL, NULL, NULL);
				ds_put(f);
			}
			break;
		default:
			ds_unlink(da, a, NULL, NULL, NULL);
			break;
		}
	}
	return NULL;
}

struct snap {
	uint64_t fileid[2][24];
	uint64_t size[2][24];
};

static void take(struct ds_inode *dirs[2], struct snap *s)
{
	struct ds_inode *f;
	char n[16];
	int d, i;

	memset(s, 0, sizeof(*s));
	for (d = 0; d < 2; d++) {
		for (i = 0; i < 24; i++) {
			snprintf(n, sizeof(n), "n%d", i);
			if (ds_lookup(dirs[d], n, &f))
				continue;
			s->fileid[d][i] = ds_fileid(f);
			s->size[d][i] = attr_of(f).size;
			ds_put(f);
		}
	}
}

Test(durable, concurrent_traffic_reopens_clean)
{
	struct ds_store *st = open_at(dir);
	struct ds_inode *root = ds_root(st), *dirs[2];
	struct worker w[4];
	pthread_t t[4];
	struct snap before, after;
	int i;

	dirs[0] = mk(root, "a", DS_DIR);
	dirs[1] = mk(root, "b", DS_DIR);
	for (i = 0; i < 4; i++) {
		w[i].dirs[0] = dirs[0];
		w[i].dirs[1] = dirs[1];
		w[i].seed = 1000 + i;
		cr_assert_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	take(dirs, &before);
	check_clean(st);
	ds_put(dirs[0]);
	ds_put(dirs[1]);
	ds_put(root);
	ds_store_free(st);

	st = open_at(dir);
	check_clean(st);
	root = ds_root(st);
	dirs[0] = get(root, "a");
	dirs[1] = get(root, "b");
	take(dirs, &after);
	cr_assert_eq(memcmp(&before, &after, sizeof(before)), 0);
	ds_put(dirs[0]);
	ds_put(dirs[1]);
	ds_put(root);
	ds_store_free(st);
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * The LMDB backend's own cases: the errors for bad paths and settings,
 * a store written before there were backends, what a memory store
 * answers to the durability API, and group commit (concurrent commits
 * share synced transactions; a lone one is written before it returns).
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "durable_test.h"
#include "lmdb_int.h"

TestSuite(durable, .init = setup, .fini = teardown);

Test(durable, bad_paths_and_settings)
{
	struct ds_config c = cfg();
	struct ds_durable d = { .path = dir };
	struct ds_store *st, *other;
	char path[1100];
	int fd;

	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
	d.path = path;
	cr_assert_eq(ds_store_open(&c, &d, &st), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/no/such", dir);
	cr_assert_eq(ds_store_open(&c, &d, &st), -ENOENT);
	d.path = "";
	cr_assert_eq(ds_store_open(&c, &d, &st), -EINVAL);
	d.path = dir;
	d.map_size = ds_durable_map_size(&c) - 4096;
	cr_assert_eq(ds_store_open(&c, &d, &st), -EINVAL);
	d.map_size = 0;
	cr_assert_eq(ds_store_open(&c, &d, &st), 0);
	/* one user per store */
	cr_assert_eq(ds_store_open(&c, &d, &other), -EBUSY);
	ds_store_free(st);
	c.block_size = 2 * BS;
	cr_assert_eq(ds_store_open(&c, &d, &st), -EXDEV);
	c.block_size = BS;
	/* a directory that holds something else */
	snprintf(path, sizeof(path), "%s/junk", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/junk/data.mdb", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "not lmdb, not lmdb, not lmdb", 28), 28);
	close(fd);
	snprintf(path, sizeof(path), "%s/junk", dir);
	d.path = path;
	cr_assert_eq(ds_store_open(&c, &d, &st), -EILSEQ);
}


Test(durable, memory_stores_have_no_durability_api)
{
	struct ds_config c = cfg();
	struct ds_store *st;
	struct ds_inode *root, *f;
	struct ds_check ck;

	cr_assert_eq(ds_store_new(&c, &st), 0);
	root = ds_root(st);
	f = mk(root, "f", DS_REG);
	cr_assert(!ds_store_is_durable(st));
	cr_assert_eq(ds_boot_count(st), 0);
	cr_assert_eq(ds_commit(f), 0);
	cr_assert_eq(ds_sync(st), 0);
	cr_assert_eq(ds_store_check(st, &ck), -EINVAL);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}


/*
 * fixtures/lmdb-v1/data.mdb was written by the store before it had
 * backends (commit 59f1397, fixtures/lmdb-v1/writer.c): the format
 * did not change, so it loads with everything in it, its orphan freed.
 */
Test(durable, a_store_written_before_backends_loads)
{
	struct ds_inode *root, *d, *f, *h, *x, *l, *n;
	struct ds_dirent ents[8];
	char cmd[2200], buf[10000], list[64] = "", v[8];
	uint64_t cookie = 0;
	struct ds_store *st;
	unsigned int i, cnt;
	size_t len;
	bool eof;

	snprintf(cmd, sizeof(cmd), "cp %s/lmdb-v1/data.mdb %s/",
		 DITTO_FIXTURES, dir);
	cr_assert_eq(system(cmd), 0);
	st = open_at(dir);
	cr_assert_eq(ds_boot_count(st), 2);
	cr_assert_eq(ds_orphans_freed(st), 1);
	check_clean(st);
	root = ds_root(st);
	cr_assert_eq(ds_readdir(root, 0, ents, 8, &cnt, &eof), 0);
	cr_assert_eq(cnt, 4);
	/* insert order; "tmp" (4) and the orphan "gone" (8) were removed */
	cr_assert_str_eq(ents[0].name, "d");
	cr_assert_eq(ents[0].cookie, 3);
	cr_assert_str_eq(ents[1].name, "l");
	cr_assert_eq(ents[1].cookie, 5);
	cr_assert_str_eq(ents[2].name, "x");
	cr_assert_str_eq(ents[3].name, "fifo");
	cr_assert_eq(ents[3].cookie, 7);
	cr_assert_eq(attr_of(ents[3].ino).type, DS_FIFO);
	for (i = 0; i < cnt; i++)
		ds_put(ents[i].ino);
	d = get(root, "d");
	cr_assert_eq(attr_of(d).mode, 0750);
	cr_assert_eq(attr_of(d).uid, 1000);
	cr_assert_eq(attr_of(d).gid, 100);
	f = get(d, "f");
	h = get(d, "h");
	cr_assert_eq(f, h);
	cr_assert_eq(ds_fileid(f), 5);
	cr_assert_eq(attr_of(f).nlink, 2);
	cr_assert_eq(attr_of(f).size, (1 << 20) + 4);
	cr_assert_eq(attr_of(f).space_used, 4 * BS);
	cr_assert_eq(rd(f, buf, sizeof(buf), 0, NULL), sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], (char)(i * 7 + 1), "byte %u", i);
	cr_assert_eq(rd(f, buf, 4, 1 << 20, NULL), 4);
	cr_assert_eq(memcmp(buf, "tail", 4), 0);
	l = get(root, "l");
	cr_assert_eq(ds_readlink(l, buf, sizeof(buf), &len), 0);
	cr_assert_str_eq(buf, "d/f");
	x = get(root, "x");
	cr_assert_eq(ds_listxattr(x, &cookie, collect, list, &eof), 0);
	cr_assert_str_eq(list, "user.a,user.b,");
	cr_assert_eq(ds_getxattr(x, "user.b", NULL, v, sizeof(v), &len), 0);
	cr_assert_eq(memcmp(v, "two", 3), 0);
	cr_assert_not(exists(root, "gone"));
	cr_assert_not(exists(root, "tmp"));
	/* fileids go on where the old store left them (gone was 9) */
	n = mk(root, "new", DS_REG);
	cr_assert_eq(ds_fileid(n), 10);
	ds_put(n);
	ds_put(x);
	ds_put(l);
	ds_put(h);
	ds_put(f);
	ds_put(d);
	ds_put(root);
	ds_store_free(st);
}

#define GC_THREADS 4
#define GC_CREATES 100

static int gc_next, gc_errors;

static void *gc_creates(void *arg)
{
	struct ds_inode *d = arg;
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	struct ds_inode *f;
	char name[32];
	int i;

	for (i = 0; i < GC_CREATES; i++) {
		snprintf(name, sizeof(name), "f%d",
			 __atomic_fetch_add(&gc_next, 1, __ATOMIC_RELAXED));
		if (ds_create(d, name, &nw, NULL, &f, NULL, NULL))
			__atomic_fetch_add(&gc_errors, 1, __ATOMIC_RELAXED);
		else
			ds_put(f);
	}
	return NULL;
}

Test(durable, group_commit_shares_synced_transactions)
{
	struct ds_config c = cfg();
	struct ds_durable d = { .path = dir };
	struct ds_store *st;
	struct ds_inode *root, *g;
	pthread_t th[GC_THREADS];
	uint64_t commits, batches, c0, b0;
	char name[32];
	int i;

	/* Synced, as served: the sharing comes from waiting for the disk. */
	c.max_files = GC_THREADS * GC_CREATES + 16;
	cr_assert_eq(ds_store_open(&c, &d, &st), 0);
	cr_assert(!ds_lmdb_of(st)->gc.nosync);
	root = ds_root(st);
	/* A lone commit is written (and synced) before its call returns. */
	ds_lmdb_group_stats(st, &c0, &b0);
	g = mk(root, "g", DS_DIR);
	ds_lmdb_group_stats(st, &commits, &batches);
	cr_assert_eq(commits, c0 + 1);
	cr_assert_eq(batches, b0 + 1);
	cr_assert_null(ds_lmdb_of(st)->gc.head, "nothing left queued");
	for (i = 0; i < GC_THREADS; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, gc_creates, g), 0);
	for (i = 0; i < GC_THREADS; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(gc_errors, 0);
	ds_lmdb_group_stats(st, &commits, &batches);
	cr_assert_eq(commits, c0 + 1 + GC_THREADS * GC_CREATES);
	cr_assert_lt(batches - b0, commits - c0, "%lu batches for %lu commits",
		     (unsigned long)(batches - b0),
		     (unsigned long)(commits - c0));
	cr_assert_null(ds_lmdb_of(st)->gc.head, "nothing left queued");
	ds_put(g);
	ds_put(root);
	ds_store_free(st);
	/* Every create that returned is in LMDB. */
	st = open_at(dir);
	check_clean(st);
	root = ds_root(st);
	cr_assert_eq(ds_lookup(root, "g", &g), 0);
	for (i = 0; i < GC_THREADS * GC_CREATES; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		cr_assert(exists(g, name), "%s lost", name);
	}
	ds_put(g);
	ds_put(root);
	ds_store_free(st);
}

/* Too big to copy: written by its caller, with what was queued. */
Test(durable, big_commit_is_written_by_its_caller)
{
	struct ds_store *st = open_at(dir);
	struct ds_inode *root = ds_root(st), *f = mk(root, "big", DS_REG);
	size_t len = 1 << 20, i;
	uint64_t commits, batches, c0, b0;
	unsigned char *buf = malloc(len), *back = malloc(len);

	cr_assert(buf && back);
	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 7 + i / 4096);
	cr_assert_eq(wr(f, buf, len, 0), (ssize_t)len);
	ds_lmdb_group_stats(st, &c0, &b0);
	cr_assert_eq(ds_commit(f), 0);
	ds_lmdb_group_stats(st, &commits, &batches);
	cr_assert_eq(commits, c0 + 1);
	cr_assert_eq(batches, b0 + 1);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
	st = open_at(dir);
	check_clean(st);
	root = ds_root(st);
	cr_assert_eq(ds_lookup(root, "big", &f), 0);
	cr_assert_eq(rd(f, back, len, 0, NULL), (ssize_t)len);
	cr_assert_eq(memcmp(buf, back, len), 0);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
	free(buf);
	free(back);
}

/*
 * A batch LMDB cannot write (the file may not grow: RLIMIT_FSIZE)
 * fails its create and latches the store; the disk keeps every create
 * that returned and nothing after.
 */
Test(durable, failed_batch_latches_the_store)
{
	struct ds_store *st = open_at(dir);
	struct ds_inode *root = ds_root(st), *f;
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	char path[1100], name[32];
	struct rlimit rl, old;
	struct stat sb;
	int i, made, rc = 0;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	cr_assert_eq(stat(path, &sb), 0);
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	rl = old;
	rl.rlim_cur = sb.st_size;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	for (i = 0; i < 900 && !rc; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		rc = ds_create(root, name, &nw, NULL, &f, NULL, NULL);
		if (!rc)
			ds_put(f);
	}
	made = i - 1;
	cr_assert_lt(rc, 0, "the file never had to grow");
	cr_assert_eq(ds_store_failed(st), rc);
	cr_assert_eq(ds_create(root, "later", &nw, NULL, &f, NULL, NULL), rc);
	ds_put(root);
	ds_store_free(st);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	st = open_at(dir);
	check_clean(st);
	root = ds_root(st);
	for (i = 0; i < made; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		cr_assert(exists(root, name), "%s lost", name);
	}
	snprintf(name, sizeof(name), "f%d", made);
	cr_assert(!exists(root, name), "%s: its batch failed", name);
	cr_assert(!exists(root, "later"));
	ds_put(root);
	ds_store_free(st);
}

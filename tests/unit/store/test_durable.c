// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * The durable (LMDB) store: what a reopen brings back, what a crash
 * (a child that _exit()s without closing) keeps, orphans, the boot
 * count, and the errors for bad paths and settings.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store_test.h"

#define BS 4096

static char dir[64];

static struct ds_config cfg(void)
{
	struct ds_config c = {
		.max_bytes = 8 << 20,
		.max_files = 1000,
		.block_size = BS,
		.max_file_size = 1ULL << 30,
	};

	return c;
}

static struct ds_store *open_at(const char *path)
{
	struct ds_config c = cfg();
	struct ds_durable d = { .path = path };
	struct ds_store *st = NULL;

	cr_assert_eq(ds_store_open(&c, &d, &st), 0, "open %s", path);
	return st;
}

static void check_clean(struct ds_store *st)
{
	struct ds_check ck;

	cr_assert_eq(ds_store_check(st, &ck), 0);
	cr_assert_eq(ck.errors, 0, "check: %s", ck.first_error);
}

static void setup(void)
{
	strcpy(dir, "/tmp/ditto-durable-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(durable, .init = setup, .fini = teardown);

static struct ds_inode *get(struct ds_inode *d, const char *name)
{
	struct ds_inode *ino = NULL;

	cr_assert_eq(ds_lookup(d, name, &ino), 0, "lookup %s", name);
	return ino;
}

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

static int collect(const char *name, size_t len, void *arg)
{
	strcat(arg, name);
	strcat(arg, ",");
	return 0;
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

Test(durable, bad_paths_and_settings)
{
	struct ds_config c = cfg();
	struct ds_durable d = { .path = dir };
	struct ds_store *st, *other;
	char path[128];
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

Test(durable, capacity_limits_still_apply)
{
	struct ds_config c = cfg();
	struct ds_durable d = { .path = dir };
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

Test(durable, memory_stores_have_no_durability_api)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *root = ds_root(st), *f = mk(root, "f", DS_REG);
	struct ds_check ck;

	cr_assert(!ds_store_is_durable(st));
	cr_assert_eq(ds_boot_count(st), 0);
	cr_assert_eq(ds_commit(f), 0);
	cr_assert_eq(ds_sync(st), 0);
	cr_assert_eq(ds_store_check(st, &ck), -EINVAL);
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

/*
 * fixtures/lmdb-v1/data.mdb was written by the store before it had
 * backends (commit 59f1397, fixtures/lmdb-v1/writer.c): the format
 * did not change, so it loads with everything in it, its orphan freed.
 */
Test(durable, a_store_written_before_backends_loads)
{
	struct ds_inode *root, *d, *f, *h, *x, *l, *n;
	struct ds_dirent ents[8];
	char cmd[512], buf[10000], list[64] = "", v[8];
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

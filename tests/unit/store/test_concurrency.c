// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Concurrency: lock-free lookups while the name table resizes, and
 * racing cross-directory renames that must neither deadlock nor break
 * link counts or capacity accounting.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "store_test.h"

struct grow_arg {
	struct ds_inode *dir;
	unsigned int *done;
};

static void add(struct ds_inode *dir, unsigned int i)
{
	char name[32];

	snprintf(name, sizeof(name), "tmp%u", i);
	ds_put(mk(dir, name, DS_REG));
}

static void drop(struct ds_inode *dir, unsigned int i)
{
	char name[32];

	snprintf(name, sizeof(name), "tmp%u", i);
	cr_assert_eq(ds_unlink(dir, name, NULL, NULL, NULL), 0, "%s", name);
}

static void *grower(void *p)
{
	struct grow_arg *g = p;
	unsigned int i, round, n = test_scale(100000);

	/* grow to 100k and shrink back twice: several resizes each way */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < n; i++)
			add(g->dir, i);
		for (i = 0; i < n; i++)
			drop(g->dir, i);
	}
	__atomic_store_n(g->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *churner(void *p)
{
	struct grow_arg *g = p;
	unsigned int i, n = test_scale(200000);

	/*
	 * A steady size with a create and a remove per step: removed
	 * slots pile up in the name table until a rebuild sweeps them.
	 */
	for (i = 0; i < n; i++) {
		add(g->dir, i);
		if (i >= 50)
			drop(g->dir, i - 50);
	}
	__atomic_store_n(g->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* 100 names that must be found, and one that must not, while writer
 * changes the directory's other names; then all 100 once more.
 */
static void lookups_during(struct ds_inode *root, void *(*writer)(void *))
{
	unsigned int done = 0, i, rounds = 0;
	struct grow_arg g = { root, &done };
	struct ds_inode *ino;
	pthread_t th;
	char name[32];

	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "keep%u", i);
		ds_put(mk(root, name, DS_REG));
	}
	pthread_create(&th, NULL, writer, &g);
	do {
		for (i = 0; i < 100; i++) {
			snprintf(name, sizeof(name), "keep%u", i);
			cr_assert_eq(ds_lookup(root, name, &ino), 0,
				     "keep%u vanished after %u rounds", i,
				     rounds);
			ds_put(ino);
		}
		cr_assert_eq(ds_lookup(root, "never", &ino), -ENOENT);
		rounds++;
	} while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE));
	pthread_join(th, NULL);
}

Test(concurrency, lookups_during_resize, .timeout = 60)
{
	struct ds_store *st = mkstore(1ULL << 30, 1000000, 4096, 1 << 20);
	struct ds_inode *root = ds_root(st);

	lookups_during(root, grower);
	cr_assert_eq(ds_dir_count(root), 100);
	ds_put(root);
	ds_store_free(st);
}

Test(concurrency, lookups_during_churn, .timeout = 60)
{
	struct ds_store *st = mkstore(1ULL << 30, 1000000, 4096, 1 << 20);
	struct ds_inode *root = ds_root(st), *ino;
	unsigned int i, n = test_scale(200000);
	char name[32];

	lookups_during(root, churner);
	/* Every name is where it should be once the churn is over. */
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "tmp%u", i);
		cr_assert_eq(ds_lookup(root, name, &ino),
			     i + 50 < n ? -ENOENT : 0, "tmp%u", i);
		if (i + 50 >= n)
			ds_put(ino);
	}
	cr_assert_eq(ds_dir_count(root), 150);
	ds_put(root);
	ds_store_free(st);
}

#define NDIRS 6
#define NTHREADS 4
#define OPS 20000

static struct ds_inode *top[NDIRS];

static void *renamer(void *p)
{
	unsigned int seed = (unsigned int)(uintptr_t)p;
	struct ds_new nd = { .type = DS_DIR, .mode = 0755 };
	struct ds_inode *ino, *sub;
	char a[16], b[16];
	int i;

	for (i = 0; i < OPS; i++) {
		int d1 = rand_r(&seed) % NDIRS, d2 = rand_r(&seed) % NDIRS;

		snprintf(a, sizeof(a), "s%u", rand_r(&seed) % 8);
		snprintf(b, sizeof(b), "s%u", rand_r(&seed) % 8);
		switch (rand_r(&seed) % 5) {
		case 0:
			if (!ds_create(top[d1], a, &nd, NULL, &ino, NULL, NULL))
				ds_put(ino);
			break;
		case 1:
			ds_unlink(top[d1], a, NULL, NULL, NULL);
			break;
		case 2:
		case 3:
			ds_rename(top[d1], a, top[d2], b, NULL, NULL, NULL, NULL,
				  NULL);
			break;
		default:
			/* move a sibling tree under another subdirectory */
			if (ds_lookup(top[d1], a, &sub))
				break;
			if (ds_type_of(sub) == DS_DIR)
				ds_rename(top[d2], b, sub, "in", NULL, NULL, NULL,
					  NULL, NULL);
			ds_put(sub);
			break;
		}
	}
	return NULL;
}

/* Counts directories below dir and checks every nlink on the way. */
static unsigned long check_tree(struct ds_inode *dir)
{
	struct ds_dirent ents[64];
	unsigned long total = 0, subdirs = 0;
	uint64_t cookie = 0;
	unsigned int n, i;
	bool eof = false;

	while (!eof) {
		cr_assert_eq(ds_readdir(dir, cookie, ents, 64, &n, &eof), 0);
		for (i = 0; i < n; i++) {
			struct ds_inode *parent;

			cookie = ents[i].cookie;
			if (ds_type_of(ents[i].ino) == DS_DIR) {
				subdirs++;
				cr_assert_eq(ds_lookup(ents[i].ino, "..",
						       &parent),
					     0);
				cr_assert_eq(parent, dir, "bad ..");
				ds_put(parent);
				total += 1 + check_tree(ents[i].ino);
			}
			ds_put(ents[i].ino);
		}
	}
	cr_assert_eq(attr_of(dir).nlink, 2 + subdirs);
	return total;
}

Test(concurrency, racing_renames_keep_tree_sound, .timeout = 60)
{
	struct ds_store *st = mkstore(1ULL << 30, 1000000, 4096, 1 << 20);
	struct ds_inode *root = ds_root(st);
	pthread_t th[NTHREADS];
	struct ds_statfs sf;
	unsigned long dirs;
	uintptr_t i;
	char name[8];

	for (i = 0; i < NDIRS; i++) {
		snprintf(name, sizeof(name), "t%u", (unsigned int)i);
		top[i] = mk(root, name, DS_DIR);
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, renamer, (void *)(i + 1));
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	dirs = check_tree(root);
	ds_statfs(st, &sf);
	/* every live inode is a reachable directory, plus the root */
	cr_assert_eq(sf.total_files - sf.free_files, dirs + 1);
	for (i = 0; i < NDIRS; i++)
		ds_put(top[i]);
	ds_put(root);
	ds_store_free(st);
}

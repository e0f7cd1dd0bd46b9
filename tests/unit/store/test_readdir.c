// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Readdir cookies: reserved values, uniqueness, stability across
 * removals, correctness under concurrent mutation, and a directory of
 * one million entries.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "store_test.h"

/* Full scan in batches of `batch`; calls fn on each entry. */
static unsigned long scan(struct ds_inode *dir, unsigned int batch,
			  void (*fn)(const struct ds_dirent *, void *),
			  void *arg)
{
	struct ds_dirent *ents = malloc(batch * sizeof(*ents));
	uint64_t cookie = 0, last = 0;
	unsigned long total = 0;
	unsigned int n, i;
	bool eof = false;

	while (!eof) {
		cr_assert_eq(ds_readdir(dir, cookie, ents, batch, &n, &eof), 0);
		for (i = 0; i < n; i++) {
			cr_assert_geq(ents[i].cookie, DS_FIRST_COOKIE);
			cr_assert_gt(ents[i].cookie, last,
				     "cookies must increase");
			last = ents[i].cookie;
			if (fn)
				fn(&ents[i], arg);
			ds_put(ents[i].ino);
			total++;
		}
		if (n)
			cookie = ents[n - 1].cookie;
	}
	free(ents);
	return total;
}

struct seen {
	unsigned char *count;	/* per stable index */
	unsigned int nstable;
};

static void mark(const struct ds_dirent *de, void *arg)
{
	struct seen *s = arg;
	unsigned int idx;

	if (sscanf(de->name, "stable%u", &idx) == 1) {
		cr_assert_lt(idx, s->nstable);
		s->count[idx]++;
	}
}

Test(readdir, cookies_stable_across_removal)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *root = ds_root(st);
	struct ds_dirent ents[4];
	uint64_t c[10];
	unsigned int n, i;
	char name[32];
	bool eof;

	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "e%u", i);
		ds_put(mk(root, name, DS_REG));
	}
	cr_assert_eq(ds_readdir(root, 0, ents, 4, &n, &eof), 0);
	cr_assert_eq(n, 4);
	cr_assert(!eof);
	for (i = 0; i < 4; i++) {
		c[i] = ents[i].cookie;
		ds_put(ents[i].ino);
	}
	/* remove the entry we would resume after, and the next one */
	cr_assert_eq(ds_unlink(root, "e3", NULL, NULL, NULL), 0);
	cr_assert_eq(ds_unlink(root, "e4", NULL, NULL, NULL), 0);
	cr_assert_eq(ds_readdir(root, c[3], ents, 4, &n, &eof), 0);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(ents[0].name, "e5");
	for (i = 0; i < n; i++)
		ds_put(ents[i].ino);
	/* an earlier entry keeps its cookie */
	cr_assert_eq(ds_readdir(root, c[0], ents, 1, &n, &eof), 0);
	cr_assert_str_eq(ents[0].name, "e1");
	cr_assert_eq(ents[0].cookie, c[1]);
	ds_put(ents[0].ino);
	/* past the end, and an empty directory */
	cr_assert_eq(ds_readdir(root, UINT64_MAX - 1, ents, 4, &n, &eof), 0);
	cr_assert_eq(n, 0);
	cr_assert(eof);
	cr_assert_eq(scan(root, 3, NULL, NULL), 8);
	ds_put(root);
	ds_store_free(st);
}

Test(readdir, compaction_keeps_order)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *root = ds_root(st);
	struct seen s = { calloc(1000, 1), 1000 };
	char name[32];
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "stable%u", i);
		ds_put(mk(root, name, DS_REG));
	}
	/* remove 900 so the cookie index compacts */
	for (i = 0; i < 1000; i++) {
		if (i % 10 == 0)
			continue;
		snprintf(name, sizeof(name), "stable%u", i);
		cr_assert_eq(ds_unlink(root, name, NULL, NULL, NULL), 0);
	}
	cr_assert_eq(scan(root, 7, mark, &s), 100);
	for (i = 0; i < 1000; i++)
		cr_assert_eq(s.count[i], i % 10 == 0 ? 1 : 0);
	cr_assert_eq(ds_dir_count(root), 100);
	free(s.count);
	ds_put(root);
	ds_store_free(st);
}

#define NSTABLE 2000
#define NCHURN 2
#define CHURN_OPS 20000

struct churn {
	struct ds_inode *dir;
	unsigned int id;
	unsigned int *done;	/* churners finished, atomic */
};

static void *churner(void *arg)
{
	struct churn *c = arg;
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	struct ds_inode *ino;
	unsigned int i, seed = c->id;
	char name[32], to[32];

	for (i = 0; i < CHURN_OPS; i++) {
		unsigned int k = rand_r(&seed) % 200;

		snprintf(name, sizeof(name), "churn%u_%u", c->id, k);
		switch (rand_r(&seed) % 3) {
		case 0:
			if (ds_create(c->dir, name, &nw, NULL, &ino, NULL, NULL) ==
			    0)
				ds_put(ino);
			break;
		case 1:
			ds_unlink(c->dir, name, NULL, NULL, NULL);
			break;
		default:
			snprintf(to, sizeof(to), "churn%u_%u", c->id,
				 rand_r(&seed) % 200);
			ds_rename(c->dir, name, c->dir, to, NULL, NULL, NULL, NULL,
				  NULL);
			break;
		}
	}
	__atomic_add_fetch(c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

Test(readdir, concurrent_mutation)
{
	struct ds_store *st = mkstore(1ULL << 30, 1000000, 4096, 1 << 20);
	struct ds_inode *root = ds_root(st);
	struct churn c[NCHURN];
	pthread_t th[NCHURN];
	unsigned int i, scans = 0, done = 0;
	char name[32];
	bool last = false;

	for (i = 0; i < NSTABLE; i++) {
		snprintf(name, sizeof(name), "stable%u", i);
		ds_put(mk(root, name, DS_REG));
	}
	for (i = 0; i < NCHURN; i++) {
		c[i] = (struct churn){ root, i + 1, &done };
		pthread_create(&th[i], NULL, churner, &c[i]);
	}
	/* scan while they churn, plus one final scan after they stop */
	while (!last) {
		struct seen s = { calloc(NSTABLE, 1), NSTABLE };

		last = __atomic_load_n(&done, __ATOMIC_ACQUIRE) == NCHURN;
		scan(root, 13, mark, &s);
		for (i = 0; i < NSTABLE; i++)
			cr_assert_eq(s.count[i], 1,
				     "stable%u seen %u times in scan %u", i,
				     s.count[i], scans);
		free(s.count);
		scans++;
	}
	for (i = 0; i < NCHURN; i++)
		pthread_join(th[i], NULL);
	cr_assert_gt(scans, 0);
	/* lookups of stable names never failed meanwhile either */
	for (i = 0; i < NSTABLE; i += 97) {
		snprintf(name, sizeof(name), "stable%u", i);
		cr_assert(exists(root, name));
	}
	ds_put(root);
	ds_store_free(st);
}

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

Test(readdir, million_entries, .timeout = 60)
{
	const unsigned int N = test_scale(1000000);
	struct ds_store *st = mkstore(1ULL << 30, N + 10, 4096, 1 << 20);
	struct ds_inode *root = ds_root(st), *d = mk(root, "big", DS_DIR);
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	struct timespec t0, t1, t2;
	struct ds_inode *ino;
	char name[32];
	unsigned int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "f%07u", i);
		cr_assert_eq(ds_create(d, name, &nw, NULL, &ino, NULL, NULL), 0);
		ds_put(ino);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (i = 0; i < N; i += 9973) {
		snprintf(name, sizeof(name), "f%07u", i);
		cr_assert(exists(d, name));
	}
	cr_assert(!exists(d, "f9999999"));
	cr_assert_eq(ds_dir_count(d), N);
	cr_assert_eq(scan(d, 1024, NULL, NULL), N);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	cr_log_info("%u entries: insert %.2fs, lookups+scan %.2fs",
		    N, secs(&t0, &t1), secs(&t1, &t2));
	ds_put(d);
	ds_put(root);
	ds_store_free(st);
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * store_dirsize: per-operation cost of directory insert, lookup and
 * readdir as the directory grows from 1k to 1M entries.  A flat curve
 * means cost does not depend on directory size.
 *
 * Usage: store_dirsize [max_entries]   (default 1000000)
 *
 * For each size N, timed:
 *   insert  - growing the directory from the previous size to N, per
 *             create (amortised: includes the hash table resizes, which
 *             happen at the same relative points for every N)
 *   lookup  - max(N/10, 1000) lookups of random existing names
 *   readdir - a full scan in batches of 256, per entry returned
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ditto_store.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "store_dirsize: %s failed: %d\n", what, rc);
	exit(1);
}

static void create(struct ds_inode *dir, unsigned long i)
{
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	struct ds_inode *ino;
	char name[32];
	int rc;

	snprintf(name, sizeof(name), "entry-%010lu", i);
	rc = ds_create(dir, name, &nw, NULL, &ino, NULL, NULL);
	if (rc)
		die("create", rc);
	ds_put(ino);
}

int main(int argc, char **argv)
{
	unsigned long max = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	unsigned long sizes[] = { 1000, 10000, 100000, 1000000, 10000000 };
	struct ds_config cfg = {
		.max_bytes = 1ULL << 40,
		.max_files = 2 * max + 100000,
		.block_size = 4096,
		.max_file_size = 1ULL << 30,
	};
	struct ds_dirent *ents = malloc(256 * sizeof(*ents));
	struct ds_store *st;
	struct ds_inode *root;
	unsigned long have = 0;
	unsigned int s;
	int rc;

	rc = ds_store_new(&cfg, &st);
	if (rc)
		die("store", rc);
	root = ds_root(st);
	srand(42);
	printf("%10s %12s %12s %12s\n", "entries", "insert ns", "lookup ns",
	       "readdir ns");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned long n = sizes[s], ops = n / 10, i, seen = 0;
		int r;
		double t0, ins, look, rdd;
		uint64_t cookie = 0;
		unsigned int got;
		bool eof = false;

		if (n > max)
			break;
		if (ops < 1000)
			ops = 1000;
		t0 = now_ns();
		i = have;
		while (have < n)
			create(root, have++);
		ins = (now_ns() - t0) / (n - i);

		/* best of three: the machine is shared */
		for (look = 1e18, r = 0; r < 3; r++) {
			double t;

			t0 = now_ns();
			for (i = 0; i < ops; i++) {
				struct ds_inode *ino;
				char name[32];

				snprintf(name, sizeof(name), "entry-%010lu",
					 (unsigned long)rand() % n);
				rc = ds_lookup(root, name, &ino);
				if (rc)
					die("lookup", rc);
				ds_put(ino);
			}
			t = (now_ns() - t0) / ops;
			if (t < look)
				look = t;
		}

		t0 = now_ns();
		while (!eof) {
			rc = ds_readdir(root, cookie, ents, 256, &got, &eof);
			if (rc)
				die("readdir", rc);
			for (i = 0; i < got; i++)
				ds_put(ents[i].ino);
			if (got)
				cookie = ents[got - 1].cookie;
			seen += got;
		}
		rdd = (now_ns() - t0) / seen;
		if (seen != n)
			die("readdir count", (int)(seen - n));
		printf("%10lu %12.0f %12.0f %12.0f\n", n, ins, look, rdd);
		fflush(stdout);
	}
	ds_put(root);
	ds_store_free(st);
	free(ents);
	return 0;
}

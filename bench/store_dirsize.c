// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * store_dirsize: per-operation cost of directory insert, lookup and
 * readdir as the directory grows from 1k to 1M entries.  A flat curve
 * means cost does not depend on directory size.
 *
 * Usage: store_dirsize [--csv] [--only] [max_entries]   (default 1000000)
 *
 * For each size N (1k, 10k, ... up to max_entries), timed:
 *   insert  - growing the directory from the previous size to N, per
 *             create (amortised: includes the hash table resizes, which
 *             happen at the same relative points for every N)
 *   lookup  - max(N/10, 1000) lookups of random existing names, best of
 *             three rounds; the names are made before the clock starts,
 *             so this is ds_lookup and ds_put alone
 *   readdir - a full scan in batches of 256, per entry returned
 *   access  - one memory access that depends on the one before, to
 *             one of as many cache lines as there are lookups, spread
 *             at random over a buffer as big as the heap in use
 *             (heap_mib: mostly the store's inodes, entries and hash
 *             buckets), best of three: what one cache miss costs the
 *             lookups at that size on this machine.  A lookup reads at
 *             least the inode it returns, so it cannot cost less.
 * and at the end the lookup cost at the largest size over that at 1k,
 * and one access at the largest size over the lookup at 1k: the lowest
 * that ratio can be for random names.
 *
 * --csv: one line per size, "entries,inserts,insert_ns,lookups,
 * lookup_ns,readdir_ns,heap_mib,access_ns" (lookups: ds_lookup calls
 * made at that size).
 * --only: measure the largest size only (the directory still grows to
 * it), so that a profiler sees that size's lookups alone, e.g.
 * valgrind --tool=callgrind --toggle-collect=ds_lookup: its instructions
 * over "lookups" are the instructions per lookup.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

#define NAME_LEN 32

/* Timed lookups of the names in names[0..ops); best of three, ns each. */
static double lookups(struct ds_inode *dir, const char *names,
		      unsigned long ops)
{
	double best = 1e18;
	int r;

	/* best of three: the machine is shared */
	for (r = 0; r < 3; r++) {
		double t0 = now_ns(), t;
		unsigned long i;

		for (i = 0; i < ops; i++) {
			struct ds_inode *ino;
			int rc = ds_lookup(dir, names + i * NAME_LEN, &ino);

			if (rc)
				die("lookup", rc);
			ds_put(ino);
		}
		t = (now_ns() - t0) / ops;
		if (t < best)
			best = t;
	}
	return best;
}

/* Bytes of heap in use: every arena and every mmapped chunk. */
static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

#define LINE 64
#define WORDS (LINE / 8)
#define ACCESSES 1000000UL

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * ns per access of a chase through `lines` cache lines spread at random
 * over a buffer of `bytes`, as the lookups' entries and inodes are over
 * the heap, in a random cycle; best of three.  Each line holds the
 * index of the next, so no access can start before the one before it
 * ends, as a lookup's bucket, entry and inode.
 */
static double access_ns(size_t bytes, unsigned long lines)
{
	size_t n = bytes / LINE, stride, i;
	uint64_t x = 0x9e3779b97f4a7c15ULL, p;
	double best = 1e18;
	uint64_t *buf, *at;
	int r;

	if (n < lines)
		n = lines;
	stride = n / lines;
	buf = malloc(n * LINE);
	at = malloc(lines * sizeof(*at));
	if (!buf || !at)
		die("malloc", -ENOMEM);
	/* One line at random in each stride, in an order shuffled by
	 * Sattolo's algorithm: a single cycle through all of them.
	 */
	for (i = 0; i < lines; i++)
		at[i] = i * stride + xorshift(&x) % stride;
	for (i = lines - 1; i > 0; i--) {
		size_t j = xorshift(&x) % i;
		uint64_t t = at[i];

		at[i] = at[j];
		at[j] = t;
	}
	for (i = 0; i < lines; i++)
		buf[at[i] * WORDS] = at[(i + 1) % lines];
	p = at[0];
	for (r = 0; r < 3; r++) {
		double t0 = now_ns(), t;

		for (i = 0; i < ACCESSES; i++)
			p = buf[p * WORDS];
		t = (now_ns() - t0) / ACCESSES;
		if (t < best)
			best = t;
	}
	/* p depends on every access: keeps the loop. */
	if (p >= n)
		die("access chase", -EINVAL);
	free(at);
	free(buf);
	return best;
}

/* Full scan; ns per entry returned. */
static double scan(struct ds_inode *dir, struct ds_dirent *ents,
		   unsigned long n)
{
	double t0 = now_ns();
	unsigned long seen = 0;
	uint64_t cookie = 0;
	bool eof = false;

	while (!eof) {
		unsigned int got, i;
		int rc = ds_readdir(dir, cookie, ents, 256, &got, &eof);

		if (rc)
			die("readdir", rc);
		for (i = 0; i < got; i++)
			ds_put(ents[i].ino);
		if (got)
			cookie = ents[got - 1].cookie;
		seen += got;
	}
	if (seen != n)
		die("readdir count", (int)(seen - n));
	return (now_ns() - t0) / seen;
}

int main(int argc, char **argv)
{
	unsigned long sizes[] = { 1000, 10000, 100000, 1000000, 10000000 };
	unsigned long max = 1000000, have = 0, first = 0;
	struct ds_config cfg = {
		.block_size = 4096,
		.max_file_size = 1ULL << 30,
		.max_bytes = 1ULL << 40,
	};
	struct ds_dirent *ents = malloc(256 * sizeof(*ents));
	bool csv = false, only = false;
	double look_first = 0, look_last = 0, acc_last = 0;
	struct ds_store *st;
	struct ds_inode *root;
	unsigned int s;
	int a, rc;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--csv"))
			csv = true;
		else if (!strcmp(argv[a], "--only"))
			only = true;
		else
			max = strtoul(argv[a], NULL, 0);
	}
	cfg.max_files = 2 * max + 100000;
	rc = ds_store_new(&cfg, &st);
	if (rc)
		die("store", rc);
	root = ds_root(st);
	srand(42);
	if (csv)
		printf("entries,inserts,insert_ns,lookups,lookup_ns,readdir_ns,"
		       "heap_mib,access_ns\n");
	else
		printf("%10s %12s %12s %12s %10s %10s\n", "entries",
		       "insert ns", "lookup ns", "readdir ns", "heap MiB",
		       "access ns");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned long n = sizes[s], ops = n / 10, i, from = have;
		double t0, ins, look, rdd, acc;
		size_t heap;
		char *names;

		if (n > max)
			break;
		if (only && s + 1 < sizeof(sizes) / sizeof(sizes[0]) &&
		    sizes[s + 1] <= max)
			continue;
		if (ops < 1000)
			ops = 1000;
		t0 = now_ns();
		while (have < n)
			create(root, have++);
		ins = (now_ns() - t0) / (n - from);

		names = malloc(ops * NAME_LEN);
		if (!names)
			die("malloc", -ENOMEM);
		for (i = 0; i < ops; i++)
			snprintf(names + i * NAME_LEN, NAME_LEN, "entry-%010lu",
				 (unsigned long)rand() % n);
		look = lookups(root, names, ops);
		free(names);
		rdd = scan(root, ents, n);
		heap = heap_bytes();
		acc = access_ns(heap, ops);

		if (!first) {
			first = n;
			look_first = look;
		}
		look_last = look;
		acc_last = acc;
		if (csv)
			printf("%lu,%lu,%.1f,%lu,%.1f,%.1f,%.1f,%.1f\n", n,
			       n - from, ins, 3 * ops, look, rdd,
			       heap / 1048576.0, acc);
		else
			printf("%10lu %12.0f %12.0f %12.0f %10.1f %10.1f\n", n,
			       ins, look, rdd, heap / 1048576.0, acc);
		fflush(stdout);
	}
	if (!csv && first && have != first) {
		printf("lookup at %lu entries: %.2fx its cost at %lu\n", have,
		       look_last / look_first, first);
		printf("one access at %lu entries: %.2fx the lookup at %lu\n",
		       have, acc_last / look_first, first);
	}
	ds_put(root);
	ds_store_free(st);
	free(ents);
	return 0;
}

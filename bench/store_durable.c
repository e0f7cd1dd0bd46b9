// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * store_durable: the durable stores' (LMDB, and PostgreSQL with
 * --conninfo) metadata and data rates next to the memory store's,
 * straight on the store API (no NFS, no RPC).  Every lmdb metadata
 * operation and every commit is synced to disk before it returns, so
 * its rates are those of the disk's fsync; postgres's are one
 * transaction each, as durable as the server's synchronous_commit.
 *
 * Usage: store_durable [--ops N] [--mib M] [--dir D] [--conninfo C]
 *   --ops  metadata operations per kind (default 2000)
 *   --mib  MiB written per data test (default 256)
 *   --dir  parent directory of the lmdb store (default $TMPDIR or
 *          /var/tmp; use the disk you mean to serve from)
 *   --conninfo  a PostgreSQL database (libpq string) to measure too; the
 *          store is made in its search_path's first schema, which must
 *          hold no store (`scripts/ditto bench store-durable` starts a
 *          private instance with synchronous_commit = on)
 *
 * Per store, one line per operation kind: ops/s and, for data, MiB/s.
 *   create, setattr, rename, unlink   one file each, in one directory
 *   create-4t                         4 threads creating, each in its own
 *                                     directory (commits side by side)
 *   write-unstable                    64 KiB writes, one commit at end
 *   write-sync                        64 KiB write + commit (FILE_SYNC)
 *   write-sync-4k                     4 KiB write + commit
 *   read                              64 KiB reads of what was written
 *   reopen                            durable stores: seconds to load the
 *                                     whole store (the data written above)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ditto_store.h"

#define CHUNK (64 * 1024)

static unsigned long nops = 2000, mib = 256;
static char path[512];
static const char *conninfo;
static struct ds_config cfg = {
	.max_bytes = 8ULL << 30,
	.max_files = 1000000,
	.block_size = 64 * 1024,
	.max_file_size = 1ULL << 40,
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void check(const char *what, long rc)
{
	if (rc < 0) {
		fprintf(stderr, "store_durable: %s: error %ld\n", what, rc);
		exit(1);
	}
}

static void report(const char *store, const char *what, unsigned long n,
		   double secs, double bytes)
{
	printf("%-8s %-15s %10.0f ops/s", store, what, n / secs);
	if (bytes)
		printf(" %9.1f MiB/s", bytes / secs / (1 << 20));
	printf("\n");
	fflush(stdout);
}

static struct ds_store *open_store(const char *kind)
{
	struct ds_durable d = { .path = path };
	struct ds_store *st;

	if (!strcmp(kind, "memory")) {
		check("new", ds_store_new(&cfg, &st));
		return st;
	}
	if (!strcmp(kind, "postgres")) {
		d.backend = DS_BACKEND_POSTGRES;
		d.conninfo = conninfo;
	}
	check("open", ds_store_open(&cfg, &d, &st));
	return st;
}

#define THREADS 4

struct creator {
	struct ds_inode *dir;
	unsigned long n;
};

static void *creates(void *arg)
{
	struct creator *c = arg;
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	struct ds_inode *ino;
	char a[32];
	unsigned long i;

	for (i = 0; i < c->n; i++) {
		snprintf(a, sizeof(a), "f%lu", i);
		check("create", ds_create(c->dir, a, &nw, NULL, &ino, NULL,
					  NULL));
		ds_put(ino);
	}
	return NULL;
}

/* Creates from THREADS threads, one directory each. */
static void parallel_creates(const char *name, struct ds_store *st)
{
	struct ds_new nd = { .type = DS_DIR, .mode = 0755 };
	struct ds_inode *root = ds_root(st);
	struct creator c[THREADS];
	pthread_t t[THREADS];
	char d[16];
	double t0;
	int i;

	for (i = 0; i < THREADS; i++) {
		snprintf(d, sizeof(d), "par%d", i);
		check("mkdir", ds_create(root, d, &nd, NULL, &c[i].dir, NULL,
					 NULL));
		c[i].n = nops / THREADS;
	}
	t0 = now_s();
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, creates, &c[i]))
			check("pthread_create", -1);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	report(name, "create-4t", c[0].n * THREADS, now_s() - t0, 0);
	for (i = 0; i < THREADS; i++)
		ds_put(c[i].dir);
	ds_put(root);
}

static void metadata(const char *name, struct ds_store *st)
{
	struct ds_inode *root = ds_root(st), *dir, *ino;
	struct ds_new nd = { .type = DS_DIR, .mode = 0755 };
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	struct ds_set s = { .mask = DS_SET_MODE };
	char a[32], b[32];
	unsigned long i;
	double t;

	check("mkdir", ds_create(root, "bench", &nd, NULL, &dir, NULL, NULL));
	t = now_s();
	for (i = 0; i < nops; i++) {
		snprintf(a, sizeof(a), "f%lu", i);
		check("create", ds_create(dir, a, &nw, NULL, &ino, NULL, NULL));
		ds_put(ino);
	}
	report(name, "create", nops, now_s() - t, 0);
	t = now_s();
	for (i = 0; i < nops; i++) {
		snprintf(a, sizeof(a), "f%lu", i);
		check("lookup", ds_lookup(dir, a, &ino));
		s.mode = 0600 | (i & 077);
		check("setattr", ds_setattr(ino, &s, NULL, NULL));
		ds_put(ino);
	}
	report(name, "setattr", nops, now_s() - t, 0);
	t = now_s();
	for (i = 0; i < nops; i++) {
		snprintf(a, sizeof(a), "f%lu", i);
		snprintf(b, sizeof(b), "g%lu", i);
		check("rename",
		      ds_rename(dir, a, dir, b, NULL, NULL, NULL, NULL, NULL));
	}
	report(name, "rename", nops, now_s() - t, 0);
	t = now_s();
	for (i = 0; i < nops; i++) {
		snprintf(b, sizeof(b), "g%lu", i);
		check("unlink", ds_unlink(dir, b, NULL, NULL, NULL));
	}
	report(name, "unlink", nops, now_s() - t, 0);
	ds_put(dir);
	ds_put(root);
}

static void data(const char *name, struct ds_store *st)
{
	struct ds_inode *root = ds_root(st), *f;
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	unsigned long n = mib * (1 << 20) / CHUNK, i, n4 = nops;
	static char buf[CHUNK];
	struct iovec v = { buf, CHUNK };
	bool eof;
	double t;

	memset(buf, 'd', sizeof(buf));
	check("create", ds_create(root, "data", &nw, NULL, &f, NULL, NULL));
	t = now_s();
	for (i = 0; i < n; i++)
		check("write", ds_write(f, &v, 1, i * CHUNK, NULL));
	check("commit", ds_commit(f));
	report(name, "write-unstable", n, now_s() - t, (double)n * CHUNK);
	t = now_s();
	for (i = 0; i < n; i++) {
		check("write", ds_write(f, &v, 1, i * CHUNK, NULL));
		check("commit", ds_commit(f));
	}
	report(name, "write-sync", n, now_s() - t, (double)n * CHUNK);
	v.iov_len = 4096;
	t = now_s();
	for (i = 0; i < n4; i++) {
		check("write", ds_write(f, &v, 1, i * 4096, NULL));
		check("commit", ds_commit(f));
	}
	report(name, "write-sync-4k", n4, now_s() - t, (double)n4 * 4096);
	v.iov_len = CHUNK;
	t = now_s();
	for (i = 0; i < n; i++)
		check("read", ds_read(f, &v, 1, i * CHUNK, &eof));
	report(name, "read", n, now_s() - t, (double)n * CHUNK);
	ds_put(f);
	ds_put(root);
}

static void measure(const char *kind)
{
	struct ds_store *st = open_store(kind);
	double t;

	metadata(kind, st);
	parallel_creates(kind, st);
	data(kind, st);
	ds_store_free(st);
	if (!strcmp(kind, "memory"))
		return;
	t = now_s();
	st = open_store(kind);
	t = now_s() - t;
	printf("%-8s %-15s %10.2f s     %9.1f MiB/s\n", kind, "reopen", t,
	       mib / t);
	ds_store_free(st);
}

int main(int argc, char **argv)
{
	const char *parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
	char cmd[600];
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--ops"))
			nops = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--mib"))
			mib = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--dir"))
			parent = argv[i + 1];
		else if (!strcmp(argv[i], "--conninfo"))
			conninfo = argv[i + 1];
	}
	if (!nops || !mib || mib > 4096) {
		fprintf(stderr, "store_durable: --ops > 0, --mib 1..4096\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/ditto-bench-XXXXXX", parent);
	if (!mkdtemp(path)) {
		perror(path);
		return 1;
	}
	printf("store_durable: %lu metadata ops, %lu MiB, lmdb at %s\n", nops,
	       mib, path);
	measure("memory");
	measure("lmdb");
	if (conninfo)
		measure("postgres");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	return system(cmd) ? 1 : 0;
}

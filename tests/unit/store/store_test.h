/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Helpers shared by the store unit tests.
 */
#ifndef DITTO_STORE_TEST_H
#define DITTO_STORE_TEST_H

#include <criterion/criterion.h>
#include <errno.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ditto_store.h"

/*
 * One suite, every backend: DITTO_STORE_BACKEND picks the store the
 * tests run on ("memory", the default; "lmdb" in a new directory under
 * DITTO_STORE_DIR, which ctest makes and removes around the run; or
 * "postgres" in a new schema of the database DITTO_PG_CONNINFO names,
 * a private instance that ctest starts and stops, scripts/lib/pg.sh).
 */
static inline const char *test_backend(void)
{
	const char *b = getenv("DITTO_STORE_BACKEND");

	return b && *b ? b : "memory";
}

/*
 * Counts for the big-directory tests: a durable backend commits every
 * create, so they keep their shape (many hash-table resizes) at a size
 * that fits their timeouts.
 */
static inline unsigned int test_scale(unsigned int n)
{
	return strcmp(test_backend(), "memory") ? n / 20 : n;
}

/* A conninfo for a new, empty schema of the test database. */
static inline void test_pg_schema(char *out, size_t len)
{
	const char *ci = getenv("DITTO_PG_CONNINFO");
	static unsigned int n;
	struct timespec ts;
	char schema[64], sql[96];
	PGconn *c;
	PGresult *r;

	cr_assert(ci && *ci, "DITTO_PG_CONNINFO is not set");
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(schema, sizeof(schema), "t%d_%u_%ld_%ld", (int)getpid(), n++,
		 (long)ts.tv_sec, ts.tv_nsec);
	c = PQconnectdb(ci);
	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", schema);
	r = PQexec(c, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s",
		     PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	snprintf(out, len, "%s options='-csearch_path=%s'", ci, schema);
}

static inline struct ds_store *mkstore(uint64_t bytes, uint64_t files,
				       uint32_t bs, uint64_t maxfile)
{
	struct ds_config c = {
		.max_bytes = bytes,
		.max_files = files,
		.block_size = bs,
		.max_file_size = maxfile,
	};
	struct ds_store *st = NULL;
	char path[PATH_MAX];
	const char *base;

	if (!strcmp(test_backend(), "memory")) {
		cr_assert_eq(ds_store_new(&c, &st), 0);
		return st;
	}
	if (!strcmp(test_backend(), "postgres")) {
		char ci[1024], err[256];

		test_pg_schema(ci, sizeof(ci));
		cr_assert_eq(ds_store_open(&c,
					   &(struct ds_durable){
						   .backend = DS_BACKEND_POSTGRES,
						   .conninfo = ci,
						   .err = err,
						   .errlen = sizeof(err) },
					   &st),
			     0, "open %s: %s", ci, err);
		return st;
	}
	cr_assert_str_eq(test_backend(), "lmdb", "unknown backend");
	base = getenv("DITTO_STORE_DIR");
	snprintf(path, sizeof(path), "%s/storeXXXXXX", base ? base : "/tmp");
	cr_assert_not_null(mkdtemp(path), "mkdtemp %s", path);
	cr_assert_eq(ds_store_open(&c,
				   &(struct ds_durable){ .path = path,
							 .nosync = true },
				   &st),
		     0, "open %s", path);
	return st;
}

static inline struct ds_store *mkstore_default(void)
{
	return mkstore(1ULL << 30, 100000, 4096, 1ULL << 40);
}

static inline struct ds_inode *mk(struct ds_inode *dir, const char *name,
				  enum ds_type t)
{
	struct ds_new nw = { .type = t, .mode = 0644, .target = "target" };
	struct ds_inode *ino = NULL;

	cr_assert_eq(ds_create(dir, name, &nw, NULL, &ino, NULL, NULL), 0,
		     "create %s", name);
	return ino;
}

static inline struct ds_attr attr_of(struct ds_inode *ino)
{
	struct ds_attr a;

	cr_assert_eq(ds_getattr(ino, &a), 0);
	return a;
}

static inline ssize_t wr(struct ds_inode *ino, const void *buf, size_t len,
			 uint64_t off)
{
	struct iovec v = { .iov_base = (void *)buf, .iov_len = len };

	return ds_write(ino, &v, 1, off, NULL);
}

static inline ssize_t rd(struct ds_inode *ino, void *buf, size_t len,
			 uint64_t off, bool *eof)
{
	struct iovec v = { .iov_base = buf, .iov_len = len };
	bool e;

	return ds_read(ino, &v, 1, off, eof ? eof : &e);
}

static inline bool exists(struct ds_inode *dir, const char *name)
{
	struct ds_inode *ino;

	if (ds_lookup(dir, name, &ino))
		return false;
	ds_put(ino);
	return true;
}

#endif /* DITTO_STORE_TEST_H */

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Helpers of the durable store suites (test_durable.c on every durable
 * backend, test_lmdb.c, test_postgres.c): a store "at" a place, which
 * is a directory for lmdb and a conninfo of a new schema for postgres.
 */
#ifndef DITTO_DURABLE_TEST_H
#define DITTO_DURABLE_TEST_H

#include "store_test.h"

#define BS 4096

/* lmdb: a new directory; postgres: a conninfo of a new schema. */
static char dir[1024];

static inline struct ds_config cfg(void)
{
	struct ds_config c = {
		.max_bytes = 8 << 20,
		.max_files = 1000,
		.block_size = BS,
		.max_file_size = 1ULL << 30,
	};

	return c;
}

static inline bool on_postgres(void)
{
	return !strcmp(test_backend(), "postgres");
}

static inline struct ds_durable durable_at(const char *where)
{
	struct ds_durable d = { .path = where };

	if (on_postgres()) {
		d.backend = DS_BACKEND_POSTGRES;
		d.path = NULL;
		d.conninfo = where;
	}
	return d;
}

static inline struct ds_store *open_at(const char *where)
{
	struct ds_config c = cfg();
	struct ds_durable d = durable_at(where);
	struct ds_store *st = NULL;

	cr_assert_eq(ds_store_open(&c, &d, &st), 0, "open %s", where);
	return st;
}

static inline void check_clean(struct ds_store *st)
{
	struct ds_check ck;

	cr_assert_eq(ds_store_check(st, &ck), 0);
	cr_assert_eq(ck.errors, 0, "check: %s", ck.first_error);
}

static inline void setup(void)
{
	if (on_postgres()) {
		test_pg_schema(dir, sizeof(dir));
		return;
	}
	strcpy(dir, "/tmp/ditto-durable-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static inline void teardown(void)
{
	char cmd[1100];

	if (on_postgres())
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static inline struct ds_inode *get(struct ds_inode *d, const char *name)
{
	struct ds_inode *ino = NULL;

	cr_assert_eq(ds_lookup(d, name, &ino), 0, "lookup %s", name);
	return ino;
}

static inline int collect(const char *name, size_t len, void *arg)
{
	strcat(arg, name);
	strcat(arg, ",");
	return 0;
}

#endif /* DITTO_DURABLE_TEST_H */

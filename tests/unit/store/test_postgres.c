// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * The postgres backend's own cases: an unreachable database and a
 * schema newer than ours are refused, several heads may share a store
 * but not another block size, migrations run once, and a connection that
 * breaks under a commit fails that commit only, memory unchanged, and
 * fileids reserved in batches are never handed out twice.
 * Runs with DITTO_STORE_BACKEND=postgres (ctest store_postgres).
 */
#include <pthread.h>

#include "durable_test.h"
#include "pg_int.h"

TestSuite(postgres, .init = setup, .fini = teardown);

/* A statement on the test's schema through a connection of its own. */
static void sql(const char *where, const char *q, char *out, size_t len)
{
	PGconn *c = PQconnectdb(where);
	PGresult *r;

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	r = PQexec(c, q);
	cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK ||
			  PQresultStatus(r) == PGRES_TUPLES_OK,
		  "%s: %s", q, PQerrorMessage(c));
	if (out)
		snprintf(out, len, "%s",
			 PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	PQfinish(c);
}

Test(postgres, unreachable_database_is_refused_in_words)
{
	struct ds_config c = cfg();
	char err[256] = "";
	struct ds_durable d = {
		.backend = DS_BACKEND_POSTGRES,
		.conninfo = "host=127.0.0.1 port=1 connect_timeout=2",
		.err = err,
		.errlen = sizeof(err),
	};
	struct ds_store *st = NULL;

	cr_assert_eq(ds_store_open(&c, &d, &st), -ECONNREFUSED);
	cr_assert_null(st);
	cr_assert_neq(err[0], '\0');
}

Test(postgres, newer_schema_is_refused)
{
	struct ds_config c = cfg();
	char err[256] = "", q[128];
	struct ds_durable d = durable_at(dir);
	struct ds_store *st = open_at(dir);

	ds_store_free(st);
	snprintf(q, sizeof(q), "INSERT INTO ditto_schema (version) VALUES (%d)",
		 DS_PG_SCHEMA_VERSION + 1);
	sql(dir, q, NULL, 0);
	d.err = err;
	d.errlen = sizeof(err);
	cr_assert_eq(ds_store_open(&c, &d, &st), -EPROTONOSUPPORT);
	cr_assert_neq(err[0], '\0');
}

Test(postgres, migrations_run_once_and_boots_count)
{
	struct ds_store *st = open_at(dir);
	char n[32];

	cr_assert(ds_store_is_durable(st));
	cr_assert_eq(ds_boot_count(st), 1);
	ds_store_free(st);
	st = open_at(dir);
	cr_assert_eq(ds_boot_count(st), 2);
	ds_store_free(st);
	sql(dir, "SELECT count(*) FROM ditto_schema", n, sizeof(n));
	cr_assert_eq(atoi(n), DS_PG_SCHEMA_VERSION);
}

Test(postgres, heads_share_a_store_of_one_block_size)
{
	struct ds_config c = cfg();
	struct ds_durable d = durable_at(dir);
	struct ds_store *st = open_at(dir), *other = NULL;

	cr_assert_eq(ds_store_open(&c, &d, &other), 0);
	cr_assert_neq(ds_pg_head_id(st), ds_pg_head_id(other));
	ds_store_free(other);
	c.block_size = 2 * BS;
	cr_assert_eq(ds_store_open(&c, &d, &other), -EXDEV);
	ds_store_free(st);
}

Test(postgres, broken_connection_fails_one_commit_only)
{
	struct ds_store *st;
	struct ds_inode *root, *got;
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	struct ds_attr before;
	char where[1200], q[256];

	/* A name for this store's session, to end it from outside. */
	snprintf(where, sizeof(where), "%s application_name=cut%d", dir,
		 (int)getpid());
	st = open_at(where);
	root = ds_root(st);
	ds_put(mk(root, "a", DS_REG));
	before = attr_of(root);
	snprintf(q, sizeof(q),
		 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
		 " WHERE application_name = 'cut%d'", (int)getpid());
	sql(dir, q, NULL, 0);
	cr_assert_eq(ds_create(root, "b", &nw, NULL, &got, NULL, NULL), -EIO);
	cr_assert_not(exists(root, "b"));
	cr_assert_eq(attr_of(root).change, before.change);
	/* the next commit connects again */
	ds_put(mk(root, "c", DS_REG));
	ds_put(root);
	ds_store_free(st);
	st = open_at(dir);
	check_clean(st);
	root = ds_root(st);
	cr_assert(exists(root, "a"));
	cr_assert_not(exists(root, "b"));
	cr_assert(exists(root, "c"));
	ds_put(root);
	ds_store_free(st);
}

/* More dirty blocks than one read window (pg_commit.c), one commit. */
Test(postgres, a_commit_of_many_blocks_is_one_transaction)
{
	struct ds_store *st = open_at(dir);
	struct ds_inode *root = ds_root(st), *f = mk(root, "f", DS_REG);
	static char buf[300 * BS], back[300 * BS];
	char n[32];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 13 + i / BS);
	cr_assert_eq(wr(f, buf, sizeof(buf), 0), sizeof(buf));
	cr_assert_eq(ds_commit(f), 0);
	sql(dir, "SELECT count(*) FROM ditto_blocks", n, sizeof(n));
	cr_assert_eq(atoi(n), 300);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
	st = open_at(dir);
	root = ds_root(st);
	f = get(root, "f");
	cr_assert_eq(rd(f, back, sizeof(back), 0, NULL), sizeof(back));
	cr_assert_eq(memcmp(buf, back, sizeof(buf)), 0);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}

struct filler {
	struct ds_inode *dir;
	uint64_t max;
};

static void *fill(void *arg)
{
	struct filler *f = arg;
	struct ds_new nw = { .type = DS_REG, .mode = 0644 };
	struct ds_inode *ino;
	char name[16];
	int i;

	for (i = 0; i < 700; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		cr_assert_eq(ds_create(f->dir, name, &nw, NULL, &ino, NULL,
				       NULL),
			     0);
		if (ds_fileid(ino) > f->max)
			f->max = ds_fileid(ino);
		ds_put(ino);
	}
	return NULL;
}

/*
 * Fileids are reserved in batches (pg_commit.c): 2,800 creates from 4
 * threads cross several, and every fileid handed out stays below the
 * stored next fileid, so none is given again after a reopen.
 */
Test(postgres, fileids_are_never_reused_across_reservations)
{
	struct ds_config c = cfg();
	struct ds_durable d = durable_at(dir);
	struct ds_store *st;
	struct ds_inode *root, *ino;
	struct filler f[4];
	pthread_t t[4];
	char name[8];
	uint64_t max = 0;
	int i;

	c.max_files = 4000;
	cr_assert_eq(ds_store_open(&c, &d, &st), 0);
	root = ds_root(st);
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		f[i].dir = mk(root, name, DS_DIR);
		f[i].max = 0;
		cr_assert_eq(pthread_create(&t[i], NULL, fill, &f[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		max = f[i].max > max ? f[i].max : max;
		ds_put(f[i].dir);
	}
	check_clean(st);
	ds_put(root);
	ds_store_free(st);
	cr_assert_eq(ds_store_open(&c, &d, &st), 0);
	check_clean(st);
	root = ds_root(st);
	ino = mk(root, "after", DS_REG);
	cr_assert_gt(ds_fileid(ino), max);
	ds_put(ino);
	ds_put(root);
	ds_store_free(st);
}

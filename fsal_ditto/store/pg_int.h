/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The postgres backend's internals (docs/postgres.md): its sessions,
 * the schema's version, prepared statements and binary parameters.
 * Every number is an int8 column holding the uint64's bit pattern,
 * sent and read in binary (big-endian); names, symlink targets, xattr
 * values and blocks are bytea.
 */
#ifndef DITTO_PG_INT_H
#define DITTO_PG_INT_H

#include <libpq-fe.h>
#include <pthread.h>

#include "backend.h"

/* The newest schema this code knows (pg_schema.c's migrations). */
#define DS_PG_SCHEMA_VERSION 1

/* One session: one transaction at a time (its lock is innermost). */
struct ds_pg_conn {
	PGconn *c;
	pthread_mutex_t lock;
	bool ready;		/* c is a session we set up */
};

/*
 * Sessions per store: commits of independent operations (the core's
 * inode locks keep dependent ones apart) run side by side, so the
 * server can flush their WAL together instead of one after another.
 */
#define DS_PG_CONNS 4

struct ds_pg {
	/* [0] opens, checks and holds the head lock; commits take any. */
	struct ds_pg_conn pool[DS_PG_CONNS];
	unsigned int next;	/* which busy session to wait for */
	/* Fileids below this are reserved in ditto_meta (atomic). */
	uint64_t reserved;
	char *conninfo;
	uint64_t boot;
	uint64_t orphans;
};

#define DS_PG_MAX_ARGS 24

/* One statement's parameters, all in binary. */
struct ds_pg_args {
	int n;
	const char *val[DS_PG_MAX_ARGS];
	int len[DS_PG_MAX_ARGS];
	int fmt[DS_PG_MAX_ARGS];
	unsigned char num[DS_PG_MAX_ARGS][8];
};

static inline void ds_pg_arg_u64(struct ds_pg_args *a, uint64_t x)
{
	int i;

	for (i = 7; i >= 0; i--, x >>= 8)
		a->num[a->n][i] = (unsigned char)x;
	a->val[a->n] = (const char *)a->num[a->n];
	a->len[a->n] = 8;
	a->fmt[a->n++] = 1;
}

static inline void ds_pg_arg_bytes(struct ds_pg_args *a, const void *p,
				   size_t len)
{
	a->val[a->n] = p ? p : "";
	a->len[a->n] = (int)len;
	a->fmt[a->n++] = 1;
}

/* Column col of a binary result row: an int8 as the uint64 it holds. */
static inline uint64_t ds_pg_u64(const PGresult *r, int row, int col)
{
	const unsigned char *p =
		(const unsigned char *)PQgetvalue(r, row, col);
	uint64_t x = 0;
	int i;

	if (PQgetlength(r, row, col) != 8)
		return 0;
	for (i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

static inline struct ds_pg *ds_pg_of(const struct ds_store *st)
{
	return st->be_priv;
}

extern const struct ds_backend_ops ds_pg_backend;

/* pg_schema.c: the migrations, then the prepared statements. */
int ds_pg_migrate(PGconn *c, char *err, size_t errlen);
int ds_pg_prepare(PGconn *c);
/* A failed result's SQLSTATE as a negative errno. */
int ds_pg_errno(const PGresult *r);
/* A statement without parameters (BEGIN, COMMIT, ...); negative errno. */
int ds_pg_run(PGconn *c, const char *sql);
/* A prepared statement now, binary results in *out (may be NULL). */
int ds_pg_exec(PGconn *c, const char *stmt, const struct ds_pg_args *a,
	       PGresult **out);

/* pg_commit.c: a change set into statements (format uses it too). */
int ds_pg_apply(struct ds_store *st, PGconn *c, const struct ds_changes *cs);

/* pg_check.c */
int ds_pg_check(struct ds_store *st, struct ds_check *out);

/* pg_load.c; the head lock: one head per store (-EBUSY). */
int ds_pg_head_lock(PGconn *c);
void ds_pg_free(struct ds_pg *p);
int ds_pg_open(const struct ds_config *cfg, const struct ds_durable *dur,
	       struct ds_store **out);

#endif /* DITTO_PG_INT_H */

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
#define DS_PG_SCHEMA_VERSION 2

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

/* Other heads a commit waits for at most (more are not waited for). */
#define DS_PG_MAX_PEERS 32

/*
 * A commit waiting for the other heads' acks (pg_heads.c): linked in
 * before its transaction is sent, so no ack can come before it.
 */
struct ds_pg_waiter {
	struct ds_pg_waiter *next;
	uint64_t seq;
	bool armed;		/* committed: settle waits */
	unsigned int nneed, nacked;
	int64_t need[DS_PG_MAX_PEERS];
	int64_t acked[DS_PG_MAX_PEERS];
};

struct ds_pg {
	/* [0] opens and checks; commits take any. */
	struct ds_pg_conn pool[DS_PG_CONNS];
	unsigned int next;	/* which busy session to wait for */
	char *conninfo;
	uint64_t boot;
	uint64_t orphans;

	/* This head (pg_heads.c): its id in ditto_heads, its commits'
	 * sequence (atomic), and the fileid range it hands out.
	 */
	int64_t head;
	uint64_t seq;
	/* Channels are per database, not per schema: named by the
	 * schema's hash, "ditto_changes_N" and "ditto_acks_N".
	 */
	char chan_changes[48], chan_acks[48];
	/* The advisory lock key of the store's heads (ditto_head_key()). */
	char hkey[16];
	pthread_mutex_t fid_lock;
	uint64_t fid_next, fid_end;
	bool open;		/* loaded: fileids come from ranges */
	unsigned int ack_wait_ms;

	/* The listener (pg_listen.c): its own session, which holds the
	 * head's liveness lock and LISTENs; commits wait on wcond.
	 */
	PGconn *lc;
	pthread_t lthread;
	bool lrunning;
	int stopfd[2];
	bool fenced;		/* listener session lost: not following */
	uint64_t applied;	/* other heads' commits applied */
	pthread_mutex_t wlock;
	pthread_cond_t wcond;
	struct ds_pg_waiter *waiters;
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

/* pg_commit.c: a change set into statements (format uses it too); w
 * (NULL at format) gets the other live heads to wait for.
 */
int ds_pg_apply(struct ds_store *st, PGconn *c, const struct ds_changes *cs,
		struct ds_pg_waiter *w);
/* A session of the pool, ready (connected, statements prepared). */
struct ds_pg_conn *ds_pg_take(struct ds_pg *p);
void ds_pg_give(struct ds_pg_conn *pc, int rc);

/* pg_check.c */
int ds_pg_check(struct ds_store *st, struct ds_check *out);

/*
 * pg_heads.c: this head in ditto_heads (its liveness lock on the
 * listener session), fileid ranges, and waiting for acks.
 */
int ds_pg_head_register(struct ds_store *st, bool *alone, char *err,
			size_t errlen);
void ds_pg_head_unregister(struct ds_pg *p);
uint64_t ds_pg_alloc_fileid(struct ds_store *st);
/* The calling thread's waiter (one commit in flight per thread). */
struct ds_pg_waiter *ds_pg_waiter_begin(struct ds_pg *p);
void ds_pg_waiter_end(struct ds_pg *p, struct ds_pg_waiter *w);
void ds_pg_settle(struct ds_store *st);
/* The listener: an ack of commit seq of ours from head from. */
void ds_pg_acked(struct ds_pg *p, uint64_t seq, int64_t from);

/* pg_listen.c */
int ds_pg_listen_start(struct ds_store *st);
void ds_pg_listen_stop(struct ds_pg *p);
/* This head's id, and the commits of others it applied (tests). */
int64_t ds_pg_head_id(const struct ds_store *st);
uint64_t ds_pg_applied(const struct ds_store *st);

/* Waits for acks this long before fencing a silent head (pg_heads.c). */
#define DS_PG_ACK_WAIT_MS 5000u

/* pg_load.c */
void ds_pg_free(struct ds_pg *p);
int ds_pg_open(const struct ds_config *cfg, const struct ds_durable *dur,
	       struct ds_store **out);

#endif /* DITTO_PG_INT_H */

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * The postgres backend's commit: one change set (backend.h) is one
 * transaction.  Its statements go out as one libpq pipeline ending in
 * a Sync, which the server runs as one implicit transaction: all of it
 * or, on any error, none of it, committed (with synchronous_commit =
 * on, flushed) before the Sync's answer comes back; one round trip per
 * operation.  The core calls it with its inode locks held; the
 * session's mutex is the innermost lock.  Independent operations
 * commit side by side on a small pool of sessions (pg_int.h); the
 * rows they share are only the next fileid's, which only grows.
 *
 * A connection that broke fails the commit in flight (memory is left
 * as it was) and is made again before the next one (pg_ready).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"

struct pg_tx {
	PGconn *c;
	uint32_t bs;
	int sent;
	int got;	/* answers read */
	bool broken;	/* an answer is missing: the connection broke */
	int rc;
};

/*
 * Answers are read while statements are still being sent, every this
 * many, so that a big commit (many dirty blocks) never has both sides
 * blocked writing: the server on its answers, we on our blocks.
 */
#define PG_WINDOW 64

static void note(struct pg_tx *tx, int rc)
{
	if (rc && !tx->rc)
		tx->rc = rc;
}

/* The answer to the next statement; the first error wins. */
static void take_one(struct pg_tx *tx)
{
	PGresult *r = PQgetResult(tx->c);
	ExecStatusType s;

	if (!r) {
		tx->broken = true;
		note(tx, -EIO);
		return;
	}
	s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		note(tx, ds_pg_errno(r));
	PQclear(r);
	/* Each statement's answer ends with a NULL. */
	while ((r = PQgetResult(tx->c)))
		PQclear(r);
	tx->got++;
}

static void take_all(struct pg_tx *tx)
{
	while (!tx->broken && tx->got < tx->sent)
		take_one(tx);
}

static void pg_send(struct pg_tx *tx, const char *stmt,
		 const struct ds_pg_args *a)
{
	if (tx->rc)
		return;
	if (!PQsendQueryPrepared(tx->c, stmt, a->n, a->val, a->len, a->fmt,
				 1)) {
		note(tx, -EIO);
		return;
	}
	tx->sent++;
	if (tx->sent - tx->got < PG_WINDOW)
		return;
	if (!PQsendFlushRequest(tx->c) || PQflush(tx->c)) {
		note(tx, -EIO);
		return;
	}
	take_all(tx);
}

static void put_blocks(struct pg_tx *tx, const struct ds_inode *ino)
{
	uint64_t idx = 0;
	const void *blk;

	while (!tx->rc && ds_dirty_next(ino, &idx, &blk)) {
		struct ds_pg_args a = { 0 };

		ds_pg_arg_u64(&a, ino->fileid);
		ds_pg_arg_u64(&a, idx);
		ds_pg_arg_bytes(&a, blk, tx->bs);
		pg_send(tx, "block_put", &a);
		if (idx == UINT64_MAX - 1)
			break;
		idx++;
	}
}

static void put_inode(struct pg_tx *tx, const struct ds_irec *r,
		      const struct ds_inode *ino)
{
	const struct timespec *ts[4] = { &r->atime, &r->mtime, &r->ctime,
					 &r->btime };
	struct ds_pg_args a = { 0 };
	int i;

	ds_pg_arg_u64(&a, r->fileid);
	ds_pg_arg_u64(&a, r->generation);
	ds_pg_arg_u64(&a, r->type);
	ds_pg_arg_u64(&a, r->mode);
	ds_pg_arg_u64(&a, r->uid);
	ds_pg_arg_u64(&a, r->gid);
	ds_pg_arg_u64(&a, r->nlink);
	ds_pg_arg_u64(&a, r->rdev_major);
	ds_pg_arg_u64(&a, r->rdev_minor);
	ds_pg_arg_u64(&a, r->size);
	ds_pg_arg_u64(&a, r->change);
	ds_pg_arg_u64(&a, r->type == DS_DIR ? r->parent : 0);
	ds_pg_arg_u64(&a, r->type == DS_DIR ? r->next_cookie : 0);
	ds_pg_arg_u64(&a, r->xseq);
	for (i = 0; i < 4; i++) {
		ds_pg_arg_u64(&a, (uint64_t)ts[i]->tv_sec);
		ds_pg_arg_u64(&a, (uint64_t)ts[i]->tv_nsec);
	}
	ds_pg_arg_bytes(&a, r->target, r->tlen);
	pg_send(tx, "inode_put", &a);
	if (ino && r->type == DS_REG)
		put_blocks(tx, ino);
}

static void apply_one(struct pg_tx *tx, const struct ds_change *c)
{
	struct ds_pg_args a = { 0 };

	if (c->kind == DS_CH_INODE) {
		put_inode(tx, &c->inode.rec, c->inode.ino);
		return;
	}
	ds_pg_arg_u64(&a, c->fileid);
	switch (c->kind) {
	case DS_CH_INODE:
		break;
	case DS_CH_INODE_DEL:
		pg_send(tx, "inode_del", &a);
		break;
	case DS_CH_DIRENT:
		ds_pg_arg_bytes(&a, c->dirent.name, strlen(c->dirent.name));
		ds_pg_arg_u64(&a, c->dirent.target);
		ds_pg_arg_u64(&a, c->dirent.cookie);
		pg_send(tx, "dirent_put", &a);
		break;
	case DS_CH_DIRENT_DEL:
		ds_pg_arg_bytes(&a, c->dirent.name, strlen(c->dirent.name));
		pg_send(tx, "dirent_del", &a);
		break;
	case DS_CH_XATTR:
		ds_pg_arg_bytes(&a, c->xattr.name, strlen(c->xattr.name));
		ds_pg_arg_u64(&a, c->xattr.seq);
		ds_pg_arg_bytes(&a, c->xattr.value, c->xattr.vlen);
		pg_send(tx, "xattr_put", &a);
		break;
	case DS_CH_XATTR_DEL:
		ds_pg_arg_bytes(&a, c->xattr.name, strlen(c->xattr.name));
		pg_send(tx, "xattr_del", &a);
		break;
	case DS_CH_BLOCKS_DEL:
		ds_pg_arg_u64(&a, c->blocks.from);
		if (c->blocks.to >= (1ULL << 63)) {
			pg_send(tx, "blocks_del_from", &a);
		} else {
			ds_pg_arg_u64(&a, c->blocks.to);
			pg_send(tx, "blocks_del", &a);
		}
		break;
	}
}

/*
 * Fileids are never reused, across restarts too (stale handles), so
 * the stored next fileid must stay above every committed one.  Writing
 * it in every create would make that one row a queue all creates wait
 * in, each for the previous one's flush; instead a create that passes
 * the reserved range reserves the next DS_PG_FILEID_BATCH in its own
 * transaction.  A restart skips what was reserved and not used.
 */
#define DS_PG_FILEID_BATCH 1024

static uint64_t reserve_fileids(struct pg_tx *tx, struct ds_store *st)
{
	uint64_t next = __atomic_load_n(&st->next_fileid, __ATOMIC_RELAXED);
	struct ds_pg_args a = { 0 };

	if (next <= __atomic_load_n(&ds_pg_of(st)->reserved, __ATOMIC_ACQUIRE))
		return 0;
	ds_pg_arg_u64(&a, next + DS_PG_FILEID_BATCH);
	pg_send(tx, "next_fileid_put", &a);
	return next + DS_PG_FILEID_BATCH;
}

/* After the commit that stored it. */
static void reserved(struct ds_store *st, uint64_t upto)
{
	uint64_t *r = &ds_pg_of(st)->reserved;
	uint64_t cur = __atomic_load_n(r, __ATOMIC_RELAXED);

	while (cur < upto &&
	       !__atomic_compare_exchange_n(r, &cur, upto, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
}

/* Every statement's answer, then the Sync's. */
static int collect(struct pg_tx *tx)
{
	PGresult *r = NULL;

	take_all(tx);
	while (!tx->broken && (r = PQgetResult(tx->c))) {
		ExecStatusType s = PQresultStatus(r);

		PQclear(r);
		if (s == PGRES_PIPELINE_SYNC)
			break;
		if (s == PGRES_FATAL_ERROR)
			note(tx, -EIO);
	}
	if (!r)
		note(tx, -EIO);	/* no Sync answer: the connection broke */
	return tx->rc;
}

int ds_pg_apply(struct ds_store *st, PGconn *c, const struct ds_changes *cs)
{
	struct pg_tx tx = { .c = c, .bs = st->cfg.block_size };
	uint64_t upto = 0;
	unsigned int i;
	int rc;

	if (!PQenterPipelineMode(c))
		return -EIO;
	for (i = 0; i < cs->n; i++)
		apply_one(&tx, &cs->c[i]);
	if (cs->next_fileid)
		upto = reserve_fileids(&tx, st);
	if (!PQpipelineSync(c)) {
		note(&tx, -EIO);
		PQexitPipelineMode(c);
		return tx.rc;
	}
	rc = collect(&tx);
	PQexitPipelineMode(c);
	if (!rc && upto)
		reserved(st, upto);
	return rc;
}

/*
 * A session is made on first use, and again when it broke: its
 * statements prepared, and for the first one the head lock taken again.
 */
static int pg_ready(struct ds_pg *p, struct ds_pg_conn *pc)
{
	if (pc->ready && PQstatus(pc->c) == CONNECTION_OK &&
	    PQpipelineStatus(pc->c) == PQ_PIPELINE_OFF)
		return 0;
	PQfinish(pc->c);
	pc->c = PQconnectdb(p->conninfo);
	if (PQstatus(pc->c) != CONNECTION_OK ||
	    ds_pg_run(pc->c, "SET client_min_messages = warning") ||
	    ds_pg_prepare(pc->c) ||
	    (pc == &p->pool[0] && ds_pg_head_lock(pc->c)))
		return -EIO;
	pc->ready = true;
	return 0;
}

/*
 * The first free session, so that one committer at a time keeps to the
 * first (the others are made only when commits overlap); when all are
 * busy, wait for one in turn.
 */
static struct ds_pg_conn *pg_take(struct ds_pg *p)
{
	struct ds_pg_conn *pc;
	unsigned int i;

	for (i = 0; i < DS_PG_CONNS; i++) {
		pc = &p->pool[i];
		if (!pthread_mutex_trylock(&pc->lock))
			return pc;
	}
	i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
	pc = &p->pool[i % DS_PG_CONNS];
	pthread_mutex_lock(&pc->lock);
	return pc;
}

static int pg_commit(struct ds_store *st, const struct ds_changes *cs)
{
	struct ds_pg *p = ds_pg_of(st);
	struct ds_pg_conn *pc = pg_take(p);
	int rc;

	rc = pg_ready(p, pc);
	if (!rc)
		rc = ds_pg_apply(st, pc->c, cs);
	/* A session left broken or mid-pipeline is not used again. */
	if (rc && (PQstatus(pc->c) != CONNECTION_OK ||
		   PQpipelineStatus(pc->c) != PQ_PIPELINE_OFF))
		pc->ready = false;
	pthread_mutex_unlock(&pc->lock);
	return rc;
}

static uint64_t pg_boot_count(const struct ds_store *st)
{
	return ds_pg_of(st)->boot;
}

static uint64_t pg_orphans_freed(const struct ds_store *st)
{
	return ds_pg_of(st)->orphans;
}

static void pg_close(struct ds_store *st)
{
	struct ds_pg *p = ds_pg_of(st);

	ds_pg_free(p);
	ds_store_set_backend(st, NULL, NULL);
}

const struct ds_backend_ops ds_pg_backend = {
	.name = "postgres",
	.commit = pg_commit,
	.tracks_dirty = true,
	.boot_count = pg_boot_count,
	.orphans_freed = pg_orphans_freed,
	.check = ds_pg_check,
	.close = pg_close,
};

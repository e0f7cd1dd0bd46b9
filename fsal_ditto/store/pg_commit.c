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
 *
 * Several heads: the transaction starts with ditto_begin (migration
 * 2), which locks the inode rows the set changes, in fileid order,
 * and fails it (-EAGAIN) if any moved since this head saw it; a
 * directory moving to another parent also takes the schema's move
 * lock and is refused if the new parent lies below it in the stored
 * tree.  It answers with the other live heads.  Right behind it, in
 * the same pipeline, a transaction of its own publishes what it
 * changed (pg_notify, delivered once that one commits), with
 * synchronous_commit off: a transaction that notifies holds a
 * cluster-wide lock from its pre-commit until after its commit record
 * is flushed, so notifying inside the data's transaction made every
 * commit of every head wait for the previous one's flush (no group
 * commit: 4 threads creating got no more than 1).  The notice may now
 * reach a head after a later commit's; the listener re-reads the rows
 * it names, so it applies what is stored, never an older state.  If
 * the notice cannot be sent after the data committed, the head latches
 * read-only (the others would not hear of it).  The payload is
 * "origin seq" then one token per key,
 *   i<fileid>            an inode record (changed, made or gone)
 *   e<dir>:<hex name>    a directory entry (put or gone)
 *   x<fileid>:<hex name> an xattr
 *   b<fileid>:<from>-<to> blocks [from, to) (written or dropped)
 *   B<fileid>            all of a file's blocks (the runs overflowed)
 * numbers in hex.  Blocks come last and fall back to B when their runs
 * would pass the 8000-byte payload limit; the other tokens of a set
 * (at most DS_CHANGES_MAX, names of 255 bytes) always fit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"

/* pg_notify's limit is 8000 bytes; what the keys may use of it. */
#define PAYLOAD_MAX 7900

struct pg_tx {
	PGconn *c;
	uint32_t bs;
	int sent;
	int got;	/* answers read */
	bool broken;	/* an answer is missing: the connection broke */
	int rc;
	struct ds_pg_waiter *w;	/* takes ditto_begin's answer */
	const char *chan;	/* where to publish */
	char keys[PAYLOAD_MAX];	/* the tokens other than blocks */
	size_t klen;
	char blks[PAYLOAD_MAX];
	size_t blen;
	bool over;		/* block runs did not fit: B tokens */
	bool unpublished;	/* the notice did not go out */
	uint64_t bfile[DS_CHANGES_MAX];	/* files with block tokens */
	unsigned int nbfile;
};

static void token(char *buf, size_t *len, bool *over, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void token(char *buf, size_t *len, bool *over, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, PAYLOAD_MAX - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= PAYLOAD_MAX - *len) {
		buf[*len] = '\0';
		if (over)
			*over = true;
		return;
	}
	*len += n;
}

static void hex_name(char *out, const char *name)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)name;

	for (; *s; s++) {
		*out++ = hx[*s >> 4];
		*out++ = hx[*s & 15];
	}
	*out = '\0';
}

/* "b" runs of one file; a file whose runs overflow is reloaded whole. */
static void block_run(struct pg_tx *tx, uint64_t fileid, uint64_t from,
		      uint64_t to)
{
	unsigned int i;

	for (i = 0; i < tx->nbfile && tx->bfile[i] != fileid; i++)
		;
	if (i == tx->nbfile && tx->nbfile < DS_CHANGES_MAX)
		tx->bfile[tx->nbfile++] = fileid;
	if (!tx->over)
		token(tx->blks, &tx->blen, &tx->over,
		      " b%" PRIx64 ":%" PRIx64 "-%" PRIx64, fileid, from, to);
}

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
/* ditto_begin's answer: the other live heads, "3,7". */
static void take_heads(struct pg_tx *tx, const PGresult *r)
{
	const char *s = PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "";
	char *end;

	while (*s && tx->w->nneed < DS_PG_MAX_PEERS) {
		long long id = strtoll(s, &end, 10);

		if (end == s)
			break;
		tx->w->need[tx->w->nneed++] = id;
		s = *end == ',' ? end + 1 : end;
	}
}

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
	else if (tx->got == 0 && tx->w)
		take_heads(tx, r);
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
	uint64_t idx = 0, run = 0, end = 0;
	const void *blk;

	while (!tx->rc && ds_dirty_next(ino, &idx, &blk)) {
		struct ds_pg_args a = { 0 };

		ds_pg_arg_u64(&a, ino->fileid);
		ds_pg_arg_u64(&a, idx);
		ds_pg_arg_bytes(&a, blk, tx->bs);
		pg_send(tx, "block_put", &a);
		if (end && idx != end) {
			block_run(tx, ino->fileid, run, end);
			end = 0;
		}
		if (!end)
			run = idx;
		end = idx + 1;
		if (idx == UINT64_MAX - 1)
			break;
		idx++;
	}
	if (end)
		block_run(tx, ino->fileid, run, end);
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
	ds_pg_arg_u64(&a, r->ver + 1);
	pg_send(tx, "inode_put", &a);
	if (ino && r->type == DS_REG)
		put_blocks(tx, ino);
}

/* The change's key for the other heads. */
static void publish_one(struct pg_tx *tx, const struct ds_change *c)
{
	char hx[2 * DS_NAME_MAX + 1];

	switch (c->kind) {
	case DS_CH_INODE:
	case DS_CH_INODE_DEL:
		token(tx->keys, &tx->klen, NULL, " i%" PRIx64, c->fileid);
		break;
	case DS_CH_DIRENT:
	case DS_CH_DIRENT_DEL:
		hex_name(hx, c->dirent.name);
		token(tx->keys, &tx->klen, NULL, " e%" PRIx64 ":%s", c->fileid,
		      hx);
		break;
	case DS_CH_XATTR:
	case DS_CH_XATTR_DEL:
		hex_name(hx, c->xattr.name);
		token(tx->keys, &tx->klen, NULL, " x%" PRIx64 ":%s", c->fileid,
		      hx);
		break;
	case DS_CH_BLOCKS_DEL:
		block_run(tx, c->fileid, c->blocks.from, c->blocks.to);
		break;
	}
}

static void apply_one(struct pg_tx *tx, const struct ds_change *c)
{
	struct ds_pg_args a = { 0 };

	publish_one(tx, c);
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

/* "{a,b}" of signed int8s, for ditto_begin's arrays. */
static void int8_array(char *out, size_t len, const uint64_t *v,
		       unsigned int n)
{
	size_t o = 0;
	unsigned int i;

	o += snprintf(out + o, len - o, "{");
	for (i = 0; i < n && o < len; i++)
		o += snprintf(out + o, len - o, "%s%" PRId64, i ? "," : "",
			      (int64_t)v[i]);
	if (o < len)
		snprintf(out + o, len - o, "}");
}

/*
 * ditto_begin's arguments: the stored inodes the set changes with the
 * versions this head saw (new ones have none), sorted and unique, and
 * a directory that moves to another parent.
 */
static void send_begin(struct pg_tx *tx, const struct ds_changes *cs,
		       int64_t me, const char *key)
{
	uint64_t ids[DS_CHANGES_MAX], vers[DS_CHANGES_MAX], src = 0, ndir = 0;
	char ida[DS_CHANGES_MAX * 22 + 3], vera[DS_CHANGES_MAX * 22 + 3];
	struct ds_pg_args a = { 0 };
	unsigned int i, j, n = 0;

	for (i = 0; i < cs->n; i++) {
		const struct ds_change *c = &cs->c[i];
		uint64_t ver;

		if (c->kind == DS_CH_INODE) {
			const struct ds_inode *ino = c->inode.ino;

			ver = c->inode.rec.ver;
			if (ino && ino->type == DS_DIR && ino->dir.parent &&
			    ino->dir.parent->fileid != c->inode.rec.parent) {
				src = c->fileid;
				ndir = c->inode.rec.parent;
			}
		} else if (c->kind == DS_CH_INODE_DEL) {
			ver = c->del_ver;
		} else {
			continue;
		}
		if (!ver)
			continue;
		for (j = n; j > 0 && ids[j - 1] > c->fileid; j--) {
			ids[j] = ids[j - 1];
			vers[j] = vers[j - 1];
		}
		if (j > 0 && ids[j - 1] == c->fileid) {
			for (; j < n; j++) {
				ids[j] = ids[j + 1];
				vers[j] = vers[j + 1];
			}
			continue;
		}
		ids[j] = c->fileid;
		vers[j] = ver;
		n++;
	}
	int8_array(ida, sizeof(ida), ids, n);
	int8_array(vera, sizeof(vera), vers, n);
	a.val[0] = ida;
	a.val[1] = vera;
	a.n = 2;
	ds_pg_arg_u64(&a, src);
	ds_pg_arg_u64(&a, ndir);
	ds_pg_arg_u64(&a, (uint64_t)me);
	a.fmt[0] = a.fmt[1] = 0;
	a.val[a.n] = key;
	a.len[a.n] = (int)strlen(key);
	a.fmt[a.n++] = 0;
	pg_send(tx, "begin", &a);
}

/* The keys, then the block runs or, if they do not fit, whole files. */
static void send_publish(struct pg_tx *tx, int64_t me, uint64_t seq)
{
	char pay[8000];
	struct ds_pg_args a = { 0 };
	unsigned int i;
	size_t n;

	n = snprintf(pay, sizeof(pay), "%" PRId64 " %" PRIu64 "%s", me, seq,
		     tx->keys);
	if (!tx->over && n + tx->blen < PAYLOAD_MAX) {
		memcpy(pay + n, tx->blks, tx->blen + 1);
		n += tx->blen;
	} else {
		for (i = 0; i < tx->nbfile; i++)
			n += snprintf(pay + n, sizeof(pay) - n, " B%" PRIx64,
				      tx->bfile[i]);
	}
	ds_pg_arg_bytes(&a, pay, n);
	ds_pg_arg_bytes(&a, tx->chan, strlen(tx->chan));
	/* Not counted in tx->sent: its answer comes after the Sync. */
	if (!PQsendQueryPrepared(tx->c, "publish", a.n, a.val, a.len, a.fmt,
				 1) ||
	    !PQpipelineSync(tx->c))
		tx->unpublished = true;
}

/* The publishing transaction's answer and its Sync. */
static void take_publish(struct pg_tx *tx)
{
	int nulls = 0;

	while (nulls < 2) {
		PGresult *r = PQgetResult(tx->c);
		ExecStatusType s;

		if (!r) {
			nulls++;
			continue;
		}
		s = PQresultStatus(r);
		PQclear(r);
		if (s == PGRES_PIPELINE_SYNC)
			return;
		if (s != PGRES_TUPLES_OK)
			tx->unpublished = true;
	}
	tx->unpublished = true;
}

int ds_pg_apply(struct ds_store *st, PGconn *c, const struct ds_changes *cs,
		struct ds_pg_waiter *w)
{
	struct pg_tx *tx;
	int64_t me = ds_pg_of(st)->head;
	unsigned int i;
	int rc;

	tx = calloc(1, sizeof(*tx));
	if (!tx)
		return -ENOMEM;
	tx->c = c;
	tx->bs = st->cfg.block_size;
	tx->w = w;
	tx->chan = ds_pg_of(st)->chan_changes;
	if (!PQenterPipelineMode(c)) {
		free(tx);
		return -EIO;
	}
	if (w)
		send_begin(tx, cs, me, ds_pg_of(st)->hkey);
	for (i = 0; i < cs->n; i++)
		apply_one(tx, &cs->c[i]);
	if (!PQpipelineSync(c)) {
		note(tx, -EIO);
		PQexitPipelineMode(c);
		rc = tx->rc;
		free(tx);
		return rc;
	}
	if (w)
		send_publish(tx, me, w->seq);
	rc = collect(tx);
	if (w && !tx->broken && !tx->unpublished)
		take_publish(tx);
	/* Committed, but the other heads will not hear of it. */
	if (!rc && w && (tx->broken || tx->unpublished))
		ds_store_fail(st, -EIO);
	PQexitPipelineMode(c);
	free(tx);
	return rc;
}

/*
 * A session is made on first use, and again when it broke: its
 * statements prepared.  (The head's liveness lock is the listener
 * session's, pg_heads.c.)
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
	    ds_pg_prepare(pc->c))
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

/* A ready session (NULL if it cannot be made), given back with its rc. */
struct ds_pg_conn *ds_pg_take(struct ds_pg *p)
{
	struct ds_pg_conn *pc = pg_take(p);

	if (!pg_ready(p, pc))
		return pc;
	pc->ready = false;
	pthread_mutex_unlock(&pc->lock);
	return NULL;
}

void ds_pg_give(struct ds_pg_conn *pc, int rc)
{
	/* A session left broken or mid-pipeline is not used again. */
	if (rc && (PQstatus(pc->c) != CONNECTION_OK ||
		   PQpipelineStatus(pc->c) != PQ_PIPELINE_OFF))
		pc->ready = false;
	pthread_mutex_unlock(&pc->lock);
}

/*
 * The waiter goes in before the transaction is sent; settle (after the
 * core dropped its locks) waits for the acks it collects.
 */
static int pg_commit(struct ds_store *st, const struct ds_changes *cs)
{
	struct ds_pg *p = ds_pg_of(st);
	struct ds_pg_waiter *w = ds_pg_waiter_begin(p);
	struct ds_pg_conn *pc = ds_pg_take(p);
	int rc = -EIO;

	if (pc) {
		rc = ds_pg_apply(st, pc->c, cs, w);
		ds_pg_give(pc, rc);
	}
	if (rc)
		ds_pg_waiter_end(p, w);
	else
		w->armed = true;
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
	.alloc_fileid = ds_pg_alloc_fileid,
	.settle = ds_pg_settle,
};

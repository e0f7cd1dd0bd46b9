// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Group commit of the LMDB backend: the change sets of concurrent
 * operations go into one LMDB write transaction, so they share its
 * syncs, and none of them returns before that transaction is on disk
 * (docs/durable.md).
 *
 * commit (inode locks held) copies the change set, with the dirty
 * blocks it carries, into a queue and returns: nothing can fail later
 * but the disk.  The core applies the change to memory, drops its
 * locks and calls ds_lmdb_durable, which waits until a transaction
 * that holds the set has committed.  The first waiter that finds no
 * batch being written becomes the writer: it takes the whole queue,
 * writes it in one transaction committed with LMDB's usual two syncs
 * (pages, then the meta page through its O_DSYNC descriptor, so a power
 * cut never leaves a meta page pointing at pages that are not on disk),
 * and wakes every waiter it covered.  Operations queued meanwhile wait
 * for the next writer, one of them; under load a batch holds everything
 * that arrived during the previous batch's syncs.  Queue order is the
 * order of the commit calls, and two operations on the same inode
 * commit in the order their inode locks allow, so batches keep the
 * order that matters.
 *
 * Since memory is changed before the set reaches LMDB, a batch that
 * fails (I/O error, ENOSPC) latches the store for every operation in
 * it: the core sees the error from ds_lmdb_durable.
 *
 * A set whose dirty blocks exceed DS_GROUP_COPY_MAX is not copied: its
 * caller writes the queue and then the set itself, straight from memory
 * under its locks, in one synced transaction.  Copying a 1 MiB FILE_SYNC
 * write cost more daemon CPU than sharing its sync saved (bench durable:
 * 193 MB/s copied, 462 MB/s written by the caller), and a big ds_commit
 * must not double its memory.  Writes to one file still share: the
 * commit writes every block written to it meanwhile.
 *
 * DITTO_LMDB_COMMIT=serial in the environment selects one synced LMDB
 * transaction per operation, written under the caller's locks: the
 * rates before group commit, for benchmarks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lmdb_int.h"

#define DS_GROUP_COPY_MAX (512U << 10)

/* The calling thread's last queued set not yet known durable. */
static __thread struct {
	struct ds_lmdb_group *g;
	uint64_t seq;
} pending;

void ds_lmdb_group_init(struct ds_lmdb_group *g, bool nosync)
{
	const char *m = getenv("DITTO_LMDB_COMMIT");

	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->serial = m && !strcmp(m, "serial");
	g->nosync = nosync;
}

void ds_lmdb_group_destroy(struct ds_lmdb_group *g)
{
	if (pending.g == g)
		pending.g = NULL;
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
}

unsigned int ds_lmdb_group_flags(const struct ds_lmdb_group *g)
{
	return g->nosync ? MDB_NOSYNC : 0;
}

void ds_lmdb_op_free(struct ds_lmdb_op *op)
{
	free(op);
}

/* Bytes the copy of cs needs besides the op itself. */
static size_t copy_size(const struct ds_changes *cs, uint32_t bs,
			size_t *nblk)
{
	size_t n = 0;
	unsigned int i;

	*nblk = 0;
	for (i = 0; i < cs->n; i++) {
		const struct ds_change *c = &cs->c[i];
		const void *blk;
		uint64_t idx = 0;

		switch (c->kind) {
		case DS_CH_INODE:
			n += c->inode.rec.tlen;
			if (!c->inode.ino || c->inode.rec.type != DS_REG)
				break;
			while (ds_dirty_next(c->inode.ino, &idx, &blk)) {
				(*nblk)++;
				if (idx++ == UINT64_MAX - 1)
					break;
			}
			break;
		case DS_CH_DIRENT:
		case DS_CH_DIRENT_DEL:
			n += strlen(c->dirent.name) + 1;
			break;
		case DS_CH_XATTR:
			n += c->xattr.vlen;
			/* fall through */
		case DS_CH_XATTR_DEL:
			n += strlen(c->xattr.name) + 1;
			break;
		default:
			break;
		}
	}
	return n + *nblk * (sizeof(struct ds_lmdb_blk) + bs);
}

static char *dup_into(char **at, const void *src, size_t len, bool nul)
{
	char *d = *at;

	memcpy(d, src, len);
	if (nul)
		d[len++] = '\0';
	*at += len;
	return d;
}

/*
 * A self-contained copy of cs: strings, values and the dirty blocks of
 * its regular files, in one allocation.  NULL: -ENOMEM, or too big to
 * copy (*big).
 */
static struct ds_lmdb_op *copy_set(const struct ds_changes *cs, uint32_t bs,
				   bool *big)
{
	struct ds_lmdb_op *op;
	size_t nblk, len = copy_size(cs, bs, &nblk);
	unsigned int i;
	char *at;

	*big = nblk * (size_t)bs > DS_GROUP_COPY_MAX;
	if (*big)
		return NULL;
	op = malloc(sizeof(*op) + len);
	if (!op)
		return NULL;
	memset(op, 0, sizeof(*op));
	op->cs = *cs;
	op->blk = (struct ds_lmdb_blk *)(op + 1);
	at = (char *)(op->blk + nblk);
	for (i = 0; i < cs->n; i++) {
		struct ds_change *c = &op->cs.c[i];
		const void *blk;
		uint64_t idx = 0;
		size_t l;

		switch (c->kind) {
		case DS_CH_INODE:
			if (c->inode.rec.tlen)
				c->inode.rec.target = dup_into(
					&at, c->inode.rec.target,
					c->inode.rec.tlen, false);
			if (!c->inode.ino || c->inode.rec.type != DS_REG) {
				c->inode.ino = NULL;
				break;
			}
			while (ds_dirty_next(c->inode.ino, &idx, &blk)) {
				struct ds_lmdb_blk *b = &op->blk[op->nblk++];

				b->ci = i;
				b->idx = idx;
				b->data = dup_into(&at, blk, bs, false);
				if (idx++ == UINT64_MAX - 1)
					break;
			}
			/* Blocks come from the copy, not from the inode. */
			c->inode.ino = NULL;
			break;
		case DS_CH_DIRENT:
		case DS_CH_DIRENT_DEL:
			l = strlen(c->dirent.name);
			c->dirent.name = dup_into(&at, c->dirent.name, l, true);
			break;
		case DS_CH_XATTR:
		case DS_CH_XATTR_DEL:
			l = strlen(c->xattr.name);
			c->xattr.name = dup_into(&at, c->xattr.name, l, true);
			if (c->kind == DS_CH_XATTR && c->xattr.vlen)
				c->xattr.value = dup_into(&at, c->xattr.value,
							  c->xattr.vlen, false);
			break;
		default:
			break;
		}
	}
	return op;
}

/*
 * Writes the queued sets, then own (a set too big to copy, or NULL), in
 * one transaction.  g->lock held on entry and exit; g->writing is ours.
 */
static int write_batch(struct ds_store *st, struct ds_lmdb_group *g,
		       const struct ds_changes *own)
{
	struct ds_persist *p = ds_lmdb_of(st);
	struct ds_lmdb_op *q = g->head, *op;
	uint64_t upto = g->queued;
	unsigned long n = 0;
	MDB_txn *txn = NULL;
	int rc;

	g->head = g->tail = NULL;
	pthread_mutex_unlock(&g->lock);
	rc = ds_mdb_err(mdb_txn_begin(p->env, NULL, 0, &txn));
	for (op = q; op && !rc; op = op->next, n++)
		rc = ds_lmdb_apply_op(st, txn, op);
	if (own && !rc)
		rc = ds_lmdb_apply(st, txn, own);
	if (!rc)
		rc = ds_mdb_err(mdb_txn_commit(txn));
	else if (txn)
		mdb_txn_abort(txn);
	while (q) {
		op = q->next;
		ds_lmdb_op_free(q);
		q = op;
	}
	pthread_mutex_lock(&g->lock);
	g->batches++;
	g->commits += n + (own != NULL);
	/* Queued sets are in memory already: a failure is for good. */
	if (rc && n && !g->err)
		g->err = rc;
	else if (!rc && upto > g->durable)
		g->durable = upto;
	pthread_cond_broadcast(&g->cond);
	return rc;
}

/* Waits until no batch is being written, then claims the writer's role. */
static void claim(struct ds_lmdb_group *g)
{
	while (g->writing)
		pthread_cond_wait(&g->cond, &g->lock);
	g->writing = true;
}

static void release(struct ds_lmdb_group *g)
{
	g->writing = false;
	pthread_cond_broadcast(&g->cond);
}

int ds_lmdb_group_commit(struct ds_store *st, const struct ds_changes *cs)
{
	struct ds_lmdb_group *g = &ds_lmdb_of(st)->gc;
	struct ds_lmdb_op *op;
	bool big;
	int rc;

	op = copy_set(cs, st->cfg.block_size, &big);
	pthread_mutex_lock(&g->lock);
	if (!op && big) {
		/* Queued sets first: they may be older changes of ours. */
		claim(g);
		rc = g->err;
		if (!rc)
			rc = write_batch(st, g, cs);
		release(g);
		pthread_mutex_unlock(&g->lock);
		return rc;
	}
	rc = op ? g->err : -ENOMEM;
	if (rc) {
		pthread_mutex_unlock(&g->lock);
		ds_lmdb_op_free(op);
		return rc;
	}
	op->seq = ++g->queued;
	if (g->tail)
		g->tail->next = op;
	else
		g->head = op;
	g->tail = op;
	pending.g = g;
	pending.seq = op->seq;
	pthread_mutex_unlock(&g->lock);
	return 0;
}

int ds_lmdb_durable(struct ds_store *st)
{
	struct ds_lmdb_group *g = &ds_lmdb_of(st)->gc;
	uint64_t seq = pending.seq;
	int rc;

	if (pending.g != g || !seq)
		return 0;
	pending.seq = 0;
	pthread_mutex_lock(&g->lock);
	for (;;) {
		rc = g->err;
		if (rc || g->durable >= seq)
			break;
		if (g->writing) {
			pthread_cond_wait(&g->cond, &g->lock);
			continue;
		}
		g->writing = true;
		write_batch(st, g, NULL);
		release(g);
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

/*
 * Close and check: whatever is queued.  After a failed batch nothing
 * more is written (what is queued may build on what was lost), and
 * the queue is dropped.
 */
int ds_lmdb_group_drain(struct ds_store *st)
{
	struct ds_lmdb_group *g = &ds_lmdb_of(st)->gc;
	struct ds_lmdb_op *op;
	int rc;

	pthread_mutex_lock(&g->lock);
	claim(g);
	rc = g->err;
	if (!rc && g->head)
		rc = write_batch(st, g, NULL);
	while (rc && g->head) {
		op = g->head;
		g->head = op->next;
		ds_lmdb_op_free(op);
	}
	if (!g->head)
		g->tail = NULL;
	release(g);
	pthread_mutex_unlock(&g->lock);
	return rc;
}

void ds_lmdb_group_stats(const struct ds_store *st, uint64_t *commits,
			 uint64_t *batches)
{
	struct ds_lmdb_group *g = &ds_lmdb_of(st)->gc;

	pthread_mutex_lock(&g->lock);
	*commits = g->commits;
	*batches = g->batches;
	pthread_mutex_unlock(&g->lock);
}

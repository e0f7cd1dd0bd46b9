// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Group commit of the LMDB backend: several operations share one sync,
 * and none returns before a sync that covers it (docs/durable.md).
 *
 * The environment is opened with MDB_NOMETASYNC: mdb_txn_commit writes
 * the transaction's pages and fdatasyncs them, then writes the meta page
 * that makes them current without syncing it.  That keeps LMDB's
 * integrity after a power cut (pages are on disk before any meta page
 * points at them) and moves the meta page's sync, the second of the two
 * a default commit makes, out of LMDB's writer lock.
 *
 * Each commit takes a sequence number inside its write transaction, so
 * seq order is LMDB's commit order.  The core then applies the change
 * to memory, drops its inode locks and calls ds_lmdb_durable, which
 * waits until every seq up to the thread's own is on disk.  The first
 * waiter that finds no sync running becomes the flusher: it notes the
 * last committed seq, calls mdb_env_sync outside every lock (commits go
 * on meanwhile), and wakes every waiter that seq covers; waiters
 * committed after it started wait for the next flusher, one of them.
 * Under load one sync covers every operation that committed while the
 * previous one ran.
 *
 * DITTO_LMDB_COMMIT=serial in the environment selects LMDB's synced
 * commits instead (the rates before group commit, for benchmarks).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lmdb_int.h"

/* The calling thread's last commit not yet known durable. */
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
	if (nosync)
		g->mode = DS_LMDB_NOSYNC;
	else if (m && !strcmp(m, "serial"))
		g->mode = DS_LMDB_SERIAL;
	else
		g->mode = DS_LMDB_GROUP;
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
	switch (g->mode) {
	case DS_LMDB_GROUP:
		return MDB_NOMETASYNC;
	case DS_LMDB_NOSYNC:
		return MDB_NOSYNC;
	default:
		return 0;
	}
}

uint64_t ds_lmdb_group_seq(struct ds_lmdb_group *g)
{
	return __atomic_add_fetch(&g->next_seq, 1, __ATOMIC_RELAXED);
}

void ds_lmdb_group_committed(struct ds_lmdb_group *g, uint64_t seq)
{
	pthread_mutex_lock(&g->lock);
	/* LMDB commits one at a time, so every smaller seq is done. */
	if (seq > g->committed)
		g->committed = seq;
	g->commits++;
	if (g->mode == DS_LMDB_SERIAL) {
		g->syncs++;	/* LMDB synced it */
		g->durable = g->committed;
	}
	pthread_mutex_unlock(&g->lock);
	if (g->mode == DS_LMDB_GROUP) {
		pending.g = g;
		pending.seq = seq;
	}
}

/* One sync by the flusher, g->lock held on entry and exit. */
static void flush(struct ds_lmdb_group *g, MDB_env *env)
{
	uint64_t target = g->committed;
	int rc;

	g->flushing = true;
	pthread_mutex_unlock(&g->lock);
	rc = mdb_env_sync(env, 1);
	pthread_mutex_lock(&g->lock);
	g->flushing = false;
	g->syncs++;
	/* After a failed fsync the page cache may hold pages the disk lost
	 * (and that a retry would call clean): nothing is durable again.
	 */
	if (rc && !g->err)
		g->err = ds_mdb_err(rc);
	else if (!rc && target > g->durable)
		g->durable = target;
	pthread_cond_broadcast(&g->cond);
}

int ds_lmdb_durable(struct ds_store *st)
{
	struct ds_persist *p = ds_lmdb_of(st);
	struct ds_lmdb_group *g = &p->gc;
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
		if (!g->flushing)
			flush(g, p->env);
		else
			pthread_cond_wait(&g->cond, &g->lock);
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

void ds_lmdb_group_stats(const struct ds_store *st, uint64_t *commits,
			 uint64_t *syncs)
{
	struct ds_lmdb_group *g = &ds_lmdb_of(st)->gc;

	pthread_mutex_lock(&g->lock);
	*commits = g->commits;
	*syncs = g->syncs;
	pthread_mutex_unlock(&g->lock);
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Heads of one postgres store (docs/postgres.md, "Several heads").
 *
 * A head is a row of ditto_heads and a session advisory lock on its id
 * that its listener session holds for the head's life: another head
 * tells a dead head (lock free: its session ended, whatever killed it)
 * from a slow one (lock held).  Each head hands out fileids from
 * ranges it reserves in ditto_meta, so two heads never make the same.
 *
 * A commit names, in its own transaction, the other heads alive at
 * that moment (ditto_begin); once the core has dropped its locks,
 * settle waits until each of them has applied the commit and acked it
 * (pg_listen.c), so a later request on any head sees it.  A head that
 * dies meanwhile is no longer waited for (checked every
 * ACK_POLL_MS); one that stays alive and silent for DS_PG_ACK_WAIT_MS
 * is fenced: its listener session is ended, which frees its liveness
 * lock and makes it latch itself read-only and drop its caches
 * (pg_listen.c), so it cannot go on serving what it never applied.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_int.h"

#define ACK_POLL_MS 100
/* Fileids a head reserves at a time. */
#define FILEID_BATCH 1024

/* One commit in flight per thread: its waiter, and whose it is. */
static __thread struct ds_pg_waiter tls_w;
static __thread struct ds_pg *tls_owner;

static int exec_text(PGconn *c, const char *sql, char *out, size_t len)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = 0;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		rc = ds_pg_errno(r);
	else if (out)
		snprintf(out, len, "%s",
			 PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return rc;
}

int ds_pg_head_register(struct ds_store *st, bool *alone, char *err,
			size_t errlen)
{
	struct ds_pg *p = ds_pg_of(st);
	char sql[256], v[32];
	int rc;

	p->lc = PQconnectdb(p->conninfo);
	if (PQstatus(p->lc) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot reach PostgreSQL: %s",
			 PQerrorMessage(p->lc));
		return -ECONNREFUSED;
	}
	rc = exec_text(p->lc, "SET client_min_messages = warning", NULL, 0);
	if (!rc)
		rc = exec_text(p->lc, "SELECT ditto_head_key()", p->hkey,
			       sizeof(p->hkey));
	if (!rc)
		rc = exec_text(p->lc, "SELECT nextval('ditto_head_ids')", v,
			       sizeof(v));
	if (rc)
		goto fail;
	p->head = strtoll(v, NULL, 10);
	/* Named apart from the commit sessions (pg_stat_activity). */
	snprintf(sql, sizeof(sql),
		 "SET application_name = 'ditto head %" PRId64 "'", p->head);
	rc = exec_text(p->lc, sql, NULL, 0);
	snprintf(sql, sizeof(sql),
		 "SELECT pg_advisory_lock(ditto_head_key(), %" PRId64 "::int4)",
		 p->head);
	if (!rc)
		rc = exec_text(p->lc, sql, NULL, 0);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO ditto_heads (id, pid) VALUES (%" PRId64
		 ", pg_backend_pid())", p->head);
	if (!rc)
		rc = exec_text(p->lc, sql, NULL, 0);
	/* Rows of heads that died without saying so. */
	snprintf(sql, sizeof(sql),
		 "DELETE FROM ditto_heads WHERE id <> %" PRId64 " AND"
		 " pg_try_advisory_xact_lock_shared(ditto_head_key(), id::int4)",
		 p->head);
	if (!rc)
		rc = exec_text(p->lc, sql, NULL, 0);
	if (!rc)
		rc = exec_text(p->lc, "SELECT hashtext(current_schema())", v,
			       sizeof(v));
	if (!rc) {
		snprintf(p->chan_changes, sizeof(p->chan_changes),
			 "ditto_changes_%u", (unsigned int)atoi(v));
		snprintf(p->chan_acks, sizeof(p->chan_acks), "ditto_acks_%u",
			 (unsigned int)atoi(v));
		snprintf(sql, sizeof(sql), "LISTEN %s; LISTEN %s",
			 p->chan_changes, p->chan_acks);
		rc = exec_text(p->lc, sql, NULL, 0);
	}
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM ditto_heads WHERE id <> %" PRId64,
		 p->head);
	if (!rc)
		rc = exec_text(p->lc, sql, v, sizeof(v));
	if (rc)
		goto fail;
	*alone = atoi(v) == 0;
	return 0;
fail:
	snprintf(err, errlen, "registering the head: %s",
		 PQerrorMessage(p->lc));
	return rc;
}

void ds_pg_head_unregister(struct ds_pg *p)
{
	char sql[96];

	if (!p->lc)
		return;
	if (p->head && PQstatus(p->lc) == CONNECTION_OK) {
		snprintf(sql, sizeof(sql),
			 "DELETE FROM ditto_heads WHERE id = %" PRId64, p->head);
		exec_text(p->lc, sql, NULL, 0);
	}
	/* Ending the session frees the liveness lock. */
	PQfinish(p->lc);
	p->lc = NULL;
}

uint64_t ds_pg_alloc_fileid(struct ds_store *st)
{
	struct ds_pg *p = ds_pg_of(st);
	struct ds_pg_conn *pc;
	struct ds_pg_args a = { 0 };
	PGresult *r;
	uint64_t id = 0;
	int rc;

	/* Formatting: the root is the first fileid of a new store. */
	if (!p->open)
		return __atomic_fetch_add(&st->next_fileid, 1,
					  __ATOMIC_RELAXED);
	pthread_mutex_lock(&p->fid_lock);
	if (p->fid_next >= p->fid_end) {
		pc = ds_pg_take(p);
		if (!pc)
			goto out;
		ds_pg_arg_u64(&a, FILEID_BATCH);
		rc = ds_pg_exec(pc->c, "fileids_take", &a, &r);
		if (!rc) {
			p->fid_end = ds_pg_u64(r, 0, 0);
			p->fid_next = p->fid_end - FILEID_BATCH;
			PQclear(r);
		}
		ds_pg_give(pc, rc);
		if (rc)
			goto out;
	}
	id = p->fid_next++;
	__atomic_store_n(&st->next_fileid, p->fid_next, __ATOMIC_RELAXED);
out:
	pthread_mutex_unlock(&p->fid_lock);
	return id;
}

static void unlink_waiter(struct ds_pg *p, struct ds_pg_waiter *w)
{
	struct ds_pg_waiter **pp;

	pthread_mutex_lock(&p->wlock);
	for (pp = &p->waiters; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	pthread_mutex_unlock(&p->wlock);
}

struct ds_pg_waiter *ds_pg_waiter_begin(struct ds_pg *p)
{
	struct ds_pg_waiter *w = &tls_w;

	/* Every mutation settles; a leftover is dropped, not waited on. */
	if (tls_owner)
		unlink_waiter(tls_owner, w);
	memset(w, 0, sizeof(*w));
	w->seq = __atomic_add_fetch(&p->seq, 1, __ATOMIC_RELAXED);
	tls_owner = p;
	pthread_mutex_lock(&p->wlock);
	w->next = p->waiters;
	p->waiters = w;
	pthread_mutex_unlock(&p->wlock);
	return w;
}

void ds_pg_waiter_end(struct ds_pg *p, struct ds_pg_waiter *w)
{
	unlink_waiter(p, w);
	w->armed = false;
	tls_owner = NULL;
}

void ds_pg_acked(struct ds_pg *p, uint64_t seq, int64_t from)
{
	struct ds_pg_waiter *w;

	pthread_mutex_lock(&p->wlock);
	for (w = p->waiters; w; w = w->next) {
		if (w->seq != seq)
			continue;
		if (w->nacked < DS_PG_MAX_PEERS)
			w->acked[w->nacked++] = from;
		pthread_cond_broadcast(&p->wcond);
		break;
	}
	pthread_mutex_unlock(&p->wlock);
}

/* Heads still owing an ack (need[] entries of 0 were let go). */
static unsigned int missing(const struct ds_pg_waiter *w)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < w->nneed; i++) {
		if (!w->need[i])
			continue;
		for (j = 0; j < w->nacked && w->acked[j] != w->need[i]; j++)
			;
		if (j == w->nacked)
			n++;
	}
	return n;
}

static bool listed(const char *csv, int64_t id)
{
	char *end;

	while (*csv) {
		if (strtoll(csv, &end, 10) == id)
			return true;
		if (end == csv)
			break;
		csv = *end == ',' ? end + 1 : end;
	}
	return false;
}

/* Lets go of the heads that are dead now; false if it cannot tell. */
static bool drop_dead(struct ds_pg *p, struct ds_pg_waiter *w)
{
	struct ds_pg_conn *pc = ds_pg_take(p);
	char sql[96], live[DS_PG_MAX_PEERS * 22 + 1];
	unsigned int i;
	int rc;

	if (!pc)
		return false;
	snprintf(sql, sizeof(sql), "SELECT ditto_live_heads(%" PRId64 ", %s)",
		 p->head, p->hkey);
	rc = exec_text(pc->c, sql, live, sizeof(live));
	ds_pg_give(pc, rc);
	if (rc)
		return false;
	pthread_mutex_lock(&p->wlock);
	for (i = 0; i < w->nneed; i++)
		if (w->need[i] && !listed(live, w->need[i]))
			w->need[i] = 0;
	pthread_mutex_unlock(&p->wlock);
	return true;
}

/* Ends the listener sessions of the heads that never acked. */
static void fence(struct ds_pg *p, struct ds_pg_waiter *w)
{
	char sql[128 + DS_PG_MAX_PEERS * 22];
	struct ds_pg_conn *pc;
	size_t o;
	unsigned int i, j;
	int rc;

	o = snprintf(sql, sizeof(sql),
		     "SELECT pg_terminate_backend(pid::int4) FROM ditto_heads"
		     " WHERE id IN (0");
	pthread_mutex_lock(&p->wlock);
	for (i = 0; i < w->nneed; i++) {
		for (j = 0; j < w->nacked && w->acked[j] != w->need[i]; j++)
			;
		if (w->need[i] && j == w->nacked)
			o += snprintf(sql + o, sizeof(sql) - o, ",%" PRId64,
				      w->need[i]);
	}
	pthread_mutex_unlock(&p->wlock);
	snprintf(sql + o, sizeof(sql) - o, ")");
	pc = ds_pg_take(p);
	if (!pc)
		return;
	rc = exec_text(pc->c, sql, NULL, 0);
	ds_pg_give(pc, rc);
	/* Termination is asynchronous: wait for the locks to go (2 s). */
	for (i = 0; i < 20 && drop_dead(p, w) && missing(w); i++)
		nanosleep(&(struct timespec){ 0, ACK_POLL_MS * 1000000L },
			  NULL);
}

static void after_ms(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static bool passed(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec ||
	       (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

void ds_pg_settle(struct ds_store *st)
{
	struct ds_pg *p = ds_pg_of(st);
	struct ds_pg_waiter *w = &tls_w;
	struct timespec deadline, poll;
	bool fenced = false;

	if (tls_owner != p || !w->armed)
		return;
	after_ms(&deadline, p->ack_wait_ms);
	pthread_mutex_lock(&p->wlock);
	for (;;) {
		/* A head that lost its listener hears no acks. */
		if (!missing(w) || __atomic_load_n(&p->fenced, __ATOMIC_ACQUIRE))
			break;
		if (passed(&deadline)) {
			if (fenced)
				break;
			pthread_mutex_unlock(&p->wlock);
			fence(p, w);
			fenced = true;
			pthread_mutex_lock(&p->wlock);
			continue;
		}
		after_ms(&poll, ACK_POLL_MS);
		if (pthread_cond_timedwait(&p->wcond, &p->wlock, &poll) ==
		    ETIMEDOUT) {
			pthread_mutex_unlock(&p->wlock);
			drop_dead(p, w);
			pthread_mutex_lock(&p->wlock);
		}
	}
	pthread_mutex_unlock(&p->wlock);
	ds_pg_waiter_end(p, w);
}

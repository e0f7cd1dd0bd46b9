// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * A head's listener (docs/postgres.md, "Several heads"): a thread on
 * the head's own session, which LISTENs on the store's channels (its
 * schema's ditto_changes_N and ditto_acks_N, pg_heads.c).  PostgreSQL delivers a commit's notification after the
 * commit, in commit order.  For each other head's commit the listener
 * reads the rows it names in one REPEATABLE READ snapshot, applies
 * them to memory (remote.c), tells the glue (ds_invalidate), and acks
 * it in the same transaction: pg_notify(acks, "origin seq me").  The payload's grammar is in pg_commit.c.  Acks of this head's
 * own commits go to their waiters (pg_heads.c).
 *
 * If the session is lost the head can no longer follow the others: it
 * latches read-only (every mutation fails, -EIO), tells the glue to
 * drop everything, and other heads stop waiting for it (its liveness
 * lock went with the session).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg_int.h"

/* The keys of one commit, as parsed from its payload. */
struct keyset {
	int64_t origin;
	uint64_t seq;
	size_t n, cap;
	struct key {
		char kind;	/* i e x b B */
		uint64_t id;
		uint64_t from, to;
		char name[DS_NAME_MAX + 1];
		char hex[2 * DS_NAME_MAX + 1];
	} *k;
};

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "616263" -> "abc"; false if it is not a name we could have sent. */
static bool name_of(const char *s, size_t len, char *out)
{
	size_t i;

	if (!len || len % 2 || len / 2 > DS_NAME_MAX)
		return false;
	for (i = 0; i < len / 2; i++) {
		int hi = unhex(s[2 * i]), lo = unhex(s[2 * i + 1]);

		if (hi < 0 || lo < 0 || (hi | lo) == 0)
			return false;
		out[i] = (char)(hi << 4 | lo);
	}
	out[i] = '\0';
	return true;
}

static int parse(const char *pay, struct keyset *ks)
{
	const char *s = pay;
	char *end;

	ks->origin = strtoll(s, &end, 10);
	if (end == s)
		return -EILSEQ;
	s = end;
	ks->seq = strtoull(s, &end, 10);
	if (end == s)
		return -EILSEQ;
	s = end;
	while (*s == ' ') {
		struct key k = { .kind = s[1] };
		const char *tok = s + 2;

		k.id = strtoull(tok, &end, 16);
		if (end == tok)
			return -EILSEQ;
		s = end;
		if (k.kind == 'e' || k.kind == 'x') {
			const char *nm = ++s;

			while (*s && *s != ' ')
				s++;
			if (!name_of(nm, s - nm, k.name))
				return -EILSEQ;
			memcpy(k.hex, nm, s - nm);
			k.hex[s - nm] = '\0';
		} else if (k.kind == 'b') {
			k.from = strtoull(s + 1, &end, 16);
			k.to = strtoull(end + 1, &end, 16);
			s = end;
		} else if (k.kind != 'i' && k.kind != 'B') {
			return -EILSEQ;
		}
		if (ks->n == ks->cap) {
			struct key *nk;

			ks->cap = ks->cap ? 2 * ks->cap : 16;
			nk = realloc(ks->k, ks->cap * sizeof(*nk));
			if (!nk)
				return -ENOMEM;
			ks->k = nk;
		}
		ks->k[ks->n++] = k;
	}
	return *s ? -EILSEQ : 0;
}

static int sql_rows(PGconn *c, const char *sql, int n, const char *const *v,
		    PGresult **out)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, v, NULL, NULL, 1);

	if (PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_COMMAND_OK) {
		int rc = ds_pg_errno(r);

		PQclear(r);
		return rc;
	}
	*out = r;
	return 0;
}

static const char *col(const PGresult *r, int row, int c, size_t *len)
{
	*len = PQgetlength(r, row, c);
	return PQgetvalue(r, row, c);
}

static void irec_of(const PGresult *r, int row, struct ds_irec *ir)
{
	struct timespec *ts[4] = { &ir->atime, &ir->mtime, &ir->ctime,
				   &ir->btime };
	int i;

	memset(ir, 0, sizeof(*ir));
	ir->fileid = ds_pg_u64(r, row, 0);
	ir->generation = ds_pg_u64(r, row, 1);
	ir->type = ds_pg_u64(r, row, 2);
	ir->mode = ds_pg_u64(r, row, 3);
	ir->uid = ds_pg_u64(r, row, 4);
	ir->gid = ds_pg_u64(r, row, 5);
	ir->nlink = ds_pg_u64(r, row, 6);
	ir->rdev_major = ds_pg_u64(r, row, 7);
	ir->rdev_minor = ds_pg_u64(r, row, 8);
	ir->size = ds_pg_u64(r, row, 9);
	ir->change = ds_pg_u64(r, row, 10);
	ir->parent = ds_pg_u64(r, row, 11);
	ir->next_cookie = ds_pg_u64(r, row, 12);
	ir->xseq = ds_pg_u64(r, row, 13);
	for (i = 0; i < 4; i++) {
		ts[i]->tv_sec = (int64_t)ds_pg_u64(r, row, 14 + 2 * i);
		ts[i]->tv_nsec = (long)ds_pg_u64(r, row, 15 + 2 * i);
	}
	ir->target = col(r, row, 22, &ir->tlen);
	ir->ver = ds_pg_u64(r, row, 23);
}

/* Inode rows first (an entry needs its inode), gone ones at the end. */
static int apply_inodes(struct ds_store *st, PGconn *c,
			const struct keyset *ks, PGresult **gone)
{
	char arr[16 * 22 + 3], num[24];
	const char *v[1] = { arr };
	size_t i, o = 0;
	PGresult *r;
	int rc = 0, row;

	*gone = NULL;
	o += snprintf(arr + o, sizeof(arr) - o, "{0");
	for (i = 0; i < ks->n && o < sizeof(arr) - 24; i++) {
		if (ks->k[i].kind != 'i')
			continue;
		snprintf(num, sizeof(num), ",%" PRId64, (int64_t)ks->k[i].id);
		o += snprintf(arr + o, sizeof(arr) - o, "%s", num);
	}
	snprintf(arr + o, sizeof(arr) - o, "}");
	rc = sql_rows(c, "SELECT * FROM ditto_inodes"
			 " WHERE fileid = ANY($1::int8[]) ORDER BY fileid",
		      1, v, &r);
	if (rc)
		return rc;
	for (row = 0; !rc && row < PQntuples(r); row++) {
		struct ds_irec ir;

		irec_of(r, row, &ir);
		rc = ds_remote_inode(st, &ir);
	}
	*gone = r;
	return rc;
}

static bool has_row(const PGresult *r, uint64_t fileid)
{
	int row;

	for (row = 0; row < PQntuples(r); row++)
		if (ds_pg_u64(r, row, 0) == fileid)
			return true;
	return false;
}

static int apply_key(struct ds_store *st, PGconn *c, const struct key *k)
{
	char id[24], a[24], b[24];
	const char *v[3] = { id, a, b };
	size_t len;
	PGresult *r;
	int rc, row;

	snprintf(id, sizeof(id), "%" PRId64, (int64_t)k->id);
	switch (k->kind) {
	case 'e':
		v[1] = k->hex;
		rc = sql_rows(c, "SELECT target, cookie FROM ditto_dirents"
				 " WHERE dir = $1 AND name = decode($2, 'hex')",
			      2, v, &r);
		if (rc)
			return rc;
		if (PQntuples(r)) {
			uint64_t t = ds_pg_u64(r, 0, 0);

			rc = ds_remote_dirent(st, k->id, k->name, &t,
					      ds_pg_u64(r, 0, 1));
		} else {
			rc = ds_remote_dirent(st, k->id, k->name, NULL, 0);
		}
		PQclear(r);
		return rc;
	case 'x':
		v[1] = k->hex;
		rc = sql_rows(c, "SELECT seq, value FROM ditto_xattrs"
				 " WHERE fileid = $1 AND name = decode($2, 'hex')",
			      2, v, &r);
		if (rc)
			return rc;
		if (PQntuples(r)) {
			const char *val = col(r, 0, 1, &len);

			rc = ds_remote_xattr(st, k->id, k->name,
					     strlen(k->name), true,
					     ds_pg_u64(r, 0, 0), val, len);
		} else {
			rc = ds_remote_xattr(st, k->id, k->name,
					     strlen(k->name), false, 0, NULL,
					     0);
		}
		PQclear(r);
		return rc;
	case 'b':
	case 'B': {
		uint64_t from = k->kind == 'b' ? k->from : 0;
		uint64_t to = k->kind == 'b' ? k->to : UINT64_MAX;

		/* Indexes are below 2^60 (pg_schema.c): int8 order holds. */
		if (to > INT64_MAX)
			to = INT64_MAX;
		snprintf(a, sizeof(a), "%" PRId64, (int64_t)from);
		snprintf(b, sizeof(b), "%" PRId64, (int64_t)to);
		rc = sql_rows(c, "SELECT idx, data FROM ditto_blocks"
				 " WHERE fileid = $1 AND idx >= $2 AND idx < $3",
			      3, v, &r);
		if (rc)
			return rc;
		rc = ds_remote_blocks_drop(st, k->id, from, to);
		for (row = 0; !rc && row < PQntuples(r); row++) {
			const char *data = col(r, row, 1, &len);

			rc = ds_remote_block(st, k->id, ds_pg_u64(r, row, 0),
					     data, len);
		}
		PQclear(r);
		return rc;
	}
	default:
		return 0;
	}
}

/* The objects the glue hears of: every key's object, once. */
static size_t touched(const struct keyset *ks, struct ds_changed *objs)
{
	size_t i, j, n = 0;

	for (i = 0; i < ks->n; i++) {
		for (j = 0; j < n && objs[j].fileid != ks->k[i].id; j++)
			;
		if (j == n)
			objs[n++].fileid = ks->k[i].id;
	}
	return n;
}

static int apply(struct ds_store *st, struct ds_pg *p, const char *pay)
{
	struct keyset ks = { 0 };
	PGresult *rows = NULL;
	struct ds_changed *objs = NULL;
	char ack[64];
	const char *v[2] = { ack, p->chan_acks };
	PGresult *r;
	size_t i, n = 0;
	int rc;

	rc = parse(pay, &ks);
	if (rc || ks.origin == p->head)
		goto out;
	rc = ds_pg_run(p->lc, "BEGIN ISOLATION LEVEL REPEATABLE READ");
	if (!rc)
		rc = apply_inodes(st, p->lc, &ks, &rows);
	for (i = 0; !rc && i < ks.n; i++)
		rc = apply_key(st, p->lc, &ks.k[i]);
	/*
	 * Named while the gone ones are still in memory.  A head that
	 * cannot tell its caches cannot follow: no ack, it stops (lost).
	 */
	if (!rc) {
		objs = malloc(ks.n * sizeof(*objs) + 1);
		if (!objs)
			rc = -EIO;
	}
	if (!rc)
		n = ds_remote_tag(st, objs, touched(&ks, objs));
	/* Entries are gone by now: the inodes whose rows went die. */
	for (i = 0; !rc && i < ks.n; i++)
		if (ks.k[i].kind == 'i' && !has_row(rows, ks.k[i].id))
			ds_remote_gone(st, ks.k[i].id);
	if (!rc) {
		/* Before the ack: the caches above drop them first. */
		if (n)
			ds_remote_invalidate(st, objs, n);
		__atomic_add_fetch(&p->applied, 1, __ATOMIC_RELEASE);
		snprintf(ack, sizeof(ack), "%" PRId64 " %" PRIu64 " %" PRId64,
			 ks.origin, ks.seq, p->head);
		rc = sql_rows(p->lc, "SELECT pg_notify($2, $1)", 2, v, &r);
		if (!rc)
			PQclear(r);
	}
	if (!rc)
		rc = ds_pg_run(p->lc, "COMMIT");
	else
		ds_pg_run(p->lc, "ROLLBACK");
out:
	free(objs);
	PQclear(rows);
	free(ks.k);
	return rc;
}

static void on_ack(struct ds_pg *p, const char *pay)
{
	long long origin, from;
	unsigned long long seq;

	if (sscanf(pay, "%lld %llu %lld", &origin, &seq, &from) == 3 &&
	    origin == p->head)
		ds_pg_acked(p, seq, from);
}

/* The listener can no longer follow: latch, drop every cache. */
static void lost(struct ds_store *st, struct ds_pg *p)
{
	__atomic_store_n(&p->fenced, true, __ATOMIC_RELEASE);
	ds_store_fail(st, -EIO);
	pthread_mutex_lock(&p->wlock);
	pthread_cond_broadcast(&p->wcond);
	pthread_mutex_unlock(&p->wlock);
	ds_remote_invalidate(st, NULL, 0);
}

static void *listen_main(void *arg)
{
	struct ds_store *st = arg;
	struct ds_pg *p = ds_pg_of(st);
	PGnotify *nt;

	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = PQsocket(p->lc), .events = POLLIN },
			{ .fd = p->stopfd[0], .events = POLLIN },
		};
		int rc = 0;

		/* Notifications a query brought in wait in libpq. */
		while ((nt = PQnotifies(p->lc))) {
			if (!strcmp(nt->relname, p->chan_acks))
				on_ack(p, nt->extra);
			else if (!strcmp(nt->relname, p->chan_changes))
				rc = apply(st, p, nt->extra);
			PQfreemem(nt);
			if (rc == -EIO)
				break;
		}
		if (rc == -EIO || PQstatus(p->lc) != CONNECTION_OK) {
			lost(st, p);
			break;
		}
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			break;
		if (fds[1].revents)
			break;
		if (fds[0].revents && !PQconsumeInput(p->lc)) {
			lost(st, p);
			break;
		}
	}
	return NULL;
}

int ds_pg_listen_start(struct ds_store *st)
{
	struct ds_pg *p = ds_pg_of(st);

	if (pipe(p->stopfd))
		return -errno;
	if (pthread_create(&p->lthread, NULL, listen_main, st)) {
		close(p->stopfd[0]);
		close(p->stopfd[1]);
		return -EAGAIN;
	}
	p->lrunning = true;
	return 0;
}

void ds_pg_listen_stop(struct ds_pg *p)
{
	if (!p->lrunning)
		return;
	if (write(p->stopfd[1], "x", 1) != 1)
		return;
	pthread_join(p->lthread, NULL);
	close(p->stopfd[0]);
	close(p->stopfd[1]);
	p->lrunning = false;
}

int64_t ds_pg_head_id(const struct ds_store *st)
{
	return ds_pg_of(st)->head;
}

uint64_t ds_pg_applied(const struct ds_store *st)
{
	return __atomic_load_n(&ds_pg_of(st)->applied, __ATOMIC_ACQUIRE);
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * The postgres backend's open: connect, migrate the schema, register
 * as a head (pg_heads.c), wait for the commits of heads that did not
 * know of this one yet, then either a new filesystem (root only) or
 * the whole stored one loaded into memory from one snapshot, orphans
 * freed if no other head is alive (another may have them open), the
 * boot count moved, and the listener started (pg_listen.c).  Rows are
 * read in single-row mode, so a big store never sits in one result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_int.h"

/* Open serialised per schema: two heads must not both format it. */
#define OPEN_LOCK "SELECT pg_advisory_xact_lock(hashtext(current_schema()), 1)"
/* Commits take it shared: this waits for those that did not see us. */
#define COMMIT_BARRIER "SELECT pg_advisory_xact_lock(ditto_head_key(), 0)"

struct meta {
	uint64_t block_size, generation, root, next_fileid, boot;
	unsigned int found;
};

static int meta_put(PGconn *c, const char *key, uint64_t v)
{
	struct ds_pg_args a = { 0 };

	ds_pg_arg_bytes(&a, key, strlen(key));
	ds_pg_arg_u64(&a, v);
	return ds_pg_exec(c, "meta_put", &a, NULL);
}

static int meta_read(PGconn *c, struct meta *m)
{
	static const char *const keys[] = { "block_size", "generation", "root",
					    "next_fileid", "boot" };
	uint64_t *vals[] = { &m->block_size, &m->generation, &m->root,
			     &m->next_fileid, &m->boot };
	struct ds_pg_args a;
	PGresult *r;
	size_t i;
	int rc;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		memset(&a, 0, sizeof(a));
		ds_pg_arg_bytes(&a, keys[i], strlen(keys[i]));
		rc = ds_pg_exec(c, "meta_get", &a, &r);
		if (rc)
			return rc;
		if (PQntuples(r) == 1) {
			*vals[i] = ds_pg_u64(r, 0, 0);
			m->found++;
		}
		PQclear(r);
	}
	return 0;
}

static int format(struct ds_store *st, PGconn *c)
{
	struct ds_pg *p = ds_pg_of(st);
	struct ds_changes cs;
	int rc;

	rc = ds_restore_new_root(st);
	if (rc)
		return rc;
	p->boot = 1;
	rc = meta_put(c, "block_size", st->cfg.block_size);
	if (!rc)
		rc = meta_put(c, "generation", st->generation);
	if (!rc)
		rc = meta_put(c, "root", st->root->fileid);
	if (!rc)
		rc = meta_put(c, "boot", p->boot);
	/* Commits only ever raise it (next_fileid_put). */
	if (!rc)
		rc = meta_put(c, "next_fileid", st->next_fileid);
	if (rc)
		return rc;
	ds_changes_init(&cs, st);
	ds_changes_inode(&cs, st->root);
	cs.next_fileid = true;
	return ds_pg_apply(st, c, &cs, NULL);
}

typedef int (*row_fn)(void *arg, const PGresult *r);

/* Runs sql, calling fn on each row (binary columns). */
static int each_row(PGconn *c, const char *sql, row_fn fn, void *arg)
{
	PGresult *r;
	int rc = 0;

	if (!PQsendQueryParams(c, sql, 0, NULL, NULL, NULL, NULL, 1))
		return -EIO;
	if (!PQsetSingleRowMode(c))
		rc = -EIO;
	while ((r = PQgetResult(c))) {
		ExecStatusType s = PQresultStatus(r);

		if (!rc && s == PGRES_SINGLE_TUPLE)
			rc = fn(arg, r);
		else if (!rc && s != PGRES_TUPLES_OK)
			rc = ds_pg_errno(r);
		PQclear(r);
	}
	return rc;
}

static const char *bytes(const PGresult *r, int col, size_t *len)
{
	*len = PQgetlength(r, 0, col);
	return PQgetvalue(r, 0, col);
}

static int inode_row(void *arg, const PGresult *r)
{
	struct timespec *ts[4];
	struct ds_irec ir;
	int i;

	memset(&ir, 0, sizeof(ir));
	ts[0] = &ir.atime;
	ts[1] = &ir.mtime;
	ts[2] = &ir.ctime;
	ts[3] = &ir.btime;
	ir.fileid = ds_pg_u64(r, 0, 0);
	ir.generation = ds_pg_u64(r, 0, 1);
	ir.type = ds_pg_u64(r, 0, 2);
	ir.mode = ds_pg_u64(r, 0, 3);
	ir.uid = ds_pg_u64(r, 0, 4);
	ir.gid = ds_pg_u64(r, 0, 5);
	ir.nlink = ds_pg_u64(r, 0, 6);
	ir.rdev_major = ds_pg_u64(r, 0, 7);
	ir.rdev_minor = ds_pg_u64(r, 0, 8);
	ir.size = ds_pg_u64(r, 0, 9);
	ir.change = ds_pg_u64(r, 0, 10);
	ir.parent = ds_pg_u64(r, 0, 11);
	ir.next_cookie = ds_pg_u64(r, 0, 12);
	ir.xseq = ds_pg_u64(r, 0, 13);
	for (i = 0; i < 4; i++) {
		ts[i]->tv_sec = (int64_t)ds_pg_u64(r, 0, 14 + 2 * i);
		ts[i]->tv_nsec = (long)ds_pg_u64(r, 0, 15 + 2 * i);
	}
	ir.target = bytes(r, 22, &ir.tlen);
	ir.ver = ds_pg_u64(r, 0, 23);
	if (ir.tlen > DS_SYMLINK_MAX)
		return -EILSEQ;
	return ds_restore_inode(arg, &ir);
}

static int dirent_row(void *arg, const PGresult *r)
{
	size_t nlen;
	const char *name = bytes(r, 1, &nlen);

	return ds_restore_dirent(arg, ds_pg_u64(r, 0, 0), ds_pg_u64(r, 0, 3),
				 ds_pg_u64(r, 0, 2), name, nlen);
}

static int block_row(void *arg, const PGresult *r)
{
	size_t len;
	const char *data = bytes(r, 2, &len);

	return ds_restore_block(arg, ds_pg_u64(r, 0, 0), ds_pg_u64(r, 0, 1),
				data, len);
}

static int xattr_row(void *arg, const PGresult *r)
{
	size_t nlen, vlen;
	const char *name = bytes(r, 1, &nlen);
	const char *val = bytes(r, 3, &vlen);

	return ds_restore_xattr(arg, ds_pg_u64(r, 0, 0), name, nlen,
				ds_pg_u64(r, 0, 2), val, vlen);
}

/* Files unlinked while open when the last head stopped. */
static int free_orphans(struct ds_store *st, PGconn *c, uint64_t root)
{
	struct ds_pg_args a = { 0 };
	PGresult *r;

	ds_pg_arg_u64(&a, root);
	r = PQexecParams(c,
			 "WITH o AS (SELECT fileid FROM ditto_inodes"
			 "  WHERE nlink = 0 AND fileid <> $1),"
			 " b AS (DELETE FROM ditto_blocks"
			 "  WHERE fileid IN (SELECT fileid FROM o)),"
			 " x AS (DELETE FROM ditto_xattrs"
			 "  WHERE fileid IN (SELECT fileid FROM o))"
			 " DELETE FROM ditto_inodes"
			 "  WHERE fileid IN (SELECT fileid FROM o)",
			 a.n, NULL, a.val, a.len, a.fmt, 1);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		int rc = ds_pg_errno(r);

		PQclear(r);
		return rc;
	}
	ds_pg_of(st)->orphans = strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return 0;
}

static int load(struct ds_store *st, PGconn *c, const struct meta *m)
{
	struct ds_restore res;
	int rc;

	if (m->found != 5)
		return -EILSEQ;
	/* Blocks are stored with the size they were written with. */
	if (m->block_size != st->cfg.block_size)
		return -EXDEV;
	st->generation = m->generation;
	st->next_fileid = m->next_fileid;
	ds_restore_init(&res, st);
	rc = each_row(c, "SELECT * FROM ditto_inodes", inode_row, &res);
	if (!rc)
		rc = each_row(c, "SELECT dir, name, target, cookie"
				 " FROM ditto_dirents", dirent_row, &res);
	if (!rc)
		rc = ds_restore_finish(&res, m->root);
	ds_restore_free(&res);
	if (!rc)
		rc = each_row(c, "SELECT fileid, idx, data FROM ditto_blocks",
			      block_row, st);
	if (!rc)
		rc = each_row(c, "SELECT fileid, name, seq, value"
				 " FROM ditto_xattrs", xattr_row, st);
	return rc;
}

/* Every head's open counts one boot (the write verifier moves). */
static int count_boot(struct ds_store *st, PGconn *c)
{
	PGresult *r = PQexec(c, "UPDATE ditto_meta SET value = value + 1"
				" WHERE key = 'boot' RETURNING value");
	int rc = 0;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		rc = PQresultStatus(r) == PGRES_TUPLES_OK ? -EILSEQ :
							   ds_pg_errno(r);
	else
		ds_pg_of(st)->boot = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

static int open_db(struct ds_store *st, const struct ds_durable *dur,
		   char *err, size_t errlen)
{
	struct ds_pg *p = ds_pg_of(st);
	bool alone = false;
	struct meta m;
	PGconn *c;
	int rc;

	c = p->pool[0].c = PQconnectdb(p->conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot reach PostgreSQL: %s",
			 PQerrorMessage(c));
		return -ECONNREFUSED;
	}
	rc = ds_pg_migrate(c, err, errlen);
	if (!rc)
		rc = ds_pg_prepare(c);
	if (!rc)
		rc = ds_pg_head_register(st, &alone, err, errlen);
	if (rc)
		return rc;
	rc = ds_pg_run(c, "BEGIN");
	if (!rc)
		rc = ds_pg_run(c, COMMIT_BARRIER);
	if (!rc)
		rc = ds_pg_run(c, "COMMIT");
	/* A new filesystem is made once: the first head formats it. */
	if (!rc)
		rc = ds_pg_run(c, "BEGIN");
	if (!rc)
		rc = ds_pg_run(c, OPEN_LOCK);
	if (!rc)
		rc = meta_read(c, &m);
	if (!rc && !m.found)
		rc = format(st, c);
	if (rc)
		goto fail;
	rc = ds_pg_run(c, "COMMIT");
	if (!rc && m.found && alone)
		rc = free_orphans(st, c, m.root);
	if (!rc && m.found)
		rc = count_boot(st, c);
	if (!rc && m.found)
		rc = ds_pg_run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ");
	if (!rc && m.found)
		rc = meta_read(c, &m);
	if (!rc && m.found)
		rc = load(st, c, &m);
	if (rc)
		goto fail;
	if (m.found)
		rc = ds_pg_run(c, "COMMIT");
	if (rc)
		goto fail;
	p->pool[0].ready = true;
	p->open = true;
	return ds_pg_listen_start(st);
fail:
	if (!*err)
		snprintf(err, errlen, "loading the store: %s",
			 PQerrorMessage(c));
	ds_pg_run(c, "ROLLBACK");
	return rc;
}

/* libpq's messages span lines; a log line should not. */
static void one_line(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	for (; *s; s++)
		if (*s == '\n' || *s == '\t')
			*s = ' ';
}

void ds_pg_free(struct ds_pg *p)
{
	int i;

	ds_pg_listen_stop(p);
	ds_pg_head_unregister(p);
	for (i = 0; i < DS_PG_CONNS; i++) {
		PQfinish(p->pool[i].c);
		pthread_mutex_destroy(&p->pool[i].lock);
	}
	pthread_mutex_destroy(&p->fid_lock);
	pthread_mutex_destroy(&p->wlock);
	pthread_cond_destroy(&p->wcond);
	free(p->conninfo);
	free(p);
}

/*
 * Errors: -ECONNREFUSED (cannot connect), -EPROTONOSUPPORT (schema
 * newer than this code), -EBUSY (another head has it), -EXDEV (stored
 * with another block size), -EILSEQ (damaged), -ENOMEM, -EIO; a
 * sentence in dur->err.
 */
int ds_pg_open(const struct ds_config *cfg, const struct ds_durable *dur,
	       struct ds_store **out)
{
	char scratch[1], *err = dur->err ? dur->err : scratch;
	size_t errlen = dur->err ? dur->errlen : sizeof(scratch);
	struct ds_store *st;
	pthread_condattr_t ca;
	struct ds_pg *p;
	int rc, i;

	err[0] = '\0';
	st = ds_store_init(cfg, &rc);
	if (!st)
		return rc;
	p = calloc(1, sizeof(*p));
	if (!p) {
		ds_store_free(st);
		return -ENOMEM;
	}
	for (i = 0; i < DS_PG_CONNS; i++)
		pthread_mutex_init(&p->pool[i].lock, NULL);
	pthread_mutex_init(&p->fid_lock, NULL);
	pthread_mutex_init(&p->wlock, NULL);
	pthread_condattr_init(&ca);
	/* Ack waits are bounded in monotonic time (pg_heads.c). */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wcond, &ca);
	pthread_condattr_destroy(&ca);
	p->ack_wait_ms = dur->ack_wait_ms ? dur->ack_wait_ms :
					    DS_PG_ACK_WAIT_MS;
	p->conninfo = strdup(dur->conninfo ? dur->conninfo : "");
	if (!p->conninfo) {
		ds_pg_free(p);
		ds_store_free(st);
		return -ENOMEM;
	}
	ds_store_set_backend(st, &ds_pg_backend, p);
	rc = open_db(st, dur, err, errlen);
	if (rc) {
		one_line(err);
		ds_pg_free(p);
		ds_store_set_backend(st, NULL, NULL);
		ds_store_free(st);
		return rc;
	}
	*out = st;
	return 0;
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * The postgres backend's schema: versioned migrations applied at open,
 * under an advisory lock so that two heads starting together apply
 * each once, and the statements every commit uses, prepared once per
 * connection.  A database whose schema is newer than this code knows
 * is refused (-EPROTONOSUPPORT): its rows may mean what we cannot read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"

/* pg_advisory_xact_lock key: "ditto" in ASCII. */
#define MIGRATE_LOCK "110105116116111"

struct migration {
	int version;
	const char *sql;
};

/*
 * Never edit a migration that has shipped: add the next one.  Every
 * number is int8 (the uint64's bits); times are seconds + nanoseconds.
 */
static const struct migration migrations[] = {
	{ 1,
	  "CREATE TABLE ditto_meta (key text PRIMARY KEY, value int8 NOT NULL);"
	  "CREATE TABLE ditto_inodes ("
	  " fileid int8 PRIMARY KEY, generation int8 NOT NULL,"
	  " type int8 NOT NULL, mode int8 NOT NULL, uid int8 NOT NULL,"
	  " gid int8 NOT NULL, nlink int8 NOT NULL,"
	  " rdev_major int8 NOT NULL, rdev_minor int8 NOT NULL,"
	  " size int8 NOT NULL, change int8 NOT NULL,"
	  " parent int8 NOT NULL, next_cookie int8 NOT NULL,"
	  " xseq int8 NOT NULL,"
	  " atime_s int8 NOT NULL, atime_ns int8 NOT NULL,"
	  " mtime_s int8 NOT NULL, mtime_ns int8 NOT NULL,"
	  " ctime_s int8 NOT NULL, ctime_ns int8 NOT NULL,"
	  " btime_s int8 NOT NULL, btime_ns int8 NOT NULL,"
	  " target bytea);"
	  "CREATE TABLE ditto_dirents (dir int8 NOT NULL, name bytea NOT NULL,"
	  " target int8 NOT NULL, cookie int8 NOT NULL,"
	  " PRIMARY KEY (dir, name));"
	  "CREATE INDEX ditto_dirents_cookie ON ditto_dirents (dir, cookie);"
	  "CREATE TABLE ditto_xattrs (fileid int8 NOT NULL,"
	  " name bytea NOT NULL, seq int8 NOT NULL, value bytea NOT NULL,"
	  " PRIMARY KEY (fileid, name));"
	  "CREATE TABLE ditto_blocks (fileid int8 NOT NULL, idx int8 NOT NULL,"
	  " data bytea NOT NULL, PRIMARY KEY (fileid, idx));"
	  /* File data is mostly incompressible: no TOAST compression. */
	  "ALTER TABLE ditto_blocks ALTER COLUMN data SET STORAGE EXTERNAL;"
	  /* What Max_Files and Max_Bytes count, as the store does. */
	  "CREATE VIEW ditto_capacity AS SELECT"
	  " (SELECT count(*) FROM ditto_inodes) AS files,"
	  " (SELECT coalesce(sum(length(data)), 0) FROM ditto_blocks) +"
	  " (SELECT coalesce(sum(length(target)), 0) FROM ditto_inodes) +"
	  " (SELECT coalesce(sum(length(name) + length(value)), 0)"
	  "  FROM ditto_xattrs) AS bytes;" },
	/*
	 * Several heads (docs/postgres.md): a version per inode row that
	 * commits check and move, the heads with their listener sessions,
	 * and what every commit runs first (ditto_begin).
	 */
	{ 2,
	  "ALTER TABLE ditto_inodes ADD COLUMN ver int8 NOT NULL DEFAULT 1;"
	  "CREATE SEQUENCE ditto_head_ids;"
	  "CREATE TABLE ditto_heads (id int8 PRIMARY KEY, pid int8 NOT NULL,"
	  " started timestamptz NOT NULL DEFAULT now());"
	  /* Advisory keys (k, id): head id's liveness; (k, 0) commits
	   * (shared) against a starting head (exclusive); (k, -1) moves
	   * of directories between parents.
	   */
	  "CREATE FUNCTION ditto_head_key() RETURNS int4 LANGUAGE sql STABLE"
	  " AS $$ SELECT hashtext(current_schema() || '/heads') $$;"
	  /*
	   * Heads other than me whose liveness lock is held.  plpgsql,
	   * not sql: its plans are kept, a sql function is planned at
	   * every call, which tripled a create's time.
	   */
	  "CREATE FUNCTION ditto_live_heads(p_me int8, p_key int4)"
	  " RETURNS text LANGUAGE plpgsql VOLATILE AS $$ BEGIN RETURN"
	  " (SELECT coalesce(string_agg(id::text, ','), '') FROM ditto_heads"
	  " WHERE id <> p_me AND NOT"
	  " pg_try_advisory_xact_lock_shared(p_key, id::int4)); END $$;"
	  /*
	   * Statements by primary key only: plpgsql keeps a generic plan
	   * made while the table was small, and a scan would stay one.
	   */
	  "CREATE FUNCTION ditto_begin(p_ids int8[], p_vers int8[],"
	  " p_src int8, p_ndir int8, p_me int8, p_key int4) RETURNS text"
	  " LANGUAGE plpgsql VOLATILE AS $$"
	  " DECLARE r record; cur int8; up int8; n int := 0; BEGIN"
	  " PERFORM pg_advisory_xact_lock_shared(p_key, 0);"
	  " IF p_src <> 0 THEN"
	  "  PERFORM pg_advisory_xact_lock(p_key, -1);"
	  "  cur := p_ndir;"
	  "  LOOP"
	  "   IF cur = p_src THEN"
	  "    RAISE EXCEPTION 'ditto: the move would make a cycle'"
	  "     USING ERRCODE = 'serialization_failure'; END IF;"
	  "   SELECT parent INTO up FROM ditto_inodes WHERE fileid = cur;"
	  "   n := n + 1;"
	  "   EXIT WHEN NOT FOUND OR up = cur OR n > 100000;"
	  "   cur := up;"
	  "  END LOOP;"
	  " END IF;"
	  /* In fileid order; a row another transaction changed meanwhile
	   * is judged as it is once that one committed.
	   */
	  " FOR r IN SELECT * FROM unnest(p_ids, p_vers) AS u(id, ver)"
	  "  ORDER BY 1 LOOP"
	  "  PERFORM 1 FROM ditto_inodes WHERE fileid = r.id AND ver = r.ver"
	  "   FOR UPDATE;"
	  "  IF NOT FOUND THEN"
	  "   RAISE EXCEPTION 'ditto: changed by another head'"
	  "    USING ERRCODE = 'serialization_failure'; END IF;"
	  " END LOOP;"
	  " RETURN ditto_live_heads(p_me, p_key); END $$;" },
};

int ds_pg_errno(const PGresult *r)
{
	const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (!s)
		return -EIO;	/* no answer: the connection broke */
	/* serialization_failure, deadlock_detected: try again */
	if (!strcmp(s, "40001") || !strcmp(s, "40P01"))
		return -EAGAIN;
	/* disk_full, out_of_memory, program_limit_exceeded */
	if (!strcmp(s, "53100") || !strcmp(s, "53200") ||
	    !strncmp(s, "54", 2))
		return -ENOSPC;
	/* the rest: a broken connection, a server going away, a bug */
	return -EIO;
}

static int result_rc(PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return 0;
	return ds_pg_errno(r);
}

int ds_pg_run(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int rc = result_rc(r);

	PQclear(r);
	return rc;
}

int ds_pg_exec(PGconn *c, const char *stmt, const struct ds_pg_args *a,
	       PGresult **out)
{
	PGresult *r = PQexecPrepared(c, stmt, a ? a->n : 0,
				     a ? a->val : NULL, a ? a->len : NULL,
				     a ? a->fmt : NULL, 1);
	int rc = result_rc(r);

	if (out && !rc)
		*out = r;
	else
		PQclear(r);
	return rc;
}

static int version_now(PGconn *c, int *v)
{
	PGresult *r = PQexec(c, "SELECT coalesce(max(version), 0)::int8"
				" FROM ditto_schema");
	int rc = result_rc(r);

	if (!rc)
		*v = (int)strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

static int migrate_locked(PGconn *c, char *err, size_t errlen)
{
	char sql[96];
	size_t i;
	int v, rc;

	rc = ds_pg_run(c, "CREATE TABLE IF NOT EXISTS ditto_schema ("
			  " version int8 PRIMARY KEY,"
			  " applied timestamptz NOT NULL DEFAULT now())");
	if (!rc)
		rc = version_now(c, &v);
	if (rc)
		return rc;
	if (v > DS_PG_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "database schema version %d is newer than this ditto knows (%d)",
			 v, DS_PG_SCHEMA_VERSION);
		return -EPROTONOSUPPORT;
	}
	for (i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++) {
		if (migrations[i].version <= v)
			continue;
		rc = ds_pg_run(c, migrations[i].sql);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO ditto_schema (version) VALUES (%d)",
			 migrations[i].version);
		if (!rc)
			rc = ds_pg_run(c, sql);
		if (rc) {
			snprintf(err, errlen, "schema migration %d failed: %s",
				 migrations[i].version, PQerrorMessage(c));
			return rc;
		}
	}
	return 0;
}

int ds_pg_migrate(PGconn *c, char *err, size_t errlen)
{
	int rc;

	rc = ds_pg_run(c, "SET client_min_messages = warning");
	if (!rc)
		rc = ds_pg_run(c, "BEGIN");
	if (!rc)
		rc = ds_pg_run(c, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK
				  ")");
	if (!rc)
		rc = migrate_locked(c, err, errlen);
	if (rc) {
		if (!*err)
			snprintf(err, errlen, "schema: %s", PQerrorMessage(c));
		ds_pg_run(c, "ROLLBACK");
		return rc;
	}
	return ds_pg_run(c, "COMMIT");
}

static const char *const statements[][2] = {
	{ "inode_put",
	  "INSERT INTO ditto_inodes VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
	  " $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,"
	  " $22, $23, $24) ON CONFLICT (fileid) DO UPDATE SET"
	  " generation = EXCLUDED.generation, type = EXCLUDED.type,"
	  " mode = EXCLUDED.mode, uid = EXCLUDED.uid, gid = EXCLUDED.gid,"
	  " nlink = EXCLUDED.nlink, rdev_major = EXCLUDED.rdev_major,"
	  " rdev_minor = EXCLUDED.rdev_minor, size = EXCLUDED.size,"
	  " change = EXCLUDED.change, parent = EXCLUDED.parent,"
	  " next_cookie = EXCLUDED.next_cookie, xseq = EXCLUDED.xseq,"
	  " atime_s = EXCLUDED.atime_s, atime_ns = EXCLUDED.atime_ns,"
	  " mtime_s = EXCLUDED.mtime_s, mtime_ns = EXCLUDED.mtime_ns,"
	  " ctime_s = EXCLUDED.ctime_s, ctime_ns = EXCLUDED.ctime_ns,"
	  " btime_s = EXCLUDED.btime_s, btime_ns = EXCLUDED.btime_ns,"
	  " target = EXCLUDED.target, ver = EXCLUDED.ver" },
	{ "inode_del",
	  "WITH b AS (DELETE FROM ditto_blocks WHERE fileid = $1),"
	  " x AS (DELETE FROM ditto_xattrs WHERE fileid = $1)"
	  " DELETE FROM ditto_inodes WHERE fileid = $1" },
	{ "dirent_put",
	  "INSERT INTO ditto_dirents VALUES ($1, $2, $3, $4)"
	  " ON CONFLICT (dir, name) DO UPDATE SET target = EXCLUDED.target,"
	  " cookie = EXCLUDED.cookie" },
	{ "dirent_del", "DELETE FROM ditto_dirents WHERE dir = $1 AND name = $2" },
	{ "xattr_put",
	  "INSERT INTO ditto_xattrs VALUES ($1, $2, $3, $4)"
	  " ON CONFLICT (fileid, name) DO UPDATE SET seq = EXCLUDED.seq,"
	  " value = EXCLUDED.value" },
	{ "xattr_del", "DELETE FROM ditto_xattrs WHERE fileid = $1 AND name = $2" },
	{ "block_put",
	  "INSERT INTO ditto_blocks VALUES ($1, $2, $3)"
	  " ON CONFLICT (fileid, idx) DO UPDATE SET data = EXCLUDED.data" },
	/* Indexes are below 2^60: as int8 they keep their order. */
	{ "blocks_del",
	  "DELETE FROM ditto_blocks WHERE fileid = $1 AND idx >= $2"
	  " AND idx < $3" },
	{ "blocks_del_from",
	  "DELETE FROM ditto_blocks WHERE fileid = $1 AND idx >= $2" },
	{ "meta_put",
	  "INSERT INTO ditto_meta VALUES ($1, $2)"
	  " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value" },
	{ "meta_get", "SELECT value FROM ditto_meta WHERE key = $1" },
	/* A head's next range of fileids: [value - $1, value). */
	{ "fileids_take",
	  "UPDATE ditto_meta SET value = value + $1"
	  " WHERE key = 'next_fileid' RETURNING value" },
	/* Conflicts, moves and the heads to wait for (migration 2). */
	{ "begin",
	  "SELECT ditto_begin($1::int8[], $2::int8[], $3, $4, $5,"
	  " $6::int4)" },
	/* In a transaction of its own: no flush waited for (pg_commit.c). */
	{ "publish",
	  "SELECT set_config('synchronous_commit', 'off', true),"
	  " pg_notify($2, $1)" },
};

int ds_pg_prepare(PGconn *c)
{
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < sizeof(statements) / sizeof(statements[0]);
	     i++) {
		PGresult *r = PQprepare(c, statements[i][0], statements[i][1],
					0, NULL);

		rc = result_rc(r);
		PQclear(r);
	}
	return rc;
}

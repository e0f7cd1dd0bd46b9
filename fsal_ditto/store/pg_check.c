// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * ds_store_check on the postgres backend: the same fsck as LMDB's
 * (lmdb_check.c), as queries over one snapshot (a read-only
 * REPEATABLE READ transaction, so commits carry on).  Each query lists
 * the problems of one kind; the first one found is kept in words.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"

#define META(k) "(SELECT value FROM ditto_meta WHERE key = '" k "')"
#define REG "1"
#define DIR "2"

static const char *const problems[] = {
	"SELECT format('entry %s in %s: no such directory',"
	" encode(d.name, 'escape'), d.dir) FROM ditto_dirents d"
	" LEFT JOIN ditto_inodes i ON i.fileid = d.dir AND i.type = " DIR
	" WHERE i.fileid IS NULL",
	"SELECT format('entry %s in %s: no inode %s',"
	" encode(d.name, 'escape'), d.dir, d.target) FROM ditto_dirents d"
	" LEFT JOIN ditto_inodes i ON i.fileid = d.target"
	" WHERE i.fileid IS NULL",
	"SELECT format('directory %s: parent %s, entry in %s', c.fileid,"
	" c.parent, d.dir) FROM ditto_dirents d JOIN ditto_inodes c"
	" ON c.fileid = d.target WHERE c.type = " DIR " AND c.parent <> d.dir",
	"SELECT format('block %s of %s: no such file', b.idx, b.fileid)"
	" FROM ditto_blocks b LEFT JOIN ditto_inodes i"
	" ON i.fileid = b.fileid AND i.type = " REG " WHERE i.fileid IS NULL",
	"SELECT format('block %s of %s: beyond size %s', b.idx, b.fileid,"
	" i.size) FROM ditto_blocks b JOIN ditto_inodes i"
	" ON i.fileid = b.fileid WHERE b.idx >= (i.size + "
	META("block_size") " - 1) / " META("block_size"),
	"SELECT format('block %s of %s: %s bytes', idx, fileid, length(data))"
	" FROM ditto_blocks WHERE length(data) <> " META("block_size"),
	"SELECT format('xattr of %s: no such inode', x.fileid)"
	" FROM ditto_xattrs x LEFT JOIN ditto_inodes i USING (fileid)"
	" WHERE i.fileid IS NULL",
	"SELECT format('inode %s: not below next fileid %s', fileid, "
	META("next_fileid") ") FROM ditto_inodes WHERE fileid >= "
	META("next_fileid"),
	"SELECT format('directory %s: %s entries name it', i.fileid,"
	" (SELECT count(*) FROM ditto_dirents d WHERE d.target = i.fileid))"
	" FROM ditto_inodes i WHERE i.type = " DIR " AND"
	" (SELECT count(*) FROM ditto_dirents d WHERE d.target = i.fileid) <>"
	" CASE WHEN i.fileid = " META("root") " THEN 0 ELSE 1 END",
	"SELECT format('directory %s: nlink %s, %s subdirectories', i.fileid,"
	" i.nlink, s.n) FROM ditto_inodes i CROSS JOIN LATERAL"
	" (SELECT count(*) AS n FROM ditto_dirents d JOIN ditto_inodes c"
	"  ON c.fileid = d.target WHERE d.dir = i.fileid AND c.type = " DIR
	" ) s WHERE i.type = " DIR " AND i.nlink <> 2 + s.n",
	"SELECT format('inode %s: nlink %s, %s entries', i.fileid, i.nlink,"
	" r.n) FROM ditto_inodes i CROSS JOIN LATERAL"
	" (SELECT count(*) AS n FROM ditto_dirents d WHERE d.target = i.fileid)"
	" r WHERE i.type <> " DIR " AND i.nlink <> r.n"
	" AND NOT (i.nlink = 0 AND r.n = 0)",
	/* A cycle of directories hangs off no entry chain from the root. */
	"WITH RECURSIVE r(id) AS (SELECT " META("root") " UNION"
	" SELECT d.target FROM ditto_dirents d JOIN r ON d.dir = r.id)"
	" SELECT format('directory %s: not reachable from the root',"
	" i.fileid) FROM ditto_inodes i WHERE i.type = " DIR
	" AND i.fileid NOT IN (SELECT id FROM r)",
	"SELECT format('no root inode %s', " META("root") ") WHERE NOT EXISTS"
	" (SELECT 1 FROM ditto_inodes WHERE fileid = " META("root") ")",
};

static const char counts[] =
	"SELECT (SELECT count(*) FROM ditto_inodes),"
	" (SELECT count(*) FROM ditto_dirents),"
	" (SELECT count(*) FROM ditto_xattrs),"
	" (SELECT count(*) FROM ditto_blocks),"
	" (SELECT count(*) FROM ditto_inodes i WHERE i.type <> " DIR
	"  AND i.nlink = 0 AND NOT EXISTS"
	"  (SELECT 1 FROM ditto_dirents d WHERE d.target = i.fileid))";

static int run_checks(PGconn *c, struct ds_check *out)
{
	uint64_t *cnt[] = { &out->inodes, &out->dirents, &out->xattrs,
			    &out->blocks, &out->orphans };
	PGresult *r;
	size_t i;
	int rc;

	r = PQexec(c, counts);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = ds_pg_errno(r);
		PQclear(r);
		return rc;
	}
	for (i = 0; i < 5; i++)
		*cnt[i] = strtoull(PQgetvalue(r, 0, i), NULL, 10);
	PQclear(r);
	for (i = 0; i < sizeof(problems) / sizeof(problems[0]); i++) {
		r = PQexec(c, problems[i]);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			rc = ds_pg_errno(r);
			PQclear(r);
			return rc;
		}
		if (PQntuples(r) && !out->errors)
			snprintf(out->first_error, sizeof(out->first_error),
				 "%s", PQgetvalue(r, 0, 0));
		out->errors += PQntuples(r);
		PQclear(r);
	}
	return 0;
}

int ds_pg_check(struct ds_store *st, struct ds_check *out)
{
	struct ds_pg *p = ds_pg_of(st);
	int rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&p->pool[0].lock);
	rc = ds_pg_run(p->pool[0].c, "BEGIN ISOLATION LEVEL REPEATABLE READ"
				     " READ ONLY");
	if (!rc) {
		rc = run_checks(p->pool[0].c, out);
		ds_pg_run(p->pool[0].c, rc ? "ROLLBACK" : "COMMIT");
	}
	pthread_mutex_unlock(&p->pool[0].lock);
	return rc;
}

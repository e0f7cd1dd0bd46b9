// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * ds_store_check: an fsck of the durable tables, read in one LMDB read
 * transaction (a consistent snapshot, writers carry on).  Used by the
 * crash tests after a reopen; cheap enough to run on a test-sized store.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmdb_int.h"

struct cino {
	uint64_t id;
	uint64_t size;
	uint64_t parent;
	uint32_t nlink;
	uint32_t refs;
	uint32_t subdirs;
	uint8_t type;
};

struct cstate {
	struct ds_check *out;
	struct cino *v;
	size_t n;
};

static void fail(struct cstate *c, const char *fmt, ...)
{
	va_list ap;

	if (c->out->errors++ == 0) {
		va_start(ap, fmt);
		vsnprintf(c->out->first_error, sizeof(c->out->first_error),
			  fmt, ap);
		va_end(ap);
	}
}

static struct cino *find(struct cstate *c, uint64_t id)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->v[mid].id == id)
			return &c->v[mid];
		if (c->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Inode keys come in ascending order, so c->v is sorted. */
static int scan_inodes(struct cstate *c, MDB_txn *txn, MDB_dbi dbi)
{
	size_t cap = 0;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, dbi, &cur);

	if (rc)
		return ds_mdb_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		struct ds_rec r;
		struct cino *ci;

		if (k.mv_size != 8 || v.mv_size < sizeof(r)) {
			fail(c, "malformed inode record");
			continue;
		}
		if (c->n == cap) {
			struct cino *nv;

			cap = cap ? cap * 2 : 256;
			nv = realloc(c->v, cap * sizeof(*nv));
			if (!nv) {
				mdb_cursor_close(cur);
				return -ENOMEM;
			}
			c->v = nv;
		}
		memcpy(&r, v.mv_data, sizeof(r));
		ci = &c->v[c->n++];
		memset(ci, 0, sizeof(*ci));
		ci->id = ds_get_be64(k.mv_data);
		ci->type = r.type;
		ci->nlink = r.nlink;
		ci->size = r.size;
		ci->parent = r.parent;
		c->out->inodes++;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : ds_mdb_err(rc);
}

static int scan_dirents(struct cstate *c, MDB_txn *txn, MDB_dbi dbi)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, dbi, &cur);

	if (rc)
		return ds_mdb_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		struct ds_drec d;
		struct cino *dir, *child;
		uint64_t did;

		c->out->dirents++;
		if (k.mv_size <= 8 || v.mv_size != sizeof(d)) {
			fail(c, "malformed directory entry");
			continue;
		}
		memcpy(&d, v.mv_data, sizeof(d));
		did = ds_get_be64(k.mv_data);
		dir = find(c, did);
		child = find(c, d.fileid);
		if (!dir || dir->type != DS_DIR) {
			fail(c, "entry %.*s in %llu: no such directory",
			     (int)k.mv_size - 8, (char *)k.mv_data + 8,
			     (unsigned long long)did);
			continue;
		}
		if (!child) {
			fail(c, "entry %.*s in %llu: no inode %llu",
			     (int)k.mv_size - 8, (char *)k.mv_data + 8,
			     (unsigned long long)did,
			     (unsigned long long)d.fileid);
			continue;
		}
		child->refs++;
		if (child->type == DS_DIR) {
			dir->subdirs++;
			if (child->parent != did)
				fail(c, "directory %llu: parent %llu, entry in %llu",
				     (unsigned long long)child->id,
				     (unsigned long long)child->parent,
				     (unsigned long long)did);
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : ds_mdb_err(rc);
}

static int scan_blocks(struct cstate *c, MDB_txn *txn, MDB_dbi dbi,
		       uint32_t bs)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, dbi, &cur);

	if (rc)
		return ds_mdb_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		struct cino *ci;
		uint64_t id, idx;

		c->out->blocks++;
		if (k.mv_size != 16 || v.mv_size != bs) {
			fail(c, "malformed block");
			continue;
		}
		id = ds_get_be64(k.mv_data);
		idx = ds_get_be64((unsigned char *)k.mv_data + 8);
		ci = find(c, id);
		if (!ci || ci->type != DS_REG)
			fail(c, "block %llu of %llu: no such file",
			     (unsigned long long)idx, (unsigned long long)id);
		else if (idx >= (ci->size + bs - 1) / bs)
			fail(c, "block %llu of %llu: beyond size %llu",
			     (unsigned long long)idx, (unsigned long long)id,
			     (unsigned long long)ci->size);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : ds_mdb_err(rc);
}

static int scan_xattrs(struct cstate *c, MDB_txn *txn, MDB_dbi dbi)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, dbi, &cur);

	if (rc)
		return ds_mdb_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		c->out->xattrs++;
		if (k.mv_size <= 8 || v.mv_size < sizeof(uint64_t))
			fail(c, "malformed xattr");
		else if (!find(c, ds_get_be64(k.mv_data)))
			fail(c, "xattr of %llu: no such inode",
			     (unsigned long long)ds_get_be64(k.mv_data));
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : ds_mdb_err(rc);
}

static void check_links(struct cstate *c, uint64_t root, uint64_t next)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct cino *ci = &c->v[i];
		unsigned long long id = ci->id;

		if (ci->id >= next)
			fail(c, "inode %llu: not below next fileid %llu", id,
			     (unsigned long long)next);
		if (ci->type == DS_DIR) {
			if (ci->refs != (ci->id == root ? 0 : 1))
				fail(c, "directory %llu: %u entries name it",
				     id, ci->refs);
			if (ci->nlink != 2 + ci->subdirs)
				fail(c, "directory %llu: nlink %u, %u subdirectories",
				     id, ci->nlink, ci->subdirs);
		} else if (ci->nlink == 0 && ci->refs == 0) {
			c->out->orphans++;
		} else if (ci->nlink != ci->refs) {
			fail(c, "inode %llu: nlink %u, %u entries", id,
			     ci->nlink, ci->refs);
		}
	}
	if (!find(c, root))
		fail(c, "no root inode %llu", (unsigned long long)root);
}

int ds_lmdb_check(struct ds_store *st, struct ds_check *out)
{
	struct ds_persist *p = ds_lmdb_of(st);
	struct cstate c = { .out = out };
	uint64_t root = 0, next = 0;
	MDB_val k, v;
	MDB_txn *txn;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!p)
		return -EINVAL;
	/* Sets still queued for group commit belong to what is checked. */
	rc = ds_lmdb_group_drain(st);
	if (rc)
		return rc;
	rc = mdb_txn_begin(p->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return ds_mdb_err(rc);
	k.mv_data = "root";
	k.mv_size = 4;
	if (mdb_get(txn, p->meta, &k, &v) == 0 && v.mv_size == 8)
		memcpy(&root, v.mv_data, 8);
	k.mv_data = "next_fileid";
	k.mv_size = 11;
	if (mdb_get(txn, p->meta, &k, &v) == 0 && v.mv_size == 8)
		memcpy(&next, v.mv_data, 8);
	rc = scan_inodes(&c, txn, p->inodes);
	if (!rc)
		rc = scan_dirents(&c, txn, p->dirents);
	if (!rc)
		rc = scan_blocks(&c, txn, p->blocks, st->cfg.block_size);
	if (!rc)
		rc = scan_xattrs(&c, txn, p->xattrs);
	if (!rc)
		check_links(&c, root, next);
	mdb_txn_abort(txn);
	free(c.v);
	return rc;
}

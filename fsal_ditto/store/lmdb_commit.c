// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * The LMDB backend's commit: change sets (backend.h) go to LMDB in
 * write transactions that hold the sets of every operation that
 * committed meanwhile (group commit, lmdb_group.c), each synced before
 * any of its operations returns: the core calls the durable op after
 * it dropped its locks, which waits for that.  With
 * DITTO_LMDB_COMMIT=serial a set is one synced transaction of its own,
 * written in commit, under the core's inode locks (LMDB's writer lock
 * is then the innermost lock).
 *
 * File data written with ds_write stays in memory, its blocks marked
 * dirty, until ds_commit / ds_sync or the next record of the inode
 * (which always carries the dirty blocks): that is NFS UNSTABLE vs
 * COMMIT, and FILE_SYNC is a write followed by ds_commit.  The record
 * formats are lmdb_int.h's and docs/durable.md's, unchanged since
 * version 1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lmdb_int.h"

int ds_mdb_err(int rc)
{
	if (rc == 0)
		return 0;
	if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL || rc == MDB_PAGE_FULL)
		return -ENOSPC;
	if (rc > 0)
		return -rc;
	return -EIO;
}

struct lmdb_tx {
	struct ds_persist *p;
	MDB_txn *txn;
	uint32_t bs;
	int rc;
};

static bool live(struct lmdb_tx *tx)
{
	return !tx->rc;
}

static void note(struct lmdb_tx *tx, int mdb_rc)
{
	if (mdb_rc && !tx->rc)
		tx->rc = ds_mdb_err(mdb_rc);
}

/* A copied set's blocks of change ci (lmdb_group.c). */
static void put_blocks(struct lmdb_tx *tx, const struct ds_lmdb_op *op,
		       size_t *at, unsigned int ci, uint64_t fileid)
{
	struct ds_key k;
	MDB_val v;

	for (; *at < op->nblk && op->blk[*at].ci == ci && live(tx); (*at)++) {
		v.mv_data = (void *)op->blk[*at].data;
		v.mv_size = tx->bs;
		note(tx, mdb_put(tx->txn, tx->p->blocks,
				 ds_key_idx(&k, fileid, op->blk[*at].idx), &v,
				 0));
	}
}

void ds_rec_fill(const struct ds_irec *ir, struct ds_rec *r)
{
	const struct timespec *ts[4] = { &ir->atime, &ir->mtime, &ir->ctime,
					 &ir->btime };
	int i;

	memset(r, 0, sizeof(*r));
	r->version = DS_PERSIST_VERSION;
	r->type = ir->type;
	r->mode = ir->mode;
	r->uid = ir->uid;
	r->gid = ir->gid;
	r->nlink = ir->nlink;
	r->generation = ir->generation;
	r->rdev_major = ir->rdev_major;
	r->rdev_minor = ir->rdev_minor;
	r->size = ir->size;
	r->change = ir->change;
	r->xseq = ir->xseq;
	if (ir->type == DS_DIR) {
		r->parent = ir->parent;
		r->next_cookie = ir->next_cookie;
	}
	for (i = 0; i < 4; i++) {
		r->sec[i] = ts[i]->tv_sec;
		r->nsec[i] = ts[i]->tv_nsec;
	}
}

/* Writes the dirty blocks of a regular file; the core forgets them. */
static void flush_blocks(struct lmdb_tx *tx, const struct ds_inode *ino)
{
	uint64_t idx = 0;
	const void *blk;
	struct ds_key k;
	MDB_val v;

	while (live(tx) && ds_dirty_next(ino, &idx, &blk)) {
		v.mv_data = (void *)blk;
		v.mv_size = tx->bs;
		note(tx, mdb_put(tx->txn, tx->p->blocks,
				 ds_key_idx(&k, ino->fileid, idx), &v, 0));
		if (idx == UINT64_MAX - 1)
			break;
		idx++;
	}
}

static void put_inode(struct lmdb_tx *tx, const struct ds_irec *ir,
		      const struct ds_inode *ino)
{
	unsigned char buf[sizeof(struct ds_rec) + DS_SYMLINK_MAX];
	struct ds_key k;
	MDB_val v;

	ds_rec_fill(ir, (struct ds_rec *)buf);
	if (ir->tlen)
		memcpy(buf + sizeof(struct ds_rec), ir->target, ir->tlen);
	v.mv_data = buf;
	v.mv_size = sizeof(struct ds_rec) + ir->tlen;
	note(tx, mdb_put(tx->txn, tx->p->inodes, ds_key_id(&k, ir->fileid), &v,
			 0));
	if (ino && ir->type == DS_REG)
		flush_blocks(tx, ino);
}

/*
 * Deletes keys of dbi that start with fileid id: all of them, or (for
 * blocks) those whose index is in [from, to).
 */
static void del_range(struct lmdb_tx *tx, MDB_dbi dbi, uint64_t id,
		      bool indexed, uint64_t from, uint64_t to)
{
	MDB_cursor *cur;
	struct ds_key k;
	MDB_val key, val;
	int rc;

	if (!live(tx))
		return;
	rc = mdb_cursor_open(tx->txn, dbi, &cur);
	if (rc) {
		note(tx, rc);
		return;
	}
	for (;;) {
		key = indexed ? *ds_key_idx(&k, id, from) : *ds_key_id(&k, id);
		rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
		if (rc == MDB_NOTFOUND) {
			rc = 0;
			break;
		}
		if (rc)
			break;
		if (key.mv_size < 8 || ds_get_be64(key.mv_data) != id)
			break;
		if (indexed) {
			if (key.mv_size != 16)
				break;
			from = ds_get_be64((unsigned char *)key.mv_data + 8);
			if (from >= to)
				break;
		}
		rc = mdb_cursor_del(cur, 0);
		if (rc)
			break;
	}
	mdb_cursor_close(cur);
	note(tx, rc);
}

/* A missing key is not an error: deletes are idempotent. */
static void del_key(struct lmdb_tx *tx, MDB_dbi dbi, MDB_val *key)
{
	int rc = mdb_del(tx->txn, dbi, key, NULL);

	if (rc != MDB_NOTFOUND)
		note(tx, rc);
}

static void del_inode(struct lmdb_tx *tx, uint64_t fileid)
{
	struct ds_key k;

	del_key(tx, tx->p->inodes, ds_key_id(&k, fileid));
	del_range(tx, tx->p->blocks, fileid, true, 0, UINT64_MAX);
	del_range(tx, tx->p->xattrs, fileid, false, 0, 0);
}

static void put_xattr(struct lmdb_tx *tx, const struct ds_change *c)
{
	struct ds_key k;
	MDB_val v;
	int rc;

	v.mv_size = sizeof(uint64_t) + c->xattr.vlen;
	rc = mdb_put(tx->txn, tx->p->xattrs,
		     ds_key_name(&k, c->fileid, c->xattr.name), &v,
		     MDB_RESERVE);
	if (rc) {
		note(tx, rc);
		return;
	}
	memcpy(v.mv_data, &c->xattr.seq, sizeof(uint64_t));
	memcpy((char *)v.mv_data + sizeof(uint64_t), c->xattr.value,
	       c->xattr.vlen);
}

static void apply_one(struct lmdb_tx *tx, const struct ds_change *c)
{
	struct ds_drec d;
	struct ds_key k;
	MDB_val v = { sizeof(d), &d };

	switch (c->kind) {
	case DS_CH_INODE:
		put_inode(tx, &c->inode.rec, c->inode.ino);
		break;
	case DS_CH_INODE_DEL:
		del_inode(tx, c->fileid);
		break;
	case DS_CH_DIRENT:
		d.fileid = c->dirent.target;
		d.cookie = c->dirent.cookie;
		note(tx, mdb_put(tx->txn, tx->p->dirents,
				 ds_key_name(&k, c->fileid, c->dirent.name),
				 &v, 0));
		break;
	case DS_CH_DIRENT_DEL:
		del_key(tx, tx->p->dirents,
			ds_key_name(&k, c->fileid, c->dirent.name));
		break;
	case DS_CH_XATTR:
		put_xattr(tx, c);
		break;
	case DS_CH_XATTR_DEL:
		del_key(tx, tx->p->xattrs,
			ds_key_name(&k, c->fileid, c->xattr.name));
		break;
	case DS_CH_BLOCKS_DEL:
		del_range(tx, tx->p->blocks, c->fileid, true, c->blocks.from,
			  c->blocks.to);
		break;
	}
}

/* Fileids are never reused, across restarts too (stale handles). */
static void put_next_fileid(struct lmdb_tx *tx, struct ds_store *st)
{
	uint64_t next = __atomic_load_n(&st->next_fileid, __ATOMIC_RELAXED);
	MDB_val k = { sizeof("next_fileid") - 1, "next_fileid" };
	MDB_val v = { sizeof(next), &next };

	note(tx, mdb_put(tx->txn, tx->p->meta, &k, &v, 0));
}

int ds_lmdb_apply(struct ds_store *st, MDB_txn *txn,
		  const struct ds_changes *cs)
{
	struct lmdb_tx tx = { ds_lmdb_of(st), txn, st->cfg.block_size, 0 };
	unsigned int i;

	for (i = 0; i < cs->n && live(&tx); i++)
		apply_one(&tx, &cs->c[i]);
	if (cs->next_fileid && live(&tx))
		put_next_fileid(&tx, st);
	return tx.rc;
}

int ds_lmdb_apply_op(struct ds_store *st, MDB_txn *txn,
		     const struct ds_lmdb_op *op)
{
	struct lmdb_tx tx = { ds_lmdb_of(st), txn, st->cfg.block_size, 0 };
	const struct ds_changes *cs = &op->cs;
	size_t at = 0;
	unsigned int i;

	for (i = 0; i < cs->n && live(&tx); i++) {
		apply_one(&tx, &cs->c[i]);
		if (cs->c[i].kind == DS_CH_INODE)
			put_blocks(&tx, op, &at, i, cs->c[i].fileid);
	}
	if (cs->next_fileid && live(&tx))
		put_next_fileid(&tx, st);
	return tx.rc;
}

int ds_lmdb_del_inode(struct ds_store *st, MDB_txn *txn, uint64_t fileid)
{
	struct lmdb_tx tx = { ds_lmdb_of(st), txn, st->cfg.block_size, 0 };

	del_inode(&tx, fileid);
	return tx.rc;
}

/* DITTO_LMDB_COMMIT=serial: one synced transaction, under the locks. */
static int serial_commit(struct ds_store *st, const struct ds_changes *cs)
{
	struct ds_lmdb_group *g = &ds_lmdb_of(st)->gc;
	MDB_txn *txn;
	int rc;

	rc = mdb_txn_begin(ds_lmdb_of(st)->env, NULL, 0, &txn);
	if (rc)
		return ds_mdb_err(rc);
	rc = ds_lmdb_apply(st, txn, cs);
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	rc = ds_mdb_err(mdb_txn_commit(txn));
	pthread_mutex_lock(&g->lock);
	g->commits++;
	g->batches++;
	pthread_mutex_unlock(&g->lock);
	return rc;
}

static int lmdb_commit(struct ds_store *st, const struct ds_changes *cs)
{
	if (ds_lmdb_of(st)->gc.serial)
		return serial_commit(st, cs);
	return ds_lmdb_group_commit(st, cs);
}

static uint64_t lmdb_boot_count(const struct ds_store *st)
{
	return ((const struct ds_persist *)st->be_priv)->boot;
}

static uint64_t lmdb_orphans_freed(const struct ds_store *st)
{
	return ((const struct ds_persist *)st->be_priv)->orphans;
}

static void lmdb_close(struct ds_store *st)
{
	struct ds_persist *p = ds_lmdb_of(st);

	ds_lmdb_group_drain(st);
	mdb_env_close(p->env);
	ds_lmdb_group_destroy(&p->gc);
	if (p->lockfd >= 0)
		close(p->lockfd);
	free(p);
	ds_store_set_backend(st, NULL, NULL);
}

const struct ds_backend_ops ds_lmdb_backend = {
	.name = "lmdb",
	.commit = lmdb_commit,
	.durable = ds_lmdb_durable,
	.tracks_dirty = true,
	.boot_count = lmdb_boot_count,
	.orphans_freed = lmdb_orphans_freed,
	.check = ds_lmdb_check,
	.close = lmdb_close,
};

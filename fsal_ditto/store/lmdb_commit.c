// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * The durable store's write path: one LMDB write transaction per
 * mutating store call, recording the in-memory state the call has just
 * made while it still holds the inode locks, committed (and synced to
 * disk: the environment is opened with LMDB's default, synchronous
 * commits) before the call returns.  LMDB's writer lock is taken only
 * after every inode lock a call needs, so it is the innermost lock.
 *
 * File data written with ds_write stays in memory, its blocks marked
 * dirty, until ds_commit / ds_sync or the next persist of the inode
 * (which always carries the dirty blocks): that is NFS UNSTABLE vs
 * COMMIT, and FILE_SYNC is a write followed by ds_commit.
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

static void latch(struct ds_persist *p, int rc)
{
	int zero = 0;

	__atomic_compare_exchange_n(&p->failed, &zero, rc, false,
				    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

int ds_pcheck(struct ds_store *st)
{
	return st->pst ? __atomic_load_n(&st->pst->failed, __ATOMIC_ACQUIRE) :
			 0;
}

int ds_ptx_begin(struct ds_store *st, struct ds_ptx *tx)
{
	MDB_txn *txn;
	int rc;

	tx->st = st;
	tx->txn = NULL;
	tx->rc = 0;
	if (!st->pst)
		return 0;
	tx->rc = ds_pcheck(st);
	if (tx->rc)
		return tx->rc;
	rc = mdb_txn_begin(st->pst->env, NULL, 0, &txn);
	if (rc) {
		tx->rc = ds_mdb_err(rc);
		latch(st->pst, tx->rc);
		return tx->rc;
	}
	tx->txn = txn;
	return 0;
}

int ds_ptx_end(struct ds_ptx *tx)
{
	int rc;

	if (!tx->txn)
		return tx->rc;
	if (tx->rc) {
		mdb_txn_abort(tx->txn);
		rc = tx->rc;
	} else {
		rc = ds_mdb_err(mdb_txn_commit(tx->txn));
	}
	tx->txn = NULL;
	/* Memory already holds the change that did not reach the disk. */
	if (rc)
		latch(tx->st->pst, rc);
	return rc;
}

static bool live(struct ds_ptx *tx)
{
	return tx->txn && !tx->rc;
}

static void note(struct ds_ptx *tx, int mdb_rc)
{
	if (mdb_rc && !tx->rc)
		tx->rc = ds_mdb_err(mdb_rc);
}

void ds_rec_fill(const struct ds_inode *ino, struct ds_rec *r)
{
	const struct timespec *ts[4] = { &ino->atime, &ino->mtime,
					 &ino->ctime, &ino->btime };
	int i;

	memset(r, 0, sizeof(*r));
	r->version = DS_PERSIST_VERSION;
	r->type = ino->type;
	r->mode = ino->mode;
	r->uid = ino->uid;
	r->gid = ino->gid;
	r->nlink = ino->nlink;
	r->generation = ino->generation;
	r->rdev_major = ino->rdev_major;
	r->rdev_minor = ino->rdev_minor;
	r->size = ino->size;
	r->change = ino->change;
	r->xseq = ino->xseq;
	if (ino->type == DS_DIR) {
		r->parent = ino->dir.parent ? ino->dir.parent->fileid :
					      ino->fileid;
		r->next_cookie = ino->dir.next_cookie;
	}
	for (i = 0; i < 4; i++) {
		r->sec[i] = ts[i]->tv_sec;
		r->nsec[i] = ts[i]->tv_nsec;
	}
}

static void noop_free(void *p)
{
}

/* Writes the dirty blocks of a regular file and forgets they were. */
static void flush_blocks(struct ds_ptx *tx, struct ds_inode *ino)
{
	struct ds_persist *p = tx->st->pst;
	uint32_t bs = tx->st->cfg.block_size;
	uint64_t idx = 0;
	struct ds_key k;
	MDB_val v;

	while (live(tx)) {
		void *blk;

		idx = ds_bm_next(&ino->dirty, idx);
		if (idx == UINT64_MAX)
			break;
		blk = ds_bm_get(&ino->blocks, idx);
		if (blk) {
			v.mv_data = blk;
			v.mv_size = bs;
			note(tx, mdb_put(tx->txn, p->blocks,
					 ds_key_idx(&k, ino->fileid, idx), &v,
					 0));
		}
		if (idx == UINT64_MAX - 1)
			break;
		idx++;
	}
	if (live(tx))
		ds_dirty_drop(ino, 0, UINT64_MAX);
}

void ds_ptx_inode(struct ds_ptx *tx, struct ds_inode *ino)
{
	size_t tlen = ino->type == DS_LNK ? ino->lnk.len : 0;
	unsigned char buf[sizeof(struct ds_rec) + DS_SYMLINK_MAX];
	struct ds_key k;
	MDB_val v;

	if (!live(tx))
		return;
	ds_rec_fill(ino, (struct ds_rec *)buf);
	if (tlen)
		memcpy(buf + sizeof(struct ds_rec), ino->lnk.target, tlen);
	v.mv_data = buf;
	v.mv_size = sizeof(struct ds_rec) + tlen;
	note(tx, mdb_put(tx->txn, tx->st->pst->inodes,
			 ds_key_id(&k, ino->fileid), &v, 0));
	if (ino->type == DS_REG) {
		flush_blocks(tx, ino);
		ino->mdirty = false;
	}
}

/*
 * Deletes keys of dbi that start with fileid id: all of them, or (for
 * blocks) those whose index is in [from, to).
 */
static void del_range(struct ds_ptx *tx, MDB_dbi dbi, uint64_t id,
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

void ds_ptx_inode_del(struct ds_ptx *tx, uint64_t fileid)
{
	struct ds_persist *p;
	struct ds_key k;
	int rc;

	if (!live(tx))
		return;
	p = tx->st->pst;
	rc = mdb_del(tx->txn, p->inodes, ds_key_id(&k, fileid), NULL);
	if (rc != MDB_NOTFOUND)
		note(tx, rc);
	del_range(tx, p->blocks, fileid, true, 0, UINT64_MAX);
	del_range(tx, p->xattrs, fileid, false, 0, 0);
}

void ds_ptx_blocks_del(struct ds_ptx *tx, struct ds_inode *ino,
		       uint64_t from, uint64_t to)
{
	if (live(tx))
		del_range(tx, tx->st->pst->blocks, ino->fileid, true, from,
			  to);
}

/* Caller holds dir->lock; the entry is in memory already. */
void ds_ptx_dirent(struct ds_ptx *tx, struct ds_inode *dir, const char *name)
{
	struct ds_dentry *de;
	struct ds_drec d;
	struct ds_key k;
	MDB_val v = { sizeof(d), &d };

	if (!live(tx))
		return;
	de = ds_dir_find(dir, name);
	if (!de) {
		tx->rc = -EIO;
		return;
	}
	d.fileid = de->ino->fileid;
	d.cookie = de->cookie;
	note(tx, mdb_put(tx->txn, tx->st->pst->dirents,
			 ds_key_name(&k, dir->fileid, name), &v, 0));
}

void ds_ptx_dirent_del(struct ds_ptx *tx, struct ds_inode *dir,
		       const char *name)
{
	struct ds_key k;
	int rc;

	if (!live(tx))
		return;
	rc = mdb_del(tx->txn, tx->st->pst->dirents,
		     ds_key_name(&k, dir->fileid, name), NULL);
	if (rc != MDB_NOTFOUND)
		note(tx, rc);
}

void ds_ptx_xattr(struct ds_ptx *tx, struct ds_inode *ino,
		  const struct ds_xattr *x)
{
	struct ds_key k;
	MDB_val v;
	int rc;

	if (!live(tx))
		return;
	v.mv_size = sizeof(uint64_t) + x->vlen;
	rc = mdb_put(tx->txn, tx->st->pst->xattrs,
		     ds_key_name(&k, ino->fileid, x->name), &v, MDB_RESERVE);
	if (rc) {
		note(tx, rc);
		return;
	}
	memcpy(v.mv_data, &x->seq, sizeof(uint64_t));
	memcpy((char *)v.mv_data + sizeof(uint64_t), x->value, x->vlen);
}

void ds_ptx_xattr_del(struct ds_ptx *tx, struct ds_inode *ino,
		      const char *name)
{
	struct ds_key k;
	int rc;

	if (!live(tx))
		return;
	rc = mdb_del(tx->txn, tx->st->pst->xattrs,
		     ds_key_name(&k, ino->fileid, name), NULL);
	if (rc != MDB_NOTFOUND)
		note(tx, rc);
}

/* Fileids are never reused, across restarts too (stale handles). */
void ds_ptx_next_fileid(struct ds_ptx *tx)
{
	uint64_t next = __atomic_load_n(&tx->st->next_fileid,
					__ATOMIC_RELAXED);
	MDB_val k = { sizeof("next_fileid") - 1, "next_fileid" };
	MDB_val v = { sizeof(next), &next };

	if (live(tx))
		note(tx, mdb_put(tx->txn, tx->st->pst->meta, &k, &v, 0));
}

int ds_mark_dirty(struct ds_inode *ino, uint64_t first, uint64_t last)
{
	uint64_t i;

	if (!ino->store->pst)
		return 0;
	for (i = first; i <= last; i++) {
		if (ds_bm_set(&ino->dirty, i, (void *)1))
			return -ENOMEM;
		if (i == UINT64_MAX)
			break;
	}
	return 0;
}

void ds_dirty_drop(struct ds_inode *ino, uint64_t from, uint64_t to)
{
	if (ino->dirty.height)
		ds_bm_drop(&ino->dirty, from, to, noop_free);
}

int ds_commit(struct ds_inode *ino)
{
	struct ds_store *st = ino->store;
	struct ds_ptx tx;
	int rc;

	if (!st->pst)
		return 0;
	pthread_rwlock_wrlock(&ino->lock);
	rc = ds_pcheck(st);
	/* A dead inode's data is gone; nothing to make durable. */
	if (!rc && !ino->dead && ino->type == DS_REG &&
	    (ino->mdirty || ino->dirty.nblocks)) {
		ds_ptx_begin(st, &tx);
		ds_ptx_inode(&tx, ino);
		rc = ds_ptx_end(&tx);
	}
	pthread_rwlock_unlock(&ino->lock);
	return rc;
}

int ds_sync(struct ds_store *st)
{
	struct cds_lfht_iter it;
	struct ds_inode *ino, **v = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0, rc2;

	if (!st->pst)
		return 0;
	urcu_bp_read_lock();
	cds_lfht_for_each_entry(st->itable, &it, ino, tnode) {
		if (ino->type != DS_REG || !ds_get_unless_zero(ino))
			continue;
		if (n == cap) {
			struct ds_inode **nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				ds_put(ino);
				rc = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[n++] = ino;
	}
	urcu_bp_read_unlock();
	for (i = 0; i < n; i++) {
		rc2 = ds_commit(v[i]);
		if (rc2 && !rc)
			rc = rc2;
		ds_put(v[i]);
	}
	free(v);
	return rc;
}

bool ds_store_is_durable(const struct ds_store *st)
{
	return st->pst != NULL;
}

uint64_t ds_boot_count(const struct ds_store *st)
{
	return st->pst ? st->pst->boot : 0;
}

uint64_t ds_orphans_freed(const struct ds_store *st)
{
	return st->pst ? st->pst->orphans : 0;
}

void ds_persist_close(struct ds_store *st)
{
	struct ds_persist *p = st->pst;

	if (!p)
		return;
	mdb_env_close(p->env);
	if (p->lockfd >= 0)
		close(p->lockfd);
	free(p);
	st->pst = NULL;
}

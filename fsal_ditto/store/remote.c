// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Other heads' commits applied to this head's memory (backend.h,
 * "Several heads").  The backend's listener reads the records another
 * head changed and hands them here one by one; each is applied under
 * the locks of the object it changes, one inode lock at a time, so the
 * listener can never be part of a lock cycle with this head's own
 * callers.  Capacity counters follow the records, as at load.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

static void block_free(void *blk)
{
	free(blk);
}

/* A referenced live inode by fileid, or NULL. */
static struct ds_inode *get_by_fileid(struct ds_store *st, uint64_t fileid)
{
	struct ds_inode *ino;

	urcu_bp_read_lock();
	ino = ds_inode_by_fileid(st, fileid);
	if (ino && !ds_get_unless_zero(ino))
		ino = NULL;
	urcu_bp_read_unlock();
	return ino;
}

static void set_attrs(struct ds_inode *ino, const struct ds_irec *rec)
{
	ino->mode = rec->mode;
	ino->uid = rec->uid;
	ino->gid = rec->gid;
	ino->nlink = rec->nlink;
	ino->size = rec->type == DS_LNK ? ino->size : rec->size;
	/* Never backwards: a head that loaded later added a boot step. */
	ino->change = rec->change > ino->change ? rec->change :
						  ino->change + 1;
	ino->xseq = rec->xseq;
	ino->atime = rec->atime;
	ino->mtime = rec->mtime;
	ino->ctime = rec->ctime;
	ino->btime = rec->btime;
	ino->dbver = rec->ver;
}

static int new_inode(struct ds_store *st, const struct ds_irec *rec)
{
	struct ds_inode *ino, *par;

	if (rec->type < DS_REG || rec->type > DS_BLK)
		return -EILSEQ;
	ino = ds_inode_restore(st, rec->type, rec->fileid, rec->generation);
	if (!ino)
		return -ENOMEM;
	pthread_rwlock_wrlock(&ino->lock);
	ino->rdev_major = rec->rdev_major;
	ino->rdev_minor = rec->rdev_minor;
	if (rec->type == DS_LNK)
		ds_restore_target(ino, rec);
	if (rec->type == DS_DIR) {
		ino->dir.next_cookie = rec->next_cookie;
		par = ds_inode_by_fileid(st, rec->parent);
		ino->dir.parent = par && par->type == DS_DIR ? par : ino;
	}
	set_attrs(ino, rec);
	pthread_rwlock_unlock(&ino->lock);
	return rec->type == DS_LNK && !ino->lnk.target ? -ENOMEM : 0;
}

int ds_remote_inode(struct ds_store *st, const struct ds_irec *rec)
{
	struct ds_inode *ino = get_by_fileid(st, rec->fileid), *par;
	bool dir;

	if (!ino)
		return new_inode(st, rec);
	/* A directory may move: rename_lock first, as a rename takes it. */
	dir = ino->type == DS_DIR;
	if (dir)
		pthread_mutex_lock(&st->rename_lock);
	pthread_rwlock_wrlock(&ino->lock);
	if (!ino->dead && rec->ver > ino->dbver &&
	    rec->generation == ino->generation) {
		set_attrs(ino, rec);
		if (dir) {
			if (rec->next_cookie > ino->dir.next_cookie)
				ino->dir.next_cookie = rec->next_cookie;
			par = ds_inode_by_fileid(st, rec->parent);
			if (par && par->type == DS_DIR &&
			    par != ino->dir.parent)
				rcu_assign_pointer(ino->dir.parent, par);
		}
	}
	pthread_rwlock_unlock(&ino->lock);
	if (dir)
		pthread_mutex_unlock(&st->rename_lock);
	ds_put(ino);
	return 0;
}

int ds_remote_dirent(struct ds_store *st, uint64_t dirid, const char *name,
		     const uint64_t *target, uint64_t cookie)
{
	struct ds_inode *dir = get_by_fileid(st, dirid), *child = NULL;
	struct ds_dentry *de;
	int rc = 0;

	if (!dir)
		return 0;
	if (dir->type != DS_DIR) {
		ds_put(dir);
		return -EILSEQ;
	}
	if (target)
		child = get_by_fileid(st, *target);
	pthread_rwlock_wrlock(&dir->lock);
	if (dir->dead)
		goto out;
	de = ds_dir_find(dir, name);
	if (de && child && de->ino == child && de->cookie == cookie)
		goto out;
	if (de)
		ds_dir_remove(dir, de);
	if (child && !child->dead)
		rc = ds_dir_insert_cookie(dir, name, child, cookie);
out:
	pthread_rwlock_unlock(&dir->lock);
	if (child)
		ds_put(child);
	ds_put(dir);
	return rc;
}

static uint64_t xcost(size_t nlen, size_t vlen)
{
	return nlen + vlen;
}

int ds_remote_xattr(struct ds_store *st, uint64_t fileid, const char *name,
		    size_t nlen, bool present, uint64_t seq, const void *val,
		    size_t vlen)
{
	struct ds_inode *ino = get_by_fileid(st, fileid);
	struct ds_xattr **pp, *x = NULL, *old;
	int rc = 0;

	if (!ino)
		return 0;
	if (present) {
		x = malloc(sizeof(*x) + nlen + 1);
		if (x)
			x->value = malloc(vlen ? vlen : 1);
		if (!x || !x->value) {
			free(x);
			ds_put(ino);
			return -ENOMEM;
		}
		memcpy(x->name, name, nlen);
		x->name[nlen] = '\0';
		memcpy(x->value, val, vlen);
		x->vlen = vlen;
		x->seq = seq;
	}
	pthread_rwlock_wrlock(&ino->lock);
	if (ino->dead)
		goto out;
	for (pp = &ino->xattrs; *pp; pp = &(*pp)->next) {
		if (strlen((*pp)->name) == nlen &&
		    !memcmp((*pp)->name, name, nlen)) {
			old = *pp;
			*pp = old->next;
			ds_release_bytes(st, xcost(nlen, old->vlen));
			free(old->value);
			free(old);
			break;
		}
	}
	if (x) {
		/* Creation (seq) order, as the loader keeps it. */
		for (pp = &ino->xattrs; *pp && (*pp)->seq < seq;
		     pp = &(*pp)->next)
			;
		x->next = *pp;
		*pp = x;
		x = NULL;
		__atomic_add_fetch(&st->bytes_used, xcost(nlen, vlen),
				   __ATOMIC_RELAXED);
	}
out:
	pthread_rwlock_unlock(&ino->lock);
	if (x) {
		free(x->value);
		free(x);
	}
	ds_put(ino);
	return rc;
}

int ds_remote_blocks_drop(struct ds_store *st, uint64_t fileid,
			  uint64_t from, uint64_t to)
{
	struct ds_inode *ino = get_by_fileid(st, fileid);
	uint64_t n;

	if (!ino)
		return 0;
	pthread_rwlock_wrlock(&ino->lock);
	if (!ino->dead && ino->type == DS_REG && from < to) {
		n = ds_bm_drop(&ino->blocks, from, to, block_free);
		ds_release_bytes(st, n * st->cfg.block_size);
		ds_dirty_drop(ino, from, to);
	}
	pthread_rwlock_unlock(&ino->lock);
	ds_put(ino);
	return 0;
}

int ds_remote_block(struct ds_store *st, uint64_t fileid, uint64_t idx,
		    const void *data, size_t len)
{
	struct ds_inode *ino = get_by_fileid(st, fileid);
	uint32_t bs = st->cfg.block_size;
	void *blk, *old;
	int rc = 0;

	if (!ino)
		return 0;
	if (len != bs) {
		ds_put(ino);
		return -EILSEQ;
	}
	blk = malloc(bs);
	if (!blk) {
		ds_put(ino);
		return -ENOMEM;
	}
	memcpy(blk, data, bs);
	pthread_rwlock_wrlock(&ino->lock);
	if (ino->dead || ino->type != DS_REG)
		goto out;
	old = ds_bm_get(&ino->blocks, idx);
	if (old) {
		memcpy(old, data, bs);
		goto out;
	}
	rc = ds_bm_set(&ino->blocks, idx, blk);
	if (!rc) {
		blk = NULL;
		__atomic_add_fetch(&st->bytes_used, bs, __ATOMIC_RELAXED);
	}
out:
	pthread_rwlock_unlock(&ino->lock);
	free(blk);
	ds_put(ino);
	return rc;
}

void ds_remote_gone(struct ds_store *st, uint64_t fileid)
{
	struct ds_inode *ino = get_by_fileid(st, fileid);

	if (!ino)
		return;
	pthread_rwlock_wrlock(&ino->lock);
	if (ino != st->root) {
		ino->nlink = 0;
		ds_inode_kill(ino);
	}
	pthread_rwlock_unlock(&ino->lock);
	ds_put(ino);
}

void ds_store_set_invalidate(struct ds_store *st,
			     const struct ds_invalidate *inv)
{
	if (inv)
		st->inval = *inv;
	else
		memset(&st->inval, 0, sizeof(st->inval));
}

size_t ds_remote_tag(struct ds_store *st, struct ds_changed *objs, size_t n)
{
	struct ds_inode *ino;
	size_t i, kept = 0;

	for (i = 0; i < n; i++) {
		ino = get_by_fileid(st, objs[i].fileid);
		if (!ino)
			continue;
		objs[kept].fileid = ino->fileid;
		objs[kept].generation = ino->generation;
		objs[kept++].type = ino->type;
		ds_put(ino);
	}
	return kept;
}

void ds_remote_invalidate(struct ds_store *st, const struct ds_changed *objs,
			  size_t n)
{
	if (st->inval.changed)
		st->inval.changed(st->inval.arg, objs, n);
}

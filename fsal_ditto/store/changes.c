// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Change sets: what one mutating store call records, hands to the
 * backend once, and applies to memory if the backend took it (the
 * design is at the top of backend.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

void ds_irec_fill(const struct ds_inode *ino, struct ds_irec *r)
{
	r->fileid = ino->fileid;
	r->generation = ino->generation;
	r->type = ino->type;
	r->mode = ino->mode;
	r->uid = ino->uid;
	r->gid = ino->gid;
	r->nlink = ino->nlink;
	r->rdev_major = ino->rdev_major;
	r->rdev_minor = ino->rdev_minor;
	r->size = ino->size;
	r->change = ino->change;
	r->xseq = ino->xseq;
	r->atime = ino->atime;
	r->mtime = ino->mtime;
	r->ctime = ino->ctime;
	r->btime = ino->btime;
	r->parent = 0;
	r->next_cookie = 0;
	r->target = NULL;
	r->tlen = 0;
	r->ver = ino->dbver;
	if (ino->type == DS_DIR) {
		r->parent = ino->dir.parent ? ino->dir.parent->fileid :
					      ino->fileid;
		r->next_cookie = ino->dir.next_cookie;
	} else if (ino->type == DS_LNK) {
		r->target = ino->lnk.target;
		r->tlen = ino->lnk.len;
	}
}

/* ds_touch on an after-image. */
void ds_irec_touch(struct ds_irec *r, bool data)
{
	ds_now(&r->ctime);
	if (data)
		r->mtime = r->ctime;
	r->change++;
}

/*
 * What an operation may change in place: the parent pointer, the next
 * cookie and the symlink target belong to the code that links entries.
 */
static void irec_apply(struct ds_inode *ino, const struct ds_irec *r)
{
	ino->mode = r->mode;
	ino->uid = r->uid;
	ino->gid = r->gid;
	ino->nlink = r->nlink;
	ino->size = r->size;
	ino->change = r->change;
	ino->xseq = r->xseq;
	ino->atime = r->atime;
	ino->mtime = r->mtime;
	ino->ctime = r->ctime;
	ino->btime = r->btime;
	ino->dbver = r->ver + 1;
}

void ds_changes_init(struct ds_changes *cs, struct ds_store *st)
{
	cs->st = st;
	cs->n = 0;
	cs->next_fileid = false;
	cs->applied = false;
	cs->rc = 0;
}

static struct ds_change *add(struct ds_changes *cs, enum ds_change_kind k,
			     uint64_t fileid)
{
	struct ds_change *c;

	if (cs->n == DS_CHANGES_MAX) {
		/* A caller recorded more than any operation needs. */
		cs->rc = cs->rc ? cs->rc : -EIO;
		return NULL;
	}
	c = &cs->c[cs->n++];
	c->kind = k;
	c->fileid = fileid;
	return c;
}

struct ds_irec *ds_changes_inode(struct ds_changes *cs, struct ds_inode *ino)
{
	struct ds_change *c = add(cs, DS_CH_INODE, ino->fileid);
	static struct ds_irec scratch;

	if (!c)
		return &scratch;	/* cs->rc fails the commit */
	ds_irec_fill(ino, &c->inode.rec);
	c->inode.ino = ino;
	return &c->inode.rec;
}

void ds_changes_inode_del(struct ds_changes *cs, const struct ds_inode *ino)
{
	struct ds_change *c = add(cs, DS_CH_INODE_DEL, ino->fileid);

	if (c)
		c->del_ver = ino->dbver;
}

void ds_changes_dirent(struct ds_changes *cs, struct ds_inode *dir,
		       const char *name, uint64_t target, uint64_t cookie)
{
	struct ds_change *c = add(cs, DS_CH_DIRENT, dir->fileid);

	if (!c)
		return;
	c->dirent.name = name;
	c->dirent.target = target;
	c->dirent.cookie = cookie;
}

void ds_changes_dirent_del(struct ds_changes *cs, struct ds_inode *dir,
			   const char *name)
{
	struct ds_change *c = add(cs, DS_CH_DIRENT_DEL, dir->fileid);

	if (c)
		c->dirent.name = name;
}

void ds_changes_xattr(struct ds_changes *cs, struct ds_inode *ino,
		      const struct ds_xattr *x)
{
	struct ds_change *c = add(cs, DS_CH_XATTR, ino->fileid);

	if (!c)
		return;
	c->xattr.name = x->name;
	c->xattr.seq = x->seq;
	c->xattr.value = x->value;
	c->xattr.vlen = x->vlen;
}

void ds_changes_xattr_del(struct ds_changes *cs, struct ds_inode *ino,
			  const char *name)
{
	struct ds_change *c = add(cs, DS_CH_XATTR_DEL, ino->fileid);

	if (c)
		c->xattr.name = name;
}

void ds_changes_blocks_del(struct ds_changes *cs, struct ds_inode *ino,
			   uint64_t from, uint64_t to)
{
	struct ds_change *c = add(cs, DS_CH_BLOCKS_DEL, ino->fileid);

	if (!c)
		return;
	c->blocks.from = from;
	c->blocks.to = to;
}

void ds_store_fail(struct ds_store *st, int rc)
{
	int zero = 0;

	__atomic_compare_exchange_n(&st->failed, &zero, rc, false,
				    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

int ds_store_failed(struct ds_store *st)
{
	return __atomic_load_n(&st->failed, __ATOMIC_ACQUIRE);
}

int ds_changes_commit(struct ds_changes *cs)
{
	struct ds_store *st = cs->st;
	int rc = cs->rc;

	if (!rc)
		rc = ds_store_failed(st);
	if (!rc && st->be && st->be->commit)
		rc = st->be->commit(st, cs);
	if (rc && cs->applied)
		ds_store_fail(st, rc);
	return rc;
}

int ds_changes_durable(struct ds_store *st, int rc)
{
	/* Several heads: the others have applied it (or it failed). */
	if (st->be && st->be->settle)
		st->be->settle(st);
	if (rc || !st->be || !st->be->durable)
		return rc;
	rc = st->be->durable(st);
	if (rc)
		ds_store_fail(st, rc);
	return rc;
}

void ds_changes_apply(struct ds_changes *cs)
{
	unsigned int i;

	for (i = 0; i < cs->n; i++) {
		struct ds_change *c = &cs->c[i];
		struct ds_inode *ino;

		if (c->kind != DS_CH_INODE || !c->inode.ino)
			continue;
		ino = c->inode.ino;
		irec_apply(ino, &c->inode.rec);
		/* The backend wrote a regular file's dirty blocks. */
		if (ino->type == DS_REG) {
			ds_dirty_drop(ino, 0, UINT64_MAX);
			ino->mdirty = false;
		}
	}
}

static bool tracks_dirty(const struct ds_store *st)
{
	return st->be && st->be->tracks_dirty;
}

int ds_mark_dirty(struct ds_inode *ino, uint64_t first, uint64_t last)
{
	uint64_t i;

	if (!tracks_dirty(ino->store))
		return 0;
	for (i = first; i <= last; i++) {
		if (ds_bm_set(&ino->dirty, i, (void *)1))
			return -ENOMEM;
		if (i == UINT64_MAX)
			break;
	}
	return 0;
}

static void noop_free(void *p)
{
}

void ds_dirty_drop(struct ds_inode *ino, uint64_t from, uint64_t to)
{
	if (ino->dirty.height)
		ds_bm_drop(&ino->dirty, from, to, noop_free);
}

bool ds_dirty_next(const struct ds_inode *ino, uint64_t *idx,
		   const void **blk)
{
	uint64_t i = *idx;

	for (;;) {
		i = ds_bm_next(&ino->dirty, i);
		if (i == UINT64_MAX)
			return false;
		*blk = ds_bm_get(&ino->blocks, i);
		if (*blk) {
			*idx = i;
			return true;
		}
		if (i == UINT64_MAX - 1)
			return false;
		i++;
	}
}

void ds_store_set_backend(struct ds_store *st,
			  const struct ds_backend_ops *ops, void *priv)
{
	st->be = ops;
	st->be_priv = priv;
}

int ds_commit(struct ds_inode *ino)
{
	struct ds_store *st = ino->store;
	struct ds_changes cs;
	int rc;

	if (!tracks_dirty(st))
		return 0;
	pthread_rwlock_wrlock(&ino->lock);
	rc = ds_store_failed(st);
	/* A dead inode's data is gone; nothing to make durable. */
	if (!rc && !ino->dead && ino->type == DS_REG &&
	    (ino->mdirty || ino->dirty.nblocks)) {
		ds_changes_init(&cs, st);
		ds_changes_inode(&cs, ino);
		rc = ds_changes_commit(&cs);
		if (!rc)
			ds_changes_apply(&cs);
	}
	pthread_rwlock_unlock(&ino->lock);
	return ds_changes_durable(st, rc);
}

bool ds_store_is_durable(const struct ds_store *st)
{
	return st->be != NULL;
}

uint64_t ds_boot_count(const struct ds_store *st)
{
	return st->be && st->be->boot_count ? st->be->boot_count(st) : 0;
}

uint64_t ds_orphans_freed(const struct ds_store *st)
{
	return st->be && st->be->orphans_freed ? st->be->orphans_freed(st) :
						 0;
}

int ds_store_check(struct ds_store *st, struct ds_check *out)
{
	if (!st->be || !st->be->check)
		return -EINVAL;
	return st->be->check(st, out);
}
int ds_sync(struct ds_store *st)
{
	struct cds_lfht_iter it;
	struct ds_inode *ino, **v = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0, rc2;

	if (!tracks_dirty(st))
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


// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Rebuilding memory from a backend's records at open (lmdb_load.c,
 * pg_load.c): inodes first, then entries (in cookie order per
 * directory, with their own cookies, so READDIR cookies handed out
 * before a restart still work), parents, data blocks and xattrs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

struct ds_restore_dir {
	struct ds_inode *dir;
	uint64_t parent;
	uint64_t next_cookie;
};

struct ds_restore_ent {
	uint64_t dir;
	uint64_t cookie;
	uint64_t child;
	char *name;
};

void ds_restore_init(struct ds_restore *r, struct ds_store *st)
{
	memset(r, 0, sizeof(*r));
	r->st = st;
}

static int grow(void **v, size_t *cap, size_t n, size_t size, size_t first)
{
	void *nv;

	if (n < *cap)
		return 0;
	nv = realloc(*v, (*cap ? *cap * 2 : first) * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = *cap ? *cap * 2 : first;
	return 0;
}

int ds_restore_target(struct ds_inode *ino, const struct ds_irec *rec)
{
	ino->lnk.target = malloc(rec->tlen + 1);
	if (!ino->lnk.target)
		return -ENOMEM;
	memcpy(ino->lnk.target, rec->target, rec->tlen);
	ino->lnk.target[rec->tlen] = '\0';
	ino->lnk.len = rec->tlen;
	ino->size = rec->tlen;
	__atomic_add_fetch(&ino->store->bytes_used, rec->tlen,
			   __ATOMIC_RELAXED);
	return 0;
}

int ds_restore_inode(struct ds_restore *r, const struct ds_irec *rec)
{
	struct ds_store *st = r->st;
	struct ds_inode *ino;
	int rc;

	if (rec->type < DS_REG || rec->type > DS_BLK)
		return -EILSEQ;
	ino = ds_inode_restore(st, rec->type, rec->fileid, rec->generation);
	if (!ino)
		return -ENOMEM;
	ino->mode = rec->mode;
	ino->uid = rec->uid;
	ino->gid = rec->gid;
	ino->nlink = rec->nlink;
	ino->rdev_major = rec->rdev_major;
	ino->rdev_minor = rec->rdev_minor;
	ino->size = rec->size;
	ino->change = rec->change;
	ino->xseq = rec->xseq;
	ino->atime = rec->atime;
	ino->mtime = rec->mtime;
	ino->ctime = rec->ctime;
	ino->btime = rec->btime;
	/*
	 * A crash may have lost UNSTABLE writes whose change values
	 * clients saw; a jump keeps every value ever handed out naming
	 * one content (RFC 8881 §5.8.1.4).
	 */
	if (rec->type == DS_REG)
		ino->change += DS_CHANGE_BOOT_STEP;
	if (rec->type == DS_LNK && ds_restore_target(ino, rec))
		return -ENOMEM;
	if (rec->type != DS_DIR)
		return 0;
	rc = grow((void **)&r->dirs, &r->dcap, r->ndirs, sizeof(*r->dirs),
		  64);
	if (rc)
		return rc;
	r->dirs[r->ndirs].dir = ino;
	r->dirs[r->ndirs].parent = rec->parent;
	r->dirs[r->ndirs++].next_cookie = rec->next_cookie;
	return 0;
}

int ds_restore_dirent(struct ds_restore *r, uint64_t dir, uint64_t cookie,
		      uint64_t child, const char *name, size_t nlen)
{
	struct ds_restore_ent *e;
	int rc;

	if (!nlen || nlen > DS_NAME_MAX || memchr(name, '\0', nlen))
		return -EILSEQ;
	rc = grow((void **)&r->ents, &r->ecap, r->nents, sizeof(*r->ents),
		  256);
	if (rc)
		return rc;
	e = &r->ents[r->nents];
	e->name = strndup(name, nlen);
	if (!e->name)
		return -ENOMEM;
	e->dir = dir;
	e->cookie = cookie;
	e->child = child;
	r->nents++;
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct ds_restore_ent *x = a, *y = b;

	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	return x->cookie < y->cookie ? -1 : x->cookie > y->cookie;
}

int ds_restore_finish(struct ds_restore *r, uint64_t root)
{
	struct ds_store *st = r->st;
	size_t i;
	int rc = 0;

	if (r->nents)
		qsort(r->ents, r->nents, sizeof(*r->ents), ent_cmp);
	for (i = 0; i < r->nents && !rc; i++) {
		struct ds_restore_ent *e = &r->ents[i];
		struct ds_inode *dir = ds_inode_by_fileid(st, e->dir);
		struct ds_inode *child = ds_inode_by_fileid(st, e->child);

		/* Dangling entries are left for ds_store_check to report. */
		if (dir && child && dir->type == DS_DIR &&
		    !ds_dir_find(dir, e->name)) {
			dir->dir.next_cookie = e->cookie;
			rc = ds_dir_insert(dir, e->name, child);
		}
	}
	for (i = 0; i < r->ndirs && !rc; i++) {
		struct ds_inode *d = r->dirs[i].dir;
		struct ds_inode *par = ds_inode_by_fileid(st, r->dirs[i].parent);

		d->dir.parent = par && par->type == DS_DIR ? par : d;
		if (r->dirs[i].next_cookie > d->dir.next_cookie)
			d->dir.next_cookie = r->dirs[i].next_cookie;
	}
	if (rc)
		return rc;
	st->root = ds_inode_by_fileid(st, root);
	return st->root && st->root->type == DS_DIR ? 0 : -EILSEQ;
}

void ds_restore_free(struct ds_restore *r)
{
	size_t i;

	for (i = 0; i < r->nents; i++)
		free(r->ents[i].name);
	free(r->ents);
	free(r->dirs);
	memset(r, 0, sizeof(*r));
}

int ds_restore_block(struct ds_store *st, uint64_t fileid, uint64_t idx,
		     const void *data, size_t len)
{
	uint32_t bs = st->cfg.block_size;
	struct ds_inode *ino;
	void *blk;

	if (len != bs)
		return -EILSEQ;
	ino = ds_inode_by_fileid(st, fileid);
	if (!ino || ino->type != DS_REG)
		return 0;	/* reported by ds_store_check */
	blk = malloc(bs);
	if (!blk || ds_bm_set(&ino->blocks, idx, blk)) {
		free(blk);
		return -ENOMEM;
	}
	memcpy(blk, data, bs);
	__atomic_add_fetch(&st->bytes_used, bs, __ATOMIC_RELAXED);
	return 0;
}

/* xattrs go back in their creation (seq) order. */
int ds_restore_xattr(struct ds_store *st, uint64_t fileid, const char *name,
		     size_t nlen, uint64_t seq, const void *val, size_t vlen)
{
	struct ds_inode *ino;
	struct ds_xattr *x, **pp;

	if (!nlen || nlen > DS_XATTR_NAME_MAX)
		return -EILSEQ;
	ino = ds_inode_by_fileid(st, fileid);
	if (!ino)
		return 0;
	x = malloc(sizeof(*x) + nlen + 1);
	if (x)
		x->value = malloc(vlen ? vlen : 1);
	if (!x || !x->value) {
		free(x);
		return -ENOMEM;
	}
	memcpy(x->name, name, nlen);
	x->name[nlen] = '\0';
	x->seq = seq;
	memcpy(x->value, val, vlen);
	x->vlen = vlen;
	for (pp = &ino->xattrs; *pp && (*pp)->seq < x->seq; pp = &(*pp)->next)
		;
	x->next = *pp;
	*pp = x;
	__atomic_add_fetch(&st->bytes_used, nlen + vlen, __ATOMIC_RELAXED);
	return 0;
}

int ds_restore_new_root(struct ds_store *st)
{
	struct ds_new nw = { .type = DS_DIR, .mode = 0777 };
	int rc;

	st->root = ds_inode_alloc(st, &nw, &rc);
	if (!st->root)
		return rc;
	st->root->dir.parent = st->root;
	st->root->nlink = 2;
	st->root->refcnt = 1;
	return 0;
}

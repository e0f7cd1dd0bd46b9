// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Attribute snapshots and setattr (including truncate).
 */
#include <errno.h>
#include <string.h>

#include "backend.h"

/* Directories report a fixed size, as most local filesystems do. */
#define DS_DIR_SIZE 4096

/* Caller holds ino->lock (either mode). */
void ds_fill_attr(const struct ds_inode *ino, struct ds_attr *out)
{
	memset(out, 0, sizeof(*out));
	out->type = ino->type;
	out->mode = ino->mode;
	out->uid = ino->uid;
	out->gid = ino->gid;
	out->nlink = ino->nlink;
	out->fileid = ino->fileid;
	out->generation = ino->generation;
	out->change = ino->change;
	out->rdev_major = ino->rdev_major;
	out->rdev_minor = ino->rdev_minor;
	out->atime = ino->atime;
	out->mtime = ino->mtime;
	out->ctime = ino->ctime;
	out->btime = ino->btime;
	switch (ino->type) {
	case DS_REG:
		out->size = ino->size;
		out->space_used = ino->blocks.nblocks *
				  (uint64_t)ino->store->cfg.block_size;
		break;
	case DS_DIR:
		out->size = DS_DIR_SIZE;
		break;
	case DS_LNK:
		out->size = ino->lnk.len;
		break;
	default:
		break;
	}
}

int ds_getattr(struct ds_inode *ino, struct ds_attr *out)
{
	int rc = 0;

	pthread_rwlock_rdlock(&ino->lock);
	if (ino->dead)
		rc = -ESTALE;
	else
		ds_fill_attr(ino, out);
	pthread_rwlock_unlock(&ino->lock);
	return rc;
}

int ds_setattr(struct ds_inode *ino, const struct ds_set *req,
	       const struct ds_cred *cr, struct ds_attr *out)
{
	struct ds_set eff = *req, *set = &eff;
	unsigned int m = set->mask;
	struct timespec now;
	struct ds_attr cur;
	struct ds_changes cs;
	struct ds_irec *r;
	int rc = 0;

	if (m & DS_SET_SIZE) {
		if (ino->type == DS_DIR)
			return -EISDIR;
		if (ino->type != DS_REG)
			return -EINVAL;
		if (set->size > ino->store->cfg.max_file_size)
			return -EFBIG;
	}
	pthread_rwlock_wrlock(&ino->lock);
	rc = ino->dead ? -ESTALE : ds_store_failed(ino->store);
	if (rc)
		goto out;
	ds_fill_attr(ino, &cur);
	rc = ds_may_setattr(&cur, set, cr);
	if (rc)
		goto out;
	m = set->mask;
	ds_changes_init(&cs, ino->store);
	r = ds_changes_inode(&cs, ino);
	ds_now(&now);
	if (m & DS_SET_SIZE) {
		/* Shrinking frees blocks now (cs.applied; backend.h). */
		if (set->size < ino->size)
			ds_data_truncate(ino, set->size, &cs);
		r->size = set->size;
		r->mtime = now;
	}
	if (m & DS_SET_MODE)
		r->mode = set->mode & 07777;
	if (m & DS_SET_UID)
		r->uid = set->uid;
	if (m & DS_SET_GID)
		r->gid = set->gid;
	if (m & DS_SET_ATIME_NOW)
		r->atime = now;
	else if (m & DS_SET_ATIME)
		r->atime = set->atime;
	if (m & DS_SET_MTIME_NOW)
		r->mtime = now;
	else if (m & DS_SET_MTIME)
		r->mtime = set->mtime;
	if (m & DS_SET_BTIME)
		r->btime = set->btime;
	r->ctime = now;
	r->change++;
	rc = ds_changes_commit(&cs);
	if (rc)
		goto out;
	ds_changes_apply(&cs);
	if (out)
		ds_fill_attr(ino, out);
out:
	pthread_rwlock_unlock(&ino->lock);
	ds_changes_settle(ino->store);
	return rc;
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * POSIX permission decisions (the ds_may_* family).  Pure functions of
 * attribute snapshots and a caller's credentials, so they are tested
 * alone and every store backend makes the same decisions; the namespace,
 * attribute and data calls apply them under the locks of the inodes
 * they judge.  They follow Linux's generic_permission(), may_delete(),
 * may_linkat() (fs.protected_hardlinks=1, Debian's default),
 * setattr_prepare() and setattr_should_drop_suidgid(), which is what
 * FSAL_VFS on a local filesystem gives the same caller.
 */
#include <errno.h>
#include <sys/stat.h>

#include "store_int.h"

bool ds_cred_is_root(const struct ds_cred *cr)
{
	return cr == NULL || cr->uid == 0;
}

bool ds_cred_in_group(const struct ds_cred *cr, uint32_t gid)
{
	uint32_t i;

	if (cr == NULL || cr->gid == gid)
		return true;
	for (i = 0; i < cr->ngroups; i++)
		if (cr->groups[i] == gid)
			return true;
	return false;
}

static bool is_owner(const struct ds_attr *a, const struct ds_cred *cr)
{
	return cr == NULL || cr->uid == a->uid;
}

int ds_may_access(const struct ds_attr *a, const struct ds_cred *cr,
		  unsigned int mask)
{
	unsigned int bits;

	mask &= DS_MAY_READ | DS_MAY_WRITE | DS_MAY_EXEC;
	if (ds_cred_is_root(cr)) {
		/* Root may not execute a file nobody may execute. */
		if ((mask & DS_MAY_EXEC) && a->type != DS_DIR &&
		    !(a->mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
			return -EACCES;
		return 0;
	}
	/* The owner's bits alone, then the group's, then others'. */
	if (cr->uid == a->uid)
		bits = (a->mode >> 6) & 7;
	else if (ds_cred_in_group(cr, a->gid))
		bits = (a->mode >> 3) & 7;
	else
		bits = a->mode & 7;
	return (mask & ~bits) ? -EACCES : 0;
}

int ds_may_add(const struct ds_attr *dir, const struct ds_cred *cr)
{
	if (dir->type != DS_DIR)
		return -ENOTDIR;
	return ds_may_access(dir, cr, DS_MAY_WRITE | DS_MAY_EXEC);
}

int ds_may_delete(const struct ds_attr *dir, const struct ds_attr *victim,
		  const struct ds_cred *cr)
{
	int rc = ds_may_add(dir, cr);

	if (rc)
		return rc;
	/* Sticky directory: only the entry's or the directory's owner. */
	if ((dir->mode & S_ISVTX) && !ds_cred_is_root(cr) &&
	    !is_owner(victim, cr) && !is_owner(dir, cr))
		return -EPERM;
	return 0;
}

int ds_may_link(const struct ds_attr *ino, const struct ds_cred *cr)
{
	if (ds_cred_is_root(cr) || is_owner(ino, cr))
		return 0;
	/* Nobody links what they could not have made themselves: no
	 * set-ID files, no special files, nothing they cannot read and
	 * write (fs.protected_hardlinks).
	 */
	if (ino->type != DS_REG || (ino->mode & S_ISUID) ||
	    (ino->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) ||
	    ds_may_access(ino, cr, DS_MAY_READ | DS_MAY_WRITE))
		return -EPERM;
	return 0;
}

int ds_may_rename(const struct ds_attr *odir, const struct ds_attr *src,
		  const struct ds_attr *ndir, const struct ds_attr *tgt,
		  const struct ds_cred *cr)
{
	int rc = ds_may_delete(odir, src, cr);

	if (rc)
		return rc;
	rc = tgt ? ds_may_delete(ndir, tgt, cr) : ds_may_add(ndir, cr);
	if (rc)
		return rc;
	/* A directory that moves gets a new "..": it is written too. */
	if (src->type == DS_DIR && odir->fileid != ndir->fileid)
		return ds_may_access(src, cr, DS_MAY_WRITE);
	return 0;
}

int ds_may_xattr(const struct ds_attr *a, const struct ds_cred *cr, bool write)
{
	if (cr == NULL)
		return 0;
	/* user.* names live on files and directories only (Linux). */
	if (a->type != DS_REG && a->type != DS_DIR)
		return write ? -EPERM : -ENODATA;
	if (write && a->type == DS_DIR && (a->mode & S_ISVTX) &&
	    !ds_cred_is_root(cr) && !is_owner(a, cr))
		return -EPERM;
	return ds_may_access(a, cr, write ? DS_MAY_WRITE : DS_MAY_READ);
}

uint32_t ds_mode_drop_privs(const struct ds_attr *a, const struct ds_cred *cr)
{
	uint32_t mode = a->mode;

	if (ds_cred_is_root(cr) || a->type != DS_REG)
		return mode;
	mode &= ~S_ISUID;
	/* Without group execute, S_ISGID marks mandatory locking. */
	if ((mode & S_ISGID) &&
	    ((mode & S_IXGRP) || !ds_cred_in_group(cr, a->gid)))
		mode &= ~S_ISGID;
	return mode;
}

int ds_may_setattr(const struct ds_attr *a, struct ds_set *set,
		   const struct ds_cred *cr)
{
	unsigned int m = set->mask;
	bool root = ds_cred_is_root(cr), owner = is_owner(a, cr);
	uint32_t mode, gid;

	if (m & DS_SET_SIZE) {
		if (!owner && ds_may_access(a, cr, DS_MAY_WRITE))
			return -EACCES;
	}
	if ((m & DS_SET_UID) && !root && !(owner && set->uid == a->uid))
		return -EPERM;
	if ((m & DS_SET_GID) && !root &&
	    !(owner && (set->gid == a->gid || ds_cred_in_group(cr, set->gid))))
		return -EPERM;
	if ((m & DS_SET_MODE) && !owner && !root)
		return -EPERM;
	if ((m & (DS_SET_ATIME | DS_SET_MTIME | DS_SET_BTIME)) && !owner &&
	    !root)
		return -EPERM;
	if ((m & (DS_SET_ATIME_NOW | DS_SET_MTIME_NOW)) && !owner &&
	    ds_may_access(a, cr, DS_MAY_WRITE))
		return -EACCES;

	/* What the change does to the set-ID bits. */
	mode = (m & DS_SET_MODE) ? set->mode : a->mode;
	gid = (m & DS_SET_GID) ? set->gid : a->gid;
	if ((m & DS_SET_MODE) && !root && !ds_cred_in_group(cr, gid))
		mode &= ~S_ISGID;
	if ((m & (DS_SET_UID | DS_SET_GID)) && a->type != DS_DIR &&
	    (a->mode & (S_ISUID | S_ISGID))) {
		/* chown clears the bits the file had, for root too (as
		 * Linux and knfsd); a mode set in the same call is the
		 * caller's own choice.
		 */
		mode &= ~S_ISUID;
		if (a->mode & S_IXGRP)
			mode &= ~S_ISGID;
	}
	if ((m & DS_SET_SIZE) && !root && a->type == DS_REG) {
		struct ds_attr now = *a;

		now.mode = mode;
		mode = ds_mode_drop_privs(&now, cr);
	}
	if (mode != ((m & DS_SET_MODE) ? set->mode : a->mode)) {
		set->mask |= DS_SET_MODE;
		set->mode = mode;
	}
	return 0;
}

void ds_create_inherit(const struct ds_attr *dir, const struct ds_cred *cr,
		       struct ds_new *nw)
{
	if (!(dir->mode & S_ISGID))
		return;
	/* A set-group-ID directory passes its group on, and the bit to
	 * subdirectories.
	 */
	if (!nw->gid_set)
		nw->gid = dir->gid;
	if (nw->type == DS_DIR) {
		nw->mode |= S_ISGID;
		return;
	}
	if ((nw->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
	    !ds_cred_is_root(cr) && !ds_cred_in_group(cr, dir->gid))
		nw->mode &= ~S_ISGID;
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Extended attributes: a per-inode list in creation order (so a list
 * cookie, an index, stays meaningful across calls).  Name and value
 * bytes are charged against the store's byte capacity.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

static int name_ok(const char *name)
{
	size_t len = strnlen(name, DS_XATTR_NAME_MAX + 1);

	if (len == 0)
		return -EINVAL;
	if (len > DS_XATTR_NAME_MAX)
		return -ERANGE;
	return 0;
}

static struct ds_xattr **find(struct ds_inode *ino, const char *name)
{
	struct ds_xattr **pp;

	for (pp = &ino->xattrs; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->name, name))
			return pp;
	return NULL;
}

static uint64_t cost(const struct ds_xattr *x)
{
	return strlen(x->name) + x->vlen;
}

/* Caller holds ino->lock. */
static int may_xattr(const struct ds_inode *ino, const struct ds_cred *cr,
		     bool write)
{
	struct ds_attr a;

	if (cr == NULL)
		return 0;
	ds_fill_attr(ino, &a);
	return ds_may_xattr(&a, cr, write);
}

int ds_getxattr(struct ds_inode *ino, const char *name,
		const struct ds_cred *cr, void *buf, size_t bufsz, size_t *len)
{
	struct ds_xattr **pp;
	int rc = name_ok(name);

	if (rc)
		return rc;
	pthread_rwlock_rdlock(&ino->lock);
	if (ino->dead) {
		rc = -ESTALE;
		goto out;
	}
	rc = may_xattr(ino, cr, false);
	if (rc)
		goto out;
	pp = find(ino, name);
	if (!pp) {
		rc = -ENODATA;
		goto out;
	}
	*len = (*pp)->vlen;
	if (bufsz == 0)
		goto out;	/* size query */
	if (bufsz < (*pp)->vlen)
		rc = -ERANGE;
	else
		memcpy(buf, (*pp)->value, (*pp)->vlen);
out:
	pthread_rwlock_unlock(&ino->lock);
	return rc;
}

int ds_setxattr(struct ds_inode *ino, const char *name, const void *val,
		size_t len, int flags, const struct ds_cred *cr)
{
	struct ds_xattr **pp, *x;
	struct ds_changes cs;
	struct ds_irec *r;
	size_t nlen;
	int rc = name_ok(name);

	if (rc)
		return rc;
	if (len > DS_XATTR_SIZE_MAX)
		return -E2BIG;
	if ((flags & DS_XATTR_CREATE) && (flags & DS_XATTR_REPLACE))
		return -EINVAL;
	nlen = strlen(name);
	x = malloc(sizeof(*x) + nlen + 1);
	if (!x)
		return -ENOMEM;
	x->value = malloc(len ? len : 1);
	if (!x->value) {
		free(x);
		return -ENOMEM;
	}
	memcpy(x->name, name, nlen + 1);
	memcpy(x->value, val, len);
	x->vlen = len;
	pthread_rwlock_wrlock(&ino->lock);
	rc = ino->dead ? -ESTALE : ds_store_failed(ino->store);
	if (!rc)
		rc = may_xattr(ino, cr, true);
	if (rc)
		goto fail;
	pp = find(ino, name);
	if (pp && (flags & DS_XATTR_CREATE)) {
		rc = -EEXIST;
		goto fail;
	}
	if (!pp && (flags & DS_XATTR_REPLACE)) {
		rc = -ENODATA;
		goto fail;
	}
	rc = ds_reserve_bytes(ino->store, cost(x));
	if (rc)
		goto fail;
	ds_changes_init(&cs, ino->store);
	r = ds_changes_inode(&cs, ino);
	/* Replaced in place, so list cookies keep their meaning. */
	x->seq = pp ? (*pp)->seq : r->xseq++;
	ds_irec_touch(r, false);
	ds_changes_xattr(&cs, ino, x);
	rc = ds_changes_commit(&cs);
	if (rc) {
		ds_release_bytes(ino->store, cost(x));
		goto fail;
	}
	x->next = NULL;
	if (pp) {
		struct ds_xattr *old = *pp;

		x->next = old->next;
		*pp = x;
		ds_release_bytes(ino->store, cost(old));
		free(old->value);
		free(old);
	} else {
		for (pp = &ino->xattrs; *pp; pp = &(*pp)->next)
			;
		*pp = x;
	}
	ds_changes_apply(&cs);
	pthread_rwlock_unlock(&ino->lock);
	ds_changes_settle(ino->store);
	return 0;
fail:
	pthread_rwlock_unlock(&ino->lock);
	free(x->value);
	free(x);
	return rc;
}

int ds_removexattr(struct ds_inode *ino, const char *name,
		   const struct ds_cred *cr)
{
	struct ds_xattr **pp, *x;
	struct ds_changes cs;
	int rc = name_ok(name);

	if (rc)
		return rc;
	pthread_rwlock_wrlock(&ino->lock);
	rc = ino->dead ? -ESTALE : ds_store_failed(ino->store);
	if (!rc)
		rc = may_xattr(ino, cr, true);
	if (rc)
		goto out;
	pp = find(ino, name);
	if (!pp) {
		rc = -ENODATA;
		goto out;
	}
	ds_changes_init(&cs, ino->store);
	ds_changes_xattr_del(&cs, ino, name);
	ds_irec_touch(ds_changes_inode(&cs, ino), false);
	rc = ds_changes_commit(&cs);
	if (rc)
		goto out;
	x = *pp;
	*pp = x->next;
	ds_release_bytes(ino->store, cost(x));
	free(x->value);
	free(x);
	ds_changes_apply(&cs);
out:
	pthread_rwlock_unlock(&ino->lock);
	ds_changes_settle(ino->store);
	return rc;
}

int ds_listxattr(struct ds_inode *ino, uint64_t *cookie,
		 int (*cb)(const char *name, size_t len, void *arg), void *arg,
		 bool *eof)
{
	struct ds_xattr *x;
	uint64_t i = 0;
	int rc = 0;

	*eof = false;
	pthread_rwlock_rdlock(&ino->lock);
	if (ino->dead) {
		rc = -ESTALE;
		goto out;
	}
	for (x = ino->xattrs; x && i < *cookie; x = x->next)
		i++;
	if (i < *cookie) {
		/* Cookie past the end: list shrank or cookie is bogus. */
		rc = -EINVAL;
		goto out;
	}
	for (; x; x = x->next) {
		if (cb(x->name, strlen(x->name), arg))
			break;
		(*cookie)++;
	}
	*eof = x == NULL;
out:
	pthread_rwlock_unlock(&ino->lock);
	return rc;
}

void ds_xattr_free_all(struct ds_inode *ino)
{
	struct ds_xattr *x = ino->xattrs, *next;

	for (; x; x = next) {
		next = x->next;
		ds_release_bytes(ino->store, cost(x));
		free(x->value);
		free(x);
	}
	ino->xattrs = NULL;
}

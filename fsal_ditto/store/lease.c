// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Leases, the store side of NFSv4 delegations: any number of read
 * leases, or one write lease, on a regular file.  A conflicting request
 * fails with EAGAIN; recalling the holder is the caller's business.
 */
#include <errno.h>
#include <stdlib.h>

#include "store_int.h"

int ds_lease(struct ds_inode *ino, uintptr_t owner, enum ds_lease_type type)
{
	struct ds_lease_holder **pp, *h, *mine = NULL, **mine_pp = NULL;
	int rc = 0;

	if (ino->type != DS_REG)
		return -EINVAL;
	if (type != DS_LEASE_NONE && type != DS_LEASE_READ &&
	    type != DS_LEASE_WRITE)
		return -EINVAL;
	pthread_rwlock_wrlock(&ino->lock);
	if (ino->dead) {
		rc = -ESTALE;
		goto out;
	}
	for (pp = &ino->leases; (h = *pp); pp = &h->next) {
		if (h->owner == owner) {
			mine = h;
			mine_pp = pp;
		} else if (type == DS_LEASE_WRITE ||
			   (type == DS_LEASE_READ &&
			    h->type == DS_LEASE_WRITE)) {
			rc = -EAGAIN;
		}
	}
	if (type == DS_LEASE_NONE) {
		if (mine) {
			*mine_pp = mine->next;
			free(mine);
		}
		goto out;
	}
	if (rc)
		goto out;
	if (!mine) {
		mine = malloc(sizeof(*mine));
		if (!mine) {
			rc = -ENOMEM;
			goto out;
		}
		mine->owner = owner;
		mine->next = ino->leases;
		ino->leases = mine;
	}
	mine->type = type;
out:
	pthread_rwlock_unlock(&ino->lock);
	return rc;
}

enum ds_lease_type ds_lease_held(struct ds_inode *ino, uintptr_t owner)
{
	struct ds_lease_holder *h;
	enum ds_lease_type t = DS_LEASE_NONE;

	pthread_rwlock_rdlock(&ino->lock);
	for (h = ino->leases; h; h = h->next)
		if (h->owner == owner)
			t = h->type;
	pthread_rwlock_unlock(&ino->lock);
	return t;
}

void ds_lease_free_all(struct ds_inode *ino)
{
	struct ds_lease_holder *h = ino->leases, *next;

	for (; h; h = next) {
		next = h->next;
		free(h);
	}
	ino->leases = NULL;
}

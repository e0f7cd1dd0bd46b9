// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * FSAL_DITTO byte-range locks (lock_op2) and leases for delegations
 * (lease_op2).  SAL keeps its own lock and delegation state and recalls
 * delegations on conflict; the store enforces the same rules underneath
 * so that two owners can never both hold conflicting locks or leases.
 * Share reservations live in handle.c/file.c (struct fsal_share).
 */
#include "config.h"

#include <errno.h>

#include "fsal.h"
#include "ditto_int.h"

static void to_fsal_lock(const struct ds_lock *l, fsal_lock_param_t *out)
{
	if (!out)
		return;
	out->lock_sle_type = FSAL_POSIX_LOCK;
	out->lock_type = l->type == DS_LOCK_READ  ? FSAL_LOCK_R :
			 l->type == DS_LOCK_WRITE ? FSAL_LOCK_W :
						    FSAL_NO_LOCK;
	out->lock_start = l->type == DS_LOCK_NONE ? 0 : l->start;
	out->lock_length = l->type == DS_LOCK_NONE ? 0 : l->len;
}

static fsal_status_t ditto_lock_op2(struct fsal_obj_handle *obj,
				    struct state_t *state, void *owner,
				    fsal_lock_op_t lock_op,
				    fsal_lock_param_t *req,
				    fsal_lock_param_t *conflicting_lock)
{
	struct ds_inode *ino = ditto_h(obj)->ino;
	struct ds_lock l = {
		.start = req->lock_start,
		.len = req->lock_length,
		.owner = (uintptr_t)owner,
	};
	struct ds_lock conflict = { .type = DS_LOCK_NONE };
	int rc;

	if (obj->type != REGULAR_FILE)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	switch (req->lock_type) {
	case FSAL_LOCK_R:
		l.type = DS_LOCK_READ;
		break;
	case FSAL_LOCK_W:
		l.type = DS_LOCK_WRITE;
		break;
	default:
		if (lock_op != FSAL_OP_UNLOCK)
			return fsalstat(ERR_FSAL_NOTSUPP, 0);
		break;
	}
	if (lock_op != FSAL_OP_LOCKT && state == NULL)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);

	switch (lock_op) {
	case FSAL_OP_LOCKT:
		/* A found conflict is a result, not an error (like GETLK). */
		rc = ds_lock_test(ino, &l, &conflict);
		if (rc == -EAGAIN)
			rc = 0;
		to_fsal_lock(&conflict, conflicting_lock);
		return ditto_err(rc);
	case FSAL_OP_LOCK:
	case FSAL_OP_LOCKB:	/* no async blocking: try once */
		rc = ds_lock_set(ino, &l, &conflict);
		if (rc == -EAGAIN)
			to_fsal_lock(&conflict, conflicting_lock);
		else
			to_fsal_lock(&(struct ds_lock){ 0 }, conflicting_lock);
		return ditto_err(rc);
	case FSAL_OP_UNLOCK:
		return ditto_err(ds_lock_unset(ino, &l));
	case FSAL_OP_CANCEL:
		/* nothing ever blocks here, so there is nothing to cancel */
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	}
	return fsalstat(ERR_FSAL_NOTSUPP, 0);
}

static fsal_status_t ditto_lease_op2(struct fsal_obj_handle *obj,
				     struct state_t *state, void *owner,
				     fsal_deleg_t deleg)
{
	enum ds_lease_type t;

	if (obj->type != REGULAR_FILE)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	switch (deleg) {
	case FSAL_DELEG_NONE:
		t = DS_LEASE_NONE;
		break;
	case FSAL_DELEG_RD:
		t = DS_LEASE_READ;
		break;
	case FSAL_DELEG_WR:
		t = DS_LEASE_WRITE;
		break;
	default:
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	}
	return ditto_err(ds_lease(ditto_h(obj)->ino, (uintptr_t)owner, t));
}

void ditto_lock_ops_init(struct fsal_obj_ops *ops)
{
	ops->lock_op2 = ditto_lock_op2;
	ops->lease_op2 = ditto_lease_op2;
}

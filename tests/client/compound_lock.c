// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Byte-range lock builders: LOCK (new or existing owner), LOCKT, LOCKU.
 */
#include <string.h>
#include "compound_lock.h"

static void set_owner(struct dc_compound *c, lock_owner4 *o, clientid4 clid,
		      const char *name)
{
	size_t n = strlen(name);

	o->clientid = clid;
	o->owner.owner_val = dc_compound_keep(c, name, n);
	o->owner.owner_len = n;
}

void dc_op_lock_new(struct dc_compound *c, nfs_lock_type4 type,
		    const stateid4 *open_sid, clientid4 clid,
		    const char *lock_owner, uint64_t off, uint64_t len)
{
	LOCK4args *a = &dc_op_add(c, NFS4_OP_LOCK)->nfs_argop4_u.oplock;
	open_to_lock_owner4 *o = &a->locker.locker4_u.open_owner;

	a->locktype = type;
	a->reclaim = FALSE;
	a->offset = off;
	a->length = len;
	a->locker.new_lock_owner = TRUE;
	o->open_stateid = *open_sid;
	set_owner(c, &o->lock_owner, clid, lock_owner);
}

void dc_op_lock_exist(struct dc_compound *c, nfs_lock_type4 type,
		      const stateid4 *lock_sid, uint64_t off, uint64_t len)
{
	LOCK4args *a = &dc_op_add(c, NFS4_OP_LOCK)->nfs_argop4_u.oplock;

	a->locktype = type;
	a->reclaim = FALSE;
	a->offset = off;
	a->length = len;
	a->locker.new_lock_owner = FALSE;
	a->locker.locker4_u.lock_owner.lock_stateid = *lock_sid;
}

void dc_op_lockt(struct dc_compound *c, nfs_lock_type4 type, clientid4 clid,
		 const char *lock_owner, uint64_t off, uint64_t len)
{
	LOCKT4args *a = &dc_op_add(c, NFS4_OP_LOCKT)->nfs_argop4_u.oplockt;

	a->locktype = type;
	a->offset = off;
	a->length = len;
	set_owner(c, &a->owner, clid, lock_owner);
}

void dc_op_locku_type(struct dc_compound *c, nfs_lock_type4 type,
		      const stateid4 *lock_sid, uint64_t off, uint64_t len)
{
	LOCKU4args *a = &dc_op_add(c, NFS4_OP_LOCKU)->nfs_argop4_u.oplocku;

	a->locktype = type;
	a->lock_stateid = *lock_sid;
	a->offset = off;
	a->length = len;
}

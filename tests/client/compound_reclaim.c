// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Reclaim builders: OPEN CLAIM_PREVIOUS, LOCK reclaim.
 */
#include <string.h>
#include "compound_lock.h"
#include "compound_reclaim.h"

void dc_op_open_previous(struct dc_compound *c, clientid4 clid,
			 const char *owner, uint32_t access,
			 open_delegation_type4 deleg)
{
	OPEN4args *a = &dc_op_add(c, NFS4_OP_OPEN)->nfs_argop4_u.opopen;
	size_t n = strlen(owner);

	a->seqid = 0;
	a->share_access = access;
	a->share_deny = OPEN4_SHARE_DENY_NONE;
	a->owner.clientid = clid;
	a->owner.owner.owner_val = dc_compound_keep(c, owner, n);
	a->owner.owner.owner_len = n;
	a->openhow.opentype = OPEN4_NOCREATE;
	a->claim.claim = CLAIM_PREVIOUS;
	a->claim.open_claim4_u.delegate_type = deleg;
}

void dc_op_lock_reclaim(struct dc_compound *c, nfs_lock_type4 type,
			const stateid4 *open_sid, clientid4 clid,
			const char *lock_owner, uint64_t off, uint64_t len)
{
	dc_op_lock_new(c, type, open_sid, clid, lock_owner, off, len);
	c->ops[c->nops - 1].nfs_argop4_u.oplock.reclaim = TRUE;
}

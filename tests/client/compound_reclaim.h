/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Builders for state reclaim after a server restart (RFC 8881 section
 * 8.4.2.1): OPEN with CLAIM_PREVIOUS and LOCK with reclaim set.
 */
#ifndef DITTO_COMPOUND_RECLAIM_H
#define DITTO_COMPOUND_RECLAIM_H

#include "compound.h"

/*
 * OPEN of the current filehandle with CLAIM_PREVIOUS: the open (and,
 * unless deleg is OPEN_DELEGATE_NONE, the delegation of that type) the
 * client held before the server restarted.
 */
void dc_op_open_previous(struct dc_compound *c, clientid4 clid,
			 const char *owner, uint32_t access,
			 open_delegation_type4 deleg);
/* LOCK with a new lock owner and reclaim = TRUE. */
void dc_op_lock_reclaim(struct dc_compound *c, nfs_lock_type4 type,
			const stateid4 *open_sid, clientid4 clid,
			const char *lock_owner, uint64_t off, uint64_t len);

#endif

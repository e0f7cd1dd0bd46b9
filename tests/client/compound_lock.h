/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Byte-range lock builders beyond dc_op_lock()/dc_op_locku(): any lock
 * type, an existing lock owner, and LOCKT (RFC 8881 sections 18.10-18.12).
 */
#ifndef DITTO_COMPOUND_LOCK_H
#define DITTO_COMPOUND_LOCK_H

#include "compound.h"

/* LOCK with a new lock owner (open_to_lock_owner4) and the given type. */
void dc_op_lock_new(struct dc_compound *c, nfs_lock_type4 type,
		    const stateid4 *open_sid, clientid4 clid,
		    const char *lock_owner, uint64_t off, uint64_t len);
/* LOCK by an existing lock owner (exist_lock_owner4). */
void dc_op_lock_exist(struct dc_compound *c, nfs_lock_type4 type,
		      const stateid4 *lock_sid, uint64_t off, uint64_t len);
void dc_op_lockt(struct dc_compound *c, nfs_lock_type4 type, clientid4 clid,
		 const char *lock_owner, uint64_t off, uint64_t len);
void dc_op_locku_type(struct dc_compound *c, nfs_lock_type4 type,
		      const stateid4 *lock_sid, uint64_t off, uint64_t len);

#endif

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * RFC 9754 as a client sees it: which attributes a minor version
 * supports, and what the open_arguments attribute (86) says OPEN takes.
 */
#ifndef DITTO_ATTR_DELEG_H
#define DITTO_ATTR_DELEG_H

#include "session.h"

/*
 * open_arguments4: the first word of each bitmap, bit n set when the
 * server takes the open_args_* value n (all defined values are < 32).
 */
struct dc_open_args {
	uint32_t share_access, share_deny, want, claim, createmode;
};

/* FATTR4_SUPPORTED_ATTRS of fh (NULL: the export) in a minor compound. */
int dc_fs_supported_attrs(struct dc_client *cl, const nfs_fh4 *fh,
			  uint32_t minor, struct bitmap4 *out, nfsstat4 *st);
/* True when attr is set in bm. */
bool dc_bitmap_has(const struct bitmap4 *bm, unsigned int attr);
/*
 * FATTR4_OPEN_ARGUMENTS of fh (NULL: the export) in a 4.2 compound;
 * -EBADMSG when the reply does not hold exactly that attribute.
 */
int dc_fs_open_arguments(struct dc_client *cl, const nfs_fh4 *fh,
			 struct dc_open_args *oa, nfsstat4 *st);

#endif

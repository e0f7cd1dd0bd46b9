/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * NFSv4.2 operation builders (RFC 7862 ALLOCATE/DEALLOCATE/SEEK, RFC 8276
 * extended attributes), a few 4.0/4.1 builders the base set lacks (WRITE
 * with a chosen stable_how, COMMIT, symlink CREATE) and a decoder for
 * fixed-size attributes in a fattr4.
 */
#ifndef DITTO_COMPOUND_V42_H
#define DITTO_COMPOUND_V42_H

#include "session.h"

/* dc_client_begin() for a minorversion 2 compound. */
int dc_client_begin42(struct dc_client *cl, struct dc_compound *c,
		      const char *tag, uint32_t *slot);

void dc_op_allocate(struct dc_compound *c, const stateid4 *sid, uint64_t off,
		    uint64_t len);
void dc_op_deallocate(struct dc_compound *c, const stateid4 *sid,
		      uint64_t off, uint64_t len);
void dc_op_seek(struct dc_compound *c, const stateid4 *sid, uint64_t off,
		data_content4 what);
void dc_op_getxattr(struct dc_compound *c, const char *name);
void dc_op_setxattr(struct dc_compound *c, setxattr_option4 option,
		    const char *name, const void *value, uint32_t len);
void dc_op_listxattrs(struct dc_compound *c, uint64_t cookie,
		      uint32_t maxcount);
void dc_op_removexattr(struct dc_compound *c, const char *name);

/* WRITE with the given stable_how4 (dc_op_write() always FILE_SYNC4). */
void dc_op_write_how(struct dc_compound *c, const stateid4 *sid,
		     uint64_t off, const void *data, uint32_t len,
		     stable_how4 how);
void dc_op_commit(struct dc_compound *c, uint64_t off, uint32_t count);
/* CREATE of an NF4LNK named name pointing to target. */
void dc_op_symlink(struct dc_compound *c, const char *name,
		   const char *target);

/*
 * Value of attribute attr in fa (a GETATTR or READDIR result), widened
 * to 64 bits.  False if attr is absent, or if fa holds a variable-size
 * attribute below it that this decoder cannot step over.
 */
bool dc_fattr_u64(const fattr4 *fa, unsigned attr, uint64_t *out);

#endif

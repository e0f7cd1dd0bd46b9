// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * NFSv4.2 builders, WRITE/COMMIT/symlink builders and fattr4 decoding.
 */
#include <arpa/inet.h>
#include <string.h>
#include "compound_v42.h"

int dc_client_begin42(struct dc_client *cl, struct dc_compound *c,
		      const char *tag, uint32_t *slot)
{
	int rc = dc_client_begin(cl, c, tag, false, slot);

	if (!rc)
		c->minor = 2;
	return rc;
}

static void set_str(struct dc_compound *c, utf8string *u, const char *s)
{
	size_t n = strlen(s);

	u->utf8string_val = dc_compound_keep(c, s, n);
	u->utf8string_len = n;
}

void dc_op_allocate(struct dc_compound *c, const stateid4 *sid, uint64_t off,
		    uint64_t len)
{
	ALLOCATE4args *a =
		&dc_op_add(c, NFS4_OP_ALLOCATE)->nfs_argop4_u.opallocate;

	a->aa_stateid = *sid;
	a->aa_offset = off;
	a->aa_length = len;
}

void dc_op_deallocate(struct dc_compound *c, const stateid4 *sid,
		      uint64_t off, uint64_t len)
{
	DEALLOCATE4args *a =
		&dc_op_add(c, NFS4_OP_DEALLOCATE)->nfs_argop4_u.opdeallocate;

	a->da_stateid = *sid;
	a->da_offset = off;
	a->da_length = len;
}

void dc_op_seek(struct dc_compound *c, const stateid4 *sid, uint64_t off,
		data_content4 what)
{
	SEEK4args *a = &dc_op_add(c, NFS4_OP_SEEK)->nfs_argop4_u.opseek;

	a->sa_stateid = *sid;
	a->sa_offset = off;
	a->sa_what = what;
}

void dc_op_getxattr(struct dc_compound *c, const char *name)
{
	set_str(c, &dc_op_add(c, NFS4_OP_GETXATTR)
			    ->nfs_argop4_u.opgetxattr.gxa_name, name);
}

void dc_op_setxattr(struct dc_compound *c, setxattr_option4 option,
		    const char *name, const void *value, uint32_t len)
{
	SETXATTR4args *a =
		&dc_op_add(c, NFS4_OP_SETXATTR)->nfs_argop4_u.opsetxattr;

	a->sxa_option = option;
	set_str(c, &a->sxa_key, name);
	a->sxa_value.utf8string_val = dc_compound_keep(c, value, len);
	a->sxa_value.utf8string_len = len;
}

void dc_op_listxattrs(struct dc_compound *c, uint64_t cookie,
		      uint32_t maxcount)
{
	LISTXATTR4args *a =
		&dc_op_add(c, NFS4_OP_LISTXATTR)->nfs_argop4_u.oplistxattr;

	a->lxa_cookie = cookie;
	a->lxa_maxcount = maxcount;
}

void dc_op_removexattr(struct dc_compound *c, const char *name)
{
	set_str(c, &dc_op_add(c, NFS4_OP_REMOVEXATTR)
			    ->nfs_argop4_u.opremovexattr.rxa_name, name);
}

void dc_op_write_how(struct dc_compound *c, const stateid4 *sid,
		     uint64_t off, const void *data, uint32_t len,
		     stable_how4 how)
{
	dc_op_write(c, sid, off, data, len);
	c->ops[c->nops - 1].nfs_argop4_u.opwrite.stable = how;
}

void dc_op_commit(struct dc_compound *c, uint64_t off, uint32_t count)
{
	COMMIT4args *a = &dc_op_add(c, NFS4_OP_COMMIT)->nfs_argop4_u.opcommit;

	a->offset = off;
	a->count = count;
}

void dc_op_symlink(struct dc_compound *c, const char *name,
		   const char *target)
{
	CREATE4args *a = &dc_op_add(c, NFS4_OP_CREATE)->nfs_argop4_u.opcreate;

	a->objtype.type = NF4LNK;
	set_str(c, &a->objtype.createtype4_u.linkdata, target);
	set_str(c, &a->objname, name);
}

/* XDR size of fixed-size attributes by number; 0 = variable/unknown. */
static unsigned attr_size(unsigned attr)
{
	switch (attr) {
	case FATTR4_TYPE:
	case FATTR4_FH_EXPIRE_TYPE:
	case FATTR4_LINK_SUPPORT:
	case FATTR4_SYMLINK_SUPPORT:
	case FATTR4_NAMED_ATTR:
	case FATTR4_UNIQUE_HANDLES:
	case FATTR4_LEASE_TIME:
	case FATTR4_RDATTR_ERROR:
	case FATTR4_ACLSUPPORT:
	case FATTR4_ARCHIVE:
	case FATTR4_CANSETTIME:
	case FATTR4_CASE_INSENSITIVE:
	case FATTR4_CASE_PRESERVING:
	case FATTR4_CHOWN_RESTRICTED:
	case FATTR4_HIDDEN:
	case FATTR4_HOMOGENEOUS:
	case FATTR4_MAXLINK:
	case FATTR4_MAXNAME:
	case FATTR4_MODE:
	case FATTR4_NO_TRUNC:
	case FATTR4_NUMLINKS:
	case FATTR4_SYSTEM:
		return 4;
	case FATTR4_CHANGE:
	case FATTR4_SIZE:
	case FATTR4_FILEID:
	case FATTR4_FILES_AVAIL:
	case FATTR4_FILES_FREE:
	case FATTR4_FILES_TOTAL:
	case FATTR4_MAXFILESIZE:
	case FATTR4_MAXREAD:
	case FATTR4_MAXWRITE:
	case FATTR4_QUOTA_AVAIL_HARD:
	case FATTR4_QUOTA_AVAIL_SOFT:
	case FATTR4_QUOTA_USED:
	case FATTR4_RAWDEV:
	case FATTR4_SPACE_AVAIL:
	case FATTR4_SPACE_FREE:
	case FATTR4_SPACE_TOTAL:
	case FATTR4_SPACE_USED:
		return 8;
	case FATTR4_FSID:
		return 16;
	default:
		return 0;
	}
}

bool dc_fattr_u64(const fattr4 *fa, unsigned attr, uint64_t *out)
{
	const uint8_t *p = (const uint8_t *)fa->attr_vals.attrlist4_val;
	size_t len = fa->attr_vals.attrlist4_len, pos = 0;
	unsigned a, nbits = fa->attrmask.bitmap4_len * 32;

	for (a = 0; a < nbits && a <= attr; a++) {
		unsigned sz;
		uint32_t w[2];

		if (!(fa->attrmask.map[a / 32] & (1u << (a % 32))))
			continue;
		sz = attr_size(a);
		if (!sz || pos + sz > len)
			return false;
		if (a == attr) {
			memcpy(w, p + pos, sz == 4 ? 4 : 8);
			if (sz == 4)
				*out = ntohl(w[0]);
			else
				*out = ((uint64_t)ntohl(w[0]) << 32) |
				       ntohl(w[1]);
			return true;
		}
		pos += sz;
	}
	return false;
}

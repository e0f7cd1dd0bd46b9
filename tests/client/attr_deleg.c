// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * supported_attrs per minor version and the RFC 9754 open_arguments
 * attribute, each one GETATTR.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "attr_deleg.h"

struct getattr_words {
	uint32_t w0, w1, w2;
};

static void fill_getattr(struct dc_compound *c, void *arg)
{
	const struct getattr_words *w = arg;
	GETATTR4args *a =
		&dc_op_add(c, NFS4_OP_GETATTR)->nfs_argop4_u.opgetattr;

	a->attr_request.bitmap4_len = w->w2 ? 3 : 2;
	a->attr_request.map[0] = w->w0;
	a->attr_request.map[1] = w->w1;
	a->attr_request.map[2] = w->w2;
}

/*
 * GETATTR of the words w in a minor compound; on NFS4_OK *fa points
 * into r (the caller frees r).
 */
static int getattr_words(struct dc_client *cl, const nfs_fh4 *fh,
			 uint32_t minor, struct getattr_words *w,
			 struct dc_cres *r, fattr4 **fa, nfsstat4 *st)
{
	nfs_resop4 *res;
	int rc;

	rc = dc_client_on_fh(cl, "attr_deleg", minor, fh, fill_getattr, w, r);
	if (rc)
		return rc;
	*st = r->res.status;
	if (*st != NFS4_OK)
		return 0;
	res = dc_cres_op(r, r->res.resarray.resarray_len - 1);
	if (!res || res->resop != NFS4_OP_GETATTR)
		return -EBADMSG;
	*fa = &res->nfs_resop4_u.opgetattr.GETATTR4res_u.resok4.obj_attributes;
	return 0;
}

bool dc_bitmap_has(const struct bitmap4 *bm, unsigned int attr)
{
	return attr / 32 < bm->bitmap4_len &&
	       (bm->map[attr / 32] & (1u << (attr % 32)));
}

/* A bitmap4 off the wire into out; false when longer than out holds. */
static bool dec_bitmap(XDR *x, struct bitmap4 *out)
{
	uint32_t i;

	memset(out, 0, sizeof(*out));
	if (!xdr_u_int32_t(x, &out->bitmap4_len) ||
	    out->bitmap4_len > BITMAP4_MAPLEN)
		return false;
	for (i = 0; i < out->bitmap4_len; i++)
		if (!xdr_u_int32_t(x, &out->map[i]))
			return false;
	return true;
}

int dc_fs_supported_attrs(struct dc_client *cl, const nfs_fh4 *fh,
			  uint32_t minor, struct bitmap4 *out, nfsstat4 *st)
{
	struct getattr_words w = { 1u << FATTR4_SUPPORTED_ATTRS, 0, 0 };
	struct dc_cres r;
	fattr4 *fa = NULL;
	XDR x;
	int rc = getattr_words(cl, fh, minor, &w, &r, &fa, st);

	if (!rc && *st == NFS4_OK) {
		xdrmem_create(&x, fa->attr_vals.attrlist4_val,
			      fa->attr_vals.attrlist4_len, XDR_DECODE);
		if (!dc_bitmap_has(&fa->attrmask, FATTR4_SUPPORTED_ATTRS) ||
		    !dec_bitmap(&x, out))
			rc = -EBADMSG;
		xdr_destroy(&x);
	}
	dc_cres_free(&r);
	return rc;
}

int dc_fs_open_arguments(struct dc_client *cl, const nfs_fh4 *fh,
			 struct dc_open_args *oa, nfsstat4 *st)
{
	struct getattr_words w = { 0, 0, 1u << (FATTR4_OPEN_ARGUMENTS - 64) };
	uint32_t *dst[] = { &oa->share_access, &oa->share_deny, &oa->want,
			    &oa->claim, &oa->createmode };
	struct bitmap4 bm;
	struct dc_cres r;
	fattr4 *fa = NULL;
	unsigned int i;
	XDR x;
	int rc = getattr_words(cl, fh, 2, &w, &r, &fa, st);

	memset(oa, 0, sizeof(*oa));
	if (!rc && *st == NFS4_OK) {
		if (!dc_bitmap_has(&fa->attrmask, FATTR4_OPEN_ARGUMENTS)) {
			rc = -EBADMSG;
			goto out;
		}
		xdrmem_create(&x, fa->attr_vals.attrlist4_val,
			      fa->attr_vals.attrlist4_len, XDR_DECODE);
		for (i = 0; i < 5 && !rc; i++) {
			if (!dec_bitmap(&x, &bm))
				rc = -EBADMSG;
			else
				*dst[i] = bm.bitmap4_len ? bm.map[0] : 0;
		}
		if (!rc && xdr_getpos(&x) != fa->attr_vals.attrlist4_len)
			rc = -EBADMSG;
		xdr_destroy(&x);
	}
out:
	dc_cres_free(&r);
	return rc;
}

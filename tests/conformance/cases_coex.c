// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * NFSv4.0 and NFSv4.1 clients side by side on one export (RFC 7530
 * SETCLIENTID path vs. RFC 8881 sessions).
 */
#include <string.h>
#include "case.h"
#include "v40.h"

/* 4.0 OPEN (+ OPEN_CONFIRM if asked) creating name, then WRITE, CLOSE. */
static int v40_create_write(struct v40 *v, const char *name,
			    const char *data, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	stateid4 sid;
	nfs_fh4 fh = { 0 };
	uint32_t rflags;
	unsigned n;
	int rc;

	dc_compound_init(&c, 0, "open40");
	dc_client_put_export(&v->cl, &c);
	dc_op_open(&c, v->oseq, v->clientid, "oo40", name, true,
		   OPEN4_SHARE_ACCESS_BOTH);
	dc_op_getfh(&c);
	rc = v40_call(v, &c, &r);
	if (rc || (*st = r.res.status) != NFS4_OK)
		goto out;
	v->oseq++;
	n = r.res.resarray.resarray_len;
	sid = dc_cres_op(&r, n - 2)->nfs_resop4_u.opopen.OPEN4res_u.resok4
		      .stateid;
	rflags = dc_cres_op(&r, n - 2)->nfs_resop4_u.opopen.OPEN4res_u.resok4
			 .rflags;
	dc_fh_copy(&fh, &dc_cres_op(&r, n - 1)->nfs_resop4_u.opgetfh
				 .GETFH4res_u.resok4.object);
	dc_cres_free(&r);
	if (rflags & OPEN4_RESULT_CONFIRM) {
		dc_compound_init(&c, 0, "open_confirm");
		dc_op_putfh(&c, &fh);
		dc_op_open_confirm(&c, &sid, v->oseq);
		rc = v40_call(v, &c, &r);
		if (rc || (*st = r.res.status) != NFS4_OK)
			goto out;
		v->oseq++;
		sid = dc_cres_op(&r, 1)->nfs_resop4_u.opopen_confirm
			      .OPEN_CONFIRM4res_u.resok4.open_stateid;
		dc_cres_free(&r);
	}
	dc_compound_init(&c, 0, "write40");
	dc_op_putfh(&c, &fh);
	dc_op_write(&c, &sid, 0, data, strlen(data));
	rc = v40_call(v, &c, &r);
	if (rc || (*st = r.res.status) != NFS4_OK)
		goto out;
	dc_cres_free(&r);
	dc_compound_init(&c, 0, "close40");
	dc_op_putfh(&c, &fh);
	dc_op_close(&c, v->oseq, &sid);
	rc = v40_call(v, &c, &r);
	if (!rc) {
		*st = r.res.status;
		v->oseq++;
	}
out:
	dc_fh_free(&fh);
	dc_cres_free(&r);
	return rc;
}

/* 4.0 LOOKUP of name in the export. */
static int v40_lookup(struct v40 *v, const char *name, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	int rc;

	dc_compound_init(&c, 0, "lookup40");
	dc_client_put_export(&v->cl, &c);
	dc_op_lookup(&c, name);
	dc_op_renew(&c, v->clientid);
	rc = v40_call(v, &c, &r);
	if (!rc)
		*st = r.res.status;
	dc_cres_free(&r);
	return rc;
}

/* 4.1: READ the start of name; data must equal want. */
static int v41_read(struct dc_client *cl, const char *name, char *buf,
		    size_t len, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	stateid4 sid;
	nfs_fh4 fh = { 0 };
	uint32_t slot;
	nfsstat4 cst;
	int rc;

	rc = dc_client_open_file(cl, name, false, &sid, &fh, st);
	if (rc || *st != NFS4_OK)
		return rc;
	rc = dc_client_begin(cl, &c, "read", false, &slot);
	if (rc)
		goto out;
	dc_op_putfh(&c, &fh);
	dc_op_read(&c, &sid, 0, len - 1);
	rc = dc_client_send(cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (!rc && (*st = r.res.status) == NFS4_OK) {
		io_data *d = &dc_cres_op(&r, 2)->nfs_resop4_u.opread
				      .READ4res_u.resok4.data;
		size_t n = d->data_len < len - 1 ? d->data_len : len - 1;

		memcpy(buf, d->iov ? d->iov[0].iov_base : "", n);
		buf[n] = 0;
	}
	dc_cres_free(&r);
	dc_client_close_file(cl, &fh, &sid, &cst);
out:
	dc_fh_free(&fh);
	return rc;
}

static void coex1_both(struct dc_ctx *ctx)
{
	struct v40 v = { 0 };
	struct dc_client cl = { 0 };
	char n40[96], n41[96], buf[64];
	stateid4 sid;
	nfs_fh4 fh = { 0 };
	nfsstat4 st;
	int rc;

	rc = dc_ctx_client(ctx, &v.cl);
	EXPECT_RPC(rc, "connect 4.0 client");
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount 4.1 client");
	rc = v40_setclientid(&v, &st);
	EXPECT_OK(rc, st, "SETCLIENTID + SETCLIENTID_CONFIRM");
	dc_name(ctx, "v40", n40, sizeof(n40));
	dc_name(ctx, "v41", n41, sizeof(n41));
	rc = v40_create_write(&v, n40, "written-by-4.0", &st);
	EXPECT_OK(rc, st, "4.0 OPEN/WRITE/CLOSE");
	rc = dc_client_open_file(&cl, n41, true, &sid, &fh, &st);
	EXPECT_OK(rc, st, "4.1 OPEN create");
	rc = dc_client_close_file(&cl, &fh, &sid, &st);
	EXPECT_OK(rc, st, "4.1 CLOSE");
	rc = v40_lookup(&v, n41, &st);
	EXPECT_OK(rc, st, "4.0 client LOOKUP of the 4.1 file");
	rc = v41_read(&cl, n40, buf, sizeof(buf), &st);
	EXPECT_OK(rc, st, "4.1 client OPEN+READ of the 4.0 file");
	EXPECT(!strcmp(buf, "written-by-4.0"),
	       "4.1 client read \"%s\" from the 4.0 file", buf);
out:
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
	/* v.cl never made a 4.1 clientid or session: only closes. */
	dc_client_destroy(&v.cl);
}

const struct dc_case dc_cases_coex[] = {
	{ "COEX1", "4.0 and 4.1 clients share an export and see each other",
	  "2.7 / RFC 7530 16.33", "coex v40 all", "CSESS1", coex1_both },
	{ NULL }
};

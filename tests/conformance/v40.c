// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * A minimal NFSv4.0 client for the cases (v40.h).
 */
#include <string.h>
#include "v40.h"

int v40_call(struct v40 *v, struct dc_compound *c, struct dc_cres *r)
{
	int rc = dc_compound_call(v->cl.conns[0], &v->cl.auth, c, r,
				  v->cl.timeout_ms);

	dc_compound_free(c);
	return rc;
}

int v40_setclientid(struct v40 *v, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	verifier4 confirm;
	int rc;

	dc_compound_init(&c, 0, "setclientid");
	/* No callback listener: a cb address nobody serves is fine. */
	dc_op_setclientid(&c, v->cl.owner, v->cl.verf, 0x40000000,
			  "127.0.0.1.0.1");
	rc = v40_call(v, &c, &r);
	if (rc || (*st = r.res.status) != NFS4_OK)
		goto out;
	{
		SETCLIENTID4resok *ok = &dc_cres_op(&r, 0)
			->nfs_resop4_u.opsetclientid.SETCLIENTID4res_u.resok4;

		v->clientid = ok->clientid;
		memcpy(confirm, ok->setclientid_confirm, sizeof(confirm));
	}
	dc_cres_free(&r);
	dc_compound_init(&c, 0, "setclientid_confirm");
	dc_op_setclientid_confirm(&c, v->clientid, confirm);
	rc = v40_call(v, &c, &r);
	if (!rc)
		*st = r.res.status;
out:
	dc_cres_free(&r);
	return rc;
}

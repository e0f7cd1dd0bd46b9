// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * CB_COMPOUND replies (RFC 8881 20.2) as the server reads them: the
 * results of CB_SEQUENCE (acted on by patch 0065), CB_RECALL and
 * CB_NOTIFY (patch 0058), or anything else a client sends back.
 *
 * The reply is decoded the way nfs_rpc_callback.c does it: into the
 * CB_COMPOUND4res that cb_compound_init_v4() and cb_compound_add_op()
 * prepared, whose resarray already holds one zeroed result per op sent
 * (1 for NFSv4.0, CB_SEQUENCE + the op for 4.1).  The first input byte
 * picks the minor version, the rest is the reply body.  Then the fields
 * patch 0065 reads are read, the reply is re-encoded and compared, and
 * it is freed with XDR_FREE.
 */
#include <stdlib.h>
#include <string.h>

#include "xdr_roundtrip.h"

/* What cb_sequence_reply_v41() looks at: ASan checks each read is
 * inside what was decoded.
 */
static uint32_t read_like_patch_0019(const CB_COMPOUND4res *res)
{
	const CB_SEQUENCE4res *sr;
	const CB_SEQUENCE4resok *ok;

	if (res->resarray.resarray_val == NULL ||
	    res->resarray.resarray_len < 1 ||
	    res->resarray.resarray_val[0].resop != NFS4_OP_CB_SEQUENCE)
		return 0;
	sr = &res->resarray.resarray_val[0].nfs_cb_resop4_u.opcbsequence;
	if (sr->csr_status != NFS4_OK)
		return sr->csr_status;
	ok = &sr->CB_SEQUENCE4res_u.csr_resok4;
	return ok->csr_sessionid[0] + ok->csr_sessionid[NFS4_SESSIONID_SIZE - 1] +
	       ok->csr_slotid + ok->csr_sequenceid +
	       MIN(ok->csr_target_highest_slotid, ok->csr_highest_slotid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CB_COMPOUND4res res;
	u_int n_ops, used;

	if (size < 1)
		return 0;
	n_ops = (data[0] & 1) ? 2 : 1;

	/* cb_compound_init_v4() + cb_compound_add_op() for n_ops ops */
	memset(&res, 0, sizeof(res));
	res.resarray.resarray_val = calloc(n_ops, sizeof(nfs_cb_resop4));
	FUZZ_CHECK(res.resarray.resarray_val != NULL);
	res.resarray.resarray_len = n_ops;

	if (xdr_decode_into(data + 1, size - 1,
			    (xdrproc_t)xdr_CB_COMPOUND4res, &res, &used)) {
		/* More results than ops sent cannot have fit */
		FUZZ_CHECK(res.resarray.resarray_len <= n_ops);
		fuzz_sink += read_like_patch_0019(&res);
		/* The same bytes decoded into a fresh object round trip */
		FUZZ_CHECK(xdr_roundtrip(data + 1, used,
					 (xdrproc_t)xdr_CB_COMPOUND4res,
					 sizeof(CB_COMPOUND4res)));
	}
	xdr_free((xdrproc_t)xdr_CB_COMPOUND4res, &res);
	return 0;
}

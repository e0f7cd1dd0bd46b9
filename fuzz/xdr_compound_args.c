// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * COMPOUND4args (RFC 8881 16.2), every operation's arguments, as the
 * server decodes a request body (xdr_COMPOUND4args, nfsv41.h; WRITE's
 * data through Ganesha's own xdr_io_data, RPCAL/rpc_tools.c): decoded,
 * re-encoded and compared.  The seed corpus is the conformance suite's
 * own traffic (DITTO_CAPTURE_COMPOUNDS, fuzz/README.md).
 *
 * Requests with a WRITE are decoded and freed but not encoded again:
 * encoding io_data hands a zero-copy buffer list to the stream, which
 * only the server's reply streams (xdr_ioq) take over and release; the
 * server never encodes WRITE arguments.
 */
#include "xdr_roundtrip.h"

static bool encodable(const void *obj)
{
	const COMPOUND4args *args = obj;
	u_int i;

	for (i = 0; i < args->argarray.argarray_len; i++)
		if (args->argarray.argarray_val[i].argop == NFS4_OP_WRITE)
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xdr_roundtrip_if(data, size, (xdrproc_t)xdr_COMPOUND4args,
			 sizeof(COMPOUND4args), encodable);
	return 0;
}

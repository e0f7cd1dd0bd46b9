// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * GET_DIR_DELEGATION4args (RFC 8881 18.39), as the server decodes them
 * (patches 0054, 0056): decoded, re-encoded and compared.
 */
#include "xdr_roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xdr_roundtrip(data, size, (xdrproc_t)xdr_GET_DIR_DELEGATION4args,
		      sizeof(GET_DIR_DELEGATION4args));
	return 0;
}

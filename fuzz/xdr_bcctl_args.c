// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * BACKCHANNEL_CTL4args (RFC 8881 18.33), as the server decodes them
 * (patch 0030): a program number and callback_sec_parms4 of any flavour
 * (AUTH_NONE, AUTH_SYS, RPCSEC_GSS handles); decoded, re-encoded and
 * compared.
 */
#include "xdr_roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xdr_roundtrip(data, size, (xdrproc_t)xdr_BACKCHANNEL_CTL4args,
		      sizeof(BACKCHANNEL_CTL4args));
	return 0;
}

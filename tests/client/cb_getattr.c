// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * CB_GETATTR answers: change, size and the RFC 9754 delegated times.
 */
#include <string.h>
#include "cb_getattr.h"

static bool asked(const uint32_t request[3], unsigned int attr)
{
	return request[attr / 32] & (1u << (attr % 32));
}

static void answer(fattr4 *out, unsigned int attr)
{
	out->attrmask.map[attr / 32] |= 1u << (attr % 32);
	if (out->attrmask.bitmap4_len < attr / 32 + 1)
		out->attrmask.bitmap4_len = attr / 32 + 1;
}

static bool enc_time(XDR *x, const nfstime4 *t)
{
	int64_t sec = t->seconds;
	uint32_t nsec = t->nseconds;

	return xdr_int64_t(x, &sec) && xdr_u_int32_t(x, &nsec);
}

void dc_cb_getattr_encode(const struct dc_cb_getattr_answer *a,
			  const uint32_t request[3], fattr4 *out, char *buf,
			  size_t len)
{
	uint64_t change = a->change, size = a->size;
	bool ok = true;
	XDR x;

	memset(out, 0, sizeof(*out));
	xdrmem_create(&x, buf, len, XDR_ENCODE);
	/* In attribute number order */
	if (asked(request, FATTR4_CHANGE)) {
		answer(out, FATTR4_CHANGE);
		ok = ok && xdr_u_int64_t(&x, &change);
	}
	if (asked(request, FATTR4_SIZE)) {
		answer(out, FATTR4_SIZE);
		ok = ok && xdr_u_int64_t(&x, &size);
	}
	if (asked(request, FATTR4_TIME_DELEG_ACCESS)) {
		answer(out, FATTR4_TIME_DELEG_ACCESS);
		ok = ok && enc_time(&x, &a->atime);
	}
	if (asked(request, FATTR4_TIME_DELEG_MODIFY)) {
		answer(out, FATTR4_TIME_DELEG_MODIFY);
		ok = ok && enc_time(&x, &a->mtime);
	}
	out->attr_vals.attrlist4_len = ok ? xdr_getpos(&x) : 0;
	if (!ok)
		memset(&out->attrmask, 0, sizeof(out->attrmask));
	out->attr_vals.attrlist4_val = buf;
	xdr_destroy(&x);
}

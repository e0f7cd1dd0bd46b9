// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * CB_NOTIFY4args (RFC 8881 20.4) as a client reads what patch 0058
 * sends: the stateid, the directory's filehandle and a list of notify4,
 * each a notification mask and its bodies packed in notify_vals, one
 * per bit set, in bit order.  The whole argument is decoded, re-encoded
 * and compared; then each notify4's bodies are decoded by type, one
 * after the other from notify_vals, and each is round tripped the same
 * way.
 */
#include <stdlib.h>
#include <string.h>

#include "xdr_notify.h"

static void check_bodies(const notify4 *n)
{
	const uint8_t *p = (const uint8_t *)n->notify_vals.notifylist4_val;
	u_int left = n->notify_vals.notifylist4_len;
	unsigned int type;

	if (n->notify_mask.bitmap4_len < 1)
		return;
	for (type = 0; type < NOTIFY_BODY_TYPES; type++) {
		struct notify_body_type t = notify_body_type(type);
		void *body;
		u_int used;
		bool ok;

		if (!(n->notify_mask.map[0] & (1u << type)))
			continue;
		body = calloc(1, t.size);
		FUZZ_CHECK(body != NULL);
		ok = xdr_decode_into(p, left, t.proc, body, &used);
		xdr_free(t.proc, body);
		free(body);
		if (!ok)
			return;
		FUZZ_CHECK(used <= left);
		FUZZ_CHECK(xdr_roundtrip(p, used, t.proc, t.size));
		p += used;
		left -= used;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CB_NOTIFY4args args;
	u_int used, i;

	if (!xdr_roundtrip(data, size, (xdrproc_t)xdr_CB_NOTIFY4args,
			   sizeof(args)))
		return 0;

	memset(&args, 0, sizeof(args));
	FUZZ_CHECK(xdr_decode_into(data, size, (xdrproc_t)xdr_CB_NOTIFY4args,
				   &args, &used));
	for (i = 0; i < args.cna_changes.cna_changes_len; i++)
		check_bodies(&args.cna_changes.cna_changes_val[i]);
	xdr_free((xdrproc_t)xdr_CB_NOTIFY4args, &args);
	return 0;
}

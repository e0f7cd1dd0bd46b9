// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * One CB_NOTIFY body, as patch 0058's encoder writes each notification
 * (notify_add4, notify_remove4, notify_rename4, notify_attr4 or
 * notify_verifier4, with the entries' fattr4s): the first input byte
 * picks the type, the rest is decoded as it, re-encoded and compared.
 *
 * The encoder itself (dd_note_build() in src/SAL/state_dir_deleg.c) is
 * static and needs SAL, FSAL and export state, so it cannot run alone;
 * this checks the XDR it relies on in both directions.
 */
#include "xdr_notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct notify_body_type t;

	if (size < 1)
		return 0;
	t = notify_body_type(data[0] % NOTIFY_BODY_TYPES);
	xdr_roundtrip(data + 1, size - 1, t.proc, t.size);
	return 0;
}

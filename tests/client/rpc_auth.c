// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * AUTH_NONE and AUTH_SYS credential encoding.
 */
#include <string.h>
#include <unistd.h>
#include <time.h>
#include "rpc_auth.h"

void dc_auth_none(struct dc_auth *a)
{
	memset(a, 0, sizeof(*a));
	a->flavor = DC_AUTH_NONE;
}

void dc_auth_sys(struct dc_auth *a, uint32_t uid, uint32_t gid)
{
	memset(a, 0, sizeof(*a));
	a->flavor = DC_AUTH_SYS;
	a->stamp = (uint32_t)time(NULL);
	strcpy(a->machine, "ditto-client");
	a->uid = uid;
	a->gid = gid;
}

void dc_auth_sys_groups(struct dc_auth *a, uint32_t uid, uint32_t gid,
			uint32_t ngids, const uint32_t *gids)
{
	dc_auth_sys(a, uid, gid);
	if (ngids > DC_AUTH_MAX_GIDS)
		ngids = DC_AUTH_MAX_GIDS;
	a->ngids = ngids;
	if (ngids)
		memcpy(a->gids, gids, ngids * sizeof(*gids));
}

bool dc_auth_sys_body_encode(XDR *x, const struct dc_auth *a)
{
	uint32_t stamp = a->stamp, uid = a->uid, gid = a->gid;
	uint32_t n = a->ngids, i;
	char *m = (char *)a->machine;

	if (!xdr_u_int32_t(x, &stamp) || !xdr_string(x, &m, 255) ||
	    !xdr_u_int32_t(x, &uid) || !xdr_u_int32_t(x, &gid) ||
	    !xdr_u_int32_t(x, &n))
		return false;
	for (i = 0; i < n; i++) {
		uint32_t g = a->gids[i];

		if (!xdr_u_int32_t(x, &g))
			return false;
	}
	return true;
}

/* The body is a length-prefixed opaque: measure it first. */
static uint32_t sys_body_len(const struct dc_auth *a)
{
	uint32_t mlen = strlen(a->machine);

	return 4 + 4 + ((mlen + 3) & ~3u) + 4 + 4 + 4 + 4 * a->ngids;
}

bool dc_auth_encode(XDR *x, const struct dc_auth *a)
{
	uint32_t flavor = a->flavor, len, none = 0;

	if (!xdr_u_int32_t(x, &flavor))
		return false;
	if (a->flavor == DC_AUTH_SYS) {
		len = sys_body_len(a);
		if (!xdr_u_int32_t(x, &len) || !dc_auth_sys_body_encode(x, a))
			return false;
	} else {
		if (!xdr_u_int32_t(x, &none))
			return false;
	}
	/* verifier: AUTH_NONE, empty */
	return xdr_u_int32_t(x, &none) && xdr_u_int32_t(x, &none);
}

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * RPC credentials the client sends: AUTH_NONE and AUTH_SYS (RFC 5531
 * section 8 and appendix A).  Verifiers are always AUTH_NONE.
 */
#ifndef DITTO_RPC_AUTH_H
#define DITTO_RPC_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <rpc/xdr.h>
#include <rpc/xdr_inline.h>

#define DC_AUTH_NONE 0
#define DC_AUTH_SYS 1
#define DC_AUTH_MAX_GIDS 16

struct dc_auth {
	uint32_t flavor;
	uint32_t stamp;
	char machine[64];
	uint32_t uid;
	uint32_t gid;
	uint32_t ngids;
	uint32_t gids[DC_AUTH_MAX_GIDS];
};

void dc_auth_none(struct dc_auth *a);
void dc_auth_sys(struct dc_auth *a, uint32_t uid, uint32_t gid);
/* AUTH_SYS with ngids (at most DC_AUTH_MAX_GIDS) supplementary groups. */
void dc_auth_sys_groups(struct dc_auth *a, uint32_t uid, uint32_t gid,
			uint32_t ngids, const uint32_t *gids);
/* Encode credential then verifier, as in a call header. */
bool dc_auth_encode(XDR *x, const struct dc_auth *a);
/* Encode only the authsys_parms body (also used in callback_sec_parms). */
bool dc_auth_sys_body_encode(XDR *x, const struct dc_auth *a);

#endif

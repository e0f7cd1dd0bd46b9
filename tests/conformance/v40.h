/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A minimal NFSv4.0 client for the cases (RFC 7530): one connection,
 * SETCLIENTID with a callback address nobody serves, one open owner.
 */
#ifndef DITTO_V40_H
#define DITTO_V40_H

#include "case.h"

/* Minimal 4.0 client state: clientid and one open-owner seqid. */
struct v40 {
	struct dc_client cl;	/* only conns[0], auth and owner are used */
	clientid4 clientid;
	uint32_t oseq;
};

/* Send c (without SEQUENCE) on conns[0] and free it; *r keeps the reply. */
int v40_call(struct v40 *v, struct dc_compound *c, struct dc_cres *r);
/*
 * SETCLIENTID (callback address 127.0.0.1 port 1: nobody listens) and
 * SETCLIENTID_CONFIRM; *st is the status of the last one sent.
 */
int v40_setclientid(struct v40 *v, nfsstat4 *st);

#endif

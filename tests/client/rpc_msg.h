/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ONC RPC call/reply messages (RFC 5531 section 9): building a call
 * record, sending it and parsing the reply header.
 */
#ifndef DITTO_RPC_MSG_H
#define DITTO_RPC_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <rpc/xdr.h>
#include "rpc_auth.h"
#include "rpc_conn.h"

#define DC_MSG_CALL 0
#define DC_MSG_REPLY 1
#define DC_MSG_ACCEPTED 0
#define DC_MSG_DENIED 1
/* accept_stat */
#define DC_SUCCESS 0
#define DC_PROG_UNAVAIL 1
#define DC_PROG_MISMATCH 2
#define DC_PROC_UNAVAIL 3
#define DC_GARBAGE_ARGS 4
#define DC_SYSTEM_ERR 5

#define DC_DEFAULT_TIMEOUT_MS 15000

struct dc_reply {
	/* The request as sent, whole (for byte-exact resends). */
	uint8_t *req;
	size_t req_len;
	/* The reply record. */
	uint8_t *rec;
	size_t len;
	uint32_t xid;
	uint32_t reply_stat;
	uint32_t accept_stat;
	uint32_t reject_stat;
	/* Offset of the procedure results within rec (accepted SUCCESS). */
	size_t body_off;
};

/* Encode an RPC call header into x. */
bool dc_rpc_encode_call_hdr(XDR *x, uint32_t xid, uint32_t prog,
			    uint32_t vers, uint32_t proc,
			    const struct dc_auth *auth);

/* Encode an accepted reply header (AUTH_NONE verifier) into x. */
bool dc_rpc_encode_reply_hdr(XDR *x, uint32_t xid, uint32_t accept_stat);

/* What dc_rpc_decode_call_hdr() read of a call header. */
struct dc_call_hdr {
	uint32_t xid, prog, vers, proc;
	uint32_t cred_flavor;
};
/*
 * Decode an RPC call header from x into *h (message type and RPC version
 * are read, not checked), skipping credential and verifier (bodies of
 * at most 400 bytes); x is left at the arguments.  False when short.
 */
bool dc_rpc_decode_call_hdr(XDR *x, struct dc_call_hdr *h);

/*
 * Make a call whose arguments are encoded by enc(args) (enc may be NULL
 * for void) and wait for its reply.  0 on an RPC reply of any kind.
 */
int dc_rpc_call(struct dc_conn *c, const struct dc_auth *auth, uint32_t prog,
		uint32_t vers, uint32_t proc, xdrproc_t enc, void *args,
		struct dc_reply *rep, int timeout_ms);
/* As dc_rpc_call but the arguments are given as raw bytes. */
int dc_rpc_call_bytes(struct dc_conn *c, const struct dc_auth *auth,
		      uint32_t prog, uint32_t vers, uint32_t proc,
		      const void *args, size_t args_len, struct dc_reply *rep,
		      int timeout_ms);
/*
 * Send a complete, already built call record (its xid is in the first
 * word) and wait for the reply.  With new_xid, the xid word is replaced
 * by a fresh one first (everything else byte-identical).
 */
int dc_rpc_send_record(struct dc_conn *c, const void *rec, size_t len,
		       bool new_xid, struct dc_reply *rep, int timeout_ms);
/* Parse the reply header in rep->rec; fills the status fields. */
int dc_rpc_parse_reply(struct dc_reply *rep);
/* Decode the results of a SUCCESS reply with dec into res. */
bool dc_rpc_decode_results(const struct dc_reply *rep, xdrproc_t dec,
			   void *res);
void dc_reply_free(struct dc_reply *rep);
/* NULL procedure ping; 0 if the server answered SUCCESS. */
int dc_rpc_null(struct dc_conn *c, uint32_t prog, uint32_t vers,
		int timeout_ms);

#endif

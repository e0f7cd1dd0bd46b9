// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * RPC call building, sending and reply header parsing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "rpc_msg.h"

/* Upper bound on a request we build: beyond any NFS max request size. */
#define CALL_BUF_MAX (2u * 1024 * 1024)
/*
 * First try: most calls fit, and a buffer this size comes from the heap,
 * not a fresh mmap as CALL_BUF_MAX would (page faults on every call).
 */
#define CALL_BUF_FIRST (64u * 1024)

bool dc_rpc_encode_call_hdr(XDR *x, uint32_t xid, uint32_t prog,
			    uint32_t vers, uint32_t proc,
			    const struct dc_auth *auth)
{
	uint32_t w[6] = { xid, DC_MSG_CALL, 2, prog, vers, proc };
	int i;

	for (i = 0; i < 6; i++)
		if (!xdr_u_int32_t(x, &w[i]))
			return false;
	return dc_auth_encode(x, auth);
}

bool dc_rpc_encode_reply_hdr(XDR *x, uint32_t xid, uint32_t accept_stat)
{
	uint32_t w[6] = { xid, DC_MSG_REPLY, DC_MSG_ACCEPTED, 0, 0,
			  accept_stat };
	int i;

	for (i = 0; i < 6; i++)
		if (!xdr_u_int32_t(x, &w[i]))
			return false;
	return true;
}

bool dc_rpc_decode_call_hdr(XDR *x, struct dc_call_hdr *h)
{
	uint32_t mtype, rpcvers, fl, blen;
	int i;

	memset(h, 0, sizeof(*h));
	if (!xdr_u_int32_t(x, &h->xid) || !xdr_u_int32_t(x, &mtype) ||
	    !xdr_u_int32_t(x, &rpcvers) || !xdr_u_int32_t(x, &h->prog) ||
	    !xdr_u_int32_t(x, &h->vers) || !xdr_u_int32_t(x, &h->proc))
		return false;
	for (i = 0; i < 2; i++) { /* credential, verifier */
		if (!xdr_u_int32_t(x, &fl) || !xdr_u_int32_t(x, &blen) ||
		    blen > 400 ||
		    !xdr_setpos(x, xdr_getpos(x) + ((blen + 3) & ~3u)))
			return false;
		if (i == 0)
			h->cred_flavor = fl;
	}
	return true;
}

/* Encode the call into a buffer of size; its length, or 0 if too small. */
static size_t encode_call(uint8_t *buf, size_t size, uint32_t xid,
			  const struct dc_auth *auth, uint32_t prog,
			  uint32_t vers, uint32_t proc, xdrproc_t enc,
			  void *args, const void *raw, size_t raw_len)
{
	size_t len;
	XDR x;

	xdrmem_create(&x, (char *)buf, size, XDR_ENCODE);
	if (!dc_rpc_encode_call_hdr(&x, xid, prog, vers, proc, auth) ||
	    (enc && !enc(&x, args)))
		return 0;
	len = xdr_getpos(&x);
	if (raw) {
		if (len + raw_len > size)
			return 0;
		memcpy(buf + len, raw, raw_len);
		len += raw_len;
	}
	return len;
}

static int call_common(struct dc_conn *c, const struct dc_auth *auth,
		       uint32_t prog, uint32_t vers, uint32_t proc,
		       xdrproc_t enc, void *args, const void *raw,
		       size_t raw_len, struct dc_reply *rep, int timeout_ms)
{
	uint32_t xid = dc_conn_new_xid(c);
	size_t size = CALL_BUF_FIRST, len;
	uint8_t *buf;
	int rc;

	for (;;) {
		buf = malloc(size);
		if (!buf)
			return -ENOMEM;
		len = encode_call(buf, size, xid, auth, prog, vers, proc, enc,
				  args, raw, raw_len);
		if (len || size == CALL_BUF_MAX)
			break;
		free(buf);
		size = CALL_BUF_MAX;
	}
	if (!len) {
		free(buf);
		return raw ? -EMSGSIZE : -EINVAL;
	}
	rc = dc_rpc_send_record(c, buf, len, false, rep, timeout_ms);
	free(buf);
	return rc;
}

int dc_rpc_call(struct dc_conn *c, const struct dc_auth *auth, uint32_t prog,
		uint32_t vers, uint32_t proc, xdrproc_t enc, void *args,
		struct dc_reply *rep, int timeout_ms)
{
	return call_common(c, auth, prog, vers, proc, enc, args, NULL, 0, rep,
			   timeout_ms);
}

int dc_rpc_call_bytes(struct dc_conn *c, const struct dc_auth *auth,
		      uint32_t prog, uint32_t vers, uint32_t proc,
		      const void *args, size_t args_len, struct dc_reply *rep,
		      int timeout_ms)
{
	return call_common(c, auth, prog, vers, proc, NULL, NULL,
			   args ? args : "", args_len, rep, timeout_ms);
}

int dc_rpc_send_record(struct dc_conn *c, const void *rec, size_t len,
		       bool new_xid, struct dc_reply *rep, int timeout_ms)
{
	uint32_t xid;
	int rc;

	memset(rep, 0, sizeof(*rep));
	if (len < 4)
		return -EINVAL;
	rep->req = malloc(len);
	if (!rep->req)
		return -ENOMEM;
	memcpy(rep->req, rec, len);
	rep->req_len = len;
	if (new_xid) {
		xid = htonl(dc_conn_new_xid(c));
		memcpy(rep->req, &xid, 4);
	}
	memcpy(&xid, rep->req, 4);
	xid = ntohl(xid);
	rep->xid = xid;
	rc = dc_conn_expect(c, xid);
	if (rc)
		return rc;
	rc = dc_conn_send(c, rep->req, len);
	if (rc) {
		dc_conn_forget(c, xid);
		return rc;
	}
	rc = dc_conn_wait(c, xid, timeout_ms, &rep->rec, &rep->len);
	if (rc)
		return rc;
	return dc_rpc_parse_reply(rep);
}

int dc_rpc_parse_reply(struct dc_reply *rep)
{
	uint32_t xid, mtype, flavor, vlen, lo, hi;
	XDR x;

	xdrmem_create(&x, (char *)rep->rec, rep->len, XDR_DECODE);
	if (!xdr_u_int32_t(&x, &xid) || !xdr_u_int32_t(&x, &mtype) ||
	    mtype != DC_MSG_REPLY || !xdr_u_int32_t(&x, &rep->reply_stat))
		return -EPROTO;
	if (rep->reply_stat == DC_MSG_DENIED) {
		/* reject_stat, then mismatch_info or auth_stat */
		if (!xdr_u_int32_t(&x, &rep->reject_stat))
			return -EPROTO;
		return 0;
	}
	if (rep->reply_stat != DC_MSG_ACCEPTED)
		return -EPROTO;
	if (!xdr_u_int32_t(&x, &flavor) || !xdr_u_int32_t(&x, &vlen) ||
	    vlen > 400 || !xdr_setpos(&x, xdr_getpos(&x) + ((vlen + 3) & ~3u)))
		return -EPROTO;
	if (!xdr_u_int32_t(&x, &rep->accept_stat))
		return -EPROTO;
	if (rep->accept_stat == DC_PROG_MISMATCH &&
	    (!xdr_u_int32_t(&x, &lo) || !xdr_u_int32_t(&x, &hi)))
		return -EPROTO;
	rep->body_off = xdr_getpos(&x);
	return 0;
}

bool dc_rpc_decode_results(const struct dc_reply *rep, xdrproc_t dec,
			   void *res)
{
	XDR x;

	if (rep->reply_stat != DC_MSG_ACCEPTED ||
	    rep->accept_stat != DC_SUCCESS)
		return false;
	xdrmem_create(&x, (char *)rep->rec + rep->body_off,
		      rep->len - rep->body_off, XDR_DECODE);
	return dec(&x, res);
}

void dc_reply_free(struct dc_reply *rep)
{
	free(rep->req);
	free(rep->rec);
	rep->req = NULL;
	rep->rec = NULL;
}

int dc_rpc_null(struct dc_conn *c, uint32_t prog, uint32_t vers,
		int timeout_ms)
{
	struct dc_auth none;
	struct dc_reply rep;
	int rc;

	dc_auth_none(&none);
	rc = dc_rpc_call(c, &none, prog, vers, 0, NULL, NULL, &rep,
			 timeout_ms);
	if (!rc && (rep.reply_stat != DC_MSG_ACCEPTED ||
		    rep.accept_stat != DC_SUCCESS))
		rc = -EPROTO;
	dc_reply_free(&rep);
	return rc;
}

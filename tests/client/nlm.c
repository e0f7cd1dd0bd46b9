// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * NLM version 4 client: argument and result XDR, and the calls.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "nlm.h"

/* Arguments as the encoders see them. */
struct nlm_lock_args {
	uint32_t cookie;
	bool_t block, exclusive, reclaim;
	const struct dc_fh3 *fh;
	const struct dc_nlm_owner *o;
	uint64_t off, len;
	int32_t state;
	enum dc_nlm_proc proc;
};

static bool enc_opaque(XDR *x, const void *p, uint32_t n)
{
	char *d = (char *)p;

	return xdr_bytes(x, &d, &n, 1024);
}

static bool enc_cookie(XDR *x, uint32_t cookie)
{
	uint32_t be = htonl(cookie);

	return enc_opaque(x, &be, sizeof(be));
}

/* struct nlm4_lock */
static bool enc_lock(XDR *x, const struct nlm_lock_args *a)
{
	char *name = (char *)a->o->caller_name;
	int32_t svid = a->o->svid;
	uint64_t off = a->off, len = a->len;

	return xdr_string(x, &name, 1024) &&
	       enc_opaque(x, a->fh->data, a->fh->len) &&
	       enc_opaque(x, a->o->oh, strlen(a->o->oh)) &&
	       xdr_int32_t(x, &svid) && xdr_uint64_t(x, &off) &&
	       xdr_uint64_t(x, &len);
}

/* nlm4_testargs, nlm4_lockargs, nlm4_unlockargs by procedure. */
static bool enc_args(XDR *x, void *arg)
{
	struct nlm_lock_args *a = arg;

	if (!enc_cookie(x, a->cookie))
		return false;
	switch (a->proc) {
	case DC_NLMPROC4_TEST:
		return xdr_bool(x, &a->exclusive) && enc_lock(x, a);
	case DC_NLMPROC4_LOCK:
		return xdr_bool(x, &a->block) && xdr_bool(x, &a->exclusive) &&
		       enc_lock(x, a) && xdr_bool(x, &a->reclaim) &&
		       xdr_int32_t(x, &a->state);
	case DC_NLMPROC4_UNLOCK:
		return enc_lock(x, a);
	default:
		return false;
	}
}

struct nlm_res {
	bool test;
	uint32_t stat;
	struct dc_nlm_holder *holder;
};

static bool dec_skip_opaque(XDR *x)
{
	char *p = NULL;
	u_int n = 0;
	bool ok = xdr_bytes(x, &p, &n, 1024);

	free(p);
	return ok;
}

/* nlm4_res, or nlm4_testres with its nlm4_holder when DENIED. */
static bool dec_res(XDR *x, void *arg)
{
	struct nlm_res *r = arg;
	struct dc_nlm_holder h = { 0 };
	bool_t excl = FALSE;
	char *oh = NULL;
	u_int ohn = 0;

	if (!dec_skip_opaque(x) || !xdr_u_int32_t(x, &r->stat))
		return false;
	if (!r->test || r->stat != DC_NLM4_DENIED)
		return true;
	if (!xdr_bool(x, &excl) || !xdr_int32_t(x, &h.svid) ||
	    !xdr_bytes(x, &oh, &ohn, 1024) || !xdr_uint64_t(x, &h.offset) ||
	    !xdr_uint64_t(x, &h.len)) {
		free(oh);
		return false;
	}
	h.exclusive = excl;
	h.oh_len = ohn < sizeof(h.oh) ? ohn : sizeof(h.oh);
	memcpy(h.oh, oh, h.oh_len);
	free(oh);
	if (r->holder)
		*r->holder = h;
	return true;
}

int dc_nlm_open(struct dc_nlm *n, const char *host, int port)
{
	memset(n, 0, sizeof(*n));
	dc_auth_sys(&n->auth, 0, 0);
	n->timeout_ms = DC_DEFAULT_TIMEOUT_MS;
	n->cookie = 1;
	return dc_conn_open(&n->conn, host, port);
}

void dc_nlm_close(struct dc_nlm *n)
{
	if (n->conn)
		dc_conn_close(n->conn);
	n->conn = NULL;
}

int dc_fh3_from_fh4(struct dc_fh3 *out, const void *fh4, uint32_t len)
{
	uint32_t padded = (len + 3) & ~3u;

	if (!len || padded > DC_FH3_MAX)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out->data, fh4, len);
	out->len = padded;
	return 0;
}

static int nlm_call(struct dc_nlm *n, struct nlm_lock_args *a,
		    struct nlm_res *r)
{
	struct dc_reply rep = { 0 };
	int rc;

	a->cookie = n->cookie++;
	rc = dc_rpc_call(n->conn, &n->auth, DC_NLM_PROGRAM, DC_NLM_V4,
			 a->proc, (xdrproc_t)enc_args, a, &rep, n->timeout_ms);
	if (rc)
		goto out;
	if (rep.reply_stat != DC_MSG_ACCEPTED || rep.accept_stat != DC_SUCCESS)
		rc = -EPROTO;
	else if (!dc_rpc_decode_results(&rep, (xdrproc_t)dec_res, r))
		rc = -EBADMSG;
out:
	dc_reply_free(&rep);
	return rc;
}

int dc_nlm_lock(struct dc_nlm *n, const struct dc_fh3 *fh,
		const struct dc_nlm_owner *o, bool exclusive, uint64_t off,
		uint64_t len, bool reclaim, int32_t state,
		enum dc_nlm_stat *stat)
{
	struct nlm_lock_args a = { .proc = DC_NLMPROC4_LOCK, .fh = fh, .o = o,
				   .exclusive = exclusive, .reclaim = reclaim,
				   .off = off, .len = len, .state = state };
	struct nlm_res r = { 0 };
	int rc = nlm_call(n, &a, &r);

	*stat = r.stat;
	return rc;
}

int dc_nlm_unlock(struct dc_nlm *n, const struct dc_fh3 *fh,
		  const struct dc_nlm_owner *o, uint64_t off, uint64_t len,
		  enum dc_nlm_stat *stat)
{
	struct nlm_lock_args a = { .proc = DC_NLMPROC4_UNLOCK, .fh = fh,
				   .o = o, .off = off, .len = len };
	struct nlm_res r = { 0 };
	int rc = nlm_call(n, &a, &r);

	*stat = r.stat;
	return rc;
}

int dc_nlm_test(struct dc_nlm *n, const struct dc_fh3 *fh,
		const struct dc_nlm_owner *o, bool exclusive, uint64_t off,
		uint64_t len, enum dc_nlm_stat *stat,
		struct dc_nlm_holder *holder)
{
	struct nlm_lock_args a = { .proc = DC_NLMPROC4_TEST, .fh = fh, .o = o,
				   .exclusive = exclusive, .off = off,
				   .len = len };
	struct nlm_res r = { .test = true, .holder = holder };
	int rc = nlm_call(n, &a, &r);

	*stat = r.stat;
	return rc;
}

const char *dc_nlm_stat_name(enum dc_nlm_stat s)
{
	static const char *const names[] = {
		"NLM4_GRANTED",	      "NLM4_DENIED",
		"NLM4_DENIED_NOLOCKS", "NLM4_BLOCKED",
		"NLM4_DENIED_GRACE_PERIOD", "NLM4_DEADLCK",
		"NLM4_ROFS",	      "NLM4_STALE_FH",
		"NLM4_FBIG",	      "NLM4_FAILED",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] :
								"NLM4_?";
}

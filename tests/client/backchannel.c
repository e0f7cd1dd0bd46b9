// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Back channel: decoding CB calls, CB_SEQUENCE checks, replies, records.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "backchannel.h"
#include "cb_getattr.h"

#define CB_NULL_PROC 0
#define CB_COMPOUND_PROC 1
#define REPLY_BUF_MAX 65536

void dc_cb_init(struct dc_backchannel *cb, uint32_t program)
{
	memset(cb, 0, sizeof(*cb));
	pthread_mutex_init(&cb->lock, NULL);
	pthread_cond_init(&cb->cond, NULL);
	cb->program = program;
}

void dc_cb_destroy(struct dc_backchannel *cb)
{
	free(cb->recs);
	cb->recs = NULL;
	pthread_mutex_destroy(&cb->lock);
	pthread_cond_destroy(&cb->cond);
}

void dc_cb_set_session(struct dc_backchannel *cb, const sessionid4 sid,
		       uint32_t nslots)
{
	pthread_mutex_lock(&cb->lock);
	memcpy(cb->sid, sid, NFS4_SESSIONID_SIZE);
	cb->have_sid = true;
	cb->nslots = nslots > DC_CB_MAX_SLOTS ? DC_CB_MAX_SLOTS : nslots;
	memset(cb->slot_seqid, 0, sizeof(cb->slot_seqid));
	pthread_mutex_unlock(&cb->lock);
}

void dc_cb_set_handler(struct dc_backchannel *cb, dc_cb_handler_fn fn,
		       void *arg)
{
	pthread_mutex_lock(&cb->lock);
	cb->handler = fn;
	cb->handler_arg = arg;
	pthread_mutex_unlock(&cb->lock);
}

void dc_cb_set_mute_null(struct dc_backchannel *cb, bool mute)
{
	pthread_mutex_lock(&cb->lock);
	cb->mute_null = mute;
	pthread_mutex_unlock(&cb->lock);
}

static void send_simple_reply(struct dc_conn *conn, uint32_t xid,
			      uint32_t accept_stat)
{
	char buf[64];
	XDR x;

	xdrmem_create(&x, buf, sizeof(buf), XDR_ENCODE);
	if (!dc_rpc_encode_reply_hdr(&x, xid, accept_stat))
		return;
	if (accept_stat == DC_PROG_MISMATCH) {
		uint32_t lo = 1, hi = 1;

		xdr_u_int32_t(&x, &lo);
		xdr_u_int32_t(&x, &hi);
	}
	dc_conn_send(conn, buf, xdr_getpos(&x));
}

/* Check CB_SEQUENCE against our slot table; advances it when valid. */
static nfsstat4 check_sequence(struct dc_backchannel *cb,
			       struct dc_cb_record *r)
{
	uint32_t want;

	if (!cb->have_sid ||
	    memcmp(r->seq_sid, cb->sid, NFS4_SESSIONID_SIZE)) {
		snprintf(r->seq_problem, sizeof(r->seq_problem),
			 "unknown session id");
		return NFS4ERR_BADSESSION;
	}
	if (r->seq_slot >= cb->nslots) {
		snprintf(r->seq_problem, sizeof(r->seq_problem),
			 "slot %u >= %u back channel slots", r->seq_slot,
			 cb->nslots);
		return NFS4ERR_BADSLOT;
	}
	want = cb->slot_seqid[r->seq_slot] + 1;
	if (r->seq_seqid != want) {
		snprintf(r->seq_problem, sizeof(r->seq_problem),
			 "slot %u seqid %u, expected %u", r->seq_slot,
			 r->seq_seqid, want);
		/* We keep no reply cache: a retry cannot be replayed. */
		return r->seq_seqid == want - 1 ? NFS4ERR_RETRY_UNCACHED_REP :
						   NFS4ERR_SEQ_MISORDERED;
	}
	cb->slot_seqid[r->seq_slot] = want;
	return NFS4_OK;
}

static void fill_record(struct dc_cb_record *r, CB_COMPOUND4args *a)
{
	unsigned i;

	r->decoded = true;
	r->minorversion = a->minorversion;
	r->callback_ident = a->callback_ident;
	r->nops = a->argarray.argarray_len;
	for (i = 0; i < r->nops && i < DC_CB_MAX_OPS; i++)
		r->ops[i] = a->argarray.argarray_val[i].argop;
	if (r->nops && r->ops[0] == NFS4_OP_CB_SEQUENCE) {
		nfs_cb_argop4 *op0 = &a->argarray.argarray_val[0];
		CB_SEQUENCE4args *s = &op0->nfs_cb_argop4_u.opcbsequence;

		r->has_sequence = true;
		memcpy(r->seq_sid, s->csa_sessionid, NFS4_SESSIONID_SIZE);
		r->seq_seqid = s->csa_sequenceid;
		r->seq_slot = s->csa_slotid;
		r->seq_highest = s->csa_highest_slotid;
		if (s->csa_referring_call_lists.csarcl_len > 0) {
			referring_call_list4 *l =
				s->csa_referring_call_lists.csarcl_val;

			memcpy(r->refer_sid, l->rcl_sessionid,
			       NFS4_SESSIONID_SIZE);
			if (l->rcl_referring_calls.rcl_referring_calls_len) {
				referring_call4 *c =
					l->rcl_referring_calls
						.rcl_referring_calls_val;

				r->has_refer = true;
				r->refer_seqid = c->rc_sequenceid;
				r->refer_slot = c->rc_slotid;
			}
		}
	}
	for (i = 0; i < r->nops; i++) {
		CB_NOTIFY_LOCK4args *nl;

		if (a->argarray.argarray_val[i].argop != NFS4_OP_CB_NOTIFY_LOCK)
			continue;
		nl = &a->argarray.argarray_val[i]
			      .nfs_cb_argop4_u.opcbnotify_lock;
		r->has_notify_lock = true;
		r->nl_fh_len = nl->cnla_fh.nfs_fh4_len < NFS4_FHSIZE ?
				       nl->cnla_fh.nfs_fh4_len :
				       NFS4_FHSIZE;
		memcpy(r->nl_fh, nl->cnla_fh.nfs_fh4_val, r->nl_fh_len);
		r->nl_clientid = nl->cnla_lock_owner.clientid;
		r->nl_owner_len = nl->cnla_lock_owner.owner.owner_len;
		memcpy(r->nl_owner, nl->cnla_lock_owner.owner.owner_val,
		       r->nl_owner_len < sizeof(r->nl_owner) ?
			       r->nl_owner_len :
			       sizeof(r->nl_owner));
		break;
	}
	for (i = 0; i < r->nops; i++) {
		CB_GETATTR4args *ga;

		if (a->argarray.argarray_val[i].argop != NFS4_OP_CB_GETATTR)
			continue;
		ga = &a->argarray.argarray_val[i].nfs_cb_argop4_u.opcbgetattr;
		r->has_getattr = true;
		r->ga_fh_len = ga->fh.nfs_fh4_len < NFS4_FHSIZE ?
				       ga->fh.nfs_fh4_len :
				       NFS4_FHSIZE;
		memcpy(r->ga_fh, ga->fh.nfs_fh4_val, r->ga_fh_len);
		memcpy(r->ga_request, ga->attr_request.map,
		       sizeof(r->ga_request));
		if (ga->attr_request.bitmap4_len < 3)
			memset(r->ga_request + ga->attr_request.bitmap4_len, 0,
			       (3 - ga->attr_request.bitmap4_len) *
				       sizeof(uint32_t));
		break;
	}
	for (i = 0; i < r->nops; i++) {
		CB_RECALL4args *rc;

		if (a->argarray.argarray_val[i].argop != NFS4_OP_CB_RECALL)
			continue;
		rc = &a->argarray.argarray_val[i].nfs_cb_argop4_u.opcbrecall;
		r->has_recall = true;
		r->recall_sid = rc->stateid;
		r->recall_truncate = rc->truncate;
		r->recall_fh_len = rc->fh.nfs_fh4_len < NFS4_FHSIZE ?
					   rc->fh.nfs_fh4_len :
					   NFS4_FHSIZE;
		memcpy(r->recall_fh, rc->fh.nfs_fh4_val, r->recall_fh_len);
		break;
	}
}

/* Build and send the CB_COMPOUND4res for the chosen action. */
static void send_compound_reply(struct dc_backchannel *cb,
				struct dc_conn *conn, struct dc_cb_record *r,
				CB_COMPOUND4args *a, nfsstat4 seq_status)
{
	nfs_cb_resop4 res[DC_CB_MAX_OPS];
	CB_COMPOUND4res cres;
	char gbuf[DC_CB_GETATTR_BUF];
	char *buf;
	unsigned i, n = 0;
	XDR x;

	memset(res, 0, sizeof(res));
	memset(&cres, 0, sizeof(cres));
	cres.tag = a->tag;
	cres.status = NFS4_OK;
	for (i = 0; i < r->nops && i < DC_CB_MAX_OPS; i++) {
		nfs_cb_resop4 *op = &res[n++];
		nfsstat4 st = NFS4_OK;

		op->resop = r->ops[i];
		if (i == 0 && r->has_sequence) {
			CB_SEQUENCE4res *s = &op->nfs_cb_resop4_u.opcbsequence;
			CB_SEQUENCE4resok *ok =
				&s->CB_SEQUENCE4res_u.csr_resok4;

			st = seq_status;
			s->csr_status = st;
			if (st == NFS4_OK) {
				memcpy(ok->csr_sessionid, r->seq_sid,
				       NFS4_SESSIONID_SIZE);
				ok->csr_sequenceid = r->seq_seqid;
				ok->csr_slotid = r->seq_slot;
				ok->csr_highest_slotid = cb->nslots - 1;
				ok->csr_target_highest_slotid = cb->nslots - 1;
			}
		} else if (r->action != DC_CB_OK) {
			st = r->status;
		}
		/* Every nfs_cb_resop4 arm starts with its nfsstat4. */
		op->nfs_cb_resop4_u.opcbrecall.status = st;
		if (st == NFS4_OK && op->resop == NFS4_OP_CB_GETATTR &&
		    cb->ga_answer_set)
			dc_cb_getattr_encode(&cb->ga_answer, r->ga_request,
					     &op->nfs_cb_resop4_u.opcbgetattr
						      .CB_GETATTR4res_u.resok4
						      .obj_attributes,
					     gbuf, sizeof(gbuf));
		if (st != NFS4_OK) {
			cres.status = st;
			break;
		}
	}
	cres.resarray.resarray_len = n;
	cres.resarray.resarray_val = res;
	buf = malloc(REPLY_BUF_MAX);
	if (!buf)
		return;
	xdrmem_create(&x, buf, REPLY_BUF_MAX, XDR_ENCODE);
	if (dc_rpc_encode_reply_hdr(&x, r->xid, DC_SUCCESS) &&
	    xdr_CB_COMPOUND4res(&x, &cres) &&
	    dc_conn_send(conn, buf, xdr_getpos(&x)) == 0)
		r->replied = true;
	free(buf);
}

void dc_cb_keep_records(struct dc_backchannel *cb, bool keep)
{
	pthread_mutex_lock(&cb->lock);
	cb->no_records = !keep;
	pthread_mutex_unlock(&cb->lock);
}

static void record(struct dc_backchannel *cb, const struct dc_cb_record *r)
{
	if (cb->no_records)
		return;
	if (cb->nrecs == cb->cap) {
		unsigned cap = cb->cap ? 2 * cb->cap : 16;
		struct dc_cb_record *n = realloc(cb->recs, cap * sizeof(*n));

		if (!n)
			return;
		cb->recs = n;
		cb->cap = cap;
	}
	cb->recs[cb->nrecs++] = *r;
	pthread_cond_broadcast(&cb->cond);
}

/* Reader-thread entry for every CALL record on an attached connection. */
static void on_call(struct dc_conn *conn, const uint8_t *rec, size_t len,
		    void *arg)
{
	struct dc_backchannel *cb = arg;
	struct dc_cb_record r;
	struct dc_call_hdr h;
	CB_COMPOUND4args a;
	nfsstat4 seq_status = NFS4_OK;
	XDR x;

	memset(&r, 0, sizeof(r));
	clock_gettime(CLOCK_REALTIME, &r.ts);
	r.conn = conn;
	xdrmem_create(&x, (char *)rec, len, XDR_DECODE);
	if (!dc_rpc_decode_call_hdr(&x, &h))
		return;
	r.xid = h.xid;
	r.prog = h.prog;
	r.vers = h.vers;
	r.proc = h.proc;
	r.cred_flavor = h.cred_flavor;

	pthread_mutex_lock(&cb->lock);
	if (r.prog != cb->program) {
		snprintf(r.seq_problem, sizeof(r.seq_problem),
			 "program %#x, expected %#x", r.prog, cb->program);
		send_simple_reply(conn, r.xid, DC_PROG_UNAVAIL);
		record(cb, &r);
		goto out;
	}
	if (r.proc == CB_NULL_PROC) {
		r.action = cb->mute_null ? DC_CB_DROP : DC_CB_OK;
		if (!cb->mute_null)
			send_simple_reply(conn, r.xid, DC_SUCCESS);
		r.replied = !cb->mute_null;
		record(cb, &r);
		goto out;
	}
	if (r.proc != CB_COMPOUND_PROC) {
		send_simple_reply(conn, r.xid, DC_PROC_UNAVAIL);
		record(cb, &r);
		goto out;
	}
	memset(&a, 0, sizeof(a));
	if (!xdr_CB_COMPOUND4args(&x, &a)) {
		xdr_free((xdrproc_t)xdr_CB_COMPOUND4args, &a);
		snprintf(r.seq_problem, sizeof(r.seq_problem),
			 "undecodable CB_COMPOUND4args");
		send_simple_reply(conn, r.xid, DC_GARBAGE_ARGS);
		record(cb, &r);
		goto out;
	}
	fill_record(&r, &a);
	if (r.has_sequence) {
		seq_status = check_sequence(cb, &r);
		r.seq_valid = seq_status == NFS4_OK;
	} else {
		snprintf(r.seq_problem, sizeof(r.seq_problem),
			 "no CB_SEQUENCE first (minorversion %u)",
			 r.minorversion);
	}
	r.action = DC_CB_OK;
	r.status = NFS4_OK;
	if (cb->handler)
		r.action = cb->handler(cb->handler_arg, &r, &r.status);
	if (r.action == DC_CB_DELAY)
		r.status = NFS4ERR_DELAY;
	if (r.action != DC_CB_DROP)
		send_compound_reply(cb, conn, &r, &a, seq_status);
	xdr_free((xdrproc_t)xdr_CB_COMPOUND4args, &a);
	record(cb, &r);
out:
	pthread_mutex_unlock(&cb->lock);
}

void dc_cb_attach(struct dc_backchannel *cb, struct dc_conn *conn)
{
	dc_conn_set_call_handler(conn, on_call, cb);
}

/* The CLOCK_REALTIME deadline timeout_ms from now (pthread_cond_timedwait). */
static void deadline_in(struct timespec *dl, int timeout_ms)
{
	clock_gettime(CLOCK_REALTIME, dl);
	dl->tv_sec += timeout_ms / 1000;
	dl->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dl->tv_nsec >= 1000000000L) {
		dl->tv_sec++;
		dl->tv_nsec -= 1000000000L;
	}
}

unsigned dc_wait_count(pthread_mutex_t *lock, pthread_cond_t *cond,
		       const unsigned *counter, unsigned count,
		       int timeout_ms)
{
	struct timespec dl;
	unsigned n;

	deadline_in(&dl, timeout_ms);
	pthread_mutex_lock(lock);
	while (*counter < count)
		if (pthread_cond_timedwait(cond, lock, &dl) == ETIMEDOUT)
			break;
	n = *counter;
	pthread_mutex_unlock(lock);
	return n;
}

unsigned dc_cb_wait(struct dc_backchannel *cb, unsigned count,
		    int timeout_ms)
{
	return dc_wait_count(&cb->lock, &cb->cond, &cb->nrecs, count,
			     timeout_ms);
}

unsigned dc_cb_count(struct dc_backchannel *cb)
{
	unsigned n;

	pthread_mutex_lock(&cb->lock);
	n = cb->nrecs;
	pthread_mutex_unlock(&cb->lock);
	return n;
}

bool dc_cb_get(struct dc_backchannel *cb, unsigned i,
	       struct dc_cb_record *out)
{
	bool ok = false;

	pthread_mutex_lock(&cb->lock);
	if (i < cb->nrecs) {
		*out = cb->recs[i];
		ok = true;
	}
	pthread_mutex_unlock(&cb->lock);
	return ok;
}

bool dc_cb_is_recall_of(const struct dc_cb_record *r, const nfs_fh4 *fh)
{
	return r->has_recall &&
	       (fh == NULL || (r->recall_fh_len == fh->nfs_fh4_len &&
			       !memcmp(r->recall_fh, fh->nfs_fh4_val,
				       fh->nfs_fh4_len)));
}

bool dc_cb_is_getattr_of(const struct dc_cb_record *r, const nfs_fh4 *fh)
{
	return r->has_getattr &&
	       (fh == NULL || (r->ga_fh_len == fh->nfs_fh4_len &&
			       !memcmp(r->ga_fh, fh->nfs_fh4_val,
				       fh->nfs_fh4_len)));
}

bool dc_cb_is_notify_lock_of(const struct dc_cb_record *r, const nfs_fh4 *fh)
{
	return r->has_notify_lock &&
	       (fh == NULL || (r->nl_fh_len == fh->nfs_fh4_len &&
			       !memcmp(r->nl_fh, fh->nfs_fh4_val,
				       fh->nfs_fh4_len)));
}

typedef bool (*dc_cb_match_fn)(const struct dc_cb_record *r,
			       const nfs_fh4 *fh);

/* Records that match (of fh, any when NULL) so far; cb->lock held. */
static unsigned matching_locked(struct dc_backchannel *cb,
				dc_cb_match_fn match, const nfs_fh4 *fh)
{
	unsigned i, n = 0;

	for (i = 0; i < cb->nrecs; i++)
		if (match(&cb->recs[i], fh))
			n++;
	return n;
}

static unsigned wait_matching(struct dc_backchannel *cb, dc_cb_match_fn match,
			      const nfs_fh4 *fh, unsigned count,
			      int timeout_ms)
{
	struct timespec dl;
	unsigned n;

	deadline_in(&dl, timeout_ms);
	pthread_mutex_lock(&cb->lock);
	while ((n = matching_locked(cb, match, fh)) < count)
		if (pthread_cond_timedwait(&cb->cond, &cb->lock, &dl) ==
		    ETIMEDOUT) {
			n = matching_locked(cb, match, fh);
			break;
		}
	pthread_mutex_unlock(&cb->lock);
	return n;
}

unsigned dc_cb_recalls(struct dc_backchannel *cb, const nfs_fh4 *fh)
{
	unsigned n;

	pthread_mutex_lock(&cb->lock);
	n = matching_locked(cb, dc_cb_is_recall_of, fh);
	pthread_mutex_unlock(&cb->lock);
	return n;
}

bool dc_cb_first_recall(struct dc_backchannel *cb, const nfs_fh4 *fh,
			struct dc_cb_record *out)
{
	bool found = false;
	unsigned i;

	pthread_mutex_lock(&cb->lock);
	for (i = 0; i < cb->nrecs && !found; i++)
		if (dc_cb_is_recall_of(&cb->recs[i], fh)) {
			*out = cb->recs[i];
			found = true;
		}
	pthread_mutex_unlock(&cb->lock);
	return found;
}

unsigned dc_cb_wait_recalls(struct dc_backchannel *cb, const nfs_fh4 *fh,
			    unsigned count, int timeout_ms)
{
	return wait_matching(cb, dc_cb_is_recall_of, fh, count, timeout_ms);
}

unsigned dc_cb_wait_notify_locks(struct dc_backchannel *cb, const nfs_fh4 *fh,
				 unsigned count, int timeout_ms)
{
	return wait_matching(cb, dc_cb_is_notify_lock_of, fh, count,
			     timeout_ms);
}

void dc_cb_set_getattr_answer(struct dc_backchannel *cb,
			      const struct dc_cb_getattr_answer *a)
{
	pthread_mutex_lock(&cb->lock);
	cb->ga_answer_set = a != NULL;
	if (a)
		cb->ga_answer = *a;
	pthread_mutex_unlock(&cb->lock);
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * NFSv4.1 client session management.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "session.h"

int dc_client_init(struct dc_client *cl, const struct dc_server *srv,
		   const char *owner)
{
	struct timespec ts;
	int rc;

	memset(cl, 0, sizeof(*cl));
	cl->srv = *srv;
	cl->timeout_ms = DC_DEFAULT_TIMEOUT_MS;
	snprintf(cl->owner, sizeof(cl->owner), "%s", owner);
	dc_auth_sys(&cl->auth, 0, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	memcpy(cl->verf, &ts.tv_nsec, 4);
	memcpy(cl->verf + 4, &ts.tv_sec, 4);
	dc_cb_init(&cl->cb, DC_CB_PROGRAM);
	cl->inited = true;
	rc = dc_conn_open(&cl->conns[0], srv->host, srv->port);
	if (rc)
		return rc;
	cl->nconns = 1;
	return 0;
}

int dc_client_add_conn(struct dc_client *cl)
{
	int rc;

	if (cl->nconns >= DC_MAX_CONNS)
		return -ENOSPC;
	rc = dc_conn_open(&cl->conns[cl->nconns], cl->srv.host, cl->srv.port);
	if (rc)
		return rc;
	return cl->nconns++;
}

/* First connection whose reader is still alive, or NULL. */
static struct dc_conn *live_conn(struct dc_client *cl)
{
	unsigned i;

	for (i = 0; i < cl->nconns; i++) {
		struct dc_conn *c = cl->conns[i];
		bool dead;

		if (!c)
			continue;
		pthread_mutex_lock(&c->lock);
		dead = c->dead || c->stopping;
		pthread_mutex_unlock(&c->lock);
		if (!dead)
			return c;
	}
	return NULL;
}

/* Send c, built without SEQUENCE, on conn and free it. */
static int solo_on(struct dc_client *cl, struct dc_conn *conn,
		   struct dc_compound *c, nfsstat4 *status)
{
	struct dc_cres r;
	int rc;

	rc = dc_compound_call(conn, &cl->auth, c, &r, cl->timeout_ms);
	dc_compound_free(c);
	if (!rc)
		*status = r.res.status;
	dc_cres_free(&r);
	return rc;
}

static int destroy_session_on(struct dc_client *cl, struct dc_conn *conn,
			      const sessionid4 sid, nfsstat4 *status)
{
	struct dc_compound c;

	dc_compound_init(&c, 1, "destroy_session");
	dc_op_destroy_session(&c, sid);
	return solo_on(cl, conn, &c, status);
}

static int destroy_clientid_on(struct dc_client *cl, struct dc_conn *conn,
			       clientid4 clid, nfsstat4 *status)
{
	struct dc_compound c;

	dc_compound_init(&c, 1, "destroy_clientid");
	dc_op_destroy_clientid(&c, clid);
	return solo_on(cl, conn, &c, status);
}

void dc_client_destroy(struct dc_client *cl)
{
	struct dc_conn *conn;
	nfsstat4 st;
	unsigned i;

	if (!cl->inited)
		return;
	conn = live_conn(cl);
	if (conn && cl->have_session)
		destroy_session_on(cl, conn, cl->sid, &st);
	if (conn && cl->clientid)
		destroy_clientid_on(cl, conn, cl->clientid, &st);
	/* Close connections first: their readers may touch cb. */
	for (i = 0; i < DC_MAX_CONNS; i++) {
		dc_conn_close(cl->conns[i]);
		cl->conns[i] = NULL;
	}
	cl->nconns = 0;
	dc_slots_destroy(&cl->slots);
	dc_cb_destroy(&cl->cb);
	cl->inited = false;
}

int dc_client_exchange_id(struct dc_client *cl, uint32_t flags,
			  nfsstat4 *status)
{
	struct dc_compound c;
	struct dc_cres r;
	int rc;

	dc_compound_init(&c, 1, "exchange_id");
	dc_op_exchange_id(&c, cl->owner, cl->verf, flags);
	rc = dc_compound_call(cl->conns[0], &cl->auth, &c, &r, cl->timeout_ms);
	dc_compound_free(&c);
	if (rc) {
		dc_reply_free(&r.rpc);
		return rc;
	}
	*status = r.res.status;
	if (r.res.status == NFS4_OK && dc_cres_op(&r, 0)) {
		EXCHANGE_ID4resok *ok = &dc_cres_op(&r, 0)
			->nfs_resop4_u.opexchange_id.EXCHANGE_ID4res_u
			.eir_resok4;

		cl->clientid = ok->eir_clientid;
		cl->cs_seq = ok->eir_sequenceid;
		cl->eir_flags = ok->eir_flags;
	}
	dc_cres_free(&r);
	return 0;
}

int dc_client_create_session_raw(struct dc_client *cl, unsigned ci,
				 clientid4 clid, uint32_t seq, uint32_t flags,
				 const channel_attrs4 *fore,
				 const channel_attrs4 *back,
				 struct dc_cs_reply *out)
{
	CREATE_SESSION4resok *ok;
	struct dc_compound c;
	struct dc_cres r;
	int rc;

	memset(out, 0, sizeof(*out));
	dc_compound_init(&c, 1, "create_session");
	dc_op_create_session(&c, clid, seq, flags, fore, back, cl->cb.program,
			     &cl->auth);
	rc = dc_compound_call(cl->conns[ci], &cl->auth, &c, &r,
			      cl->timeout_ms);
	dc_compound_free(&c);
	if (!rc)
		out->status = r.res.status;
	if (!rc && out->status == NFS4_OK && !dc_cres_op(&r, 0))
		out->status = NFS4ERR_SERVERFAULT;
	if (!rc && out->status == NFS4_OK) {
		ok = &dc_cres_op(&r, 0)
			      ->nfs_resop4_u.opcreate_session
			      .CREATE_SESSION4res_u.csr_resok4;
		memcpy(out->sid, ok->csr_sessionid, NFS4_SESSIONID_SIZE);
		out->seq = ok->csr_sequence;
		out->flags = ok->csr_flags;
		out->attrs.fore = ok->csr_fore_chan_attrs;
		out->attrs.back = ok->csr_back_chan_attrs;
		/* The reply owns the ird arrays: dc_cres_free() frees them. */
		out->attrs.fore_ird = ok->csr_fore_chan_attrs.ca_rdma_ird
					      .ca_rdma_ird_len;
		out->attrs.back_ird = ok->csr_back_chan_attrs.ca_rdma_ird
					      .ca_rdma_ird_len;
		out->attrs.fore.ca_rdma_ird.ca_rdma_ird_len = 0;
		out->attrs.fore.ca_rdma_ird.ca_rdma_ird_val = NULL;
		out->attrs.back.ca_rdma_ird.ca_rdma_ird_len = 0;
		out->attrs.back.ca_rdma_ird.ca_rdma_ird_val = NULL;
	}
	dc_cres_free(&r);
	return rc;
}

int dc_client_create_session_with(struct dc_client *cl, uint32_t flags,
				  const channel_attrs4 *fore,
				  const channel_attrs4 *back, bool serve,
				  nfsstat4 *status,
				  struct dc_cs_granted *granted)
{
	struct dc_cs_reply o;
	int rc;

	if (granted)
		memset(granted, 0, sizeof(*granted));
	/* Serve callbacks before the server may send any. */
	if (serve)
		dc_cb_attach(&cl->cb, cl->conns[0]);
	rc = dc_client_create_session_raw(cl, 0, cl->clientid, cl->cs_seq,
					  flags, fore, back, &o);
	if (rc)
		return rc;
	*status = o.status;
	if (o.status != NFS4_OK)
		return 0;
	memcpy(cl->sid, o.sid, NFS4_SESSIONID_SIZE);
	cl->fore = o.attrs.fore;
	cl->back = o.attrs.back;
	if (granted)
		*granted = o.attrs;
	cl->have_session = true;
	cl->cs_seq++;
	dc_slots_destroy(&cl->slots);
	rc = dc_slots_init(&cl->slots,
			   cl->fore.ca_maxrequests ? cl->fore.ca_maxrequests : 1);
	dc_cb_set_session(&cl->cb, cl->sid, cl->back.ca_maxrequests);
	return rc;
}

int dc_client_create_session(struct dc_client *cl, uint32_t flags,
			     uint32_t slots, nfsstat4 *status)
{
	channel_attrs4 fore, back;

	dc_default_chan_attrs(&fore, slots);
	dc_default_back_chan_attrs(&back, 4);
	return dc_client_create_session_with(cl, flags, &fore, &back, true,
					     status, NULL);
}

int dc_server_parse(const char *s, struct dc_server *srv)
{
	const char *c1 = strchr(s, ':'), *c2;
	char *end;
	long port;

	memset(srv, 0, sizeof(*srv));
	if (!c1 || (size_t)(c1 - s) >= sizeof(srv->host))
		return -1;
	memcpy(srv->host, s, c1 - s);
	c2 = strchr(c1 + 1, ':');
	port = strtol(c1 + 1, &end, 10);
	if (port <= 0 || port > 65535 || (c2 && end != c2) || (!c2 && *end))
		return -1;
	srv->port = port;
	snprintf(srv->export, sizeof(srv->export), "%s", c2 ? c2 + 1 : "/");
	return 0;
}

bool dc_server_alive(const struct dc_server *srv)
{
	struct dc_conn *c;
	int rc = dc_conn_open(&c, srv->host, srv->port);

	if (rc)
		return false;
	rc = dc_rpc_null(c, NFS4_PROGRAM, NFS_V4, DC_DEFAULT_TIMEOUT_MS);
	dc_conn_close(c);
	return rc == 0;
}

int dc_client_on_fh(struct dc_client *cl, const char *tag, uint32_t minor,
		    const nfs_fh4 *fh,
		    void (*fill)(struct dc_compound *c, void *arg), void *arg,
		    struct dc_cres *r)
{
	struct dc_compound c;
	uint32_t slot;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = dc_client_begin(cl, &c, tag, false, &slot);
	if (rc)
		return rc;
	c.minor = minor;
	if (fh)
		dc_op_putfh(&c, fh);
	else
		dc_client_put_export(cl, &c);
	if (fill)
		fill(&c, arg);
	rc = dc_client_send(cl, 0, &c, slot, r);
	dc_compound_free(&c);
	return rc;
}

int dc_client_solo(struct dc_client *cl, struct dc_compound *c,
		   nfsstat4 *status)
{
	return solo_on(cl, cl->conns[0], c, status);
}

int dc_client_destroy_session(struct dc_client *cl, const sessionid4 sid,
			      nfsstat4 *status)
{
	return destroy_session_on(cl, cl->conns[0], sid, status);
}

int dc_client_destroy_clientid(struct dc_client *cl, clientid4 clid,
			       nfsstat4 *status)
{
	return destroy_clientid_on(cl, cl->conns[0], clid, status);
}

int dc_client_init_retry(struct dc_client *cl, const struct dc_server *srv,
			 const char *owner, unsigned int tries,
			 unsigned int pause_ms)
{
	struct timespec pause = { pause_ms / 1000,
				  (pause_ms % 1000) * 1000000L };
	unsigned int i;
	int rc = -1;

	for (i = 0; i < tries; i++) {
		rc = dc_client_init(cl, srv, owner);
		if (!rc)
			break;
		dc_client_destroy(cl);
		nanosleep(&pause, NULL);
	}
	return rc;
}

int dc_client_open_session(struct dc_client *cl, uint32_t slots,
			   nfsstat4 *status)
{
	int rc;

	rc = dc_client_exchange_id(cl, EXCHGID4_FLAG_USE_NON_PNFS, status);
	if (rc || *status != NFS4_OK)
		return rc;
	rc = dc_client_create_session(cl, CREATE_SESSION4_FLAG_CONN_BACK_CHAN,
				      slots, status);
	if (rc || *status != NFS4_OK)
		return rc;
	return cl->fore.ca_maxrequests < slots ? -ERANGE : 0;
}

static void fill_reclaim_complete(struct dc_compound *c, void *arg)
{
	dc_op_reclaim_complete(c, false);
}

int dc_client_mount(struct dc_client *cl)
{
	nfsstat4 st;
	int rc;

	rc = dc_client_exchange_id(cl, EXCHGID4_FLAG_USE_NON_PNFS, &st);
	if (rc)
		return rc;
	if (st != NFS4_OK)
		return -EPROTO;
	rc = dc_client_create_session(cl, CREATE_SESSION4_FLAG_CONN_BACK_CHAN,
				      8, &st);
	if (rc)
		return rc;
	if (st != NFS4_OK)
		return -EPROTO;
	rc = dc_client_simple(cl, fill_reclaim_complete, NULL, NULL, &st);
	if (rc)
		return rc;
	return st == NFS4_OK ? 0 : -EPROTO;
}

int dc_client_begin(struct dc_client *cl, struct dc_compound *c,
		    const char *tag, bool cachethis, uint32_t *slot)
{
	uint32_t seqid;
	int s = dc_slot_get(&cl->slots, &seqid);

	if (s < 0)
		return -EBUSY;
	dc_compound_init(c, cl->minor ? cl->minor : 1, tag);
	dc_op_sequence(c, cl->sid, seqid, s, dc_slot_highest_busy(&cl->slots),
		       cachethis);
	*slot = s;
	return 0;
}

void dc_client_slot_done(struct dc_client *cl, uint32_t slot,
			 struct dc_cres *res)
{
	bool processed = false;

	if (res && res->decoded && dc_cres_op(res, 0) &&
	    dc_cres_op(res, 0)->resop == NFS4_OP_SEQUENCE)
		processed = dc_slot_status_processed(dc_cres_status(res, 0));
	dc_slot_put(&cl->slots, slot, processed);
}

int dc_client_send(struct dc_client *cl, unsigned ci, struct dc_compound *c,
		   uint32_t slot, struct dc_cres *res)
{
	int rc;

	if (ci >= cl->nconns) {
		dc_slot_put(&cl->slots, slot, false);
		memset(res, 0, sizeof(*res));
		return -EINVAL;
	}
	rc = dc_compound_call(cl->conns[ci], &cl->auth, c, res,
			      cl->timeout_ms);
	dc_client_slot_done(cl, slot, rc ? NULL : res);
	return rc;
}

int dc_client_on_slot(struct dc_client *cl, uint32_t slot, uint32_t seqid,
		      bool cachethis,
		      void (*fill)(struct dc_compound *c, void *arg), void *arg,
		      struct dc_cres *r)
{
	struct dc_compound c;
	int rc;

	dc_compound_init(&c, 1, "slot");
	dc_op_sequence(&c, cl->sid, seqid, slot, slot, cachethis);
	if (fill)
		fill(&c, arg);
	rc = dc_compound_call(cl->conns[0], &cl->auth, &c, r, cl->timeout_ms);
	dc_compound_free(&c);
	return rc;
}

void dc_fill_root_getfh(struct dc_compound *c, void *arg)
{
	dc_op_putrootfh(c);
	dc_op_getfh(c);
}

void dc_client_put_export(struct dc_client *cl, struct dc_compound *c)
{
	char path[256], *save = NULL, *p;

	dc_op_putrootfh(c);
	snprintf(path, sizeof(path), "%s", cl->srv.export);
	for (p = strtok_r(path, "/", &save); p; p = strtok_r(NULL, "/", &save))
		dc_op_lookup(c, p);
}

int dc_client_reborn(const struct dc_client *old, struct dc_client *cl)
{
	nfsstat4 st;
	int rc = dc_client_init(cl, &old->srv, old->owner);

	if (rc)
		return rc;
	memcpy(cl->verf, old->verf, sizeof(cl->verf));
	rc = dc_client_exchange_id(cl, EXCHGID4_FLAG_USE_NON_PNFS, &st);
	if (!rc && st != NFS4_OK)
		rc = -EPROTO;
	if (!rc)
		rc = dc_client_create_session(
			cl, CREATE_SESSION4_FLAG_CONN_BACK_CHAN, 8, &st);
	if (!rc && st != NFS4_OK)
		rc = -EPROTO;
	return rc;
}

int dc_client_reclaim_complete(struct dc_client *cl, nfsstat4 *st)
{
	return dc_client_simple(cl, fill_reclaim_complete, NULL, NULL, st);
}

int dc_client_simple(struct dc_client *cl,
		     void (*fill)(struct dc_compound *c, void *arg), void *arg,
		     struct dc_cres *res, nfsstat4 *status)
{
	struct dc_compound c;
	struct dc_cres local;
	uint32_t slot;
	int rc;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	rc = dc_client_begin(cl, &c, "simple", false, &slot);
	if (rc)
		return rc;
	if (fill)
		fill(&c, arg);
	rc = dc_client_send(cl, 0, &c, slot, res);
	dc_compound_free(&c);
	if (!rc)
		*status = res->res.status;
	if (rc || res == &local)
		dc_cres_free(res);
	return rc;
}

int dc_client_test_stateids(struct dc_client *cl, const stateid4 *ids,
			    unsigned n, nfsstat4 *st, nfsstat4 *codes,
			    unsigned *ncodes)
{
	struct dc_compound c;
	struct dc_cres r = { 0 };
	uint32_t slot;
	unsigned i;
	int rc;

	*ncodes = 0;
	rc = dc_client_begin(cl, &c, "test_stateid", false, &slot);
	if (rc)
		return rc;
	dc_op_test_stateid(&c, ids, n);
	rc = dc_client_send(cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (!rc) {
		*st = r.res.status;
		if (*st == NFS4_OK) {
			TEST_STATEID4resok *ok =
				&dc_cres_op(&r, 1)->nfs_resop4_u.optest_stateid
					 .TEST_STATEID4res_u.tsr_resok4;

			*ncodes = ok->tsr_status_codes.tsr_status_codes_len;
			for (i = 0; i < *ncodes && i < n; i++)
				codes[i] = ok->tsr_status_codes
						   .tsr_status_codes_val[i];
		}
	}
	dc_cres_free(&r);
	return rc;
}

int dc_client_test_stateid(struct dc_client *cl, const stateid4 *sid,
			   nfsstat4 *code)
{
	nfsstat4 st, one;
	unsigned n;
	int rc = dc_client_test_stateids(cl, sid, 1, &st, &one, &n);

	if (!rc)
		*code = st != NFS4_OK ? st : n == 1 ? one : (nfsstat4)-1;
	return rc;
}

int dc_client_free_stateid(struct dc_client *cl, const stateid4 *sid,
			   nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r = { 0 };
	uint32_t slot;
	int rc;

	rc = dc_client_begin(cl, &c, "free_stateid", false, &slot);
	if (rc)
		return rc;
	dc_op_free_stateid(&c, sid);
	rc = dc_client_send(cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (!rc)
		*st = dc_cres_op(&r, 1) ? dc_cres_status(&r, 1) :
					  r.res.status;
	dc_cres_free(&r);
	return rc;
}

int dc_client_bind_conn(struct dc_client *cl, unsigned ci,
			channel_dir_from_client4 dir, nfsstat4 *st,
			channel_dir_from_server4 *got)
{
	return dc_client_bind_on(cl, cl->conns[ci], dir, st, got);
}

int dc_client_bind_on(struct dc_client *cl, struct dc_conn *conn,
		      channel_dir_from_client4 dir, nfsstat4 *st,
		      channel_dir_from_server4 *got)
{
	BIND_CONN_TO_SESSION4resok *ok;
	struct dc_compound c;
	struct dc_cres r = { 0 };
	int rc;

	dc_compound_init(&c, 1, "bind_conn");
	dc_op_bind_conn(&c, cl->sid, dir);
	rc = dc_compound_call(conn, &cl->auth, &c, &r, cl->timeout_ms);
	dc_compound_free(&c);
	if (!rc)
		*st = r.res.status;
	if (!rc && *st == NFS4_OK) {
		ok = &dc_cres_op(&r, 0)
			      ->nfs_resop4_u.opbind_conn_to_session
			      .BIND_CONN_TO_SESSION4res_u.bctsr_resok4;
		if (memcmp(ok->bctsr_sessid, cl->sid, sizeof(cl->sid)))
			*st = NFS4ERR_SERVERFAULT;
		else if (got)
			*got = ok->bctsr_dir;
	}
	dc_cres_free(&r);
	return rc;
}

void dc_fh_free(nfs_fh4 *fh)
{
	free(fh->nfs_fh4_val);
	fh->nfs_fh4_val = NULL;
	fh->nfs_fh4_len = 0;
}

void dc_fh_copy(nfs_fh4 *dst, const nfs_fh4 *src)
{
	dst->nfs_fh4_len = src->nfs_fh4_len;
	dst->nfs_fh4_val = malloc(src->nfs_fh4_len ? src->nfs_fh4_len : 1);
	memcpy(dst->nfs_fh4_val, src->nfs_fh4_val, src->nfs_fh4_len);
}

void dc_client_open_owner(const struct dc_client *cl, char *buf, size_t len)
{
	snprintf(buf, len, "oo-%llx", (unsigned long long)cl->clientid);
}

int dc_client_open_file(struct dc_client *cl, const char *name, bool create,
			stateid4 *sid, nfs_fh4 *fh, nfsstat4 *status)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	char oo[64];
	int rc;

	rc = dc_client_begin(cl, &c, "open", false, &slot);
	if (rc)
		return rc;
	dc_client_put_export(cl, &c);
	dc_client_open_owner(cl, oo, sizeof(oo));
	dc_op_open(&c, 0, cl->clientid, oo, name, create,
		   OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG);
	dc_op_getfh(&c);
	rc = dc_client_send(cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (rc) {
		dc_reply_free(&r.rpc);
		return rc;
	}
	*status = r.res.status;
	if (r.res.status == NFS4_OK) {
		unsigned n = r.res.resarray.resarray_len;

		*sid = dc_cres_op(&r, n - 2)
			       ->nfs_resop4_u.opopen.OPEN4res_u.resok4.stateid;
		dc_fh_copy(fh, &dc_cres_op(&r, n - 1)
				       ->nfs_resop4_u.opgetfh.GETFH4res_u
				       .resok4.object);
	}
	dc_cres_free(&r);
	return 0;
}

int dc_client_close_file(struct dc_client *cl, const nfs_fh4 *fh,
			 const stateid4 *sid, nfsstat4 *status)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc;

	rc = dc_client_begin(cl, &c, "close", false, &slot);
	if (rc)
		return rc;
	dc_op_putfh(&c, fh);
	dc_op_close(&c, 0, sid);
	rc = dc_client_send(cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (!rc)
		*status = r.res.status;
	dc_cres_free(&r);
	return rc;
}

int dc_client_seq_flags(struct dc_client *cl, uint32_t *flags, nfsstat4 *st)
{
	struct dc_cres r;
	int rc;

	*flags = 0;
	rc = dc_client_simple(cl, NULL, NULL, &r, st);
	if (rc)
		return rc;
	if (*st == NFS4_OK)
		*flags = dc_cres_op(&r, 0)
				 ->nfs_resop4_u.opsequence.SEQUENCE4res_u
				 .sr_resok4.sr_status_flags;
	dc_cres_free(&r);
	return 0;
}

bool dc_client_wait_seq_flags(struct dc_client *cl, uint32_t mask,
			      uint32_t want, int timeout_ms, int poll_ms,
			      uint32_t *flags, nfsstat4 *st)
{
	struct timespec t, end, pause = { poll_ms / 1000,
					  (long)(poll_ms % 1000) * 1000000L };

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		if (dc_client_seq_flags(cl, flags, st) || *st != NFS4_OK)
			return false;
		if ((*flags & mask) == want)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec > end.tv_sec ||
		    (t.tv_sec == end.tv_sec && t.tv_nsec >= end.tv_nsec))
			return false;
		nanosleep(&pause, NULL);
	}
}

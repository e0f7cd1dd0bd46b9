// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Soak client: sessions over two connections, recovery of cut
 * connections by replay (RFC 8881 2.10.6), session and client churn,
 * delegations and their recalls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "soak_client.h"
#include "soak_stats.h"

#define NFS4_PROC_COMPOUND 1
/* Largest call record we build (a WRITE of 32 KiB and headers). */
#define REC_MAX (256u * 1024)
/* An operation answered NFS4ERR_DELAY is retried for at most this long:
 * a conflicting delegation of a client that vanished is only gone once
 * that client's lease (10 s in soak.conf) expired and was reaped.
 */
#define OP_DELAY_BOUND_S 120.0
/* SEQUENCE NFS4ERR_DELAY: the slot still runs the first copy. */
#define SEQ_DELAY_TRIES 500
#define TRANSPORT_TRIES 3

static const uint32_t bad_flags = SEQ4_STATUS_BACKCHANNEL_FAULT |
				  SEQ4_STATUS_RECALLABLE_STATE_REVOKED |
				  SEQ4_STATUS_EXPIRED_ALL_STATE_REVOKED |
				  SEQ4_STATUS_EXPIRED_SOME_STATE_REVOKED |
				  SEQ4_STATUS_ADMIN_STATE_REVOKED;

uint64_t sk_rand(struct sk_client *sc)
{
	/* xorshift64*: per client, so runs are reproducible per seed */
	sc->rng ^= sc->rng >> 12;
	sc->rng ^= sc->rng << 25;
	sc->rng ^= sc->rng >> 27;
	return sc->rng * 2685821657736338717ull;
}

unsigned sk_randn(struct sk_client *sc, unsigned n)
{
	return n ? (unsigned)((sk_rand(sc) >> 11) % n) : 0;
}

double sk_rand01(struct sk_client *sc)
{
	return (sk_rand(sc) >> 11) / 9007199254740992.0;
}

void sk_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000L };

	nanosleep(&ts, NULL);
}

double sk_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- back channel ----------------------------------------------- */

/*
 * Whether a callback is the last one seen on its slot (same sequence id)
 * and one of our connections was cut since: a legal retry.
 */
static bool cb_retry_after_drop(struct sk_client *sc,
				const struct dc_cb_record *rec)
{
	const struct dc_backchannel *cb = &sc->cl.cb;

	return cb->have_sid &&
	       !memcmp(rec->seq_sid, cb->sid, NFS4_SESSIONID_SIZE) &&
	       rec->seq_slot < cb->nslots && rec->seq_slot < DC_CB_MAX_SLOTS &&
	       rec->seq_seqid == cb->slot_seqid[rec->seq_slot] &&
	       __atomic_load_n(&sc->drops, __ATOMIC_RELAXED) >
		       sc->cb_slot_drops[rec->seq_slot];
}

/* Runs on a connection's reader thread with the back channel locked. */
static enum dc_cb_action on_callback(void *arg,
				     const struct dc_cb_record *rec,
				     nfsstat4 *status)
{
	struct sk_client *sc = arg;
	unsigned i;

	if (rec->has_sequence && !rec->seq_valid) {
		/*
		 * A callback the server sent on the session we destroyed
		 * may cross the DESTROY_SESSION reply on another connection;
		 * we answer BADSESSION (the library does) and the server
		 * sends it again on the new session.  Counted; the first few
		 * are shown with how long after the reply they came.
		 */
		if (sc->have_old_sid &&
		    !memcmp(rec->seq_sid, sc->old_sid, NFS4_SESSIONID_SIZE)) {
			uint64_t *n = &sk_stats.events[SK_EV_CB_OLD_SESSION];

			sk_count(SK_EV_CB_OLD_SESSION);
			if (__atomic_load_n(n, __ATOMIC_RELAXED) <= 5)
				fprintf(stderr, "soak: note [%s] callback on "
					"the session destroyed %.1f ms "
					"before\n", sc->who,
					(sk_now() - sc->old_sid_gone) * 1e3);
		} else if (cb_retry_after_drop(sc, rec)) {
			/*
			 * The server sends a callback again on the same slot
			 * and sequence id after the connection it went out on
			 * was cut (RFC 8881 2.10.6.2); we saw it before and
			 * keep no reply: the library answered
			 * NFS4ERR_RETRY_UNCACHED_REP, and its operations were
			 * handled the first time.
			 */
			sk_count(SK_EV_CB_RETRY);
			return DC_CB_OK;
		} else {
			sk_error(sc->who, "callback with a bad CB_SEQUENCE: %s",
				 rec->seq_problem);
		}
	} else if (rec->has_sequence && rec->seq_slot < DC_CB_MAX_SLOTS) {
		sc->cb_slot_drops[rec->seq_slot] =
			__atomic_load_n(&sc->drops, __ATOMIC_RELAXED);
	}
	for (i = 0; i < rec->nops && i < DC_CB_MAX_OPS; i++) {
		switch (rec->ops[i]) {
		case NFS4_OP_CB_SEQUENCE:
			break;
		case NFS4_OP_CB_RECALL:
			sk_count(SK_EV_CB_RECALL);
			pthread_mutex_lock(&sc->rlock);
			if (sc->nrecalls < SK_MAX_RECALLS)
				sc->recalls[sc->nrecalls++] = rec->recall_sid;
			else
				sk_error(sc->who, "more than %u recalls queued",
					 SK_MAX_RECALLS);
			pthread_mutex_unlock(&sc->rlock);
			break;
		case NFS4_OP_CB_NOTIFY:
			sk_count(SK_EV_CB_NOTIFY);
			break;
		default:
			sk_count(SK_EV_CB_OTHER);
			break;
		}
	}
	return DC_CB_OK;
}

/* ---- sending ----------------------------------------------------- */

static void count_ops(const struct dc_compound *c)
{
	unsigned i;

	for (i = 0; i < c->nops; i++)
		sk_count_op(c->ops[i].argop);
}

/* The whole RPC call record of c with the given xid. */
static int encode_call(struct sk_client *sc, struct dc_compound *c,
		       uint32_t xid, uint8_t *buf, size_t size)
{
	COMPOUND4args args;
	XDR x;

	dc_compound_args(c, &args);
	xdrmem_create(&x, (char *)buf, size, XDR_ENCODE);
	if (!dc_rpc_encode_call_hdr(&x, xid, NFS4_PROGRAM, NFS_V4,
				    NFS4_PROC_COMPOUND, &sc->cl.auth) ||
	    !xdr_COMPOUND4args(&x, &args))
		return -EINVAL;
	return xdr_getpos(&x);
}

/* Send a whole record on conns[ci] and decode the COMPOUND4res. */
static int send_record(struct sk_client *sc, unsigned ci, const uint8_t *buf,
		       size_t len, struct dc_cres *res)
{
	int rc;

	memset(res, 0, sizeof(*res));
	rc = dc_rpc_send_record(sc->cl.conns[ci], buf, len, false, &res->rpc,
				sc->cl.timeout_ms);
	if (rc)
		return rc;
	return dc_cres_decode(res);
}

static bool transport_error(int rc)
{
	return rc != -EPROTO && rc != -EBADMSG && rc != -EINVAL;
}

static int bind_conn(struct sk_client *sc, unsigned ci)
{
	BIND_CONN_TO_SESSION4resok *ok;
	struct dc_compound c;
	struct dc_cres r;
	int rc, ret = -1;

	dc_compound_init(&c, 1, "bind_conn");
	dc_op_bind_conn(&c, sc->cl.sid, CDFC4_BACK_OR_BOTH);
	count_ops(&c);
	rc = dc_compound_call(sc->cl.conns[ci], &sc->cl.auth, &c, &r,
			      sc->cl.timeout_ms);
	dc_compound_free(&c);
	if (rc) {
		sk_error(sc->who, "BIND_CONN_TO_SESSION: no reply (%s)",
			 strerror(-rc));
		dc_cres_free(&r);
		return -1;
	}
	sk_count(SK_EV_COMPOUNDS);
	if (r.res.status != NFS4_OK || !dc_cres_op(&r, 0)) {
		sk_error(sc->who, "BIND_CONN_TO_SESSION answered %s",
			 dc_nfsstat_name(r.res.status));
		goto out;
	}
	ok = &dc_cres_op(&r, 0)
		      ->nfs_resop4_u.opbind_conn_to_session
		      .BIND_CONN_TO_SESSION4res_u.bctsr_resok4;
	if (memcmp(ok->bctsr_sessid, sc->cl.sid, NFS4_SESSIONID_SIZE))
		sk_error(sc->who, "BIND_CONN_TO_SESSION: other session id");
	else if (ok->bctsr_dir != CDFS4_BOTH)
		sk_error(sc->who,
			 "BIND_CONN_TO_SESSION BACK_OR_BOTH got dir %u, not "
			 "BOTH", ok->bctsr_dir);
	else
		ret = 0;
out:
	dc_cres_free(&r);
	return ret;
}

/* Replace conns[ci] by a new connection; bind it when a session is up. */
static int reconnect(struct sk_client *sc, unsigned ci)
{
	int rc;

	dc_conn_close(sc->cl.conns[ci]);
	sc->cl.conns[ci] = NULL;
	/* Counted once the old connection's reader is gone: a callback it
	 * answered is older than the cut, a retry of it newer.
	 */
	__atomic_add_fetch(&sc->drops, 1, __ATOMIC_RELAXED);
	rc = dc_conn_open(&sc->cl.conns[ci], sc->srv.host, sc->srv.port);
	if (rc) {
		sk_error(sc->who, "reconnect: %s", strerror(-rc));
		sc->dead = true;
		return -1;
	}
	dc_cb_attach(&sc->cl.cb, sc->cl.conns[ci]);
	sk_count(SK_EV_RECONNECTS);
	if (!sc->up)
		return 0;
	return bind_conn(sc, ci);
}

/* Check the SEQUENCE result of a reply; false with an error reported. */
static bool check_sequence(struct sk_client *sc, struct dc_compound *c,
			   struct dc_cres *res, uint32_t slot, uint32_t seq)
{
	SEQUENCE4resok *ok = &dc_cres_op(res, 0)
				      ->nfs_resop4_u.opsequence
				      .SEQUENCE4res_u.sr_resok4;
	uint32_t fl = ok->sr_status_flags;

	if (memcmp(ok->sr_sessionid, sc->cl.sid, NFS4_SESSIONID_SIZE) ||
	    ok->sr_sequenceid != seq || ok->sr_slotid != slot) {
		sk_error(sc->who,
			 "%s: SEQUENCE reply names slot %u seqid %u, sent "
			 "slot %u seqid %u", c->tag, ok->sr_slotid,
			 ok->sr_sequenceid, slot, seq);
		return false;
	}
	if (fl & (SEQ4_STATUS_CB_PATH_DOWN | SEQ4_STATUS_CB_PATH_DOWN_SESSION))
		sk_count(SK_EV_PATH_DOWN);
	/* Reported once per client incarnation, they stay set. */
	if ((fl & bad_flags) & ~sc->flags_seen) {
		sk_error(sc->who, "%s: SEQUENCE sr_status_flags %#x (state "
			 "revoked or back channel fault)", c->tag, fl);
		sc->flags_seen |= fl & bad_flags;
	}
	return true;
}

void sk_begin(struct sk_client *sc, struct dc_compound *c, const char *tag)
{
	static const sessionid4 none;

	dc_compound_init(c, 1, tag);
	dc_op_sequence(c, none, 0, 0, 0, false);
}

int sk_call(struct sk_client *sc, struct dc_compound *c, unsigned flags,
	    struct dc_cres *res)
{
	SEQUENCE4args *sa = &c->ops[0].nfs_argop4_u.opsequence;
	bool cache = flags & SK_CACHE, delayed = false;
	unsigned seq_delays = 0;
	double t0 = sk_now();
	uint8_t *buf;
	int len, rc;

	memset(res, 0, sizeof(*res));
	if (sc->dead || !sc->up)
		return -1;
	buf = malloc(REC_MAX);
	if (!buf)
		abort();
	/* One pass per (slot, sequence id) used. */
	for (;;) {
		uint32_t slot = sk_randn(sc, sc->nslots);
		uint32_t seq = sc->seqids[slot] + 1;
		unsigned ci = sk_randn(sc, SK_NCONNS), tries = 0;
		bool resent = false;
		nfsstat4 sst;

		memcpy(sa->sa_sessionid, sc->cl.sid, NFS4_SESSIONID_SIZE);
		sa->sa_sequenceid = seq;
		sa->sa_slotid = slot;
		sa->sa_highest_slotid = sc->nslots - 1;
		sa->sa_cachethis = cache;
		len = encode_call(sc, c, dc_conn_new_xid(sc->cl.conns[ci]), buf,
				  REC_MAX);
		if (len < 0) {
			sk_error(sc->who, "%s: cannot encode", c->tag);
			goto fail;
		}
		count_ops(c);
		if (!(flags & SK_NODROP) && sk_rand01(sc) < sc->drop_rate) {
			/* Cut the connection with the request in flight:
			 * sometimes at once, sometimes while the server
			 * works on it.
			 */
			dc_conn_send(sc->cl.conns[ci], buf, len);
			if (sk_randn(sc, 2))
				sleep_us(sk_randn(sc, 3000));
			sk_count(SK_EV_DROPS);
			if (reconnect(sc, ci))
				goto fail;
			resent = true;
			sk_count(SK_EV_RESENDS);
		}
		for (;;) {
			rc = send_record(sc, ci, buf, len, res);
			if (!rc) {
				nfs_resop4 *op0 = dc_cres_op(res, 0);

				if (op0 && op0->resop == NFS4_OP_SEQUENCE &&
				    op0->nfs_resop4_u.opsequence.sr_status ==
					    NFS4ERR_DELAY &&
				    ++seq_delays < SEQ_DELAY_TRIES) {
					/* The first copy still holds the
					 * slot: ask again, same bytes.
					 */
					sk_count(SK_EV_SEQ_DELAY);
					dc_cres_free(res);
					sk_sleep_ms(10);
					continue;
				}
				break;
			}
			dc_cres_free(res);
			if (!transport_error(rc)) {
				sk_error(sc->who, "%s: undecodable reply (%s)",
					 c->tag, strerror(-rc));
				goto fail;
			}
			if (++tries >= TRANSPORT_TRIES) {
				sk_error(sc->who, "%s: no reply after %u "
					 "connections (%s)", c->tag, tries,
					 strerror(-rc));
				sc->dead = true;
				goto fail;
			}
			sk_error(sc->who, "%s: transport error on connection "
				 "%u (%s); resending", c->tag, ci,
				 strerror(-rc));
			if (reconnect(sc, ci))
				goto fail;
			resent = true;
			sk_count(SK_EV_RESENDS);
		}
		sk_count(SK_EV_COMPOUNDS);
		if (!dc_cres_op(res, 0) ||
		    dc_cres_op(res, 0)->resop != NFS4_OP_SEQUENCE) {
			sk_error(sc->who, "%s: no SEQUENCE result (status %s)",
				 c->tag, dc_nfsstat_name(res->res.status));
			goto fail_free;
		}
		sst = dc_cres_status(res, 0);
		if (dc_slot_status_processed(sst))
			sc->seqids[slot] = seq;
		/* The replay of an uncached reply: SEQUENCE itself fails,
		 * or (Ganesha, Linux nfsd) succeeds and the next result is
		 * RETRY_UNCACHED_REP.
		 */
		if (sst == NFS4_OK && res->res.resarray.resarray_len == 2 &&
		    dc_cres_status(res, 1) == NFS4ERR_RETRY_UNCACHED_REP)
			sst = NFS4ERR_RETRY_UNCACHED_REP;
		if (sst == NFS4ERR_RETRY_UNCACHED_REP && resent && !cache) {
			/* 2.10.6.1.3: the first copy was executed and its
			 * reply not kept; an idempotent request may simply
			 * be sent again on a new sequence id.
			 */
			sk_count(SK_EV_UNCACHED_RETRY);
			dc_cres_free(res);
			continue;
		}
		if (sst != NFS4_OK) {
			sk_error(sc->who, "%s: SEQUENCE slot %u seqid %u%s "
				 "answered %s", c->tag, slot, seq,
				 resent ? " (resent)" : "",
				 dc_nfsstat_name(sst));
			goto fail_free;
		}
		if (!check_sequence(sc, c, res, slot, seq))
			goto fail_free;
		if (res->res.status != NFS4ERR_DELAY && delayed)
			sk_note_delay(sk_now() - t0);
		if (res->res.status == NFS4ERR_DELAY) {
			delayed = true;
			/* A conflict (e.g. a delegation being recalled):
			 * answer our own recalls meanwhile, or two clients
			 * could wait on each other until revocation.
			 */
			sk_count(SK_EV_OP_DELAY);
			dc_cres_free(res);
			if (sk_now() - t0 > OP_DELAY_BOUND_S) {
				sk_error(sc->who, "%s: still NFS4ERR_DELAY "
					 "after %.0f s", c->tag,
					 OP_DELAY_BOUND_S);
				goto fail;
			}
			sk_service_recalls(sc);
			sk_sleep_ms(20 + sk_randn(sc, 80));
			continue;
		}
		free(buf);
		return 0;
	}
fail_free:
	dc_cres_free(res);
fail:
	memset(res, 0, sizeof(*res));
	free(buf);
	return -1;
}

static bool status_in(nfsstat4 st, const nfsstat4 *allowed, unsigned n)
{
	unsigned i;

	if (!n)
		return st == NFS4_OK;
	for (i = 0; i < n; i++)
		if (allowed[i] == st)
			return true;
	return false;
}

int sk_call_expect(struct sk_client *sc, struct dc_compound *c,
		   unsigned flags, struct dc_cres *res, const char *what,
		   const nfsstat4 *allowed, unsigned nallowed)
{
	struct dc_cres local;
	unsigned n;
	nfsstat4 st;

	if (!res)
		res = &local;
	if (sk_call(sc, c, flags, res))
		return -1;
	n = res->res.resarray.resarray_len;
	st = dc_cres_status(res, n - 1);
	if (!status_in(st, allowed, nallowed) ||
	    (st == NFS4_OK && (res->res.status != NFS4_OK || n != c->nops))) {
		sk_error(sc->who, "%s: %s (op %u of %u) answered %s", what,
			 sk_op_name(dc_cres_op(res, n - 1)->resop), n,
			 c->nops, dc_nfsstat_name(st));
		dc_cres_free(res);
		return -1;
	}
	if (res == &local)
		dc_cres_free(res);
	return st;
}

/* A sessionless single-op COMPOUND on conns[0] (DESTROY_*). */
static int call_plain(struct sk_client *sc, struct dc_compound *c,
		      const char *what)
{
	unsigned busy = 0;
	struct dc_cres r;
	nfsstat4 st;
	int rc;

again:
	count_ops(c);
	rc = dc_compound_call(sc->cl.conns[0], &sc->cl.auth, c, &r,
			      sc->cl.timeout_ms);
	if (rc) {
		dc_compound_free(c);
		sk_error(sc->who, "%s: no reply (%s)", what, strerror(-rc));
		dc_cres_free(&r);
		return -1;
	}
	sk_count(SK_EV_COMPOUNDS);
	st = r.res.status;
	dc_cres_free(&r);
	/*
	 * Our sessions are destroyed and every delegation returned, so
	 * 18.50.3 leaves nothing to be busy about; but the server's
	 * back channel CB_NULL probe (patch 0033) keeps a destroyed
	 * session on the client's list until it ends.  Retried as the
	 * Linux client does (nfs4_proc_destroy_clientid), counted, and an
	 * error only if it lasts.
	 */
	if (st == NFS4ERR_CLIENTID_BUSY && c->ops[0].argop ==
	    NFS4_OP_DESTROY_CLIENTID && sc->ndelegs == 0 && !sc->dd_held &&
	    ++busy < 50) {
		sk_count(SK_EV_CLIENTID_BUSY);
		sk_sleep_ms(100);
		goto again;
	}
	dc_compound_free(c);
	if (st != NFS4_OK) {
		sk_error(sc->who, "%s answered %s", what, dc_nfsstat_name(st));
		return -1;
	}
	return 0;
}

/* ---- sessions and clients ---------------------------------------- */

void sk_client_setup(struct sk_client *sc, const struct dc_server *srv,
		     const char *owner, unsigned idx, uint64_t seed,
		     double drop_rate, const nfs_fh4 *shared)
{
	memset(sc, 0, sizeof(*sc));
	sc->srv = *srv;
	snprintf(sc->base_owner, sizeof(sc->base_owner), "%s", owner);
	snprintf(sc->who, sizeof(sc->who), "c%02u", idx);
	sc->idx = idx;
	sc->rng = seed * 0x9E3779B97F4A7C15ull + idx + 1;
	sc->drop_rate = drop_rate;
	sc->dd_fh = shared;
	pthread_mutex_init(&sc->rlock, NULL);
}

/*
 * CREATE_SESSION on conns[0]; cut that connection under it when drop
 * (the reply must then come from the server's CREATE_SESSION replay
 * cache, 18.36.4, or from a first execution).  Then both connections
 * are bound to fore and back channel.
 */
static int create_session(struct sk_client *sc, uint32_t flags, bool drop)
{
	CREATE_SESSION4resok *ok;
	channel_attrs4 fore, back;
	struct dc_compound c;
	struct dc_cres r;
	uint8_t *buf = malloc(REC_MAX);
	int len, rc, ret = -1;
	bool resent = false;

	if (!buf)
		abort();
	dc_default_chan_attrs(&fore, SK_FORE_SLOTS);
	dc_default_back_chan_attrs(&back, 4);
	dc_compound_init(&c, 1, "create_session");
	dc_op_create_session(&c, sc->cl.clientid, sc->cl.cs_seq, flags, &fore,
			     &back, sc->cl.cb.program, &sc->cl.auth);
	len = encode_call(sc, &c, dc_conn_new_xid(sc->cl.conns[0]), buf,
			  REC_MAX);
	count_ops(&c);
	dc_compound_free(&c);
	if (len < 0) {
		sk_error(sc->who, "CREATE_SESSION: cannot encode");
		goto out;
	}
	if (drop) {
		dc_conn_send(sc->cl.conns[0], buf, len);
		if (sk_randn(sc, 2))
			sleep_us(sk_randn(sc, 3000));
		sk_count(SK_EV_DROPS);
		if (reconnect(sc, 0))
			goto out;
		resent = true;
		sk_count(SK_EV_RESENDS);
	}
	rc = send_record(sc, 0, buf, len, &r);
	if (rc) {
		sk_error(sc->who, "CREATE_SESSION%s: no reply (%s)",
			 resent ? " (resent)" : "", strerror(-rc));
		dc_cres_free(&r);
		sc->dead = true;
		goto out;
	}
	sk_count(SK_EV_COMPOUNDS);
	if (r.res.status != NFS4_OK || !dc_cres_op(&r, 0)) {
		sk_error(sc->who, "CREATE_SESSION%s answered %s",
			 resent ? " (resent)" : "",
			 dc_nfsstat_name(r.res.status));
		dc_cres_free(&r);
		sc->dead = true;
		goto out;
	}
	ok = &dc_cres_op(&r, 0)
		      ->nfs_resop4_u.opcreate_session.CREATE_SESSION4res_u
		      .csr_resok4;
	memcpy(sc->cl.sid, ok->csr_sessionid, NFS4_SESSIONID_SIZE);
	sc->cl.fore = ok->csr_fore_chan_attrs;
	sc->cl.back = ok->csr_back_chan_attrs;
	sc->cl.fore.ca_rdma_ird.ca_rdma_ird_len = 0;
	sc->cl.fore.ca_rdma_ird.ca_rdma_ird_val = NULL;
	sc->cl.back.ca_rdma_ird.ca_rdma_ird_len = 0;
	sc->cl.back.ca_rdma_ird.ca_rdma_ird_val = NULL;
	sc->cl.have_session = true;
	sc->cl.cs_seq++;
	sc->nslots = sc->cl.fore.ca_maxrequests;
	if (sc->nslots > SK_FORE_SLOTS)
		sc->nslots = SK_FORE_SLOTS;
	if (!sc->nslots)
		sc->nslots = 1;
	memset(sc->seqids, 0, sizeof(sc->seqids));
	dc_cres_free(&r);
	/* Before any back channel is bound: no callback can come in
	 * between for a session we do not know yet.
	 */
	dc_cb_set_session(&sc->cl.cb, sc->cl.sid, sc->cl.back.ca_maxrequests);
	sc->up = true;
	if ((!(flags & CREATE_SESSION4_FLAG_CONN_BACK_CHAN) || resent) &&
	    bind_conn(sc, 0))
		goto out;
	ret = bind_conn(sc, 1);
out:
	free(buf);
	return ret;
}

int sk_client_start(struct sk_client *sc)
{
	struct dc_compound c;
	char owner[200];
	nfsstat4 st;
	int rc;

	sc->gen++;
	sc->flags_seen = 0;
	sc->have_old_sid = false;
	snprintf(owner, sizeof(owner), "%s-e%u", sc->base_owner, sc->epoch);
	snprintf(sc->oo, sizeof(sc->oo), "oo-%s-%u", sc->who, sc->gen);
	rc = dc_client_init(&sc->cl, &sc->srv, owner);
	if (rc) {
		sk_error(sc->who, "connect: %s", strerror(-rc));
		goto dead;
	}
	dc_cb_set_handler(&sc->cl.cb, on_callback, sc);
	dc_cb_attach(&sc->cl.cb, sc->cl.conns[0]);
	rc = dc_client_add_conn(&sc->cl);
	if (rc < 0) {
		sk_error(sc->who, "second connection: %s", strerror(-rc));
		goto dead;
	}
	dc_cb_attach(&sc->cl.cb, sc->cl.conns[1]);
	sk_count_op(NFS4_OP_EXCHANGE_ID);
	rc = dc_client_exchange_id(&sc->cl, EXCHGID4_FLAG_USE_NON_PNFS, &st);
	if (rc || st != NFS4_OK) {
		sk_error(sc->who, "EXCHANGE_ID: %s",
			 rc ? strerror(-rc) : dc_nfsstat_name(st));
		goto dead;
	}
	sk_count(SK_EV_COMPOUNDS);
	/* A new client ID holds no state yet: no callback can race the
	 * back channel set-up of its first session.
	 */
	if (create_session(sc, CREATE_SESSION4_FLAG_CONN_BACK_CHAN,
			   sk_rand01(sc) < sc->drop_rate * 20))
		goto dead;
	sk_begin(sc, &c, "reclaim_complete");
	dc_op_reclaim_complete(&c, false);
	rc = sk_call_expect(sc, &c, SK_CACHE | SK_NODROP, NULL,
			    "RECLAIM_COMPLETE", NULL, 0);
	dc_compound_free(&c);
	if (rc < 0)
		goto dead;
	return 0;
dead:
	sc->dead = true;
	return -1;
}

static void forget_state(struct sk_client *sc)
{
	unsigned i;

	for (i = 0; i < sc->ndelegs; i++)
		dc_fh_free(&sc->delegs[i].fh);
	sc->ndelegs = 0;
	sc->dd_held = false;
	pthread_mutex_lock(&sc->rlock);
	sc->nrecalls = 0;
	pthread_mutex_unlock(&sc->rlock);
}

void sk_client_vanish(struct sk_client *sc)
{
	struct dc_cb_record rec;
	unsigned i, n;

	if (!sc->cl.inited)
		return;
	/* Readers first: they run the callback handler. */
	for (i = 0; i < DC_MAX_CONNS; i++) {
		dc_conn_close(sc->cl.conns[i]);
		sc->cl.conns[i] = NULL;
	}
	sc->cl.nconns = 0;
	n = dc_cb_count(&sc->cl.cb);
	for (i = 0; i < n; i++)
		if (dc_cb_get(&sc->cl.cb, i, &rec) && rec.proc == 0)
			sk_count(SK_EV_CB_NULL);
	dc_cb_destroy(&sc->cl.cb);
	sc->cl.inited = false;
	sc->up = false;
	forget_state(sc);
}

void sk_client_stop(struct sk_client *sc)
{
	struct dc_compound c;

	if (!sc->cl.inited)
		return;
	if (sc->up && !sc->dead) {
		sk_service_recalls(sc);
		sk_return_all(sc);
		dc_compound_init(&c, 1, "destroy_session");
		dc_op_destroy_session(&c, sc->cl.sid);
		call_plain(sc, &c, "DESTROY_SESSION");
		sc->up = false;
		dc_compound_init(&c, 1, "destroy_clientid");
		dc_op_destroy_clientid(&c, sc->cl.clientid);
		call_plain(sc, &c, "DESTROY_CLIENTID");
	}
	sk_client_vanish(sc);
}

int sk_churn(struct sk_client *sc, enum sk_churn how)
{
	struct dc_compound c;

	switch (how) {
	case SK_CHURN_SESSION:
		/* Delegations belong to the client ID: kept across. */
		sk_count(SK_EV_SESSION_CHURN);
		dc_compound_init(&c, 1, "destroy_session");
		dc_op_destroy_session(&c, sc->cl.sid);
		sc->up = false;
		if (call_plain(sc, &c, "DESTROY_SESSION (churn)")) {
			sc->dead = true;
			return -1;
		}
		/* Read by the handler under the back channel lock */
		pthread_mutex_lock(&sc->cl.cb.lock);
		memcpy(sc->old_sid, sc->cl.sid, NFS4_SESSIONID_SIZE);
		sc->have_old_sid = true;
		sc->old_sid_gone = sk_now();
		pthread_mutex_unlock(&sc->cl.cb.lock);
		sc->cl.have_session = false;
		return create_session(sc, 0,
				      sk_rand01(sc) < sc->drop_rate * 50);
	case SK_CHURN_CLIENT:
		sk_count(SK_EV_CLIENT_CHURN);
		sk_client_stop(sc);
		break;
	case SK_CHURN_REBOOT:
		sk_count(SK_EV_CLIENT_REBOOT);
		sk_client_vanish(sc);
		break;
	case SK_CHURN_ABANDON:
		sk_count(SK_EV_CLIENT_ABANDON);
		sk_client_vanish(sc);
		sc->epoch++;
		break;
	}
	return sk_client_start(sc);
}

/* ---- delegations -------------------------------------------------- */

static int delegreturn(struct sk_client *sc, const nfs_fh4 *fh,
		       const stateid4 *sid, const char *what)
{
	struct dc_compound c;
	int rc;

	sk_begin(sc, &c, "delegreturn");
	dc_op_putfh(&c, fh);
	dc_op_delegreturn(&c, sid);
	rc = sk_call_expect(sc, &c, SK_CACHE, NULL, what, NULL, 0);
	dc_compound_free(&c);
	return rc < 0 ? -1 : 0;
}

static void deleg_drop(struct sk_client *sc, unsigned i)
{
	dc_fh_free(&sc->delegs[i].fh);
	sc->delegs[i] = sc->delegs[--sc->ndelegs];
}

static int deleg_return(struct sk_client *sc, unsigned i, bool recalled)
{
	struct sk_deleg d = sc->delegs[i];
	int rc;

	/* Off the list first: a recall of it meanwhile finds nothing. */
	sc->delegs[i] = sc->delegs[--sc->ndelegs];
	rc = delegreturn(sc, &d.fh, &d.sid,
			 recalled ? "DELEGRETURN (recalled)" :
				    "DELEGRETURN");
	dc_fh_free(&d.fh);
	if (!rc)
		sk_count(recalled ? SK_EV_DELEG_RETURN_RECALL :
				    SK_EV_DELEG_RETURN_VOLUNTARY);
	return rc;
}

static int dirdeleg_return(struct sk_client *sc, bool recalled)
{
	int rc;

	sc->dd_held = false;
	rc = delegreturn(sc, sc->dd_fh, &sc->dd_sid,
			 recalled ? "DELEGRETURN dir (recalled)" :
				    "DELEGRETURN dir");
	if (!rc)
		sk_count(recalled ? SK_EV_DIRDELEG_RETURN_RECALL :
				    SK_EV_DIRDELEG_RETURN_VOLUNTARY);
	return rc;
}

static bool same_state(const stateid4 *a, const stateid4 *b)
{
	return !memcmp(a->other, b->other, sizeof(a->other));
}

void sk_deleg_add(struct sk_client *sc, const nfs_fh4 *fh,
		  const stateid4 *sid, bool write)
{
	unsigned i;

	sk_count(write ? SK_EV_DELEG_WRITE : SK_EV_DELEG_READ);
	for (i = 0; i < sc->ndelegs; i++) {
		if (same_state(&sc->delegs[i].sid, sid)) {
			sc->delegs[i].sid = *sid;
			return;
		}
	}
	if (sc->ndelegs == SK_MAX_DELEGS) {
		delegreturn(sc, fh, sid, "DELEGRETURN (table full)");
		return;
	}
	i = sc->ndelegs++;
	dc_fh_copy(&sc->delegs[i].fh, fh);
	sc->delegs[i].sid = *sid;
	sc->delegs[i].write = write;
	sc->delegs[i].left = 5 + sk_randn(sc, 100);
}

int sk_deleg_return_fh(struct sk_client *sc, const nfs_fh4 *fh)
{
	unsigned i;

	for (i = 0; i < sc->ndelegs; i++)
		if (sc->delegs[i].fh.nfs_fh4_len == fh->nfs_fh4_len &&
		    !memcmp(sc->delegs[i].fh.nfs_fh4_val, fh->nfs_fh4_val,
			    fh->nfs_fh4_len))
			return deleg_return(sc, i, false);
	return 0;
}

void sk_service_recalls(struct sk_client *sc)
{
	stateid4 sid;
	unsigned i;

	/* DELEGRETURN's own DELAY retries call back here. */
	if (sc->servicing || !sc->up || sc->dead)
		return;
	sc->servicing = true;
	for (;;) {
		bool have = false;

		pthread_mutex_lock(&sc->rlock);
		if (sc->nrecalls) {
			sid = sc->recalls[0];
			memmove(sc->recalls, sc->recalls + 1,
				--sc->nrecalls * sizeof(sid));
			have = true;
		}
		pthread_mutex_unlock(&sc->rlock);
		if (!have)
			break;
		if (sc->dd_held && same_state(&sc->dd_sid, &sid)) {
			dirdeleg_return(sc, true);
			continue;
		}
		for (i = 0; i < sc->ndelegs; i++)
			if (same_state(&sc->delegs[i].sid, &sid))
				break;
		/* Not found: already given back before the recall came. */
		if (i < sc->ndelegs)
			deleg_return(sc, i, true);
	}
	sc->servicing = false;
}

void sk_deleg_tick(struct sk_client *sc)
{
	unsigned i;

	sk_service_recalls(sc);
	for (i = 0; i < sc->ndelegs;) {
		if (sc->delegs[i].left-- == 0)
			deleg_return(sc, i, false);
		else
			i++;
	}
	if (sc->dd_held && sc->dd_left-- == 0)
		dirdeleg_return(sc, false);
}

int sk_return_all(struct sk_client *sc)
{
	int rc = 0;

	while (sc->ndelegs && !sc->dead)
		rc |= deleg_return(sc, 0, false);
	if (sc->dd_held)
		rc |= dirdeleg_return(sc, false);
	return rc;
}

void sk_dirdeleg_get(struct sk_client *sc)
{
	GET_DIR_DELEGATION4res_non_fatal *nf;
	GET_DIR_DELEGATION4args *a;
	struct dc_compound c;
	struct dc_cres r;
	int rc;

	if (sc->dd_held || !sc->dd_fh || !sc->up)
		return;
	sk_begin(sc, &c, "get_dir_delegation");
	dc_op_putfh(&c, sc->dd_fh);
	a = &dc_op_add(&c, NFS4_OP_GET_DIR_DELEGATION)
		     ->nfs_argop4_u.opget_dir_delegation;
	a->gdda_signal_deleg_avail = FALSE;
	/* Even clients take notifications, odd ones are recall-only
	 * (what Linux asks for): both paths of the server run.
	 */
	a->gdda_notification_types.bitmap4_len = 1;
	a->gdda_notification_types.map[0] =
		sc->idx % 2 ? 0 :
			      (1u << NOTIFY4_ADD_ENTRY) |
				      (1u << NOTIFY4_REMOVE_ENTRY) |
				      (1u << NOTIFY4_RENAME_ENTRY);
	rc = sk_call_expect(sc, &c, SK_CACHE, &r, "GET_DIR_DELEGATION", NULL,
			    0);
	dc_compound_free(&c);
	if (rc < 0)
		return;
	nf = &dc_cres_op(&r, 2)
		      ->nfs_resop4_u.opget_dir_delegation
		      .GET_DIR_DELEGATION4res_u.gddr_res_non_fatal4;
	if (nf->gddrnf_status == GDD4_OK) {
		sc->dd_sid = nf->GET_DIR_DELEGATION4res_non_fatal_u
				     .gddrnf_resok4.gddr_stateid;
		sc->dd_held = true;
		sc->dd_left = 20 + sk_randn(sc, 200);
		sk_count(SK_EV_DIRDELEG_GRANTED);
	} else {
		sk_count(SK_EV_DIRDELEG_UNAVAIL);
	}
	dc_cres_free(&r);
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Session limits and the back channel beyond one connection: back
 * channel fail-over (RFC 8881 2.10.3.1, 18.46.3), what the server does
 * with CB_SEQUENCE replies (20.9.3), SEQUENCE slot targets and status
 * flags (2.10.6.1, 18.46.3) and the per-client / per-session limits
 * (18.36, 18.34).
 *
 * The back channel handler of tests/client answers CB_SEQUENCE from its
 * slot table only; the "scripted" handler below wraps it on a connection
 * and can answer a CB_COMPOUND itself: CB_SEQUENCE with a chosen
 * csr_target_highest_slotid, a CB_SEQUENCE error, or no reply.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "case.h"
#include "dbus_cbsim.h"

#define CB_WAIT_MS 10000
/* A callback timed out (Callback_Timeout 2 s in server.conf.in) */
#define CB_DOWN_WAIT_MS 10000
/* Polls while the server notices a closed connection: 40 x 250 ms. */
#define POLL_TRIES 40
#define POLL_SLEEP_US 250000
#define CB_NULL_PROC 0
#define CB_COMPOUND_PROC 1
#define REPLY_MAX 4096
#define SCRIPT_MAX 8
#define SEEN_MAX 32

enum sr_kind {
	SR_PASS,	/* leave it to the normal back channel handler */
	SR_TARGET,	/* CB_SEQUENCE ok with csr_target_highest_slotid */
	SR_SEQ_ERROR,	/* CB_SEQUENCE fails with status */
	SR_DROP,	/* no reply at all */
};

struct sr_step {
	enum sr_kind kind;
	uint32_t target;
	nfsstat4 status;
};

struct sr_seen {
	struct dc_conn *conn;
	uint32_t proc;
	bool has_sequence, has_recall;
	uint32_t slot, seqid, highest;
};

struct scripted {
	struct dc_backchannel *cb;
	dc_call_fn orig_fn;
	void *orig_arg;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Answers for the next CB_COMPOUNDs, in order; then SR_PASS. */
	struct sr_step script[SCRIPT_MAX];
	unsigned nscript, next;
	struct sr_seen seen[SEEN_MAX];
	unsigned nseen;
};

static void sr_init(struct scripted *sr, struct dc_backchannel *cb)
{
	memset(sr, 0, sizeof(*sr));
	sr->cb = cb;
	pthread_mutex_init(&sr->lock, NULL);
	pthread_cond_init(&sr->cond, NULL);
}

static void sr_add(struct scripted *sr, enum sr_kind kind, uint32_t target,
		   nfsstat4 status)
{
	pthread_mutex_lock(&sr->lock);
	if (sr->nscript < SCRIPT_MAX) {
		sr->script[sr->nscript].kind = kind;
		sr->script[sr->nscript].target = target;
		sr->script[sr->nscript].status = status;
		sr->nscript++;
	}
	pthread_mutex_unlock(&sr->lock);
}

/* Advance the client's back channel slot table as the normal handler. */
static bool sr_take_slot(struct scripted *sr, const struct sr_seen *s)
{
	struct dc_backchannel *cb = sr->cb;
	bool ok = false;

	pthread_mutex_lock(&cb->lock);
	if (s->slot < cb->nslots &&
	    s->seqid == cb->slot_seqid[s->slot] + 1) {
		cb->slot_seqid[s->slot] = s->seqid;
		ok = true;
	}
	pthread_mutex_unlock(&cb->lock);
	return ok;
}

static void sr_reply(struct dc_conn *conn, uint32_t xid,
		     const CB_COMPOUND4args *a, const struct sr_step *st,
		     uint32_t nslots)
{
	nfs_cb_resop4 res[DC_CB_MAX_OPS];
	const CB_SEQUENCE4args *sa =
		&a->argarray.argarray_val[0].nfs_cb_argop4_u.opcbsequence;
	CB_SEQUENCE4res *s = &res[0].nfs_cb_resop4_u.opcbsequence;
	CB_COMPOUND4res cres;
	char buf[REPLY_MAX];
	unsigned i, n = a->argarray.argarray_len;
	XDR x;

	memset(res, 0, sizeof(res));
	memset(&cres, 0, sizeof(cres));
	if (n > DC_CB_MAX_OPS)
		n = DC_CB_MAX_OPS;
	cres.tag = a->tag;
	res[0].resop = NFS4_OP_CB_SEQUENCE;
	if (st->kind == SR_SEQ_ERROR) {
		s->csr_status = st->status;
		cres.status = st->status;
		n = 1;
	} else {
		CB_SEQUENCE4resok *ok = &s->CB_SEQUENCE4res_u.csr_resok4;

		s->csr_status = NFS4_OK;
		memcpy(ok->csr_sessionid, sa->csa_sessionid,
		       NFS4_SESSIONID_SIZE);
		ok->csr_sequenceid = sa->csa_sequenceid;
		ok->csr_slotid = sa->csa_slotid;
		ok->csr_highest_slotid = nslots - 1;
		ok->csr_target_highest_slotid = st->target;
		for (i = 1; i < n; i++) {
			res[i].resop = a->argarray.argarray_val[i].argop;
			/* Every nfs_cb_resop4 arm starts with its status. */
			res[i].nfs_cb_resop4_u.opcbrecall.status = NFS4_OK;
		}
	}
	cres.resarray.resarray_len = n;
	cres.resarray.resarray_val = res;
	xdrmem_create(&x, buf, sizeof(buf), XDR_ENCODE);
	if (dc_rpc_encode_reply_hdr(&x, xid, DC_SUCCESS) &&
	    xdr_CB_COMPOUND4res(&x, &cres))
		dc_conn_send(conn, buf, xdr_getpos(&x));
}

static void sr_on_call(struct dc_conn *conn, const uint8_t *rec, size_t len,
		       void *arg)
{
	struct scripted *sr = arg;
	struct sr_step step = { SR_PASS, 0, NFS4_OK };
	struct sr_seen s = { 0 };
	struct dc_call_hdr h;
	CB_COMPOUND4args a;
	unsigned i;
	XDR x;

	xdrmem_create(&x, (char *)rec, len, XDR_DECODE);
	if (!dc_rpc_decode_call_hdr(&x, &h))
		goto pass;
	s.proc = h.proc;
	s.conn = conn;
	memset(&a, 0, sizeof(a));
	if (s.proc == CB_COMPOUND_PROC && xdr_CB_COMPOUND4args(&x, &a)) {
		const nfs_cb_argop4 *ops = a.argarray.argarray_val;

		if (a.argarray.argarray_len &&
		    ops[0].argop == NFS4_OP_CB_SEQUENCE) {
			const CB_SEQUENCE4args *sa =
				&ops[0].nfs_cb_argop4_u.opcbsequence;

			s.has_sequence = true;
			s.slot = sa->csa_slotid;
			s.seqid = sa->csa_sequenceid;
			s.highest = sa->csa_highest_slotid;
		}
		for (i = 0; i < a.argarray.argarray_len; i++)
			if (ops[i].argop == NFS4_OP_CB_RECALL)
				s.has_recall = true;
	}
	pthread_mutex_lock(&sr->lock);
	if (s.proc == CB_COMPOUND_PROC && s.has_sequence &&
	    sr->next < sr->nscript)
		step = sr->script[sr->next++];
	if (sr->nseen < SEEN_MAX)
		sr->seen[sr->nseen++] = s;
	pthread_cond_broadcast(&sr->cond);
	pthread_mutex_unlock(&sr->lock);

	switch (step.kind) {
	case SR_PASS:
		break;
	case SR_TARGET:
		if (sr_take_slot(sr, &s))
			sr_reply(conn, h.xid, &a, &step, sr->cb->nslots);
		break;
	case SR_SEQ_ERROR:
		sr_reply(conn, h.xid, &a, &step, sr->cb->nslots);
		break;
	case SR_DROP:
		(void)sr_take_slot(sr, &s);
		break;
	}
	if (s.proc == CB_COMPOUND_PROC)
		xdr_free((xdrproc_t)xdr_CB_COMPOUND4args, &a);
	if (step.kind != SR_PASS)
		return;
pass:
	sr->orig_fn(conn, rec, len, sr->orig_arg);
}

/* Serve callbacks on conn with the scripted handler. */
static void sr_attach(struct scripted *sr, struct dc_conn *conn)
{
	dc_cb_attach(sr->cb, conn);
	pthread_mutex_lock(&conn->lock);
	sr->orig_fn = conn->on_call;
	sr->orig_arg = conn->on_call_arg;
	pthread_mutex_unlock(&conn->lock);
	dc_conn_set_call_handler(conn, sr_on_call, sr);
}

/* Wait until count calls (any procedure) were seen; returns how many. */
static unsigned sr_wait(struct scripted *sr, unsigned count, int timeout_ms)
{
	struct timespec dl;
	unsigned n;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += timeout_ms / 1000;
	pthread_mutex_lock(&sr->lock);
	while (sr->nseen < count)
		if (pthread_cond_timedwait(&sr->cond, &sr->lock, &dl) ==
		    ETIMEDOUT)
			break;
	n = sr->nseen;
	pthread_mutex_unlock(&sr->lock);
	return n;
}

/* Wait for a call of proc on conn at index >= from; its index or -1. */
static int sr_wait_for(struct scripted *sr, unsigned from, uint32_t proc,
		       struct dc_conn *conn, struct sr_seen *out)
{
	unsigned i = from, n;

	for (;;) {
		n = sr_wait(sr, i + 1, CB_WAIT_MS);
		if (n <= i)
			return -1;
		pthread_mutex_lock(&sr->lock);
		for (; i < n; i++) {
			if (sr->seen[i].proc == proc &&
			    (!conn || sr->seen[i].conn == conn)) {
				*out = sr->seen[i];
				pthread_mutex_unlock(&sr->lock);
				return i;
			}
		}
		pthread_mutex_unlock(&sr->lock);
		if (i >= SEEN_MAX)
			return -1;
	}
}

static unsigned sr_count(struct scripted *sr)
{
	unsigned n;

	pthread_mutex_lock(&sr->lock);
	n = sr->nseen;
	pthread_mutex_unlock(&sr->lock);
	return n;
}

/* Restore the normal handler before the client goes away. */
static void sr_detach(struct scripted *sr, struct dc_client *cl)
{
	unsigned i;

	if (!sr->orig_fn)
		return;
	for (i = 0; i < cl->nconns; i++)
		if (cl->conns[i])
			dc_conn_set_call_handler(cl->conns[i], sr->orig_fn,
						 sr->orig_arg);
}

/* SEQUENCE (+ PUTROOTFH) on conns[ci] using slot; fills the resok. */
static int seq_slot(struct dc_client *cl, unsigned ci, int want_slot,
		    nfsstat4 *st, SEQUENCE4resok *out)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc;

	rc = dc_client_begin(cl, &c, "seq", false, &slot);
	if (rc)
		return rc;
	if (want_slot >= 0 && (uint32_t)want_slot != slot) {
		/* Rewrite the SEQUENCE for the slot asked for. */
		SEQUENCE4args *sa = &c.ops[0].nfs_argop4_u.opsequence;

		sa->sa_slotid = want_slot;
		sa->sa_sequenceid = 1;
		sa->sa_highest_slotid = want_slot;
	}
	dc_op_putrootfh(&c);
	rc = dc_client_send(cl, ci, &c, slot, &r);
	dc_compound_free(&c);
	if (!rc) {
		*st = r.res.status;
		memset(out, 0, sizeof(*out));
		if (dc_cres_status(&r, 0) == NFS4_OK)
			*out = dc_cres_op(&r, 0)
				       ->nfs_resop4_u.opsequence
				       .SEQUENCE4res_u.sr_resok4;
	}
	dc_cres_free(&r);
	return rc;
}

static int seq_flags(struct dc_client *cl, unsigned ci, nfsstat4 *st,
		     uint32_t *flags)
{
	SEQUENCE4resok ok;
	int rc = seq_slot(cl, ci, -1, st, &ok);

	*flags = ok.sr_status_flags;
	return rc;
}

/*
 * A: the back channel was on the newest back-bound connection; when it
 * closes, the server moves it to the other one, probes it and recalls
 * arrive there.
 */
static void bcfo1_recall_on_survivor(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct scripted sr;
	struct sr_seen s;
	uint32_t flags = 0;
	nfsstat4 st;
	unsigned from;
	int rc, i;

	sr_init(&sr, &cl.cb);
	if (!dc_cbsim_bus())
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	sr_attach(&sr, cl.conns[0]);
	rc = dc_client_add_conn(&cl);
	EXPECT(rc == 1, "second connection: %d", rc);
	sr_attach(&sr, cl.conns[1]);
	rc = dc_client_bind_conn(&cl, 1, CDFC4_BACK_OR_BOTH, &st, NULL);
	EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION back_or_both");
	/* The server moves the back channel there and probes it. */
	i = sr_wait_for(&sr, 0, CB_NULL_PROC, cl.conns[1], &s);
	EXPECT(i >= 0, "no CB_NULL on the newly bound connection");
	from = sr_count(&sr);
	dc_conn_shutdown(cl.conns[1]);
	/* Connection 0 is still bound to the back channel: probe there. */
	i = sr_wait_for(&sr, from, CB_NULL_PROC, cl.conns[0], &s);
	EXPECT(i >= 0, "no CB_NULL on the surviving back channel connection "
		       "after the one in use closed: no fail-over");
	rc = seq_flags(&cl, 0, &st, &flags);
	EXPECT_OK(rc, st, "SEQUENCE");
	EXPECT(!(flags & (SEQ4_STATUS_CB_PATH_DOWN |
			  SEQ4_STATUS_CB_PATH_DOWN_SESSION)),
	       "back channel reported down after fail-over (flags %#x)",
	       flags);
	from = sr_count(&sr);
	rc = dc_cbsim_fake_recall(cl.clientid);
	EXPECT(rc == 0, "fake_recall over DBus failed (%d)", rc);
	i = sr_wait_for(&sr, from, CB_COMPOUND_PROC, NULL, &s);
	EXPECT(i >= 0, "no CB_COMPOUND within %d ms", CB_WAIT_MS);
	EXPECT(s.conn == cl.conns[0],
	       "recall arrived on the closed connection's struct");
	EXPECT(s.has_recall, "CB_COMPOUND without CB_RECALL");
out:
	sr_detach(&sr, &cl);
	dc_client_destroy(&cl);
}

/* Fake a recall; wait for its CB_COMPOUND (index >= from) into *s. */
static int recall(struct dc_client *cl, struct scripted *sr,
		  struct sr_seen *s)
{
	unsigned from = sr_count(sr);
	int rc = dc_cbsim_fake_recall(cl->clientid);

	if (rc)
		return rc;
	return sr_wait_for(sr, from, CB_COMPOUND_PROC, NULL, s) >= 0 ?
		       0 :
		       -ETIMEDOUT;
}

/* Highest slot of the CB_COMPOUNDs seen from index from on. */
static uint32_t max_slot_from(struct scripted *sr, unsigned from,
			      unsigned *n)
{
	uint32_t max = 0;
	unsigned i;

	*n = 0;
	pthread_mutex_lock(&sr->lock);
	for (i = from; i < sr->nseen; i++) {
		if (sr->seen[i].proc != CB_COMPOUND_PROC)
			continue;
		(*n)++;
		if (sr->seen[i].slot > max)
			max = sr->seen[i].slot;
	}
	pthread_mutex_unlock(&sr->lock);
	return max;
}

/*
 * B: csr_target_highest_slotid 0 keeps the server on slot 0 even while
 * slot 0 is busy (an unanswered callback); a higher target lets it use
 * slot 1 again.  The server's Callback_Timeout frees the busy slot.
 */
static void cbseq1_target(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct scripted sr;
	struct sr_seen s;
	unsigned from, n;
	uint32_t max, flags = 0;
	int rc;
	char name[96];
	stateid4 osid;
	nfs_fh4 fh = { 0 };
	nfsstat4 st;
	bool open = false;

	sr_init(&sr, &cl.cb);
	if (!dc_cbsim_bus())
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	/*
	 * The callback waits outlast the lease, nothing renews it: with an
	 * open the client is kept (courtesy) for the simulator to find; one
	 * without state would expire (patch 0048).
	 */
	dc_name(ctx, "f", name, sizeof(name));
	rc = dc_client_open_file(&cl, name, true, &osid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN");
	open = true;
	if (cl.back.ca_maxrequests < 2)
		SKIP("server gave %u back channel slot(s), need 2",
		     cl.back.ca_maxrequests);
	sr_attach(&sr, cl.conns[0]);
	sr_add(&sr, SR_TARGET, 0, NFS4_OK);	/* 1: target 0 */
	sr_add(&sr, SR_DROP, 0, NFS4_OK);	/* 2: keeps slot 0 busy */
	rc = recall(&cl, &sr, &s);
	EXPECT(rc == 0, "first recall did not arrive (%d)", rc);
	EXPECT(s.slot == 0, "first callback on slot %u", s.slot);
	rc = recall(&cl, &sr, &s);
	EXPECT(rc == 0, "second recall did not arrive (%d)", rc);
	EXPECT(s.slot == 0, "callback on slot %u after target 0", s.slot);
	/* Slot 0 is busy and the target is 0: this one must not use
	 * slot 1 (the server may give up on it, or wait for slot 0).
	 */
	from = sr_count(&sr);
	(void)dc_cbsim_fake_recall(cl.clientid);
	/*
	 * The dropped call times out (Callback_Timeout) and frees slot 0:
	 * the server can no longer reach the client there, its back
	 * channel is down (18.46.3) until the client binds the connection
	 * again and answers the probe.  The polls renew the lease.
	 */
	EXPECT(dc_client_wait_seq_flags(&cl, SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					CB_DOWN_WAIT_MS, 200, &flags, &st),
	       "no CB_PATH_DOWN_SESSION after a callback timed out "
	       "(flags %#x, %s)", flags, dc_nfsstat_name(st));
	max = max_slot_from(&sr, from, &n);
	EXPECT(max == 0, "callback on slot %u although "
			 "csr_target_highest_slotid was 0", max);
	rc = dc_client_bind_conn(&cl, 0, CDFC4_BACK_OR_BOTH, &st,
				 NULL);
	EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION of the connection again");
	EXPECT(dc_client_wait_seq_flags(&cl, SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					0, CB_DOWN_WAIT_MS, 200, &flags, &st),
	       "back channel still down after the bind (flags %#x, %s)",
	       flags, dc_nfsstat_name(st));
	/*
	 * Slot 0 is free again, and the normal handler answers target =
	 * its slots - 1: the server may use slot 1 again.
	 */
	if (n == 0) {
		rc = recall(&cl, &sr, &s);
		EXPECT(rc == 0, "recall after the timeout did not arrive");
	}
	sr_add(&sr, SR_DROP, 0, NFS4_OK);
	rc = recall(&cl, &sr, &s);	/* slot 0, dropped */
	EXPECT(rc == 0, "recall to drop did not arrive (%d)", rc);
	rc = recall(&cl, &sr, &s);
	EXPECT(rc == 0, "recall with the target raised and slot 0 busy did "
			"not arrive (%d)", rc);
	EXPECT(s.slot == 1, "slot %u, expected 1 once the target was raised",
	       s.slot);
out:
	sr_detach(&sr, &cl);
	if (open)
		(void)dc_client_close_file(&cl, &fh, &osid, &st);
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

/* B: CB_SEQUENCE NFS4ERR_DELAY: the same call comes again. */
static void cbseq2_delay(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct scripted sr;
	struct sr_seen first, again;
	struct dc_cb_record r;
	uint32_t flags = 0;
	bool found;
	nfsstat4 st;
	unsigned from, k;
	int rc, i;

	sr_init(&sr, &cl.cb);
	if (!dc_cbsim_bus())
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	sr_attach(&sr, cl.conns[0]);
	sr_add(&sr, SR_SEQ_ERROR, 0, NFS4ERR_DELAY);
	rc = recall(&cl, &sr, &first);
	EXPECT(rc == 0, "recall did not arrive (%d)", rc);
	from = sr_count(&sr);
	i = sr_wait_for(&sr, from, CB_COMPOUND_PROC, NULL, &again);
	EXPECT(i >= 0, "CB_COMPOUND not sent again after CB_SEQUENCE "
		       "NFS4ERR_DELAY");
	EXPECT(again.slot == first.slot && again.seqid == first.seqid,
	       "retry on slot %u seqid %u, first was slot %u seqid %u (the "
	       "client did not process it: same slot and seqid)",
	       again.slot, again.seqid, first.slot, first.seqid);
	EXPECT(again.has_recall, "retry without CB_RECALL");
	/* The retry went to the normal handler: it checked the seqid. */
	found = false;
	for (k = 0; !found && k < 4 * SEEN_MAX;) {
		if (!dc_cb_get(&cl.cb, k, &r)) {
			/* recorded after our wrapper saw it: wait */
			if (dc_cb_wait(&cl.cb, k + 1, CB_WAIT_MS) <= k)
				break;
			continue;
		}
		found = r.proc == CB_COMPOUND_PROC && r.has_sequence &&
			r.seq_slot == again.slot && r.seq_seqid == again.seqid;
		k++;
	}
	EXPECT(found, "the retry was not recorded by the back channel");
	EXPECT(r.seq_valid, "retry's CB_SEQUENCE invalid: %s",
	       r.seq_problem);
	rc = seq_flags(&cl, 0, &st, &flags);
	EXPECT_OK(rc, st, "SEQUENCE");
	EXPECT(!(flags & SEQ4_STATUS_BACKCHANNEL_FAULT),
	       "BACKCHANNEL_FAULT after NFS4ERR_DELAY (flags %#x)", flags);
out:
	sr_detach(&sr, &cl);
	dc_client_destroy(&cl);
}

/* B: CB_SEQUENCE error about the slot: SEQ4_STATUS_BACKCHANNEL_FAULT. */
static void cbseq_fault(struct dc_ctx *ctx, nfsstat4 err)
{
	struct dc_client cl = { 0 };
	struct scripted sr;
	struct sr_seen s;
	uint32_t flags = 0;
	nfsstat4 st;
	int rc, i;

	sr_init(&sr, &cl.cb);
	if (!dc_cbsim_bus())
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = seq_flags(&cl, 0, &st, &flags);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT(!(flags & SEQ4_STATUS_BACKCHANNEL_FAULT),
	       "precondition: BACKCHANNEL_FAULT already set");
	sr_attach(&sr, cl.conns[0]);
	sr_add(&sr, SR_SEQ_ERROR, 0, err);
	rc = recall(&cl, &sr, &s);
	EXPECT(rc == 0, "recall did not arrive (%d)", rc);
	for (i = 0; i < POLL_TRIES; i++) {
		rc = seq_flags(&cl, 0, &st, &flags);
		EXPECT_OK(rc, st, "SEQUENCE");
		if (flags & SEQ4_STATUS_BACKCHANNEL_FAULT)
			break;
		usleep(POLL_SLEEP_US);
	}
	EXPECT(flags & SEQ4_STATUS_BACKCHANNEL_FAULT,
	       "no SEQ4_STATUS_BACKCHANNEL_FAULT after CB_SEQUENCE %s "
	       "(flags %#x)", dc_nfsstat_name(err), flags);
out:
	sr_detach(&sr, &cl);
	dc_client_destroy(&cl);
}

static void cbseq3_misordered(struct dc_ctx *ctx)
{
	cbseq_fault(ctx, NFS4ERR_SEQ_MISORDERED);
}

static void cbseq4_badsession(struct dc_ctx *ctx)
{
	cbseq_fault(ctx, NFS4ERR_BADSESSION);
}

/* SessionMgr SetSlotsTarget(slots) through dbus-send; 0 if it said ok. */
static int set_slots_target(uint32_t slots)
{
	char arg[32], out[1024];
	int pfd[2], status;
	size_t have = 0;
	pid_t pid;

	snprintf(arg, sizeof(arg), "uint32:%u", slots);
	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execlp("dbus-send", "dbus-send", "--system", "--print-reply",
		       "--reply-timeout=10000", "--dest=org.ganesha.nfsd",
		       "/org/ganesha/nfsd/SessionMgr",
		       "org.ganesha.nfsd.sessionmgr.SetSlotsTarget", arg,
		       (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t n = read(pfd[0], out + have, sizeof(out) - 1 - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (have += n) >= sizeof(out) - 1)
			break;
	}
	out[have] = 0;
	close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
	return strstr(out, "boolean true") ? 0 : -EINVAL;
}

/* SEQUENCE + PUTROOTFH on a slot of our choice (never used before). */
static int seq_raw(struct dc_client *cl, uint32_t slot, uint32_t seqid,
		   nfsstat4 *st, SEQUENCE4resok *out)
{
	struct dc_compound c;
	struct dc_cres r;
	int rc;

	dc_compound_init(&c, 1, "seq_raw");
	dc_op_sequence(&c, cl->sid, seqid, slot, slot, false);
	dc_op_putrootfh(&c);
	rc = dc_compound_call(cl->conns[0], &cl->auth, &c, &r,
			      cl->timeout_ms);
	dc_compound_free(&c);
	if (!rc) {
		*st = r.res.status;
		memset(out, 0, sizeof(*out));
		if (dc_cres_status(&r, 0) == NFS4_OK)
			*out = dc_cres_op(&r, 0)
				       ->nfs_resop4_u.opsequence
				       .SEQUENCE4res_u.sr_resok4;
	}
	dc_cres_free(&r);
	return rc;
}

/*
 * C: sr_target_highest_slotid follows SetSlotsTarget (the run time
 * Max_Slots_Target) down and back up; sr_highest_slotid stays the
 * session's last slot and a slot above the target is still served.
 */
static void stgt1_target(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	SEQUENCE4resok ok;
	uint32_t nslots, top;
	bool lowered = false;
	nfsstat4 st;
	int rc;

	if (!dc_cbsim_bus())
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	nslots = cl.fore.ca_maxrequests;
	if (nslots < 4)
		SKIP("session has %u fore slots, need 4", nslots);
	top = nslots - 1;
	rc = seq_slot(&cl, 0, -1, &st, &ok);
	EXPECT_OK(rc, st, "SEQUENCE");
	EXPECT(ok.sr_highest_slotid == top && ok.sr_target_highest_slotid == top,
	       "highest %u target %u, expected %u/%u (no target set)",
	       ok.sr_highest_slotid, ok.sr_target_highest_slotid, top, top);
	rc = set_slots_target(2);
	if (rc == -EIO)
		SKIP("SessionMgr SetSlotsTarget not available");
	EXPECT(rc == 0, "SetSlotsTarget(2) failed (%d)", rc);
	lowered = true;
	rc = seq_slot(&cl, 0, -1, &st, &ok);
	EXPECT_OK(rc, st, "SEQUENCE after SetSlotsTarget(2)");
	EXPECT(ok.sr_target_highest_slotid == 1,
	       "sr_target_highest_slotid %u, expected 1",
	       ok.sr_target_highest_slotid);
	EXPECT(ok.sr_highest_slotid == top,
	       "sr_highest_slotid %u, expected %u (slots stay usable)",
	       ok.sr_highest_slotid, top);
	/* A client still using a slot above the target is served. */
	rc = seq_raw(&cl, top, 1, &st, &ok);
	EXPECT_OK(rc, st, "SEQUENCE on a slot above the target");
	EXPECT(ok.sr_slotid == top && ok.sr_target_highest_slotid == 1,
	       "slot %u target %u", ok.sr_slotid, ok.sr_target_highest_slotid);
	rc = set_slots_target(0);
	EXPECT(rc == 0, "SetSlotsTarget(0) failed (%d)", rc);
	lowered = false;
	rc = seq_slot(&cl, 0, -1, &st, &ok);
	EXPECT_OK(rc, st, "SEQUENCE after SetSlotsTarget(0)");
	EXPECT(ok.sr_target_highest_slotid == top,
	       "sr_target_highest_slotid %u, expected %u once raised again",
	       ok.sr_target_highest_slotid, top);
out:
	if (lowered)
		(void)set_slots_target(0);
	dc_client_destroy(&cl);
}

/* Defaults of Max_Sessions_Per_Client / Max_Connections_Per_Session. */
#define MAX_SESSIONS_DEF 16
#define MAX_CONNS_DEF 16

/*
 * D: a client gets Max_Sessions_Per_Client (default 16) sessions; one
 * more CREATE_SESSION gets NFS4ERR_NOSPC until it destroys one.
 */
static void slim1_sessions(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	sessionid4 sids[MAX_SESSIONS_DEF + 1];
	unsigned n = 0, i;
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	memcpy(sids[n++], cl.sid, sizeof(sessionid4));
	while (n < MAX_SESSIONS_DEF) {
		rc = dc_client_create_session(&cl, 0, 4, &st);
		EXPECT_OK(rc, st, "CREATE_SESSION below the limit");
		memcpy(sids[n++], cl.sid, sizeof(sessionid4));
	}
	rc = dc_client_create_session(&cl, 0, 4, &st);
	EXPECT_RPC(rc, "CREATE_SESSION");
	if (st == NFS4_OK)
		memcpy(sids[n++], cl.sid, sizeof(sessionid4));
	EXPECT_STATUS(st, NFS4ERR_NOSPC, "CREATE_SESSION beyond "
					 "Max_Sessions_Per_Client (16)");
	/* The limit counts live sessions: destroy one, create one. */
	rc = dc_client_destroy_session(&cl, sids[0], &st);
	EXPECT_OK(rc, st, "DESTROY_SESSION");
	memcpy(sids[0], sids[--n], sizeof(sessionid4));
	rc = dc_client_create_session(&cl, 0, 4, &st);
	EXPECT_RPC(rc, "CREATE_SESSION");
	if (st == NFS4_OK)
		memcpy(sids[n++], cl.sid, sizeof(sessionid4));
	EXPECT_STATUS(st, NFS4_OK, "CREATE_SESSION after DESTROY_SESSION");
out:
	/* dc_client_destroy() destroys the current one (cl.sid). */
	for (i = 0; i < n; i++)
		if (memcmp(sids[i], cl.sid, sizeof(sessionid4)))
			(void)dc_client_destroy_session(&cl, sids[i], &st);
	dc_client_destroy(&cl);
}

/*
 * D: Max_Connections_Per_Session (default 16) connections bind; one
 * more BIND_CONN_TO_SESSION gets NFS4ERR_NOSPC, a SEQUENCE on it is
 * still served; once a bound one closes, binding works again.
 */
static void slim2_connections(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_conn *extra[MAX_CONNS_DEF];
	struct dc_compound c;
	struct dc_cres r = { 0 };
	unsigned n = 0, i;
	uint32_t slot;
	nfsstat4 st = NFS4_OK;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	/* conns[0] is bound; bind 15 more, then the 16th extra one. */
	while (n < MAX_CONNS_DEF) {
		rc = dc_conn_open(&extra[n], cl.srv.host, cl.srv.port);
		EXPECT(rc == 0, "connection %u: %d", n + 2, rc);
		n++;
		rc = dc_client_bind_on(&cl, extra[n - 1], CDFC4_FORE, &st,
				       NULL);
		EXPECT_RPC(rc, "BIND_CONN_TO_SESSION");
		if (n < MAX_CONNS_DEF)
			EXPECT_STATUS(st, NFS4_OK,
				      "BIND_CONN_TO_SESSION below the limit");
	}
	EXPECT_STATUS(st, NFS4ERR_NOSPC, "BIND_CONN_TO_SESSION of connection "
					 "17 (Max_Connections_Per_Session 16)");
	/* Not bound, but a SEQUENCE on it is served (SP4_NONE). */
	rc = dc_client_begin(&cl, &c, "seq_unbound", false, &slot);
	EXPECT(rc == 0, "no free slot");
	rc = dc_compound_call(extra[n - 1], &cl.auth, &c, &r, cl.timeout_ms);
	dc_compound_free(&c);
	dc_client_slot_done(&cl, slot, rc ? NULL : &r);
	EXPECT_OK(rc, r.res.status, "SEQUENCE on a connection over the limit");
	/* Close a bound connection: binding the last one works again. */
	dc_conn_close(extra[0]);
	extra[0] = NULL;
	for (i = 0; i < POLL_TRIES; i++) {
		rc = dc_client_bind_on(&cl, extra[n - 1], CDFC4_FORE, &st,
				       NULL);
		EXPECT_RPC(rc, "BIND_CONN_TO_SESSION");
		if (st != NFS4ERR_NOSPC)
			break;
		usleep(POLL_SLEEP_US);
	}
	EXPECT_STATUS(st, NFS4_OK, "BIND_CONN_TO_SESSION after a bound "
				   "connection closed");
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
	for (i = 0; i < n; i++)
		if (extra[i])
			dc_conn_close(extra[i]);
}

const struct dc_case dc_cases_session_limits[] = {
	{ "BCFO1", "recall arrives on the surviving back-bound connection",
	  "2.10.3.1 / 18.46.3", "sessions backchannel cbsim dbus all",
	  "BIND5 CBSIM2", bcfo1_recall_on_survivor },
	{ "CBSEQ1", "csr_target_highest_slotid limits back channel slots",
	  "20.9.3", "sessions backchannel cbsim dbus all", "CBSIM3",
	  cbseq1_target },
	{ "CBSEQ2", "CB_SEQUENCE NFS4ERR_DELAY: callback re-sent, same slot",
	  "20.9.3 / 2.10.6.2", "sessions backchannel cbsim dbus all",
	  "CBSIM3", cbseq2_delay },
	{ "CBSEQ3", "CB_SEQUENCE SEQ_MISORDERED: SEQ4_STATUS_BACKCHANNEL_FAULT",
	  "18.46.3 / 20.9.3", "sessions backchannel cbsim dbus all",
	  "CBSIM3", cbseq3_misordered },
	{ "CBSEQ4", "CB_SEQUENCE BADSESSION: SEQ4_STATUS_BACKCHANNEL_FAULT",
	  "18.46.3 / 20.9.3", "sessions backchannel cbsim dbus all",
	  "CBSIM3", cbseq4_badsession },
	{ "STGT1", "sr_target_highest_slotid lowered and raised; slots kept",
	  "2.10.6.1 / 18.46.3", "sessions dbus all", "SEQ1", stgt1_target },
	{ "SLIM1", "Max_Sessions_Per_Client (16): CREATE_SESSION NFS4ERR_NOSPC",
	  "18.36.3 / 15.2", "sessions all", "CSESS1", slim1_sessions },
	{ "SLIM2",
	  "Max_Connections_Per_Session (16): BIND_CONN_TO_SESSION "
	  "NFS4ERR_NOSPC",
	  "18.34.3 / 15.2", "sessions bind_conn all", "BIND1",
	  slim2_connections },
	{ NULL }
};

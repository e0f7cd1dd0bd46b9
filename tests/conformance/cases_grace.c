// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Server restart and grace (RFC 8881 section 8.4.2): after the daemon is
 * killed and started again, clients find their session and client ID
 * gone, reclaim their opens (OPEN CLAIM_PREVIOUS, 18.16), locks (LOCK
 * reclaim, 18.10) and delegations within the grace period, new state is
 * refused with NFS4ERR_GRACE, reclaims after the client's
 * RECLAIM_COMPLETE (18.51) with NFS4ERR_NO_GRACE, grace ends early once
 * every client that held state sent RECLAIM_COMPLETE, and state nobody
 * reclaimed is gone.
 *
 * The server is restarted through DITTO_RESTART_CMD (restart.sh), which
 * also exports the grace period and lease it configured (DITTO_GRACE,
 * DITTO_LEASE).  Files must outlive the daemon: FSAL_VFS, or FSAL_DITTO
 * on its durable store.  Every case destroys its clients, so the next
 * restart only knows the clients of the case that restarts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "case.h"
#include "compound_lock.h"
#include "compound_reclaim.h"
#include "server_restart.h"

#define POLL_MS 500
#define EOF64 UINT64_MAX

static int grace_s(void)
{
	return dc_env_int("DITTO_GRACE", 30);
}

/* Upper bound of any wait for the grace period to end. */
static int grace_wait_s(void)
{
	return grace_s() + 2 * dc_env_int("DITTO_LEASE", 10) + 10;
}

struct gopen {
	nfsstat4 status;
	stateid4 sid;
	nfs_fh4 fh;
	open_delegation_type4 dtype;
	stateid4 dsid;	/* the delegation's, if one was granted */
};

/* Status of the last operation in the reply. */
static nfsstat4 last_status(struct dc_cres *r)
{
	unsigned n = r->res.resarray.resarray_len;

	return n ? dc_cres_status(r, n - 1) : r->res.status;
}

/* Send c (freed here); *st is the last operation's status. */
static int send_last(struct dc_client *cl, struct dc_compound *c,
		     uint32_t slot, nfsstat4 *st)
{
	struct dc_cres r;
	int rc;

	rc = dc_client_send(cl, 0, c, slot, &r);
	dc_compound_free(c);
	if (!rc)
		*st = last_status(&r);
	dc_cres_free(&r);
	return rc;
}

static void take_open(struct dc_cres *r, struct gopen *o)
{
	unsigned i;

	for (i = 0; i < r->res.resarray.resarray_len; i++) {
		nfs_resop4 *op = dc_cres_op(r, i);

		if (op->resop == NFS4_OP_OPEN) {
			OPEN4resok *ok = &op->nfs_resop4_u.opopen.OPEN4res_u
						  .resok4;

			o->sid = ok->stateid;
			o->dtype = ok->delegation.delegation_type;
			if (o->dtype == OPEN_DELEGATE_READ)
				o->dsid = ok->delegation.open_delegation4_u
						  .read.stateid;
			else if (o->dtype == OPEN_DELEGATE_WRITE)
				o->dsid = ok->delegation.open_delegation4_u
						  .write.stateid;
		} else if (op->resop == NFS4_OP_GETFH) {
			dc_fh_copy(&o->fh, &op->nfs_resop4_u.opgetfh
						   .GETFH4res_u.resok4.object);
		}
	}
}

/*
 * OPEN by name (CLAIM_NULL) in the export, or, with fh, OPEN of fh with
 * CLAIM_PREVIOUS asking back delegation type deleg.
 */
static int do_open(struct dc_client *cl, const char *name, bool create,
		   const nfs_fh4 *fh, uint32_t access,
		   open_delegation_type4 deleg, struct gopen *o)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	char oo[64];
	int rc;

	memset(o, 0, sizeof(*o));
	rc = dc_client_begin(cl, &c, "open", false, &slot);
	if (rc)
		return rc;
	dc_client_open_owner(cl, oo, sizeof(oo));
	if (fh) {
		dc_op_putfh(&c, fh);
		dc_op_open_previous(&c, cl->clientid, oo, access, deleg);
	} else {
		dc_client_put_export(cl, &c);
		dc_op_open(&c, 0, cl->clientid, oo, name, create, access);
	}
	dc_op_getfh(&c);
	rc = dc_client_send(cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (!rc) {
		o->status = last_status(&r);
		if (r.res.status == NFS4_OK)
			take_open(&r, o);
	}
	dc_cres_free(&r);
	return rc;
}

static int open_name(struct dc_client *cl, const char *name, bool create,
		     struct gopen *o)
{
	return do_open(cl, name, create, NULL,
		       OPEN4_SHARE_ACCESS_BOTH |
			       OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
		       OPEN_DELEGATE_NONE, o);
}

static int open_prev(struct dc_client *cl, const nfs_fh4 *fh,
		     open_delegation_type4 deleg, struct gopen *o)
{
	return do_open(cl, NULL, false, fh, OPEN4_SHARE_ACCESS_BOTH, deleg,
		       o);
}

/* LOCK (new lock owner) of fh; reclaim sets the reclaim flag. */
static int lock_fh(struct dc_client *cl, const nfs_fh4 *fh,
		   const stateid4 *open_sid, const char *owner, bool reclaim,
		   uint64_t off, uint64_t len, nfsstat4 *st)
{
	struct dc_compound c;
	uint32_t slot;
	int rc;

	rc = dc_client_begin(cl, &c, "lock", false, &slot);
	if (rc)
		return rc;
	dc_op_putfh(&c, fh);
	if (reclaim)
		dc_op_lock_reclaim(&c, WRITE_LT, open_sid, cl->clientid,
				   owner, off, len);
	else
		dc_op_lock_new(&c, WRITE_LT, open_sid, cl->clientid, owner,
			       off, len);
	return send_last(cl, &c, slot, st);
}

static int lockt_fh(struct dc_client *cl, const nfs_fh4 *fh,
		    const char *owner, uint64_t off, uint64_t len,
		    nfsstat4 *st)
{
	struct dc_compound c;
	uint32_t slot;
	int rc;

	rc = dc_client_begin(cl, &c, "lockt", false, &slot);
	if (rc)
		return rc;
	dc_op_putfh(&c, fh);
	dc_op_lockt(&c, WRITE_LT, cl->clientid, owner, off, len);
	return send_last(cl, &c, slot, st);
}

static int write_fh(struct dc_client *cl, const nfs_fh4 *fh,
		    const stateid4 *sid, const char *data, nfsstat4 *st)
{
	struct dc_compound c;
	uint32_t slot;
	int rc;

	rc = dc_client_begin(cl, &c, "write", false, &slot);
	if (rc)
		return rc;
	dc_op_putfh(&c, fh);
	dc_op_write(&c, sid, 0, data, strlen(data));
	c.ops[c.nops - 1].nfs_argop4_u.opwrite.stable = FILE_SYNC4;
	return send_last(cl, &c, slot, st);
}

/* READ up to cap-1 bytes from offset 0 into buf, NUL terminated. */
static int read_fh(struct dc_client *cl, const nfs_fh4 *fh,
		   const stateid4 *sid, char *buf, size_t cap, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	size_t done = 0;
	int rc, i;

	buf[0] = 0;
	rc = dc_client_begin(cl, &c, "read", false, &slot);
	if (rc)
		return rc;
	dc_op_putfh(&c, fh);
	dc_op_read(&c, sid, 0, cap - 1);
	rc = dc_client_send(cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (!rc) {
		*st = last_status(&r);
		if (r.res.status == NFS4_OK) {
			READ4resok *rd = &dc_cres_op(&r, 2)
						  ->nfs_resop4_u.opread
						  .READ4res_u.resok4;

			for (i = 0; i < rd->data.iovcnt; i++) {
				size_t k = rd->data.iov[i].iov_len;

				if (k > cap - 1 - done)
					k = cap - 1 - done;
				memcpy(buf + done, rd->data.iov[i].iov_base,
				       k);
				done += k;
			}
			buf[done] = 0;
		}
	}
	dc_cres_free(&r);
	return rc;
}

/*
 * Wait until the server is out of grace: cl (a client that sent
 * RECLAIM_COMPLETE) creates a probe file until OPEN stops failing with
 * NFS4ERR_GRACE.  keep, if set, renews its lease meanwhile (SEQUENCE):
 * its reclaimed state must outlive the wait on a slow machine.  Returns
 * the final OPEN status; -ETIMEDOUT past the bound.
 */
static int wait_grace_over(struct dc_ctx *ctx, struct dc_client *cl,
			   double *waited, struct dc_client *keep)
{
	double t0 = dc_now_s();
	struct gopen o;
	char name[128];
	int rc;

	dc_name(ctx, "probe", name, sizeof(name));
	while (dc_now_s() - t0 < grace_wait_s()) {
		if (keep) {
			nfsstat4 st;

			rc = dc_client_simple(keep, NULL, NULL, NULL, &st);
			if (rc)
				return rc;
		}
		rc = open_name(cl, name, true, &o);
		if (rc)
			return rc;
		if (o.status != NFS4ERR_GRACE) {
			if (o.status == NFS4_OK) {
				nfsstat4 st;

				dc_client_close_file(cl, &o.fh, &o.sid, &st);
			}
			dc_fh_free(&o.fh);
			if (waited)
				*waited = dc_now_s() - t0;
			return o.status;
		}
		dc_sleep_ms(POLL_MS);
	}
	return -ETIMEDOUT;
}

/*
 * Every case starts out of grace (an earlier case's restart may still be
 * in its grace period) and can restart the server.
 */
static bool begin(struct dc_ctx *ctx)
{
	struct dc_client p = { 0 };
	int rc;

	if (!dc_restart_available()) {
		dc_skip(ctx, "no restart hook (run through restart.sh)");
		return false;
	}
	rc = dc_ctx_mounted(ctx, &p);
	if (!rc)
		rc = wait_grace_over(ctx, &p, NULL, NULL);
	dc_client_destroy(&p);
	if (rc != NFS4_OK) {
		dc_fail(ctx, "server not out of grace before the case (%d)",
			rc);
		return false;
	}
	return true;
}

/*
 * Most cases: client a before the restart, b the same client after it, n
 * another client; o the open of the case's file, p its reclaim, q n's.
 */
struct gcase {
	struct dc_client a, b, n;
	struct gopen o, p, q;
	char name[128];
};

static bool gcase_begin(struct dc_ctx *ctx, struct gcase *g)
{
	memset(g, 0, sizeof(*g));
	if (!begin(ctx))
		return false;
	dc_name(ctx, "f", g->name, sizeof(g->name));
	return true;
}

static void gcase_end(struct gcase *g)
{
	dc_fh_free(&g->o.fh);
	dc_fh_free(&g->p.fh);
	dc_fh_free(&g->q.fh);
	dc_client_destroy(&g->a);
	dc_client_destroy(&g->b);
	dc_client_destroy(&g->n);
}

/* Restart; the old client's connections die with the daemon. */
#define RESTART()                                                              \
	EXPECT(dc_server_restart() == 0, "restarting the server failed")

/*
 * The case steps below check like EXPECT and return false once one
 * failed (the case then ends).
 */

/* cl mounts and creates name, opened in o. */
static bool mount_create(struct dc_ctx *ctx, struct dc_client *cl,
			 const char *name, struct gopen *o)
{
	EXPECT_RPC(dc_ctx_mounted(ctx, cl), "mount");
	EXPECT_OK(open_name(cl, name, true, o), o->status, "OPEN create");
	return true;
out:
	return false;
}

/* As mount_create, then lock owner "lo-a" write-locks [0,len). */
static bool mount_create_lock(struct dc_ctx *ctx, struct dc_client *cl,
			      const char *name, struct gopen *o,
			      uint64_t len, const char *what)
{
	nfsstat4 st;

	if (!mount_create(ctx, cl, name, o))
		return false;
	EXPECT_OK(lock_fh(cl, &o->fh, &o->sid, "lo-a", false, 0, len, &st), st,
		  what);
	return true;
out:
	return false;
}

/* old back as b after the restart, reclaiming its open of fh into p. */
static bool come_back(struct dc_ctx *ctx, const struct dc_client *old,
		      struct dc_client *b, const nfs_fh4 *fh, struct gopen *p,
		      const char *what)
{
	EXPECT_RPC(dc_client_reborn(old, b), "client back");
	EXPECT_OK(open_prev(b, fh, OPEN_DELEGATE_NONE, p), p->status, what);
	return true;
out:
	return false;
}

static bool reclaim_done(struct dc_ctx *ctx, struct dc_client *cl,
			 const char *what)
{
	nfsstat4 st;

	EXPECT_OK(dc_client_reclaim_complete(cl, &st), st, what);
	return true;
out:
	return false;
}

/*
 * Another client n mounts, waits out grace (keep renewing its lease) and
 * opens name into q.
 */
static bool other_after_grace(struct dc_ctx *ctx, struct dc_client *n,
			      const char *name, struct gopen *q,
			      struct dc_client *keep)
{
	EXPECT_OK(dc_ctx_mounted(ctx, n), wait_grace_over(ctx, n, NULL, keep),
		  "grace period over");
	EXPECT_OK(open_name(n, name, false, q), q->status, "other client OPEN");
	return true;
out:
	return false;
}

/* GRACE1: after a restart the session and client ID are gone. */
static void grace1(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct dc_compound c;
	struct dc_cres r = { 0 };
	struct dc_cs_reply cs;
	channel_attrs4 fore, back;
	uint32_t slot;
	nfsstat4 st;
	int ci, rc;

	if (!begin(ctx))
		return;
	EXPECT_RPC(dc_ctx_mounted(ctx, &a), "mount");
	RESTART();
	ci = dc_client_add_conn(&a);
	EXPECT(ci > 0, "new connection after restart: %d", ci);
	/* The old session: NFS4ERR_BADSESSION (8.4.2.1, 18.46.3). */
	EXPECT_RPC(dc_client_begin(&a, &c, "seq", false, &slot), "begin");
	rc = dc_client_send(&a, ci, &c, slot, &r);
	dc_compound_free(&c);
	EXPECT_RPC(rc, "SEQUENCE on the old session");
	st = r.res.status;
	dc_cres_free(&r);
	EXPECT_STATUS(st, NFS4ERR_BADSESSION, "SEQUENCE, old session");
	/* The old client ID: NFS4ERR_STALE_CLIENTID (18.36.3). */
	dc_default_chan_attrs(&fore, 8);
	dc_default_chan_attrs(&back, 2);
	rc = dc_client_create_session_raw(&a, ci, a.clientid, a.cs_seq, 0,
					  &fore, &back, &cs);
	EXPECT_RPC(rc, "CREATE_SESSION with the old client ID");
	EXPECT_STATUS(cs.status, NFS4ERR_STALE_CLIENTID,
		      "CREATE_SESSION, old client ID");
	/* The client starts over with EXCHANGE_ID and gets a new one. */
	EXPECT_RPC(dc_client_reborn(&a, &b), "EXCHANGE_ID + CREATE_SESSION again");
	EXPECT(b.clientid != a.clientid, "same client ID after a restart");
	reclaim_done(ctx, &b, "RECLAIM_COMPLETE");
out:
	dc_client_destroy(&a);
	dc_client_destroy(&b);
}

/* GRACE2: an open reclaimed with CLAIM_PREVIOUS works for I/O. */
static void grace2(struct dc_ctx *ctx)
{
	struct gcase g;
	char buf[64];
	nfsstat4 st;

	if (!gcase_begin(ctx, &g))
		return;
	if (!mount_create(ctx, &g.a, g.name, &g.o))
		goto out;
	EXPECT_OK(write_fh(&g.a, &g.o.fh, &g.o.sid, "before the restart", &st),
		  st, "WRITE");
	RESTART();
	if (!come_back(ctx, &g.a, &g.b, &g.o.fh, &g.p,
		       "OPEN CLAIM_PREVIOUS in grace"))
		goto out;
	EXPECT_OK(read_fh(&g.b, &g.o.fh, &g.p.sid, buf, sizeof(buf), &st), st,
		  "READ with the reclaimed stateid");
	EXPECT(!strcmp(buf, "before the restart"), "read back '%s'", buf);
	if (!reclaim_done(ctx, &g.b, "RECLAIM_COMPLETE"))
		goto out;
	EXPECT_OK(dc_client_close_file(&g.b, &g.o.fh, &g.p.sid, &st), st,
		  "CLOSE of the reclaimed open");
out:
	gcase_end(&g);
}

/* GRACE3: new state during grace is refused with NFS4ERR_GRACE. */
static void grace3(struct dc_ctx *ctx)
{
	struct gcase g;
	char other[128];
	nfsstat4 st;

	if (!gcase_begin(ctx, &g))
		return;
	dc_name(ctx, "new", other, sizeof(other));
	if (!mount_create(ctx, &g.a, g.name, &g.o))
		goto out;
	RESTART();
	EXPECT_RPC(dc_client_reborn(&g.a, &g.b), "client back");
	/* A client the server did not know, done with reclaiming. */
	EXPECT_RPC(dc_ctx_mounted(ctx, &g.n), "new client mount");
	EXPECT_RPC(open_name(&g.n, other, true, &g.q), "new client OPEN");
	EXPECT_STATUS(g.q.status, NFS4ERR_GRACE, "new client OPEN in grace");
	dc_fh_free(&g.q.fh);
	EXPECT_RPC(lockt_fh(&g.n, &g.o.fh, "lo-n", 0, 1, &st), "LOCKT");
	EXPECT_STATUS(st, NFS4ERR_GRACE, "LOCKT in grace");
	/* The returning client: non-reclaim OPEN and LOCK refused too. */
	EXPECT_RPC(open_name(&g.b, g.name, false, &g.q), "OPEN CLAIM_NULL");
	EXPECT_STATUS(g.q.status, NFS4ERR_GRACE, "OPEN CLAIM_NULL in grace");
	EXPECT_OK(open_prev(&g.b, &g.o.fh, OPEN_DELEGATE_NONE, &g.p),
		  g.p.status, "OPEN CLAIM_PREVIOUS in grace");
	EXPECT_RPC(lock_fh(&g.b, &g.o.fh, &g.p.sid, "lo-b", false, 0, 10, &st),
		   "LOCK");
	EXPECT_STATUS(st, NFS4ERR_GRACE, "LOCK (reclaim false) in grace");
	reclaim_done(ctx, &g.b, "RECLAIM_COMPLETE");
out:
	gcase_end(&g);
}

/* GRACE4: reclaims after the client's RECLAIM_COMPLETE: NO_GRACE. */
static void grace4(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct gopen o1 = { 0 }, o2 = { 0 }, p = { 0 }, q = { 0 };
	char n1[128], n2[128];
	nfsstat4 st;

	if (!begin(ctx))
		return;
	dc_name(ctx, "f1", n1, sizeof(n1));
	dc_name(ctx, "f2", n2, sizeof(n2));
	EXPECT_RPC(dc_ctx_mounted(ctx, &a), "mount");
	EXPECT_OK(open_name(&a, n1, true, &o1), o1.status, "OPEN f1");
	EXPECT_OK(open_name(&a, n2, true, &o2), o2.status, "OPEN f2");
	RESTART();
	EXPECT_RPC(dc_client_reborn(&a, &b), "client back");
	EXPECT_OK(open_prev(&b, &o1.fh, OPEN_DELEGATE_NONE, &p), p.status,
		  "OPEN CLAIM_PREVIOUS f1");
	if (!reclaim_done(ctx, &b, "RECLAIM_COMPLETE"))
		goto out;
	EXPECT_RPC(open_prev(&b, &o2.fh, OPEN_DELEGATE_NONE, &q),
		   "OPEN CLAIM_PREVIOUS f2");
	EXPECT_STATUS(q.status, NFS4ERR_NO_GRACE,
		      "OPEN CLAIM_PREVIOUS after RECLAIM_COMPLETE");
	EXPECT_RPC(lock_fh(&b, &o1.fh, &p.sid, "lo-b", true, 0, 10, &st),
		   "LOCK reclaim");
	EXPECT_STATUS(st, NFS4ERR_NO_GRACE,
		      "LOCK reclaim after RECLAIM_COMPLETE");
out:
	dc_fh_free(&o1.fh);
	dc_fh_free(&o2.fh);
	dc_fh_free(&p.fh);
	dc_fh_free(&q.fh);
	dc_client_destroy(&a);
	dc_client_destroy(&b);
}

/* GRACE5: a reclaimed byte-range lock still excludes other clients. */
static void grace5(struct dc_ctx *ctx)
{
	struct gcase g;
	nfsstat4 st;

	if (!gcase_begin(ctx, &g))
		return;
	if (!mount_create_lock(ctx, &g.a, g.name, &g.o, 100, "LOCK [0,100)"))
		goto out;
	RESTART();
	if (!come_back(ctx, &g.a, &g.b, &g.o.fh, &g.p, "OPEN CLAIM_PREVIOUS"))
		goto out;
	EXPECT_OK(lock_fh(&g.b, &g.o.fh, &g.p.sid, "lo-a", true, 0, 100, &st),
		  st, "LOCK reclaim [0,100) in grace");
	if (!reclaim_done(ctx, &g.b, "RECLAIM_COMPLETE") ||
	    !other_after_grace(ctx, &g.n, g.name, &g.q, &g.b))
		goto out;
	EXPECT_RPC(lock_fh(&g.n, &g.o.fh, &g.q.sid, "lo-n", false, 50, 10, &st),
		   "conflicting LOCK");
	EXPECT_STATUS(st, NFS4ERR_DENIED, "LOCK [50,60) against the reclaim");
	EXPECT_OK(lock_fh(&g.n, &g.o.fh, &g.q.sid, "lo-n", false, 100, 10, &st),
		  st, "LOCK [100,110)");
out:
	gcase_end(&g);
}

/*
 * GRACE6: grace ends before its period once every client that held
 * state sent RECLAIM_COMPLETE, and not after only some did.
 */
static void grace6(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 }, a2 = { 0 }, b2 = { 0 };
	struct dc_client n = { 0 };
	struct gopen oa = { 0 }, ob = { 0 }, q = { 0 };
	char na[128], nb[128], nn[128];
	double t0, waited = 0;

	if (!begin(ctx))
		return;
	/*
	 * Early end needs every client the restart finds to come back.  An
	 * earlier case's clients that still held state could not be
	 * destroyed (NFS4ERR_CLIENTID_BUSY): let their leases run out and
	 * the reaper (every lease/2) drop them first.
	 */
	dc_sleep_ms((unsigned)(dc_env_int("DITTO_LEASE", 10) * 3 / 2 + 2) *
		    1000);
	dc_name(ctx, "a", na, sizeof(na));
	dc_name(ctx, "b", nb, sizeof(nb));
	dc_name(ctx, "n", nn, sizeof(nn));
	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	EXPECT_OK(open_name(&a, na, true, &oa), oa.status, "OPEN a");
	EXPECT_OK(open_name(&b, nb, true, &ob), ob.status, "OPEN b");
	RESTART();
	t0 = dc_now_s();
	EXPECT_RPC(dc_client_reborn(&a, &a2), "a back");
	EXPECT_RPC(dc_client_reborn(&b, &b2), "b back");
	EXPECT_RPC(dc_ctx_mounted(ctx, &n), "new client");
	if (!reclaim_done(ctx, &a2, "a RECLAIM_COMPLETE"))
		goto out;
	/* One known client has not finished: still in grace. */
	EXPECT_RPC(open_name(&n, nn, true, &q), "OPEN");
	EXPECT_STATUS(q.status, NFS4ERR_GRACE,
		      "OPEN while b has not sent RECLAIM_COMPLETE");
	dc_fh_free(&q.fh);
	if (!reclaim_done(ctx, &b2, "b RECLAIM_COMPLETE"))
		goto out;
	EXPECT_STATUS(wait_grace_over(ctx, &n, &waited, NULL), NFS4_OK,
		      "OPEN after every RECLAIM_COMPLETE");
	EXPECT(dc_now_s() - t0 < grace_s(),
	       "grace lasted its whole period (%.1f s of %d s)",
	       dc_now_s() - t0, grace_s());
	dc_note(ctx, "grace ended %.1f s after the last RECLAIM_COMPLETE "
		     "(period %d s)", waited, grace_s());
out:
	dc_fh_free(&oa.fh);
	dc_fh_free(&ob.fh);
	dc_fh_free(&q.fh);
	dc_client_destroy(&a);
	dc_client_destroy(&b);
	dc_client_destroy(&a2);
	dc_client_destroy(&b2);
	dc_client_destroy(&n);
}

/*
 * GRACE7: state the client did not reclaim before its RECLAIM_COMPLETE
 * is gone: another client locks the range freely after grace.
 */
static void grace7(struct dc_ctx *ctx)
{
	struct gcase g;
	nfsstat4 st;

	if (!gcase_begin(ctx, &g))
		return;
	if (!mount_create_lock(ctx, &g.a, g.name, &g.o, EOF64,
			       "LOCK whole file"))
		goto out;
	RESTART();
	EXPECT_RPC(dc_client_reborn(&g.a, &g.b), "client back");
	if (!reclaim_done(ctx, &g.b, "RECLAIM_COMPLETE without reclaiming"))
		goto out;
	EXPECT_RPC(open_prev(&g.b, &g.o.fh, OPEN_DELEGATE_NONE, &g.p),
		   "late OPEN CLAIM_PREVIOUS");
	EXPECT_STATUS(g.p.status, NFS4ERR_NO_GRACE, "late OPEN CLAIM_PREVIOUS");
	if (!other_after_grace(ctx, &g.n, g.name, &g.q, NULL))
		goto out;
	EXPECT_OK(lock_fh(&g.n, &g.o.fh, &g.q.sid, "lo-n", false, 0, EOF64,
			  &st),
		  st, "LOCK over the unreclaimed lock");
out:
	gcase_end(&g);
}

/*
 * GRACE8: a client that never comes back holds grace for the whole
 * period (no early end); then its lock is gone.
 */
static void grace8(struct dc_ctx *ctx)
{
	struct gcase g;
	double t0, waited = 0;
	nfsstat4 st;

	if (!gcase_begin(ctx, &g))
		return;
	if (!mount_create_lock(ctx, &g.a, g.name, &g.o, EOF64,
			       "LOCK whole file"))
		goto out;
	RESTART();
	t0 = dc_now_s();
	EXPECT_OK(dc_ctx_mounted(ctx, &g.n),
		  wait_grace_over(ctx, &g.n, &waited, NULL),
		  "grace period over");
	/* The server could not know a would not return: full period. */
	EXPECT(dc_now_s() - t0 >= grace_s() - 1,
	       "grace ended after %.1f s of %d s with a client missing",
	       dc_now_s() - t0, grace_s());
	EXPECT_OK(open_name(&g.n, g.name, false, &g.q), g.q.status,
		  "other client OPEN");
	EXPECT_OK(lock_fh(&g.n, &g.o.fh, &g.q.sid, "lo-n", false, 0, EOF64,
			  &st),
		  st, "LOCK over the vanished client's lock");
	dc_note(ctx, "grace lasted %.1f s", waited);
out:
	gcase_end(&g);
}

/* GRACE9: a client unknown before the restart cannot reclaim. */
static void grace9(struct dc_ctx *ctx)
{
	struct gcase g;
	nfsstat4 st;

	if (!gcase_begin(ctx, &g))
		return;
	if (!mount_create(ctx, &g.a, g.name, &g.o))
		goto out;
	RESTART();
	EXPECT_RPC(dc_client_reborn(&g.a, &g.b), "client back");
	EXPECT_RPC(dc_ctx_client(ctx, &g.n), "new client");
	EXPECT_RPC(dc_client_open_session(&g.n, 8, &st), "new client session");
	EXPECT_STATUS(st, NFS4_OK, "new client session");
	EXPECT_RPC(open_prev(&g.n, &g.o.fh, OPEN_DELEGATE_NONE, &g.q),
		   "OPEN CLAIM_PREVIOUS by a new client");
	EXPECT_STATUS(g.q.status, NFS4ERR_NO_GRACE,
		      "OPEN CLAIM_PREVIOUS by a client with no prior state");
	EXPECT_OK(open_prev(&g.b, &g.o.fh, OPEN_DELEGATE_NONE, &g.p),
		  g.p.status, "OPEN CLAIM_PREVIOUS by the owner");
	reclaim_done(ctx, &g.b, "RECLAIM_COMPLETE");
out:
	gcase_end(&g);
}

static void fill_delegreturn(struct dc_compound *c, void *arg)
{
	struct gopen *o = arg;

	dc_op_putfh(c, &o->fh);
	dc_op_delegreturn(c, &o->dsid);
}

/* GRACE10: a delegation is reclaimed with CLAIM_PREVIOUS. */
static void grace10(struct dc_ctx *ctx)
{
	struct gcase g;
	nfsstat4 st;

	if (!gcase_begin(ctx, &g))
		return;
	EXPECT_RPC(dc_ctx_mounted(ctx, &g.a), "mount");
	EXPECT_OK(do_open(&g.a, g.name, true, NULL, OPEN4_SHARE_ACCESS_BOTH,
			  OPEN_DELEGATE_NONE, &g.o),
		  g.o.status, "OPEN create");
	if (g.o.dtype != OPEN_DELEGATE_READ && g.o.dtype != OPEN_DELEGATE_WRITE)
		SKIP("the server granted no delegation (FSAL without leases)");
	RESTART();
	EXPECT_RPC(dc_client_reborn(&g.a, &g.b), "client back");
	EXPECT_OK(open_prev(&g.b, &g.o.fh, g.o.dtype, &g.p), g.p.status,
		  "OPEN CLAIM_PREVIOUS with delegation");
	EXPECT(g.p.dtype == g.o.dtype, "delegation type %d reclaimed as %d",
	       g.o.dtype, g.p.dtype);
	if (!reclaim_done(ctx, &g.b, "RECLAIM_COMPLETE"))
		goto out;
	/* The reclaimed delegation's stateid is a live one. */
	EXPECT_OK(dc_client_simple(&g.b, fill_delegreturn, &g.p, NULL, &st), st,
		  "DELEGRETURN of the reclaimed delegation");
out:
	gcase_end(&g);
}

const struct dc_case dc_cases_grace[] = {
	{ "GRACE1", "after a restart the session is BADSESSION and the client "
		    "ID STALE_CLIENTID; EXCHANGE_ID starts over",
	  "8.4.2.1", "restart grace", "", grace1 },
	{ "GRACE2", "an open reclaimed with CLAIM_PREVIOUS in grace serves "
		    "READ of the data written before the restart",
	  "8.4.2.1", "restart grace reclaim", "GRACE1", grace2 },
	{ "GRACE3", "in grace, new OPEN, LOCKT and non-reclaim LOCK get "
		    "NFS4ERR_GRACE; CLAIM_PREVIOUS is accepted",
	  "8.4.2.1", "restart grace", "GRACE2", grace3 },
	{ "GRACE4", "reclaims after the client's RECLAIM_COMPLETE get "
		    "NFS4ERR_NO_GRACE",
	  "18.51.3", "restart grace reclaim", "GRACE2", grace4 },
	{ "GRACE5", "a byte-range lock reclaimed in grace still conflicts "
		    "with another client's LOCK after grace",
	  "8.4.2.1", "restart grace reclaim lock", "GRACE2", grace5 },
	{ "GRACE6", "grace ends early once every client with state sent "
		    "RECLAIM_COMPLETE, not before",
	  "8.4.2.1", "restart grace", "GRACE2", grace6 },
	{ "GRACE7", "state not reclaimed before RECLAIM_COMPLETE is gone",
	  "18.51.3", "restart grace lock", "GRACE4", grace7 },
	{ "GRACE8", "a client that never returns keeps grace for its whole "
		    "period, then its lock is gone",
	  "8.4.2.1", "restart grace lock slow", "GRACE6", grace8 },
	{ "GRACE9", "a client without state before the restart cannot "
		    "reclaim (NFS4ERR_NO_GRACE)",
	  "8.4.2.1", "restart grace reclaim", "GRACE2", grace9 },
	{ "GRACE10", "a delegation is reclaimed with CLAIM_PREVIOUS and its "
		     "delegate_type",
	  "10.2.1", "restart grace reclaim filedeleg", "GRACE2", grace10 },
	{ NULL },
};

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Cross-protocol byte-range locking: an NLM v4 lock taken by an NFSv3
 * client and an NFSv4.1 LOCK (RFC 8881 section 18.10) on the same file
 * exclude each other both ways, with POSIX range semantics (a length of
 * 0 in NLM and all ones in NFSv4 mean "to the end of the file"; unlock
 * of a middle range splits a lock), and NLM locks are reclaimed in the
 * grace period after a server restart (NLM4_DENIED_GRACE_PERIOD for new
 * ones).
 *
 * Needs a server with NFSv3 and NLM on (restart.sh --nlm): DITTO_NLM_PORT
 * names the NLM port.  The NFSv3 file handle is the NFSv4 one from
 * GETFH: Ganesha 6.5 uses one handle layout for both protocols.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "case.h"
#include "compound_lock.h"
#include "nlm.h"
#include "nsm_watch.h"
#include "server_restart.h"

#define EOF64 UINT64_MAX
#define POLL_MS 500

/* One file seen from both protocols. */
struct xfile {
	struct dc_client v4;
	struct dc_nlm nlm;
	stateid4 open_sid;
	nfs_fh4 fh;
	struct dc_fh3 fh3;
	struct dc_nlm_owner owner;
	int lock_seq;
};

static int nlm_port(void)
{
	return dc_env_int("DITTO_NLM_PORT", 0);
}

/*
 * The 4.1 client opens the case's file, retrying while the server is in
 * grace: with NLM on, grace waits for the NLM hosts that held locks
 * before the restart too (patch 0012).
 */
static int xfile_open(struct dc_ctx *ctx, struct xfile *x, bool create,
		      nfsstat4 *st)
{
	char name[128];
	double t0;
	int rc;

	dc_name(ctx, "f", name, sizeof(name));
	t0 = dc_now_s();
	for (;;) {
		rc = dc_client_open_file(&x->v4, name, create, &x->open_sid,
					 &x->fh, st);
		if (rc)
			return rc;
		if (*st != NFS4ERR_GRACE)
			return 0;
		if (dc_now_s() - t0 > dc_env_int("DITTO_GRACE", 30) + 30)
			return -ETIMEDOUT;
		dc_sleep_ms(POLL_MS);
	}
}

/*
 * A 4.1 client that created and opened a fresh file, and an NLM
 * connection for the same server.
 */
static int xfile_setup(struct dc_ctx *ctx, struct xfile *x)
{
	nfsstat4 st;
	int rc;

	memset(x, 0, sizeof(*x));
	rc = dc_ctx_mounted(ctx, &x->v4);
	if (rc)
		return rc;
	rc = xfile_open(ctx, x, true, &st);
	if (rc)
		return rc;
	if (st != NFS4_OK)
		return -EPROTO;
	rc = dc_fh3_from_fh4(&x->fh3, x->fh.nfs_fh4_val, x->fh.nfs_fh4_len);
	if (rc)
		return rc;
	/*
	 * The server monitors the caller name (NSM_Use_Caller_Name): not its
	 * own name, or its reboot notice would read as this client's.
	 */
	snprintf(x->owner.caller_name, sizeof(x->owner.caller_name), "%s",
		 getenv("DITTO_NLM_HOST") ? getenv("DITTO_NLM_HOST") :
					    "192.0.2.1");
	snprintf(x->owner.oh, sizeof(x->owner.oh), "%s-%s-oh", ctx->code,
		 ctx->run_id);
	x->owner.svid = 4242;
	return dc_nlm_open(&x->nlm, ctx->srv.host, nlm_port());
}

static void xfile_free(struct xfile *x)
{
	dc_nlm_close(&x->nlm);
	dc_fh_free(&x->fh);
	dc_client_destroy(&x->v4);
}

/*
 * Send c (freed here) on the 4.1 client: *st is the last operation's
 * status, *lsid (if set) LOCK's stateid when that is the last and OK.
 */
static int v4_send(struct xfile *x, struct dc_compound *c, uint32_t slot,
		   nfsstat4 *st, stateid4 *lsid)
{
	struct dc_cres r;
	unsigned n;
	int rc;

	rc = dc_client_send(&x->v4, 0, c, slot, &r);
	dc_compound_free(c);
	if (!rc) {
		n = r.res.resarray.resarray_len;
		*st = n ? dc_cres_status(&r, n - 1) : r.res.status;
		if (*st == NFS4_OK && lsid)
			*lsid = dc_cres_op(&r, n - 1)
					->nfs_resop4_u.oplock.LOCK4res_u
					.resok4.lock_stateid;
	}
	dc_cres_free(&r);
	return rc;
}

/* NFSv4 LOCK by a fresh lock owner of the 4.1 client. */
static int v4_lock(struct xfile *x, nfs_lock_type4 type, uint64_t off,
		   uint64_t len, nfsstat4 *st, stateid4 *lsid)
{
	struct dc_compound c;
	uint32_t slot;
	char lo[64];
	int rc;

	snprintf(lo, sizeof(lo), "lo-%llx-%d",
		 (unsigned long long)x->v4.clientid, ++x->lock_seq);
	rc = dc_client_begin(&x->v4, &c, "lock", false, &slot);
	if (rc)
		return rc;
	dc_op_putfh(&c, &x->fh);
	dc_op_lock_new(&c, type, &x->open_sid, x->v4.clientid, lo, off, len);
	return v4_send(x, &c, slot, st, lsid);
}

static int v4_locku(struct xfile *x, const stateid4 *lsid, uint64_t off,
		    uint64_t len, nfsstat4 *st)
{
	struct dc_compound c;
	uint32_t slot;
	int rc;

	rc = dc_client_begin(&x->v4, &c, "locku", false, &slot);
	if (rc)
		return rc;
	dc_op_putfh(&c, &x->fh);
	dc_op_locku_type(&c, WRITE_LT, lsid, off, len);
	return v4_send(x, &c, slot, st, NULL);
}

static int v4_lockt(struct xfile *x, nfs_lock_type4 type, uint64_t off,
		    uint64_t len, nfsstat4 *st)
{
	struct dc_compound c;
	uint32_t slot;
	int rc;

	rc = dc_client_begin(&x->v4, &c, "lockt", false, &slot);
	if (rc)
		return rc;
	dc_op_putfh(&c, &x->fh);
	dc_op_lockt(&c, type, x->v4.clientid, "lo-tester", off, len);
	return v4_send(x, &c, slot, st, NULL);
}

#define EXPECT_NLM(got, want, what)                                            \
	EXPECT((got) == (want), "%s: got %s, expected %s", (what),             \
	       dc_nlm_stat_name(got), dc_nlm_stat_name(want))

/*
 * One request and the check of its answer (a failed check ends the case
 * like EXPECT): NLM LOCK (no reclaim, NSM state 1) and UNLOCK by x's
 * owner, NFSv4 LOCK by a fresh lock owner and LOCKT.
 */
#define EXPECT_NLM_LOCK(x, excl, off, len, want, what)                         \
	do {                                                                   \
		enum dc_nlm_stat ns_;                                          \
									       \
		EXPECT_RPC(dc_nlm_lock(&(x)->nlm, &(x)->fh3, &(x)->owner,      \
				       (excl), (off), (len), false, 1, &ns_),  \
			   "NLM LOCK");                                        \
		EXPECT_NLM(ns_, (want), (what));                               \
	} while (0)

#define EXPECT_NLM_UNLOCK(x, off, len, what)                                   \
	do {                                                                   \
		enum dc_nlm_stat ns_;                                          \
									       \
		EXPECT_RPC(dc_nlm_unlock(&(x)->nlm, &(x)->fh3, &(x)->owner,    \
					 (off), (len), &ns_),                  \
			   "NLM UNLOCK");                                      \
		EXPECT_NLM(ns_, DC_NLM4_GRANTED, (what));                      \
	} while (0)

#define EXPECT_V4_LOCK(x, type, off, len, want, what)                          \
	do {                                                                   \
		nfsstat4 st_;                                                  \
									       \
		EXPECT_RPC(v4_lock((x), (type), (off), (len), &st_, NULL),     \
			   "LOCK");                                            \
		EXPECT_STATUS(st_, (want), (what));                            \
	} while (0)

#define EXPECT_V4_LOCKT(x, type, off, len, want, what)                         \
	do {                                                                   \
		nfsstat4 st_;                                                  \
									       \
		EXPECT_RPC(v4_lockt((x), (type), (off), (len), &st_), "LOCKT");\
		EXPECT_STATUS(st_, (want), (what));                            \
	} while (0)

/*
 * Every case: skip without an NLM server (or, for restart, without the
 * restart hook), else set x up, checked like EXPECT.  False when the case
 * ends here; x is then freed.
 */
static bool nlm_begin(struct dc_ctx *ctx, struct xfile *x, bool restart)
{
	memset(x, 0, sizeof(*x));
	if (!nlm_port()) {
		dc_skip(ctx, "no NLM server (run through restart.sh --nlm)");
		return false;
	}
	if (restart && !dc_restart_available()) {
		dc_skip(ctx, "no restart hook (run through restart.sh --nlm)");
		return false;
	}
	EXPECT_RPC(xfile_setup(ctx, x), "setup");
	return true;
out:
	xfile_free(x);
	return false;
}

/*
 * After the server restarted with x's exclusive NLM lock on [0,10): x
 * reconnects (the NSM state of its host now 2); in grace a new lock is
 * refused and the reclaim of [0,10) granted (what names that check).
 * Checks like EXPECT; false once one failed.
 */
static bool reclaim_after_restart(struct dc_ctx *ctx, struct xfile *x,
				  const char *what)
{
	enum dc_nlm_stat ns;

	dc_nlm_close(&x->nlm);
	EXPECT_RPC(dc_nlm_open(&x->nlm, ctx->srv.host, nlm_port()),
		   "NLM reconnect");
	EXPECT_RPC(dc_nlm_lock(&x->nlm, &x->fh3, &x->owner, true, 20, 10,
			       false, 2, &ns),
		   "NLM LOCK");
	EXPECT_NLM(ns, DC_NLM4_DENIED_GRACE_PERIOD, "new NLM LOCK in grace");
	EXPECT_RPC(dc_nlm_lock(&x->nlm, &x->fh3, &x->owner, true, 0, 10, true,
			       2, &ns),
		   "NLM LOCK reclaim");
	EXPECT_NLM(ns, DC_NLM4_GRANTED, what);
	return true;
out:
	return false;
}

/* NLM1: an NLM whole-file lock blocks NFSv4 LOCK and LOCKT. */
static void nlm1(struct dc_ctx *ctx)
{
	struct xfile x;

	if (!nlm_begin(ctx, &x, false))
		return;
	EXPECT_NLM_LOCK(&x, true, 0, 0, DC_NLM4_GRANTED, "NLM LOCK whole file");
	EXPECT_V4_LOCK(&x, WRITE_LT, 0, 10, NFS4ERR_DENIED,
		       "NFSv4 LOCK [0,10)");
	EXPECT_V4_LOCK(&x, READ_LT, 1 << 20, EOF64, NFS4ERR_DENIED,
		       "NFSv4 read LOCK [1M,EOF)");
	EXPECT_V4_LOCKT(&x, WRITE_LT, 5, 1, NFS4ERR_DENIED,
			"NFSv4 LOCKT [5,6)");
	EXPECT_NLM_UNLOCK(&x, 0, 0, "NLM UNLOCK");
	EXPECT_V4_LOCK(&x, WRITE_LT, 0, 10, NFS4_OK,
		       "NFSv4 LOCK after NLM UNLOCK");
out:
	xfile_free(&x);
}

/* NLM2: an NFSv4 range lock blocks overlapping NLM locks only. */
static void nlm2(struct dc_ctx *ctx)
{
	struct xfile x;
	struct dc_nlm_holder h = { 0 };
	enum dc_nlm_stat ns;
	stateid4 lsid;
	nfsstat4 st;

	if (!nlm_begin(ctx, &x, false))
		return;
	EXPECT_OK(v4_lock(&x, WRITE_LT, 100, 100, &st, &lsid), st,
		  "NFSv4 LOCK [100,200)");
	EXPECT_NLM_LOCK(&x, true, 150, 10, DC_NLM4_DENIED,
			"NLM LOCK [150,160)");
	EXPECT_RPC(dc_nlm_test(&x.nlm, &x.fh3, &x.owner, false, 0, 0, &ns,
			       &h),
		   "NLM TEST");
	EXPECT_NLM(ns, DC_NLM4_DENIED, "NLM TEST shared whole file");
	EXPECT(h.exclusive && h.offset == 100 && h.len == 100,
	       "NLM TEST holder: exclusive %d [%llu,+%llu), expected the "
	       "NFSv4 lock [100,+100)",
	       h.exclusive, (unsigned long long)h.offset,
	       (unsigned long long)h.len);
	EXPECT_NLM_LOCK(&x, true, 200, 10, DC_NLM4_GRANTED,
			"NLM LOCK [200,210) next to it");
	EXPECT_NLM_LOCK(&x, true, 0, 100, DC_NLM4_GRANTED,
			"NLM LOCK [0,100) before it");
	EXPECT_OK(v4_locku(&x, &lsid, 100, 100, &st), st, "NFSv4 LOCKU");
	EXPECT_NLM_LOCK(&x, true, 150, 10, DC_NLM4_GRANTED,
			"NLM LOCK [150,160) after LOCKU");
out:
	xfile_free(&x);
}

/* NLM3: shared locks coexist across protocols, exclusive ones do not. */
static void nlm3(struct dc_ctx *ctx)
{
	struct xfile x;

	if (!nlm_begin(ctx, &x, false))
		return;
	EXPECT_NLM_LOCK(&x, false, 0, 0, DC_NLM4_GRANTED,
			"NLM shared LOCK whole file");
	EXPECT_V4_LOCK(&x, READ_LT, 0, EOF64, NFS4_OK,
		       "NFSv4 read LOCK over an NLM shared lock");
	EXPECT_V4_LOCK(&x, WRITE_LT, 4096, 1, NFS4ERR_DENIED,
		       "NFSv4 write LOCK over an NLM shared lock");
	EXPECT_NLM_UNLOCK(&x, 0, 0, "NLM UNLOCK");
	/* The NFSv4 read lock remains: NLM may share, not own it. */
	EXPECT_NLM_LOCK(&x, false, 10, 10, DC_NLM4_GRANTED,
			"NLM shared LOCK over NFSv4 read");
	EXPECT_NLM_LOCK(&x, true, 10, 10, DC_NLM4_DENIED,
			"NLM exclusive LOCK over NFSv4 read");
out:
	xfile_free(&x);
}

/*
 * NLM4: whole-file and range locks (POSIX): a 1-byte NFSv4 lock at 1000
 * denies NLM's whole file but not [0,1000) or [1001,EOF).
 */
static void nlm4(struct dc_ctx *ctx)
{
	struct xfile x;

	if (!nlm_begin(ctx, &x, false))
		return;
	EXPECT_V4_LOCK(&x, WRITE_LT, 1000, 1, NFS4_OK,
		       "NFSv4 LOCK [1000,1001)");
	EXPECT_NLM_LOCK(&x, true, 0, 0, DC_NLM4_DENIED, "NLM LOCK whole file");
	EXPECT_NLM_LOCK(&x, true, 0, 1000, DC_NLM4_GRANTED,
			"NLM LOCK [0,1000)");
	EXPECT_NLM_LOCK(&x, true, 1001, 0, DC_NLM4_GRANTED,
			"NLM LOCK [1001,EOF)");
	EXPECT_V4_LOCKT(&x, WRITE_LT, 999, 1, NFS4ERR_DENIED,
			"NFSv4 LOCKT [999,1000)");
	EXPECT_V4_LOCKT(&x, WRITE_LT, UINT64_MAX - 10, 1, NFS4ERR_DENIED,
			"NFSv4 LOCKT near the end");
out:
	xfile_free(&x);
}

/*
 * NLM5: unlocking the middle of an NLM lock splits it (POSIX): the hole
 * is free for NFSv4, both ends stay locked.
 */
static void nlm5(struct dc_ctx *ctx)
{
	struct xfile x;

	if (!nlm_begin(ctx, &x, false))
		return;
	EXPECT_NLM_LOCK(&x, true, 0, 100, DC_NLM4_GRANTED, "NLM LOCK [0,100)");
	EXPECT_NLM_UNLOCK(&x, 40, 20, "NLM UNLOCK [40,60)");
	EXPECT_V4_LOCK(&x, WRITE_LT, 40, 20, NFS4_OK,
		       "NFSv4 LOCK [40,60) in the hole");
	EXPECT_V4_LOCKT(&x, WRITE_LT, 39, 1, NFS4ERR_DENIED,
			"NFSv4 LOCKT [39,40)");
	EXPECT_V4_LOCKT(&x, WRITE_LT, 60, 1, NFS4ERR_DENIED,
			"NFSv4 LOCKT [60,61)");
	EXPECT_V4_LOCKT(&x, WRITE_LT, 100, 1, NFS4_OK, "NFSv4 LOCKT [100,101)");
out:
	xfile_free(&x);
}

/*
 * NLM6: after a restart NLM locks are reclaimed in grace (new ones get
 * NLM4_DENIED_GRACE_PERIOD) and still exclude NFSv4 after grace.
 */
static void nlm6(struct dc_ctx *ctx)
{
	struct xfile x;
	nfsstat4 st;

	if (!nlm_begin(ctx, &x, true))
		return;
	EXPECT_NLM_LOCK(&x, true, 0, 10, DC_NLM4_GRANTED, "NLM LOCK [0,10)");
	EXPECT(dc_server_restart() == 0, "restarting the server failed");
	if (!reclaim_after_restart(ctx, &x, "NLM LOCK reclaim [0,10) in grace"))
		goto out;
	/* A 4.1 client after grace: the reclaimed lock is there. */
	dc_fh_free(&x.fh);
	dc_client_destroy(&x.v4);
	memset(&x.v4, 0, sizeof(x.v4));
	EXPECT_RPC(dc_ctx_mounted(ctx, &x.v4), "mount");
	EXPECT_OK(xfile_open(ctx, &x, false, &st), st, "OPEN after grace");
	EXPECT_V4_LOCK(&x, WRITE_LT, 5, 1, NFS4ERR_DENIED,
		       "NFSv4 LOCK over the reclaimed lock");
	EXPECT_V4_LOCK(&x, WRITE_LT, 10, 10, NFS4_OK, "NFSv4 LOCK next to it");
out:
	xfile_free(&x);
}

/*
 * NLM7: the client's lock manager asks statd to watch the server; the
 * server's restart reaches it as statd's callback (sm-notify's SM_NOTIFY
 * relayed), with the server's new, odd NSM state; the client reclaims.
 */
static void nlm7(struct dc_ctx *ctx)
{
	struct dc_nsm_watch w = { .fd = -1 };
	struct xfile x;
	char name[256];
	int32_t state;

	if (!nlm_begin(ctx, &x, true))
		return;
	EXPECT_NLM_LOCK(&x, true, 0, 10, DC_NLM4_GRANTED, "NLM LOCK [0,10)");
	/* sm-notify names the server by its address's host name. */
	EXPECT_RPC(dc_nsm_watch_start(&w, "localhost"),
		   "rpcbind SET + SM_MON of the server");
	EXPECT(dc_server_restart() == 0, "restarting the server failed");
	EXPECT(dc_nsm_watch_wait(&w, 20000),
	       "statd relayed no SM_NOTIFY after the restart");
	pthread_mutex_lock(&w.lock);
	state = w.got_state;
	snprintf(name, sizeof(name), "%s", w.got_name);
	pthread_mutex_unlock(&w.lock);
	EXPECT(state % 2 != 0, "NSM state %d after a reboot is even", state);
	if (!reclaim_after_restart(ctx, &x, "NLM LOCK reclaim after SM_NOTIFY"))
		goto out;
	EXPECT_NLM_UNLOCK(&x, 0, 10, "NLM UNLOCK");
	dc_note(ctx, "statd callback for %s, server state %d", name, state);
out:
	dc_nsm_watch_stop(&w);
	xfile_free(&x);
}

/*
 * x's 4.1 client closes its open of the file and opens it again
 * write-only asking for a write delegation (18.16.3); *dsid is the
 * delegation's stateid when *dtype is OPEN_DELEGATE_WRITE.
 */
static int v4_reopen_wdeleg(struct dc_ctx *ctx, struct xfile *x,
			    open_delegation_type4 *dtype, stateid4 *dsid,
			    nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	open_delegation4 *d;
	uint32_t slot;
	char name[128], oo[64];
	int rc;

	rc = dc_client_close_file(&x->v4, &x->fh, &x->open_sid, st);
	if (rc || *st != NFS4_OK)
		return rc;
	dc_name(ctx, "f", name, sizeof(name));
	dc_client_open_owner(&x->v4, oo, sizeof(oo));
	rc = dc_client_begin(&x->v4, &c, "open", false, &slot);
	if (rc)
		return rc;
	dc_client_put_export(&x->v4, &c);
	dc_op_open(&c, 0, x->v4.clientid, oo, name, false,
		   OPEN4_SHARE_ACCESS_WRITE |
			   OPEN4_SHARE_ACCESS_WANT_WRITE_DELEG);
	rc = dc_client_send(&x->v4, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (!rc) {
		unsigned n = r.res.resarray.resarray_len;

		*st = n ? dc_cres_status(&r, n - 1) : r.res.status;
		if (*st == NFS4_OK) {
			OPEN4resok *ok = &dc_cres_op(&r, n - 1)
						  ->nfs_resop4_u.opopen.OPEN4res_u
						  .resok4;

			d = &ok->delegation;
			x->open_sid = ok->stateid;
			*dtype = d->delegation_type;
			if (*dtype == OPEN_DELEGATE_WRITE)
				*dsid = d->open_delegation4_u.write.stateid;
		}
	}
	dc_cres_free(&r);
	return rc;
}

static int v4_delegreturn(struct xfile *x, const stateid4 *dsid,
			  nfsstat4 *st)
{
	struct dc_compound c;
	uint32_t slot;
	int rc;

	rc = dc_client_begin(&x->v4, &c, "delegreturn", false, &slot);
	if (rc)
		return rc;
	dc_op_putfh(&c, &x->fh);
	dc_op_delegreturn(&c, dsid);
	return v4_send(x, &c, slot, st, NULL);
}

/*
 * NLM8: an NLM lock from the host of a write-delegation holder (here the
 * same address: NAT, containers, one machine with a v3 and a 4.1 mount)
 * is another client's access: the delegation is recalled before the
 * lock is granted (10.4.1), never granted under it.
 */
static void nlm8(struct dc_ctx *ctx)
{
	open_delegation_type4 dtype = OPEN_DELEGATE_NONE;
	enum dc_nlm_stat ns = DC_NLM4_DENIED;
	stateid4 dsid;
	struct xfile x;
	bool held = false;
	double t0;
	nfsstat4 st;
	int rc;

	if (!nlm_begin(ctx, &x, false))
		return;
	EXPECT_OK(v4_reopen_wdeleg(ctx, &x, &dtype, &dsid, &st), st,
		  "CLOSE and OPEN for a write delegation");
	if (dtype != OPEN_DELEGATE_WRITE) {
		/* FSAL_VFS without kernel leases, for one */
		dc_skip(ctx, "no write delegation granted (type %d): the "
			     "FSAL grants none", dtype);
		goto out;
	}
	held = true;
	/* Dropped while the recall runs (Ganesha answers nothing then):
	 * a short timeout, the connection made again for the retries.
	 */
	x.nlm.timeout_ms = 3000;
	rc = dc_nlm_lock(&x.nlm, &x.fh3, &x.owner, true, 0, 0, false, 1, &ns);
	EXPECT(rc != 0 || ns != DC_NLM4_GRANTED,
	       "an NLM write lock was granted on a file whose write "
	       "delegation another client still holds, with no recall");
	EXPECT(dc_cb_wait(&x.v4.cb, 1, 15000) >= 1 &&
		       dc_cb_recalls(&x.v4.cb, &x.fh) >= 1,
	       "no CB_RECALL of the write delegation after an NLM LOCK "
	       "from the holder's address");
	EXPECT_OK(v4_delegreturn(&x, &dsid, &st), st,
		  "DELEGRETURN after the recall");
	held = false;
	t0 = dc_now_s();
	do {
		dc_nlm_close(&x.nlm);
		EXPECT_RPC(dc_nlm_open(&x.nlm, ctx->srv.host, nlm_port()),
			   "NLM reconnect");
		x.nlm.timeout_ms = 3000;
		rc = dc_nlm_lock(&x.nlm, &x.fh3, &x.owner, true, 0, 0, false,
				 1, &ns);
		if (rc == 0 && ns == DC_NLM4_GRANTED)
			break;
		dc_sleep_ms(POLL_MS);
	} while (dc_now_s() - t0 < 20);
	EXPECT_RPC(rc, "NLM LOCK after DELEGRETURN");
	EXPECT_NLM(ns, DC_NLM4_GRANTED, "NLM LOCK once the delegation is back");
	EXPECT_V4_LOCK(&x, WRITE_LT, 0, 10, NFS4ERR_DENIED,
		       "NFSv4 LOCK under the NLM lock");
	EXPECT_NLM_UNLOCK(&x, 0, 0, "NLM UNLOCK");
out:
	if (held)
		v4_delegreturn(&x, &dsid, &st);
	xfile_free(&x);
}

/*
 * Seconds from t0 until a client new to the server (it held no state
 * before the restart) can OPEN without NFS4ERR_GRACE; -1 past the
 * bound or on an error.
 */
static double grace_end(struct dc_ctx *ctx, double t0)
{
	struct dc_client n = { 0 };
	double end = -1;
	stateid4 sid;
	char name[128];
	nfs_fh4 fh = { 0 };
	nfsstat4 st;

	dc_name(ctx, "probe", name, sizeof(name));
	if (dc_ctx_mounted(ctx, &n))
		return -1;
	while (dc_now_s() - t0 < dc_env_int("DITTO_GRACE", 30) + 30) {
		if (dc_client_open_file(&n, name, true, &sid, &fh, &st))
			break;
		if (st != NFS4ERR_GRACE) {
			if (st == NFS4_OK) {
				end = dc_now_s() - t0;
				dc_client_close_file(&n, &fh, &sid, &st);
			}
			break;
		}
		dc_sleep_ms(POLL_MS);
	}
	dc_fh_free(&fh);
	dc_client_destroy(&n);
	return end;
}

/*
 * Grace ends early only once every client that held state before the
 * restart is done: earlier cases' 4.1 clients that could not be
 * destroyed must first expire (a lease and a half, then the reaper).
 */
static void settle_earlier_clients(void)
{
	dc_sleep_ms((unsigned)(dc_env_int("DITTO_LEASE", 10) * 3 / 2 + 2) *
		    1000);
}

/*
 * The NLM client of x holds [0,10) exclusively, ready for a restart
 * whose grace period is measured; false (the case failed or skipped)
 * otherwise.
 */
static bool lock_for_restart(struct dc_ctx *ctx, struct xfile *x)
{
	if (!nlm_begin(ctx, x, true))
		return false;
	settle_earlier_clients();
	EXPECT_NLM_LOCK(x, true, 0, 10, DC_NLM4_GRANTED, "NLM LOCK [0,10)");
	return true;
out:
	xfile_free(x);
	return false;
}

/*
 * Grace ended (a new client's OPEN, from t0 on) before its period;
 * *end the seconds it took.  Checks like EXPECT; false once one failed.
 */
static bool grace_ended_early(struct dc_ctx *ctx, double t0, double *end)
{
	int grace = dc_env_int("DITTO_GRACE", 30);

	*end = grace_end(ctx, t0);
	EXPECT(*end >= 0, "no OPEN outside grace within %d s", grace + 30);
	EXPECT(*end < grace, "grace lasted its whole period (%.1f s of %d s)",
	       *end, grace);
	return true;
out:
	return false;
}

/*
 * NLM9: a 4.1 client with an open and an NLM client with a lock; after
 * the restart the 4.1 client sends RECLAIM_COMPLETE and the NLM client
 * reclaims (a new lock is still refused before).  Grace then ends
 * before its period: NLM no longer keeps it to the end.
 */
static void nlm9(struct dc_ctx *ctx)
{
	struct dc_client b = { 0 };
	struct xfile x;
	double t0, end;
	nfsstat4 st;

	if (!lock_for_restart(ctx, &x))
		return;
	EXPECT(dc_server_restart() == 0, "restarting the server failed");
	t0 = dc_now_s();
	EXPECT_RPC(dc_client_reborn(&x.v4, &b), "4.1 client back");
	if (!reclaim_after_restart(ctx, &x, "NLM LOCK reclaim [0,10) in grace"))
		goto out;
	EXPECT_OK(dc_client_reclaim_complete(&b, &st), st, "RECLAIM_COMPLETE");
	if (!grace_ended_early(ctx, t0, &end))
		goto out;
	dc_note(ctx, "grace ended %.1f s after the restart (period %d s)", end,
		dc_env_int("DITTO_GRACE", 30));
	EXPECT_NLM_UNLOCK(&x, 0, 10, "NLM UNLOCK");
out:
	dc_client_destroy(&b);
	xfile_free(&x);
}

/*
 * NLM10: an NLM client that held a lock never comes back after the
 * restart (no 4.1 client held state).  Grace waits a lease for it, not
 * less (it is known from before the restart), then ends before its
 * period.
 */
static void nlm10(struct dc_ctx *ctx)
{
	int lease = dc_env_int("DITTO_LEASE", 10);
	struct xfile x;
	double t0, end;
	nfsstat4 st;

	if (!lock_for_restart(ctx, &x))
		return;
	/* The 4.1 side leaves no state to wait for. */
	EXPECT_OK(dc_client_close_file(&x.v4, &x.fh, &x.open_sid, &st), st,
		  "CLOSE");
	dc_client_destroy(&x.v4);
	dc_nlm_close(&x.nlm);
	EXPECT(dc_server_restart() == 0, "restarting the server failed");
	t0 = dc_now_s();
	if (!grace_ended_early(ctx, t0, &end))
		goto out;
	dc_note(ctx, "grace ended %.1f s after the restart (lease %d s, "
		"period %d s)", end, lease, dc_env_int("DITTO_GRACE", 30));
	EXPECT(end >= lease - 1,
	       "grace ended %.1f s after the restart: the NLM host that "
	       "held a lock had no lease (%d s) to reclaim", end, lease);
out:
	xfile_free(&x);
}

const struct dc_case dc_cases_nlm[] = {
	{ "NLM1", "an NLM whole-file lock denies NFSv4 LOCK and LOCKT "
		  "anywhere; gone after NLM UNLOCK",
	  "18.10.3", "nlm lock", "", nlm1 },
	{ "NLM2", "an NFSv4 range lock denies overlapping NLM locks only; "
		  "NLM TEST names it as the holder",
	  "18.10.3", "nlm lock", "NLM1", nlm2 },
	{ "NLM3", "shared NLM and NFSv4 read locks coexist; exclusive ones "
		  "are denied over them",
	  "18.10.3", "nlm lock", "NLM1", nlm3 },
	{ "NLM4", "whole-file and range locks across protocols follow POSIX "
		  "ranges (NLM length 0 = to EOF)",
	  "18.10.3", "nlm lock", "NLM1", nlm4 },
	{ "NLM5", "unlocking the middle of an NLM lock splits it; NFSv4 "
		  "locks the hole only",
	  "18.10.3", "nlm lock", "NLM1", nlm5 },
	{ "NLM6", "after a restart NLM locks are reclaimed in grace, new "
		  "ones denied; the reclaim excludes NFSv4",
	  "8.4.2.1", "nlm lock restart slow", "NLM1", nlm6 },
	{ "NLM7", "a server restart reaches the NLM client through statd "
		  "(SM_MON, SM_NOTIFY); the client reclaims its lock",
	  "XNFS 11", "nlm lock restart nsm slow", "NLM6", nlm7 },
	{ "NLM8", "an NLM lock from a write delegation holder's address "
		  "recalls the delegation first",
	  "10.4.1", "nlm lock deleg", "NLM1", nlm8 },
	{ "NLM9", "mixed restart: grace ends before its period once the 4.1 "
		  "client sent RECLAIM_COMPLETE and the NLM client reclaimed",
	  "8.4.2.1", "nlm lock restart nsm slow", "NLM6", nlm9 },
	{ "NLM10", "an NLM host that held a lock and never returns keeps "
		   "grace one lease, not its whole period",
	  "8.4.2.1", "nlm lock restart nsm slow", "NLM6", nlm10 },
	{ NULL },
};

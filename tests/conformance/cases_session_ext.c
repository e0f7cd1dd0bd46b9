// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Cases for ditto's session patches 0021, 0022, 0030-0033, 0037,
 * 0038, 0042 and 0044 (docs/sessions.md, "Tests
 * to add"): BACKCHANNEL_CTL (RFC 8881 section 18.33), back channel
 * attribute limits (18.36.3), FREE_STATEID (18.38), RECLAIM_COMPLETE
 * with rca_one_fs (18.51), the CB_NULL probe of new back channels and
 * SEQ4_STATUS_CB_PATH_DOWN_SESSION (18.46.3), the nfsv41_* metrics, the
 * DBus SessionMgr and the reaping of an expired client's sessions.
 *
 * Metric cases (flag metrics) read http://127.0.0.1:PORT/metrics with
 * PORT from DITTO_MONITORING_PORT (run.sh exports it) and check exact
 * deltas: cases run one at a time against a private daemon, so only the
 * case itself moves the counters it looks at.  Sessions that earlier
 * cases left behind may still be reaped meanwhile (reason "expired"),
 * so the sessions_active gauge is checked against created - destroyed
 * of all reasons rather than a bare +1.
 *
 * Every wait is bounded and polls for an event; nothing asserts how
 * long something took (durations only go into notes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "case.h"
#include "compound_v42.h"
#include "dbus_cbsim.h"
#include "dbus_sessionmgr.h"
#include "metrics_scrape.h"

#define CB_WAIT_MS 10000
/* A CB_NULL probe that is never answered fails after 2 x
 * Callback_Timeout (at most 300 s by the config range; the suite's
 * server.conf.in sets 2).  Poll for the resulting flag this long.
 */
#define PATH_DOWN_WAIT_MS 45000
#define CB_TIMEOUT_MS 2000	/* server.conf.in: Callback_Timeout */
#define POLL_MS 200
#define SCRAPE_TIMEOUT_MS 5000
/* Metrics bumped by a server thread after our client saw the call. */
#define METRIC_SETTLE_MS 5000

#define RPCSEC_GSS_FLAVOR 6
#define PROG_ALT 0x40000078u	/* a second callback program */

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define PATH_DOWN_BITS                                                         \
	(SEQ4_STATUS_CB_PATH_DOWN | SEQ4_STATUS_CB_PATH_DOWN_SESSION)

/*
 * Wait (bounded) for a callback record from index from on with the
 * given procedure and, if prog is not 0, program.  Returns its index
 * or -1.
 */
static int wait_cb(struct dc_backchannel *cb, unsigned from, uint32_t proc,
		   uint32_t prog, int timeout_ms, struct dc_cb_record *out)
{
	double end = now_s() + timeout_ms / 1000.0;
	unsigned i = from, n;

	for (;;) {
		double left;

		n = dc_cb_count(cb);
		for (; i < n; i++)
			if (dc_cb_get(cb, i, out) && out->proc == proc &&
			    (!prog || out->prog == prog))
				return i;
		left = end - now_s();
		if (left <= 0)
			return -1;
		dc_cb_wait(cb, n + 1, left * 1000 > 500 ? 500 :
							  left * 1000 + 1);
	}
}

static void set_cb_program(struct dc_client *cl, uint32_t prog)
{
	pthread_mutex_lock(&cl->cb.lock);
	cl->cb.program = prog;
	pthread_mutex_unlock(&cl->cb.lock);
}

/* --- callback security parameters built by hand ----------------------- */

enum sp_kind { SP_NONE, SP_SYS, SP_GSS };

static void fill_sec_parm(struct dc_compound *c, callback_sec_parms4 *p,
			  enum sp_kind k)
{
	static const char machine[] = "ditto-conformance";
	static const char handle[] = "no-such-gss-handle";

	memset(p, 0, sizeof(*p));
	switch (k) {
	case SP_NONE:
		p->cb_secflavor = DC_AUTH_NONE;
		break;
	case SP_SYS:
		p->cb_secflavor = DC_AUTH_SYS;
		p->callback_sec_parms4_u.cbsp_sys_cred.aup_machname =
			dc_compound_keep(c, machine, sizeof(machine) - 1);
		break;
	case SP_GSS: {
		gss_cb_handles4 *g = &p->callback_sec_parms4_u.cbsp_gss_handles;

		p->cb_secflavor = RPCSEC_GSS_FLAVOR;
		g->gcbp_service = 1;	/* rpc_gss_svc_none */
		g->gcbp_handle_from_server.gsshandle4_t_len =
			sizeof(handle) - 1;
		g->gcbp_handle_from_server.gsshandle4_t_val =
			dc_compound_keep(c, handle, sizeof(handle) - 1);
		g->gcbp_handle_from_client.gsshandle4_t_len =
			sizeof(handle) - 1;
		g->gcbp_handle_from_client.gsshandle4_t_val =
			dc_compound_keep(c, handle, sizeof(handle) - 1);
		break;
	}
	}
}

static void add_backchannel_ctl(struct dc_compound *c, uint32_t prog,
				const enum sp_kind *kinds, unsigned n)
{
	BACKCHANNEL_CTL4args *a = &dc_op_add(c, NFS4_OP_BACKCHANNEL_CTL)
					   ->nfs_argop4_u.opbackchannel_ctl;
	unsigned i;

	a->bca_cb_program = prog;
	a->bca_sec_parms.bca_sec_parms_len = n;
	a->bca_sec_parms.bca_sec_parms_val =
		n ? dc_compound_keep(c, NULL, n * sizeof(callback_sec_parms4)) :
		    NULL;
	for (i = 0; i < n; i++)
		fill_sec_parm(c, &a->bca_sec_parms.bca_sec_parms_val[i],
			      kinds[i]);
}

/* SEQUENCE + BACKCHANNEL_CTL; *st is BACKCHANNEL_CTL's status. */
static int backchannel_ctl(struct dc_client *cl, uint32_t prog,
			   const enum sp_kind *kinds, unsigned n,
			   nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc;

	rc = dc_client_begin(cl, &c, "backchannel_ctl", false, &slot);
	if (rc)
		return rc;
	add_backchannel_ctl(&c, prog, kinds, n);
	rc = dc_client_send(cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (rc) {
		dc_cres_free(&r);
		return rc;
	}
	*st = r.res.status == NFS4_OK ? NFS4_OK :
	      r.res.resarray.resarray_len >= 2 ? dc_cres_status(&r, 1) :
						   r.res.status;
	dc_cres_free(&r);
	return 0;
}

/*
 * CREATE_SESSION with CONN_BACK_CHAN on conns[0] without serving the
 * back channel there: the server's callbacks on it are never answered
 * (the connection's reader drops calls nobody handles).  Sets up the
 * client's session as dc_client_create_session() does.
 */
static int create_session_deaf(struct dc_client *cl, nfsstat4 *st)
{
	channel_attrs4 fore, back;

	dc_default_chan_attrs(&fore, 8);
	dc_default_back_chan_attrs(&back, 4);
	return dc_client_create_session_with(cl,
					     CREATE_SESSION4_FLAG_CONN_BACK_CHAN,
					     &fore, &back, false, st, NULL);
}

/* EXCHANGE_ID + CREATE_SESSION (back channel served), no
 * RECLAIM_COMPLETE.
 */
static int session_no_rc(struct dc_ctx *ctx, struct dc_client *cl,
			 uint32_t csflags, nfsstat4 *st)
{
	int rc = dc_ctx_client(ctx, cl);

	if (rc)
		return rc;
	rc = dc_client_exchange_id(cl, EXCHGID4_FLAG_USE_NON_PNFS, st);
	if (rc || *st != NFS4_OK)
		return rc;
	return dc_client_create_session(cl, csflags, 8, st);
}

/* --- BACKCHANNEL_CTL (patch 0030) ------------------------------------ */

/*
 * BACKCHANNEL_CTL to a new program with the given security; the next
 * callbacks (the CB_NULL probe of patch 0033, then a simulated
 * CB_RECALL when the callback simulator is reachable) must use the new
 * program and credential flavor want_flavor.
 */
static void bctl_switch(struct dc_ctx *ctx, const enum sp_kind *kinds,
			unsigned n, uint32_t want_flavor)
{
	struct dc_client cl = { 0 };
	struct dc_cb_record r;
	unsigned from;
	uint32_t flags;
	nfsstat4 st;
	int rc, i;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	/* Let the probe of the CREATE_SESSION back channel go first. */
	wait_cb(&cl.cb, 0, 0, DC_CB_PROGRAM, CB_WAIT_MS, &r);
	from = dc_cb_count(&cl.cb);
	set_cb_program(&cl, PROG_ALT);
	rc = backchannel_ctl(&cl, PROG_ALT, kinds, n, &st);
	EXPECT_OK(rc, st, "BACKCHANNEL_CTL");
	i = wait_cb(&cl.cb, from, 0, 0, CB_WAIT_MS, &r);
	EXPECT(i >= 0, "no CB_NULL within %d ms after BACKCHANNEL_CTL "
		       "(%u callbacks recorded)",
	       CB_WAIT_MS, dc_cb_count(&cl.cb));
	EXPECT(r.prog == PROG_ALT, "CB_NULL for program %#x, "
				   "BACKCHANNEL_CTL set %#x", r.prog,
	       PROG_ALT);
	EXPECT(r.cred_flavor == want_flavor,
	       "CB_NULL with credential flavor %u, expected %u", r.cred_flavor,
	       want_flavor);
	EXPECT(r.conn == cl.conns[0],
	       "CB_NULL on another connection than the back channel's");
	if (dc_cbsim_bus()) {
		from = dc_cb_count(&cl.cb);
		rc = dc_cbsim_fake_recall(cl.clientid);
		EXPECT(rc == 0, "fake_recall failed (%d)", rc);
		i = wait_cb(&cl.cb, from, 1, 0, CB_WAIT_MS, &r);
		EXPECT(i >= 0, "no CB_COMPOUND within %d ms of fake_recall",
		       CB_WAIT_MS);
		EXPECT(r.prog == PROG_ALT && r.cred_flavor == want_flavor,
		       "CB_COMPOUND for program %#x flavor %u, expected "
		       "%#x flavor %u",
		       r.prog, r.cred_flavor, PROG_ALT, want_flavor);
		EXPECT(r.replied, "our reply to the CB_COMPOUND failed");
	}
	rc = dc_client_seq_flags(&cl, &flags, &st);
	EXPECT_OK(rc, st, "SEQUENCE after BACKCHANNEL_CTL");
	EXPECT(!(flags & PATH_DOWN_BITS),
	       "back channel reported down (flags %#x)", flags);
	dc_note(ctx, "%s", dc_cbsim_bus() ? "CB_NULL and CB_COMPOUND checked" :
					    "no bus: CB_NULL only");
out:
	dc_client_destroy(&cl);
}

static void bctl1_none(struct dc_ctx *ctx)
{
	static const enum sp_kind k[] = { SP_NONE };

	bctl_switch(ctx, k, 1, DC_AUTH_NONE);
}

static void bctl2_sys(struct dc_ctx *ctx)
{
	static const enum sp_kind k[] = { SP_SYS };

	bctl_switch(ctx, k, 1, DC_AUTH_SYS);
}

static void bctl4_gss_then_sys(struct dc_ctx *ctx)
{
	static const enum sp_kind k[] = { SP_GSS, SP_SYS };

	bctl_switch(ctx, k, 2, DC_AUTH_SYS);
}

/* BACKCHANNEL_CTL that must fail with want and leave the channel up. */
static void bctl_refused(struct dc_ctx *ctx, const enum sp_kind *kinds,
			 unsigned n, nfsstat4 want)
{
	struct dc_client cl = { 0 };
	uint32_t flags;
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = backchannel_ctl(&cl, PROG_ALT, kinds, n, &st);
	EXPECT_RPC(rc, "SEQUENCE+BACKCHANNEL_CTL");
	EXPECT_STATUS(st, want, "BACKCHANNEL_CTL");
	rc = dc_client_seq_flags(&cl, &flags, &st);
	EXPECT_OK(rc, st,
		  "SEQUENCE after the refused "
		  "BACKCHANNEL_CTL");
	EXPECT(!(flags & PATH_DOWN_BITS),
	       "back channel down after a refused BACKCHANNEL_CTL (flags "
	       "%#x)", flags);
out:
	dc_client_destroy(&cl);
}

static void bctl3_gss_only(struct dc_ctx *ctx)
{
	static const enum sp_kind k[] = { SP_GSS };

	bctl_refused(ctx, k, 1, NFS4ERR_NOENT);
}

static void bctl5_empty(struct dc_ctx *ctx)
{
	bctl_refused(ctx, NULL, 0, NFS4ERR_INVAL);
}

static void bctl6_no_back_channel(struct dc_ctx *ctx)
{
	static const enum sp_kind k[] = { SP_SYS };
	struct dc_client cl = { 0 };
	channel_dir_from_server4 dir = 0;
	struct dc_cb_record r;
	nfsstat4 st;
	int rc, ci;

	rc = session_no_rc(ctx, &cl, 0, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION without CONN_BACK_CHAN");
	rc = backchannel_ctl(&cl, DC_CB_PROGRAM, k, 1, &st);
	EXPECT_RPC(rc, "SEQUENCE+BACKCHANNEL_CTL");
	EXPECT_STATUS(st, NFS4ERR_INVAL,
		      "BACKCHANNEL_CTL on a session without back channel");
	ci = dc_client_add_conn(&cl);
	EXPECT(ci == 1, "second connection: %d", ci);
	dc_cb_attach(&cl.cb, cl.conns[1]);
	rc = dc_client_bind_conn(&cl, 1, CDFC4_BACK, &st, &dir);
	EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION back");
	rc = backchannel_ctl(&cl, DC_CB_PROGRAM, k, 1, &st);
	EXPECT_OK(rc, st, "BACKCHANNEL_CTL after BIND_CONN_TO_SESSION back");
	EXPECT(wait_cb(&cl.cb, 0, 0, DC_CB_PROGRAM, CB_WAIT_MS, &r) >= 0,
	       "no CB_NULL on the bound connection");
	EXPECT(r.conn == cl.conns[1], "CB_NULL not on the back-bound "
				      "connection");
out:
	dc_client_destroy(&cl);
}

static void bctl7_first_op(struct dc_ctx *ctx)
{
	static const enum sp_kind k[] = { SP_SYS };
	struct dc_client cl = { 0 };
	struct dc_compound c;
	struct dc_cres r = { 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	dc_compound_init(&c, 1, "bctl_alone");
	add_backchannel_ctl(&c, DC_CB_PROGRAM, k, 1);
	rc = dc_compound_call(cl.conns[0], &cl.auth, &c, &r, cl.timeout_ms);
	dc_compound_free(&c);
	EXPECT_RPC(rc, "BACKCHANNEL_CTL");
	EXPECT_STATUS(r.res.status, NFS4ERR_OP_NOT_IN_SESSION,
		      "BACKCHANNEL_CTL as the first operation");
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

/* --- back channel attributes (patch 0031) ----------------------------- */

/* CREATE_SESSION with the default fore channel and this back channel. */
static int create_session_attrs(struct dc_client *cl,
				const channel_attrs4 *back, nfsstat4 *st,
				struct dc_cs_granted *o)
{
	channel_attrs4 fore;

	dc_default_chan_attrs(&fore, 8);
	return dc_client_create_session_with(cl, 0, &fore, back, false, st, o);
}

#define EXPECT_ATTR(got, want, what)                                           \
	EXPECT((got) == (want), "csr_back_chan_attrs %s %u, expected %u",     \
	       (what), (unsigned)(got), (unsigned)(want))

static void csess8_back_clamped(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	channel_attrs4 back = { 0 };
	struct dc_cs_granted o;
	nfsstat4 cs;
	int rc;

	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	back.ca_headerpadsize = 4096;
	back.ca_maxrequestsize = 1 << 20;
	back.ca_maxresponsesize = 1 << 20;
	back.ca_maxresponsesize_cached = 1 << 20;
	back.ca_maxoperations = 100;
	back.ca_maxrequests = 200;
	rc = create_session_attrs(&cl, &back, &cs, &o);
	EXPECT_OK(rc, cs, "CREATE_SESSION");
	/* The defaults of Back_Channel_* (docs/sessions.md). */
	EXPECT_ATTR(o.back.ca_maxrequestsize, 16384, "ca_maxrequestsize");
	EXPECT_ATTR(o.back.ca_maxresponsesize, 16384, "ca_maxresponsesize");
	EXPECT_ATTR(o.back.ca_maxresponsesize_cached, 16384,
		    "ca_maxresponsesize_cached");
	EXPECT_ATTR(o.back.ca_maxoperations, 16, "ca_maxoperations");
	EXPECT_ATTR(o.back.ca_maxrequests, 16, "ca_maxrequests");
	EXPECT_ATTR(o.back.ca_headerpadsize, 0, "ca_headerpadsize");
	EXPECT(o.back_ird == 0 && o.fore_ird == 0,
	       "ca_rdma_ird not empty (fore %u, back %u entries)", o.fore_ird,
	       o.back_ird);
	EXPECT(o.fore.ca_headerpadsize == 0, "fore ca_headerpadsize %u",
	       o.fore.ca_headerpadsize);
out:
	dc_client_destroy(&cl);
}

static void csess9_back_small(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	channel_attrs4 back = { 0 };
	struct dc_cs_granted o;
	nfsstat4 cs;
	int rc;

	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	back.ca_maxrequestsize = 300;
	back.ca_maxresponsesize = 400;
	back.ca_maxresponsesize_cached = 100;
	back.ca_maxoperations = 2;
	back.ca_maxrequests = 1;
	rc = create_session_attrs(&cl, &back, &cs, &o);
	EXPECT_OK(rc, cs, "CREATE_SESSION");
	EXPECT_ATTR(o.back.ca_maxrequestsize, 300, "ca_maxrequestsize");
	EXPECT_ATTR(o.back.ca_maxresponsesize, 400, "ca_maxresponsesize");
	EXPECT_ATTR(o.back.ca_maxresponsesize_cached, 100,
		    "ca_maxresponsesize_cached");
	EXPECT_ATTR(o.back.ca_maxoperations, 2, "ca_maxoperations");
	EXPECT_ATTR(o.back.ca_maxrequests, 1, "ca_maxrequests");
	EXPECT_ATTR(o.back.ca_headerpadsize, 0, "ca_headerpadsize");
out:
	dc_client_destroy(&cl);
}

/* --- FREE_STATEID (patch 0021) ---------------------------------------- */

struct file_op {
	struct dc_client *cl;
	const char *name;
	const nfs_fh4 *fh;
	stateid4 sid;
};

static void fill_open_free_current(struct dc_compound *c, void *arg)
{
	struct file_op *f = arg;
	/* RFC 8881 section 16.2.3.1.2: seqid 1, other all zeros */
	stateid4 current = { .seqid = 1 };
	char oo[64];

	dc_client_put_export(f->cl, c);
	dc_client_open_owner(f->cl, oo, sizeof(oo));
	dc_op_open(c, 0, f->cl->clientid, oo, f->name, true,
		   OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG);
	dc_op_getfh(c);
	dc_op_free_stateid(c, &current);
}

static void fill_remove(struct dc_compound *c, void *arg)
{
	struct file_op *f = arg;

	dc_client_put_export(f->cl, c);
	dc_op_remove(c, f->name);
}

static void fstid5_current(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	struct file_op f = { .cl = &cl };
	stateid4 osid;
	nfs_fh4 fh = { 0 };
	char name[96];
	unsigned n = 0;
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	dc_name(ctx, "f", name, sizeof(name));
	f.name = name;
	rc = dc_client_simple(&cl, fill_open_free_current, &f, &r, &st);
	EXPECT_RPC(rc, "OPEN+FREE_STATEID");
	n = r.res.resarray.resarray_len;
	EXPECT(n >= 3 && dc_cres_op(&r, n - 1)->resop == NFS4_OP_FREE_STATEID,
	       "compound stopped before FREE_STATEID (%u results, status "
	       "%s)",
	       n, dc_nfsstat_name(st));
	EXPECT_STATUS(dc_cres_status(&r, n - 1), NFS4ERR_LOCKS_HELD,
		      "FREE_STATEID(current stateid) right after OPEN");
	osid = dc_cres_op(&r, n - 3)->nfs_resop4_u.opopen.OPEN4res_u.resok4
		       .stateid;
	dc_fh_copy(&fh, &dc_cres_op(&r, n - 2)
				 ->nfs_resop4_u.opgetfh.GETFH4res_u.resok4
				 .object);
	dc_cres_free(&r);
	rc = dc_client_close_file(&cl, &fh, &osid, &st);
	EXPECT_OK(rc, st,
		  "CLOSE of the open FREE_STATEID refused "
		  "to free");
out:
	dc_cres_free(&r);
	if (cl.have_session && n)
		dc_client_simple(&cl, fill_remove, &f, NULL, &st);
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

static void fstid6_bad(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct file_op f = { .cl = &cl };
	stateid4 zeros = { 0 }, ones, epoch, osid;
	nfs_fh4 fh = { 0 };
	char name[96];
	bool opened = false;
	nfsstat4 st;
	int rc, i;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	memset(&ones, 0xff, sizeof(ones));
	dc_name(ctx, "f", name, sizeof(name));
	f.name = name;
	rc = dc_client_open_file(&cl, name, true, &osid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN");
	opened = true;
	/* The same stateid from another server epoch: Ganesha's "other"
	 * starts with the clientid, whose high 32 bits are the epoch.
	 */
	epoch = osid;
	for (i = 4; i < 8; i++)
		epoch.other[i] ^= 0x5a;
	rc = dc_client_free_stateid(&cl, &zeros, &st);
	EXPECT_RPC(rc, "FREE_STATEID");
	EXPECT_STATUS(st, NFS4ERR_BAD_STATEID, "FREE_STATEID(all zeros)");
	rc = dc_client_free_stateid(&cl, &ones, &st);
	EXPECT_RPC(rc, "FREE_STATEID");
	EXPECT_STATUS(st, NFS4ERR_BAD_STATEID, "FREE_STATEID(all ones)");
	rc = dc_client_free_stateid(&cl, &epoch, &st);
	EXPECT_RPC(rc, "FREE_STATEID");
	EXPECT_STATUS(st, NFS4ERR_BAD_STATEID,
		      "FREE_STATEID(open stateid of another epoch)");
	epoch = osid;
	epoch.other[11] ^= 0x77;	/* this server's epoch, no such state */
	rc = dc_client_free_stateid(&cl, &epoch, &st);
	EXPECT_RPC(rc, "FREE_STATEID");
	EXPECT_STATUS(st, NFS4ERR_BAD_STATEID,
		      "FREE_STATEID(unknown stateid of this epoch)");
out:
	if (opened) {
		dc_client_close_file(&cl, &fh, &osid, &st);
		dc_client_simple(&cl, fill_remove, &f, NULL, &st);
	}
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

/* --- RECLAIM_COMPLETE rca_one_fs (patch 0022) --------------------------- */

static void fill_rc_one_nofh(struct dc_compound *c, void *arg)
{
	dc_op_reclaim_complete(c, true);
}

static void fill_rc_one_root(struct dc_compound *c, void *arg)
{
	dc_op_putrootfh(c);
	dc_op_reclaim_complete(c, true);
}

static void fill_rc_global(struct dc_compound *c, void *arg)
{
	dc_op_reclaim_complete(c, false);
}

/* Status of the last operation of a simple compound. */
static int last_status(struct dc_client *cl,
		       void (*fill)(struct dc_compound *c, void *arg),
		       void *arg, nfsstat4 *st)
{
	struct dc_cres r;
	nfsstat4 cst;
	int rc;

	rc = dc_client_simple(cl, fill, arg, &r, &cst);
	if (rc)
		return rc;
	*st = dc_cres_status(&r, r.res.resarray.resarray_len - 1);
	dc_cres_free(&r);
	return 0;
}

static void recc2_no_fh(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfsstat4 st;
	int rc;

	rc = session_no_rc(ctx, &cl, CREATE_SESSION4_FLAG_CONN_BACK_CHAN, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION");
	rc = last_status(&cl, fill_rc_one_nofh, NULL, &st);
	EXPECT_RPC(rc, "RECLAIM_COMPLETE");
	EXPECT_STATUS(st, NFS4ERR_NOFILEHANDLE,
		      "RECLAIM_COMPLETE(rca_one_fs) without a current FH");
out:
	dc_client_destroy(&cl);
}

static void fill_open_create(struct dc_compound *c, void *arg)
{
	struct file_op *f = arg;
	char oo[64];

	dc_client_put_export(f->cl, c);
	dc_client_open_owner(f->cl, oo, sizeof(oo));
	dc_op_open(c, 0, f->cl->clientid, oo, f->name, true,
		   OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG);
}

static void recc3_one_fs_twice(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct file_op f = { .cl = &cl };
	stateid4 osid;
	nfs_fh4 fh = { 0 };
	char name[96];
	bool created = false;
	nfsstat4 st;
	int rc;

	rc = session_no_rc(ctx, &cl, CREATE_SESSION4_FLAG_CONN_BACK_CHAN, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION");
	dc_name(ctx, "f", name, sizeof(name));
	f.name = name;
	rc = last_status(&cl, fill_rc_one_root, NULL, &st);
	EXPECT_OK(rc, st, "PUTROOTFH + RECLAIM_COMPLETE(one_fs)");
	rc = last_status(&cl, fill_rc_one_root, NULL, &st);
	EXPECT_RPC(rc, "RECLAIM_COMPLETE");
	EXPECT_STATUS(st, NFS4ERR_COMPLETE_ALREADY,
		      "second RECLAIM_COMPLETE(one_fs) for the same fs");
	rc = last_status(&cl, fill_open_create, &f, &st);
	EXPECT_RPC(rc, "OPEN");
	EXPECT_STATUS(st, NFS4ERR_GRACE,
		      "OPEN CLAIM_NULL before the global RECLAIM_COMPLETE");
	rc = last_status(&cl, fill_rc_global, NULL, &st);
	EXPECT_OK(rc, st, "global RECLAIM_COMPLETE after one_fs");
	rc = dc_client_open_file(&cl, name, true, &osid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN after the global RECLAIM_COMPLETE");
	created = true;
	dc_client_close_file(&cl, &fh, &osid, &st);
out:
	if (created)
		dc_client_simple(&cl, fill_remove, &f, NULL, &st);
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

static void recc4_after_global(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);	/* global RECLAIM_COMPLETE done */
	EXPECT_RPC(rc, "mount");
	rc = last_status(&cl, fill_rc_one_root, NULL, &st);
	EXPECT_RPC(rc, "RECLAIM_COMPLETE");
	EXPECT_STATUS(st, NFS4ERR_COMPLETE_ALREADY,
		      "RECLAIM_COMPLETE(one_fs) after the global one");
out:
	dc_client_destroy(&cl);
}

struct open_res {
	nfsstat4 status;
	stateid4 sid;
	nfs_fh4 fh;
	open_delegation_type4 dtype;
	stateid4 dsid;
};

/* [SEQUENCE, PUTROOTFH, LOOKUP..., OPEN name, GETFH] */
static int open_access(struct dc_client *cl, const char *name, bool create,
		       uint32_t access, struct open_res *o)
{
	struct dc_open d;
	char oo[64];
	int rc;

	dc_fh_free(&o->fh);
	memset(o, 0, sizeof(*o));
	dc_client_open_owner(cl, oo, sizeof(oo));
	rc = dc_fs_open_share(cl, NULL, name, oo, create, access,
			      OPEN4_SHARE_DENY_NONE, &d, &o->status);
	if (rc || o->status != NFS4_OK)
		return rc;
	o->sid = d.sid;
	o->fh = d.fh;	/* o owns it now */
	o->dtype = d.dtype;
	o->dsid = d.dsid;
	return 0;
}

static enum dc_cb_action drop_recall(void *arg, const struct dc_cb_record *rec,
				     nfsstat4 *status)
{
	return rec->has_recall ? DC_CB_DROP : DC_CB_OK;
}

static void fill_delegreturn(struct dc_compound *c, void *arg)
{
	struct file_op *f = arg;

	dc_op_putfh(c, f->fh);
	dc_op_delegreturn(c, &f->sid);
}

static unsigned lease_time(struct dc_client *cl);

/*
 * A read delegation whose holder never answers CB_RECALL is revoked
 * while the holder keeps its lease (B's conflicting OPEN gets it in the
 * end); the holder learns it and acknowledges with FREE_STATEID.
 */
static void fstid7_revoked(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct open_res w = { 0 }, o = { 0 }, ob = { 0 };
	struct file_op f = { .cl = &a };
	unsigned lease, tries, max_tries;
	char name[96];
	uint32_t flags;
	nfsstat4 st, code;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	lease = lease_time(&a);
	dc_cb_set_handler(&a.cb, drop_recall, NULL);
	dc_name(ctx, "f", name, sizeof(name));
	f.name = name;
	rc = open_access(&a, name, true,
			 OPEN4_SHARE_ACCESS_BOTH |
				 OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
			 &w);
	EXPECT_OK(rc, w.status, "OPEN create by A");
	rc = dc_client_close_file(&a, &w.fh, &w.sid, &st);
	EXPECT_RPC(rc, "CLOSE");
	rc = open_access(&a, name, false,
			 OPEN4_SHARE_ACCESS_READ |
				 OPEN4_SHARE_ACCESS_WANT_READ_DELEG,
			 &o);
	EXPECT_OK(rc, o.status, "OPEN read by A");
	if (o.dtype != OPEN_DELEGATE_READ)
		SKIP("no read delegation granted (type %u): the FSAL grants "
		     "none", o.dtype);

	/* B's writer OPEN is delayed until A's delegation is revoked; A
	 * keeps renewing its lease meanwhile (bounded: ~3 leases).
	 */
	max_tries = 3 * lease + 15;
	for (tries = 1; tries <= max_tries; tries++) {
		rc = open_access(&b, name, false,
				 OPEN4_SHARE_ACCESS_BOTH |
					 OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
				 &ob);
		if (rc || ob.status != NFS4ERR_DELAY)
			break;
		sleep_ms(1000);
		dc_client_seq_flags(&a, &flags, &st);
	}
	EXPECT_OK(rc, ob.status, "B's OPEN while A ignores the recall");

	rc = dc_client_seq_flags(&a, &flags, &st);
	EXPECT_RPC(rc, "SEQUENCE by A");
	EXPECT(flags & SEQ4_STATUS_RECALLABLE_STATE_REVOKED,
	       "A's sr_status_flags %#x lack RECALLABLE_STATE_REVOKED",
	       flags);
	rc = dc_client_test_stateid(&a, &o.dsid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT_STATUS(code, NFS4ERR_DELEG_REVOKED,
		      "TEST_STATEID of the revoked delegation");
	f.fh = &o.fh;
	f.sid = o.dsid;
	rc = last_status(&a, fill_delegreturn, &f, &st);
	EXPECT_RPC(rc, "DELEGRETURN");
	EXPECT_STATUS(st, NFS4ERR_DELEG_REVOKED,
		      "DELEGRETURN of the revoked delegation");
	rc = dc_client_free_stateid(&b, &o.dsid, &st);
	EXPECT_RPC(rc, "FREE_STATEID by B");
	EXPECT_STATUS(st, NFS4ERR_BAD_STATEID,
		      "FREE_STATEID of A's revoked delegation by B");
	rc = dc_client_free_stateid(&a, &o.dsid, &st);
	EXPECT_OK(rc, st, "FREE_STATEID of the revoked delegation");
	rc = dc_client_free_stateid(&a, &o.dsid, &st);
	EXPECT_RPC(rc, "FREE_STATEID by A");
	EXPECT_STATUS(st, NFS4ERR_BAD_STATEID, "second FREE_STATEID");
	rc = dc_client_seq_flags(&a, &flags, &st);
	EXPECT_RPC(rc, "SEQUENCE by A");
	EXPECT(!(flags & SEQ4_STATUS_RECALLABLE_STATE_REVOKED),
	       "RECALLABLE_STATE_REVOKED still set after FREE_STATEID "
	       "(flags %#x)", flags);
	rc = dc_client_test_stateid(&a, &o.dsid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT_STATUS(code, NFS4ERR_BAD_STATEID,
		      "TEST_STATEID of the freed delegation");
	dc_note(ctx, "lease %u s; B's OPEN granted after %u tries", lease,
		tries);
out:
	dc_cb_set_handler(&a.cb, NULL, NULL);
	if (ob.status == NFS4_OK && ob.fh.nfs_fh4_len)
		dc_client_close_file(&b, &ob.fh, &ob.sid, &st);
	if (o.status == NFS4_OK && o.fh.nfs_fh4_len)
		dc_client_close_file(&a, &o.fh, &o.sid, &st);
	if (w.status == NFS4_OK && b.have_session) {
		f.cl = &b;
		dc_client_simple(&b, fill_remove, &f, NULL, &st);
	}
	dc_fh_free(&w.fh);
	dc_fh_free(&o.fh);
	dc_fh_free(&ob.fh);
	dc_client_destroy(&a);
	dc_client_destroy(&b);
}

/* A holds a read delegation on a file it created and drops recalls */
struct held_deleg {
	struct dc_client a, b;
	struct open_res w, o, ob;
	struct file_op f;
	char name[96];
	unsigned lease;
};

/*
 * Mounts A and B; A creates the file and takes the delegation; B's
 * conflicting OPEN gets NFS4ERR_DELAY (the recall goes out).  False if
 * the case failed or was skipped.
 */
static bool held_deleg_setup(struct dc_ctx *ctx, struct held_deleg *h)
{
	nfsstat4 st;
	int rc;

	h->f.cl = &h->a;
	if (!dc_ctx_mounted_pair(ctx, &h->a, &h->b))
		goto out;
	h->lease = lease_time(&h->a);
	dc_cb_set_handler(&h->a.cb, drop_recall, NULL);
	dc_name(ctx, "f", h->name, sizeof(h->name));
	h->f.name = h->name;
	rc = open_access(&h->a, h->name, true,
			 OPEN4_SHARE_ACCESS_BOTH |
				 OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
			 &h->w);
	EXPECT_OK(rc, h->w.status, "OPEN create by A");
	rc = dc_client_close_file(&h->a, &h->w.fh, &h->w.sid, &st);
	EXPECT_RPC(rc, "CLOSE");
	rc = open_access(&h->a, h->name, false,
			 OPEN4_SHARE_ACCESS_READ |
				 OPEN4_SHARE_ACCESS_WANT_READ_DELEG,
			 &h->o);
	EXPECT_OK(rc, h->o.status, "OPEN read by A");
	if (h->o.dtype != OPEN_DELEGATE_READ)
		SKIP("no read delegation granted (type %u): the FSAL grants "
		     "none", h->o.dtype);
	rc = open_access(&h->b, h->name, false,
			 OPEN4_SHARE_ACCESS_BOTH |
				 OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
			 &h->ob);
	EXPECT_RPC(rc, "OPEN by B");
	EXPECT_STATUS(h->ob.status, NFS4ERR_DELAY,
		      "B's OPEN while A holds a read delegation");
	return true;
out:
	return false;
}

/* B's OPEN of the file again; *st is its status. */
static int held_deleg_open_b(struct held_deleg *h, nfsstat4 *st)
{
	int rc = open_access(&h->b, h->name, false,
			     OPEN4_SHARE_ACCESS_BOTH |
				     OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
			     &h->ob);

	*st = h->ob.status;
	return rc;
}

static void held_deleg_teardown(struct held_deleg *h)
{
	nfsstat4 st;

	dc_cb_set_handler(&h->a.cb, NULL, NULL);
	if (h->ob.status == NFS4_OK && h->ob.fh.nfs_fh4_len)
		dc_client_close_file(&h->b, &h->ob.fh, &h->ob.sid, &st);
	if (h->o.status == NFS4_OK && h->o.fh.nfs_fh4_len)
		dc_client_close_file(&h->a, &h->o.fh, &h->o.sid, &st);
	if (h->w.status == NFS4_OK && h->b.have_session) {
		h->f.cl = &h->b;
		dc_client_simple(&h->b, fill_remove, &h->f, NULL, &st);
	}
	dc_fh_free(&h->w.fh);
	dc_fh_free(&h->o.fh);
	dc_fh_free(&h->ob.fh);
	dc_client_destroy(&h->a);
	dc_client_destroy(&h->b);
}

/*
 * A holder that answers no callback: its CB_RECALL times out and
 * SEQUENCE reports the back channel down long before the delegation is
 * revoked (18.46.3).  Once the holder binds a connection that answers,
 * the flags clear and the recall arrives there.
 */
static void cbpd1_recall_unanswered(struct dc_ctx *ctx)
{
	struct held_deleg h = { 0 };
	channel_dir_from_server4 dir = 0;
	uint32_t flags = 0;
	nfsstat4 st;
	unsigned n;
	double t0;
	int rc, ci;

	if (!held_deleg_setup(ctx, &h))
		goto out;
	t0 = now_s();
	/* Within a lease: the revocation comes two leases after the recall */
	EXPECT(dc_client_wait_seq_flags(&h.a, SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					h.lease * 1000, POLL_MS, &flags, &st),
	       "no CB_PATH_DOWN_SESSION within a lease (%u s) of an "
	       "unanswered CB_RECALL (last flags %#x, %s)",
	       h.lease, flags, dc_nfsstat_name(st));
	dc_note(ctx, "CB_PATH_DOWN_SESSION %.1f s after the recall",
		now_s() - t0);
	EXPECT(flags & SEQ4_STATUS_CB_PATH_DOWN,
	       "the client's only back channel is down but "
	       "SEQ4_STATUS_CB_PATH_DOWN is not set (flags %#x)", flags);
	EXPECT(!(flags & SEQ4_STATUS_RECALLABLE_STATE_REVOKED),
	       "the delegation was revoked already (flags %#x)", flags);

	/* A answers again, on a connection it binds to the back channel */
	dc_cb_set_handler(&h.a.cb, NULL, NULL);
	n = dc_cb_recalls(&h.a.cb, &h.o.fh);
	ci = dc_client_add_conn(&h.a);
	EXPECT(ci == 1, "second connection: %d", ci);
	dc_cb_attach(&h.a.cb, h.a.conns[1]);
	rc = dc_client_bind_conn(&h.a, 1, CDFC4_BACK_OR_BOTH, &st, &dir);
	EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION back_or_both");
	EXPECT(dc_client_wait_seq_flags(&h.a, PATH_DOWN_BITS, 0, CB_WAIT_MS,
					POLL_MS, &flags, &st),
	       "back channel still reported down after binding an "
	       "answering connection (flags %#x, %s)",
	       flags, dc_nfsstat_name(st));
	EXPECT(dc_cb_wait_recalls(&h.a.cb, &h.o.fh, n + 1, CB_WAIT_MS) > n,
	       "the recall was not sent again on the bound connection");
	h.f.fh = &h.o.fh;
	h.f.sid = h.o.dsid;
	rc = last_status(&h.a, fill_delegreturn, &h.f, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
	rc = held_deleg_open_b(&h, &st);
	EXPECT_OK(rc, st, "B's OPEN after the DELEGRETURN");
	dc_note(ctx, "lease %u s; delegation returned %.1f s after the "
		     "recall", h.lease, now_s() - t0);
out:
	held_deleg_teardown(&h);
}

/*
 * A holder that stops renewing: its lease expires while its delegation
 * is being recalled, and the server revokes that delegation alone (its
 * open stays).  Back before the server forgets it, the client learns
 * from SEQUENCE that some state was revoked because its lease expired
 * (EXPIRED_SOME_STATE_REVOKED, not RECALLABLE_STATE_REVOKED), until it
 * frees the delegation (18.46.3).
 */
static void srev1_expired_some(struct dc_ctx *ctx)
{
	struct held_deleg h = { 0 };
	uint32_t flags = 0;
	nfsstat4 st, code;
	unsigned i;
	int rc;

	if (!held_deleg_setup(ctx, &h))
		goto out;
	/* A sends nothing: the recall, retried every second, finds its
	 * lease expired and revokes the delegation.  A comes back once the
	 * reaper (every half lease) has kept it as an expired client with
	 * state, and before Max_Alive_Time_For_Expired_Client (20 s in
	 * server.conf.in) ends that; earlier, its SEQUENCE would expire it.
	 * B only renews meanwhile: asking again could expire all of A.
	 */
	for (i = 0; i < h.lease + h.lease / 2 + 2; i++) {
		sleep_ms(1000);
		rc = dc_client_seq_flags(&h.b, &flags, &st);
		EXPECT_OK(rc, st, "SEQUENCE by B");
	}
	rc = dc_client_seq_flags(&h.a, &flags, &st);
	EXPECT_OK(rc, st, "SEQUENCE by A after its lease expired");
	dc_note(ctx, "lease %u s; A's flags on its return %#x", h.lease,
		flags);
	EXPECT(flags & SEQ4_STATUS_EXPIRED_SOME_STATE_REVOKED,
	       "A's delegation was revoked with its lease expired, but its "
	       "flags %#x lack EXPIRED_SOME_STATE_REVOKED", flags);
	EXPECT(!(flags & (SEQ4_STATUS_RECALLABLE_STATE_REVOKED |
			  SEQ4_STATUS_EXPIRED_ALL_STATE_REVOKED |
			  SEQ4_STATUS_ADMIN_STATE_REVOKED)),
	       "flags %#x name another reason than the expiry", flags);
	rc = dc_client_test_stateid(&h.a, &h.o.dsid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT_STATUS(code, NFS4ERR_DELEG_REVOKED,
		      "TEST_STATEID of the revoked delegation");
	rc = dc_client_test_stateid(&h.a, &h.o.sid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT_STATUS(code, NFS4_OK, "TEST_STATEID of A's open (not revoked)");
	rc = held_deleg_open_b(&h, &st);
	EXPECT_OK(rc, st, "B's OPEN after the revocation");
	rc = dc_client_free_stateid(&h.a, &h.o.dsid, &st);
	EXPECT_OK(rc, st, "FREE_STATEID of the revoked delegation");
	rc = dc_client_seq_flags(&h.a, &flags, &st);
	EXPECT_OK(rc, st, "SEQUENCE by A");
	EXPECT(!(flags & SEQ4_STATUS_EXPIRED_SOME_STATE_REVOKED),
	       "EXPIRED_SOME_STATE_REVOKED still set after FREE_STATEID "
	       "(flags %#x)", flags);
out:
	held_deleg_teardown(&h);
}

/* --- metrics (patch 0037) ---------------------------------------------- */

static const char *const end_reasons[] = { "client", "admin", "expired",
					   "error" };

struct snap {
	struct dc_metrics m;
	bool ok;
};

/* Scrape into s; false (and the case failed) if that is impossible. */
static bool scrape(struct dc_ctx *ctx, struct snap *s)
{
	int port = dc_metrics_port(), rc;
	double v;

	dc_metrics_free(&s->m);
	s->ok = false;
	rc = dc_metrics_scrape(port, SCRAPE_TIMEOUT_MS, &s->m);
	if (rc) {
		dc_fail(ctx, "GET http://127.0.0.1:%d/metrics: %s", port,
			strerror(-rc));
		return false;
	}
	if (!dc_metric_find(&s->m, "nfsv41_sessions_created_total", NULL,
			    &v)) {
		dc_fail(ctx, "/metrics has no nfsv41_sessions_created_total "
			     "(patch 0037 missing?)");
		return false;
	}
	s->ok = true;
	return true;
}

static double metric(const struct snap *s, const char *name,
		     const char *labels)
{
	double v = 0;

	dc_metric_get(&s->m, name, labels, &v);
	return v;
}

static double delta(const struct snap *a, const struct snap *b,
		    const char *name, const char *labels)
{
	return metric(b, name, labels) - metric(a, name, labels);
}

static double destroyed_delta(const struct snap *a, const struct snap *b,
			      const char *reason)
{
	char l[48];

	snprintf(l, sizeof(l), "reason=\"%s\"", reason);
	return delta(a, b, "nfsv41_sessions_destroyed_total", l);
}

static double destroyed_all_delta(const struct snap *a, const struct snap *b)
{
	double d = 0;
	unsigned i;

	for (i = 0; i < sizeof(end_reasons) / sizeof(end_reasons[0]); i++)
		d += destroyed_delta(a, b, end_reasons[i]);
	return d;
}

/*
 * sessions_active moved exactly by created - destroyed (all reasons):
 * other sessions may be reaped meanwhile, ours are counted exactly.
 */
#define EXPECT_ACTIVE_CONSISTENT(a, b)                                         \
	EXPECT(delta(a, b, "nfsv41_sessions_active", NULL) ==                  \
		       delta(a, b, "nfsv41_sessions_created_total", NULL) -    \
			       destroyed_all_delta(a, b),                      \
	       "nfsv41_sessions_active moved by %+.0f, created %+.0f, "       \
	       "destroyed %+.0f",                                              \
	       delta(a, b, "nfsv41_sessions_active", NULL),                    \
	       delta(a, b, "nfsv41_sessions_created_total", NULL),             \
	       destroyed_all_delta(a, b))

#define EXPECT_DELTA(a, b, name, labels, want)                                 \
	EXPECT(delta(a, b, name, labels) == (want),                            \
	       "%s{%s} moved by %+.0f, expected %+d", name,                    \
	       (labels) ? (labels) : "", delta(a, b, name, labels),            \
	       (int)(want))

/* A counter's expected move between two scrapes. */
struct met_move {
	const char *name, *labels;
	int want;
};

/* Each move of m[0..n) between a and b, a check each; false at a wrong one. */
static bool expect_moves(struct dc_ctx *ctx, const struct snap *a,
			 const struct snap *b, const struct met_move *m,
			 size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		EXPECT_DELTA(a, b, m[i].name, m[i].labels, m[i].want);
	return true;
out:
	return false;
}

#define EXPECT_MOVES(a, b, m)                                                  \
	do {                                                                   \
		if (!expect_moves(ctx, (a), (b), (m),                          \
				  sizeof(m) / sizeof((m)[0])))                 \
			goto out;                                              \
	} while (0)

#define NEED_METRICS()                                                         \
	do {                                                                   \
		if (!dc_metrics_port())                                        \
			SKIP("DITTO_MONITORING_PORT not set (run.sh exports "  \
			     "it; with --server export it yourself)");         \
	} while (0)

#define SCRAPE(s)                                                              \
	do {                                                                   \
		ctx->checks++;                                                 \
		if (!scrape(ctx, (s)))                                         \
			goto out;                                              \
	} while (0)

/*
 * Scrape into b until name{labels} moved by at least want from a, for
 * at most METRIC_SETTLE_MS (the server bumps some counters on another
 * thread just after the client saw the effect).
 */
static bool settle(struct dc_ctx *ctx, const struct snap *a, struct snap *b,
		   const char *name, const char *labels, double want)
{
	double end = now_s() + METRIC_SETTLE_MS / 1000.0;

	for (;;) {
		if (!scrape(ctx, b))
			return false;
		if (delta(a, b, name, labels) >= want || now_s() >= end)
			return true;
		sleep_ms(POLL_MS);
	}
}

/* settle() as a check; a failed scrape already failed the case. */
/*
 * Scrape into s once the sample has stayed put for quiet_ms (at most
 * METRIC_SETTLE_MS + quiet_ms): a callback an earlier case left in flight
 * is counted before our own starts.
 */
static bool quiet(struct dc_ctx *ctx, struct snap *s, const char *name,
		  const char *labels, unsigned quiet_ms)
{
	double end = now_s() + (METRIC_SETTLE_MS + quiet_ms) / 1000.0;
	double v, last = -1, since = now_s();

	for (;;) {
		if (!scrape(ctx, s))
			return false;
		if (!dc_metric_get(&s->m, name, labels, &v))
			return false;
		if (v != last) {
			last = v;
			since = now_s();
		}
		if (now_s() - since >= quiet_ms / 1000.0 || now_s() >= end)
			return true;
		sleep_ms(POLL_MS);
	}
}

#define SETTLE(a, b, name, labels, want)                                       \
	do {                                                                   \
		ctx->checks++;                                                 \
		if (!settle(ctx, (a), (b), (name), (labels), (want)))          \
			goto out;                                              \
	} while (0)

static void met1_created(struct dc_ctx *ctx)
{
	static const struct met_move moves[] = {
		{ "nfsv41_sessions_created_total", NULL, 1 },
		{ "nfsv41_connections_bind_total", "direction=\"both\"", 1 },
	};
	struct dc_client cl = { 0 };
	struct snap a = { 0 }, b = { 0 };
	nfsstat4 st;
	int rc;

	NEED_METRICS();
	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	SCRAPE(&a);
	rc = dc_client_create_session(&cl, CREATE_SESSION4_FLAG_CONN_BACK_CHAN,
				      8, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION");
	SCRAPE(&b);
	EXPECT_MOVES(&a, &b, moves);
	EXPECT_ACTIVE_CONSISTENT(&a, &b);
	EXPECT(destroyed_all_delta(&a, &b) != 0 ||
		       delta(&a, &b, "nfsv41_sessions_active", NULL) == 1,
	       "nfsv41_sessions_active moved by %+.0f",
	       delta(&a, &b, "nfsv41_sessions_active", NULL));
out:
	dc_metrics_free(&a.m);
	dc_metrics_free(&b.m);
	dc_client_destroy(&cl);
}

static void met2_destroyed_client(struct dc_ctx *ctx)
{
	static const struct met_move moves[] = {
		{ "nfsv41_sessions_destroyed_total", "reason=\"client\"", 1 },
		{ "nfsv41_sessions_destroyed_total", "reason=\"admin\"", 0 },
	};
	struct dc_client cl = { 0 };
	struct snap a = { 0 }, b = { 0 };
	nfsstat4 st;
	int rc;

	NEED_METRICS();
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	SCRAPE(&a);
	rc = dc_client_destroy_session(&cl, cl.sid, &st);
	EXPECT_OK(rc, st, "DESTROY_SESSION");
	cl.have_session = false;
	SCRAPE(&b);
	EXPECT_MOVES(&a, &b, moves);
	EXPECT_DELTA(&a, &b, "nfsv41_session_duration_seconds_count", NULL,
		     destroyed_all_delta(&a, &b));
	EXPECT_ACTIVE_CONSISTENT(&a, &b);
out:
	dc_metrics_free(&a.m);
	dc_metrics_free(&b.m);
	dc_client_destroy(&cl);
}

/* Original request on slot 1, then the same bytes with a new xid. */
static void met_retransmit(struct dc_ctx *ctx, bool cachethis)
{
	static const struct met_move cached[] = {
		{ "nfsv41_sequence_total", NULL, 2 },
		{ "nfsv41_sequence_replay_hits_total", NULL, 1 },
		{ "nfsv41_sequence_retry_uncached_total", NULL, 0 },
	};
	static const struct met_move uncached[] = {
		{ "nfsv41_sequence_total", NULL, 2 },
		{ "nfsv41_sequence_replay_hits_total", NULL, 0 },
		{ "nfsv41_sequence_retry_uncached_total", NULL, 1 },
	};
	struct dc_client cl = { 0 };
	struct snap a = { 0 }, b = { 0 };
	struct dc_cres r1 = { 0 }, r2 = { 0 };
	int rc;

	NEED_METRICS();
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	SCRAPE(&a);
	rc = dc_client_on_slot(&cl, 1, 1, cachethis, dc_fill_root_getfh, NULL,
			       &r1);
	EXPECT_OK(rc, r1.res.status, "SEQUENCE+PUTROOTFH+GETFH");
	rc = dc_rpc_send_record(cl.conns[0], r1.rpc.req, r1.rpc.req_len, true,
				&r2.rpc, cl.timeout_ms);
	EXPECT_RPC(rc, "retransmission");
	EXPECT(dc_cres_decode(&r2) == 0, "reply to the retransmission does "
					 "not decode");
	if (cachethis)
		EXPECT_STATUS(r2.res.status, NFS4_OK,
			      "retransmission of a cached reply");
	else
		EXPECT_STATUS(r2.res.status, NFS4ERR_RETRY_UNCACHED_REP,
			      "retransmission of an uncached reply");
	SCRAPE(&b);
	if (cachethis)
		EXPECT_MOVES(&a, &b, cached);
	else
		EXPECT_MOVES(&a, &b, uncached);
	if (cachethis)
		EXPECT(metric(&b, "nfsv41_replay_cache_bytes", NULL) > 0,
		       "nfsv41_replay_cache_bytes is 0 with a reply cached");
out:
	dc_cres_free(&r1);
	dc_cres_free(&r2);
	dc_metrics_free(&a.m);
	dc_metrics_free(&b.m);
	dc_client_destroy(&cl);
}

static void met3_replay_hit(struct dc_ctx *ctx)
{
	met_retransmit(ctx, true);
}

static void met4_retry_uncached(struct dc_ctx *ctx)
{
	met_retransmit(ctx, false);
}

static void met5_cb_recall(struct dc_ctx *ctx)
{
	static const struct met_move moves[] = {
		{ "nfsv41_callbacks_total", "op=\"CB_RECALL\"", 1 },
		{ "nfsv41_callback_failures_total",
		  "op=\"CB_RECALL\",reason=\"send\"", 0 },
	};
	struct dc_client cl = { 0 };
	struct snap a = { 0 }, b = { 0 };
	struct dc_cb_record r;
	unsigned from;
	int rc;

	NEED_METRICS();
	if (!dc_cbsim_bus())
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	/* The CB_NULL probe of the new back channel first. */
	wait_cb(&cl.cb, 0, 0, 0, CB_WAIT_MS, &r);
	from = dc_cb_count(&cl.cb);
	SCRAPE(&a);
	rc = dc_cbsim_fake_recall(cl.clientid);
	EXPECT(rc == 0, "fake_recall failed (%d)", rc);
	EXPECT(wait_cb(&cl.cb, from, 1, 0, CB_WAIT_MS, &r) >= 0,
	       "no CB_COMPOUND within %d ms of fake_recall", CB_WAIT_MS);
	SETTLE(&a, &b, "nfsv41_callbacks_total", "op=\"CB_RECALL\"", 1);
	EXPECT_MOVES(&a, &b, moves);
out:
	dc_metrics_free(&a.m);
	dc_metrics_free(&b.m);
	dc_client_destroy(&cl);
}

static void met6_destroyed_admin(struct dc_ctx *ctx)
{
	static const struct met_move moves[] = {
		{ "nfsv41_sessions_destroyed_total", "reason=\"admin\"", 1 },
		{ "nfsv41_sessions_destroyed_total", "reason=\"client\"", 0 },
	};
	struct dc_client cl = { 0 };
	struct snap a = { 0 }, b = { 0 };
	struct dc_sm_status sm = { 0 };
	char hex[33];
	int rc;

	NEED_METRICS();
	if (!dc_cbsim_bus())
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	dc_sm_hex(cl.sid, hex);
	SCRAPE(&a);
	rc = dc_sm_destroy(hex, &sm);
	EXPECT(rc == 0, "DestroySession: dbus-send failed (%d)", rc);
	EXPECT(sm.ok, "DestroySession(%s): %s", hex, sm.error);
	cl.have_session = false;
	SCRAPE(&b);
	EXPECT_MOVES(&a, &b, moves);
	EXPECT_ACTIVE_CONSISTENT(&a, &b);
out:
	dc_metrics_free(&a.m);
	dc_metrics_free(&b.m);
	dc_client_destroy(&cl);
}

static void met7_bind_back(struct dc_ctx *ctx)
{
	static const struct met_move moves[] = {
		{ "nfsv41_connections_bind_total", "direction=\"back\"", 1 },
		{ "nfsv41_connections_bind_total", "direction=\"both\"", 0 },
		{ "nfsv41_connections_bind_total", "direction=\"fore\"", 0 },
	};
	struct dc_client cl = { 0 };
	struct snap a = { 0 }, b = { 0 };
	channel_dir_from_server4 dir = 0;
	nfsstat4 st;
	int rc, ci;

	NEED_METRICS();
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	ci = dc_client_add_conn(&cl);
	EXPECT(ci == 1, "second connection: %d", ci);
	dc_cb_attach(&cl.cb, cl.conns[1]);
	SCRAPE(&a);
	rc = dc_client_bind_conn(&cl, 1, CDFC4_BACK, &st, &dir);
	EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION back");
	EXPECT(dir == CDFS4_BACK, "bctsr_dir %u, asked for back", dir);
	SCRAPE(&b);
	EXPECT_MOVES(&a, &b, moves);
out:
	dc_metrics_free(&a.m);
	dc_metrics_free(&b.m);
	dc_client_destroy(&cl);
}

static void met8_badslot(struct dc_ctx *ctx)
{
	static const struct met_move moves[] = {
		{ "nfsv41_sequence_errors_total",
		  "status=\"NFS4ERR_BADSLOT\"", 1 },
		{ "nfsv41_sequence_total", NULL, 1 },
	};
	struct dc_client cl = { 0 };
	struct snap a = { 0 }, b = { 0 };
	struct dc_cres r = { 0 };
	int rc;

	NEED_METRICS();
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	SCRAPE(&a);
	rc = dc_client_on_slot(&cl, cl.fore.ca_maxrequests + 3, 1, false, NULL,
			       NULL, &r);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT_STATUS(r.res.status, NFS4ERR_BADSLOT, "SEQUENCE on a bad slot");
	SCRAPE(&b);
	EXPECT_MOVES(&a, &b, moves);
out:
	dc_cres_free(&r);
	dc_metrics_free(&a.m);
	dc_metrics_free(&b.m);
	dc_client_destroy(&cl);
}

/* --- callback timeout and CB_NULL probe (patches 0032, 0033) ----------- */

static void cbto1_path_down(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct snap a = { 0 }, b = { 0 };
	bool metrics = dc_metrics_port() != 0;
	uint32_t flags = 0;
	nfsstat4 st;
	double t0;
	int rc;

	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	/* The metric checks are extra: only with patch 0037's metrics.  An
	 * earlier case's probe still out would time out in our window:
	 * start once none has for two Callback_Timeouts.
	 */
	if (metrics) {
		double v;

		metrics = quiet(ctx, &a, "nfsv41_callback_failures_total",
				"op=\"CB_NULL\",reason=\"timeout\"",
				CB_TIMEOUT_MS * 2) &&
			  dc_metric_find(&a.m, "nfsv41_sessions_created_total",
					 NULL, &v);
	}
	t0 = now_s();
	rc = create_session_deaf(&cl, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION with CONN_BACK_CHAN");
	EXPECT(dc_client_wait_seq_flags(&cl, SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					PATH_DOWN_WAIT_MS, POLL_MS, &flags,
					&st),
	       "no SEQ4_STATUS_CB_PATH_DOWN_SESSION within %d ms although "
	       "the CB_NULL probe is never answered (last flags %#x, %s)",
	       PATH_DOWN_WAIT_MS, flags, dc_nfsstat_name(st));
	dc_note(ctx, "CB_PATH_DOWN_SESSION after %.1f s (2 x Callback_Timeout"
		     " expected)", now_s() - t0);
	EXPECT(flags & SEQ4_STATUS_CB_PATH_DOWN,
	       "the client's only back channel is down but "
	       "SEQ4_STATUS_CB_PATH_DOWN is not set (flags %#x)", flags);
	if (metrics) {
		SETTLE(&a, &b, "nfsv41_callback_failures_total",
		       "op=\"CB_NULL\",reason=\"timeout\"", 1);
		EXPECT_DELTA(&a, &b, "nfsv41_callbacks_total",
			     "op=\"CB_NULL\"", 1);
		EXPECT_DELTA(&a, &b, "nfsv41_callback_failures_total",
			     "op=\"CB_NULL\",reason=\"timeout\"", 1);
	}
out:
	dc_metrics_free(&a.m);
	dc_metrics_free(&b.m);
	dc_client_destroy(&cl);
}

static void probe1_cb_null(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cb_record r;
	uint32_t flags;
	nfsstat4 st;
	int rc;

	rc = dc_ctx_client(ctx, &cl);
	EXPECT_RPC(rc, "connect");
	set_cb_program(&cl, PROG_ALT);
	rc = dc_client_exchange_id(&cl, EXCHGID4_FLAG_USE_NON_PNFS, &st);
	EXPECT_OK(rc, st, "EXCHANGE_ID");
	rc = dc_client_create_session(&cl, CREATE_SESSION4_FLAG_CONN_BACK_CHAN,
				      8, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION with CONN_BACK_CHAN");
	EXPECT(wait_cb(&cl.cb, 0, 0, 0, CB_WAIT_MS, &r) >= 0,
	       "no CB_NULL within %d ms of CREATE_SESSION (%u callbacks)",
	       CB_WAIT_MS, dc_cb_count(&cl.cb));
	EXPECT(r.prog == PROG_ALT, "CB_NULL for program %#x, csa_cb_program "
				   "was %#x", r.prog, PROG_ALT);
	EXPECT(r.conn == cl.conns[0],
	       "CB_NULL not on the CREATE_SESSION connection");
	EXPECT(r.replied, "our CB_NULL reply could not be sent");
	rc = dc_client_seq_flags(&cl, &flags, &st);
	EXPECT_OK(rc, st, "SEQUENCE");
	EXPECT(!(flags & PATH_DOWN_BITS),
	       "back channel reported down after the probe (flags %#x)",
	       flags);
out:
	dc_client_destroy(&cl);
}

static void probe2_rebind(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	channel_dir_from_server4 dir = 0;
	struct dc_cb_record r;
	uint32_t flags = 0;
	nfsstat4 st;
	int rc, ci;

	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	rc = create_session_deaf(&cl, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION with CONN_BACK_CHAN");
	EXPECT(dc_client_wait_seq_flags(&cl, SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					PATH_DOWN_WAIT_MS, POLL_MS, &flags,
					&st),
	       "probe failure never reported (flags %#x)", flags);
	ci = dc_client_add_conn(&cl);
	EXPECT(ci == 1, "second connection: %d", ci);
	dc_cb_attach(&cl.cb, cl.conns[1]);
	rc = dc_client_bind_conn(&cl, 1, CDFC4_BACK_OR_BOTH, &st, &dir);
	EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION back_or_both");
	EXPECT(wait_cb(&cl.cb, 0, 0, DC_CB_PROGRAM, CB_WAIT_MS, &r) >= 0,
	       "no CB_NULL on the newly bound connection within %d ms",
	       CB_WAIT_MS);
	EXPECT(r.conn == cl.conns[1], "CB_NULL not on the new connection");
	EXPECT(dc_client_wait_seq_flags(&cl, PATH_DOWN_BITS, 0,
					PATH_DOWN_WAIT_MS, POLL_MS, &flags,
					&st),
	       "SEQUENCE still reports the back channel down after a "
	       "successful probe (flags %#x, %s)",
	       flags, dc_nfsstat_name(st));
out:
	dc_client_destroy(&cl);
}

/*
 * The client binds an answering connection while the probe of its first
 * (deaf) back channel is still waiting for its reply.  Whatever order
 * the server handles them in, the back channel it ends up with works,
 * so SEQUENCE must stop reporting it down.
 */
static void probe3_rebind_during_probe(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	channel_dir_from_server4 dir = 0;
	struct dc_cb_record r;
	uint32_t flags = 0;
	nfsstat4 st;
	double t0, bind_s;
	int rc, ci;

	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	ci = dc_client_add_conn(&cl);
	EXPECT(ci == 1, "second connection: %d", ci);
	dc_cb_attach(&cl.cb, cl.conns[1]);
	rc = create_session_deaf(&cl, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION with CONN_BACK_CHAN");
	/* Right away: the probe on conns[0] is still unanswered. */
	t0 = now_s();
	rc = dc_client_bind_conn(&cl, 1, CDFC4_BACK, &st, &dir);
	bind_s = now_s() - t0;
	EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION back");
	EXPECT(wait_cb(&cl.cb, 0, 0, DC_CB_PROGRAM, CB_WAIT_MS, &r) >= 0,
	       "no CB_NULL on the answering connection within %d ms",
	       CB_WAIT_MS);
	EXPECT(dc_client_wait_seq_flags(&cl, PATH_DOWN_BITS, 0,
					PATH_DOWN_WAIT_MS, POLL_MS, &flags,
					&st),
	       "back channel still reported down (flags %#x, %s) although "
	       "the connection bound during the first probe answered "
	       "CB_NULL",
	       flags, dc_nfsstat_name(st));
	dc_note(ctx, "BIND_CONN_TO_SESSION took %.1f s", bind_s);
out:
	dc_client_destroy(&cl);
}

/* --- DBus SessionMgr (patch 0042) ---------------------------------------- */

#define NEED_BUS()                                                             \
	do {                                                                   \
		if (!dc_cbsim_bus())                                           \
			SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");               \
	} while (0)

static void dbus1_list(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_sm_session s[8];
	struct dc_sm_status sm = { 0 };
	struct dc_cb_record r;
	time_t t0 = time(NULL);
	char hex[33];
	int n, i;
	int rc;

	NEED_BUS();
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	wait_cb(&cl.cb, 0, 0, 0, CB_WAIT_MS, &r);	/* the probe */
	dc_sm_hex(cl.sid, hex);
	n = dc_sm_list(cl.clientid, &sm, s, 8);
	EXPECT(n >= 0, "ListSessions: dbus-send failed (%d)", n);
	EXPECT(sm.ok, "ListSessions status false: %s", sm.error);
	EXPECT(n == 1, "ListSessions(%llx) listed %d sessions, expected 1",
	       (unsigned long long)cl.clientid, n);
	EXPECT(!strcmp(s[0].id, hex), "listed session %s, ours is %s",
	       s[0].id, hex);
	EXPECT(s[0].clientid == cl.clientid, "listed clientid %llx",
	       (unsigned long long)s[0].clientid);
	EXPECT(s[0].fore_slots == cl.fore.ca_maxrequests,
	       "fore slots %u, CREATE_SESSION gave %u", s[0].fore_slots,
	       cl.fore.ca_maxrequests);
	EXPECT(s[0].back_slots == cl.back.ca_maxrequests,
	       "back slots %u, CREATE_SESSION gave %u", s[0].back_slots,
	       cl.back.ca_maxrequests);
	EXPECT(s[0].slots_in_use == 0, "%u slots in use while idle",
	       s[0].slots_in_use);
	EXPECT(s[0].conns == 1 && s[0].back_conns == 1,
	       "connections %u, back channel connections %u; expected 1/1",
	       s[0].conns, s[0].back_conns);
	EXPECT(!strcmp(s[0].back_state, "up"), "back channel \"%s\"",
	       s[0].back_state);
	EXPECT(s[0].created + 5 >= (uint64_t)t0 &&
		       s[0].last_sequence >= s[0].created,
	       "creation time %llu, last SEQUENCE %llu (case began at %lld)",
	       (unsigned long long)s[0].created,
	       (unsigned long long)s[0].last_sequence, (long long)t0);
	/* clientid 0 lists every session, ours among them */
	n = dc_sm_list(0, &sm, NULL, 0);
	EXPECT(n >= 1 && sm.ok, "ListSessions(0): %d sessions, status %s", n,
	       sm.error);
	{
		struct dc_sm_session *all = calloc(n, sizeof(*all));
		bool found = false;

		EXPECT(all, "out of memory");
		n = dc_sm_list(0, &sm, all, n);
		for (i = 0; i < n; i++)
			found |= !strcmp(all[i].id, hex);
		free(all);
		EXPECT(found, "ListSessions(0) does not list our session");
	}
out:
	dc_client_destroy(&cl);
}

static void dbus2_destroy(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_sm_session s[4];
	struct dc_sm_status sm = { 0 };
	char hex[33];
	uint32_t flags;
	nfsstat4 st;
	int rc, n;

	NEED_BUS();
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	dc_sm_hex(cl.sid, hex);
	rc = dc_sm_destroy(hex, &sm);
	EXPECT(rc == 0, "DestroySession: dbus-send failed (%d)", rc);
	EXPECT(sm.ok, "DestroySession(%s): %s", hex, sm.error);
	rc = dc_client_seq_flags(&cl, &flags, &st);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT_STATUS(st, NFS4ERR_BADSESSION,
		      "SEQUENCE on a session destroyed over DBus");
	cl.have_session = false;
	n = dc_sm_list(cl.clientid, &sm, s, 4);
	EXPECT(n == 0 && sm.ok, "ListSessions after DestroySession: %d "
				"sessions (%s)", n, sm.error);
	rc = dc_sm_destroy(hex, &sm);
	EXPECT(rc == 0, "DestroySession again: dbus-send failed (%d)", rc);
	EXPECT(!sm.ok && !strcmp(sm.error, "no such session"),
	       "DestroySession of a destroyed session: status %s, \"%s\"",
	       sm.ok ? "true" : "false", sm.error);
out:
	dc_client_destroy(&cl);
}

static void dbus3_unknown(struct dc_ctx *ctx)
{
	struct dc_sm_session s[1];
	struct dc_sm_status sm = { 0 };
	int rc;

	NEED_BUS();
	/* Ganesha session ids start with the clientid: epoch 0 is none */
	rc = dc_sm_destroy("00000000000000000000000000000001", &sm);
	EXPECT(rc == 0, "DestroySession: dbus-send failed (%d)", rc);
	EXPECT(!sm.ok && !strcmp(sm.error, "no such session"),
	       "DestroySession(unknown id): status %s, \"%s\"",
	       sm.ok ? "true" : "false", sm.error);
	rc = dc_sm_destroy("not-a-session", &sm);
	EXPECT(rc == 0, "DestroySession: dbus-send failed (%d)", rc);
	EXPECT(!sm.ok && !strcmp(sm.error, "not a session id (32 hex digits)"),
	       "DestroySession(\"not-a-session\"): status %s, \"%s\"",
	       sm.ok ? "true" : "false", sm.error);
	rc = dc_sm_list(0x0000000100000001ull, &sm, s, 1);
	EXPECT(rc == 0 && sm.ok,
	       "ListSessions(unknown clientid): %d sessions, status %s", rc,
	       sm.error);
out:
	return;
}

/* --- expired clients (patch 0044) --------------------------------------- */

static void fill_lease(struct dc_compound *c, void *arg)
{
	dc_op_putrootfh(c);
	dc_op_getattr(c, 1u << FATTR4_LEASE_TIME, 0);
}

/* The server's lease time in seconds (90 when it cannot be read). */
static unsigned lease_time(struct dc_client *cl)
{
	struct dc_cres r;
	uint64_t v = 90;
	nfsstat4 st;

	if (dc_client_simple(cl, fill_lease, NULL, &r, &st))
		return v;
	if (st == NFS4_OK &&
	    (!dc_fattr_u64(&dc_cres_op(&r, 2)
				    ->nfs_resop4_u.opgetattr.GETATTR4res_u
				    .resok4.obj_attributes,
			   FATTR4_LEASE_TIME, &v) ||
	     v == 0))
		v = 90;
	dc_cres_free(&r);
	return v;
}

static void reap1_expired(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct snap a = { 0 }, b = { 0 };
	bool metrics = dc_metrics_port() != 0;
	struct dc_sm_session s[4];
	struct dc_sm_status sm = { 0 };
	unsigned lease, i;
	double t0, end;
	uint32_t flags;
	nfsstat4 st;
	int rc, n = -1;
	char name[96];
	stateid4 osid;
	nfs_fh4 fh = { 0 };
	bool open = false;

	NEED_BUS();
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	lease = lease_time(&cl);
	/* A client is only kept past its lease with state (patch 0048). */
	dc_name(ctx, "f", name, sizeof(name));
	rc = dc_client_open_file(&cl, name, true, &osid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN");
	open = true;
	if (metrics)
		SCRAPE(&a);
	/* Drop every connection without DESTROY_SESSION. */
	for (i = 0; i < DC_MAX_CONNS; i++) {
		dc_conn_close(cl.conns[i]);
		cl.conns[i] = NULL;
	}
	cl.nconns = 0;
	t0 = now_s();
	end = t0 + 4.0 * lease + 30;
	while (now_s() < end) {
		sleep_ms(1000);
		n = dc_sm_list(cl.clientid, &sm, s, 4);
		if (n <= 0)
			break;
	}
	EXPECT(n == 0 && sm.ok,
	       "the unconnected session of a client silent for %.0f s "
	       "(lease %u s) is still listed (%d sessions, %s)",
	       now_s() - t0, lease, n, sm.error);
	dc_note(ctx, "session reaped %.0f s after its last connection closed "
		     "(lease %u s)",
		now_s() - t0, lease);
	if (metrics) {
		SCRAPE(&b);
		EXPECT(destroyed_delta(&a, &b, "expired") >= 1,
		       "nfsv41_sessions_destroyed_total{reason=\"expired\"} "
		       "moved by %+.0f",
		       destroyed_delta(&a, &b, "expired"));
		EXPECT_DELTA(&a, &b, "nfsv41_sessions_destroyed_total",
			     "reason=\"client\"", 0);
	}
	/* The client comes back. */
	rc = dc_conn_open(&cl.conns[0], cl.srv.host, cl.srv.port);
	EXPECT_RPC(rc, "reconnect");
	cl.nconns = 1;
	rc = dc_client_seq_flags(&cl, &flags, &st);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT_STATUS(st, NFS4ERR_BADSESSION,
		      "SEQUENCE on the reaped session");
	cl.have_session = false;
	/* The client itself was kept: its clientid still works. */
	rc = dc_client_create_session(&cl, CREATE_SESSION4_FLAG_CONN_BACK_CHAN,
				      8, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION of the returning client");
	rc = dc_client_seq_flags(&cl, &flags, &st);
	EXPECT_OK(rc, st, "SEQUENCE on the new session");
	/* ... and so does its state. */
	rc = dc_client_close_file(&cl, &fh, &osid, &st);
	open = false;
	EXPECT_OK(rc, st, "CLOSE of the open from before the lease expired");
out:
	if (open && cl.have_session)
		(void)dc_client_close_file(&cl, &fh, &osid, &st);
	dc_fh_free(&fh);
	dc_metrics_free(&a.m);
	dc_metrics_free(&b.m);
	dc_client_destroy(&cl);
}

const struct dc_case dc_cases_session_ext[] = {
	{ "BCTL1", "BACKCHANNEL_CTL [AUTH_NONE]: next callbacks use it",
	  "18.33.3", "backchannel_ctl backchannel all", "CBSIM2",
	  bctl1_none },
	{ "BCTL2", "BACKCHANNEL_CTL [AUTH_SYS]: next callbacks use it",
	  "18.33.3", "backchannel_ctl backchannel all", "CBSIM2", bctl2_sys },
	{ "BCTL3", "BACKCHANNEL_CTL [RPCSEC_GSS] only: NFS4ERR_NOENT",
	  "18.33.3", "backchannel_ctl all", "CSESS1", bctl3_gss_only },
	{ "BCTL4", "BACKCHANNEL_CTL [RPCSEC_GSS, AUTH_SYS]: AUTH_SYS used",
	  "18.33.3", "backchannel_ctl backchannel all", "BCTL2",
	  bctl4_gss_then_sys },
	{ "BCTL5", "BACKCHANNEL_CTL with no security parameters: INVAL",
	  "18.33.3", "backchannel_ctl all", "CSESS1", bctl5_empty },
	{ "BCTL6", "BACKCHANNEL_CTL without back channel: INVAL; after "
		   "BIND_CONN_TO_SESSION back: OK",
	  "18.33.3 / 18.34", "backchannel_ctl all", "BIND2",
	  bctl6_no_back_channel },
	{ "BCTL7", "BACKCHANNEL_CTL first in the compound: OP_NOT_IN_SESSION",
	  "18.33.3 / 2.10.6.2", "backchannel_ctl all", "CSESS1",
	  bctl7_first_op },
	{ "CSESS8", "back channel attributes clamped to the server's limits",
	  "18.36.3", "create_session all", "CSESS1", csess8_back_clamped },
	{ "CSESS9", "small back channel attributes returned unchanged",
	  "18.36.3", "create_session all", "CSESS1", csess9_back_small },
	{ "FSTID5", "FREE_STATEID(current stateid) after OPEN: LOCKS_HELD",
	  "18.38.3 / 16.2.3.1.2", "free_stateid all", "FSTID3",
	  fstid5_current },
	{ "FSTID6", "FREE_STATEID of special, other-epoch and unknown "
		    "stateids: BAD_STATEID",
	  "18.38.3 / 15.2", "free_stateid all", "FSTID4", fstid6_bad },
	{ "FSTID7", "revoked delegation: flag, DELEG_REVOKED, FREE_STATEID "
		    "frees it",
	  "18.38.3 / 8.4.3 / 18.46.3", "free_stateid deleg filedeleg callback slow all",
	  "DELEG3", fstid7_revoked },
	{ "CBPD1", "unanswered CB_RECALL: CB_PATH_DOWN_SESSION before the "
		   "revocation; an answering bound connection clears it",
	  "18.46.3 / 2.10.3.1", "backchannel deleg filedeleg callback all",
	  "DELEG3", cbpd1_recall_unanswered },
	{ "SREV1", "holder's lease expires during a recall: "
		   "EXPIRED_SOME_STATE_REVOKED until FREE_STATEID",
	  "18.46.3 / 8.4.3", "free_stateid deleg filedeleg callback slow all",
	  "DELEG3", srev1_expired_some },
	{ "RECC2", "RECLAIM_COMPLETE(one_fs) without FH: NOFILEHANDLE",
	  "18.51.3", "reclaim_complete all", "RECC1", recc2_no_fh },
	{ "RECC3", "RECLAIM_COMPLETE(one_fs) twice: OK, COMPLETE_ALREADY; "
		   "OPEN still GRACE",
	  "18.51.3", "reclaim_complete all", "RECC1", recc3_one_fs_twice },
	{ "RECC4", "RECLAIM_COMPLETE(one_fs) after the global one: "
		   "COMPLETE_ALREADY",
	  "18.51.3", "reclaim_complete all", "RECC1", recc4_after_global },
	{ "CBTO1", "unanswered CB_NULL probe: CB_PATH_DOWN_SESSION",
	  "18.46.3 / 2.10.3.1", "probe backchannel all", "CSESS1",
	  cbto1_path_down },
	{ "PROBE1", "new back channel probed with CB_NULL for cb_program",
	  "2.10.3.1 / 18.36.3", "probe backchannel all", "CSESS1",
	  probe1_cb_null },
	{ "PROBE2", "after a failed probe, binding an answering connection "
		    "clears CB_PATH_DOWN*",
	  "18.34.3 / 18.46.3", "probe backchannel all", "CBTO1",
	  probe2_rebind },
	{ "PROBE3", "connection bound while the first probe is unanswered: "
		    "back channel up",
	  "18.34.3 / 18.46.3", "probe backchannel all", "PROBE2",
	  probe3_rebind_during_probe },
	{ "MET1", "metrics: CREATE_SESSION counted, sessions_active follows",
	  "-", "metrics all", "CSESS1", met1_created },
	{ "MET2", "metrics: DESTROY_SESSION counted as reason client", "-",
	  "metrics all", "DSESS1", met2_destroyed_client },
	{ "MET3", "metrics: cached retransmission is a replay hit", "-",
	  "metrics all", "SEQ5", met3_replay_hit },
	{ "MET4", "metrics: uncached retransmission counted", "-",
	  "metrics all", "SEQ6", met4_retry_uncached },
	{ "MET5", "metrics: simulated recall counted as CB_RECALL", "-",
	  "metrics cbsim dbus all", "CBSIM2", met5_cb_recall },
	{ "MET6", "metrics: DBus DestroySession counted as reason admin", "-",
	  "metrics dbus all", "DBUS2", met6_destroyed_admin },
	{ "MET7", "metrics: BIND_CONN_TO_SESSION back counted as back", "-",
	  "metrics all", "BIND2", met7_bind_back },
	{ "MET8", "metrics: BADSLOT counted by status", "-", "metrics all",
	  "SEQ3", met8_badslot },
	{ "DBUS1", "SessionMgr ListSessions shows our session", "-",
	  "dbus all", "CSESS1", dbus1_list },
	{ "DBUS2", "SessionMgr DestroySession: next SEQUENCE BADSESSION", "-",
	  "dbus all", "DBUS1", dbus2_destroy },
	{ "DBUS3", "SessionMgr errors: unknown and malformed session ids",
	  "-", "dbus all", "DBUS1", dbus3_unknown },
	{ "REAP1", "expired client with an open: its unconnected session "
		   "destroyed; client and open kept",
	  "8.4.3 / 18.46.3", "dbus slow all", "DBUS1", reap1_expired },
	{ NULL }
};

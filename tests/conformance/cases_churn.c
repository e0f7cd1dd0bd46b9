// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * State churn (issue 23): clients that leave state behind in every way
 * a careless or vanished client can (NFSv4.0 clients nobody can call
 * back, share-mode opens, blocking locks never retried, delegations
 * recalled and never returned, connections closed without DESTROY,
 * sessions destroyed without their client ID), then CHURN9 waits for
 * the lease, the courtesy time and the reaper and checks that every
 * client, session, state, lock and delegation gauge is back at zero and
 * none is negative.
 *
 * The cases have the flag "churn" and are not in a default run (run.sh
 * leaves them out): CHURN9 needs a daemon nobody else uses, as
 * `scripts/ditto conformance --fsal ditto churn` starts one.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "case.h"
#include "compound_lock.h"
#include "metrics_scrape.h"
#include "v40.h"

#define ACCESS_WDELEG \
	(OPEN4_SHARE_ACCESS_WRITE | OPEN4_SHARE_ACCESS_WANT_WRITE_DELEG)
#define ACCESS_NODELEG \
	(OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG)

/* Clients of one case that vanish: connections closed, nothing destroyed. */
static void vanish(struct dc_client *cl)
{
	cl->have_session = false;
	cl->clientid = 0;
	dc_client_destroy(cl);
}

/* DESTROY_SESSION only; the client ID stays and the connections close. */
static void destroy_session_only(struct dc_client *cl)
{
	nfsstat4 st;

	if (cl->inited && cl->have_session && cl->nconns)
		dc_client_destroy_session(cl, cl->sid, &st);
	vanish(cl);
}

/*
 * 4.0 OPEN (+ OPEN_CONFIRM) of name with access and deny, asking for a
 * delegation the server cannot give (no callback path).
 */
static int v40_open(struct v40 *v, const char *name, uint32_t access,
		    uint32_t deny, stateid4 *sid, nfs_fh4 *fh, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t rflags;
	unsigned n;
	int rc;

	dc_compound_init(&c, 0, "open40");
	dc_client_put_export(&v->cl, &c);
	dc_op_open(&c, v->oseq, v->clientid, "oo40", name, true, access);
	c.ops[c.nops - 1].nfs_argop4_u.opopen.share_deny = deny;
	dc_op_getfh(&c);
	rc = v40_call(v, &c, &r);
	if (rc || (*st = r.res.status) != NFS4_OK) {
		if (!rc)
			*st = dc_cres_status(&r, r.res.resarray.resarray_len -
							 1);
		goto out;
	}
	v->oseq++;
	n = r.res.resarray.resarray_len;
	*sid = dc_cres_op(&r, n - 2)->nfs_resop4_u.opopen.OPEN4res_u.resok4
		       .stateid;
	rflags = dc_cres_op(&r, n - 2)->nfs_resop4_u.opopen.OPEN4res_u.resok4
			 .rflags;
	dc_fh_copy(fh, &dc_cres_op(&r, n - 1)->nfs_resop4_u.opgetfh
				.GETFH4res_u.resok4.object);
	dc_cres_free(&r);
	if (rflags & OPEN4_RESULT_CONFIRM) {
		dc_compound_init(&c, 0, "open_confirm");
		dc_op_putfh(&c, fh);
		dc_op_open_confirm(&c, sid, v->oseq);
		rc = v40_call(v, &c, &r);
		if (rc || (*st = r.res.status) != NFS4_OK)
			goto out;
		v->oseq++;
		*sid = dc_cres_op(&r, 1)->nfs_resop4_u.opopen_confirm
			       .OPEN_CONFIRM4res_u.resok4.open_stateid;
	}
out:
	dc_cres_free(&r);
	return rc;
}

/* 4.0 LOCK by a new lock owner (open seqid v->oseq, lock seqid 0). */
static int v40_lock(struct v40 *v, const nfs_fh4 *fh, nfs_lock_type4 type,
		    const stateid4 *open_sid, const char *lo, uint64_t off,
		    uint64_t len, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	int rc;

	dc_compound_init(&c, 0, "lock40");
	dc_op_putfh(&c, fh);
	dc_op_lock_new(&c, type, open_sid, v->clientid, lo, off, len);
	c.ops[c.nops - 1].nfs_argop4_u.oplock.locker.locker4_u.open_owner
		.open_seqid = v->oseq;
	rc = v40_call(v, &c, &r);
	if (!rc) {
		*st = r.res.status;
		/* the open owner's seqid moves on success and most errors */
		v->oseq++;
	}
	dc_cres_free(&r);
	return rc;
}

/*
 * CHURN1: NFSv4.0 clients whose callback address nobody serves: one
 * opens a file deny WRITE and locks it, a second is refused by the share
 * reservation and blocks on the lock (WRITEW_LT, never retried); both
 * vanish with their connections.
 */
static void churn1_v40(struct dc_ctx *ctx)
{
	struct v40 a, b;
	stateid4 sa, sb;
	nfs_fh4 fa = { 0 }, fb = { 0 };
	char name[96];
	nfsstat4 st;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	EXPECT_RPC(dc_ctx_client(ctx, &a.cl), "connect A");
	EXPECT_RPC(dc_ctx_client(ctx, &b.cl), "connect B");
	rc = v40_setclientid(&a, &st);
	EXPECT_OK(rc, st, "A: SETCLIENTID + CONFIRM");
	rc = v40_setclientid(&b, &st);
	EXPECT_OK(rc, st, "B: SETCLIENTID + CONFIRM");
	dc_name(ctx, "f", name, sizeof(name));
	rc = v40_open(&a, name, OPEN4_SHARE_ACCESS_BOTH,
		      OPEN4_SHARE_DENY_WRITE, &sa, &fa, &st);
	EXPECT_OK(rc, st, "A: OPEN BOTH deny WRITE");
	rc = v40_lock(&a, &fa, WRITE_LT, &sa, "lo40a", 0, 100, &st);
	EXPECT_OK(rc, st, "A: LOCK WRITE [0, 100)");
	rc = v40_open(&b, name, OPEN4_SHARE_ACCESS_WRITE,
		      OPEN4_SHARE_DENY_NONE, &sb, &fb, &st);
	EXPECT_OP(rc, st, NFS4ERR_SHARE_DENIED, "B: OPEN WRITE (A denies)");
	rc = v40_open(&b, name, OPEN4_SHARE_ACCESS_READ,
		      OPEN4_SHARE_DENY_NONE, &sb, &fb, &st);
	EXPECT_OK(rc, st, "B: OPEN READ");
	rc = v40_lock(&b, &fb, READW_LT, &sb, "lo40b", 0, 100, &st);
	EXPECT_OP(rc, st, NFS4ERR_DENIED, "B: LOCK READW [0, 100)");
out:
	dc_fh_free(&fa);
	dc_fh_free(&fb);
	vanish(&a.cl);
	vanish(&b.cl);
}

/*
 * CHURN2: 4.1 blocking locks never retried.  A holds WRITE [0, 100);
 * B (another client) and a second owner of A each ask WRITEW_LT and are
 * refused; A unlocks [0, 50) (the lock becomes free for a waiter on that
 * range only when A is gone) and everybody vanishes.  A third waiter C
 * on another file sees its lock freed by LOCKU and is held the lock,
 * which it never asks for again; C then vanishes too.
 */
static void churn2_blocking(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 }, c = { 0 };
	struct dc_open oa = { 0 }, oa2 = { 0 }, ob = { 0 }, oc = { 0 };
	stateid4 la, la2;
	char n1[96], n2[96];
	nfsstat4 st;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	EXPECT_RPC(dc_ctx_mounted(ctx, &c), "mount C");
	dc_name(ctx, "f1", n1, sizeof(n1));
	dc_name(ctx, "f2", n2, sizeof(n2));
	rc = dc_fs_open_share(&a, NULL, n1, "ooa", true, ACCESS_NODELEG,
			      OPEN4_SHARE_DENY_NONE, &oa, &st);
	EXPECT_OK(rc, st, "A: OPEN f1");
	rc = dc_fs_lock(&a, &oa.fh, WRITE_LT, &oa.sid, "lka", 0, 100, &la,
			NULL, &st);
	EXPECT_OK(rc, st, "A: LOCK WRITE [0, 100)");
	rc = dc_fs_open_share(&b, NULL, n1, "oob", false, ACCESS_NODELEG,
			      OPEN4_SHARE_DENY_NONE, &ob, &st);
	EXPECT_OK(rc, st, "B: OPEN f1");
	rc = dc_fs_lock(&b, &ob.fh, WRITEW_LT, &ob.sid, "lkb", 0, 100, NULL,
			NULL, &st);
	EXPECT_OP(rc, st, NFS4ERR_DENIED, "B: LOCK WRITEW [0, 100)");
	rc = dc_fs_lock(&a, &oa.fh, WRITEW_LT, &oa.sid, "lka2", 50, 100, NULL,
			NULL, &st);
	EXPECT_OP(rc, st, NFS4ERR_DENIED, "A, owner 2: LOCK WRITEW [50, 150)");

	/* f2: A holds, C waits, A unlocks: held for C, never taken. */
	rc = dc_fs_open_share(&a, NULL, n2, "ooa", true, ACCESS_NODELEG,
			      OPEN4_SHARE_DENY_NONE, &oa2, &st);
	EXPECT_OK(rc, st, "A: OPEN f2");
	rc = dc_fs_lock(&a, &oa2.fh, WRITE_LT, &oa2.sid, "lka3", 0, 10, &la2,
			NULL, &st);
	EXPECT_OK(rc, st, "A: LOCK f2 WRITE [0, 10)");
	rc = dc_fs_open_share(&c, NULL, n2, "ooc", false, ACCESS_NODELEG,
			      OPEN4_SHARE_DENY_NONE, &oc, &st);
	EXPECT_OK(rc, st, "C: OPEN f2");
	rc = dc_fs_lock(&c, &oc.fh, WRITEW_LT, &oc.sid, "lkc", 0, 10, NULL,
			NULL, &st);
	EXPECT_OP(rc, st, NFS4ERR_DENIED, "C: LOCK f2 WRITEW [0, 10)");
	rc = dc_fs_locku(&a, &oa2.fh, &la2, 0, 10, &st);
	EXPECT_OK(rc, st, "A: LOCKU f2 [0, 10)");
	rc = dc_fs_locku(&a, &oa.fh, &la, 0, 50, &st);
	EXPECT_OK(rc, st, "A: LOCKU f1 [0, 50)");
out:
	dc_fh_free(&oa.fh);
	dc_fh_free(&oa2.fh);
	dc_fh_free(&ob.fh);
	dc_fh_free(&oc.fh);
	vanish(&a);
	vanish(&b);
	vanish(&c);
}

/*
 * CHURN3: 4.1 share reservations: A opens deny BOTH, B's opens are
 * SHARE_DENIED, B opens another file deny READ; both vanish.
 */
static void churn3_share(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct dc_open oa = { 0 }, ob = { 0 }, ob2 = { 0 };
	char n1[96], n2[96];
	nfsstat4 st;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	dc_name(ctx, "f1", n1, sizeof(n1));
	dc_name(ctx, "f2", n2, sizeof(n2));
	rc = dc_fs_open_share(&a, NULL, n1, "ooa", true, ACCESS_NODELEG,
			      OPEN4_SHARE_DENY_BOTH, &oa, &st);
	EXPECT_OK(rc, st, "A: OPEN BOTH deny BOTH");
	rc = dc_fs_open_share(&b, NULL, n1, "oob", false,
			      OPEN4_SHARE_ACCESS_READ |
				      OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
			      OPEN4_SHARE_DENY_NONE, &ob, &st);
	EXPECT_OP(rc, st, NFS4ERR_SHARE_DENIED, "B: OPEN READ");
	rc = dc_fs_open_share(&b, NULL, n2, "oob", true, ACCESS_NODELEG,
			      OPEN4_SHARE_DENY_READ, &ob2, &st);
	EXPECT_OK(rc, st, "B: OPEN f2 BOTH deny READ");
out:
	dc_fh_free(&oa.fh);
	dc_fh_free(&ob.fh);
	dc_fh_free(&ob2.fh);
	vanish(&a);
	vanish(&b);
}

static enum dc_cb_action ack_only(void *arg, const struct dc_cb_record *rec,
				  nfsstat4 *status)
{
	(void)arg;
	(void)rec;
	(void)status;
	return DC_CB_OK;
}

/*
 * CHURN4: delegations.  A holds a write delegation and vanishes; B holds
 * one, C's open recalls it, B answers the recall and never returns it,
 * then B and C vanish (C holding its open).
 */
static void churn4_deleg(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 }, c = { 0 };
	struct dc_open oa = { 0 }, ob = { 0 }, oc = { 0 };
	char n1[96], n2[96];
	nfsstat4 st;
	int rc, i;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	EXPECT_RPC(dc_ctx_mounted(ctx, &c), "mount C");
	dc_cb_set_handler(&b.cb, ack_only, NULL);
	dc_name(ctx, "f1", n1, sizeof(n1));
	dc_name(ctx, "f2", n2, sizeof(n2));
	rc = dc_fs_open_share(&a, NULL, n1, "ooa", true, ACCESS_WDELEG,
			      OPEN4_SHARE_DENY_NONE, &oa, &st);
	EXPECT_OK(rc, st, "A: OPEN f1 want write delegation");
	rc = dc_fs_open_share(&b, NULL, n2, "oob", true, ACCESS_WDELEG,
			      OPEN4_SHARE_DENY_NONE, &ob, &st);
	EXPECT_OK(rc, st, "B: OPEN f2 want write delegation");
	if (ob.dtype != OPEN_DELEGATE_WRITE)
		dc_note(ctx, "B got no write delegation (type %d)", ob.dtype);
	/* C conflicts: DELAY while B's delegation is being recalled. */
	for (i = 0; i < 3; i++) {
		dc_fh_free(&oc.fh);
		rc = dc_fs_open_share(&c, NULL, n2, "ooc", false,
				      ACCESS_NODELEG, OPEN4_SHARE_DENY_NONE,
				      &oc, &st);
		EXPECT_RPC(rc, "C: OPEN f2");
		if (st != NFS4ERR_DELAY)
			break;
		usleep(300 * 1000);
	}
	EXPECT(st == NFS4_OK || st == NFS4ERR_DELAY,
	       "C: OPEN f2: got %s", dc_nfsstat_name(st));
	if (ob.dtype == OPEN_DELEGATE_WRITE)
		EXPECT(dc_cb_recalls(&b.cb, &ob.fh) > 0 ||
			       dc_cb_wait(&b.cb, 1, 5000) > 0,
		       "B: no CB_RECALL for f2");
out:
	dc_fh_free(&oa.fh);
	dc_fh_free(&ob.fh);
	dc_fh_free(&oc.fh);
	vanish(&a);
	vanish(&b);
	vanish(&c);
}

/*
 * CHURN5: 4.1 clients that DESTROY_SESSION but never DESTROY_CLIENTID:
 * one with nothing open, one holding an open and a lock.
 */
static void churn5_no_destroy_clientid(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct dc_open ob = { 0 };
	char name[96];
	nfsstat4 st;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	dc_name(ctx, "f", name, sizeof(name));
	rc = dc_fs_open_share(&b, NULL, name, "oob", true, ACCESS_NODELEG,
			      OPEN4_SHARE_DENY_WRITE, &ob, &st);
	EXPECT_OK(rc, st, "B: OPEN deny WRITE");
	rc = dc_fs_lock(&b, &ob.fh, READ_LT, &ob.sid, "lkb", 0, UINT64_MAX,
			NULL, NULL, &st);
	EXPECT_OK(rc, st, "B: LOCK READ whole file");
out:
	dc_fh_free(&ob.fh);
	destroy_session_only(&a);
	destroy_session_only(&b);
}

/* Gauges that must all be 0 once every client is gone. */
static const struct {
	const char *name, *labels;
} churn_gauges[] = {
	{ "clients__confirmed_count", NULL },
	{ "nfsv41_sessions_active", NULL },
	{ "nfsv41_slots_in_use", NULL },
	{ "nfsv41_replay_cache_bytes", NULL },
	{ "nfsv41_delegations_active", NULL },
	{ "nfsv41_dir_delegations_active", NULL },
	{ "locks__count", "lock_type=\"holders\"" },
	{ "locks__count", "lock_type=\"waiters\"" },
};

#define NGAUGES (sizeof(churn_gauges) / sizeof(churn_gauges[0]))

/*
 * Scrape: values of churn_gauges into v; also any other gauge sample
 * that is negative is reported in neg.  Returns 0 or -errno.
 */
static int churn_scrape(int port, double *v, char *neg, size_t neglen)
{
	struct dc_metrics m = { 0 };
	char *line, *save = NULL, *body;
	bool gauge = false;
	size_t i;
	int rc;

	rc = dc_metrics_scrape(port, DC_DEFAULT_TIMEOUT_MS, &m);
	if (rc)
		return rc;
	for (i = 0; i < NGAUGES; i++)
		if (!dc_metric_get(&m, churn_gauges[i].name,
				   churn_gauges[i].labels, &v[i])) {
			dc_metrics_free(&m);
			return -EPROTO;
		}
	neg[0] = '\0';
	body = strdup(m.body);
	dc_metrics_free(&m);
	if (!body)
		return -ENOMEM;
	for (line = strtok_r(body, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp;

		if (!strncmp(line, "# TYPE ", 7)) {
			gauge = strstr(line, " gauge") != NULL;
			continue;
		}
		if (line[0] == '#' || !gauge)
			continue;
		sp = strrchr(line, ' ');
		if (sp && strtod(sp + 1, NULL) < 0 &&
		    strlen(neg) + strlen(line) + 3 < neglen) {
			strcat(neg, line);
			strcat(neg, "; ");
		}
	}
	free(body);
	return 0;
}

static void gauges_str(const double *v, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NGAUGES && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s%s%s%s=%g",
			      i ? " " : "", churn_gauges[i].name,
			      churn_gauges[i].labels ? "{" : "",
			      churn_gauges[i].labels ?
				      churn_gauges[i].labels : "",
			      churn_gauges[i].labels ? "}" : "", v[i]);
}

/*
 * CHURN9: after the cases above, wait for the lease, the time expired
 * clients are kept (Max_Alive_Time_For_Expired_Client, DITTO_COURTESY
 * tells it; default two leases, as server.conf.in) and the reaper, then
 * every gauge is 0.
 */
static void churn9_all_gone(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	int port = dc_metrics_port();
	unsigned lease = 0, courtesy, bound, waited = 0;
	double v[NGAUGES];
	char neg[1024], buf[512];
	bool zero = false;
	const char *e;
	nfsstat4 st;
	size_t i;
	int rc;

	if (!port) {
		dc_skip(ctx, "DITTO_MONITORING_PORT not set");
		return;
	}
	EXPECT_RPC(dc_ctx_mounted(ctx, &cl), "mount");
	rc = dc_fs_lease_time(&cl, &lease, &st);
	EXPECT_OK(rc, st, "GETATTR lease_time");
	dc_client_destroy(&cl);
	e = getenv("DITTO_COURTESY");
	courtesy = e ? (unsigned)atoi(e) : 2 * lease;
	/*
	 * lease + courtesy, two reaper periods (at most 10 s each) and
	 * a margin for a recall timing out.
	 */
	bound = lease + courtesy + 2 * 10 + 15;
	for (;;) {
		rc = churn_scrape(port, v, neg, sizeof(neg));
		EXPECT(rc == 0, "scrape: %s", strerror(-rc));
		zero = !neg[0];
		for (i = 0; i < NGAUGES; i++)
			zero = zero && v[i] == 0;
		if (zero || waited >= bound)
			break;
		sleep(1);
		waited++;
	}
	gauges_str(v, buf, sizeof(buf));
	printf("CHURN9: after %u s (lease %u, courtesy %u): %s%s%s\n",
	       waited, lease, courtesy, buf, neg[0] ? "; negative: " : "",
	       neg);
	dc_note(ctx, "after %u s: %s", waited, buf);
	for (i = 0; i < NGAUGES; i++) {
		EXPECT(v[i] >= 0, "gauge %s{%s} negative: %g after %u s",
		       churn_gauges[i].name,
		       churn_gauges[i].labels ? churn_gauges[i].labels : "",
		       v[i], waited);
	}
	EXPECT(!neg[0], "negative gauges: %s", neg);
	EXPECT(zero, "not back at 0 after %u s: %s", waited, buf);
out:
	dc_client_destroy(&cl);
}

const struct dc_case dc_cases_churn[] = {
	{ "CHURN1",
	  "NFSv4.0 clients without callback path: deny-mode open, lock, "
	  "READW never retried, vanish",
	  "RFC 7530 9.4, 16.18", "churn v40", NULL, churn1_v40 },
	{ "CHURN2",
	  "WRITEW waiters (other client, other owner) never retry, a lock "
	  "held for a waiter never taken; all vanish",
	  "9.6", "churn lock", NULL, churn2_blocking },
	{ "CHURN3", "deny-mode opens and SHARE_DENIED, then vanish",
	  "9.7", "churn share", NULL, churn3_share },
	{ "CHURN4",
	  "write delegation holder vanishes; a recalled delegation never "
	  "returned, then its holder vanishes",
	  "10.2, 10.4", "churn filedeleg", NULL, churn4_deleg },
	{ "CHURN5",
	  "DESTROY_SESSION without DESTROY_CLIENTID, with and without state",
	  "18.37, 18.50", "churn", NULL, churn5_no_destroy_clientid },
	{ "CHURN9",
	  "lease + courtesy + reaper after CHURN1-5: every client, session, "
	  "lock and delegation gauge 0, none negative",
	  "8.3, 18.50", "churn metrics", "CHURN1", churn9_all_gone },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

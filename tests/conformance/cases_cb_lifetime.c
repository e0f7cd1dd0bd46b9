// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Lifetime of a session's back channel against what is still in flight
 * on it (patches 0033, 0034 and 0066):
 *
 * CBLIFE1  a CB_RECALL is outstanding on connection 0 when the client
 *          binds another connection to the back channel, which makes
 *          the server re-create its callback client; the client then
 *          answers the recall on connection 0.  The late reply must be
 *          processed with what the call itself holds (it crashed the
 *          server: the old channel's auth was already freed).
 * DCID3    DESTROY_SESSION, then DESTROY_CLIENTID at once, while the
 *          server's CB_NULL probe of the session is still unanswered:
 *          the session is destroyed, so DESTROY_CLIENTID succeeds
 *          (RFC 8881 18.50.3), however long the probe waits.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "case.h"

/* Bound of every wait below. */
#define CBLIFE_WAIT_MS 5000
#define CBLIFE_POLL_MS 20
/*
 * Longest the recall's answer is held back: below Callback_Timeout
 * (2 s in server.conf.in), so that the server still waits for it.  The
 * rebind normally ends it sooner; but when the new connection's CB_NULL
 * probe arrives before the BIND_CONN_TO_SESSION reply, that reply is
 * only read once this handler returns (one back channel lock).
 */
#define CBLIFE_HOLD_MS 1000

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* CBLIFE1: the recall is answered only once the rebind is done. */
struct late_recall {
	atomic_bool seen;	/* the CB_RECALL arrived */
	atomic_bool rebound;	/* BIND_CONN_TO_SESSION answered */
};

static enum dc_cb_action answer_late(void *arg, const struct dc_cb_record *r,
				     nfsstat4 *st)
{
	struct late_recall *lr = arg;
	unsigned int waited = 0;

	if (!r->has_recall)
		return DC_CB_OK;
	atomic_store(&lr->seen, true);
	while (!atomic_load(&lr->rebound) && waited < CBLIFE_HOLD_MS) {
		sleep_ms(CBLIFE_POLL_MS);
		waited += CBLIFE_POLL_MS;
	}
	return DC_CB_OK;
}

/* OPEN name (created) with access; the delegation type granted. */
static int open_file(struct dc_client *cl, const char *name, uint32_t access,
		     nfsstat4 *st, open_delegation_type4 *dtype)
{
	struct dc_open o;
	int rc;

	rc = dc_fs_open_share(cl, NULL, name, NULL, true, access,
			      OPEN4_SHARE_DENY_NONE, &o, st);
	*dtype = o.dtype;
	dc_fh_free(&o.fh);
	return rc;
}

static void cblife1_late_reply_after_rebind(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct late_recall lr = { false, false };
	struct dc_cb_record rec = { 0 };
	open_delegation_type4 dt;
	unsigned int waited = 0;
	bool found;
	char name[128];
	nfsstat4 st;
	int rc, ci;

	dc_name(ctx, "late", name, sizeof(name));
	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	dc_cb_set_handler(&a.cb, answer_late, &lr);
	rc = open_file(&a, name, OPEN4_SHARE_ACCESS_BOTH, &st, &dt);
	EXPECT_OK(rc, st, "A: OPEN for read and write");
	if (dt != OPEN_DELEGATE_WRITE)
		SKIP("no write delegation granted (type %d)", (int)dt);
	/* B's conflicting OPEN makes the server recall A's delegation */
	rc = open_file(&b, name, OPEN4_SHARE_ACCESS_READ, &st, &dt);
	EXPECT_RPC(rc, "B: OPEN");
	while (!atomic_load(&lr.seen) && waited < CBLIFE_WAIT_MS) {
		sleep_ms(CBLIFE_POLL_MS);
		waited += CBLIFE_POLL_MS;
	}
	EXPECT(atomic_load(&lr.seen), "no CB_RECALL within %d ms of B's OPEN",
	       CBLIFE_WAIT_MS);
	/* Move the back channel while the recall is unanswered */
	ci = dc_client_add_conn(&a);
	EXPECT(ci > 0, "A: second connection: %d", ci);
	dc_cb_attach(&a.cb, a.conns[ci]);
	rc = dc_client_bind_conn(&a, ci, CDFC4_BACK_OR_BOTH, &st, NULL);
	atomic_store(&lr.rebound, true);
	EXPECT_OK(rc, st, "A: BIND_CONN_TO_SESSION back");
	/* The recall is recorded once its reply went out on connection 0 */
	waited = 0;
	while (!(found = dc_cb_first_recall(&a.cb, NULL, &rec)) &&
	       waited < CBLIFE_WAIT_MS) {
		sleep_ms(CBLIFE_POLL_MS);
		waited += CBLIFE_POLL_MS;
	}
	EXPECT(found, "CB_RECALL not answered within %d ms", CBLIFE_WAIT_MS);
	EXPECT(rec.replied, "our CB_RECALL reply could not be sent");
	/* Behind that reply on the same connection: the server must have
	 * processed it and still serve both clients.
	 */
	rc = dc_client_simple(&a, NULL, NULL, NULL, &st);
	EXPECT_OK(rc, st, "A: SEQUENCE after its late recall reply");
	rc = dc_client_simple(&b, NULL, NULL, NULL, &st);
	EXPECT_OK(rc, st, "B: SEQUENCE after A's late recall reply");
out:
	atomic_store(&lr.rebound, true);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

static void dcid3_probe_outstanding(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfsstat4 st;
	int rc;

	rc = dc_ctx_client(ctx, &cl);
	EXPECT_RPC(rc, "connect");
	/* Deaf back channel: calls on conns[0] are read and dropped, so
	 * the server's CB_NULL probe stays unanswered for 2 x
	 * Callback_Timeout (dittoclient answers CB_NULL by itself).
	 */
	dc_conn_set_call_handler(cl.conns[0], NULL, NULL);
	rc = dc_client_exchange_id(&cl, EXCHGID4_FLAG_USE_NON_PNFS, &st);
	EXPECT_OK(rc, st, "EXCHANGE_ID");
	rc = dc_client_create_session(&cl, CREATE_SESSION4_FLAG_CONN_BACK_CHAN,
				      4, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION with CONN_BACK_CHAN");
	rc = dc_client_destroy_session(&cl, cl.sid, &st);
	EXPECT_OK(rc, st, "DESTROY_SESSION");
	cl.have_session = false;
	rc = dc_client_destroy_clientid(&cl, cl.clientid, &st);
	EXPECT_OK(rc, st,
		  "DESTROY_CLIENTID after DESTROY_SESSION, probe pending");
	cl.clientid = 0;
out:
	dc_client_destroy(&cl);
}

const struct dc_case dc_cases_cb_lifetime[] = {
	{ "CBLIFE1", "recall answered on the old connection after "
		     "BIND_CONN_TO_SESSION moved the back channel",
	  "2.10.3.1 / 18.34.3", "deleg filedeleg callback all", "DELEG6",
	  cblife1_late_reply_after_rebind },
	{ "DCID3", "DESTROY_CLIENTID right after DESTROY_SESSION while the "
		   "CB_NULL probe is unanswered",
	  "18.50.3", "destroy_clientid probe all", "DCID1",
	  dcid3_probe_outstanding },
	{ NULL }
};

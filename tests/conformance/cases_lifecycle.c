// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * DESTROY_SESSION (18.37), DESTROY_CLIENTID (18.50) and RECLAIM_COMPLETE
 * (18.51) cases.
 */
#include <string.h>
#include "case.h"

static void dsess1_destroy(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_client_destroy_session(&cl, cl.sid, &st);
	EXPECT_OK(rc, st, "DESTROY_SESSION");
	rc = dc_client_simple(&cl, NULL, NULL, NULL, &st);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT_STATUS(st, NFS4ERR_BADSESSION, "SEQUENCE on destroyed session");
	cl.have_session = false;
out:
	dc_client_destroy(&cl);
}

static void dsess2_unknown(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	sessionid4 bogus;
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	memcpy(bogus, cl.sid, sizeof(bogus));
	bogus[0] ^= 0x77;
	bogus[15] ^= 0x77;
	rc = dc_client_destroy_session(&cl, bogus, &st);
	EXPECT_RPC(rc, "DESTROY_SESSION");
	EXPECT_STATUS(st, NFS4ERR_BADSESSION, "DESTROY_SESSION unknown id");
out:
	dc_client_destroy(&cl);
}

static void dsess3_in_sequence(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_compound c;
	struct dc_cres r = { 0 };
	uint32_t slot;
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_client_begin(&cl, &c, "dsess_seq", false, &slot);
	EXPECT(rc == 0, "no free slot");
	/* Same session as SEQUENCE: allowed as the last op. */
	dc_op_destroy_session(&c, cl.sid);
	rc = dc_client_send(&cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	EXPECT_OK(rc, r.res.status, "SEQUENCE+DESTROY_SESSION");
	cl.have_session = false;
	rc = dc_client_simple(&cl, NULL, NULL, NULL, &st);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT_STATUS(st, NFS4ERR_BADSESSION, "SEQUENCE after destroy");
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void dcid1_busy(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_client_destroy_clientid(&cl, cl.clientid, &st);
	EXPECT_RPC(rc, "DESTROY_CLIENTID");
	EXPECT_STATUS(st, NFS4ERR_CLIENTID_BUSY,
		      "DESTROY_CLIENTID with a session");
	rc = dc_client_destroy_session(&cl, cl.sid, &st);
	EXPECT_OK(rc, st, "DESTROY_SESSION");
	cl.have_session = false;
	rc = dc_client_destroy_clientid(&cl, cl.clientid, &st);
	EXPECT_OK(rc, st, "DESTROY_CLIENTID without sessions");
	/* The clientid is gone: a new session on it is refused. */
	rc = dc_client_create_session(&cl, 0, 4, &st);
	cl.clientid = 0;
	if (st == NFS4_OK)
		cl.have_session = true;
	EXPECT_RPC(rc, "CREATE_SESSION");
	EXPECT_STATUS(st, NFS4ERR_STALE_CLIENTID,
		      "CREATE_SESSION on a destroyed clientid");
out:
	dc_client_destroy(&cl);
}

static void dcid2_unknown(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_client_destroy_clientid(&cl, cl.clientid ^ 0x7fff0000u,
					&st);
	EXPECT_RPC(rc, "DESTROY_CLIENTID");
	EXPECT_STATUS(st, NFS4ERR_STALE_CLIENTID,
		      "DESTROY_CLIENTID of an unknown clientid");
out:
	dc_client_destroy(&cl);
}

static void fill_rc(struct dc_compound *c, void *arg)
{
	dc_op_reclaim_complete(c, false);
}

static void recc1_twice(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfsstat4 st;
	int rc;

	/* dc_client_mount already sent one RECLAIM_COMPLETE. */
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount (with the first RECLAIM_COMPLETE)");
	rc = dc_client_simple(&cl, fill_rc, NULL, NULL, &st);
	EXPECT_RPC(rc, "RECLAIM_COMPLETE");
	EXPECT_STATUS(st, NFS4ERR_COMPLETE_ALREADY,
		      "second RECLAIM_COMPLETE");
out:
	dc_client_destroy(&cl);
}

const struct dc_case dc_cases_lifecycle[] = {
	{ "DSESS1", "DESTROY_SESSION; the session is then unknown",
	  "18.37.3", "destroy_session all", "CSESS1", dsess1_destroy },
	{ "DSESS2", "DESTROY_SESSION of an unknown id: NFS4ERR_BADSESSION",
	  "18.37.3", "destroy_session all", "CSESS1", dsess2_unknown },
	{ "DSESS3", "DESTROY_SESSION last in its own session's compound",
	  "18.37.3", "destroy_session all", "CSESS1", dsess3_in_sequence },
	{ "DCID1", "DESTROY_CLIENTID: CLIENTID_BUSY while a session exists",
	  "18.50.3", "destroy_clientid all", "DSESS1", dcid1_busy },
	{ "DCID2", "DESTROY_CLIENTID of an unknown id: STALE_CLIENTID",
	  "18.50.3", "destroy_clientid all", "CSESS1", dcid2_unknown },
	{ "RECC1", "second RECLAIM_COMPLETE: NFS4ERR_COMPLETE_ALREADY",
	  "18.51.3", "reclaim_complete all", "CSESS1", recc1_twice },
	{ NULL }
};

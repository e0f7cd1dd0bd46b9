// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * CREATE_SESSION cases (RFC 8881 section 18.36).
 */
#include <string.h>
#include "case.h"

static void default_attrs(channel_attrs4 *fore, channel_attrs4 *back)
{
	dc_default_chan_attrs(fore, 8);
	dc_default_back_chan_attrs(back, 2);
}

static void csess1_confirms(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfsstat4 st;
	int rc;

	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	EXPECT(!(cl.eir_flags & EXCHGID4_FLAG_CONFIRMED_R),
	       "new client already confirmed");
	rc = dc_client_create_session(&cl, 0, 4, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION");
	rc = dc_client_exchange_id(&cl, EXCHGID4_FLAG_USE_NON_PNFS, &st);
	EXPECT_OK(rc, st, "EXCHANGE_ID after CREATE_SESSION");
	EXPECT(cl.eir_flags & EXCHGID4_FLAG_CONFIRMED_R,
	       "client not confirmed by CREATE_SESSION (flags %#x)",
	       cl.eir_flags);
	rc = dc_client_simple(&cl, NULL, NULL, NULL, &st);
	EXPECT_OK(rc, st, "SEQUENCE on the new session");
out:
	dc_client_destroy(&cl);
}

static void csess2_replay(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	channel_attrs4 fore, back;
	struct dc_cs_reply a, b;
	int rc;

	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	default_attrs(&fore, &back);
	rc = dc_client_create_session_raw(&cl, 0, cl.clientid, cl.cs_seq, 0,
					  &fore, &back, &a);
	EXPECT_OK(rc, a.status, "CREATE_SESSION");
	/* Track it so cleanup destroys it. */
	memcpy(cl.sid, a.sid, sizeof(cl.sid));
	cl.have_session = true;
	EXPECT(a.seq == cl.cs_seq, "csr_sequence %u, sent %u", a.seq,
	       cl.cs_seq);
	rc = dc_client_create_session_raw(&cl, 0, cl.clientid, cl.cs_seq, 0,
					  &fore, &back, &b);
	EXPECT_OK(rc, b.status, "CREATE_SESSION replay");
	EXPECT(!memcmp(a.sid, b.sid, sizeof(a.sid)),
	       "replay created a new session instead of the cached reply");
	EXPECT(b.seq == a.seq, "replayed csr_sequence %u != %u", b.seq, a.seq);
out:
	dc_client_destroy(&cl);
}

static void csess3_misordered(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	channel_attrs4 fore, back;
	struct dc_cs_reply o;
	nfsstat4 st;
	int rc;

	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	default_attrs(&fore, &back);
	rc = dc_client_create_session_raw(&cl, 0, cl.clientid, cl.cs_seq + 5, 0,
					  &fore, &back, &o);
	EXPECT_RPC(rc, "CREATE_SESSION");
	EXPECT_STATUS(o.status, NFS4ERR_SEQ_MISORDERED,
		      "CREATE_SESSION with csa_sequence+5 (unconfirmed)");
	rc = dc_client_create_session(&cl, 0, 4, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION in order");
	/* cl.cs_seq is now the next valid one; skip one ahead. */
	rc = dc_client_create_session_raw(&cl, 0, cl.clientid, cl.cs_seq + 1, 0,
					  &fore, &back, &o);
	EXPECT_RPC(rc, "CREATE_SESSION");
	EXPECT_STATUS(o.status, NFS4ERR_SEQ_MISORDERED,
		      "CREATE_SESSION with csa_sequence+2 (confirmed)");
out:
	dc_client_destroy(&cl);
}

static void csess4_stale_clientid(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	channel_attrs4 fore, back;
	struct dc_cs_reply o;
	int rc;

	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	default_attrs(&fore, &back);
	/* Flip the low word: same boot epoch, a clientid never issued. */
	rc = dc_client_create_session_raw(&cl, 0, cl.clientid ^ 0x7fff0000u,
					  1, 0, &fore, &back, &o);
	EXPECT_RPC(rc, "CREATE_SESSION");
	EXPECT_STATUS(o.status, NFS4ERR_STALE_CLIENTID,
		      "CREATE_SESSION for an unknown clientid");
out:
	dc_client_destroy(&cl);
}

static void csess5_toosmall(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	channel_attrs4 fore, back;
	struct dc_cs_reply o;
	int rc;

	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	default_attrs(&fore, &back);
	/* Too small to hold even a SEQUENCE request. */
	fore.ca_maxrequestsize = 16;
	fore.ca_maxresponsesize = 16;
	rc = dc_client_create_session_raw(&cl, 0, cl.clientid, cl.cs_seq, 0,
					  &fore, &back, &o);
	EXPECT_RPC(rc, "CREATE_SESSION");
	EXPECT_STATUS(o.status, NFS4ERR_TOOSMALL,
		      "CREATE_SESSION with 16-byte fore channel sizes");
	default_attrs(&fore, &back);
	back.ca_maxoperations = 0;
	rc = dc_client_create_session_raw(&cl, 0, cl.clientid, cl.cs_seq, 0,
					  &fore, &back, &o);
	EXPECT_RPC(rc, "CREATE_SESSION");
	EXPECT_STATUS(o.status, NFS4ERR_TOOSMALL,
		      "CREATE_SESSION with back channel ca_maxoperations 0");
out:
	dc_client_destroy(&cl);
}

static void csess6_slot_clamp(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	uint32_t n;
	nfsstat4 st;
	int rc;

	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	rc = dc_client_create_session(&cl, 0, 100000, &st);
	EXPECT_OK(rc, st, "CREATE_SESSION asking 100000 slots");
	n = cl.fore.ca_maxrequests;
	EXPECT(n >= 1 && n < 100000,
	       "fore ca_maxrequests %u not clamped to the server's table", n);
	dc_note(ctx, "server granted %u fore channel slots", n);
	/* The last granted slot works, the next one is BADSLOT. */
	rc = dc_client_on_slot(&cl, n - 1, 1, false, NULL, NULL, &r);
	EXPECT_OK(rc, r.res.status, "SEQUENCE on the last slot");
	dc_cres_free(&r);
	rc = dc_client_on_slot(&cl, n, 1, false, NULL, NULL, &r);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT_STATUS(r.res.status, NFS4ERR_BADSLOT,
		      "SEQUENCE one past the granted slots");
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void csess7_bad_flags(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	channel_attrs4 fore, back;
	struct dc_cs_reply o;
	int rc;

	if (!dc_ctx_exchanged(ctx, &cl))
		goto out;
	default_attrs(&fore, &back);
	rc = dc_client_create_session_raw(&cl, 0, cl.clientid, cl.cs_seq, 0x100,
					  &fore, &back, &o);
	EXPECT_RPC(rc, "CREATE_SESSION");
	EXPECT_STATUS(o.status, NFS4ERR_INVAL,
		      "CREATE_SESSION with undefined csa_flags bit 0x100");
out:
	dc_client_destroy(&cl);
}

const struct dc_case dc_cases_create_session[] = {
	{ "CSESS1", "first CREATE_SESSION confirms the client", "18.36.4",
	  "create_session all", "EID1", csess1_confirms },
	{ "CSESS2", "replayed csa_sequence returns the cached result",
	  "18.36.4", "create_session replay all", "CSESS1", csess2_replay },
	{ "CSESS3", "csa_sequence out of order: NFS4ERR_SEQ_MISORDERED",
	  "18.36.4", "create_session all", "CSESS1", csess3_misordered },
	{ "CSESS4", "unknown clientid: NFS4ERR_STALE_CLIENTID", "18.36.4",
	  "create_session all", "EID1", csess4_stale_clientid },
	{ "CSESS5", "channel attributes below minimum: NFS4ERR_TOOSMALL",
	  "18.36.4", "create_session all", "EID1", csess5_toosmall },
	{ "CSESS6", "fore channel slots clamped to the server's table",
	  "18.36.3", "create_session slots all", "CSESS1", csess6_slot_clamp },
	{ "CSESS7", "undefined csa_flags bit: NFS4ERR_INVAL", "18.36.3",
	  "create_session all", "EID1", csess7_bad_flags },
	{ NULL }
};

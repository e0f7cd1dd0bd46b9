// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * EXCHANGE_ID cases (RFC 8881 section 18.35).
 */
#include <string.h>
#include "case.h"

struct eid_out {
	nfsstat4 status;
	clientid4 clientid;
	uint32_t seq, flags;
	uint64_t minor_id;
	char major[NFS4_OPAQUE_LIMIT];
	unsigned major_len;
	char scope[NFS4_OPAQUE_LIMIT];
	unsigned scope_len;
};

/* One EXCHANGE_ID for cl's owner with verf and flags on conns[ci]. */
static int eid(struct dc_client *cl, unsigned ci, const verifier4 verf,
	       uint32_t flags, struct eid_out *o)
{
	struct dc_compound c;
	struct dc_cres r;
	int rc;

	memset(o, 0, sizeof(*o));
	dc_compound_init(&c, 1, "eid");
	dc_op_exchange_id(&c, cl->owner, verf, flags);
	rc = dc_compound_call(cl->conns[ci], &cl->auth, &c, &r, cl->timeout_ms);
	dc_compound_free(&c);
	if (rc) {
		dc_reply_free(&r.rpc);
		return rc;
	}
	o->status = r.res.status;
	if (o->status == NFS4_OK && dc_cres_op(&r, 0)) {
		EXCHANGE_ID4resok *ok = &dc_cres_op(&r, 0)
			->nfs_resop4_u.opexchange_id.EXCHANGE_ID4res_u
			.eir_resok4;
		server_owner4 *so = &ok->eir_server_owner;

		o->clientid = ok->eir_clientid;
		o->seq = ok->eir_sequenceid;
		o->flags = ok->eir_flags;
		o->minor_id = so->so_minor_id;
		o->major_len = so->so_major_id.so_major_id_len;
		if (o->major_len <= sizeof(o->major))
			memcpy(o->major, so->so_major_id.so_major_id_val,
			       o->major_len);
		o->scope_len = ok->eir_server_scope.eir_server_scope_len;
		if (o->scope_len <= sizeof(o->scope))
			memcpy(o->scope,
			       ok->eir_server_scope.eir_server_scope_val,
			       o->scope_len);
	}
	dc_cres_free(&r);
	return 0;
}

static void eid1_new_client(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct eid_out o;
	int rc;

	rc = dc_ctx_client(ctx, &cl);
	EXPECT_RPC(rc, "connect");
	rc = eid(&cl, 0, cl.verf, EXCHGID4_FLAG_USE_NON_PNFS, &o);
	EXPECT_OK(rc, o.status, "EXCHANGE_ID");
	EXPECT(o.clientid != 0, "clientid is 0");
	EXPECT(!(o.flags & EXCHGID4_FLAG_CONFIRMED_R),
	       "new client reported CONFIRMED_R (flags %#x)", o.flags);
	EXPECT(o.major_len > 0, "empty so_major_id");
	cl.clientid = o.clientid;
out:
	dc_client_destroy(&cl);
}

static void eid2_same_verifier(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct eid_out o;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	/* Case 2 of 18.35.5: confirmed record, same verifier, no update. */
	rc = eid(&cl, 0, cl.verf, EXCHGID4_FLAG_USE_NON_PNFS, &o);
	EXPECT_OK(rc, o.status, "second EXCHANGE_ID");
	EXPECT(o.clientid == cl.clientid, "clientid changed %llx -> %llx",
	       (unsigned long long)cl.clientid,
	       (unsigned long long)o.clientid);
	EXPECT(o.flags & EXCHGID4_FLAG_CONFIRMED_R,
	       "CONFIRMED_R not set for a confirmed client (flags %#x)",
	       o.flags);
out:
	dc_client_destroy(&cl);
}

static void eid3_update(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct eid_out o;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	/* Case 6: update of a confirmed record with the same verifier. */
	rc = eid(&cl, 0, cl.verf,
		 EXCHGID4_FLAG_USE_NON_PNFS | EXCHGID4_FLAG_UPD_CONFIRMED_REC_A,
		 &o);
	EXPECT_OK(rc, o.status, "update EXCHANGE_ID");
	EXPECT(o.clientid == cl.clientid, "clientid changed on update");
	EXPECT(o.flags & EXCHGID4_FLAG_CONFIRMED_R,
	       "CONFIRMED_R not set on update (flags %#x)", o.flags);
out:
	dc_client_destroy(&cl);
}

static void eid4_reboot(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	verifier4 v2;
	struct eid_out o;
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	/* Case 5: client restart, new verifier => new clientid. */
	memcpy(v2, cl.verf, sizeof(v2));
	v2[0] ^= 0xff;
	rc = eid(&cl, 0, v2, EXCHGID4_FLAG_USE_NON_PNFS, &o);
	EXPECT_OK(rc, o.status, "EXCHANGE_ID with new verifier");
	EXPECT(o.clientid != cl.clientid,
	       "same clientid %llx after verifier change",
	       (unsigned long long)o.clientid);
	EXPECT(!(o.flags & EXCHGID4_FLAG_CONFIRMED_R),
	       "CONFIRMED_R set for the new incarnation (flags %#x)",
	       o.flags);
	/* The old session still works until the new one is confirmed. */
	rc = dc_client_simple(&cl, NULL, NULL, NULL, &st);
	EXPECT_OK(rc, st, "SEQUENCE on old session before confirm");
out:
	dc_client_destroy(&cl);
}

static void eid5_bad_flags(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct eid_out o;
	int rc;

	rc = dc_ctx_client(ctx, &cl);
	EXPECT_RPC(rc, "connect");
	/* 0x00000800 is not a defined eia_flags bit. */
	rc = eid(&cl, 0, cl.verf, EXCHGID4_FLAG_USE_NON_PNFS | 0x00000800, &o);
	EXPECT_RPC(rc, "EXCHANGE_ID");
	EXPECT_STATUS(o.status, NFS4ERR_INVAL, "EXCHANGE_ID with bad flags");
	/* CONFIRMED_R is a reply-only flag. */
	rc = eid(&cl, 0, cl.verf,
		 EXCHGID4_FLAG_USE_NON_PNFS | EXCHGID4_FLAG_CONFIRMED_R, &o);
	EXPECT_RPC(rc, "EXCHANGE_ID");
	EXPECT_STATUS(o.status, NFS4ERR_INVAL,
		      "EXCHANGE_ID with CONFIRMED_R in eia_flags");
out:
	dc_client_destroy(&cl);
}

static void eid6_trunking(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct eid_out a, b;
	int rc, ci;

	rc = dc_ctx_client(ctx, &cl);
	EXPECT_RPC(rc, "connect");
	ci = dc_client_add_conn(&cl);
	EXPECT(ci > 0, "second connection: %d", ci);
	rc = eid(&cl, 0, cl.verf, EXCHGID4_FLAG_USE_NON_PNFS, &a);
	EXPECT_OK(rc, a.status, "EXCHANGE_ID conn 0");
	cl.clientid = a.clientid;
	cl.cs_seq = a.seq;
	/* Confirm it, so the second EXCHANGE_ID is case 2, not case 4. */
	{
		nfsstat4 st;

		rc = dc_client_create_session(&cl, 0, 4, &st);
		EXPECT_OK(rc, st, "CREATE_SESSION");
	}
	rc = eid(&cl, ci, cl.verf, EXCHGID4_FLAG_USE_NON_PNFS, &b);
	EXPECT_OK(rc, b.status, "EXCHANGE_ID conn 1");
	/* Section 2.10.5: same major id and scope => same server. */
	EXPECT(a.major_len == b.major_len &&
		       !memcmp(a.major, b.major, a.major_len),
	       "so_major_id differs across connections");
	EXPECT(a.minor_id == b.minor_id,
	       "so_minor_id differs (%llu vs %llu): no session trunking",
	       (unsigned long long)a.minor_id,
	       (unsigned long long)b.minor_id);
	EXPECT(a.scope_len == b.scope_len &&
		       !memcmp(a.scope, b.scope, a.scope_len),
	       "eir_server_scope differs across connections");
	EXPECT(a.clientid == b.clientid,
	       "confirmed clientid differs across connections");
	EXPECT(b.flags & EXCHGID4_FLAG_CONFIRMED_R,
	       "CONFIRMED_R missing on the second connection");
out:
	dc_client_destroy(&cl);
}

static void eid7_update_unknown(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct eid_out o;
	int rc;

	rc = dc_ctx_client(ctx, &cl);
	EXPECT_RPC(rc, "connect");
	/* Case 7: update of a record that does not exist. */
	rc = eid(&cl, 0, cl.verf,
		 EXCHGID4_FLAG_USE_NON_PNFS | EXCHGID4_FLAG_UPD_CONFIRMED_REC_A,
		 &o);
	EXPECT_RPC(rc, "EXCHANGE_ID");
	EXPECT_STATUS(o.status, NFS4ERR_NOENT, "update of unknown owner");
out:
	dc_client_destroy(&cl);
}

const struct dc_case dc_cases_exchange_id[] = {
	{ "EID1", "EXCHANGE_ID of a new owner gives an unconfirmed clientid",
	  "18.35.4", "exchange_id all", "", eid1_new_client },
	{ "EID2", "same owner and verifier returns the confirmed clientid",
	  "18.35.5", "exchange_id all", "EID1 CSESS1", eid2_same_verifier },
	{ "EID3", "UPD_CONFIRMED_REC_A with same verifier updates the record",
	  "18.35.5", "exchange_id all", "EID1 CSESS1", eid3_update },
	{ "EID4", "new verifier (client reboot) gives a new clientid",
	  "18.35.5", "exchange_id all", "EID1 CSESS1", eid4_reboot },
	{ "EID5", "undefined or reply-only eia_flags give NFS4ERR_INVAL",
	  "18.35.3", "exchange_id all", "", eid5_bad_flags },
	{ "EID6", "server_owner and scope agree across two connections",
	  "2.10.5", "exchange_id trunking all", "EID1", eid6_trunking },
	{ "EID7", "UPD_CONFIRMED_REC_A for an unknown owner: NFS4ERR_NOENT",
	  "18.35.5", "exchange_id all", "", eid7_update_unknown },
	{ NULL }
};

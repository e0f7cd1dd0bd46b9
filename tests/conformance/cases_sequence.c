// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * SEQUENCE and exactly-once semantics cases (RFC 8881 sections 2.10.6
 * and 18.46).  Cases drive slots by hand on slot 1 and up; the client's
 * own slot table only ever picks slot 0 for its sequential helpers.
 */
#include <string.h>
#include <unistd.h>
#include "case.h"

typedef void (*fill_fn)(struct dc_compound *c, void *arg);

static void fill_root_getattr(struct dc_compound *c, void *arg)
{
	dc_op_putrootfh(c);
	dc_op_getattr(c, 1u << FATTR4_TYPE, 0);
}

/* Reply bodies equal, ignoring the xid word. */
static bool same_reply(const struct dc_cres *a, const struct dc_cres *b)
{
	return a->rpc.len == b->rpc.len &&
	       !memcmp(a->rpc.rec + 4, b->rpc.rec + 4, a->rpc.len - 4);
}

static void seq1_pos(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_client_on_slot(&cl, 1, 1, false, dc_fill_root_getfh, NULL, &r);
	dc_cres_free(&r);
	EXPECT_RPC(rc, "SEQUENCE");
	{
		struct dc_compound c;

		dc_compound_init(&c, 1, "seqpos");
		dc_op_sequence(&c, cl.sid, 2, 1, 1, false);
		dc_op_putrootfh(&c);
		dc_op_sequence(&c, cl.sid, 1, 2, 2, false);
		rc = dc_compound_call(cl.conns[0], &cl.auth, &c, &r,
				      cl.timeout_ms);
		dc_compound_free(&c);
	}
	EXPECT_RPC(rc, "COMPOUND");
	EXPECT(r.res.resarray.resarray_len == 3,
	       "%u results, expected 3 (fail at the second SEQUENCE)",
	       r.res.resarray.resarray_len);
	EXPECT_STATUS(dc_cres_status(&r, 2), NFS4ERR_SEQUENCE_POS,
		      "second SEQUENCE in a compound");
	EXPECT_STATUS(r.res.status, NFS4ERR_SEQUENCE_POS, "compound status");
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void seq2_badsession(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	cl.sid[0] ^= 0x5a;
	cl.sid[15] ^= 0xa5;
	rc = dc_client_on_slot(&cl, 1, 1, false, NULL, NULL, &r);
	cl.sid[0] ^= 0x5a;
	cl.sid[15] ^= 0xa5;
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT_STATUS(r.res.status, NFS4ERR_BADSESSION,
		      "SEQUENCE with an unknown session id");
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void seq3_badslot(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_client_on_slot(&cl, cl.fore.ca_maxrequests + 10, 1, false, NULL,
			       NULL, &r);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT_STATUS(r.res.status, NFS4ERR_BADSLOT,
		      "SEQUENCE on a slot above the highest");
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void seq4_next(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	uint32_t i;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	for (i = 1; i <= 4; i++) {
		SEQUENCE4resok *ok;

		rc = dc_client_on_slot(&cl, 1, i, false, NULL, NULL, &r);
		EXPECT_OK(rc, r.res.status, "SEQUENCE seqid+1");
		ok = &dc_cres_op(&r, 0)->nfs_resop4_u.opsequence
			      .SEQUENCE4res_u.sr_resok4;
		EXPECT(ok->sr_sequenceid == i && ok->sr_slotid == 1,
		       "reply slot %u seqid %u, sent slot 1 seqid %u",
		       ok->sr_slotid, ok->sr_sequenceid, i);
		EXPECT(!memcmp(ok->sr_sessionid, cl.sid, sizeof(cl.sid)),
		       "reply carries another session id");
		dc_cres_free(&r);
	}
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void seq5_cached_replay(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres a = { 0 }, b = { 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_client_on_slot(&cl, 1, 1, true, dc_fill_root_getfh, NULL, &a);
	EXPECT_OK(rc, a.res.status, "SEQUENCE+PUTROOTFH+GETFH");
	/* The same bytes again; new xid so only the slot cache can match. */
	rc = dc_rpc_send_record(cl.conns[0], a.rpc.req, a.rpc.req_len, true,
				&b.rpc, cl.timeout_ms);
	EXPECT_RPC(rc, "replay");
	EXPECT(dc_cres_decode(&b) == 0, "replayed reply does not decode");
	EXPECT_STATUS(b.res.status, NFS4_OK, "replay status");
	EXPECT(same_reply(&a, &b),
	       "replay reply differs from the original (%zu vs %zu bytes)",
	       a.rpc.len, b.rpc.len);
out:
	dc_cres_free(&a);
	dc_cres_free(&b);
	dc_client_destroy(&cl);
}

static void seq13_same_xid(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres a = { 0 }, b = { 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_client_on_slot(&cl, 1, 1, true, dc_fill_root_getfh, NULL, &a);
	EXPECT_OK(rc, a.res.status, "SEQUENCE+PUTROOTFH+GETFH");
	/* Exactly the same record, xid included: a transport retry. */
	rc = dc_rpc_send_record(cl.conns[0], a.rpc.req, a.rpc.req_len, false,
				&b.rpc, cl.timeout_ms);
	EXPECT_RPC(rc, "byte-exact resend");
	EXPECT(b.rpc.xid == a.rpc.xid, "xid changed");
	EXPECT(dc_cres_decode(&b) == 0, "resent reply does not decode");
	EXPECT(a.rpc.len == b.rpc.len &&
		       !memcmp(a.rpc.rec, b.rpc.rec, a.rpc.len),
	       "reply to the byte-exact resend differs from the original");
out:
	dc_cres_free(&a);
	dc_cres_free(&b);
	dc_client_destroy(&cl);
}

static void seq6_uncached(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres a = { 0 }, b = { 0 };
	nfsstat4 s0, s1;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_client_on_slot(&cl, 1, 1, false, dc_fill_root_getfh, NULL, &a);
	EXPECT_OK(rc, a.res.status, "SEQUENCE+PUTROOTFH+GETFH");
	rc = dc_rpc_send_record(cl.conns[0], a.rpc.req, a.rpc.req_len, true,
				&b.rpc, cl.timeout_ms);
	EXPECT_RPC(rc, "retry");
	EXPECT(dc_cres_decode(&b) == 0, "retry reply does not decode");
	s0 = dc_cres_status(&b, 0);
	s1 = dc_cres_status(&b, 1);
	/* 2.10.6.1.3: on SEQUENCE itself or on the op after it. */
	EXPECT(s0 == NFS4ERR_RETRY_UNCACHED_REP ||
		       (s0 == NFS4_OK && s1 == NFS4ERR_RETRY_UNCACHED_REP),
	       "retry of an uncached request: SEQUENCE %s, next op %s",
	       dc_nfsstat_name(s0), dc_nfsstat_name(s1));
	EXPECT_STATUS(b.res.status, NFS4ERR_RETRY_UNCACHED_REP,
		      "compound status");
	dc_note(ctx, "RETRY_UNCACHED_REP returned on %s",
		s0 == NFS4_OK ? "the op after SEQUENCE" : "SEQUENCE");
out:
	dc_cres_free(&a);
	dc_cres_free(&b);
	dc_client_destroy(&cl);
}

static void seq7_misordered(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_client_on_slot(&cl, 1, 1, false, NULL, NULL, &r);
	EXPECT_OK(rc, r.res.status, "SEQUENCE seqid 1");
	dc_cres_free(&r);
	rc = dc_client_on_slot(&cl, 1, 3, false, NULL, NULL, &r);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT_STATUS(r.res.status, NFS4ERR_SEQ_MISORDERED,
		      "SEQUENCE seqid+2");
	dc_cres_free(&r);
	rc = dc_client_on_slot(&cl, 1, 2, false, NULL, NULL, &r);
	EXPECT_OK(rc, r.res.status, "SEQUENCE seqid 2");
	dc_cres_free(&r);
	rc = dc_client_on_slot(&cl, 1, 3, false, NULL, NULL, &r);
	EXPECT_OK(rc, r.res.status, "SEQUENCE seqid 3");
	dc_cres_free(&r);
	/* Below the slot's current seqid (3) and not a retry of it. */
	rc = dc_client_on_slot(&cl, 1, 1, false, NULL, NULL, &r);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT_STATUS(r.res.status, NFS4ERR_SEQ_MISORDERED,
		      "SEQUENCE seqid 1 after 3");
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void seq8_false_retry(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres a = { 0 }, b = { 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_client_on_slot(&cl, 1, 1, true, dc_fill_root_getfh, NULL, &a);
	EXPECT_OK(rc, a.res.status, "original request");
	/* Same slot and seqid, different operations. */
	rc = dc_client_on_slot(&cl, 1, 1, true, fill_root_getattr, NULL, &b);
	EXPECT_RPC(rc, "false retry");
	if (b.res.status == NFS4ERR_SEQ_FALSE_RETRY ||
	    dc_cres_status(&b, 0) == NFS4ERR_SEQ_FALSE_RETRY) {
		dc_note(ctx, "server detected the false retry "
			     "(NFS4ERR_SEQ_FALSE_RETRY)");
		CHECKED();
	} else {
		/* Undetected: the server MUST then return the cached reply. */
		EXPECT(same_reply(&a, &b),
		       "false retry got neither SEQ_FALSE_RETRY nor the "
		       "cached reply (status %s, %u results)",
		       dc_nfsstat_name(b.res.status),
		       b.res.resarray.resarray_len);
		dc_note(ctx, "false retry not detected: server replayed the "
			     "cached reply (allowed by 2.10.6.1.3.1)");
	}
out:
	dc_cres_free(&a);
	dc_cres_free(&b);
	dc_client_destroy(&cl);
}

/* OPEN name with DENY_BOTH (and close it if granted). */
static int deny_open(struct dc_client *cl, const char *name, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	char oo[64];
	int rc;

	rc = dc_client_begin(cl, &c, "deny_open", false, &slot);
	if (rc)
		return rc;
	dc_client_put_export(cl, &c);
	snprintf(oo, sizeof(oo), "deny-%llx", (unsigned long long)cl->clientid);
	dc_op_open(&c, 0, cl->clientid, oo, name, false,
		   OPEN4_SHARE_ACCESS_READ | OPEN4_SHARE_ACCESS_WANT_NO_DELEG);
	c.ops[c.nops - 1].nfs_argop4_u.opopen.share_deny =
		OPEN4_SHARE_DENY_BOTH;
	dc_op_getfh(&c);
	rc = dc_client_send(cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (!rc) {
		*st = r.res.status;
		if (*st == NFS4_OK) {
			unsigned n = r.res.resarray.resarray_len;
			stateid4 sid = dc_cres_op(&r, n - 2)
					       ->nfs_resop4_u.opopen
					       .OPEN4res_u.resok4.stateid;
			nfs_fh4 fh;
			nfsstat4 cst;

			dc_fh_copy(&fh, &dc_cres_op(&r, n - 1)
						 ->nfs_resop4_u.opgetfh
						 .GETFH4res_u.resok4.object);
			dc_client_close_file(cl, &fh, &sid, &cst);
			dc_fh_free(&fh);
		}
	}
	dc_cres_free(&r);
	return rc;
}

static void seq9_lease_renewal(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 }, idle = { 0 }, other = { 0 };
	nfsstat4 idle_st = NFS4_OK;
	char idle_name[96];
	stateid4 isid;
	nfs_fh4 ifh = { 0 };
	struct dc_cres r = { 0 };
	stateid4 sid;
	nfs_fh4 fh = { 0 };
	char name[96];
	uint32_t lease = 0;
	nfsstat4 st;
	unsigned i, rounds;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	lease = dc_check_lease(ctx, &cl);
	if (!lease)
		goto out;
	if (lease > 30)
		SKIP("lease_time %u s: too long to wait out here", lease);
	dc_name(ctx, "f", name, sizeof(name));
	rc = dc_client_open_file(&cl, name, true, &sid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN create");
	/* Control: a client that stays silent, to show leases do expire. */
	rc = dc_ctx_mounted(ctx, &idle);
	EXPECT_RPC(rc, "mount idle control client");
	dc_name(ctx, "idle", idle_name, sizeof(idle_name));
	rc = dc_client_open_file(&idle, idle_name, true, &isid, &ifh, &st);
	EXPECT_OK(rc, st, "OPEN create (idle client)");
	/* Renew every lease/3 for two leases; only SEQUENCE is sent. */
	rounds = 6;
	for (i = 0; i < rounds; i++) {
		usleep(lease * 1000000u / 3);
		rc = dc_client_simple(&cl, NULL, NULL, NULL, &st);
		EXPECT_OK(rc, st, "renewing SEQUENCE");
	}
	{
		struct dc_compound c;
		uint32_t slot;

		rc = dc_client_begin(&cl, &c, "test", false, &slot);
		EXPECT(rc == 0, "no free slot");
		dc_op_test_stateid(&c, &sid, 1);
		rc = dc_client_send(&cl, 0, &c, slot, &r);
		dc_compound_free(&c);
	}
	EXPECT_OK(rc, r.res.status, "TEST_STATEID");
	{
		TEST_STATEID4resok *ok =
			&dc_cres_op(&r, 1)->nfs_resop4_u.optest_stateid
				 .TEST_STATEID4res_u.tsr_resok4;

		EXPECT(ok->tsr_status_codes.tsr_status_codes_len == 1,
		       "TEST_STATEID returned %u codes",
		       ok->tsr_status_codes.tsr_status_codes_len);
		EXPECT_STATUS(ok->tsr_status_codes.tsr_status_codes_val[0],
			      NFS4_OK,
			      "open stateid after 2 leases of SEQUENCE only");
	}
	/* A third client's conflicting OPEN must hit the renewed state. */
	rc = dc_ctx_mounted(ctx, &other);
	EXPECT_RPC(rc, "mount third client");
	rc = deny_open(&other, name, &st);
	EXPECT_RPC(rc, "conflicting OPEN");
	EXPECT_STATUS(st, NFS4ERR_SHARE_DENIED,
		      "DENY_BOTH OPEN of the renewed client's open file");
	rc = deny_open(&other, idle_name, &idle_st);
	dc_note(ctx, "lease_time %u s, renewed %u times; the same OPEN "
		     "against a silent client's file got %s", lease, rounds,
		rc ? "no reply" : dc_nfsstat_name(idle_st));
	dc_cres_free(&r);
	rc = dc_client_close_file(&cl, &fh, &sid, &st);
out:
	dc_cres_free(&r);
	dc_fh_free(&fh);
	dc_fh_free(&ifh);
	dc_client_destroy(&other);
	dc_client_destroy(&idle);
	dc_client_destroy(&cl);
}

static void seq10_v40_ops(struct dc_ctx *ctx)
{
	static const struct {
		nfs_opnum4 op;
		const char *name;
	} ops[] = {
		{ NFS4_OP_SETCLIENTID, "SETCLIENTID" },
		{ NFS4_OP_SETCLIENTID_CONFIRM, "SETCLIENTID_CONFIRM" },
		{ NFS4_OP_RENEW, "RENEW" },
		{ NFS4_OP_OPEN_CONFIRM, "OPEN_CONFIRM" },
		{ NFS4_OP_RELEASE_LOCKOWNER, "RELEASE_LOCKOWNER" },
	};
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	verifier4 v = { 0 };
	stateid4 zero = { 0 };
	unsigned i;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct dc_compound c;
		unsigned last;

		dc_compound_init(&c, 1, "v40op");
		dc_op_sequence(&c, cl.sid, i + 1, 1, 1, false);
		switch (ops[i].op) {
		case NFS4_OP_SETCLIENTID:
			dc_op_setclientid(&c, cl.owner, v, 0x40000000,
					  "127.0.0.1.0.0");
			break;
		case NFS4_OP_SETCLIENTID_CONFIRM:
			dc_op_setclientid_confirm(&c, cl.clientid, v);
			break;
		case NFS4_OP_RENEW:
			dc_op_renew(&c, cl.clientid);
			break;
		case NFS4_OP_OPEN_CONFIRM:
			dc_op_putrootfh(&c);
			dc_op_open_confirm(&c, &zero, 1);
			break;
		default:
			dc_op_release_lockowner(&c, cl.clientid, "lo");
			break;
		}
		last = c.nops - 1;
		rc = dc_compound_call(cl.conns[0], &cl.auth, &c, &r,
				      cl.timeout_ms);
		dc_compound_free(&c);
		EXPECT_OK(rc, dc_cres_status(&r, 0), "SEQUENCE");
		EXPECT_STATUS(dc_cres_status(&r, last), NFS4ERR_NOTSUPP,
			      ops[i].name);
		dc_cres_free(&r);
	}
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void not_in_session(struct dc_ctx *ctx, bool results)
{
	struct dc_client cl = { 0 };
	struct dc_compound c;
	struct dc_cres r = { 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	dc_compound_init(&c, 1, "nosession");
	dc_op_putrootfh(&c);
	dc_op_getfh(&c);
	rc = dc_compound_call(cl.conns[0], &cl.auth, &c, &r, cl.timeout_ms);
	dc_compound_free(&c);
	EXPECT_RPC(rc, "COMPOUND");
	EXPECT_STATUS(r.res.status, NFS4ERR_OP_NOT_IN_SESSION,
		      "4.1 PUTROOTFH+GETFH without SEQUENCE");
	if (results) {
		/* 16.2.3: results up to and including the failing op. */
		EXPECT(r.res.resarray.resarray_len == 1,
		       "%u results, expected 1 (PUTROOTFH failing with "
		       "OP_NOT_IN_SESSION)", r.res.resarray.resarray_len);
		EXPECT(dc_cres_op(&r, 0)->resop == NFS4_OP_PUTROOTFH,
		       "result for op %u", dc_cres_op(&r, 0)->resop);
		EXPECT_STATUS(dc_cres_status(&r, 0), NFS4ERR_OP_NOT_IN_SESSION,
			      "PUTROOTFH result");
	}
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void seq11_not_in_session(struct dc_ctx *ctx)
{
	not_in_session(ctx, false);
}

static void seq12_not_in_session_result(struct dc_ctx *ctx)
{
	not_in_session(ctx, true);
}

const struct dc_case dc_cases_sequence[] = {
	{ "SEQ1", "SEQUENCE not first in the compound: NFS4ERR_SEQUENCE_POS",
	  "18.46.3", "sequence all", "CSESS1", seq1_pos },
	{ "SEQ2", "unknown session id: NFS4ERR_BADSESSION", "18.46.3",
	  "sequence all", "CSESS1", seq2_badsession },
	{ "SEQ3", "slot above the highest: NFS4ERR_BADSLOT", "18.46.3",
	  "sequence all", "CSESS1", seq3_badslot },
	{ "SEQ4", "seqid+1 on a slot is accepted and echoed", "2.10.6.1",
	  "sequence all", "CSESS1", seq4_next },
	{ "SEQ5", "retry with cachethis replays a byte-identical reply",
	  "2.10.6.1.3", "sequence replay all", "SEQ4", seq5_cached_replay },
	{ "SEQ6", "retry of an uncached request: NFS4ERR_RETRY_UNCACHED_REP",
	  "2.10.6.1.3", "sequence replay all", "SEQ4", seq6_uncached },
	{ "SEQ7", "seqid+2 or an older seqid: NFS4ERR_SEQ_MISORDERED",
	  "2.10.6.1", "sequence all", "SEQ4", seq7_misordered },
	{ "SEQ8", "false retry: SEQ_FALSE_RETRY or the cached reply",
	  "2.10.6.1.3.1", "sequence replay all", "SEQ5", seq8_false_retry },
	{ "SEQ9", "SEQUENCE alone renews the lease", "8.3",
	  "sequence lease slow all", "CSESS1", seq9_lease_renewal },
	{ "SEQ10", "4.0-only operations in a 4.1 compound: NFS4ERR_NOTSUPP",
	  "17 / 15.1.1.5", "sequence all", "CSESS1", seq10_v40_ops },
	{ "SEQ11", "4.1 compound without SEQUENCE: NFS4ERR_OP_NOT_IN_SESSION",
	  "16.2.3", "sequence all", "CSESS1",
	  seq11_not_in_session },
	{ "SEQ12", "OP_NOT_IN_SESSION is reported as the first op's result",
	  "16.2.3 / 15.2", "sequence all", "SEQ11",
	  seq12_not_in_session_result },
	{ "SEQ13", "byte-exact resend (same xid, slot, seqid): same reply",
	  "2.10.6.1.3", "sequence replay all", "SEQ5", seq13_same_xid },
	{ NULL }
};

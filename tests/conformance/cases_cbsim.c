// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Back channel smoke tests driven by Ganesha's DBus callback simulator
 * (RFC 8881 sections 2.10.3.1, 20.9 CB_SEQUENCE, 18.46.3).
 */
#include <string.h>
#include "case.h"
#include "dbus_cbsim.h"

#define CB_WAIT_MS 10000

static void cbsim1_listed(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	uint64_t ids[256];
	int n, i, rc;
	bool found = false;

	if (!dc_cbsim_bus())
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	n = dc_cbsim_client_ids(ids, 256);
	EXPECT(n >= 0, "get_client_ids failed (%d)", n);
	for (i = 0; i < n; i++)
		found |= ids[i] == cl.clientid;
	EXPECT(found, "our clientid %llx not among %d listed",
	       (unsigned long long)cl.clientid, n);
out:
	dc_client_destroy(&cl);
}

/* Index of the first CB_COMPOUND record, or -1. */
static int first_compound(struct dc_backchannel *cb, struct dc_cb_record *r)
{
	unsigned i;

	for (i = 0; dc_cb_get(cb, i, r); i++)
		if (r->proc == 1)
			return i;
	return -1;
}

/* Fake a recall and wait for the CB_COMPOUND; fills *r. */
static int recall_and_wait(struct dc_client *cl, struct dc_cb_record *r)
{
	struct dc_cb_record tmp;
	unsigned want = dc_cb_count(&cl->cb) + 1, got, tries;
	int rc = dc_cbsim_fake_recall(cl->clientid);

	if (rc)
		return rc;
	/* CB_NULL usually precedes the CB_COMPOUND: wait for up to two. */
	for (tries = 0; tries < 2; tries++) {
		got = dc_cb_wait(&cl->cb, want, CB_WAIT_MS);
		if (got < want)
			break;
		if (first_compound(&cl->cb, &tmp) >= 0) {
			*r = tmp;
			return 0;
		}
		want = got + 1;
	}
	return -ETIMEDOUT;
}

static void cbsim2_arrives(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cb_record r, n0;
	struct dc_compound c;
	struct dc_cres res = { 0 };
	uint32_t slot, flags;
	int rc, idx;

	if (!dc_cbsim_bus())
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = recall_and_wait(&cl, &r);
	EXPECT(rc == 0, "no CB_COMPOUND arrived within %d ms (%d callbacks "
			"seen)", CB_WAIT_MS, dc_cb_count(&cl.cb));
	idx = first_compound(&cl.cb, &r);
	EXPECT(r.prog == DC_CB_PROGRAM, "CB_COMPOUND for program %#x, "
					"CREATE_SESSION gave %#x", r.prog,
	       DC_CB_PROGRAM);
	EXPECT(r.conn == cl.conns[0],
	       "callback arrived on a connection not bound to the back "
	       "channel");
	EXPECT(r.decoded, "CB_COMPOUND args did not decode");
	EXPECT(r.nops >= 1, "empty CB_COMPOUND");
	EXPECT(r.ops[r.nops - 1] == NFS4_OP_CB_RECALL,
	       "last op %u, the simulator sends CB_RECALL", r.ops[r.nops - 1]);
	EXPECT(r.replied, "the client failed to send its reply");
	if (idx > 0) {
		dc_cb_get(&cl.cb, 0, &n0);
		EXPECT(n0.proc == 0, "first callback proc %u", n0.proc);
	}
	/* The server took our reply without faulting the back channel. */
	rc = dc_client_begin(&cl, &c, "after_cb", false, &slot);
	EXPECT(rc == 0, "no free slot");
	rc = dc_client_send(&cl, 0, &c, slot, &res);
	dc_compound_free(&c);
	EXPECT_OK(rc, res.res.status, "SEQUENCE after callback");
	flags = dc_cres_op(&res, 0)->nfs_resop4_u.opsequence.SEQUENCE4res_u
			.sr_resok4.sr_status_flags;
	EXPECT(!(flags & (SEQ4_STATUS_CB_PATH_DOWN |
			  SEQ4_STATUS_BACKCHANNEL_FAULT |
			  SEQ4_STATUS_CB_PATH_DOWN_SESSION)),
	       "back channel reported faulty after our reply (flags %#x)",
	       flags);
	dc_note(ctx, "CB_COMPOUND minorversion %u, %u op(s), %s",
		r.minorversion, r.nops,
		r.has_sequence ? "CB_SEQUENCE first" : "no CB_SEQUENCE");
out:
	dc_cres_free(&res);
	dc_client_destroy(&cl);
}

static void cbsim3_cb_sequence(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cb_record r;
	int rc;

	if (!dc_cbsim_bus())
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = recall_and_wait(&cl, &r);
	EXPECT(rc == 0, "no CB_COMPOUND arrived within %d ms", CB_WAIT_MS);
	/* 20.9.3: a 4.1 CB_COMPOUND starts with CB_SEQUENCE. */
	EXPECT(r.minorversion == 1,
	       "CB_COMPOUND minorversion %u on a 4.1 session back channel",
	       r.minorversion);
	EXPECT(r.has_sequence, "CB_COMPOUND does not start with CB_SEQUENCE "
			       "(%u op(s), first op %u)", r.nops, r.ops[0]);
	EXPECT(r.seq_valid, "CB_SEQUENCE invalid: %s", r.seq_problem);
out:
	dc_client_destroy(&cl);
}

static void cbsim4_bound_conn(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cb_record r;
	nfsstat4 st;
	int rc, ci;

	if (!dc_cbsim_bus())
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	ci = dc_client_add_conn(&cl);
	EXPECT(ci == 1, "second connection: %d", ci);
	dc_cb_attach(&cl.cb, cl.conns[1]);
	rc = dc_client_bind_conn(&cl, 1, CDFC4_BACK, &st, NULL);
	EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION back");
	rc = recall_and_wait(&cl, &r);
	EXPECT(rc == 0, "no CB_COMPOUND arrived within %d ms", CB_WAIT_MS);
	EXPECT(r.conn == cl.conns[0] || r.conn == cl.conns[1],
	       "callback on an unknown connection");
	dc_note(ctx, "callback arrived on connection %d",
		r.conn == cl.conns[1] ? 1 : 0);
out:
	dc_client_destroy(&cl);
}

const struct dc_case dc_cases_cbsim[] = {
	{ "CBSIM1", "callback simulator lists our confirmed clientid", "-",
	  "cbsim dbus all", "CSESS1", cbsim1_listed },
	{ "CBSIM2", "simulated recall arrives on the back channel; reply taken",
	  "2.10.3.1 / 20.2", "cbsim dbus backchannel all", "CBSIM1",
	  cbsim2_arrives },
	{ "CBSIM3", "simulated CB_COMPOUND carries a valid CB_SEQUENCE",
	  "20.9.3", "cbsim dbus backchannel all", "CBSIM2",
	  cbsim3_cb_sequence },
	{ "CBSIM4", "callback uses a connection bound to the back channel",
	  "18.34.3", "cbsim dbus backchannel all", "CBSIM2 BIND2",
	  cbsim4_bound_conn },
	{ NULL }
};

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * BIND_CONN_TO_SESSION cases (RFC 8881 sections 2.10.3.1, 18.34) and the
 * back channel's fate when its connection goes away (18.46.3).
 */
#include <string.h>
#include <unistd.h>
#include "case.h"

/* Waits for the server to notice a closed connection: 20 x 250 ms. */
#define NOTICE_TRIES 20
#define NOTICE_SLEEP_US 250000

/* SEQUENCE + PUTROOTFH + GETFH on conns[ci]; returns sr_status_flags. */
static int seq_on(struct dc_client *cl, unsigned ci, nfsstat4 *st,
		  uint32_t *flags)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc;

	rc = dc_client_begin(cl, &c, "seq_on", false, &slot);
	if (rc)
		return rc;
	dc_op_putrootfh(&c);
	dc_op_getfh(&c);
	rc = dc_client_send(cl, ci, &c, slot, &r);
	dc_compound_free(&c);
	if (!rc) {
		*st = r.res.status;
		*flags = 0;
		if (dc_cres_status(&r, 0) == NFS4_OK)
			*flags = dc_cres_op(&r, 0)
					 ->nfs_resop4_u.opsequence
					 .SEQUENCE4res_u.sr_resok4
					 .sr_status_flags;
	}
	dc_cres_free(&r);
	return rc;
}

static int mounted_with_second(struct dc_ctx *ctx, struct dc_client *cl)
{
	int rc = dc_ctx_mounted(ctx, cl);

	if (rc)
		return rc;
	rc = dc_client_add_conn(cl);
	return rc < 0 ? rc : 0;
}

static void bind_dir(struct dc_ctx *ctx, channel_dir_from_client4 dir,
		     channel_dir_from_server4 want)
{
	struct dc_client cl = { 0 };
	channel_dir_from_server4 got = 0;
	uint32_t flags;
	nfsstat4 st;
	int rc;

	rc = mounted_with_second(ctx, &cl);
	EXPECT_RPC(rc, "mount + second connection");
	/* The back channel may use the new connection: serve it. */
	dc_cb_attach(&cl.cb, cl.conns[1]);
	rc = dc_client_bind_conn(&cl, 1, dir, &st, &got);
	EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION");
	EXPECT(got == want, "bctsr_dir %u, expected %u", got, want);
	rc = seq_on(&cl, 0, &st, &flags);
	EXPECT_OK(rc, st, "COMPOUND on connection 0");
	EXPECT(!(flags & SEQ4_STATUS_CB_PATH_DOWN),
	       "CB_PATH_DOWN with a back channel bound (flags %#x)", flags);
	if (want & CDFS4_FORE) {
		rc = seq_on(&cl, 1, &st, &flags);
		EXPECT_OK(rc, st, "COMPOUND on connection 1");
	}
out:
	dc_client_destroy(&cl);
}

static void bind1_fore(struct dc_ctx *ctx)
{
	bind_dir(ctx, CDFC4_FORE, CDFS4_FORE);
}

static void bind2_back(struct dc_ctx *ctx)
{
	bind_dir(ctx, CDFC4_BACK, CDFS4_BACK);
}

static void bind3_both(struct dc_ctx *ctx)
{
	bind_dir(ctx, CDFC4_BACK_OR_BOTH, CDFS4_BOTH);
}

/*
 * cl, with connection 1 bound to the fore channel only, closes
 * connection 0, the only one bound to the back channel: SEQUENCE on
 * connection 1 goes on working and soon reports CB_PATH_DOWN.
 */
static bool path_down(struct dc_ctx *ctx, struct dc_client *cl)
{
	uint32_t flags = 0;
	nfsstat4 st;
	unsigned i;
	int rc;

	rc = mounted_with_second(ctx, cl);
	EXPECT_RPC(rc, "mount + second connection");
	rc = dc_client_bind_conn(cl, 1, CDFC4_FORE, &st, NULL);
	EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION fore");
	rc = seq_on(cl, 1, &st, &flags);
	EXPECT_RPC(rc, "SEQUENCE on connection 1");
	EXPECT(!(flags & SEQ4_STATUS_CB_PATH_DOWN),
	       "CB_PATH_DOWN before the back channel closed");
	dc_conn_shutdown(cl->conns[0]);
	for (i = 0; i < NOTICE_TRIES; i++) {
		rc = seq_on(cl, 1, &st, &flags);
		EXPECT_OK(rc, st, "SEQUENCE on connection 1");
		if (flags & SEQ4_STATUS_CB_PATH_DOWN)
			break;
		usleep(NOTICE_SLEEP_US);
	}
	EXPECT(flags & SEQ4_STATUS_CB_PATH_DOWN,
	       "no SEQ4_STATUS_CB_PATH_DOWN after the only back channel "
	       "connection closed (flags %#x)", flags);
	return true;
out:
	return false;
}

static void bind4_path_down(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };

	path_down(ctx, &cl);
	dc_client_destroy(&cl);
}

static void bind5_moves(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	channel_dir_from_server4 got = 0;
	uint32_t flags = 0;
	nfsstat4 st;
	unsigned i;
	int rc;

	rc = mounted_with_second(ctx, &cl);
	EXPECT_RPC(rc, "mount + second connection");
	dc_cb_attach(&cl.cb, cl.conns[1]);
	/* Both connections are now bound to the back channel. */
	rc = dc_client_bind_conn(&cl, 1, CDFC4_BACK_OR_BOTH, &st, &got);
	EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION back_or_both");
	EXPECT(got == CDFS4_BOTH, "bctsr_dir %u", got);
	dc_conn_shutdown(cl.conns[1]);
	/*
	 * Connection 0 is still bound to the back channel (CREATE_SESSION
	 * with CONN_BACK_CHAN), so a path remains: the flag must stay
	 * clear while the server notices the close.
	 */
	for (i = 0; i < NOTICE_TRIES / 2; i++) {
		rc = seq_on(&cl, 0, &st, &flags);
		EXPECT_OK(rc, st, "SEQUENCE on connection 0");
		EXPECT(!(flags & SEQ4_STATUS_CB_PATH_DOWN),
		       "CB_PATH_DOWN reported although connection 0 is still "
		       "bound to the back channel (after %u polls): the back "
		       "channel did not move", i);
		usleep(NOTICE_SLEEP_US);
	}
out:
	dc_client_destroy(&cl);
}

static void bind6_rebind(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	uint32_t flags = 0;
	nfsstat4 st;
	int rc;

	if (!path_down(ctx, &cl))
		goto out;
	/* Give the session a back channel again on connection 1. */
	dc_cb_attach(&cl.cb, cl.conns[1]);
	rc = dc_client_bind_conn(&cl, 1, CDFC4_BACK_OR_BOTH, &st, NULL);
	EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION back_or_both");
	rc = seq_on(&cl, 1, &st, &flags);
	EXPECT_OK(rc, st, "SEQUENCE after re-bind");
	EXPECT(!(flags & SEQ4_STATUS_CB_PATH_DOWN),
	       "CB_PATH_DOWN still set after binding a back channel "
	       "connection (flags %#x)", flags);
out:
	dc_client_destroy(&cl);
}

const struct dc_case dc_cases_bind_conn[] = {
	{ "BIND1", "second connection bound fore; both carry requests",
	  "18.34.3", "bind_conn all", "CSESS1", bind1_fore },
	{ "BIND2", "second connection bound back", "18.34.3",
	  "bind_conn all", "CSESS1", bind2_back },
	{ "BIND3", "second connection bound both; both carry requests",
	  "18.34.3", "bind_conn all", "CSESS1", bind3_both },
	{ "BIND4", "CB_PATH_DOWN once no back channel connection remains",
	  "18.46.3", "bind_conn backchannel all", "BIND1", bind4_path_down },
	{ "BIND5", "back channel moves to a surviving back-bound connection",
	  "2.10.3.1 / 18.46.3", "bind_conn backchannel all", "BIND3",
	  bind5_moves },
	{ "BIND6", "binding a new back channel connection clears CB_PATH_DOWN",
	  "18.34.3 / 18.46.3", "bind_conn backchannel all", "BIND4",
	  bind6_rebind },
	{ NULL }
};

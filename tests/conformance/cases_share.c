// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Share reservations (RFC 8881 9.7, 18.16.3) and OPENs that meet the
 * opener's own delegation (10.2, 10.4).
 *
 * 9.7: a share_deny conflicts only with another open's share_access of
 * the same kind and vice versa (deny READ of one against access READ of
 * the other, deny WRITE against access WRITE); two write-only opens that
 * both deny reading do not conflict.  The state of a client whose lease
 * has run out must not deny others for ever: a server either drops it
 * (8.3) or, as a "courteous" server (Ganesha's Expired_Client_Threshold,
 * Linux knfsd), keeps it until someone conflicts with it and then
 * expires the client.
 *
 * 10.4: a client's own delegation is no conflict for its own OPEN.  The
 * server may recall it or keep it, but must not answer NFS4ERR_DELAY and
 * make the client wait on itself (Linux: nfsd_breaker_owns_lease()).
 * Others' delegations are still recalled.
 */
#include <stdio.h>
#include <string.h>
#include "case.h"
#include "server_restart.h"

#define R_NODELEG (OPEN4_SHARE_ACCESS_READ | OPEN4_SHARE_ACCESS_WANT_NO_DELEG)
#define W_NODELEG (OPEN4_SHARE_ACCESS_WRITE | OPEN4_SHARE_ACCESS_WANT_NO_DELEG)
#define RW_NODELEG (OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG)
#define R_RDELEG (OPEN4_SHARE_ACCESS_READ | OPEN4_SHARE_ACCESS_WANT_READ_DELEG)

/* Bounds of the waits below. */
#define POLL_MS 1000
#define RECALL_WAIT_MS 15000
#define DELAY_TRIES 60
#define DELAY_PAUSE_MS 250

/* Cleanup: give back a delegation, close the open, free the handle. */
static void let_go(struct dc_client *cl, struct dc_open *o)
{
	nfsstat4 st;

	if (o->fh.nfs_fh4_len == 0 || !cl->inited)
		goto out;
	if (o->dtype == OPEN_DELEGATE_READ || o->dtype == OPEN_DELEGATE_WRITE)
		dc_fs_delegreturn(cl, &o->fh, &o->dsid, &st);
	dc_client_close_file(cl, &o->fh, &o->sid, &st);
out:
	dc_fh_free(&o->fh);
	memset(o, 0, sizeof(*o));
}

/* Open name as cl with access and deny and close it again: the status. */
static int try_open(struct dc_client *cl, const char *name, uint32_t access,
		    uint32_t deny, nfsstat4 *st)
{
	struct dc_open o;
	int rc;

	rc = dc_fs_open_share(cl, NULL, name, NULL, false, access, deny, &o,
			      st);
	if (!rc && *st == NFS4_OK)
		let_go(cl, &o);
	dc_fh_free(&o.fh);
	return rc;
}

/*
 * A, B and C mounted; A has created name and B opened it, both with
 * ACCESS_WRITE DENY_READ (9.7: neither reads, so neither deny
 * conflicts).  False with the case failed.
 */
static bool two_writers_deny_read(struct dc_ctx *ctx, struct dc_client *a,
				  struct dc_client *b, struct dc_client *c,
				  const char *name, struct dc_open *oa,
				  struct dc_open *ob)
{
	nfsstat4 st;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, a, b))
		goto out;
	EXPECT_RPC(dc_ctx_mounted(ctx, c), "mount C");
	rc = dc_fs_open_share(a, NULL, name, NULL, true, W_NODELEG,
			      OPEN4_SHARE_DENY_READ, oa, &st);
	EXPECT_OP(rc, st, NFS4_OK, "A: OPEN create ACCESS_WRITE DENY_READ");
	rc = dc_fs_open_share(b, NULL, name, NULL, false, W_NODELEG,
			      OPEN4_SHARE_DENY_READ, ob, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "B: OPEN ACCESS_WRITE DENY_READ while A has ACCESS_WRITE "
		  "DENY_READ (neither reads, so neither deny conflicts)");
	return true;
out:
	return false;
}

/*
 * 9.7: A and B both open for write only and deny read; neither reads,
 * so the second OPEN is granted.  What does conflict still does: C's
 * read against their deny read, C's deny write against their write.
 */
static void share1_deny_unaccessed(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 }, c = { 0 };
	struct dc_open oa = { 0 }, ob = { 0 };
	char name[96];
	nfsstat4 st;
	int rc;

	dc_name(ctx, "f", name, sizeof(name));
	if (!two_writers_deny_read(ctx, &a, &b, &c, name, &oa, &ob))
		goto out;
	rc = try_open(&c, name, R_NODELEG, OPEN4_SHARE_DENY_NONE, &st);
	EXPECT_OP(rc, st, NFS4ERR_SHARE_DENIED,
		  "C: OPEN ACCESS_READ against A's and B's DENY_READ");
	rc = try_open(&c, name, W_NODELEG, OPEN4_SHARE_DENY_WRITE, &st);
	EXPECT_OP(rc, st, NFS4ERR_SHARE_DENIED,
		  "C: OPEN DENY_WRITE against A's and B's ACCESS_WRITE");
	rc = try_open(&c, name, W_NODELEG, OPEN4_SHARE_DENY_NONE, &st);
	EXPECT_OP(rc, st, NFS4_OK, "C: OPEN ACCESS_WRITE DENY_NONE");
	let_go(&b, &ob);
	let_go(&a, &oa);
	/* Both gone: reading is allowed again. */
	rc = try_open(&c, name, R_NODELEG, OPEN4_SHARE_DENY_NONE, &st);
	EXPECT_OP(rc, st, NFS4_OK, "C: OPEN ACCESS_READ after A and B closed");
	rc = dc_fs_remove(&c, NULL, name, &st);
	EXPECT_OP(rc, st, NFS4_OK, "REMOVE");
out:
	let_go(&b, &ob);
	let_go(&a, &oa);
	if (ctx->result != DC_PASS && c.inited)
		dc_fs_remove(&c, NULL, name, &st);
	dc_client_destroy(&c);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

/*
 * 8.3, 9.7: A and B hold ACCESS_WRITE DENY_READ opens and then fall
 * silent.  While their leases run, C's read OPEN is SHARE_DENIED; once
 * they have run out, C's OPEN must be granted (retried once a second
 * for up to three leases): an expired client's share reservation,
 * courteously kept, gives way to the first conflicting OPEN.
 */
static void share2_expired_deny(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 }, c = { 0 };
	struct dc_open oa = { 0 }, ob = { 0 };
	uint32_t lease = 10;
	unsigned tries = 0, max_tries;
	double t0, waited;
	char name[96];
	nfsstat4 st, sta = NFS4_OK;
	int rc;

	dc_name(ctx, "f", name, sizeof(name));
	if (!two_writers_deny_read(ctx, &a, &b, &c, name, &oa, &ob))
		goto out;
	rc = dc_fs_lease_time(&c, &lease, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR lease_time");
	/* From here on A and B send nothing. */
	t0 = dc_now_s();
	rc = try_open(&c, name, R_NODELEG, OPEN4_SHARE_DENY_NONE, &st);
	EXPECT_OP(rc, st, NFS4ERR_SHARE_DENIED,
		  "C: OPEN ACCESS_READ while A's and B's leases run");
	max_tries = 3 * lease + 5;
	do {
		dc_sleep_ms(POLL_MS);
		tries++;
		rc = try_open(&c, name, R_NODELEG, OPEN4_SHARE_DENY_NONE,
			      &st);
	} while (!rc && st == NFS4ERR_SHARE_DENIED && tries < max_tries);
	waited = dc_now_s() - t0;
	EXPECT_RPC(rc, "C: OPEN ACCESS_READ");
	EXPECT(st == NFS4_OK,
	       "C: OPEN ACCESS_READ %.0f s after A and B fell silent (lease "
	       "%u s): got %s, expected NFS4_OK; an expired client's "
	       "DENY_READ must not deny others for ever",
	       waited, lease, dc_nfsstat_name(st));
	EXPECT(waited >= lease - 1,
	       "C's OPEN granted after %.0f s, before the lease (%u s) of "
	       "A and B ran out",
	       waited, lease);
	/* A comes back: its lease and its state are gone. */
	dc_client_simple(&a, NULL, NULL, NULL, &sta);
	dc_note(ctx, "lease %u s; C's read OPEN granted %.0f s after A and B "
		     "fell silent (%u tries); A's next SEQUENCE: %s",
		lease, waited, tries, dc_nfsstat_name(sta));
	/* A's and B's opens are gone with them. */
	dc_fh_free(&oa.fh);
	dc_fh_free(&ob.fh);
	rc = dc_fs_remove(&c, NULL, name, &st);
	EXPECT_OP(rc, st, NFS4_OK, "REMOVE");
out:
	dc_fh_free(&oa.fh);
	dc_fh_free(&ob.fh);
	if (ctx->result != DC_PASS && c.inited)
		dc_fs_remove(&c, NULL, name, &st);
	dc_client_destroy(&c);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

/*
 * 8.3: a courteous server keeps an expired client's state while nobody
 * conflicts with it.  A holds an ACCESS_WRITE DENY_READ open and falls
 * silent for one and a half leases; nobody else touches the file.  When
 * A comes back its session, lease and open are still there: its WRITE
 * with the open stateid works, and its DENY_READ holds again.  (A
 * server that drops expired clients at once fails here; Ganesha keeps
 * up to Expired_Client_Threshold of them: docs/share.md.)
 */
static void share5_courteous(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, c = { 0 };
	struct dc_open oa = { 0 };
	uint32_t lease = 10;
	char name[96];
	nfsstat4 st;
	int rc;

	EXPECT_RPC(dc_ctx_mounted(ctx, &a), "mount A");
	rc = dc_fs_lease_time(&a, &lease, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR lease_time");
	dc_name(ctx, "f", name, sizeof(name));
	rc = dc_fs_open_share(&a, NULL, name, NULL, true, W_NODELEG,
			      OPEN4_SHARE_DENY_READ, &oa, &st);
	EXPECT_OP(rc, st, NFS4_OK, "A: OPEN create ACCESS_WRITE DENY_READ");
	dc_sleep_ms(lease * 1500 + 2000);
	rc = dc_client_simple(&a, NULL, NULL, NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "A: SEQUENCE %u s after its last request (lease %u s), "
		  "nobody having conflicted with its state",
		  lease * 3 / 2 + 2, lease);
	rc = dc_fs_write(&a, &oa.fh, &oa.sid, 0, "back", 4, &st);
	EXPECT_OP(rc, st, NFS4_OK, "A: WRITE with its open stateid after "
				   "its lease ran out unchallenged");
	EXPECT_RPC(dc_ctx_mounted(ctx, &c), "mount C");
	rc = try_open(&c, name, R_NODELEG, OPEN4_SHARE_DENY_NONE, &st);
	EXPECT_OP(rc, st, NFS4ERR_SHARE_DENIED,
		  "C: OPEN ACCESS_READ against A's DENY_READ, A being back");
	let_go(&a, &oa);
	rc = dc_fs_remove(&a, NULL, name, &st);
	EXPECT_OP(rc, st, NFS4_OK, "REMOVE");
out:
	let_go(&a, &oa);
	if (ctx->result != DC_PASS && a.inited)
		dc_fs_remove(&a, NULL, name, &st);
	dc_client_destroy(&c);
	dc_client_destroy(&a);
}

/*
 * A new file name (content written, closed) that cl then opens for read
 * wanting a read delegation, which it must get.  False with the case
 * failed.
 */
static bool read_delegated(struct dc_ctx *ctx, struct dc_client *cl,
			   const char *name, bool create, struct dc_open *o)
{
	struct dc_open w = { 0 };
	nfsstat4 st;
	int rc;

	if (create) {
		rc = dc_fs_open_share(cl, NULL, name, NULL, true, RW_NODELEG,
				      OPEN4_SHARE_DENY_NONE, &w, &st);
		EXPECT_OP(rc, st, NFS4_OK, "OPEN create");
		rc = dc_fs_write(cl, &w.fh, &w.sid, 0, "data", 4, &st);
		EXPECT_OP(rc, st, NFS4_OK, "WRITE");
		let_go(cl, &w);
	}
	rc = dc_fs_open_share(cl, NULL, name, "oo-reader", false, R_RDELEG,
			      OPEN4_SHARE_DENY_NONE, o, &st);
	EXPECT_OP(rc, st, NFS4_OK, "OPEN ACCESS_READ WANT_READ_DELEG");
	EXPECT(o->dtype == OPEN_DELEGATE_READ,
	       "read OPEN got delegation type %d (ond_why %u), expected "
	       "OPEN_DELEGATE_READ; does the FSAL grant leases?",
	       o->dtype, o->why);
	return true;
out:
	let_go(cl, &w);
	return false;
}

/*
 * 10.4: A holds a read delegation and opens the same file for write,
 * as an upgrade of the delegated open and with another open owner.
 * Both OPENs are granted at once: A's own delegation is no conflict.
 * The server may recall it (A answers and returns it) or keep it.
 */
static void share3_own_read_deleg(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 };
	struct dc_open od = { 0 }, ou = { 0 }, ow = { 0 };
	unsigned recalls;
	char name[96];
	nfsstat4 st, rst = NFS4_OK;
	int rc;

	EXPECT_RPC(dc_ctx_mounted(ctx, &a), "mount A");
	dc_name(ctx, "f", name, sizeof(name));
	if (!read_delegated(ctx, &a, name, true, &od))
		goto out;
	rc = dc_fs_open_share(&a, NULL, name, "oo-reader", false, W_NODELEG,
			      OPEN4_SHARE_DENY_NONE, &ou, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "A: OPEN ACCESS_WRITE (upgrade of the open that got A's "
		  "read delegation)");
	rc = dc_fs_open_share(&a, NULL, name, "oo-writer", false, W_NODELEG,
			      OPEN4_SHARE_DENY_NONE, &ow, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "A: OPEN ACCESS_WRITE by another open owner of A, which "
		  "holds a read delegation on the file");
	rc = dc_fs_write(&a, &ow.fh, &ow.sid, 0, "DATA", 4, &st);
	EXPECT_OP(rc, st, NFS4_OK, "A: WRITE with the write open's stateid");
	/* A recall, if the server sends one, comes at once. */
	recalls = dc_cb_wait_recalls(&a.cb, &od.fh, 1, 1000);
	if (recalls) {
		rc = dc_fs_delegreturn(&a, &od.fh, &od.dsid, &rst);
		EXPECT_RPC(rc, "DELEGRETURN");
		EXPECT(rst == NFS4_OK || rst == NFS4ERR_BAD_STATEID,
		       "DELEGRETURN after the recall: %s",
		       dc_nfsstat_name(rst));
		od.dtype = OPEN_DELEGATE_NONE;
	}
	dc_note(ctx, "A's read delegation %s",
		recalls ? "recalled (and returned)" : "kept");
	let_go(&a, &ow);
	od.sid = ou.sid;	/* the same open, upgraded: newer seqid */
	dc_fh_free(&ou.fh);
	let_go(&a, &od);
	rc = dc_fs_remove(&a, NULL, name, &st);
	EXPECT_OP(rc, st, NFS4_OK, "REMOVE");
out:
	let_go(&a, &ow);
	dc_fh_free(&ou.fh);
	let_go(&a, &od);
	if (ctx->result != DC_PASS && a.inited)
		dc_fs_remove(&a, NULL, name, &st);
	dc_client_destroy(&a);
}

/*
 * 10.4.4: A and B hold read delegations on one file.  A's OPEN for write
 * still conflicts with B's delegation: NFS4ERR_DELAY and a CB_RECALL to
 * B; once B returned it, A's retried OPEN is granted.
 */
static void share4_other_read_deleg(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct dc_open oa = { 0 }, ob = { 0 }, ow = { 0 };
	unsigned tries;
	char name[96];
	nfsstat4 st;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	dc_name(ctx, "f", name, sizeof(name));
	if (!read_delegated(ctx, &a, name, true, &oa) ||
	    !read_delegated(ctx, &b, name, false, &ob))
		goto out;
	rc = dc_fs_open_share(&a, NULL, name, "oo-writer", false, W_NODELEG,
			      OPEN4_SHARE_DENY_NONE, &ow, &st);
	EXPECT_OP(rc, st, NFS4ERR_DELAY,
		  "A: OPEN ACCESS_WRITE while B holds a read delegation");
	EXPECT(dc_cb_wait_recalls(&b.cb, &ob.fh, 1, RECALL_WAIT_MS) > 0,
	       "no CB_RECALL of B's read delegation within %d ms",
	       RECALL_WAIT_MS);
	rc = dc_fs_delegreturn(&b, &ob.fh, &ob.dsid, &st);
	EXPECT_OP(rc, st, NFS4_OK, "B: DELEGRETURN after the recall");
	ob.dtype = OPEN_DELEGATE_NONE;
	for (tries = 1;; tries++) {
		dc_fh_free(&ow.fh);
		rc = dc_fs_open_share(&a, NULL, name, "oo-writer", false,
				      W_NODELEG, OPEN4_SHARE_DENY_NONE, &ow,
				      &st);
		if (rc || st != NFS4ERR_DELAY || tries >= DELAY_TRIES)
			break;
		dc_sleep_ms(DELAY_PAUSE_MS);
	}
	EXPECT_OP(rc, st, NFS4_OK,
		  "A: OPEN ACCESS_WRITE after B returned its delegation "
		  "(%u tries)", tries);
	if (dc_cb_recalls(&a.cb, &oa.fh)) {
		dc_fs_delegreturn(&a, &oa.fh, &oa.dsid, &st);
		oa.dtype = OPEN_DELEGATE_NONE;
	}
	let_go(&a, &ow);
	let_go(&b, &ob);
	let_go(&a, &oa);
	rc = dc_fs_remove(&a, NULL, name, &st);
	EXPECT_OP(rc, st, NFS4_OK, "REMOVE");
out:
	let_go(&a, &ow);
	let_go(&b, &ob);
	let_go(&a, &oa);
	if (ctx->result != DC_PASS && a.inited)
		dc_fs_remove(&a, NULL, name, &st);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

const struct dc_case dc_cases_share[] = {
	{ "SHARE1", "WRITE+DENY_READ twice: no conflict; real ones still are",
	  "9.7", "share all", "OPS1", share1_deny_unaccessed },
	{ "SHARE2", "an expired client's DENY_READ gives way to a reader",
	  "8.3", "share slow all", "SHARE1", share2_expired_deny },
	{ "SHARE5", "an expired client nobody conflicts with keeps its state",
	  "8.3", "share slow all", "SHARE1", share5_courteous },
	{ "SHARE3", "OPEN for write over its own read delegation: no DELAY",
	  "10.4", "share deleg filedeleg all", "DELEG5",
	  share3_own_read_deleg },
	{ "SHARE4", "OPEN for write over another's read delegation: recall",
	  "10.4.4", "share deleg filedeleg callback all", "DELEG6",
	  share4_other_read_deleg },
	{ NULL }
};

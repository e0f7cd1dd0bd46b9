// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Directory delegations: grant, recall and revocation (RFC 8881 10.9,
 * 18.39 GET_DIR_DELEGATION, 20.2 CB_RECALL of a directory delegation,
 * 18.49 DELEGRETURN, 8.3 revocation, 18.48 TEST_STATEID / 18.38
 * FREE_STATEID).  Their notifications: cases_dirdeleg_notify.c.
 *
 * Needs NFSv4 { Dir_Delegations = true; } and an EXPORT with
 * Delegations (server.conf.in).  Every case works in its own new
 * directory so that no other case's changes reach its delegations.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "dirdeleg_steps.h"

/* ---- cases --------------------------------------------------------- */

/* Grant, the granted types are a subset of what was asked. */
static void dirdeleg1_grant(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct gdd_res g, g2;
	nfsstat4 st;
	int rc;

	rc = dd_begin(ctx, &s, false);
	EXPECT_RPC(rc, "mount and mkdir");
	/* Recall-only, as the Linux client asks */
	rc = dd_gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	EXPECT(g.notify == 0,
	       "no notification type asked, granted 0x%x", g.notify);
	EXPECT(g.sid.seqid != 0, "delegation stateid seqid 0");
	rc = dd_delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN of the directory delegation");
	rc = dd_delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN again");
	EXPECT(st == NFS4ERR_BAD_STATEID || st == NFS4ERR_OLD_STATEID,
	       "second DELEGRETURN: %s, expected NFS4ERR_BAD_STATEID",
	       dc_nfsstat_name(st));
	/* Every type, and bits nobody defined: still a grant, of a subset */
	rc = dd_gdd(&s.a, &s.dir, 0x3f | (1u << 20) | (1u << 31), &g2);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION with unknown bits");
	EXPECT_GRANTED(g2);
	EXPECT((g2.notify & ~0x3fu) == 0,
	       "granted notification types 0x%x include undefined bits",
	       g2.notify);
	dc_note(ctx, "granted notification types 0x%x for 0x3f", g2.notify);
	rc = dd_delegreturn(&s.a, &s.dir, &g2.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
out:
	dd_end(&s);
}

/* A second request by the same client: GDD4_UNAVAIL; another client: OK */
static void dirdeleg2_unavail(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct gdd_res g, g2, g3;
	nfsstat4 st;
	int rc;

	rc = dd_begin(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	rc = dd_gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	rc = dd_gdd(&s.a, &s.dir, 0, &g2);
	EXPECT_OK(rc, g2.status,
		  "second GET_DIR_DELEGATION (non-fatal UNAVAIL expected)");
	EXPECT(g2.nf == GDD4_UNAVAIL,
	       "second GET_DIR_DELEGATION by the same client granted");
	rc = dd_gdd(&s.b, &s.dir, 0, &g3);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION by B");
	EXPECT_GRANTED(g3);
	EXPECT(memcmp(g3.sid.other, g.sid.other, 12),
	       "two clients got the same delegation stateid");
	rc = dd_delegreturn(&s.b, &s.dir, &g3.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN by B");
	rc = dd_delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN by A");
out:
	dd_end(&s);
}

/* Not a directory: NFS4ERR_NOTDIR */
static void dirdeleg3_notdir(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct gdd_res g;
	stateid4 osid;
	nfs_fh4 ffh = { 0 };
	char fname[96];
	nfsstat4 st;
	int rc;

	rc = dd_begin(ctx, &s, false);
	EXPECT_RPC(rc, "mount and mkdir");
	dc_name(ctx, "f", fname, sizeof(fname));
	rc = dc_client_open_file(&s.a, fname, true, &osid, &ffh, &st);
	EXPECT_OK(rc, st, "OPEN create");
	rc = dc_client_close_file(&s.a, &ffh, &osid, &st);
	EXPECT_RPC(rc, "CLOSE");
	rc = dd_gdd(&s.a, &ffh, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION on a file");
	EXPECT_STATUS(g.status, NFS4ERR_NOTDIR,
		      "GET_DIR_DELEGATION on a regular file");
	rc = dd_remove_in(&s.a, NULL, fname, &st);
	EXPECT_RPC(rc, "REMOVE");
out:
	dc_fh_free(&ffh);
	dd_end(&s);
}

/*
 * Another client's change recalls the delegation (recall-only holder):
 * CB_RECALL carries the delegation stateid and the directory's fh.
 */
enum dd_change { CH_MKDIR, CH_REMOVE, CH_RENAME, CH_CHMOD_DIR, CH_V40 };

/* B's change of A's delegated directory (what), once. */
static int change_by_b(struct dc_ctx *ctx, struct dd_setup *s,
		       enum dd_change what, const char *n1, const char *n2,
		       nfsstat4 *st)
{
	switch (what) {
	case CH_MKDIR:
		return dd_mkdir_in(&s->b, &s->dir, n2, NULL, st);
	case CH_REMOVE:
		return dd_remove_in(&s->b, &s->dir, n1, st);
	case CH_RENAME:
		return dd_rename_in(&s->b, &s->dir, n1, NULL, n2, st);
	case CH_CHMOD_DIR:
		return dd_chmod_fh(&s->b, &s->dir, 0750, st);
	case CH_V40:
		return dd_v40_mkdir(ctx, &s->dir, n2, st);
	}
	return -EINVAL;
}

/*
 * 10.9.2: a change by B that A's delegation was not granted notifications
 * of conflicts with it: the server recalls the delegation and B's change
 * waits (NFS4ERR_DELAY) until A returns it, then goes through.
 */
static void recall_on(struct dc_ctx *ctx, enum dd_change what)
{
	struct dd_setup s = { 0 };
	struct dc_cb_record rec;
	struct gdd_res g;
	char n1[96], n2[96];
	nfsstat4 st = NFS4_OK;
	int rc;

	rc = dd_begin(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	dc_name(ctx, "e1", n1, sizeof(n1));
	dc_name(ctx, "e2", n2, sizeof(n2));
	if (what == CH_REMOVE || what == CH_RENAME) {
		rc = dd_mkdir_in(&s.a, &s.dir, n1, NULL, &st);
		EXPECT_OK(rc, st, "mkdir entry");
	}
	rc = dd_gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	rc = change_by_b(ctx, &s, what, n1, n2, &st);
	EXPECT_RPC(rc, "change by B");
	EXPECT_STATUS(st, NFS4ERR_DELAY,
		      "B's change while A holds the directory delegation "
		      "(it must wait for the recall)");
	EXPECT(dd_wait_recall_of(&s.a, &g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL of A's directory delegation within %d ms",
	       CB_WAIT_MS);
	EXPECT(dd_rec_is(&rec, &g.sid, &s.dir),
	       "CB_RECALL does not carry the directory's filehandle");
	EXPECT(rec.seq_valid, "CB_SEQUENCE of the CB_RECALL: %s",
	       rec.seq_problem);
	/* Still waiting while the delegation is out */
	rc = change_by_b(ctx, &s, what, n1, n2, &st);
	EXPECT_RPC(rc, "change by B, again");
	EXPECT_STATUS(st, NFS4ERR_DELAY,
		      "B's change while the recall is not answered yet");
	rc = dd_delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN after the recall");
	rc = change_by_b(ctx, &s, what, n1, n2, &st);
	EXPECT_OK(rc, st, "B's change right after the DELEGRETURN");
out:
	dd_end(&s);
}

static void dirdeleg4_recall_mkdir(struct dc_ctx *ctx)
{
	recall_on(ctx, CH_MKDIR);
}

static void dirdeleg5_recall_remove(struct dc_ctx *ctx)
{
	recall_on(ctx, CH_REMOVE);
}

static void dirdeleg6_recall_rename(struct dc_ctx *ctx)
{
	recall_on(ctx, CH_RENAME);
}

static void dirdeleg7_recall_setattr(struct dc_ctx *ctx)
{
	recall_on(ctx, CH_CHMOD_DIR);
}

static void dirdeleg8_recall_v40(struct dc_ctx *ctx)
{
	recall_on(ctx, CH_V40);
}

/*
 * The holder's own changes recall nothing; a later change by B does,
 * and it is the only recall.  DELEGRETURN stops recalls: B's change of
 * a returned delegation's directory recalls nothing.
 */
static void dirdeleg9_own_change(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct dc_cb_record rec;
	struct gdd_res g, g2;
	nfs_fh4 dir2 = { 0 };
	char n1[96], n2[96], d2[96];
	nfsstat4 st;
	int rc;

	rc = dd_begin(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	dc_name(ctx, "e1", n1, sizeof(n1));
	dc_name(ctx, "e2", n2, sizeof(n2));
	dc_name(ctx, "d2", d2, sizeof(d2));
	rc = dd_mkdir_in(&s.a, NULL, d2, &dir2, &st);
	EXPECT_OK(rc, st, "mkdir d2");
	rc = dd_gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	rc = dd_gdd(&s.a, &dir2, 0, &g2);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION d2");
	EXPECT_GRANTED(g2);
	/* A's own changes */
	rc = dd_mkdir_in(&s.a, &s.dir, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir by A");
	rc = dd_rename_in(&s.a, &s.dir, n1, NULL, n2, &st);
	EXPECT_OK(rc, st, "rename by A");
	rc = dd_chmod_fh(&s.a, &s.dir, 0755, &st);
	EXPECT_OK(rc, st, "chmod by A");
	/* d2's delegation is returned, then B changes d2, then dir */
	rc = dd_delegreturn(&s.a, &dir2, &g2.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN d2");
	rc = dd_mkdir_in(&s.b, &dir2, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir in d2 by B");
	rc = dd_remove_in(&s.b, &s.dir, n2, &st);
	EXPECT_RPC(rc, "remove by B");
	EXPECT_STATUS(st, NFS4ERR_DELAY, "remove by B (waits for the recall)");
	EXPECT(dd_wait_recall_of(&s.a, &g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL after B's change within %d ms", CB_WAIT_MS);
	EXPECT(dd_count_recalls(&s.a, &g.sid) == 1,
	       "%u CB_RECALLs of the delegation, expected 1",
	       dd_count_recalls(&s.a, &g.sid));
	EXPECT(dd_count_recalls(&s.a, &g2.sid) == 0,
	       "a returned directory delegation was recalled");
	rc = dd_delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
out:
	dc_fh_free(&dir2);
	dd_end(&s);
}

/* The directory is removed by another client: revoked, then freed */
static void dirdeleg10_dir_removed(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct dc_cb_record rec;
	struct gdd_res g;
	nfsstat4 st, code;
	int rc;

	rc = dd_begin(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	rc = dd_gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	/* 10.9.2 / 10.9.4: another client removing the directory recalls
	 * the delegation, and the removal waits for it.
	 */
	rc = dd_remove_in(&s.b, NULL, s.dname, &st);
	EXPECT_RPC(rc, "REMOVE of the directory by B");
	EXPECT_STATUS(st, NFS4ERR_DELAY,
		      "B's REMOVE of A's delegated directory");
	EXPECT(dd_wait_recall_of(&s.a, &g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL of the directory B removes within %d ms",
	       CB_WAIT_MS);
	rc = dd_delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN after the recall");
	rc = dd_remove_in(&s.b, NULL, s.dname, &st);
	EXPECT_OK(rc, st, "B's REMOVE right after the DELEGRETURN");
	rc = dc_client_test_stateid(&s.a, &g.sid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT_STATUS(code, NFS4ERR_BAD_STATEID,
		      "TEST_STATEID of the returned directory delegation");
out:
	dd_end(&s);
}

/*
 * The holder itself removes the delegated directory (a client taking a
 * delegation on every directory it lists, then rm -rf).  Its own change
 * is no conflict (10.9.2): no CB_RECALL, nothing revoked, no
 * SEQ4_STATUS_RECALLABLE_STATE_REVOKED; the delegation just ends, and a
 * DELEGRETURN of it is answered as one of a stateid the server no longer
 * knows.
 */
static void dirdeleg32_own_removal(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct dc_cb_record rec;
	struct gdd_res g;
	uint32_t flags = 0;
	nfsstat4 st, code;
	int rc;

	rc = dd_begin(ctx, &s, false);
	EXPECT_RPC(rc, "mount and mkdir");
	rc = dd_gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	rc = dd_remove_in(&s.a, NULL, s.dname, &st);
	EXPECT_OK(rc, st, "REMOVE of the directory by its holder");
	EXPECT(!dd_wait_recall_of(&s.a, &g.sid, 0, 1000, &rec, NULL),
	       "CB_RECALL of a directory its holder removed itself");
	rc = dc_client_seq_flags(&s.a, &flags, &st);
	EXPECT_OK(rc, st, "SEQUENCE");
	EXPECT(!(flags & SEQ4_STATUS_RECALLABLE_STATE_REVOKED),
	       "the holder's own removal revoked its delegation (flags %#x)",
	       flags);
	rc = dc_client_test_stateid(&s.a, &g.sid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT_STATUS(code, NFS4ERR_BAD_STATEID,
		      "TEST_STATEID of the delegation on the removed directory");
	rc = dd_delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN");
	EXPECT(st == NFS4ERR_STALE || st == NFS4ERR_BAD_STATEID,
	       "DELEGRETURN of the delegation on the removed directory: %s, "
	       "expected NFS4ERR_STALE or NFS4ERR_BAD_STATEID",
	       dc_nfsstat_name(st));
out:
	dd_end(&s);
}

/*
 * A recalled delegation never returned is revoked (after a lease); the
 * holder learns it from SEQUENCE and TEST_STATEID and frees it.
 */
static void dirdeleg11_not_returned(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct dc_client c = { 0 };
	struct dc_cb_record rec;
	struct gdd_res g;
	char n1[96];
	nfsstat4 st, code;
	double t0;
	int rc;

	rc = dd_begin(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	dc_name(ctx, "e1", n1, sizeof(n1));
	rc = dd_gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	rc = dd_mkdir_in(&s.b, &s.dir, n1, NULL, &st);
	EXPECT_RPC(rc, "mkdir by B");
	EXPECT_STATUS(st, NFS4ERR_DELAY, "mkdir by B (waits for the recall)");
	EXPECT(dd_wait_recall_of(&s.a, &g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL within %d ms", CB_WAIT_MS);
	t0 = dd_now_s();
	/* A keeps its lease (SEQUENCE) but never returns the delegation */
	EXPECT(dd_wait_revoked(&s.a, REVOKE_WAIT_S),
	       "recalled delegation not revoked within %d s", REVOKE_WAIT_S);
	dc_note(ctx, "revoked %.1f s after the recall", dd_now_s() - t0);
	rc = dc_client_test_stateid(&s.a, &g.sid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT_STATUS(code, NFS4ERR_DELEG_REVOKED,
		      "TEST_STATEID of the revoked directory delegation");
	/* Revoked: a change no longer waits (B did not renew meanwhile:
	 * a new client makes it)
	 */
	rc = dc_ctx_mounted(ctx, &c);
	EXPECT_RPC(rc, "mount C");
	rc = dd_mkdir_in(&c, &s.dir, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir by C after the revocation");
	rc = dd_delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN of a revoked delegation");
	EXPECT(st != NFS4_OK, "DELEGRETURN of a revoked delegation: NFS4_OK");
	rc = dc_client_free_stateid(&s.a, &g.sid, &st);
	EXPECT_OK(rc, st, "FREE_STATEID of the revoked delegation");
	rc = dc_client_seq_flags(&s.a, (uint32_t *)&code, &st);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT(!(code & SEQ4_STATUS_RECALLABLE_STATE_REVOKED),
	       "SEQ4_STATUS_RECALLABLE_STATE_REVOKED still set after "
	       "FREE_STATEID");
out:
	dc_client_destroy(&c);
	dd_end(&s);
}

/*
 * A holder that destroys its session keeps its client ID while it holds
 * a directory delegation (18.50.3: NFS4ERR_CLIENTID_BUSY); when its
 * lease expires the delegation goes with it and the server carries on.
 */
static void dirdeleg12_client_gone(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct gdd_res g, gb;
	char n1[96];
	nfsstat4 st = NFS4_OK;
	uint32_t flags;
	double end;
	int rc;

	rc = dd_begin(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	dc_name(ctx, "e1", n1, sizeof(n1));
	rc = dd_gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	rc = dc_client_destroy_session(&s.a, s.a.sid, &st);
	EXPECT_OK(rc, st, "DESTROY_SESSION");
	s.a.have_session = false;
	rc = dc_client_destroy_clientid(&s.a, s.a.clientid, &st);
	EXPECT_RPC(rc, "DESTROY_CLIENTID");
	EXPECT_STATUS(st, NFS4ERR_CLIENTID_BUSY,
		      "DESTROY_CLIENTID while holding a directory delegation");
	/* B's change recalls towards a client without a back channel,
	 * and waits: until A's lease expires, as it turns out
	 */
	rc = dd_mkdir_in(&s.b, &s.dir, n1, NULL, &st);
	EXPECT_RPC(rc, "mkdir by B");
	EXPECT_STATUS(st, NFS4ERR_DELAY, "mkdir by B (waits for the recall)");
	/* Bounded wait for A's lease to expire (lease 10 s here) */
	end = dd_now_s() + REVOKE_WAIT_S;
	do {
		dd_sleep_ms(1000);
		/* B only waits: it keeps its lease (holding nothing, it
		 * would not be kept as a courtesy client, patch 0048)
		 */
		rc = dc_client_seq_flags(&s.b, &flags, &st);
		EXPECT_RPC(rc, "SEQUENCE by B");
		rc = dc_client_destroy_clientid(&s.a, s.a.clientid, &st);
		EXPECT_RPC(rc, "DESTROY_CLIENTID");
	} while (st == NFS4ERR_CLIENTID_BUSY && dd_now_s() < end);
	EXPECT(st == NFS4ERR_STALE_CLIENTID || st == NFS4_OK,
	       "DESTROY_CLIENTID after the lease: %s", dc_nfsstat_name(st));
	rc = dd_mkdir_in(&s.b, &s.dir, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir by B once A's delegation went with A");
	rc = dd_gdd(&s.b, &s.dir, 0, &gb);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION by B");
	EXPECT_GRANTED(gb);
	rc = dd_delegreturn(&s.b, &s.dir, &gb.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN by B");
out:
	dd_end(&s);
}

/*
 * The export's root, which a Linux client delegates on every listing:
 * A holds a recall-only delegation of it and looked up a name that is
 * not there (a negative entry it may keep while the delegation holds);
 * B's mkdir of that name must recall the delegation and wait.
 */
static void dirdeleg36_export_root(struct dc_ctx *ctx)
{
	struct dc_client ca = { 0 }, cb = { 0 };
	struct dc_client *a = &ca, *b = &cb;
	struct dc_cb_record rec;
	struct gdd_res g;
	nfs_fh4 root = { 0 };
	char n[96];
	nfsstat4 st;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, a, b))
		goto out;
	rc = dc_fs_export_fh(a, &root, &st);
	EXPECT_OK(rc, st, "A: the export's root handle");
	dc_name(ctx, "rootdir", n, sizeof(n));
	rc = dd_gdd(a, &root, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION of the export root");
	EXPECT_GRANTED(g);
	rc = dc_fs_lookup(a, &root, n, NULL, &st);
	EXPECT_RPC(rc, "A: LOOKUP of a name not there yet");
	EXPECT_STATUS(st, NFS4ERR_NOENT, "A: LOOKUP of a new name");
	rc = dd_mkdir_in(b, NULL, n, NULL, &st);
	EXPECT_RPC(rc, "B: mkdir in the export root");
	EXPECT_STATUS(st, NFS4ERR_DELAY,
		      "B's mkdir in the root A holds a delegation of");
	EXPECT(dd_wait_recall_of(a, &g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL of A's delegation of the export root within "
	       "%d ms", CB_WAIT_MS);
	rc = dd_delegreturn(a, &root, &g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN after the recall");
	rc = dd_mkdir_in(b, NULL, n, NULL, &st);
	EXPECT_OK(rc, st, "B's mkdir right after the DELEGRETURN");
	rc = dc_fs_lookup(a, &root, n, NULL, &st);
	EXPECT_OK(rc, st, "A: LOOKUP of B's new directory");
	rc = dd_remove_in(b, NULL, n, &st);
	EXPECT_OK(rc, st, "B: remove the directory");
out:
	dc_fh_free(&root);
	dc_client_destroy(b);
	dc_client_destroy(a);
}

const struct dc_case dc_cases_dirdeleg[] = {
	{ "DIRDELEG1", "GET_DIR_DELEGATION grants; granted types a subset",
	  "18.39.3", "dirdeleg deleg", "CSESS1", dirdeleg1_grant },
	{ "DIRDELEG2", "second request by the same client: GDD4_UNAVAIL",
	  "18.39.3", "dirdeleg deleg", "DIRDELEG1", dirdeleg2_unavail },
	{ "DIRDELEG3", "GET_DIR_DELEGATION on a file: NFS4ERR_NOTDIR",
	  "18.39.3", "dirdeleg deleg", "DIRDELEG1", dirdeleg3_notdir },
	{ "DIRDELEG4", "recall-only holder: CB_RECALL on mkdir by another client",
	  "10.9.1 / 20.2", "dirdeleg deleg", "DIRDELEG1",
	  dirdeleg4_recall_mkdir },
	{ "DIRDELEG5", "CB_RECALL on remove by another client",
	  "10.9.1 / 20.2", "dirdeleg deleg", "DIRDELEG1",
	  dirdeleg5_recall_remove },
	{ "DIRDELEG6", "CB_RECALL on rename by another client",
	  "10.9.1 / 20.2", "dirdeleg deleg", "DIRDELEG1",
	  dirdeleg6_recall_rename },
	{ "DIRDELEG7", "CB_RECALL on SETATTR of the directory",
	  "10.9.1 / 20.2", "dirdeleg deleg", "DIRDELEG1",
	  dirdeleg7_recall_setattr },
	{ "DIRDELEG8", "CB_RECALL on a change made over NFSv4.0",
	  "10.9.1 / 20.2", "dirdeleg deleg", "DIRDELEG1",
	  dirdeleg8_recall_v40 },
	{ "DIRDELEG9", "holder's own changes and returned delegations: no recall",
	  "10.9.1 / 18.49", "dirdeleg deleg", "DIRDELEG4",
	  dirdeleg9_own_change },
	{ "DIRDELEG10", "directory removed by another client: recalled, waits",
	  "10.9.2 / 10.9.4", "dirdeleg deleg", "DIRDELEG1",
	  dirdeleg10_dir_removed },
	{ "DIRDELEG11", "recalled and never returned: revoked after a lease",
	  "10.4.6 / 8.3", "dirdeleg deleg slow", "DIRDELEG4",
	  dirdeleg11_not_returned },
	{ "DIRDELEG12", "holder: DESTROY_CLIENTID busy, lease expiry cleans up",
	  "18.50.3 / 8.3", "dirdeleg deleg slow", "DIRDELEG1",
	  dirdeleg12_client_gone },
	{ "DIRDELEG32", "holder removes the delegated directory: no recall, "
	  "nothing revoked", "10.9.2", "dirdeleg deleg", "DIRDELEG10",
	  dirdeleg32_own_removal },
	{ "DIRDELEG36", "export root: another client's mkdir recalls, waits",
	  "10.9.1 / 10.9.2", "dirdeleg deleg", "DIRDELEG4",
	  dirdeleg36_export_root },
	{ NULL }
};

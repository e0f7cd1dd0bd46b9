// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * TEST_STATEID (18.48) and FREE_STATEID (18.38) cases.
 */
#include <string.h>
#include "case.h"

/* LOCK (new lock owner) the first 10 bytes; returns the lock stateid. */
static int lock_file(struct dc_client *cl, const nfs_fh4 *fh,
		     const stateid4 *open_sid, stateid4 *lock_sid,
		     nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	char lo[64];
	int rc;

	rc = dc_client_begin(cl, &c, "lock", false, &slot);
	if (rc)
		return rc;
	snprintf(lo, sizeof(lo), "lo-%llx", (unsigned long long)cl->clientid);
	dc_op_putfh(&c, fh);
	dc_op_lock(&c, open_sid, cl->clientid, lo, 0, 10);
	rc = dc_client_send(cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (!rc) {
		*st = r.res.status;
		if (*st == NFS4_OK)
			*lock_sid = dc_cres_op(&r, 2)
					    ->nfs_resop4_u.oplock.LOCK4res_u
					    .resok4.lock_stateid;
	}
	dc_cres_free(&r);
	return rc;
}

static int unlock_file(struct dc_client *cl, const nfs_fh4 *fh,
		       stateid4 *lock_sid, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc;

	rc = dc_client_begin(cl, &c, "locku", false, &slot);
	if (rc)
		return rc;
	dc_op_putfh(&c, fh);
	dc_op_locku(&c, lock_sid, 0, 10);
	rc = dc_client_send(cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (!rc) {
		*st = r.res.status;
		if (*st == NFS4_OK)
			*lock_sid = dc_cres_op(&r, 2)
					    ->nfs_resop4_u.oplocku.LOCKU4res_u
					    .lock_stateid;
	}
	dc_cres_free(&r);
	return rc;
}

static int open_new(struct dc_ctx *ctx, struct dc_client *cl, stateid4 *sid,
		    nfs_fh4 *fh, nfsstat4 *st)
{
	char name[96];

	dc_name(ctx, "f", name, sizeof(name));
	return dc_client_open_file(cl, name, true, sid, fh, st);
}

static void tstid1_mixed(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfs_fh4 fh = { 0 };
	stateid4 ids[3], sid;
	nfsstat4 st, codes[3];
	unsigned n;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = open_new(ctx, &cl, &sid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN");
	ids[0] = sid;
	/*
	 * Same client and server instance, never issued: change only
	 * the tail of "other" (its head commonly encodes the clientid,
	 * and an unknown clientid may fairly be reported as EXPIRED).
	 */
	ids[1] = sid;
	ids[1].other[10] ^= 0x55;
	ids[1].other[11] ^= 0x55;
	ids[2] = sid;
	rc = dc_client_test_stateids(&cl, ids, 3, &st, codes, &n);
	EXPECT_OK(rc, st, "TEST_STATEID");
	EXPECT(n == 3, "%u status codes for 3 stateids", n);
	EXPECT_STATUS(codes[0], NFS4_OK, "valid open stateid");
	EXPECT_STATUS(codes[1], NFS4ERR_BAD_STATEID, "unknown stateid");
	EXPECT_STATUS(codes[2], NFS4_OK, "valid open stateid (again)");
	dc_client_close_file(&cl, &fh, &sid, &st);
out:
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

static void tstid2_other_client(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	nfs_fh4 fh = { 0 };
	stateid4 sid;
	nfsstat4 st, code;
	unsigned n;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	rc = open_new(ctx, &a, &sid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN by client A");
	/* 18.48.3: a stateid of another client is not "valid" for B. */
	rc = dc_client_test_stateids(&b, &sid, 1, &st, &code, &n);
	EXPECT_OK(rc, st, "TEST_STATEID by client B");
	EXPECT(n == 1, "%u status codes", n);
	EXPECT_STATUS(code, NFS4ERR_BAD_STATEID,
		      "client A's open stateid tested by client B");
	dc_client_close_file(&a, &fh, &sid, &st);
out:
	dc_fh_free(&fh);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

static void fstid1_unlocked_lock(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfs_fh4 fh = { 0 };
	stateid4 sid, lsid;
	nfsstat4 st, code;
	unsigned n;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = open_new(ctx, &cl, &sid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN");
	rc = lock_file(&cl, &fh, &sid, &lsid, &st);
	EXPECT_OK(rc, st, "LOCK");
	rc = unlock_file(&cl, &fh, &lsid, &st);
	EXPECT_OK(rc, st, "LOCKU");
	rc = dc_client_free_stateid(&cl, &lsid, &st);
	EXPECT_OK(rc, st,
		  "FREE_STATEID of a lock stateid with no "
		  "locks");
	rc = dc_client_test_stateids(&cl, &lsid, 1, &st, &code, &n);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT(n == 1, "%u status codes", n);
	EXPECT_STATUS(code, NFS4ERR_BAD_STATEID, "freed lock stateid");
	dc_client_close_file(&cl, &fh, &sid, &st);
out:
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

static void fstid2_locks_held(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfs_fh4 fh = { 0 };
	stateid4 sid, lsid;
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = open_new(ctx, &cl, &sid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN");
	rc = lock_file(&cl, &fh, &sid, &lsid, &st);
	EXPECT_OK(rc, st, "LOCK");
	rc = dc_client_free_stateid(&cl, &lsid, &st);
	EXPECT_RPC(rc, "FREE_STATEID");
	EXPECT_STATUS(st, NFS4ERR_LOCKS_HELD,
		      "FREE_STATEID of a lock stateid holding a lock");
	unlock_file(&cl, &fh, &lsid, &st);
	dc_client_close_file(&cl, &fh, &sid, &st);
out:
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

static void fstid3_open(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfs_fh4 fh = { 0 };
	stateid4 sid;
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = open_new(ctx, &cl, &sid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN");
	/* 18.38.4: an open is a lock "of any kind" on the stateid. */
	rc = dc_client_free_stateid(&cl, &sid, &st);
	EXPECT_RPC(rc, "FREE_STATEID");
	EXPECT_STATUS(st, NFS4ERR_LOCKS_HELD,
		      "FREE_STATEID of the stateid of an open file");
	rc = dc_client_close_file(&cl, &fh, &sid, &st);
	EXPECT_OK(rc, st, "CLOSE after refused FREE_STATEID");
out:
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

static void fstid4_bogus(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	stateid4 bogus;
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	memset(&bogus, 0, sizeof(bogus));
	bogus.seqid = 1;
	memcpy(bogus.other, "ditto-bogus!", 12);
	rc = dc_client_free_stateid(&cl, &bogus, &st);
	EXPECT_RPC(rc, "FREE_STATEID");
	EXPECT_STATUS(st, NFS4ERR_BAD_STATEID, "FREE_STATEID of a bogus id");
out:
	dc_client_destroy(&cl);
}

const struct dc_case dc_cases_stateid[] = {
	{ "TSTID1", "TEST_STATEID of a mixed good/bad list", "18.48.3",
	  "test_stateid all", "CSESS1", tstid1_mixed },
	{ "TSTID2", "TEST_STATEID of another client's stateid: BAD_STATEID",
	  "18.48.3", "test_stateid all", "TSTID1", tstid2_other_client },
	{ "FSTID1", "FREE_STATEID of an unlocked lock stateid frees it",
	  "18.38.3", "free_stateid lock all", "TSTID1", fstid1_unlocked_lock },
	{ "FSTID2", "FREE_STATEID of a lock stateid holding locks: LOCKS_HELD",
	  "18.38.4", "free_stateid lock all", "CSESS1", fstid2_locks_held },
	{ "FSTID3", "FREE_STATEID of an open stateid: LOCKS_HELD", "18.38.4",
	  "free_stateid all", "CSESS1", fstid3_open },
	{ "FSTID4", "FREE_STATEID of an unknown stateid: BAD_STATEID",
	  "18.38.3", "free_stateid all", "CSESS1", fstid4_bogus },
	{ NULL }
};

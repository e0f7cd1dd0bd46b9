// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * RFC 9754 in NFSv4.2: the open_arguments attribute tells what OPEN
 * takes; OPEN4_SHARE_ACCESS_WANT_DELEG_TIMESTAMPS gets an attribute
 * delegation (OPEN_DELEGATE_*_ATTRS_DELEG) whose holder keeps atime and
 * mtime and hands them to the server with time_deleg_access/modify.
 */
#include <stdio.h>
#include <string.h>
#include "case.h"
#include "attr_deleg.h"

#define BIT(n) (1u << (n))
/* Times a holder sets: far from "now", with nanoseconds. */
#define AD_ATIME_S 1000000000LL
#define AD_ATIME_NS 123u
#define AD_MTIME_S 1100000000LL
#define AD_MTIME_NS 456u
/* OPEN for write wanting a write delegation with delegated timestamps */
#define AD_WANT_WRITE                                                          \
	(OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_WRITE_DELEG |      \
	 OPEN4_SHARE_ACCESS_WANT_DELEG_TIMESTAMPS)

/*
 * supported_attrs lists time_deleg_access, time_deleg_modify and
 * open_arguments in 4.2 and none of them in 4.1 (they extend 4.2), and
 * open_arguments names every share access and deny, the delegation
 * wants a 4.2 OPEN takes and the claims and create modes it serves.
 */
static void attrdeleg1_open_arguments(struct dc_ctx *ctx)
{
	static const unsigned int attrs[] = { FATTR4_TIME_DELEG_ACCESS,
					      FATTR4_TIME_DELEG_MODIFY,
					      FATTR4_OPEN_ARGUMENTS };
	const uint32_t access = BIT(OPEN_ARGS_SHARE_ACCESS_READ) |
				BIT(OPEN_ARGS_SHARE_ACCESS_WRITE) |
				BIT(OPEN_ARGS_SHARE_ACCESS_BOTH);
	const uint32_t deny = BIT(OPEN_ARGS_SHARE_DENY_NONE) |
			      BIT(OPEN_ARGS_SHARE_DENY_READ) |
			      BIT(OPEN_ARGS_SHARE_DENY_WRITE) |
			      BIT(OPEN_ARGS_SHARE_DENY_BOTH);
	const uint32_t want =
		BIT(OPEN_ARGS_SHARE_ACCESS_WANT_ANY_DELEG) |
		BIT(OPEN_ARGS_SHARE_ACCESS_WANT_NO_DELEG) |
		BIT(OPEN_ARGS_SHARE_ACCESS_WANT_DELEG_TIMESTAMPS) |
		BIT(OPEN_ARGS_SHARE_ACCESS_WANT_OPEN_XOR_DELEGATION);
	const uint32_t claim = BIT(OPEN_ARGS_OPEN_CLAIM_NULL) |
			       BIT(OPEN_ARGS_OPEN_CLAIM_FH);
	const uint32_t create = BIT(OPEN_ARGS_CREATEMODE_UNCHECKED4) |
				BIT(OPEN_ARGS_CREATE_MODE_GUARDED) |
				BIT(OPEN_ARGS_CREATEMODE_EXCLUSIVE4) |
				BIT(OPEN_ARGS_CREATE_MODE_EXCLUSIVE4_1);
	struct dc_client cl = { 0 };
	struct dc_open_args oa;
	struct bitmap4 v41, v42;
	unsigned int i;
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_fs_supported_attrs(&cl, NULL, 1, &v41, &st);
	EXPECT_OP(rc, st, NFS4_OK, "4.1 GETATTR supported_attrs");
	rc = dc_fs_supported_attrs(&cl, NULL, 2, &v42, &st);
	EXPECT_OP(rc, st, NFS4_OK, "4.2 GETATTR supported_attrs");
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		EXPECT(dc_bitmap_has(&v42, attrs[i]),
		       "4.2 supported_attrs lacks attribute %u", attrs[i]);
		EXPECT(!dc_bitmap_has(&v41, attrs[i]),
		       "4.1 supported_attrs lists attribute %u (RFC 9754 "
		       "extends 4.2 only)", attrs[i]);
	}
	rc = dc_fs_open_arguments(&cl, NULL, &oa, &st);
	EXPECT_OP(rc, st, NFS4_OK, "4.2 GETATTR open_arguments");
	EXPECT(oa.share_access == access,
	       "oa_share_access %#x, expected %#x", oa.share_access, access);
	EXPECT(oa.share_deny == deny, "oa_share_deny %#x, expected %#x",
	       oa.share_deny, deny);
	EXPECT((oa.want & want) == want,
	       "oa_share_access_want %#x lacks %#x", oa.want, want & ~oa.want);
	EXPECT((oa.claim & claim) == claim, "oa_open_claim %#x lacks %#x",
	       oa.claim, claim & ~oa.claim);
	EXPECT(oa.createmode == create, "oa_create_mode %#x, expected %#x",
	       oa.createmode, create);
out:
	dc_client_destroy(&cl);
}

/* SETATTR time_deleg_access and time_deleg_modify on fh with sid. */
static int set_deleg_times(struct dc_client *cl, const nfs_fh4 *fh,
			   const stateid4 *sid, unsigned int which,
			   nfsstat4 *st)
{
	struct dc_sattr sa = { 0 };

	sa.set = which;
	sa.atime.seconds = AD_ATIME_S;
	sa.atime.nseconds = AD_ATIME_NS;
	sa.mtime.seconds = AD_MTIME_S;
	sa.mtime.nseconds = AD_MTIME_NS;
	return dc_fs_setattr(cl, fh, sid, &sa, st);
}

/* Close o (if opened), return its delegation (if any), remove name. */
static void let_go(struct dc_client *cl, struct dc_open *o, bool opened,
		   bool deleg, const char *name)
{
	nfsstat4 st;

	if (opened)
		dc_client_close_file(cl, &o->fh, &o->sid, &st);
	if (deleg)
		dc_fs_delegreturn(cl, &o->fh, &o->dsid, &st);
	if (cl->inited)
		dc_fs_remove(cl, NULL, name, &st);
	dc_fh_free(&o->fh);
}

/* GETATTR tries while the server asks the holder (NFS4ERR_DELAY) */
#define AD_GETATTR_TRIES 50
#define AD_GETATTR_EVERY_MS 100

/*
 * As cl, minor version 2: OPEN name (created) for read and write,
 * wanting a write delegation with delegated timestamps; true when it
 * was granted as OPEN_DELEGATE_WRITE_ATTRS_DELEG, else the case failed.
 * *opened says whether o is to be closed.
 */
static bool open_write_attrs_deleg(struct dc_ctx *ctx, struct dc_client *cl,
				   const char *name, struct dc_open *o,
				   bool *opened)
{
	nfsstat4 st;
	int rc;

	cl->minor = 2;
	rc = dc_fs_open_share(cl, NULL, name, NULL, true, AD_WANT_WRITE,
			      OPEN4_SHARE_DENY_NONE, o, &st);
	ctx->checks++;
	if (rc || st != NFS4_OK) {
		dc_fail(ctx, "4.2 OPEN with WANT_DELEG_TIMESTAMPS: %s",
			rc ? strerror(-rc) : dc_nfsstat_name(st));
		return false;
	}
	*opened = true;
	ctx->checks++;
	if (o->dtype != OPEN_DELEGATE_WRITE_ATTRS_DELEG) {
		dc_fail(ctx,
			"delegation type %d, expected "
			"OPEN_DELEGATE_WRITE_ATTRS_DELEG",
			(int)o->dtype);
		return false;
	}
	return true;
}

/* ga holds the times set_deleg_times() sets; else the case failed. */
static bool are_holders_times(struct dc_ctx *ctx, const struct dc_gattr *ga,
			      const char *when)
{
	ctx->checks++;
	if ((ga->have & (DC_GA_ATIME | DC_GA_MTIME)) ==
		    (DC_GA_ATIME | DC_GA_MTIME) &&
	    ga->atime.seconds == AD_ATIME_S &&
	    ga->atime.nseconds == AD_ATIME_NS &&
	    ga->mtime.seconds == AD_MTIME_S &&
	    ga->mtime.nseconds == AD_MTIME_NS)
		return true;
	dc_fail(ctx,
		"B sees atime %lld.%09u mtime %lld.%09u %s, expected the "
		"holder's %lld.%09u and %lld.%09u",
		(long long)ga->atime.seconds, ga->atime.nseconds,
		(long long)ga->mtime.seconds, ga->mtime.nseconds, when,
		AD_ATIME_S, AD_ATIME_NS, AD_MTIME_S, AD_MTIME_NS);
	return false;
}

/*
 * A asks a 4.1 OPEN for delegated timestamps (NFS4ERR_INVAL: the flag
 * is 4.2's), then a 4.2 OPEN for write with it: a write attribute
 * delegation.  SETATTR of time_deleg_modify with the open stateid is
 * NFS4ERR_BAD_STATEID; with the delegation's it sets atime and mtime
 * (as a holder does when it returns the delegation), which B reads
 * exactly once A closed and returned it.
 */
static void attrdeleg2_write_attrs_deleg(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct dc_open o = { 0 };
	struct dc_gattr ga;
	bool opened = false, deleg = false;
	char name[96];
	nfsstat4 st;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	dc_name(ctx, "f", name, sizeof(name));
	rc = dc_fs_open_share(&a, NULL, name, NULL, true, AD_WANT_WRITE,
			      OPEN4_SHARE_DENY_NONE, &o, &st);
	EXPECT_OP(rc, st, NFS4ERR_INVAL, "4.1 OPEN with WANT_DELEG_TIMESTAMPS");
	a.minor = 2;
	deleg = open_write_attrs_deleg(ctx, &a, name, &o, &opened);
	if (!deleg)
		goto out;
	rc = set_deleg_times(&a, &o.fh, &o.sid, DC_SA_DELEG_MTIME, &st);
	EXPECT_OP(rc, st, NFS4ERR_BAD_STATEID,
		  "SETATTR time_deleg_modify with the open stateid");
	rc = set_deleg_times(&a, &o.fh, &o.dsid,
			     DC_SA_DELEG_ATIME | DC_SA_DELEG_MTIME, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "SETATTR time_deleg_access+modify with the delegation");
	rc = dc_client_close_file(&a, &o.fh, &o.sid, &st);
	opened = false;
	EXPECT_OP(rc, st, NFS4_OK, "CLOSE");
	rc = dc_fs_delegreturn(&a, &o.fh, &o.dsid, &st);
	deleg = false;
	EXPECT_OP(rc, st, NFS4_OK, "DELEGRETURN");
	rc = dc_fs_getattr(&b, &o.fh, &ga, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR by B");
	are_holders_times(ctx, &ga, "after the return");
out:
	let_go(&a, &o, opened, deleg, name);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

/*
 * A 4.2 OPEN for read with WANT_READ_DELEG and delegated timestamps
 * gets a read attribute delegation; its holder sets atime with it.
 */
static void attrdeleg3_read_attrs_deleg(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 };
	struct dc_open o = { 0 };
	struct dc_gattr ga;
	bool opened = false, deleg = false;
	char name[96];
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &a);
	EXPECT_RPC(rc, "mount");
	dc_name(ctx, "f", name, sizeof(name));
	rc = dc_fs_mkfile(&a, NULL, name, 0644, &st);
	EXPECT_OP(rc, st, NFS4_OK, "create %s", name);
	a.minor = 2;
	rc = dc_fs_open_share(&a, NULL, name, NULL, false,
			      OPEN4_SHARE_ACCESS_READ |
				      OPEN4_SHARE_ACCESS_WANT_READ_DELEG |
				      OPEN4_SHARE_ACCESS_WANT_DELEG_TIMESTAMPS,
			      OPEN4_SHARE_DENY_NONE, &o, &st);
	EXPECT_OP(rc, st, NFS4_OK, "4.2 OPEN read with WANT_DELEG_TIMESTAMPS");
	opened = true;
	deleg = o.dtype == OPEN_DELEGATE_READ_ATTRS_DELEG ||
		o.dtype == OPEN_DELEGATE_READ;
	EXPECT(o.dtype == OPEN_DELEGATE_READ_ATTRS_DELEG,
	       "delegation type %d, expected OPEN_DELEGATE_READ_ATTRS_DELEG",
	       (int)o.dtype);
	rc = set_deleg_times(&a, &o.fh, &o.dsid, DC_SA_DELEG_ATIME, &st);
	EXPECT_OP(rc, st, NFS4_OK, "SETATTR time_deleg_access");
	rc = dc_fs_getattr(&a, &o.fh, &ga, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR");
	EXPECT((ga.have & DC_GA_ATIME) && ga.atime.seconds == AD_ATIME_S &&
		       ga.atime.nseconds == AD_ATIME_NS,
	       "atime %lld.%09u, expected %lld.%09u",
	       (long long)ga.atime.seconds, ga.atime.nseconds, AD_ATIME_S,
	       AD_ATIME_NS);
out:
	let_go(&a, &o, opened, deleg, name);
	dc_client_destroy(&a);
}

/*
 * A holds a write attribute delegation and answers CB_GETATTR with
 * answer; B's GETATTR is told NFS4ERR_DELAY until A answered, then
 * gets *ga.  A's CB_GETATTR asked change, size and both delegated
 * times.  The file's own attributes before, as A saw them, in *before.
 */
static bool getattr_through_holder(struct dc_ctx *ctx, struct dc_client *a,
				   struct dc_client *b, const nfs_fh4 *fh,
				   bool modify, struct dc_gattr *before,
				   struct dc_gattr *ga)
{
	static const unsigned int asked[] = { FATTR4_CHANGE, FATTR4_SIZE,
					      FATTR4_TIME_DELEG_ACCESS,
					      FATTR4_TIME_DELEG_MODIFY };
	struct dc_cb_getattr_answer ans = { 0 };
	struct dc_cb_record r;
	unsigned int delays = 0, i;
	nfsstat4 st;
	int rc;

	rc = dc_fs_getattr(a, fh, before, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR by the holder");
	ans.change = before->change + (modify ? 5 : 0);
	ans.size = modify ? before->size + 4096 : before->size;
	ans.atime.seconds = AD_ATIME_S;
	ans.atime.nseconds = AD_ATIME_NS;
	ans.mtime.seconds = AD_MTIME_S;
	ans.mtime.nseconds = AD_MTIME_NS;
	dc_cb_set_getattr_answer(&a->cb, &ans);
	rc = dc_fs_getattr_retry(b, fh, ga, AD_GETATTR_TRIES,
				 AD_GETATTR_EVERY_MS, &delays, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR by B (%u NFS4ERR_DELAY)", delays);
	EXPECT(delays >= 1,
	       "B's GETATTR was answered at once: nobody asked the holder");
	memset(&r, 0, sizeof(r));
	for (i = 0; dc_cb_get(&a->cb, i, &r); i++)
		if (dc_cb_is_getattr_of(&r, fh))
			break;
	EXPECT(dc_cb_is_getattr_of(&r, fh),
	       "no CB_GETATTR of the file to the holder");
	for (i = 0; i < sizeof(asked) / sizeof(asked[0]); i++)
		EXPECT(r.ga_request[asked[i] / 32] & (1u << (asked[i] % 32)),
		       "CB_GETATTR does not ask attribute %u", asked[i]);
	return are_holders_times(ctx, ga, "through CB_GETATTR");
out:
	return false;
}

/*
 * A holds a write attribute delegation; B's GETATTR goes through A's
 * CB_GETATTR answer.  Unchanged by A (!modify), B gets the file's own
 * size and change attribute; modified, A's size and a change attribute
 * other than the file's; A's times either way.
 */
static void cb_getattr_case(struct dc_ctx *ctx, bool modify)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct dc_open o = { 0 };
	struct dc_gattr before, ga;
	bool opened = false, deleg = false;
	char name[96];

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	dc_name(ctx, "f", name, sizeof(name));
	deleg = open_write_attrs_deleg(ctx, &a, name, &o, &opened);
	if (!deleg)
		goto out;
	if (!getattr_through_holder(ctx, &a, &b, &o.fh, modify, &before,
				    &ga))
		goto out;
	if (modify)
		EXPECT(ga.size == before.size + 4096 &&
			       ga.change != before.change,
		       "B sees size %llu change %llu, expected the holder's "
		       "size %llu and a change other than %llu",
		       (unsigned long long)ga.size,
		       (unsigned long long)ga.change,
		       (unsigned long long)before.size + 4096,
		       (unsigned long long)before.change);
	else
		EXPECT(ga.size == before.size && ga.change == before.change,
		       "B sees size %llu change %llu, expected the file's own "
		       "%llu and %llu (the holder changed nothing)",
		       (unsigned long long)ga.size,
		       (unsigned long long)ga.change,
		       (unsigned long long)before.size,
		       (unsigned long long)before.change);
out:
	let_go(&a, &o, opened, deleg, name);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

static void attrdeleg4_cb_getattr_unchanged(struct dc_ctx *ctx)
{
	cb_getattr_case(ctx, false);
}

static void attrdeleg5_cb_getattr_modified(struct dc_ctx *ctx)
{
	cb_getattr_case(ctx, true);
}

/*
 * OPEN_XOR_DELEGATION (RFC 9754 4), 4.2 only: with a delegation granted
 * the OPEN returns no open stateid (OPEN4_RESULT_NO_OPEN_STATEID, the
 * anonymous stateid) and the holder writes with the delegation's; with
 * none (WANT_NO_DELEG) it is an ordinary open.
 */
static void attrdeleg6_open_xor_delegation(struct dc_ctx *ctx)
{
	const uint32_t xor = OPEN4_SHARE_ACCESS_BOTH |
			     OPEN4_SHARE_ACCESS_WANT_OPEN_XOR_DELEGATION;
	static const stateid4 anon = { 0 };
	struct dc_client a = { 0 };
	struct dc_open o = { 0 }, p = { 0 };
	struct dc_gattr ga;
	bool opened = false, deleg = false, popened = false;
	char name[96];
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &a);
	EXPECT_RPC(rc, "mount");
	dc_name(ctx, "f", name, sizeof(name));
	rc = dc_fs_open_share(&a, NULL, name, NULL, true,
			      xor | OPEN4_SHARE_ACCESS_WANT_WRITE_DELEG,
			      OPEN4_SHARE_DENY_NONE, &o, &st);
	EXPECT_OP(rc, st, NFS4ERR_INVAL,
		  "4.1 OPEN with WANT_OPEN_XOR_DELEGATION");
	a.minor = 2;
	rc = dc_fs_open_share(&a, NULL, name, NULL, true,
			      xor | OPEN4_SHARE_ACCESS_WANT_WRITE_DELEG,
			      OPEN4_SHARE_DENY_NONE, &o, &st);
	EXPECT_OP(rc, st, NFS4_OK, "4.2 OPEN with WANT_OPEN_XOR_DELEGATION");
	deleg = o.dtype == OPEN_DELEGATE_WRITE;
	opened = !(o.rflags & OPEN4_RESULT_NO_OPEN_STATEID);
	EXPECT(deleg, "delegation type %d, expected OPEN_DELEGATE_WRITE",
	       (int)o.dtype);
	EXPECT(!opened && !memcmp(&o.sid, &anon, sizeof(anon)),
	       "rflags %#x, stateid seqid %u: expected "
	       "OPEN4_RESULT_NO_OPEN_STATEID and the anonymous stateid",
	       o.rflags, o.sid.seqid);
	rc = dc_fs_write(&a, &o.fh, &o.dsid, 0, "xor!", 4, &st);
	EXPECT_OP(rc, st, NFS4_OK, "WRITE with the delegation's stateid");
	rc = dc_fs_getattr(&a, &o.fh, &ga, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR");
	EXPECT(ga.size == 4, "size %llu after the WRITE, expected 4",
	       (unsigned long long)ga.size);
	rc = dc_fs_delegreturn(&a, &o.fh, &o.dsid, &st);
	deleg = false;
	EXPECT_OP(rc, st, NFS4_OK, "DELEGRETURN");
	rc = dc_fs_open_share(&a, NULL, name, NULL, false,
			      xor | OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
			      OPEN4_SHARE_DENY_NONE, &p, &st);
	EXPECT_OP(rc, st, NFS4_OK, "4.2 OPEN with XOR and WANT_NO_DELEG");
	popened = true;
	EXPECT(!(p.rflags & OPEN4_RESULT_NO_OPEN_STATEID) &&
		       memcmp(&p.sid, &anon, sizeof(anon)),
	       "no delegation, yet no open stateid (rflags %#x)", p.rflags);
out:
	let_go(&a, &o, opened, deleg, name);
	let_go(&a, &p, popened, false, name);
	dc_client_destroy(&a);
}

const struct dc_case dc_cases_attr_deleg[] = {
	{ "ATTRDELEG1",
	  "4.2 supports open_arguments and time_deleg_*; they list what "
	  "OPEN takes",
	  "RFC 9754 3, 5", "attrdeleg all", "OPS1",
	  attrdeleg1_open_arguments },
	{ "ATTRDELEG2",
	  "WANT_DELEG_TIMESTAMPS: write attribute delegation; its holder "
	  "sets the times",
	  "RFC 9754 5", "attrdeleg deleg filedeleg all", "DELEG5",
	  attrdeleg2_write_attrs_deleg },
	{ "ATTRDELEG3",
	  "WANT_DELEG_TIMESTAMPS on a read open: read attribute delegation",
	  "RFC 9754 5", "attrdeleg deleg filedeleg all", "DELEG5",
	  attrdeleg3_read_attrs_deleg },
	{ "ATTRDELEG4",
	  "another client's GETATTR: CB_GETATTR, holder unchanged; its "
	  "times",
	  "10.4.3 / RFC 9754 5", "attrdeleg deleg filedeleg callback all",
	  "ATTRDELEG2", attrdeleg4_cb_getattr_unchanged },
	{ "ATTRDELEG5",
	  "another client's GETATTR: CB_GETATTR, holder wrote; its size, "
	  "a new change",
	  "10.4.3 / RFC 9754 5", "attrdeleg deleg filedeleg callback all",
	  "ATTRDELEG2", attrdeleg5_cb_getattr_modified },
	{ "ATTRDELEG6",
	  "OPEN_XOR_DELEGATION: a delegation and no open stateid; I/O with "
	  "the delegation",
	  "RFC 9754 4", "attrdeleg deleg filedeleg all", "DELEG1",
	  attrdeleg6_open_xor_delegation },
	{ NULL }
};

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
		BIT(OPEN_ARGS_SHARE_ACCESS_WANT_DELEG_TIMESTAMPS);
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

/*
 * A asks a 4.1 OPEN for delegated timestamps (NFS4ERR_INVAL: the flag
 * is 4.2's), then a 4.2 OPEN for write with it: a write attribute
 * delegation.  SETATTR of time_deleg_modify with the open stateid is
 * NFS4ERR_BAD_STATEID; with the delegation's it sets atime and mtime,
 * which B reads exactly.
 */
static void attrdeleg2_write_attrs_deleg(struct dc_ctx *ctx)
{
	const uint32_t want = OPEN4_SHARE_ACCESS_BOTH |
			      OPEN4_SHARE_ACCESS_WANT_WRITE_DELEG |
			      OPEN4_SHARE_ACCESS_WANT_DELEG_TIMESTAMPS;
	struct dc_client a = { 0 }, b = { 0 };
	struct dc_open o = { 0 };
	struct dc_gattr ga;
	bool opened = false, deleg = false;
	char name[96];
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &a);
	EXPECT_RPC(rc, "mount A");
	rc = dc_ctx_mounted(ctx, &b);
	EXPECT_RPC(rc, "mount B");
	dc_name(ctx, "f", name, sizeof(name));
	rc = dc_fs_open_share(&a, NULL, name, NULL, true, want,
			      OPEN4_SHARE_DENY_NONE, &o, &st);
	EXPECT_OP(rc, st, NFS4ERR_INVAL, "4.1 OPEN with WANT_DELEG_TIMESTAMPS");
	a.minor = 2;
	rc = dc_fs_open_share(&a, NULL, name, NULL, true, want,
			      OPEN4_SHARE_DENY_NONE, &o, &st);
	EXPECT_OP(rc, st, NFS4_OK, "4.2 OPEN with WANT_DELEG_TIMESTAMPS");
	opened = true;
	deleg = o.dtype == OPEN_DELEGATE_WRITE_ATTRS_DELEG ||
		o.dtype == OPEN_DELEGATE_WRITE;
	EXPECT(o.dtype == OPEN_DELEGATE_WRITE_ATTRS_DELEG,
	       "delegation type %d, expected OPEN_DELEGATE_WRITE_ATTRS_DELEG",
	       (int)o.dtype);
	rc = set_deleg_times(&a, &o.fh, &o.sid, DC_SA_DELEG_MTIME, &st);
	EXPECT_OP(rc, st, NFS4ERR_BAD_STATEID,
		  "SETATTR time_deleg_modify with the open stateid");
	rc = set_deleg_times(&a, &o.fh, &o.dsid,
			     DC_SA_DELEG_ATIME | DC_SA_DELEG_MTIME, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "SETATTR time_deleg_access+modify with the delegation");
	rc = dc_fs_getattr(&b, &o.fh, &ga, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR by B");
	EXPECT((ga.have & (DC_GA_ATIME | DC_GA_MTIME)) ==
			       (DC_GA_ATIME | DC_GA_MTIME) &&
		       ga.atime.seconds == AD_ATIME_S &&
		       ga.atime.nseconds == AD_ATIME_NS &&
		       ga.mtime.seconds == AD_MTIME_S &&
		       ga.mtime.nseconds == AD_MTIME_NS,
	       "B sees atime %lld.%09u mtime %lld.%09u, expected the "
	       "holder's %lld.%09u and %lld.%09u",
	       (long long)ga.atime.seconds, ga.atime.nseconds,
	       (long long)ga.mtime.seconds, ga.mtime.nseconds, AD_ATIME_S,
	       AD_ATIME_NS, AD_MTIME_S, AD_MTIME_NS);
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
	{ NULL }
};

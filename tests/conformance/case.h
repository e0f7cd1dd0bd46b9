/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Conformance case definition and the assertion helpers cases use.
 */
#ifndef DITTO_CASE_H
#define DITTO_CASE_H

#include <stdio.h>
#include <string.h>
#include "session.h"
#include "fsops.h"

enum dc_result { DC_PASS, DC_FAIL, DC_SKIP };

struct dc_ctx {
	struct dc_server srv;
	/* A second head on the same store (--server2), for CLUSTER cases. */
	struct dc_server srv2;
	bool have_srv2;
	const char *run_id;
	const char *code;
	unsigned owner_seq;
	unsigned checks;	/* assertions evaluated */
	enum dc_result result;
	char reason[512];
	/* Extra facts a case reports even when passing (JSON "note"). */
	char note[512];
};

typedef void (*dc_case_fn)(struct dc_ctx *ctx);

struct dc_case {
	const char *code;
	const char *desc;
	const char *section;	/* RFC 8881 section checked */
	const char *flags;	/* space separated tags */
	const char *deps;	/* codes this case builds on */
	dc_case_fn fn;
};

void dc_fail(struct dc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dc_skip(struct dc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dc_note(struct dc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A client owner string unique to this run, case and call. */
void dc_owner(struct dc_ctx *ctx, char *buf, size_t len);
/* A file name unique to this run and case. */
void dc_name(struct dc_ctx *ctx, const char *what, char *buf, size_t len);

/* Client with a fresh owner, connected; nothing sent yet. */
int dc_ctx_client(struct dc_ctx *ctx, struct dc_client *cl);
/*
 * Client with a fresh owner, connected, after EXCHANGE_ID (flag
 * USE_NON_PNFS) and no session yet.  Connecting, the reply and its
 * NFS4_OK are a check each; false, with the case failed, when one fails.
 */
bool dc_ctx_exchanged(struct dc_ctx *ctx, struct dc_client *cl);
/* Client with a fresh owner, EXCHANGE_ID + session + RECLAIM_COMPLETE. */
int dc_ctx_mounted(struct dc_ctx *ctx, struct dc_client *cl);
/*
 * Two mounted clients for a case where A and B meet: dc_ctx_mounted()
 * of a, then of b, each a check; false, with the case failed naming
 * which one, when a mount did not work.
 */
bool dc_ctx_mounted_pair(struct dc_ctx *ctx, struct dc_client *a,
			 struct dc_client *b);
/*
 * dc_ctx_mounted() as the caller auth (NULL: AUTH_SYS uid 0, the suite's
 * default) on the suite's export with suffix (NULL: none) appended to
 * its path, e.g. "-squash".
 */
int dc_ctx_mounted_as(struct dc_ctx *ctx, struct dc_client *cl,
		      const struct dc_auth *auth, const char *suffix);

/*
 * dc_ctx_mounted() as AUTH_SYS uid with primary group gid and the
 * ngroups supplementary groups (groups may be NULL when ngroups is 0).
 * False, with the case failed, when the mount did not work.
 */
bool dc_ctx_mounted_user(struct dc_ctx *ctx, struct dc_client *cl,
			 uint32_t uid, uint32_t gid, uint32_t ngroups,
			 const uint32_t *groups);

/*
 * A case's own directory in the export, made by the suite's uid 0
 * client (on the No_Root_Squash export) and removed with all below it
 * afterwards.  Zero it before dc_scratch_setup(); dc_scratch_teardown()
 * is safe whatever setup got to.
 */
struct dc_scratch {
	struct dc_client root;	/* uid 0 */
	nfs_fh4 top;		/* the export's root */
	nfs_fh4 dir;		/* the case's directory, root:root 0777 */
	char name[96];		/* its name in top (dc_name(ctx, "d")) */
};

/* Mount root and make the directory; false with the case failed. */
bool dc_scratch_setup(struct dc_ctx *ctx, struct dc_scratch *s);
/* Remove the directory (best effort) and let go of root. */
void dc_scratch_teardown(struct dc_scratch *s);

/*
 * Two heads on one store (CLUSTER cases, run.sh --heads 2): head 0 is
 * the suite's server, head 1 the second one (ctx->srv2).  On each, a
 * uid 0 client and the case's scratch directory as that client sees it
 * (made on head 0, found on head 1 by LOOKUP).
 */
struct dc_heads {
	struct dc_scratch s;	/* on head 0; removes the directory */
	struct dc_client other;	/* uid 0 on head 1 */
	nfs_fh4 other_top, other_dir;
	struct dc_client *cl[2];
	const nfs_fh4 *dir[2];
};

/*
 * Zero h first.  False with the case failed, or skipped when the run
 * has no second head; dc_heads_teardown() is safe whatever setup got to.
 */
bool dc_heads_setup(struct dc_ctx *ctx, struct dc_heads *h);
void dc_heads_teardown(struct dc_heads *h);
/*
 * As root: make the regular file name in the directory through head w,
 * then LOOKUP it through the other head, its handle there in *fh.
 */
bool dc_heads_make(struct dc_ctx *ctx, struct dc_heads *h, int w,
		   const char *name, nfs_fh4 *fh);
/*
 * Set up, seen(ctx, h, 0) (head 0 changes, head 1 reads), then if that
 * held seen(ctx, h, 1), tear down.  seen returns false with the case
 * failed.
 */
void dc_heads_both_ways(struct dc_ctx *ctx,
			bool (*seen)(struct dc_ctx *ctx, struct dc_heads *h,
				     int writer));

/*
 * Steps that check as they go: each counts as a check and returns true
 * when it worked, else fails the case with a message naming the step
 * (the caller then leaves through its "out" label).
 */

/*
 * As root: make name in dir, a regular file (NF4REG) or a CREATE type
 * (NF4DIR, NF4FIFO...), then SETATTR owner uid:gid and after that mode
 * (a chown would clear the set-ID bits).  Its handle in *fh unless NULL.
 */
bool dc_scratch_make(struct dc_ctx *ctx, struct dc_scratch *s,
		     const nfs_fh4 *dir, nfs_ftype4 type, const char *name,
		     uint32_t uid, uint32_t gid, uint32_t mode, nfs_fh4 *fh);
/* As root: SETATTR the mode, or the owner and group, of fh. */
bool dc_scratch_chmod(struct dc_ctx *ctx, struct dc_scratch *s,
		      const nfs_fh4 *fh, uint32_t mode);
bool dc_scratch_chown(struct dc_ctx *ctx, struct dc_scratch *s,
		      const nfs_fh4 *fh, uint32_t uid, uint32_t gid);

/* GETATTR of fh as cl into *ga, with mode, owner and group; what names fh. */
bool dc_check_getattr(struct dc_ctx *ctx, struct dc_client *cl,
		      const nfs_fh4 *fh, struct dc_gattr *ga, const char *what);
/* fh has mode (07777 bits), owner uid and group gid (-1: any), as cl sees. */
bool dc_check_mode_owner(struct dc_ctx *ctx, struct dc_client *cl,
			 const nfs_fh4 *fh, uint32_t mode, int64_t uid,
			 int64_t gid, const char *what);
/* fh's mtime seconds are within min..max, as cl sees them. */
bool dc_check_mtime(struct dc_ctx *ctx, struct dc_client *cl,
		    const nfs_fh4 *fh, int64_t min, int64_t max,
		    const char *what);
/* name is (want) or is not (!want) in dir: LOOKUP as cl. */
bool dc_check_entry(struct dc_ctx *ctx, struct dc_client *cl,
		    const nfs_fh4 *dir, const char *name, bool want,
		    const char *what);
/* name is (want) or is not (!want) among dir's entries: READDIR as cl. */
bool dc_check_listed(struct dc_ctx *ctx, struct dc_client *cl,
		     const nfs_fh4 *dir, const char *name, bool want,
		     const char *what);
/* As cl (who names it): OPEN name in dir for write, WRITE a byte, CLOSE. */
bool dc_check_write(struct dc_ctx *ctx, struct dc_client *cl,
		    const nfs_fh4 *dir, const char *name, const char *who);

/*
 * The end of a case's file: CLOSE fh (open under sid), then REMOVE name
 * from dir (the export when NULL), each NFS4_OK; false, with the case
 * failed, when either is not.
 */
bool dc_check_close_remove(struct dc_ctx *ctx, struct dc_client *cl,
			   const nfs_fh4 *dir, const char *name,
			   const nfs_fh4 *fh, const stateid4 *sid);

/* What dc_check_garbage() got. */
enum dc_garbage {
	DC_GARBAGE_FAILED,	/* none of these: the case failed */
	DC_GARBAGE_RPC,		/* RPC GARBAGE_ARGS */
	DC_GARBAGE_BADXDR,	/* NFS4ERR_BADXDR */
	DC_GARBAGE_ALT,		/* alt as the last result */
};
/*
 * Send b[0..n), COMPOUND arguments the server cannot decode, on cl's
 * conns[0]: RPC GARBAGE_ARGS (RFC 5531) or NFS4ERR_BADXDR (15.1.1.1) is
 * right or, when alt is not NFS4_OK, alt as the last result; then the
 * same connection must still answer NULL.  slot (may be NULL) is the
 * slot of the bytes' SEQUENCE, given back to cl.  what names the bytes.
 */
enum dc_garbage dc_check_garbage(struct dc_ctx *ctx, struct dc_client *cl,
				 const uint8_t *b, size_t n, nfsstat4 alt,
				 const uint32_t *slot, const char *what);

/*
 * The server's lease_time in seconds as cl (mounted) reads it; 0, with
 * the case failed, when it could not be read.
 */
uint32_t dc_check_lease(struct dc_ctx *ctx, struct dc_client *cl);
/*
 * Wait ms milliseconds while cl renews its lease with a SEQUENCE every
 * every_ms; false, with the case failed, when a renewal is not NFS4_OK.
 */
bool dc_renew_wait(struct dc_ctx *ctx, struct dc_client *cl, unsigned ms,
		   unsigned every_ms);

/*
 * Assertions: on failure record the reason and leave the case through
 * its "out" label, where it cleans up.
 */
#define EXPECT(cond, ...)                                                      \
	do {                                                                   \
		ctx->checks++;                                                 \
		if (!(cond)) {                                                 \
			dc_fail(ctx, __VA_ARGS__);                             \
			goto out;                                              \
		}                                                              \
	} while (0)

#define EXPECT_STATUS(got, want, what)                                         \
	EXPECT((got) == (want), "%s: got %s, expected %s", (what),             \
	       dc_nfsstat_name(got), dc_nfsstat_name(want))

/*
 * A transport-level error (no reply at all) fails the case; rc may be
 * the call itself, so it is evaluated once.
 */
#define EXPECT_RPC(rc, what)                                                   \
	do {                                                                   \
		int rc_ = (rc);                                                \
		EXPECT(rc_ == 0, "%s: transport error %d (%s)", (what), rc_,  \
		       strerror(-rc_));                                        \
	} while (0)

/* A reply came (else EXPECT_RPC's failure) and its status is NFS4_OK. */
#define EXPECT_OK(rc, got, what)                                               \
	do {                                                                   \
		EXPECT_RPC(rc, what);                                          \
		EXPECT_STATUS(got, NFS4_OK, what);                             \
	} while (0)

/*
 * A reply came (rc 0, else EXPECT_RPC's failure) with status want; the
 * rest is a printf-style description of the step.
 */
#define EXPECT_OP(rc, got, want, ...)                                          \
	do {                                                                   \
		char what_[256];                                               \
		snprintf(what_, sizeof(what_), __VA_ARGS__);                   \
		EXPECT_RPC(rc, what_);                                         \
		EXPECT_STATUS(got, want, what_);                               \
	} while (0)

/* The branch taken was itself the check (e.g. one of two allowed). */
#define CHECKED() ((void)ctx->checks++)

#define SKIP(...)                                                              \
	do {                                                                   \
		dc_skip(ctx, __VA_ARGS__);                                     \
		goto out;                                                      \
	} while (0)

/* Case tables, one per area, each ending with a NULL code. */
extern const struct dc_case dc_cases_exchange_id[];
extern const struct dc_case dc_cases_create_session[];
extern const struct dc_case dc_cases_sequence[];
extern const struct dc_case dc_cases_bind_conn[];
extern const struct dc_case dc_cases_lifecycle[];
extern const struct dc_case dc_cases_stateid[];
extern const struct dc_case dc_cases_ops[];
extern const struct dc_case dc_cases_coex[];
extern const struct dc_case dc_cases_cbsim[];
extern const struct dc_case dc_cases_xdr[];
extern const struct dc_case dc_cases_deleg[];
extern const struct dc_case dc_cases_data[];
extern const struct dc_case dc_cases_dirdeleg[];
extern const struct dc_case dc_cases_dirdeleg_notify[];
extern const struct dc_case dc_cases_session_limits[];
extern const struct dc_case dc_cases_session_ext[];
extern const struct dc_case dc_cases_grace[];
extern const struct dc_case dc_cases_nlm[];
extern const struct dc_case dc_cases_badinput[];
extern const struct dc_case dc_cases_cb_lifetime[];
extern const struct dc_case dc_cases_dir_race[];
extern const struct dc_case dc_cases_perm[];
extern const struct dc_case dc_cases_io_edge[];
extern const struct dc_case dc_cases_lease_state[];
extern const struct dc_case dc_cases_lock_notify[];
extern const struct dc_case dc_cases_share[];
extern const struct dc_case dc_cases_churn[];
extern const struct dc_case dc_cases_conn_bounds[];
extern const struct dc_case dc_cases_remove_race[];
extern const struct dc_case dc_cases_attr_deleg[];
extern const struct dc_case dc_cases_cluster[];

#endif

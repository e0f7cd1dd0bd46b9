// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Helpers shared by conformance cases: results, unique names, clients,
 * a per-case scratch directory and steps that check as they go.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "case.h"

void dc_fail(struct dc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->reason, sizeof(ctx->reason), fmt, ap);
	va_end(ap);
	ctx->result = DC_FAIL;
}

void dc_skip(struct dc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->reason, sizeof(ctx->reason), fmt, ap);
	va_end(ap);
	ctx->result = DC_SKIP;
}

void dc_note(struct dc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->note, sizeof(ctx->note), fmt, ap);
	va_end(ap);
}

void dc_owner(struct dc_ctx *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "ditto-%s-%s-%u", ctx->run_id, ctx->code,
		 ++ctx->owner_seq);
}

void dc_name(struct dc_ctx *ctx, const char *what, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s-%s", ctx->code, ctx->run_id, what);
}

int dc_ctx_client(struct dc_ctx *ctx, struct dc_client *cl)
{
	char owner[128];

	dc_owner(ctx, owner, sizeof(owner));
	return dc_client_init(cl, &ctx->srv, owner);
}

bool dc_ctx_exchanged(struct dc_ctx *ctx, struct dc_client *cl)
{
	nfsstat4 st = NFS4_OK;
	int rc = dc_ctx_client(ctx, cl);

	ctx->checks++;
	if (rc) {
		dc_fail(ctx, "connect: transport error %d (%s)", rc,
			strerror(-rc));
		return false;
	}
	rc = dc_client_exchange_id(cl, EXCHGID4_FLAG_USE_NON_PNFS, &st);
	ctx->checks += 2;
	if (rc)
		dc_fail(ctx, "EXCHANGE_ID: transport error %d (%s)", rc,
			strerror(-rc));
	else if (st != NFS4_OK)
		dc_fail(ctx, "EXCHANGE_ID: got %s, expected NFS4_OK",
			dc_nfsstat_name(st));
	return !rc && st == NFS4_OK;
}

int dc_ctx_mounted(struct dc_ctx *ctx, struct dc_client *cl)
{
	int rc = dc_ctx_client(ctx, cl);

	if (rc)
		return rc;
	return dc_client_mount(cl);
}

bool dc_ctx_mounted_pair(struct dc_ctx *ctx, struct dc_client *a,
			 struct dc_client *b)
{
	struct dc_client *cl[2] = { a, b };
	unsigned int i;
	int rc;

	for (i = 0; i < 2; i++) {
		rc = dc_ctx_mounted(ctx, cl[i]);
		ctx->checks++;
		if (rc) {
			dc_fail(ctx, "mount %c: transport error %d (%s)",
				'A' + i, rc, strerror(-rc));
			return false;
		}
	}
	return true;
}

int dc_ctx_mounted_as(struct dc_ctx *ctx, struct dc_client *cl,
		      const struct dc_auth *auth, const char *suffix)
{
	struct dc_server srv = ctx->srv;
	char owner[128];
	int rc;

	if (suffix)
		snprintf(srv.export, sizeof(srv.export), "%s%s",
			 ctx->srv.export, suffix);
	dc_owner(ctx, owner, sizeof(owner));
	rc = dc_client_init(cl, &srv, owner);
	if (rc)
		return rc;
	if (auth)
		cl->auth = *auth;
	return dc_client_mount(cl);
}

bool dc_ctx_mounted_user(struct dc_ctx *ctx, struct dc_client *cl, uint32_t uid,
			 uint32_t gid, uint32_t ngroups, const uint32_t *groups)
{
	struct dc_auth auth;
	int rc;

	dc_auth_sys_groups(&auth, uid, gid, ngroups, groups);
	rc = dc_ctx_mounted_as(ctx, cl, &auth, NULL);
	if (rc)
		dc_fail(ctx, "mount as uid %u: transport error %d (%s)", uid,
			rc, strerror(-rc));
	return !rc;
}

bool dc_scratch_setup(struct dc_ctx *ctx, struct dc_scratch *s)
{
	nfsstat4 st = NFS4_OK;
	int rc;

	rc = dc_ctx_mounted(ctx, &s->root);
	if (rc) {
		dc_fail(ctx, "mount as root: transport error %d", rc);
		return false;
	}
	rc = dc_fs_export_fh(&s->root, &s->top, &st);
	if (rc || st != NFS4_OK) {
		dc_fail(ctx, "export handle: rc %d, %s", rc,
			dc_nfsstat_name(st));
		return false;
	}
	dc_name(ctx, "d", s->name, sizeof(s->name));
	dc_fs_remove_tree(&s->root, &s->top, s->name);
	rc = dc_fs_create(&s->root, &s->top, NF4DIR, s->name, NULL, NULL,
			  &s->dir, &st);
	if (!rc && st == NFS4_OK)
		rc = dc_fs_chmod(&s->root, &s->dir, 0777, &st);
	if (rc || st != NFS4_OK) {
		dc_fail(ctx, "root: make %s 0777: rc %d, %s", s->name, rc,
			dc_nfsstat_name(st));
		return false;
	}
	return true;
}

void dc_scratch_teardown(struct dc_scratch *s)
{
	if (s->root.have_session && s->top.nfs_fh4_len)
		dc_fs_remove_tree(&s->root, &s->top, s->name);
	dc_fh_free(&s->dir);
	dc_fh_free(&s->top);
	dc_client_destroy(&s->root);
}

bool dc_scratch_make(struct dc_ctx *ctx, struct dc_scratch *s,
		     const nfs_fh4 *dir, nfs_ftype4 type, const char *name,
		     uint32_t uid, uint32_t gid, uint32_t mode, nfs_fh4 *fh)
{
	nfs_fh4 local = { 0 };
	nfsstat4 st = NFS4_OK;
	const char *step = "create";
	int rc;

	if (!fh)
		fh = &local;
	if (type == NF4REG)
		rc = dc_fs_open(&s->root, dir, name, true,
				OPEN4_SHARE_ACCESS_BOTH, NULL, NULL, NULL, &st);
	else
		rc = dc_fs_create(&s->root, dir, type, name, NULL, NULL, NULL,
				  &st);
	if (!rc && st == NFS4_OK) {
		step = "LOOKUP";
		rc = dc_fs_lookup(&s->root, dir, name, fh, &st);
	}
	if (!rc && st == NFS4_OK) {
		step = "chown";
		rc = dc_fs_chown(&s->root, fh, uid, gid, &st);
	}
	if (!rc && st == NFS4_OK) {
		step = "chmod";
		rc = dc_fs_chmod(&s->root, fh, mode, &st);
	}
	dc_fh_free(&local);
	ctx->checks++;
	if (rc || st != NFS4_OK) {
		dc_fail(ctx, "root: %s of %s (%u:%u 0%o): rc %d, %s", step,
			name, uid, gid, mode, rc, dc_nfsstat_name(st));
		return false;
	}
	return true;
}

bool dc_scratch_chmod(struct dc_ctx *ctx, struct dc_scratch *s,
		      const nfs_fh4 *fh, uint32_t mode)
{
	nfsstat4 st = NFS4_OK;
	int rc = dc_fs_chmod(&s->root, fh, mode, &st);

	ctx->checks++;
	if (rc || st != NFS4_OK)
		dc_fail(ctx, "root: chmod 0%o: rc %d, %s", mode, rc,
			dc_nfsstat_name(st));
	return !rc && st == NFS4_OK;
}

bool dc_scratch_chown(struct dc_ctx *ctx, struct dc_scratch *s,
		      const nfs_fh4 *fh, uint32_t uid, uint32_t gid)
{
	nfsstat4 st = NFS4_OK;
	int rc = dc_fs_chown(&s->root, fh, uid, gid, &st);

	ctx->checks++;
	if (rc || st != NFS4_OK)
		dc_fail(ctx, "root: chown %u:%u: rc %d, %s", uid, gid, rc,
			dc_nfsstat_name(st));
	return !rc && st == NFS4_OK;
}

bool dc_check_getattr(struct dc_ctx *ctx, struct dc_client *cl,
		      const nfs_fh4 *fh, struct dc_gattr *ga, const char *what)
{
	const unsigned int need = DC_GA_MODE | DC_GA_OWNER | DC_GA_GROUP;
	nfsstat4 st = NFS4_OK;
	int rc = dc_fs_getattr(cl, fh, ga, &st);

	ctx->checks++;
	if (rc || st != NFS4_OK)
		dc_fail(ctx, "GETATTR of %s: rc %d, %s", what, rc,
			dc_nfsstat_name(st));
	else if ((ga->have & need) != need)
		dc_fail(ctx, "GETATTR of %s: no mode, owner or group", what);
	else
		return true;
	return false;
}

bool dc_check_mode_owner(struct dc_ctx *ctx, struct dc_client *cl,
			 const nfs_fh4 *fh, uint32_t mode, int64_t uid,
			 int64_t gid, const char *what)
{
	struct dc_gattr ga;

	if (!dc_check_getattr(ctx, cl, fh, &ga, what))
		return false;
	ctx->checks++;
	if ((ga.mode & 07777) != mode || (uid >= 0 && ga.uid != uid) ||
	    (gid >= 0 && ga.gid != gid)) {
		dc_fail(ctx,
			"%s: mode 0%o owner %s group %s, expected 0%o %lld:%lld",
			what, ga.mode & 07777, ga.owner, ga.group, mode,
			(long long)uid, (long long)gid);
		return false;
	}
	return true;
}

bool dc_check_mtime(struct dc_ctx *ctx, struct dc_client *cl, const nfs_fh4 *fh,
		    int64_t min, int64_t max, const char *what)
{
	struct dc_gattr ga;

	if (!dc_check_getattr(ctx, cl, fh, &ga, what))
		return false;
	ctx->checks++;
	if (!(ga.have & DC_GA_MTIME) || ga.mtime.seconds < min ||
	    ga.mtime.seconds > max) {
		dc_fail(ctx, "%s: mtime %lld, expected %lld..%lld", what,
			(long long)ga.mtime.seconds, (long long)min,
			(long long)max);
		return false;
	}
	return true;
}

bool dc_check_entry(struct dc_ctx *ctx, struct dc_client *cl,
		    const nfs_fh4 *dir, const char *name, bool want,
		    const char *what)
{
	nfsstat4 st = NFS4_OK;
	int rc = dc_fs_lookup(cl, dir, name, NULL, &st);

	ctx->checks++;
	if (rc)
		dc_fail(ctx, "%s: LOOKUP %s: transport error %d", what, name,
			rc);
	else if (want && st != NFS4_OK)
		dc_fail(ctx, "%s: %s is gone (LOOKUP %s)", what, name,
			dc_nfsstat_name(st));
	else if (!want && st != NFS4ERR_NOENT)
		dc_fail(ctx, "%s: %s is still there (LOOKUP %s)", what, name,
			dc_nfsstat_name(st));
	else
		return true;
	return false;
}

struct listed {
	const char *name;
	bool found;
};

static void note_listed(void *arg, const char *name,
			const struct dc_gattr *ga)
{
	struct listed *l = arg;

	(void)ga;
	if (!name)
		l->found = false;	/* listing restarted */
	else if (!strcmp(name, l->name))
		l->found = true;
}

bool dc_check_listed(struct dc_ctx *ctx, struct dc_client *cl,
		     const nfs_fh4 *dir, const char *name, bool want,
		     const char *what)
{
	struct listed l = { .name = name };
	nfsstat4 st = NFS4_OK;
	int rc = dc_fs_readdir_each(cl, dir, note_listed, &l, &st);

	ctx->checks++;
	if (rc || st != NFS4_OK)
		dc_fail(ctx, "%s: READDIR: rc %d, %s", what, rc,
			dc_nfsstat_name(st));
	else if (want && !l.found)
		dc_fail(ctx, "%s: READDIR does not list %s", what, name);
	else if (!want && l.found)
		dc_fail(ctx, "%s: READDIR still lists %s", what, name);
	else
		return true;
	return false;
}

bool dc_heads_setup(struct dc_ctx *ctx, struct dc_heads *h)
{
	char owner[128];
	nfsstat4 st = NFS4_OK;
	int rc;

	if (!ctx->have_srv2) {
		dc_skip(ctx, "needs a second head on the same store (run.sh --heads 2)");
		return false;
	}
	if (!dc_scratch_setup(ctx, &h->s))
		return false;
	dc_owner(ctx, owner, sizeof(owner));
	rc = dc_client_init(&h->other, &ctx->srv2, owner);
	if (!rc)
		rc = dc_client_mount(&h->other);
	if (!rc)
		rc = dc_fs_export_fh(&h->other, &h->other_top, &st);
	if (!rc && st == NFS4_OK)
		rc = dc_fs_lookup(&h->other, &h->other_top, h->s.name,
				  &h->other_dir, &st);
	if (rc || st != NFS4_OK) {
		dc_fail(ctx, "second head %s:%d: LOOKUP %s: rc %d, %s",
			ctx->srv2.host, ctx->srv2.port, h->s.name, rc,
			dc_nfsstat_name(st));
		return false;
	}
	h->cl[0] = &h->s.root;
	h->cl[1] = &h->other;
	h->dir[0] = &h->s.dir;
	h->dir[1] = &h->other_dir;
	return true;
}

void dc_heads_teardown(struct dc_heads *h)
{
	dc_fh_free(&h->other_dir);
	dc_fh_free(&h->other_top);
	dc_client_destroy(&h->other);
	dc_scratch_teardown(&h->s);
}

bool dc_heads_make(struct dc_ctx *ctx, struct dc_heads *h, int w,
		   const char *name, nfs_fh4 *fh)
{
	nfsstat4 st = NFS4_OK;
	int r = !w;

	EXPECT_OP(dc_fs_mkfile(h->cl[w], h->dir[w], name, 0644, &st), st,
		  NFS4_OK, "create %s on head %d", name, w);
	EXPECT_OP(dc_fs_lookup(h->cl[r], h->dir[r], name, fh, &st), st,
		  NFS4_OK, "LOOKUP %s on head %d", name, r);
	return true;
out:
	return false;
}

void dc_heads_both_ways(struct dc_ctx *ctx,
			bool (*seen)(struct dc_ctx *ctx, struct dc_heads *h,
				     int writer))
{
	struct dc_heads h = { 0 };

	if (dc_heads_setup(ctx, &h) && seen(ctx, &h, 0))
		seen(ctx, &h, 1);
	dc_heads_teardown(&h);
}

bool dc_check_write(struct dc_ctx *ctx, struct dc_client *cl,
		    const nfs_fh4 *dir, const char *name, const char *who)
{
	nfs_fh4 fh = { 0 };
	stateid4 sid;
	nfsstat4 st = NFS4_OK;
	const char *step = "OPEN for write";
	int rc;

	rc = dc_fs_open(cl, dir, name, false, OPEN4_SHARE_ACCESS_WRITE, NULL,
			&sid, &fh, &st);
	if (!rc && st == NFS4_OK) {
		step = "WRITE";
		rc = dc_fs_write(cl, &fh, &sid, 0, "x", 1, &st);
		dc_client_close_file(cl, &fh, &sid, &(nfsstat4){ 0 });
	}
	dc_fh_free(&fh);
	ctx->checks++;
	if (rc || st != NFS4_OK) {
		dc_fail(ctx, "%s: %s of %s: rc %d, %s", who, step, name, rc,
			dc_nfsstat_name(st));
		return false;
	}
	return true;
}

bool dc_check_close_remove(struct dc_ctx *ctx, struct dc_client *cl,
			   const nfs_fh4 *dir, const char *name,
			   const nfs_fh4 *fh, const stateid4 *sid)
{
	nfsstat4 st = NFS4_OK;
	int rc;

	rc = dc_client_close_file(cl, fh, sid, &st);
	EXPECT_OK(rc, st, "CLOSE");
	rc = dc_fs_remove(cl, dir, name, &st);
	EXPECT_OK(rc, st, "REMOVE");
	return true;
out:
	return false;
}

uint32_t dc_check_lease(struct dc_ctx *ctx, struct dc_client *cl)
{
	uint32_t lease = 0;
	nfsstat4 st = NFS4_OK;
	int rc = dc_fs_lease_time(cl, &lease, &st);

	ctx->checks++;
	if (rc || st != NFS4_OK || lease == 0) {
		dc_fail(ctx, "GETATTR lease_time: rc %d, %s, lease %u s", rc,
			dc_nfsstat_name(st), lease);
		return 0;
	}
	return lease;
}

bool dc_renew_wait(struct dc_ctx *ctx, struct dc_client *cl, unsigned ms,
		   unsigned every_ms)
{
	unsigned step;
	nfsstat4 st = NFS4_OK;
	int rc;

	if (every_ms == 0)
		every_ms = 1000;
	while (ms > 0) {
		step = ms < every_ms ? ms : every_ms;
		usleep(step * 1000u);
		ms -= step;
		rc = dc_client_simple(cl, NULL, NULL, NULL, &st);
		ctx->checks++;
		if (rc || st != NFS4_OK) {
			dc_fail(ctx, "SEQUENCE renewing the lease: rc %d, %s",
				rc, dc_nfsstat_name(st));
			return false;
		}
	}
	return true;
}

enum dc_garbage dc_check_garbage(struct dc_ctx *ctx, struct dc_client *cl,
				 const uint8_t *b, size_t n, nfsstat4 alt,
				 const uint32_t *slot, const char *what)
{
	enum dc_garbage got = DC_GARBAGE_FAILED;
	struct dc_cres r = { 0 };
	unsigned int nres;
	nfsstat4 last;
	int rc;

	rc = dc_rpc_call_bytes(cl->conns[0], &cl->auth, NFS4_PROGRAM, NFS_V4,
			       NFS4_PROC_COMPOUND, b, n, &r.rpc,
			       DC_DEFAULT_TIMEOUT_MS);
	if (slot) {
		/* The slot moved on only if SEQUENCE ran. */
		if (!rc && r.rpc.accept_stat == DC_SUCCESS)
			dc_cres_decode(&r);
		dc_client_slot_done(cl, *slot, r.decoded ? &r : NULL);
	}
	EXPECT_RPC(rc, what);
	EXPECT(r.rpc.reply_stat == DC_MSG_ACCEPTED, "%s: RPC denied (%u)",
	       what, r.rpc.reject_stat);
	if (r.rpc.accept_stat == DC_GARBAGE_ARGS) {
		CHECKED();
		got = DC_GARBAGE_RPC;
	} else {
		EXPECT(r.rpc.accept_stat == DC_SUCCESS, "%s: accept_stat %u",
		       what, r.rpc.accept_stat);
		EXPECT(r.decoded || dc_cres_decode(&r) == 0,
		       "%s: reply undecodable", what);
		nres = r.res.resarray.resarray_len;
		last = nres ? dc_cres_status(&r, nres - 1) : (nfsstat4)-1;
		if (alt == NFS4_OK || r.res.status == NFS4ERR_BADXDR) {
			EXPECT_STATUS(r.res.status, NFS4ERR_BADXDR, what);
			got = DC_GARBAGE_BADXDR;
		} else {
			EXPECT_STATUS(last, alt, what);
			got = DC_GARBAGE_ALT;
		}
	}
	rc = dc_rpc_null(cl->conns[0], NFS4_PROGRAM, NFS_V4,
			 DC_DEFAULT_TIMEOUT_MS);
	EXPECT(rc == 0, "NULL on the same connection after %s: %d", what, rc);
	dc_cres_free(&r);
	return got;
out:
	dc_cres_free(&r);
	return DC_GARBAGE_FAILED;
}

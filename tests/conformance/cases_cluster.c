// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Two heads on one store (issue 16, docs/postgres.md "Several heads"):
 * what a client changes through one head, a client of the other head
 * sees in its next request (RFC 8881 1.4.3: a server presents one file
 * system, whichever head answers).  Each case first makes the reader's
 * head cache the state (LOOKUP, GETATTR, READDIR), then changes it
 * through the writer's head, then reads again through the reader's;
 * and the same with the heads swapped.  A head whose cache is not told
 * of the other's commits answers the second read from its cache.
 *
 * CLUSTER7 moves two directories into each other at once, one move
 * through each head: one must win and the other be refused, never both
 * (a cycle), nothing lost; a commit conflict between the heads reaches
 * the client as NFS4ERR_DELAY, which it retries.
 *
 * Needs run.sh --heads 2 (two heads on one PostgreSQL store); without a
 * second head the cases are skipped.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "case.h"

#define CL_WRITE_LEN 8192u
#define CL_STATFS_LEN (1024u * 1024u)
#define CL_STATFS_CHUNK 65536u
#define CL_MOVE_ROUNDS 10
/* NFS4ERR_DELAY answers retried, 10 ms apart */
#define CL_MOVE_TRIES 100

/* The step "head r after what head w did". */
static void said(char *buf, size_t len, int r, int w, const char *what)
{
	snprintf(buf, len, "head %d after %s on head %d", r, what, w);
}

/* ---- CLUSTER1: create --------------------------------------------- */

static bool create_seen(struct dc_ctx *ctx, struct dc_heads *h, int w)
{
	int r = !w;
	char file[16], sub[16], step[96];
	struct dc_gattr g0, g1;
	nfsstat4 st = NFS4_OK;
	int rc;

	snprintf(file, sizeof(file), "f%d", w);
	snprintf(sub, sizeof(sub), "d%d", w);
	/* The reader's head caches the directory: listing and attributes. */
	if (!dc_check_listed(ctx, h->cl[r], h->dir[r], file, false, "before") ||
	    !dc_check_entry(ctx, h->cl[r], h->dir[r], sub, false, "before"))
		goto out;
	rc = dc_fs_getattr(h->cl[r], h->dir[r], &g0, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR of the directory on head %d", r);
	EXPECT_OP(dc_fs_mkfile(h->cl[w], h->dir[w], file, 0644, &st), st,
		  NFS4_OK, "create %s on head %d", file, w);
	EXPECT_OP(dc_fs_mkdir(h->cl[w], h->dir[w], sub, 0755, NULL, &st), st,
		  NFS4_OK, "mkdir %s on head %d", sub, w);
	said(step, sizeof(step), r, w, "create");
	if (!dc_check_entry(ctx, h->cl[r], h->dir[r], file, true, step) ||
	    !dc_check_entry(ctx, h->cl[r], h->dir[r], sub, true, step) ||
	    !dc_check_listed(ctx, h->cl[r], h->dir[r], file, true, step) ||
	    !dc_check_listed(ctx, h->cl[r], h->dir[r], sub, true, step))
		goto out;
	rc = dc_fs_getattr(h->cl[r], h->dir[r], &g1, &st);
	EXPECT_OP(rc, st, NFS4_OK, "%s: GETATTR of the directory", step);
	EXPECT(g1.change != g0.change,
	       "%s: the directory's change attribute is still %llu", step,
	       (unsigned long long)g1.change);
	EXPECT(g1.numlinks == g0.numlinks + 1,
	       "%s: the directory has %u links, expected %u (one more subdirectory)",
	       step, g1.numlinks, g0.numlinks + 1);
	return true;
out:
	return false;
}

static void cluster1_create(struct dc_ctx *ctx)
{
	dc_heads_both_ways(ctx, create_seen);
}

/* ---- CLUSTER2: rename in a directory and between directories ------- */

static bool rename_seen(struct dc_ctx *ctx, struct dc_heads *h, int w)
{
	int r = !w;
	char from[16], to[16], sub[16], step[96];
	nfs_fh4 fh = { 0 }, subw = { 0 }, subr = { 0 };
	struct dc_gattr g0, g1;
	nfsstat4 st = NFS4_OK;
	int rc;
	bool ok = false;

	snprintf(from, sizeof(from), "r%d", w);
	snprintf(to, sizeof(to), "s%d", w);
	snprintf(sub, sizeof(sub), "t%d", w);
	EXPECT_OP(dc_fs_mkdir(h->cl[w], h->dir[w], sub, 0755, &subw, &st), st,
		  NFS4_OK, "mkdir %s on head %d", sub, w);
	/* The reader's head caches both directories and the file. */
	if (!dc_heads_make(ctx, h, w, from, &fh))
		goto out;
	rc = dc_fs_lookup(h->cl[r], h->dir[r], sub, &subr, &st);
	EXPECT_OP(rc, st, NFS4_OK, "LOOKUP %s on head %d", sub, r);
	rc = dc_fs_getattr(h->cl[r], &fh, &g0, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR %s on head %d", from, r);
	if (!dc_check_listed(ctx, h->cl[r], h->dir[r], from, true, "before") ||
	    !dc_check_listed(ctx, h->cl[r], &subr, to, false, "before"))
		goto out;

	EXPECT_OP(dc_fs_rename(h->cl[w], h->dir[w], from, h->dir[w], to, &st),
		  st, NFS4_OK, "RENAME %s to %s on head %d", from, to, w);
	said(step, sizeof(step), r, w, "a RENAME in one directory");
	if (!dc_check_entry(ctx, h->cl[r], h->dir[r], from, false, step) ||
	    !dc_check_entry(ctx, h->cl[r], h->dir[r], to, true, step) ||
	    !dc_check_listed(ctx, h->cl[r], h->dir[r], from, false, step) ||
	    !dc_check_listed(ctx, h->cl[r], h->dir[r], to, true, step))
		goto out;

	EXPECT_OP(dc_fs_rename(h->cl[w], h->dir[w], to, &subw, to, &st), st,
		  NFS4_OK, "RENAME %s to %s/%s on head %d", to, sub, to, w);
	said(step, sizeof(step), r, w, "a RENAME between directories");
	if (!dc_check_entry(ctx, h->cl[r], h->dir[r], to, false, step) ||
	    !dc_check_listed(ctx, h->cl[r], h->dir[r], to, false, step) ||
	    !dc_check_entry(ctx, h->cl[r], &subr, to, true, step) ||
	    !dc_check_listed(ctx, h->cl[r], &subr, to, true, step))
		goto out;
	rc = dc_fs_getattr(h->cl[r], &fh, &g1, &st);
	EXPECT_OP(rc, st, NFS4_OK, "%s: GETATTR of the moved file", step);
	EXPECT(g1.fileid == g0.fileid, "%s: fileid %llu became %llu", step,
	       (unsigned long long)g0.fileid, (unsigned long long)g1.fileid);
	ok = true;
out:
	dc_fh_free(&fh);
	dc_fh_free(&subw);
	dc_fh_free(&subr);
	return ok;
}

static void cluster2_rename(struct dc_ctx *ctx)
{
	dc_heads_both_ways(ctx, rename_seen);
}

/* ---- CLUSTER3: remove --------------------------------------------- */

static bool remove_seen(struct dc_ctx *ctx, struct dc_heads *h, int w)
{
	int r = !w;
	char name[16], step[96];
	nfs_fh4 fh = { 0 };
	struct dc_gattr ga;
	nfsstat4 st = NFS4_OK;
	int rc;
	bool ok = false;

	snprintf(name, sizeof(name), "x%d", w);
	if (!dc_heads_make(ctx, h, w, name, &fh))
		goto out;
	rc = dc_fs_getattr(h->cl[r], &fh, &ga, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR %s on head %d", name, r);
	if (!dc_check_listed(ctx, h->cl[r], h->dir[r], name, true, "before"))
		goto out;
	EXPECT_OP(dc_fs_remove(h->cl[w], h->dir[w], name, &st), st, NFS4_OK,
		  "REMOVE %s on head %d", name, w);
	said(step, sizeof(step), r, w, "REMOVE");
	if (!dc_check_entry(ctx, h->cl[r], h->dir[r], name, false, step) ||
	    !dc_check_listed(ctx, h->cl[r], h->dir[r], name, false, step))
		goto out;
	/* Its last name went and nobody has it open: the file is gone. */
	rc = dc_fs_getattr(h->cl[r], &fh, &ga, &st);
	EXPECT_OP(rc, st, NFS4ERR_STALE, "%s: GETATTR of its handle", step);
	ok = true;
out:
	dc_fh_free(&fh);
	return ok;
}

static void cluster3_remove(struct dc_ctx *ctx)
{
	dc_heads_both_ways(ctx, remove_seen);
}

/* ---- CLUSTER4: setattr -------------------------------------------- */

static bool setattr_seen(struct dc_ctx *ctx, struct dc_heads *h, int w)
{
	int r = !w;
	char name[16], step[96];
	nfs_fh4 fw = { 0 }, fr = { 0 };
	struct dc_sattr sa = { .set = DC_SA_MODE | DC_SA_OWNER | DC_SA_GROUP |
				      DC_SA_SIZE,
			       .mode = 0600, .uid = 7, .gid = 8, .size = 5 };
	struct dc_gattr ga;
	nfsstat4 st = NFS4_OK;
	int rc;
	bool ok = false;

	snprintf(name, sizeof(name), "a%d", w);
	if (!dc_heads_make(ctx, h, w, name, &fr))
		goto out;
	rc = dc_fs_lookup(h->cl[w], h->dir[w], name, &fw, &st);
	EXPECT_OP(rc, st, NFS4_OK, "LOOKUP %s on head %d", name, w);
	if (!dc_check_mode_owner(ctx, h->cl[r], &fr, 0644, 0, 0, "before"))
		goto out;
	EXPECT_OP(dc_fs_setattr(h->cl[w], &fw, NULL, &sa, &st), st, NFS4_OK,
		  "SETATTR mode, owner, group and size on head %d", w);
	said(step, sizeof(step), r, w, "SETATTR");
	if (!dc_check_mode_owner(ctx, h->cl[r], &fr, 0600, 7, 8, step))
		goto out;
	rc = dc_fs_getattr(h->cl[r], &fr, &ga, &st);
	EXPECT_OP(rc, st, NFS4_OK, "%s: GETATTR", step);
	EXPECT(ga.size == 5, "%s: size %llu, expected 5", step,
	       (unsigned long long)ga.size);
	ok = true;
out:
	dc_fh_free(&fw);
	dc_fh_free(&fr);
	return ok;
}

static void cluster4_setattr(struct dc_ctx *ctx)
{
	dc_heads_both_ways(ctx, setattr_seen);
}

/* ---- CLUSTER5: write ---------------------------------------------- */

/* WRITE len bytes of a pattern of seed to name in dir, FILE_SYNC4. */
static bool write_pattern(struct dc_ctx *ctx, struct dc_client *cl,
			  const nfs_fh4 *dir, const char *name, uint8_t seed,
			  uint32_t len, uint32_t chunk)
{
	static uint8_t buf[CL_STATFS_CHUNK];
	nfs_fh4 fh = { 0 };
	stateid4 sid;
	nfsstat4 st = NFS4_OK;
	uint32_t off, i;
	int rc;
	bool opened = false, ok = false;

	for (i = 0; i < chunk; i++)
		buf[i] = (uint8_t)(seed + i * 31u);
	rc = dc_fs_open(cl, dir, name, false, OPEN4_SHARE_ACCESS_WRITE, NULL,
			&sid, &fh, &st);
	EXPECT_OP(rc, st, NFS4_OK, "OPEN %s for write", name);
	opened = true;
	for (off = 0; off < len; off += chunk) {
		rc = dc_fs_write(cl, &fh, &sid, off, buf, chunk, &st);
		EXPECT_OP(rc, st, NFS4_OK, "WRITE %u bytes at %u to %s", chunk,
			  off, name);
	}
	ok = true;
out:
	if (opened) {
		rc = dc_client_close_file(cl, &fh, &sid, &st);
		ctx->checks++;
		if (ok && (rc || st != NFS4_OK)) {
			dc_fail(ctx, "CLOSE %s: rc %d, %s", name, rc,
				dc_nfsstat_name(st));
			ok = false;
		}
	}
	dc_fh_free(&fh);
	return ok;
}

static bool write_seen(struct dc_ctx *ctx, struct dc_heads *h, int w)
{
	static uint8_t got[CL_WRITE_LEN];
	const stateid4 anon = { 0 };
	int r = !w;
	char name[16], step[96];
	nfs_fh4 fh = { 0 };
	struct dc_gattr g0, g1;
	nfsstat4 st = NFS4_OK;
	uint32_t n = 0, i;
	bool eof = false, ok = false;
	int rc;

	snprintf(name, sizeof(name), "w%d", w);
	if (!dc_heads_make(ctx, h, w, name, &fh))
		goto out;
	rc = dc_fs_getattr(h->cl[r], &fh, &g0, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR %s on head %d", name, r);
	EXPECT(g0.size == 0, "a new file has size %llu",
	       (unsigned long long)g0.size);
	rc = dc_fs_read(h->cl[r], &fh, &anon, 0, CL_WRITE_LEN, got, &n, &eof,
			&st);
	EXPECT_OP(rc, st, NFS4_OK, "READ %s on head %d", name, r);
	EXPECT(n == 0 && eof, "READ of a new file: %u bytes, eof %d", n, eof);
	if (!write_pattern(ctx, h->cl[w], h->dir[w], name, (uint8_t)(w + 1),
			   CL_WRITE_LEN, CL_WRITE_LEN))
		goto out;
	said(step, sizeof(step), r, w, "WRITE");
	rc = dc_fs_getattr(h->cl[r], &fh, &g1, &st);
	EXPECT_OP(rc, st, NFS4_OK, "%s: GETATTR", step);
	EXPECT(g1.size == CL_WRITE_LEN, "%s: size %llu, expected %u", step,
	       (unsigned long long)g1.size, CL_WRITE_LEN);
	EXPECT(g1.change != g0.change, "%s: change attribute still %llu", step,
	       (unsigned long long)g1.change);
	rc = dc_fs_read(h->cl[r], &fh, &anon, 0, CL_WRITE_LEN, got, &n, &eof,
			&st);
	EXPECT_OP(rc, st, NFS4_OK, "%s: READ", step);
	EXPECT(n == CL_WRITE_LEN, "%s: READ %u bytes, expected %u", step, n,
	       CL_WRITE_LEN);
	for (i = 0; i < n && got[i] == (uint8_t)(w + 1 + i * 31u); i++)
		;
	EXPECT(i == n, "%s: READ byte %u differs from what was written", step,
	       i);
	ok = true;
out:
	dc_fh_free(&fh);
	return ok;
}

static void cluster5_write(struct dc_ctx *ctx)
{
	dc_heads_both_ways(ctx, write_seen);
}

/* ---- CLUSTER6: capacity (statfs) ---------------------------------- */

static bool same_statfs(struct dc_ctx *ctx, struct dc_heads *h,
			struct dc_statfs *f, const char *when)
{
	struct dc_statfs o;
	nfsstat4 st = NFS4_OK;
	int i;

	for (i = 0; i < 2; i++) {
		EXPECT_OP(dc_fs_statfs(h->cl[i], i ? &o : f, &st), st, NFS4_OK,
			  "%s: space and file counts on head %d", when, i);
	}
	EXPECT(f->ffree == o.ffree && f->ftotal == o.ftotal &&
		       f->sfree == o.sfree && f->stotal == o.stotal,
	       "%s: head 0 says %llu/%llu files and %llu/%llu bytes free, head 1 %llu/%llu and %llu/%llu",
	       when, (unsigned long long)f->ffree,
	       (unsigned long long)f->ftotal, (unsigned long long)f->sfree,
	       (unsigned long long)f->stotal, (unsigned long long)o.ffree,
	       (unsigned long long)o.ftotal, (unsigned long long)o.sfree,
	       (unsigned long long)o.stotal);
	return true;
out:
	return false;
}

static bool statfs_seen(struct dc_ctx *ctx, struct dc_heads *h, int w)
{
	struct dc_statfs f0, f1;
	char name[16], step[96];
	nfsstat4 st = NFS4_OK;

	snprintf(name, sizeof(name), "c%d", w);
	if (!same_statfs(ctx, h, &f0, "before"))
		goto out;
	EXPECT_OP(dc_fs_mkfile(h->cl[w], h->dir[w], name, 0644, &st), st,
		  NFS4_OK, "create %s on head %d", name, w);
	if (!write_pattern(ctx, h->cl[w], h->dir[w], name, 7, CL_STATFS_LEN,
			   CL_STATFS_CHUNK))
		goto out;
	snprintf(step, sizeof(step), "after 1 file of %u bytes on head %d",
		 CL_STATFS_LEN, w);
	if (!same_statfs(ctx, h, &f1, step))
		goto out;
	EXPECT(f1.ffree + 1 == f0.ffree, "%s: %llu files free, before %llu",
	       step, (unsigned long long)f1.ffree,
	       (unsigned long long)f0.ffree);
	EXPECT(f1.sfree + CL_STATFS_LEN <= f0.sfree,
	       "%s: %llu bytes free, before %llu", step,
	       (unsigned long long)f1.sfree, (unsigned long long)f0.sfree);
	EXPECT_OP(dc_fs_remove(h->cl[w], h->dir[w], name, &st), st, NFS4_OK,
		  "REMOVE %s on head %d", name, w);
	snprintf(step, sizeof(step), "after its REMOVE on head %d", w);
	if (!same_statfs(ctx, h, &f1, step))
		goto out;
	EXPECT(f1.ffree == f0.ffree && f1.sfree == f0.sfree,
	       "%s: %llu files and %llu bytes free, before %llu and %llu",
	       step, (unsigned long long)f1.ffree,
	       (unsigned long long)f1.sfree, (unsigned long long)f0.ffree,
	       (unsigned long long)f0.sfree);
	return true;
out:
	return false;
}

static void cluster6_statfs(struct dc_ctx *ctx)
{
	dc_heads_both_ways(ctx, statfs_seen);
}

/* ---- CLUSTER7: crossing directory moves from both heads ------------ */

struct mover {
	struct dc_client *cl;
	const nfs_fh4 *dir;	/* the scratch directory, as cl sees it */
	nfs_fh4 into;		/* the other directory, as cl sees it */
	const char *name;	/* the directory that moves */
	pthread_barrier_t *go;
	nfsstat4 st;
	int rc;
	unsigned int delays;
};

static void *move_into(void *arg)
{
	struct mover *m = arg;
	unsigned int i;

	pthread_barrier_wait(m->go);
	for (i = 0; i < CL_MOVE_TRIES; i++) {
		m->rc = dc_fs_rename(m->cl, m->dir, m->name, &m->into, m->name,
				     &m->st);
		if (m->rc || m->st != NFS4ERR_DELAY)
			break;
		m->delays++;
		usleep(10000);
	}
	return NULL;
}

/* LOOKUPP of dir, as cl sees it, is name in top. */
static bool parent_is(struct dc_ctx *ctx, struct dc_client *cl,
		      const nfs_fh4 *dir, const nfs_fh4 *top, const char *name,
		      const char *step)
{
	nfs_fh4 got = { 0 }, want = { 0 };
	struct dc_gattr g, w;
	nfsstat4 st = NFS4_OK;
	bool ok = false;

	EXPECT_OP(dc_fs_lookupp(cl, dir, &got, &st), st, NFS4_OK,
		  "%s: LOOKUPP of the moved directory", step);
	EXPECT_OP(dc_fs_getattr(cl, &got, &g, &st), st, NFS4_OK,
		  "%s: GETATTR of its parent", step);
	EXPECT_OP(dc_fs_lookup(cl, top, name, &want, &st), st, NFS4_OK,
		  "%s: LOOKUP %s", step, name);
	EXPECT_OP(dc_fs_getattr(cl, &want, &w, &st), st, NFS4_OK,
		  "%s: GETATTR %s", step, name);
	EXPECT(g.fileid == w.fileid,
	       "%s: LOOKUPP of the moved directory is fileid %llu, not %s (%llu)",
	       step, (unsigned long long)g.fileid, name,
	       (unsigned long long)w.fileid);
	ok = true;
out:
	dc_fh_free(&got);
	dc_fh_free(&want);
	return ok;
}

/* Round n: p<n> into q<n> through head 0 against q<n> into p<n> through 1. */
static bool crossing_round(struct dc_ctx *ctx, struct dc_heads *h, int n,
			   unsigned int *delays, unsigned int *wins)
{
	char name[2][16], step[96];
	struct mover m[2] = { 0 };
	pthread_barrier_t go;
	pthread_t t[2];
	nfsstat4 st = NFS4_OK;
	int i, won, lost;
	bool ok = false;

	snprintf(name[0], sizeof(name[0]), "p%d", n);
	snprintf(name[1], sizeof(name[1]), "q%d", n);
	for (i = 0; i < 2; i++) {
		m[i].cl = h->cl[i];
		m[i].dir = h->dir[i];
		m[i].name = name[i];
		EXPECT_OP(dc_fs_mkdir(h->cl[0], h->dir[0], name[i], 0755, NULL,
				      &st),
			  st, NFS4_OK, "mkdir %s on head 0", name[i]);
	}
	/* Each mover names the other's directory through its own head. */
	for (i = 0; i < 2; i++)
		EXPECT_OP(dc_fs_lookup(h->cl[i], h->dir[i], name[!i],
				       &m[i].into, &st),
			  st, NFS4_OK, "LOOKUP %s on head %d", name[!i], i);
	pthread_barrier_init(&go, NULL, 2);
	for (i = 0; i < 2; i++) {
		m[i].go = &go;
		pthread_create(&t[i], NULL, move_into, &m[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	for (i = 0; i < 2; i++) {
		*delays += m[i].delays;
		EXPECT_RPC(m[i].rc, "RENAME on head");
	}
	snprintf(step, sizeof(step), "round %d: %.15s into %.15s on head 0, back on head 1",
		 n, name[0], name[1]);
	EXPECT(m[0].st != NFS4_OK || m[1].st != NFS4_OK,
	       "%s: both moves done (a cycle)", step);
	EXPECT(m[0].st == NFS4_OK || m[1].st == NFS4_OK,
	       "%s: neither move done (%s, %s)", step,
	       dc_nfsstat_name(m[0].st), dc_nfsstat_name(m[1].st));
	won = m[0].st == NFS4_OK ? 0 : 1;
	lost = !won;
	wins[won]++;
	/* RFC 8881 18.26.4: into its own descendant is NFS4ERR_INVAL. */
	EXPECT(m[lost].st == NFS4ERR_INVAL,
	       "%s: the move on head %d got %s, expected NFS4ERR_INVAL (after %u NFS4ERR_DELAY)",
	       step, lost, dc_nfsstat_name(m[lost].st), m[lost].delays);
	/*
	 * The loser's head looked the winner's directory up in the scratch
	 * directory before the move: LOOKUPP of that handle now answers
	 * the loser's directory.
	 */
	if (!parent_is(ctx, h->cl[lost], &m[lost].into, h->dir[lost],
		       name[lost], step))
		goto out;
	/* Nothing lost, no cycle: the loser's directory holds the winner's. */
	for (i = 0; i < 2; i++) {
		if (!dc_check_listed(ctx, h->cl[i], h->dir[i], name[won], false,
				     step) ||
		    !dc_check_listed(ctx, h->cl[i], h->dir[i], name[lost], true,
				     step) ||
		    !dc_check_listed(ctx, h->cl[i], &m[i == won ? i : !i].into,
				     name[won], true, step))
			goto out;
	}
	ok = true;
out:
	for (i = 0; i < 2; i++)
		dc_fh_free(&m[i].into);
	return ok;
}

static void cluster7_crossing_moves(struct dc_ctx *ctx)
{
	struct dc_heads h = { 0 };
	unsigned int delays = 0, wins[2] = { 0 };
	int n;

	if (!dc_heads_setup(ctx, &h))
		goto out;
	for (n = 0; n < CL_MOVE_ROUNDS; n++)
		if (!crossing_round(ctx, &h, n, &delays, wins))
			goto out;
	dc_note(ctx, "%d rounds: head 0 won %u, head 1 won %u; %u NFS4ERR_DELAY retried",
		CL_MOVE_ROUNDS, wins[0], wins[1], delays);
out:
	dc_heads_teardown(&h);
}

const struct dc_case dc_cases_cluster[] = {
	{ "CLUSTER1", "create on one head: LOOKUP, READDIR, GETATTR on the other",
	  "RFC 8881 18.4, 18.16, 18.23", "cluster", NULL, cluster1_create },
	{ "CLUSTER2", "RENAME (one directory, two) on one head, seen on the other",
	  "RFC 8881 18.26", "cluster", NULL, cluster2_rename },
	{ "CLUSTER3", "REMOVE on one head: gone (LOOKUP, READDIR, STALE) on the other",
	  "RFC 8881 18.25", "cluster", NULL, cluster3_remove },
	{ "CLUSTER4", "SETATTR mode/owner/size on one head, GETATTR on the other",
	  "RFC 8881 18.30", "cluster", NULL, cluster4_setattr },
	{ "CLUSTER5", "WRITE on one head: size, change and READ on the other",
	  "RFC 8881 18.32, 18.22", "cluster", NULL, cluster5_write },
	{ "CLUSTER6", "space and file counts agree on both heads",
	  "RFC 8881 5.8.2", "cluster", NULL, cluster6_statfs },
	{ "CLUSTER7", "two directories moved into each other at once, one per head",
	  "RFC 8881 18.26.4, 18.14, 15.1.1.3", "cluster", NULL,
	  cluster7_crossing_moves },
	{ NULL }
};

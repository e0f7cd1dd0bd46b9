// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * REMOVE of files the server looked up again by their handle (RFC 8881
 * 18.25, 18.19): a file with two names loses one, is reached through
 * its filehandle (PUTFH, which finds it again by handle once the server
 * has let go of its cached object), then loses the other.  Issue 21: on
 * FSAL_MEM the object found by handle carried no reference of its own,
 * the last REMOVE freed it under MDCACHE and the daemon crashed.
 *
 * RMRACE2 runs the same kind of thing the way POSIX test programs do,
 * from three clients at once (two as root, one as uid 65534) in one
 * directory: create, chmod, chown, write, link, remove of files and
 * directories of a few shared names, and GETATTR through handles of
 * names that may be gone.  Every reply must come and be one of the
 * answers the state of the moment allows; the server must answer
 * throughout.  Counts are bounded and so is the time.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "case.h"

#define RM1_ROUNDS 20		/* link, remove, PUTFH, remove rounds */
#define RM2_THREADS 3		/* root, root, uid 65534 */
#define RM2_OPS 600		/* operations per thread */
#define RM2_SECS 60		/* and at most this long */
#define RM2_NAMES 6		/* shared names, files or directories */
#define RM2_NOBODY 65534u
#define RM2_SEED 0x21d1770ull	/* DITTO_RMRACE_SEED overrides */

/* ---- RMRACE1: last name removed from a file found by handle ---------- */

static void rmrace1_link_remove(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct dc_client u = { 0 };
	struct dc_client *who;
	struct dc_gattr ga;
	nfs_fh4 f = { 0 };
	char a[16], b[16];
	unsigned int i;
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &u, RM2_NOBODY, RM2_NOBODY, 0, NULL))
		goto out;
	for (i = 0; i < RM1_ROUNDS; i++) {
		/* Odd rounds: uid 65534 in the 0777 dir, its own file. */
		who = i & 1 ? &u : &fx.root;
		snprintf(a, sizeof(a), "a%u", i);
		snprintf(b, sizeof(b), "b%u", i);
		rc = dc_fs_mkfile(who, &fx.dir, a, 0644, &st);
		EXPECT_OP(rc, st, NFS4_OK, "round %u: OPEN(create) %s", i, a);
		rc = dc_fs_lookup(who, &fx.dir, a, &f, &st);
		EXPECT_OP(rc, st, NFS4_OK, "round %u: LOOKUP %s", i, a);
		rc = dc_fs_link(who, &f, &fx.dir, b, &st);
		EXPECT_OP(rc, st, NFS4_OK, "round %u: LINK %s to %s", i, b, a);
		rc = dc_fs_remove(who, &fx.dir, a, &st);
		EXPECT_OP(rc, st, NFS4_OK, "round %u: REMOVE %s", i, a);
		/* The file, by its handle alone: one name left. */
		rc = dc_fs_getattr(who, &f, &ga, &st);
		EXPECT_OP(rc, st, NFS4_OK, "round %u: GETATTR after REMOVE %s",
			  i, a);
		EXPECT((ga.have & DC_GA_NUMLINKS) && ga.numlinks == 1,
		       "round %u: %u links after one of two names went", i,
		       ga.numlinks);
		rc = dc_fs_remove(who, &fx.dir, b, &st);
		EXPECT_OP(rc, st, NFS4_OK, "round %u: REMOVE %s, the last name",
			  i, b);
		rc = dc_fs_getattr(who, &f, &ga, &st);
		EXPECT_OP(rc, st, NFS4ERR_STALE,
			  "round %u: GETATTR of the removed file", i);
		/* The server is still there, and so is the directory. */
		rc = dc_fs_getattr(&fx.root, &fx.dir, &ga, &st);
		EXPECT_OP(rc, st, NFS4_OK, "round %u: GETATTR of the dir", i);
		dc_fh_free(&f);
	}
out:
	dc_fh_free(&f);
	dc_client_destroy(&u);
	dc_scratch_teardown(&fx);
}

/* ---- RMRACE2: three clients, shared names ------------------------------ */

struct rm2 {
	struct dc_client cl;
	const nfs_fh4 *dir;
	uint32_t uid;
	uint64_t rng;
	nfs_fh4 fh[RM2_NAMES];	/* last handle seen of each name */
	time_t until;
	unsigned int ops, bad_op;
	nfsstat4 bad_st;
	int bad_rc;
	char bad_what[64];
};

static uint64_t rm2_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Answers a step may get while the others change the same names. */
static bool rm2_allowed(nfsstat4 st)
{
	switch (st) {
	case NFS4_OK:
	case NFS4ERR_NOENT:
	case NFS4ERR_EXIST:
	case NFS4ERR_NOTEMPTY:
	case NFS4ERR_STALE:	/* a handle of a name removed since */
	case NFS4ERR_ACCESS:	/* uid 65534 on root's objects */
	case NFS4ERR_PERM:
	case NFS4ERR_ISDIR:	/* the name is a directory by now */
	case NFS4ERR_NOTDIR:
	case NFS4ERR_DELAY:
	case NFS4ERR_FILE_OPEN:	/* REMOVE of a file another has open */
	case NFS4ERR_SHARE_DENIED:
		return true;
	default:
		return false;
	}
}

static void rm2_step(struct rm2 *w)
{
	uint64_t r = rm2_next(&w->rng);
	unsigned int n = r % RM2_NAMES, op = (r >> 8) % 9;
	char name[8], other[8];
	struct dc_gattr ga;
	nfs_fh4 fh = { 0 };
	stateid4 sid;
	nfsstat4 st = NFS4_OK;
	const char *what;
	int rc = 0;

	snprintf(name, sizeof(name), "n%u", n);
	snprintf(other, sizeof(other), "n%u", (unsigned int)(r >> 16) %
						     RM2_NAMES);
	switch (op) {
	case 0:
		what = "OPEN(create)";
		rc = dc_fs_mkfile(&w->cl, w->dir, name, 0666, &st);
		break;
	case 1:
		what = "CREATE dir";
		rc = dc_fs_mkdir(&w->cl, w->dir, name, 0777, NULL, &st);
		break;
	case 2:
	case 3:
		what = "REMOVE";
		rc = dc_fs_remove(&w->cl, w->dir, name, &st);
		break;
	case 4:
		what = "LOOKUP";
		rc = dc_fs_lookup(&w->cl, w->dir, name, &fh, &st);
		if (!rc && st == NFS4_OK) {
			dc_fh_free(&w->fh[n]);
			w->fh[n] = fh;
			fh = (nfs_fh4){ 0 };
		}
		break;
	case 5:
		what = "SETATTR mode";
		if (!w->fh[n].nfs_fh4_len)
			return;
		rc = dc_fs_chmod(&w->cl, &w->fh[n], (r >> 24) & 1 ? 0600 :
							 0777, &st);
		break;
	case 6:
		what = "SETATTR owner";
		if (!w->fh[n].nfs_fh4_len)
			return;
		rc = dc_fs_chown(&w->cl, &w->fh[n],
				 (r >> 24) & 1 ? RM2_NOBODY : w->uid,
				 (r >> 24) & 1 ? RM2_NOBODY : w->uid, &st);
		break;
	case 7:
		what = "LINK";
		if (!w->fh[n].nfs_fh4_len)
			return;
		rc = dc_fs_link(&w->cl, &w->fh[n], w->dir, other, &st);
		break;
	default:
		what = "OPEN WRITE CLOSE";
		rc = dc_fs_open(&w->cl, w->dir, name, false,
				OPEN4_SHARE_ACCESS_WRITE, NULL, &sid, &fh,
				&st);
		if (!rc && st == NFS4_OK) {
			rc = dc_fs_write(&w->cl, &fh, &sid, 0, "x", 1, &st);
			if (!rc && (st == NFS4_OK || rm2_allowed(st)))
				rc = dc_client_close_file(&w->cl, &fh, &sid,
							  &st);
		}
		break;
	}
	/* A handle of a name that may be gone by now. */
	if (!rc && rm2_allowed(st) && w->fh[n].nfs_fh4_len &&
	    (r >> 32) % 3 == 0) {
		what = "GETATTR by handle";
		rc = dc_fs_getattr(&w->cl, &w->fh[n], &ga, &st);
	}
	dc_fh_free(&fh);
	w->ops++;
	if (rc || !rm2_allowed(st)) {
		w->bad_op = w->ops;
		w->bad_rc = rc;
		w->bad_st = st;
		snprintf(w->bad_what, sizeof(w->bad_what), "%s %s", what,
			 name);
	}
}

static void *rm2_thread(void *arg)
{
	struct rm2 *w = arg;
	unsigned int i;

	for (i = 0; i < RM2_OPS && !w->bad_what[0] && time(NULL) < w->until;
	     i++)
		rm2_step(w);
	return NULL;
}

static void rmrace2_three_clients(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct rm2 w[RM2_THREADS] = { 0 };
	pthread_t t[RM2_THREADS];
	unsigned int i, j, started = 0, total = 0;
	const char *env = getenv("DITTO_RMRACE_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : RM2_SEED;
	struct dc_gattr ga;
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx))
		goto out;
	for (i = 0; i < RM2_THREADS; i++) {
		w[i].uid = i == RM2_THREADS - 1 ? RM2_NOBODY : 0;
		if (!dc_ctx_mounted_user(ctx, &w[i].cl, w[i].uid, w[i].uid, 0,
					 NULL))
			goto out;
		w[i].dir = &fx.dir;
		w[i].rng = seed + i;
		w[i].until = time(NULL) + RM2_SECS;
	}
	for (i = 0; i < RM2_THREADS; i++) {
		if (pthread_create(&t[i], NULL, rm2_thread, &w[i]))
			break;
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	EXPECT(started == RM2_THREADS, "started %u of %u threads", started,
	       RM2_THREADS);
	for (i = 0; i < RM2_THREADS; i++) {
		total += w[i].ops;
		EXPECT(!w[i].bad_what[0],
		       "seed %#llx, uid %u, op %u: %s: rc %d, %s",
		       (unsigned long long)seed, w[i].uid, w[i].bad_op,
		       w[i].bad_what, w[i].bad_rc, dc_nfsstat_name(w[i].bad_st));
	}
	/* The server answers after it all. */
	rc = dc_fs_getattr(&fx.root, &fx.dir, &ga, &st);
	EXPECT_OP(rc, st, NFS4_OK, "GETATTR of the dir afterwards");
	dc_note(ctx, "seed %#llx, %u operations", (unsigned long long)seed,
		total);
out:
	for (i = 0; i < RM2_THREADS; i++) {
		for (j = 0; j < RM2_NAMES; j++)
			dc_fh_free(&w[i].fh[j]);
		dc_client_destroy(&w[i].cl);
	}
	dc_scratch_teardown(&fx);
}

const struct dc_case dc_cases_remove_race[] = {
	{ "RMRACE1",
	  "REMOVE of the last name of a file found again by its handle",
	  "RFC 8881 18.25, 18.19", "rmrace all", NULL, rmrace1_link_remove },
	{ "RMRACE2",
	  "3 clients (root, root, uid 65534) create/chmod/chown/link/remove",
	  "RFC 8881 18.25, 18.30", "rmrace all", NULL,
	  rmrace2_three_clients },
	{ NULL }
};

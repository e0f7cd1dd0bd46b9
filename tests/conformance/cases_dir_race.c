// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Names changing under a reader: other clients create, rename and remove
 * names in a directory while one opens (RFC 8881 18.16) or lists (18.23)
 * it.
 * The directory itself never goes away, so NFS4ERR_STALE (the current
 * filehandle no longer designates an object, 15.1.2.7) is never a right
 * answer; an OPEN of a name being removed gets NFS4_OK or NFS4ERR_NOENT
 * (NFS4ERR_DELAY is allowed, it is transient), and one READDIR pass lists
 * every name that exists throughout it exactly once (18.23.4: cookies of
 * unchanged entries stay valid).
 *
 * The race window lies inside the server, so a pass on a broken server
 * is possible; the counts are bounded, never timed, and every reply is
 * checked.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "case.h"

#define RACE_OPENS 3000		/* reader's OPENs of the racy name */
#define RACE_PASSES 300		/* READDIR passes by the reader */
/* Names that exist for the whole case: more than MDCACHE's default
 * Dir_Chunk (128), so that a listing spans several cached chunks.
 */
#define RACE_STABLE 160
#define RACE_CHURN 12		/* names each writer creates and removes */
#define RACE_WRITERS 6		/* writers in RACE2 */
#define RACE_WRITER_MAX 200000	/* writer's bound if the reader hangs */

struct race {
	struct dc_client cl;
	const char *dir;
	char names[RACE_CHURN][24];
	char moved[RACE_CHURN][24];
	unsigned int nnames;
	bool rename;
	atomic_bool *stop;
	unsigned int rounds;
};

static int race_rename(struct dc_client *cl, const char *dir,
		       const char *from, const char *to);
static int race_list(struct dc_client *cl, const char *dir, bool big,
		     unsigned int seen[RACE_STABLE], unsigned int *rounds);

/* PUTFH export, LOOKUP dir, then the op; the last op's status or -1. */
static int race_op(struct dc_client *cl, const char *dir, const char *name,
		   bool create, bool remove, nfsstat4 *used)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	char oo[64];
	int rc, n;

	if (used)
		*used = NFS4_OK;
	if (dc_client_begin(cl, &c, "race", false, &slot))
		return -1;
	dc_client_put_export(cl, &c);
	dc_op_lookup(&c, dir);
	snprintf(oo, sizeof(oo), "race-%llx",
		 (unsigned long long)cl->clientid);
	if (remove) {
		dc_op_remove(&c, name);
	} else {
		dc_op_open(&c, 0, cl->clientid, oo, name, create,
			   (create ? OPEN4_SHARE_ACCESS_BOTH :
				     OPEN4_SHARE_ACCESS_READ) |
				   OPEN4_SHARE_ACCESS_WANT_NO_DELEG);
		dc_op_getfh(&c);
	}
	rc = dc_client_send(cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	if (rc)
		return -1;
	n = r.res.resarray.resarray_len;
	rc = dc_cres_status(&r, n - 1);
	if (rc == NFS4_OK && !remove) {
		stateid4 sid = dc_cres_op(&r, n - 2)
				       ->nfs_resop4_u.opopen.OPEN4res_u.resok4
				       .stateid;
		nfs_fh4 *fh = &dc_cres_op(&r, n - 1)
				       ->nfs_resop4_u.opgetfh.GETFH4res_u
				       .resok4.object;
		struct dc_cres r2;
		int st = -1;

		/*
		 * The open is the client's until it closes it, whoever
		 * removes the name meanwhile: READ and CLOSE by the
		 * handle OPEN returned must take its stateid.
		 */
		if (!dc_client_begin(cl, &c, "race-close", false, &slot)) {
			dc_op_putfh(&c, fh);
			dc_op_read(&c, &sid, 0, 1);
			dc_op_close(&c, 0, &sid);
			if (!dc_client_send(cl, 0, &c, slot, &r2)) {
				st = dc_cres_status(
					&r2, r2.res.resarray.resarray_len - 1);
				dc_cres_free(&r2);
			}
			dc_compound_free(&c);
		}
		if (used)
			*used = st < 0 ? NFS4ERR_IO : (nfsstat4)st;
	}
	dc_cres_free(&r);
	return rc;
}

/*
 * A writer creates (and closes) its names in turn and removes each again,
 * until told to stop.  A renaming writer renames each name it creates and
 * removes the renamed one half a round later, and also lists the
 * directory now and then: READDIRs that refill the server's directory
 * cache while the reader's READDIR runs.
 */
static void *race_writer(void *arg)
{
	struct race *w = arg;
	unsigned int i;

	for (i = 0; !atomic_load(w->stop) && i < RACE_WRITER_MAX; i++) {
		unsigned int k = i % w->nnames;
		unsigned int old = (i + w->nnames / 2) % w->nnames;

		race_op(&w->cl, w->dir, w->names[k], true, false, NULL);
		if (w->rename) {
			race_rename(&w->cl, w->dir, w->names[k],
				    w->moved[k]);
			race_op(&w->cl, w->dir, w->moved[old], false, true,
				NULL);
			if (i % 4 == 3) {
				unsigned int seen[RACE_STABLE] = { 0 }, n;

				race_list(&w->cl, w->dir, true, seen, &n);
			}
		} else {
			race_op(&w->cl, w->dir, w->names[k], false, true,
				NULL);
		}
	}
	w->rounds = i;
	return NULL;
}

static void fill_rename(struct dc_compound *c, void *arg);

struct race_ren {
	struct dc_client *cl;
	const char *dir, *from, *to;
};

static int race_rename(struct dc_client *cl, const char *dir,
		       const char *from, const char *to)
{
	struct race_ren r = { cl, dir, from, to };
	nfsstat4 st;

	return dc_client_simple(cl, fill_rename, &r, NULL, &st) ? -1 :
								  (int)st;
}

static void fill_rename(struct dc_compound *c, void *arg)
{
	struct race_ren *r = arg;

	dc_client_put_export(r->cl, c);
	dc_op_lookup(c, r->dir);
	dc_op_savefh(c);
	dc_op_rename(c, r->from, r->to);
}

struct race_dirop {
	struct dc_client *cl;
	const char *name;
	bool remove;
};

static void fill_dirop(struct dc_compound *c, void *arg)
{
	struct race_dirop *d = arg;

	dc_client_put_export(d->cl, c);
	if (d->remove)
		dc_op_remove(c, d->name);
	else
		dc_op_mkdir(c, d->name);
}

struct race_setup {
	struct dc_client rd;
	struct race w[RACE_WRITERS];
	pthread_t t[RACE_WRITERS];
	unsigned int nw, started;
	atomic_bool stop;
	char dir[64];
};

/* MKDIR the case's directory; mount nw writers with nchurn names. */
static int race_start(struct dc_ctx *ctx, struct race_setup *s,
		      unsigned int nw, unsigned int nchurn, bool rename)
{
	struct race_dirop d = { &s->rd, s->dir, false };
	nfsstat4 st;
	unsigned int i, k;

	dc_name(ctx, "dir", s->dir, sizeof(s->dir));
	if (dc_client_simple(&s->rd, fill_dirop, &d, NULL, &st) ||
	    st != NFS4_OK)
		return -1;
	for (i = 0; i < nw; i++) {
		struct race *w = &s->w[i];

		if (dc_ctx_mounted(ctx, &w->cl))
			return -1;
		s->nw++;
		w->dir = s->dir;
		w->nnames = nchurn;
		w->rename = rename;
		w->stop = &s->stop;
		for (k = 0; k < nchurn; k++) {
			snprintf(w->names[k], sizeof(w->names[k]),
				 "churn-%u-%02u", i, k);
			snprintf(w->moved[k], sizeof(w->moved[k]),
				 "moved-%u-%02u", i, k);
		}
	}
	return 0;
}

static int race_run_writers(struct race_setup *s)
{
	for (; s->started < s->nw; s->started++)
		if (pthread_create(&s->t[s->started], NULL, race_writer,
				   &s->w[s->started]))
			return -1;
	return 0;
}

/* Stop the writers, remove what is left, drop the directory. */
static void race_finish(struct race_setup *s, const char *const *extra,
			unsigned int nextra)
{
	struct race_dirop d = { &s->rd, s->dir, true };
	nfsstat4 st;
	unsigned int i, k;

	atomic_store(&s->stop, true);
	for (i = 0; i < s->started; i++)
		pthread_join(s->t[i], NULL);
	for (i = 0; i < s->nw; i++) {
		for (k = 0; k < s->w[i].nnames; k++) {
			race_op(&s->rd, s->dir, s->w[i].names[k], false, true,
				NULL);
			race_op(&s->rd, s->dir, s->w[i].moved[k], false, true,
				NULL);
		}
		dc_client_destroy(&s->w[i].cl);
	}
	for (i = 0; i < nextra; i++)
		race_op(&s->rd, s->dir, extra[i], false, true, NULL);
	if (s->dir[0])
		dc_client_simple(&s->rd, fill_dirop, &d, NULL, &st);
	dc_client_destroy(&s->rd);
}

/* RACE1: OPEN of a name another client keeps creating and removing. */
static void race1_open(struct dc_ctx *ctx)
{
	static struct race_setup s;
	unsigned int ok = 0, noent = 0, delay = 0, i;

	memset(&s, 0, sizeof(s));
	EXPECT(dc_ctx_mounted(ctx, &s.rd) == 0, "reader: mount failed");
	EXPECT(race_start(ctx, &s, 1, 1, false) == 0,
	       "MKDIR %s or the writer's mount failed", s.dir);
	EXPECT(race_run_writers(&s) == 0, "cannot start the writer");
	for (i = 0; i < RACE_OPENS; i++) {
		nfsstat4 used;
		int rc = race_op(&s.rd, s.dir, s.w[0].names[0], false, false,
				 &used);

		EXPECT(rc >= 0, "OPEN %u: transport error", i);
		EXPECT(used == NFS4_OK,
		       "OPEN %u answered NFS4_OK, then READ and CLOSE with its stateid by its filehandle: %s",
		       i, dc_nfsstat_name(used));
		EXPECT(rc == NFS4_OK || rc == NFS4ERR_NOENT ||
			       rc == NFS4ERR_DELAY,
		       "OPEN %u of a name being removed: %s (NFS4_OK or NFS4ERR_NOENT expected; the directory is not stale)",
		       i, dc_nfsstat_name(rc));
		ok += rc == NFS4_OK;
		noent += rc == NFS4ERR_NOENT;
		delay += rc == NFS4ERR_DELAY;
	}
	dc_note(ctx, "%u OPENs: %u OK, %u NOENT, %u DELAY", RACE_OPENS, ok,
		noent, delay);
out:
	race_finish(&s, NULL, 0);
}

/* One READDIR pass of dir; counts the stable names; status or -1. */
static int race_list(struct dc_client *cl, const char *dir, bool big,
		     unsigned int seen[RACE_STABLE], unsigned int *rounds)
{
	uint64_t cookie = 0;
	verifier4 verf;

	memset(verf, 0, sizeof(verf));
	for (*rounds = 0; *rounds < 1000; (*rounds)++) {
		struct dc_compound c;
		struct dc_cres r;
		READDIR4resok *ok;
		uint32_t slot;
		entry4 *e;
		int rc, n;
		bool eof;

		if (dc_client_begin(cl, &c, "race-readdir", false, &slot))
			return -1;
		dc_client_put_export(cl, &c);
		dc_op_lookup(&c, dir);
		/* Small replies resume at cookies; big ones are one pass */
		dc_op_readdir(&c, cookie, big ? 4096 : 256, big ? 16384 : 512,
			      (1u << FATTR4_TYPE) | (1u << FATTR4_SIZE), 0);
		memcpy(c.ops[c.nops - 1].nfs_argop4_u.opreaddir.cookieverf,
		       verf, sizeof(verf));
		rc = dc_client_send(cl, 0, &c, slot, &r);
		dc_compound_free(&c);
		if (rc)
			return -1;
		n = r.res.resarray.resarray_len;
		rc = dc_cres_status(&r, n - 1);
		if (rc) {
			dc_cres_free(&r);
			return rc;
		}
		ok = &dc_cres_op(&r, n - 1)
			      ->nfs_resop4_u.opreaddir.READDIR4res_u.resok4;
		memcpy(verf, ok->cookieverf, sizeof(verf));
		for (e = ok->reply.entries; e; e = e->nextentry) {
			unsigned int k;
			char nm[16];

			if (e->name.utf8string_len == 10) {
				memcpy(nm, e->name.utf8string_val, 10);
				nm[10] = '\0';
				if (sscanf(nm, "stable-%3u", &k) == 1 &&
				    k < RACE_STABLE)
					seen[k]++;
			}
			cookie = e->cookie;
		}
		eof = ok->reply.eof;
		dc_cres_free(&r);
		if (eof)
			return 0;
	}
	return -2;
}

/* RACE2: READDIR passes while other clients create, rename and remove. */
static void race2_readdir(struct dc_ctx *ctx)
{
	static struct race_setup s;
	static char stable[RACE_STABLE][16];
	const char *extra[RACE_STABLE];
	unsigned int pass, i, made = 0, reqs = 0, rounds = 0;

	memset(&s, 0, sizeof(s));
	EXPECT(dc_ctx_mounted(ctx, &s.rd) == 0, "reader: mount failed");
	EXPECT(race_start(ctx, &s, RACE_WRITERS, RACE_CHURN, true) == 0,
	       "MKDIR %s or a writer's mount failed", s.dir);
	for (i = 0; i < RACE_STABLE; i++) {
		snprintf(stable[i], sizeof(stable[i]), "stable-%03u", i);
		extra[i] = stable[i];
		EXPECT(race_op(&s.rd, s.dir, stable[i], true, false, NULL) ==
			       NFS4_OK,
		       "creating %s failed", stable[i]);
		made++;
	}
	EXPECT(race_run_writers(&s) == 0, "cannot start the writers");
	for (pass = 0; pass < RACE_PASSES; pass++) {
		unsigned int seen[RACE_STABLE] = { 0 }, n;
		int rc = race_list(&s.rd, s.dir, pass & 1, seen, &n);

		reqs += n + 1;
		EXPECT(rc != -1, "pass %u: transport error", pass);
		EXPECT(rc != -2, "pass %u: no eof after 1000 READDIRs", pass);
		EXPECT(rc == NFS4_OK || rc == NFS4ERR_DELAY,
		       "pass %u: READDIR of a directory whose other names change: %s",
		       pass, dc_nfsstat_name(rc));
		if (rc)
			continue;
		for (i = 0; i < RACE_STABLE; i++)
			EXPECT(seen[i] == 1,
			       "pass %u: unchanged %s listed %u times",
			       pass, stable[i], seen[i]);
	}
	atomic_store(&s.stop, true);
	for (i = 0; i < s.started; i++)
		pthread_join(s.t[i], NULL);
	s.started = 0;
	for (i = 0; i < s.nw; i++)
		rounds += s.w[i].rounds;
	dc_note(ctx, "%u passes, %u READDIRs, writers %u rounds", RACE_PASSES,
		reqs, rounds);
out:
	race_finish(&s, extra, made);
}

const struct dc_case dc_cases_dir_race[] = {
	{ "RACE1", "OPEN of a name another client creates and removes: OK or NOENT, never STALE",
	  "18.16", "race all", "OPS1", race1_open },
	{ "RACE2", "READDIR while other names come and go: no error, unchanged names once",
	  "18.23", "race all", "OPS1", race2_readdir },
	{ NULL }
};

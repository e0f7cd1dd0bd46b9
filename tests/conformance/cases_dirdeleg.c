// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Directory delegations (RFC 8881 10.9, 18.39 GET_DIR_DELEGATION,
 * 20.2 CB_RECALL of a directory delegation, 18.49 DELEGRETURN, 8.3
 * revocation, 18.48 TEST_STATEID / 18.38 FREE_STATEID).
 *
 * Needs NFSv4 { Dir_Delegations = true; } and an EXPORT with
 * Delegations (server.conf.in).  Every case works in its own new
 * directory so that no other case's changes reach its delegations.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "case.h"

/* Bounds of every wait below (they bound, they are not asserted). */
#define CB_WAIT_MS 15000
#define REVOKE_WAIT_S 60

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void set_bm(struct bitmap4 *b, uint32_t w0, uint32_t w1)
{
	b->bitmap4_len = w1 ? 2 : 1;
	b->map[0] = w0;
	b->map[1] = w1;
}

/* ---- compounds ---------------------------------------------------- */

struct dd_call {
	struct dc_client *cl;
	const nfs_fh4 *fh;	/* current fh (NULL: export root) */
	const nfs_fh4 *fh2;	/* second fh (rename target dir) */
	const char *name, *name2;
	uint32_t notify;	/* GDD notification types */
	uint32_t mode;
	stateid4 sid;
};

static void put_fh(struct dc_compound *c, struct dd_call *d,
		   const nfs_fh4 *fh)
{
	if (fh)
		dc_op_putfh(c, fh);
	else
		dc_client_put_export(d->cl, c);
}

static void fill_mkdir(struct dc_compound *c, void *arg)
{
	struct dd_call *d = arg;

	put_fh(c, d, d->fh);
	dc_op_mkdir(c, d->name);
	dc_op_getfh(c);
}

static void fill_gdd(struct dc_compound *c, void *arg)
{
	struct dd_call *d = arg;
	GET_DIR_DELEGATION4args *a;

	put_fh(c, d, d->fh);
	a = &dc_op_add(c, NFS4_OP_GET_DIR_DELEGATION)
		     ->nfs_argop4_u.opget_dir_delegation;
	a->gdda_signal_deleg_avail = FALSE;
	set_bm(&a->gdda_notification_types, d->notify, 0);
	a->gdda_child_attributes.bitmap4_len = 0;
	a->gdda_dir_attributes.bitmap4_len = 0;
}

static void fill_remove(struct dc_compound *c, void *arg)
{
	struct dd_call *d = arg;

	put_fh(c, d, d->fh);
	dc_op_remove(c, d->name);
}

static void fill_rename(struct dc_compound *c, void *arg)
{
	struct dd_call *d = arg;

	put_fh(c, d, d->fh);
	dc_op_savefh(c);
	put_fh(c, d, d->fh2 ? d->fh2 : d->fh);
	dc_op_rename(c, d->name, d->name2);
}

static void fill_delegreturn(struct dc_compound *c, void *arg)
{
	struct dd_call *d = arg;

	put_fh(c, d, d->fh);
	dc_op_delegreturn(c, &d->sid);
}

static void fill_test(struct dc_compound *c, void *arg)
{
	struct dd_call *d = arg;

	dc_op_test_stateid(c, &d->sid, 1);
}

static void fill_free(struct dc_compound *c, void *arg)
{
	struct dd_call *d = arg;

	dc_op_free_stateid(c, &d->sid);
}

static void fill_chmod(struct dc_compound *c, void *arg)
{
	struct dd_call *d = arg;
	SETATTR4args *a;
	uint32_t be = htonl(d->mode);

	put_fh(c, d, d->fh);
	a = &dc_op_add(c, NFS4_OP_SETATTR)->nfs_argop4_u.opsetattr;
	memset(&a->stateid, 0, sizeof(a->stateid));
	set_bm(&a->obj_attributes.attrmask, 0, 1u << (FATTR4_MODE - 32));
	a->obj_attributes.attr_vals.attrlist4_val =
		dc_compound_keep(c, &be, sizeof(be));
	a->obj_attributes.attr_vals.attrlist4_len = sizeof(be);
}

/* Status of the last op of a simple compound. */
static int call_last(struct dc_client *cl,
		     void (*fill)(struct dc_compound *c, void *arg),
		     struct dd_call *d, nfsstat4 *st)
{
	struct dc_cres r;
	nfsstat4 cst;
	int rc;

	d->cl = cl;
	rc = dc_client_simple(cl, fill, d, &r, &cst);
	if (rc)
		return rc;
	*st = dc_cres_status(&r, r.res.resarray.resarray_len - 1);
	dc_cres_free(&r);
	return 0;
}

/* mkdir name in dir (NULL: export root); *fh gets the new directory. */
static int mkdir_in(struct dc_client *cl, const nfs_fh4 *dir,
		    const char *name, nfs_fh4 *fh, nfsstat4 *st)
{
	struct dd_call d = { .cl = cl, .fh = dir, .name = name };
	struct dc_cres r;
	int rc;

	rc = dc_client_simple(cl, fill_mkdir, &d, &r, st);
	if (rc)
		return rc;
	if (*st == NFS4_OK && fh)
		dc_fh_copy(fh, &dc_cres_op(&r, r.res.resarray.resarray_len - 1)
				       ->nfs_resop4_u.opgetfh.GETFH4res_u
				       .resok4.object);
	else if (*st != NFS4_OK)
		*st = dc_cres_status(&r, r.res.resarray.resarray_len - 1);
	dc_cres_free(&r);
	return 0;
}

struct gdd_res {
	nfsstat4 status;	/* the op's status */
	gddrnf4_status nf;	/* GDD4_OK / GDD4_UNAVAIL */
	stateid4 sid;
	uint32_t notify;	/* granted types, word 0 */
	unsigned notify_len;
	bool signal;
};

static int gdd(struct dc_client *cl, const nfs_fh4 *dir, uint32_t notify,
	       struct gdd_res *g)
{
	struct dd_call d = { .cl = cl, .fh = dir, .notify = notify };
	struct dc_cres r;
	nfsstat4 cst;
	int rc;

	memset(g, 0, sizeof(*g));
	rc = dc_client_simple(cl, fill_gdd, &d, &r, &cst);
	if (rc)
		return rc;
	g->status = dc_cres_status(&r, r.res.resarray.resarray_len - 1);
	if (g->status == NFS4_OK) {
		GET_DIR_DELEGATION4res_non_fatal *nf =
			&dc_cres_op(&r, r.res.resarray.resarray_len - 1)
				 ->nfs_resop4_u.opget_dir_delegation
				 .GET_DIR_DELEGATION4res_u.gddr_res_non_fatal4;

		g->nf = nf->gddrnf_status;
		if (g->nf == GDD4_OK) {
			GET_DIR_DELEGATION4resok *ok =
				&nf->GET_DIR_DELEGATION4res_non_fatal_u
					 .gddrnf_resok4;

			g->sid = ok->gddr_stateid;
			g->notify_len = ok->gddr_notification.bitmap4_len;
			g->notify = g->notify_len ?
					    ok->gddr_notification.map[0] :
					    0;
		} else {
			g->signal = nf->GET_DIR_DELEGATION4res_non_fatal_u
					    .gddrnf_signal;
		}
	}
	dc_cres_free(&r);
	return 0;
}

static int remove_in(struct dc_client *cl, const nfs_fh4 *dir,
		     const char *name, nfsstat4 *st)
{
	struct dd_call d = { .fh = dir, .name = name };

	return call_last(cl, fill_remove, &d, st);
}

static int rename_in(struct dc_client *cl, const nfs_fh4 *from_dir,
		     const char *from, const nfs_fh4 *to_dir, const char *to,
		     nfsstat4 *st)
{
	struct dd_call d = { .fh = from_dir, .fh2 = to_dir, .name = from,
			     .name2 = to };

	return call_last(cl, fill_rename, &d, st);
}

static int delegreturn(struct dc_client *cl, const nfs_fh4 *dir,
		       const stateid4 *sid, nfsstat4 *st)
{
	struct dd_call d = { .fh = dir, .sid = *sid };

	return call_last(cl, fill_delegreturn, &d, st);
}

static int chmod_fh(struct dc_client *cl, const nfs_fh4 *fh, uint32_t mode,
		    nfsstat4 *st)
{
	struct dd_call d = { .fh = fh, .mode = mode };

	return call_last(cl, fill_chmod, &d, st);
}

static int free_sid(struct dc_client *cl, const stateid4 *sid, nfsstat4 *st)
{
	struct dd_call d = { .sid = *sid };

	return call_last(cl, fill_free, &d, st);
}

/* TEST_STATEID of one stateid; *code is its per-stateid status. */
static int test_sid(struct dc_client *cl, const stateid4 *sid,
		    nfsstat4 *code)
{
	struct dd_call d = { .cl = cl, .sid = *sid };
	struct dc_cres r;
	nfsstat4 cst;
	int rc;

	rc = dc_client_simple(cl, fill_test, &d, &r, &cst);
	if (rc)
		return rc;
	*code = cst;
	if (cst == NFS4_OK) {
		TEST_STATEID4resok *ok =
			&dc_cres_op(&r, 1)->nfs_resop4_u.optest_stateid
				 .TEST_STATEID4res_u.tsr_resok4;

		*code = ok->tsr_status_codes.tsr_status_codes_len == 1 ?
				ok->tsr_status_codes.tsr_status_codes_val[0] :
				(nfsstat4)-1;
	}
	dc_cres_free(&r);
	return 0;
}

/* SEQUENCE alone; *flags = sr_status_flags. */
static int seq_flags(struct dc_client *cl, uint32_t *flags, nfsstat4 *st)
{
	struct dc_cres r;
	int rc;

	*flags = 0;
	rc = dc_client_simple(cl, NULL, NULL, &r, st);
	if (rc)
		return rc;
	if (*st == NFS4_OK)
		*flags = dc_cres_op(&r, 0)
				 ->nfs_resop4_u.opsequence.SEQUENCE4res_u
				 .sr_resok4.sr_status_flags;
	dc_cres_free(&r);
	return 0;
}

/* ---- back channel -------------------------------------------------- */

static bool rec_is(const struct dc_cb_record *r, const stateid4 *sid,
		   const nfs_fh4 *fh)
{
	return r->has_recall &&
	       !memcmp(r->recall_sid.other, sid->other, sizeof(sid->other)) &&
	       (!fh || (r->recall_fh_len == fh->nfs_fh4_len &&
			!memcmp(r->recall_fh, fh->nfs_fh4_val,
				fh->nfs_fh4_len)));
}

/* Index of the first CB_RECALL of sid at or after record *from. */
static bool wait_recall_of(struct dc_client *cl, const stateid4 *sid,
			   unsigned from, int timeout_ms,
			   struct dc_cb_record *out, unsigned *idx)
{
	double end = now_s() + timeout_ms / 1000.0;
	unsigned i = from, n;

	for (;;) {
		double left = end - now_s();

		n = dc_cb_count(&cl->cb);
		for (; i < n; i++)
			if (dc_cb_get(&cl->cb, i, out) &&
			    rec_is(out, sid, NULL)) {
				if (idx)
					*idx = i;
				return true;
			}
		if (left <= 0)
			return false;
		dc_cb_wait(&cl->cb, n + 1,
			   left * 1000 > 500 ? 500 : left * 1000 + 1);
	}
}

static unsigned count_recalls(struct dc_client *cl, const stateid4 *sid)
{
	struct dc_cb_record rec;
	unsigned i, n = dc_cb_count(&cl->cb), k = 0;

	for (i = 0; i < n; i++)
		if (dc_cb_get(&cl->cb, i, &rec) && rec_is(&rec, sid, NULL))
			k++;
	return k;
}

/* A mounted client A and its own new directory under the export. */
struct dd_setup {
	struct dc_client a, b;
	nfs_fh4 dir;
	char dname[96];
};

static int setup(struct dc_ctx *ctx, struct dd_setup *s, bool two)
{
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &s->a);
	if (rc)
		return rc;
	if (two) {
		rc = dc_ctx_mounted(ctx, &s->b);
		if (rc)
			return rc;
	}
	dc_name(ctx, "d", s->dname, sizeof(s->dname));
	rc = mkdir_in(&s->a, NULL, s->dname, &s->dir, &st);
	if (rc)
		return rc;
	return st == NFS4_OK ? 0 : -EIO;
}

static void teardown(struct dd_setup *s)
{
	dc_fh_free(&s->dir);
	dc_client_destroy(&s->b);
	dc_client_destroy(&s->a);
}

#define EXPECT_GRANTED(g)                                                      \
	do {                                                                   \
		EXPECT_STATUS((g).status, NFS4_OK, "GET_DIR_DELEGATION");      \
		EXPECT((g).nf == GDD4_OK,                                      \
		       "GET_DIR_DELEGATION: GDD4_UNAVAIL, expected a grant; "  \
		       "is Dir_Delegations enabled?");                         \
	} while (0)

/* ---- cases --------------------------------------------------------- */

/* Grant, the granted types are a subset of what was asked. */
static void dirdeleg1_grant(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct gdd_res g, g2;
	nfsstat4 st;
	int rc;

	rc = setup(ctx, &s, false);
	EXPECT_RPC(rc, "mount and mkdir");
	/* Recall-only, as the Linux client asks */
	rc = gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	EXPECT(g.notify == 0,
	       "no notification type asked, granted 0x%x", g.notify);
	EXPECT(g.sid.seqid != 0, "delegation stateid seqid 0");
	rc = delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN");
	EXPECT_STATUS(st, NFS4_OK, "DELEGRETURN of the directory delegation");
	rc = delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN again");
	EXPECT(st == NFS4ERR_BAD_STATEID || st == NFS4ERR_OLD_STATEID,
	       "second DELEGRETURN: %s, expected NFS4ERR_BAD_STATEID",
	       dc_nfsstat_name(st));
	/* Every type, and bits nobody defined: still a grant, of a subset */
	rc = gdd(&s.a, &s.dir, 0x3f | (1u << 20) | (1u << 31), &g2);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION with unknown bits");
	EXPECT_GRANTED(g2);
	EXPECT((g2.notify & ~0x3fu) == 0,
	       "granted notification types 0x%x include undefined bits",
	       g2.notify);
	dc_note(ctx, "granted notification types 0x%x for 0x3f", g2.notify);
	rc = delegreturn(&s.a, &s.dir, &g2.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN");
	EXPECT_STATUS(st, NFS4_OK, "DELEGRETURN");
out:
	teardown(&s);
}

/* A second request by the same client: GDD4_UNAVAIL; another client: OK */
static void dirdeleg2_unavail(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct gdd_res g, g2, g3;
	nfsstat4 st;
	int rc;

	rc = setup(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	rc = gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	rc = gdd(&s.a, &s.dir, 0, &g2);
	EXPECT_RPC(rc, "second GET_DIR_DELEGATION");
	EXPECT_STATUS(g2.status, NFS4_OK,
		      "second GET_DIR_DELEGATION (non-fatal UNAVAIL expected)");
	EXPECT(g2.nf == GDD4_UNAVAIL,
	       "second GET_DIR_DELEGATION by the same client granted");
	rc = gdd(&s.b, &s.dir, 0, &g3);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION by B");
	EXPECT_GRANTED(g3);
	EXPECT(memcmp(g3.sid.other, g.sid.other, 12),
	       "two clients got the same delegation stateid");
	rc = delegreturn(&s.b, &s.dir, &g3.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN B");
	EXPECT_STATUS(st, NFS4_OK, "DELEGRETURN by B");
	rc = delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN A");
	EXPECT_STATUS(st, NFS4_OK, "DELEGRETURN by A");
out:
	teardown(&s);
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

	rc = setup(ctx, &s, false);
	EXPECT_RPC(rc, "mount and mkdir");
	dc_name(ctx, "f", fname, sizeof(fname));
	rc = dc_client_open_file(&s.a, fname, true, &osid, &ffh, &st);
	EXPECT_RPC(rc, "OPEN");
	EXPECT_STATUS(st, NFS4_OK, "OPEN create");
	rc = dc_client_close_file(&s.a, &ffh, &osid, &st);
	EXPECT_RPC(rc, "CLOSE");
	rc = gdd(&s.a, &ffh, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION on a file");
	EXPECT_STATUS(g.status, NFS4ERR_NOTDIR,
		      "GET_DIR_DELEGATION on a regular file");
	rc = remove_in(&s.a, NULL, fname, &st);
	EXPECT_RPC(rc, "REMOVE");
out:
	dc_fh_free(&ffh);
	teardown(&s);
}

/*
 * Another client's change recalls the delegation (recall-only holder):
 * CB_RECALL carries the delegation stateid and the directory's fh.
 */
enum dd_change { CH_MKDIR, CH_REMOVE, CH_RENAME, CH_CHMOD_DIR, CH_V40 };

static int v40_mkdir(struct dc_ctx *ctx, const nfs_fh4 *dir,
		     const char *name, nfsstat4 *st)
{
	struct dc_client v = { 0 };
	struct dc_compound c;
	struct dc_cres r = { 0 };
	int rc;

	rc = dc_ctx_client(ctx, &v);
	if (rc)
		return rc;
	dc_compound_init(&c, 0, "mkdir40");
	dc_op_putfh(&c, dir);
	dc_op_mkdir(&c, name);
	rc = dc_compound_call(v.conns[0], &v.auth, &c, &r, v.timeout_ms);
	dc_compound_free(&c);
	if (!rc)
		*st = r.res.status;
	dc_cres_free(&r);
	dc_client_destroy(&v);
	return rc;
}

static void recall_on(struct dc_ctx *ctx, enum dd_change what)
{
	struct dd_setup s = { 0 };
	struct dc_cb_record rec;
	struct gdd_res g;
	char n1[96], n2[96];
	nfsstat4 st = NFS4_OK;
	int rc;

	rc = setup(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	dc_name(ctx, "e1", n1, sizeof(n1));
	dc_name(ctx, "e2", n2, sizeof(n2));
	if (what == CH_REMOVE || what == CH_RENAME) {
		rc = mkdir_in(&s.a, &s.dir, n1, NULL, &st);
		EXPECT_RPC(rc, "mkdir entry");
		EXPECT_STATUS(st, NFS4_OK, "mkdir entry");
	}
	rc = gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	switch (what) {
	case CH_MKDIR:
		rc = mkdir_in(&s.b, &s.dir, n2, NULL, &st);
		break;
	case CH_REMOVE:
		rc = remove_in(&s.b, &s.dir, n1, &st);
		break;
	case CH_RENAME:
		rc = rename_in(&s.b, &s.dir, n1, NULL, n2, &st);
		break;
	case CH_CHMOD_DIR:
		rc = chmod_fh(&s.b, &s.dir, 0750, &st);
		break;
	case CH_V40:
		rc = v40_mkdir(ctx, &s.dir, n2, &st);
		break;
	}
	EXPECT_RPC(rc, "change by B");
	EXPECT_STATUS(st, NFS4_OK, "change by B");
	EXPECT(wait_recall_of(&s.a, &g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL of A's directory delegation within %d ms",
	       CB_WAIT_MS);
	EXPECT(rec_is(&rec, &g.sid, &s.dir),
	       "CB_RECALL does not carry the directory's filehandle");
	EXPECT(rec.seq_valid, "CB_SEQUENCE of the CB_RECALL: %s",
	       rec.seq_problem);
	rc = delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN");
	EXPECT_STATUS(st, NFS4_OK, "DELEGRETURN after the recall");
out:
	teardown(&s);
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

	rc = setup(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	dc_name(ctx, "e1", n1, sizeof(n1));
	dc_name(ctx, "e2", n2, sizeof(n2));
	dc_name(ctx, "d2", d2, sizeof(d2));
	rc = mkdir_in(&s.a, NULL, d2, &dir2, &st);
	EXPECT_RPC(rc, "mkdir d2");
	EXPECT_STATUS(st, NFS4_OK, "mkdir d2");
	rc = gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	rc = gdd(&s.a, &dir2, 0, &g2);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION d2");
	EXPECT_GRANTED(g2);
	/* A's own changes */
	rc = mkdir_in(&s.a, &s.dir, n1, NULL, &st);
	EXPECT_RPC(rc, "mkdir by A");
	EXPECT_STATUS(st, NFS4_OK, "mkdir by A");
	rc = rename_in(&s.a, &s.dir, n1, NULL, n2, &st);
	EXPECT_RPC(rc, "rename by A");
	EXPECT_STATUS(st, NFS4_OK, "rename by A");
	rc = chmod_fh(&s.a, &s.dir, 0755, &st);
	EXPECT_RPC(rc, "chmod by A");
	EXPECT_STATUS(st, NFS4_OK, "chmod by A");
	/* d2's delegation is returned, then B changes d2, then dir */
	rc = delegreturn(&s.a, &dir2, &g2.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN d2");
	EXPECT_STATUS(st, NFS4_OK, "DELEGRETURN d2");
	rc = mkdir_in(&s.b, &dir2, n1, NULL, &st);
	EXPECT_RPC(rc, "mkdir in d2 by B");
	EXPECT_STATUS(st, NFS4_OK, "mkdir in d2 by B");
	rc = remove_in(&s.b, &s.dir, n2, &st);
	EXPECT_RPC(rc, "remove by B");
	EXPECT_STATUS(st, NFS4_OK, "remove by B");
	EXPECT(wait_recall_of(&s.a, &g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL after B's change within %d ms", CB_WAIT_MS);
	EXPECT(count_recalls(&s.a, &g.sid) == 1,
	       "%u CB_RECALLs of the delegation, expected 1",
	       count_recalls(&s.a, &g.sid));
	EXPECT(count_recalls(&s.a, &g2.sid) == 0,
	       "a returned directory delegation was recalled");
	rc = delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN");
	EXPECT_STATUS(st, NFS4_OK, "DELEGRETURN");
out:
	dc_fh_free(&dir2);
	teardown(&s);
}

/* Wait (bounded) until SEQUENCE says some recallable state was revoked */
static bool wait_revoked(struct dc_client *cl, unsigned max_s)
{
	double end = now_s() + max_s;
	uint32_t flags;
	nfsstat4 st;

	while (now_s() < end) {
		if (seq_flags(cl, &flags, &st) == 0 && st == NFS4_OK &&
		    (flags & SEQ4_STATUS_RECALLABLE_STATE_REVOKED))
			return true;
		sleep_ms(500);
	}
	return false;
}

/* The directory is removed by another client: revoked, then freed */
static void dirdeleg10_dir_removed(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct gdd_res g;
	nfsstat4 st, code;
	int rc;

	rc = setup(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	rc = gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	rc = remove_in(&s.b, NULL, s.dname, &st);
	EXPECT_RPC(rc, "REMOVE of the directory by B");
	EXPECT_STATUS(st, NFS4_OK, "REMOVE of the directory by B");
	EXPECT(wait_revoked(&s.a, 10),
	       "SEQ4_STATUS_RECALLABLE_STATE_REVOKED not set after the "
	       "delegated directory was removed");
	rc = test_sid(&s.a, &g.sid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT_STATUS(code, NFS4ERR_DELEG_REVOKED,
		      "TEST_STATEID of the revoked directory delegation");
	rc = free_sid(&s.a, &g.sid, &st);
	EXPECT_RPC(rc, "FREE_STATEID");
	EXPECT_STATUS(st, NFS4_OK, "FREE_STATEID of the revoked delegation");
	rc = test_sid(&s.a, &g.sid, &code);
	EXPECT_RPC(rc, "TEST_STATEID after FREE_STATEID");
	EXPECT_STATUS(code, NFS4ERR_BAD_STATEID,
		      "TEST_STATEID after FREE_STATEID");
out:
	teardown(&s);
}

/*
 * A recalled delegation never returned is revoked (after a lease); the
 * holder learns it from SEQUENCE and TEST_STATEID and frees it.
 */
static void dirdeleg11_not_returned(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct dc_cb_record rec;
	struct gdd_res g;
	char n1[96];
	nfsstat4 st, code;
	double t0;
	int rc;

	rc = setup(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	dc_name(ctx, "e1", n1, sizeof(n1));
	rc = gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	rc = mkdir_in(&s.b, &s.dir, n1, NULL, &st);
	EXPECT_RPC(rc, "mkdir by B");
	EXPECT_STATUS(st, NFS4_OK, "mkdir by B");
	EXPECT(wait_recall_of(&s.a, &g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL within %d ms", CB_WAIT_MS);
	t0 = now_s();
	/* A keeps its lease (SEQUENCE) but never returns the delegation */
	EXPECT(wait_revoked(&s.a, REVOKE_WAIT_S),
	       "recalled delegation not revoked within %d s", REVOKE_WAIT_S);
	dc_note(ctx, "revoked %.1f s after the recall", now_s() - t0);
	rc = test_sid(&s.a, &g.sid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT_STATUS(code, NFS4ERR_DELEG_REVOKED,
		      "TEST_STATEID of the revoked directory delegation");
	rc = delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN of a revoked delegation");
	EXPECT(st != NFS4_OK, "DELEGRETURN of a revoked delegation: NFS4_OK");
	rc = free_sid(&s.a, &g.sid, &st);
	EXPECT_RPC(rc, "FREE_STATEID");
	EXPECT_STATUS(st, NFS4_OK, "FREE_STATEID of the revoked delegation");
	rc = seq_flags(&s.a, (uint32_t *)&code, &st);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT(!(code & SEQ4_STATUS_RECALLABLE_STATE_REVOKED),
	       "SEQ4_STATUS_RECALLABLE_STATE_REVOKED still set after "
	       "FREE_STATEID");
out:
	teardown(&s);
}

/*
 * DESTROY_SESSION + DESTROY_CLIENTID of a holder cleans its delegation
 * up: B's later change and GET_DIR_DELEGATION work at once.
 */
static void dirdeleg12_client_gone(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct gdd_res g, gb;
	char n1[96];
	nfsstat4 st;
	int rc;

	rc = setup(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	dc_name(ctx, "e1", n1, sizeof(n1));
	rc = gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	dc_client_destroy(&s.a);
	rc = mkdir_in(&s.b, &s.dir, n1, NULL, &st);
	EXPECT_RPC(rc, "mkdir by B");
	EXPECT_STATUS(st, NFS4_OK, "mkdir by B after A is gone");
	rc = gdd(&s.b, &s.dir, 0, &gb);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION by B");
	EXPECT_GRANTED(gb);
	rc = delegreturn(&s.b, &s.dir, &gb.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN by B");
	EXPECT_STATUS(st, NFS4_OK, "DELEGRETURN by B");
out:
	teardown(&s);
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
	{ "DIRDELEG10", "directory removed: revoked, TEST_STATEID, FREE_STATEID",
	  "10.9 / 18.48 / 18.38", "dirdeleg deleg", "DIRDELEG1",
	  dirdeleg10_dir_removed },
	{ "DIRDELEG11", "recalled and never returned: revoked after a lease",
	  "10.4.6 / 8.3", "dirdeleg deleg slow", "DIRDELEG4",
	  dirdeleg11_not_returned },
	{ "DIRDELEG12", "DESTROY_CLIENTID of the holder cleans up",
	  "18.50", "dirdeleg deleg", "DIRDELEG1", dirdeleg12_client_gone },
	{ NULL }
};

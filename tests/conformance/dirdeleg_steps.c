// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Steps the directory delegation cases share: see dirdeleg_steps.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "dirdeleg_steps.h"

double dd_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void dd_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

void dd_set_bm(struct bitmap4 *b, uint32_t w0, uint32_t w1)
{
	b->bitmap4_len = w1 ? 2 : 1;
	b->map[0] = w0;
	b->map[1] = w1;
}

/* ---- compounds ---------------------------------------------------- */

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
	a->gdda_signal_deleg_avail = d->signal;
	a->gdda_child_attr_delay.seconds = d->child_delay_ms / 1000;
	a->gdda_child_attr_delay.nseconds = d->child_delay_ms % 1000 * 1000000;
	dd_set_bm(&a->gdda_notification_types, d->notify, 0);
	dd_set_bm(&a->gdda_child_attributes, d->child[0], d->child[1]);
	dd_set_bm(&a->gdda_dir_attributes, d->dattr[0], d->dattr[1]);
	if (!d->child[0] && !d->child[1])
		a->gdda_child_attributes.bitmap4_len = 0;
	if (!d->dattr[0] && !d->dattr[1])
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

static void fill_chmod(struct dc_compound *c, void *arg)
{
	struct dd_call *d = arg;
	SETATTR4args *a;
	uint32_t be = htonl(d->mode);

	put_fh(c, d, d->fh);
	a = &dc_op_add(c, NFS4_OP_SETATTR)->nfs_argop4_u.opsetattr;
	memset(&a->stateid, 0, sizeof(a->stateid));
	dd_set_bm(&a->obj_attributes.attrmask, 0, 1u << (FATTR4_MODE - 32));
	a->obj_attributes.attr_vals.attrlist4_val =
		dc_compound_keep(c, &be, sizeof(be));
	a->obj_attributes.attr_vals.attrlist4_len = sizeof(be);
}

/* Status of the last op of a simple compound. */
int dd_call_last(struct dc_client *cl,
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
int dd_mkdir_in(struct dc_client *cl, const nfs_fh4 *dir,
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

/* GET_DIR_DELEGATION with all of d's arguments */
int dd_gdd_call(struct dc_client *cl, struct dd_call *d,
		struct gdd_res *g)
{
	struct dc_cres r;
	nfsstat4 cst;
	int rc;

	d->cl = cl;
	memset(g, 0, sizeof(*g));
	rc = dc_client_simple(cl, fill_gdd, d, &r, &cst);
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
			memcpy(g->child, ok->gddr_child_attributes.map,
			       sizeof(g->child));
			if (ok->gddr_child_attributes.bitmap4_len < 2)
				g->child[1] = 0;
			if (ok->gddr_child_attributes.bitmap4_len < 1)
				g->child[0] = 0;
			memcpy(g->dattr, ok->gddr_dir_attributes.map,
			       sizeof(g->dattr));
			if (ok->gddr_dir_attributes.bitmap4_len < 2)
				g->dattr[1] = 0;
			if (ok->gddr_dir_attributes.bitmap4_len < 1)
				g->dattr[0] = 0;
		} else {
			g->signal = nf->GET_DIR_DELEGATION4res_non_fatal_u
					    .gddrnf_signal;
		}
	}
	dc_cres_free(&r);
	return 0;
}

int dd_gdd_attrs(struct dc_client *cl, const nfs_fh4 *dir,
		 uint32_t notify, const uint32_t *child,
		 const uint32_t *dattr, struct gdd_res *g)
{
	struct dd_call d = { .cl = cl, .fh = dir, .notify = notify };

	if (child)
		memcpy(d.child, child, sizeof(d.child));
	if (dattr)
		memcpy(d.dattr, dattr, sizeof(d.dattr));
	return dd_gdd_call(cl, &d, g);
}

int dd_gdd(struct dc_client *cl, const nfs_fh4 *dir, uint32_t notify,
	   struct gdd_res *g)
{
	return dd_gdd_attrs(cl, dir, notify, NULL, NULL, g);
}

int dd_remove_in(struct dc_client *cl, const nfs_fh4 *dir,
		 const char *name, nfsstat4 *st)
{
	struct dd_call d = { .fh = dir, .name = name };

	return dd_call_last(cl, fill_remove, &d, st);
}

int dd_rename_in(struct dc_client *cl, const nfs_fh4 *from_dir,
		 const char *from, const nfs_fh4 *to_dir, const char *to,
		 nfsstat4 *st)
{
	struct dd_call d = { .fh = from_dir, .fh2 = to_dir, .name = from,
			     .name2 = to };

	return dd_call_last(cl, fill_rename, &d, st);
}

int dd_delegreturn(struct dc_client *cl, const nfs_fh4 *dir,
		   const stateid4 *sid, nfsstat4 *st)
{
	struct dd_call d = { .fh = dir, .sid = *sid };

	return dd_call_last(cl, fill_delegreturn, &d, st);
}

int dd_chmod_fh(struct dc_client *cl, const nfs_fh4 *fh, uint32_t mode,
		nfsstat4 *st)
{
	struct dd_call d = { .fh = fh, .mode = mode };

	return dd_call_last(cl, fill_chmod, &d, st);
}

/* ---- back channel -------------------------------------------------- */

bool dd_rec_is(const struct dc_cb_record *r, const stateid4 *sid,
	       const nfs_fh4 *fh)
{
	return r->has_recall &&
	       !memcmp(r->recall_sid.other, sid->other, sizeof(sid->other)) &&
	       (!fh || (r->recall_fh_len == fh->nfs_fh4_len &&
			!memcmp(r->recall_fh, fh->nfs_fh4_val,
				fh->nfs_fh4_len)));
}

/* Index of the first CB_RECALL of sid at or after record *from. */
bool dd_wait_recall_of(struct dc_client *cl, const stateid4 *sid,
		       unsigned from, int timeout_ms,
		       struct dc_cb_record *out, unsigned *idx)
{
	double end = dd_now_s() + timeout_ms / 1000.0;
	unsigned i = from, n;

	for (;;) {
		double left = end - dd_now_s();

		n = dc_cb_count(&cl->cb);
		for (; i < n; i++)
			if (dc_cb_get(&cl->cb, i, out) &&
			    dd_rec_is(out, sid, NULL)) {
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

unsigned dd_count_recalls(struct dc_client *cl, const stateid4 *sid)
{
	struct dc_cb_record rec;
	unsigned i, n = dc_cb_count(&cl->cb), k = 0;

	for (i = 0; i < n; i++)
		if (dc_cb_get(&cl->cb, i, &rec) && dd_rec_is(&rec, sid, NULL))
			k++;
	return k;
}

int dd_begin(struct dc_ctx *ctx, struct dd_setup *s, bool two)
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
	rc = dd_mkdir_in(&s->a, NULL, s->dname, &s->dir, &st);
	if (rc)
		return rc;
	return st == NFS4_OK ? 0 : -EIO;
}

void dd_end(struct dd_setup *s)
{
	dc_fh_free(&s->dir);
	dc_client_destroy(&s->b);
	dc_client_destroy(&s->a);
}

int dd_v40_mkdir(struct dc_ctx *ctx, const nfs_fh4 *dir,
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

/* Until SEQUENCE reports revoked state; *flags is the last answer. */
bool dd_wait_any_revoked(struct dc_client *cl, unsigned max_s,
			 uint32_t *flags)
{
	double end = dd_now_s() + max_s;
	nfsstat4 st;

	*flags = 0;
	while (dd_now_s() < end) {
		if (dc_client_seq_flags(cl, flags, &st) == 0 &&
		    st == NFS4_OK && (*flags & DD_REVOKED_BITS))
			return true;
		dd_sleep_ms(500);
	}
	return false;
}

/* Wait (bounded) until SEQUENCE says some recallable state was revoked */
bool dd_wait_revoked(struct dc_client *cl, unsigned max_s)
{
	uint32_t flags;

	return dd_wait_any_revoked(cl, max_s, &flags) &&
	       (flags & SEQ4_STATUS_RECALLABLE_STATE_REVOKED);
}

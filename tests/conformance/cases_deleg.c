// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * File delegations (RFC 8881 sections 10.2, 10.4): grant on OPEN, recall
 * over the 4.1 back channel (20.2 CB_RECALL), DELEGRETURN (18.49),
 * revocation of a delegation whose holder never answers (8.3, 10.2.1),
 * and how the client learns of it (18.46.3 SEQ4_STATUS flags, 18.48
 * TEST_STATEID, 18.38 FREE_STATEID).
 *
 * Needs a server that grants delegations: NFSv4 { Delegations = true; }
 * and EXPORT { Delegations = RW; } (server.conf.in) over an FSAL with
 * lease_op2 (FSAL_DITTO).  FSAL_MEM and FSAL_VFS grant none here, so
 * run.sh leaves these cases out for them (flag "filedeleg").
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "case.h"
#include "compound_v42.h"

/* Bounds of every wait below. */
#define RECALL_WAIT_MS 15000
#define OPEN_RETRIES 60
#define OPEN_RETRY_MS 250

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct open_res {
	nfsstat4 status;
	stateid4 sid;
	nfs_fh4 fh;
	open_delegation_type4 dtype;
	stateid4 dsid;
	bool recall;
	uint32_t why;	/* ond_why for OPEN_DELEGATE_NONE_EXT */
	bool held;	/* delegation granted and not yet returned */
};

/*
 * [SEQUENCE, PUTROOTFH, LOOKUP..., OPEN name, GETFH] with the client's
 * open owner and the given share_access (want flags included).
 */
static int open_name(struct dc_client *cl, const char *name, bool create,
		     uint32_t access, struct open_res *o)
{
	struct dc_open d;
	char oo[64];
	int rc;

	memset(o, 0, sizeof(*o));
	dc_client_open_owner(cl, oo, sizeof(oo));
	rc = dc_fs_open_share(cl, NULL, name, oo, create, access,
			      OPEN4_SHARE_DENY_NONE, &d, &o->status);
	if (rc || o->status != NFS4_OK)
		return rc;
	o->sid = d.sid;
	o->fh = d.fh;	/* o owns it now */
	o->dtype = d.dtype;
	o->dsid = d.dsid;
	o->recall = d.recall;
	o->why = d.why;
	o->held = o->dtype == OPEN_DELEGATE_WRITE ||
		  o->dtype == OPEN_DELEGATE_READ;
	return 0;
}

static const char *dtype_name(open_delegation_type4 t)
{
	switch (t) {
	case OPEN_DELEGATE_NONE:
		return "OPEN_DELEGATE_NONE";
	case OPEN_DELEGATE_READ:
		return "OPEN_DELEGATE_READ";
	case OPEN_DELEGATE_WRITE:
		return "OPEN_DELEGATE_WRITE";
	case OPEN_DELEGATE_NONE_EXT:
		return "OPEN_DELEGATE_NONE_EXT";
	default:
		return "?";
	}
}

/* [SEQUENCE, PUTFH fh, op]; *st is the status of the op after PUTFH. */
struct fh_call {
	const nfs_fh4 *fh;
	stateid4 sid;
	uint64_t off;
	const void *data;
	uint32_t len;
};

static void fill_delegreturn(struct dc_compound *c, void *arg)
{
	struct fh_call *f = arg;

	dc_op_putfh(c, f->fh);
	dc_op_delegreturn(c, &f->sid);
}

static void fill_write(struct dc_compound *c, void *arg)
{
	struct fh_call *f = arg;

	dc_op_putfh(c, f->fh);
	dc_op_write(c, &f->sid, f->off, f->data, f->len);
}

static void fill_read(struct dc_compound *c, void *arg)
{
	struct fh_call *f = arg;

	dc_op_putfh(c, f->fh);
	dc_op_read(c, &f->sid, f->off, f->len);
}

/* Status of the last op of a simple compound (the one under test). */
static int call_last(struct dc_client *cl,
		     void (*fill)(struct dc_compound *c, void *arg), void *arg,
		     nfsstat4 *st)
{
	struct dc_cres r;
	nfsstat4 cst;
	int rc;

	rc = dc_client_simple(cl, fill, arg, &r, &cst);
	if (rc)
		return rc;
	*st = dc_cres_status(&r, r.res.resarray.resarray_len - 1);
	dc_cres_free(&r);
	return 0;
}

static int delegreturn(struct dc_client *cl, const nfs_fh4 *fh,
		       const stateid4 *sid, nfsstat4 *st)
{
	struct fh_call f = { .fh = fh, .sid = *sid };

	return call_last(cl, fill_delegreturn, &f, st);
}

static int write_at(struct dc_client *cl, const nfs_fh4 *fh,
		    const stateid4 *sid, uint64_t off, const char *s,
		    nfsstat4 *st)
{
	struct fh_call f = { .fh = fh, .sid = *sid, .off = off, .data = s,
			     .len = strlen(s) };

	return call_last(cl, fill_write, &f, st);
}

/* READ up to len bytes at 0 into buf (NUL terminated). */
static int read_all(struct dc_client *cl, const nfs_fh4 *fh,
		    const stateid4 *sid, char *buf, uint32_t len,
		    nfsstat4 *st)
{
	struct fh_call f = { .fh = fh, .sid = *sid, .len = len - 1 };
	struct dc_cres r;
	nfsstat4 cst;
	int rc;

	buf[0] = 0;
	rc = dc_client_simple(cl, fill_read, &f, &r, &cst);
	if (rc)
		return rc;
	*st = cst;
	if (cst == NFS4_OK) {
		READ4resok *rd = &dc_cres_op(&r, 2)
					  ->nfs_resop4_u.opread.READ4res_u
					  .resok4;
		uint32_t n = rd->data.data_len < len - 1 ? rd->data.data_len :
							   len - 1;

		if (n)
			memcpy(buf, rd->data.iov[0].iov_base, n);
		buf[n] = 0;
	}
	dc_cres_free(&r);
	return 0;
}

struct export_op {
	struct dc_client *cl;
	const char *name;
};

static void fill_export_remove(struct dc_compound *c, void *arg)
{
	struct export_op *e = arg;

	dc_client_put_export(e->cl, c);
	dc_op_remove(c, e->name);
}

static int remove_name(struct dc_client *cl, const char *name, nfsstat4 *st)
{
	struct export_op e = { cl, name };

	return call_last(cl, fill_export_remove, &e, st);
}

static void fill_lease(struct dc_compound *c, void *arg)
{
	struct export_op *e = arg;

	dc_client_put_export(e->cl, c);
	dc_op_getattr(c, 1u << FATTR4_LEASE_TIME, 0);
}

/* The server's lease time in seconds (10 when it cannot be read). */
static unsigned lease_time(struct dc_client *cl)
{
	struct export_op e = { cl, NULL };
	struct dc_cres r;
	uint64_t v = 10;
	nfsstat4 st;

	if (dc_client_simple(cl, fill_lease, &e, &r, &st))
		return 10;
	if (st == NFS4_OK) {
		unsigned n = r.res.resarray.resarray_len;
		nfs_resop4 *op = dc_cres_op(&r, n - 1);

		if (!dc_fattr_u64(&op->nfs_resop4_u.opgetattr.GETATTR4res_u
					   .resok4.obj_attributes,
				  FATTR4_LEASE_TIME, &v) ||
		    v == 0)
			v = 10;
	}
	dc_cres_free(&r);
	return v;
}

/* Back channel handler: answers CB_RECALL as told, all else OK. */
struct recall_policy {
	enum dc_cb_action on_recall;
};

static enum dc_cb_action recall_handler(void *arg,
					const struct dc_cb_record *rec,
					nfsstat4 *status)
{
	struct recall_policy *p = arg;

	return rec->has_recall ? p->on_recall : DC_CB_OK;
}

/* Wait (bounded) for the first CB_RECALL recorded on cl's back channel. */
static bool wait_recall(struct dc_client *cl, int timeout_ms,
			struct dc_cb_record *out)
{
	double end = now_s() + timeout_ms / 1000.0;
	unsigned seen = 0, i, n;

	for (;;) {
		double left = end - now_s();

		n = dc_cb_count(&cl->cb);
		for (i = seen; i < n; i++)
			if (dc_cb_get(&cl->cb, i, out) && out->has_recall)
				return true;
		seen = n;
		if (left <= 0)
			return false;
		dc_cb_wait(&cl->cb, n + 1, left * 1000 > 500 ? 500 :
							       left * 1000 + 1);
	}
}

/* How many leading bytes of two session ids agree. */
static int common_prefix(const char *a, const char *b)
{
	int i = 0;

	while (i < NFS4_SESSIONID_SIZE && a[i] == b[i])
		i++;
	return i;
}

/* Cleanup: give back a delegation still held, close the open. */
static void close_quietly(struct dc_client *cl, struct open_res *o)
{
	nfsstat4 st;

	if (o->fh.nfs_fh4_len && o->held)
		delegreturn(cl, &o->fh, &o->dsid, &st);
	o->held = false;
	if (o->fh.nfs_fh4_len && o->status == NFS4_OK)
		dc_client_close_file(cl, &o->fh, &o->sid, &st);
}

/*
 * The delegation holder opens write-only and says it wants a write
 * delegation (18.16.3), so a refusal comes back as
 * OPEN_DELEGATE_NONE_EXT with a reason.  Write-only because stock
 * Ganesha 6.5 never delegates a READ|WRITE open: should_we_grant_deleg()
 * counts the open's own write access as a conflicting writer for its
 * read access (ditto patch 0023 fixes that; these cases do not need it).
 */
#define ACCESS_WDELEG                                                          \
	(OPEN4_SHARE_ACCESS_WRITE | OPEN4_SHARE_ACCESS_WANT_WRITE_DELEG)
#define ACCESS_RDELEG                                                          \
	(OPEN4_SHARE_ACCESS_READ | OPEN4_SHARE_ACCESS_WANT_READ_DELEG)
#define ACCESS_NODELEG                                                         \
	(OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG)

#define EXPECT_DELEG(o, want)                                                  \
	EXPECT((o).dtype == (want),                                            \
	       "OPEN granted %s (ond_why %u), expected %s; is Delegations "    \
	       "enabled in NFSv4 and the EXPORT, and does the FSAL grant "    \
	       "leases?",                                                      \
	       dtype_name((o).dtype), (o).why, dtype_name(want))

static void deleg1_write(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 };
	struct open_res o = { 0 };
	char name[96], buf[64];
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &a);
	EXPECT_RPC(rc, "mount");
	dc_name(ctx, "f", name, sizeof(name));
	rc = open_name(&a, name, true, ACCESS_WDELEG, &o);
	EXPECT_OK(rc, o.status, "OPEN create for read+write");
	EXPECT_DELEG(o, OPEN_DELEGATE_WRITE);
	EXPECT(memcmp(o.dsid.other, o.sid.other, 12),
	       "delegation stateid equals the open stateid");
	EXPECT(!o.recall, "delegation granted with recall set");
	/* 8.2.5 / 9.1.2: I/O may use the delegation stateid. */
	rc = write_at(&a, &o.fh, &o.dsid, 0, "delegated", &st);
	EXPECT_OK(rc, st, "WRITE with the delegation stateid");
	rc = read_all(&a, &o.fh, &o.dsid, buf, sizeof(buf), &st);
	EXPECT_OK(rc, st, "READ with the delegation stateid");
	EXPECT(!strcmp(buf, "delegated"), "READ back \"%s\"", buf);
	rc = delegreturn(&a, &o.fh, &o.dsid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
	o.held = false;
	rc = dc_client_close_file(&a, &o.fh, &o.sid, &st);
	EXPECT_OK(rc, st, "CLOSE");
	o.status = NFS4ERR_INVAL;	/* closed */
	rc = remove_name(&a, name, &st);
	EXPECT_OK(rc, st, "REMOVE");
out:
	close_quietly(&a, &o);
	dc_fh_free(&o.fh);
	dc_client_destroy(&a);
}

static void deleg5_read(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct open_res w = { 0 }, o = { 0 }, ob = { 0 };
	char name[96], buf[64];
	nfsstat4 st;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	dc_name(ctx, "f", name, sizeof(name));
	/* Create and fill it without a delegation, then close. */
	rc = open_name(&a, name, true, ACCESS_NODELEG, &w);
	EXPECT_OK(rc, w.status, "OPEN create");
	EXPECT(w.dtype == OPEN_DELEGATE_NONE ||
		       w.dtype == OPEN_DELEGATE_NONE_EXT,
	       "WANT_NO_DELEG OPEN got %s", dtype_name(w.dtype));
	rc = write_at(&a, &w.fh, &w.sid, 0, "shared", &st);
	EXPECT_OK(rc, st, "WRITE");
	rc = dc_client_close_file(&a, &w.fh, &w.sid, &st);
	EXPECT_OK(rc, st, "CLOSE");
	w.status = NFS4ERR_INVAL;
	/* A read-only OPEN: a read delegation. */
	rc = open_name(&a, name, false, ACCESS_RDELEG, &o);
	EXPECT_OK(rc, o.status, "OPEN for read");
	EXPECT_DELEG(o, OPEN_DELEGATE_READ);
	rc = read_all(&a, &o.fh, &o.dsid, buf, sizeof(buf), &st);
	EXPECT_OK(rc, st, "READ with the read delegation stateid");
	EXPECT(!strcmp(buf, "shared"), "READ back \"%s\"", buf);
	/* 10.4.1: another reader does not conflict; no recall needed. */
	rc = open_name(&b, name, false,
		       OPEN4_SHARE_ACCESS_READ |
			       OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
		       &ob);
	EXPECT_OK(rc, ob.status,
		  "read OPEN by B while A holds a read delegation");
	EXPECT(dc_cb_recalls(&a.cb, NULL) == 0,
	       "A's read delegation was recalled for a non-conflicting read "
	       "OPEN");
	rc = delegreturn(&a, &o.fh, &o.dsid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN of the read delegation");
	o.held = false;
	close_quietly(&b, &ob);
	ob.status = NFS4ERR_INVAL;
	close_quietly(&a, &o);
	o.status = NFS4ERR_INVAL;
	rc = remove_name(&a, name, &st);
	EXPECT_OK(rc, st, "REMOVE");
out:
	close_quietly(&b, &ob);
	close_quietly(&a, &o);
	close_quietly(&a, &w);
	dc_fh_free(&ob.fh);
	dc_fh_free(&o.fh);
	dc_fh_free(&w.fh);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

/*
 * B's OPEN, retried while the server says NFS4ERR_DELAY; between tries
 * tick() (if set) runs.  Returns the transport status; *tries counts.
 */
static int open_retry(struct dc_client *b, const char *name, uint32_t access,
		      struct open_res *o, unsigned max_tries, unsigned wait_ms,
		      void (*tick)(void *arg), void *arg, unsigned *tries)
{
	int rc = 0;

	for (*tries = 1; *tries <= max_tries; (*tries)++) {
		dc_fh_free(&o->fh);
		rc = open_name(b, name, false, access, o);
		if (rc || o->status != NFS4ERR_DELAY)
			return rc;
		sleep_ms(wait_ms);
		if (tick)
			tick(arg);
	}
	(*tries)--;
	return rc;
}

/*
 * A holds a delegation of type want on a new file whose content is
 * "from-A;" (written under the delegation for a write delegation,
 * before the read-only OPEN for a read delegation).  Returns false with
 * the case failed.
 */
static bool hold_deleg(struct dc_ctx *ctx, struct dc_client *a,
		       const char *name, open_delegation_type4 want,
		       struct open_res *o)
{
	struct open_res w = { 0 };
	bool ok = false;
	nfsstat4 st;
	int rc;

	if (want == OPEN_DELEGATE_WRITE) {
		rc = open_name(a, name, true, ACCESS_WDELEG, o);
		EXPECT_OK(rc, o->status, "OPEN create by A");
		EXPECT_DELEG(*o, OPEN_DELEGATE_WRITE);
		rc = write_at(a, &o->fh, &o->dsid, 0, "from-A;", &st);
		EXPECT_OK(rc, st, "WRITE by A under its delegation");
		return true;
	}
	rc = open_name(a, name, true, ACCESS_NODELEG, &w);
	EXPECT_OK(rc, w.status, "OPEN create by A");
	rc = write_at(a, &w.fh, &w.sid, 0, "from-A;", &st);
	EXPECT_OK(rc, st, "WRITE by A");
	rc = dc_client_close_file(a, &w.fh, &w.sid, &st);
	EXPECT_OK(rc, st, "CLOSE");
	rc = open_name(a, name, false, ACCESS_RDELEG, o);
	EXPECT_OK(rc, o->status, "read OPEN by A");
	EXPECT_DELEG(*o, OPEN_DELEGATE_READ);
	ok = true;
out:
	dc_fh_free(&w.fh);
	return ok;
}

/*
 * A and B mounted, A's recalls answered as pol says, and A holding a
 * delegation of type want on a new file named after tag (see
 * hold_deleg()).  Returns false with the case failed.
 */
static bool pair_holding(struct dc_ctx *ctx, struct dc_client *a,
			 struct dc_client *b, struct recall_policy *pol,
			 const char *tag, char *name, size_t len,
			 open_delegation_type4 want, struct open_res *o)
{
	if (!dc_ctx_mounted_pair(ctx, a, b))
		return false;
	dc_cb_set_handler(&a->cb, recall_handler, pol);
	dc_name(ctx, tag, name, len);
	return hold_deleg(ctx, a, name, want, o);
}

/*
 * Undo pair_holding(): A's handler off, B's open o_b and A's o closed
 * (A's delegation returned), and, when the case failed, name removed
 * by remover as far as it can.
 */
static void pair_release(struct dc_ctx *ctx, struct dc_client *a,
			 struct dc_client *b, struct open_res *o,
			 struct open_res *o_b, struct dc_client *remover,
			 const char *name)
{
	nfsstat4 st;

	if (a->inited)	/* not after a crash */
		dc_cb_set_handler(&a->cb, NULL, NULL);
	close_quietly(b, o_b);
	close_quietly(a, o);
	if (ctx->result != DC_PASS)
		remove_name(remover, name, &st);
	dc_fh_free(&o_b->fh);
	dc_fh_free(&o->fh);
	dc_client_destroy(b);
	dc_client_destroy(a);
}

/*
 * 10.4.4 / 20.2: B's conflicting OPEN (read+write) makes the server
 * recall A's delegation over A's back channel; A answers NFS4_OK and
 * returns it; B's retried OPEN is granted; the returned stateid is gone;
 * both clients then see the same file.
 */
static void recall_flow(struct dc_ctx *ctx, open_delegation_type4 type)
{
	struct recall_policy pol = { DC_CB_OK };
	struct dc_client a = { 0 }, b = { 0 };
	struct open_res o = { 0 }, ob = { 0 };
	struct dc_cb_record rec;
	struct timespec t_open;
	char name[96], buf[64];
	stateid4 up_sid;
	nfs_fh4 up_fh = { 0 };
	unsigned tries;
	nfsstat4 st, code;
	int rc;

	if (!pair_holding(ctx, &a, &b, &pol, "f", name, sizeof(name), type,
			  &o))
		goto out;

	/* B's conflicting OPEN cannot be granted before the recall. */
	clock_gettime(CLOCK_REALTIME, &t_open);
	rc = open_name(&b, name, false, ACCESS_NODELEG, &ob);
	EXPECT_RPC(rc, "OPEN by B");
	EXPECT(ob.status == NFS4ERR_DELAY,
	       "another client's read+write OPEN while A holds a %s: got %s "
	       "and %u callbacks on A, expected NFS4ERR_DELAY and a "
	       "CB_RECALL (10.4.4)%s",
	       dtype_name(type), dc_nfsstat_name(ob.status),
	       dc_cb_count(&a.cb),
	       type == OPEN_DELEGATE_WRITE && ob.status == NFS4_OK ?
		       "; the symptom of Ganesha's state_deleg_conflict_impl"
		       "() comparing hosts (gsh_client), not client IDs: "
		       "clients on one host never conflict (ditto patch "
		       "0024)" :
		       "");
	EXPECT(wait_recall(&a, RECALL_WAIT_MS, &rec),
	       "no CB_RECALL reached A's back channel within %d ms (%u "
	       "callbacks recorded)",
	       RECALL_WAIT_MS, dc_cb_count(&a.cb));
	EXPECT(rec.conn == a.conns[0],
	       "CB_RECALL arrived on a connection A did not give the back "
	       "channel");
	EXPECT(rec.minorversion >= 1, "CB_COMPOUND minorversion %u",
	       rec.minorversion);
	EXPECT(rec.has_sequence && rec.seq_valid,
	       "CB_SEQUENCE before CB_RECALL not valid for A's session: %s",
	       rec.seq_problem[0] ? rec.seq_problem : "missing");
	EXPECT(!memcmp(rec.recall_sid.other, o.dsid.other, 12),
	       "CB_RECALL stateid is not A's delegation stateid");
	EXPECT(dc_cb_is_recall_of(&rec, &o.fh),
	       "CB_RECALL fh (%u bytes) is not the file's (%u bytes)",
	       rec.recall_fh_len, o.fh.nfs_fh4_len);
	/* The recall names the OPEN that got the delegation (20.9.3):
	 * all 16 bytes of A's session id, on one of A's slots.
	 */
	EXPECT(rec.has_refer, "CB_SEQUENCE names no referring call");
	EXPECT(!memcmp(rec.refer_sid, a.sid, NFS4_SESSIONID_SIZE),
	       "referring call's session id is not A's (only %d leading "
	       "bytes match)", common_prefix(rec.refer_sid, a.sid));
	EXPECT(rec.refer_slot < a.slots.n,
	       "referring call on slot %u, A has %u", rec.refer_slot,
	       a.slots.n);
	EXPECT(rec.replied, "A's CB_RECALL reply was not sent");
	rc = delegreturn(&a, &o.fh, &o.dsid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN after CB_RECALL");
	o.held = false;

	rc = open_retry(&b, name, ACCESS_NODELEG, &ob, OPEN_RETRIES,
			OPEN_RETRY_MS, NULL, NULL, &tries);
	EXPECT_OK(rc, ob.status, "B's OPEN after DELEGRETURN");
	rc = dc_client_test_stateid(&a, &o.dsid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT_STATUS(code, NFS4ERR_BAD_STATEID,
		      "TEST_STATEID of the returned delegation");

	/* One file for both: A's write, then B's, then A reads both. */
	rc = read_all(&b, &ob.fh, &ob.sid, buf, sizeof(buf), &st);
	EXPECT_OK(rc, st, "READ by B");
	EXPECT(!strcmp(buf, "from-A;"), "B reads \"%s\", expected "
					"\"from-A;\"",
	       buf);
	rc = write_at(&b, &ob.fh, &ob.sid, 7, "from-B.", &st);
	EXPECT_OK(rc, st, "WRITE by B");
	/* A upgrades its open to read+write (same open owner) and reads. */
	rc = dc_client_open_file(&a, name, false, &up_sid, &up_fh, &st);
	EXPECT_OK(rc, st, "OPEN upgrade by A");
	o.sid = up_sid;
	rc = read_all(&a, &o.fh, &o.sid, buf, sizeof(buf), &st);
	EXPECT_OK(rc, st, "READ by A with its open stateid");
	EXPECT(!strcmp(buf, "from-A;from-B."), "A reads \"%s\"", buf);
	dc_note(ctx, "CB_RECALL %ld ms after B's OPEN; B's OPEN granted on "
		     "retry %u",
		(long)((rec.ts.tv_sec - t_open.tv_sec) * 1000 +
		       (rec.ts.tv_nsec - t_open.tv_nsec) / 1000000),
		tries);
	close_quietly(&b, &ob);
	ob.status = NFS4ERR_INVAL;
	close_quietly(&a, &o);
	o.status = NFS4ERR_INVAL;
	rc = remove_name(&a, name, &st);
	EXPECT_OK(rc, st, "REMOVE");
out:
	dc_fh_free(&up_fh);
	pair_release(ctx, &a, &b, &o, &ob, &a, name);
}

static void deleg2_recall_write(struct dc_ctx *ctx)
{
	recall_flow(ctx, OPEN_DELEGATE_WRITE);
}

static void deleg6_recall_read(struct dc_ctx *ctx)
{
	recall_flow(ctx, OPEN_DELEGATE_READ);
}

/* Keeps A's lease alive while B waits; remembers A's status flags. */
struct renew_arg {
	struct dc_client *cl;
	uint32_t flags_seen;
	unsigned renewals;
};

static void renew_tick(void *arg)
{
	struct renew_arg *ra = arg;
	uint32_t flags;
	nfsstat4 st;

	if (!dc_client_seq_flags(ra->cl, &flags, &st) && st == NFS4_OK) {
		ra->flags_seen |= flags;
		ra->renewals++;
	}
}

/*
 * A never returns its delegation, while it keeps renewing its lease:
 * on_recall DC_CB_DROP, it does not answer the CB_RECALL either (revoked
 * two leases after the first attempt); DC_CB_OK, it answers it (revoked
 * one lease after the answer, 10.4.6).  Either way B's OPEN is then
 * granted and A is told (18.46.3, 8.2.4, 18.38.3).
 */
static void revoke_flow(struct dc_ctx *ctx, enum dc_cb_action on_recall)
{
	struct recall_policy pol = { on_recall };
	struct dc_client a = { 0 }, b = { 0 };
	struct open_res o = { 0 }, ob = { 0 };
	struct renew_arg ra = { .cl = &a };
	struct dc_cb_record rec;
	char name[96], problems[1024];
	unsigned lease, tries, max_tries;
	uint32_t flags, flags2 = 0;
	nfsstat4 st, code = 0, fst = 0, code2 = 0, rst = 0;
	char buf[16];
	double t0, waited;
	size_t n = 0;
	int rc;

	/*
	 * A read delegation: Ganesha recalls it for any other writer,
	 * while a write delegation is not recalled for a second client
	 * on the same host (see DELEG2), which would hide the
	 * revocation path this case is about.
	 */
	if (!pair_holding(ctx, &a, &b, &pol, "f", name, sizeof(name),
			  OPEN_DELEGATE_READ, &o))
		goto out;
	lease = lease_time(&a);

	/*
	 * A never returns the delegation.  B retries once a second for up
	 * to about three leases (plus slack for the callback timeout)
	 * while A keeps renewing its lease, so the delegation is revoked,
	 * not lost with an expired client (10.2.1, 8.3).
	 */
	max_tries = 3 * lease + 15;
	t0 = now_s();
	rc = open_retry(&b, name, ACCESS_NODELEG, &ob, max_tries, 1000,
			renew_tick, &ra, &tries);
	waited = now_s() - t0;
	EXPECT_RPC(rc, "OPEN by B");
	EXPECT(wait_recall(&a, 0, &rec),
	       "A never received a CB_RECALL (%u callbacks recorded)",
	       dc_cb_count(&a.cb));
	EXPECT(rec.replied == (on_recall == DC_CB_OK),
	       "A's CB_RECALL %s answered", rec.replied ? "was" : "was not");
	EXPECT_STATUS(ob.status, NFS4_OK,
		      "B's OPEN after A kept the delegation for ~3 leases");
	o.held = false;	/* revoked */

	/* What A is told about the revocation. */
	rc = dc_client_seq_flags(&a, &flags, &st);
	EXPECT_OK(rc, st, "SEQUENCE by A after the revocation");
	rc = read_all(&a, &o.fh, &o.dsid, buf, sizeof(buf), &rst);
	EXPECT_RPC(rc, "READ with the revoked delegation's stateid");
	rc = dc_client_test_stateid(&a, &o.dsid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	rc = dc_client_free_stateid(&a, &o.dsid, &fst);
	EXPECT_RPC(rc, "FREE_STATEID");
	if (fst == NFS4_OK) {
		rc = dc_client_seq_flags(&a, &flags2, &st);
		EXPECT_RPC(rc, "SEQUENCE by A after FREE_STATEID");
		rc = dc_client_test_stateid(&a, &o.dsid, &code2);
		EXPECT_RPC(rc, "TEST_STATEID after FREE_STATEID");
	}
	problems[0] = 0;
	if (!(flags & SEQ4_STATUS_RECALLABLE_STATE_REVOKED))
		n += snprintf(problems + n, sizeof(problems) - n,
			      "SEQUENCE sr_status_flags %#x lack "
			      "RECALLABLE_STATE_REVOKED (18.46.3); ",
			      flags);
	if (rst != NFS4ERR_DELEG_REVOKED)
		n += snprintf(problems + n, sizeof(problems) - n,
			      "READ with the revoked delegation: %s, expected "
			      "NFS4ERR_DELEG_REVOKED (8.2.4); ",
			      dc_nfsstat_name(rst));
	if (on_recall == DC_CB_OK && waited > 2 * lease + 5)
		n += snprintf(problems + n, sizeof(problems) - n,
			      "revoked only after %.0f s, not a lease after "
			      "the answered recall (10.4.6); ",
			      waited);
	if (code != NFS4ERR_DELEG_REVOKED)
		n += snprintf(problems + n, sizeof(problems) - n,
			      "TEST_STATEID of the revoked delegation: %s, "
			      "expected NFS4ERR_DELEG_REVOKED (8.2.4); ",
			      dc_nfsstat_name(code));
	if (fst != NFS4_OK)
		n += snprintf(problems + n, sizeof(problems) - n,
			      "FREE_STATEID of it: %s, expected NFS4_OK "
			      "(18.38.3); ",
			      dc_nfsstat_name(fst));
	else if (flags2 & SEQ4_STATUS_RECALLABLE_STATE_REVOKED)
		n += snprintf(problems + n, sizeof(problems) - n,
			      "RECALLABLE_STATE_REVOKED still set after "
			      "FREE_STATEID; ");
	else if (code2 != NFS4ERR_BAD_STATEID)
		n += snprintf(problems + n, sizeof(problems) - n,
			      "TEST_STATEID after FREE_STATEID: %s; ",
			      dc_nfsstat_name(code2));
	if (n >= 2)
		problems[n - 2] = 0;	/* the last "; " */
	EXPECT(n == 0, "B's OPEN granted after %.0f s (lease %u s; A's "
		       "sr_status_flags meanwhile %#x), but %s",
	       waited, lease, ra.flags_seen, problems);
	dc_note(ctx, "lease %u s; B's OPEN granted after %.0f s (%u tries); "
		     "A's sr_status_flags while waiting %#x",
		lease, waited, tries, ra.flags_seen);
	close_quietly(&b, &ob);
	ob.status = NFS4ERR_INVAL;
	rc = remove_name(&b, name, &st);
	EXPECT_OK(rc, st, "REMOVE");
out:
	pair_release(ctx, &a, &b, &o, &ob, &b, name);
}

static void deleg3_revoke(struct dc_ctx *ctx)
{
	revoke_flow(ctx, DC_CB_DROP);
}

static void deleg11_not_returned(struct dc_ctx *ctx)
{
	revoke_flow(ctx, DC_CB_OK);
}

/*
 * 8.3 / 10.2: a client that stops talking (A: no more requests, recalls
 * unanswered) expires one lease after its last request, and its
 * delegations with it.  A holds read delegations on two files; B's
 * OPEN of the first is retried while the server recalls; once it is
 * granted, A's lease has run out, so B's OPEN of the second file must
 * be granted without a CB_RECALL to A: nobody would answer it.  (A
 * recall must not reserve or renew the holder's lease: that kept a
 * vanished client alive one recall timeout per delegation.)
 */
static void deleg7_vanished(struct dc_ctx *ctx)
{
	struct recall_policy pol = { DC_CB_DROP };
	struct dc_client a = { 0 }, b = { 0 };
	struct open_res o1 = { 0 }, o2 = { 0 }, ob1 = { 0 }, ob2 = { 0 };
	char n1[96], n2[96];
	unsigned lease, tries, tries2, recalls2 = 0;
	double t0, waited;
	nfsstat4 st;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	lease = lease_time(&a);
	dc_cb_set_handler(&a.cb, recall_handler, &pol);
	dc_name(ctx, "f1", n1, sizeof(n1));
	dc_name(ctx, "f2", n2, sizeof(n2));
	/* read delegations: see DELEG3 */
	if (!hold_deleg(ctx, &a, n1, OPEN_DELEGATE_READ, &o1) ||
	    !hold_deleg(ctx, &a, n2, OPEN_DELEGATE_READ, &o2))
		goto out;

	/* A sends nothing from here on and drops every callback. */
	t0 = now_s();
	rc = open_retry(&b, n1, ACCESS_NODELEG, &ob1, 3 * lease + 15, 1000,
			NULL, NULL, &tries);
	waited = now_s() - t0;
	EXPECT_OK(rc, ob1.status,
		  "B's OPEN of the first file while A is silent");
	rc = open_retry(&b, n2, ACCESS_NODELEG, &ob2, 3 * lease + 15, 1000,
			NULL, NULL, &tries2);
	EXPECT_OK(rc, ob2.status,
		  "B's OPEN of the second file while A is silent");
	recalls2 = dc_cb_recalls(&a.cb, &o2.fh);
	EXPECT(recalls2 == 0,
	       "%u CB_RECALL(s) of the second file sent to A, whose lease "
	       "(%u s) had run out when B's OPEN of the first file was "
	       "granted after %.0f s: A and all its delegations should be "
	       "gone (8.3, 10.2)",
	       recalls2, lease, waited);
	dc_note(ctx, "lease %u s; B's first OPEN granted after %.0f s "
		     "(%u tries), the second after %u tries, no recall",
		lease, waited, tries, tries2);
	o1.held = o2.held = false;	/* gone with A */
	o1.status = o2.status = NFS4ERR_INVAL;
	close_quietly(&b, &ob1);
	close_quietly(&b, &ob2);
	ob1.status = ob2.status = NFS4ERR_INVAL;
	rc = remove_name(&b, n1, &st);
	EXPECT_OK(rc, st, "REMOVE");
	rc = remove_name(&b, n2, &st);
	EXPECT_OK(rc, st, "REMOVE");
out:
	dc_cb_set_handler(&a.cb, NULL, NULL);
	close_quietly(&b, &ob1);
	close_quietly(&b, &ob2);
	close_quietly(&a, &o1);
	close_quietly(&a, &o2);
	if (ctx->result != DC_PASS) {
		/* best effort: do not leave the files behind */
		remove_name(&b, n1, &st);
		remove_name(&b, n2, &st);
	}
	dc_fh_free(&ob1.fh);
	dc_fh_free(&ob2.fh);
	dc_fh_free(&o1.fh);
	dc_fh_free(&o2.fh);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

/*
 * 10.4: a client that kept its write delegation across CLOSE and opens
 * the file again already has what it needs; a second delegation on the
 * same file for the same client (Ganesha granted one, sharing the FSAL
 * lease of the first and leaking a client reference when both were
 * returned) must not be granted.  The OPEN itself succeeds.
 */
static void deleg8_no_second(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 };
	struct open_res o1 = { 0 }, o2 = { 0 };
	char name[96];
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &a);
	EXPECT_RPC(rc, "mount");
	dc_name(ctx, "f", name, sizeof(name));
	rc = open_name(&a, name, true, ACCESS_WDELEG, &o1);
	EXPECT_OK(rc, o1.status, "OPEN create");
	EXPECT_DELEG(o1, OPEN_DELEGATE_WRITE);
	rc = dc_client_close_file(&a, &o1.fh, &o1.sid, &st);
	EXPECT_OK(rc, st, "CLOSE (the delegation is kept)");
	o1.status = NFS4ERR_INVAL;	/* closed */
	rc = open_name(&a, name, false, ACCESS_WDELEG, &o2);
	EXPECT_OK(rc, o2.status, "OPEN again under the delegation");
	EXPECT(!o2.held,
	       "a second %s delegation was granted on a file whose write "
	       "delegation the client still holds",
	       dtype_name(o2.dtype));
	dc_note(ctx, "second OPEN: %s (ond_why %u)", dtype_name(o2.dtype),
		o2.why);
	close_quietly(&a, &o2);
	o2.status = NFS4ERR_INVAL;
	close_quietly(&a, &o1);
	rc = remove_name(&a, name, &st);
	EXPECT_OK(rc, st, "REMOVE");
out:
	close_quietly(&a, &o2);
	close_quietly(&a, &o1);
	dc_fh_free(&o1.fh);
	dc_fh_free(&o2.fh);
	dc_client_destroy(&a);
}

static void deleg4_bad_return(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 };
	struct open_res o = { 0 };
	stateid4 bogus;
	char name[96];
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &a);
	EXPECT_RPC(rc, "mount");
	dc_name(ctx, "f", name, sizeof(name));
	rc = open_name(&a, name, true, ACCESS_WDELEG, &o);
	EXPECT_OK(rc, o.status, "OPEN create");
	EXPECT_DELEG(o, OPEN_DELEGATE_WRITE);
	rc = delegreturn(&a, &o.fh, &o.dsid, &st);
	EXPECT_OK(rc, st, "first DELEGRETURN");
	o.held = false;
	rc = delegreturn(&a, &o.fh, &o.dsid, &st);
	EXPECT_RPC(rc, "DELEGRETURN");
	EXPECT_STATUS(st, NFS4ERR_BAD_STATEID,
		      "DELEGRETURN of an already returned delegation");
	/* never issued: same head (client), altered tail */
	bogus = o.dsid;
	bogus.other[10] ^= 0x5a;
	bogus.other[11] ^= 0xa5;
	rc = delegreturn(&a, &o.fh, &bogus, &st);
	EXPECT_RPC(rc, "DELEGRETURN");
	EXPECT_STATUS(st, NFS4ERR_BAD_STATEID,
		      "DELEGRETURN of an unknown stateid");
	close_quietly(&a, &o);
	o.status = NFS4ERR_INVAL;
	rc = remove_name(&a, name, &st);
	EXPECT_OK(rc, st, "REMOVE");
out:
	close_quietly(&a, &o);
	dc_fh_free(&o.fh);
	dc_client_destroy(&a);
}

/*
 * 18.35.4 case 5 / 18.36.4: a client that restarts (same owner, new
 * verifier) while a CB_RECALL to its old incarnation is unanswered.  Its
 * old connections are gone, so the server keeps re-sending the recall
 * for a while (2.10.6.2).  The new incarnation's CREATE_SESSION
 * replaces the old client ID, whose delegations go with it: the reply
 * must not wait for the recall to give up (Ganesha looped over the
 * recalled delegation, holding the client record, until it did), and B
 * then opens the file without another recall.
 */
static void deleg9_reboot_recall(struct dc_ctx *ctx)
{
	struct recall_policy pol = { DC_CB_DROP };
	struct dc_client a = { 0 }, a2 = { 0 }, b = { 0 };
	struct open_res o = { 0 }, ob = { 0 };
	struct dc_cb_record rec;
	char name[96];
	unsigned tries, recalls2 = 0;
	double t0, cs_s;
	nfsstat4 st;
	int rc;

	/* read delegation: see DELEG3 */
	if (!pair_holding(ctx, &a, &b, &pol, "f", name, sizeof(name),
			  OPEN_DELEGATE_READ, &o))
		goto out;
	rc = open_name(&b, name, false, ACCESS_NODELEG, &ob);
	EXPECT_RPC(rc, "OPEN by B");
	EXPECT_STATUS(ob.status, NFS4ERR_DELAY,
		      "B's conflicting OPEN while A holds the delegation");
	EXPECT(wait_recall(&a, RECALL_WAIT_MS, &rec),
	       "A received no CB_RECALL within %d ms", RECALL_WAIT_MS);

	/* A crashes with the recall unanswered: connections cut, no
	 * DESTROY_SESSION or DESTROY_CLIENTID.
	 */
	a.have_session = false;
	a.clientid = 0;
	dc_client_destroy(&a);
	o.held = false;
	o.status = NFS4ERR_INVAL;

	rc = dc_client_init(&a2, &ctx->srv, a.owner);
	EXPECT_RPC(rc, "connect A again");
	rc = dc_client_exchange_id(&a2, EXCHGID4_FLAG_USE_NON_PNFS, &st);
	EXPECT_OK(rc, st, "EXCHANGE_ID with a new verifier");
	t0 = now_s();
	rc = dc_client_create_session(&a2, CREATE_SESSION4_FLAG_CONN_BACK_CHAN,
				      4, &st);
	cs_s = now_s() - t0;
	EXPECT(rc == 0,
	       "CREATE_SESSION of the restarted A: no reply (%s) after "
	       "%.1f s; the server should not wait for the recall to the "
	       "old client ID before replacing it",
	       strerror(-rc), cs_s);
	EXPECT_STATUS(st, NFS4_OK, "CREATE_SESSION of the restarted A");

	rc = open_retry(&b, name, ACCESS_NODELEG, &ob, OPEN_RETRIES,
			OPEN_RETRY_MS, NULL, NULL, &tries);
	EXPECT_OK(rc, ob.status, "B's OPEN once A's old client ID is replaced");
	recalls2 = dc_cb_recalls(&a2.cb, NULL);
	EXPECT(recalls2 == 0,
	       "%u CB_RECALL(s) sent to the restarted A, which holds no "
	       "delegation", recalls2);
	dc_note(ctx, "CREATE_SESSION of the restarted client in %.2f s; "
		     "B's OPEN granted on try %u",
		cs_s, tries);
	close_quietly(&b, &ob);
	ob.status = NFS4ERR_INVAL;
	rc = remove_name(&b, name, &st);
	EXPECT_OK(rc, st, "REMOVE");
out:
	dc_client_destroy(&a2);
	pair_release(ctx, &a, &b, &o, &ob, &b, name);
}

/* Callback_Timeout of server.conf.in: a CB_NULL waits up to twice that. */
#define CB_TIMEOUT_MS 2000

/*
 * The server's CB_NULL probe of A's new back channel is never answered,
 * while A answers every CB_COMPOUND.  A probe waits for its reply up to
 * 2 x Callback_Timeout; it must not hold the channel meanwhile: B's
 * conflicting OPEN makes the server recall A's delegation at once
 * (10.4.4), and B's OPEN is granted as soon as A returns it.
 */
static void deleg10_recall_during_probe(struct dc_ctx *ctx)
{
	struct recall_policy pol = { DC_CB_OK };
	struct dc_client a = { 0 }, b = { 0 };
	struct open_res o = { 0 }, ob = { 0 };
	struct dc_cb_record rec, probe;
	struct timespec t_open;
	double open_ms, probe_ms;
	unsigned tries;
	uint32_t flags = 0;
	char name[96] = "";
	nfsstat4 st;
	int rc;

	rc = dc_ctx_client(ctx, &a);
	EXPECT_RPC(rc, "connect A");
	dc_cb_set_mute_null(&a.cb, true);
	dc_cb_set_handler(&a.cb, recall_handler, &pol);
	rc = dc_client_mount(&a);
	EXPECT_RPC(rc, "mount A");
	rc = dc_ctx_mounted(ctx, &b);
	EXPECT_RPC(rc, "mount B");
	dc_name(ctx, "probe", name, sizeof(name));
	if (!hold_deleg(ctx, &a, name, OPEN_DELEGATE_WRITE, &o))
		goto out;
	EXPECT(dc_cb_get(&a.cb, 0, &probe) && probe.proc == 0 &&
		       !probe.replied,
	       "A's first callback is not its unanswered CB_NULL probe "
	       "(%u callbacks)",
	       dc_cb_count(&a.cb));

	clock_gettime(CLOCK_REALTIME, &t_open);
	probe_ms = (t_open.tv_sec - probe.ts.tv_sec) * 1e3 +
		   (t_open.tv_nsec - probe.ts.tv_nsec) / 1e6;
	EXPECT(probe_ms < CB_TIMEOUT_MS,
	       "B's OPEN only %.0f ms after the probe: it may have timed out "
	       "already, the case proves nothing",
	       probe_ms);
	rc = open_name(&b, name, false, ACCESS_NODELEG, &ob);
	EXPECT_RPC(rc, "OPEN by B");
	EXPECT_STATUS(ob.status, NFS4ERR_DELAY,
		      "B's OPEN while A holds a write delegation");
	EXPECT(wait_recall(&a, RECALL_WAIT_MS, &rec),
	       "no CB_RECALL reached A within %d ms while its probe was "
	       "unanswered (%u callbacks recorded)",
	       RECALL_WAIT_MS, dc_cb_count(&a.cb));
	open_ms = (rec.ts.tv_sec - t_open.tv_sec) * 1e3 +
		  (rec.ts.tv_nsec - t_open.tv_nsec) / 1e6;
	EXPECT(open_ms < CB_TIMEOUT_MS,
	       "CB_RECALL reached A %.0f ms after B's OPEN, behind the "
	       "unanswered probe (Callback_Timeout %d ms)",
	       open_ms, CB_TIMEOUT_MS);
	rc = delegreturn(&a, &o.fh, &o.dsid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN after CB_RECALL");
	o.held = false;
	rc = open_retry(&b, name, ACCESS_NODELEG, &ob, 1, OPEN_RETRY_MS, NULL,
			NULL, &tries);
	EXPECT_OK(rc, ob.status, "B's OPEN right after DELEGRETURN");
	/* The probe's verdict still applies to the channel it probed (and
	 * no probe is left running into the next case).
	 */
	EXPECT(dc_client_wait_seq_flags(&a, SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					4 * CB_TIMEOUT_MS, OPEN_RETRY_MS,
					&flags, &st),
	       "A's probe was never answered, yet SEQUENCE does not report "
	       "its back channel down after %d ms (flags %#x, %s)",
	       4 * CB_TIMEOUT_MS, flags, dc_nfsstat_name(st));
	dc_note(ctx, "CB_RECALL %.0f ms after B's OPEN, %.0f ms after the "
		     "unanswered probe",
		open_ms, open_ms + probe_ms);
out:
	dc_cb_set_handler(&a.cb, NULL, NULL);
	close_quietly(&b, &ob);
	close_quietly(&a, &o);
	if (name[0])
		remove_name(&a, name, &st);
	dc_fh_free(&ob.fh);
	dc_fh_free(&o.fh);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

const struct dc_case dc_cases_deleg[] = {
	{ "DELEG1", "write OPEN is granted a write delegation", "10.4",
	  "deleg filedeleg all", "OPS1", deleg1_write },
	{ "DELEG5", "read-only OPEN: read delegation; another reader no recall",
	  "10.4.1", "deleg filedeleg all", "OPS1", deleg5_read },
	{ "DELEG2", "write deleg: conflicting OPEN -> CB_RECALL, DELEGRETURN",
	  "20.2", "deleg filedeleg callback all", "DELEG1",
	  deleg2_recall_write },
	{ "DELEG6", "read deleg: writer's OPEN -> CB_RECALL, DELEGRETURN",
	  "20.2", "deleg filedeleg callback all", "DELEG5",
	  deleg6_recall_read },
	{ "DELEG3", "unanswered recall: delegation revoked, client told",
	  "8.3", "deleg filedeleg callback slow all", "DELEG6",
	  deleg3_revoke },
	{ "DELEG11", "recall answered, never returned: revoked after a lease",
	  "10.4.6 / 8.2.4", "deleg filedeleg callback slow all", "DELEG3",
	  deleg11_not_returned },
	{ "DELEG7", "silent holder: all its delegations go with its lease",
	  "8.3", "deleg filedeleg callback slow all", "DELEG6",
	  deleg7_vanished },
	{ "DELEG9", "client restart with a recall unanswered: CREATE_SESSION "
	  "replaces it", "18.36.4", "deleg filedeleg callback all", "DELEG6",
	  deleg9_reboot_recall },
	{ "DELEG8", "no second delegation for a client that holds one",
	  "10.4", "deleg filedeleg all", "DELEG1", deleg8_no_second },
	{ "DELEG4", "DELEGRETURN of a returned or unknown stateid: BAD_STATEID",
	  "18.49.3", "deleg filedeleg all", "DELEG1", deleg4_bad_return },
	{ "DELEG10", "CB_RECALL goes out while the CB_NULL probe is unanswered",
	  "10.4.4", "deleg filedeleg callback all", "DELEG2",
	  deleg10_recall_during_probe },
	{ NULL }
};

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Directory delegations with notifications: CB_NOTIFY (RFC 8881 20.4)
 * of every type, batching, coalescing and sizing, the holder that does
 * not answer, metrics and DBus, position data, and
 * CB_RECALLABLE_OBJ_AVAIL (20.7).  Grant and recall: cases_dirdeleg.c.
 *
 * Needs NFSv4 { Dir_Delegations = true; } and an EXPORT with
 * Delegations (server.conf.in).  Every case works in its own new
 * directory so that no other case's changes reach its delegations.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>
#include "dirdeleg_steps.h"
#include "cb_notify.h"
#include "dbus_sessionmgr.h"
#include "metrics_scrape.h"

/* ---- CB_NOTIFY (RFC 8881 20.4) -------------------------------------- */

static void fill_reclaim(struct dc_compound *c, void *arg)
{
	dc_op_reclaim_complete(c, false);
}

/* Draft NFSv4.1bis: notifications without directory position data */
#define NOTIFY4_GFLAG_EXTEND 6
#define NB(t) (1u << (t))
#define N_ENTRIES                                                              \
	(NB(NOTIFY4_ADD_ENTRY) | NB(NOTIFY4_REMOVE_ENTRY) |                    \
	 NB(NOTIFY4_RENAME_ENTRY))
#define N_ALL                                                                  \
	(N_ENTRIES | NB(NOTIFY4_CHANGE_DIR_ATTRS) |                            \
	 NB(NOTIFY4_CHANGE_COOKIE_VERIFIER) | NB(NOTIFY4_GFLAG_EXTEND))
#define A0(a) (1u << (a))
#define A1(a) (1u << ((a) - 32))
/* Child attributes the cases ask for */
static const uint32_t child_attrs[2] = {
	A0(FATTR4_TYPE) | A0(FATTR4_CHANGE) | A0(FATTR4_SIZE) |
		A0(FATTR4_FILEHANDLE) | A0(FATTR4_FILEID),
	A1(FATTR4_MODE) | A1(FATTR4_NUMLINKS)
};
static const uint32_t dir_attrs[2] = { A0(FATTR4_TYPE) | A0(FATTR4_FILEID),
				       A1(FATTR4_MODE) };
/* Bound of the waits for notifications (window + batching + slack) */
#define NOTIFY_WAIT_MS 30000

struct nt_setup {
	struct dd_setup s;
	struct dc_notify_tap tap;
	struct gdd_res g;
};

/* A and B mounted, A's directory, A's tap and delegation with notify. */
static int nt_setup(struct dc_ctx *ctx, struct nt_setup *n, uint32_t notify,
		    const uint32_t *child, const uint32_t *dattr)
{
	int rc = dd_begin(ctx, &n->s, true);

	if (rc)
		return rc;
	dc_notify_tap_attach(&n->tap, &n->s.a);
	return dd_gdd_attrs(&n->s.a, &n->s.dir, notify, child, dattr, &n->g);
}

static void nt_teardown(struct nt_setup *n)
{
	dd_end(&n->s);
	dc_notify_tap_destroy(&n->tap);
}

static const char *ntype(uint32_t t)
{
	static const char *const names[] = { "CHILD_ATTRS", "DIR_ATTRS",
					     "REMOVE",	    "ADD",
					     "RENAME",	    "COOKIE_VERIFIER" };

	return t < 6 ? names[t] : "?";
}

/* Every CB_NOTIFY decoded, for our delegation and directory. */
static bool nt_calls_ok(struct nt_setup *n, const stateid4 *sid,
			const nfs_fh4 *fh, char *why, size_t len)
{
	struct dc_notify_call c;
	unsigned i;

	for (i = 0; dc_notify_get_call(&n->tap, i, &c); i++) {
		if (!c.ok) {
			snprintf(why, len, "CB_NOTIFY %u: %s", i, c.problem);
			return false;
		}
		if (memcmp(c.sid.other, sid->other, sizeof(sid->other)))
			continue;
		if (c.fh_len != fh->nfs_fh4_len ||
		    memcmp(c.fh, fh->nfs_fh4_val, c.fh_len)) {
			snprintf(why, len, "CB_NOTIFY %u: not the directory's "
				 "filehandle", i);
			return false;
		}
	}
	return true;
}

/* Index of the first notification of type named name from *from on */
static bool nt_find(struct nt_setup *n, uint32_t type, const char *name,
		    unsigned from, struct dc_notify_ent *e, unsigned *idx)
{
	unsigned i;

	for (i = from; dc_notify_get(&n->tap, i, e); i++)
		if (e->type == type && (!name || !strcmp(e->name, name))) {
			if (idx)
				*idx = i;
			return true;
		}
	return false;
}

/*
 * The end of a case whose changes were all subscribed: they recalled
 * nothing, and A returns its delegation; false, with the case failed,
 * else.
 */
static bool nt_kept_return(struct dc_ctx *ctx, struct nt_setup *n)
{
	nfsstat4 st = NFS4_OK;
	int rc;

	EXPECT(dd_count_recalls(&n->s.a, &n->g.sid) == 0,
	       "subscribed changes recalled the delegation");
	rc = dd_delegreturn(&n->s.a, &n->s.dir, &n->g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
	return true;
out:
	return false;
}

static unsigned nt_count_name(struct nt_setup *n, const char *name)
{
	struct dc_notify_ent e;
	unsigned i, k = 0;

	for (i = 0; dc_notify_get(&n->tap, i, &e); i++)
		if (!strcmp(e.name, name) || !strcmp(e.old_name, name))
			k++;
	return k;
}

/* open(create) name in dir, then close; fh gets the file. */
static int open_in(struct dc_client *cl, const nfs_fh4 *dir,
		   const char *name, nfs_fh4 *fh, nfsstat4 *st)
{
	stateid4 sid;
	int rc;

	rc = dc_fs_open(cl, dir, name, true, OPEN4_SHARE_ACCESS_BOTH, NULL,
			&sid, fh, st);
	if (rc || *st != NFS4_OK)
		return rc;
	return dc_client_close_file(cl, fh, &sid, st);
}

static void fill_link(struct dc_compound *c, void *arg)
{
	struct dd_call *d = arg;

	dc_op_putfh(c, d->fh2);	/* the file */
	dc_op_savefh(c);
	dc_op_putfh(c, d->fh);	/* the directory */
	dc_op_link(c, d->name);
}

static int link_in(struct dc_client *cl, const nfs_fh4 *file,
		   const nfs_fh4 *dir, const char *name, nfsstat4 *st)
{
	struct dd_call d = { .fh = dir, .fh2 = file, .name = name };

	return dd_call_last(cl, fill_link, &d, st);
}

#define EXPECT_NOTIFY_GRANTED(g, want)                                         \
	do {                                                                   \
		EXPECT_GRANTED(g);                                             \
		EXPECT(((g).notify & (want)) == (want),                        \
		       "granted notification types 0x%x, asked 0x%x",         \
		       (g).notify, (want));                                    \
	} while (0)

/*
 * nt_setup() as a step of a case: set up, and A's delegation is granted
 * with every notification type asked (NOTIFY4_GFLAG_EXTEND aside);
 * false, with the case failed, else.
 */
static bool nt_begin(struct dc_ctx *ctx, struct nt_setup *n, uint32_t notify,
		     const uint32_t *child, const uint32_t *dattr)
{
	uint32_t want = notify & ~NB(NOTIFY4_GFLAG_EXTEND);

	EXPECT_RPC(nt_setup(ctx, n, notify, child, dattr), "setup");
	EXPECT_NOTIFY_GRANTED(n->g, want);
	return true;
out:
	return false;
}

/* Grant of types, attributes; attributes 56/57 */
static void fill_getattr_delays(struct dc_compound *c, void *arg)
{
	struct dd_call *d = arg;

	dc_op_putfh(c, d->fh);
	dc_op_getattr(c, A0(FATTR4_SUPPORTED_ATTRS),
		      A1(FATTR4_DIR_NOTIF_DELAY) |
			      A1(FATTR4_DIRENT_NOTIF_DELAY));
}

static void dirdeleg13_grant_notify(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	const uint32_t ask = N_ALL | NB(NOTIFY4_CHANGE_CHILD_ATTRS) |
			     (1u << 20);
	uint32_t child[2] = { child_attrs[0] | A0(FATTR4_ACL),
			      child_attrs[1] };
	struct dd_call d = { 0 };
	struct dc_cres r = { 0 };
	struct gdd_res g;
	nfsstat4 st;
	int rc;

	rc = dd_begin(ctx, &n.s, false);
	EXPECT_RPC(rc, "mount and mkdir");
	rc = dd_gdd_attrs(&n.s.a, &n.s.dir, ask, child, dir_attrs, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_NOTIFY_GRANTED(g, N_ENTRIES | NB(NOTIFY4_CHANGE_DIR_ATTRS));
	EXPECT((g.notify & ~ask) == 0,
	       "granted types 0x%x not asked (0x%x)", g.notify, ask);
	EXPECT((g.child[0] & ~child[0]) == 0 && (g.child[1] & ~child[1]) == 0,
	       "granted child attributes %#x/%#x not asked", g.child[0],
	       g.child[1]);
	EXPECT(g.child[0] == child_attrs[0] && g.child[1] == child_attrs[1],
	       "granted child attributes %#x/%#x, expected %#x/%#x (FH, "
	       "FILEID, TYPE, CHANGE, SIZE, MODE, NUMLINKS)",
	       g.child[0], g.child[1], child_attrs[0], child_attrs[1]);
	EXPECT(!(g.child[0] & A0(FATTR4_ACL)), "ACL granted");
	EXPECT(g.dattr[0] == dir_attrs[0] && g.dattr[1] == dir_attrs[1],
	       "granted directory attributes %#x/%#x", g.dattr[0],
	       g.dattr[1]);
	dc_note(ctx, "asked 0x%x, granted 0x%x", ask, g.notify);
	/* dir_notif_delay and dirent_notif_delay */
	d.cl = &n.s.a;
	d.fh = &n.s.dir;
	rc = dc_client_simple(&n.s.a, fill_getattr_delays, &d, &r, &st);
	EXPECT_OK(rc, st, "GETATTR 56/57");
	{
		fattr4 *f = &dc_cres_op(&r, 2)
				     ->nfs_resop4_u.opgetattr.GETATTR4res_u
				     .resok4.obj_attributes;
		XDR x;
		uint32_t bml, w[3] = { 0 }, len, i, nsec;
		int64_t sec;

		EXPECT(f->attrmask.bitmap4_len >= 2 &&
			       (f->attrmask.map[1] &
				A1(FATTR4_DIR_NOTIF_DELAY)) &&
			       (f->attrmask.map[1] &
				A1(FATTR4_DIRENT_NOTIF_DELAY)),
		       "GETATTR did not return attributes 56 and 57");
		/* SUPPORTED_ATTRS first, then the two nfstime4 */
		xdrmem_create(&x, f->attr_vals.attrlist4_val,
			      f->attr_vals.attrlist4_len, XDR_DECODE);
		EXPECT(xdr_u_int32_t(&x, &bml) && bml <= 3,
		       "supported_attrs undecodable");
		for (i = 0; i < bml; i++)
			xdr_u_int32_t(&x, &w[i]);
		EXPECT((w[1] & A1(FATTR4_DIR_NOTIF_DELAY)) &&
			       (w[1] & A1(FATTR4_DIRENT_NOTIF_DELAY)),
		       "supported_attrs lacks 56/57");
		EXPECT(xdr_int64_t(&x, &sec) && xdr_u_int32_t(&x, &nsec) &&
			       sec >= 0 && nsec < 1000000000u,
		       "dir_notif_delay undecodable");
		dc_note(ctx, "asked 0x%x, granted 0x%x; dir_notif_delay "
			"%lld.%09u s",
			ask, g.notify, (long long)sec, nsec);
		EXPECT(xdr_int64_t(&x, &sec) && xdr_u_int32_t(&x, &nsec) &&
			       sec >= 0 && nsec < 1000000000u,
		       "dirent_notif_delay undecodable");
		len = xdr_getpos(&x);
		EXPECT(len == f->attr_vals.attrlist4_len,
		       "%u bytes of attributes left over",
		       f->attr_vals.attrlist4_len - len);
	}
	rc = dd_delegreturn(&n.s.a, &n.s.dir, &g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
out:
	dc_cres_free(&r);
	dd_end(&n.s);
}

/* ADD: mkdir, open-create, link by B, mkdir over NFSv4.0 */
static void dirdeleg14_notify_add(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_ent e, ef = { 0 };
	nfs_fh4 ffh = { 0 };
	char n1[96], n2[96], n3[96], n4[96], why[160];
	nfsstat4 st;
	unsigned i;
	int rc;

	if (!nt_begin(ctx, &n, N_ENTRIES | NB(NOTIFY4_GFLAG_EXTEND),
		      child_attrs, NULL))
		goto out;
	EXPECT(n.g.notify & NB(NOTIFY4_GFLAG_EXTEND),
	       "NOTIFY4_GFLAG_EXTEND not granted");
	dc_name(ctx, "sub", n1, sizeof(n1));
	dc_name(ctx, "file", n2, sizeof(n2));
	dc_name(ctx, "link", n3, sizeof(n3));
	dc_name(ctx, "v40", n4, sizeof(n4));
	rc = dd_mkdir_in(&n.s.b, &n.s.dir, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir by B");
	rc = open_in(&n.s.b, &n.s.dir, n2, &ffh, &st);
	EXPECT_OK(rc, st, "open-create by B");
	rc = link_in(&n.s.b, &ffh, &n.s.dir, n3, &st);
	EXPECT_OK(rc, st, "link by B");
	rc = dd_v40_mkdir(ctx, &n.s.dir, n4, &st);
	EXPECT_OK(rc, st, "mkdir over NFSv4.0");
	EXPECT(dc_notify_wait(&n.tap, 4, NOTIFY_WAIT_MS) >= 4,
	       "%u notifications of 4 changes", dc_notify_count(&n.tap));
	EXPECT(nt_calls_ok(&n, &n.g.sid, &n.s.dir, why, sizeof(why)), "%s",
	       why);
	EXPECT(dc_notify_count(&n.tap) == 4, "%u notifications, expected 4",
	       dc_notify_count(&n.tap));
	for (i = 0; i < 4; i++) {
		const char *want = i == 0 ? n1 : i == 1 ? n2 : i == 2 ? n3 : n4;

		EXPECT(dc_notify_get(&n.tap, i, &e), "notification %u", i);
		EXPECT(e.type == NOTIFY4_ADD_ENTRY && !strcmp(e.name, want),
		       "notification %u: %s %s, expected ADD %s", i,
		       ntype(e.type), e.name, want);
		EXPECT(e.attrs.known && e.attrs.mask[0] == child_attrs[0] &&
			       e.attrs.mask[1] == child_attrs[1],
		       "ADD %s: attributes %#x/%#x (decoded %d)", e.name,
		       e.attrs.mask[0], e.attrs.mask[1], e.attrs.known);
		EXPECT(e.attrs.type == ((i == 0 || i == 3) ? NF4DIR : NF4REG),
		       "ADD %s: type %u", e.name, e.attrs.type);
		EXPECT(e.attrs.fh_len > 0 && e.attrs.fileid != 0,
		       "ADD %s: no filehandle or fileid", e.name);
		EXPECT(e.ncookie == 0 && e.nprev == 0 && !e.replaced,
		       "ADD %s: position data in NOTIFY4_GFLAG_EXTEND mode",
		       e.name);
		if (i == 1)
			ef = e;
	}
	EXPECT(dc_notify_get(&n.tap, 2, &e), "link notification");
	EXPECT(e.attrs.fileid == ef.attrs.fileid &&
		       e.attrs.fh_len == ffh.nfs_fh4_len &&
		       !memcmp(e.attrs.fh, ffh.nfs_fh4_val, e.attrs.fh_len),
	       "ADD of the link: not the file's fileid and filehandle");
	EXPECT(e.attrs.numlinks == 2, "ADD of the link: numlinks %u",
	       e.attrs.numlinks);
	dc_note(ctx, "4 ADDs in %u CB_NOTIFY", dc_notify_calls(&n.tap));
	nt_kept_return(ctx, &n);
out:
	dc_fh_free(&ffh);
	nt_teardown(&n);
}

/* REMOVE by B; A's own changes are not notified */
static void dirdeleg15_notify_remove(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_ent e;
	char n1[96], n2[96], why[160];
	nfsstat4 st;
	int rc;

	if (!nt_begin(ctx, &n, N_ENTRIES | NB(NOTIFY4_GFLAG_EXTEND),
		      child_attrs, NULL))
		goto out;
	dc_name(ctx, "e1", n1, sizeof(n1));
	dc_name(ctx, "e2", n2, sizeof(n2));
	/* A's own: nothing */
	rc = dd_mkdir_in(&n.s.a, &n.s.dir, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir by A");
	rc = dd_mkdir_in(&n.s.a, &n.s.dir, n2, NULL, &st);
	EXPECT_OK(rc, st, "mkdir by A");
	rc = dd_remove_in(&n.s.b, &n.s.dir, n1, &st);
	EXPECT_OK(rc, st, "remove by B");
	EXPECT(dc_notify_wait(&n.tap, 1, NOTIFY_WAIT_MS) >= 1,
	       "no notification of B's remove");
	/* A's own remove after B's: still only one */
	rc = dd_remove_in(&n.s.a, &n.s.dir, n2, &st);
	EXPECT_RPC(rc, "remove by A");
	EXPECT(nt_calls_ok(&n, &n.g.sid, &n.s.dir, why, sizeof(why)), "%s",
	       why);
	EXPECT(dc_notify_get(&n.tap, 0, &e), "notification");
	EXPECT(e.type == NOTIFY4_REMOVE_ENTRY && !strcmp(e.name, n1),
	       "%s %s, expected REMOVE %s", ntype(e.type), e.name, n1);
	EXPECT(nt_count_name(&n, n2) == 0, "A's own changes were notified");
	if (!nt_kept_return(ctx, &n))
		goto out;
	EXPECT(dc_notify_count(&n.tap) == 1, "%u notifications, expected 1",
	       dc_notify_count(&n.tap));
out:
	nt_teardown(&n);
}

/* RENAME within the directory, and over an existing entry */
static void dirdeleg16_notify_rename(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_ent e;
	char n1[96], n2[96], n3[96], why[160];
	nfsstat4 st;
	int rc;

	if (!nt_begin(ctx, &n, N_ENTRIES | NB(NOTIFY4_GFLAG_EXTEND),
		      child_attrs, NULL))
		goto out;
	dc_name(ctx, "a", n1, sizeof(n1));
	dc_name(ctx, "b", n2, sizeof(n2));
	dc_name(ctx, "c", n3, sizeof(n3));
	rc = dd_mkdir_in(&n.s.a, &n.s.dir, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir a by A");
	rc = dd_mkdir_in(&n.s.a, &n.s.dir, n3, NULL, &st);
	EXPECT_OK(rc, st, "mkdir c by A");
	rc = dd_rename_in(&n.s.b, &n.s.dir, n1, NULL, n2, &st);
	EXPECT_OK(rc, st, "rename a b by B");
	/* b over the empty directory c */
	rc = dd_rename_in(&n.s.b, &n.s.dir, n2, NULL, n3, &st);
	EXPECT_OK(rc, st, "rename b over c by B");
	EXPECT(dc_notify_wait(&n.tap, 2, NOTIFY_WAIT_MS) >= 2,
	       "%u notifications of 2 renames", dc_notify_count(&n.tap));
	EXPECT(nt_calls_ok(&n, &n.g.sid, &n.s.dir, why, sizeof(why)), "%s",
	       why);
	EXPECT(dc_notify_get(&n.tap, 0, &e), "notification 0");
	EXPECT(e.type == NOTIFY4_RENAME_ENTRY && !strcmp(e.old_name, n1) &&
		       !strcmp(e.name, n2) && !e.replaced,
	       "%s %s -> %s (replaced %d), expected RENAME %s -> %s",
	       ntype(e.type), e.old_name, e.name, e.replaced, n1, n2);
	EXPECT(e.attrs.type == NF4DIR && e.attrs.fileid != 0,
	       "RENAME: attributes of the new entry");
	EXPECT(dc_notify_get(&n.tap, 1, &e), "notification 1");
	EXPECT(e.type == NOTIFY4_RENAME_ENTRY && !strcmp(e.old_name, n2) &&
		       !strcmp(e.name, n3),
	       "%s %s -> %s, expected RENAME %s -> %s", ntype(e.type),
	       e.old_name, e.name, n2, n3);
	EXPECT(e.replaced && !strcmp(e.replaced_name, n3),
	       "RENAME over %s: no nad_old_entry for the entry replaced", n3);
	EXPECT(dc_notify_count(&n.tap) == 2, "%u notifications, expected 2",
	       dc_notify_count(&n.tap));
	rc = dd_delegreturn(&n.s.a, &n.s.dir, &n.g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
out:
	nt_teardown(&n);
}

/* Across directories: REMOVE in the source, ADD in the target */
static void dirdeleg17_notify_rename_across(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_ent e;
	struct dc_notify_call c;
	struct gdd_res g2;
	nfs_fh4 dir2 = { 0 };
	char d2[96], n1[96], n2[96];
	nfsstat4 st;
	unsigned i;
	int rc;

	if (!nt_begin(ctx, &n, N_ENTRIES | NB(NOTIFY4_GFLAG_EXTEND),
		      child_attrs, NULL))
		goto out;
	dc_name(ctx, "d2", d2, sizeof(d2));
	dc_name(ctx, "x", n1, sizeof(n1));
	dc_name(ctx, "y", n2, sizeof(n2));
	rc = dd_mkdir_in(&n.s.a, NULL, d2, &dir2, &st);
	EXPECT_OK(rc, st, "mkdir d2");
	rc = dd_gdd_attrs(&n.s.a, &dir2, N_ENTRIES | NB(NOTIFY4_GFLAG_EXTEND),
			  child_attrs, NULL, &g2);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION d2");
	EXPECT_NOTIFY_GRANTED(g2, N_ENTRIES);
	rc = dd_mkdir_in(&n.s.a, &n.s.dir, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir x by A");
	rc = dd_rename_in(&n.s.b, &n.s.dir, n1, &dir2, n2, &st);
	EXPECT_OK(rc, st, "rename dir/x d2/y by B");
	EXPECT(dc_notify_wait(&n.tap, 2, NOTIFY_WAIT_MS) >= 2,
	       "%u notifications of a rename across directories",
	       dc_notify_count(&n.tap));
	for (i = 0; i < 2; i++) {
		EXPECT(dc_notify_get(&n.tap, i, &e) &&
			       dc_notify_get_call(&n.tap, e.call, &c),
		       "notification %u", i);
		if (e.type == NOTIFY4_REMOVE_ENTRY) {
			EXPECT(!strcmp(e.name, n1) &&
				       !memcmp(c.sid.other, n.g.sid.other, 12) &&
				       c.fh_len == n.s.dir.nfs_fh4_len,
			       "REMOVE %s not for the source's delegation",
			       e.name);
		} else {
			EXPECT(e.type == NOTIFY4_ADD_ENTRY && !strcmp(e.name, n2) &&
				       !memcmp(c.sid.other, g2.sid.other, 12) &&
				       c.fh_len == dir2.nfs_fh4_len &&
				       !memcmp(c.fh, dir2.nfs_fh4_val, c.fh_len),
			       "%s %s, expected ADD %s for the target",
			       ntype(e.type), e.name, n2);
		}
	}
	EXPECT(nt_find(&n, NOTIFY4_REMOVE_ENTRY, n1, 0, &e, NULL) &&
		       nt_find(&n, NOTIFY4_ADD_ENTRY, n2, 0, &e, NULL),
	       "expected REMOVE %s and ADD %s", n1, n2);
	rc = dd_delegreturn(&n.s.a, &dir2, &g2.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN d2");
	rc = dd_delegreturn(&n.s.a, &n.s.dir, &n.g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
out:
	dc_fh_free(&dir2);
	nt_teardown(&n);
}

/* CHANGE_DIR_ATTRS: SETATTR of the directory by B */
static void dirdeleg18_notify_dir_attrs(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_ent e;
	char why[160];
	nfsstat4 st;
	int rc;

	if (!nt_begin(ctx, &n,
		      NB(NOTIFY4_CHANGE_DIR_ATTRS) | NB(NOTIFY4_GFLAG_EXTEND),
		      NULL, dir_attrs))
		goto out;
	rc = dd_chmod_fh(&n.s.b, &n.s.dir, 0710, &st);
	EXPECT_OK(rc, st, "chmod of the directory by B");
	EXPECT(dc_notify_wait(&n.tap, 1, NOTIFY_WAIT_MS) >= 1,
	       "no notification of the directory's SETATTR");
	EXPECT(nt_calls_ok(&n, &n.g.sid, &n.s.dir, why, sizeof(why)), "%s",
	       why);
	EXPECT(dc_notify_get(&n.tap, 0, &e), "notification");
	EXPECT(e.type == NOTIFY4_CHANGE_DIR_ATTRS && e.name[0] == '\0',
	       "%s \"%s\", expected CHANGE_DIR_ATTRS \"\"", ntype(e.type),
	       e.name);
	EXPECT(e.attrs.known && e.attrs.mask[0] == dir_attrs[0] &&
		       e.attrs.mask[1] == dir_attrs[1],
	       "DIR_ATTRS attributes %#x/%#x", e.attrs.mask[0],
	       e.attrs.mask[1]);
	EXPECT((e.attrs.mode & 07777) == 0710 && e.attrs.type == NF4DIR,
	       "DIR_ATTRS: mode %o type %u, expected 710 directory",
	       e.attrs.mode, e.attrs.type);
	nt_kept_return(ctx, &n);
out:
	nt_teardown(&n);
}

/* A type not subscribed recalls; no notification is sent */
static void dirdeleg19_unsubscribed(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_cb_record rec;
	char n1[96];
	nfsstat4 st;
	int rc;

	if (!nt_begin(ctx, &n,
		      NB(NOTIFY4_REMOVE_ENTRY) | NB(NOTIFY4_GFLAG_EXTEND),
		      NULL, NULL))
		goto out;
	dc_name(ctx, "e1", n1, sizeof(n1));
	rc = dd_mkdir_in(&n.s.b, &n.s.dir, n1, NULL, &st);
	EXPECT_RPC(rc, "mkdir by B");
	EXPECT_STATUS(st, NFS4ERR_DELAY, "mkdir by B (waits for the recall)");
	EXPECT(dd_wait_recall_of(&n.s.a, &n.g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL for an unsubscribed ADD");
	EXPECT(dd_rec_is(&rec, &n.g.sid, &n.s.dir), "CB_RECALL fh");
	EXPECT(dc_notify_count(&n.tap) == 0,
	       "%u notifications for an unsubscribed type",
	       dc_notify_count(&n.tap));
	rc = dd_delegreturn(&n.s.a, &n.s.dir, &n.g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
out:
	nt_teardown(&n);
}

/*
 * DELEGRETURN stops notifications: B's change after the return is not
 * notified (a notification of d2, after it, bounds the wait).
 */
static void dirdeleg20_return_stops(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_ent e;
	struct gdd_res g2;
	nfs_fh4 dir2 = { 0 };
	char d2[96], n1[96], n2[96], n3[96];
	nfsstat4 st;
	int rc;

	if (!nt_begin(ctx, &n, N_ENTRIES | NB(NOTIFY4_GFLAG_EXTEND),
		      NULL, NULL))
		goto out;
	dc_name(ctx, "d2", d2, sizeof(d2));
	dc_name(ctx, "e1", n1, sizeof(n1));
	dc_name(ctx, "e2", n2, sizeof(n2));
	dc_name(ctx, "e3", n3, sizeof(n3));
	rc = dd_mkdir_in(&n.s.a, NULL, d2, &dir2, &st);
	EXPECT_OK(rc, st, "mkdir d2");
	rc = dd_mkdir_in(&n.s.b, &n.s.dir, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir e1 by B");
	EXPECT(dc_notify_wait(&n.tap, 1, NOTIFY_WAIT_MS) >= 1,
	       "no notification of e1");
	rc = dd_delegreturn(&n.s.a, &n.s.dir, &n.g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
	rc = dd_mkdir_in(&n.s.b, &n.s.dir, n2, NULL, &st);
	EXPECT_OK(rc, st, "mkdir e2 by B");
	rc = dd_gdd_attrs(&n.s.a, &dir2, N_ENTRIES | NB(NOTIFY4_GFLAG_EXTEND),
			  NULL, NULL, &g2);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION d2");
	EXPECT_NOTIFY_GRANTED(g2, N_ENTRIES);
	rc = dd_mkdir_in(&n.s.b, &dir2, n3, NULL, &st);
	EXPECT_OK(rc, st, "mkdir d2/e3 by B");
	EXPECT(dc_notify_wait(&n.tap, 2, NOTIFY_WAIT_MS) >= 2,
	       "no notification of d2/e3");
	EXPECT(nt_find(&n, NOTIFY4_ADD_ENTRY, n3, 0, &e, NULL),
	       "no ADD of d2/e3");
	EXPECT(nt_count_name(&n, n2) == 0,
	       "a change after DELEGRETURN was notified");
	EXPECT(dd_count_recalls(&n.s.a, &n.g.sid) == 0,
	       "a returned delegation was recalled");
	rc = dd_delegreturn(&n.s.a, &dir2, &g2.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN d2");
out:
	dc_fh_free(&dir2);
	nt_teardown(&n);
}

/* Every name of B's creates exactly once, in order, from index from */
static bool nt_names_in_order(struct nt_setup *n, struct dc_ctx *ctx,
			      const char *prefix, unsigned count,
			      char *why, size_t len)
{
	struct dc_notify_ent e;
	char want[160];
	unsigned i;

	if (dc_notify_count(&n->tap) != count) {
		snprintf(why, len, "%u notifications, expected %u",
			 dc_notify_count(&n->tap), count);
		return false;
	}
	for (i = 0; i < count; i++) {
		snprintf(want, sizeof(want), "%s-%u", prefix, i);
		if (!dc_notify_get(&n->tap, i, &e) ||
		    e.type != NOTIFY4_ADD_ENTRY || strcmp(e.name, want)) {
			snprintf(why, len, "notification %u: %s %.60s, "
				 "expected ADD %.60s", i, ntype(e.type),
				 e.name, want);
			return false;
		}
	}
	return true;
}

/*
 * The holder only listens while B works; on a loaded machine 10,000
 * creates outlast the suite's 10 s lease, so it renews every RENEW_EVERY.
 */
#define RENEW_EVERY 250
static int create_range(struct dc_client *cl, const nfs_fh4 *dir,
			const char *prefix, unsigned from, unsigned to,
			struct dc_client *holder, nfsstat4 *st)
{
	char name[160];
	uint32_t flags;
	nfsstat4 hst;
	unsigned i;
	int rc;

	for (i = from; i < to; i++) {
		if (holder && i && i % RENEW_EVERY == 0) {
			rc = dc_client_seq_flags(holder, &flags, &hst);
			if (rc)
				return rc;
		}
		snprintf(name, sizeof(name), "%s-%u", prefix, i);
		rc = dd_mkdir_in(cl, dir, name, NULL, st);
		if (rc || *st != NFS4_OK)
			return rc;
	}
	return 0;
}

static int create_many(struct dc_client *cl, const nfs_fh4 *dir,
		       const char *prefix, unsigned count,
		       struct dc_client *holder, nfsstat4 *st)
{
	return create_range(cl, dir, prefix, 0, count, holder, st);
}

/* dc_notify_wait, the holder renewing its lease every 5 s meanwhile. */
static unsigned notify_wait_renewing(struct dc_notify_tap *tap,
				     struct dc_client *holder,
				     unsigned count, int timeout_ms)
{
	uint32_t flags;
	nfsstat4 st;
	unsigned n = 0;
	int left;

	for (left = timeout_ms; left > 0; left -= 5000) {
		n = dc_notify_wait(tap, count, left < 5000 ? left : 5000);
		if (n >= count)
			break;
		(void)dc_client_seq_flags(holder, &flags, &st);
	}
	return n;
}

/*
 * 10,000 creates inside one window: ceil(10000 / Dir_Notify_Max_Batch)
 * CB_NOTIFYs (server.conf.in: window 3 s, default batch of 100), every
 * name exactly once, in order.  A full batch goes at once, so the count
 * holds as long as the creates outpace one batch per window.  B pauses
 * every PACE creates until at most 2 batches are unsent: more than
 * Dir_Notify_Queue_Max (1000) queued would recall the delegation by
 * design (DIRDELEG27), which a fast creator on a slow, loaded machine
 * reaches.  The pauses start at multiples of the batch size, so no
 * partial batch waits for the window meanwhile.
 */
#define MANY 10000
#define MAX_BATCH 100
#define PACE 500
static void dirdeleg21_batching(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_call c;
	char prefix[96], why[200];
	double t0, t1;
	unsigned i, calls, smin = ~0u, smax = 0;
	nfsstat4 st = NFS4_OK;
	int rc;

	if (!nt_begin(ctx, &n, NB(NOTIFY4_ADD_ENTRY) | NB(NOTIFY4_GFLAG_EXTEND),
		      NULL, NULL))
		goto out;
	dc_name(ctx, "m", prefix, sizeof(prefix));
	t0 = dd_now_s();
	for (i = 0; i < MANY; i += PACE) {
		if (i)
			(void)notify_wait_renewing(&n.tap, &n.s.a,
						   i - 2 * MAX_BATCH,
						   NOTIFY_WAIT_MS);
		rc = create_range(&n.s.b, &n.s.dir, prefix, i, i + PACE,
				  &n.s.a, &st);
		EXPECT_OK(rc, st, "creates by B");
	}
	t1 = dd_now_s();
	EXPECT(notify_wait_renewing(&n.tap, &n.s.a, MANY, NOTIFY_WAIT_MS * 2) >=
		       MANY,
	       "%u notifications of %u creates", dc_notify_count(&n.tap),
	       MANY);
	EXPECT(nt_calls_ok(&n, &n.g.sid, &n.s.dir, why, sizeof(why)), "%s",
	       why);
	EXPECT(nt_names_in_order(&n, ctx, prefix, MANY, why, sizeof(why)),
	       "%s", why);
	calls = dc_notify_calls(&n.tap);
	for (i = 0; i < calls && dc_notify_get_call(&n.tap, i, &c); i++) {
		smin = c.count < smin ? c.count : smin;
		smax = c.count > smax ? c.count : smax;
	}
	dc_note(ctx, "%u creates in %.2f s: %u CB_NOTIFYs of %u..%u", MANY,
		t1 - t0, calls, smin, smax);
	EXPECT(calls == (MANY + MAX_BATCH - 1) / MAX_BATCH,
	       "%u CB_NOTIFYs (of %u..%u) for %u creates, expected %u "
	       "(creates took %.2f s)",
	       calls, smin, smax, MANY, (MANY + MAX_BATCH - 1) / MAX_BATCH,
	       t1 - t0);
	nt_kept_return(ctx, &n);
out:
	nt_teardown(&n);
}

/*
 * nt_setup with A's back channel ca_maxrequestsize set to maxreq; *st
 * is the status of the step that failed.
 */
static int nt_setup_maxreq(struct dc_ctx *ctx, struct nt_setup *n,
			   uint32_t maxreq, uint32_t notify,
			   const uint32_t *child, nfsstat4 *st)
{
	int rc;

	*st = NFS4_OK;
	rc = dc_ctx_client(ctx, &n->s.a);
	if (!rc)
		rc = dc_client_exchange_id(&n->s.a, EXCHGID4_FLAG_USE_NON_PNFS,
					   st);
	if (!rc && *st == NFS4_OK)
		rc = dc_notify_create_session(&n->s.a, maxreq, st);
	if (!rc && *st == NFS4_OK)
		rc = dc_client_simple(&n->s.a, fill_reclaim, NULL, NULL, st);
	if (!rc)
		rc = dc_ctx_mounted(ctx, &n->s.b);
	if (rc || *st != NFS4_OK)
		return rc;
	dc_name(ctx, "d", n->s.dname, sizeof(n->s.dname));
	rc = dd_mkdir_in(&n->s.a, NULL, n->s.dname, &n->s.dir, st);
	if (rc || *st != NFS4_OK)
		return rc;
	dc_notify_tap_attach(&n->tap, &n->s.a);
	return dd_gdd_attrs(&n->s.a, &n->s.dir, notify, child, NULL, &n->g);
}

/*
 * A small back channel ca_maxrequestsize: every CB_NOTIFY fits it, so
 * batches are smaller; nothing is lost or repeated.
 */
#define SMALL_MAXREQ 1200
#define SMALL_COUNT 40
static void dirdeleg22_small_maxrequest(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_call c;
	char prefix[96], why[200], sizes[256] = "";
	unsigned i, calls, maxlen = 0;
	nfsstat4 st = NFS4_OK;
	int rc;

	rc = nt_setup_maxreq(ctx, &n, SMALL_MAXREQ,
			     NB(NOTIFY4_ADD_ENTRY) | NB(NOTIFY4_GFLAG_EXTEND),
			     child_attrs, &st);
	EXPECT_OK(rc, st, "setup with a small back channel");
	EXPECT(n.s.a.back.ca_maxrequestsize == SMALL_MAXREQ,
	       "back channel ca_maxrequestsize %u",
	       n.s.a.back.ca_maxrequestsize);
	EXPECT_NOTIFY_GRANTED(n.g, NB(NOTIFY4_ADD_ENTRY));
	dc_name(ctx, "s", prefix, sizeof(prefix));
	rc = create_many(&n.s.b, &n.s.dir, prefix, SMALL_COUNT, &n.s.a,
			 &st);
	EXPECT_OK(rc, st, "creates by B");
	EXPECT(dc_notify_wait(&n.tap, SMALL_COUNT, NOTIFY_WAIT_MS) >=
		       SMALL_COUNT,
	       "%u notifications of %u creates", dc_notify_count(&n.tap),
	       SMALL_COUNT);
	EXPECT(nt_calls_ok(&n, &n.g.sid, &n.s.dir, why, sizeof(why)), "%s",
	       why);
	EXPECT(nt_names_in_order(&n, ctx, prefix, SMALL_COUNT, why,
				 sizeof(why)),
	       "%s", why);
	calls = dc_notify_calls(&n.tap);
	for (i = 0; i < calls && dc_notify_get_call(&n.tap, i, &c); i++) {
		if (c.rec_len > maxlen)
			maxlen = c.rec_len;
		snprintf(sizes + strlen(sizes), sizeof(sizes) - strlen(sizes),
			 "%s%u", i ? "," : "", c.count);
	}
	dc_note(ctx, "ca_maxrequestsize %u: %u CB_NOTIFYs [%s], largest %u "
		"bytes", SMALL_MAXREQ, calls, sizes, maxlen);
	EXPECT(maxlen <= SMALL_MAXREQ,
	       "a CB_NOTIFY of %u bytes, ca_maxrequestsize %u", maxlen,
	       SMALL_MAXREQ);
	EXPECT(calls > 1, "one CB_NOTIFY of %u notifications in %u bytes",
	       SMALL_COUNT, maxlen);
	nt_kept_return(ctx, &n);
out:
	nt_teardown(&n);
}

/* Scrape one sample (0 if absent); false if the scrape failed */
static bool nt_metric(const struct dc_metrics *m, const char *name,
		      const char *labels, double *v)
{
	*v = 0;
	return dc_metric_get(m, name, labels, v);
}

/* Directory attributes that every entry change moves */
static const uint32_t dir_attrs_moved[2] = { A0(FATTR4_CHANGE) |
						     A0(FATTR4_SIZE),
					     0 };
/* server.conf.in: Dir_Notify_Window_ms, Dir_Notify_Max_Batch */
#define WINDOW_MS 3000
#define DA_CREATES 250

/*
 * B's creates move the directory's change attribute, which A was granted
 * with CHANGE_DIR_ATTRS: A hears of it too (20.4), with the latest value,
 * held for the window (the delay A may be made to wait) while full
 * batches of ADD_ENTRY go at once.
 */
static void dirdeleg33_entry_changes_dir_attrs(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_ent e;
	struct dc_notify_call c;
	struct dc_gattr ga;
	struct timespec t0;
	char prefix[96], why[160];
	unsigned i, adds = 0, attrs = 0, early_full = 0, last_attr = 0;
	double since;
	nfsstat4 st;
	int rc;

	if (!nt_begin(ctx, &n,
		      NB(NOTIFY4_ADD_ENTRY) | NB(NOTIFY4_CHANGE_DIR_ATTRS) |
			      NB(NOTIFY4_GFLAG_EXTEND),
		      NULL, dir_attrs_moved))
		goto out;
	EXPECT(n.g.dattr[0] == dir_attrs_moved[0],
	       "directory attributes granted %#x, asked %#x", n.g.dattr[0],
	       dir_attrs_moved[0]);
	dc_name(ctx, "c", prefix, sizeof(prefix));
	clock_gettime(CLOCK_REALTIME, &t0);
	rc = create_many(&n.s.b, &n.s.dir, prefix, DA_CREATES, &n.s.a, &st);
	EXPECT_OK(rc, st, "creates by B");
	rc = dc_fs_getattr(&n.s.b, &n.s.dir, &ga, &st);
	EXPECT_OK(rc, st, "GETATTR of the directory by B");
	EXPECT(ga.have & DC_GA_CHANGE, "GETATTR: no change attribute");
	EXPECT(dc_notify_wait(&n.tap, DA_CREATES + 1, NOTIFY_WAIT_MS) >=
		       DA_CREATES + 1,
	       "%u notifications of %u creates, expected the ADDs and "
	       "CHANGE_DIR_ATTRS", dc_notify_count(&n.tap), DA_CREATES);
	EXPECT(nt_calls_ok(&n, &n.g.sid, &n.s.dir, why, sizeof(why)), "%s",
	       why);
	for (i = 0; dc_notify_get(&n.tap, i, &e); i++) {
		if (e.type == NOTIFY4_ADD_ENTRY) {
			adds++;
			continue;
		}
		EXPECT(e.type == NOTIFY4_CHANGE_DIR_ATTRS && e.name[0] == '\0',
		       "notification %u: %s \"%.40s\"", i, ntype(e.type),
		       e.name);
		EXPECT(e.attrs.known && e.attrs.mask[0] == dir_attrs_moved[0] &&
			       e.attrs.mask[1] == 0,
		       "CHANGE_DIR_ATTRS attributes %#x/%#x", e.attrs.mask[0],
		       e.attrs.mask[1]);
		attrs++;
		last_attr = i;
	}
	EXPECT(adds == DA_CREATES, "%u ADD_ENTRY, expected %u", adds,
	       DA_CREATES);
	EXPECT(attrs >= 1, "no CHANGE_DIR_ATTRS for %u creates", DA_CREATES);
	EXPECT(dc_notify_get(&n.tap, last_attr, &e), "notification");
	EXPECT(e.attrs.change == ga.change,
	       "last CHANGE_DIR_ATTRS: change %llu, GETATTR after the creates "
	       "%llu", (unsigned long long)e.attrs.change,
	       (unsigned long long)ga.change);
	/* Full batches before the window: ADDs only */
	for (i = 0; dc_notify_get_call(&n.tap, i, &c); i++) {
		unsigned k, da = 0;

		since = (c.ts.tv_sec - t0.tv_sec) * 1e3 +
			(c.ts.tv_nsec - t0.tv_nsec) / 1e6;
		if (since >= WINDOW_MS)
			continue;
		for (k = c.first; k < c.first + c.count; k++)
			if (dc_notify_get(&n.tap, k, &e) &&
			    e.type == NOTIFY4_CHANGE_DIR_ATTRS)
				da++;
		early_full++;
		EXPECT(da == 0,
		       "CB_NOTIFY %u, %.0f ms after the first create, before "
		       "the window: %u CHANGE_DIR_ATTRS not held back", i,
		       since, da);
	}
	dc_note(ctx, "%u creates: %u CB_NOTIFYs (%u before the %d ms window), "
		"%u CHANGE_DIR_ATTRS", DA_CREATES, dc_notify_calls(&n.tap),
		early_full, WINDOW_MS, attrs);
	EXPECT(early_full >= 1,
	       "no full batch went before the window: the creates were too "
	       "slow to show that CHANGE_DIR_ATTRS waits");
	nt_kept_return(ctx, &n);
out:
	nt_teardown(&n);
}

/* Names of len bytes: the unique prefix, then 'x' */
static void long_name(struct dc_ctx *ctx, const char *tag, char *buf,
		      size_t len)
{
	size_t n;

	dc_name(ctx, tag, buf, len + 1);
	n = strlen(buf);
	memset(buf + n, 'x', len - n);
	buf[len] = '\0';
}

/*
 * Two ADD_ENTRY with 150-byte names (and position data where the FSAL
 * has it: about 550 bytes of changes) fit a CB_NOTIFY within a back
 * channel ca_maxrequestsize of 1024: sent together, nothing recalled,
 * the request within the limit (18.36.3).
 */
#define FIT_MAXREQ 1024
#define FIT_NAME 150
static void dirdeleg34_notify_fills_maxrequest(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_call c;
	struct dc_notify_ent e;
	char n1[FIT_NAME + 1], n2[FIT_NAME + 1];
	nfsstat4 st;
	int rc;

	rc = nt_setup_maxreq(ctx, &n, FIT_MAXREQ, NB(NOTIFY4_ADD_ENTRY), NULL,
			     &st);
	EXPECT_OK(rc, st, "setup with a 1024-byte back channel");
	EXPECT(n.s.a.back.ca_maxrequestsize == FIT_MAXREQ,
	       "back channel ca_maxrequestsize %u",
	       n.s.a.back.ca_maxrequestsize);
	EXPECT_NOTIFY_GRANTED(n.g, NB(NOTIFY4_ADD_ENTRY));
	long_name(ctx, "f1", n1, FIT_NAME);
	long_name(ctx, "f2", n2, FIT_NAME);
	rc = dd_mkdir_in(&n.s.b, &n.s.dir, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir 1 by B");
	rc = dd_mkdir_in(&n.s.b, &n.s.dir, n2, NULL, &st);
	EXPECT_OK(rc, st, "mkdir 2 by B");
	EXPECT(dc_notify_wait(&n.tap, 2, NOTIFY_WAIT_MS) >= 2,
	       "%u notifications of 2 creates (recalled: %u)",
	       dc_notify_count(&n.tap), dd_count_recalls(&n.s.a, &n.g.sid));
	EXPECT(dc_notify_get(&n.tap, 0, &e) && e.type == NOTIFY4_ADD_ENTRY &&
		       !strcmp(e.name, n1),
	       "first notification: %s %.20s...", ntype(e.type), e.name);
	EXPECT(dc_notify_get(&n.tap, 1, &e) && e.type == NOTIFY4_ADD_ENTRY &&
		       !strcmp(e.name, n2),
	       "second notification: %s %.20s...", ntype(e.type), e.name);
	EXPECT(dc_notify_get_call(&n.tap, 0, &c), "CB_NOTIFY");
	dc_note(ctx, "ca_maxrequestsize %u: %u CB_NOTIFY, the first of %u "
		"changes in %zu bytes", FIT_MAXREQ, dc_notify_calls(&n.tap),
		c.count, c.rec_len);
	EXPECT(c.count == 2 && dc_notify_calls(&n.tap) == 1,
	       "%u CB_NOTIFYs, the first of %u changes (%zu bytes): two "
	       "fit in %u", dc_notify_calls(&n.tap), c.count, c.rec_len,
	       FIT_MAXREQ);
	EXPECT(c.rec_len <= FIT_MAXREQ, "a CB_NOTIFY of %zu bytes", c.rec_len);
	nt_kept_return(ctx, &n);
out:
	nt_teardown(&n);
}

/*
 * A change that fits no CB_NOTIFY of a 560-byte back channel (a 255-byte
 * name with its attributes, about 400 bytes, where some 330 are left
 * after the RPC and CB_COMPOUND headers) recalls the delegation, counted
 * under its own reason, not as a failed CB_NOTIFY.
 */
#define TIGHT_MAXREQ 560
#define TIGHT_NAME 255
static void dirdeleg35_notify_too_big(struct dc_ctx *ctx)
{
	struct dc_metrics m0 = { 0 }, m1 = { 0 };
	struct nt_setup n = { 0 };
	struct dc_cb_record rec;
	char n1[TIGHT_NAME + 1];
	double big0 = 0, big1 = 0, failed0 = 0, failed1 = 0;
	int port = dc_metrics_port();
	nfsstat4 st;
	int rc;

	if (port == 0)
		SKIP("DITTO_MONITORING_PORT not set");
	rc = nt_setup_maxreq(ctx, &n, TIGHT_MAXREQ, NB(NOTIFY4_ADD_ENTRY),
			     child_attrs, &st);
	EXPECT_OK(rc, st, "setup with a 560-byte back channel");
	EXPECT(n.s.a.back.ca_maxrequestsize == TIGHT_MAXREQ,
	       "back channel ca_maxrequestsize %u",
	       n.s.a.back.ca_maxrequestsize);
	EXPECT_NOTIFY_GRANTED(n.g, NB(NOTIFY4_ADD_ENTRY));
	rc = dc_metrics_scrape(port, 5000, &m0);
	EXPECT(rc == 0, "scrape /metrics: %d", rc);
	EXPECT(nt_metric(&m0, "nfsv41_dir_delegations_recalled_total",
			 "reason=\"notify_too_big\"", &big0) &&
		       nt_metric(&m0, "nfsv41_dir_delegations_recalled_total",
				 "reason=\"notify_failed\"", &failed0),
	       "recall metrics");
	long_name(ctx, "t", n1, TIGHT_NAME);
	rc = dd_mkdir_in(&n.s.b, &n.s.dir, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir by B");
	EXPECT(dd_wait_recall_of(&n.s.a, &n.g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL for a change too big for any CB_NOTIFY");
	rc = dc_metrics_scrape(port, 5000, &m1);
	EXPECT(rc == 0, "scrape /metrics: %d", rc);
	EXPECT(nt_metric(&m1, "nfsv41_dir_delegations_recalled_total",
			 "reason=\"notify_too_big\"", &big1) &&
		       nt_metric(&m1, "nfsv41_dir_delegations_recalled_total",
				 "reason=\"notify_failed\"", &failed1),
	       "recall metrics");
	EXPECT(big1 - big0 == 1 && failed1 == failed0,
	       "recalled{notify_too_big} +%.0f, {notify_failed} +%.0f; "
	       "expected +1 and +0", big1 - big0, failed1 - failed0);
	rc = dd_delegreturn(&n.s.a, &n.s.dir, &n.g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN after the recall");
out:
	dc_metrics_free(&m0);
	dc_metrics_free(&m1);
	nt_teardown(&n);
}

/* Handler: never answer CB_NOTIFY, answer the rest. */
static enum dc_cb_action drop_notify(void *arg, const struct dc_cb_record *r,
				     nfsstat4 *status)
{
	return r->nops > 1 && r->ops[1] == NFS4_OP_CB_NOTIFY ? DC_CB_DROP :
								  DC_CB_OK;
}

/*
 * A holder that never answers CB_NOTIFY: once one times out, SEQUENCE
 * says its back channel is down (18.46.3), so the recall that follows
 * cannot reach it, and the delegation is revoked.
 */
static void dirdeleg23_notify_unanswered(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	char n1[96];
	nfsstat4 st, code;
	uint32_t flags = 0;
	int rc;

	if (!nt_begin(ctx, &n, N_ENTRIES | NB(NOTIFY4_GFLAG_EXTEND),
		      NULL, NULL))
		goto out;
	dc_cb_set_handler(&n.s.a.cb, drop_notify, NULL);
	dc_name(ctx, "e1", n1, sizeof(n1));
	rc = dd_mkdir_in(&n.s.b, &n.s.dir, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir by B");
	/* A keeps its lease (SEQUENCE) while its CB_NOTIFY times out */
	EXPECT(dc_client_wait_seq_flags(&n.s.a,
					SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					SEQ4_STATUS_CB_PATH_DOWN_SESSION,
					CB_WAIT_MS, 200, &flags, &st),
	       "back channel not reported down after an unanswered "
	       "CB_NOTIFY (flags %#x, %s)", flags, dc_nfsstat_name(st));
	EXPECT(dc_notify_count(&n.tap) >= 1,
	       "back channel down without a CB_NOTIFY sent");
	dc_note(ctx, "%u CB_NOTIFY tries before the back channel was down",
		dc_notify_calls(&n.tap));
	EXPECT(dd_wait_revoked(&n.s.a, REVOKE_WAIT_S),
	       "recalled delegation not revoked within %d s", REVOKE_WAIT_S);
	rc = dc_client_test_stateid(&n.s.a, &n.g.sid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT_STATUS(code, NFS4ERR_DELEG_REVOKED,
		      "TEST_STATEID of the revoked directory delegation");
	rc = dc_client_free_stateid(&n.s.a, &n.g.sid, &st);
	EXPECT_OK(rc, st, "FREE_STATEID");
out:
	nt_teardown(&n);
}

/*
 * Classic RFC 8881 notifications (no NOTIFY4_GFLAG_EXTEND); add then
 * remove of one name within a batch may be coalesced: either both are
 * told, in order, or neither.
 */
static void dirdeleg24_classic_coalesce(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_ent e;
	char n1[96], n2[96], why[160];
	unsigned ia, ir, k;
	nfsstat4 st;
	int rc;

	if (!nt_begin(ctx, &n, N_ENTRIES, child_attrs, NULL))
		goto out;
	EXPECT(!(n.g.notify & NB(NOTIFY4_GFLAG_EXTEND)),
	       "NOTIFY4_GFLAG_EXTEND granted unasked");
	dc_name(ctx, "tmp", n1, sizeof(n1));
	dc_name(ctx, "keep", n2, sizeof(n2));
	rc = dd_mkdir_in(&n.s.b, &n.s.dir, n1, NULL, &st);
	EXPECT_OK(rc, st, "mkdir tmp by B");
	rc = dd_remove_in(&n.s.b, &n.s.dir, n1, &st);
	EXPECT_OK(rc, st, "remove tmp by B");
	rc = dd_mkdir_in(&n.s.b, &n.s.dir, n2, NULL, &st);
	EXPECT_OK(rc, st, "mkdir keep by B");
	EXPECT(dc_notify_wait(&n.tap, 1, NOTIFY_WAIT_MS) >= 1,
	       "no notification");
	/* keep's ADD is the last one: wait for it */
	for (k = 0; k < 60 && !nt_find(&n, NOTIFY4_ADD_ENTRY, n2, 0, &e, NULL);
	     k++)
		dc_notify_wait(&n.tap, dc_notify_count(&n.tap) + 1, 500);
	EXPECT(nt_calls_ok(&n, &n.g.sid, &n.s.dir, why, sizeof(why)), "%s",
	       why);
	EXPECT(nt_find(&n, NOTIFY4_ADD_ENTRY, n2, 0, &e, NULL),
	       "no ADD of %s", n2);
	EXPECT(e.ncookie <= 1 && e.nprev <= 1,
	       "classic ADD: %u cookies, %u previous entries", e.ncookie,
	       e.nprev);
	EXPECT(e.attrs.known && e.attrs.type == NF4DIR, "ADD attributes");
	EXPECT(nt_count_name(&n, n2) == 1, "%s told %u times", n2,
	       nt_count_name(&n, n2));
	k = nt_count_name(&n, n1);
	if (k == 0) {
		dc_note(ctx, "add+remove coalesced; ADD cookie count %u",
			e.ncookie);
		CHECKED();
	} else {
		EXPECT(k == 2 && nt_find(&n, NOTIFY4_ADD_ENTRY, n1, 0, &e, &ia) &&
			       nt_find(&n, NOTIFY4_REMOVE_ENTRY, n1, 0, &e,
				       &ir) &&
			       ia < ir,
		       "%s: %u notifications, expected ADD then REMOVE", n1,
		       k);
		dc_note(ctx, "add+remove not coalesced (2 batches)");
	}
	rc = dd_delegreturn(&n.s.a, &n.s.dir, &n.g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
out:
	nt_teardown(&n);
}

/* Metrics of directory delegations and CB_NOTIFY move as they should */
static void dirdeleg25_metrics(struct dc_ctx *ctx)
{
	static const char *const names[] = {
		"nfsv41_dir_delegations_granted_total",
		"nfsv41_dir_notifications_queued_total",
		"nfsv41_dir_notifications_sent_total",
		"nfsv41_cb_notify_total",
		"nfsv41_cb_notify_batch_size_count",
		"nfsv41_dir_notification_latency_seconds_count",
		"nfsv41_dir_delegations_recalled_total",
		"nfsv41_callbacks_total",
	};
	static const char *const labels[] = {
		NULL,		      "type=\"add\"",
		"type=\"add\"",	      "result=\"ok\"",
		NULL,		      NULL,
		"reason=\"unsubscribed\"", "op=\"CB_NOTIFY\"",
	};
	const unsigned nm = sizeof(names) / sizeof(names[0]);
	double before[8], after[8];
	struct dc_metrics m0 = { 0 }, m1 = { 0 };
	struct nt_setup n = { 0 };
	struct dc_cb_record rec;
	struct gdd_res g2;
	nfs_fh4 dir2 = { 0 };
	char n1[96], n2[96], d2[96];
	int port = dc_metrics_port();
	nfsstat4 st;
	unsigned i;
	int rc;

	if (port == 0)
		SKIP("DITTO_MONITORING_PORT not set");
	rc = dc_metrics_scrape(port, 5000, &m0);
	EXPECT(rc == 0, "scrape /metrics: %d", rc);
	for (i = 0; i < nm; i++)
		EXPECT(nt_metric(&m0, names[i], labels[i], &before[i]),
		       "%s", names[i]);
	if (!nt_begin(ctx, &n, N_ENTRIES | NB(NOTIFY4_GFLAG_EXTEND),
		      NULL, NULL))
		goto out;
	dc_name(ctx, "e1", n1, sizeof(n1));
	dc_name(ctx, "e2", n2, sizeof(n2));
	dc_name(ctx, "d2", d2, sizeof(d2));
	rc = dd_mkdir_in(&n.s.b, &n.s.dir, n1, NULL, &st);
	EXPECT_RPC(rc, "mkdir e1 by B");
	rc = dd_mkdir_in(&n.s.b, &n.s.dir, n2, NULL, &st);
	EXPECT_RPC(rc, "mkdir e2 by B");
	EXPECT(dc_notify_wait(&n.tap, 2, NOTIFY_WAIT_MS) >= 2,
	       "no notifications");
	/* An unsubscribed change: recall */
	rc = dd_mkdir_in(&n.s.a, NULL, d2, &dir2, &st);
	EXPECT_RPC(rc, "mkdir d2");
	rc = dd_gdd_attrs(&n.s.a, &dir2,
			  NB(NOTIFY4_REMOVE_ENTRY) | NB(NOTIFY4_GFLAG_EXTEND), NULL,
			  NULL, &g2);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION d2");
	EXPECT_GRANTED(g2);
	rc = dd_mkdir_in(&n.s.b, &dir2, n1, NULL, &st);
	EXPECT_RPC(rc, "mkdir d2/e1 by B");
	EXPECT(dd_wait_recall_of(&n.s.a, &g2.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL of d2");
	rc = dc_metrics_scrape(port, 5000, &m1);
	EXPECT(rc == 0, "scrape /metrics: %d", rc);
	for (i = 0; i < nm; i++)
		EXPECT(nt_metric(&m1, names[i], labels[i], &after[i]),
		       "%s", names[i]);
	EXPECT(after[0] - before[0] >= 2, "granted +%.0f, expected +2",
	       after[0] - before[0]);
	EXPECT(after[1] - before[1] >= 2, "queued{add} +%.0f, expected +2",
	       after[1] - before[1]);
	EXPECT(after[2] - before[2] >= 2, "sent{add} +%.0f, expected +2",
	       after[2] - before[2]);
	EXPECT(after[3] - before[3] >= 1, "cb_notify{ok} +%.0f",
	       after[3] - before[3]);
	EXPECT(after[4] - before[4] >= 1, "batch size count +%.0f",
	       after[4] - before[4]);
	EXPECT(after[5] - before[5] >= 2, "latency count +%.0f",
	       after[5] - before[5]);
	EXPECT(after[6] - before[6] >= 1, "recalled{unsubscribed} +%.0f",
	       after[6] - before[6]);
	EXPECT(after[7] - before[7] >= 1, "callbacks{CB_NOTIFY} +%.0f",
	       after[7] - before[7]);
	EXPECT(dc_metric_find(&m1, "nfsv41_dir_delegations_active", NULL,
			      &after[0]) && after[0] >= 2,
	       "nfsv41_dir_delegations_active %.0f", after[0]);
	rc = dd_delegreturn(&n.s.a, &dir2, &g2.sid, &st);
	EXPECT_RPC(rc, "DELEGRETURN d2");
	rc = dd_delegreturn(&n.s.a, &n.s.dir, &n.g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
out:
	dc_metrics_free(&m0);
	dc_metrics_free(&m1);
	dc_fh_free(&dir2);
	nt_teardown(&n);
}

/* dbus-send to SessionMgr; its printed reply in out. */
static int nt_dbus(const char *method, uint64_t clientid, char *out,
		   size_t len)
{
	char arg[64];

	snprintf(arg, sizeof(arg), "uint64:%llu",
		 (unsigned long long)clientid);
	return dc_sm_call(method, arg, out, len);
}

/* DBus: ListDirDelegations shows it; RecallDirDelegations recalls it */
static void dirdeleg26_dbus(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_cb_record rec;
	char *out = NULL, hex[32];
	nfsstat4 st;
	unsigned i;
	int rc;

	if (!getenv("DBUS_SYSTEM_BUS_ADDRESS"))
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	out = malloc(65536);
	EXPECT(out != NULL, "malloc");
	if (!nt_begin(ctx, &n, N_ENTRIES | NB(NOTIFY4_GFLAG_EXTEND),
		      NULL, NULL))
		goto out;
	for (i = 0; i < 12; i++)
		sprintf(hex + 2 * i, "%02x",
			(unsigned char)n.g.sid.other[i]);
	rc = nt_dbus("ListDirDelegations", n.s.a.clientid, out, 65536);
	EXPECT(rc == 0, "ListDirDelegations: dbus-send failed");
	EXPECT(strstr(out, "boolean true") != NULL,
	       "ListDirDelegations: status false: %.200s", out);
	EXPECT(strstr(out, hex) != NULL && strstr(out, "\"granted\""),
	       "ListDirDelegations does not list %s as granted: %.300s",
	       hex, out);
	rc = nt_dbus("RecallDirDelegations", n.s.a.clientid, out, 65536);
	EXPECT(rc == 0 && strstr(out, "boolean true") &&
		       strstr(out, "uint32 1"),
	       "RecallDirDelegations: %.200s", out);
	EXPECT(dd_wait_recall_of(&n.s.a, &n.g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL after RecallDirDelegations");
	rc = nt_dbus("ListDirDelegations", n.s.a.clientid, out, 65536);
	EXPECT(rc == 0 && strstr(out, "\"recalling\"") &&
		       strstr(out, "\"admin\""),
	       "ListDirDelegations after the recall: %.300s", out);
	rc = dd_delegreturn(&n.s.a, &n.s.dir, &n.g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
	rc = nt_dbus("ListDirDelegations", n.s.a.clientid, out, 65536);
	EXPECT(rc == 0 && !strstr(out, hex),
	       "returned delegation still listed: %.300s", out);
out:
	free(out);
	nt_teardown(&n);
}

/*
 * A delegation the administrator recalled (DBus) and its holder never
 * returned is revoked by administrative action: SEQUENCE says
 * ADMIN_STATE_REVOKED (not RECALLABLE_STATE_REVOKED) until the holder
 * frees it (18.46.3).
 */
static void srev2_admin(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct dc_cb_record rec;
	struct gdd_res g;
	char *out = NULL;
	uint32_t flags = 0;
	nfsstat4 st, code;
	double t0;
	int rc;

	if (!getenv("DBUS_SYSTEM_BUS_ADDRESS"))
		SKIP("DBUS_SYSTEM_BUS_ADDRESS not set");
	out = malloc(65536);
	EXPECT(out != NULL, "malloc");
	rc = dd_begin(ctx, &s, false);
	EXPECT_RPC(rc, "mount and mkdir");
	rc = dd_gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	rc = nt_dbus("RecallDirDelegations", s.a.clientid, out, 65536);
	EXPECT(rc == 0 && strstr(out, "boolean true") &&
		       strstr(out, "uint32 1"),
	       "RecallDirDelegations: %.200s", out);
	EXPECT(dd_wait_recall_of(&s.a, &g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL after RecallDirDelegations");
	t0 = dd_now_s();
	/* A keeps its lease (SEQUENCE) but never returns the delegation */
	EXPECT(dd_wait_any_revoked(&s.a, REVOKE_WAIT_S, &flags),
	       "recalled delegation not revoked within %d s", REVOKE_WAIT_S);
	dc_note(ctx, "revoked %.1f s after the recall, flags %#x",
		dd_now_s() - t0, flags);
	EXPECT(flags & SEQ4_STATUS_ADMIN_STATE_REVOKED,
	       "revoked after the administrator's recall, but flags %#x "
	       "lack ADMIN_STATE_REVOKED", flags);
	EXPECT(!(flags & (SEQ4_STATUS_RECALLABLE_STATE_REVOKED |
			  SEQ4_STATUS_EXPIRED_SOME_STATE_REVOKED)),
	       "flags %#x name another reason than the administrator",
	       flags);
	rc = dc_client_test_stateid(&s.a, &g.sid, &code);
	EXPECT_RPC(rc, "TEST_STATEID");
	EXPECT_STATUS(code, NFS4ERR_DELEG_REVOKED,
		      "TEST_STATEID of the revoked directory delegation");
	rc = dc_client_free_stateid(&s.a, &g.sid, &st);
	EXPECT_OK(rc, st, "FREE_STATEID of the revoked delegation");
	rc = dc_client_seq_flags(&s.a, &flags, &st);
	EXPECT_OK(rc, st, "SEQUENCE");
	EXPECT(!(flags & DD_REVOKED_BITS),
	       "revoked-state flags still set after FREE_STATEID (%#x)",
	       flags);
out:
	free(out);
	dd_end(&s);
}

/*
 * Queue overflow: more than Dir_Notify_Queue_Max (1000) notifications
 * wait while the holder does not answer its CB_NOTIFY: the delegation is
 * recalled (reason overflow), none is dropped silently.
 */
#define OVERFLOW_COUNT 1300
static void dirdeleg27_overflow(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_cb_record rec;
	struct dc_metrics m0 = { 0 }, m1 = { 0 };
	char prefix[96];
	double before = 0, after = 0;
	int port = dc_metrics_port();
	nfsstat4 st = NFS4_OK;
	uint32_t flags;
	unsigned i, rebinds = 0;
	int rc;

	if (port != 0 && dc_metrics_scrape(port, 5000, &m0) == 0)
		nt_metric(&m0, "nfsv41_dir_delegations_recalled_total",
			  "reason=\"overflow\"", &before);
	if (!nt_begin(ctx, &n, NB(NOTIFY4_ADD_ENTRY) | NB(NOTIFY4_GFLAG_EXTEND),
		      NULL, NULL))
		goto out;
	dc_cb_set_handler(&n.s.a.cb, drop_notify, NULL);
	dc_name(ctx, "o", prefix, sizeof(prefix));
	rc = create_many(&n.s.b, &n.s.dir, prefix, OVERFLOW_COUNT, &n.s.a,
			 &st);
	EXPECT_OK(rc, st, "creates by B");
	/* An unanswered CB_NOTIFY leaves A's back channel down (18.46.3):
	 * A binds its connection again each time SEQUENCE says so, as a
	 * client does, so that the recall can reach it.
	 */
	for (i = 0; i < REVOKE_WAIT_S &&
		    !dd_wait_recall_of(&n.s.a, &n.g.sid, 0, 1000, &rec, NULL);
	     i++) {
		rc = dc_client_seq_flags(&n.s.a, &flags, &st);
		EXPECT_RPC(rc, "SEQUENCE");
		if (flags & SEQ4_STATUS_CB_PATH_DOWN_SESSION) {
			rc = dc_client_bind_conn(&n.s.a, 0, CDFC4_BACK_OR_BOTH,
						 &st, NULL);
			EXPECT_OK(rc, st, "BIND_CONN_TO_SESSION again");
			rebinds++;
		}
	}
	EXPECT(i < REVOKE_WAIT_S, "no CB_RECALL after %u unsent notifications",
	       OVERFLOW_COUNT);
	dc_note(ctx, "%u creates, %u notifications in %u unanswered "
		"CB_NOTIFYs, %u binds, then CB_RECALL",
		OVERFLOW_COUNT, dc_notify_count(&n.tap),
		dc_notify_calls(&n.tap), rebinds);
	if (port != 0) {
		rc = dc_metrics_scrape(port, 5000, &m1);
		EXPECT(rc == 0, "scrape /metrics: %d", rc);
		nt_metric(&m1, "nfsv41_dir_delegations_recalled_total",
			  "reason=\"overflow\"", &after);
		EXPECT(after - before >= 1, "recalled{overflow} +%.0f",
		       after - before);
	}
	rc = dd_delegreturn(&n.s.a, &n.s.dir, &n.g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN after the recall");
out:
	dc_metrics_free(&m0);
	dc_metrics_free(&m1);
	nt_teardown(&n);
}

/* ---- CHANGE_CHILD_ATTRS -------------------------------------------- */

struct sa_call {
	const nfs_fh4 *fh;
	int what;		/* 0 mode, 1 owner, 2 size */
	uint32_t mode;
	const char *owner;
	uint64_t size;
};

static void fill_setattr_child(struct dc_compound *c, void *arg)
{
	struct sa_call *a = arg;
	SETATTR4args *s;
	char buf[80];
	XDR x;

	dc_op_putfh(c, a->fh);
	if (a->what == 2) {
		stateid4 anon = { 0 };

		dc_op_setattr_size(c, &anon, a->size);
		return;
	}
	s = &dc_op_add(c, NFS4_OP_SETATTR)->nfs_argop4_u.opsetattr;
	memset(&s->stateid, 0, sizeof(s->stateid));
	xdrmem_create(&x, buf, sizeof(buf), XDR_ENCODE);
	if (a->what == 0) {
		dd_set_bm(&s->obj_attributes.attrmask, 0, A1(FATTR4_MODE));
		xdr_u_int32_t(&x, &a->mode);
	} else {
		char *o = (char *)a->owner;

		dd_set_bm(&s->obj_attributes.attrmask, 0, A1(FATTR4_OWNER));
		xdr_string(&x, &o, 64);
	}
	s->obj_attributes.attr_vals.attrlist4_len = xdr_getpos(&x);
	s->obj_attributes.attr_vals.attrlist4_val =
		dc_compound_keep(c, buf, xdr_getpos(&x));
	xdr_destroy(&x);
}

static int setattr_child(struct dc_client *cl, struct sa_call *a,
			 nfsstat4 *st)
{
	struct dc_cres r;
	int rc;

	rc = dc_client_simple(cl, fill_setattr_child, a, &r, st);
	if (rc)
		return rc;
	if (*st != NFS4_OK)
		*st = dc_cres_status(&r, r.res.resarray.resarray_len - 1);
	dc_cres_free(&r);
	return 0;
}

/* The notifications from *from on: all CHILD_ATTRS of name a or b */
static bool nt_only_child(struct nt_setup *n, unsigned from, const char *a,
			  const char *b, char *why, size_t len)
{
	struct dc_notify_ent e;
	unsigned i;

	for (i = from; dc_notify_get(&n->tap, i, &e); i++)
		if (e.type != NOTIFY4_CHANGE_CHILD_ATTRS ||
		    (strcmp(e.name, a) && strcmp(e.name, b))) {
			snprintf(why, len, "notification %u: %s %.64s", i,
				 ntype(e.type), e.name);
			return false;
		}
	return true;
}

/*
 * chmod, truncate and chown of a file by B: CHANGE_CHILD_ATTRS with the
 * granted child attributes, once for each of the file's names in the
 * directory; a newer one for a name replaces one still queued.
 */
static void dirdeleg28_child_attrs(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_ent e;
	struct dd_call d = { 0 };
	struct sa_call sa = { 0 };
	nfs_fh4 ffh = { 0 };
	char f[96], l[96], why[160];
	unsigned i, have, nf = 0, nl = 0;
	struct dc_metrics m0 = { 0 }, m1 = { 0 };
	double q0 = 0, q1 = 0, s0 = 0, s1 = 0;
	uint32_t flags;
	int port = dc_metrics_port();
	nfsstat4 st;
	int rc;

	if (port != 0 && dc_metrics_scrape(port, 5000, &m0) == 0) {
		nt_metric(&m0, "nfsv41_dir_notifications_queued_total",
			  "type=\"child_attrs\"", &q0);
		nt_metric(&m0, "nfsv41_dir_notifications_sent_total",
			  "type=\"child_attrs\"", &s0);
	}
	rc = dd_begin(ctx, &n.s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	dc_notify_tap_attach(&n.tap, &n.s.a);
	dc_name(ctx, "file", f, sizeof(f));
	dc_name(ctx, "link", l, sizeof(l));
	/* Two names of one file, made by A (its own changes: not told) */
	rc = open_in(&n.s.a, &n.s.dir, f, &ffh, &st);
	EXPECT_OK(rc, st, "open-create by A");
	rc = link_in(&n.s.a, &ffh, &n.s.dir, l, &st);
	EXPECT_OK(rc, st, "link by A");
	/* A delay above the server's limit (1 s) is clamped, not refused */
	d.fh = &n.s.dir;
	d.notify = NB(NOTIFY4_CHANGE_CHILD_ATTRS) | NB(NOTIFY4_GFLAG_EXTEND);
	memcpy(d.child, child_attrs, sizeof(d.child));
	d.child_delay_ms = 5000;
	rc = dd_gdd_call(&n.s.a, &d, &n.g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_NOTIFY_GRANTED(n.g, NB(NOTIFY4_CHANGE_CHILD_ATTRS));
	EXPECT(n.g.child[0] == child_attrs[0] && n.g.child[1] == child_attrs[1],
	       "granted child attributes %#x/%#x", n.g.child[0],
	       n.g.child[1]);

	/* chmod: one notification per name, mode and fileid */
	sa.fh = &ffh;
	sa.what = 0;
	sa.mode = 0640;
	rc = setattr_child(&n.s.b, &sa, &st);
	EXPECT_OK(rc, st, "chmod of the file by B");
	EXPECT(dc_notify_wait(&n.tap, 2, NOTIFY_WAIT_MS) >= 2,
	       "%u notifications of a chmod of a file with 2 names",
	       dc_notify_count(&n.tap));
	EXPECT(nt_calls_ok(&n, &n.g.sid, &n.s.dir, why, sizeof(why)), "%s",
	       why);
	EXPECT(nt_only_child(&n, 0, f, l, why, sizeof(why)), "%s", why);
	for (i = 0; dc_notify_get(&n.tap, i, &e); i++) {
		nf += !strcmp(e.name, f);
		nl += !strcmp(e.name, l);
		EXPECT(e.attrs.known && e.attrs.mask[0] == child_attrs[0] &&
			       e.attrs.mask[1] == child_attrs[1],
		       "CHILD_ATTRS %s: attributes %#x/%#x", e.name,
		       e.attrs.mask[0], e.attrs.mask[1]);
		EXPECT((e.attrs.mode & 07777) == 0640 &&
			       e.attrs.type == NF4REG && e.attrs.numlinks == 2,
		       "CHILD_ATTRS %s: mode %o type %u numlinks %u", e.name,
		       e.attrs.mode, e.attrs.type, e.attrs.numlinks);
		EXPECT(e.attrs.fh_len == ffh.nfs_fh4_len &&
			       !memcmp(e.attrs.fh, ffh.nfs_fh4_val,
				       e.attrs.fh_len),
		       "CHILD_ATTRS %s: not the file's filehandle", e.name);
	}
	EXPECT(nf == 1 && nl == 1, "chmod: %u for %s, %u for %s, expected 1",
	       nf, f, nl, l);

	/* A only waited: renew its lease (the suite's is 10 s) */
	rc = dc_client_seq_flags(&n.s.a, &flags, &st);
	EXPECT_RPC(rc, "SEQUENCE");
	/* truncate then chown at once: the chown's attributes replace
	 * the truncate's (coalesced) or follow them
	 */
	have = dc_notify_count(&n.tap);
	sa.what = 2;
	sa.size = 4096;
	rc = setattr_child(&n.s.b, &sa, &st);
	EXPECT_OK(rc, st, "truncate of the file by B");
	sa.what = 1;
	sa.owner = "4242";
	rc = setattr_child(&n.s.b, &sa, &st);
	EXPECT_OK(rc, st, "chown of the file by B");
	EXPECT(dc_notify_wait(&n.tap, have + 2, NOTIFY_WAIT_MS) >= have + 2,
	       "%u notifications of a truncate and a chown",
	       dc_notify_count(&n.tap) - have);
	/* The chown's may be in a later CB_NOTIFY than the truncate's */
	dd_sleep_ms(200);
	rc = dc_client_seq_flags(&n.s.a, &flags, &st);
	EXPECT_RPC(rc, "SEQUENCE");
	EXPECT(nt_only_child(&n, have, f, l, why, sizeof(why)), "%s", why);
	nf = nl = 0;
	for (i = have; dc_notify_get(&n.tap, i, &e); i++) {
		EXPECT(e.attrs.known && e.attrs.size == 4096,
		       "CHILD_ATTRS %s after truncate: size %llu", e.name,
		       (unsigned long long)e.attrs.size);
		nf += !strcmp(e.name, f);
		nl += !strcmp(e.name, l);
	}
	EXPECT(nf >= 1 && nf <= 2 && nl >= 1 && nl <= 2,
	       "truncate + chown: %u for %s, %u for %s", nf, f, nl, l);
	EXPECT(dd_count_recalls(&n.s.a, &n.g.sid) == 0, "recalled");
	if (port != 0) {
		rc = dc_metrics_scrape(port, 5000, &m1);
		EXPECT(rc == 0, "scrape /metrics: %d", rc);
		nt_metric(&m1, "nfsv41_dir_notifications_queued_total",
			  "type=\"child_attrs\"", &q1);
		nt_metric(&m1, "nfsv41_dir_notifications_sent_total",
			  "type=\"child_attrs\"", &s1);
		EXPECT(q1 - q0 >= 6 && s1 - s0 >= 4,
		       "queued{child_attrs} +%.0f (expected >= 6), "
		       "sent{child_attrs} +%.0f (expected >= 4)",
		       q1 - q0, s1 - s0);
	}
	dc_note(ctx, "chmod: 2 notifications; truncate+chown: %u (%s)",
		nf + nl, nf + nl == 2 ? "coalesced" : "not coalesced");
	rc = dd_delegreturn(&n.s.a, &n.s.dir, &n.g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
out:
	dc_metrics_free(&m0);
	dc_metrics_free(&m1);
	dc_fh_free(&ffh);
	nt_teardown(&n);
}

/* ---- position data (classic RFC 8881 notifications) --------------- */

#define RD_MAX 16

struct rd_list {
	unsigned n;
	char name[RD_MAX][96];
	uint64_t cookie[RD_MAX];
};

struct rd_call {
	const nfs_fh4 *dir;
	uint64_t cookie;
	verifier4 verf;
};

static void fill_readdir(struct dc_compound *c, void *arg)
{
	struct rd_call *a = arg;

	dc_op_putfh(c, a->dir);
	dc_op_readdir(c, a->cookie, 4096, 16384, A0(FATTR4_FILEID), 0);
	memcpy(c->ops[c->nops - 1].nfs_argop4_u.opreaddir.cookieverf,
	       a->verf, NFS4_VERIFIER_SIZE);
}

/* Every (name, cookie) a READDIR of dir returns, in order */
static int readdir_all(struct dc_client *cl, const nfs_fh4 *dir,
		       struct rd_list *l, nfsstat4 *st)
{
	struct rd_call a = { .dir = dir };
	bool eof = false;
	unsigned calls;

	l->n = 0;
	for (calls = 0; !eof && calls < 64; calls++) {
		struct dc_cres r;
		READDIR4resok *ok;
		entry4 *e;
		int rc = dc_client_simple(cl, fill_readdir, &a, &r, st);

		if (rc)
			return rc;
		if (*st != NFS4_OK) {
			*st = dc_cres_status(&r, r.res.resarray.resarray_len - 1);
			dc_cres_free(&r);
			return 0;
		}
		ok = &dc_cres_op(&r, r.res.resarray.resarray_len - 1)
			      ->nfs_resop4_u.opreaddir.READDIR4res_u.resok4;
		memcpy(a.verf, ok->cookieverf, NFS4_VERIFIER_SIZE);
		for (e = ok->reply.entries; e; e = e->nextentry) {
			if (l->n < RD_MAX) {
				unsigned len = e->name.utf8string_len < 95 ?
						       e->name.utf8string_len :
						       95;

				memcpy(l->name[l->n], e->name.utf8string_val,
				       len);
				l->name[l->n][len] = '\0';
				l->cookie[l->n++] = e->cookie;
			}
			a.cookie = e->cookie;
		}
		eof = ok->reply.eof;
		dc_cres_free(&r);
	}
	return 0;
}

/* Index of name in l, or -1 */
static int rd_find(const struct rd_list *l, const char *name)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			return i;
	return -1;
}

/* e's new entry stands where READDIR (l) puts name */
static bool pos_matches(const struct dc_notify_ent *e,
			const struct rd_list *l, const char *name, char *why,
			size_t len)
{
	int i = rd_find(l, name);

	if (i < 0) {
		snprintf(why, len, "%.40s not in READDIR", name);
		return false;
	}
	if (e->ncookie != 1 || e->cookie != l->cookie[i]) {
		snprintf(why, len, "%.40s: cookie %llu (%u), READDIR %llu",
			 name, (unsigned long long)e->cookie, e->ncookie,
			 (unsigned long long)l->cookie[i]);
		return false;
	}
	if (i == 0 ? e->nprev != 0 :
		     e->nprev != 1 || strcmp(e->prev_name, l->name[i - 1]) ||
			     e->prev_cookie != l->cookie[i - 1]) {
		snprintf(why, len, "%.40s: previous entry %.40s/%llu (%u), "
			 "READDIR %.40s", name, e->prev_name,
			 (unsigned long long)e->prev_cookie, e->nprev,
			 i ? l->name[i - 1] : "(none)");
		return false;
	}
	if (e->last != ((unsigned)i == l->n - 1)) {
		snprintf(why, len, "%.40s: last %d, READDIR has %u after it",
			 name, e->last, l->n - 1 - i);
		return false;
	}
	return true;
}

/*
 * Classic (no NOTIFY4_GFLAG_EXTEND) notifications carry the entry's
 * position: the READDIR cookie of a new entry, the entry before it
 * (name, cookie) and whether it is the last; the cookie of an entry
 * removed, renamed or renamed over.  Each must be what READDIR says.
 */
static void dirdeleg29_position(struct dc_ctx *ctx)
{
	struct nt_setup n = { 0 };
	struct dc_notify_ent e;
	struct rd_list r1, r2, r3;
	char p[4][96], why[200];
	unsigned i, idx;
	nfsstat4 st;
	int rc;

	if (!nt_begin(ctx, &n, N_ENTRIES, child_attrs, NULL))
		goto out;
	EXPECT(!(n.g.notify & NB(NOTIFY4_GFLAG_EXTEND)),
	       "NOTIFY4_GFLAG_EXTEND granted but not asked");
	for (i = 0; i < 4; i++) {
		char what[8];

		snprintf(what, sizeof(what), "p%u", i);
		dc_name(ctx, what, p[i], sizeof(p[i]));
	}
	/* Three entries, one after the other */
	for (i = 0; i < 3; i++) {
		rc = dd_mkdir_in(&n.s.b, &n.s.dir, p[i], NULL, &st);
		EXPECT_OK(rc, st, "mkdir by B");
	}
	EXPECT(dc_notify_wait(&n.tap, 3, NOTIFY_WAIT_MS) >= 3,
	       "%u notifications of 3 mkdirs", dc_notify_count(&n.tap));
	EXPECT(nt_calls_ok(&n, &n.g.sid, &n.s.dir, why, sizeof(why)), "%s",
	       why);
	rc = readdir_all(&n.s.a, &n.s.dir, &r1, &st);
	EXPECT_OK(rc, st, "READDIR");
	EXPECT(r1.n == 3, "READDIR: %u entries, expected 3", r1.n);
	EXPECT(dc_notify_get(&n.tap, 0, &e), "notification");
	if (e.ncookie == 0 && e.nprev == 0 && !e.last) {
		dd_delegreturn(&n.s.a, &n.s.dir, &n.g.sid, &st);
		SKIP("no position data: the FSAL does not tell where entries "
		     "stand (dirent_position)");
	}
	/* Each was the last when it came; the ADDs say so */
	for (i = 0; i < 3; i++) {
		struct rd_list upto = r1;

		upto.n = rd_find(&r1, p[i]) + 1;
		EXPECT(nt_find(&n, NOTIFY4_ADD_ENTRY, p[i], 0, &e, NULL),
		       "no ADD of %s", p[i]);
		EXPECT(pos_matches(&e, &upto, p[i], why, sizeof(why)),
		       "ADD: %s", why);
	}

	/* Remove the middle one; rename the first to a new name */
	idx = dc_notify_count(&n.tap);
	rc = dd_remove_in(&n.s.b, &n.s.dir, p[1], &st);
	EXPECT_OK(rc, st, "remove by B");
	rc = dd_rename_in(&n.s.b, &n.s.dir, p[0], &n.s.dir, p[3], &st);
	EXPECT_OK(rc, st, "rename by B");
	EXPECT(dc_notify_wait(&n.tap, idx + 2, NOTIFY_WAIT_MS) >= idx + 2,
	       "%u notifications of a remove and a rename",
	       dc_notify_count(&n.tap) - idx);
	rc = readdir_all(&n.s.a, &n.s.dir, &r2, &st);
	EXPECT_OK(rc, st, "READDIR");
	EXPECT(nt_find(&n, NOTIFY4_REMOVE_ENTRY, p[1], idx, &e, NULL),
	       "no REMOVE of %s", p[1]);
	EXPECT(e.cookie == r1.cookie[rd_find(&r1, p[1])],
	       "REMOVE %s: nrm_old_entry_cookie %llu, READDIR had %llu",
	       p[1], (unsigned long long)e.cookie,
	       (unsigned long long)r1.cookie[rd_find(&r1, p[1])]);
	EXPECT(nt_find(&n, NOTIFY4_RENAME_ENTRY, p[3], idx, &e, NULL),
	       "no RENAME to %s", p[3]);
	EXPECT(!strcmp(e.old_name, p[0]) &&
		       e.old_cookie == r1.cookie[rd_find(&r1, p[0])],
	       "RENAME: old entry %s cookie %llu, READDIR had %s %llu",
	       e.old_name, (unsigned long long)e.old_cookie, p[0],
	       (unsigned long long)r1.cookie[rd_find(&r1, p[0])]);
	EXPECT(pos_matches(&e, &r2, p[3], why, sizeof(why)), "RENAME: %s",
	       why);

	/* Rename over an entry: the one renamed over is named by cookie */
	idx = dc_notify_count(&n.tap);
	rc = dd_rename_in(&n.s.b, &n.s.dir, p[2], &n.s.dir, p[3], &st);
	EXPECT_OK(rc, st, "rename over by B");
	EXPECT(dc_notify_wait(&n.tap, idx + 1, NOTIFY_WAIT_MS) >= idx + 1,
	       "no notification of a rename over an entry");
	rc = readdir_all(&n.s.a, &n.s.dir, &r3, &st);
	EXPECT_OK(rc, st, "READDIR");
	EXPECT(nt_find(&n, NOTIFY4_RENAME_ENTRY, p[3], idx, &e, NULL),
	       "no RENAME of %s over %s", p[2], p[3]);
	EXPECT(e.replaced && !strcmp(e.replaced_name, p[3]) &&
		       e.replaced_cookie == r2.cookie[rd_find(&r2, p[3])],
	       "RENAME over: nad_old_entry %s cookie %llu, READDIR had %llu",
	       e.replaced_name, (unsigned long long)e.replaced_cookie,
	       (unsigned long long)r2.cookie[rd_find(&r2, p[3])]);
	EXPECT(e.old_cookie == r2.cookie[rd_find(&r2, p[2])],
	       "RENAME over: old entry cookie %llu, READDIR had %llu",
	       (unsigned long long)e.old_cookie,
	       (unsigned long long)r2.cookie[rd_find(&r2, p[2])]);
	EXPECT(pos_matches(&e, &r3, p[3], why, sizeof(why)),
	       "RENAME over: %s", why);
	EXPECT(dd_count_recalls(&n.s.a, &n.g.sid) == 0, "recalled");
	dc_note(ctx, "READDIR cookies %llu %llu %llu; after the renames "
		"%u entries, the last at %llu",
		(unsigned long long)r1.cookie[0],
		(unsigned long long)r1.cookie[1],
		(unsigned long long)r1.cookie[2], r3.n,
		(unsigned long long)r3.cookie[r3.n - 1]);
	rc = dd_delegreturn(&n.s.a, &n.s.dir, &n.g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
out:
	nt_teardown(&n);
}

/* ---- CB_RECALLABLE_OBJ_AVAIL --------------------------------------- */

/*
 * While the directory's delegation is being recalled, another client's
 * GET_DIR_DELEGATION gets GDD4_UNAVAIL; asked with
 * gdda_signal_deleg_avail, the server promises
 * (gddrnf_will_signal_deleg_avail) and, once the recalled delegation is
 * returned, sends CB_RECALLABLE_OBJ_AVAIL for directory delegations; not
 * asked, no promise.
 */
static void dirdeleg30_signal_avail(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct dc_client c = { 0 };
	struct dc_notify_tap tap = { 0 };
	struct dc_metrics m0 = { 0 }, m1 = { 0 };
	struct dd_call d = { 0 };
	struct dc_cb_record rec;
	struct dc_obj_avail av;
	struct gdd_res g, gc;
	char name[96];
	double before = 0, after = 0;
	int port = dc_metrics_port();
	bool tapped = false;
	nfsstat4 st;
	int rc;

	if (port != 0 && dc_metrics_scrape(port, 5000, &m0) == 0)
		nt_metric(&m0, "nfsv41_callbacks_total",
			  "op=\"CB_RECALLABLE_OBJ_AVAIL\"", &before);
	rc = dd_begin(ctx, &s, true);
	EXPECT_RPC(rc, "mount and mkdir");
	rc = dc_ctx_mounted(ctx, &c);
	EXPECT_RPC(rc, "mount C");
	dc_notify_tap_attach(&tap, &c);
	tapped = true;
	/* A: recall-only; B's mkdir starts its recall, A does not return */
	rc = dd_gdd(&s.a, &s.dir, 0, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION by A");
	EXPECT_GRANTED(g);
	dc_name(ctx, "m", name, sizeof(name));
	rc = dd_mkdir_in(&s.b, &s.dir, name, NULL, &st);
	EXPECT_RPC(rc, "mkdir by B");
	EXPECT_STATUS(st, NFS4ERR_DELAY, "mkdir by B (waits for the recall)");
	EXPECT(dd_wait_recall_of(&s.a, &g.sid, 0, CB_WAIT_MS, &rec, NULL),
	       "no CB_RECALL of A's delegation");
	/* C, not asking to be told: no promise */
	d.fh = &s.dir;
	rc = dd_gdd_call(&c, &d, &gc);
	EXPECT_OK(rc, gc.status, "GET_DIR_DELEGATION by C");
	EXPECT(gc.nf == GDD4_UNAVAIL,
	       "granted while the directory's delegation is being recalled");
	EXPECT(!gc.signal, "will_signal_deleg_avail without "
	       "gdda_signal_deleg_avail");
	/* C, asking: promised */
	d.signal = true;
	rc = dd_gdd_call(&c, &d, &gc);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION by C");
	EXPECT(gc.nf == GDD4_UNAVAIL && gc.signal,
	       "GDD4_UNAVAIL %d, will_signal_deleg_avail %d: expected both",
	       gc.nf == GDD4_UNAVAIL, gc.signal);
	EXPECT(dc_notify_wait_avail(&tap, 1, 1000) == 0,
	       "CB_RECALLABLE_OBJ_AVAIL before anything became available");
	/* A returns it: C is told */
	rc = dd_delegreturn(&s.a, &s.dir, &g.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN by A");
	EXPECT(dc_notify_wait_avail(&tap, 1, CB_WAIT_MS) >= 1,
	       "no CB_RECALLABLE_OBJ_AVAIL after the delegation was returned");
	EXPECT(dc_notify_get_avail(&tap, 0, &av), "CB_RECALLABLE_OBJ_AVAIL");
	EXPECT(av.type_mask & (1u << RCA4_TYPE_MASK_DIR_DLG),
	       "craa_type_mask %#x lacks RCA4_TYPE_MASK_DIR_DLG",
	       av.type_mask);
	EXPECT(av.objects_to_keep >= 1, "craa_objects_to_keep %u",
	       av.objects_to_keep);
	/* ... and now gets one */
	d.signal = false;
	rc = dd_gdd_call(&c, &d, &gc);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION by C");
	EXPECT_GRANTED(gc);
	if (port != 0) {
		rc = dc_metrics_scrape(port, 5000, &m1);
		EXPECT(rc == 0, "scrape /metrics: %d", rc);
		nt_metric(&m1, "nfsv41_callbacks_total",
			  "op=\"CB_RECALLABLE_OBJ_AVAIL\"", &after);
		EXPECT(after - before >= 1,
		       "callbacks{op=\"CB_RECALLABLE_OBJ_AVAIL\"} +%.0f",
		       after - before);
	}
	dc_note(ctx, "CB_RECALLABLE_OBJ_AVAIL: keep %u, mask %#x",
		av.objects_to_keep, av.type_mask);
	rc = dd_delegreturn(&c, &s.dir, &gc.sid, &st);
	EXPECT_OK(rc, st, "DELEGRETURN by C");
out:
	dc_metrics_free(&m0);
	dc_metrics_free(&m1);
	dc_client_destroy(&c);
	if (tapped)
		dc_notify_tap_destroy(&tap);
	dd_end(&s);
}

/*
 * Max_Dir_Delegations reached: GDD4_UNAVAIL, and with
 * gdda_signal_deleg_avail a promise kept once one is returned.  Fills
 * the server (whatever its limit up to FILL_MAX) with recall-only
 * delegations on new directories, then returns them all.
 */
#define FILL_MAX 20000
static void dirdeleg31_signal_max(struct dc_ctx *ctx)
{
	struct dd_setup s = { 0 };
	struct dc_notify_tap tap = { 0 };
	struct dd_call d = { .signal = true };
	struct dc_obj_avail av;
	struct gdd_res g;
	nfs_fh4 *fhs = calloc(FILL_MAX, sizeof(*fhs));
	stateid4 *sids = calloc(FILL_MAX, sizeof(*sids));
	unsigned *didx = calloc(FILL_MAX, sizeof(*didx)); /* sid -> fh */
	char prefix[96], name[160];
	unsigned i, held = 0, made = 0, returned = 0;
	bool tapped = false, full = false;
	double t0 = dd_now_s();
	nfsstat4 st;
	int rc;

	EXPECT(fhs && sids && didx, "out of memory");
	rc = dd_begin(ctx, &s, false);
	EXPECT_RPC(rc, "mount and mkdir");
	dc_notify_tap_attach(&tap, &s.a);
	tapped = true;
	dc_name(ctx, "f", prefix, sizeof(prefix));
	for (i = 0; i < FILL_MAX && !full; i++) {
		snprintf(name, sizeof(name), "%s-%u", prefix, i);
		rc = dd_mkdir_in(&s.a, &s.dir, name, &fhs[i], &st);
		EXPECT_OK(rc, st, "mkdir");
		made++;
		d.fh = &fhs[i];
		rc = dd_gdd_call(&s.a, &d, &g);
		EXPECT_OK(rc, g.status, "GET_DIR_DELEGATION");
		if (g.nf == GDD4_OK) {
			didx[held] = i;
			sids[held++] = g.sid;
			continue;
		}
		full = true;
	}
	EXPECT(full, "%u directory delegations granted, no limit reached",
	       held);
	EXPECT(held > 0, "no directory delegation granted at all");
	EXPECT(g.signal, "GDD4_UNAVAIL at Max_Dir_Delegations (%u held) "
	       "without will_signal_deleg_avail", held);
	EXPECT(dc_notify_wait_avail(&tap, 1, 500) == 0,
	       "CB_RECALLABLE_OBJ_AVAIL before anything became available");
	/* One returned: the promise is kept */
	rc = dd_delegreturn(&s.a, &fhs[didx[held - 1]], &sids[held - 1], &st);
	EXPECT_OK(rc, st, "DELEGRETURN");
	held--;
	EXPECT(dc_notify_wait_avail(&tap, 1, CB_WAIT_MS) >= 1,
	       "no CB_RECALLABLE_OBJ_AVAIL after a delegation was returned");
	EXPECT(dc_notify_get_avail(&tap, 0, &av), "CB_RECALLABLE_OBJ_AVAIL");
	EXPECT((av.type_mask & (1u << RCA4_TYPE_MASK_DIR_DLG)) &&
		       av.objects_to_keep >= held + 1,
	       "CB_RECALLABLE_OBJ_AVAIL: mask %#x, objects_to_keep %u "
	       "(holds %u)", av.type_mask, av.objects_to_keep, held);
	/* The directory refused before is granted now */
	d.fh = &fhs[made - 1];
	d.signal = false;
	rc = dd_gdd_call(&s.a, &d, &g);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	EXPECT_GRANTED(g);
	didx[held] = made - 1;
	sids[held++] = g.sid;
	dc_note(ctx, "limit reached at %u delegations (%.1f s); promise "
		"kept: objects_to_keep %u", held, dd_now_s() - t0,
		av.objects_to_keep);
out:
	for (i = 0; i < held; i++)
		if (dd_delegreturn(&s.a, &fhs[didx[i]], &sids[i], &st) == 0 &&
		    st == NFS4_OK)
			returned++;
	if (returned != held)
		dc_note(ctx, "returned %u of %u", returned, held);
	for (i = 0; fhs && i < made; i++)
		dc_fh_free(&fhs[i]);
	free(fhs);
	free(sids);
	free(didx);
	dd_end(&s);
	if (tapped)
		dc_notify_tap_destroy(&tap);
}

const struct dc_case dc_cases_dirdeleg_notify[] = {
	{ "DIRDELEG13", "grant of notification types, attributes; attrs 56/57",
	  "18.39.3 / 5.11", "dirdeleg notify", "DIRDELEG1",
	  dirdeleg13_grant_notify },
	{ "DIRDELEG14", "CB_NOTIFY ADD: mkdir, open-create, link, NFSv4.0",
	  "20.4.3", "dirdeleg notify", "DIRDELEG13", dirdeleg14_notify_add },
	{ "DIRDELEG15", "CB_NOTIFY REMOVE; holder's own changes not told",
	  "20.4.3", "dirdeleg notify", "DIRDELEG13",
	  dirdeleg15_notify_remove },
	{ "DIRDELEG16", "CB_NOTIFY RENAME, and over an existing entry",
	  "20.4.3", "dirdeleg notify", "DIRDELEG13",
	  dirdeleg16_notify_rename },
	{ "DIRDELEG17", "rename across directories: REMOVE and ADD",
	  "20.4.3", "dirdeleg notify", "DIRDELEG13",
	  dirdeleg17_notify_rename_across },
	{ "DIRDELEG18", "CB_NOTIFY CHANGE_DIR_ATTRS on SETATTR of the directory",
	  "20.4.3", "dirdeleg notify", "DIRDELEG13",
	  dirdeleg18_notify_dir_attrs },
	{ "DIRDELEG19", "unsubscribed type: CB_RECALL, no CB_NOTIFY",
	  "10.9.1 / 20.2", "dirdeleg notify", "DIRDELEG13",
	  dirdeleg19_unsubscribed },
	{ "DIRDELEG20", "DELEGRETURN stops notifications",
	  "18.49 / 20.4", "dirdeleg notify", "DIRDELEG14",
	  dirdeleg20_return_stops },
	{ "DIRDELEG21", "10000 creates in one window: ceil(10000/100) CB_NOTIFYs",
	  "20.4", "dirdeleg notify", "DIRDELEG14", dirdeleg21_batching },
	{ "DIRDELEG22", "small back channel ca_maxrequestsize: smaller batches",
	  "18.36 / 20.4", "dirdeleg notify", "DIRDELEG21",
	  dirdeleg22_small_maxrequest },
	{ "DIRDELEG23", "CB_NOTIFY never answered: back channel down, "
			"then revoked",
	  "20.4 / 10.4.6", "dirdeleg notify slow", "DIRDELEG14",
	  dirdeleg23_notify_unanswered },
	{ "DIRDELEG24", "classic notifications; add+remove coalesced or both",
	  "20.4.3", "dirdeleg notify", "DIRDELEG14",
	  dirdeleg24_classic_coalesce },
	{ "DIRDELEG25", "metrics: dir delegations, notifications, CB_NOTIFY",
	  "20.4", "dirdeleg notify metrics", "DIRDELEG14",
	  dirdeleg25_metrics },
	{ "DIRDELEG26", "DBus ListDirDelegations, RecallDirDelegations",
	  "10.9", "dirdeleg notify dbus", "DIRDELEG14", dirdeleg26_dbus },
	{ "SREV2", "DBus recall never answered by a DELEGRETURN: "
		   "ADMIN_STATE_REVOKED until FREE_STATEID",
	  "18.46.3 / 8.4.3", "dirdeleg deleg dbus slow", "DIRDELEG26",
	  srev2_admin },
	{ "DIRDELEG27", "queue overflow: recalled, nothing dropped silently",
	  "20.4", "dirdeleg notify", "DIRDELEG23", dirdeleg27_overflow },
	{ "DIRDELEG28", "CHANGE_CHILD_ATTRS: chmod, truncate, chown of a child",
	  "20.4.3 / 18.39.3", "dirdeleg notify", "DIRDELEG18",
	  dirdeleg28_child_attrs },
	{ "DIRDELEG29", "classic position data: cookies, previous entry, last",
	  "20.4.3", "dirdeleg notify", "DIRDELEG24", dirdeleg29_position },
	{ "DIRDELEG30", "GDD4_UNAVAIL, will_signal_deleg_avail, "
	  "CB_RECALLABLE_OBJ_AVAIL", "18.39.3 / 20.7", "dirdeleg deleg",
	  "DIRDELEG4", dirdeleg30_signal_avail },
	{ "DIRDELEG31", "Max_Dir_Delegations reached: promise, "
	  "CB_RECALLABLE_OBJ_AVAIL", "18.39.3 / 20.7", "dirdeleg deleg",
	  "DIRDELEG30", dirdeleg31_signal_max },
	{ "DIRDELEG33", "entry changes notify CHANGE_DIR_ATTRS, held for the "
	  "window", "20.4 / 18.39.3", "dirdeleg notify", "DIRDELEG18",
	  dirdeleg33_entry_changes_dir_attrs },
	{ "DIRDELEG34", "two 150-byte ADDs with position data in one "
	  "1024-byte CB_NOTIFY", "18.36.3 / 20.4", "dirdeleg notify",
	  "DIRDELEG22", dirdeleg34_notify_fills_maxrequest },
	{ "DIRDELEG35", "a change too big for any CB_NOTIFY: recalled as "
	  "notify_too_big", "18.36.3 / 20.4", "dirdeleg notify metrics",
	  "DIRDELEG22", dirdeleg35_notify_too_big },
	{ NULL }
};

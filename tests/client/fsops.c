// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Settable and readable attributes, and one-compound file system
 * operations on file handles.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compound_lock.h"
#include "fsops.h"
#include "compound_v42.h"

#define A0(a) (1u << (a))
#define A1(a) (1u << ((a)-32))
#define A2(a) (1u << ((a)-64))

/* Room for every attribute of struct dc_sattr, owner strings included. */
#define SATTR_MAX 256
/* Bound of dc_fs_remove_tree()'s recursion and of its READDIR rounds. */
#define TREE_DEPTH 8
#define TREE_ROUNDS 64

/* ---- attributes ------------------------------------------------------ */

static bool enc_time(XDR *x, const nfstime4 *t)
{
	int64_t sec = t->seconds;
	uint32_t nsec = t->nseconds;

	return xdr_int64_t(x, &sec) && xdr_u_int32_t(x, &nsec);
}

static bool enc_settime(XDR *x, bool server, const nfstime4 *t)
{
	uint32_t how = server ? SET_TO_SERVER_TIME4 : SET_TO_CLIENT_TIME4;

	if (!xdr_u_int32_t(x, &how))
		return false;
	return server || enc_time(x, t);
}

static bool enc_id(XDR *x, uint32_t id)
{
	char buf[16], *p = buf;

	snprintf(buf, sizeof(buf), "%" PRIu32, id);
	return xdr_string(x, &p, sizeof(buf));
}

void dc_fattr_encode(struct dc_compound *c, fattr4 *fa,
		     const struct dc_sattr *sa)
{
	char buf[SATTR_MAX];
	uint64_t size = sa->size;
	uint32_t mode = sa->mode;
	bool ok = true;
	XDR x;

	memset(fa, 0, sizeof(*fa));
	fa->attrmask.bitmap4_len = 2;
	xdrmem_create(&x, buf, sizeof(buf), XDR_ENCODE);
	/* In attribute number order. */
	if (sa->set & DC_SA_SIZE) {
		fa->attrmask.map[0] |= A0(FATTR4_SIZE);
		ok = ok && xdr_u_int64_t(&x, &size);
	}
	if (sa->set & DC_SA_MODE) {
		fa->attrmask.map[1] |= A1(FATTR4_MODE);
		ok = ok && xdr_u_int32_t(&x, &mode);
	}
	if (sa->set & DC_SA_OWNER) {
		fa->attrmask.map[1] |= A1(FATTR4_OWNER);
		ok = ok && enc_id(&x, sa->uid);
	}
	if (sa->set & DC_SA_GROUP) {
		fa->attrmask.map[1] |= A1(FATTR4_OWNER_GROUP);
		ok = ok && enc_id(&x, sa->gid);
	}
	if (sa->set & DC_SA_ATIME) {
		fa->attrmask.map[1] |= A1(FATTR4_TIME_ACCESS_SET);
		ok = ok && enc_settime(&x, sa->atime_server, &sa->atime);
	}
	if (sa->set & DC_SA_MTIME) {
		fa->attrmask.map[1] |= A1(FATTR4_TIME_MODIFY_SET);
		ok = ok && enc_settime(&x, sa->mtime_server, &sa->mtime);
	}
	if (sa->set & (DC_SA_DELEG_ATIME | DC_SA_DELEG_MTIME))
		fa->attrmask.bitmap4_len = 3;
	if (sa->set & DC_SA_DELEG_ATIME) {
		fa->attrmask.map[2] |= A2(FATTR4_TIME_DELEG_ACCESS);
		ok = ok && enc_time(&x, &sa->atime);
	}
	if (sa->set & DC_SA_DELEG_MTIME) {
		fa->attrmask.map[2] |= A2(FATTR4_TIME_DELEG_MODIFY);
		ok = ok && enc_time(&x, &sa->mtime);
	}
	if (!ok)
		abort(); /* SATTR_MAX is too small: a bug here */
	fa->attr_vals.attrlist4_len = xdr_getpos(&x);
	fa->attr_vals.attrlist4_val =
		dc_compound_keep(c, buf, fa->attr_vals.attrlist4_len);
	xdr_destroy(&x);
}

/* A numeric owner string as a number; UINT32_MAX when it is not one. */
static uint32_t id_of(const char *s)
{
	char *end;
	unsigned long v;

	if (!*s)
		return UINT32_MAX;
	v = strtoul(s, &end, 10);
	return *end || v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static bool dec_str(XDR *x, char *dst, size_t len)
{
	char *s = NULL;
	u_int n = 0;
	bool ok = xdr_bytes(x, &s, &n, 1024);

	if (ok)
		snprintf(dst, len, "%.*s", (int)n, s ? s : "");
	free(s);
	return ok;
}

bool dc_fattr_decode(const fattr4 *fa, struct dc_gattr *ga)
{
	uint32_t mask[2] = { 0, 0 };
	unsigned int bit;
	bool ok = true;
	XDR x;

	memset(ga, 0, sizeof(*ga));
	if (fa->attrmask.bitmap4_len > 2)
		return false;
	if (fa->attrmask.bitmap4_len > 0)
		mask[0] = fa->attrmask.map[0];
	if (fa->attrmask.bitmap4_len > 1)
		mask[1] = fa->attrmask.map[1];
	xdrmem_create(&x, fa->attr_vals.attrlist4_val,
		      fa->attr_vals.attrlist4_len, XDR_DECODE);
	for (bit = 0; bit < 64 && ok; bit++) {
		if (!(mask[bit / 32] & (1u << (bit % 32))))
			continue;
		switch (bit) {
		case FATTR4_TYPE:
			ok = xdr_u_int32_t(&x, &ga->type);
			ga->have |= DC_GA_TYPE;
			break;
		case FATTR4_CHANGE:
			ok = xdr_u_int64_t(&x, &ga->change);
			ga->have |= DC_GA_CHANGE;
			break;
		case FATTR4_SIZE:
			ok = xdr_u_int64_t(&x, &ga->size);
			ga->have |= DC_GA_SIZE;
			break;
		case FATTR4_FILEID:
			ok = xdr_u_int64_t(&x, &ga->fileid);
			ga->have |= DC_GA_FILEID;
			break;
		case FATTR4_MODE:
			ok = xdr_u_int32_t(&x, &ga->mode);
			ga->have |= DC_GA_MODE;
			break;
		case FATTR4_NUMLINKS:
			ok = xdr_u_int32_t(&x, &ga->numlinks);
			ga->have |= DC_GA_NUMLINKS;
			break;
		case FATTR4_OWNER:
			ok = dec_str(&x, ga->owner, sizeof(ga->owner));
			ga->uid = id_of(ga->owner);
			ga->have |= DC_GA_OWNER;
			break;
		case FATTR4_OWNER_GROUP:
			ok = dec_str(&x, ga->group, sizeof(ga->group));
			ga->gid = id_of(ga->group);
			ga->have |= DC_GA_GROUP;
			break;
		case FATTR4_TIME_ACCESS:
			ok = xdr_int64_t(&x, &ga->atime.seconds) &&
			     xdr_u_int32_t(&x, &ga->atime.nseconds);
			ga->have |= DC_GA_ATIME;
			break;
		case FATTR4_TIME_MODIFY:
			ok = xdr_int64_t(&x, &ga->mtime.seconds) &&
			     xdr_u_int32_t(&x, &ga->mtime.nseconds);
			ga->have |= DC_GA_MTIME;
			break;
		default:
			ok = false;
			break;
		}
	}
	if (ok && xdr_getpos(&x) != fa->attr_vals.attrlist4_len)
		ok = false;
	xdr_destroy(&x);
	return ok;
}

void dc_op_setattr(struct dc_compound *c, const stateid4 *sid,
		   const struct dc_sattr *sa)
{
	SETATTR4args *a =
		&dc_op_add(c, NFS4_OP_SETATTR)->nfs_argop4_u.opsetattr;

	if (sid)
		a->stateid = *sid;
	dc_fattr_encode(c, &a->obj_attributes, sa);
}

void dc_op_getattr_std(struct dc_compound *c)
{
	dc_op_getattr(c,
		      A0(FATTR4_TYPE) | A0(FATTR4_CHANGE) | A0(FATTR4_SIZE) |
			      A0(FATTR4_FILEID),
		      A1(FATTR4_MODE) | A1(FATTR4_NUMLINKS) | A1(FATTR4_OWNER) |
			      A1(FATTR4_OWNER_GROUP) | A1(FATTR4_TIME_ACCESS) |
			      A1(FATTR4_TIME_MODIFY));
}

static void set_str(struct dc_compound *c, utf8string *u, const char *s)
{
	size_t n = strlen(s);

	u->utf8string_val = dc_compound_keep(c, s, n);
	u->utf8string_len = n;
}

void dc_op_create_obj(struct dc_compound *c, nfs_ftype4 type, const char *name,
		      const char *linkdata, const struct dc_sattr *sa)
{
	CREATE4args *a = &dc_op_add(c, NFS4_OP_CREATE)->nfs_argop4_u.opcreate;

	a->objtype.type = type;
	if (type == NF4LNK)
		set_str(c, &a->objtype.createtype4_u.linkdata,
			linkdata ? linkdata : "");
	set_str(c, &a->objname, name);
	if (sa)
		dc_fattr_encode(c, &a->createattrs, sa);
}

void dc_op_open_attrs(struct dc_compound *c, clientid4 clid, const char *owner,
		      const char *name, bool create, uint32_t access,
		      const struct dc_sattr *sa)
{
	OPEN4args *a;

	dc_op_open(c, 0, clid, owner, name, create, access);
	a = &c->ops[c->nops - 1].nfs_argop4_u.opopen;
	if (create && sa)
		dc_fattr_encode(
			c, &a->openhow.openflag4_u.how.createhow4_u.createattrs,
			sa);
}

void dc_op_access(struct dc_compound *c, uint32_t mask)
{
	dc_op_add(c, NFS4_OP_ACCESS)->nfs_argop4_u.opaccess.access = mask;
}

/* ---- operations on handles ------------------------------------------- */

/*
 * Start [SEQUENCE, PUTFH fh (or the export's path when fh is NULL)]:
 * the caller adds its ops and calls fs_send().
 */
static int fs_begin(struct dc_client *cl, struct dc_compound *c,
		    const nfs_fh4 *fh, uint32_t *slot)
{
	int rc = dc_client_begin(cl, c, "fsops", false, slot);

	if (rc)
		return rc;
	if (fh)
		dc_op_putfh(c, fh);
	else
		dc_client_put_export(cl, c);
	return 0;
}

/* Send, free c, and set *st; r is kept for the caller to free. */
static int fs_send(struct dc_client *cl, struct dc_compound *c, uint32_t slot,
		   struct dc_cres *r, nfsstat4 *st)
{
	int rc = dc_client_send(cl, 0, c, slot, r);

	dc_compound_free(c);
	if (!rc)
		*st = r->res.status;
	return rc;
}

/* The compound's last result, when it is op's and succeeded. */
static nfs_resop4 *last_ok(struct dc_cres *r, nfs_opnum4 op)
{
	unsigned int n = r->decoded ? r->res.resarray.resarray_len : 0;
	nfs_resop4 *res = n ? dc_cres_op(r, n - 1) : NULL;

	if (!res || res->resop != op || dc_cres_status(r, n - 1) != NFS4_OK)
		return NULL;
	return res;
}

/*
 * fs_send(), then the result of op ending the reply when the compound
 * succeeded (NULL otherwise); *rc is the transport status, or -EBADMSG
 * when a successful reply does not end with op.
 */
static nfs_resop4 *fs_send_res(struct dc_client *cl, struct dc_compound *c,
			       uint32_t slot, struct dc_cres *r,
			       nfs_opnum4 op, nfsstat4 *st, int *rc)
{
	nfs_resop4 *res;

	*rc = fs_send(cl, c, slot, r, st);
	if (*rc || *st != NFS4_OK)
		return NULL;
	res = last_ok(r, op);
	if (!res)
		*rc = -EBADMSG;
	return res;
}

/* Copy the handle of a GETFH ending r into fh. */
static void take_fh(struct dc_cres *r, nfs_fh4 *fh)
{
	nfs_resop4 *res = last_ok(r, NFS4_OP_GETFH);

	if (res && fh)
		dc_fh_copy(
			fh,
			&res->nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object);
}

int dc_fs_export_fh(struct dc_client *cl, nfs_fh4 *fh, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc = fs_begin(cl, &c, NULL, &slot);

	if (rc)
		return rc;
	dc_op_getfh(&c);
	rc = fs_send(cl, &c, slot, &r, st);
	if (!rc && *st == NFS4_OK)
		take_fh(&r, fh);
	dc_cres_free(&r);
	return rc;
}

int dc_fs_lookup(struct dc_client *cl, const nfs_fh4 *dir, const char *name,
		 nfs_fh4 *fh, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc = fs_begin(cl, &c, dir, &slot);

	if (rc)
		return rc;
	if (name)
		dc_op_lookup(&c, name);
	else
		dc_op_lookupp(&c);
	dc_op_getfh(&c);
	rc = fs_send(cl, &c, slot, &r, st);
	if (!rc && *st == NFS4_OK)
		take_fh(&r, fh);
	dc_cres_free(&r);
	return rc;
}

int dc_fs_lookupp(struct dc_client *cl, const nfs_fh4 *dir, nfs_fh4 *fh,
		  nfsstat4 *st)
{
	return dc_fs_lookup(cl, dir, NULL, fh, st);
}

int dc_fs_create(struct dc_client *cl, const nfs_fh4 *dir, nfs_ftype4 type,
		 const char *name, const char *linkdata,
		 const struct dc_sattr *sa, nfs_fh4 *fh, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc = fs_begin(cl, &c, dir, &slot);

	if (rc)
		return rc;
	dc_op_create_obj(&c, type, name, linkdata, sa);
	dc_op_getfh(&c);
	rc = fs_send(cl, &c, slot, &r, st);
	if (!rc && *st == NFS4_OK)
		take_fh(&r, fh);
	dc_cres_free(&r);
	return rc;
}

int dc_fs_open(struct dc_client *cl, const nfs_fh4 *dir, const char *name,
	       bool create, uint32_t access, const struct dc_sattr *sa,
	       stateid4 *sid, nfs_fh4 *fh, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	nfs_resop4 *res;
	stateid4 osid;
	nfsstat4 cst;
	uint32_t slot;
	char oo[64];
	int rc = fs_begin(cl, &c, dir, &slot);

	if (rc)
		return rc;
	snprintf(oo, sizeof(oo), "oo-fs-%llx",
		 (unsigned long long)cl->clientid);
	dc_op_open_attrs(&c, cl->clientid, oo, name, create,
			 access | OPEN4_SHARE_ACCESS_WANT_NO_DELEG, sa);
	dc_op_getfh(&c);
	rc = fs_send(cl, &c, slot, &r, st);
	if (rc || *st != NFS4_OK)
		goto out;
	res = dc_cres_op(&r, r.res.resarray.resarray_len - 2);
	osid = res->nfs_resop4_u.opopen.OPEN4res_u.resok4.stateid;
	if (sid && fh) {
		*sid = osid;
		take_fh(&r, fh);
		goto out;
	}
	/* Nobody keeps the open: close it again. */
	res = last_ok(&r, NFS4_OP_GETFH);
	rc = dc_client_close_file(
		cl, &res->nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object, &osid,
		&cst);
out:
	dc_cres_free(&r);
	return rc;
}

int dc_fs_open_share(struct dc_client *cl, const nfs_fh4 *dir,
		     const char *name, const char *owner, bool create,
		     uint32_t access, uint32_t deny, struct dc_open *o,
		     nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	OPEN4resok *ok;
	open_delegation4 *d;
	uint32_t slot;
	char oo[64];
	int rc;

	memset(o, 0, sizeof(*o));
	rc = fs_begin(cl, &c, dir, &slot);
	if (rc)
		return rc;
	if (owner == NULL) {
		snprintf(oo, sizeof(oo), "oo-fs-%llx",
			 (unsigned long long)cl->clientid);
		owner = oo;
	}
	dc_op_open(&c, 0, cl->clientid, owner, name, create, access);
	c.ops[c.nops - 1].nfs_argop4_u.opopen.share_deny = deny;
	dc_op_getfh(&c);
	rc = fs_send(cl, &c, slot, &r, st);
	if (rc || *st != NFS4_OK)
		goto out;
	ok = &dc_cres_op(&r, r.res.resarray.resarray_len - 2)
		      ->nfs_resop4_u.opopen.OPEN4res_u.resok4;
	d = &ok->delegation;
	o->sid = ok->stateid;
	o->rflags = ok->rflags;
	o->dtype = d->delegation_type;
	if (o->dtype == OPEN_DELEGATE_READ ||
	    o->dtype == OPEN_DELEGATE_READ_ATTRS_DELEG) {
		o->dsid = d->open_delegation4_u.read.stateid;
		o->recall = d->open_delegation4_u.read.recall;
	} else if (o->dtype == OPEN_DELEGATE_WRITE ||
		   o->dtype == OPEN_DELEGATE_WRITE_ATTRS_DELEG) {
		o->dsid = d->open_delegation4_u.write.stateid;
		o->recall = d->open_delegation4_u.write.recall;
	} else if (o->dtype == OPEN_DELEGATE_NONE_EXT)
		o->why = d->open_delegation4_u.od_whynone.ond_why;
	take_fh(&r, &o->fh);
out:
	dc_cres_free(&r);
	return rc;
}

int dc_fs_delegreturn(struct dc_client *cl, const nfs_fh4 *fh,
		      const stateid4 *sid, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc = fs_begin(cl, &c, fh, &slot);

	if (rc)
		return rc;
	dc_op_delegreturn(&c, sid);
	rc = fs_send(cl, &c, slot, &r, st);
	dc_cres_free(&r);
	return rc;
}

int dc_fs_lease_time(struct dc_client *cl, uint32_t *secs, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	nfs_resop4 *res;
	uint64_t v = 0;
	uint32_t slot;
	int rc = fs_begin(cl, &c, NULL, &slot);

	*secs = 0;
	if (rc)
		return rc;
	dc_op_getattr(&c, A0(FATTR4_LEASE_TIME), 0);
	rc = fs_send(cl, &c, slot, &r, st);
	if (!rc && *st == NFS4_OK) {
		res = last_ok(&r, NFS4_OP_GETATTR);
		if (!res ||
		    !dc_fattr_u64(&res->nfs_resop4_u.opgetattr.GETATTR4res_u
					   .resok4.obj_attributes,
				  FATTR4_LEASE_TIME, &v))
			rc = -EBADMSG;
		*secs = v;
	}
	dc_cres_free(&r);
	return rc;
}

int dc_fs_mkdir(struct dc_client *cl, const nfs_fh4 *dir, const char *name,
		uint32_t mode, nfs_fh4 *fh, nfsstat4 *st)
{
	struct dc_sattr sa = { .set = DC_SA_MODE, .mode = mode };

	return dc_fs_create(cl, dir, NF4DIR, name, NULL, &sa, fh, st);
}

int dc_fs_mkfile(struct dc_client *cl, const nfs_fh4 *dir, const char *name,
		 uint32_t mode, nfsstat4 *st)
{
	struct dc_sattr sa = { .set = DC_SA_MODE, .mode = mode };

	return dc_fs_open(cl, dir, name, true, OPEN4_SHARE_ACCESS_BOTH, &sa,
			  NULL, NULL, st);
}

int dc_fs_write(struct dc_client *cl, const nfs_fh4 *fh, const stateid4 *sid,
		uint64_t off, const void *data, uint32_t len, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc = fs_begin(cl, &c, fh, &slot);

	if (rc)
		return rc;
	dc_op_write(&c, sid, off, data, len);
	rc = fs_send(cl, &c, slot, &r, st);
	dc_cres_free(&r);
	return rc;
}

int dc_fs_remove(struct dc_client *cl, const nfs_fh4 *dir, const char *name,
		 nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc = fs_begin(cl, &c, dir, &slot);

	if (rc)
		return rc;
	dc_op_remove(&c, name);
	rc = fs_send(cl, &c, slot, &r, st);
	dc_cres_free(&r);
	return rc;
}

int dc_fs_rename(struct dc_client *cl, const nfs_fh4 *sdir, const char *from,
		 const nfs_fh4 *ddir, const char *to, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc = fs_begin(cl, &c, sdir, &slot);

	if (rc)
		return rc;
	dc_op_savefh(&c);
	dc_op_putfh(&c, ddir);
	dc_op_rename(&c, from, to);
	rc = fs_send(cl, &c, slot, &r, st);
	dc_cres_free(&r);
	return rc;
}

int dc_fs_link(struct dc_client *cl, const nfs_fh4 *file, const nfs_fh4 *dir,
	       const char *name, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc = fs_begin(cl, &c, file, &slot);

	if (rc)
		return rc;
	dc_op_savefh(&c);
	dc_op_putfh(&c, dir);
	dc_op_link(&c, name);
	rc = fs_send(cl, &c, slot, &r, st);
	dc_cres_free(&r);
	return rc;
}

int dc_fs_setattr(struct dc_client *cl, const nfs_fh4 *fh, const stateid4 *sid,
		  const struct dc_sattr *sa, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	uint32_t slot;
	int rc = fs_begin(cl, &c, fh, &slot);

	if (rc)
		return rc;
	dc_op_setattr(&c, sid, sa);
	rc = fs_send(cl, &c, slot, &r, st);
	dc_cres_free(&r);
	return rc;
}

int dc_fs_chmod(struct dc_client *cl, const nfs_fh4 *fh, uint32_t mode,
		nfsstat4 *st)
{
	struct dc_sattr sa = { .set = DC_SA_MODE, .mode = mode };

	return dc_fs_setattr(cl, fh, NULL, &sa, st);
}

int dc_fs_chown(struct dc_client *cl, const nfs_fh4 *fh, uint32_t uid,
		uint32_t gid, nfsstat4 *st)
{
	struct dc_sattr sa = { .set = DC_SA_OWNER | DC_SA_GROUP,
			       .uid = uid,
			       .gid = gid };

	return dc_fs_setattr(cl, fh, NULL, &sa, st);
}

int dc_fs_getattr(struct dc_client *cl, const nfs_fh4 *fh, struct dc_gattr *ga,
		  nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	nfs_resop4 *res;
	uint32_t slot;
	int rc = fs_begin(cl, &c, fh, &slot);

	memset(ga, 0, sizeof(*ga));
	if (rc)
		return rc;
	dc_op_getattr_std(&c);
	res = fs_send_res(cl, &c, slot, &r, NFS4_OP_GETATTR, st, &rc);
	if (res && !dc_fattr_decode(&res->nfs_resop4_u.opgetattr.GETATTR4res_u
					     .resok4.obj_attributes,
				    ga))
		rc = -EBADMSG;
	dc_cres_free(&r);
	return rc;
}

static void fill_statfs(struct dc_compound *c, void *arg)
{
	(void)arg;
	dc_op_getattr(c,
		      (1u << FATTR4_FILES_AVAIL) | (1u << FATTR4_FILES_FREE) |
			      (1u << FATTR4_FILES_TOTAL),
		      (1u << (FATTR4_SPACE_AVAIL - 32)) |
			      (1u << (FATTR4_SPACE_FREE - 32)) |
			      (1u << (FATTR4_SPACE_TOTAL - 32)));
}

int dc_fs_statfs(struct dc_client *cl, struct dc_statfs *f, nfsstat4 *st)
{
	struct dc_cres r;
	fattr4 *fa;
	int rc = dc_client_on_fh(cl, "statfs", 1, NULL, fill_statfs, NULL,
				 &r);

	if (!rc) {
		*st = r.res.status;
		if (*st == NFS4_OK) {
			fa = &dc_cres_op(&r, r.res.resarray.resarray_len - 1)
				      ->nfs_resop4_u.opgetattr.GETATTR4res_u
				      .resok4.obj_attributes;
			if (!dc_fattr_u64(fa, FATTR4_FILES_AVAIL, &f->favail) ||
			    !dc_fattr_u64(fa, FATTR4_FILES_FREE, &f->ffree) ||
			    !dc_fattr_u64(fa, FATTR4_FILES_TOTAL, &f->ftotal) ||
			    !dc_fattr_u64(fa, FATTR4_SPACE_AVAIL, &f->savail) ||
			    !dc_fattr_u64(fa, FATTR4_SPACE_FREE, &f->sfree) ||
			    !dc_fattr_u64(fa, FATTR4_SPACE_TOTAL, &f->stotal))
				*st = NFS4ERR_ATTRNOTSUPP;
		}
	}
	dc_cres_free(&r);
	return rc;
}

int dc_fs_getattr_retry(struct dc_client *cl, const nfs_fh4 *fh,
			struct dc_gattr *ga, unsigned int tries,
			unsigned int every_ms, unsigned int *delays,
			nfsstat4 *st)
{
	unsigned int i, n = 0;
	int rc = 0;

	for (i = 0; i < tries; i++) {
		if (i > 0)
			usleep(every_ms * 1000u);
		rc = dc_fs_getattr(cl, fh, ga, st);
		if (rc || *st != NFS4ERR_DELAY)
			break;
		n++;
	}
	if (delays)
		*delays = n;
	return rc;
}

int dc_fs_access(struct dc_client *cl, const nfs_fh4 *fh, uint32_t mask,
		 uint32_t *supported, uint32_t *allowed, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	nfs_resop4 *res;
	uint32_t slot;
	int rc = fs_begin(cl, &c, fh, &slot);

	if (rc)
		return rc;
	dc_op_access(&c, mask);
	res = fs_send_res(cl, &c, slot, &r, NFS4_OP_ACCESS, st, &rc);
	if (res) {
		ACCESS4resok *ok =
			&res->nfs_resop4_u.opaccess.ACCESS4res_u.resok4;

		*supported = ok->supported;
		*allowed = ok->access;
	}
	dc_cres_free(&r);
	return rc;
}

int dc_fs_readdir(struct dc_client *cl, const nfs_fh4 *dir, nfsstat4 *st)
{
	return dc_fs_readdir_names(cl, dir, 8192, 0, 0, NULL, 0, NULL, NULL,
				   st);
}

int dc_fs_readdir_names(struct dc_client *cl, const nfs_fh4 *dir,
			uint32_t dircount, uint32_t w0, uint32_t w1,
			char *names, size_t len, unsigned int *n, bool *eof,
			nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	nfs_resop4 *res;
	size_t used = 0;
	uint32_t slot;
	int rc = fs_begin(cl, &c, dir, &slot);

	if (n)
		*n = 0;
	if (eof)
		*eof = false;
	if (names && len)
		names[0] = 0;
	if (rc)
		return rc;
	dc_op_readdir(&c, 0, dircount, 32768, w0, w1);
	res = fs_send_res(cl, &c, slot, &r, NFS4_OP_READDIR, st, &rc);
	if (res) {
		dirlist4 *dl =
			&res->nfs_resop4_u.opreaddir.READDIR4res_u.resok4.reply;
		entry4 *e;

		for (e = dl->entries; e; e = e->nextentry) {
			if (n)
				(*n)++;
			if (names && used < len)
				used += snprintf(names + used, len - used,
						 "%.*s\n",
						 (int)e->name.utf8string_len,
						 e->name.utf8string_val);
		}
		if (eof)
			*eof = dl->eof;
	}
	dc_cres_free(&r);
	return rc;
}

/* Attributes a listing carries (dc_fs_readdir_each()). */
#define EACH_W0 (A0(FATTR4_TYPE) | A0(FATTR4_SIZE) | A0(FATTR4_FILEID))
#define EACH_W1 (A1(FATTR4_MODE) | A1(FATTR4_NUMLINKS))
#define EACH_RESTARTS 8

/*
 * One READDIR from *cookie (with verifier verf): entries to fn, then
 * *cookie, verf and *eof for the next.
 */
static int readdir_round(struct dc_client *cl, const nfs_fh4 *dir,
			 uint64_t *cookie, verifier4 verf, bool *eof,
			 dc_dirent_fn fn, void *arg, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	nfs_resop4 *res;
	uint32_t slot;
	int rc = fs_begin(cl, &c, dir, &slot);

	if (rc)
		return rc;
	dc_op_readdir(&c, *cookie, 0, 32768, EACH_W0, EACH_W1);
	memcpy(c.ops[c.nops - 1].nfs_argop4_u.opreaddir.cookieverf, verf,
	       NFS4_VERIFIER_SIZE);
	res = fs_send_res(cl, &c, slot, &r, NFS4_OP_READDIR, st, &rc);
	if (res) {
		READDIR4resok *ok = &res->nfs_resop4_u.opreaddir
					     .READDIR4res_u.resok4;
		entry4 *e;

		memcpy(verf, ok->cookieverf, NFS4_VERIFIER_SIZE);
		for (e = ok->reply.entries; e && !rc; e = e->nextentry) {
			struct dc_gattr ga;
			char name[NAME_MAX + 1];

			if (!dc_fattr_decode(&e->attrs, &ga)) {
				rc = -EBADMSG;
				break;
			}
			snprintf(name, sizeof(name), "%.*s",
				 (int)e->name.utf8string_len,
				 e->name.utf8string_val);
			fn(arg, name, &ga);
			*cookie = e->cookie;
		}
		*eof = ok->reply.eof;
	}
	dc_cres_free(&r);
	return rc;
}

int dc_fs_readdir_each(struct dc_client *cl, const nfs_fh4 *dir,
		       dc_dirent_fn fn, void *arg, nfsstat4 *st)
{
	unsigned int tries;
	int rc = 0;

	for (tries = 0; tries < EACH_RESTARTS; tries++) {
		verifier4 verf = { 0 };
		uint64_t cookie = 0;
		bool eof = false;

		do {
			rc = readdir_round(cl, dir, &cookie, verf, &eof, fn,
					   arg, st);
		} while (!rc && *st == NFS4_OK && !eof);
		if (rc || *st != NFS4ERR_NOT_SAME)
			break;
		fn(arg, NULL, NULL);
	}
	return rc;
}

int dc_fs_read(struct dc_client *cl, const nfs_fh4 *fh, const stateid4 *sid,
	       uint64_t off, uint32_t len, uint8_t *buf, uint32_t *got,
	       bool *eof, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	nfs_resop4 *res;
	uint32_t slot;
	int rc = fs_begin(cl, &c, fh, &slot);

	*got = 0;
	*eof = false;
	if (rc)
		return rc;
	dc_op_read(&c, sid, off, len);
	res = fs_send_res(cl, &c, slot, &r, NFS4_OP_READ, st, &rc);
	if (res) {
		READ4resok *rd = &res->nfs_resop4_u.opread.READ4res_u.resok4;
		uint32_t n = rd->data.data_len > len ? len : rd->data.data_len;
		uint32_t done = 0;
		int i;

		/* the reply may come in several iovecs */
		for (i = 0; i < rd->data.iovcnt && done < n; i++) {
			uint32_t k = rd->data.iov[i].iov_len;

			if (k > n - done)
				k = n - done;
			memcpy(buf + done, rd->data.iov[i].iov_base, k);
			done += k;
		}
		*got = done;
		*eof = rd->eof;
	}
	dc_cres_free(&r);
	return rc;
}

/* The first name READDIR of dir shows, in buf; false when none. */
static bool first_name(struct dc_client *cl, const nfs_fh4 *dir, char *buf,
		       size_t len)
{
	struct dc_compound c;
	struct dc_cres r;
	nfs_resop4 *res;
	entry4 *e = NULL;
	nfsstat4 st;
	uint32_t slot;

	if (fs_begin(cl, &c, dir, &slot))
		return false;
	dc_op_readdir(&c, 0, 8192, 32768, 0, 0);
	if (!fs_send(cl, &c, slot, &r, &st) && st == NFS4_OK) {
		res = last_ok(&r, NFS4_OP_READDIR);
		if (res)
			e = res->nfs_resop4_u.opreaddir.READDIR4res_u.resok4
				    .reply.entries;
		if (e)
			snprintf(buf, len, "%.*s", (int)e->name.utf8string_len,
				 e->name.utf8string_val);
	}
	dc_cres_free(&r);
	return e != NULL;
}

static int remove_tree(struct dc_client *cl, const nfs_fh4 *dir,
		       const char *name, unsigned int depth)
{
	struct dc_gattr ga;
	nfs_fh4 fh = { 0 };
	char child[256];
	unsigned int i;
	nfsstat4 st;
	int rc;

	rc = dc_fs_lookup(cl, dir, name, &fh, &st);
	if (rc || st != NFS4_OK)
		return rc ? rc : (st == NFS4ERR_NOENT ? 0 : -EIO);
	rc = dc_fs_getattr(cl, &fh, &ga, &st);
	if (!rc && st == NFS4_OK && ga.type == NF4DIR && depth < TREE_DEPTH) {
		/* Make it searchable and writable whatever a case left. */
		dc_fs_chmod(cl, &fh, 0700, &st);
		for (i = 0; i < TREE_ROUNDS &&
			    first_name(cl, &fh, child, sizeof(child));
		     i++)
			if (remove_tree(cl, &fh, child, depth + 1))
				break;
	}
	dc_fh_free(&fh);
	rc = dc_fs_remove(cl, dir, name, &st);
	if (rc)
		return rc;
	return st == NFS4_OK || st == NFS4ERR_NOENT ? 0 : -EIO;
}

int dc_fs_remove_tree(struct dc_client *cl, const nfs_fh4 *dir,
		      const char *name)
{
	return remove_tree(cl, dir, name, 0);
}

/* ---- byte-range locks and the lease ---------------------------------- */

int dc_fs_lock(struct dc_client *cl, const nfs_fh4 *fh, nfs_lock_type4 type,
	       const stateid4 *sid, const char *owner, uint64_t off,
	       uint64_t len, stateid4 *lock_sid, LOCK4denied *denied,
	       nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	nfs_resop4 *res;
	unsigned int n;
	uint32_t slot;
	int rc = fs_begin(cl, &c, fh, &slot);

	if (denied)
		memset(denied, 0, sizeof(*denied));
	if (rc)
		return rc;
	if (owner)
		dc_op_lock_new(&c, type, sid, cl->clientid, owner, off, len);
	else
		dc_op_lock_exist(&c, type, sid, off, len);
	rc = fs_send(cl, &c, slot, &r, st);
	n = !rc && r.decoded ? r.res.resarray.resarray_len : 0;
	res = n ? dc_cres_op(&r, n - 1) : NULL;
	if (res && res->resop == NFS4_OP_LOCK) {
		LOCK4res *lr = &res->nfs_resop4_u.oplock;

		if (lr->status == NFS4_OK && lock_sid)
			*lock_sid = lr->LOCK4res_u.resok4.lock_stateid;
		if (lr->status == NFS4ERR_DENIED && denied) {
			*denied = lr->LOCK4res_u.denied;
			denied->owner.owner.owner_val = NULL;
			denied->owner.owner.owner_len = 0;
		}
	}
	dc_cres_free(&r);
	return rc;
}

int dc_fs_locku(struct dc_client *cl, const nfs_fh4 *fh, stateid4 *lock_sid,
		uint64_t off, uint64_t len, nfsstat4 *st)
{
	struct dc_compound c;
	struct dc_cres r;
	nfs_resop4 *res;
	uint32_t slot;
	int rc = fs_begin(cl, &c, fh, &slot);

	if (rc)
		return rc;
	dc_op_locku_type(&c, WRITE_LT, lock_sid, off, len);
	rc = fs_send(cl, &c, slot, &r, st);
	if (!rc && *st == NFS4_OK) {
		res = last_ok(&r, NFS4_OP_LOCKU);
		if (res)
			*lock_sid = res->nfs_resop4_u.oplocku.LOCKU4res_u
					    .lock_stateid;
	}
	dc_cres_free(&r);
	return rc;
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * COMPOUND building, encoding, sending and result decoding.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compound.h"

void dc_compound_init(struct dc_compound *c, uint32_t minor, const char *tag)
{
	memset(c, 0, sizeof(*c));
	c->minor = minor;
	snprintf(c->tag, sizeof(c->tag), "%s", tag ? tag : "");
}

static uint8_t *wbuf_take(struct dc_wbuf *w, size_t n)
{
	uint8_t *p = w->b + w->n;

	if (n > sizeof(w->b) - w->n)
		abort();
	w->n += n;
	return p;
}

void dc_wbuf_u32(struct dc_wbuf *w, uint32_t v)
{
	v = htonl(v);
	memcpy(wbuf_take(w, 4), &v, 4);
}

void dc_wbuf_zeros(struct dc_wbuf *w, size_t n)
{
	memset(wbuf_take(w, n), 0, n);
}

void dc_wbuf_opaque(struct dc_wbuf *w, const void *p, size_t n)
{
	size_t pad = (4 - n % 4) % 4;

	memcpy(wbuf_take(w, n), p, n);
	dc_wbuf_zeros(w, pad);
}

void dc_compound_free(struct dc_compound *c)
{
	unsigned i;

	for (i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	free(c->owned);
	c->owned = NULL;
	c->nowned = c->owned_cap = 0;
	c->nops = 0;
}

void *dc_compound_keep(struct dc_compound *c, const void *p, size_t n)
{
	void *m;

	if (c->nowned == c->owned_cap) {
		unsigned cap = c->owned_cap ? 2 * c->owned_cap : 16;
		void **o = realloc(c->owned, cap * sizeof(*o));

		if (!o)
			abort();
		c->owned = o;
		c->owned_cap = cap;
	}
	m = calloc(1, n + 1);
	if (!m)
		abort();
	if (p)
		memcpy(m, p, n);
	c->owned[c->nowned++] = m;
	return m;
}

nfs_argop4 *dc_op_add(struct dc_compound *c, nfs_opnum4 op)
{
	nfs_argop4 *a;

	if (c->nops >= DC_MAX_OPS)
		return NULL;
	a = &c->ops[c->nops++];
	memset(a, 0, sizeof(*a));
	a->argop = op;
	return a;
}

/* Fill a utf8string/component4 with a copy of s. */
static void set_str(struct dc_compound *c, utf8string *u, const char *s)
{
	size_t n = strlen(s);

	u->utf8string_val = dc_compound_keep(c, s, n);
	u->utf8string_len = n;
}

void dc_compound_args(struct dc_compound *c, COMPOUND4args *args)
{
	memset(args, 0, sizeof(*args));
	args->tag.utf8string_val = c->tag;
	args->tag.utf8string_len = strlen(c->tag);
	args->minorversion = c->minor;
	args->argarray.argarray_len = c->nops;
	args->argarray.argarray_val = c->ops;
}

int dc_compound_encode(struct dc_compound *c, uint8_t *buf, size_t size)
{
	COMPOUND4args args;
	XDR x;

	dc_compound_args(c, &args);
	xdrmem_create(&x, (char *)buf, size, XDR_ENCODE);
	if (!xdr_COMPOUND4args(&x, &args))
		return -EINVAL;
	return xdr_getpos(&x);
}

static bool encode_compound(XDR *x, void *arg)
{
	COMPOUND4args args;

	dc_compound_args(arg, &args);
	return xdr_COMPOUND4args(x, &args);
}

/*
 * With DITTO_CAPTURE_COMPOUNDS=DIR, each COMPOUND4args sent (up to 64
 * KiB) is also written to DIR, named by its FNV-1a hash so repeats are
 * one file: the fuzz corpus of xdr_compound_args (fuzz/README.md).
 */
static void capture(struct dc_compound *c)
{
	static const char *dir;
	static bool looked;
	static uint32_t buf[16384];
	uint64_t h = 14695981039346656037ull;
	char path[4096];
	FILE *f;
	int i, n;

	if (!looked) {
		dir = getenv("DITTO_CAPTURE_COMPOUNDS");
		looked = true;
	}
	if (!dir)
		return;
	n = dc_compound_encode(c, (uint8_t *)buf, sizeof(buf));
	if (n <= 0)
		return;
	for (i = 0; i < n; i++)
		h = (h ^ ((uint8_t *)buf)[i]) * 1099511628211ull;
	snprintf(path, sizeof(path), "%s/%016" PRIx64, dir, h);
	f = fopen(path, "wbx");
	if (!f)
		return;
	if (fwrite(buf, 1, n, f) != (size_t)n)
		perror(path);
	fclose(f);
}

int dc_cres_decode(struct dc_cres *out)
{
	if (out->decoded) {
		xdr_free((xdrproc_t)xdr_COMPOUND4res, &out->res);
		out->decoded = false;
	}
	memset(&out->res, 0, sizeof(out->res));
	if (out->rpc.reply_stat != DC_MSG_ACCEPTED ||
	    out->rpc.accept_stat != DC_SUCCESS)
		return -EPROTO;
	if (!dc_rpc_decode_results(&out->rpc, (xdrproc_t)xdr_COMPOUND4res,
				   &out->res)) {
		xdr_free((xdrproc_t)xdr_COMPOUND4res, &out->res);
		memset(&out->res, 0, sizeof(out->res));
		return -EBADMSG;
	}
	out->decoded = true;
	return 0;
}

int dc_compound_call(struct dc_conn *conn, const struct dc_auth *auth,
		     struct dc_compound *c, struct dc_cres *out,
		     int timeout_ms)
{
	int rc;

	memset(out, 0, sizeof(*out));
	capture(c);
	rc = dc_rpc_call(conn, auth, NFS4_PROGRAM, NFS_V4, NFS4_PROC_COMPOUND,
			 (xdrproc_t)encode_compound, c, &out->rpc,
			 timeout_ms);
	if (rc)
		return rc;
	return dc_cres_decode(out);
}

void dc_cres_free(struct dc_cres *r)
{
	if (r->decoded)
		xdr_free((xdrproc_t)xdr_COMPOUND4res, &r->res);
	r->decoded = false;
	dc_reply_free(&r->rpc);
}

nfs_resop4 *dc_cres_op(struct dc_cres *r, unsigned i)
{
	if (!r->decoded || i >= r->res.resarray.resarray_len)
		return NULL;
	return &r->res.resarray.resarray_val[i];
}

nfsstat4 dc_cres_status(struct dc_cres *r, unsigned i)
{
	nfs_resop4 *op = dc_cres_op(r, i);

	/* Every nfs_resop4 arm starts with its nfsstat4. */
	return op ? op->nfs_resop4_u.opillegal.status : (nfsstat4)-1;
}

void dc_op_sequence(struct dc_compound *c, const sessionid4 sid,
		    uint32_t seqid, uint32_t slot, uint32_t highest,
		    bool cachethis)
{
	SEQUENCE4args *a = &dc_op_add(c, NFS4_OP_SEQUENCE)
				    ->nfs_argop4_u.opsequence;

	memcpy(a->sa_sessionid, sid, NFS4_SESSIONID_SIZE);
	a->sa_sequenceid = seqid;
	a->sa_slotid = slot;
	a->sa_highest_slotid = highest;
	a->sa_cachethis = cachethis;
}

void dc_op_putrootfh(struct dc_compound *c)
{
	dc_op_add(c, NFS4_OP_PUTROOTFH);
}

void dc_op_putfh(struct dc_compound *c, const nfs_fh4 *fh)
{
	PUTFH4args *a = &dc_op_add(c, NFS4_OP_PUTFH)->nfs_argop4_u.opputfh;

	a->object.nfs_fh4_len = fh->nfs_fh4_len;
	a->object.nfs_fh4_val =
		dc_compound_keep(c, fh->nfs_fh4_val, fh->nfs_fh4_len);
}

void dc_op_getfh(struct dc_compound *c)
{
	dc_op_add(c, NFS4_OP_GETFH);
}

void dc_op_lookupp(struct dc_compound *c)
{
	dc_op_add(c, NFS4_OP_LOOKUPP);
}

void dc_op_savefh(struct dc_compound *c)
{
	dc_op_add(c, NFS4_OP_SAVEFH);
}

void dc_op_restorefh(struct dc_compound *c)
{
	dc_op_add(c, NFS4_OP_RESTOREFH);
}

void dc_op_lookup(struct dc_compound *c, const char *name)
{
	set_str(c, &dc_op_add(c, NFS4_OP_LOOKUP)
			    ->nfs_argop4_u.oplookup.objname, name);
}

static void set_bitmap(struct bitmap4 *b, uint32_t w0, uint32_t w1)
{
	b->bitmap4_len = w1 ? 2 : 1;
	b->map[0] = w0;
	b->map[1] = w1;
}

void dc_op_getattr(struct dc_compound *c, uint32_t w0, uint32_t w1)
{
	set_bitmap(&dc_op_add(c, NFS4_OP_GETATTR)
			    ->nfs_argop4_u.opgetattr.attr_request, w0, w1);
}

void dc_op_open(struct dc_compound *c, uint32_t seqid, clientid4 clid,
		const char *owner, const char *name, bool create,
		uint32_t access)
{
	OPEN4args *a = &dc_op_add(c, NFS4_OP_OPEN)->nfs_argop4_u.opopen;
	size_t n = strlen(owner);

	a->seqid = seqid;
	a->share_access = access;
	a->share_deny = OPEN4_SHARE_DENY_NONE;
	a->owner.clientid = clid;
	a->owner.owner.owner_val = dc_compound_keep(c, owner, n);
	a->owner.owner.owner_len = n;
	if (create) {
		a->openhow.opentype = OPEN4_CREATE;
		a->openhow.openflag4_u.how.mode = UNCHECKED4;
		/* empty attribute set: bitmap4_len 0 */
	} else {
		a->openhow.opentype = OPEN4_NOCREATE;
	}
	a->claim.claim = CLAIM_NULL;
	set_str(c, &a->claim.open_claim4_u.file, name);
}

void dc_op_close(struct dc_compound *c, uint32_t seqid, const stateid4 *sid)
{
	CLOSE4args *a = &dc_op_add(c, NFS4_OP_CLOSE)->nfs_argop4_u.opclose;

	a->seqid = seqid;
	a->open_stateid = *sid;
}

void dc_op_read(struct dc_compound *c, const stateid4 *sid, uint64_t off,
		uint32_t count)
{
	READ4args *a = &dc_op_add(c, NFS4_OP_READ)->nfs_argop4_u.opread;

	a->stateid = *sid;
	a->offset = off;
	a->count = count;
}

void dc_op_write(struct dc_compound *c, const stateid4 *sid, uint64_t off,
		 const void *data, uint32_t len)
{
	WRITE4args *a = &dc_op_add(c, NFS4_OP_WRITE)->nfs_argop4_u.opwrite;
	struct iovec *iov = dc_compound_keep(c, NULL, sizeof(*iov));

	a->stateid = *sid;
	a->offset = off;
	a->stable = FILE_SYNC4;
	iov->iov_base = dc_compound_keep(c, data, len);
	iov->iov_len = len;
	a->data.iov = iov;
	a->data.iovcnt = 1;
	a->data.data_len = len;
	a->data.last_iov_buf_size = len;
}

void dc_op_readdir(struct dc_compound *c, uint64_t cookie, uint32_t dircount,
		   uint32_t maxcount, uint32_t w0, uint32_t w1)
{
	READDIR4args *a =
		&dc_op_add(c, NFS4_OP_READDIR)->nfs_argop4_u.opreaddir;

	a->cookie = cookie;
	a->dircount = dircount;
	a->maxcount = maxcount;
	set_bitmap(&a->attr_request, w0, w1);
}

void dc_op_mkdir(struct dc_compound *c, const char *name)
{
	CREATE4args *a = &dc_op_add(c, NFS4_OP_CREATE)->nfs_argop4_u.opcreate;

	a->objtype.type = NF4DIR;
	set_str(c, &a->objname, name);
}

void dc_op_remove(struct dc_compound *c, const char *name)
{
	set_str(c, &dc_op_add(c, NFS4_OP_REMOVE)->nfs_argop4_u.opremove.target,
		name);
}

void dc_op_rename(struct dc_compound *c, const char *from, const char *to)
{
	RENAME4args *a = &dc_op_add(c, NFS4_OP_RENAME)->nfs_argop4_u.oprename;

	set_str(c, &a->oldname, from);
	set_str(c, &a->newname, to);
}

void dc_op_setattr_size(struct dc_compound *c, const stateid4 *sid,
			uint64_t size)
{
	SETATTR4args *a =
		&dc_op_add(c, NFS4_OP_SETATTR)->nfs_argop4_u.opsetattr;
	uint32_t be[2] = { htonl(size >> 32), htonl((uint32_t)size) };

	a->stateid = *sid;
	set_bitmap(&a->obj_attributes.attrmask, 1u << FATTR4_SIZE, 0);
	a->obj_attributes.attr_vals.attrlist4_val =
		dc_compound_keep(c, be, sizeof(be));
	a->obj_attributes.attr_vals.attrlist4_len = sizeof(be);
}

void dc_op_link(struct dc_compound *c, const char *name)
{
	set_str(c, &dc_op_add(c, NFS4_OP_LINK)->nfs_argop4_u.oplink.newname,
		name);
}

void dc_op_lock(struct dc_compound *c, const stateid4 *open_sid,
		clientid4 clid, const char *lock_owner, uint64_t off,
		uint64_t len)
{
	LOCK4args *a = &dc_op_add(c, NFS4_OP_LOCK)->nfs_argop4_u.oplock;
	open_to_lock_owner4 *o = &a->locker.locker4_u.open_owner;
	size_t n = strlen(lock_owner);

	a->locktype = WRITE_LT;
	a->offset = off;
	a->length = len;
	a->locker.new_lock_owner = TRUE;
	o->open_stateid = *open_sid;
	o->lock_owner.clientid = clid;
	o->lock_owner.owner.owner_val = dc_compound_keep(c, lock_owner, n);
	o->lock_owner.owner.owner_len = n;
}

void dc_op_locku(struct dc_compound *c, const stateid4 *lock_sid,
		 uint64_t off, uint64_t len)
{
	LOCKU4args *a = &dc_op_add(c, NFS4_OP_LOCKU)->nfs_argop4_u.oplocku;

	a->locktype = WRITE_LT;
	a->lock_stateid = *lock_sid;
	a->offset = off;
	a->length = len;
}

void dc_op_delegreturn(struct dc_compound *c, const stateid4 *sid)
{
	dc_op_add(c, NFS4_OP_DELEGRETURN)
		->nfs_argop4_u.opdelegreturn.deleg_stateid = *sid;
}

void dc_op_test_stateid(struct dc_compound *c, const stateid4 *sids,
			unsigned n)
{
	TEST_STATEID4args *a = &dc_op_add(c, NFS4_OP_TEST_STATEID)
					->nfs_argop4_u.optest_stateid;

	a->ts_stateids.ts_stateids_len = n;
	a->ts_stateids.ts_stateids_val =
		dc_compound_keep(c, sids, n * sizeof(*sids));
}

void dc_op_free_stateid(struct dc_compound *c, const stateid4 *sid)
{
	dc_op_add(c, NFS4_OP_FREE_STATEID)
		->nfs_argop4_u.opfree_stateid.fsa_stateid = *sid;
}

void dc_op_get_dir_delegation(struct dc_compound *c)
{
	GET_DIR_DELEGATION4args *a =
		&dc_op_add(c, NFS4_OP_GET_DIR_DELEGATION)
			 ->nfs_argop4_u.opget_dir_delegation;

	a->gdda_signal_deleg_avail = FALSE;
	/* Ask for add/remove entry notifications. */
	set_bitmap(&a->gdda_notification_types,
		   (1u << NOTIFY4_REMOVE_ENTRY) | (1u << NOTIFY4_ADD_ENTRY), 0);
	a->gdda_child_attributes.bitmap4_len = 0;
	a->gdda_dir_attributes.bitmap4_len = 0;
}

void dc_op_exchange_id(struct dc_compound *c, const char *owner,
		       const verifier4 verf, uint32_t flags)
{
	EXCHANGE_ID4args *a =
		&dc_op_add(c, NFS4_OP_EXCHANGE_ID)->nfs_argop4_u.opexchange_id;
	size_t n = strlen(owner);

	memcpy(a->eia_clientowner.co_verifier, verf, NFS4_VERIFIER_SIZE);
	a->eia_clientowner.co_ownerid.co_ownerid_val =
		dc_compound_keep(c, owner, n);
	a->eia_clientowner.co_ownerid.co_ownerid_len = n;
	a->eia_flags = flags;
	a->eia_state_protect.spa_how = SP4_NONE;
}

/* callback_sec_parms4 for cb_auth: AUTH_SYS or AUTH_NONE. */
static callback_sec_parms4 *sec_parms(struct dc_compound *c,
				      const struct dc_auth *cb_auth)
{
	callback_sec_parms4 *p = dc_compound_keep(c, NULL, sizeof(*p));

	if (cb_auth && cb_auth->flavor == DC_AUTH_SYS) {
		struct authunix_parms *s =
			&p->callback_sec_parms4_u.cbsp_sys_cred;

		p->cb_secflavor = DC_AUTH_SYS;
		s->aup_machname = dc_compound_keep(c, cb_auth->machine,
						   strlen(cb_auth->machine));
		s->aup_uid = cb_auth->uid;
		s->aup_gid = cb_auth->gid;
		s->aup_time = cb_auth->stamp;
		s->aup_len = 0;
	} else {
		p->cb_secflavor = DC_AUTH_NONE;
	}
	return p;
}

void dc_op_create_session(struct dc_compound *c, clientid4 clid,
			  uint32_t seq, uint32_t flags,
			  const channel_attrs4 *fore,
			  const channel_attrs4 *back, uint32_t cb_program,
			  const struct dc_auth *cb_auth)
{
	CREATE_SESSION4args *a = &dc_op_add(c, NFS4_OP_CREATE_SESSION)
					  ->nfs_argop4_u.opcreate_session;

	a->csa_clientid = clid;
	a->csa_sequence = seq;
	a->csa_flags = flags;
	a->csa_fore_chan_attrs = *fore;
	a->csa_back_chan_attrs = *back;
	a->csa_cb_program = cb_program;
	a->csa_sec_parms.csa_sec_parms_len = 1;
	a->csa_sec_parms.csa_sec_parms_val = sec_parms(c, cb_auth);
}

void dc_op_destroy_session(struct dc_compound *c, const sessionid4 sid)
{
	memcpy(dc_op_add(c, NFS4_OP_DESTROY_SESSION)
		       ->nfs_argop4_u.opdestroy_session.dsa_sessionid,
	       sid, NFS4_SESSIONID_SIZE);
}

void dc_op_destroy_clientid(struct dc_compound *c, clientid4 clid)
{
	dc_op_add(c, NFS4_OP_DESTROY_CLIENTID)
		->nfs_argop4_u.opdestroy_clientid.dca_clientid = clid;
}

void dc_op_reclaim_complete(struct dc_compound *c, bool one_fs)
{
	dc_op_add(c, NFS4_OP_RECLAIM_COMPLETE)
		->nfs_argop4_u.opreclaim_complete.rca_one_fs = one_fs;
}

void dc_op_bind_conn(struct dc_compound *c, const sessionid4 sid,
		     channel_dir_from_client4 dir)
{
	BIND_CONN_TO_SESSION4args *a =
		&dc_op_add(c, NFS4_OP_BIND_CONN_TO_SESSION)
			 ->nfs_argop4_u.opbind_conn_to_session;

	memcpy(a->bctsa_sessid, sid, NFS4_SESSIONID_SIZE);
	a->bctsa_dir = dir;
	a->bctsa_use_conn_in_rdma_mode = FALSE;
}

void dc_op_backchannel_ctl(struct dc_compound *c, uint32_t cb_program,
			   const struct dc_auth *cb_auth)
{
	BACKCHANNEL_CTL4args *a = &dc_op_add(c, NFS4_OP_BACKCHANNEL_CTL)
					   ->nfs_argop4_u.opbackchannel_ctl;

	a->bca_cb_program = cb_program;
	a->bca_sec_parms.bca_sec_parms_len = 1;
	a->bca_sec_parms.bca_sec_parms_val = sec_parms(c, cb_auth);
}

void dc_op_setclientid(struct dc_compound *c, const char *id,
		       const verifier4 verf, uint32_t cb_program,
		       const char *r_addr)
{
	SETCLIENTID4args *a =
		&dc_op_add(c, NFS4_OP_SETCLIENTID)->nfs_argop4_u.opsetclientid;
	size_t n = strlen(id);

	memcpy(a->client.verifier, verf, NFS4_VERIFIER_SIZE);
	a->client.id.id_val = dc_compound_keep(c, id, n);
	a->client.id.id_len = n;
	a->callback.cb_program = cb_program;
	a->callback.cb_location.r_netid = dc_compound_keep(c, "tcp", 3);
	a->callback.cb_location.r_addr =
		dc_compound_keep(c, r_addr, strlen(r_addr));
	a->callback_ident = 1;
}

void dc_op_setclientid_confirm(struct dc_compound *c, clientid4 clid,
			       const verifier4 confirm)
{
	SETCLIENTID_CONFIRM4args *a =
		&dc_op_add(c, NFS4_OP_SETCLIENTID_CONFIRM)
			 ->nfs_argop4_u.opsetclientid_confirm;

	a->clientid = clid;
	memcpy(a->setclientid_confirm, confirm, NFS4_VERIFIER_SIZE);
}

void dc_op_open_confirm(struct dc_compound *c, const stateid4 *sid,
			uint32_t seqid)
{
	OPEN_CONFIRM4args *a = &dc_op_add(c, NFS4_OP_OPEN_CONFIRM)
					->nfs_argop4_u.opopen_confirm;

	a->open_stateid = *sid;
	a->seqid = seqid;
}

void dc_op_renew(struct dc_compound *c, clientid4 clid)
{
	dc_op_add(c, NFS4_OP_RENEW)->nfs_argop4_u.oprenew.clientid = clid;
}

void dc_op_release_lockowner(struct dc_compound *c, clientid4 clid,
			     const char *owner)
{
	RELEASE_LOCKOWNER4args *a = &dc_op_add(c, NFS4_OP_RELEASE_LOCKOWNER)
					     ->nfs_argop4_u.oprelease_lockowner;
	size_t n = strlen(owner);

	a->lock_owner.clientid = clid;
	a->lock_owner.owner.owner_val = dc_compound_keep(c, owner, n);
	a->lock_owner.owner.owner_len = n;
}

void dc_default_chan_attrs(channel_attrs4 *a, uint32_t slots)
{
	memset(a, 0, sizeof(*a));
	a->ca_maxrequestsize = 1049620;
	a->ca_maxresponsesize = 1049480;
	a->ca_maxresponsesize_cached = 8192;
	a->ca_maxoperations = 32;
	a->ca_maxrequests = slots;
}

void dc_default_back_chan_attrs(channel_attrs4 *a, uint32_t slots)
{
	dc_default_chan_attrs(a, slots);
	a->ca_maxrequestsize = 16384;
	a->ca_maxresponsesize = 16384;
	a->ca_maxresponsesize_cached = 0;
	a->ca_maxoperations = 8;
}

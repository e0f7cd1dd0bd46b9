// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * CB_NOTIFY decoding on the client (RFC 8881 20.4).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "backchannel.h"
#include "cb_notify.h"

#define CB_COMPOUND_PROC 1

/* Walk an fattr4's values for the attributes we know. */
static void decode_attrs(const fattr4 *f, struct dc_notify_attrs *a)
{
	XDR x;
	unsigned bit;

	memset(a, 0, sizeof(*a));
	if (f->attrmask.bitmap4_len > 0)
		a->mask[0] = f->attrmask.map[0];
	if (f->attrmask.bitmap4_len > 1)
		a->mask[1] = f->attrmask.map[1];
	a->known = f->attrmask.bitmap4_len <= 2;
	xdrmem_create(&x, f->attr_vals.attrlist4_val,
		      f->attr_vals.attrlist4_len, XDR_DECODE);
	for (bit = 0; bit < 64 && a->known; bit++) {
		uint64_t u64, u64b;
		uint32_t u32, u32b;
		int64_t s64;
		char *str = NULL;
		u_int slen = 0;

		if (!(a->mask[bit / 32] & (1u << (bit % 32))))
			continue;
		switch (bit) {
		case FATTR4_TYPE:
			a->known = xdr_u_int32_t(&x, &a->type);
			break;
		case FATTR4_CHANGE:
			a->known = xdr_u_int64_t(&x, &a->change);
			break;
		case FATTR4_SIZE:
			a->known = xdr_u_int64_t(&x, &a->size);
			break;
		case FATTR4_FSID:
			a->known = xdr_u_int64_t(&x, &u64) &&
				   xdr_u_int64_t(&x, &u64b);
			break;
		case FATTR4_FILEHANDLE:
			a->known = xdr_bytes(&x, &str, &slen, NFS4_FHSIZE);
			if (a->known) {
				a->fh_len = slen;
				memcpy(a->fh, str, slen);
			}
			free(str);
			break;
		case FATTR4_FILEID:
			a->known = xdr_u_int64_t(&x, &a->fileid);
			break;
		case FATTR4_MODE:
			a->known = xdr_u_int32_t(&x, &a->mode);
			break;
		case FATTR4_NUMLINKS:
			a->known = xdr_u_int32_t(&x, &a->numlinks);
			break;
		case FATTR4_OWNER:
		case FATTR4_OWNER_GROUP:
			a->known = xdr_bytes(&x, &str, &slen, 1024);
			free(str);
			break;
		case FATTR4_RAWDEV:
			a->known = xdr_u_int32_t(&x, &u32) &&
				   xdr_u_int32_t(&x, &u32b);
			break;
		case FATTR4_SPACE_USED:
			a->known = xdr_u_int64_t(&x, &a->space_used);
			break;
		case FATTR4_TIME_ACCESS:
		case FATTR4_TIME_METADATA:
		case FATTR4_TIME_MODIFY:
			a->known = xdr_int64_t(&x, &s64) &&
				   xdr_u_int32_t(&x, &u32);
			break;
		default:
			a->known = false;
			break;
		}
	}
	/* Every byte accounted for */
	if (a->known && xdr_getpos(&x) != f->attr_vals.attrlist4_len)
		a->known = false;
	xdr_destroy(&x);
}

static void copy_name(char *dst, const component4 *c)
{
	unsigned n = c->utf8string_len < DC_NOTIFY_NAME_MAX - 1 ?
			     c->utf8string_len :
			     DC_NOTIFY_NAME_MAX - 1;

	if (n)	/* an empty name may come with no buffer at all */
		memcpy(dst, c->utf8string_val, n);
	dst[n] = '\0';
}

static void from_add(const notify_add4 *a, struct dc_notify_ent *e)
{
	copy_name(e->name, &a->nad_new_entry.ne_file);
	decode_attrs(&a->nad_new_entry.ne_attrs, &e->attrs);
	if (a->nad_old_entry.nad_old_entry_len > 0) {
		e->replaced = true;
		copy_name(e->replaced_name,
			  &a->nad_old_entry.nad_old_entry_val[0]
				   .nrm_old_entry.ne_file);
		e->replaced_cookie = a->nad_old_entry.nad_old_entry_val[0]
					     .nrm_old_entry_cookie;
	}
	e->ncookie = a->nad_new_entry_cookie.nad_new_entry_cookie_len;
	if (e->ncookie)
		e->cookie = a->nad_new_entry_cookie.nad_new_entry_cookie_val[0];
	e->nprev = a->nad_prev_entry.nad_prev_entry_len;
	if (e->nprev) {
		const prev_entry4 *p = &a->nad_prev_entry.nad_prev_entry_val[0];

		copy_name(e->prev_name, &p->pe_prev_entry.ne_file);
		e->prev_cookie = p->pe_prev_entry_cookie;
	}
	e->last = a->nad_last_entry;
}

bool dc_notify_decode_body(uint32_t type, const char *buf, unsigned len,
			   struct dc_notify_ent *e)
{
	union {
		notify_add4 add;
		notify_remove4 rm;
		notify_rename4 rn;
		notify_attr4 at;
		notify_verifier4 vf;
	} u;
	xdrproc_t proc;
	bool ok;
	XDR x;

	memset(&u, 0, sizeof(u));
	memset(e, 0, sizeof(*e));
	e->type = type;
	switch (type) {
	case NOTIFY4_ADD_ENTRY:
		proc = (xdrproc_t)xdr_notify_add4;
		break;
	case NOTIFY4_REMOVE_ENTRY:
		proc = (xdrproc_t)xdr_notify_remove4;
		break;
	case NOTIFY4_RENAME_ENTRY:
		proc = (xdrproc_t)xdr_notify_rename4;
		break;
	case NOTIFY4_CHANGE_CHILD_ATTRS:
	case NOTIFY4_CHANGE_DIR_ATTRS:
		proc = (xdrproc_t)xdr_notify_attr4;
		break;
	case NOTIFY4_CHANGE_COOKIE_VERIFIER:
		proc = (xdrproc_t)xdr_notify_verifier4;
		break;
	default:
		return false;
	}
	xdrmem_create(&x, (char *)buf, len, XDR_DECODE);
	ok = proc(&x, &u) && xdr_getpos(&x) == len;
	xdr_destroy(&x);
	if (ok) {
		switch (type) {
		case NOTIFY4_ADD_ENTRY:
			from_add(&u.add, e);
			break;
		case NOTIFY4_REMOVE_ENTRY:
			copy_name(e->name, &u.rm.nrm_old_entry.ne_file);
			decode_attrs(&u.rm.nrm_old_entry.ne_attrs, &e->attrs);
			e->cookie = u.rm.nrm_old_entry_cookie;
			break;
		case NOTIFY4_RENAME_ENTRY:
			from_add(&u.rn.nrn_new_entry, e);
			e->old_cookie = u.rn.nrn_old_entry.nrm_old_entry_cookie;
			copy_name(e->old_name,
				  &u.rn.nrn_old_entry.nrm_old_entry.ne_file);
			decode_attrs(&u.rn.nrn_old_entry.nrm_old_entry.ne_attrs,
				     &e->old_attrs);
			break;
		case NOTIFY4_CHANGE_CHILD_ATTRS:
		case NOTIFY4_CHANGE_DIR_ATTRS:
			copy_name(e->name, &u.at.na_changed_entry.ne_file);
			decode_attrs(&u.at.na_changed_entry.ne_attrs,
				     &e->attrs);
			break;
		default:
			memcpy(e->old_verf, u.vf.nv_old_cookieverf,
			       sizeof(verifier4));
			memcpy(e->new_verf, u.vf.nv_new_cookieverf,
			       sizeof(verifier4));
			break;
		}
	}
	xdr_free(proc, &u);
	return ok;
}

static void add_ent(struct dc_notify_tap *t, const struct dc_notify_ent *e)
{
	if (t->nents == t->ecap) {
		unsigned cap = t->ecap ? 2 * t->ecap : 64;
		struct dc_notify_ent *n = realloc(t->ents, cap * sizeof(*n));

		if (!n)
			return;
		t->ents = n;
		t->ecap = cap;
	}
	t->ents[t->nents++] = *e;
}

static void add_call(struct dc_notify_tap *t, const struct dc_notify_call *c)
{
	if (t->ncalls == t->ccap) {
		unsigned cap = t->ccap ? 2 * t->ccap : 16;
		struct dc_notify_call *n = realloc(t->calls, cap * sizeof(*n));

		if (!n)
			return;
		t->calls = n;
		t->ccap = cap;
	}
	t->calls[t->ncalls++] = *c;
}

/* Record one CB_NOTIFY op; t->lock held. */
static void record_notify(struct dc_notify_tap *t, const CB_NOTIFY4args *n,
			  size_t len)
{
	struct dc_notify_call c;
	unsigned i, bit;

	memset(&c, 0, sizeof(c));
	clock_gettime(CLOCK_REALTIME, &c.ts);
	c.rec_len = len;
	c.sid = n->cna_stateid;
	c.fh_len = n->cna_fh.nfs_fh4_len < NFS4_FHSIZE ? n->cna_fh.nfs_fh4_len :
							NFS4_FHSIZE;
	memcpy(c.fh, n->cna_fh.nfs_fh4_val, c.fh_len);
	c.nchanges = n->cna_changes.cna_changes_len;
	c.first = t->nents;
	c.ok = true;
	for (i = 0; i < c.nchanges; i++) {
		const notify4 *ch = &n->cna_changes.cna_changes_val[i];
		uint32_t mask = ch->notify_mask.bitmap4_len ?
					ch->notify_mask.map[0] :
					0;
		unsigned nbits = 0;

		for (bit = 0; bit < 32; bit++)
			if (mask & (1u << bit))
				nbits++;
		if (ch->notify_mask.bitmap4_len != 1 || nbits != 1) {
			/* Several bodies in one notify4: we only decode
			 * one per notify4, which is what servers send.
			 */
			snprintf(c.problem, sizeof(c.problem),
				 "notify4 %u: mask of %u words, %u bits", i,
				 ch->notify_mask.bitmap4_len, nbits);
			c.ok = false;
			continue;
		}
		for (bit = 0; !(mask & (1u << bit)); bit++)
			;
		{
			struct dc_notify_ent e;

			if (!dc_notify_decode_body(
				    bit, ch->notify_vals.notifylist4_val,
				    ch->notify_vals.notifylist4_len, &e)) {
				snprintf(c.problem, sizeof(c.problem),
					 "notify4 %u: type %u undecodable", i,
					 bit);
				c.ok = false;
				continue;
			}
			e.call = t->ncalls;
			add_ent(t, &e);
		}
	}
	c.count = t->nents - c.first;
	if (t->sink.notify) {
		t->sink.notify(t->sink.arg, &c, t->ents + c.first, c.count);
		t->nents = c.first;
		return;
	}
	add_call(t, &c);
}

/* Record one CB_RECALLABLE_OBJ_AVAIL; t->lock held. */
static void record_avail(struct dc_notify_tap *t,
			 const CB_RECALLABLE_OBJ_AVAIL4args *a)
{
	struct dc_obj_avail one, *o = &one;

	if (!t->sink.avail) {
		if (t->navail == sizeof(t->avail) / sizeof(t->avail[0]))
			return;
		o = &t->avail[t->navail++];
	}
	clock_gettime(CLOCK_REALTIME, &o->ts);
	o->objects_to_keep = a->craa_objects_to_keep;
	o->type_mask = a->craa_type_mask.bitmap4_len ?
			       a->craa_type_mask.map[0] :
			       0;
	if (t->sink.avail)
		t->sink.avail(t->sink.arg, o);
}

static void tap_call(struct dc_conn *conn, const uint8_t *rec, size_t len,
		     void *arg)
{
	struct dc_notify_tap *t = arg;
	struct dc_call_hdr h;
	CB_COMPOUND4args a;
	XDR x;
	unsigned i;

	xdrmem_create(&x, (char *)rec, len, XDR_DECODE);
	if (!dc_rpc_decode_call_hdr(&x, &h) || h.proc != CB_COMPOUND_PROC)
		goto pass;
	memset(&a, 0, sizeof(a));
	if (xdr_CB_COMPOUND4args(&x, &a)) {
		pthread_mutex_lock(&t->lock);
		for (i = 0; i < a.argarray.argarray_len; i++) {
			nfs_cb_argop4 *op = &a.argarray.argarray_val[i];

			if (op->argop == NFS4_OP_CB_NOTIFY)
				record_notify(t, &op->nfs_cb_argop4_u.opcbnotify,
					      len);
			else if (op->argop == NFS4_OP_CB_RECALLABLE_OBJ_AVAIL)
				record_avail(t, &op->nfs_cb_argop4_u
							 .opcbrecallable_obj_avail);
		}
		pthread_cond_broadcast(&t->cond);
		pthread_mutex_unlock(&t->lock);
	}
	xdr_free((xdrproc_t)xdr_CB_COMPOUND4args, &a);
pass:
	xdr_destroy(&x);
	if (t->prev_fn)
		t->prev_fn(conn, rec, len, t->prev_arg);
}

void dc_notify_tap_attach(struct dc_notify_tap *t, struct dc_client *cl)
{
	dc_notify_tap_attach_sink(t, cl->conns[0], NULL);
}

void dc_notify_tap_attach_sink(struct dc_notify_tap *t, struct dc_conn *conn,
			       const struct dc_notify_sink *sink)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	if (sink)
		t->sink = *sink;
	t->conn = conn;
	pthread_mutex_lock(&t->conn->lock);
	t->prev_fn = t->conn->on_call;
	t->prev_arg = t->conn->on_call_arg;
	pthread_mutex_unlock(&t->conn->lock);
	dc_conn_set_call_handler(t->conn, tap_call, t);
}

void dc_notify_tap_destroy(struct dc_notify_tap *t)
{
	if (!t->conn)
		return;
	free(t->calls);
	free(t->ents);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	memset(t, 0, sizeof(*t));
}

unsigned dc_notify_wait(struct dc_notify_tap *t, unsigned count,
			int timeout_ms)
{
	return dc_wait_count(&t->lock, &t->cond, &t->nents, count,
			     timeout_ms);
}

unsigned dc_notify_wait_avail(struct dc_notify_tap *t, unsigned count,
			      int timeout_ms)
{
	return dc_wait_count(&t->lock, &t->cond, &t->navail, count,
			     timeout_ms);
}

bool dc_notify_get_avail(struct dc_notify_tap *t, unsigned i,
			 struct dc_obj_avail *out)
{
	bool ok;

	pthread_mutex_lock(&t->lock);
	ok = i < t->navail;
	if (ok)
		*out = t->avail[i];
	pthread_mutex_unlock(&t->lock);
	return ok;
}

unsigned dc_notify_count(struct dc_notify_tap *t)
{
	unsigned n;

	pthread_mutex_lock(&t->lock);
	n = t->nents;
	pthread_mutex_unlock(&t->lock);
	return n;
}

unsigned dc_notify_calls(struct dc_notify_tap *t)
{
	unsigned n;

	pthread_mutex_lock(&t->lock);
	n = t->ncalls;
	pthread_mutex_unlock(&t->lock);
	return n;
}

bool dc_notify_get(struct dc_notify_tap *t, unsigned i,
		   struct dc_notify_ent *out)
{
	bool ok = false;

	pthread_mutex_lock(&t->lock);
	if (i < t->nents) {
		*out = t->ents[i];
		ok = true;
	}
	pthread_mutex_unlock(&t->lock);
	return ok;
}

bool dc_notify_get_call(struct dc_notify_tap *t, unsigned i,
			struct dc_notify_call *out)
{
	bool ok = false;

	pthread_mutex_lock(&t->lock);
	if (i < t->ncalls) {
		*out = t->calls[i];
		ok = true;
	}
	pthread_mutex_unlock(&t->lock);
	return ok;
}

int dc_notify_create_session(struct dc_client *cl, uint32_t back_maxreq,
			     nfsstat4 *status)
{
	channel_attrs4 fore, back;

	dc_default_chan_attrs(&fore, 8);
	dc_default_back_chan_attrs(&back, 4);
	back.ca_maxrequestsize = back_maxreq;
	return dc_client_create_session_with(cl,
					     CREATE_SESSION4_FLAG_CONN_BACK_CHAN,
					     &fore, &back, true, status, NULL);
}

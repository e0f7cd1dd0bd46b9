// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Writes the seed corpus, fuzz/corpus/<target>/<seed>: well-formed
 * messages made with Ganesha's own encoders (each checked to round
 * trip) and store programs in store_names' input format.
 *
 * usage: fuzz_seeds DIR    (DIR/<target>/ must exist)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdr_roundtrip.h"
#include "wire.h"

static const char *outdir;

/* Writes head (hlen bytes, may be 0) then buf */
static void put2(const char *target, const char *seed, const void *head,
		 size_t hlen, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, seed);
	f = fopen(path, "wb");
	if (!f || (hlen && fwrite(head, 1, hlen, f) != hlen) ||
	    fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void put(const char *target, const char *seed, const void *buf,
		size_t len)
{
	put2(target, seed, NULL, 0, buf, len);
}

/* Encodes obj, checks it round trips, writes prefix (if any) + it. */
static void put_xdr(const char *target, const char *seed, xdrproc_t proc,
		    void *obj, size_t objsize, const uint8_t *prefix,
		    size_t plen)
{
	/* uint32_t: xdrmem wants 4-byte aligned buffers */
	static uint32_t buf[16384];
	XDR x;
	u_int len;

	xdrmem_create(&x, (char *)buf, sizeof(buf), XDR_ENCODE);
	FUZZ_CHECK(proc(&x, obj));
	len = xdr_getpos(&x);
	xdr_destroy(&x);
	FUZZ_CHECK(xdr_roundtrip((uint8_t *)buf, len, proc, objsize));
	put2(target, seed, prefix, plen, buf, len);
}

#define BIT(n) (1u << (n))

static void bitmap(struct bitmap4 *b, uint32_t w0, uint32_t w1)
{
	memset(b, 0, sizeof(*b));
	b->bitmap4_len = w1 ? 2 : 1;
	b->map[0] = w0;
	b->map[1] = w1;
}

static void gdd_seeds(void)
{
	GET_DIR_DELEGATION4args a;

	/* What a 7.x Linux client sends: no notifications (recall only) */
	memset(&a, 0, sizeof(a));
	put_xdr("xdr_gdd_args", "recall-only", (xdrproc_t)
		xdr_GET_DIR_DELEGATION4args, &a, sizeof(a), NULL, 0);

	/* Entries and directory attributes, with delays and attributes */
	a.gdda_signal_deleg_avail = true;
	bitmap(&a.gdda_notification_types,
	       BIT(NOTIFY4_ADD_ENTRY) | BIT(NOTIFY4_REMOVE_ENTRY) |
		       BIT(NOTIFY4_RENAME_ENTRY) | BIT(NOTIFY4_CHANGE_DIR_ATTRS) |
		       BIT(NOTIFY4_CHANGE_COOKIE_VERIFIER),
	       0);
	a.gdda_child_attr_delay.seconds = 1;
	a.gdda_dir_attr_delay.nseconds = 500000000;
	bitmap(&a.gdda_child_attributes,
	       BIT(FATTR4_TYPE) | BIT(FATTR4_CHANGE) | BIT(FATTR4_SIZE) |
		       BIT(FATTR4_FILEID),
	       BIT(FATTR4_MODE - 32) | BIT(FATTR4_NUMLINKS - 32));
	bitmap(&a.gdda_dir_attributes, BIT(FATTR4_CHANGE), 0);
	put_xdr("xdr_gdd_args", "notify-all", (xdrproc_t)
		xdr_GET_DIR_DELEGATION4args, &a, sizeof(a), NULL, 0);

	/* Types the server does not grant (child attrs, bit 31) */
	bitmap(&a.gdda_notification_types,
	       BIT(NOTIFY4_CHANGE_CHILD_ATTRS) | BIT(31), 1);
	put_xdr("xdr_gdd_args", "odd-types", (xdrproc_t)
		xdr_GET_DIR_DELEGATION4args, &a, sizeof(a), NULL, 0);
}

static void bcctl_seeds(void)
{
	BACKCHANNEL_CTL4args a;
	callback_sec_parms4 p[3];
	static const char machine[] = "client.example";
	static gid_t gids[] = { 100, 0, 65534 };
	static const char h1[] = "from-server", h2[] = "from-client";

	memset(&a, 0, sizeof(a));
	memset(p, 0, sizeof(p));
	a.bca_cb_program = 0x40000000;
	p[0].cb_secflavor = AUTH_NONE;
	a.bca_sec_parms.bca_sec_parms_len = 1;
	a.bca_sec_parms.bca_sec_parms_val = p;
	put_xdr("xdr_bcctl_args", "auth-none", (xdrproc_t)
		xdr_BACKCHANNEL_CTL4args, &a, sizeof(a), NULL, 0);

	p[1].cb_secflavor = AUTH_SYS;
	p[1].callback_sec_parms4_u.cbsp_sys_cred.aup_time = 1700000000;
	p[1].callback_sec_parms4_u.cbsp_sys_cred.aup_machname =
		(char *)machine;
	p[1].callback_sec_parms4_u.cbsp_sys_cred.aup_uid = 1000;
	p[1].callback_sec_parms4_u.cbsp_sys_cred.aup_gid = 1000;
	p[1].callback_sec_parms4_u.cbsp_sys_cred.aup_len = 3;
	p[1].callback_sec_parms4_u.cbsp_sys_cred.aup_gids = gids;
	p[2].cb_secflavor = RPCSEC_GSS;
	p[2].callback_sec_parms4_u.cbsp_gss_handles.gcbp_service =
		RPCSEC_GSS_SVC_INTEGRITY;
	p[2].callback_sec_parms4_u.cbsp_gss_handles.gcbp_handle_from_server
		.gsshandle4_t_len = sizeof(h1) - 1;
	p[2].callback_sec_parms4_u.cbsp_gss_handles.gcbp_handle_from_server
		.gsshandle4_t_val = (char *)h1;
	p[2].callback_sec_parms4_u.cbsp_gss_handles.gcbp_handle_from_client
		.gsshandle4_t_len = sizeof(h2) - 1;
	p[2].callback_sec_parms4_u.cbsp_gss_handles.gcbp_handle_from_client
		.gsshandle4_t_val = (char *)h2;
	a.bca_sec_parms.bca_sec_parms_len = 3;
	put_xdr("xdr_bcctl_args", "none-sys-gss", (xdrproc_t)
		xdr_BACKCHANNEL_CTL4args, &a, sizeof(a), NULL, 0);

	a.bca_sec_parms.bca_sec_parms_len = 0;
	a.bca_cb_program = 0;
	put_xdr("xdr_bcctl_args", "no-flavours", (xdrproc_t)
		xdr_BACKCHANNEL_CTL4args, &a, sizeof(a), NULL, 0);
}

static void cb_res_seed(const char *seed, uint8_t minor, nfsstat4 status,
			const char *tag, nfs_cb_resop4 *ops, u_int nops)
{
	CB_COMPOUND4res r;

	memset(&r, 0, sizeof(r));
	r.status = status;
	r.tag.utf8string_val = (char *)tag;
	r.tag.utf8string_len = strlen(tag);
	r.resarray.resarray_len = nops;
	r.resarray.resarray_val = ops;
	put_xdr("xdr_cb_compound_res", seed, (xdrproc_t)xdr_CB_COMPOUND4res,
		&r, sizeof(r), &minor, 1);
}

static void cb_res_seeds(void)
{
	nfs_cb_resop4 ops[3];
	CB_SEQUENCE4resok *ok;

	memset(ops, 0, sizeof(ops));
	ops[0].resop = NFS4_OP_CB_SEQUENCE;
	ops[0].nfs_cb_resop4_u.opcbsequence.csr_status = NFS4_OK;
	ok = &ops[0].nfs_cb_resop4_u.opcbsequence.CB_SEQUENCE4res_u.csr_resok4;
	memset(ok->csr_sessionid, 0x5a, NFS4_SESSIONID_SIZE);
	ok->csr_sequenceid = 1;
	ok->csr_slotid = 0;
	ok->csr_highest_slotid = 15;
	ok->csr_target_highest_slotid = 3;
	ops[1].resop = NFS4_OP_CB_RECALL;
	ops[1].nfs_cb_resop4_u.opcbrecall.status = NFS4_OK;
	cb_res_seed("v41-recall-ok", 1, NFS4_OK, "", ops, 2);

	/* Reproducer: more results than the 2 ops sent (heap overflow in
	 * Ganesha 6.5's callback reply decode)
	 */
	ops[2] = ops[1];
	cb_res_seed("v41-more-results-than-ops", 1, NFS4_OK, "", ops, 3);

	/* A CB_GETATTR4res (an fattr4) answering a CB_RECALL */
	ops[1].resop = NFS4_OP_CB_GETATTR;
	ops[1].nfs_cb_resop4_u.opcbgetattr.status = NFS4_OK;
	ops[1].nfs_cb_resop4_u.opcbgetattr.CB_GETATTR4res_u.resok4
		.obj_attributes.attr_vals.attrlist4_len = 8;
	ops[1].nfs_cb_resop4_u.opcbgetattr.CB_GETATTR4res_u.resok4
		.obj_attributes.attr_vals.attrlist4_val = (char *)"\0\0\0\0\0\0\0\1";
	bitmap(&ops[1].nfs_cb_resop4_u.opcbgetattr.CB_GETATTR4res_u.resok4
			.obj_attributes.attrmask,
	       BIT(FATTR4_SIZE), 0);
	cb_res_seed("v41-getattr-for-recall", 1, NFS4_OK, "", ops, 2);

	ops[1].resop = NFS4_OP_CB_NOTIFY;
	ops[1].nfs_cb_resop4_u.opcbnotify.cnr_status = NFS4_OK;
	cb_res_seed("v41-notify-ok", 1, NFS4_OK, "ditto", ops, 2);

	ops[1].nfs_cb_resop4_u.opcbnotify.cnr_status = NFS4ERR_BADHANDLE;
	cb_res_seed("v41-notify-badhandle", 1, NFS4ERR_BADHANDLE, "", ops, 2);

	ops[0].nfs_cb_resop4_u.opcbsequence.csr_status = NFS4ERR_DELAY;
	cb_res_seed("v41-seq-delay", 1, NFS4ERR_DELAY, "", ops, 1);
	ops[0].nfs_cb_resop4_u.opcbsequence.csr_status = NFS4ERR_BADSESSION;
	cb_res_seed("v41-seq-badsession", 1, NFS4ERR_BADSESSION, "", ops, 1);

	ops[0].resop = NFS4_OP_CB_RECALL;
	ops[0].nfs_cb_resop4_u.opcbrecall.status = NFS4_OK;
	cb_res_seed("v40-recall-ok", 0, NFS4_OK, "", ops, 1);
	ops[0].resop = NFS4_OP_CB_ILLEGAL;
	ops[0].nfs_cb_resop4_u.opcbillegal.status = NFS4ERR_OP_ILLEGAL;
	cb_res_seed("v40-illegal", 0, NFS4ERR_OP_ILLEGAL, "", ops, 1);
}

/* An entry with TYPE (4 bytes) and CHANGE (8 bytes) */
static void entry(notify_entry4 *ne, const char *name, char *vals)
{
	static const uint8_t v[12] = { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42 };

	memset(ne, 0, sizeof(*ne));
	ne->ne_file.utf8string_val = (char *)name;
	ne->ne_file.utf8string_len = strlen(name);
	memcpy(vals, v, sizeof(v));
	bitmap(&ne->ne_attrs.attrmask, BIT(FATTR4_TYPE) | BIT(FATTR4_CHANGE),
	       0);
	ne->ne_attrs.attr_vals.attrlist4_len = sizeof(v);
	ne->ne_attrs.attr_vals.attrlist4_val = vals;
}

/* The body of each notification type, as patch 0058 encodes it */
struct bodies {
	notify_attr4 at;
	notify_remove4 rm, old;
	notify_add4 add;
	notify_rename4 rn;
	notify_verifier4 vf;
	nfs_cookie4 cookie;
	char vals[5][12];
};

static void make_bodies(struct bodies *b)
{
	memset(b, 0, sizeof(*b));
	entry(&b->at.na_changed_entry, "", b->vals[0]);
	entry(&b->rm.nrm_old_entry, "gone", b->vals[1]);
	entry(&b->add.nad_new_entry, "new", b->vals[2]);
	b->cookie = 7;
	b->add.nad_new_entry_cookie.nad_new_entry_cookie_len = 1;
	b->add.nad_new_entry_cookie.nad_new_entry_cookie_val = &b->cookie;
	entry(&b->old.nrm_old_entry, "to", b->vals[3]);
	entry(&b->rn.nrn_old_entry.nrm_old_entry, "from", b->vals[4]);
	b->rn.nrn_new_entry.nad_new_entry = b->old.nrm_old_entry;
	b->rn.nrn_new_entry.nad_old_entry.nad_old_entry_len = 1;
	b->rn.nrn_new_entry.nad_old_entry.nad_old_entry_val = &b->old;
	memset(b->vf.nv_old_cookieverf, 1, NFS4_VERIFIER_SIZE);
	memset(b->vf.nv_new_cookieverf, 2, NFS4_VERIFIER_SIZE);
}

static void *body_of(struct bodies *b, unsigned int type)
{
	switch (type) {
	case NOTIFY4_CHANGE_CHILD_ATTRS:
	case NOTIFY4_CHANGE_DIR_ATTRS:
		return &b->at;
	case NOTIFY4_REMOVE_ENTRY:
		return &b->rm;
	case NOTIFY4_ADD_ENTRY:
		return &b->add;
	case NOTIFY4_RENAME_ENTRY:
		return &b->rn;
	default:
		return &b->vf;
	}
}

static const char *const type_names[] = {
	"child-attrs", "dir-attrs", "remove", "add", "rename", "verifier",
};

#include "xdr_notify.h"

/* Encodes a body into buf; returns its length */
static u_int encode_body(unsigned int type, struct bodies *b, char *buf,
			 u_int cap)
{
	XDR x;
	u_int len;

	xdrmem_create(&x, buf, cap, XDR_ENCODE);
	FUZZ_CHECK(notify_body_type(type).proc(&x, body_of(b, type)));
	len = xdr_getpos(&x);
	xdr_destroy(&x);
	return len;
}

static void notify_seeds(void)
{
	static uint32_t bodybuf[NOTIFY_BODY_TYPES][256]; /* aligned */
	static char multi[4096];
	static char fh[16] = "ditto-handle-123";
	struct bodies b;
	notify4 changes[NOTIFY_BODY_TYPES + 1];
	CB_NOTIFY4args a;
	u_int len, mlen = 0;
	unsigned int t;
	uint8_t type;

	make_bodies(&b);
	memset(&a, 0, sizeof(a));
	memset(changes, 0, sizeof(changes));
	a.cna_stateid.seqid = 1;
	memset(a.cna_stateid.other, 0x33, sizeof(a.cna_stateid.other));
	a.cna_fh.nfs_fh4_len = sizeof(fh);
	a.cna_fh.nfs_fh4_val = fh;

	for (t = 0; t < NOTIFY_BODY_TYPES; t++) {
		char seed[64];

		type = t;
		put_xdr("xdr_notify_body", type_names[t],
			notify_body_type(t).proc, body_of(&b, t),
			notify_body_type(t).size, &type, 1);

		/* One notify4 per type, as patch 0058 sends them */
		len = encode_body(t, &b, (char *)bodybuf[t],
				  sizeof(bodybuf[t]));
		bitmap(&changes[t].notify_mask, BIT(t), 0);
		changes[t].notify_vals.notifylist4_len = len;
		changes[t].notify_vals.notifylist4_val = (char *)bodybuf[t];
		a.cna_changes.cna_changes_len = 1;
		a.cna_changes.cna_changes_val = &changes[t];
		snprintf(seed, sizeof(seed), "one-%s", type_names[t]);
		put_xdr("xdr_cb_notify_args", seed,
			(xdrproc_t)xdr_CB_NOTIFY4args, &a, sizeof(a), NULL, 0);

		/* And all bodies in one notify4, in bit order */
		if (t != NOTIFY4_CHANGE_CHILD_ATTRS) {
			memcpy(multi + mlen, bodybuf[t], len);
			mlen += len;
		}
	}

	/* A batch: every type in order, then one notify4 holding several */
	bitmap(&changes[NOTIFY_BODY_TYPES].notify_mask,
	       BIT(NOTIFY4_CHANGE_DIR_ATTRS) | BIT(NOTIFY4_REMOVE_ENTRY) |
		       BIT(NOTIFY4_ADD_ENTRY) | BIT(NOTIFY4_RENAME_ENTRY) |
		       BIT(NOTIFY4_CHANGE_COOKIE_VERIFIER),
	       0);
	changes[NOTIFY_BODY_TYPES].notify_vals.notifylist4_len = mlen;
	changes[NOTIFY_BODY_TYPES].notify_vals.notifylist4_val = multi;
	a.cna_changes.cna_changes_len = NOTIFY_BODY_TYPES + 1;
	a.cna_changes.cna_changes_val = changes;
	put_xdr("xdr_cb_notify_args", "batch", (xdrproc_t)xdr_CB_NOTIFY4args,
		&a, sizeof(a), NULL, 0);
}

/* store_names programs: op byte, then that op's choices (store_names.c).
 * Names: 10 = short name (length-1 byte, letter bytes), 0 "", 1 ".",
 * 2 "..", 3 "/", 5 255 bytes, 6 256 bytes, 7/8 non-UTF-8, 13 raw.
 */
static void store_seeds(void)
{
	/* mkdir a; create a/b; link a/b as c; rename c over a/b; readdir */
	static const uint8_t basic[] = {
		1, 0, 10, 0, 0,		/* mkdir / "a" */
		0, 1, 10, 0, 1,		/* create a "b" */
		4, 2, 0, 10, 0, 2,	/* link a/b as /"c" */
		7, 0, 1, 10, 0, 2, 10, 0, 1, /* rename /c -> a/b (same) */
		9, 1, 3,		/* readdir a, batch 4 */
		9, 0, 0,		/* readdir /, batch 1 */
		3, 1, 2,		/* lookup a ".." */
		10, 0, 2,		/* find b by handle */
	};
	/* bad names everywhere */
	static const uint8_t names[] = {
		0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4,
		0, 0, 5, 1, 0, 0, 6, 1, 0, 0, 7, 0, 0, 8,
		0, 0, 13, 3, 'x', 0, 'y',	/* "x" (NUL ends it) */
		3, 0, 1, 3, 0, 2, 3, 0, 3, 3, 0, 5, 1, 3, 0, 6, 1,
		5, 0, 1, 5, 0, 2, 5, 0, 5, 1, 7, 0, 0, 5, 1, 0, 8,
		9, 0, 7,
	};
	/* directory moves: into own subtree, over non-empty, across */
	static const uint8_t moves[] = {
		1, 0, 10, 0, 0,		/* mkdir /a */
		1, 1, 10, 0, 1,		/* mkdir a/b */
		1, 0, 10, 0, 2,		/* mkdir /c */
		7, 0, 1, 10, 0, 0, 10, 0, 0, /* rename /a -> a/a: EINVAL */
		7, 0, 0, 10, 0, 2, 10, 0, 0, /* rename /c over /a: ENOTEMPTY */
		7, 1, 3, 10, 0, 1, 10, 0, 1, /* rename a/b -> c/b */
		7, 0, 0, 10, 0, 2, 10, 0, 0, /* rename /c over /a (empty) */
		6, 0, 10, 0, 0,		/* rmdir /a: not empty */
		9, 0, 7, 9, 1, 7,	/* readdir /, readdir dead a */
		10, 0, 1,
	};
	/* a listing with a change in the middle */
	static const uint8_t across[] = {
		0, 0, 10, 0, 0, 0, 0, 10, 0, 1, 0, 0, 10, 0, 2,
		0, 0, 10, 1, 0, 0, 0, 0, 10, 1, 1, 1,
		11, 0, 1, 4, 0, 0, 10, 0, 0, 10, 0, 1, /* by 2; mv a b */
		11, 0, 0, 3, 0, 10, 0, 2,	/* by 1; rm c */
		11, 0, 2, 0, 0, 10, 2, 2, 2, 2,	/* by 3; create ccc */
	};

	put("store_names", "basic", basic, sizeof(basic));
	put("store_names", "names", names, sizeof(names));
	put("store_names", "moves", moves, sizeof(moves));
	put("store_names", "across", across, sizeof(across));
}

/*
 * fsal_handle: well-formed handles (a store's generations are random,
 * the fuzzer finds live ones through ds_find's comparisons) and the
 * shapes around them.
 */
static void handle_seeds(void)
{
	struct ditto_wire w;

	ditto_wire_encode(&w, &(struct ditto_wire_id){ .export_id = 1,
						       .fileid = 1 });
	put("fsal_handle", "root-gen0", &w, sizeof(w));
	ditto_wire_encode(&w, &(struct ditto_wire_id){
		.export_id = 1, .generation = 0xffffffffu, .fileid = 7 });
	put("fsal_handle", "file-gen-max", &w, sizeof(w));
	put("fsal_handle", "short", &w, sizeof(w) - 1);
	w.version = DITTO_WIRE_VERSION + 1;
	put("fsal_handle", "version2", &w, sizeof(w));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	gdd_seeds();
	bcctl_seeds();
	cb_res_seeds();
	notify_seeds();
	store_seeds();
	handle_seeds();
	return 0;
}

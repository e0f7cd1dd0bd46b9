// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Bad input over the wire: each gets the RFC's error, the server stays
 * up and nothing leaks.
 *
 * Bullets of the "bad input" issue already covered elsewhere:
 *   truncated COMPOUND body ......... XDR1 (cases_xdr.c)
 *   op count larger than the body ... XDR2
 *   huge tag length ................. XDR3
 *   unknown operation ............... XDR4
 *   minorversion 99 ................. XDR5
 *   record fragments reassembled .... XDR6
 *   slot id past the table .......... SEQ3 (cases_sequence.c)
 *   unknown session id .............. SEQ2, DSESS2
 *   another client's stateid ........ TSTID2 (TEST_STATEID only; the other
 *                                     operations are BADIN8 here)
 *   GET_DIR_DELEGATION on a file .... DIRDELEG3 (cases_dirdeleg.c)
 * Sessions of another client: without state protection (SP4_NONE, what
 * every client here asks for) a session is not tied to a principal, so
 * using or destroying it from another connection is not an error (RFC
 * 8881 sections 2.10.8.3 and 18.37.3); unknown ones are SEQ2/DSESS2.
 *
 * Added here (flag badinput):
 *   BADIN1  "." and ".." in CREATE/OPEN/LINK/RENAME: NFS4ERR_BADNAME
 *   BADIN2  "/" in a component: NFS4ERR_BADCHAR or NFS4ERR_BADNAME
 *   BADIN3  zero-length names: NFS4ERR_INVAL
 *   BADIN4  names that are not UTF-8: NFS4ERR_INVAL
 *   BADIN5  names longer than maxname: NFS4ERR_NAMETOOLONG
 *   BADIN6  name and opaque lengths past the body: BADXDR/GARBAGE_ARGS
 *   BADIN7  request over ca_maxrequestsize: NFS4ERR_REQ_TOO_BIG
 *   BADIN8  another client's stateid in READ/WRITE/SETATTR/LOCK/CLOSE
 *   BADIN9  modifying a read-only export: NFS4ERR_ROFS
 *   BADIN10 root squash: uid 0 is the anonymous user (ACCESS in another
 *           user's 0755 directory, owner 65534 where it may create)
 *   BADIN11 truncated records, empty fragments, and records longer
 *           than the server's limit (a 2 GiB fragment, one of limit+1,
 *           fragments adding up to limit+1): those connections are
 *           dropped, a client connected before still WRITEs 1 MiB, the
 *           server's descriptors come back
 *   BADIN12 a burst of all of the above: descriptors, sessions and
 *           slots back to their baseline
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "case.h"
#include "daemon_proc.h"
#include "metrics_scrape.h"
#include "rpc_record.h"

/* Bounded waits for the daemon to settle: tries x interval. */
#define SETTLE_TRIES DC_SETTLE_TRIES
#define SETTLE_US DC_SETTLE_US

/* ---- helpers -------------------------------------------------------- */

/* [SEQUENCE, PUTFH fh (or the export), ...fill] on a fresh slot. */
static int on_fh(struct dc_client *cl, const nfs_fh4 *fh,
		 void (*fill)(struct dc_compound *c, void *arg), void *arg,
		 struct dc_cres *r)
{
	return dc_client_on_fh(cl, "badinput", 1, fh, fill, arg, r);
}

/* Status of the last result in r (the op that failed, or the last). */
static nfsstat4 last_status(struct dc_cres *r)
{
	unsigned int n = r->decoded ? r->res.resarray.resarray_len : 0;

	return n ? dc_cres_status(r, n - 1) : (nfsstat4)-1;
}

static void copy_last_fh(struct dc_cres *r, nfs_fh4 *fh)
{
	unsigned int n = r->res.resarray.resarray_len;

	dc_fh_copy(fh, &dc_cres_op(r, n - 1)
			       ->nfs_resop4_u.opgetfh.GETFH4res_u.resok4
			       .object);
}

static void fill_mkdir_fh(struct dc_compound *c, void *arg)
{
	dc_op_mkdir(c, arg);
	dc_op_getfh(c);
}

/* A new directory in the export; its handle in *fh. */
static int make_dir(struct dc_client *cl, const char *name, nfs_fh4 *fh,
		    nfsstat4 *st)
{
	struct dc_cres r;
	int rc = on_fh(cl, NULL, fill_mkdir_fh, (void *)name, &r);

	if (!rc) {
		*st = r.res.status;
		if (*st == NFS4_OK)
			copy_last_fh(&r, fh);
	}
	dc_cres_free(&r);
	return rc;
}

struct open_arg {
	struct dc_client *cl;
	const char *name;
	bool create;
	uint32_t access;
};

static void fill_open(struct dc_compound *c, void *arg)
{
	struct open_arg *o = arg;
	char oo[64];

	snprintf(oo, sizeof(oo), "oo-bi-%llx",
		 (unsigned long long)o->cl->clientid);
	dc_op_open(c, 0, o->cl->clientid, oo, o->name, o->create,
		   o->access | OPEN4_SHARE_ACCESS_WANT_NO_DELEG);
	dc_op_getfh(c);
}

/* OPEN (create) name in dir and CLOSE it again; its handle in *fh. */
static int make_file(struct dc_client *cl, const nfs_fh4 *dir,
		     const char *name, nfs_fh4 *fh, nfsstat4 *st)
{
	struct open_arg o = { cl, name, true, OPEN4_SHARE_ACCESS_BOTH };
	struct dc_cres r;
	stateid4 sid;
	int rc = on_fh(cl, dir, fill_open, &o, &r);

	if (rc)
		goto out;
	*st = r.res.status;
	if (*st != NFS4_OK)
		goto out;
	sid = dc_cres_op(&r, r.res.resarray.resarray_len - 2)
		      ->nfs_resop4_u.opopen.OPEN4res_u.resok4.stateid;
	copy_last_fh(&r, fh);
	rc = dc_client_close_file(cl, fh, &sid, st);
out:
	dc_cres_free(&r);
	return rc;
}

static void fill_readdir(struct dc_compound *c, void *arg)
{
	dc_op_readdir(c, 0, 8192, 32768, 1u << FATTR4_TYPE, 0);
}

/* The directory's names, each followed by '/', in buf. */
static int list_dir(struct dc_client *cl, const nfs_fh4 *dir, char *buf,
		    size_t len, nfsstat4 *st)
{
	struct dc_cres r;
	entry4 *e;
	size_t n = 0;
	int rc = on_fh(cl, dir, fill_readdir, NULL, &r);

	buf[0] = 0;
	if (rc)
		goto out;
	*st = r.res.status;
	if (*st != NFS4_OK)
		goto out;
	e = dc_cres_op(&r, 2)->nfs_resop4_u.opreaddir.READDIR4res_u.resok4
		    .reply.entries;
	for (; e && n < len; e = e->nextentry)
		n += snprintf(buf + n, len - n, "%.*s/",
			      (int)e->name.utf8string_len,
			      e->name.utf8string_val);
out:
	dc_cres_free(&r);
	return rc;
}

/* ---- names (BADIN1-5) ------------------------------------------------ */

enum name_op { N_CREATE, N_OPEN, N_LINK, N_RENAME_OLD, N_RENAME_NEW };

static const char *const name_op_str[] = {
	"CREATE", "OPEN", "LINK", "RENAME (old name)", "RENAME (new name)"
};

struct name_arg {
	struct dc_client *cl;
	const nfs_fh4 *dir, *file;
	enum name_op op;
	const char *name;
	const char *file_name;	/* existing file in dir */
};

static void fill_name_op(struct dc_compound *c, void *arg)
{
	struct name_arg *a = arg;
	struct open_arg o = { a->cl, a->name, true, OPEN4_SHARE_ACCESS_BOTH };

	switch (a->op) {
	case N_CREATE:
		dc_op_mkdir(c, a->name);
		break;
	case N_OPEN:
		fill_open(c, &o);
		break;
	case N_LINK:
		/* PUTFH dir is already there: SAVEFH the file instead. */
		dc_op_putfh(c, a->file);
		dc_op_savefh(c);
		dc_op_putfh(c, a->dir);
		dc_op_link(c, a->name);
		break;
	case N_RENAME_OLD:
		dc_op_savefh(c);
		dc_op_rename(c, a->name, "bi-renamed");
		break;
	case N_RENAME_NEW:
		dc_op_savefh(c);
		dc_op_rename(c, a->file_name, a->name);
		break;
	}
}

/* Printable form of a name for messages (non-ASCII as \xNN). */
static const char *show(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (strlen(s) > 40) {
		snprintf(buf, len, "<%zu bytes>", strlen(s));
		return buf;
	}
	buf[0] = 0;
	for (; *s && n + 5 < len; s++) {
		unsigned char ch = *s;

		n += snprintf(buf + n, len - n,
			      ch >= 0x20 && ch < 0x7f ? "%c" : "\\x%02x", ch);
	}
	return buf;
}

/* Send a->op with a->name in a->dir; *got is the op's status. */
static int try_name(struct name_arg *a, nfsstat4 *got)
{
	struct dc_cres r;
	int rc = on_fh(a->cl, a->dir, fill_name_op, a, &r);

	if (!rc)
		*got = r.decoded ? last_status(&r) : (nfsstat4)-1;
	dc_cres_free(&r);
	return rc;
}

/*
 * The common body of the name cases: a fresh directory holding one file
 * "f"; CREATE, OPEN, LINK and RENAME (old and new name) with every name
 * in names[] must answer one of want[]; afterwards the directory still
 * holds only "f".
 */
static void names_case(struct dc_ctx *ctx, const char *const *names,
		       unsigned int nnames, const nfsstat4 *want,
		       unsigned int nwant)
{
	struct dc_client cl = { 0 };
	nfs_fh4 dir = { 0 }, file = { 0 };
	struct name_arg a = { 0 };
	char dname[96], list[512], shown[64];
	nfsstat4 st, got = NFS4_OK;
	unsigned int i, op, w;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	dc_name(ctx, "dir", dname, sizeof(dname));
	rc = make_dir(&cl, dname, &dir, &st);
	EXPECT_OK(rc, st, "CREATE test directory");
	rc = make_file(&cl, &dir, "f", &file, &st);
	EXPECT_OK(rc, st, "OPEN create f");
	a.cl = &cl;
	a.dir = &dir;
	a.file = &file;
	a.file_name = "f";
	for (i = 0; i < nnames; i++) {
		for (op = N_CREATE; op <= N_RENAME_NEW; op++) {
			a.op = op;
			a.name = names[i];
			rc = try_name(&a, &got);
			EXPECT_RPC(rc, name_op_str[op]);
			for (w = 0; w < nwant; w++)
				if (got == want[w])
					break;
			EXPECT(w < nwant, "%s \"%s\": got %s, expected %s%s%s",
			       name_op_str[op],
			       show(names[i], shown, sizeof(shown)),
			       dc_nfsstat_name(got), dc_nfsstat_name(want[0]),
			       nwant > 1 ? " or " : "",
			       nwant > 1 ? dc_nfsstat_name(want[1]) : "");
		}
	}
	/* Nothing was created, linked or renamed by the refused calls. */
	rc = list_dir(&cl, &dir, list, sizeof(list), &st);
	EXPECT_OK(rc, st, "READDIR of the test directory");
	EXPECT(!strcmp(list, "f/"), "directory holds \"%s\", expected \"f/\"",
	       list);
	EXPECT(dc_server_alive(&ctx->srv),
	       "server does not answer NULL afterwards");
out:
	dc_fh_free(&file);
	dc_fh_free(&dir);
	dc_client_destroy(&cl);
}

static void badin1_dots(struct dc_ctx *ctx)
{
	static const char *const names[] = { ".", ".." };
	static const nfsstat4 want[] = { NFS4ERR_BADNAME };

	names_case(ctx, names, 2, want, 1);
}

static void badin2_slash(struct dc_ctx *ctx)
{
	static const char *const names[] = { "a/b", "/", "bi/" };
	/*
	 * "/" is a character the server does not support in a component
	 * (BADCHAR, 15.1.7.1) or makes the name invalid (BADNAME,
	 * 15.1.7.2); RFC 8881 names no single one.
	 */
	static const nfsstat4 want[] = { NFS4ERR_BADCHAR, NFS4ERR_BADNAME };

	names_case(ctx, names, 3, want, 2);
}

static void badin3_empty(struct dc_ctx *ctx)
{
	static const char *const names[] = { "" };
	static const nfsstat4 want[] = { NFS4ERR_INVAL };

	names_case(ctx, names, 1, want, 1);
}

static void badin4_utf8(struct dc_ctx *ctx)
{
	static const char *const names[] = {
		"bi-\xff",		/* never valid in UTF-8 */
		"bi-\xc3",		/* sequence cut short */
		"bi-\xc0\xaf",		/* overlong "/" */
		"bi-\xed\xa0\x80",	/* UTF-16 surrogate */
		"\x80 bi",		/* stray continuation byte */
	};
	static const nfsstat4 want[] = { NFS4ERR_INVAL };

	names_case(ctx, names, 5, want, 1);
}

static void fill_getattr_maxname(struct dc_compound *c, void *arg)
{
	dc_op_getattr(c, 1u << FATTR4_MAXNAME, 0);
}

static void fill_lookup(struct dc_compound *c, void *arg)
{
	dc_op_lookup(c, arg);
}

static bool lookup_raw(struct dc_ctx *ctx, struct dc_client *cl,
		       const char *name, size_t len);

static void badin5_long(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	nfs_fh4 dir = { 0 }, file = { 0 };
	char dname[96], *name = NULL;
	uint32_t maxname = 0;
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	dc_name(ctx, "dir", dname, sizeof(dname));
	rc = make_dir(&cl, dname, &dir, &st);
	EXPECT_OK(rc, st, "CREATE test directory");
	rc = on_fh(&cl, &dir, fill_getattr_maxname, NULL, &r);
	EXPECT_OK(rc, r.res.status, "GETATTR maxname");
	{
		fattr4 *fa = &dc_cres_op(&r, 2)->nfs_resop4_u.opgetattr
				      .GETATTR4res_u.resok4.obj_attributes;
		uint32_t be;

		EXPECT(fa->attr_vals.attrlist4_len == 4,
		       "maxname attribute of %u bytes",
		       fa->attr_vals.attrlist4_len);
		memcpy(&be, fa->attr_vals.attrlist4_val, 4);
		maxname = ntohl(be);
	}
	dc_cres_free(&r);
	EXPECT(maxname > 0 && maxname < 65536, "maxname %u", maxname);
	dc_note(ctx, "maxname %u", maxname);
	/* 64 KiB + 1 covers every maxname; all sent in full. */
	name = malloc(65537 + 1);
	EXPECT(name, "out of memory");
	memset(name, 'n', 65537);
	/* Exactly maxname bytes is a valid name. */
	name[maxname] = 0;
	rc = make_file(&cl, &dir, name, &file, &st);
	EXPECT_OK(rc, st, "OPEN create of a maxname-byte name");
	name[maxname] = 'n';
	name[maxname + 1] = 0;
	{
		struct name_arg a = { &cl, &dir, &file, N_CREATE, name, "f" };
		nfsstat4 got;

		for (a.op = N_CREATE; a.op <= N_LINK; a.op++) {
			rc = try_name(&a, &got);
			EXPECT_RPC(rc, name_op_str[a.op]);
			EXPECT_STATUS(got, NFS4ERR_NAMETOOLONG,
				      name_op_str[a.op]);
		}
	}
	/* A 4 KiB name in LOOKUP. */
	name[maxname + 1] = 'n';
	name[4096] = 0;
	rc = on_fh(&cl, &dir, fill_lookup, name, &r);
	EXPECT_RPC(rc, "LOOKUP of a 4 KiB name");
	EXPECT_STATUS(last_status(&r), NFS4ERR_NAMETOOLONG,
		      "LOOKUP of a 4 KiB name");
	/*
	 * A 64 KiB name, sent whole: NAMETOOLONG, or a decoder limit on
	 * strings (Ganesha's is 8 KiB) making it BADXDR/GARBAGE_ARGS.
	 */
	name[4096] = 'n';
	if (!lookup_raw(ctx, &cl, name, 65536))
		goto out;
	EXPECT(dc_server_alive(&ctx->srv),
	       "server does not answer NULL afterwards");
out:
	free(name);
	dc_cres_free(&r);
	dc_fh_free(&file);
	dc_fh_free(&dir);
	dc_client_destroy(&cl);
}

/* ---- raw COMPOUND bytes (BADIN6) ------------------------------------ */

/* Tag "bi", minorversion 1, nops, SEQUENCE, PUTROOTFH. */
static void raw_head_seq(struct dc_wbuf *w, struct dc_client *cl, uint32_t nops,
			 uint32_t seqid, uint32_t slot)
{
	dc_wbuf_u32(w, 2);
	dc_wbuf_opaque(w, "bi", 2);
	dc_wbuf_u32(w, 1);
	dc_wbuf_u32(w, nops);
	dc_wbuf_u32(w, NFS4_OP_SEQUENCE);
	dc_wbuf_opaque(w, cl->sid, NFS4_SESSIONID_SIZE);
	dc_wbuf_u32(w, seqid);
	dc_wbuf_u32(w, slot);
	dc_wbuf_u32(w, 0);	/* highest */
	dc_wbuf_u32(w, 0);	/* cachethis */
	dc_wbuf_u32(w, NFS4_OP_PUTROOTFH);
}

/* For requests the server cannot decode: SEQUENCE never runs. */
static void raw_head(struct dc_wbuf *w, struct dc_client *cl, uint32_t nops)
{
	raw_head_seq(w, cl, nops, 1, 0);
}

/* [SEQUENCE, PUTROOTFH, LOOKUP name] as raw bytes, name len bytes. */
static bool lookup_raw(struct dc_ctx *ctx, struct dc_client *cl,
		       const char *name, size_t len)
{
	struct dc_wbuf w = { .n = 0 };
	struct dc_compound c;
	uint8_t *b = malloc(sizeof(w.b) + len + 4);
	uint32_t slot, seqid;
	bool ok = false;

	if (!b || dc_client_begin(cl, &c, "raw", false, &slot)) {
		dc_fail(ctx, "no memory or no free slot for a raw LOOKUP");
		free(b);
		return false;
	}
	seqid = c.ops[0].nfs_argop4_u.opsequence.sa_sequenceid;
	dc_compound_free(&c);
	raw_head_seq(&w, cl, 3, seqid, slot);
	dc_wbuf_u32(&w, NFS4_OP_LOOKUP);
	dc_wbuf_u32(&w, len);
	memcpy(b, w.b, w.n);
	memcpy(b + w.n, name, len);
	memset(b + w.n + len, 0, 4);
	ok = dc_check_garbage(ctx, cl, b, w.n + ((len + 3) & ~(size_t)3),
			      NFS4ERR_NAMETOOLONG, &slot,
			      "LOOKUP of a 64 KiB name") != DC_GARBAGE_FAILED;
	free(b);
	return ok;
}

static void badin6_lengths(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	long pid = dc_daemon_pid(), vm0, peak;
	struct dc_wbuf w;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	/* LOOKUP whose name claims 2 GiB - 16 bytes; 8 follow. */
	w.n = 0;
	raw_head(&w, &cl, 3);
	dc_wbuf_u32(&w, NFS4_OP_LOOKUP);
	dc_wbuf_u32(&w, 0x7ffffff0);
	dc_wbuf_zeros(&w, 8);
	if (dc_check_garbage(ctx, &cl, w.b, w.n, NFS4_OK, NULL,
			     "LOOKUP name of 2 GiB") == DC_GARBAGE_FAILED)
		goto out;
	/*
	 * WRITE whose data claims 2 GiB - 1 bytes.  The daemon must not
	 * reserve what the client only claims: its peak address space
	 * stays below its size before + 1 GiB (a malloc of the claimed
	 * length failing ends in gsh_malloc's abort).
	 */
	w.n = 0;
	raw_head(&w, &cl, 3);
	dc_wbuf_u32(&w, NFS4_OP_WRITE);
	dc_wbuf_zeros(&w, 16);	/* anonymous stateid */
	dc_wbuf_zeros(&w, 8);	/* offset */
	dc_wbuf_u32(&w, UNSTABLE4);
	dc_wbuf_u32(&w, 0x7fffffff);
	dc_wbuf_zeros(&w, 8);
	vm0 = pid > 0 ? dc_daemon_status_kib(pid, "VmSize") : -1;
	if (dc_check_garbage(ctx, &cl, w.b, w.n, NFS4_OK, NULL,
			     "WRITE data of 2 GiB") == DC_GARBAGE_FAILED)
		goto out;
	if (vm0 > 0) {
		peak = dc_daemon_status_kib(pid, "VmPeak");
		EXPECT(peak < vm0 + (1L << 20),
		       "WRITE claiming 2 GiB of data: daemon VmPeak %ld KiB, "
		       "VmSize %ld KiB before", peak, vm0);
	}
	/* OPEN whose owner opaque claims 1 GiB. */
	w.n = 0;
	raw_head(&w, &cl, 3);
	dc_wbuf_u32(&w, NFS4_OP_OPEN);
	dc_wbuf_u32(&w, 0);	/* seqid */
	dc_wbuf_u32(&w, OPEN4_SHARE_ACCESS_READ);
	dc_wbuf_u32(&w, OPEN4_SHARE_DENY_NONE);
	dc_wbuf_zeros(&w, 8);	/* clientid */
	dc_wbuf_u32(&w, 0x40000000);
	dc_wbuf_zeros(&w, 8);
	if (dc_check_garbage(ctx, &cl, w.b, w.n, NFS4_OK, NULL,
			     "OPEN owner of 1 GiB") == DC_GARBAGE_FAILED)
		goto out;
	/* Every length fits but the array of ops claims a billion. */
	w.n = 0;
	raw_head(&w, &cl, 1000000000);
	if (dc_check_garbage(ctx, &cl, w.b, w.n, NFS4_OK, NULL,
			     "10^9 operations") == DC_GARBAGE_FAILED)
		goto out;
	EXPECT(dc_server_alive(&ctx->srv),
	       "server does not answer NULL afterwards");
out:
	dc_client_destroy(&cl);
}

/* ---- ca_maxrequestsize (BADIN7) -------------------------------------- */

struct big_arg {
	stateid4 sid;
	const uint8_t *data;
	uint32_t len;
};

static void fill_write(struct dc_compound *c, void *arg)
{
	struct big_arg *b = arg;

	dc_op_write(c, &b->sid, 0, b->data, b->len);
}

/* Bytes of the RPC call header this client sends (xid to verifier). */
static size_t call_hdr_len(const struct dc_auth *auth)
{
	uint8_t buf[512];
	XDR x;

	xdrmem_create(&x, (char *)buf, sizeof(buf), XDR_ENCODE);
	if (!dc_rpc_encode_call_hdr(&x, 1, NFS4_PROGRAM, NFS_V4,
				    NFS4_PROC_COMPOUND, auth))
		return 0;
	return xdr_getpos(&x);
}

/* Encoded COMPOUND4args of a WRITE of len bytes on fh. */
static int write_args_len(struct dc_client *cl, const nfs_fh4 *fh,
			  struct big_arg *b, uint8_t *buf, size_t size)
{
	struct dc_compound c;
	int n;

	dc_compound_init(&c, 1, "badinput");
	dc_op_sequence(&c, cl->sid, 1, 0, 0, false);
	dc_op_putfh(&c, fh);
	fill_write(&c, b);
	n = dc_compound_encode(&c, buf, size);
	dc_compound_free(&c);
	return n;
}

static void fill_getattr_size(struct dc_compound *c, void *arg)
{
	dc_op_getattr(c, 1u << FATTR4_SIZE, 0);
}

static void badin7_req_too_big(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	struct big_arg b = { 0 };
	nfs_fh4 fh = { 0 };
	uint8_t *buf = NULL, *data = NULL;
	size_t hdr, max, base;
	char name[96];
	nfsstat4 st;
	int n, rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	max = cl.fore.ca_maxrequestsize;
	EXPECT(max >= 4096 && max <= 16u << 20, "ca_maxrequestsize %zu", max);
	dc_name(ctx, "big", name, sizeof(name));
	rc = dc_client_open_file(&cl, name, true, &b.sid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN create");
	buf = malloc(max + 4096);
	data = calloc(1, max);
	EXPECT(buf && data, "out of memory");
	memset(data, 'x', max);
	b.data = data;
	/* The request size as the RFC counts it: RPC header + arguments. */
	hdr = call_hdr_len(&cl.auth);
	n = write_args_len(&cl, &fh, &b, buf, max + 4096);
	EXPECT(hdr > 0 && n > 0, "cannot encode the request");
	base = hdr + n;
	EXPECT(max > base + 8 && (max - base) % 4 == 0,
	       "ca_maxrequestsize %zu vs header %zu", max, base);
	/* 4 bytes over the limit: refused by SEQUENCE, nothing written. */
	b.len = max - base + 4;
	rc = on_fh(&cl, &fh, fill_write, &b, &r);
	EXPECT_RPC(rc, "WRITE over ca_maxrequestsize");
	EXPECT_STATUS(r.res.status, NFS4ERR_REQ_TOO_BIG,
		      "request 4 bytes over ca_maxrequestsize");
	EXPECT(r.res.resarray.resarray_len == 1 &&
		       dc_cres_op(&r, 0)->resop == NFS4_OP_SEQUENCE,
	       "REQ_TOO_BIG not reported by SEQUENCE alone (%u results)",
	       r.res.resarray.resarray_len);
	dc_cres_free(&r);
	rc = on_fh(&cl, &fh, fill_getattr_size, NULL, &r);
	EXPECT_OK(rc, r.res.status, "GETATTR size");
	{
		fattr4 *fa = &dc_cres_op(&r, 2)->nfs_resop4_u.opgetattr
				      .GETATTR4res_u.resok4.obj_attributes;
		uint64_t size = 1;

		if (fa->attr_vals.attrlist4_len == 8) {
			uint32_t be[2];

			memcpy(be, fa->attr_vals.attrlist4_val, 8);
			size = (uint64_t)ntohl(be[0]) << 32 | ntohl(be[1]);
		}
		EXPECT(size == 0, "refused WRITE changed the size to %llu",
		       (unsigned long long)size);
	}
	dc_cres_free(&r);
	/* Exactly ca_maxrequestsize: served (the slot was not used up). */
	b.len = max - base;
	rc = on_fh(&cl, &fh, fill_write, &b, &r);
	EXPECT_OK(rc, r.res.status, "request of exactly ca_maxrequestsize");
	dc_note(ctx, "ca_maxrequestsize %zu: %zu-byte WRITE ok, +4 refused",
		max, (size_t)b.len);
	dc_cres_free(&r);
	rc = dc_client_close_file(&cl, &fh, &b.sid, &st);
	EXPECT_OK(rc, st, "CLOSE");
out:
	free(buf);
	free(data);
	dc_cres_free(&r);
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

/* ---- another client's stateid (BADIN8) ------------------------------- */

struct sid_arg {
	struct dc_client *cl;
	stateid4 sid;
	int op;
};

static void fill_sid_op(struct dc_compound *c, void *arg)
{
	struct sid_arg *s = arg;

	switch (s->op) {
	case 0:
		dc_op_write(c, &s->sid, 0, "stolen", 6);
		break;
	case 1:
		dc_op_read(c, &s->sid, 0, 64);
		break;
	case 2:
		dc_op_setattr_size(c, &s->sid, 0);
		break;
	case 3:
		dc_op_lock(c, &s->sid, s->cl->clientid, "lo-bi", 0, 1);
		break;
	case 4:
		dc_op_close(c, 0, &s->sid);
		break;
	}
}

static const char *const sid_op_str[] = { "WRITE", "READ", "SETATTR size",
					  "LOCK (open_to_lock_owner)",
					  "CLOSE" };

static void fill_write_read(struct dc_compound *c, void *arg)
{
	struct sid_arg *s = arg;

	dc_op_write(c, &s->sid, 0, "mine", 4);
	dc_op_read(c, &s->sid, 0, 64);
}

static void badin8_foreign_stateid(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct dc_cres r = { 0 };
	struct sid_arg s = { 0 };
	nfs_fh4 fh = { 0 }, fhb = { 0 };
	stateid4 sid, sidb;
	char name[96];
	nfsstat4 st;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	dc_name(ctx, "f", name, sizeof(name));
	rc = dc_client_open_file(&a, name, true, &sid, &fh, &st);
	EXPECT_OK(rc, st, "A: OPEN create");
	/* B opens the file too: the file is shared, the state is not. */
	rc = dc_client_open_file(&b, name, false, &sidb, &fhb, &st);
	EXPECT_OK(rc, st, "B: OPEN");
	s.cl = &b;
	s.sid = sid;
	for (s.op = 0; s.op <= 4; s.op++) {
		rc = on_fh(&b, &fh, fill_sid_op, &s, &r);
		EXPECT_RPC(rc, sid_op_str[s.op]);
		EXPECT_STATUS(last_status(&r), NFS4ERR_BAD_STATEID,
			      sid_op_str[s.op]);
		dc_cres_free(&r);
	}
	/* A's open is untouched: it writes, reads back, closes. */
	s.cl = &a;
	rc = on_fh(&a, &fh, fill_write_read, &s, &r);
	EXPECT_OK(rc, r.res.status, "A: WRITE+READ with its stateid");
	{
		READ4resok *rd = &dc_cres_op(&r, 3)->nfs_resop4_u.opread
					  .READ4res_u.resok4;

		EXPECT(rd->data.data_len == 4 &&
			       !memcmp(rd->data.iov[0].iov_base, "mine", 4),
		       "A reads %u bytes, not its own data",
		       rd->data.data_len);
	}
	dc_cres_free(&r);
	rc = dc_client_close_file(&a, &fh, &sid, &st);
	EXPECT_OK(rc, st, "A: CLOSE");
	rc = dc_client_close_file(&b, &fhb, &sidb, &st);
	EXPECT_OK(rc, st, "B: CLOSE of its own stateid");
out:
	dc_cres_free(&r);
	dc_fh_free(&fh);
	dc_fh_free(&fhb);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

/* ---- read-only export, root squash (BADIN9, BADIN10) ----------------- */

static void fill_lookup_export(struct dc_compound *c, void *arg)
{
	dc_op_getfh(c);
}

static void fill_setattr_mode(struct dc_compound *c, void *arg)
{
	SETATTR4args *a =
		&dc_op_add(c, NFS4_OP_SETATTR)->nfs_argop4_u.opsetattr;
	uint32_t be = htonl(*(uint32_t *)arg);

	/* anonymous stateid (all zeros): mode is not size */
	a->obj_attributes.attrmask.bitmap4_len = 2;
	a->obj_attributes.attrmask.map[1] = 1u << (FATTR4_MODE - 32);
	a->obj_attributes.attr_vals.attrlist4_val =
		dc_compound_keep(c, &be, 4);
	a->obj_attributes.attr_vals.attrlist4_len = 4;
}

enum ro_op { RO_OPEN_CREATE, RO_OPEN_WRITE, RO_MKDIR, RO_REMOVE, RO_RENAME,
	     RO_SETATTR, RO_N };

static const char *const ro_op_str[] = {
	"OPEN create", "OPEN for write", "CREATE dir", "REMOVE", "RENAME",
	"SETATTR mode"
};

struct ro_arg {
	struct dc_client *cl;
	enum ro_op op;
};

static void fill_ro_op(struct dc_compound *c, void *arg)
{
	struct ro_arg *a = arg;
	struct open_arg o = { a->cl, "bi-ro", true, OPEN4_SHARE_ACCESS_BOTH };
	uint32_t mode = 0777;

	switch (a->op) {
	case RO_OPEN_CREATE:
		fill_open(c, &o);
		break;
	case RO_OPEN_WRITE:
		o.create = false;
		o.access = OPEN4_SHARE_ACCESS_WRITE;
		fill_open(c, &o);
		break;
	case RO_MKDIR:
		dc_op_mkdir(c, "bi-ro");
		break;
	case RO_REMOVE:
		dc_op_remove(c, "bi-ro");
		break;
	case RO_RENAME:
		dc_op_savefh(c);
		dc_op_rename(c, "bi-ro", "bi-ro2");
		break;
	case RO_SETATTR:
		fill_setattr_mode(c, &mode);
		break;
	default:
		break;
	}
}

static void badin9_rofs(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	struct ro_arg a = { &cl };
	char list[256];
	nfs_fh4 root = { 0 };
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted_as(ctx, &cl, NULL, "-ro");
	EXPECT_RPC(rc, "mount the read-only export");
	rc = on_fh(&cl, NULL, fill_lookup_export, NULL, &r);
	EXPECT_RPC(rc, "LOOKUP export");
	if (r.res.status == NFS4ERR_NOENT)
		SKIP("no read-only export %s-ro", ctx->srv.export);
	EXPECT_STATUS(r.res.status, NFS4_OK, "LOOKUP of the -ro export");
	copy_last_fh(&r, &root);
	dc_cres_free(&r);
	for (a.op = 0; a.op < RO_N; a.op++) {
		rc = on_fh(&cl, &root, fill_ro_op, &a, &r);
		EXPECT_RPC(rc, ro_op_str[a.op]);
		EXPECT_STATUS(last_status(&r), NFS4ERR_ROFS, ro_op_str[a.op]);
		dc_cres_free(&r);
	}
	/* Reading still works. */
	rc = list_dir(&cl, &root, list, sizeof(list), &st);
	EXPECT_OK(rc, st, "READDIR of the read-only export");
	EXPECT(!strstr(list, "bi-ro"), "refused ops left \"%s\"", list);
out:
	dc_cres_free(&r);
	dc_fh_free(&root);
	dc_client_destroy(&cl);
}

static void badin10_root_squash(struct dc_ctx *ctx)
{
	struct dc_client root = { 0 }, user = { 0 };
	struct dc_cres r = { 0 };
	struct dc_auth auth;
	struct dc_gattr ga;
	char name[96];
	nfs_fh4 top = { 0 }, udir = { 0 }, rdir = { 0 };
	nfsstat4 st;
	int rc;

	/* The suite's clients are AUTH_SYS uid 0; user is uid 1000. */
	rc = dc_ctx_mounted_as(ctx, &root, NULL, "-squash");
	EXPECT_RPC(rc, "mount the root-squash export (uid 0)");
	dc_auth_sys(&auth, 1000, 1000);
	rc = dc_ctx_mounted_as(ctx, &user, &auth, "-squash");
	EXPECT_RPC(rc, "mount the root-squash export (uid 1000)");
	rc = on_fh(&root, NULL, fill_lookup_export, NULL, &r);
	EXPECT_RPC(rc, "LOOKUP export");
	if (r.res.status == NFS4ERR_NOENT)
		SKIP("no root-squash export %s-squash", ctx->srv.export);
	EXPECT_STATUS(r.res.status, NFS4_OK, "LOOKUP of the -squash export");
	copy_last_fh(&r, &top);
	dc_cres_free(&r);
	/* uid 1000 is not squashed: its 0755 directory is its own. */
	dc_name(ctx, "u", name, sizeof(name));
	rc = dc_fs_mkdir(&user, &top, name, 0755, &udir, &st);
	EXPECT_RPC(rc, "CREATE dir as uid 1000");
	if (st == NFS4ERR_ACCESS)
		SKIP("export root does not let uid 1000 create");
	EXPECT_STATUS(st, NFS4_OK, "CREATE dir as uid 1000");
	if (!dc_check_getattr(ctx, &user, &udir, &ga, "uid 1000's directory"))
		goto out;
	EXPECT(!strcmp(ga.owner, "1000"), "uid 1000's directory owned by %s",
	       ga.owner);
	EXPECT((ga.mode & 0777) == 0755, "uid 1000's directory has mode %04o",
	       ga.mode & 07777);
	/*
	 * Unsquashed root may create anywhere; squashed, it is "other" to
	 * uid 1000's 0755 directory.
	 */
	rc = dc_fs_mkdir(&root, &udir, "r", 0755, NULL, &st);
	EXPECT_RPC(rc, "CREATE dir as uid 0");
	EXPECT_STATUS(st, NFS4ERR_ACCESS,
		      "uid 0 creating in uid 1000's 0755 directory");
	/* Where the anonymous user may create, it owns what root makes. */
	if (!dc_check_getattr(ctx, &root, &top, &ga, "the export root"))
		goto out;
	if (!(ga.mode & 0002)) {
		dc_note(ctx, "export root %04o: anonymous owner not checked",
			ga.mode & 07777);
		goto out;
	}
	dc_name(ctx, "r", name, sizeof(name));
	rc = dc_fs_mkdir(&root, &top, name, 0755, &rdir, &st);
	EXPECT_OK(rc, st, "uid 0 creating in a 0777 directory");
	if (!dc_check_getattr(ctx, &root, &rdir, &ga,
			      "squashed root's directory"))
		goto out;
	EXPECT(!strcmp(ga.owner, "65534"),
	       "directory made by squashed root is owned by %s, not 65534",
	       ga.owner);
out:
	dc_cres_free(&r);
	dc_fh_free(&rdir);
	dc_fh_free(&udir);
	dc_fh_free(&top);
	dc_client_destroy(&user);
	dc_client_destroy(&root);
}

/* ---- transport abuse and leaks (BADIN11, BADIN12) -------------------- */

/* Whether the server closed fd within ms (EOF or reset). */
static bool peer_closed(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, ms) <= 0)
		return false;
	return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

/* Send a record mark and body bytes, then (maybe) wait and close. */
static int raw_send(const struct dc_server *srv, uint32_t mark,
		    size_t body, int wait_ms, bool *closed)
{
	uint8_t buf[256] = { 0 };
	uint32_t be = htonl(mark);
	int fd = dc_raw_connect(srv);

	if (fd < 0)
		return -errno;
	memcpy(buf, &be, 4);
	if (body > sizeof(buf) - 4)
		body = sizeof(buf) - 4;
	if (send(fd, buf, 4 + body, MSG_NOSIGNAL) < 0) {
		/* The server may already have dropped us: not an error. */
		if (closed)
			*closed = true;
		close(fd);
		return 0;
	}
	if (closed)
		*closed = peer_closed(fd, wait_ms);
	close(fd);
	return 0;
}

/* One session does a SEQUENCE: the server serves its clients. */
static bool serves_clients(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	nfsstat4 st = NFS4ERR_SERVERFAULT;
	bool ok = false;

	if (dc_ctx_mounted(ctx, &cl) == 0 &&
	    dc_client_simple(&cl, NULL, NULL, &r, &st) == 0)
		ok = st == NFS4_OK;
	dc_cres_free(&r);
	dc_client_destroy(&cl);
	return ok;
}

/*
 * The server's record limit (patch 0010, enforced by ntirpc patch 0001):
 * the largest MaxWrite of any export, at least MaxRPCRecvBufferSize
 * (1 MiB unless configured), plus 64 KiB for the RPC header, credentials
 * and the COMPOUND around a WRITE.  server.conf.in gives every export
 * the same MaxWrite (1 MiB, as the shipped configs) and leaves
 * MaxRPCRecvBufferSize at its default, so the export's FATTR4_MAXWRITE
 * gives the limit: 1 MiB + 64 KiB.
 */
#define MAXREC_HEADROOM (64u * 1024)
#define RECV_BUFFER_DEFAULT (1024u * 1024)
/* Bounded wait for the server to drop a connection. */
#define DROP_WAIT_MS (SETTLE_TRIES * SETTLE_US / 1000)
/* The legitimate WRITE BADIN11 sends among the bad records. */
#define LEGIT_WRITE (1024u * 1024)
/* First fragment of the record that is too long only in sum. */
#define FIRST_FRAG (64u * 1024)

static void fill_getattr_maxwrite(struct dc_compound *c, void *arg)
{
	dc_op_getattr(c, 1u << FATTR4_MAXWRITE, 0);
}

/* FATTR4_MAXWRITE of the export, or 0. */
static uint64_t export_maxwrite(struct dc_client *cl)
{
	struct dc_cres r;
	uint64_t v = 0;
	fattr4 *fa;
	uint32_t be[2];

	/* GETATTR is the last op (the export may take several to reach). */
	if (on_fh(cl, NULL, fill_getattr_maxwrite, NULL, &r) == 0 &&
	    r.res.status == NFS4_OK) {
		fa = &dc_cres_op(&r, r.res.resarray.resarray_len - 1)
			      ->nfs_resop4_u.opgetattr.GETATTR4res_u.resok4
			      .obj_attributes;
		if (fa->attr_vals.attrlist4_len == 8) {
			memcpy(be, fa->attr_vals.attrlist4_val, 8);
			v = (uint64_t)ntohl(be[0]) << 32 | ntohl(be[1]);
		}
	}
	dc_cres_free(&r);
	return v;
}

/*
 * A non-last fragment of first bytes (all sent), then the header of a
 * last fragment of next bytes; whether the server closes the connection
 * within DROP_WAIT_MS.
 */
static int raw_send_two(const struct dc_server *srv, uint32_t first,
			uint32_t next, bool *closed)
{
	uint8_t *buf = calloc(1, 4 + first + 4);
	uint32_t be;
	int fd;

	if (!buf)
		return -ENOMEM;
	fd = dc_raw_connect(srv);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	be = htonl(first);
	memcpy(buf, &be, 4);
	be = htonl(RM_LAST_FRAG | next);
	memcpy(buf + 4 + first, &be, 4);
	/* A failed send means the server dropped us already. */
	*closed = send(fd, buf, 4 + first + 4, MSG_NOSIGNAL) < 0 ||
		  peer_closed(fd, DROP_WAIT_MS);
	close(fd);
	free(buf);
	return 0;
}

static void badin11_records(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	struct big_arg b = { 0 };
	nfs_fh4 fh = { 0 };
	uint8_t *data = NULL;
	long pid = dc_daemon_pid();
	int base = -1, n;
	uint64_t maxwrite, limit;
	uint32_t count;
	bool closed = false;
	char name[96];
	nfsstat4 st;
	int rc;

	/* Warm up: ntirpc adds its event channel fds on first use. */
	EXPECT(serves_clients(ctx), "server does not serve a client");
	/* A client with an open file, connected before the bad records. */
	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	maxwrite = export_maxwrite(&cl);
	EXPECT(maxwrite >= LEGIT_WRITE, "FATTR4_MAXWRITE %llu",
	       (unsigned long long)maxwrite);
	limit = (maxwrite > RECV_BUFFER_DEFAULT ? maxwrite :
						  RECV_BUFFER_DEFAULT) +
		MAXREC_HEADROOM;
	EXPECT(limit < RM_LEN_MASK, "record limit %llu",
	       (unsigned long long)limit);
	dc_name(ctx, "rec", name, sizeof(name));
	rc = dc_client_open_file(&cl, name, true, &b.sid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN create");
	if (pid > 0)
		base = dc_daemon_fds(pid);
	/* Last fragment of 1000 bytes, 100 sent, then the client leaves. */
	rc = raw_send(&ctx->srv, RM_LAST_FRAG | 1000, 100, 0, NULL);
	EXPECT(rc == 0, "connect: %s", strerror(-rc));
	/* A non-last fragment of 2 GiB - 1: dropped before any buffer. */
	rc = raw_send(&ctx->srv, RM_LEN_MASK, 200, DROP_WAIT_MS, &closed);
	EXPECT(rc == 0, "connect: %s", strerror(-rc));
	EXPECT(closed, "2 GiB fragment: connection not closed in %d ms",
	       DROP_WAIT_MS);
	/* One byte over the limit, on a fresh connection. */
	closed = false;
	rc = raw_send(&ctx->srv, RM_LAST_FRAG | (uint32_t)(limit + 1), 200,
		      DROP_WAIT_MS, &closed);
	EXPECT(rc == 0, "connect: %s", strerror(-rc));
	EXPECT(closed, "fragment of limit+1 = %llu bytes: connection not "
		       "closed in %d ms",
	       (unsigned long long)limit + 1, DROP_WAIT_MS);
	/* Two fragments each within the limit, one byte over it in sum. */
	closed = false;
	rc = raw_send_two(&ctx->srv, FIRST_FRAG,
			  (uint32_t)(limit - FIRST_FRAG + 1), &closed);
	EXPECT(rc == 0, "connect: %s", strerror(-rc));
	EXPECT(closed, "record of fragments adding up to limit+1: "
		       "connection not closed in %d ms", DROP_WAIT_MS);
	/* An empty last fragment, and an empty non-last one. */
	rc = raw_send(&ctx->srv, RM_LAST_FRAG, 0, 0, NULL);
	EXPECT(rc == 0, "connect: %s", strerror(-rc));
	rc = raw_send(&ctx->srv, 0, 0, 0, NULL);
	EXPECT(rc == 0, "connect: %s", strerror(-rc));
	/* A record header cut in half. */
	rc = raw_send(&ctx->srv, RM_LAST_FRAG | 8, 0, 0, NULL);
	EXPECT(rc == 0, "connect: %s", strerror(-rc));
	EXPECT(dc_server_alive(&ctx->srv),
	       "server does not answer NULL afterwards");
	/* The client connected before still works: a 1 MiB WRITE. */
	data = malloc(LEGIT_WRITE);
	EXPECT(data, "out of memory");
	memset(data, 'w', LEGIT_WRITE);
	b.data = data;
	b.len = LEGIT_WRITE;
	rc = on_fh(&cl, &fh, fill_write, &b, &r);
	EXPECT_OK(rc, r.res.status, "1 MiB WRITE");
	count = dc_cres_op(&r, 2)
			->nfs_resop4_u.opwrite.WRITE4res_u.resok4.count;
	EXPECT(count == LEGIT_WRITE, "1 MiB WRITE wrote %u bytes", count);
	dc_cres_free(&r);
	rc = dc_client_close_file(&cl, &fh, &b.sid, &st);
	EXPECT_OK(rc, st, "CLOSE");
	EXPECT(serves_clients(ctx), "server does not serve a client after");
	dc_note(ctx, "record limit %llu (MaxWrite %llu): 2 GiB, limit+1 and "
		     "fragments adding up to limit+1 dropped",
		(unsigned long long)limit, (unsigned long long)maxwrite);
	if (base < 0) {
		dc_note(ctx, "descriptor count not checked (no daemon PID)");
		goto out;
	}
	n = dc_daemon_fds_settle(pid, base);
	EXPECT(n >= 0 && n <= base,
	       "daemon has %d descriptors, %d before the bad records", n,
	       base);
out:
	free(data);
	dc_cres_free(&r);
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

struct levels {
	double sessions, slots;
	int fds;
};

static bool levels_get(long pid, struct levels *l)
{
	struct dc_metrics m = { 0 };
	int port = dc_metrics_port();
	bool ok = true;

	l->fds = pid > 0 ? dc_daemon_fds(pid) : -1;
	l->sessions = l->slots = -1;
	if (!port)
		return true;
	if (dc_metrics_scrape(port, DC_DEFAULT_TIMEOUT_MS, &m))
		return false;
	ok = dc_metric_get(&m, "nfsv41_sessions_active", NULL, &l->sessions) &&
	     dc_metric_get(&m, "nfsv41_slots_in_use", NULL, &l->slots);
	dc_metrics_free(&m);
	return ok;
}

/* One round of every kind of bad input, each on its own client. */
static void burst(struct dc_ctx *ctx, unsigned int round)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	struct dc_wbuf w = { .n = 0 };
	struct name_arg a = { 0 };
	nfs_fh4 root = { 0 };
	nfsstat4 got;

	raw_send(&ctx->srv, RM_LAST_FRAG | 1000, 100, 0, NULL);
	raw_send(&ctx->srv, RM_LEN_MASK, 100, 0, NULL);
	if (dc_ctx_mounted(ctx, &cl))
		goto out;
	raw_head(&w, &cl, 3);
	dc_wbuf_u32(&w, NFS4_OP_LOOKUP);
	dc_wbuf_u32(&w, 0x7ffffff0);
	dc_rpc_call_bytes(cl.conns[0], &cl.auth, NFS4_PROGRAM, NFS_V4,
			  NFS4_PROC_COMPOUND, w.b, w.n, &r.rpc,
			  DC_DEFAULT_TIMEOUT_MS);
	dc_cres_free(&r);
	if (on_fh(&cl, NULL, fill_lookup_export, NULL, &r) ||
	    r.res.status != NFS4_OK)
		goto out;
	copy_last_fh(&r, &root);
	dc_cres_free(&r);
	a.cl = &cl;
	a.dir = &root;
	a.file = &root;
	a.file_name = "bi-none";
	a.name = round & 1 ? ".." : "bi-\xff";
	for (a.op = N_CREATE; a.op <= N_RENAME_OLD; a.op++)
		try_name(&a, &got);
	/* Half the clients leave without DESTROY_SESSION. */
	if (round & 1)
		dc_conn_shutdown(cl.conns[0]);
out:
	dc_cres_free(&r);
	dc_fh_free(&root);
	dc_client_destroy(&cl);
}

static void badin12_no_leak(struct dc_ctx *ctx)
{
	struct levels before, after;
	long pid = dc_daemon_pid();
	unsigned int i;
	int t;

	if (pid <= 0 && !dc_metrics_port())
		SKIP("neither the daemon's PID nor its metrics port known");
	EXPECT(serves_clients(ctx), "server does not serve a client");
	EXPECT(levels_get(pid, &before), "metrics scrape failed");
	for (i = 0; i < 20; i++)
		burst(ctx, i);
	EXPECT(dc_server_alive(&ctx->srv),
	       "server does not answer NULL afterwards");
	EXPECT(serves_clients(ctx), "server does not serve a client after");
	/*
	 * Clients that left without DESTROY_SESSION keep their sessions
	 * until their lease expires and the reaper runs: wait for that,
	 * bounded by several leases.
	 */
	for (t = 0; t < 4 * SETTLE_TRIES; t++) {
		EXPECT(levels_get(pid, &after), "metrics scrape failed");
		if (after.fds <= before.fds &&
		    after.sessions <= before.sessions &&
		    after.slots <= before.slots)
			break;
		usleep(SETTLE_US);
	}
	EXPECT(after.fds <= before.fds, "descriptors %d, %d before",
	       after.fds, before.fds);
	EXPECT(after.sessions <= before.sessions,
	       "nfsv41_sessions_active %.0f, %.0f before", after.sessions,
	       before.sessions);
	EXPECT(after.slots <= before.slots,
	       "nfsv41_slots_in_use %.0f, %.0f before", after.slots,
	       before.slots);
	dc_note(ctx, "fds %d -> %d, sessions %.0f -> %.0f, slots %.0f -> %.0f",
		before.fds, after.fds, before.sessions, after.sessions,
		before.slots, after.slots);
out:
	return;
}

const struct dc_case dc_cases_badinput[] = {
	{ "BADIN1", "\".\" and \"..\" in CREATE/OPEN/LINK/RENAME: BADNAME",
	  "15.1.7.2", "badinput all", "CSESS1", badin1_dots },
	{ "BADIN2", "\"/\" in a component name: BADCHAR or BADNAME",
	  "15.1.7", "badinput all", "CSESS1", badin2_slash },
	{ "BADIN3", "zero-length names in CREATE/OPEN/LINK/RENAME: INVAL",
	  "15.1.7", "badinput all", "CSESS1", badin3_empty },
	{ "BADIN4", "names that are not valid UTF-8: NFS4ERR_INVAL",
	  "15.1.7", "badinput all", "CSESS1", badin4_utf8 },
	{ "BADIN5", "names of maxname bytes work; longer: NAMETOOLONG",
	  "15.1.7", "badinput all", "CSESS1", badin5_long },
	{ "BADIN6", "name/opaque/array lengths past the body: BADXDR",
	  "15.1.1.1", "badinput xdr all", "CSESS1", badin6_lengths },
	{ "BADIN7", "request over ca_maxrequestsize: NFS4ERR_REQ_TOO_BIG",
	  "18.36.3 / 2.10.6.4", "badinput all", "CSESS1",
	  badin7_req_too_big },
	{ "BADIN8", "another client's stateid in READ/WRITE/...: BAD_STATEID",
	  "8.2.2", "badinput all", "CSESS1", badin8_foreign_stateid },
	{ "BADIN9", "modifying ops on a read-only export: NFS4ERR_ROFS",
	  "15.1.4", "badinput all", "CSESS1", badin9_rofs },
	{ "BADIN10", "root squash: uid 0 acts as the anonymous user",
	  "-", "badinput perm all", "CSESS1", badin10_root_squash },
	{ "BADIN11", "records past the limit dropped, 1 MiB WRITE ok, fds back",
	  "RFC 5531 11", "badinput rpc all", "", badin11_records },
	{ "BADIN12", "burst of bad input: fds, sessions, slots as before",
	  "-", "badinput slow all", "CSESS1", badin12_no_leak },
	{ NULL }
};

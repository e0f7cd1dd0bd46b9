// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Basic operation smoke cases: file I/O and namespace operations through
 * the COMPOUND builder (RFC 8881 section 18), so every builder the suite
 * relies on is seen to produce what the server decodes.
 */
#include <arpa/inet.h>
#include <string.h>
#include "case.h"

/* One SEQUENCE'd compound: [SEQUENCE, PUTFH fh, ...fill]. */
static int on_fh(struct dc_client *cl, const nfs_fh4 *fh,
		 void (*fill)(struct dc_compound *c, void *arg), void *arg,
		 struct dc_cres *r)
{
	return dc_client_on_fh(cl, "ops", 1, fh, fill, arg, r);
}

struct io_arg {
	stateid4 sid;
	const char *data;
	uint64_t size;
};

static void fill_write_read(struct dc_compound *c, void *arg)
{
	struct io_arg *a = arg;

	dc_op_write(c, &a->sid, 0, a->data, strlen(a->data));
	dc_op_read(c, &a->sid, 0, 4096);
}

static void fill_truncate_getattr(struct dc_compound *c, void *arg)
{
	struct io_arg *a = arg;

	dc_op_setattr_size(c, &a->sid, a->size);
	dc_op_getattr(c, 1u << FATTR4_SIZE, 0);
}

static void ops1_file_io(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	struct io_arg a = { .data = "hello, ditto" };
	nfs_fh4 fh = { 0 };
	char name[96];
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	dc_name(ctx, "io", name, sizeof(name));
	rc = dc_client_open_file(&cl, name, true, &a.sid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN create");
	rc = on_fh(&cl, &fh, fill_write_read, &a, &r);
	EXPECT_OK(rc, r.res.status, "WRITE+READ");
	{
		WRITE4resok *w = &dc_cres_op(&r, 2)->nfs_resop4_u.opwrite
					  .WRITE4res_u.resok4;
		READ4resok *rd = &dc_cres_op(&r, 3)->nfs_resop4_u.opread
					  .READ4res_u.resok4;

		EXPECT(w->count == strlen(a.data), "WRITE count %u",
		       w->count);
		EXPECT(rd->data.data_len == strlen(a.data) &&
			       !memcmp(rd->data.iov[0].iov_base, a.data,
				       strlen(a.data)),
		       "READ returned %u bytes, not what was written",
		       rd->data.data_len);
		EXPECT(rd->eof, "READ of the whole file without eof");
	}
	dc_cres_free(&r);
	a.size = 5;
	rc = on_fh(&cl, &fh, fill_truncate_getattr, &a, &r);
	EXPECT_OK(rc, r.res.status, "SETATTR size + GETATTR");
	{
		fattr4 *fa = &dc_cres_op(&r, 3)->nfs_resop4_u.opgetattr
				      .GETATTR4res_u.resok4.obj_attributes;
		uint32_t be[2];

		EXPECT(fa->attr_vals.attrlist4_len == 8, "size attr %u bytes",
		       fa->attr_vals.attrlist4_len);
		memcpy(be, fa->attr_vals.attrlist4_val, 8);
		EXPECT(ntohl(be[0]) == 0 && ntohl(be[1]) == 5,
		       "size after truncate to 5: %u:%u", ntohl(be[0]),
		       ntohl(be[1]));
	}
	dc_cres_free(&r);
	rc = dc_client_close_file(&cl, &fh, &a.sid, &st);
	EXPECT_OK(rc, st, "CLOSE");
out:
	dc_cres_free(&r);
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

struct ns_arg {
	char dir[96], a[96], b[96], l[96];
};

static void fill_mkdir(struct dc_compound *c, void *arg)
{
	struct ns_arg *n = arg;

	dc_op_mkdir(c, n->dir);
	dc_op_getfh(c);
}

static void fill_readdir(struct dc_compound *c, void *arg)
{
	dc_op_readdir(c, 0, 8192, 32768, 1u << FATTR4_TYPE, 0);
}

/* Names READDIR returned, each followed by a '/'. */
static void listing(struct dc_cres *r, unsigned i, char *buf, size_t len)
{
	entry4 *e = dc_cres_op(r, i)->nfs_resop4_u.opreaddir.READDIR4res_u
			    .resok4.reply.entries;
	size_t n = 0;

	buf[0] = 0;
	for (; e && n < len; e = e->nextentry)
		n += snprintf(buf + n, len - n, "%.*s/",
			      (int)e->name.utf8string_len,
			      e->name.utf8string_val);
}

static void ops2_namespace(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	struct ns_arg n;
	nfs_fh4 dfh = { 0 }, ffh = { 0 };
	stateid4 sid;
	char list[1024], want[256];
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	dc_name(ctx, "dir", n.dir, sizeof(n.dir));
	snprintf(n.a, sizeof(n.a), "a");
	snprintf(n.b, sizeof(n.b), "b");
	snprintf(n.l, sizeof(n.l), "l");
	rc = on_fh(&cl, NULL, fill_mkdir, &n, &r);
	EXPECT_OK(rc, r.res.status, "CREATE (NF4DIR)");
	dc_fh_copy(&dfh, &dc_cres_op(&r, r.res.resarray.resarray_len - 1)
				  ->nfs_resop4_u.opgetfh.GETFH4res_u.resok4
				  .object);
	dc_cres_free(&r);
	/* a: OPEN create inside the new directory, then close. */
	{
		struct dc_compound c;
		uint32_t slot;
		unsigned k;

		rc = dc_client_begin(&cl, &c, "open_in_dir", false, &slot);
		EXPECT(rc == 0, "no free slot");
		dc_op_putfh(&c, &dfh);
		dc_op_open(&c, 0, cl.clientid, "oo-ns", n.a, true,
			   OPEN4_SHARE_ACCESS_BOTH |
				   OPEN4_SHARE_ACCESS_WANT_NO_DELEG);
		dc_op_getfh(&c);
		rc = dc_client_send(&cl, 0, &c, slot, &r);
		dc_compound_free(&c);
		EXPECT_OK(rc, r.res.status, "OPEN create in dir");
		k = r.res.resarray.resarray_len;
		sid = dc_cres_op(&r, k - 2)->nfs_resop4_u.opopen.OPEN4res_u
			      .resok4.stateid;
		dc_fh_copy(&ffh, &dc_cres_op(&r, k - 1)
					  ->nfs_resop4_u.opgetfh.GETFH4res_u
					  .resok4.object);
		dc_cres_free(&r);
		rc = dc_client_close_file(&cl, &ffh, &sid, &st);
		EXPECT_OK(rc, st, "CLOSE");
	}
	/* RENAME a -> b, LINK b as l: SAVEFH holds the source. */
	{
		struct dc_compound c;
		uint32_t slot;

		rc = dc_client_begin(&cl, &c, "rename_link", false, &slot);
		EXPECT(rc == 0, "no free slot");
		dc_op_putfh(&c, &dfh);
		dc_op_savefh(&c);
		dc_op_rename(&c, n.a, n.b);
		dc_op_lookup(&c, n.b);
		dc_op_savefh(&c);
		dc_op_putfh(&c, &dfh);
		dc_op_link(&c, n.l);
		rc = dc_client_send(&cl, 0, &c, slot, &r);
		dc_compound_free(&c);
		EXPECT_OK(rc, r.res.status, "RENAME + LINK");
		dc_cres_free(&r);
	}
	rc = on_fh(&cl, &dfh, fill_readdir, NULL, &r);
	EXPECT_OK(rc, r.res.status, "READDIR");
	listing(&r, 2, list, sizeof(list));
	dc_cres_free(&r);
	EXPECT(strstr(list, "b/") && strstr(list, "l/") && !strstr(list, "a/"),
	       "READDIR after rename+link lists \"%s\"", list);
	/* REMOVE both names, then the directory. */
	{
		struct dc_compound c;
		uint32_t slot;

		rc = dc_client_begin(&cl, &c, "remove", false, &slot);
		EXPECT(rc == 0, "no free slot");
		dc_op_putfh(&c, &dfh);
		dc_op_remove(&c, n.b);
		dc_op_remove(&c, n.l);
		dc_client_put_export(&cl, &c);
		dc_op_remove(&c, n.dir);
		dc_op_lookup(&c, n.dir);
		rc = dc_client_send(&cl, 0, &c, slot, &r);
		dc_compound_free(&c);
	}
	EXPECT_RPC(rc, "REMOVE");
	snprintf(want, sizeof(want), "LOOKUP of the removed directory");
	EXPECT_STATUS(r.res.status, NFS4ERR_NOENT, want);
	EXPECT(r.res.resarray.resarray_len >= 2 &&
		       dc_cres_status(&r, r.res.resarray.resarray_len - 2) ==
			       NFS4_OK,
	       "REMOVE of the directory failed");
out:
	dc_cres_free(&r);
	dc_fh_free(&dfh);
	dc_fh_free(&ffh);
	dc_client_destroy(&cl);
}

static void fill_gdd(struct dc_compound *c, void *arg)
{
	dc_op_get_dir_delegation(c);
}

static void ops3_dir_delegation(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	nfsstat4 st;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = on_fh(&cl, NULL, fill_gdd, NULL, &r);
	EXPECT_RPC(rc, "GET_DIR_DELEGATION");
	st = dc_cres_status(&r, r.res.resarray.resarray_len - 1);
	/* 18.39.3: optional; these are the ways to say "not here". */
	EXPECT(st == NFS4_OK || st == NFS4ERR_NOTSUPP ||
		       st == NFS4ERR_DIRDELEG_UNAVAIL,
	       "GET_DIR_DELEGATION (opcode 46): %s in a result for op %u; "
	       "an unsupported OPTIONAL op is NFS4ERR_NOTSUPP (15.1.1.5), "
	       "OP_ILLEGAL is for undefined opcodes (18.52)",
	       dc_nfsstat_name(st),
	       dc_cres_op(&r, r.res.resarray.resarray_len - 1)->resop);
	dc_note(ctx, "GET_DIR_DELEGATION -> %s", dc_nfsstat_name(st));
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

const struct dc_case dc_cases_ops[] = {
	{ "OPS1", "OPEN/WRITE/READ/SETATTR/GETATTR/CLOSE round trip",
	  "18.16 / 18.22 / 18.30 / 18.32", "ops all", "CSESS1", ops1_file_io },
	{ "OPS2", "CREATE/RENAME/LINK/READDIR/REMOVE in a new directory",
	  "18.4 / 18.26 / 18.9 / 18.23 / 18.25", "ops all", "CSESS1",
	  ops2_namespace },
	{ "OPS3", "GET_DIR_DELEGATION: granted, NOTSUPP or DIRDELEG_UNAVAIL",
	  "18.39.3", "ops deleg all", "CSESS1", ops3_dir_delegation },
	{ NULL }
};

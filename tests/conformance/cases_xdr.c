// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Malformed COMPOUND arguments (RFC 8881 sections 15.1.1.1 BADXDR,
 * 18.52 ILLEGAL, 16.2.3) and server survival.  Where the server
 * cannot decode the arguments at all, RPC GARBAGE_ARGS (RFC 5531 section
 * 9) is an equally correct answer: the NFS layer never saw a request.
 */
#include <arpa/inet.h>
#include <string.h>
#include "case.h"

/* tag (given length, given bytes), minorversion, op count. */
static void hdr(struct dc_wbuf *w, uint32_t taglen, const char *tag,
		uint32_t minor, uint32_t nops)
{
	dc_wbuf_u32(w, taglen);
	dc_wbuf_opaque(w, tag ? tag : "", tag ? strlen(tag) : 0);
	dc_wbuf_u32(w, minor);
	dc_wbuf_u32(w, nops);
}

/* SEQUENCE4args for cl on slot 0 with the table's next seqid. */
static void put_sequence(struct dc_wbuf *w, struct dc_client *cl, uint32_t seq)
{
	dc_wbuf_u32(w, NFS4_OP_SEQUENCE);
	dc_wbuf_opaque(w, cl->sid, NFS4_SESSIONID_SIZE);
	dc_wbuf_u32(w, seq);
	dc_wbuf_u32(w, 0);	/* slot */
	dc_wbuf_u32(w, 0);	/* highest */
	dc_wbuf_u32(w, 0);	/* cachethis */
}

/*
 * dc_check_garbage() of w, noting which answer came, and the server
 * still answers NULL on a new connection.
 */
static void expect_garbage(struct dc_ctx *ctx, struct dc_client *cl,
			   const struct dc_wbuf *w, const char *what)
{
	switch (dc_check_garbage(ctx, cl, w->b, w->n, NFS4_OK, NULL, what)) {
	case DC_GARBAGE_FAILED:
		return;
	case DC_GARBAGE_RPC:
		dc_note(ctx, "%s: RPC GARBAGE_ARGS", what);
		break;
	default:
		dc_note(ctx, "%s: NFS4ERR_BADXDR", what);
	}
	EXPECT(dc_server_alive(&ctx->srv),
	       "server does not answer NULL after %s", what);
out:
	return;
}

static void xdr1_truncated(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_wbuf w = { .n = 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	hdr(&w, 4, "xdr1", 1, 2);
	put_sequence(&w, &cl, 1);
	/* Cut SEQUENCE short and drop the second op entirely. */
	w.n -= 8;
	ctx->checks++;
	expect_garbage(ctx, &cl, &w, "truncated COMPOUND");
out:
	dc_client_destroy(&cl);
}

static void xdr2_count(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_wbuf w = { .n = 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	hdr(&w, 4, "xdr2", 1, 5);
	dc_wbuf_u32(&w, NFS4_OP_PUTROOTFH);
	ctx->checks++;
	expect_garbage(ctx, &cl, &w, "op count 5 with 1 op in the body");
out:
	dc_client_destroy(&cl);
}

static void xdr3_tag(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_wbuf w = { .n = 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	/* A tag claiming 256 MiB in a 40-byte body. */
	hdr(&w, 0x10000000, "huge", 1, 1);
	dc_wbuf_u32(&w, NFS4_OP_PUTROOTFH);
	ctx->checks++;
	expect_garbage(ctx, &cl, &w, "oversized tag length");
out:
	dc_client_destroy(&cl);
}

static void xdr4_illegal(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_compound c;
	struct dc_cres r = { 0 };
	nfs_argop4 *op;
	uint32_t slot;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_client_begin(&cl, &c, "illegal", false, &slot);
	EXPECT(rc == 0, "no free slot");
	/* Ganesha's encoder writes unknown numbers as given. */
	op = dc_op_add(&c, NFS4_OP_PUTROOTFH);
	op->argop = 9999;
	rc = dc_client_send(&cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	EXPECT_RPC(rc, "COMPOUND with op 9999");
	EXPECT(r.decoded, "reply undecodable");
	EXPECT_STATUS(r.res.status, NFS4ERR_OP_ILLEGAL, "compound status");
	EXPECT(r.res.resarray.resarray_len == 2, "%u results, expected 2",
	       r.res.resarray.resarray_len);
	/* 15.2 / ILLEGAL: the result is reported as OP_ILLEGAL. */
	EXPECT(dc_cres_op(&r, 1)->resop == NFS4_OP_ILLEGAL,
	       "result op %u, expected OP_ILLEGAL (%u)",
	       dc_cres_op(&r, 1)->resop, NFS4_OP_ILLEGAL);
	EXPECT_STATUS(dc_cres_status(&r, 1), NFS4ERR_OP_ILLEGAL,
		      "unknown op 9999");
	EXPECT(dc_server_alive(&ctx->srv),
	       "server does not answer NULL afterwards");
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void xdr5_minor(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_compound c;
	struct dc_cres r = { 0 };
	int rc;

	rc = dc_ctx_client(ctx, &cl);
	EXPECT_RPC(rc, "connect");
	dc_compound_init(&c, 99, "minor99");
	dc_op_putrootfh(&c);
	rc = dc_compound_call(cl.conns[0], &cl.auth, &c, &r, cl.timeout_ms);
	dc_compound_free(&c);
	EXPECT_RPC(rc, "COMPOUND minorversion 99");
	EXPECT_STATUS(r.res.status, NFS4ERR_MINOR_VERS_MISMATCH,
		      "minorversion 99");
	EXPECT(r.res.resarray.resarray_len == 0,
	       "%u results with MINOR_VERS_MISMATCH, expected none",
	       r.res.resarray.resarray_len);
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void xdr6_fragments(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_compound c;
	struct dc_cres r = { 0 };
	uint32_t slot;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	/* RFC 5531 section 11: the server must reassemble fragments. */
	cl.conns[0]->max_frag = 12;
	rc = dc_client_begin(&cl, &c, "fragmented-request-tag", false, &slot);
	EXPECT(rc == 0, "no free slot");
	dc_client_put_export(&cl, &c);
	dc_op_getfh(&c);
	rc = dc_client_send(&cl, 0, &c, slot, &r);
	dc_compound_free(&c);
	cl.conns[0]->max_frag = 0;
	EXPECT_OK(rc, r.res.status, "COMPOUND in 12-byte fragments");
	EXPECT(r.res.tag.utf8string_len == strlen("fragmented-request-tag"),
	       "tag not echoed intact");
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

/*
 * Send raw COMPOUND args that decode; *r keeps the decoded reply.  The
 * daemon must answer and live on (and, run.sh checks, log no CRIT line:
 * these are the client's mistakes, not the server's).
 */
static bool raw_compound(struct dc_ctx *ctx, struct dc_client *cl,
			 const struct dc_wbuf *w, const char *what,
			 struct dc_cres *r)
{
	int rc = dc_rpc_call_bytes(cl->conns[0], &cl->auth, NFS4_PROGRAM,
				   NFS_V4, NFS4_PROC_COMPOUND, w->b, w->n,
				   &r->rpc, DC_DEFAULT_TIMEOUT_MS);

	EXPECT_RPC(rc, what);
	EXPECT(r->rpc.reply_stat == DC_MSG_ACCEPTED &&
		       r->rpc.accept_stat == DC_SUCCESS,
	       "%s: RPC reply_stat %u accept_stat %u", what,
	       r->rpc.reply_stat, r->rpc.accept_stat);
	EXPECT(dc_cres_decode(r) == 0, "%s: reply undecodable", what);
	EXPECT(dc_server_alive(&ctx->srv), "server does not answer NULL after %s",
	       what);
	return true;
out:
	return false;
}

static void xdr7_empty(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	struct dc_wbuf w = { .n = 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	hdr(&w, 4, "xdr7", 1, 0);
	if (!raw_compound(ctx, &cl, &w, "empty COMPOUND", &r))
		goto out;
	EXPECT_STATUS(r.res.status, NFS4_OK, "empty COMPOUND");
	EXPECT(r.res.resarray.resarray_len == 0, "%u results, expected none",
	       r.res.resarray.resarray_len);
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void xdr8_tag_utf8(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	struct dc_wbuf w = { .n = 0 };
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	/* 0xc3 0x28: a two-byte sequence whose second byte is not one. */
	hdr(&w, 4, "x\xc3(y", 0, 1);
	dc_wbuf_u32(&w, NFS4_OP_PUTROOTFH);
	if (!raw_compound(ctx, &cl, &w, "tag that is not UTF-8", &r))
		goto out;
	/* 16.2.3 lets the server check the tag (INVAL) or not look at it. */
	if (r.res.status == NFS4ERR_INVAL) {
		EXPECT(r.res.resarray.resarray_len == 0,
		       "%u results with INVAL for the tag, expected none",
		       r.res.resarray.resarray_len);
		dc_note(ctx, "bad tag: NFS4ERR_INVAL");
	} else {
		EXPECT_STATUS(r.res.status, NFS4_OK, "PUTROOTFH, bad tag");
		dc_note(ctx, "bad tag: not checked");
	}
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

static void xdr9_many_ops(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_cres r = { 0 };
	struct dc_wbuf w = { .n = 0 };
	unsigned i, n = 101;
	int rc;

	rc = dc_ctx_client(ctx, &cl);
	EXPECT_RPC(rc, "connect");
	/* 4.0 has no ca_maxoperations: the server's own limit applies. */
	hdr(&w, 4, "xdr9", 0, n);
	for (i = 0; i < n; i++)
		dc_wbuf_u32(&w, NFS4_OP_PUTROOTFH);
	if (!raw_compound(ctx, &cl, &w, "101-operation COMPOUND", &r))
		goto out;
	if (r.res.status == NFS4ERR_RESOURCE) {
		EXPECT(r.res.resarray.resarray_len <= 1,
		       "%u results with RESOURCE", r.res.resarray.resarray_len);
		dc_note(ctx, "101 operations: NFS4ERR_RESOURCE");
	} else {
		EXPECT_STATUS(r.res.status, NFS4_OK, "101 PUTROOTFH");
		EXPECT(r.res.resarray.resarray_len == n,
		       "%u results, expected %u", r.res.resarray.resarray_len,
		       n);
	}
out:
	dc_cres_free(&r);
	dc_client_destroy(&cl);
}

const struct dc_case dc_cases_xdr[] = {
	{ "XDR1", "truncated COMPOUND: BADXDR or GARBAGE_ARGS; server lives",
	  "15.1.1.1", "xdr all", "CSESS1", xdr1_truncated },
	{ "XDR2", "op count beyond the body: BADXDR or GARBAGE_ARGS",
	  "15.1.1.1", "xdr all", "CSESS1", xdr2_count },
	{ "XDR3", "oversized tag length: BADXDR or GARBAGE_ARGS", "15.1.1.1",
	  "xdr all", "CSESS1", xdr3_tag },
	{ "XDR4", "unknown operation number: NFS4ERR_OP_ILLEGAL as OP_ILLEGAL",
	  "18.52 / 15.1.3.4", "xdr all", "CSESS1", xdr4_illegal },
	{ "XDR5", "minorversion 99: MINOR_VERS_MISMATCH with no results",
	  "16.2.3", "xdr all", "", xdr5_minor },
	{ "XDR6", "request sent in 12-byte record fragments is reassembled",
	  "RFC 5531 11", "xdr rpc all", "CSESS1", xdr6_fragments },
	{ "XDR7", "empty COMPOUND: NFS4_OK, no results, no CRIT logged",
	  "16.2.3", "xdr all", "CSESS1", xdr7_empty },
	{ "XDR8", "tag that is not UTF-8: INVAL or ignored, no CRIT logged",
	  "16.2.3", "xdr all", "CSESS1", xdr8_tag_utf8 },
	{ "XDR9", "101-operation 4.0 COMPOUND: RESOURCE or done, no MAJ",
	  "RFC 7530 15.2", "xdr all", "", xdr9_many_ops },
	{ NULL }
};

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Edge cases of READDIR and READ (flag ioedge) that an independent
 * NFSv4.1 check found answered wrongly:
 *
 *   IOE1  root (AUTH_SYS uid 0, No_Root_Squash) lists a directory of
 *         mode 0000: NFS4_OK and every entry, with and without
 *         attributes; never NFS4ERR_TOOSMALL
 *   IOE2  a user that is not root lists the same directory:
 *         NFS4ERR_ACCESS, with and without attributes
 *   IOE3  READ at offsets far beyond the end of the file, up to and
 *         past 2^63 and with offset + count beyond 2^64: NFS4_OK, no
 *         data, eof TRUE (RFC 8881 18.22.3); NFS4ERR_FBIG is not a READ
 *         error (15.2)
 *   IOE4  READDIR with dircount 0 of a directory anyone may read: the
 *         entries (dircount is a hint, 0 none; 18.23.3)
 *
 * Each READDIR case sends dircount 0 and 8192: the NFS4ERR_TOOSMALL
 * first seen on 0000 directories came from dircount 0, whatever the mode.
 *
 * The directory and file live in the case's own directory, made as
 * root by dc_scratch_*() (case.h); the user is dc_ctx_mounted_user().
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "case.h"
#include "fsops.h"

#define UA 4001u /* a user that is neither owner nor in the group */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/*
 * The READDIRs each case sends: dircount 0 (no hint, RFC 8881 18.23.3)
 * and 8192, each for names only, for attributes, and for attributes with
 * rdattr_error.
 */
static const uint32_t dircounts[] = { 0, 8192 };
static const struct {
	const char *what;
	uint32_t w0, w1;
} listings[] = {
	{ "names only", 0, 0 },
	{ "type, fileid, mode, owner",
	  (1u << FATTR4_TYPE) | (1u << FATTR4_FILEID),
	  (1u << (FATTR4_MODE - 32)) | (1u << (FATTR4_OWNER - 32)) },
	{ "rdattr_error, type, fileid, mode",
	  (1u << FATTR4_RDATTR_ERROR) | (1u << FATTR4_TYPE) |
		  (1u << FATTR4_FILEID),
	  1u << (FATTR4_MODE - 32) },
};

/*
 * Every READDIR of dir (above) as cl answers want; when NFS4_OK, with
 * exactly the entries "f" and "sub" and eof.  who names cl, what dir.
 */
static bool check_listings(struct dc_ctx *ctx, struct dc_client *cl,
			   const nfs_fh4 *dir, nfsstat4 want, const char *who,
			   const char *what)
{
	unsigned int i, j, n;
	char names[256];
	nfsstat4 st;
	bool eof;
	int rc;

	for (j = 0; j < ARRAY_SIZE(dircounts); j++) {
		for (i = 0; i < ARRAY_SIZE(listings); i++) {
			rc = dc_fs_readdir_names(cl, dir, dircounts[j],
						 listings[i].w0,
						 listings[i].w1, names,
						 sizeof(names), &n, &eof, &st);
			EXPECT_OP(rc, st, want,
				  "%s: READDIR (dircount %u, %s) of %s", who,
				  dircounts[j], listings[i].what, what);
			if (want != NFS4_OK)
				continue;
			EXPECT(n == 2 && strstr(names, "f\n") &&
				       strstr(names, "sub\n") && eof,
			       "%s: READDIR (dircount %u, %s) of %s holding f and sub: %u entries (%s), eof %d",
			       who, dircounts[j], listings[i].what, what, n,
			       names, eof);
		}
	}
	return true;
out:
	return false;
}

/* Directory "d" of mode (owned by root) holding "f" and "sub", in *d. */
static bool make_dir(struct dc_ctx *ctx, struct dc_scratch *fx, uint32_t mode,
		     nfs_fh4 *d)
{
	return dc_scratch_make(ctx, fx, &fx->dir, NF4DIR, "d", 0, 0, 0755,
			       d) &&
	       dc_scratch_make(ctx, fx, d, NF4REG, "f", 0, 0, 0644, NULL) &&
	       dc_scratch_make(ctx, fx, d, NF4DIR, "sub", 0, 0, 0755, NULL) &&
	       dc_scratch_chmod(ctx, fx, d, mode);
}

/* Root lists root's directory of mode: NFS4_OK every time. */
static void root_lists(struct dc_ctx *ctx, uint32_t mode)
{
	struct dc_scratch fx = { 0 };
	nfs_fh4 d = { 0 };
	char what[32];

	snprintf(what, sizeof(what), "a 0%03o dir", mode);
	if (dc_scratch_setup(ctx, &fx) && make_dir(ctx, &fx, mode, &d))
		check_listings(ctx, &fx.root, &d, NFS4_OK, "root", what);
	dc_fh_free(&d);
	dc_scratch_teardown(&fx);
}

/* ---- IOE1: root lists a 0000 directory ------------------------------ */

static void ioe1_root_readdir_0000(struct dc_ctx *ctx)
{
	root_lists(ctx, 0);
}

/* ---- IOE2: anyone else is refused ----------------------------------- */

static void ioe2_user_readdir_0000(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 };
	nfs_fh4 d = { 0 };
	char who[32];

	snprintf(who, sizeof(who), "uid %u", UA);
	if (dc_scratch_setup(ctx, &fx) &&
	    dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL) &&
	    make_dir(ctx, &fx, 0, &d))
		check_listings(ctx, &a, &d, NFS4ERR_ACCESS, who,
			       "root's 0000 dir");
	dc_fh_free(&d);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- IOE3: READ far beyond the end of the file ---------------------- */

static void ioe3_read_past_eof(struct dc_ctx *ctx)
{
	static const struct {
		uint64_t off;
		uint32_t count;
	} reads[] = {
		{ 5, 10 },			/* at EOF */
		{ 1ull << 40, 10 },		/* far beyond */
		{ 0x7ffffffffffffff0ull, 10 },	/* below 2^63 - 1 */
		{ 0x7ffffffffffffffcull, 10 },	/* across 2^63 - 1 */
		{ 0x8000000000000000ull, 10 },	/* at 2^63 */
		{ 0xfffffffffffffff0ull, 10 },	/* just below 2^64 */
		{ 0xfffffffffffffff0ull, 32 },	/* offset + count > 2^64 */
		{ 0xffffffffffffffffull, 4096 },	/* the last offset */
	};
	struct dc_scratch fx = { 0 };
	stateid4 sid = { 0 };
	nfs_fh4 f = { 0 };
	uint8_t buf[4096];
	unsigned int i;
	uint32_t got;
	nfsstat4 st;
	bool eof, open = false;
	int rc;

	if (!dc_scratch_setup(ctx, &fx))
		goto out;
	rc = dc_fs_open(&fx.root, &fx.dir, "f", true, OPEN4_SHARE_ACCESS_BOTH,
			NULL, &sid, &f, &st);
	EXPECT_OP(rc, st, NFS4_OK, "OPEN(create) f");
	open = true;
	rc = dc_fs_write(&fx.root, &f, &sid, 0, "hello", 5, &st);
	EXPECT_OP(rc, st, NFS4_OK, "WRITE 5 bytes");
	for (i = 0; i < ARRAY_SIZE(reads); i++) {
		rc = dc_fs_read(&fx.root, &f, &sid, reads[i].off,
				reads[i].count, buf, &got, &eof, &st);
		EXPECT_OP(rc, st, NFS4_OK,
			  "READ of a 5-byte file at offset 0x%" PRIx64
			  " count %u",
			  reads[i].off, reads[i].count);
		EXPECT(got == 0 && eof,
		       "READ of a 5-byte file at offset 0x%" PRIx64
		       " count %u: %u bytes, eof %d (want 0 bytes, eof)",
		       reads[i].off, reads[i].count, got, eof);
	}
out:
	if (open)
		dc_client_close_file(&fx.root, &f, &sid, &st);
	dc_fh_free(&f);
	dc_scratch_teardown(&fx);
}

/* ---- IOE4: dircount 0 is no hint ------------------------------------ */

static void ioe4_readdir_dircount0(struct dc_ctx *ctx)
{
	root_lists(ctx, 0755);
}

const struct dc_case dc_cases_io_edge[] = {
	{ "IOE1", "root READDIR of a 0000 dir: NFS4_OK, all entries",
	  "RFC 8881 18.23; POSIX", "ioedge perm all", NULL,
	  ioe1_root_readdir_0000 },
	{ "IOE2", "non-root READDIR of a 0000 dir: NFS4ERR_ACCESS",
	  "RFC 8881 18.23; POSIX", "ioedge perm all", NULL,
	  ioe2_user_readdir_0000 },
	{ "IOE3", "READ far past EOF, to 2^64: NFS4_OK, 0 bytes, eof",
	  "RFC 8881 18.22.3, 15.2", "ioedge all", NULL,
	  ioe3_read_past_eof },
	{ "IOE4", "READDIR with dircount 0 (no hint) lists the entries",
	  "RFC 8881 18.23.3", "ioedge all", NULL, ioe4_readdir_dircount0 },
	{ NULL }
};

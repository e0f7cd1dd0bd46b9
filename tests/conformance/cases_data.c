// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Backend data semantics seen over the wire: bulk and sparse data
 * (RFC 8881 18.22/18.32/18.3), NFSv4.2 ALLOCATE/DEALLOCATE/SEEK (RFC 7862
 * 15.1/15.4/15.11), extended attributes (RFC 8276), byte-range locks
 * between two clients (18.10-18.12), file system space attributes
 * (5.8.2), truncation (18.30), large directories (18.23) and RENAME/LINK
 * corner cases (18.26, 18.9).
 *
 * FSAL_MEM drops data beyond Inode_Size and has no xattrs, so run.sh
 * leaves the "data" flag out for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "case.h"
#include "compound_lock.h"
#include "compound_v42.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

/* ---- deterministic data ---- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Byte at file offset off of the pattern with this seed. */
static uint8_t pat_byte(uint64_t seed, uint64_t off)
{
	return splitmix64((off >> 3) ^ seed) >> ((off & 7) * 8);
}

static void pat_fill(uint64_t seed, uint64_t off, uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pat_byte(seed, off + i);
}

struct prng {
	uint64_t s;
};

static uint64_t prng_next(struct prng *p)
{
	p->s += 0x9e3779b97f4a7c15ull;
	return splitmix64(p->s);
}

/* ---- compound helpers ---- */

/*
 * [SEQUENCE, PUTFH fh (or the export when fh is NULL), fill...] as a
 * minorversion 1 or 2 compound; the reply stays in *r for the caller.
 */
static int on_fh(struct dc_client *cl, uint32_t minor, const nfs_fh4 *fh,
		 void (*fill)(struct dc_compound *c, void *arg), void *arg,
		 struct dc_cres *r)
{
	return dc_client_on_fh(cl, "data", minor, fh, fill, arg, r);
}

/* Status of the last result in r (the op that failed, or the last). */
static nfsstat4 last_status(struct dc_cres *r)
{
	return dc_cres_status(r, r->res.resarray.resarray_len - 1);
}

/* Same as on_fh() but only the status of the last op is kept. */
static int on_fh_st(struct dc_client *cl, uint32_t minor, const nfs_fh4 *fh,
		    void (*fill)(struct dc_compound *c, void *arg), void *arg,
		    nfsstat4 *st)
{
	struct dc_cres r;
	int rc = on_fh(cl, minor, fh, fill, arg, &r);

	if (!rc)
		*st = last_status(&r);
	dc_cres_free(&r);
	return rc;
}

struct attr_req {
	uint32_t w0, w1;
};

static void fill_getattr(struct dc_compound *c, void *arg)
{
	struct attr_req *a = arg;

	dc_op_getattr(c, a->w0, a->w1);
}

/* Attribute n of fh (the export when NULL) as a number. */
static int get_u64(struct dc_client *cl, const nfs_fh4 *fh, unsigned attr,
		   uint64_t *v, nfsstat4 *st)
{
	struct attr_req a = { 0, 0 };
	struct dc_cres r;
	int rc;

	if (attr < 32)
		a.w0 = 1u << attr;
	else
		a.w1 = 1u << (attr - 32);
	rc = on_fh(cl, 1, fh, fill_getattr, &a, &r);
	if (rc) {
		dc_cres_free(&r);
		return rc;
	}
	*st = r.res.status;
	if (*st == NFS4_OK &&
	    !dc_fattr_u64(&dc_cres_op(&r, r.res.resarray.resarray_len - 1)
				   ->nfs_resop4_u.opgetattr.GETATTR4res_u
				   .resok4.obj_attributes,
			  attr, v))
		*st = NFS4ERR_ATTRNOTSUPP;
	dc_cres_free(&r);
	return 0;
}

struct io {
	stateid4 sid;
	uint64_t off;
	const void *data;
	uint32_t len;
	stable_how4 how;
};

static void fill_write(struct dc_compound *c, void *arg)
{
	struct io *io = arg;

	dc_op_write_how(c, &io->sid, io->off, io->data, io->len, io->how);
}

/* WRITE all of data at off (short writes continued); verf if wanted. */
static int write_full(struct dc_client *cl, const nfs_fh4 *fh,
		      const stateid4 *sid, uint64_t off, const void *data,
		      uint32_t len, stable_how4 how, verifier4 verf,
		      nfsstat4 *st)
{
	unsigned guard;

	*st = NFS4_OK;
	for (guard = 0; len && guard < 64; guard++) {
		struct io io = { *sid, off, data, len, how };
		struct dc_cres r;
		WRITE4resok *w;
		int rc = on_fh(cl, 1, fh, fill_write, &io, &r);

		if (rc) {
			dc_cres_free(&r);
			return rc;
		}
		*st = last_status(&r);
		if (r.res.status != NFS4_OK) {
			dc_cres_free(&r);
			return 0;
		}
		w = &dc_cres_op(&r, 2)->nfs_resop4_u.opwrite.WRITE4res_u.resok4;
		if (verf)
			memcpy(verf, w->writeverf, NFS4_VERIFIER_SIZE);
		if (w->count == 0 || w->count > len) {
			*st = NFS4ERR_IO;
			dc_cres_free(&r);
			return 0;
		}
		off += w->count;
		data = (const uint8_t *)data + w->count;
		len -= w->count;
		dc_cres_free(&r);
	}
	if (len)
		*st = NFS4ERR_IO;
	return 0;
}

/* READ exactly len bytes at off (short reads continued, bounded). */
static int read_full(struct dc_client *cl, const nfs_fh4 *fh,
		     const stateid4 *sid, uint64_t off, uint32_t len,
		     uint8_t *buf, uint32_t *total, nfsstat4 *st)
{
	unsigned guard;

	*total = 0;
	*st = NFS4_OK;
	for (guard = 0; *total < len && guard < 64; guard++) {
		uint32_t got;
		bool eof;
		int rc = dc_fs_read(cl, fh, sid, off + *total, len - *total,
				    buf + *total, &got, &eof, st);

		if (rc || *st != NFS4_OK)
			return rc;
		*total += got;
		if (eof || !got)
			break;
	}
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n, size_t *bad)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i]) {
			*bad = i;
			return false;
		}
	return true;
}

struct name_arg {
	const nfs_fh4 *dir;
	const char *name, *name2;
	const nfs_fh4 *dir2;
};

static void fill_remove(struct dc_compound *c, void *arg)
{
	struct name_arg *n = arg;

	dc_op_remove(c, n->name);
}

/* REMOVE name from dir (the export when dir is NULL). */
static int remove_in(struct dc_client *cl, const nfs_fh4 *dir,
		     const char *name, nfsstat4 *st)
{
	struct name_arg n = { .name = name };

	return on_fh_st(cl, 1, dir, fill_remove, &n, st);
}

/* OPEN create (no delegation) in the export; the case's name. */
static int create_file(struct dc_ctx *ctx, struct dc_client *cl,
		       const char *what, char *name, size_t nlen,
		       stateid4 *sid, nfs_fh4 *fh, nfsstat4 *st)
{
	dc_name(ctx, what, name, nlen);
	return dc_client_open_file(cl, name, true, sid, fh, st);
}

/* Largest I/O size both the session and the file system allow. */
static uint32_t io_limit(struct dc_client *cl, const nfs_fh4 *fh)
{
	uint64_t lim = MiB, v;
	nfsstat4 st;

	if (cl->fore.ca_maxrequestsize &&
	    cl->fore.ca_maxrequestsize - 1024 < lim)
		lim = cl->fore.ca_maxrequestsize - 1024;
	if (cl->fore.ca_maxresponsesize &&
	    cl->fore.ca_maxresponsesize - 1024 < lim)
		lim = cl->fore.ca_maxresponsesize - 1024;
	if (!get_u64(cl, fh, FATTR4_MAXWRITE, &v, &st) && st == NFS4_OK &&
	    v && v < lim)
		lim = v;
	if (!get_u64(cl, fh, FATTR4_MAXREAD, &v, &st) && st == NFS4_OK &&
	    v && v < lim)
		lim = v;
	return lim;
}

static void fill_commit(struct dc_compound *c, void *arg)
{
	dc_op_commit(c, 0, 0);
}

/* ---- DATA1: 64 MiB, random order, UNSTABLE + COMMIT ---- */

struct chunk {
	uint64_t off;
	uint32_t len;
};

#define DATA1_SIZE (64 * MiB)
#define DATA1_SEED 0xd17703c0ffeeull

static void data1_bulk(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct chunk *ch = NULL;
	uint8_t *buf = NULL, *want = NULL;
	struct prng p = { DATA1_SEED };
	nfs_fh4 fh = { 0 };
	verifier4 v0, v;
	stateid4 sid;
	char name[96];
	uint32_t lim, got;
	uint64_t off, size;
	unsigned n = 0, i, cap = 0;
	nfsstat4 st;
	bool opened = false;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = create_file(ctx, &cl, "bulk", name, sizeof(name), &sid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN create");
	opened = true;
	lim = io_limit(&cl, &fh);
	EXPECT(lim >= 64 * KiB, "I/O limit %u bytes", lim);
	/* Cut the file into chunks of 1..lim bytes, then shuffle them. */
	for (off = 0; off < DATA1_SIZE; off += ch[n++].len) {
		uint64_t len = 1 + prng_next(&p) % lim;

		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			ch = realloc(ch, cap * sizeof(*ch));
			EXPECT(ch, "out of memory");
		}
		if (len > DATA1_SIZE - off)
			len = DATA1_SIZE - off;
		ch[n].off = off;
		ch[n].len = len;
	}
	for (i = n - 1; i > 0; i--) {
		unsigned j = prng_next(&p) % (i + 1);
		struct chunk t = ch[i];

		ch[i] = ch[j];
		ch[j] = t;
	}
	buf = malloc(lim);
	want = malloc(lim);
	EXPECT(buf && want, "out of memory");
	for (i = 0; i < n; i++) {
		pat_fill(DATA1_SEED, ch[i].off, buf, ch[i].len);
		rc = write_full(&cl, &fh, &sid, ch[i].off, buf, ch[i].len,
				UNSTABLE4, i ? v : v0, &st);
		EXPECT_RPC(rc, "WRITE");
		EXPECT(st == NFS4_OK, "UNSTABLE WRITE %u/%u of %u bytes at "
				      "%llu: %s",
		       i + 1, n, ch[i].len, (unsigned long long)ch[i].off,
		       dc_nfsstat_name(st));
		/* 18.32.3: the verifier changes only across a restart. */
		EXPECT(!i || !memcmp(v, v0, sizeof(v0)),
		       "write verifier changed at WRITE %u of %u", i + 1, n);
	}
	{
		struct dc_cres r;

		rc = on_fh(&cl, 1, &fh, fill_commit, NULL, &r);
		EXPECT_RPC(rc, "COMMIT");
		st = last_status(&r);
		if (st == NFS4_OK)
			memcpy(v, dc_cres_op(&r, 2)->nfs_resop4_u.opcommit
					  .COMMIT4res_u.resok4.writeverf,
			       sizeof(v));
		dc_cres_free(&r);
		EXPECT_STATUS(st, NFS4_OK, "COMMIT");
		EXPECT(!memcmp(v, v0, sizeof(v0)),
		       "COMMIT verifier differs from the WRITE verifier");
	}
	rc = get_u64(&cl, &fh, FATTR4_SIZE, &size, &st);
	EXPECT_OK(rc, st, "GETATTR size");
	EXPECT(size == DATA1_SIZE, "size %llu after writing %llu bytes",
	       (unsigned long long)size, (unsigned long long)DATA1_SIZE);
	for (off = 0; off < DATA1_SIZE; off += lim) {
		uint32_t len = DATA1_SIZE - off < lim ? DATA1_SIZE - off : lim;

		rc = read_full(&cl, &fh, &sid, off, len, buf, &got, &st);
		EXPECT_OK(rc, st, "READ");
		EXPECT(got == len, "READ at %llu returned %u of %u bytes",
		       (unsigned long long)off, got, len);
		pat_fill(DATA1_SEED, off, want, len);
		if (memcmp(buf, want, len)) {
			for (i = 0; buf[i] == want[i]; i++)
				;
			EXPECT(0, "byte %llu reads %#x, wrote %#x",
			       (unsigned long long)(off + i), buf[i], want[i]);
		}
	}
	dc_note(ctx, "%u WRITEs of 1..%u bytes in random order", n, lim);
	opened = false;
	dc_check_close_remove(ctx, &cl, NULL, name, &fh, &sid);
out:
	if (opened) {
		dc_client_close_file(&cl, &fh, &sid, &st);
		remove_in(&cl, NULL, name, &st);
	}
	free(ch);
	free(buf);
	free(want);
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

/* ---- DATA2: sparse file ---- */

static void data2_sparse(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	uint8_t *blk = NULL, *buf = NULL;
	nfs_fh4 fh = { 0 };
	stateid4 sid;
	char name[96];
	uint64_t size, used;
	uint32_t got;
	size_t bad = 0;
	nfsstat4 st;
	bool opened = false;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = create_file(ctx, &cl, "sparse", name, sizeof(name), &sid, &fh,
			 &st);
	EXPECT_OK(rc, st, "OPEN create");
	opened = true;
	blk = malloc(4 * KiB);
	buf = malloc(64 * KiB);
	EXPECT(blk && buf, "out of memory");
	pat_fill(2, 0, blk, 4 * KiB);
	rc = write_full(&cl, &fh, &sid, 0, blk, 4 * KiB, FILE_SYNC4, NULL, &st);
	EXPECT_OK(rc, st, "WRITE at 0");
	rc = write_full(&cl, &fh, &sid, GiB, blk, 4 * KiB, FILE_SYNC4, NULL,
			&st);
	EXPECT_OK(rc, st, "WRITE at 1 GiB");
	rc = get_u64(&cl, &fh, FATTR4_SIZE, &size, &st);
	EXPECT_OK(rc, st, "GETATTR size");
	EXPECT(size == GiB + 4 * KiB, "size %llu, expected %llu",
	       (unsigned long long)size, GiB + 4 * KiB);
	/* the hole */
	rc = read_full(&cl, &fh, &sid, 512 * MiB, 64 * KiB, buf, &got, &st);
	EXPECT_OK(rc, st, "READ in the hole");
	EXPECT(got == 64 * KiB, "READ in the hole returned %u bytes", got);
	EXPECT(all_zero(buf, got, &bad), "hole byte at %llu is %#x",
	       (unsigned long long)(512 * MiB + bad), buf[bad]);
	/* straddling the hole's end and the data at 1 GiB */
	rc = read_full(&cl, &fh, &sid, GiB - 2 * KiB, 4 * KiB, buf, &got, &st);
	EXPECT_OK(rc, st, "READ across the end of the hole");
	EXPECT(got == 4 * KiB, "READ returned %u bytes", got);
	EXPECT(all_zero(buf, 2 * KiB, &bad), "hole byte at %llu is %#x",
	       (unsigned long long)(GiB - 2 * KiB + bad), buf[bad]);
	EXPECT(!memcmp(buf + 2 * KiB, blk, 2 * KiB),
	       "data at 1 GiB does not read back");
	rc = read_full(&cl, &fh, &sid, 0, 4 * KiB, buf, &got, &st);
	EXPECT_RPC(rc, "READ");
	EXPECT(st == NFS4_OK && got == 4 * KiB && !memcmp(buf, blk, 4 * KiB),
	       "data at 0 does not read back (%s, %u bytes)",
	       dc_nfsstat_name(st), got);
	rc = get_u64(&cl, &fh, FATTR4_SPACE_USED, &used, &st);
	EXPECT_OK(rc, st, "GETATTR space_used");
	EXPECT(used < size / 16, "space_used %llu for a %llu byte file with "
				 "8 KiB of data: not sparse",
	       (unsigned long long)used, (unsigned long long)size);
	dc_note(ctx, "size %llu, space_used %llu", (unsigned long long)size,
		(unsigned long long)used);
	opened = false;
	dc_check_close_remove(ctx, &cl, NULL, name, &fh, &sid);
out:
	if (opened) {
		dc_client_close_file(&cl, &fh, &sid, &st);
		remove_in(&cl, NULL, name, &st);
	}
	free(blk);
	free(buf);
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

/* ---- DATA3: ALLOCATE / DEALLOCATE / SEEK (4.2) ---- */

struct seek_arg {
	stateid4 sid;
	uint64_t off, len;
	data_content4 what;
	int op;	/* 0 seek, 1 allocate, 2 deallocate */
};

static void fill_v42(struct dc_compound *c, void *arg)
{
	struct seek_arg *s = arg;

	if (s->op == 0)
		dc_op_seek(c, &s->sid, s->off, s->what);
	else if (s->op == 1)
		dc_op_allocate(c, &s->sid, s->off, s->len);
	else
		dc_op_deallocate(c, &s->sid, s->off, s->len);
}

static int seek(struct dc_client *cl, const nfs_fh4 *fh, const stateid4 *sid,
		uint64_t off, data_content4 what, uint64_t *res, bool *eof,
		nfsstat4 *st)
{
	struct seek_arg s = { *sid, off, 0, what, 0 };
	struct dc_cres r;
	int rc = on_fh(cl, 2, fh, fill_v42, &s, &r);

	if (!rc) {
		*st = last_status(&r);
		if (r.res.status == NFS4_OK) {
			seek_res4 *ok = &dc_cres_op(&r, 2)
						 ->nfs_resop4_u.opseek
						 .sr_resok4;

			*res = ok->sr_offset;
			*eof = ok->sr_eof;
		}
	}
	dc_cres_free(&r);
	return rc;
}

static int alloc_op(struct dc_client *cl, const nfs_fh4 *fh,
		    const stateid4 *sid, int op, uint64_t off, uint64_t len,
		    nfsstat4 *st)
{
	struct seek_arg s = { *sid, off, len, NFS4_CONTENT_DATA, op };

	return on_fh_st(cl, 2, fh, fill_v42, &s, st);
}

static const char *seek_desc(data_content4 w)
{
	return w == NFS4_CONTENT_HOLE ? "HOLE" : "DATA";
}

#define EXPECT_SEEK(what, from, cond, fmt_extra)                               \
	do {                                                                   \
		rc = seek(&cl, &fh, &sid, (from), (what), &pos, &eof, &st);   \
		EXPECT_RPC(rc, "SEEK");                                        \
		EXPECT_STATUS(st, NFS4_OK, "SEEK");                            \
		EXPECT(cond, "SEEK %s from %llu: offset %llu eof %d; "         \
			     fmt_extra,                                        \
		       seek_desc(what), (unsigned long long)(from),            \
		       (unsigned long long)pos, eof);                          \
	} while (0)

struct size_arg {
	stateid4 sid;
	uint64_t size;
};

static void fill_setsize(struct dc_compound *c, void *arg)
{
	struct size_arg *s = arg;

	dc_op_setattr_size(c, &s->sid, s->size);
}

/*
 * Extents are 1 MiB aligned: SEEK may report holes at the server's own
 * granularity (15.11.3) and DEALLOCATE need not free a partial block, so
 * only whole, aligned ranges are expected to be exact holes.
 */
static void data3_v42_space(struct dc_ctx *ctx)
{
	const uint64_t b = 4 * MiB, c = 8 * MiB, sz = 8 * MiB + 4 * KiB;
	struct dc_client cl = { 0 };
	uint8_t *mb = NULL, *buf = NULL;
	struct size_arg sa;
	nfs_fh4 fh = { 0 };
	stateid4 sid;
	char name[96];
	uint64_t pos = 0, hole, size;
	uint32_t got;
	size_t bad = 0;
	nfsstat4 st;
	bool eof = false, opened = false;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = create_file(ctx, &cl, "seek", name, sizeof(name), &sid, &fh, &st);
	EXPECT_OK(rc, st, "OPEN create");
	opened = true;
	mb = malloc(MiB);
	buf = malloc(MiB);
	EXPECT(mb && buf, "out of memory");
	pat_fill(3, 0, mb, MiB);
	/* data [0, 4K), hole, data [4M, 5M), hole, data [8M, 8M+4K) */
	rc = write_full(&cl, &fh, &sid, 0, mb, 4096, FILE_SYNC4, NULL, &st);
	EXPECT_OK(rc, st, "WRITE at 0");
	rc = write_full(&cl, &fh, &sid, b, mb, MiB, FILE_SYNC4, NULL, &st);
	EXPECT_OK(rc, st, "WRITE of [4 MiB, 5 MiB)");
	rc = write_full(&cl, &fh, &sid, c, mb, 4096, FILE_SYNC4, NULL, &st);
	EXPECT_OK(rc, st, "WRITE at 8 MiB");

	EXPECT_SEEK(NFS4_CONTENT_DATA, 0, pos == 0 && !eof, "expected 0");
	EXPECT_SEEK(NFS4_CONTENT_HOLE, 0, pos >= 4096 && pos < b,
		    "expected a hole in [4 KiB, 4 MiB)");
	hole = pos;
	EXPECT_SEEK(NFS4_CONTENT_DATA, hole, pos > hole && pos <= b && !eof,
		    "expected the data at 4 MiB");
	EXPECT_SEEK(NFS4_CONTENT_HOLE, b, pos >= b + MiB && pos < c,
		    "expected the hole in [5 MiB, 8 MiB)");
	EXPECT_SEEK(NFS4_CONTENT_HOLE, c, pos == sz,
		    "expected the implicit hole at EOF (8 MiB + 4 KiB)");
	rc = seek(&cl, &fh, &sid, sz + 4096, NFS4_CONTENT_DATA, &pos, &eof,
		  &st);
	EXPECT_RPC(rc, "SEEK");
	EXPECT_STATUS(st, NFS4ERR_NXIO, "SEEK DATA beyond EOF (15.11.3)");

	/* DEALLOCATE [4M, 5M): zeros, size kept, a hole for SEEK */
	rc = alloc_op(&cl, &fh, &sid, 2, b, MiB, &st);
	EXPECT_OK(rc, st, "DEALLOCATE [4 MiB, 5 MiB)");
	rc = read_full(&cl, &fh, &sid, b, MiB, buf, &got, &st);
	EXPECT_OK(rc, st, "READ of the deallocated range");
	EXPECT(got == MiB && all_zero(buf, got, &bad),
	       "deallocated range: %u bytes, byte %zu is %#x", got, bad,
	       got ? buf[bad] : 0);
	rc = get_u64(&cl, &fh, FATTR4_SIZE, &size, &st);
	EXPECT_RPC(rc, "GETATTR");
	EXPECT(st == NFS4_OK && size == sz,
	       "size after DEALLOCATE: %llu, expected %llu (%s)",
	       (unsigned long long)size, (unsigned long long)sz,
	       dc_nfsstat_name(st));
	EXPECT_SEEK(NFS4_CONTENT_DATA, hole, pos >= b + MiB && pos <= c,
		    "expected the data at 8 MiB: [4 MiB, 5 MiB) was "
		    "deallocated");
	EXPECT_SEEK(NFS4_CONTENT_DATA, 0, pos == 0, "expected 0");

	/* SETATTR size up leaves a hole to EOF: DATA finds none (eof) */
	sa = (struct size_arg){ sid, 12 * MiB };
	rc = on_fh_st(&cl, 1, &fh, fill_setsize, &sa, &st);
	EXPECT_OK(rc, st, "SETATTR size 12 MiB");
	EXPECT_SEEK(NFS4_CONTENT_DATA, 9 * MiB, eof,
		    "expected NFS4_OK with sr_eof: no data after 9 MiB in a "
		    "12 MiB file");

	/* ALLOCATE past EOF extends the file (15.1.3) with zeros */
	rc = alloc_op(&cl, &fh, &sid, 1, 12 * MiB, MiB, &st);
	EXPECT_OK(rc, st, "ALLOCATE [EOF, +1 MiB)");
	rc = get_u64(&cl, &fh, FATTR4_SIZE, &size, &st);
	EXPECT_RPC(rc, "GETATTR");
	EXPECT(st == NFS4_OK && size == 13 * MiB,
	       "size after ALLOCATE past EOF: %llu, expected %llu",
	       (unsigned long long)size, 13 * MiB);
	rc = read_full(&cl, &fh, &sid, 12 * MiB, MiB, buf, &got, &st);
	EXPECT_OK(rc, st, "READ of the allocated range");
	EXPECT(got == MiB && all_zero(buf, got, &bad),
	       "allocated range: %u bytes, byte %zu is %#x", got, bad,
	       got ? buf[bad] : 0);
	rc = read_full(&cl, &fh, &sid, c, 4096, buf, &got, &st);
	EXPECT_RPC(rc, "READ");
	EXPECT(st == NFS4_OK && got == 4096 && !memcmp(buf, mb, 4096),
	       "data at 8 MiB changed by DEALLOCATE/ALLOCATE elsewhere");
	opened = false;
	dc_check_close_remove(ctx, &cl, NULL, name, &fh, &sid);
out:
	if (opened) {
		dc_client_close_file(&cl, &fh, &sid, &st);
		remove_in(&cl, NULL, name, &st);
	}
	free(mb);
	free(buf);
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

/* ---- DATA4: extended attributes (RFC 8276) ---- */

struct xa_arg {
	int op;	/* 0 get, 1 set, 2 list, 3 remove */
	setxattr_option4 opt;
	const char *name;
	const char *val;
};

static void fill_xattr(struct dc_compound *c, void *arg)
{
	struct xa_arg *x = arg;

	switch (x->op) {
	case 0:
		dc_op_getxattr(c, x->name);
		break;
	case 1:
		dc_op_setxattr(c, x->opt, x->name, x->val, strlen(x->val));
		break;
	case 2:
		dc_op_listxattrs(c, 0, 8192);
		break;
	default:
		dc_op_removexattr(c, x->name);
	}
}

/* One xattr op on fh; for GET the value, for LIST "name/name/..." */
static int xattr(struct dc_client *cl, const nfs_fh4 *fh, struct xa_arg *x,
		 char *out, size_t olen, nfsstat4 *st)
{
	struct dc_cres r;
	int rc = on_fh(cl, 2, fh, fill_xattr, x, &r);

	if (out)
		out[0] = 0;
	if (!rc) {
		nfs_resop4 *op = dc_cres_op(&r, 2);

		*st = last_status(&r);
		if (r.res.status == NFS4_OK && out && x->op == 0) {
			xattrvalue4 *v =
				&op->nfs_resop4_u.opgetxattr.GETXATTR4res_u
					 .resok4.gxr_value;

			snprintf(out, olen, "%.*s", (int)v->utf8string_len,
				 v->utf8string_val);
		} else if (r.res.status == NFS4_OK && out && x->op == 2) {
			xattrlist4 *l = &op->nfs_resop4_u.oplistxattr
						 .LISTXATTR4res_u.resok4
						 .lxr_names;
			size_t n = 0;
			unsigned i;

			for (i = 0; i < l->xl4_count && n < olen; i++)
				n += snprintf(out + n, olen - n, "%.*s/",
					      (int)l->xl4_entries[i]
						      .utf8string_len,
					      l->xl4_entries[i]
						      .utf8string_val);
		}
	}
	dc_cres_free(&r);
	return rc;
}

static void data4_xattrs(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	nfs_fh4 fh = { 0 };
	stateid4 sid;
	char name[96], key[64], out[1024], want[80];
	struct xa_arg x;
	nfsstat4 st;
	bool opened = false;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = create_file(ctx, &cl, "xattr", name, sizeof(name), &sid, &fh,
			 &st);
	EXPECT_OK(rc, st, "OPEN create");
	opened = true;
	/* RFC 8276 8.2: names travel without the "user." prefix. */
	snprintf(key, sizeof(key), "ditto.%s", ctx->run_id);
	x = (struct xa_arg){ 1, SETXATTR4_CREATE, key, "value-one" };
	rc = xattr(&cl, &fh, &x, NULL, 0, &st);
	EXPECT_OK(rc, st, "SETXATTR CREATE of a new xattr");
	rc = xattr(&cl, &fh, &x, NULL, 0, &st);
	EXPECT_RPC(rc, "SETXATTR");
	EXPECT_STATUS(st, NFS4ERR_EXIST, "SETXATTR CREATE of an existing one");
	x = (struct xa_arg){ 1, SETXATTR4_REPLACE, "ditto.missing", "v" };
	rc = xattr(&cl, &fh, &x, NULL, 0, &st);
	EXPECT_RPC(rc, "SETXATTR");
	EXPECT_STATUS(st, NFS4ERR_NOXATTR, "SETXATTR REPLACE of a missing one");
	x = (struct xa_arg){ 0, 0, key, NULL };
	rc = xattr(&cl, &fh, &x, out, sizeof(out), &st);
	EXPECT_OK(rc, st, "GETXATTR");
	EXPECT(!strcmp(out, "value-one"), "GETXATTR value \"%s\"", out);
	x = (struct xa_arg){ 1, SETXATTR4_REPLACE, key, "value-two" };
	rc = xattr(&cl, &fh, &x, NULL, 0, &st);
	EXPECT_OK(rc, st, "SETXATTR REPLACE of an existing one");
	x = (struct xa_arg){ 0, 0, key, NULL };
	rc = xattr(&cl, &fh, &x, out, sizeof(out), &st);
	EXPECT_RPC(rc, "GETXATTR");
	EXPECT(st == NFS4_OK && !strcmp(out, "value-two"),
	       "GETXATTR after REPLACE: %s \"%s\"", dc_nfsstat_name(st), out);
	x = (struct xa_arg){ 2, 0, NULL, NULL };
	rc = xattr(&cl, &fh, &x, out, sizeof(out), &st);
	EXPECT_OK(rc, st, "LISTXATTRS");
	snprintf(want, sizeof(want), "%s/", key);
	EXPECT(strstr(out, want) && !strstr(out, "ditto.missing"),
	       "LISTXATTRS gave \"%s\"", out);
	x = (struct xa_arg){ 3, 0, key, NULL };
	rc = xattr(&cl, &fh, &x, NULL, 0, &st);
	EXPECT_OK(rc, st, "REMOVEXATTR");
	x = (struct xa_arg){ 0, 0, key, NULL };
	rc = xattr(&cl, &fh, &x, out, sizeof(out), &st);
	EXPECT_RPC(rc, "GETXATTR");
	EXPECT_STATUS(st, NFS4ERR_NOXATTR, "GETXATTR of a removed xattr");
	x = (struct xa_arg){ 3, 0, key, NULL };
	rc = xattr(&cl, &fh, &x, NULL, 0, &st);
	EXPECT_RPC(rc, "REMOVEXATTR");
	EXPECT_STATUS(st, NFS4ERR_NOXATTR, "REMOVEXATTR of a removed xattr");
	x = (struct xa_arg){ 2, 0, NULL, NULL };
	rc = xattr(&cl, &fh, &x, out, sizeof(out), &st);
	EXPECT_RPC(rc, "LISTXATTRS");
	EXPECT(st == NFS4_OK && !strstr(out, want),
	       "LISTXATTRS after REMOVEXATTR: %s \"%s\"", dc_nfsstat_name(st),
	       out);
	opened = false;
	dc_check_close_remove(ctx, &cl, NULL, name, &fh, &sid);
out:
	if (opened) {
		dc_client_close_file(&cl, &fh, &sid, &st);
		remove_in(&cl, NULL, name, &st);
	}
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

/* ---- DATA5: byte-range locks between two clients ---- */

struct lock_arg {
	int op;	/* 0 LOCK new owner, 1 LOCK existing, 2 LOCKT, 3 LOCKU */
	nfs_lock_type4 type;
	stateid4 sid;
	clientid4 clid;
	const char *owner;
	uint64_t off, len;
};

static void fill_lock(struct dc_compound *c, void *arg)
{
	struct lock_arg *l = arg;

	switch (l->op) {
	case 0:
		dc_op_lock_new(c, l->type, &l->sid, l->clid, l->owner, l->off,
			       l->len);
		break;
	case 1:
		dc_op_lock_exist(c, l->type, &l->sid, l->off, l->len);
		break;
	case 2:
		dc_op_lockt(c, l->type, l->clid, l->owner, l->off, l->len);
		break;
	default:
		dc_op_locku_type(c, l->type, &l->sid, l->off, l->len);
	}
}

/* *sid_out: the lock stateid (LOCK/LOCKU); *den: LOCK4denied. */
static int lock_call(struct dc_client *cl, const nfs_fh4 *fh,
		     struct lock_arg *l, stateid4 *sid_out, LOCK4denied *den,
		     nfsstat4 *st)
{
	struct dc_cres r;
	int rc = on_fh(cl, 1, fh, fill_lock, l, &r);

	memset(den, 0, sizeof(*den));
	if (!rc) {
		nfs_resop4 *op = dc_cres_op(&r, 2);

		*st = last_status(&r);
		if (op && *st == NFS4_OK && l->op <= 1)
			*sid_out = op->nfs_resop4_u.oplock.LOCK4res_u.resok4
					   .lock_stateid;
		else if (op && *st == NFS4_OK && l->op == 3)
			*sid_out = op->nfs_resop4_u.oplocku.LOCKU4res_u
					   .lock_stateid;
		else if (op && *st == NFS4ERR_DENIED && l->op <= 1)
			*den = op->nfs_resop4_u.oplock.LOCK4res_u.denied;
		else if (op && *st == NFS4ERR_DENIED && l->op == 2)
			*den = op->nfs_resop4_u.oplockt.LOCKT4res_u.denied;
		/* the owner points into the reply: not kept */
		den->owner.owner.owner_val = NULL;
	}
	dc_cres_free(&r);
	return rc;
}

#define EXPECT_DENIED(den, what)                                               \
	EXPECT((den).offset == 0 && (den).length == 100 &&                     \
		       (den).locktype == WRITE_LT &&                           \
		       (den).owner.clientid == a.clientid,                     \
	       "%s: denied range [%llu, +%llu) type %d owner clientid "       \
	       "%#llx, expected A's WRITE lock [0, +100)",                     \
	       what, (unsigned long long)(den).offset,                         \
	       (unsigned long long)(den).length, (den).locktype,              \
	       (unsigned long long)(den).owner.clientid)

static void data5_locks(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	nfs_fh4 fha = { 0 }, fhb = { 0 };
	stateid4 osa, osb, lsa, lsb;
	struct lock_arg l;
	LOCK4denied den;
	char name[96];
	nfsstat4 st;
	bool oa = false, ob = false, la = false, lb = false;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	rc = create_file(ctx, &a, "locks", name, sizeof(name), &osa, &fha,
			 &st);
	EXPECT_OK(rc, st, "OPEN create by A");
	oa = true;
	rc = dc_client_open_file(&b, name, false, &osb, &fhb, &st);
	EXPECT_OK(rc, st, "OPEN by B");
	ob = true;
	l = (struct lock_arg){ 0, WRITE_LT, osa, a.clientid, "lo-A", 0, 100 };
	rc = lock_call(&a, &fha, &l, &lsa, &den, &st);
	EXPECT_OK(rc, st, "A: LOCK WRITE [0, 100)");
	la = true;
	l = (struct lock_arg){ 0, WRITE_LT, osb, b.clientid, "lo-B", 50, 10 };
	rc = lock_call(&b, &fhb, &l, &lsb, &den, &st);
	EXPECT_RPC(rc, "LOCK by B");
	EXPECT_STATUS(st, NFS4ERR_DENIED, "B: LOCK WRITE [50, 60) under A's");
	EXPECT_DENIED(den, "LOCK");
	l = (struct lock_arg){ 2, WRITE_LT, osb, b.clientid, "lo-B", 50, 10 };
	rc = lock_call(&b, &fhb, &l, &lsb, &den, &st);
	EXPECT_RPC(rc, "LOCKT by B");
	EXPECT_STATUS(st, NFS4ERR_DENIED, "B: LOCKT WRITE [50, 60)");
	EXPECT_DENIED(den, "LOCKT");
	l = (struct lock_arg){ 2, READ_LT, osb, b.clientid, "lo-B", 0, 1 };
	rc = lock_call(&b, &fhb, &l, &lsb, &den, &st);
	EXPECT_RPC(rc, "LOCKT by B");
	EXPECT_STATUS(st, NFS4ERR_DENIED, "B: LOCKT READ [0, 1) under A's "
					  "WRITE lock");
	l = (struct lock_arg){ 2, WRITE_LT, osb, b.clientid, "lo-B", 100, 50 };
	rc = lock_call(&b, &fhb, &l, &lsb, &den, &st);
	EXPECT_OK(rc, st, "B: LOCKT WRITE [100, 150) next to A's");
	l = (struct lock_arg){ 3, WRITE_LT, lsa, 0, NULL, 0, 100 };
	rc = lock_call(&a, &fha, &l, &lsa, &den, &st);
	EXPECT_OK(rc, st, "A: LOCKU [0, 100)");
	la = false;
	l = (struct lock_arg){ 0, WRITE_LT, osb, b.clientid, "lo-B", 50, 10 };
	rc = lock_call(&b, &fhb, &l, &lsb, &den, &st);
	EXPECT_OK(rc, st, "B: LOCK WRITE [50, 60) after A's LOCKU");
	lb = true;
	/* and now A is the one refused */
	l = (struct lock_arg){ 2, READ_LT, osa, a.clientid, "lo-A", 55, 1 };
	rc = lock_call(&a, &fha, &l, &lsa, &den, &st);
	EXPECT_RPC(rc, "LOCKT by A");
	EXPECT_STATUS(st, NFS4ERR_DENIED, "A: LOCKT READ [55, 56) under B's");
	l = (struct lock_arg){ 3, WRITE_LT, lsb, 0, NULL, 50, 10 };
	rc = lock_call(&b, &fhb, &l, &lsb, &den, &st);
	EXPECT_OK(rc, st, "B: LOCKU");
	lb = false;
	rc = dc_client_close_file(&b, &fhb, &osb, &st);
	ob = false;
	EXPECT_OK(rc, st, "CLOSE by B");
	rc = dc_client_close_file(&a, &fha, &osa, &st);
	oa = false;
	EXPECT_OK(rc, st, "CLOSE by A");
	rc = remove_in(&a, NULL, name, &st);
	EXPECT_OK(rc, st, "REMOVE");
out:
	if (lb) {
		l = (struct lock_arg){ 3, WRITE_LT, lsb, 0, NULL, 50, 10 };
		lock_call(&b, &fhb, &l, &lsb, &den, &st);
	}
	if (la) {
		l = (struct lock_arg){ 3, WRITE_LT, lsa, 0, NULL, 0, 100 };
		lock_call(&a, &fha, &l, &lsa, &den, &st);
	}
	if (ob)
		dc_client_close_file(&b, &fhb, &osb, &st);
	if (oa) {
		dc_client_close_file(&a, &fha, &osa, &st);
		remove_in(&a, NULL, name, &st);
	}
	dc_fh_free(&fha);
	dc_fh_free(&fhb);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

/* ---- DATA6: file system space and file counts ---- */

static void data6_statfs(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	struct dc_statfs s0, s1, s2;
	uint8_t *buf = NULL;
	nfs_fh4 fh = { 0 };
	stateid4 sid;
	char name[96];
	uint64_t off;
	nfsstat4 st;
	bool opened = false, exists = false;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = dc_fs_statfs(&cl, &s0, &st);
	EXPECT_OK(rc, st, "GETATTR files_*/space_* of the export");
	EXPECT(s0.ftotal && s0.ffree && s0.favail && s0.stotal && s0.sfree &&
		       s0.savail,
	       "zero value: files avail %llu free %llu total %llu, space "
	       "avail %llu free %llu total %llu",
	       (unsigned long long)s0.favail, (unsigned long long)s0.ffree,
	       (unsigned long long)s0.ftotal, (unsigned long long)s0.savail,
	       (unsigned long long)s0.sfree, (unsigned long long)s0.stotal);
	EXPECT(s0.ffree <= s0.ftotal && s0.favail <= s0.ftotal &&
		       s0.sfree <= s0.stotal && s0.savail <= s0.stotal,
	       "inconsistent: files avail %llu free %llu total %llu, space "
	       "avail %llu free %llu total %llu",
	       (unsigned long long)s0.favail, (unsigned long long)s0.ffree,
	       (unsigned long long)s0.ftotal, (unsigned long long)s0.savail,
	       (unsigned long long)s0.sfree, (unsigned long long)s0.stotal);
	rc = create_file(ctx, &cl, "space", name, sizeof(name), &sid, &fh,
			 &st);
	EXPECT_OK(rc, st, "OPEN create");
	opened = exists = true;
	buf = malloc(MiB);
	EXPECT(buf, "out of memory");
	for (off = 0; off < 8 * MiB; off += MiB) {
		pat_fill(6, off, buf, MiB);
		rc = write_full(&cl, &fh, &sid, off, buf, MiB, FILE_SYNC4,
				NULL, &st);
		EXPECT_OK(rc, st, "WRITE");
	}
	rc = dc_fs_statfs(&cl, &s1, &st);
	EXPECT_OK(rc, st, "GETATTR after writing 8 MiB");
	EXPECT(s1.sfree + 4 * MiB <= s0.sfree,
	       "space_free %llu before, %llu after writing 8 MiB",
	       (unsigned long long)s0.sfree, (unsigned long long)s1.sfree);
	EXPECT(s1.ffree < s0.ffree, "files_free %llu before, %llu after a "
				    "create",
	       (unsigned long long)s0.ffree, (unsigned long long)s1.ffree);
	opened = false;
	if (!dc_check_close_remove(ctx, &cl, NULL, name, &fh, &sid))
		goto out;
	exists = false;
	rc = dc_fs_statfs(&cl, &s2, &st);
	EXPECT_OK(rc, st, "GETATTR after REMOVE");
	EXPECT(s2.sfree >= s1.sfree + 4 * MiB && s2.sfree + MiB >= s0.sfree,
	       "space_free %llu before, %llu with the file, %llu after "
	       "REMOVE",
	       (unsigned long long)s0.sfree, (unsigned long long)s1.sfree,
	       (unsigned long long)s2.sfree);
	dc_note(ctx, "space_free %llu -> %llu -> %llu",
		(unsigned long long)s0.sfree, (unsigned long long)s1.sfree,
		(unsigned long long)s2.sfree);
out:
	if (opened)
		dc_client_close_file(&cl, &fh, &sid, &st);
	if (exists)
		remove_in(&cl, NULL, name, &st);
	free(buf);
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

/* ---- DATA7: truncate down and up ---- */

static void data7_truncate(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 };
	uint8_t data[8192], buf[8192];
	struct size_arg sa;
	nfs_fh4 fh = { 0 };
	char name[96];
	uint64_t size;
	uint32_t got;
	size_t bad = 0;
	nfsstat4 st;
	bool opened = false, eof;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	rc = create_file(ctx, &cl, "trunc", name, sizeof(name), &sa.sid, &fh,
			 &st);
	EXPECT_OK(rc, st, "OPEN create");
	opened = true;
	memset(data, 0xab, sizeof(data));
	rc = write_full(&cl, &fh, &sa.sid, 0, data, sizeof(data), FILE_SYNC4,
			NULL, &st);
	EXPECT_OK(rc, st, "WRITE 8 KiB");
	sa.size = 1000;
	rc = on_fh_st(&cl, 1, &fh, fill_setsize, &sa, &st);
	EXPECT_OK(rc, st, "SETATTR size 1000");
	rc = get_u64(&cl, &fh, FATTR4_SIZE, &size, &st);
	EXPECT_RPC(rc, "GETATTR");
	EXPECT(st == NFS4_OK && size == 1000, "size %llu after truncating "
					      "to 1000 (%s)",
	       (unsigned long long)size, dc_nfsstat_name(st));
	rc = dc_fs_read(&cl, &fh, &sa.sid, 1000, 100, buf, &got, &eof, &st);
	EXPECT_RPC(rc, "READ");
	EXPECT(st == NFS4_OK && got == 0 && eof,
	       "READ at the new EOF: %s, %u bytes, eof %d",
	       dc_nfsstat_name(st), got, eof);
	sa.size = 8192;
	rc = on_fh_st(&cl, 1, &fh, fill_setsize, &sa, &st);
	EXPECT_OK(rc, st, "SETATTR size 8192");
	rc = read_full(&cl, &fh, &sa.sid, 0, sizeof(buf), buf, &got, &st);
	EXPECT_OK(rc, st, "READ after growing");
	EXPECT(got == sizeof(buf), "READ returned %u bytes", got);
	EXPECT(!memcmp(buf, data, 1000), "the first 1000 bytes changed");
	EXPECT(all_zero(buf + 1000, sizeof(buf) - 1000, &bad),
	       "byte %zu is %#x after truncate to 1000 and grow to 8192: "
	       "old data came back",
	       1000 + bad, buf[1000 + bad]);
	opened = false;
	dc_check_close_remove(ctx, &cl, NULL, name, &fh, &sa.sid);
out:
	if (opened) {
		dc_client_close_file(&cl, &fh, &sa.sid, &st);
		remove_in(&cl, NULL, name, &st);
	}
	dc_fh_free(&fh);
	dc_client_destroy(&cl);
}

/* ---- DATA8: READDIR of 5,000 entries ---- */

#define NENT 5000
#define MAX_READDIRS 20000

static void fill_mkdir_fh(struct dc_compound *c, void *arg)
{
	dc_op_mkdir(c, arg);
	dc_op_getfh(c);
}

/* CREATE directory name in dir (export if NULL); *fh its handle. */
static int mkdir_in(struct dc_client *cl, const nfs_fh4 *dir,
		    const char *name, nfs_fh4 *fh, nfsstat4 *st)
{
	struct dc_cres r;
	int rc = on_fh(cl, 1, dir, fill_mkdir_fh, (void *)name, &r);

	if (!rc) {
		*st = last_status(&r);
		if (r.res.status == NFS4_OK && fh)
			dc_fh_copy(fh, &dc_cres_op(&r,
						   r.res.resarray.resarray_len -
							   1)
						->nfs_resop4_u.opgetfh
						.GETFH4res_u.resok4.object);
	}
	dc_cres_free(&r);
	return rc;
}

/* Ops per compound after SEQUENCE that the session allows. */
static unsigned ops_budget(struct dc_client *cl)
{
	unsigned n = cl->fore.ca_maxoperations ? cl->fore.ca_maxoperations :
						 8;

	if (n > DC_MAX_OPS)
		n = DC_MAX_OPS;
	return n - 1;
}

/*
 * Create (symlinks) or remove names fmt%05u for i in [from, to) in
 * dir, batched; *st is the first failure.
 */
static int batch_names(struct dc_client *cl, const nfs_fh4 *dir,
		       const char *fmt, unsigned from, unsigned to,
		       bool create, nfsstat4 *st)
{
	unsigned per = create ? ops_budget(cl) / 2 : ops_budget(cl) - 1;
	unsigned i = from;

	*st = NFS4_OK;
	while (i < to) {
		struct dc_compound c;
		struct dc_cres r;
		uint32_t slot;
		unsigned k;
		char nm[32];
		int rc = dc_client_begin(cl, &c, "batch", false, &slot);

		if (rc)
			return rc;
		dc_op_putfh(&c, dir);
		for (k = 0; k < per && i < to; k++, i++) {
			snprintf(nm, sizeof(nm), fmt, i);
			if (create) {
				if (k)
					dc_op_putfh(&c, dir);
				dc_op_symlink(&c, nm, "target");
			} else {
				dc_op_remove(&c, nm);
			}
		}
		rc = dc_client_send(cl, 0, &c, slot, &r);
		dc_compound_free(&c);
		if (rc) {
			dc_cres_free(&r);
			return rc;
		}
		if (r.res.status != NFS4_OK) {
			*st = last_status(&r);
			dc_cres_free(&r);
			return 0;
		}
		dc_cres_free(&r);
	}
	return 0;
}

struct rd_arg {
	uint64_t cookie;
	verifier4 verf;
};

static void fill_readdir_small(struct dc_compound *c, void *arg)
{
	struct rd_arg *a = arg;

	/* small chunks: a few dozen entries per reply */
	dc_op_readdir(c, a->cookie, 512, 2048, 1u << FATTR4_TYPE, 0);
	memcpy(c->ops[c->nops - 1].nfs_argop4_u.opreaddir.cookieverf,
	       a->verf, NFS4_VERIFIER_SIZE);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct scan {
	unsigned seen[NENT];
	unsigned extra, unknown, calls;
	uint64_t *cookies;
	unsigned ncookies;
	char problem[256];
};

/*
 * One full READDIR scan of dir; tick (if set) runs between replies.
 * Names "e%05u" are counted in s->seen, "x%05u" in s->extra.
 */
static int scan_dir(struct dc_client *cl, const nfs_fh4 *dir, struct scan *s,
		    void (*tick)(void *arg, unsigned call), void *targ,
		    nfsstat4 *st)
{
	struct rd_arg a = { 0 };
	bool eof = false;

	memset(s->seen, 0, sizeof(s->seen));
	s->extra = s->unknown = s->calls = s->ncookies = 0;
	s->problem[0] = 0;
	*st = NFS4_OK;
	while (!eof && s->calls < MAX_READDIRS) {
		struct dc_cres r;
		READDIR4resok *ok;
		entry4 *e;
		bool any = false;
		int rc = on_fh(cl, 1, dir, fill_readdir_small, &a, &r);

		s->calls++;
		if (rc) {
			dc_cres_free(&r);
			return rc;
		}
		*st = last_status(&r);
		if (r.res.status != NFS4_OK) {
			dc_cres_free(&r);
			return 0;
		}
		ok = &dc_cres_op(&r, 2)->nfs_resop4_u.opreaddir.READDIR4res_u
			      .resok4;
		memcpy(a.verf, ok->cookieverf, NFS4_VERIFIER_SIZE);
		for (e = ok->reply.entries; e; e = e->nextentry) {
			char nm[64];
			unsigned idx;
			char tail;

			any = true;
			snprintf(nm, sizeof(nm), "%.*s",
				 (int)e->name.utf8string_len,
				 e->name.utf8string_val);
			if (e->cookie <= 2 && !s->problem[0])
				snprintf(s->problem, sizeof(s->problem),
					 "reserved cookie %llu for \"%s\" "
					 "(18.23.3)",
					 (unsigned long long)e->cookie, nm);
			if (s->ncookies < 4 * NENT)
				s->cookies[s->ncookies++] = e->cookie;
			if (sscanf(nm, "e%5u%c", &idx, &tail) == 1 &&
			    idx < NENT)
				s->seen[idx]++;
			else if (nm[0] == 'x')
				s->extra++;
			else
				s->unknown++;
			a.cookie = e->cookie;
		}
		eof = ok->reply.eof;
		dc_cres_free(&r);
		if (!eof && !any) {
			snprintf(s->problem, sizeof(s->problem),
				 "READDIR reply with no entry and no eof");
			return 0;
		}
		if (tick)
			tick(targ, s->calls);
	}
	if (!eof)
		snprintf(s->problem, sizeof(s->problem),
			 "no eof after %u READDIRs", s->calls);
	return 0;
}

/* The scan's verdict: "" when every eNNNNN came exactly once. */
static void scan_check(struct scan *s, char *out, size_t len)
{
	unsigned i, missing = 0, dup = 0, first = NENT, cdup = 0;

	out[0] = 0;
	if (s->problem[0]) {
		snprintf(out, len, "%s", s->problem);
		return;
	}
	for (i = 0; i < NENT; i++) {
		if (s->seen[i] != 1 && first == NENT)
			first = i;
		missing += s->seen[i] == 0;
		dup += s->seen[i] > 1;
	}
	qsort(s->cookies, s->ncookies, sizeof(*s->cookies), cmp_u64);
	for (i = 1; i < s->ncookies; i++)
		cdup += s->cookies[i] == s->cookies[i - 1];
	if (missing || dup || s->unknown || cdup)
		snprintf(out, len,
			 "%u names missing, %u more than once (first e%05u "
			 "seen %u times), %u unknown names, %u repeated "
			 "cookies",
			 missing, dup, first, first < NENT ? s->seen[first] : 0,
			 s->unknown, cdup);
}

struct churn {
	struct dc_client *cl;
	const nfs_fh4 *dir;
	unsigned made;
	nfsstat4 err;
};

/* B: create x<n>, remove x<n-1> between A's READDIRs. */
static void churn_tick(void *arg, unsigned call)
{
	struct churn *ch = arg;
	char nm[32];
	nfsstat4 st;

	if (ch->err != NFS4_OK)
		return;
	if (batch_names(ch->cl, ch->dir, "x%05u", ch->made, ch->made + 1,
			true, &st) || st != NFS4_OK) {
		ch->err = st ? st : NFS4ERR_IO;
		return;
	}
	if (ch->made) {
		snprintf(nm, sizeof(nm), "x%05u", ch->made - 1);
		if (remove_in(ch->cl, ch->dir, nm, &st) || st != NFS4_OK)
			ch->err = st ? st : NFS4ERR_IO;
	}
	ch->made++;
}

static void data8_readdir(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct scan *s = NULL;
	struct churn ch = { &b };
	nfs_fh4 dir = { 0 };
	char dname[96], why[300];
	unsigned calls1;
	nfsstat4 st;
	bool made = false, filled = false;
	int rc;

	rc = dc_ctx_mounted(ctx, &a);
	EXPECT_RPC(rc, "mount A");
	s = calloc(1, sizeof(*s));
	EXPECT(s, "out of memory");
	s->cookies = calloc(4 * NENT, sizeof(*s->cookies));
	EXPECT(s->cookies, "out of memory");
	dc_name(ctx, "dir", dname, sizeof(dname));
	rc = mkdir_in(&a, NULL, dname, &dir, &st);
	EXPECT_OK(rc, st, "CREATE dir");
	made = true;
	filled = true;
	rc = batch_names(&a, &dir, "e%05u", 0, NENT, true, &st);
	EXPECT_OK(rc, st, "CREATE of 5000 entries");

	rc = scan_dir(&a, &dir, s, NULL, NULL, &st);
	EXPECT_OK(rc, st, "READDIR");
	scan_check(s, why, sizeof(why));
	EXPECT(!why[0], "quiet scan (%u READDIRs): %s", s->calls, why);
	calls1 = s->calls;

	/* Only now: filling and scanning may take longer than B's lease. */
	rc = dc_ctx_mounted(ctx, &b);
	EXPECT_RPC(rc, "mount B");
	ch.dir = &dir;
	rc = scan_dir(&a, &dir, s, churn_tick, &ch, &st);
	EXPECT_OK(rc, st, "READDIR during changes");
	EXPECT_STATUS(ch.err, NFS4_OK, "B's CREATE/REMOVE during the scan");
	scan_check(s, why, sizeof(why));
	EXPECT(!why[0], "scan while B created and removed %u other names: %s",
	       ch.made, why);
	EXPECT(s->extra <= ch.made, "%u x-names seen, only %u existed",
	       s->extra, ch.made);
	dc_note(ctx, "%u + %u READDIRs; B churned %u names, %u seen",
		calls1, s->calls, ch.made, s->extra);
out:
	if (filled) {
		char nm[32];

		batch_names(&a, &dir, "e%05u", 0, NENT, false, &st);
		if (ch.made) {
			snprintf(nm, sizeof(nm), "x%05u", ch.made - 1);
			remove_in(&a, &dir, nm, &st);
		}
	}
	if (made) {
		rc = remove_in(&a, NULL, dname, &st);
		if (ctx->result == DC_PASS && (rc || st != NFS4_OK))
			dc_fail(ctx, "REMOVE of the emptied directory: %s",
				rc ? "transport error" : dc_nfsstat_name(st));
	}
	if (s)
		free(s->cookies);
	free(s);
	dc_fh_free(&dir);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

/* ---- DATA9: RENAME and LINK ---- */

static void fill_rename2(struct dc_compound *c, void *arg)
{
	struct name_arg *n = arg;

	/* current fh is the source dir (PUTFH by on_fh) */
	dc_op_savefh(c);
	dc_op_putfh(c, n->dir2);
	dc_op_rename(c, n->name, n->name2);
}

/* RENAME from sdir/from to tdir/to. */
static int rename2(struct dc_client *cl, const nfs_fh4 *sdir,
		   const char *from, const nfs_fh4 *tdir, const char *to,
		   nfsstat4 *st)
{
	struct name_arg n = { .name = from, .name2 = to, .dir2 = tdir };

	return on_fh_st(cl, 1, sdir, fill_rename2, &n, st);
}

static void fill_link(struct dc_compound *c, void *arg)
{
	struct name_arg *n = arg;

	/* current fh is the file; LINK into dir2 */
	dc_op_savefh(c);
	dc_op_putfh(c, n->dir2);
	dc_op_link(c, n->name2);
}

static void fill_lookup_attrs(struct dc_compound *c, void *arg)
{
	struct name_arg *n = arg;

	dc_op_lookup(c, n->name);
	dc_op_getattr(c, 1u << FATTR4_FILEID,
		      1u << (FATTR4_NUMLINKS - 32));
}

/* LOOKUP name in dir: fileid and numlinks; *st LOOKUP's status. */
static int stat_name(struct dc_client *cl, const nfs_fh4 *dir,
		     const char *name, uint64_t *fileid, uint64_t *nlink,
		     nfsstat4 *st)
{
	struct name_arg n = { .name = name };
	struct dc_cres r;
	int rc = on_fh(cl, 1, dir, fill_lookup_attrs, &n, &r);

	*fileid = *nlink = 0;
	if (!rc) {
		*st = last_status(&r);
		if (r.res.status == NFS4_OK) {
			fattr4 *fa = &dc_cres_op(&r, 3)
					      ->nfs_resop4_u.opgetattr
					      .GETATTR4res_u.resok4
					      .obj_attributes;

			if (!dc_fattr_u64(fa, FATTR4_FILEID, fileid) ||
			    !dc_fattr_u64(fa, FATTR4_NUMLINKS, nlink))
				*st = NFS4ERR_ATTRNOTSUPP;
		}
	}
	dc_cres_free(&r);
	return rc;
}

/* Create an empty regular file name in dir and close it; *fh if set. */
static int touch_in(struct dc_client *cl, const nfs_fh4 *dir,
		    const char *name, nfs_fh4 *fh, nfsstat4 *st)
{
	nfs_fh4 f = { 0 };
	stateid4 sid;
	int rc = dc_fs_open(cl, dir, name, true, OPEN4_SHARE_ACCESS_BOTH, NULL,
			    &sid, &f, st);

	if (!rc && *st == NFS4_OK) {
		rc = dc_client_close_file(cl, &f, &sid, st);
		if (fh && !rc)
			dc_fh_copy(fh, &f);
	}
	dc_fh_free(&f);
	return rc;
}

static int link_in(struct dc_client *cl, const nfs_fh4 *file,
		   const nfs_fh4 *dir, const char *name, nfsstat4 *st)
{
	struct name_arg n = { .name2 = name, .dir2 = dir };

	return on_fh_st(cl, 1, file, fill_link, &n, st);
}

static void data9_rename(struct dc_ctx *ctx)
{
	static const char *const files[] = { "f1", "f2", "f2b", "h", "h2",
					     "h3" };
	static const char *const dirs[] = { "d1", "d2", "d3", "d4" };
	struct dc_client cl = { 0 };
	nfs_fh4 top = { 0 }, f2 = { 0 }, d4 = { 0 }, p = { 0 }, pc = { 0 };
	nfs_fh4 h = { 0 };
	char tname[96];
	uint64_t id1, id2, nl, id;
	nfsstat4 st;
	unsigned i;
	bool made = false;
	int rc;

	rc = dc_ctx_mounted(ctx, &cl);
	EXPECT_RPC(rc, "mount");
	dc_name(ctx, "top", tname, sizeof(tname));
	rc = mkdir_in(&cl, NULL, tname, &top, &st);
	EXPECT_OK(rc, st, "CREATE top directory");
	made = true;

	/* file over an existing file: the target's inode loses a link */
	rc = touch_in(&cl, &top, "f1", NULL, &st);
	EXPECT(!rc && st == NFS4_OK, "create f1: %s", dc_nfsstat_name(st));
	rc = touch_in(&cl, &top, "f2", &f2, &st);
	EXPECT(!rc && st == NFS4_OK, "create f2: %s", dc_nfsstat_name(st));
	rc = link_in(&cl, &f2, &top, "f2b", &st);
	EXPECT_OK(rc, st, "LINK f2 as f2b");
	rc = stat_name(&cl, &top, "f1", &id1, &nl, &st);
	EXPECT(!rc && st == NFS4_OK, "LOOKUP f1: %s", dc_nfsstat_name(st));
	rc = stat_name(&cl, &top, "f2b", &id2, &nl, &st);
	EXPECT(!rc && st == NFS4_OK && nl == 2,
	       "f2b: %s, numlinks %llu, expected 2", dc_nfsstat_name(st),
	       (unsigned long long)nl);
	rc = rename2(&cl, &top, "f1", &top, "f2", &st);
	EXPECT_OK(rc, st, "RENAME f1 over the existing f2");
	rc = stat_name(&cl, &top, "f1", &id, &nl, &st);
	EXPECT_RPC(rc, "LOOKUP");
	EXPECT_STATUS(st, NFS4ERR_NOENT, "LOOKUP of the renamed f1");
	rc = stat_name(&cl, &top, "f2", &id, &nl, &st);
	EXPECT(!rc && st == NFS4_OK && id == id1 && nl == 1,
	       "f2 after RENAME: %s fileid %llu (f1 was %llu) numlinks %llu",
	       dc_nfsstat_name(st), (unsigned long long)id,
	       (unsigned long long)id1, (unsigned long long)nl);
	rc = stat_name(&cl, &top, "f2b", &id, &nl, &st);
	EXPECT(!rc && st == NFS4_OK && id == id2 && nl == 1,
	       "old f2 (f2b) after being renamed over: %s fileid %llu "
	       "numlinks %llu, expected %llu with 1 link",
	       dc_nfsstat_name(st), (unsigned long long)id,
	       (unsigned long long)nl, (unsigned long long)id2);

	/* directory over an empty directory */
	rc = mkdir_in(&cl, &top, "d1", NULL, &st);
	EXPECT(!rc && st == NFS4_OK, "mkdir d1: %s", dc_nfsstat_name(st));
	rc = mkdir_in(&cl, &top, "d2", NULL, &st);
	EXPECT(!rc && st == NFS4_OK, "mkdir d2: %s", dc_nfsstat_name(st));
	rc = stat_name(&cl, &top, "d1", &id1, &nl, &st);
	EXPECT(!rc && st == NFS4_OK, "LOOKUP d1: %s", dc_nfsstat_name(st));
	rc = rename2(&cl, &top, "d1", &top, "d2", &st);
	EXPECT_OK(rc, st, "RENAME directory over an empty one");
	rc = stat_name(&cl, &top, "d2", &id, &nl, &st);
	EXPECT(!rc && st == NFS4_OK && id == id1,
	       "d2 after RENAME: %s fileid %llu, d1 was %llu",
	       dc_nfsstat_name(st), (unsigned long long)id,
	       (unsigned long long)id1);
	rc = stat_name(&cl, &top, "d1", &id, &nl, &st);
	EXPECT_RPC(rc, "LOOKUP");
	EXPECT_STATUS(st, NFS4ERR_NOENT, "LOOKUP of the renamed d1");

	/* directory over a non-empty directory: 18.26.4 says EXIST */
	rc = mkdir_in(&cl, &top, "d3", NULL, &st);
	EXPECT(!rc && st == NFS4_OK, "mkdir d3: %s", dc_nfsstat_name(st));
	rc = mkdir_in(&cl, &top, "d4", &d4, &st);
	EXPECT(!rc && st == NFS4_OK, "mkdir d4: %s", dc_nfsstat_name(st));
	rc = mkdir_in(&cl, &d4, "x", NULL, &st);
	EXPECT(!rc && st == NFS4_OK, "mkdir d4/x: %s", dc_nfsstat_name(st));
	rc = rename2(&cl, &top, "d3", &top, "d4", &st);
	EXPECT_RPC(rc, "RENAME");
	EXPECT(st == NFS4ERR_EXIST || st == NFS4ERR_NOTEMPTY,
	       "RENAME directory over a non-empty one: %s, expected "
	       "NFS4ERR_EXIST (18.26.4; NOTEMPTY also listed in 15.2)",
	       dc_nfsstat_name(st));
	if (st == NFS4ERR_NOTEMPTY)
		dc_note(ctx, "dir over non-empty dir: NFS4ERR_NOTEMPTY, not "
			     "the NFS4ERR_EXIST of 18.26.4");
	rc = stat_name(&cl, &d4, "x", &id, &nl, &st);
	EXPECT(!rc && st == NFS4_OK, "d4/x after refused RENAME: %s",
	       dc_nfsstat_name(st));

	/* a directory into its own subtree */
	rc = mkdir_in(&cl, &top, "p", &p, &st);
	EXPECT(!rc && st == NFS4_OK, "mkdir p: %s", dc_nfsstat_name(st));
	rc = mkdir_in(&cl, &p, "c", &pc, &st);
	EXPECT(!rc && st == NFS4_OK, "mkdir p/c: %s", dc_nfsstat_name(st));
	rc = rename2(&cl, &top, "p", &pc, "p", &st);
	EXPECT_RPC(rc, "RENAME");
	EXPECT_STATUS(st, NFS4ERR_INVAL, "RENAME p to p/c/p (own subtree)");
	rc = rename2(&cl, &top, "p", &p, "q", &st);
	EXPECT_RPC(rc, "RENAME");
	EXPECT_STATUS(st, NFS4ERR_INVAL, "RENAME p to p/q (into itself)");

	/* hard links */
	rc = touch_in(&cl, &top, "h", &h, &st);
	EXPECT(!rc && st == NFS4_OK, "create h: %s", dc_nfsstat_name(st));
	rc = link_in(&cl, &h, &top, "h2", &st);
	EXPECT(!rc && st == NFS4_OK, "LINK h2: %s", dc_nfsstat_name(st));
	rc = link_in(&cl, &h, &top, "h3", &st);
	EXPECT(!rc && st == NFS4_OK, "LINK h3: %s", dc_nfsstat_name(st));
	rc = link_in(&cl, &h, &top, "h3", &st);
	EXPECT_RPC(rc, "LINK");
	EXPECT_STATUS(st, NFS4ERR_EXIST, "LINK over an existing name");
	rc = stat_name(&cl, &top, "h", &id1, &nl, &st);
	EXPECT(!rc && st == NFS4_OK && nl == 3, "h: %s numlinks %llu, "
						"expected 3",
	       dc_nfsstat_name(st), (unsigned long long)nl);
	rc = stat_name(&cl, &top, "h3", &id, &nl, &st);
	EXPECT(!rc && st == NFS4_OK && id == id1 && nl == 3,
	       "h3: %s fileid %llu numlinks %llu, expected h's %llu and 3",
	       dc_nfsstat_name(st), (unsigned long long)id,
	       (unsigned long long)nl, (unsigned long long)id1);
	rc = remove_in(&cl, &top, "h2", &st);
	EXPECT(!rc && st == NFS4_OK, "REMOVE h2: %s", dc_nfsstat_name(st));
	rc = stat_name(&cl, &top, "h", &id, &nl, &st);
	EXPECT(!rc && st == NFS4_OK && nl == 2, "h after REMOVE h2: %s "
						"numlinks %llu, expected 2",
	       dc_nfsstat_name(st), (unsigned long long)nl);
out:
	if (made) {
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			remove_in(&cl, &top, files[i], &st);
		if (pc.nfs_fh4_len)
			remove_in(&cl, &p, "q", &st);
		if (p.nfs_fh4_len)
			remove_in(&cl, &p, "c", &st);
		remove_in(&cl, &top, "p", &st);
		if (d4.nfs_fh4_len)
			remove_in(&cl, &d4, "x", &st);
		for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
			remove_in(&cl, &top, dirs[i], &st);
		rc = remove_in(&cl, NULL, tname, &st);
		if (ctx->result == DC_PASS && (rc || st != NFS4_OK))
			dc_fail(ctx, "REMOVE of the emptied top directory: %s",
				rc ? "transport error" : dc_nfsstat_name(st));
	}
	dc_fh_free(&top);
	dc_fh_free(&f2);
	dc_fh_free(&d4);
	dc_fh_free(&p);
	dc_fh_free(&pc);
	dc_fh_free(&h);
	dc_client_destroy(&cl);
}

const struct dc_case dc_cases_data[] = {
	{ "DATA1", "64 MiB in random-order UNSTABLE WRITEs + COMMIT reads back",
	  "18.32", "data all", "OPS1", data1_bulk },
	{ "DATA2", "sparse file: hole reads zeros, small space_used",
	  "18.22", "data all", "OPS1", data2_sparse },
	{ "DATA3", "4.2 SEEK DATA/HOLE, DEALLOCATE, ALLOCATE past EOF",
	  "7862:15.11", "data v42 all", "DATA2", data3_v42_space },
	{ "DATA4", "xattrs: CREATE/REPLACE semantics, list, remove",
	  "8276:8.4", "data v42 xattr all", "OPS1", data4_xattrs },
	{ "DATA5", "byte-range locks between two clients: DENIED, LOCKT",
	  "18.10.4", "data lock all", "OPS1", data5_locks },
	{ "DATA6", "files_*/space_* consistent; space_free follows data",
	  "5.8.2", "data all", "OPS1", data6_statfs },
	{ "DATA7", "SETATTR size down then up: the regrown tail reads zeros",
	  "18.30.4", "data all", "OPS1", data7_truncate },
	{ "DATA8", "READDIR of 5000 entries in small chunks, with churn",
	  "18.23.4", "data readdir slow all", "OPS2", data8_readdir },
	{ "DATA9", "RENAME over file/dir, non-empty dir, own subtree; LINK",
	  "18.26.4", "data rename all", "OPS2", data9_rename },
	{ NULL }
};

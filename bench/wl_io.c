// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Data workloads of loadgen: 4 KiB random and 1 MiB sequential READ and
 * WRITE on one file (--file, --file-kib) that every session opens once.
 * Writes are UNSTABLE4, as a Linux client's buffered writes are (but
 * syncwrite's: FILE_SYNC4, as with O_SYNC or O_DIRECT); reads
 * of a file shorter than --file-kib first fill it (unmeasured), so no
 * read is of a hole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loadgen.h"

#define SMALL_IO 4096u
#define LARGE_IO 1048576u

struct io_arg {
	struct lg_worker *w;
	uint64_t off;
	uint32_t len;
	bool write;
	bool sync;	/* FILE_SYNC4 */
};

static void fill_open(struct dc_compound *c, void *arg)
{
	struct lg_worker *w = ((struct io_arg *)arg)->w;

	dc_op_putfh(c, &w->b->dirfh);
	dc_op_open(c, 0, w->s->cl.clientid, w->s->owner, w->b->file, true,
		   OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG);
	dc_op_getfh(c);
	dc_op_getattr(c, 1u << FATTR4_SIZE, 0);
}

/* Open the file on the worker's session; *size gets its size. */
static int open_file(struct lg_worker *w, uint64_t *size)
{
	struct io_arg a = { .w = w };
	struct dc_cres r;
	int rc;

	rc = lg_call(&w->s->cl, fill_open, &a, &r);
	if (rc)
		return rc;
	rc = r.res.status;
	if (rc == NFS4_OK) {
		fattr4 *f = &dc_cres_op(&r, 4)
				     ->nfs_resop4_u.opgetattr.GETATTR4res_u
				     .resok4.obj_attributes;
		const uint8_t *v = (const uint8_t *)f->attr_vals.attrlist4_val;
		unsigned int i;

		w->s->sid = dc_cres_op(&r, 2)
				    ->nfs_resop4_u.opopen.OPEN4res_u.resok4
				    .stateid;
		dc_fh_copy(&w->s->fh, &dc_cres_op(&r, 3)
					      ->nfs_resop4_u.opgetfh
					      .GETFH4res_u.resok4.object);
		w->s->open = true;
		*size = 0;
		for (i = 0; i < 8 && f->attr_vals.attrlist4_len >= 8; i++)
			*size = *size << 8 | v[i];
	}
	dc_cres_free(&r);
	return rc;
}

static void fill_io(struct dc_compound *c, void *arg)
{
	struct io_arg *a = arg;
	struct lg_session *s = a->w->s;

	dc_op_putfh(c, &s->fh);
	if (a->write) {
		dc_op_write(c, &s->sid, a->off, a->w->buf, a->len);
		c->ops[c->nops - 1].nfs_argop4_u.opwrite.stable =
			a->sync ? FILE_SYNC4 : UNSTABLE4;
	} else {
		dc_op_read(c, &s->sid, a->off, a->len);
	}
}

/* One READ or WRITE (FILE_SYNC4 if sync); *u gets the bytes moved. */
static int do_io_how(struct lg_worker *w, uint64_t off, uint32_t len,
		     bool write, bool sync, uint64_t *u)
{
	struct io_arg a = { .w = w, .off = off, .len = len, .write = write,
			    .sync = sync };
	struct dc_cres r;
	nfs_resop4 *res;
	int rc;

	if (write && !w->buf)
		return -ENOMEM;
	rc = lg_call(&w->s->cl, fill_io, &a, &r);
	if (rc)
		return rc;
	rc = r.res.status;
	res = dc_cres_op(&r, 2);
	if (rc == NFS4_OK && res && write) {
		*u = res->nfs_resop4_u.opwrite.WRITE4res_u.resok4.count;
		/* A FILE_SYNC4 write the server left unstable did not count. */
		if (sync && res->nfs_resop4_u.opwrite.WRITE4res_u.resok4
				    .committed != FILE_SYNC4)
			rc = -EIO;
	}
	else if (rc == NFS4_OK && res)
		*u = res->nfs_resop4_u.opread.READ4res_u.resok4.data.data_len;
	/* A short transfer is not what was asked: count it as an error. */
	if (rc == NFS4_OK && *u != len)
		rc = -EIO;
	dc_cres_free(&r);
	return rc;
}

static int do_io(struct lg_worker *w, uint64_t off, uint32_t len,
		 bool write, uint64_t *u)
{
	return do_io_how(w, off, len, write, false, u);
}

static int fill_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	uint64_t off = (uint64_t)k * LARGE_IO;
	uint32_t len = LARGE_IO;

	if (off + len > w->b->file_bytes)
		len = w->b->file_bytes - off;
	return do_io(w, off, len, true, u);
}

static int io_setup(struct lg *b, bool fill)
{
	uint64_t size = 0, s0 = 0;
	unsigned int i, n = b->nsessions * b->nslots;
	int rc = 0;

	for (i = 0; i < n; i++) {
		b->w[i].buf = malloc(LARGE_IO);
		if (!b->w[i].buf)
			return -ENOMEM;
		/* Incompressible, in case anything compresses. */
		for (size_t j = 0; j < LARGE_IO; j += 8) {
			uint64_t x = lg_rand(&b->w[i]);

			memcpy(b->w[i].buf + j, &x, 8);
		}
	}
	for (i = 0; !rc && i < b->nsessions; i++)
		rc = open_file(&b->w[i * b->nslots], i ? &size : &s0);
	if (rc || !fill || s0 >= b->file_bytes)
		return rc;
	lg_phase(b, fill_op, (b->file_bytes + LARGE_IO - 1) / LARGE_IO, 900);
	return atomic_load(&b->first_err);
}

static int setup_read(struct lg *b)
{
	return io_setup(b, true);
}

static int setup_write(struct lg *b)
{
	return io_setup(b, false);
}

static int randread_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	uint64_t off = lg_rand(w) % (w->b->file_bytes / SMALL_IO) * SMALL_IO;

	return do_io(w, off, SMALL_IO, false, u);
}

static int randwrite_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	uint64_t off = lg_rand(w) % (w->b->file_bytes / SMALL_IO) * SMALL_IO;

	return do_io(w, off, SMALL_IO, true, u);
}

/* Sequential: op k moves the k-th MiB, wrapping at the file's end. */
static int seqread_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	uint64_t off = k % (w->b->file_bytes / LARGE_IO) * LARGE_IO;

	return do_io(w, off, LARGE_IO, false, u);
}

static int seqwrite_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	uint64_t off = k % (w->b->file_bytes / LARGE_IO) * LARGE_IO;

	return do_io(w, off, LARGE_IO, true, u);
}

static int syncwrite_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	uint64_t off = k % (w->b->file_bytes / LARGE_IO) * LARGE_IO;

	return do_io_how(w, off, LARGE_IO, true, true, u);
}

const struct lg_workload lg_wl_randread = {
	.name = "randread",
	.unit = "bytes",
	.setup = setup_read,
	.op = randread_op,
};

const struct lg_workload lg_wl_randwrite = {
	.name = "randwrite",
	.unit = "bytes",
	.setup = setup_write,
	.op = randwrite_op,
};

const struct lg_workload lg_wl_seqread = {
	.name = "seqread",
	.unit = "bytes",
	.setup = setup_read,
	.op = seqread_op,
};

const struct lg_workload lg_wl_seqwrite = {
	.name = "seqwrite",
	.unit = "bytes",
	.setup = setup_write,
	.op = seqwrite_op,
};

const struct lg_workload lg_wl_syncwrite = {
	.name = "syncwrite",
	.unit = "bytes",
	.setup = setup_write,
	.op = syncwrite_op,
};

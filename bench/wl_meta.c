// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Metadata workloads of loadgen: seqroot, getattr, lookup, create,
 * remove, rename, readdir.  Every op is one compound, as a Linux client
 * sends it (e.g. lookup = PUTFH LOOKUP GETFH GETATTR).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "loadgen.h"

#define A0(a) (1u << (a))
#define A1(a) (1u << ((a) - 32))
/* The attributes a Linux client asks for in GETATTR after LOOKUP. */
#define STD_W0                                                                 \
	(A0(FATTR4_TYPE) | A0(FATTR4_CHANGE) | A0(FATTR4_SIZE) |               \
	 A0(FATTR4_FSID) | A0(FATTR4_FILEID))
#define STD_W1                                                                 \
	(A1(FATTR4_MODE) | A1(FATTR4_NUMLINKS) | A1(FATTR4_OWNER) |            \
	 A1(FATTR4_OWNER_GROUP) | A1(FATTR4_SPACE_USED) |                      \
	 A1(FATTR4_TIME_ACCESS) | A1(FATTR4_TIME_METADATA) |                   \
	 A1(FATTR4_TIME_MODIFY))

/* Files getattr cycles over. */
#define GETATTR_FILES 64

struct meta_arg {
	struct lg_worker *w;
	const nfs_fh4 *fh;
	char name[LG_NAME_MAX], name2[LG_NAME_MAX];
};

/* ---- seqroot: SEQUENCE + PUTROOTFH + GETATTR ----------------------- */

static void fill_seqroot(struct dc_compound *c, void *arg)
{
	dc_op_putrootfh(c);
	dc_op_getattr(c, A0(FATTR4_TYPE) | A0(FATTR4_CHANGE) |
				 A0(FATTR4_SIZE) | A0(FATTR4_FSID),
		      0);
}

static int seqroot_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	*u = 1;
	return lg_call_status(&w->s->cl, fill_seqroot, NULL);
}

const struct lg_workload lg_wl_seqroot = {
	.name = "seqroot",
	.unit = "ops",
	.op = seqroot_op,
};

/* ---- getattr: PUTFH + GETATTR over a few files ---------------------- */

static nfs_fh4 getattr_fh[GETATTR_FILES];

static void fill_lookup_fh(struct dc_compound *c, void *arg)
{
	struct meta_arg *a = arg;

	dc_op_putfh(c, &a->w->b->dirfh);
	dc_op_lookup(c, a->name);
	dc_op_getfh(c);
}

/* Look name up in the working directory; fh gets its handle. */
static int lookup_fh(struct lg_worker *w, const char *name, nfs_fh4 *fh)
{
	struct meta_arg a = { .w = w };
	struct dc_cres r;
	int rc;

	snprintf(a.name, sizeof(a.name), "%s", name);
	rc = lg_call(&w->s->cl, fill_lookup_fh, &a, &r);
	if (rc)
		return rc;
	rc = r.res.status;
	if (rc == NFS4_OK)
		dc_fh_copy(fh, &dc_cres_op(&r, 3)
				       ->nfs_resop4_u.opgetfh.GETFH4res_u
				       .resok4.object);
	dc_cres_free(&r);
	return rc;
}

static int getattr_setup(struct lg *b)
{
	char name[LG_NAME_MAX];
	unsigned int i;
	int rc;

	rc = lg_populate(b, GETATTR_FILES, 60);
	for (i = 0; !rc && i < GETATTR_FILES; i++) {
		lg_entry_name(name, sizeof(name), "f", i);
		rc = lookup_fh(&b->w[0], name, &getattr_fh[i]);
	}
	return rc;
}

static void fill_getattr(struct dc_compound *c, void *arg)
{
	struct meta_arg *a = arg;

	dc_op_putfh(c, a->fh);
	dc_op_getattr(c, STD_W0, STD_W1);
}

static int getattr_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	struct meta_arg a = { .w = w, .fh = &getattr_fh[k % GETATTR_FILES] };

	*u = 1;
	return lg_call_status(&w->s->cl, fill_getattr, &a);
}

const struct lg_workload lg_wl_getattr = {
	.name = "getattr",
	.unit = "ops",
	.setup = getattr_setup,
	.op = getattr_op,
};

/* ---- lookup: PUTFH + LOOKUP + GETFH + GETATTR of a random entry ----- */

/* Populate the directory unless its last entry is already there. */
static int ensure_populated(struct lg *b)
{
	char name[LG_NAME_MAX];
	nfs_fh4 fh = { 0 };
	int rc;

	if (!b->entries)
		return 0;
	lg_entry_name(name, sizeof(name), "f", b->entries - 1);
	rc = lookup_fh(&b->w[0], name, &fh);
	dc_fh_free(&fh);
	if (rc != NFS4ERR_NOENT)
		return rc;
	return lg_populate(b, b->entries, 1800);
}

static void fill_lookup(struct dc_compound *c, void *arg)
{
	struct meta_arg *a = arg;

	dc_op_putfh(c, &a->w->b->dirfh);
	dc_op_lookup(c, a->name);
	dc_op_getfh(c);
	dc_op_getattr(c, STD_W0, STD_W1);
}

static int lookup_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	struct meta_arg a = { .w = w };

	lg_entry_name(a.name, sizeof(a.name), "f",
		      lg_rand(w) % w->b->entries);
	*u = 1;
	return lg_call_status(&w->s->cl, fill_lookup, &a);
}

static int lookup_setup(struct lg *b)
{
	return b->entries ? ensure_populated(b) : -EINVAL;
}

const struct lg_workload lg_wl_lookup = {
	.name = "lookup",
	.unit = "ops",
	.setup = lookup_setup,
	.op = lookup_op,
};

/* ---- create: PUTFH + OPEN(create) + GETFH + CLOSE ------------------- */

static void fill_create(struct dc_compound *c, void *arg)
{
	struct meta_arg *a = arg;
	/* The current stateid (RFC 8881 16.2.3.1.2): the OPEN's. */
	static const stateid4 cur = { .seqid = 1 };

	dc_op_putfh(c, &a->w->b->dirfh);
	dc_op_open(c, 0, a->w->s->cl.clientid, a->w->s->owner, a->name, true,
		   OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG);
	dc_op_getfh(c);
	dc_op_close(c, 0, &cur);
}

static int create_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	struct meta_arg a = { .w = w };

	lg_entry_name(a.name, sizeof(a.name), "c", k);
	*u = 1;
	return lg_call_status(&w->s->cl, fill_create, &a);
}

const struct lg_workload lg_wl_create = {
	.name = "create",
	.unit = "ops",
	.op = create_op,
};

/* ---- remove / rename of entries made by setup ------------------------ */

static unsigned long entries_max(struct lg *b)
{
	return b->entries;
}

static int entries_setup(struct lg *b)
{
	return b->entries ? ensure_populated(b) : -EINVAL;
}

static void fill_remove(struct dc_compound *c, void *arg)
{
	struct meta_arg *a = arg;

	dc_op_putfh(c, &a->w->b->dirfh);
	dc_op_remove(c, a->name);
}

static int remove_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	struct meta_arg a = { .w = w };

	lg_entry_name(a.name, sizeof(a.name), "f", k);
	*u = 1;
	return lg_call_status(&w->s->cl, fill_remove, &a);
}

const struct lg_workload lg_wl_remove = {
	.name = "remove",
	.unit = "ops",
	.setup = entries_setup,
	.op = remove_op,
	.max_ops = entries_max,
};

static void fill_rename(struct dc_compound *c, void *arg)
{
	struct meta_arg *a = arg;

	dc_op_putfh(c, &a->w->b->dirfh);
	dc_op_savefh(c);
	dc_op_rename(c, a->name, a->name2);
}

static int rename_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	struct meta_arg a = { .w = w };

	lg_entry_name(a.name, sizeof(a.name), "f", k);
	lg_entry_name(a.name2, sizeof(a.name2), "r", k);
	*u = 1;
	return lg_call_status(&w->s->cl, fill_rename, &a);
}

const struct lg_workload lg_wl_rename = {
	.name = "rename",
	.unit = "ops",
	.setup = entries_setup,
	.op = rename_op,
	.max_ops = entries_max,
};

/* ---- readdir: op = one full scan (READDIR from cookie 0 to eof) --- */

/* What a Linux client asks for in READDIR (readdirplus). */
#define RD_W0 (STD_W0 | A0(FATTR4_FILEHANDLE) | A0(FATTR4_RDATTR_ERROR))
#define RD_DIRCOUNT 65536
#define RD_MAXCOUNT 262144

static void fill_readdir(struct dc_compound *c, void *arg)
{
	struct lg_worker *w = arg;
	READDIR4args *ra;

	dc_op_putfh(c, &w->b->dirfh);
	dc_op_readdir(c, w->cookie, RD_DIRCOUNT, RD_MAXCOUNT, RD_W0, STD_W1);
	ra = &c->ops[c->nops - 1].nfs_argop4_u.opreaddir;
	memcpy(ra->cookieverf, w->verf, sizeof(w->verf));
}

/* One READDIR from the worker's cookie; *eof at the end. */
static int readdir_page(struct lg_worker *w, uint64_t *u, bool *eof)
{
	READDIR4resok *ok;
	struct dc_cres r;
	entry4 *e;
	int rc;

	rc = lg_call(&w->s->cl, fill_readdir, w, &r);
	if (rc)
		return rc;
	rc = r.res.status;
	if (rc == NFS4_OK) {
		ok = &dc_cres_op(&r, 2)->nfs_resop4_u.opreaddir.READDIR4res_u
			      .resok4;
		for (e = ok->reply.entries; e; e = e->nextentry) {
			w->cookie = e->cookie;
			(*u)++;
		}
		memcpy(w->verf, ok->cookieverf, sizeof(w->verf));
		*eof = ok->reply.eof || !ok->reply.entries;
	}
	dc_cres_free(&r);
	return rc;
}

static int readdir_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	/* Bound: a page holds at least one entry. */
	unsigned long pages = w->b->entries + 2, i;
	bool eof = false;
	int rc = 0;

	w->cookie = 0;
	memset(w->verf, 0, sizeof(w->verf));
	for (i = 0; !rc && !eof && i < pages; i++)
		rc = readdir_page(w, u, &eof);
	if (!rc && !eof)
		rc = -E2BIG;
	return rc;
}

const struct lg_workload lg_wl_readdir = {
	.name = "readdir",
	.unit = "entries",
	.setup = entries_setup,
	.op = readdir_op,
};

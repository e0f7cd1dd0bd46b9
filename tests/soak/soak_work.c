// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * One soak client's workload and the model its replies are checked
 * against.  A client alone changes its own directory and the names
 * "sNN-*" (NN its index) in the shared one, so for those the model is
 * exact; other clients' shared files are only read, and may be gone.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "soak_stats.h"
#include "soak_work.h"

#define MAX_FILE (256u * 1024)
#define MAX_WRITE (32u * 1024)
#define MAX_SHARED_WRITE 4096u
#define MAX_NAMES 256
#define NAME_LEN 64

struct listing {
	unsigned n;
	char names[MAX_NAMES][NAME_LEN];
	bool overflow;
};

static const nfsstat4 ok_or_noent[] = { NFS4_OK, NFS4ERR_NOENT };

static uint8_t pattern(uint32_t seed, uint64_t off)
{
	uint32_t x = seed ^ ((uint32_t)(off >> 2) * 0x9E3779B1u);

	x ^= x >> 15;
	x *= 0x2C1B3C6Du;
	x ^= x >> 12;
	x *= 0x297A2D39u;
	x ^= x >> 15;
	return x >> ((off & 3) * 8);
}

static void fill_pattern(uint8_t *buf, uint32_t seed, uint64_t off,
			 uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[i] = pattern(seed, off + i);
}

static void file_name(const struct sk_worker *w, bool shared, unsigned slot,
		      unsigned ver, char *out, size_t n)
{
	if (shared)
		snprintf(out, n, "s%02u-%02u-%u", w->sc.idx, slot, ver);
	else
		snprintf(out, n, "f%02u-%u", slot, ver);
}

static struct sk_file *files_of(struct sk_worker *w, bool shared,
				unsigned *n)
{
	*n = shared ? SK_SHARED_FILES : SK_OWN_FILES;
	return shared ? w->sh_files : w->own_files;
}

/* A random slot that is used (want) or free; -1 if there is none. */
static int pick(struct sk_worker *w, bool shared, bool want)
{
	unsigned n, i, start;
	struct sk_file *f = files_of(w, shared, &n);

	start = sk_randn(&w->sc, n);
	for (i = 0; i < n; i++) {
		unsigned s = (start + i) % n;

		if (f[s].used == want)
			return s;
	}
	return -1;
}

static int held_deleg(struct sk_client *sc, const nfs_fh4 *fh, bool write)
{
	unsigned i;

	for (i = 0; i < sc->ndelegs; i++)
		if (sc->delegs[i].write == write &&
		    sc->delegs[i].fh.nfs_fh4_len == fh->nfs_fh4_len &&
		    !memcmp(sc->delegs[i].fh.nfs_fh4_val, fh->nfs_fh4_val,
			    fh->nfs_fh4_len))
			return i;
	return -1;
}

/* ---- single requests ---------------------------------------------- */

/* OPEN name in dir; NFS4_OK with *sid and *fh, NOENT (noent_ok), or -1 */
static int do_open(struct sk_worker *w, const nfs_fh4 *dir, const char *name,
		   bool create, uint32_t access, bool noent_ok,
		   stateid4 *sid, nfs_fh4 *fh)
{
	struct sk_client *sc = &w->sc;
	open_delegation4 *d;
	struct dc_compound c;
	struct dc_cres r;
	OPEN4resok *ok;
	char what[96];
	int rc;

	if (!w->opts->file_deleg)
		access |= OPEN4_SHARE_ACCESS_WANT_NO_DELEG;
	sk_begin(sc, &c, create ? "open_create" : "open");
	dc_op_putfh(&c, dir);
	dc_op_open(&c, 0, sc->cl.clientid, sc->oo, name, create, access);
	dc_op_getfh(&c);
	snprintf(what, sizeof(what), "OPEN%s %s", create ? " create" : "",
		 name);
	rc = sk_call_expect(sc, &c, SK_CACHE, &r, what,
			    noent_ok ? ok_or_noent : NULL, noent_ok ? 2 : 0);
	dc_compound_free(&c);
	if (rc != NFS4_OK) {
		if (rc > 0)
			dc_cres_free(&r);
		return rc;
	}
	ok = &dc_cres_op(&r, 2)->nfs_resop4_u.opopen.OPEN4res_u.resok4;
	*sid = ok->stateid;
	dc_fh_copy(fh, &dc_cres_op(&r, 3)
				->nfs_resop4_u.opgetfh.GETFH4res_u.resok4
				.object);
	d = &ok->delegation;
	if (d->delegation_type == OPEN_DELEGATE_READ)
		sk_deleg_add(sc, fh, &d->open_delegation4_u.read.stateid,
			     false);
	else if (d->delegation_type == OPEN_DELEGATE_WRITE)
		sk_deleg_add(sc, fh, &d->open_delegation4_u.write.stateid,
			     true);
	dc_cres_free(&r);
	return NFS4_OK;
}

static int do_close(struct sk_worker *w, const nfs_fh4 *fh,
		    const stateid4 *sid, const char *name)
{
	struct dc_compound c;
	char what[96];
	int rc;

	sk_begin(&w->sc, &c, "close");
	dc_op_putfh(&c, fh);
	dc_op_close(&c, 0, sid);
	snprintf(what, sizeof(what), "CLOSE %s", name);
	rc = sk_call_expect(&w->sc, &c, SK_CACHE, NULL, what, NULL, 0);
	dc_compound_free(&c);
	return rc;
}

/* WRITE is idempotent: sent uncached, a cut may bring RETRY_UNCACHED. */
static int do_write(struct sk_worker *w, const nfs_fh4 *fh,
		    const stateid4 *sid, uint64_t off, uint32_t len,
		    const char *name)
{
	struct dc_compound c;
	struct dc_cres r;
	char what[96];
	uint32_t got;
	int rc;

	sk_begin(&w->sc, &c, "write");
	dc_op_putfh(&c, fh);
	dc_op_write(&c, sid, off, w->buf, len);
	snprintf(what, sizeof(what), "WRITE %s [%llu, +%u)", name,
		 (unsigned long long)off, len);
	rc = sk_call_expect(&w->sc, &c, 0, &r, what, NULL, 0);
	dc_compound_free(&c);
	if (rc)
		return -1;
	got = dc_cres_op(&r, 2)->nfs_resop4_u.opwrite.WRITE4res_u.resok4.count;
	dc_cres_free(&r);
	if (got != len) {
		sk_error(w->sc.who, "%s: wrote %u bytes", what, got);
		return -1;
	}
	return 0;
}

/* READ [0, count) into w->buf. */
static int do_read(struct sk_worker *w, const nfs_fh4 *fh,
		   const stateid4 *sid, uint32_t count, const char *name,
		   uint32_t *got, bool *eof)
{
	struct dc_compound c;
	struct dc_cres r;
	READ4resok *rd;
	char what[96];
	uint32_t done = 0;
	int rc, i;

	sk_begin(&w->sc, &c, "read");
	dc_op_putfh(&c, fh);
	dc_op_read(&c, sid, 0, count);
	snprintf(what, sizeof(what), "READ %s", name);
	rc = sk_call_expect(&w->sc, &c, 0, &r, what, NULL, 0);
	dc_compound_free(&c);
	if (rc)
		return -1;
	rd = &dc_cres_op(&r, 2)->nfs_resop4_u.opread.READ4res_u.resok4;
	for (i = 0; i < rd->data.iovcnt && done < count; i++) {
		uint32_t k = rd->data.iov[i].iov_len;

		if (k > count - done)
			k = count - done;
		memcpy(w->buf + done, rd->data.iov[i].iov_base, k);
		done += k;
	}
	if (done != rd->data.data_len && rd->data.data_len <= count)
		sk_error(w->sc.who, "%s: data_len %u, %u bytes in iovecs",
			 what, rd->data.data_len, done);
	*got = done;
	*eof = rd->eof;
	dc_cres_free(&r);
	return 0;
}

/* The bytes of f in w->buf[0, got) against the model. */
static void verify_content(struct sk_worker *w, const struct sk_file *f,
			   uint32_t got, bool eof, const char *name)
{
	uint64_t o;

	if (got != f->size || !eof) {
		sk_error(w->sc.who, "READ %s: %u bytes eof %d, model has "
			 "%llu", name, got, eof,
			 (unsigned long long)f->size);
		return;
	}
	for (o = 0; o < got; o++) {
		uint8_t want = o < f->datalen ? pattern(f->seed, o) : 0;

		if (w->buf[o] != want) {
			sk_error(w->sc.who, "READ %s: byte %llu is %#x, "
				 "expected %#x (size %llu, written %llu)",
				 name, (unsigned long long)o, w->buf[o], want,
				 (unsigned long long)f->size,
				 (unsigned long long)f->datalen);
			return;
		}
	}
	sk_count(SK_EV_READ_VERIFIED);
}

/* Whole listing of dir (READDIR with cookies until eof). */
static int list_dir(struct sk_worker *w, const nfs_fh4 *dir,
		    const char *what, struct listing *l)
{
	verifier4 verf;
	uint64_t cookie = 0;
	unsigned rounds;

	memset(verf, 0, sizeof(verf));
	l->n = 0;
	l->overflow = false;
	for (rounds = 0; rounds < 1000; rounds++) {
		struct dc_compound c;
		struct dc_cres r;
		READDIR4resok *ok;
		READDIR4args *a;
		entry4 *e;
		bool eof;
		int rc;

		sk_begin(&w->sc, &c, "readdir");
		dc_op_putfh(&c, dir);
		dc_op_readdir(&c, cookie, 4096, 16384, 1u << FATTR4_TYPE, 0);
		a = &c.ops[c.nops - 1].nfs_argop4_u.opreaddir;
		memcpy(a->cookieverf, verf, sizeof(verf));
		rc = sk_call_expect(&w->sc, &c, 0, &r, what, NULL, 0);
		dc_compound_free(&c);
		if (rc)
			return -1;
		ok = &dc_cres_op(&r, 2)
			      ->nfs_resop4_u.opreaddir.READDIR4res_u.resok4;
		memcpy(verf, ok->cookieverf, sizeof(verf));
		for (e = ok->reply.entries; e; e = e->nextentry) {
			if (l->n == MAX_NAMES) {
				l->overflow = true;
			} else {
				snprintf(l->names[l->n++], NAME_LEN, "%.*s",
					 (int)e->name.utf8string_len,
					 e->name.utf8string_val);
			}
			cookie = e->cookie;
		}
		eof = ok->reply.eof;
		if (!eof && !ok->reply.entries) {
			sk_error(w->sc.who, "%s: no entry and no eof", what);
			dc_cres_free(&r);
			return -1;
		}
		dc_cres_free(&r);
		if (eof)
			return 0;
	}
	sk_error(w->sc.who, "%s: no eof after 1000 READDIRs", what);
	return -1;
}

/* ---- actions ------------------------------------------------------ */

static int act_create(struct sk_worker *w, bool shared)
{
	const nfs_fh4 *dir = shared ? &w->shared : &w->own;
	int slot = pick(w, shared, false);
	unsigned n, maxw = shared ? MAX_SHARED_WRITE : MAX_WRITE;
	struct sk_file *f = files_of(w, shared, &n);
	char name[NAME_LEN];
	stateid4 sid, wsid;
	uint32_t len;
	nfs_fh4 fh;
	int d;

	if (slot < 0)
		return 0;
	f += slot;
	file_name(w, shared, slot, ++w->next_ver, name, sizeof(name));
	if (do_open(w, dir, name, true, OPEN4_SHARE_ACCESS_BOTH, false, &sid,
		    &fh) != NFS4_OK)
		return -1;
	f->used = true;
	f->ver = w->next_ver;
	f->seed = (uint32_t)sk_rand(&w->sc);
	f->size = f->datalen = 0;
	f->fh = fh;
	len = 1 + sk_randn(&w->sc, maxw);
	fill_pattern(w->buf, f->seed, 0, len);
	/* 9.1.2: I/O may name the write delegation instead of the open */
	d = held_deleg(&w->sc, &fh, true);
	wsid = d >= 0 && sk_randn(&w->sc, 2) ? w->sc.delegs[d].sid : sid;
	if (!do_write(w, &fh, &wsid, 0, len, name))
		f->size = f->datalen = len;
	return do_close(w, &fh, &sid, name);
}

static int act_append(struct sk_worker *w)
{
	int slot = pick(w, false, true);
	struct sk_file *f;
	char name[NAME_LEN];
	uint32_t len;
	stateid4 sid;
	nfs_fh4 fh;

	if (slot < 0)
		return act_create(w, false);
	f = &w->own_files[slot];
	if (f->datalen >= MAX_FILE)
		return 0;
	file_name(w, false, slot, f->ver, name, sizeof(name));
	if (do_open(w, &w->own, name, false, OPEN4_SHARE_ACCESS_BOTH, false,
		    &sid, &fh) != NFS4_OK)
		return -1;
	len = 1 + sk_randn(&w->sc, MAX_WRITE);
	if (len > MAX_FILE - f->datalen)
		len = MAX_FILE - f->datalen;
	fill_pattern(w->buf, f->seed, f->datalen, len);
	if (!do_write(w, &fh, &sid, f->datalen, len, name)) {
		f->datalen += len;
		if (f->size < f->datalen)
			f->size = f->datalen;
	}
	do_close(w, &fh, &sid, name);
	dc_fh_free(&fh);
	return 0;
}

static int act_read(struct sk_worker *w)
{
	int slot = pick(w, false, true);
	struct sk_file *f;
	char name[NAME_LEN];
	uint32_t got;
	stateid4 sid;
	nfs_fh4 fh;
	bool eof;

	if (slot < 0)
		return act_create(w, false);
	f = &w->own_files[slot];
	file_name(w, false, slot, f->ver, name, sizeof(name));
	if (do_open(w, &w->own, name, false, OPEN4_SHARE_ACCESS_READ, false,
		    &sid, &fh) != NFS4_OK)
		return -1;
	if (!do_read(w, &fh, &sid, MAX_FILE + 4096, name, &got, &eof))
		verify_content(w, f, got, eof, name);
	do_close(w, &fh, &sid, name);
	dc_fh_free(&fh);
	return 0;
}

static int act_getattr(struct sk_worker *w)
{
	int slot = pick(w, false, true);
	struct dc_compound c;
	struct dc_cres r;
	struct sk_file *f;
	char name[NAME_LEN], what[96];
	fattr4 *fa;
	uint32_t type;
	uint64_t size;
	int rc;

	if (slot < 0)
		return 0;
	f = &w->own_files[slot];
	file_name(w, false, slot, f->ver, name, sizeof(name));
	snprintf(what, sizeof(what), "GETATTR %s", name);
	sk_begin(&w->sc, &c, "getattr");
	dc_op_putfh(&c, &f->fh);
	dc_op_getattr(&c, (1u << FATTR4_TYPE) | (1u << FATTR4_SIZE), 0);
	rc = sk_call_expect(&w->sc, &c, 0, &r, what, NULL, 0);
	dc_compound_free(&c);
	if (rc)
		return -1;
	fa = &dc_cres_op(&r, 2)
		      ->nfs_resop4_u.opgetattr.GETATTR4res_u.resok4
		      .obj_attributes;
	if (fa->attrmask.bitmap4_len < 1 ||
	    fa->attrmask.map[0] !=
		    ((1u << FATTR4_TYPE) | (1u << FATTR4_SIZE)) ||
	    fa->attr_vals.attrlist4_len != 12) {
		sk_error(w->sc.who, "%s: attributes %#x, %u bytes", what,
			 fa->attrmask.bitmap4_len ? fa->attrmask.map[0] : 0,
			 fa->attr_vals.attrlist4_len);
	} else {
		const uint8_t *p = (const uint8_t *)fa->attr_vals.attrlist4_val;
		uint32_t hi, lo;

		memcpy(&type, p, 4);
		memcpy(&hi, p + 4, 4);
		memcpy(&lo, p + 8, 4);
		type = ntohl(type);
		size = (uint64_t)ntohl(hi) << 32 | ntohl(lo);
		if (type != NF4REG || size != f->size)
			sk_error(w->sc.who, "%s: type %u size %llu, model %llu",
				 what, type, (unsigned long long)size,
				 (unsigned long long)f->size);
	}
	dc_cres_free(&r);
	return 0;
}

/*
 * List a directory and check it against the model: the own directory
 * holds exactly the model's names; the shared one holds exactly our
 * "sNN-" names among others'.  Others' names go to *others.
 */
static int act_readdir(struct sk_worker *w, bool shared,
		       struct listing *others)
{
	const char *which = shared ? "shared" : "own";
	unsigned n, i, k, seen[SK_OWN_FILES];
	struct sk_file *f = files_of(w, shared, &n);
	struct listing *l = malloc(sizeof(*l));
	char prefix[8], name[NAME_LEN];
	int rc;

	if (!l)
		abort();
	snprintf(prefix, sizeof(prefix), "s%02u-", w->sc.idx);
	rc = list_dir(w, shared ? &w->shared : &w->own,
		      shared ? "READDIR shared" : "READDIR own", l);
	if (rc || l->overflow)
		goto out;
	if (others)
		others->n = 0;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < l->n; i++) {
		if (shared && strncmp(l->names[i], prefix, 4)) {
			if (others && others->n < MAX_NAMES)
				memcpy(others->names[others->n++],
				       l->names[i], NAME_LEN);
			continue;
		}
		/* Ours: exactly once, and only what the model holds */
		for (k = 0; k < n; k++) {
			if (!f[k].used)
				continue;
			file_name(w, shared, k, f[k].ver, name, sizeof(name));
			if (!strcmp(name, l->names[i]))
				break;
		}
		if (k == n) {
			sk_error(w->sc.who, "READDIR %s: lists %s, which is "
				 "not there (%u entries)", which, l->names[i],
				 l->n);
			rc = -1;
		} else if (seen[k]++) {
			sk_error(w->sc.who, "READDIR %s: lists %s twice "
				 "(%u entries)", which, l->names[i], l->n);
			rc = -1;
		}
	}
	for (k = 0; k < n; k++) {
		if (!f[k].used || seen[k])
			continue;
		file_name(w, shared, k, f[k].ver, name, sizeof(name));
		sk_error(w->sc.who, "READDIR %s: %s missing (%u entries)",
			 which, name, l->n);
		rc = -1;
	}
	if (!rc)
		sk_count(SK_EV_READDIR_VERIFIED);
out:
	free(l);
	return rc;
}

static int act_rename(struct sk_worker *w, bool shared)
{
	const nfs_fh4 *dir = shared ? &w->shared : &w->own;
	int slot = pick(w, shared, true);
	struct dc_compound c;
	struct sk_file *f;
	char from[NAME_LEN], to[NAME_LEN], what[160];
	unsigned n;
	int rc;

	if (slot < 0)
		return 0;
	f = files_of(w, shared, &n) + slot;
	file_name(w, shared, slot, f->ver, from, sizeof(from));
	file_name(w, shared, slot, ++w->next_ver, to, sizeof(to));
	sk_deleg_return_fh(&w->sc, &f->fh);
	sk_begin(&w->sc, &c, "rename");
	dc_op_putfh(&c, dir);
	dc_op_savefh(&c);
	dc_op_putfh(&c, dir);
	dc_op_rename(&c, from, to);
	snprintf(what, sizeof(what), "RENAME %s -> %s", from, to);
	rc = sk_call_expect(&w->sc, &c, SK_CACHE, NULL, what, NULL, 0);
	dc_compound_free(&c);
	if (rc)
		return -1;
	f->ver = w->next_ver;
	return 0;
}

static int act_remove(struct sk_worker *w, bool shared)
{
	const nfs_fh4 *dir = shared ? &w->shared : &w->own;
	int slot = pick(w, shared, true);
	struct dc_compound c;
	struct sk_file *f;
	char name[NAME_LEN], what[96];
	unsigned n;
	int rc;

	if (slot < 0)
		return 0;
	f = files_of(w, shared, &n) + slot;
	file_name(w, shared, slot, f->ver, name, sizeof(name));
	sk_deleg_return_fh(&w->sc, &f->fh);
	sk_begin(&w->sc, &c, "remove");
	dc_op_putfh(&c, dir);
	dc_op_remove(&c, name);
	snprintf(what, sizeof(what), "REMOVE %s", name);
	rc = sk_call_expect(&w->sc, &c, SK_CACHE, NULL, what, NULL, 0);
	dc_compound_free(&c);
	if (rc)
		return -1;
	f->used = false;
	dc_fh_free(&f->fh);
	return 0;
}

static int act_truncate(struct sk_worker *w)
{
	int slot = pick(w, false, true);
	struct dc_compound c;
	struct sk_file *f;
	char name[NAME_LEN], what[96];
	uint64_t size;
	stateid4 sid;
	nfs_fh4 fh;
	int rc;

	if (slot < 0)
		return 0;
	f = &w->own_files[slot];
	file_name(w, false, slot, f->ver, name, sizeof(name));
	if (do_open(w, &w->own, name, false, OPEN4_SHARE_ACCESS_BOTH, false,
		    &sid, &fh) != NFS4_OK)
		return -1;
	size = sk_randn(&w->sc, MAX_FILE + 1);
	sk_begin(&w->sc, &c, "setattr_size");
	dc_op_putfh(&c, &fh);
	dc_op_setattr_size(&c, &sid, size);
	snprintf(what, sizeof(what), "SETATTR size %llu %s",
		 (unsigned long long)size, name);
	rc = sk_call_expect(&w->sc, &c, SK_CACHE, NULL, what, NULL, 0);
	dc_compound_free(&c);
	if (!rc) {
		if (size < f->datalen)
			f->datalen = size;
		f->size = size;
	}
	do_close(w, &fh, &sid, name);
	dc_fh_free(&fh);
	return 0;
}

static int act_chmod(struct sk_worker *w)
{
	static const uint32_t modes[] = { 0600, 0640, 0644, 0664 };
	int slot = pick(w, false, true);
	struct dc_compound c;
	struct sk_file *f;
	SETATTR4args *a;
	char name[NAME_LEN], what[96];
	uint32_t be;
	int rc;

	if (slot < 0)
		return 0;
	f = &w->own_files[slot];
	file_name(w, false, slot, f->ver, name, sizeof(name));
	be = htonl(modes[sk_randn(&w->sc, 4)]);
	sk_begin(&w->sc, &c, "setattr_mode");
	dc_op_putfh(&c, &f->fh);
	a = &dc_op_add(&c, NFS4_OP_SETATTR)->nfs_argop4_u.opsetattr;
	a->obj_attributes.attrmask.bitmap4_len = 2;
	a->obj_attributes.attrmask.map[1] = 1u << (FATTR4_MODE - 32);
	a->obj_attributes.attr_vals.attrlist4_val =
		dc_compound_keep(&c, &be, sizeof(be));
	a->obj_attributes.attr_vals.attrlist4_len = sizeof(be);
	snprintf(what, sizeof(what), "SETATTR mode %s", name);
	rc = sk_call_expect(&w->sc, &c, SK_CACHE, NULL, what, NULL, 0);
	dc_compound_free(&c);
	return rc;
}

/* Read a file another client made in the shared directory. */
static int act_cross_read(struct sk_worker *w, struct listing *others)
{
	char name[NAME_LEN];
	unsigned i;
	uint32_t got;
	stateid4 sid;
	nfs_fh4 fh;
	bool eof;
	int rc;

	if (!others->n && act_readdir(w, true, others))
		return -1;
	if (!others->n)
		return 0;
	i = sk_randn(&w->sc, others->n);
	memcpy(name, others->names[i], NAME_LEN);
	/* Used once: it may be renamed or removed by now anyway. */
	memcpy(others->names[i], others->names[--others->n], NAME_LEN);
	rc = do_open(w, &w->shared, name, false, OPEN4_SHARE_ACCESS_READ,
		     true, &sid, &fh);
	if (rc == NFS4ERR_NOENT) {
		sk_count(SK_EV_CROSS_NOENT);
		return 0;
	}
	if (rc != NFS4_OK)
		return -1;
	do_read(w, &fh, &sid, MAX_SHARED_WRITE + 1024, name, &got, &eof);
	do_close(w, &fh, &sid, name);
	dc_fh_free(&fh);
	return 0;
}

/* Weights of the churn kinds, in enum sk_churn order. */
static const unsigned churn_weight[] = { 55, 20, 15, 10 };

static void churn(struct sk_worker *w)
{
	unsigned k, total = 0, r;

	for (k = 0; k < 4; k++)
		if (w->opts->churn_kinds & (1u << k))
			total += churn_weight[k];
	r = sk_randn(&w->sc, total);
	for (k = 0; k < 4; k++) {
		if (!(w->opts->churn_kinds & (1u << k)))
			continue;
		if (r < churn_weight[k])
			break;
		r -= churn_weight[k];
	}
	sk_churn(&w->sc, (enum sk_churn)k);
}

static double churn_gap(struct sk_worker *w)
{
	return w->opts->churn_s * (0.5 + sk_rand01(&w->sc));
}

static void step(struct sk_worker *w, struct listing *others)
{
	unsigned r = sk_randn(&w->sc, 100);

	if (r < 12)
		act_create(w, false);
	else if (r < 22)
		act_append(w);
	else if (r < 36)
		act_read(w);
	else if (r < 46)
		act_getattr(w);
	else if (r < 50)
		act_readdir(w, false, NULL);
	else if (r < 56)
		act_rename(w, false);
	else if (r < 63)
		act_remove(w, false);
	else if (r < 67)
		act_truncate(w);
	else if (r < 70)
		act_chmod(w);
	else if (r < 76)
		act_create(w, true);
	else if (r < 81)
		act_remove(w, true);
	else if (r < 85)
		act_rename(w, true);
	else if (r < 89)
		act_readdir(w, true, others);
	else if (r < 97 && w->opts->cross_read)
		act_cross_read(w, others);
	else if (r < 97)
		act_readdir(w, true, others);
	else if (w->opts->dirdeleg)
		sk_dirdeleg_get(&w->sc);
	w->actions++;
}

/* Give everything back and remove every file this client made. */
static void finish(struct sk_worker *w)
{
	unsigned i;

	if (w->sc.dead) {
		/* One fresh client to clean up with; the old one expires */
		sk_client_vanish(&w->sc);
		w->sc.dead = false;
		w->sc.epoch++;
		if (sk_client_start(&w->sc))
			return;
	}
	sk_service_recalls(&w->sc);
	sk_return_all(&w->sc);
	act_readdir(w, false, NULL);
	act_readdir(w, true, NULL);
	for (i = 0; i < SK_OWN_FILES; i++)
		while (w->own_files[i].used && !w->sc.dead)
			if (act_remove(w, false))
				break;
	for (i = 0; i < SK_SHARED_FILES; i++)
		while (w->sh_files[i].used && !w->sc.dead)
			if (act_remove(w, true))
				break;
	sk_client_stop(&w->sc);
}

void *sk_worker_main(void *arg)
{
	struct sk_worker *w = arg;
	struct listing *others = calloc(1, sizeof(*others));

	w->buf = malloc(MAX_FILE + 4096);
	if (!w->buf || !others)
		abort();
	if (sk_client_start(&w->sc))
		goto out;
	w->next_churn = sk_now() + churn_gap(w);
	while (!w->sc.dead && sk_now() < w->opts->deadline &&
	       sk_total_ops() < w->opts->max_ops) {
		sk_deleg_tick(&w->sc);
		if (w->opts->churn_kinds && sk_now() >= w->next_churn) {
			churn(w);
			w->next_churn = sk_now() + churn_gap(w);
			continue;
		}
		step(w, others);
	}
	finish(w);
out:
	sk_client_vanish(&w->sc);
	free(others);
	free(w->buf);
	return NULL;
}

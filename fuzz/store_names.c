// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * fsal_ditto's name and path handling, on the Ganesha-free store: the
 * input is a program of create / mkdir / lookup / link / unlink /
 * rename / readdir / find-by-handle operations in a fresh directory, with
 * fuzz-chosen names ("", ".", "..", "/", "a/b", 255 and 256 bytes,
 * non-UTF-8, raw bytes, names already used) and fuzz-chosen objects
 * (directories, files, removed directories).
 *
 * A model of the namespace (which name in which directory names which
 * object) predicts whether each operation succeeds, as POSIX and
 * RFC 8881 say, and the store must agree.  Every few operations and at
 * the end the whole namespace is compared: lookup of every name gives
 * its object, link counts, entry counts.  Readdir lists exactly the live
 * names once each (also when the directory changes during the listing),
 * and a handle (fileid, generation) finds exactly the live objects.
 *
 * One store serves every input: each program runs in a fresh directory
 * of the root and ends by removing everything it made (checked too).
 * A store per input would spend its time in ds_store_free()'s RCU
 * barriers (~30 ms, the call_rcu thread polls), not in name handling.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ditto_store.h"

#define MAX_NODES 40
#define MAX_ENTS 64
#define MAX_OPS 64
#define CHECK_EVERY 4
#define READDIR_MAX 8

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "store_names: %s:%d: %s\n",         \
				__FILE__, __LINE__, #cond);                 \
			abort();                                            \
		}                                                           \
	} while (0)

/* The model's own bookkeeping gets no coverage instrumentation: its
 * loops would only slow the fuzzer and feed it noise.
 */
#define MODEL __attribute__((no_sanitize("coverage")))

struct node {
	struct ds_inode *ino;	/* our reference, kept to the end */
	enum ds_type type;
	bool live;		/* has a name (or is the root) */
	int parent;		/* directories: the node holding it */
	uint64_t fileid;
	uint32_t generation;
};

struct ent {
	bool used;
	int dir;
	int node;
	char name[DS_NAME_MAX + 2];
};

struct model {
	struct ds_store *st;
	struct node n[MAX_NODES];
	int nn;
	struct ent e[MAX_ENTS];
};

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t byte(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static uint64_t u64(struct input *in)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | byte(in);
	return v;
}

/* ---- the model ---------------------------------------------------- */

MODEL static bool name_valid(const char *name)
{
	size_t len = strlen(name);

	return len >= 1 && len <= DS_NAME_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

MODEL static int find_ent(struct model *m, int dir, const char *name)
{
	int i;

	for (i = 0; i < MAX_ENTS; i++)
		if (m->e[i].used && m->e[i].dir == dir &&
		    !strcmp(m->e[i].name, name))
			return i;
	return -1;
}

MODEL static int count_ents(struct model *m, int dir, bool dirs_only)
{
	int i, c = 0;

	for (i = 0; i < MAX_ENTS; i++)
		if (m->e[i].used && m->e[i].dir == dir &&
		    (!dirs_only || m->n[m->e[i].node].type == DS_DIR))
			c++;
	return c;
}

MODEL static int names_of(struct model *m, int node)
{
	int i, c = 0;

	for (i = 0; i < MAX_ENTS; i++)
		if (m->e[i].used && m->e[i].node == node)
			c++;
	return c;
}

MODEL static int free_ent(struct model *m)
{
	int i;

	for (i = 0; i < MAX_ENTS; i++)
		if (!m->e[i].used)
			return i;
	return -1;
}

MODEL static bool live_dir(struct model *m, int d)
{
	return m->n[d].type == DS_DIR && m->n[d].live;
}

/* d is anc or below it (live directories only) */
MODEL static bool under(struct model *m, int d, int anc)
{
	int hops;

	for (hops = 0; hops <= MAX_NODES; hops++) {
		if (d == anc)
			return true;
		if (d == 0)
			return false;
		d = m->n[d].parent;
	}
	CHECK(!"directory loop in the model");
	return false;
}

/* Per node, in one pass: entries in it, subdirectories in it, names */
struct tally {
	int ents[MAX_NODES];
	int subdirs[MAX_NODES];
	int names[MAX_NODES];
};

MODEL static void tally(struct model *m, struct tally *t)
{
	int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < MAX_ENTS; i++) {
		if (!m->e[i].used)
			continue;
		t->ents[m->e[i].dir]++;
		if (m->n[m->e[i].node].type == DS_DIR)
			t->subdirs[m->e[i].dir]++;
		t->names[m->e[i].node]++;
	}
}

MODEL static uint32_t model_nlink(struct model *m, const struct tally *t, int i)
{
	if (m->n[i].type == DS_DIR)
		return 2 + t->subdirs[i];
	return t->names[i];
}

/* Removes an entry whose object loses that name. */
MODEL static void drop_ent(struct model *m, int e)
{
	int node = m->e[e].node;

	m->e[e].used = false;
	if (m->n[node].type == DS_DIR || names_of(m, node) == 0)
		m->n[node].live = false;
}

/* ---- choices from the input --------------------------------------- */

/* Node 0 is the store's root, shared by all inputs: never picked. */
static int pick_node(struct model *m, struct input *in)
{
	return 1 + byte(in) % (m->nn - 1);
}

/* Mostly directories, sometimes any object (for ENOTDIR) */
static int pick_dir(struct model *m, struct input *in)
{
	uint8_t b = byte(in);
	int i, k;

	if (b >= 0xe0)
		return 1 + b % (m->nn - 1);
	for (i = 0, k = b % (m->nn - 1); i < m->nn - 1;
	     i++, k = (k + 1) % (m->nn - 1))
		if (m->n[1 + k].type == DS_DIR)
			return 1 + k;
	return 1;
}

static void pick_name(struct model *m, struct input *in, char *buf)
{
	uint8_t b = byte(in);
	size_t len, i;
	int e;

	switch (b % 16) {
	case 0:
		buf[0] = '\0';
		return;
	case 1:
		strcpy(buf, ".");
		return;
	case 2:
		strcpy(buf, "..");
		return;
	case 3:
		strcpy(buf, "/");
		return;
	case 4:
		strcpy(buf, "a/b");
		return;
	case 5:
	case 6:
		/* DS_NAME_MAX bytes, or one more */
		len = DS_NAME_MAX + (b % 16 == 6);
		memset(buf, 'n', len);
		buf[len - 1] = 'a' + byte(in) % 4;
		buf[len] = '\0';
		return;
	case 7:
		strcpy(buf, "\xff\xfe");
		return;
	case 8:
		strcpy(buf, "x\xc3\x28\x80");
		return;
	case 9:
		/* A name in use somewhere */
		for (i = 0, e = byte(in) % MAX_ENTS; i < MAX_ENTS;
		     i++, e = (e + 1) % MAX_ENTS) {
			if (m->e[e].used) {
				strcpy(buf, m->e[e].name);
				return;
			}
		}
		strcpy(buf, "a");
		return;
	case 10:
	case 11:
	case 12:
		/* Few short names, so they collide */
		len = 1 + byte(in) % 3;
		for (i = 0; i < len; i++)
			buf[i] = 'a' + byte(in) % 3;
		buf[len] = '\0';
		return;
	default:
		/* Raw bytes; a NUL ends the name as it would in C */
		len = byte(in) % 24;
		for (i = 0; i < len; i++)
			buf[i] = (char)byte(in);
		buf[len] = '\0';
		return;
	}
}

/* ---- checks --------------------------------------------------------- */

MODEL static void check_node(struct model *m, const struct tally *t, int i)
{
	struct ds_attr a;

	if (!m->n[i].live)
		return;
	CHECK(ds_getattr(m->n[i].ino, &a) == 0);
	CHECK(a.type == m->n[i].type);
	CHECK(a.fileid == m->n[i].fileid);
	CHECK(a.nlink == model_nlink(m, t, i));
	if (m->n[i].type == DS_DIR)
		CHECK(ds_dir_count(m->n[i].ino) == (uint64_t)t->ents[i]);
}

MODEL static void check_all(struct model *m)
{
	struct ds_inode *ino;
	struct tally t;
	int i;

	tally(m, &t);
	for (i = 0; i < m->nn; i++)
		check_node(m, &t, i);
	for (i = 0; i < MAX_ENTS; i++) {
		if (!m->e[i].used)
			continue;
		CHECK(ds_lookup(m->n[m->e[i].dir].ino, m->e[i].name, &ino) ==
		      0);
		CHECK(ino == m->n[m->e[i].node].ino);
		ds_put(ino);
	}
}

/* A whole listing: exactly the model's names, once each, in cookie
 * order, each with its object.
 */
MODEL static void check_readdir(struct model *m, int d, unsigned int batch)
{
	struct ds_dirent ents[READDIR_MAX];
	uint64_t whence = 0, last = 0;
	bool eof = false, seen[MAX_ENTS] = { false };
	unsigned int n, i, rounds = 0;
	int rc, total = 0, e;

	do {
		rc = ds_readdir(m->n[d].ino, whence, ents, batch, &n, &eof);
		if (m->n[d].type != DS_DIR) {
			CHECK(rc == -ENOTDIR);
			return;
		}
		if (!m->n[d].live) {
			CHECK(rc == -ESTALE);
			return;
		}
		CHECK(rc == 0);
		CHECK(n <= batch);
		CHECK(eof || n == batch);
		for (i = 0; i < n; i++) {
			CHECK(ents[i].cookie > last);
			CHECK(ents[i].cookie >= DS_FIRST_COOKIE);
			last = ents[i].cookie;
			e = find_ent(m, d, ents[i].name);
			CHECK(e >= 0);
			CHECK(!seen[e]);
			seen[e] = true;
			CHECK(ents[i].ino == m->n[m->e[e].node].ino);
			ds_put(ents[i].ino);
			total++;
		}
		if (n)
			whence = last;
		CHECK(++rounds <= MAX_ENTS + 2);
	} while (!eof);
	CHECK(total == count_ents(m, d, false));
}

/* ---- operations ------------------------------------------------------ */

static int add_node(struct model *m, struct ds_inode *ino, enum ds_type type,
		    int parent)
{
	struct node *n = &m->n[m->nn];

	n->ino = ino;
	n->type = type;
	n->live = true;
	n->parent = parent;
	n->fileid = ds_fileid(ino);
	n->generation = ds_generation(ino);
	return m->nn++;
}

static void op_create(struct model *m, struct input *in, enum ds_type type)
{
	char name[DS_NAME_MAX + 2];
	struct ds_new nw = { .type = type, .mode = 0644 };
	struct ds_attr pre, post;
	struct ds_inode *ino = NULL;
	int d = pick_dir(m, in), e = free_ent(m), rc;
	bool ok;

	pick_name(m, in, name);
	if (m->nn == MAX_NODES || e < 0)
		return;
	if (type == DS_LNK)
		nw.target = name[0] ? name : "t";
	ok = live_dir(m, d) && name_valid(name) && find_ent(m, d, name) < 0;
	rc = ds_create(m->n[d].ino, name, &nw, NULL, &ino, &pre, &post);
	CHECK((rc == 0) == ok);
	if (m->n[d].type != DS_DIR)
		CHECK(rc == -ENOTDIR);
	if (!name_valid(name) && m->n[d].type == DS_DIR)
		CHECK(rc == -EINVAL || rc == -ENAMETOOLONG || rc == -EEXIST);
	if (rc)
		return;
	CHECK(post.change > pre.change);
	CHECK(ds_type_of(ino) == type);
	m->e[e].used = true;
	m->e[e].dir = d;
	m->e[e].node = add_node(m, ino, type, d);
	strcpy(m->e[e].name, name);
}

static void op_lookup(struct model *m, struct input *in)
{
	char name[DS_NAME_MAX + 2];
	struct ds_inode *ino = NULL;
	int d = pick_dir(m, in), want = -1, e, rc;

	pick_name(m, in, name);
	e = name_valid(name) ? find_ent(m, d, name) : -1;
	if (live_dir(m, d)) {
		if (!strcmp(name, "."))
			want = d;
		else if (!strcmp(name, ".."))
			want = m->n[d].parent;
		else if (e >= 0)
			want = m->e[e].node;
	}
	rc = ds_lookup(m->n[d].ino, name, &ino);
	CHECK((rc == 0) == (want >= 0));
	if (rc == 0) {
		CHECK(ino == m->n[want].ino);
		ds_put(ino);
	} else if (m->n[d].type == DS_DIR && m->n[d].live &&
		   strlen(name) <= DS_NAME_MAX && name[0] &&
		   !strchr(name, '/')) {
		CHECK(rc == -ENOENT);
	}
}

static void op_link(struct model *m, struct input *in)
{
	char name[DS_NAME_MAX + 2];
	struct ds_attr pre, post;
	int src = pick_node(m, in), d = pick_dir(m, in), e = free_ent(m), rc;
	bool ok;

	pick_name(m, in, name);
	if (e < 0)
		return;
	ok = m->n[src].type != DS_DIR && m->n[src].live && live_dir(m, d) &&
	     name_valid(name) && find_ent(m, d, name) < 0;
	rc = ds_link(m->n[src].ino, m->n[d].ino, name, NULL, &pre, &post);
	CHECK((rc == 0) == ok);
	if (rc)
		return;
	m->e[e].used = true;
	m->e[e].dir = d;
	m->e[e].node = src;
	strcpy(m->e[e].name, name);
}

static void op_unlink(struct model *m, struct input *in)
{
	char name[DS_NAME_MAX + 2];
	int d = pick_dir(m, in), e = -1, rc;
	bool ok = false;

	pick_name(m, in, name);
	if (live_dir(m, d) && strcmp(name, ".") && strcmp(name, ".."))
		e = find_ent(m, d, name);
	if (e >= 0)
		ok = m->n[m->e[e].node].type != DS_DIR ||
		     count_ents(m, m->e[e].node, false) == 0;
	rc = ds_unlink(m->n[d].ino, name, NULL, NULL, NULL);
	CHECK((rc == 0) == ok);
	if (e >= 0 && !ok && live_dir(m, d))
		CHECK(rc == -ENOTEMPTY);
	if (rc == 0)
		drop_ent(m, e);
}

static void op_rename(struct model *m, struct input *in)
{
	char oname[DS_NAME_MAX + 2], nname[DS_NAME_MAX + 2];
	int od = pick_dir(m, in), nd = pick_dir(m, in), se = -1, te = -1;
	int src = -1, tgt = -1, rc;
	bool ok = false, noop = false;

	pick_name(m, in, oname);
	pick_name(m, in, nname);
	if (live_dir(m, od) && live_dir(m, nd) && name_valid(oname) &&
	    name_valid(nname))
		se = find_ent(m, od, oname);
	if (se >= 0) {
		src = m->e[se].node;
		te = find_ent(m, nd, nname);
		tgt = te >= 0 ? m->e[te].node : -1;
		if (tgt == src)
			ok = noop = true;
		else if (m->n[src].type == DS_DIR && under(m, nd, src))
			ok = false;
		else if (tgt >= 0 && (m->n[src].type == DS_DIR) !=
					     (m->n[tgt].type == DS_DIR))
			ok = false;
		else if (tgt >= 0 && m->n[tgt].type == DS_DIR &&
			 count_ents(m, tgt, false) > 0)
			ok = false;
		else
			ok = true;
	}
	rc = ds_rename(m->n[od].ino, oname, m->n[nd].ino, nname, NULL, NULL, NULL,
		       NULL, NULL);
	CHECK((rc == 0) == ok);
	if (rc || noop)
		return;
	if (te >= 0)
		drop_ent(m, te);
	m->e[se].dir = nd;
	strcpy(m->e[se].name, nname);
	if (m->n[src].type == DS_DIR)
		m->n[src].parent = nd;
}

static void op_readdir(struct model *m, struct input *in)
{
	int d = pick_dir(m, in);

	check_readdir(m, d, 1 + byte(in) % READDIR_MAX);
}

/* A handle names an object by (fileid, generation): it must find
 * exactly the live objects, and nothing for a made-up one.
 */
static void op_find(struct model *m, struct input *in)
{
	struct ds_inode *ino = NULL;
	uint8_t how = byte(in);
	int i = pick_node(m, in), want = -1, k, rc;
	uint64_t fileid = m->n[i].fileid;
	uint32_t gen = m->n[i].generation;

	if (how & 1)
		fileid = (how & 2) ? u64(in) : fileid + 1 + byte(in) % 4;
	if (how & 4)
		gen ^= 1u << (byte(in) % 32);
	for (k = 0; k < m->nn; k++)
		if (m->n[k].live && m->n[k].fileid == fileid &&
		    m->n[k].generation == gen)
			want = k;
	rc = ds_find(m->st, fileid, gen, &ino);
	CHECK((rc == 0) == (want >= 0));
	if (rc == 0) {
		CHECK(ino == m->n[want].ino);
		ds_put(ino);
	} else {
		CHECK(rc == -ESTALE);
	}
}

/* What a listing across a change returned (see op_readdir_across) */
MODEL static void check_across(struct model *m, int d,
			       const struct ent *before,
			       char (*got)[DS_NAME_MAX + 2],
			       struct ds_inode **got_ino, int ngot)
{
	int e, j, c;

	for (j = 0; j < ngot; j++) {
		bool known = false;

		for (e = 0; e < MAX_ENTS; e++) {
			if ((before[e].used && before[e].dir == d &&
			     !strcmp(before[e].name, got[j]) &&
			     m->n[before[e].node].ino == got_ino[j]) ||
			    (m->e[e].used && m->e[e].dir == d &&
			     !strcmp(m->e[e].name, got[j]) &&
			     m->n[m->e[e].node].ino == got_ino[j]))
				known = true;
		}
		CHECK(known);
		for (c = j + 1; c < ngot; c++)
			CHECK(strcmp(got[j], got[c]) ||
			      got_ino[j] != got_ino[c]);
	}
	for (e = 0; e < MAX_ENTS; e++) {
		if (!before[e].used || before[e].dir != d || !m->e[e].used ||
		    m->e[e].dir != d || strcmp(before[e].name, m->e[e].name) ||
		    before[e].node != m->e[e].node)
			continue;
		for (c = 0, j = 0; j < ngot; j++)
			if (!strcmp(got[j], m->e[e].name))
				c++;
		CHECK(c == 1);
	}
}

/* A listing in two halves with a change in between: entries there the
 * whole time come exactly once, nothing comes twice, and all that comes
 * existed before or after the change.
 */
static void op_readdir_across(struct model *m, struct input *in,
			      void (*change)(struct model *,
					     struct input *))
{
	struct ds_dirent ents[READDIR_MAX];
	struct ent before[MAX_ENTS];
	char got[2 * MAX_ENTS][DS_NAME_MAX + 2];
	struct ds_inode *got_ino[2 * MAX_ENTS];
	uint64_t whence = 0, last = 0;
	unsigned int batch, n, i;
	int d = pick_dir(m, in), ngot = 0, rounds = 0;
	bool eof = false, changed = false;

	batch = 1 + byte(in) % READDIR_MAX;
	if (!live_dir(m, d))
		return;
	memcpy(before, m->e, sizeof(before));
	do {
		CHECK(ds_readdir(m->n[d].ino, whence, ents, batch, &n, &eof) ==
		      0);
		for (i = 0; i < n; i++) {
			CHECK(ents[i].cookie > last);
			last = ents[i].cookie;
			CHECK(ngot < 2 * MAX_ENTS);
			strcpy(got[ngot], ents[i].name);
			got_ino[ngot++] = ents[i].ino;
			ds_put(ents[i].ino);
		}
		if (n)
			whence = last;
		if (!changed) {
			changed = true;
			change(m, in);
			if (!live_dir(m, d))
				return;
			eof = false;
		}
		CHECK(++rounds <= 2 * MAX_ENTS + 2);
	} while (!eof);

	check_across(m, d, before, got, got_ino, ngot);
}

static void one_change(struct model *m, struct input *in);

static void one_op(struct model *m, struct input *in)
{
	uint8_t op = byte(in);

	switch (op % 12) {
	case 0:
		op_create(m, in, DS_REG);
		break;
	case 1:
		op_create(m, in, DS_DIR);
		break;
	case 2:
		op_create(m, in, DS_LNK + byte(in) % (DS_BLK - DS_LNK + 1));
		break;
	case 3:
		op_lookup(m, in);
		break;
	case 4:
		op_link(m, in);
		break;
	case 5:
	case 6:
		op_unlink(m, in);
		break;
	case 7:
	case 8:
		op_rename(m, in);
		break;
	case 9:
		op_readdir(m, in);
		break;
	case 10:
		op_find(m, in);
		break;
	default:
		op_readdir_across(m, in, one_change);
		break;
	}
}

/* The change in the middle of a listing: any mutation */
static void one_change(struct model *m, struct input *in)
{
	switch (byte(in) % 5) {
	case 0:
		op_create(m, in, DS_REG);
		break;
	case 1:
		op_create(m, in, DS_DIR);
		break;
	case 2:
		op_link(m, in);
		break;
	case 3:
		op_unlink(m, in);
		break;
	default:
		op_rename(m, in);
		break;
	}
	check_all(m);
}

/* Removes every name the program left, leaves first, then its
 * directory; each removal must work.
 */
static void cleanup(struct model *m)
{
	bool progress = true;
	int e;

	while (progress) {
		progress = false;
		for (e = 0; e < MAX_ENTS; e++) {
			int node = m->e[e].node;

			if (!m->e[e].used || (m->n[node].type == DS_DIR &&
					      count_ents(m, node, false) > 0))
				continue;
			CHECK(ds_unlink(m->n[m->e[e].dir].ino, m->e[e].name, NULL,
					NULL, NULL) == 0);
			drop_ent(m, e);
			progress = true;
		}
	}
	for (e = 0; e < MAX_ENTS; e++)
		CHECK(!m->e[e].used);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ds_config cfg = {
		.max_bytes = 1ULL << 30,
		.max_files = 1ULL << 40,
		.max_file_size = 1ULL << 30,
		.block_size = 4096,
	};
	static struct ds_store *st;
	struct ds_new dir = { .type = DS_DIR, .mode = 0755 };
	struct input in = { data, size };
	struct model *m = calloc(1, sizeof(*m));
	struct ds_inode *top;
	int ops, i;

	CHECK(m != NULL);
	if (!st)
		CHECK(ds_store_new(&cfg, &st) == 0);
	m->st = st;
	m->n[0].ino = ds_root(st);
	m->n[0].type = DS_DIR;
	m->n[0].live = true;
	m->n[0].parent = 0;
	m->n[0].fileid = ds_fileid(m->n[0].ino);
	m->n[0].generation = ds_generation(m->n[0].ino);
	m->nn = 1;

	/* The program's own top directory */
	CHECK(ds_create(m->n[0].ino, "top", &dir, NULL, &top, NULL, NULL) == 0);
	m->e[0].used = true;
	m->e[0].dir = 0;
	m->e[0].node = add_node(m, top, DS_DIR, 0);
	strcpy(m->e[0].name, "top");
	check_all(m);

	/* Every op checks what it predicts; the whole namespace is checked
	 * every CHECK_EVERY ops (a third of the run time at every op) and
	 * at the end.
	 */
	for (ops = 0; ops < MAX_OPS && in.left; ops++) {
		one_op(m, &in);
		if (ops % CHECK_EVERY == CHECK_EVERY - 1)
			check_all(m);
	}
	check_all(m);
	for (i = 0; i < m->nn; i++)
		check_readdir(m, i, READDIR_MAX);

	cleanup(m);
	check_all(m);
	check_readdir(m, 0, READDIR_MAX);
	for (i = 0; i < m->nn; i++)
		ds_put(m->n[i].ino);
	free(m);
	return 0;
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * The LMDB backend's open (its load): the directory, its lock, the LMDB
 * environment; then either a new filesystem (root only) or the whole
 * stored one loaded into memory, orphans freed, the boot count moved.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lmdb_int.h"

uint64_t ds_durable_map_size(const struct ds_config *cfg)
{
	/*
	 * A block is an LMDB overflow run with a header, so one page more
	 * than its size; twice that, since a commit copies before it frees;
	 * about 2 KiB of records and tree per file; and a base for meta.
	 */
	uint64_t blocks = cfg->max_bytes / cfg->block_size + 1;
	uint64_t n = 2 * blocks * (cfg->block_size + 4096ULL) +
		     cfg->max_files * 2048 + (16ULL << 20);

	return (n + 4095) & ~4095ULL;
}

static int meta_get(MDB_txn *txn, MDB_dbi dbi, const char *name,
		    uint64_t *out)
{
	MDB_val k = { strlen(name), (void *)name }, v;
	int rc = mdb_get(txn, dbi, &k, &v);

	if (rc)
		return rc;
	if (v.mv_size != sizeof(*out))
		return MDB_CORRUPTED;
	memcpy(out, v.mv_data, sizeof(*out));
	return 0;
}

static int meta_put(MDB_txn *txn, MDB_dbi dbi, const char *name,
		    uint64_t val)
{
	MDB_val k = { strlen(name), (void *)name }, v = { sizeof(val), &val };

	return mdb_put(txn, dbi, &k, &v, 0);
}

/* The store's directory: made if missing, must be ours to write. */
static int prepare_dir(const char *path)
{
	struct stat sb;

	if (!path || !*path)
		return -EINVAL;
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT)
			return -errno;
		if (mkdir(path, 0700) != 0)
			return -errno;
		return 0;
	}
	if (!S_ISDIR(sb.st_mode))
		return -ENOTDIR;
	if (access(path, R_OK | W_OK | X_OK) != 0)
		return -errno;
	return 0;
}

/* One daemon (one export) per store: LMDB itself would allow more. */
static int lock_dir(const char *path, int *fd)
{
	char name[PATH_MAX];

	if (snprintf(name, sizeof(name), "%s/ditto.lock", path) >=
	    (int)sizeof(name))
		return -ENAMETOOLONG;
	*fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return -errno;
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0)
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	return 0;
}

static int format(struct ds_store *st, MDB_txn *txn)
{
	struct ds_persist *p = ds_lmdb_of(st);
	struct ds_new nw = { .type = DS_DIR, .mode = 0777 };
	struct ds_changes cs;
	int rc;

	st->root = ds_inode_alloc(st, &nw, &rc);
	if (!st->root)
		return rc;
	st->root->dir.parent = st->root;
	st->root->nlink = 2;
	st->root->refcnt = 1;
	p->boot = 1;
	rc = meta_put(txn, p->meta, "version", DS_PERSIST_VERSION);
	if (!rc)
		rc = meta_put(txn, p->meta, "block_size", st->cfg.block_size);
	if (!rc)
		rc = meta_put(txn, p->meta, "generation", st->generation);
	if (!rc)
		rc = meta_put(txn, p->meta, "root", st->root->fileid);
	if (!rc)
		rc = meta_put(txn, p->meta, "boot", p->boot);
	if (rc)
		return ds_mdb_err(rc);
	ds_changes_init(&cs, st);
	ds_changes_inode(&cs, st->root);
	cs.next_fileid = true;
	return ds_lmdb_apply(st, txn, &cs);
}

struct dir_fix {
	struct ds_inode *dir;
	uint64_t parent;
	uint64_t next_cookie;
};

struct ent {
	uint64_t dir;
	uint64_t cookie;
	uint64_t child;
	char *name;
};

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	return x->cookie < y->cookie ? -1 : x->cookie > y->cookie;
}

static void rec_apply(struct ds_inode *ino, const struct ds_rec *r)
{
	struct timespec *ts[4] = { &ino->atime, &ino->mtime, &ino->ctime,
				   &ino->btime };
	int i;

	ino->mode = r->mode;
	ino->uid = r->uid;
	ino->gid = r->gid;
	ino->nlink = r->nlink;
	ino->rdev_major = r->rdev_major;
	ino->rdev_minor = r->rdev_minor;
	ino->size = r->size;
	ino->change = r->change;
	ino->xseq = r->xseq;
	for (i = 0; i < 4; i++) {
		ts[i]->tv_sec = r->sec[i];
		ts[i]->tv_nsec = r->nsec[i];
	}
}

/* Inodes; orphans (no name left, were open at the crash) are freed. */
static int load_inodes(struct ds_store *st, MDB_txn *txn, uint64_t root,
		       struct dir_fix **fixes, size_t *nfix)
{
	struct ds_persist *p = ds_lmdb_of(st);
	uint64_t *orph = NULL;
	size_t norph = 0, cap = 0, fcap = 0, i;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	rc = mdb_cursor_open(txn, p->inodes, &cur);
	if (rc)
		return ds_mdb_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		struct ds_rec r;
		struct ds_inode *ino;
		uint64_t id;

		if (k.mv_size != 8 || v.mv_size < sizeof(r)) {
			rc = MDB_CORRUPTED;
			break;
		}
		id = ds_get_be64(k.mv_data);
		memcpy(&r, v.mv_data, sizeof(r));
		if (r.type < DS_REG || r.type > DS_BLK) {
			rc = MDB_CORRUPTED;
			break;
		}
		if (r.nlink == 0 && id != root) {
			if (norph == cap) {
				uint64_t *no;

				cap = cap ? cap * 2 : 16;
				no = realloc(orph, cap * sizeof(*orph));
				if (!no) {
					rc = ENOMEM;
					break;
				}
				orph = no;
			}
			orph[norph++] = id;
			continue;
		}
		ino = ds_inode_restore(st, r.type, id, r.generation);
		if (!ino) {
			rc = ENOMEM;
			break;
		}
		rec_apply(ino, &r);
		/*
		 * A crash may have lost UNSTABLE writes whose change values
		 * clients saw; a jump keeps every value ever handed out
		 * naming one content (RFC 8881 §5.8.1.4).
		 */
		if (r.type == DS_REG)
			ino->change += DS_CHANGE_BOOT_STEP;
		if (r.type == DS_LNK) {
			size_t len = v.mv_size - sizeof(r);

			ino->lnk.target = malloc(len + 1);
			if (!ino->lnk.target) {
				rc = ENOMEM;
				break;
			}
			memcpy(ino->lnk.target,
			       (char *)v.mv_data + sizeof(r), len);
			ino->lnk.target[len] = '\0';
			ino->lnk.len = len;
			ino->size = len;
			__atomic_add_fetch(&st->bytes_used, len,
					   __ATOMIC_RELAXED);
		}
		if (r.type == DS_DIR) {
			if (*nfix == fcap) {
				struct dir_fix *nf;

				fcap = fcap ? fcap * 2 : 64;
				nf = realloc(*fixes, fcap * sizeof(**fixes));
				if (!nf) {
					rc = ENOMEM;
					break;
				}
				*fixes = nf;
			}
			(*fixes)[*nfix].dir = ino;
			(*fixes)[*nfix].parent = r.parent;
			(*fixes)[(*nfix)++].next_cookie = r.next_cookie;
		}
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND) {
		free(orph);
		return ds_mdb_err(rc);
	}
	for (i = 0, rc = 0; i < norph && !rc; i++)
		rc = ds_lmdb_del_inode(st, txn, orph[i]);
	p->orphans = norph;
	free(orph);
	return rc;
}

/*
 * Entries go back in cookie order per directory, with their own
 * cookies, so readdir cookies handed out before a restart still work.
 */
static int load_dirents(struct ds_store *st, MDB_txn *txn)
{
	struct ent *e = NULL;
	size_t n = 0, cap = 0, i;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	rc = mdb_cursor_open(txn, ds_lmdb_of(st)->dirents, &cur);
	if (rc)
		return ds_mdb_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		struct ds_drec d;
		size_t nlen = k.mv_size - 8;

		if (k.mv_size <= 8 || nlen > DS_NAME_MAX ||
		    v.mv_size != sizeof(d)) {
			rc = MDB_CORRUPTED;
			break;
		}
		if (n == cap) {
			struct ent *ne;

			cap = cap ? cap * 2 : 256;
			ne = realloc(e, cap * sizeof(*e));
			if (!ne) {
				rc = ENOMEM;
				break;
			}
			e = ne;
		}
		memcpy(&d, v.mv_data, sizeof(d));
		e[n].dir = ds_get_be64(k.mv_data);
		e[n].cookie = d.cookie;
		e[n].child = d.fileid;
		e[n].name = strndup((char *)k.mv_data + 8, nlen);
		if (!e[n].name) {
			rc = ENOMEM;
			break;
		}
		n++;
	}
	mdb_cursor_close(cur);
	rc = rc == MDB_NOTFOUND ? 0 : ds_mdb_err(rc);
	if (!rc && n)
		qsort(e, n, sizeof(*e), ent_cmp);
	for (i = 0; i < n; i++) {
		struct ds_inode *dir = ds_inode_by_fileid(st, e[i].dir);
		struct ds_inode *child = ds_inode_by_fileid(st, e[i].child);

		/* Dangling entries are left for ds_store_check to report. */
		if (!rc && dir && child && dir->type == DS_DIR &&
		    !ds_dir_find(dir, e[i].name)) {
			dir->dir.next_cookie = e[i].cookie;
			rc = ds_dir_insert(dir, e[i].name, child);
		}
		free(e[i].name);
	}
	free(e);
	return rc;
}

static int load_blocks(struct ds_store *st, MDB_txn *txn)
{
	uint32_t bs = st->cfg.block_size;
	struct ds_inode *ino = NULL;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	rc = mdb_cursor_open(txn, ds_lmdb_of(st)->blocks, &cur);
	if (rc)
		return ds_mdb_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		uint64_t id, idx;
		void *blk;

		if (k.mv_size != 16 || v.mv_size != bs) {
			rc = MDB_CORRUPTED;
			break;
		}
		id = ds_get_be64(k.mv_data);
		idx = ds_get_be64((unsigned char *)k.mv_data + 8);
		if (!ino || ino->fileid != id)
			ino = ds_inode_by_fileid(st, id);
		if (!ino || ino->type != DS_REG)
			continue;	/* reported by ds_store_check */
		blk = malloc(bs);
		if (!blk || ds_bm_set(&ino->blocks, idx, blk)) {
			free(blk);
			rc = ENOMEM;
			break;
		}
		memcpy(blk, v.mv_data, bs);
		__atomic_add_fetch(&st->bytes_used, bs, __ATOMIC_RELAXED);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : ds_mdb_err(rc);
}

/* xattrs, back in their creation (seq) order. */
static int load_xattrs(struct ds_store *st, MDB_txn *txn)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	rc = mdb_cursor_open(txn, ds_lmdb_of(st)->xattrs, &cur);
	if (rc)
		return ds_mdb_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		size_t nlen = k.mv_size - 8, vlen;
		struct ds_inode *ino;
		struct ds_xattr *x, **pp;

		if (k.mv_size <= 8 || nlen > DS_XATTR_NAME_MAX ||
		    v.mv_size < sizeof(uint64_t)) {
			rc = MDB_CORRUPTED;
			break;
		}
		ino = ds_inode_by_fileid(st, ds_get_be64(k.mv_data));
		if (!ino)
			continue;
		vlen = v.mv_size - sizeof(uint64_t);
		x = malloc(sizeof(*x) + nlen + 1);
		if (x)
			x->value = malloc(vlen ? vlen : 1);
		if (!x || !x->value) {
			free(x);
			rc = ENOMEM;
			break;
		}
		memcpy(x->name, (char *)k.mv_data + 8, nlen);
		x->name[nlen] = '\0';
		memcpy(&x->seq, v.mv_data, sizeof(uint64_t));
		memcpy(x->value, (char *)v.mv_data + sizeof(uint64_t), vlen);
		x->vlen = vlen;
		for (pp = &ino->xattrs; *pp && (*pp)->seq < x->seq;
		     pp = &(*pp)->next)
			;
		x->next = *pp;
		*pp = x;
		__atomic_add_fetch(&st->bytes_used, nlen + vlen,
				   __ATOMIC_RELAXED);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : ds_mdb_err(rc);
}

static int load(struct ds_store *st, MDB_txn *txn)
{
	struct ds_persist *p = ds_lmdb_of(st);
	uint64_t ver, bs, gen, root, next, boot;
	struct dir_fix *fix = NULL;
	size_t nfix = 0, i;
	int rc;

	rc = meta_get(txn, p->meta, "version", &ver);
	if (!rc && ver != DS_PERSIST_VERSION)
		return -EPROTONOSUPPORT;
	if (!rc)
		rc = meta_get(txn, p->meta, "block_size", &bs);
	if (!rc)
		rc = meta_get(txn, p->meta, "generation", &gen);
	if (!rc)
		rc = meta_get(txn, p->meta, "root", &root);
	if (!rc)
		rc = meta_get(txn, p->meta, "next_fileid", &next);
	if (!rc)
		rc = meta_get(txn, p->meta, "boot", &boot);
	if (rc)
		return rc == MDB_NOTFOUND ? -EILSEQ : ds_mdb_err(rc);
	/* Blocks on disk have the size they were written with. */
	if (bs != st->cfg.block_size)
		return -EXDEV;
	st->generation = gen;
	st->next_fileid = next;
	p->boot = boot + 1;
	rc = load_inodes(st, txn, root, &fix, &nfix);
	if (!rc)
		rc = load_dirents(st, txn);
	for (i = 0; !rc && i < nfix; i++) {
		struct ds_inode *d = fix[i].dir;
		struct ds_inode *par = ds_inode_by_fileid(st, fix[i].parent);

		d->dir.parent = par && par->type == DS_DIR ? par : d;
		if (fix[i].next_cookie > d->dir.next_cookie)
			d->dir.next_cookie = fix[i].next_cookie;
	}
	free(fix);
	if (!rc)
		rc = load_blocks(st, txn);
	if (!rc)
		rc = load_xattrs(st, txn);
	if (rc)
		return rc;
	st->root = ds_inode_by_fileid(st, root);
	if (!st->root || st->root->type != DS_DIR)
		return -EILSEQ;
	return ds_mdb_err(meta_put(txn, p->meta, "boot", p->boot));
}

static int open_env(struct ds_persist *p, const struct ds_durable *dur,
		    uint64_t map, MDB_txn **txn)
{
	int rc = mdb_env_create(&p->env);

	if (!rc)
		rc = mdb_env_set_mapsize(p->env, map);
	if (!rc)
		rc = mdb_env_set_maxdbs(p->env, 8);
	if (!rc)
		rc = mdb_env_open(p->env, dur->path,
				  MDB_NOTLS | (dur->nosync ? MDB_NOSYNC : 0),
				  0600);
	if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
		return -EILSEQ;	/* not an LMDB environment we can use */
	if (!rc)
		rc = mdb_txn_begin(p->env, NULL, 0, txn);
	if (!rc)
		rc = mdb_dbi_open(*txn, "meta", MDB_CREATE, &p->meta);
	if (!rc)
		rc = mdb_dbi_open(*txn, "inodes", MDB_CREATE, &p->inodes);
	if (!rc)
		rc = mdb_dbi_open(*txn, "dirents", MDB_CREATE, &p->dirents);
	if (!rc)
		rc = mdb_dbi_open(*txn, "xattrs", MDB_CREATE, &p->xattrs);
	if (!rc)
		rc = mdb_dbi_open(*txn, "blocks", MDB_CREATE, &p->blocks);
	return ds_mdb_err(rc);
}

/*
 * Errors: -EINVAL (config, or map_size below ds_durable_map_size),
 * -ENOTDIR / -EACCES / -ENOENT (path), -EBUSY (in use), -EXDEV (stored
 * with another block size), -EILSEQ (not a ditto store or damaged),
 * -EPROTONOSUPPORT (newer format), -ENOSPC, -ENOMEM, -EIO.
 */
int ds_store_open(const struct ds_config *cfg, const struct ds_durable *dur,
		  struct ds_store **out)
{
	struct ds_store *st;
	struct ds_persist *p;
	MDB_txn *txn = NULL;
	uint64_t map, ver;
	int rc;

	st = ds_store_init(cfg, &rc);
	if (!st)
		return rc;
	map = dur->map_size ? dur->map_size : ds_durable_map_size(cfg);
	p = calloc(1, sizeof(*p));
	if (!p) {
		ds_store_free(st);
		return -ENOMEM;
	}
	p->lockfd = -1;
	ds_store_set_backend(st, &ds_lmdb_backend, p);
	rc = map < ds_durable_map_size(cfg) ? -EINVAL : 0;
	if (!rc)
		rc = prepare_dir(dur->path);
	if (!rc)
		rc = lock_dir(dur->path, &p->lockfd);
	if (!rc)
		rc = open_env(p, dur, map, &txn);
	if (!rc) {
		rc = meta_get(txn, p->meta, "version", &ver);
		if (rc == MDB_NOTFOUND)
			rc = format(st, txn);
		else
			rc = rc ? ds_mdb_err(rc) : load(st, txn);
	}
	if (!rc) {
		rc = ds_mdb_err(mdb_txn_commit(txn));
		txn = NULL;
	}
	if (rc) {
		if (txn)
			mdb_txn_abort(txn);
		if (p->env)
			mdb_env_close(p->env);
		if (p->lockfd >= 0)
			close(p->lockfd);
		free(p);
		ds_store_set_backend(st, NULL, NULL);
		ds_store_free(st);
		return rc;
	}
	*out = st;
	return 0;
}

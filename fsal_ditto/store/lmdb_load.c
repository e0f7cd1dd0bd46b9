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
	struct ds_changes cs;
	int rc;

	rc = ds_restore_new_root(st);
	if (rc)
		return rc;
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

static void irec_of(uint64_t id, const struct ds_rec *r, const MDB_val *v,
		    struct ds_irec *ir)
{
	struct timespec *ts[4] = { &ir->atime, &ir->mtime, &ir->ctime,
				   &ir->btime };
	int i;

	memset(ir, 0, sizeof(*ir));
	ir->fileid = id;
	ir->generation = r->generation;
	ir->type = r->type;
	ir->mode = r->mode;
	ir->uid = r->uid;
	ir->gid = r->gid;
	ir->nlink = r->nlink;
	ir->rdev_major = r->rdev_major;
	ir->rdev_minor = r->rdev_minor;
	ir->size = r->size;
	ir->change = r->change;
	ir->parent = r->parent;
	ir->next_cookie = r->next_cookie;
	ir->xseq = r->xseq;
	for (i = 0; i < 4; i++) {
		ts[i]->tv_sec = r->sec[i];
		ts[i]->tv_nsec = r->nsec[i];
	}
	ir->target = (const char *)v->mv_data + sizeof(*r);
	ir->tlen = v->mv_size - sizeof(*r);
}

/* Inodes; orphans (no name left, were open at the crash) are freed. */
static int load_inodes(struct ds_restore *res, MDB_txn *txn, uint64_t root)
{
	struct ds_store *st = res->st;
	struct ds_persist *p = ds_lmdb_of(st);
	uint64_t *orph = NULL;
	size_t norph = 0, cap = 0, i;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, err = 0;

	rc = mdb_cursor_open(txn, p->inodes, &cur);
	if (rc)
		return ds_mdb_err(rc);
	while (!err && (rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		struct ds_irec ir;
		struct ds_rec r;
		uint64_t id;

		if (k.mv_size != 8 || v.mv_size < sizeof(r)) {
			err = -EILSEQ;
			break;
		}
		id = ds_get_be64(k.mv_data);
		memcpy(&r, v.mv_data, sizeof(r));
		if (r.nlink == 0 && id != root) {
			if (norph == cap) {
				uint64_t *no;

				cap = cap ? cap * 2 : 16;
				no = realloc(orph, cap * sizeof(*orph));
				if (!no) {
					err = -ENOMEM;
					break;
				}
				orph = no;
			}
			orph[norph++] = id;
			continue;
		}
		irec_of(id, &r, &v, &ir);
		err = ds_restore_inode(res, &ir);
	}
	mdb_cursor_close(cur);
	if (!err && rc != MDB_NOTFOUND)
		err = ds_mdb_err(rc);
	for (i = 0; i < norph && !err; i++)
		err = ds_lmdb_del_inode(st, txn, orph[i]);
	p->orphans = norph;
	free(orph);
	return err;
}

static int load_dirents(struct ds_restore *res, MDB_txn *txn)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, err = 0;

	rc = mdb_cursor_open(txn, ds_lmdb_of(res->st)->dirents, &cur);
	if (rc)
		return ds_mdb_err(rc);
	while (!err && (rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		struct ds_drec d;

		if (k.mv_size <= 8 || v.mv_size != sizeof(d)) {
			err = -EILSEQ;
			break;
		}
		memcpy(&d, v.mv_data, sizeof(d));
		err = ds_restore_dirent(res, ds_get_be64(k.mv_data), d.cookie,
					d.fileid, (char *)k.mv_data + 8,
					k.mv_size - 8);
	}
	mdb_cursor_close(cur);
	return err ? err : rc == MDB_NOTFOUND ? 0 : ds_mdb_err(rc);
}

static int load_blocks(struct ds_store *st, MDB_txn *txn)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, err = 0;

	rc = mdb_cursor_open(txn, ds_lmdb_of(st)->blocks, &cur);
	if (rc)
		return ds_mdb_err(rc);
	while (!err && (rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		if (k.mv_size != 16) {
			err = -EILSEQ;
			break;
		}
		err = ds_restore_block(st, ds_get_be64(k.mv_data),
				       ds_get_be64((unsigned char *)k.mv_data +
						   8),
				       v.mv_data, v.mv_size);
	}
	mdb_cursor_close(cur);
	return err ? err : rc == MDB_NOTFOUND ? 0 : ds_mdb_err(rc);
}

static int load_xattrs(struct ds_store *st, MDB_txn *txn)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, err = 0;
	uint64_t seq;

	rc = mdb_cursor_open(txn, ds_lmdb_of(st)->xattrs, &cur);
	if (rc)
		return ds_mdb_err(rc);
	while (!err && (rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		if (k.mv_size <= 8 || v.mv_size < sizeof(seq)) {
			err = -EILSEQ;
			break;
		}
		memcpy(&seq, v.mv_data, sizeof(seq));
		err = ds_restore_xattr(st, ds_get_be64(k.mv_data),
				       (char *)k.mv_data + 8, k.mv_size - 8,
				       seq, (char *)v.mv_data + sizeof(seq),
				       v.mv_size - sizeof(seq));
	}
	mdb_cursor_close(cur);
	return err ? err : rc == MDB_NOTFOUND ? 0 : ds_mdb_err(rc);
}

static int load(struct ds_store *st, MDB_txn *txn)
{
	struct ds_persist *p = ds_lmdb_of(st);
	uint64_t ver, bs, gen, root, next, boot;
	struct ds_restore res;
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
	ds_restore_init(&res, st);
	rc = load_inodes(&res, txn, root);
	if (!rc)
		rc = load_dirents(&res, txn);
	if (!rc)
		rc = ds_restore_finish(&res, root);
	ds_restore_free(&res);
	if (!rc)
		rc = load_blocks(st, txn);
	if (!rc)
		rc = load_xattrs(st, txn);
	if (rc)
		return rc;
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
				  MDB_NOTLS | ds_lmdb_group_flags(&p->gc),
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
int ds_lmdb_open(const struct ds_config *cfg, const struct ds_durable *dur,
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
	ds_lmdb_group_init(&p->gc, dur->nosync);
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
		ds_lmdb_group_destroy(&p->gc);
		free(p);
		ds_store_set_backend(st, NULL, NULL);
		ds_store_free(st);
		return rc;
	}
	*out = st;
	return 0;
}

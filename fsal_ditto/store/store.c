// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Store lifecycle, capacity accounting, the inode table and inode
 * reference counting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"

static unsigned long fileid_hash(uint64_t id)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	id *= 0xc4ceb9fe1a85ec53ULL;
	id ^= id >> 33;
	return (unsigned long)id;
}

static int fileid_match(struct cds_lfht_node *node, const void *key)
{
	const struct ds_inode *ino =
		caa_container_of(node, struct ds_inode, tnode);

	return ino->fileid == *(const uint64_t *)key;
}

void ds_now(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

/* Caller holds ino->lock for writing. */
void ds_touch(struct ds_inode *ino, bool data)
{
	ds_now(&ino->ctime);
	if (data)
		ino->mtime = ino->ctime;
	ino->change++;
}

int ds_config_check(const struct ds_config *cfg)
{
	uint32_t bs = cfg->block_size;

	if (bs < 4096 || bs > (16u << 20) || (bs & (bs - 1)))
		return -EINVAL;
	if (cfg->max_files < 1 || cfg->max_bytes < bs)
		return -EINVAL;
	if (cfg->max_file_size < bs || cfg->max_file_size > (1ULL << 62))
		return -EINVAL;
	return 0;
}

int ds_reserve_bytes(struct ds_store *st, uint64_t n)
{
	uint64_t cur = __atomic_load_n(&st->bytes_used, __ATOMIC_RELAXED);

	do {
		if (n > st->cfg.max_bytes || cur > st->cfg.max_bytes - n)
			return -ENOSPC;
	} while (!__atomic_compare_exchange_n(&st->bytes_used, &cur, cur + n,
					      true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 0;
}

void ds_release_bytes(struct ds_store *st, uint64_t n)
{
	__atomic_sub_fetch(&st->bytes_used, n, __ATOMIC_RELAXED);
}

static int reserve_file(struct ds_store *st)
{
	uint64_t cur = __atomic_load_n(&st->files_used, __ATOMIC_RELAXED);

	do {
		if (cur >= st->cfg.max_files)
			return -ENOSPC;
	} while (!__atomic_compare_exchange_n(&st->files_used, &cur, cur + 1,
					      true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 0;
}

/*
 * Grows the inode table 4x once it holds more than two inodes per
 * bucket (see dir_resize in dir.c for why we resize by hand).  Whoever
 * holds itable_lock does it; others carry on, lookups stay lock-free.
 */
static void itable_grow(struct ds_store *st)
{
	uint64_t n = __atomic_load_n(&st->files_used, __ATOMIC_RELAXED);

	if (n <= 2 * __atomic_load_n(&st->itable_buckets, __ATOMIC_RELAXED))
		return;
	if (pthread_mutex_trylock(&st->itable_lock))
		return;
	if (n > 2 * st->itable_buckets) {
		cds_lfht_resize(st->itable, st->itable_buckets * 4);
		__atomic_store_n(&st->itable_buckets, st->itable_buckets * 4,
				 __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&st->itable_lock);
}

/*
 * A new inode with one reference for the caller and the "alive"
 * reference; it is already in the inode table but has no name yet, so
 * nobody can reach it except by guessing its fileid.
 */
struct ds_inode *ds_inode_alloc(struct ds_store *st, const struct ds_new *nw,
				int *err)
{
	struct ds_inode *ino;
	uint64_t fileid;
	size_t tlen = 0;

	if (nw->type == DS_LNK) {
		tlen = strlen(nw->target);
		if (tlen == 0) {
			*err = -ENOENT;
			return NULL;
		}
		if (tlen > DS_SYMLINK_MAX) {
			*err = -ENAMETOOLONG;
			return NULL;
		}
	}
	if (nw->type < DS_REG || nw->type > DS_BLK) {
		*err = -EINVAL;
		return NULL;
	}
	*err = reserve_file(st);
	if (*err)
		return NULL;
	if (tlen) {
		*err = ds_reserve_bytes(st, tlen);
		if (*err)
			goto unfile;
	}
	/* Heads sharing a store take fileids from their own ranges. */
	if (st->be && st->be->alloc_fileid)
		fileid = st->be->alloc_fileid(st);
	else
		fileid = __atomic_fetch_add(&st->next_fileid, 1,
					    __ATOMIC_RELAXED);
	if (!fileid) {
		*err = -EIO;
		goto unbytes;
	}
	ino = calloc(1, sizeof(*ino));
	if (!ino) {
		*err = -ENOMEM;
		goto unbytes;
	}
	ino->store = st;
	ino->type = nw->type;
	ino->mode = nw->mode & 07777;
	ino->uid = nw->uid;
	ino->gid = nw->gid;
	ino->nlink = 0;
	ino->refcnt = 2;
	ino->generation = st->generation;
	ino->change = 1;
	ds_now(&ino->ctime);
	ino->atime = ino->mtime = ino->btime = ino->ctime;
	if (nw->type == DS_CHR || nw->type == DS_BLK) {
		ino->rdev_major = nw->rdev_major;
		ino->rdev_minor = nw->rdev_minor;
	}
	if (nw->type == DS_DIR) {
		*err = ds_dir_init(ino);
		if (*err)
			goto unalloc;
	} else if (nw->type == DS_LNK) {
		ino->lnk.target = strdup(nw->target);
		if (!ino->lnk.target) {
			*err = -ENOMEM;
			goto unalloc;
		}
		ino->lnk.len = tlen;
		ino->size = tlen;
	}
	pthread_rwlock_init(&ino->lock, NULL);
	ino->fileid = fileid;
	cds_lfht_node_init(&ino->tnode);
	urcu_bp_read_lock();
	cds_lfht_add(st->itable, fileid_hash(ino->fileid), &ino->tnode);
	urcu_bp_read_unlock();
	itable_grow(st);
	return ino;

unalloc:
	free(ino);
unbytes:
	if (tlen)
		ds_release_bytes(st, tlen);
unfile:
	__atomic_sub_fetch(&st->files_used, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void inode_free_rcu(struct rcu_head *head)
{
	struct ds_inode *ino = caa_container_of(head, struct ds_inode, rcu);

	if (ino->type == DS_DIR)
		ds_dir_fini(ino);
	pthread_rwlock_destroy(&ino->lock);
	free(ino);
}

/*
 * The inode has no names and no opens any more: drop its contents and
 * the alive reference.  Caller holds ino->lock for writing and its own
 * reference, so the struct outlives the unlock.
 */
void ds_inode_kill(struct ds_inode *ino)
{
	struct ds_store *st = ino->store;

	if (ino->dead)
		return;
	ino->dead = true;
	urcu_bp_read_lock();
	cds_lfht_del(st->itable, &ino->tnode);
	urcu_bp_read_unlock();
	if (ino->type == DS_REG)
		ds_data_free(ino);
	if (ino->type == DS_LNK) {
		ds_release_bytes(st, ino->lnk.len);
		free(ino->lnk.target);
		ino->lnk.target = NULL;
	}
	ds_xattr_free_all(ino);
	ds_brl_free_all(ino);
	ds_lease_free_all(ino);
	__atomic_sub_fetch(&st->files_used, 1, __ATOMIC_RELAXED);
	/* The caller's reference keeps this from reaching zero here. */
	__atomic_sub_fetch(&ino->refcnt, 1, __ATOMIC_ACQ_REL);
}

bool ds_get_unless_zero(struct ds_inode *ino)
{
	long cur = __atomic_load_n(&ino->refcnt, __ATOMIC_RELAXED);

	do {
		if (cur == 0)
			return false;
	} while (!__atomic_compare_exchange_n(&ino->refcnt, &cur, cur + 1,
					      true, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return true;
}

void ds_get(struct ds_inode *ino)
{
	__atomic_add_fetch(&ino->refcnt, 1, __ATOMIC_RELAXED);
}

void ds_put(struct ds_inode *ino)
{
	if (__atomic_sub_fetch(&ino->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		urcu_bp_call_rcu(&ino->rcu, inode_free_rcu);
}

struct ds_inode *ds_root(struct ds_store *st)
{
	ds_get(st->root);
	return st->root;
}

int ds_find(struct ds_store *st, uint64_t fileid, uint32_t generation,
	    struct ds_inode **out)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *node;
	struct ds_inode *ino = NULL;

	urcu_bp_read_lock();
	cds_lfht_lookup(st->itable, fileid_hash(fileid), fileid_match, &fileid,
			&it);
	node = cds_lfht_iter_get_node(&it);
	if (node) {
		ino = caa_container_of(node, struct ds_inode, tnode);
		if (ino->generation != generation || !ds_get_unless_zero(ino))
			ino = NULL;
	}
	urcu_bp_read_unlock();
	/* Load on miss (backend.h): a partial backend fetches it here. */
	if (!ino)
		return -ESTALE;
	if (__atomic_load_n(&ino->dead, __ATOMIC_ACQUIRE)) {
		ds_put(ino);
		return -ESTALE;
	}
	*out = ino;
	return 0;
}

uint64_t ds_fileid(const struct ds_inode *ino)
{
	return ino->fileid;
}

uint32_t ds_generation(const struct ds_inode *ino)
{
	return ino->generation;
}

enum ds_type ds_type_of(const struct ds_inode *ino)
{
	return ino->type;
}

struct ds_store *ds_store_of(const struct ds_inode *ino)
{
	return ino->store;
}

uint32_t ds_store_block_size(const struct ds_store *st)
{
	return st->cfg.block_size;
}

uint64_t ds_store_max_file_size(const struct ds_store *st)
{
	return st->cfg.max_file_size;
}

void ds_statfs(struct ds_store *st, struct ds_statfs *out)
{
	uint64_t b = __atomic_load_n(&st->bytes_used, __ATOMIC_RELAXED);
	uint64_t f = __atomic_load_n(&st->files_used, __ATOMIC_RELAXED);

	out->total_bytes = st->cfg.max_bytes;
	out->free_bytes = b < st->cfg.max_bytes ? st->cfg.max_bytes - b : 0;
	out->total_files = st->cfg.max_files;
	out->free_files = f < st->cfg.max_files ? st->cfg.max_files - f : 0;
}

int ds_open(struct ds_inode *ino)
{
	int rc = 0;

	pthread_rwlock_wrlock(&ino->lock);
	if (ino->dead)
		rc = -ESTALE;
	else
		ino->opens++;
	pthread_rwlock_unlock(&ino->lock);
	return rc;
}

void ds_close(struct ds_inode *ino)
{
	struct ds_store *st = ino->store;

	ds_get(ino);
	pthread_rwlock_wrlock(&ino->lock);
	if (ino->opens > 0 && --ino->opens == 0 && ino->nlink == 0 &&
	    ino != ino->store->root) {
		struct ds_changes cs;

		/* Freed whatever the backend says: a failure latches the
		 * store and its reopen frees the orphan.
		 */
		ds_changes_init(&cs, ino->store);
		cs.applied = true;
		ds_changes_inode_del(&cs, ino);
		ds_changes_commit(&cs);
		ds_inode_kill(ino);
	}
	pthread_rwlock_unlock(&ino->lock);
	ds_put(ino);
	ds_changes_durable(st, 0);
}

/* Differs between stores and between runs, so old handles go stale. */
static uint32_t make_generation(void)
{
	static uint32_t seq;
	struct timespec ts;
	uint64_t h;

	ds_now(&ts);
	h = (uint64_t)ts.tv_sec * 1000000007ULL + ts.tv_nsec;
	h ^= (uint64_t)getpid() << 32;
	h += __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED) *
	     0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (uint32_t)h | 1;
}

/* A store with no inodes yet: the caller makes or loads the root. */
struct ds_store *ds_store_init(const struct ds_config *cfg, int *err)
{
	struct ds_store *st;

	*err = ds_config_check(cfg);
	if (*err)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st) {
		*err = -ENOMEM;
		return NULL;
	}
	st->cfg = *cfg;
	st->next_fileid = 2;
	st->generation = make_generation();
	pthread_mutex_init(&st->rename_lock, NULL);
	pthread_mutex_init(&st->itable_lock, NULL);
	st->itable_buckets = 1024;
	st->itable = cds_lfht_new_flavor(1024, 1024, 0, 0, &urcu_bp_flavor,
					 NULL);
	if (!st->itable) {
		pthread_mutex_destroy(&st->rename_lock);
		pthread_mutex_destroy(&st->itable_lock);
		free(st);
		*err = -ENOMEM;
		return NULL;
	}
	return st;
}

int ds_store_new(const struct ds_config *cfg, struct ds_store **out)
{
	struct ds_store *st;
	struct ds_new root = { .type = DS_DIR, .mode = 0777 };
	int rc;

	st = ds_store_init(cfg, &rc);
	if (!st)
		return rc;
	st->root = ds_inode_alloc(st, &root, &rc);
	if (!st->root) {
		cds_lfht_destroy(st->itable, NULL);
		free(st);
		return rc;
	}
	/* Root: its own parent, two links, and the creator's ref dropped. */
	st->root->dir.parent = st->root;
	st->root->nlink = 2;
	st->root->refcnt = 1;
	*out = st;
	return 0;
}

/*
 * A loaded inode (durable stores): given fileid and generation, only
 * the "alive" reference, no name yet; capacity is counted, not
 * checked, since what is on disk exists whatever the limits say now.
 */
struct ds_inode *ds_inode_restore(struct ds_store *st, enum ds_type type,
				  uint64_t fileid, uint32_t generation)
{
	struct ds_inode *ino = calloc(1, sizeof(*ino));

	if (!ino)
		return NULL;
	ino->store = st;
	ino->type = type;
	ino->fileid = fileid;
	ino->generation = generation;
	ino->refcnt = 1;
	if (type == DS_DIR && ds_dir_init(ino)) {
		free(ino);
		return NULL;
	}
	pthread_rwlock_init(&ino->lock, NULL);
	__atomic_add_fetch(&st->files_used, 1, __ATOMIC_RELAXED);
	cds_lfht_node_init(&ino->tnode);
	urcu_bp_read_lock();
	cds_lfht_add(st->itable, fileid_hash(fileid), &ino->tnode);
	urcu_bp_read_unlock();
	itable_grow(st);
	return ino;
}

/* Any generation, no reference taken: for the loader and checks only. */
struct ds_inode *ds_inode_by_fileid(struct ds_store *st, uint64_t fileid)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *node;

	urcu_bp_read_lock();
	cds_lfht_lookup(st->itable, fileid_hash(fileid), fileid_match, &fileid,
			&it);
	node = cds_lfht_iter_get_node(&it);
	urcu_bp_read_unlock();
	return node ? caa_container_of(node, struct ds_inode, tnode) : NULL;
}

/* Collects every node of a table so they can be freed without RCU. */
static void **collect_nodes(struct cds_lfht *ht, size_t *n)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *node;
	void **v = NULL;
	size_t cap = 0;

	*n = 0;
	cds_lfht_for_each(ht, &it, node) {
		if (*n == cap) {
			void **nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				abort();
			v = nv;
		}
		v[(*n)++] = node;
	}
	return v;
}

/* Frees everything; no other thread may use the store any more. */
void ds_store_free(struct ds_store *st)
{
	void **inodes;
	size_t ni, i;

	if (st->be) {
		/* Clean shutdown: unstable data becomes durable too. */
		ds_sync(st);
		if (st->be->close)
			st->be->close(st);
	}
	urcu_bp_barrier();
	urcu_bp_read_lock();
	inodes = collect_nodes(st->itable, &ni);
	urcu_bp_read_unlock();
	for (i = 0; i < ni; i++) {
		struct ds_inode *ino =
			caa_container_of(inodes[i], struct ds_inode, tnode);

		cds_lfht_del(st->itable, &ino->tnode);
		if (ino->type == DS_DIR) {
			ds_dir_free_all(ino);
		} else if (ino->type == DS_REG) {
			ds_data_free(ino);
		} else if (ino->type == DS_LNK) {
			free(ino->lnk.target);
		}
		ds_xattr_free_all(ino);
		ds_brl_free_all(ino);
		ds_lease_free_all(ino);
		pthread_rwlock_destroy(&ino->lock);
		free(ino);
	}
	free(inodes);
	urcu_bp_barrier();
	cds_lfht_destroy(st->itable, NULL);
	pthread_mutex_destroy(&st->rename_lock);
	pthread_mutex_destroy(&st->itable_lock);
	free(st);
}

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ditto store internals, shared by the store's own .c files only.
 */
#ifndef DITTO_STORE_INT_H
#define DITTO_STORE_INT_H

#include <pthread.h>
#include <urcu/urcu-bp.h>
#include <urcu/rculfhash.h>

#include "ditto_store.h"

/* Sparse block map: a radix tree of fan-out DS_BM_FAN over block index. */
#define DS_BM_SHIFT 6
#define DS_BM_FAN (1u << DS_BM_SHIFT)

struct ds_bmnode {
	void *slot[DS_BM_FAN];
	unsigned int count;
};

struct ds_blockmap {
	void *root;
	unsigned int height;	/* 0: empty; h levels cover FAN^h blocks */
	uint64_t nblocks;
};

/*
 * A lookup reads namelen and name of each entry its probe meets, then
 * ino of the one it finds: these are kept together after the fields
 * only writers read, so that in a directory bigger than the cache an
 * entry costs one cache miss more often than two.
 */
struct ds_dentry {
	union {
		/* While published; under the directory's lock. */
		struct {
			uint64_t cookie;
			size_t slot;	/* position in the cookie index */
		};
		/* Once removed: only RCU readers may still see it, and they
		 * read node, ino and the name only.
		 */
		struct rcu_head rcu;
	};
	struct ds_inode *ino;
	uint16_t namelen;
	char name[];
};

/*
 * A directory's names: open addressing, linear probing (dir.c).  hint
 * holds the top 16 bits of the name's hash, so that a probe reads only
 * the entries whose hash matches, and the low 48 bits of de->ino, so
 * that a lookup fetches the inode while it checks the name.  The
 * answer is always de->ino, never the hint.
 */
struct ds_nslot {
	struct ds_dentry *de;	/* NULL: never used; DS_NSLOT_FREED: removed */
	uintptr_t hint;
};

struct ds_names {
	struct rcu_head rcu;
	unsigned long mask;	/* slots - 1, slots a power of two */
	unsigned long used;	/* slots not NULL (entries and removed) */
	struct ds_nslot slot[];
};

/* Cookie-ordered index of a directory's entries (see ditto_store.h). */
struct ds_cidx {
	uint64_t *cookie;
	struct ds_dentry **ent;	/* NULL = tombstone */
	size_t len;
	size_t cap;
	size_t live;
};

struct ds_xattr {
	struct ds_xattr *next;
	uint64_t seq;		/* creation order, kept by the durable store */
	size_t vlen;
	char *value;
	char name[];
};

struct ds_brl {
	struct ds_brl *next;
	uintptr_t owner;
	enum ds_lock_type type;
	uint64_t start;
	uint64_t end;		/* inclusive */
};

struct ds_lease_holder {
	struct ds_lease_holder *next;
	uintptr_t owner;
	enum ds_lease_type type;
};

struct ds_inode {
	struct cds_lfht_node tnode;	/* in store->itable */
	struct rcu_head rcu;
	struct ds_store *store;
	pthread_rwlock_t lock;
	long refcnt;		/* holders + 1 while alive */
	bool dead;		/* unlinked and closed: gone for good */
	enum ds_type type;
	uint64_t fileid;
	uint32_t generation;

	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t nlink;
	uint32_t opens;
	uint64_t size;
	uint64_t change;
	uint32_t rdev_major;
	uint32_t rdev_minor;
	struct timespec atime;
	struct timespec mtime;
	struct timespec ctime;
	struct timespec btime;

	struct ds_xattr *xattrs;
	uint64_t xseq;		/* next ds_xattr.seq */
	/* Backends that track them only: blocks written since the last
	 * commit of this inode (values are (void *)1), and whether
	 * size/times moved since.
	 */
	struct ds_blockmap dirty;
	bool mdirty;
	/* The backend's version of this inode's record as this store last
	 * wrote or read it (postgres: the row's ver; 0: not stored yet).
	 */
	uint64_t dbver;
	struct ds_brl *locks;
	struct ds_lease_holder *leases;

	union {
		struct {
			struct ds_names *names;	/* RCU */
			struct ds_cidx cidx;
			uint64_t next_cookie;
			struct ds_inode *parent;
		} dir;
		struct ds_blockmap blocks;
		struct {
			char *target;
			size_t len;
		} lnk;
	};
};

struct ds_store {
	struct ds_config cfg;
	struct cds_lfht *itable;
	unsigned long itable_buckets;	/* under itable_lock */
	pthread_mutex_t itable_lock;	/* serialises itable resizes */
	struct ds_inode *root;
	pthread_mutex_t rename_lock;
	uint64_t next_fileid;
	uint32_t generation;
	uint64_t bytes_used;	/* atomic */
	uint64_t files_used;	/* atomic */
	const struct ds_backend_ops *be;	/* NULL: memory only */
	void *be_priv;
	int failed;		/* latched negative errno (backend.h) */
	/* Told of other heads' changes (ds_store_set_invalidate). */
	struct ds_invalidate inval;
};

/* store.c */
struct ds_store *ds_store_init(const struct ds_config *cfg, int *err);
struct ds_inode *ds_inode_restore(struct ds_store *st, enum ds_type type,
				  uint64_t fileid, uint32_t generation);
struct ds_inode *ds_inode_by_fileid(struct ds_store *st, uint64_t fileid);
int ds_reserve_bytes(struct ds_store *st, uint64_t n);
void ds_release_bytes(struct ds_store *st, uint64_t n);
struct ds_inode *ds_inode_alloc(struct ds_store *st, const struct ds_new *nw,
				int *err);
void ds_inode_kill(struct ds_inode *ino);
bool ds_get_unless_zero(struct ds_inode *ino);
void ds_now(struct timespec *ts);
void ds_touch(struct ds_inode *ino, bool data);
void ds_fill_attr(const struct ds_inode *ino, struct ds_attr *out);

/* dir.c */
int ds_dir_init(struct ds_inode *dir);
void ds_dir_fini(struct ds_inode *dir);
/* ds_dir_fini, and the entries freed too (the store is being freed). */
void ds_dir_free_all(struct ds_inode *dir);
int ds_name_check(const char *name);
struct ds_dentry *ds_dir_find(struct ds_inode *dir, const char *name);
int ds_dir_insert(struct ds_inode *dir, const char *name,
		  struct ds_inode *ino);
/* An entry with a given cookie (another head's), kept in cookie order. */
int ds_dir_insert_cookie(struct ds_inode *dir, const char *name,
			 struct ds_inode *ino, uint64_t cookie);
/* An entry in two steps around a commit: prepare may fail (its cookie is
 * the directory's next), publish may not; discard drops a prepared one.
 */
struct ds_dentry *ds_dir_prepare(struct ds_inode *dir, const char *name,
				 struct ds_inode *ino, int *err);
void ds_dir_publish(struct ds_inode *dir, struct ds_dentry *de);
void ds_dir_discard(struct ds_dentry *de);
void ds_dir_remove(struct ds_inode *dir, struct ds_dentry *de);

/* blockmap.c */
void *ds_bm_get(const struct ds_blockmap *bm, uint64_t idx);
int ds_bm_set(struct ds_blockmap *bm, uint64_t idx, void *blk);
/* Removes blocks in [from, to) calling fr on each; returns number removed */
uint64_t ds_bm_drop(struct ds_blockmap *bm, uint64_t from, uint64_t to,
		    void (*fr)(void *blk));
/* Smallest present index >= idx, or UINT64_MAX */
uint64_t ds_bm_next(const struct ds_blockmap *bm, uint64_t idx);

/* data.c */
struct ds_changes;
void ds_data_truncate(struct ds_inode *ino, uint64_t size,
		      struct ds_changes *cs);
void ds_data_free(struct ds_inode *ino);

/* xattr.c, brlock.c, lease.c */
void ds_xattr_free_all(struct ds_inode *ino);
void ds_brl_free_all(struct ds_inode *ino);
void ds_lease_free_all(struct ds_inode *ino);

/* changes.c */
/* 0, or the error that latched the store read-only (backend.h). */
int ds_store_failed(struct ds_store *st);
/* Marks blocks [first, last] of a regular file dirty (backends that
 * track unstable data only).
 */
int ds_mark_dirty(struct ds_inode *ino, uint64_t first, uint64_t last);
void ds_dirty_drop(struct ds_inode *ino, uint64_t from, uint64_t to);

static inline bool ds_alive(const struct ds_inode *ino)
{
	return !ino->dead;
}

#endif /* DITTO_STORE_INT_H */

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Durable store internals: the LMDB environment, its tables and the
 * record formats (docs/durable.md).  Keys are big-endian so that LMDB's
 * byte order is (fileid, ...) order; values are in host byte order.
 */
#ifndef DITTO_LMDB_INT_H
#define DITTO_LMDB_INT_H

#include <lmdb.h>
#include <pthread.h>
#include <string.h>

#include "backend.h"

#define DS_PERSIST_VERSION 1

/* A change set copied for group commit (lmdb_group.c). */
struct ds_lmdb_blk {
	unsigned int ci;	/* the DS_CH_INODE change it belongs to */
	uint64_t idx;
	const void *data;	/* block_size bytes */
};

struct ds_lmdb_op {
	struct ds_lmdb_op *next;
	uint64_t seq;
	struct ds_changes cs;	/* pointers into this allocation */
	size_t nblk;
	struct ds_lmdb_blk *blk;	/* in change order */
};

/* Group commit: the queue of copied sets and what is on disk. */
struct ds_lmdb_group {
	bool serial;		/* DITTO_LMDB_COMMIT=serial: no group */
	bool nosync;		/* ds_durable.nosync: tests, never synced */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ds_lmdb_op *head, *tail;
	uint64_t queued;	/* seq of the last queued set */
	uint64_t durable;	/* every seq <= this is on disk */
	bool writing;		/* a thread writes a batch */
	int err;		/* a failed batch: sticky, negative errno */
	uint64_t commits;	/* change sets written (tests, benchmarks) */
	uint64_t batches;	/* synced transactions that wrote them */
};

struct ds_persist {
	MDB_env *env;
	MDB_dbi meta;		/* name -> uint64_t */
	MDB_dbi inodes;		/* fileid -> struct ds_rec + symlink target */
	MDB_dbi dirents;	/* (dir fileid, name) -> struct ds_drec */
	MDB_dbi xattrs;		/* (fileid, name) -> seq + value */
	MDB_dbi blocks;		/* (fileid, block index) -> block_size bytes */
	int lockfd;
	uint64_t boot;
	uint64_t orphans;	/* freed by the last open */
	struct ds_lmdb_group gc;
};

struct ds_rec {
	uint8_t version;
	uint8_t type;
	uint16_t pad;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t nlink;
	uint32_t generation;
	uint32_t rdev_major;
	uint32_t rdev_minor;
	uint64_t size;
	uint64_t change;
	uint64_t parent;	/* directories */
	uint64_t next_cookie;	/* directories */
	uint64_t xseq;
	int64_t sec[4];		/* atime, mtime, ctime, btime */
	uint32_t nsec[4];
} __attribute__((packed));

struct ds_drec {
	uint64_t fileid;
	uint64_t cookie;
} __attribute__((packed));

/* Key buffers: 8-byte big-endian fileid, then index or name. */
struct ds_key {
	unsigned char b[16 + DS_NAME_MAX + 1];
	MDB_val v;
};

static inline void ds_put_be64(unsigned char *p, uint64_t x)
{
	int i;

	for (i = 7; i >= 0; i--, x >>= 8)
		p[i] = (unsigned char)x;
}

static inline uint64_t ds_get_be64(const unsigned char *p)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

static inline MDB_val *ds_key_id(struct ds_key *k, uint64_t id)
{
	ds_put_be64(k->b, id);
	k->v.mv_data = k->b;
	k->v.mv_size = 8;
	return &k->v;
}

static inline MDB_val *ds_key_idx(struct ds_key *k, uint64_t id,
				  uint64_t idx)
{
	ds_put_be64(k->b, id);
	ds_put_be64(k->b + 8, idx);
	k->v.mv_data = k->b;
	k->v.mv_size = 16;
	return &k->v;
}

static inline MDB_val *ds_key_name(struct ds_key *k, uint64_t id,
				   const char *name)
{
	size_t len = strlen(name);

	ds_put_be64(k->b, id);
	memcpy(k->b + 8, name, len);
	k->v.mv_data = k->b;
	k->v.mv_size = 8 + len;
	return &k->v;
}

static inline struct ds_persist *ds_lmdb_of(const struct ds_store *st)
{
	return st->be_priv;
}

extern const struct ds_backend_ops ds_lmdb_backend;

/* LMDB result to negative errno. */
int ds_mdb_err(int rc);
void ds_rec_fill(const struct ds_irec *ir, struct ds_rec *r);
/* A change set into an open write transaction (commit, format). */
int ds_lmdb_apply(struct ds_store *st, MDB_txn *txn,
		  const struct ds_changes *cs);
int ds_lmdb_del_inode(struct ds_store *st, MDB_txn *txn, uint64_t fileid);
int ds_lmdb_check(struct ds_store *st, struct ds_check *out);
/* A copied change set into an open write transaction. */
int ds_lmdb_apply_op(struct ds_store *st, MDB_txn *txn,
		     const struct ds_lmdb_op *op);

/* lmdb_group.c */
void ds_lmdb_group_init(struct ds_lmdb_group *g, bool nosync);
void ds_lmdb_group_destroy(struct ds_lmdb_group *g);
/* mdb_env_open flags of the group's mode. */
unsigned int ds_lmdb_group_flags(const struct ds_lmdb_group *g);
/* Backend commit: queues a copy of cs (0 or negative errno). */
int ds_lmdb_group_commit(struct ds_store *st, const struct ds_changes *cs);
/* Backend durable op: waits until the thread's last queued set is on
 * disk, writing a batch itself if no other thread does.
 */
int ds_lmdb_durable(struct ds_store *st);
/* Writes what is queued (close, check); drops it after a failed batch. */
int ds_lmdb_group_drain(struct ds_store *st);
void ds_lmdb_op_free(struct ds_lmdb_op *op);
/* Change sets written and the synced transactions that wrote them. */
void ds_lmdb_group_stats(const struct ds_store *st, uint64_t *commits,
			 uint64_t *batches);

int ds_lmdb_open(const struct ds_config *cfg, const struct ds_durable *dur,
		 struct ds_store **out);

#endif /* DITTO_LMDB_INT_H */

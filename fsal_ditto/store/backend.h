/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Store backends: where a store's changes go besides memory.
 *
 * The core (ditto_store.h) keeps the whole filesystem in memory and is
 * the only API the FSAL glue calls.  Behind it sits one backend, chosen
 * when the store is made: none (memory, the embedded default: nothing
 * to do), lmdb (lmdb_*.c, docs/durable.md) and postgres (pg_*.c,
 * docs/postgres.md).  A
 * backend sees one call per mutating store operation:
 *
 *   commit(changes)  the operation's whole change set, once, at the end.
 *
 * Change sets
 * -----------
 * A struct ds_changes lists what one operation changes, in order:
 * inode records (after-images: attributes, link count, parent, next
 * cookie, xattr sequence; for a regular file also "write its dirty
 * blocks", read with ds_dirty_next), inode deletions, directory entries
 * put or deleted (with their stable cookies), xattrs put or deleted,
 * block ranges dropped, and the next fileid.  It is built on the stack
 * by the core, never allocates, and points into memory that the core's
 * inode locks keep still until commit returns.
 *
 * Commit point and failure
 * ------------------------
 * The core takes its inode locks (the order in ditto_store.h), checks,
 * and records the operation in a change set against staged copies of
 * the inode records: memory is not touched yet.  It then calls commit
 * with every lock still held; the backend's own locks (LMDB's writer
 * lock, a SQL connection) are therefore innermost.  A backend whose
 * commits are made durable later, several at once (LMDB's group
 * commit), has a durable op: the core calls it last, after it dropped
 * its locks, so other operations on the same inodes commit while it
 * waits, and the caller still returns only once its change is on disk.
 * Until then the change is visible in memory to other callers; any
 * later commit they make is ordered after it by the backend, so its
 * own durable wait covers it too.  Only if commit
 * returns 0 does the core apply the change to memory (ds_changes_apply
 * copies the staged records back, then the caller links or unlinks
 * entries and frees what died), and nothing it does then can fail.  A
 * commit that fails (-EAGAIN: a SQL serialisation conflict, -EIO,
 * -ENOSPC) leaves memory as it was and the error goes to the caller.
 *
 * Three operations change memory before their commit because undoing
 * them would cost more than they are worth: shrinking truncate,
 * ds_allocate and ds_deallocate (blocks freed or zero-filled in place).
 * They mark the set "applied"; if such a commit fails, memory is ahead
 * of the backend and the store latches read-only (every later mutation
 * returns the error) until it is reopened, as the durable store always
 * did.  The latch is the core's (ds_store_failed), not the backend's.
 *
 * Several heads
 * -------------
 * A backend shared by several heads (postgres) detects conflicting
 * commits itself: every inode record carries the version (ver) the
 * head last saw of it, and the commit fails with -EAGAIN, memory
 * unchanged, when the stored one moved meanwhile.  Once every lock of
 * the operation is dropped the core calls settle(), where the backend
 * waits until the other heads have applied the commit (read-after-
 * write across heads); waiting there rather than in commit keeps a
 * head's listener, which takes the core's locks to apply other heads'
 * commits (remote.c), from ever waiting on a committer that waits for
 * it.  alloc_fileid hands out fileids from ranges the heads reserve
 * in the database, so two heads never make the same one.
 *
 * Reads
 * -----
 * Reads are served from memory: every backend loads everything at
 * open (lmdb_load.c, pg_load.c, both through restore.c), so memory is
 * a complete copy, and with several heads the listener keeps it one
 * (remote.c).  Stores larger than a head's memory would need fetch
 * operations (an inode by fileid, an entry by name, a cookie range of
 * a directory, a block range) that the core calls on a miss in
 * ds_find, ds_lookup, ds_readdir and ds_read, before it takes the inode
 * locks.  That seam is the places marked "load on miss" in store.c,
 * dir.c and data.c; it is not built.
 */
#ifndef DITTO_BACKEND_H
#define DITTO_BACKEND_H

#include "store_int.h"

/* An inode as a backend stores it: everything that survives a restart. */
struct ds_irec {
	uint64_t fileid;
	uint32_t generation;
	enum ds_type type;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t nlink;
	uint32_t rdev_major;
	uint32_t rdev_minor;
	uint64_t size;
	uint64_t change;
	uint64_t parent;	/* directories: the parent's fileid */
	uint64_t next_cookie;	/* directories */
	uint64_t xseq;
	struct timespec atime;
	struct timespec mtime;
	struct timespec ctime;
	struct timespec btime;
	const char *target;	/* symlinks */
	size_t tlen;
	/* The stored version this record replaces (0: a new inode); the
	 * backend stores ver + 1 and memory takes it on apply.
	 */
	uint64_t ver;
};

enum ds_change_kind {
	DS_CH_INODE,		/* put rec; regular files: dirty blocks too */
	DS_CH_INODE_DEL,	/* the inode, its blocks and xattrs */
	DS_CH_DIRENT,		/* put (fileid, name) -> (target, cookie) */
	DS_CH_DIRENT_DEL,
	DS_CH_XATTR,		/* put (fileid, name) -> (seq, value) */
	DS_CH_XATTR_DEL,
	DS_CH_BLOCKS_DEL,	/* blocks [from, to) of fileid */
};

struct ds_change {
	enum ds_change_kind kind;
	uint64_t fileid;
	union {
		struct {
			struct ds_irec rec;
			struct ds_inode *ino;	/* NULL: nothing to apply */
		} inode;
		struct {
			const char *name;
			uint64_t target;
			uint64_t cookie;
		} dirent;
		struct {
			const char *name;
			uint64_t seq;
			const void *value;
			size_t vlen;
		} xattr;
		struct {
			uint64_t from;
			uint64_t to;
		} blocks;
		uint64_t del_ver;	/* DS_CH_INODE_DEL: as ds_irec.ver */
	};
};

/* A rename over a directory entry is the largest: 2 entries, 4 inodes. */
#define DS_CHANGES_MAX 8

struct ds_changes {
	struct ds_store *st;
	unsigned int n;
	bool next_fileid;	/* store the next fileid (creates) */
	bool applied;		/* memory already changed: latch on failure */
	int rc;			/* first recording error */
	struct ds_change c[DS_CHANGES_MAX];
};

struct ds_backend_ops {
	const char *name;
	/* One operation's changes, all or nothing; 0 or negative errno. */
	int (*commit)(struct ds_store *st, const struct ds_changes *cs);
	/* Optional: called once the operation dropped its locks, returns
	 * when the calling thread's last commit is on disk (group commit:
	 * lmdb_group.c); 0 or negative errno.
	 */
	int (*durable)(struct ds_store *st);
	/* Blocks written but not committed are tracked for this backend. */
	bool tracks_dirty;
	uint64_t (*boot_count)(const struct ds_store *st);
	uint64_t (*orphans_freed)(const struct ds_store *st);
	int (*check)(struct ds_store *st, struct ds_check *out);
	void (*close)(struct ds_store *st);
	/* Optional: a new fileid (0: none to be had). */
	uint64_t (*alloc_fileid)(struct ds_store *st);
	/* Optional: after a mutation dropped its locks (see above). */
	void (*settle)(struct ds_store *st);
};

/* changes.c: recording, committing and applying a change set. */
void ds_changes_init(struct ds_changes *cs, struct ds_store *st);
/* Records ino's current state; the caller edits the returned after-image,
 * which ds_changes_apply copies back.  NULL only when the set is full.
 */
struct ds_irec *ds_changes_inode(struct ds_changes *cs, struct ds_inode *ino);
void ds_changes_inode_del(struct ds_changes *cs, const struct ds_inode *ino);
void ds_changes_dirent(struct ds_changes *cs, struct ds_inode *dir,
		       const char *name, uint64_t target, uint64_t cookie);
void ds_changes_dirent_del(struct ds_changes *cs, struct ds_inode *dir,
			   const char *name);
void ds_changes_xattr(struct ds_changes *cs, struct ds_inode *ino,
		      const struct ds_xattr *x);
void ds_changes_xattr_del(struct ds_changes *cs, struct ds_inode *ino,
			  const char *name);
void ds_changes_blocks_del(struct ds_changes *cs, struct ds_inode *ino,
			   uint64_t from, uint64_t to);
/* Hands the set to the backend; latches the store if it fails after
 * memory was changed (cs->applied).
 */
int ds_changes_commit(struct ds_changes *cs);
/* After a successful commit: staged records into their inodes. */
void ds_changes_apply(struct ds_changes *cs);
/* Last step of every mutating call, its locks dropped: settle() (the
 * other heads applied it), then, if it committed, durable(); returns rc,
 * or why its commit could not be made durable (which latches the store:
 * memory holds the change already).
 */
int ds_changes_durable(struct ds_store *st, int rc);
/* Latches the store read-only with rc (see "Commit point" above). */
void ds_store_fail(struct ds_store *st, int rc);

void ds_irec_fill(const struct ds_inode *ino, struct ds_irec *r);
void ds_irec_touch(struct ds_irec *r, bool data);
/* Next dirty block of ino at or after *idx, with its data (for commit). */
bool ds_dirty_next(const struct ds_inode *ino, uint64_t *idx,
		   const void **blk);

/*
 * restore.c: memory rebuilt from a backend's records at open.  Inodes
 * first (ds_restore_inode; orphans are the backend's to drop), entries
 * collected (ds_restore_dirent) and linked by ds_restore_finish, which
 * also sets parents and the root; then blocks and xattrs.  Negative
 * errno; -EILSEQ for a record that cannot be ours.
 */
/* Added to a regular file's change attribute at every load. */
#define DS_CHANGE_BOOT_STEP (1ULL << 32)

struct ds_restore_dir;
struct ds_restore_ent;

struct ds_restore {
	struct ds_store *st;
	struct ds_restore_dir *dirs;
	size_t ndirs, dcap;
	struct ds_restore_ent *ents;
	size_t nents, ecap;
};

void ds_restore_init(struct ds_restore *r, struct ds_store *st);
/* A symlink's target from its record, counted in capacity. */
int ds_restore_target(struct ds_inode *ino, const struct ds_irec *rec);
int ds_restore_inode(struct ds_restore *r, const struct ds_irec *rec);
int ds_restore_dirent(struct ds_restore *r, uint64_t dir, uint64_t cookie,
		      uint64_t child, const char *name, size_t nlen);
int ds_restore_finish(struct ds_restore *r, uint64_t root);
void ds_restore_free(struct ds_restore *r);
int ds_restore_block(struct ds_store *st, uint64_t fileid, uint64_t idx,
		     const void *data, size_t len);
int ds_restore_xattr(struct ds_store *st, uint64_t fileid, const char *name,
		     size_t nlen, uint64_t seq, const void *val, size_t vlen);
/* A new filesystem: its root directory, for the backend to record. */
int ds_restore_new_root(struct ds_store *st);

/*
 * remote.c: another head's committed records applied to memory, each
 * under the locks of what it changes (ditto_store.h's order; never two
 * inode locks at once, rename_lock before a directory whose parent may
 * move).  Records at or below the version memory has are skipped, so
 * applying one twice is harmless.  An entry whose inode memory lacks is
 * skipped (a later change brings both).
 */
int ds_remote_inode(struct ds_store *st, const struct ds_irec *rec);
int ds_remote_dirent(struct ds_store *st, uint64_t dir, const char *name,
		     const uint64_t *target, uint64_t cookie);
int ds_remote_xattr(struct ds_store *st, uint64_t fileid, const char *name,
		    size_t nlen, bool present, uint64_t seq, const void *val,
		    size_t vlen);
/* Blocks [from, to) of fileid: memory drops them, then takes
 * ds_remote_block for each stored one.
 */
int ds_remote_blocks_drop(struct ds_store *st, uint64_t fileid,
			  uint64_t from, uint64_t to);
int ds_remote_block(struct ds_store *st, uint64_t fileid, uint64_t idx,
		    const void *data, size_t len);
/* The inode's record is gone: it died on another head. */
void ds_remote_gone(struct ds_store *st, uint64_t fileid);
/*
 * Keeps the objs still in memory, each with its generation; called
 * before the gone ones die, so that their handles can be named.
 */
size_t ds_remote_tag(struct ds_store *st, struct ds_changed *objs, size_t n);
/* The glue's hook (ditto_store.h), n == 0: everything. */
void ds_remote_invalidate(struct ds_store *st, const struct ds_changed *objs,
			  size_t n);

/* Installs a backend on a store with none; for lmdb_load.c and tests. */
void ds_store_set_backend(struct ds_store *st,
			  const struct ds_backend_ops *ops, void *priv);

#endif /* DITTO_BACKEND_H */

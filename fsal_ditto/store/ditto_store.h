/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ditto store: an in-memory filesystem core with no Ganesha dependency.
 *
 * One struct ds_store is one filesystem: a namespace of inodes, a sparse
 * block store for file data, xattrs, byte-range locks, leases and
 * capacity accounting.  Every function returns 0 or a negative errno.
 *
 * Concurrency
 * -----------
 * Lookups (by name in a directory, by fileid in the inode table) are
 * lock-free: both tables are RCU hash tables (urcu-bp flavour so callers
 * never register threads): a cds_lfht for inodes, open addressing for
 * names (dir.c).  Every mutation of an inode takes
 * that inode's rwlock for writing; reads of data and attributes take it
 * for reading.
 *
 * Lock order (outermost first):
 *   1. store->rename_lock   only for renames between two directories;
 *                           it freezes the shape of the tree so the
 *                           "into own subtree" walk is safe.
 *   2. directory locks      parent before child; two unrelated
 *                           directories (rename) in ascending fileid
 *                           order, which is safe because (1) is held.
 *   3. non-directory locks  (victim/target of unlink, link, rename),
 *                           in ascending fileid order among themselves.
 *   4. store->itable_lock   inode-table resize (leaf; trylock only).
 *   5. the backend's locks  taken in its commit, which runs once per
 *                           mutation with the inode locks held
 *                           (backend.h).
 * A postgres head's listener applies other heads' commits under the
 * same order, one inode lock at a time (rename_lock first for a
 * directory), and a mutation waits for the other heads only after it
 * dropped every lock (backend.h, "Several heads").
 * Capacity counters are atomics and take no lock.  Freed inodes and
 * directory entries go through call_rcu, so an RCU reader never sees
 * freed memory.  The inode table is resized by hand (4x steps, load
 * factor kept at most 2) because liburcu's background auto-resize lags
 * far behind a fast inserter; a directory's names are rebuilt into a new
 * table (at most half full, a quarter after a rebuild) by the writer.
 *
 * Readdir cookies
 * ---------------
 * Every entry gets a cookie from a per-directory counter at insert time
 * (first cookie 3, so 0, 1 and 2 stay reserved for NFS).  Cookies are
 * never reused, so a cookie names one entry for that entry's whole life
 * and cookie order is insert order.  Each directory keeps an array of
 * (cookie, entry) in cookie order; removal leaves a tombstone and the
 * array is compacted when more than half of it is tombstones.  Resuming
 * after cookie C is a binary search for the first cookie > C, so an
 * entry that exists for a whole scan is returned exactly once, and a
 * cookie whose entry was removed still resumes at the right place.
 * Name lookup uses the hash table, never this array, so its cost does
 * not depend on directory size.
 *
 * Permissions
 * -----------
 * Every call that acts for a client takes its credentials (cr) and
 * decides, under the locks of the inodes concerned, with the ds_may_*
 * family (perm.c): search and write permission on directories, the
 * sticky bit, hard-link protection, who may change mode, owner, group
 * and times, and which set-ID bits a write, truncate or chown drops.
 * uid 0 is root (a squashed root arrives here as the anonymous uid).
 * cr == NULL is the store's own trusted caller: loading, unwinding a
 * failed create, tests; it is checked as root.  What Ganesha checks
 * before calling the FSAL (LOOKUP's search permission, READDIR, OPEN
 * and ACCESS) is listed in the README's security section.
 */
#ifndef DITTO_STORE_H
#define DITTO_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#define DS_NAME_MAX 255
#define DS_SYMLINK_MAX 4095
#define DS_XATTR_NAME_MAX 255
#define DS_XATTR_SIZE_MAX 65536
#define DS_FIRST_COOKIE 3

struct ds_store;
struct ds_inode;

enum ds_type {
	DS_REG = 1,
	DS_DIR,
	DS_LNK,
	DS_FIFO,
	DS_SOCK,
	DS_CHR,
	DS_BLK,
};

struct ds_config {
	uint64_t max_bytes;	/* data + symlink + xattr bytes */
	uint64_t max_files;	/* live inodes, root included */
	uint64_t max_file_size;
	uint32_t block_size;	/* power of two */
};

struct ds_attr {
	enum ds_type type;
	uint32_t mode;		/* permission bits only (07777) */
	uint32_t uid;
	uint32_t gid;
	uint32_t nlink;
	uint64_t size;
	uint64_t space_used;	/* allocated blocks * block size */
	uint64_t fileid;
	uint32_t generation;
	uint64_t change;	/* moves on every change, never back */
	uint32_t rdev_major;
	uint32_t rdev_minor;
	struct timespec atime;
	struct timespec mtime;
	struct timespec ctime;
	struct timespec btime;
};

/* What a create needs; uid/gid/mode come from the caller. */
struct ds_new {
	enum ds_type type;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t rdev_major;
	uint32_t rdev_minor;
	const char *target;	/* DS_LNK only */
	bool gid_set;		/* gid asked for, not the caller's own */
};

enum ds_set_mask {
	DS_SET_MODE = 1 << 0,
	DS_SET_UID = 1 << 1,
	DS_SET_GID = 1 << 2,
	DS_SET_SIZE = 1 << 3,
	DS_SET_ATIME = 1 << 4,		/* to .atime */
	DS_SET_ATIME_NOW = 1 << 5,	/* to server time */
	DS_SET_MTIME = 1 << 6,
	DS_SET_MTIME_NOW = 1 << 7,
	DS_SET_BTIME = 1 << 8,
};

struct ds_set {
	unsigned int mask;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint64_t size;
	struct timespec atime;
	struct timespec mtime;
	struct timespec btime;
};

struct ds_dirent {
	char name[DS_NAME_MAX + 1];
	struct ds_inode *ino;	/* referenced; drop with ds_put() */
	uint64_t cookie;
};

struct ds_statfs {
	uint64_t total_bytes;
	uint64_t free_bytes;
	uint64_t total_files;
	uint64_t free_files;
};

enum ds_lock_type { DS_LOCK_NONE, DS_LOCK_READ, DS_LOCK_WRITE };

struct ds_lock {
	enum ds_lock_type type;
	uint64_t start;
	uint64_t len;		/* 0 = to end of file */
	uintptr_t owner;
};

enum ds_lease_type { DS_LEASE_NONE, DS_LEASE_READ, DS_LEASE_WRITE };

#define DS_XATTR_CREATE 1
#define DS_XATTR_REPLACE 2

/* A caller: uid, primary gid and supplementary groups. */
struct ds_cred {
	uint32_t uid;
	uint32_t gid;
	uint32_t ngroups;
	const uint32_t *groups;
};

#define DS_MAY_EXEC 1
#define DS_MAY_WRITE 2
#define DS_MAY_READ 4

/*
 * Permission decisions on attribute snapshots: 0, -EACCES (mode bits)
 * or -EPERM (ownership rules, sticky bit, protected hard links).
 */
bool ds_cred_is_root(const struct ds_cred *cr);
bool ds_cred_in_group(const struct ds_cred *cr, uint32_t gid);
int ds_may_access(const struct ds_attr *a, const struct ds_cred *cr,
		  unsigned int mask);
/* Adding an entry to dir: write and search permission. */
int ds_may_add(const struct ds_attr *dir, const struct ds_cred *cr);
/* Removing victim's entry from dir: the above and the sticky rule. */
int ds_may_delete(const struct ds_attr *dir, const struct ds_attr *victim,
		  const struct ds_cred *cr);
/* A new name for ino (fs.protected_hardlinks=1); the directory it goes
 * in is ds_may_add's.
 */
int ds_may_link(const struct ds_attr *ino, const struct ds_cred *cr);
/* Moving src from odir to ndir, replacing tgt (NULL: none). */
int ds_may_rename(const struct ds_attr *odir, const struct ds_attr *src,
		  const struct ds_attr *ndir, const struct ds_attr *tgt,
		  const struct ds_cred *cr);
/* May cr make the change set asks of a?  On success set also carries
 * the set-ID bits the change drops (DS_SET_MODE added if needed).
 */
int ds_may_setattr(const struct ds_attr *a, struct ds_set *set,
		   const struct ds_cred *cr);
/* Reading (write false) or changing a's user.* extended attributes. */
int ds_may_xattr(const struct ds_attr *a, const struct ds_cred *cr,
		 bool write);
/* a's mode after cr writes to it: set-ID bits dropped unless root. */
uint32_t ds_mode_drop_privs(const struct ds_attr *a, const struct ds_cred *cr);
/* Group and S_ISGID a new entry of dir inherits (set-group-ID dirs). */
void ds_create_inherit(const struct ds_attr *dir, const struct ds_cred *cr,
		       struct ds_new *nw);

/* Store */
int ds_store_new(const struct ds_config *cfg, struct ds_store **out);
void ds_store_free(struct ds_store *st);
int ds_config_check(const struct ds_config *cfg);
void ds_statfs(struct ds_store *st, struct ds_statfs *out);
uint32_t ds_store_block_size(const struct ds_store *st);
uint64_t ds_store_max_file_size(const struct ds_store *st);

/* Inode references */
struct ds_inode *ds_root(struct ds_store *st);
void ds_get(struct ds_inode *ino);
void ds_put(struct ds_inode *ino);
int ds_find(struct ds_store *st, uint64_t fileid, uint32_t generation,
	    struct ds_inode **out);
uint64_t ds_fileid(const struct ds_inode *ino);
uint32_t ds_generation(const struct ds_inode *ino);
enum ds_type ds_type_of(const struct ds_inode *ino);
struct ds_store *ds_store_of(const struct ds_inode *ino);

/* Attributes */
int ds_getattr(struct ds_inode *ino, struct ds_attr *out);
int ds_setattr(struct ds_inode *ino, const struct ds_set *set,
	       const struct ds_cred *cr, struct ds_attr *out);

/* Namespace; pre/post (may be NULL) are the directory's attributes taken
 * atomically around the change.
 */
int ds_lookup(struct ds_inode *dir, const char *name, struct ds_inode **out);
int ds_create(struct ds_inode *dir, const char *name, const struct ds_new *nw,
	      const struct ds_cred *cr, struct ds_inode **out,
	      struct ds_attr *pre, struct ds_attr *post);
int ds_link(struct ds_inode *ino, struct ds_inode *dir, const char *name,
	    const struct ds_cred *cr, struct ds_attr *pre, struct ds_attr *post);
int ds_unlink(struct ds_inode *dir, const char *name, const struct ds_cred *cr,
	      struct ds_attr *pre, struct ds_attr *post);
int ds_rename(struct ds_inode *odir, const char *oname, struct ds_inode *ndir,
	      const char *nname, const struct ds_cred *cr, struct ds_attr *opre,
	      struct ds_attr *opost, struct ds_attr *npre, struct ds_attr *npost);
int ds_readlink(struct ds_inode *ino, char *buf, size_t bufsz, size_t *len);
int ds_readdir(struct ds_inode *dir, uint64_t whence, struct ds_dirent *ents,
	       unsigned int max, unsigned int *n, bool *eof);
uint64_t ds_dir_count(struct ds_inode *dir);

/* Where an entry stands in readdir (cookie) order. */
struct ds_dirpos {
	uint64_t cookie;	/* the entry's */
	bool has_prev;		/* a live entry comes before it */
	uint64_t prev_cookie;
	char prev_name[DS_NAME_MAX + 1];
	bool last;		/* no live entry after it */
};

int ds_dir_position(struct ds_inode *dir, const char *name,
		    struct ds_dirpos *pos);

/* Opens keep an unlinked inode's data alive until the last close. */
int ds_open(struct ds_inode *ino);
void ds_close(struct ds_inode *ino);

/* Data */
ssize_t ds_read(struct ds_inode *ino, const struct iovec *iov, int iovcnt,
		uint64_t off, bool *eof);
ssize_t ds_write(struct ds_inode *ino, const struct iovec *iov, int iovcnt,
		 uint64_t off, const struct ds_cred *cr);
int ds_allocate(struct ds_inode *ino, uint64_t off, uint64_t len);
int ds_deallocate(struct ds_inode *ino, uint64_t off, uint64_t len);
int ds_seek(struct ds_inode *ino, uint64_t off, bool hole, uint64_t *out,
	    bool *eof);

/* Extended attributes */
int ds_getxattr(struct ds_inode *ino, const char *name,
		const struct ds_cred *cr, void *buf, size_t bufsz, size_t *len);
int ds_setxattr(struct ds_inode *ino, const char *name, const void *val,
		size_t len, int flags, const struct ds_cred *cr);
int ds_removexattr(struct ds_inode *ino, const char *name,
		   const struct ds_cred *cr);
/* Calls cb for each name from index *cookie on; stops (not an error) when
 * cb returns non-zero, leaving *cookie at the entry not yet consumed.
 */
int ds_listxattr(struct ds_inode *ino, uint64_t *cookie,
		 int (*cb)(const char *name, size_t len, void *arg), void *arg,
		 bool *eof);

/* Byte-range locks (POSIX semantics per owner) */
int ds_lock_test(struct ds_inode *ino, const struct ds_lock *req,
		 struct ds_lock *conflict);
int ds_lock_set(struct ds_inode *ino, const struct ds_lock *req,
		struct ds_lock *conflict);
int ds_lock_unset(struct ds_inode *ino, const struct ds_lock *req);
void ds_lock_release_owner(struct ds_inode *ino, uintptr_t owner);

/* Leases (delegations) */
int ds_lease(struct ds_inode *ino, uintptr_t owner, enum ds_lease_type type);
enum ds_lease_type ds_lease_held(struct ds_inode *ino, uintptr_t owner);

/*
 * Durable stores (the LMDB and postgres backends; backend.h,
 * docs/durable.md, docs/postgres.md).  The
 * in-memory structures stay the primary copy; every namespace,
 * attribute and xattr change is committed to LMDB, synchronously, as
 * one change set before memory changes and the call returns: if the
 * commit fails the call returns its error and the store is unchanged
 * (a shrinking truncate, ds_allocate and ds_deallocate instead latch
 * the store read-only, see backend.h).  File data
 * written with ds_write is in memory only until ds_commit (of that
 * inode) or ds_sync (all inodes) returns; ds_allocate, ds_deallocate,
 * a truncate and any other change to a file's metadata persist its
 * written data too.  ds_store_open loads the whole store into memory,
 * frees files that were unlinked while open (orphans) and counts one
 * more boot.  Fileids and generations persist, so handles stay valid.
 */
enum ds_backend_kind {
	DS_BACKEND_LMDB,	/* path: one machine's LMDB directory */
	DS_BACKEND_POSTGRES,	/* conninfo: a PostgreSQL database */
};

struct ds_durable {
	enum ds_backend_kind backend;
	const char *path;	/* lmdb: a directory; made if missing */
	uint64_t map_size;	/* LMDB map size; 0: ds_durable_map_size */
	/* Tests only: commits reach the page cache, not the disk, so a
	 * killed process loses nothing but a machine crash may.
	 */
	bool nosync;
	/* postgres: a libpq connection string ("host=... dbname=..."); the
	 * schema is made or migrated in its search_path's first schema.
	 */
	const char *conninfo;
	/* postgres, several heads: how long a commit waits for a live
	 * head's ack before it fences that head (0: 5 s).
	 */
	unsigned int ack_wait_ms;
	/* If set, why an open failed, in words (postgres). */
	char *err;
	size_t errlen;
};

/* Results of ds_store_check: counts of what LMDB holds, and problems. */
struct ds_check {
	uint64_t inodes;
	uint64_t dirents;
	uint64_t xattrs;
	uint64_t blocks;
	uint64_t orphans;	/* unlinked, still open: freed at reopen */
	uint64_t errors;
	char first_error[256];
};

int ds_store_open(const struct ds_config *cfg, const struct ds_durable *dur,
		  struct ds_store **out);

/*
 * Several heads on one postgres store (docs/postgres.md): each head's
 * memory follows the others' commits, which its listener thread applies
 * before the committing head's call returns.  After applying one, the
 * listener tells the glue which objects changed, so that caches above
 * the store (Ganesha's) can drop them: changed(arg, objs, n) with
 * the inodes whose attributes, entries (directories), xattrs or data
 * changed or that are gone, each with the generation its handles carry
 * and its type (an inode this head never had in memory is left out: nothing above
 * can hold it); n == 0 means "everything" (the head lost its listener
 * session and no longer follows the others).  It runs on the listener
 * thread with no store lock held, before the head acks the commit, and
 * must not block on store calls of other threads.
 */
struct ds_changed {
	uint64_t fileid;
	uint32_t generation;
	enum ds_type type;
};

struct ds_invalidate {
	void (*changed)(void *arg, const struct ds_changed *objs, size_t n);
	void *arg;
};

void ds_store_set_invalidate(struct ds_store *st,
			     const struct ds_invalidate *inv);
/* The smallest map size that holds cfg's capacity (and the default). */
uint64_t ds_durable_map_size(const struct ds_config *cfg);
bool ds_store_is_durable(const struct ds_store *st);
/* Times the durable store was opened (1 on the first), 0 for memory. */
uint64_t ds_boot_count(const struct ds_store *st);
/* Orphans freed by the last ds_store_open. */
uint64_t ds_orphans_freed(const struct ds_store *st);
int ds_commit(struct ds_inode *ino);
int ds_sync(struct ds_store *st);
/* Cross-checks the durable tables (link counts against entries, no
 * blocks, entries or xattrs without their inode, no orphans, blocks
 * within size); errors counts what is wrong.  -EINVAL for memory.
 */
int ds_store_check(struct ds_store *st, struct ds_check *out);

#endif /* DITTO_STORE_H */

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Directory entries: a cds_lfht keyed by name hash for O(1) lock-free
 * lookup, plus the cookie-ordered index used by readdir (the design is
 * described at the top of ditto_store.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define DS_DIR_MIN_BUCKETS 8UL

struct name_key {
	const char *name;
	size_t len;
};

static unsigned long name_hash(const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (unsigned long)h;
}

static int name_match(struct cds_lfht_node *node, const void *key)
{
	const struct ds_dentry *de =
		caa_container_of(node, struct ds_dentry, node);
	const struct name_key *k = key;

	return de->namelen == k->len && memcmp(de->name, k->name, k->len) == 0;
}

int ds_dir_init(struct ds_inode *dir)
{
	/*
	 * Small start, resized by us (see dir_resize): liburcu's automatic
	 * resize runs in a background worker that falls far behind a fast
	 * inserter, and long chains made inserts O(n).
	 */
	dir->dir.names = cds_lfht_new_flavor(DS_DIR_MIN_BUCKETS,
					     DS_DIR_MIN_BUCKETS, 0, 0,
					     &urcu_bp_flavor, NULL);
	dir->dir.buckets = DS_DIR_MIN_BUCKETS;
	if (!dir->dir.names)
		return -ENOMEM;
	dir->dir.next_cookie = DS_FIRST_COOKIE;
	return 0;
}

/* Called once no reader can reach the directory (after a grace period). */
void ds_dir_fini(struct ds_inode *dir)
{
	if (dir->dir.names)
		cds_lfht_destroy(dir->dir.names, NULL);
	dir->dir.names = NULL;
	free(dir->dir.cidx.cookie);
	free(dir->dir.cidx.ent);
	memset(&dir->dir.cidx, 0, sizeof(dir->dir.cidx));
}

/* Names that may be stored: not "." or "..", no '/', 1..255 bytes. */
int ds_name_check(const char *name)
{
	size_t len = strnlen(name, DS_NAME_MAX + 1);

	if (len == 0)
		return -EINVAL;
	if (len > DS_NAME_MAX)
		return -ENAMETOOLONG;
	if (strchr(name, '/'))
		return -EINVAL;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EEXIST;
	return 0;
}

static struct ds_dentry *find_rcu(struct ds_inode *dir, const char *name)
{
	struct name_key k = { name, strlen(name) };
	struct cds_lfht_iter it;
	struct cds_lfht_node *node;

	cds_lfht_lookup(dir->dir.names, name_hash(name, k.len), name_match, &k,
			&it);
	node = cds_lfht_iter_get_node(&it);
	return node ? caa_container_of(node, struct ds_dentry, node) : NULL;
}

/* Caller holds dir->lock, which keeps the result valid. */
struct ds_dentry *ds_dir_find(struct ds_inode *dir, const char *name)
{
	struct ds_dentry *de;

	urcu_bp_read_lock();
	de = find_rcu(dir, name);
	urcu_bp_read_unlock();
	return de;
}

/* Room for one more entry, so that cidx_append cannot fail. */
static int cidx_reserve(struct ds_cidx *c)
{
	size_t cap = c->cap ? c->cap * 2 : 16;
	uint64_t *ck;
	struct ds_dentry **en;

	if (c->len < c->cap)
		return 0;
	ck = realloc(c->cookie, cap * sizeof(*ck));
	if (!ck)
		return -ENOMEM;
	c->cookie = ck;
	en = realloc(c->ent, cap * sizeof(*en));
	if (!en)
		return -ENOMEM;
	c->ent = en;
	c->cap = cap;
	return 0;
}

static void cidx_append(struct ds_cidx *c, struct ds_dentry *de)
{
	c->cookie[c->len] = de->cookie;
	c->ent[c->len] = de;
	de->slot = c->len++;
	c->live++;
}

/* Squeeze out tombstones; order is kept, so cookies stay sorted. */
static void cidx_compact(struct ds_cidx *c)
{
	size_t i, j = 0;

	for (i = 0; i < c->len; i++) {
		if (!c->ent[i])
			continue;
		c->cookie[j] = c->cookie[i];
		c->ent[j] = c->ent[i];
		c->ent[j]->slot = j;
		j++;
	}
	c->len = j;
}

/* First slot whose cookie is > whence. */
static size_t cidx_seek(const struct ds_cidx *c, uint64_t whence)
{
	size_t lo = 0, hi = c->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->cookie[mid] <= whence)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Keeps the load factor between 1/16 and 1 by steps of 4x.  At most 1,
 * not 2: a lookup walks its bucket's chain at one cache miss per entry
 * in a directory bigger than the cache, and this saves half an entry per
 * lookup for 16 bytes per bucket.  cds_lfht_resize waits for a grace
 * period; it runs only when the size crosses a power-of-two threshold,
 * so the cost is amortised O(1) per insert.  Lookups proceed lock-free
 * throughout.  Caller holds dir->lock for writing and is outside any RCU
 * read-side section.
 */
static void dir_resize(struct ds_inode *dir)
{
	unsigned long live = dir->dir.cidx.live, b = dir->dir.buckets;

	if (live > b) {
		b *= 4;
	} else if (b > DS_DIR_MIN_BUCKETS && live < b / 16) {
		b /= 4;
		if (b < DS_DIR_MIN_BUCKETS)
			b = DS_DIR_MIN_BUCKETS;
	} else {
		return;
	}
	cds_lfht_resize(dir->dir.names, b);
	dir->dir.buckets = b;
}

/*
 * Caller holds dir->lock for writing and has checked the name is free.
 * The entry takes the directory's next cookie once published.
 */
struct ds_dentry *ds_dir_prepare(struct ds_inode *dir, const char *name,
				 struct ds_inode *ino, int *err)
{
	size_t len = strlen(name);
	struct ds_dentry *de;

	*err = cidx_reserve(&dir->dir.cidx);
	if (*err)
		return NULL;
	de = malloc(sizeof(*de) + len + 1);
	if (!de) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(de->name, name, len + 1);
	de->namelen = len;
	de->ino = ino;
	de->cookie = dir->dir.next_cookie;
	return de;
}

void ds_dir_discard(struct ds_dentry *de)
{
	free(de);
}

/* Same lock, nothing changed in dir since the prepare. */
void ds_dir_publish(struct ds_inode *dir, struct ds_dentry *de)
{
	struct name_key k = { de->name, de->namelen };

	cidx_append(&dir->dir.cidx, de);
	dir->dir.next_cookie = de->cookie + 1;
	cds_lfht_node_init(&de->node);
	urcu_bp_read_lock();
	/* Unique: the caller holds the lock and checked the name. */
	cds_lfht_add_unique(dir->dir.names, name_hash(de->name, de->namelen),
			    name_match, &k, &de->node);
	urcu_bp_read_unlock();
	dir_resize(dir);
}

/*
 * Another head's entry keeps the cookie that head gave it.  Cookies are
 * handed out in commit order, which is the order heads apply them in,
 * so this nearly always appends; otherwise the entry is slotted in.
 */
int ds_dir_insert_cookie(struct ds_inode *dir, const char *name,
			 struct ds_inode *ino, uint64_t cookie)
{
	struct ds_cidx *c = &dir->dir.cidx;
	struct ds_dentry *de;
	size_t pos, i;
	int rc;

	if (ds_dir_find(dir, name))
		return -EEXIST;
	de = ds_dir_prepare(dir, name, ino, &rc);
	if (!de)
		return rc;
	de->cookie = cookie;
	if (!c->len || c->cookie[c->len - 1] < cookie) {
		uint64_t next = dir->dir.next_cookie;

		ds_dir_publish(dir, de);
		if (next > dir->dir.next_cookie)
			dir->dir.next_cookie = next;
		return 0;
	}
	pos = cidx_seek(c, cookie);
	memmove(&c->cookie[pos + 1], &c->cookie[pos],
		(c->len - pos) * sizeof(*c->cookie));
	memmove(&c->ent[pos + 1], &c->ent[pos],
		(c->len - pos) * sizeof(*c->ent));
	c->cookie[pos] = cookie;
	c->ent[pos] = de;
	c->len++;
	c->live++;
	for (i = pos; i < c->len; i++)
		if (c->ent[i])
			c->ent[i]->slot = i;
	cds_lfht_node_init(&de->node);
	urcu_bp_read_lock();
	cds_lfht_add_unique(dir->dir.names, name_hash(de->name, de->namelen),
			    name_match, &(struct name_key){ de->name,
							    de->namelen },
			    &de->node);
	urcu_bp_read_unlock();
	dir_resize(dir);
	return 0;
}

/* Both steps at once, for the loader; cookie as ds_dir_prepare's. */
int ds_dir_insert(struct ds_inode *dir, const char *name,
		  struct ds_inode *ino)
{
	return ds_dir_insert_cookie(dir, name, ino, dir->dir.next_cookie);
}

static void dentry_free_rcu(struct rcu_head *head)
{
	free(caa_container_of(head, struct ds_dentry, rcu));
}

/* Caller holds dir->lock for writing. */
void ds_dir_remove(struct ds_inode *dir, struct ds_dentry *de)
{
	struct ds_cidx *c = &dir->dir.cidx;

	urcu_bp_read_lock();
	cds_lfht_del(dir->dir.names, &de->node);
	urcu_bp_read_unlock();
	c->ent[de->slot] = NULL;
	c->live--;
	if (c->len >= 64 && c->live < c->len / 2)
		cidx_compact(c);
	urcu_bp_call_rcu(&de->rcu, dentry_free_rcu);
	dir_resize(dir);
}

uint64_t ds_dir_count(struct ds_inode *dir)
{
	uint64_t n;

	if (dir->type != DS_DIR)
		return 0;
	pthread_rwlock_rdlock(&dir->lock);
	n = dir->dir.cidx.live;
	pthread_rwlock_unlock(&dir->lock);
	return n;
}

int ds_lookup(struct ds_inode *dir, const char *name, struct ds_inode **out)
{
	struct ds_inode *ino = NULL;
	struct ds_dentry *de;
	int rc = 0;

	if (dir->type != DS_DIR)
		return -ENOTDIR;
	if (strnlen(name, DS_NAME_MAX + 1) > DS_NAME_MAX)
		return -ENAMETOOLONG;
	if (!*name || strchr(name, '/'))
		return -EINVAL;

	urcu_bp_read_lock();
	if (__atomic_load_n(&dir->dead, __ATOMIC_ACQUIRE)) {
		rc = -ENOENT;
	} else if (!strcmp(name, ".")) {
		ino = dir;
	} else if (!strcmp(name, "..")) {
		ino = rcu_dereference(dir->dir.parent);
	} else {
		de = find_rcu(dir, name);
		/* Load on miss (backend.h): a partial backend asks here. */
		if (de)
			ino = rcu_dereference(de->ino);
		else
			rc = -ENOENT;
	}
	if (ino && !ds_get_unless_zero(ino)) {
		ino = NULL;
		rc = -ENOENT;
	}
	urcu_bp_read_unlock();
	if (rc)
		return rc;
	*out = ino;
	return 0;
}

int ds_readdir(struct ds_inode *dir, uint64_t whence, struct ds_dirent *ents,
	       unsigned int max, unsigned int *n, bool *eof)
{
	struct ds_cidx *c;
	size_t i;

	*n = 0;
	*eof = false;
	if (dir->type != DS_DIR)
		return -ENOTDIR;
	pthread_rwlock_rdlock(&dir->lock);
	if (dir->dead) {
		pthread_rwlock_unlock(&dir->lock);
		return -ESTALE;
	}
	/* Load on miss (backend.h): a partial backend fills the range. */
	c = &dir->dir.cidx;
	for (i = cidx_seek(c, whence); i < c->len && *n < max; i++) {
		struct ds_dentry *de = c->ent[i];
		struct ds_dirent *o;

		if (!de)
			continue;
		o = &ents[(*n)++];
		memcpy(o->name, de->name, de->namelen + 1);
		o->cookie = de->cookie;
		o->ino = de->ino;
		ds_get(de->ino);
	}
	/* Skip trailing tombstones so a full last batch still reports eof. */
	while (i < c->len && !c->ent[i])
		i++;
	*eof = i >= c->len;
	pthread_rwlock_unlock(&dir->lock);
	return 0;
}

/*
 * The entry's cookie and its neighbours in cookie order, for directory
 * notifications (what a READDIR returns around it).  Tombstones are
 * skipped; compaction keeps them at most half of the index.
 */
int ds_dir_position(struct ds_inode *dir, const char *name,
		    struct ds_dirpos *pos)
{
	struct ds_cidx *c;
	struct ds_dentry *de;
	size_t i;
	int rc = 0;

	memset(pos, 0, sizeof(*pos));
	if (dir->type != DS_DIR)
		return -ENOTDIR;
	if (strnlen(name, DS_NAME_MAX + 1) > DS_NAME_MAX)
		return -ENAMETOOLONG;
	pthread_rwlock_rdlock(&dir->lock);
	if (dir->dead) {
		rc = -ESTALE;
		goto out;
	}
	de = ds_dir_find(dir, name);
	if (!de) {
		rc = -ENOENT;
		goto out;
	}
	c = &dir->dir.cidx;
	pos->cookie = de->cookie;
	for (i = de->slot; i > 0; i--) {
		struct ds_dentry *p = c->ent[i - 1];

		if (!p)
			continue;
		pos->has_prev = true;
		pos->prev_cookie = p->cookie;
		memcpy(pos->prev_name, p->name, p->namelen + 1);
		break;
	}
	for (i = de->slot + 1; i < c->len && !c->ent[i]; i++)
		;
	pos->last = i >= c->len;
out:
	pthread_rwlock_unlock(&dir->lock);
	return rc;
}

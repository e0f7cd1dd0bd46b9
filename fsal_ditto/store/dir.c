// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Directory entries: an RCU hash table of names for O(1) lock-free
 * lookup, plus the cookie-ordered index used by readdir (the design is
 * described at the top of ditto_store.h).
 *
 * The name table is open addressing with linear probing, not a
 * cds_lfht: in a directory bigger than the cache a lookup's time is its
 * dependent cache misses.  A cds_lfht lookup misses on the bucket, on
 * each entry of the bucket's chain, then on the inode, one after the
 * other.  Here a slot holds the entry, part of its name's hash and its
 * inode's address (struct ds_nslot), so a lookup misses on the slot,
 * then on the one entry whose hash matches and on the inode at once
 * (the inode is prefetched while the name is compared).
 *
 * Writers hold the directory's lock for writing, so there is one at a
 * time.  A slot goes from NULL to an entry, from an entry to
 * DS_NSLOT_FREED, and from DS_NSLOT_FREED to another entry; it never
 * goes back to NULL, so a probe that stops at NULL has seen every slot
 * its name could be in.  Growing, shrinking and sweeping out freed slots
 * build a new table and publish it with rcu_assign_pointer; the old one
 * is freed after a grace period and is never written again, so a reader
 * still in it sees the directory as it was when the new one was
 * published.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define DS_NAMES_MIN 8UL
#define DS_NSLOT_FREED ((struct ds_dentry *)1)
#define HINT_ADDR ((UINT64_C(1) << 48) - 1)

/* Top 16 bits of the hash over the address bits of a user pointer. */
static uintptr_t nslot_hint(unsigned long hash, const struct ds_inode *ino)
{
	return (hash & ~HINT_ADDR) | ((uintptr_t)ino & HINT_ADDR);
}

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

/* Slots for n entries: a load factor of at most 1/4 after a rebuild. */
static unsigned long names_slots(unsigned long n)
{
	unsigned long slots = DS_NAMES_MIN;

	while (slots < 4 * n)
		slots *= 2;
	return slots;
}

static struct ds_names *names_alloc(unsigned long slots)
{
	struct ds_names *t;

	t = calloc(1, sizeof(*t) + slots * sizeof(t->slot[0]));
	if (t)
		t->mask = slots - 1;
	return t;
}

/* Writer only: into the first NULL or freed slot of the name's probe. */
static void names_put(struct ds_names *t, unsigned long hash,
		      struct ds_dentry *de)
{
	unsigned long i;

	for (i = hash & t->mask;; i = (i + 1) & t->mask) {
		struct ds_nslot *s = &t->slot[i];

		if (s->de && s->de != DS_NSLOT_FREED)
			continue;
		if (!s->de)
			t->used++;
		/* A reader that sees de sees its hint too. */
		CMM_STORE_SHARED(s->hint, nslot_hint(hash, de->ino));
		rcu_assign_pointer(s->de, de);
		return;
	}
}

static void names_free_rcu(struct rcu_head *head)
{
	free(caa_container_of(head, struct ds_names, rcu));
}

/*
 * A new table of names_slots(live) slots holding the live entries, in
 * place of the current one.  Caller holds dir->lock for writing.
 */
static int names_rebuild(struct ds_inode *dir, unsigned long live)
{
	struct ds_names *old = dir->dir.names, *t;
	unsigned long i;

	t = names_alloc(names_slots(live));
	if (!t)
		return -ENOMEM;
	for (i = 0; i <= old->mask; i++) {
		struct ds_dentry *de = old->slot[i].de;

		if (de && de != DS_NSLOT_FREED)
			names_put(t, name_hash(de->name, de->namelen), de);
	}
	rcu_assign_pointer(dir->dir.names, t);
	urcu_bp_call_rcu(&old->rcu, names_free_rcu);
	return 0;
}

int ds_dir_init(struct ds_inode *dir)
{
	dir->dir.names = names_alloc(DS_NAMES_MIN);
	if (!dir->dir.names)
		return -ENOMEM;
	dir->dir.next_cookie = DS_FIRST_COOKIE;
	return 0;
}

/* Called once no reader can reach the directory (after a grace period). */
void ds_dir_fini(struct ds_inode *dir)
{
	free(dir->dir.names);
	dir->dir.names = NULL;
	free(dir->dir.cidx.cookie);
	free(dir->dir.cidx.ent);
	memset(&dir->dir.cidx, 0, sizeof(dir->dir.cidx));
}

void ds_dir_free_all(struct ds_inode *dir)
{
	size_t i;

	for (i = 0; i < dir->dir.cidx.len; i++)
		free(dir->dir.cidx.ent[i]);
	ds_dir_fini(dir);
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

/* Caller is in an RCU read-side section or holds dir->lock. */
static struct ds_dentry *find_rcu(struct ds_inode *dir, const char *name)
{
	struct ds_names *t = rcu_dereference(dir->dir.names);
	size_t len = strlen(name);
	unsigned long hash = name_hash(name, len), i;

	for (i = hash & t->mask;; i = (i + 1) & t->mask) {
		struct ds_nslot *s = &t->slot[i];
		/* Acquire: the hint read next is the one stored before de. */
		struct ds_dentry *de = __atomic_load_n(&s->de,
						       __ATOMIC_ACQUIRE);
		uintptr_t hint;

		if (!de)
			return NULL;
		if (de == DS_NSLOT_FREED)
			continue;
		hint = CMM_LOAD_SHARED(s->hint);
		if ((hint ^ hash) & ~HINT_ADDR)
			continue;
		/* Both misses at once: the inode while the name is read. */
		__builtin_prefetch((void *)(hint & HINT_ADDR), 1);
		if (de->namelen == len && !memcmp(de->name, name, len))
			return de;
	}
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
 * Room for one more name: at most half of the slots used (entries and
 * freed slots), so that probes stay short and one always ends at NULL.
 * A rebuild leaves at most a quarter used, so it runs once per
 * live/4 or more inserts: amortised O(1).  Caller holds dir->lock for
 * writing.
 */
static int names_reserve(struct ds_inode *dir)
{
	struct ds_names *t = dir->dir.names;

	if ((t->used + 1) * 2 <= t->mask + 1)
		return 0;
	return names_rebuild(dir, dir->dir.cidx.live + 1);
}

/* Shrinks a table that is at most 1/16 full; failing that, keeps it. */
static void names_shrink(struct ds_inode *dir)
{
	unsigned long slots = dir->dir.names->mask + 1;

	if (slots > DS_NAMES_MIN && dir->dir.cidx.live < slots / 16)
		names_rebuild(dir, dir->dir.cidx.live);
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
	if (!*err)
		*err = names_reserve(dir);
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

/*
 * Same lock, nothing added to dir since the prepare (entries may have
 * been removed: that leaves the room the prepare made).
 */
void ds_dir_publish(struct ds_inode *dir, struct ds_dentry *de)
{
	cidx_append(&dir->dir.cidx, de);
	dir->dir.next_cookie = de->cookie + 1;
	/* Unique: the caller holds the lock and checked the name. */
	names_put(dir->dir.names, name_hash(de->name, de->namelen), de);
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
	names_put(dir->dir.names, name_hash(de->name, de->namelen), de);
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

/* Writer only: the slot of an entry that is in the table. */
static struct ds_nslot *names_slot_of(struct ds_names *t,
				      struct ds_dentry *de)
{
	unsigned long i = name_hash(de->name, de->namelen) & t->mask;

	while (t->slot[i].de != de)
		i = (i + 1) & t->mask;
	return &t->slot[i];
}

/* Caller holds dir->lock for writing. */
void ds_dir_remove(struct ds_inode *dir, struct ds_dentry *de)
{
	struct ds_cidx *c = &dir->dir.cidx;

	CMM_STORE_SHARED(names_slot_of(dir->dir.names, de)->de,
			 DS_NSLOT_FREED);
	c->ent[de->slot] = NULL;
	c->live--;
	if (c->len >= 64 && c->live < c->len / 2)
		cidx_compact(c);
	urcu_bp_call_rcu(&de->rcu, dentry_free_rcu);
	names_shrink(dir);
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

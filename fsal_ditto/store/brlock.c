// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Byte-range locks with POSIX semantics: locks of one owner never
 * conflict with each other, a new lock replaces that owner's locks over
 * its range, and unlock may split a range.  Ranges are inclusive.
 */
#include <errno.h>
#include <stdlib.h>

#include "store_int.h"

static int range_of(const struct ds_lock *l, uint64_t *s, uint64_t *e)
{
	*s = l->start;
	if (l->len == 0 || l->len - 1 > UINT64_MAX - l->start)
		*e = UINT64_MAX;
	else
		*e = l->start + l->len - 1;
	return 0;
}

static bool conflicts(const struct ds_brl *b, uintptr_t owner,
		      enum ds_lock_type type, uint64_t s, uint64_t e)
{
	if (b->owner == owner || b->end < s || b->start > e)
		return false;
	return b->type == DS_LOCK_WRITE || type == DS_LOCK_WRITE;
}

static void export_lock(const struct ds_brl *b, struct ds_lock *out)
{
	out->type = b->type;
	out->start = b->start;
	out->len = b->end == UINT64_MAX ? 0 : b->end - b->start + 1;
	out->owner = b->owner;
}

static const struct ds_brl *find_conflict(struct ds_inode *ino,
					  const struct ds_lock *req,
					  uint64_t s, uint64_t e)
{
	const struct ds_brl *b;

	for (b = ino->locks; b; b = b->next)
		if (conflicts(b, req->owner, req->type, s, e))
			return b;
	return NULL;
}

static int check_req(const struct ds_inode *ino, const struct ds_lock *req)
{
	if (ino->type != DS_REG)
		return -EINVAL;
	if (req->type != DS_LOCK_READ && req->type != DS_LOCK_WRITE)
		return -EINVAL;
	return 0;
}

int ds_lock_test(struct ds_inode *ino, const struct ds_lock *req,
		 struct ds_lock *conflict)
{
	const struct ds_brl *b;
	uint64_t s, e;
	int rc = check_req(ino, req);

	if (rc)
		return rc;
	range_of(req, &s, &e);
	pthread_rwlock_rdlock(&ino->lock);
	b = ino->dead ? NULL : find_conflict(ino, req, s, e);
	if (ino->dead)
		rc = -ESTALE;
	else if (b) {
		rc = -EAGAIN;
		if (conflict)
			export_lock(b, conflict);
	} else if (conflict) {
		conflict->type = DS_LOCK_NONE;
	}
	pthread_rwlock_unlock(&ino->lock);
	return rc;
}

/* Removes owner's coverage of [s, e]; needs at most one new node. */
static void carve(struct ds_inode *ino, uintptr_t owner, uint64_t s,
		  uint64_t e, struct ds_brl **spare)
{
	struct ds_brl **pp = &ino->locks, *b;

	while ((b = *pp)) {
		if (b->owner != owner || b->end < s || b->start > e) {
			pp = &b->next;
			continue;
		}
		if (b->start < s && b->end > e) {
			struct ds_brl *r = *spare;

			*spare = NULL;
			*r = *b;
			r->start = e + 1;
			b->end = s - 1;
			b->next = r;
			return;
		}
		if (b->start < s) {
			b->end = s - 1;
		} else if (b->end > e) {
			b->start = e + 1;
		} else {
			*pp = b->next;
			free(b);
			continue;
		}
		pp = &b->next;
	}
}

/* Coalesces owner's locks of one type that touch or overlap nl. */
static void merge(struct ds_inode *ino, struct ds_brl *nl)
{
	struct ds_brl **pp = &ino->locks, *b;

	while ((b = *pp)) {
		if (b == nl || b->owner != nl->owner || b->type != nl->type ||
		    (b->end != UINT64_MAX && b->end + 1 < nl->start) ||
		    (nl->end != UINT64_MAX && nl->end + 1 < b->start)) {
			pp = &b->next;
			continue;
		}
		if (b->start < nl->start)
			nl->start = b->start;
		if (b->end > nl->end)
			nl->end = b->end;
		*pp = b->next;
		free(b);
	}
}

int ds_lock_set(struct ds_inode *ino, const struct ds_lock *req,
		struct ds_lock *conflict)
{
	const struct ds_brl *b;
	struct ds_brl *nl, *spare;
	uint64_t s, e;
	int rc = check_req(ino, req);

	if (rc)
		return rc;
	range_of(req, &s, &e);
	nl = malloc(sizeof(*nl));
	spare = malloc(sizeof(*spare));
	if (!nl || !spare) {
		free(nl);
		free(spare);
		return -ENOMEM;
	}
	pthread_rwlock_wrlock(&ino->lock);
	if (ino->dead) {
		rc = -ESTALE;
		goto out;
	}
	b = find_conflict(ino, req, s, e);
	if (b) {
		if (conflict)
			export_lock(b, conflict);
		rc = -EAGAIN;
		goto out;
	}
	carve(ino, req->owner, s, e, &spare);
	nl->owner = req->owner;
	nl->type = req->type;
	nl->start = s;
	nl->end = e;
	nl->next = ino->locks;
	ino->locks = nl;
	nl = NULL;
	merge(ino, ino->locks);
out:
	pthread_rwlock_unlock(&ino->lock);
	free(nl);
	free(spare);
	return rc;
}

int ds_lock_unset(struct ds_inode *ino, const struct ds_lock *req)
{
	struct ds_brl *spare;
	uint64_t s, e;

	if (ino->type != DS_REG)
		return -EINVAL;
	range_of(req, &s, &e);
	spare = malloc(sizeof(*spare));
	if (!spare)
		return -ENOMEM;
	pthread_rwlock_wrlock(&ino->lock);
	carve(ino, req->owner, s, e, &spare);
	pthread_rwlock_unlock(&ino->lock);
	free(spare);
	return 0;
}

void ds_lock_release_owner(struct ds_inode *ino, uintptr_t owner)
{
	struct ds_lock all = { .owner = owner };

	if (ino->type == DS_REG)
		ds_lock_unset(ino, &all);
}

void ds_brl_free_all(struct ds_inode *ino)
{
	struct ds_brl *b = ino->locks, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	ino->locks = NULL;
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Sparse block map: a radix tree over block index.  Holes have no
 * nodes, so a sparse file costs memory only for the blocks it holds.
 * Callers serialise access with the owning inode's lock.
 */
#include <errno.h>
#include <stdlib.h>

#include "store_int.h"

/* Number of block indices below one node of height h. */
static uint64_t span(unsigned int h)
{
	if (h * DS_BM_SHIFT >= 64)
		return UINT64_MAX;
	return 1ULL << (h * DS_BM_SHIFT);
}

void *ds_bm_get(const struct ds_blockmap *bm, uint64_t idx)
{
	void *n = bm->root;
	unsigned int lvl;

	if (bm->height == 0 || idx >= span(bm->height))
		return NULL;
	for (lvl = bm->height; lvl >= 1 && n; lvl--) {
		unsigned int i = (idx >> (DS_BM_SHIFT * (lvl - 1))) &
				 (DS_BM_FAN - 1);

		n = ((struct ds_bmnode *)n)->slot[i];
	}
	return n;
}

int ds_bm_set(struct ds_blockmap *bm, uint64_t idx, void *blk)
{
	struct ds_bmnode *n;
	unsigned int lvl;

	while (bm->height == 0 || idx >= span(bm->height)) {
		n = calloc(1, sizeof(*n));
		if (!n)
			return -ENOMEM;
		if (bm->root) {
			n->slot[0] = bm->root;
			n->count = 1;
		}
		bm->root = n;
		bm->height++;
	}
	n = bm->root;
	for (lvl = bm->height; lvl > 1; lvl--) {
		unsigned int i = (idx >> (DS_BM_SHIFT * (lvl - 1))) &
				 (DS_BM_FAN - 1);

		if (!n->slot[i]) {
			n->slot[i] = calloc(1, sizeof(struct ds_bmnode));
			if (!n->slot[i])
				return -ENOMEM;
			n->count++;
		}
		n = n->slot[i];
	}
	if (!n->slot[idx & (DS_BM_FAN - 1)]) {
		n->count++;
		bm->nblocks++;
	}
	n->slot[idx & (DS_BM_FAN - 1)] = blk;
	return 0;
}

static uint64_t drop_node(struct ds_bmnode *n, unsigned int lvl, uint64_t base,
			  uint64_t from, uint64_t to, void (*fr)(void *))
{
	uint64_t cs = span(lvl - 1), removed = 0, hi = (to - 1 - base) / cs;
	unsigned int i, first, last;

	first = from > base ? (from - base) / cs : 0;
	last = hi >= DS_BM_FAN ? DS_BM_FAN - 1 : hi;
	for (i = first; i <= last; i++) {
		void *c = n->slot[i];

		if (!c)
			continue;
		if (lvl == 1) {
			fr(c);
			removed++;
		} else {
			struct ds_bmnode *cn = c;

			removed += drop_node(cn, lvl - 1, base + i * cs, from,
					     to, fr);
			if (cn->count)
				continue;
			free(cn);
		}
		n->slot[i] = NULL;
		n->count--;
	}
	return removed;
}

uint64_t ds_bm_drop(struct ds_blockmap *bm, uint64_t from, uint64_t to,
		    void (*fr)(void *blk))
{
	uint64_t removed, top;

	if (bm->height == 0 || from >= to)
		return 0;
	top = span(bm->height);
	if (from >= top)
		return 0;
	if (to > top)
		to = top;
	removed = drop_node(bm->root, bm->height, 0, from, to, fr);
	bm->nblocks -= removed;
	if (((struct ds_bmnode *)bm->root)->count == 0) {
		free(bm->root);
		bm->root = NULL;
		bm->height = 0;
	}
	return removed;
}

static uint64_t next_node(const struct ds_bmnode *n, unsigned int lvl,
			  uint64_t base, uint64_t idx)
{
	uint64_t cs = span(lvl - 1);
	unsigned int i = idx > base ? (idx - base) / cs : 0;

	for (; i < DS_BM_FAN; i++) {
		uint64_t cb = base + i * cs, r;

		if (!n->slot[i])
			continue;
		if (lvl == 1)
			return cb;
		r = next_node(n->slot[i], lvl - 1, cb, idx > cb ? idx : cb);
		if (r != UINT64_MAX)
			return r;
	}
	return UINT64_MAX;
}

uint64_t ds_bm_next(const struct ds_blockmap *bm, uint64_t idx)
{
	if (bm->height == 0 || idx >= span(bm->height))
		return UINT64_MAX;
	return next_node(bm->root, bm->height, 0, idx);
}

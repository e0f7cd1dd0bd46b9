/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The events a dw_emit produced, kept in order for the assertions.
 */
#ifndef DW_TEST_RECORDER_H
#define DW_TEST_RECORDER_H

#include <stdlib.h>
#include "list_int.h"

struct recorder {
	struct dw_event *v;
	unsigned int n, cap;
	uint32_t cookie;
	struct dw_emit em;
};

static inline void record_event(void *arg, const struct dw_event *ev)
{
	struct recorder *r = arg;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		if (!r->v)
			abort();
	}
	r->v[r->n++] = *ev;
}

static inline void recorder_init(struct recorder *r, enum dw_source src)
{
	memset(r, 0, sizeof(*r));
	r->em.fn = record_event;
	r->em.arg = r;
	r->em.dir = "/x/";
	r->em.source = src;
	r->em.cookie = &r->cookie;
}

static inline void recorder_reset(struct recorder *r)
{
	r->n = 0;
}

/* Every recorded event applied to l, in order. */
static inline void recorder_replay(const struct recorder *r, struct dw_list *l)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		dw_list_apply(l, &r->v[i]);
}

/* Events i and i + 1 are the MOVED_FROM / MOVED_TO pair from -> to. */
#define assert_rename_pair(r, i, from, to)                               \
	do {                                                             \
		cr_assert_eq((r)->v[i].kind, DW_MOVED_FROM);             \
		cr_assert_str_eq((r)->v[i].name, from);                  \
		cr_assert_eq((r)->v[(i) + 1].kind, DW_MOVED_TO);         \
		cr_assert_str_eq((r)->v[(i) + 1].name, to);              \
		cr_assert_str_eq((r)->v[(i) + 1].old_name, from);        \
		cr_assert_neq((r)->v[i].cookie, 0);                      \
		cr_assert_eq((r)->v[i].cookie, (r)->v[(i) + 1].cookie);  \
	} while (0)

static inline struct dw_attrs file_attrs(uint64_t fileid, uint32_t mode)
{
	struct dw_attrs a = { DW_A_TYPE | DW_A_MODE | DW_A_FILEID, 1, mode,
			      fileid, 0, 1 };

	return a;
}

static inline void copy_into(void *arg, const char *dir, const char *name,
			     const struct dw_attrs *a)
{
	dw_list_put(arg, name, a);
}

static inline struct dw_list *list_copy(const struct dw_list *l)
{
	struct dw_list *c = dw_list_new();

	dw_list_each(l, "", copy_into, c);
	return c;
}

#endif

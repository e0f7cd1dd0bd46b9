/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Inside libdittowatch: listings and how changes become events.
 */
#ifndef DW_LIST_INT_H
#define DW_LIST_INT_H

#include "dittowatch.h"

struct dc_notify_ent;
struct dc_notify_attrs;
struct dc_gattr;

/* Where events go, and what each carries besides its change. */
struct dw_emit {
	void (*fn)(void *arg, const struct dw_event *ev);
	void *arg;
	const char *dir;	/* watched directory path, ends in '/' */
	enum dw_source source;
	uint32_t *cookie;	/* last rename cookie handed out */
};

/* dst takes the attributes src knows. */
void dw_attrs_merge(struct dw_attrs *dst, const struct dw_attrs *src);
/*
 * An attribute both know differs: of type, mode and file ID, or (all)
 * of size and link count too.  Sizes and link counts change without a
 * notification (a WRITE, an entry made in a subdirectory): a difference
 * between two listings in those alone is no event.
 */
bool dw_attrs_differ(const struct dw_attrs *a, const struct dw_attrs *b,
		     bool all);
void dw_attrs_from_notify(struct dw_attrs *a, const struct dc_notify_attrs *n);
void dw_attrs_from_gattr(struct dw_attrs *a, const struct dc_gattr *g);

/*
 * Apply one notification to l, emitting what changed in l.  Applying a
 * change l already shows changes nothing, so notifications of changes
 * a fresh READDIR saw can be applied after it.
 */
void dw_notify_apply(struct dw_list *l, const struct dc_notify_ent *e,
		     const struct dw_emit *em);
/*
 * Turn l into now, emitting the difference: deletions, renames (a name
 * gone and one come with the same file ID; every MOVED_FROM before the
 * MOVED_TOs, so that chains and swaps replay), creations, attribute
 * changes.
 */
void dw_diff(struct dw_list *l, const struct dw_list *now,
	     const struct dw_emit *em);

#endif

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Changes into events: a CB_NOTIFY's notifications applied to a listing
 * (RFC 8881 20.4), and the difference between two listings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cb_notify.h"
#include "fsops.h"
#include "list_int.h"

#define BIT(m, a) ((m)[(a) / 32] & (1u << ((a) % 32)))

void dw_attrs_from_notify(struct dw_attrs *a, const struct dc_notify_attrs *n)
{
	memset(a, 0, sizeof(*a));
	/* The decoder stops at an attribute it does not know. */
	if (!n->known)
		return;
	if (BIT(n->mask, FATTR4_TYPE)) {
		a->type = n->type;
		a->have |= DW_A_TYPE;
	}
	if (BIT(n->mask, FATTR4_MODE)) {
		a->mode = n->mode;
		a->have |= DW_A_MODE;
	}
	if (BIT(n->mask, FATTR4_FILEID)) {
		a->fileid = n->fileid;
		a->have |= DW_A_FILEID;
	}
	if (BIT(n->mask, FATTR4_SIZE)) {
		a->size = n->size;
		a->have |= DW_A_SIZE;
	}
	if (BIT(n->mask, FATTR4_NUMLINKS)) {
		a->nlink = n->numlinks;
		a->have |= DW_A_NLINK;
	}
}

void dw_attrs_from_gattr(struct dw_attrs *a, const struct dc_gattr *g)
{
	memset(a, 0, sizeof(*a));
	if (g->have & DC_GA_TYPE) {
		a->type = g->type;
		a->have |= DW_A_TYPE;
	}
	if (g->have & DC_GA_MODE) {
		a->mode = g->mode;
		a->have |= DW_A_MODE;
	}
	if (g->have & DC_GA_FILEID) {
		a->fileid = g->fileid;
		a->have |= DW_A_FILEID;
	}
	if (g->have & DC_GA_SIZE) {
		a->size = g->size;
		a->have |= DW_A_SIZE;
	}
	if (g->have & DC_GA_NUMLINKS) {
		a->nlink = g->numlinks;
		a->have |= DW_A_NLINK;
	}
}

static void emit(const struct dw_emit *em, unsigned int kind,
		 const char *name, const char *old_name, uint32_t cookie,
		 const struct dw_attrs *a)
{
	struct dw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	snprintf(ev.dir, sizeof(ev.dir), "%s", em->dir);
	snprintf(ev.name, sizeof(ev.name), "%s", name);
	if (old_name)
		snprintf(ev.old_name, sizeof(ev.old_name), "%s", old_name);
	ev.cookie = cookie;
	clock_gettime(CLOCK_REALTIME, &ev.time);
	ev.attrs = *a;
	ev.isdir = (a->have & DW_A_TYPE) && a->type == NF4DIR;
	ev.source = em->source;
	em->fn(em->arg, &ev);
}

static uint32_t next_cookie(const struct dw_emit *em)
{
	if (++*em->cookie == 0)
		*em->cookie = 1;
	return *em->cookie;
}

/* name now has attributes a (the entry's, with what came merged in). */
static void put_changed(struct dw_list *l, const char *name,
			const struct dw_attrs *got, const struct dw_emit *em)
{
	const struct dw_attrs *cur = dw_list_get(l, name);
	struct dw_attrs a;

	if (!cur) {
		dw_list_put(l, name, got);
		emit(em, DW_CREATE, name, NULL, 0, got);
		return;
	}
	if ((cur->have & got->have & DW_A_FILEID) &&
	    cur->fileid != got->fileid) {
		/* Another object under the same name. */
		a = *cur;
		emit(em, DW_DELETE, name, NULL, 0, &a);
		dw_list_put(l, name, got);
		emit(em, DW_CREATE, name, NULL, 0, got);
		return;
	}
	if (!dw_attrs_differ(cur, got, true))
		return;
	a = *cur;
	dw_attrs_merge(&a, got);
	dw_list_put(l, name, &a);
	emit(em, DW_ATTRIB, name, NULL, 0, &a);
}

static void apply_rename(struct dw_list *l, const struct dc_notify_ent *e,
			 const struct dw_emit *em)
{
	const struct dw_attrs *cur = dw_list_get(l, e->old_name);
	struct dw_attrs got, moved;
	uint32_t cookie;

	dw_attrs_from_notify(&got, &e->attrs);
	if (!cur) {
		/* Already seen (by a READDIR after the change). */
		if (dw_list_get(l, e->name)) {
			put_changed(l, e->name, &got, em);
			return;
		}
		dw_list_put(l, e->name, &got);
		emit(em, DW_MOVED_TO, e->name, e->old_name, next_cookie(em),
		     &got);
		return;
	}
	moved = *cur;
	dw_attrs_merge(&moved, &got);
	cookie = next_cookie(em);
	emit(em, DW_MOVED_FROM, e->old_name, NULL, cookie, cur);
	dw_list_del(l, e->old_name);
	dw_list_put(l, e->name, &moved);
	emit(em, DW_MOVED_TO, e->name, e->old_name, cookie, &moved);
}

void dw_notify_apply(struct dw_list *l, const struct dc_notify_ent *e,
		     const struct dw_emit *em)
{
	const struct dw_attrs *cur;
	struct dw_attrs got, a;

	switch (e->type) {
	case NOTIFY4_ADD_ENTRY:
		dw_attrs_from_notify(&got, &e->attrs);
		put_changed(l, e->name, &got, em);
		break;
	case NOTIFY4_REMOVE_ENTRY:
		cur = dw_list_get(l, e->name);
		if (!cur)
			break;
		a = *cur;
		dw_list_del(l, e->name);
		emit(em, DW_DELETE, e->name, NULL, 0, &a);
		break;
	case NOTIFY4_RENAME_ENTRY:
		apply_rename(l, e, em);
		break;
	case NOTIFY4_CHANGE_CHILD_ATTRS:
		/* Of an entry the listing has: a later add tells the rest. */
		if (!dw_list_get(l, e->name))
			break;
		dw_attrs_from_notify(&got, &e->attrs);
		put_changed(l, e->name, &got, em);
		break;
	default:
		/* Directory attributes, cookie verifiers: no entry changes. */
		break;
	}
}

/* An entry of one side of a difference, to be paired by file ID. */
struct side {
	const char *name;
	struct dw_attrs a;
	bool paired;
};

struct sides {
	struct side *v;
	unsigned int n, cap;
};

static void side_add(struct sides *s, const char *name,
		     const struct dw_attrs *a)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	s->v[s->n].name = name;
	s->v[s->n].a = *a;
	s->v[s->n].paired = false;
	s->n++;
}

static int by_fileid(const void *x, const void *y)
{
	const struct side *a = x, *b = y;
	bool ka = a->a.have & DW_A_FILEID, kb = b->a.have & DW_A_FILEID;

	if (ka != kb)
		return ka ? -1 : 1;
	if (a->a.fileid != b->a.fileid)
		return a->a.fileid < b->a.fileid ? -1 : 1;
	return strcmp(a->name, b->name);
}

struct diff {
	const struct dw_list *other;
	struct sides gone, come, attr;
};

/* Entries of the old listing: gone, replaced, or changed. */
static void diff_old(void *arg, const char *dir, const char *name,
		     const struct dw_attrs *a)
{
	struct diff *d = arg;
	const struct dw_attrs *b = dw_list_get(d->other, name);

	if (!b || ((a->have & b->have & DW_A_FILEID) &&
		   a->fileid != b->fileid))
		side_add(&d->gone, name, a);
	else if (dw_attrs_differ(a, b, false))
		side_add(&d->attr, name, b);
}

static void diff_new(void *arg, const char *dir, const char *name,
		     const struct dw_attrs *a)
{
	struct diff *d = arg;
	const struct dw_attrs *b = dw_list_get(d->other, name);

	if (!b || ((a->have & b->have & DW_A_FILEID) &&
		   a->fileid != b->fileid))
		side_add(&d->come, name, a);
}

static void copy_one(void *arg, const char *dir, const char *name,
		     const struct dw_attrs *a)
{
	dw_list_put(arg, name, a);
}

void dw_diff(struct dw_list *l, const struct dw_list *now,
	     const struct dw_emit *em)
{
	struct diff d = { 0 };
	uint32_t *cookies;
	unsigned int i, j;

	d.other = now;
	dw_list_each(l, "", diff_old, &d);
	d.other = l;
	dw_list_each(now, "", diff_new, &d);
	qsort(d.gone.v, d.gone.n, sizeof(*d.gone.v), by_fileid);
	qsort(d.come.v, d.come.n, sizeof(*d.come.v), by_fileid);
	cookies = calloc(d.gone.n + 1, sizeof(*cookies));
	if (!cookies)
		abort();
	/* Pair names gone and come of one file ID, both lists sorted. */
	for (i = 0, j = 0; i < d.gone.n && j < d.come.n;) {
		struct side *g = &d.gone.v[i], *c = &d.come.v[j];

		if (!(g->a.have & DW_A_FILEID) || !(c->a.have & DW_A_FILEID))
			break;
		if (g->a.fileid < c->a.fileid) {
			i++;
		} else if (g->a.fileid > c->a.fileid) {
			j++;
		} else {
			g->paired = c->paired = true;
			cookies[i] = next_cookie(em);
			i++;
			j++;
		}
	}
	for (i = 0; i < d.gone.n; i++)
		if (!d.gone.v[i].paired)
			emit(em, DW_DELETE, d.gone.v[i].name, NULL, 0,
			     &d.gone.v[i].a);
	for (i = 0; i < d.gone.n; i++)
		if (d.gone.v[i].paired)
			emit(em, DW_MOVED_FROM, d.gone.v[i].name, NULL,
			     cookies[i], &d.gone.v[i].a);
	/* MOVED_TOs in the order of their MOVED_FROMs */
	for (i = 0, j = 0; i < d.gone.n; i++) {
		if (!d.gone.v[i].paired)
			continue;
		while (j < d.come.n &&
		       (!d.come.v[j].paired ||
			d.come.v[j].a.fileid != d.gone.v[i].a.fileid))
			j++;
		if (j == d.come.n)
			break;
		emit(em, DW_MOVED_TO, d.come.v[j].name, d.gone.v[i].name,
		     cookies[i], &d.come.v[j].a);
		j++;
	}
	for (j = 0; j < d.come.n; j++)
		if (!d.come.v[j].paired)
			emit(em, DW_CREATE, d.come.v[j].name, NULL, 0,
			     &d.come.v[j].a);
	for (i = 0; i < d.attr.n; i++)
		emit(em, DW_ATTRIB, d.attr.v[i].name, NULL, 0, &d.attr.v[i].a);
	free(cookies);
	free(d.gone.v);
	free(d.come.v);
	free(d.attr.v);
	dw_list_clear(l);
	dw_list_each(now, "", copy_one, l);
}

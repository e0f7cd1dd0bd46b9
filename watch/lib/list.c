// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * A directory listing: name -> attributes, a chained hash table that
 * grows by doubling; and events applied to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dittowatch.h"
#include "list_int.h"

struct dw_node {
	struct dw_node *next;
	struct dw_attrs a;
	char name[];
};

struct dw_list {
	struct dw_node **b;
	unsigned int nb, n;
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

struct dw_list *dw_list_new(void)
{
	struct dw_list *l = calloc(1, sizeof(*l));

	if (!l)
		abort();
	l->nb = 64;
	l->b = calloc(l->nb, sizeof(*l->b));
	if (!l->b)
		abort();
	return l;
}

void dw_list_clear(struct dw_list *l)
{
	unsigned int i;

	for (i = 0; i < l->nb; i++)
		while (l->b[i]) {
			struct dw_node *n = l->b[i];

			l->b[i] = n->next;
			free(n);
		}
	l->n = 0;
}

void dw_list_free(struct dw_list *l)
{
	if (!l)
		return;
	dw_list_clear(l);
	free(l->b);
	free(l);
}

static struct dw_node **slot_of(const struct dw_list *l, const char *name)
{
	struct dw_node **p = &l->b[hash(name) & (l->nb - 1)];

	while (*p && strcmp((*p)->name, name))
		p = &(*p)->next;
	return p;
}

static void grow(struct dw_list *l)
{
	struct dw_node **old = l->b;
	unsigned int i, onb = l->nb;

	l->nb *= 2;
	l->b = calloc(l->nb, sizeof(*l->b));
	if (!l->b)
		abort();
	for (i = 0; i < onb; i++)
		while (old[i]) {
			struct dw_node *n = old[i];
			struct dw_node **h = &l->b[hash(n->name) & (l->nb - 1)];

			old[i] = n->next;
			n->next = *h;
			*h = n;
		}
	free(old);
}

void dw_list_put(struct dw_list *l, const char *name, const struct dw_attrs *a)
{
	struct dw_node **p = slot_of(l, name), *n;
	size_t len;

	if (*p) {
		(*p)->a = *a;
		return;
	}
	len = strlen(name) + 1;
	n = malloc(sizeof(*n) + len);
	if (!n)
		abort();
	n->next = NULL;
	n->a = *a;
	memcpy(n->name, name, len);
	*p = n;
	if (++l->n > 2 * l->nb)
		grow(l);
}

bool dw_list_del(struct dw_list *l, const char *name)
{
	struct dw_node **p = slot_of(l, name), *n = *p;

	if (!n)
		return false;
	*p = n->next;
	free(n);
	l->n--;
	return true;
}

const struct dw_attrs *dw_list_get(const struct dw_list *l, const char *name)
{
	struct dw_node *n = *slot_of(l, name);

	return n ? &n->a : NULL;
}

unsigned int dw_list_count(const struct dw_list *l)
{
	return l->n;
}

void dw_list_each(const struct dw_list *l, const char *dir, dw_entry_fn fn,
		  void *arg)
{
	unsigned int i;
	struct dw_node *n;

	for (i = 0; i < l->nb; i++)
		for (n = l->b[i]; n; n = n->next)
			fn(arg, dir, n->name, &n->a);
}

void dw_attrs_merge(struct dw_attrs *dst, const struct dw_attrs *src)
{
	if (src->have & DW_A_TYPE)
		dst->type = src->type;
	if (src->have & DW_A_MODE)
		dst->mode = src->mode;
	if (src->have & DW_A_FILEID)
		dst->fileid = src->fileid;
	if (src->have & DW_A_SIZE)
		dst->size = src->size;
	if (src->have & DW_A_NLINK)
		dst->nlink = src->nlink;
	dst->have |= src->have;
}

bool dw_attrs_differ(const struct dw_attrs *a, const struct dw_attrs *b,
		     bool all)
{
	unsigned int both = a->have & b->have;

	if (((both & DW_A_TYPE) && a->type != b->type) ||
	    ((both & DW_A_MODE) && a->mode != b->mode) ||
	    ((both & DW_A_FILEID) && a->fileid != b->fileid))
		return true;
	return all && (((both & DW_A_SIZE) && a->size != b->size) ||
		       ((both & DW_A_NLINK) && a->nlink != b->nlink));
}

void dw_list_apply(struct dw_list *l, const struct dw_event *ev)
{
	const struct dw_attrs *cur;
	struct dw_attrs a;

	switch (ev->kind) {
	case DW_DELETE:
	case DW_MOVED_FROM:
		dw_list_del(l, ev->name);
		break;
	case DW_CREATE:
	case DW_MOVED_TO:
		/* A rename over an entry replaces it. */
		dw_list_put(l, ev->name, &ev->attrs);
		break;
	case DW_ATTRIB:
		cur = dw_list_get(l, ev->name);
		if (!cur)
			break;
		a = *cur;
		dw_attrs_merge(&a, &ev->attrs);
		dw_list_put(l, ev->name, &a);
		break;
	}
}

struct cmp {
	const struct dw_list *other;
	char *why;
	size_t len;
	bool equal;
};

static void cmp_one(void *arg, const char *dir, const char *name,
		    const struct dw_attrs *a)
{
	struct cmp *c = arg;
	const struct dw_attrs *b;

	if (!c->equal)
		return;
	b = dw_list_get(c->other, name);
	if (!b) {
		snprintf(c->why, c->len, "'%s' only in the first listing",
			 name);
		c->equal = false;
	} else if ((a->have & b->have & DW_A_TYPE) && a->type != b->type) {
		snprintf(c->why, c->len, "'%s': type %u, %u", name, a->type,
			 b->type);
		c->equal = false;
	} else if ((a->have & b->have & DW_A_MODE) && a->mode != b->mode) {
		snprintf(c->why, c->len, "'%s': mode %04o, %04o", name,
			 a->mode, b->mode);
		c->equal = false;
	} else if ((a->have & b->have & DW_A_FILEID) &&
		   a->fileid != b->fileid) {
		snprintf(c->why, c->len, "'%s': fileid %llu, %llu", name,
			 (unsigned long long)a->fileid,
			 (unsigned long long)b->fileid);
		c->equal = false;
	}
}

static void find_extra(void *arg, const char *dir, const char *name,
		       const struct dw_attrs *a)
{
	struct cmp *c = arg;

	if (c->equal && !dw_list_get(c->other, name)) {
		snprintf(c->why, c->len, "'%s' only in the second listing",
			 name);
		c->equal = false;
	}
}

bool dw_list_equal(const struct dw_list *a, const struct dw_list *b,
		   char *why, size_t len)
{
	char dummy[1];
	struct cmp c = { b, why ? why : dummy, why ? len : sizeof(dummy),
			 true };

	c.why[0] = '\0';
	dw_list_each(a, "", cmp_one, &c);
	c.other = a;
	if (c.equal)
		dw_list_each(b, "", find_extra, &c);
	return c.equal;
}

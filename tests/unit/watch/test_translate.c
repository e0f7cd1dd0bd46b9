// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * CB_NOTIFY notifications into events: every notification type, from
 * its XDR (as the tap decodes it) to the event and the listing; rename
 * pairing; notifications already seen by a READDIR change nothing; and
 * random notification streams replay to the watcher's listing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "cb_notify.h"
#include "recorder.h"

#define A0(a) (1u << (a))
#define A1(a) (1u << ((a)-32))

/* fattr4 of TYPE, FILEID, MODE (in attribute order) into buf. */
static void put_attrs(fattr4 *f, char *buf, uint32_t type, uint64_t fileid,
		      uint32_t mode)
{
	XDR x;

	xdrmem_create(&x, buf, 64, XDR_ENCODE);
	cr_assert(xdr_u_int32_t(&x, &type) && xdr_u_int64_t(&x, &fileid) &&
		  xdr_u_int32_t(&x, &mode));
	f->attrmask.bitmap4_len = 2;
	f->attrmask.map[0] = A0(FATTR4_TYPE) | A0(FATTR4_FILEID);
	f->attrmask.map[1] = A1(FATTR4_MODE);
	f->attr_vals.attrlist4_len = xdr_getpos(&x);
	f->attr_vals.attrlist4_val = buf;
	xdr_destroy(&x);
}

static void set_name(component4 *c, const char *s)
{
	c->utf8string_val = (char *)s;
	c->utf8string_len = strlen(s);
}

/* Encode body with proc, decode it as the tap does. */
static struct dc_notify_ent wire(uint32_t type, xdrproc_t proc, void *body)
{
	struct dc_notify_ent e;
	char buf[1024];
	XDR x;

	xdrmem_create(&x, buf, sizeof(buf), XDR_ENCODE);
	cr_assert(proc(&x, body));
	cr_assert(dc_notify_decode_body(type, buf, xdr_getpos(&x), &e));
	xdr_destroy(&x);
	return e;
}

static struct dc_notify_ent add_ent(const char *name, uint32_t type,
				    uint64_t fileid, uint32_t mode)
{
	notify_add4 a = { 0 };
	char buf[64];

	set_name(&a.nad_new_entry.ne_file, name);
	put_attrs(&a.nad_new_entry.ne_attrs, buf, type, fileid, mode);
	return wire(NOTIFY4_ADD_ENTRY, (xdrproc_t)xdr_notify_add4, &a);
}

static struct dc_notify_ent remove_ent(const char *name)
{
	notify_remove4 r = { 0 };

	set_name(&r.nrm_old_entry.ne_file, name);
	return wire(NOTIFY4_REMOVE_ENTRY, (xdrproc_t)xdr_notify_remove4, &r);
}

static struct dc_notify_ent rename_ent(const char *from, const char *to,
				       uint64_t fileid, uint32_t mode)
{
	notify_rename4 r = { 0 };
	char buf[64];

	set_name(&r.nrn_old_entry.nrm_old_entry.ne_file, from);
	set_name(&r.nrn_new_entry.nad_new_entry.ne_file, to);
	put_attrs(&r.nrn_new_entry.nad_new_entry.ne_attrs, buf, NF4REG,
		  fileid, mode);
	return wire(NOTIFY4_RENAME_ENTRY, (xdrproc_t)xdr_notify_rename4, &r);
}

static struct dc_notify_ent attr_ent(uint32_t type, const char *name,
				     uint64_t fileid, uint32_t mode)
{
	notify_attr4 a = { 0 };
	char buf[64];

	set_name(&a.na_changed_entry.ne_file, name);
	put_attrs(&a.na_changed_entry.ne_attrs, buf, NF4REG, fileid, mode);
	return wire(type, (xdrproc_t)xdr_notify_attr4, &a);
}

static struct recorder rec;
static struct dw_list *ls;

static void setup(void)
{
	recorder_init(&rec, DW_SRC_NOTIFY);
	ls = dw_list_new();
}

static void teardown(void)
{
	dw_list_free(ls);
	free(rec.v);
}

TestSuite(translate, .init = setup, .fini = teardown);

static void apply(struct dc_notify_ent e)
{
	dw_notify_apply(ls, &e, &rec.em);
}

Test(translate, add_is_create_with_attributes)
{
	apply(add_ent("a", NF4REG, 7, 0640));
	apply(add_ent("d", NF4DIR, 8, 0755));
	cr_assert_eq(rec.n, 2);
	cr_assert_eq(rec.v[0].kind, DW_CREATE);
	cr_assert_str_eq(rec.v[0].name, "a");
	cr_assert_str_eq(rec.v[0].dir, "/x/");
	cr_assert_eq(rec.v[0].source, DW_SRC_NOTIFY);
	cr_assert_eq(rec.v[0].attrs.fileid, 7);
	cr_assert_eq(rec.v[0].attrs.mode, 0640);
	cr_assert(!rec.v[0].isdir);
	cr_assert(rec.v[1].isdir);
	cr_assert_eq(dw_list_count(ls), 2);
	cr_assert_eq(dw_list_get(ls, "d")->type, NF4DIR);
}

Test(translate, remove_is_delete_with_the_listings_attributes)
{
	apply(add_ent("a", NF4REG, 7, 0640));
	recorder_reset(&rec);
	apply(remove_ent("a"));
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.v[0].kind, DW_DELETE);
	cr_assert_str_eq(rec.v[0].name, "a");
	cr_assert_eq(rec.v[0].attrs.fileid, 7);
	cr_assert_null(dw_list_get(ls, "a"));
}

Test(translate, rename_is_a_pair_sharing_a_cookie)
{
	apply(add_ent("a", NF4REG, 7, 0640));
	apply(add_ent("b", NF4REG, 9, 0600));
	recorder_reset(&rec);
	apply(rename_ent("a", "b", 7, 0640));	/* over b */
	apply(rename_ent("b", "c", 7, 0640));
	cr_assert_eq(rec.n, 4);
	assert_rename_pair(&rec, 0, "a", "b");
	assert_rename_pair(&rec, 2, "b", "c");
	cr_assert_neq(rec.v[2].cookie, rec.v[0].cookie);
	cr_assert_eq(dw_list_count(ls), 1);
	cr_assert_eq(dw_list_get(ls, "c")->fileid, 7);
}

Test(translate, child_attrs_is_attrib)
{
	apply(add_ent("a", NF4REG, 7, 0640));
	recorder_reset(&rec);
	apply(attr_ent(NOTIFY4_CHANGE_CHILD_ATTRS, "a", 7, 0600));
	apply(attr_ent(NOTIFY4_CHANGE_CHILD_ATTRS, "a", 7, 0600));
	apply(attr_ent(NOTIFY4_CHANGE_CHILD_ATTRS, "gone", 8, 0600));
	cr_assert_eq(rec.n, 1, "an unchanged or unknown entry is no event");
	cr_assert_eq(rec.v[0].kind, DW_ATTRIB);
	cr_assert_eq(rec.v[0].attrs.mode, 0600);
	cr_assert_eq(dw_list_get(ls, "a")->mode, 0600);
}

Test(translate, dir_attrs_and_verifiers_change_no_entry)
{
	struct dc_notify_ent e;
	notify_verifier4 v = { 0 };

	apply(attr_ent(NOTIFY4_CHANGE_DIR_ATTRS, "", 1, 0700));
	e = wire(NOTIFY4_CHANGE_COOKIE_VERIFIER,
		 (xdrproc_t)xdr_notify_verifier4, &v);
	apply(e);
	cr_assert_eq(rec.n, 0);
	cr_assert_eq(dw_list_count(ls), 0);
}

Test(translate, another_object_under_a_name_is_delete_then_create)
{
	apply(add_ent("a", NF4REG, 7, 0640));
	recorder_reset(&rec);
	apply(add_ent("a", NF4REG, 8, 0640));
	cr_assert_eq(rec.n, 2);
	cr_assert_eq(rec.v[0].kind, DW_DELETE);
	cr_assert_eq(rec.v[0].attrs.fileid, 7);
	cr_assert_eq(rec.v[1].kind, DW_CREATE);
	cr_assert_eq(rec.v[1].attrs.fileid, 8);
}

/*
 * After a READDIR that already shows the changes (notifications that
 * came while it was under way): applying them again ends at the
 * READDIR's listing; those of the final state of a name are no events.
 */
Test(translate, changes_a_readdir_saw)
{
	struct dw_attrs b = { DW_A_TYPE | DW_A_MODE | DW_A_FILEID, NF4REG,
			      0600, 7, 0, 1 };
	struct dw_list *readdir;
	char why[128];

	dw_list_put(ls, "b", &b);
	readdir = list_copy(ls);
	apply(add_ent("b", NF4REG, 7, 0600));
	apply(attr_ent(NOTIFY4_CHANGE_CHILD_ATTRS, "b", 7, 0600));
	apply(remove_ent("c"));
	cr_assert_eq(rec.n, 0, "b's last state and c's are the READDIR's");
	/* a made, then renamed to b: told, and the listing ends the same */
	apply(add_ent("a", NF4REG, 7, 0600));
	apply(rename_ent("a", "b", 7, 0600));
	cr_assert_eq(rec.n, 3);
	cr_assert(dw_list_equal(ls, readdir, why, sizeof(why)), "%s", why);
	dw_list_free(readdir);
}

Test(translate, moved_in_from_elsewhere_is_a_lone_moved_to)
{
	apply(rename_ent("x", "y", 5, 0644));
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.v[0].kind, DW_MOVED_TO);
	cr_assert_str_eq(rec.v[0].old_name, "x");
	cr_assert_not_null(dw_list_get(ls, "y"));
}

/* Random notification streams: replaying the events gives the listing. */
Test(translate, random_streams_replay_to_the_listing)
{
	unsigned int round, i;

	srand(22);
	for (round = 0; round < 50; round++) {
		struct dw_list *start, *replay;
		char why[128], a[8], b[8];

		dw_list_clear(ls);
		for (i = 0; i < 10; i++) {
			snprintf(a, sizeof(a), "n%u", rand() % 20);
			apply(add_ent(a, NF4REG, 100 + i, 0644));
		}
		start = list_copy(ls);
		recorder_reset(&rec);
		for (i = 0; i < 200; i++) {
			snprintf(a, sizeof(a), "n%u", rand() % 20);
			snprintf(b, sizeof(b), "n%u", rand() % 20);
			switch (rand() % 4) {
			case 0:
				apply(add_ent(a, NF4REG, 1000 + i, 0644));
				break;
			case 1:
				apply(remove_ent(a));
				break;
			case 2:
				if (strcmp(a, b) && dw_list_get(ls, a))
					apply(rename_ent(a, b,
						dw_list_get(ls, a)->fileid,
						0644));
				break;
			default:
				if (dw_list_get(ls, a))
					apply(attr_ent(NOTIFY4_CHANGE_CHILD_ATTRS,
						a, dw_list_get(ls, a)->fileid,
						0600 | (rand() % 0100)));
				break;
			}
		}
		replay = list_copy(start);
		recorder_replay(&rec, replay);
		cr_assert(dw_list_equal(replay, ls, why, sizeof(why)),
			  "round %u: %s", round, why);
		dw_list_free(start);
		dw_list_free(replay);
	}
}

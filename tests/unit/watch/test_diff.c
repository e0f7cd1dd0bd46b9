// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Two listings into events (after a recall, a refusal, a reconnect, a
 * poll): creations, deletions, renames found by file ID (chains and
 * swaps too), mode changes; sizes alone are no event; and random
 * listings replay from one to the other.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "recorder.h"

static struct recorder rec;
static struct dw_list *old, *now;

static void setup(void)
{
	recorder_init(&rec, DW_SRC_REREAD);
	old = dw_list_new();
	now = dw_list_new();
}

static void teardown(void)
{
	dw_list_free(old);
	dw_list_free(now);
	free(rec.v);
}

TestSuite(diff, .init = setup, .fini = teardown);

static void put(struct dw_list *l, const char *name, uint64_t fileid,
		uint32_t mode)
{
	struct dw_attrs a = file_attrs(fileid, mode);

	dw_list_put(l, name, &a);
}

/* Diff old into now; old must then equal now, and so must a replay. */
static void diff_checked(void)
{
	struct dw_list *start = list_copy(old);
	char why[128];

	dw_diff(old, now, &rec.em);
	cr_assert(dw_list_equal(old, now, why, sizeof(why)), "%s", why);
	recorder_replay(&rec, start);
	cr_assert(dw_list_equal(start, now, why, sizeof(why)),
		  "replayed: %s", why);
	dw_list_free(start);
}

Test(diff, create_delete_attrib)
{
	put(old, "gone", 1, 0644);
	put(old, "kept", 2, 0644);
	put(old, "chmod", 3, 0644);
	put(now, "kept", 2, 0644);
	put(now, "chmod", 3, 0600);
	put(now, "new", 4, 0644);
	diff_checked();
	cr_assert_eq(rec.n, 3);
	cr_assert_eq(rec.v[0].kind, DW_DELETE);
	cr_assert_str_eq(rec.v[0].name, "gone");
	cr_assert_eq(rec.v[1].kind, DW_CREATE);
	cr_assert_str_eq(rec.v[1].name, "new");
	cr_assert_eq(rec.v[2].kind, DW_ATTRIB);
	cr_assert_str_eq(rec.v[2].name, "chmod");
	cr_assert_eq(rec.v[2].source, DW_SRC_REREAD);
}

Test(diff, size_and_links_alone_are_no_event)
{
	struct dw_attrs a = file_attrs(2, 0755), b = a;

	a.have |= DW_A_SIZE | DW_A_NLINK;
	b.have = a.have;
	b.size = 4096;
	b.nlink = 3;
	dw_list_put(old, "d", &a);
	dw_list_put(now, "d", &b);
	dw_diff(old, now, &rec.em);
	cr_assert_eq(rec.n, 0);
	cr_assert_eq(dw_list_get(old, "d")->size, 4096,
		     "the listing still takes them");
}

Test(diff, same_file_id_under_a_new_name_is_a_rename)
{
	put(old, "a", 5, 0644);
	put(now, "b", 5, 0644);
	diff_checked();
	cr_assert_eq(rec.n, 2);
	assert_rename_pair(&rec, 0, "a", "b");
}

Test(diff, rename_over_an_entry)
{
	put(old, "a", 5, 0644);
	put(old, "b", 6, 0644);
	put(now, "b", 5, 0644);
	diff_checked();
	cr_assert_eq(rec.n, 3);
	cr_assert_eq(rec.v[0].kind, DW_DELETE);	/* the old b */
	cr_assert_eq(rec.v[0].attrs.fileid, 6);
	cr_assert_eq(rec.v[1].kind, DW_MOVED_FROM);
	cr_assert_eq(rec.v[2].kind, DW_MOVED_TO);
}

Test(diff, chains_and_swaps_replay)
{
	/* a -> b -> c, and x <-> y */
	put(old, "a", 1, 0644);
	put(old, "b", 2, 0644);
	put(old, "x", 3, 0644);
	put(old, "y", 4, 0644);
	put(now, "b", 1, 0644);
	put(now, "c", 2, 0644);
	put(now, "x", 4, 0644);
	put(now, "y", 3, 0644);
	diff_checked();
	cr_assert_eq(rec.n, 8, "four renames");
}

Test(diff, a_first_listing_of_a_new_directory_is_all_creates)
{
	put(now, "a", 1, 0644);
	put(now, "b", 2, 0644);
	diff_checked();
	cr_assert_eq(rec.n, 2);
	cr_assert_eq(rec.v[0].kind, DW_CREATE);
	cr_assert_eq(rec.v[1].kind, DW_CREATE);
}

Test(diff, random_listings_replay)
{
	unsigned int round, i;

	srand(8881);
	for (round = 0; round < 200; round++) {
		char name[8];

		dw_list_clear(old);
		dw_list_clear(now);
		recorder_reset(&rec);
		/* 30 objects; each in either listing under one of 40 names */
		for (i = 0; i < 30; i++) {
			if (rand() % 4) {
				snprintf(name, sizeof(name), "n%u", rand() % 40);
				put(old, name, i + 1, 0644);
			}
			if (rand() % 4) {
				snprintf(name, sizeof(name), "n%u", rand() % 40);
				put(now, name, i + 1, 0600 + rand() % 2);
			}
		}
		diff_checked();
	}
}

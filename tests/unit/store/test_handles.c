// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Finding inodes by (fileid, generation): the basis of wire handles.
 */
#include "store_test.h"

Test(handles, round_trip_and_stale)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *root = ds_root(st), *f = mk(root, "f", DS_REG);
	struct ds_inode *d = mk(root, "d", DS_DIR), *got;
	uint64_t id = ds_fileid(f);
	uint32_t gen = ds_generation(f);

	cr_assert_eq(ds_find(st, id, gen, &got), 0);
	cr_assert_eq(got, f);
	ds_put(got);
	cr_assert_eq(ds_find(st, ds_fileid(root), ds_generation(root), &got),
		     0);
	cr_assert_eq(got, root);
	ds_put(got);
	/* survives rename */
	cr_assert_eq(ds_rename(root, "f", d, "g", NULL, NULL, NULL, NULL, NULL), 0);
	cr_assert_eq(ds_find(st, id, gen, &got), 0);
	ds_put(got);
	cr_assert_eq(ds_find(st, id, gen + 1, &got), -ESTALE);
	cr_assert_eq(ds_find(st, 999999, gen, &got), -ESTALE);
	cr_assert_eq(ds_unlink(d, "g", NULL, NULL, NULL), 0);
	cr_assert_eq(ds_find(st, id, gen, &got), -ESTALE);
	/* fileids are never reused */
	got = mk(root, "h", DS_REG);
	cr_assert_neq(ds_fileid(got), id);
	ds_put(got);
	ds_put(f);
	ds_put(d);
	ds_put(root);
	ds_store_free(st);
}

Test(handles, separate_stores_do_not_share)
{
	struct ds_store *a = mkstore_default(), *b = mkstore_default();
	struct ds_inode *ra = ds_root(a), *rb = ds_root(b);
	struct ds_inode *fa = mk(ra, "x", DS_REG), *got;

	cr_assert(!exists(rb, "x"));
	/* each store has its own generation: a's handle is stale in b */
	cr_assert_neq(ds_generation(ra), ds_generation(rb));
	cr_assert_eq(ds_find(b, ds_fileid(fa), ds_generation(fa), &got),
		     -ESTALE);
	ds_put(fa);
	ds_put(ra);
	ds_put(rb);
	ds_store_free(a);
	ds_store_free(b);
}

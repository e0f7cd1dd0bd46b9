// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Byte-range locks (POSIX semantics per owner) and leases.
 */
#include "store_test.h"

static struct ds_store *st;
static struct ds_inode *root, *f;

static void setup(void)
{
	st = mkstore_default();
	root = ds_root(st);
	f = mk(root, "f", DS_REG);
}

static void teardown(void)
{
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}

TestSuite(locks, .init = setup, .fini = teardown);

/* A lock request as a compound literal (an lvalue, so &L(...) works). */
#define L(t, s, l, o)                                               \
	((struct ds_lock){ .type = (t), .start = (s), .len = (l), \
			   .owner = (o) })

Test(locks, read_shared_write_exclusive)
{
	struct ds_lock r1 = L(DS_LOCK_READ, 0, 100, 1);
	struct ds_lock r2 = L(DS_LOCK_READ, 50, 100, 2);
	struct ds_lock w3 = L(DS_LOCK_WRITE, 90, 20, 3), c;

	cr_assert_eq(ds_lock_set(f, &r1, &c), 0);
	cr_assert_eq(ds_lock_set(f, &r2, &c), 0);
	cr_assert_eq(ds_lock_set(f, &w3, &c), -EAGAIN);
	cr_assert(c.owner == 1 || c.owner == 2);
	cr_assert_eq(c.type, DS_LOCK_READ);
	cr_assert_eq(ds_lock_test(f, &w3, &c), -EAGAIN);
	/* outside every lock: fine */
	w3.start = 150;
	cr_assert_eq(ds_lock_test(f, &w3, &c), 0);
	cr_assert_eq(c.type, DS_LOCK_NONE);
	cr_assert_eq(ds_lock_set(f, &w3, &c), 0);
}

Test(locks, same_owner_upgrade_split_and_unlock)
{
	struct ds_lock w = L(DS_LOCK_WRITE, 0, 0, 1), c;
	struct ds_lock probe = L(DS_LOCK_READ, 0, 1, 2);

	/* owner 1 holds [0, EOF) write; unlocking the middle splits it */
	cr_assert_eq(ds_lock_set(f, &w, &c), 0);
	cr_assert_eq(ds_lock_unset(f, &L(DS_LOCK_WRITE, 100, 100, 1)), 0);
	probe.start = 150;
	cr_assert_eq(ds_lock_test(f, &probe, &c), 0);
	probe.start = 50;
	cr_assert_eq(ds_lock_test(f, &probe, &c), -EAGAIN);
	cr_assert_eq(c.start, 0);
	cr_assert_eq(c.len, 100);
	probe.start = 1000000;
	cr_assert_eq(ds_lock_test(f, &probe, &c), -EAGAIN);
	cr_assert_eq(c.start, 200);
	cr_assert_eq(c.len, 0);
	/* downgrade part of it to read: others may now read there */
	cr_assert_eq(ds_lock_set(f, &L(DS_LOCK_READ, 0, 50, 1), &c), 0);
	probe.start = 10;
	cr_assert_eq(ds_lock_test(f, &probe, &c), 0);
	cr_assert_eq(ds_lock_test(f, &L(DS_LOCK_WRITE, 10, 1, 2), &c),
		     -EAGAIN);
	/* an owner never conflicts with itself */
	cr_assert_eq(ds_lock_set(f, &L(DS_LOCK_WRITE, 0, 1000, 1), &c), 0);
	ds_lock_release_owner(f, 1);
	cr_assert_eq(ds_lock_set(f, &L(DS_LOCK_WRITE, 0, 0, 2), &c), 0);
}

Test(locks, adjacent_ranges_merge)
{
	struct ds_lock c;

	cr_assert_eq(ds_lock_set(f, &L(DS_LOCK_READ, 0, 10, 1), &c), 0);
	cr_assert_eq(ds_lock_set(f, &L(DS_LOCK_READ, 10, 10, 1), &c), 0);
	cr_assert_eq(ds_lock_test(f, &L(DS_LOCK_WRITE, 5, 10, 2), &c),
		     -EAGAIN);
	cr_assert_eq(c.start, 0);
	cr_assert_eq(c.len, 20);
}

Test(locks, bad_requests)
{
	struct ds_lock c;
	struct ds_inode *d = mk(root, "d", DS_DIR);

	cr_assert_eq(ds_lock_set(d, &L(DS_LOCK_READ, 0, 1, 1), &c), -EINVAL);
	cr_assert_eq(ds_lock_set(f, &L(DS_LOCK_NONE, 0, 1, 1), &c), -EINVAL);
	ds_put(d);
}

Test(locks, leases)
{
	cr_assert_eq(ds_lease(f, 1, DS_LEASE_READ), 0);
	cr_assert_eq(ds_lease(f, 2, DS_LEASE_READ), 0);
	cr_assert_eq(ds_lease(f, 3, DS_LEASE_WRITE), -EAGAIN);
	cr_assert_eq(ds_lease_held(f, 1), DS_LEASE_READ);
	cr_assert_eq(ds_lease(f, 1, DS_LEASE_NONE), 0);
	cr_assert_eq(ds_lease(f, 2, DS_LEASE_NONE), 0);
	cr_assert_eq(ds_lease_held(f, 1), DS_LEASE_NONE);
	cr_assert_eq(ds_lease(f, 3, DS_LEASE_WRITE), 0);
	cr_assert_eq(ds_lease(f, 1, DS_LEASE_READ), -EAGAIN);
	cr_assert_eq(ds_lease(f, 3, DS_LEASE_READ), 0);	/* downgrade */
	cr_assert_eq(ds_lease(f, 1, DS_LEASE_READ), 0);
	cr_assert_eq(ds_lease(root, 1, DS_LEASE_READ), -EINVAL);
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Extended attributes: flags, limits, listing with cookies.
 */
#include <stdlib.h>

#include "store_test.h"

static int collect(const char *name, size_t len, void *arg)
{
	char *out = arg;

	strcat(out, name);
	strcat(out, ",");
	return 0;
}

struct budget {
	int left;
	char out[256];
};

static int collect_two(const char *name, size_t len, void *arg)
{
	struct budget *b = arg;

	if (b->left == 0)
		return 1;
	b->left--;
	strcat(b->out, name);
	strcat(b->out, ",");
	return 0;
}

Test(xattr, flags_and_values)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *root = ds_root(st), *f = mk(root, "f", DS_REG);
	char buf[16];
	size_t len;
	uint64_t ch;

	cr_assert_eq(ds_getxattr(f, "k", NULL, buf, sizeof(buf), &len), -ENODATA);
	cr_assert_eq(ds_setxattr(f, "k", "v1", 2, DS_XATTR_REPLACE, NULL),
		     -ENODATA);
	ch = attr_of(f).change;
	cr_assert_eq(ds_setxattr(f, "k", "v1", 2, DS_XATTR_CREATE, NULL), 0);
	cr_assert_gt(attr_of(f).change, ch);
	cr_assert_eq(ds_setxattr(f, "k", "v2", 2, DS_XATTR_CREATE, NULL), -EEXIST);
	cr_assert_eq(ds_getxattr(f, "k", NULL, buf, sizeof(buf), &len), 0);
	cr_assert_eq(len, 2);
	cr_assert_eq(memcmp(buf, "v1", 2), 0);
	cr_assert_eq(ds_setxattr(f, "k", "value3", 6, DS_XATTR_REPLACE, NULL), 0);
	cr_assert_eq(ds_getxattr(f, "k", NULL, NULL, 0, &len), 0);
	cr_assert_eq(len, 6);
	cr_assert_eq(ds_getxattr(f, "k", NULL, buf, 3, &len), -ERANGE);
	cr_assert_eq(ds_setxattr(f, "k", "e", 1, 0, NULL), 0);
	cr_assert_eq(ds_setxattr(f, "k", "e", 1,
				 DS_XATTR_CREATE | DS_XATTR_REPLACE, NULL),
		     -EINVAL);
	cr_assert_eq(ds_removexattr(f, "k", NULL), 0);
	cr_assert_eq(ds_removexattr(f, "k", NULL), -ENODATA);
	/* empty values are values */
	cr_assert_eq(ds_setxattr(f, "empty", "", 0, 0, NULL), 0);
	cr_assert_eq(ds_getxattr(f, "empty", NULL, buf, sizeof(buf), &len), 0);
	cr_assert_eq(len, 0);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}

Test(xattr, limits_and_capacity)
{
	struct ds_store *st = mkstore(1 << 20, 10, 4096, 1 << 20);
	struct ds_inode *root = ds_root(st), *f = mk(root, "f", DS_REG);
	char *big = calloc(1, DS_XATTR_SIZE_MAX + 1);
	char name[300];
	struct ds_statfs a, b;

	memset(name, 'n', sizeof(name));
	name[256] = 0;
	cr_assert_eq(ds_setxattr(f, name, "v", 1, 0, NULL), -ERANGE);
	name[255] = 0;
	cr_assert_eq(ds_setxattr(f, name, "v", 1, 0, NULL), 0);
	cr_assert_eq(ds_setxattr(f, "", "v", 1, 0, NULL), -EINVAL);
	cr_assert_eq(ds_setxattr(f, "big", big, DS_XATTR_SIZE_MAX + 1, 0, NULL),
		     -E2BIG);
	ds_statfs(st, &a);
	cr_assert_eq(ds_setxattr(f, "big", big, DS_XATTR_SIZE_MAX, 0, NULL), 0);
	ds_statfs(st, &b);
	cr_assert_eq(a.free_bytes - b.free_bytes, DS_XATTR_SIZE_MAX + 3);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
	free(big);
}

Test(xattr, list_with_cookie)
{
	struct ds_store *st = mkstore_default();
	struct ds_inode *root = ds_root(st), *f = mk(root, "f", DS_REG);
	char all[256] = "";
	struct budget b = { .left = 2 };
	uint64_t cookie = 0;
	bool eof;

	cr_assert_eq(ds_setxattr(f, "a", "1", 1, 0, NULL), 0);
	cr_assert_eq(ds_setxattr(f, "b", "2", 1, 0, NULL), 0);
	cr_assert_eq(ds_setxattr(f, "c", "3", 1, 0, NULL), 0);
	cr_assert_eq(ds_listxattr(f, &cookie, collect, all, &eof), 0);
	cr_assert(eof);
	cr_assert_str_eq(all, "a,b,c,");
	cookie = 0;
	cr_assert_eq(ds_listxattr(f, &cookie, collect_two, &b, &eof), 0);
	cr_assert(!eof);
	cr_assert_eq(cookie, 2);
	cr_assert_str_eq(b.out, "a,b,");
	b.left = 2;
	cr_assert_eq(ds_listxattr(f, &cookie, collect_two, &b, &eof), 0);
	cr_assert(eof);
	cr_assert_str_eq(b.out, "a,b,c,");
	cookie = 9;
	cr_assert_eq(ds_listxattr(f, &cookie, collect, all, &eof), -EINVAL);
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}

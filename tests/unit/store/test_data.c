// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * File data: sparse reads, truncate, allocate/deallocate, seek, limits
 * and capacity accounting.
 */
#include <stdio.h>
#include <stdlib.h>

#include "store_test.h"

#define BS 4096

static struct ds_store *st;
static struct ds_inode *root, *f;

static void setup(void)
{
	st = mkstore(64 * BS, 8, BS, 1 << 30);
	root = ds_root(st);
	f = mk(root, "f", DS_REG);
}

static void teardown(void)
{
	ds_put(f);
	ds_put(root);
	ds_store_free(st);
}

TestSuite(data, .init = setup, .fini = teardown);

static bool all_zero(const char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

Test(data, sparse_reads_zero_and_cost_nothing)
{
	char buf[3 * BS];
	bool eof;

	cr_assert_eq(wr(f, "end", 3, 100 * BS), 3);
	cr_assert_eq(attr_of(f).size, 100 * BS + 3);
	cr_assert_eq(attr_of(f).space_used, BS);
	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(rd(f, buf, sizeof(buf), 10 * BS, &eof), sizeof(buf));
	cr_assert(!eof);
	cr_assert(all_zero(buf, sizeof(buf)));
	cr_assert_eq(rd(f, buf, sizeof(buf), 100 * BS, &eof), 3);
	cr_assert(eof);
	cr_assert_eq(memcmp(buf, "end", 3), 0);
	cr_assert_eq(rd(f, buf, 10, 200 * BS, &eof), 0);
	cr_assert(eof);
}

Test(data, write_spanning_blocks_and_iovecs)
{
	char *src = malloc(3 * BS), *dst = malloc(3 * BS);
	struct iovec v[2] = { { src, BS + 7 }, { src + BS + 7, 2 * BS - 7 } };
	int i;

	for (i = 0; i < 3 * BS; i++)
		src[i] = (char)(i * 7 + 1);
	cr_assert_eq(ds_write(f, v, 2, 100, NULL), 3 * BS);
	cr_assert_eq(rd(f, dst, 3 * BS, 100, NULL), 3 * BS);
	cr_assert_eq(memcmp(src, dst, 3 * BS), 0);
	cr_assert_eq(attr_of(f).space_used, 4 * BS);
	free(src);
	free(dst);
}

Test(data, truncate_down_drops_blocks_and_zeroes_tail)
{
	char buf[BS];
	struct ds_set s = { .mask = DS_SET_SIZE };
	struct ds_statfs before, after;

	memset(buf, 'a', sizeof(buf));
	for (int i = 0; i < 4; i++)
		cr_assert_eq(wr(f, buf, BS, i * BS), BS);
	ds_statfs(st, &before);
	s.size = BS + 10;
	cr_assert_eq(ds_setattr(f, &s, NULL, NULL), 0);
	cr_assert_eq(attr_of(f).space_used, 2 * BS);
	ds_statfs(st, &after);
	cr_assert_eq(after.free_bytes, before.free_bytes + 2 * BS);
	/* grow again: the old bytes past the cut must read as zeros */
	s.size = 4 * BS;
	cr_assert_eq(ds_setattr(f, &s, NULL, NULL), 0);
	cr_assert_eq(attr_of(f).space_used, 2 * BS);
	cr_assert_eq(rd(f, buf, BS, BS, NULL), BS);
	cr_assert(buf[9] == 'a');
	cr_assert(all_zero(buf + 10, BS - 10));
	cr_assert_eq(rd(f, buf, BS, 3 * BS, NULL), BS);
	cr_assert(all_zero(buf, BS));
	s.size = 0;
	cr_assert_eq(ds_setattr(f, &s, NULL, NULL), 0);
	cr_assert_eq(attr_of(f).space_used, 0);
}

Test(data, max_file_size)
{
	struct ds_set s = { .mask = DS_SET_SIZE, .size = (1 << 30) + 1 };

	cr_assert_eq(wr(f, "x", 1, 1 << 30), -EFBIG);
	cr_assert_eq(wr(f, "x", 1, (1 << 30) - 1), 1);
	cr_assert_eq(ds_setattr(f, &s, NULL, NULL), -EFBIG);
	cr_assert_eq(ds_allocate(f, 1 << 30, 1), -EFBIG);
}

Test(data, nospc_bytes_then_recovers)
{
	char *big = calloc(1, 64 * BS);
	struct ds_statfs sf;

	/* 64 blocks of capacity; one write needing 65 fails whole */
	cr_assert_eq(wr(f, big, 64 * BS + 1, 0), -ENOSPC);
	cr_assert_eq(attr_of(f).size, 0);
	cr_assert_eq(attr_of(f).space_used, 0);
	cr_assert_eq(wr(f, big, 64 * BS, 0), 64 * BS);
	ds_statfs(st, &sf);
	cr_assert_eq(sf.free_bytes, 0);
	cr_assert_eq(wr(f, "x", 1, 64 * BS), -ENOSPC);
	/* rewriting allocated blocks needs no new space */
	cr_assert_eq(wr(f, "y", 1, 5), 1);
	cr_assert_eq(ds_deallocate(f, 0, 8 * BS), 0);
	cr_assert_eq(wr(f, "x", 1, 64 * BS), 1);
	free(big);
}

Test(data, nospc_files)
{
	struct ds_new nw = { .type = DS_REG };
	struct ds_inode *ino;
	struct ds_statfs sf;
	char name[16];
	int i, made = 0;

	/* 8 files max: root and f already count */
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		if (ds_create(root, name, &nw, NULL, &ino, NULL, NULL) == 0) {
			made++;
			ds_put(ino);
		} else {
			cr_assert_eq(ds_create(root, name, &nw, NULL, &ino, NULL,
					       NULL),
				     -ENOSPC);
		}
	}
	cr_assert_eq(made, 6);
	ds_statfs(st, &sf);
	cr_assert_eq(sf.total_files, 8);
	cr_assert_eq(sf.free_files, 0);
	cr_assert_eq(ds_unlink(root, "n0", NULL, NULL, NULL), 0);
	cr_assert_eq(ds_create(root, "again", &nw, NULL, &ino, NULL, NULL), 0);
	ds_put(ino);
}

Test(data, allocate_and_deallocate)
{
	char buf[BS];

	cr_assert_eq(ds_allocate(f, BS / 2, 2 * BS), 0);
	cr_assert_eq(attr_of(f).size, BS / 2 + 2 * BS);
	cr_assert_eq(attr_of(f).space_used, 3 * BS);
	cr_assert_eq(rd(f, buf, BS, 0, NULL), BS);
	cr_assert(all_zero(buf, BS));
	cr_assert_eq(ds_allocate(f, 0, 0), -EINVAL);

	memset(buf, 'q', BS);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(wr(f, buf, BS, i * BS), BS);
	/* punch [100, 2*BS+100): block 1 dropped, edges zeroed */
	cr_assert_eq(ds_deallocate(f, 100, 2 * BS), 0);
	cr_assert_eq(attr_of(f).size, 3 * BS);
	cr_assert_eq(attr_of(f).space_used, 2 * BS);
	cr_assert_eq(rd(f, buf, BS, 0, NULL), BS);
	cr_assert(buf[99] == 'q');
	cr_assert(all_zero(buf + 100, BS - 100));
	cr_assert_eq(rd(f, buf, BS, 2 * BS, NULL), BS);
	cr_assert(all_zero(buf, 100));
	cr_assert(buf[100] == 'q');
}

Test(data, seek_data_and_hole)
{
	uint64_t pos;
	bool eof;

	cr_assert_eq(wr(f, "a", 1, 2 * BS + 5), 1);
	cr_assert_eq(wr(f, "b", 1, 5 * BS), 1);
	/* layout: hole [0,2BS) data [2BS,3BS) hole [3BS,5BS) data to EOF */
	cr_assert_eq(ds_seek(f, 0, false, &pos, &eof), 0);
	cr_assert_eq(pos, 2 * BS);
	cr_assert_eq(ds_seek(f, 2 * BS + 10, false, &pos, &eof), 0);
	cr_assert_eq(pos, 2 * BS + 10);
	cr_assert_eq(ds_seek(f, 3 * BS, false, &pos, &eof), 0);
	cr_assert_eq(pos, 5 * BS);
	cr_assert_eq(ds_seek(f, 0, true, &pos, &eof), 0);
	cr_assert_eq(pos, 0);
	cr_assert_eq(ds_seek(f, 2 * BS, true, &pos, &eof), 0);
	cr_assert_eq(pos, 3 * BS);
	cr_assert(!eof);
	/* the only hole after the last data is the one at EOF */
	cr_assert_eq(ds_seek(f, 5 * BS, true, &pos, &eof), 0);
	cr_assert_eq(pos, 5 * BS + 1);
	cr_assert(eof);
	cr_assert_eq(ds_seek(f, 5 * BS + 1, false, &pos, &eof), -ENXIO);
	cr_assert_eq(ds_seek(f, 5 * BS + 1, true, &pos, &eof), -ENXIO);
}

Test(data, not_a_regular_file)
{
	struct ds_inode *d = mk(root, "d", DS_DIR);

	cr_assert_eq(wr(d, "x", 1, 0), -EISDIR);
	cr_assert_eq(rd(d, (char[1]){ 0 }, 1, 0, NULL), -EISDIR);
	ds_put(d);
}

Test(data, block_size_validation)
{
	struct ds_config c = { .max_bytes = 1 << 20, .max_files = 10,
			       .block_size = 5000, .max_file_size = 1 << 20 };
	struct ds_store *s2;

	cr_assert_eq(ds_store_new(&c, &s2), -EINVAL);
	c.block_size = 2048;
	cr_assert_eq(ds_store_new(&c, &s2), -EINVAL);
	c.block_size = 65536;
	cr_assert_eq(ds_store_new(&c, &s2), 0);
	cr_assert_eq(ds_store_block_size(s2), 65536);
	ds_store_free(s2);
}

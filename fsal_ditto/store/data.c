// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * File contents: read, write, truncate, allocate, deallocate and seek
 * over the sparse block map.  Each allocated block is charged
 * block_size bytes against the store's capacity.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend.h"

static void block_free(void *blk)
{
	free(blk);
}

static size_t iov_total(const struct iovec *iov, int iovcnt)
{
	size_t n = 0;
	int i;

	for (i = 0; i < iovcnt; i++)
		n += iov[i].iov_len;
	return n;
}

/* Blocks of [first, last] not yet allocated. */
static uint64_t count_missing(const struct ds_blockmap *bm, uint64_t first,
			      uint64_t last)
{
	uint64_t i, n = 0;

	for (i = first; i <= last; i++)
		if (!ds_bm_get(bm, i))
			n++;
	return n;
}

/*
 * Allocates every missing block of [first, last]; the bytes were already
 * reserved, and whatever is not used is given back.
 */
static int fill_range(struct ds_inode *ino, uint64_t first, uint64_t last,
		      uint64_t reserved)
{
	struct ds_store *st = ino->store;
	uint32_t bs = st->cfg.block_size;
	uint64_t i;

	for (i = first; i <= last; i++) {
		void *blk;

		if (ds_bm_get(&ino->blocks, i))
			continue;
		blk = calloc(1, bs);
		if (!blk || ds_bm_set(&ino->blocks, i, blk)) {
			free(blk);
			ds_release_bytes(st, reserved);
			return -ENOMEM;
		}
		reserved -= bs;
		if (ds_mark_dirty(ino, i, i)) {
			ds_release_bytes(st, reserved);
			return -ENOMEM;
		}
	}
	if (reserved)
		ds_release_bytes(st, reserved);
	return 0;
}

/*
 * Drops blocks wholly inside [off, end) and zeroes partial ones, in
 * memory at once (cs->applied); the drop is recorded in cs, the zeroed
 * blocks are marked dirty.
 */
static void punch(struct ds_inode *ino, uint64_t off, uint64_t end,
		  struct ds_changes *cs)
{
	uint32_t bs = ino->store->cfg.block_size;
	uint64_t first_full = (off + bs - 1) / bs, end_full = end / bs;
	uint64_t dropped = 0;
	char *blk;

	if (off >= end)
		return;
	cs->applied = true;
	if (off % bs) {
		blk = ds_bm_get(&ino->blocks, off / bs);
		if (blk) {
			uint64_t stop = end < first_full * bs ? end :
								first_full * bs;

			memset(blk + off % bs, 0, stop - off);
			if (ds_mark_dirty(ino, off / bs, off / bs))
				cs->rc = cs->rc ? cs->rc : -ENOMEM;
		}
	}
	if (end % bs && end / bs >= first_full) {
		blk = ds_bm_get(&ino->blocks, end / bs);
		if (blk) {
			memset(blk, 0, end % bs);
			if (ds_mark_dirty(ino, end / bs, end / bs))
				cs->rc = cs->rc ? cs->rc : -ENOMEM;
		}
	}
	if (end_full > first_full) {
		dropped = ds_bm_drop(&ino->blocks, first_full, end_full,
				     block_free);
		ds_dirty_drop(ino, first_full, end_full);
		ds_changes_blocks_del(cs, ino, first_full, end_full);
	}
	if (dropped)
		ds_release_bytes(ino->store, dropped * bs);
}

/* Caller holds ino->lock for writing. */
void ds_data_truncate(struct ds_inode *ino, uint64_t size,
		      struct ds_changes *cs)
{
	if (size < ino->size)
		punch(ino, size, UINT64_MAX, cs);
	ino->size = size;
}

/* Caller holds ino->lock for writing (or owns the inode alone). */
void ds_data_free(struct ds_inode *ino)
{
	uint64_t n = ds_bm_drop(&ino->blocks, 0, UINT64_MAX, block_free);

	ds_dirty_drop(ino, 0, UINT64_MAX);
	ds_release_bytes(ino->store, n * ino->store->cfg.block_size);
}

static int check_reg(const struct ds_inode *ino)
{
	if (ino->type == DS_DIR)
		return -EISDIR;
	if (ino->type != DS_REG)
		return -EINVAL;
	return 0;
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

ssize_t ds_read(struct ds_inode *ino, const struct iovec *iov, int iovcnt,
		uint64_t off, bool *eof)
{
	uint32_t bs = ino->store->cfg.block_size;
	size_t want = iov_total(iov, iovcnt), done = 0;
	bool stale_atime;
	int i, rc = check_reg(ino);

	if (rc)
		return rc;
	pthread_rwlock_rdlock(&ino->lock);
	if (ino->dead) {
		pthread_rwlock_unlock(&ino->lock);
		return -ESTALE;
	}
	if (off >= ino->size) {
		want = 0;
	} else if (want > ino->size - off) {
		want = ino->size - off;
	}
	for (i = 0; i < iovcnt && done < want; i++) {
		size_t vdone = 0, vlen = iov[i].iov_len;

		if (vlen > want - done)
			vlen = want - done;
		while (vdone < vlen) {
			uint64_t pos = off + done + vdone;
			size_t in = pos % bs, n = bs - in;
			/* Load on miss (backend.h): a hole to memory
			 * may be a block only the backend holds.
			 */
			const char *blk = ds_bm_get(&ino->blocks, pos / bs);

			if (n > vlen - vdone)
				n = vlen - vdone;
			if (blk)
				memcpy((char *)iov[i].iov_base + vdone,
				       blk + in, n);
			else
				memset((char *)iov[i].iov_base + vdone, 0, n);
			vdone += n;
		}
		done += vlen;
	}
	*eof = off + done >= ino->size;
	/* relatime: only write atime back when it trails mtime/ctime. */
	stale_atime = ts_before(&ino->atime, &ino->mtime) ||
		      ts_before(&ino->atime, &ino->ctime);
	pthread_rwlock_unlock(&ino->lock);
	if (stale_atime) {
		pthread_rwlock_wrlock(&ino->lock);
		ds_now(&ino->atime);
		pthread_rwlock_unlock(&ino->lock);
	}
	return done;
}

ssize_t ds_write(struct ds_inode *ino, const struct iovec *iov, int iovcnt,
		 uint64_t off, const struct ds_cred *cr)
{
	struct ds_store *st = ino->store;
	uint32_t bs = st->cfg.block_size;
	size_t len = iov_total(iov, iovcnt), done = 0;
	uint64_t need;
	int i, rc = check_reg(ino);

	if (rc)
		return rc;
	if (len == 0)
		return 0;
	if (off > st->cfg.max_file_size || len > st->cfg.max_file_size - off)
		return -EFBIG;
	pthread_rwlock_wrlock(&ino->lock);
	if (ino->dead) {
		rc = -ESTALE;
		goto out;
	}
	rc = ds_store_failed(st);
	if (rc)
		goto out;
	need = count_missing(&ino->blocks, off / bs, (off + len - 1) / bs);
	rc = ds_reserve_bytes(st, need * bs);
	if (rc)
		goto out;
	rc = fill_range(ino, off / bs, (off + len - 1) / bs, need * bs);
	if (rc)
		goto out;
	/* Durable stores: on disk at the next ds_commit of this inode. */
	rc = ds_mark_dirty(ino, off / bs, (off + len - 1) / bs);
	if (rc)
		goto out;
	ino->mdirty = true;
	for (i = 0; i < iovcnt; i++) {
		size_t vdone = 0, vlen = iov[i].iov_len;

		while (vdone < vlen) {
			uint64_t pos = off + done + vdone;
			size_t in = pos % bs, n = bs - in;
			char *blk = ds_bm_get(&ino->blocks, pos / bs);

			if (n > vlen - vdone)
				n = vlen - vdone;
			memcpy(blk + in, (const char *)iov[i].iov_base + vdone,
			       n);
			vdone += n;
		}
		done += vlen;
	}
	if (off + len > ino->size)
		ino->size = off + len;
	if ((ino->mode & (S_ISUID | S_ISGID)) && !ds_cred_is_root(cr)) {
		struct ds_attr cur;

		ds_fill_attr(ino, &cur);
		ino->mode = ds_mode_drop_privs(&cur, cr);
	}
	ds_touch(ino, true);
out:
	pthread_rwlock_unlock(&ino->lock);
	return rc ? rc : (ssize_t)done;
}

int ds_allocate(struct ds_inode *ino, uint64_t off, uint64_t len)
{
	struct ds_store *st = ino->store;
	uint32_t bs = st->cfg.block_size;
	uint64_t need, first, last;
	struct ds_changes cs;
	struct ds_irec *r;
	int rc = check_reg(ino);

	if (rc)
		return rc;
	if (len == 0)
		return -EINVAL;
	if (off > st->cfg.max_file_size || len > st->cfg.max_file_size - off)
		return -EFBIG;
	first = off / bs;
	last = (off + len - 1) / bs;
	pthread_rwlock_wrlock(&ino->lock);
	if (ino->dead) {
		rc = -ESTALE;
		goto out;
	}
	rc = ds_store_failed(st);
	if (rc)
		goto out;
	need = count_missing(&ino->blocks, first, last);
	rc = ds_reserve_bytes(st, need * bs);
	if (rc)
		goto out;
	ds_changes_init(&cs, st);
	/* New blocks are in memory at once (backend.h). */
	cs.applied = need > 0;
	/* Blocks filled before a failure stay, dirty, as with ds_write. */
	rc = fill_range(ino, first, last, need * bs);
	if (rc)
		goto out;
	r = ds_changes_inode(&cs, ino);
	if (off + len > r->size)
		r->size = off + len;
	ds_irec_touch(r, off + len > ino->size);
	rc = ds_changes_commit(&cs);
	if (!rc)
		ds_changes_apply(&cs);
out:
	pthread_rwlock_unlock(&ino->lock);
	ds_changes_settle(st);
	return rc;
}

int ds_deallocate(struct ds_inode *ino, uint64_t off, uint64_t len)
{
	uint64_t end;
	struct ds_changes cs;
	int rc = check_reg(ino);

	if (rc)
		return rc;
	if (len == 0)
		return -EINVAL;
	end = len > UINT64_MAX - off ? UINT64_MAX : off + len;
	pthread_rwlock_wrlock(&ino->lock);
	rc = ino->dead ? -ESTALE : ds_store_failed(ino->store);
	if (!rc) {
		ds_changes_init(&cs, ino->store);
		/* Beyond EOF there is nothing to punch; size never changes. */
		if (end > ino->size)
			end = ino->size;
		punch(ino, off, end, &cs);
		ds_irec_touch(ds_changes_inode(&cs, ino), true);
		rc = ds_changes_commit(&cs);
		if (!rc)
			ds_changes_apply(&cs);
	}
	pthread_rwlock_unlock(&ino->lock);
	ds_changes_settle(ino->store);
	return rc;
}

int ds_seek(struct ds_inode *ino, uint64_t off, bool hole, uint64_t *out,
	    bool *eof)
{
	uint32_t bs = ino->store->cfg.block_size;
	uint64_t idx, pos;
	int rc = check_reg(ino);

	if (rc)
		return rc;
	pthread_rwlock_rdlock(&ino->lock);
	if (ino->dead) {
		rc = -ESTALE;
		goto out;
	}
	if (off >= ino->size) {
		rc = -ENXIO;
		goto out;
	}
	if (hole) {
		idx = off / bs;
		while (ds_bm_get(&ino->blocks, idx) &&
		       idx * (uint64_t)bs < ino->size)
			idx++;
		pos = idx * (uint64_t)bs;
		if (pos < off)
			pos = off;
		if (pos > ino->size)
			pos = ino->size;
	} else {
		idx = ds_bm_next(&ino->blocks, off / bs);
		if (idx == UINT64_MAX || idx * (uint64_t)bs >= ino->size) {
			rc = -ENXIO;
			goto out;
		}
		pos = idx * (uint64_t)bs;
		if (pos < off)
			pos = off;
	}
	*out = pos;
	*eof = pos >= ino->size;
out:
	pthread_rwlock_unlock(&ino->lock);
	return rc;
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * FSAL_DITTO data path: open/reopen/close with share reservations,
 * read, write, commit, fallocate and seek.  An open "fd" is a store open
 * count, which is what keeps an unlinked file's data until last close.
 */
#include "config.h"

#include <errno.h>

#include "fsal.h"
#include "fsal_convert.h"
#include "ditto_int.h"

static struct ditto_fd *dfd(struct fsal_fd *fd)
{
	return container_of(fd, struct ditto_fd, fsal_fd);
}

static fsal_status_t ditto_reopen_func(struct fsal_obj_handle *obj,
				       fsal_openflags_t openflags,
				       struct fsal_fd *fsal_fd)
{
	struct ditto_fd *fd = dfd(fsal_fd);

	if (!fd->counted) {
		int rc = ds_open(ditto_h(obj)->ino);

		if (rc)
			return ditto_err(rc);
		fd->counted = true;
	}
	fsal_fd->openflags = FSAL_O_NFS_FLAGS(openflags);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

fsal_status_t ditto_close_func(struct fsal_obj_handle *obj,
			       struct fsal_fd *fsal_fd)
{
	struct ditto_fd *fd = dfd(fsal_fd);

	if (fsal_fd->openflags == FSAL_O_CLOSED && !fd->counted)
		return fsalstat(ERR_FSAL_NOT_OPENED, 0);
	if (fd->counted) {
		ds_close(ditto_h(obj)->ino);
		fd->counted = false;
	}
	fsal_fd->openflags = FSAL_O_CLOSED;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static fsal_status_t truncate_to_zero(struct ditto_handle *h)
{
	struct ds_set s = { .mask = DS_SET_SIZE, .size = 0 };
	struct ds_cred cr;

	return ditto_err(ds_setattr(h->ino, &s, ditto_cred(&cr), NULL));
}

static fsal_status_t open_by_handle(struct fsal_obj_handle *obj,
				    struct state_t *state,
				    fsal_openflags_t openflags,
				    enum fsal_create_mode createmode,
				    fsal_verifier_t verifier,
				    struct fsal_attrlist *attrs_out)
{
	struct ditto_handle *h = ditto_h(obj);
	struct fsal_fd *my_fd;
	fsal_openflags_t old_openflags;
	fsal_status_t status = fsalstat(ERR_FSAL_NO_ERROR, 0);
	bool truncated = openflags & FSAL_O_TRUNC;
	struct fsal_attrlist attrs;

	if (obj->type != REGULAR_FILE)
		return fsalstat(obj->type == DIRECTORY ? ERR_FSAL_ISDIR :
							 ERR_FSAL_BADTYPE,
				0);
	my_fd = state ? &container_of(state, struct ditto_state_fd, state)
				 ->fd.fsal_fd :
			&h->fd.fsal_fd;

	fsal_start_fd_work_no_reclaim(my_fd);
	old_openflags = my_fd->openflags;

	if (state != NULL) {
		/* Same protocol as FSAL_MEM: obj_lock over share update. */
		PTHREAD_RWLOCK_wrlock(&obj->obj_lock);
		status = check_share_conflict(&h->share, openflags, false);
		if (FSAL_IS_ERROR(status))
			goto exit;
	}

	if (FSAL_O_NFS_FLAGS(openflags) == FSAL_O_NFS_FLAGS(old_openflags) &&
	    !truncated && createmode == FSAL_NO_CREATE)
		goto exit;	/* genuine no-op reopen */

	status = ditto_reopen_func(obj, openflags, my_fd);
	if (FSAL_IS_ERROR(status))
		goto exit;
	if (old_openflags == FSAL_O_CLOSED)
		insert_fd_lru(my_fd);
	else
		bump_fd_lru(my_fd);

	if (truncated)
		status = truncate_to_zero(h);

	if (!FSAL_IS_ERROR(status) &&
	    (attrs_out || (createmode >= FSAL_EXCLUSIVE &&
			   createmode != FSAL_EXCLUSIVE_9P))) {
		fsal_prepare_attrs(&attrs, ATTRS_POSIX);
		status = ditto_getattrs(obj, &attrs);
		if (!FSAL_IS_ERROR(status) && createmode >= FSAL_EXCLUSIVE &&
		    createmode != FSAL_EXCLUSIVE_9P &&
		    !check_verifier_attrlist(&attrs, verifier, false))
			status = fsalstat(ERR_FSAL_EXIST, EEXIST);
		if (!FSAL_IS_ERROR(status) && attrs_out)
			fsal_copy_attrs(attrs_out, &attrs, false);
		fsal_release_attrs(&attrs);
	}

	if (FSAL_IS_ERROR(status)) {
		if (old_openflags == FSAL_O_CLOSED) {
			remove_fd_lru(my_fd);
			ditto_close_func(obj, my_fd);
		}
	}
exit:
	if (state != NULL) {
		if (!FSAL_IS_ERROR(status))
			update_share_counters(&h->share, old_openflags,
					      openflags);
		PTHREAD_RWLOCK_unlock(&obj->obj_lock);
	}
	fsal_complete_fd_work(my_fd);
	return status;
}

/* Finds or creates name in dir per createmode; *created says which. */
static fsal_status_t open_name(struct ditto_handle *dir, const char *name,
			       enum fsal_create_mode createmode,
			       struct fsal_attrlist *attrs_set,
			       fsal_verifier_t verifier,
			       struct ditto_handle **out, bool *created,
			       struct fsal_attrlist *pre,
			       struct fsal_attrlist *post)
{
	struct ditto_export *exp = ditto_exp(op_ctx->fsal_export);
	struct ds_attr dpre, dpost, a;
	struct ds_inode *ino;
	struct ds_new nw = { .type = DS_REG };
	struct ds_cred cr;
	int rc;

	*created = false;
	rc = ds_lookup(dir->ino, name, &ino);
	if (rc == 0) {
		struct fsal_attrlist attrs;
		bool match;

		if (ds_type_of(ino) != DS_REG) {
			enum ds_type t = ds_type_of(ino);

			ds_put(ino);
			return fsalstat(t == DS_DIR ? ERR_FSAL_ISDIR :
						      ERR_FSAL_BADTYPE,
					0);
		}
		if (createmode == FSAL_GUARDED) {
			ds_put(ino);
			return fsalstat(ERR_FSAL_EXIST, EEXIST);
		}
		if (createmode >= FSAL_EXCLUSIVE &&
		    createmode != FSAL_EXCLUSIVE_9P) {
			/* A retransmitted exclusive create succeeds. */
			rc = ds_getattr(ino, &a);
			fsal_prepare_attrs(&attrs, ATTRS_POSIX);
			if (!rc)
				ditto_fill_attrs(exp, &a, &attrs);
			match = !rc &&
				check_verifier_attrlist(&attrs, verifier,
							false);
			fsal_release_attrs(&attrs);
			if (!match) {
				ds_put(ino);
				return fsalstat(ERR_FSAL_EXIST, EEXIST);
			}
		}
		*out = ditto_new_handle(exp, ino);
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	}
	if (rc != -ENOENT)
		return ditto_err(rc);
	if (createmode == FSAL_NO_CREATE)
		return fsalstat(ERR_FSAL_NOENT, ENOENT);
	nw.mode = (attrs_set && (attrs_set->valid_mask & ATTR_MODE)) ?
			  attrs_set->mode :
			  0644;
	nw.uid = (attrs_set && (attrs_set->valid_mask & ATTR_OWNER)) ?
			 attrs_set->owner :
			 op_ctx->creds.caller_uid;
	nw.gid_set = attrs_set && (attrs_set->valid_mask & ATTR_GROUP);
	nw.gid = nw.gid_set ? attrs_set->group : op_ctx->creds.caller_gid;
	/* Write and search permission on dir: the store checks them. */
	rc = ds_create(dir->ino, name, &nw, ditto_cred(&cr), &ino, &dpre,
		       &dpost);
	if (rc == -EEXIST && createmode == FSAL_UNCHECKED)
		return open_name(dir, name, FSAL_NO_CREATE, attrs_set,
				 verifier, out, created, pre, post);
	if (rc)
		return ditto_err(rc);
	if (pre)
		ditto_fill_attrs(exp, &dpre, pre);
	if (post)
		ditto_fill_attrs(exp, &dpost, post);
	*out = ditto_new_handle(exp, ino);
	*created = true;
	if (attrs_set) {
		/* times carry the exclusive-create verifier */
		fsal_status_t st = ditto_apply_set(
			*out, attrs_set,
			ATTRS_SET_TIME | ATTR_CREATION | ATTR_SIZE, NULL);

		if (FSAL_IS_ERROR(st)) {
			struct fsal_obj_handle *o = &(*out)->obj_handle;

			o->obj_ops->release(o);
			ds_unlink(dir->ino, name, NULL, NULL, NULL);
			return st;
		}
	}
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static fsal_status_t ditto_open2(struct fsal_obj_handle *obj,
				 struct state_t *state,
				 fsal_openflags_t openflags,
				 enum fsal_create_mode createmode,
				 const char *name,
				 struct fsal_attrlist *attrs_set,
				 fsal_verifier_t verifier,
				 struct fsal_obj_handle **new_obj,
				 struct fsal_attrlist *attrs_out,
				 bool *caller_perm_check,
				 struct fsal_attrlist *pre,
				 struct fsal_attrlist *post)
{
	struct ditto_handle *h = NULL;
	struct fsal_attrlist verifier_attr;
	struct fsal_fd *my_fd;
	fsal_status_t status;
	bool created;

	if (createmode >= FSAL_EXCLUSIVE) {
		if (!attrs_set) {
			memset(&verifier_attr, 0, sizeof(verifier_attr));
			attrs_set = &verifier_attr;
		}
		set_common_verifier(attrs_set, verifier, false);
	}

	if (name == NULL) {
		status = open_by_handle(obj, state, openflags, createmode,
					verifier, attrs_out);
		*caller_perm_check = FSAL_IS_SUCCESS(status);
		return status;
	}

	if (obj->type != DIRECTORY)
		return fsalstat(ERR_FSAL_NOTDIR, 0);
	status = open_name(ditto_h(obj), name, createmode, attrs_set, verifier,
			   &h, &created, pre, post);
	if (FSAL_IS_ERROR(status))
		return status;
	*caller_perm_check = !created;

	/* Nobody else can see h yet, so no fd work or obj_lock needed. */
	my_fd = state ? &container_of(state, struct ditto_state_fd, state)
				 ->fd.fsal_fd :
			&h->fd.fsal_fd;
	/*
	 * A state's fd openflags are its share reservation (taken below,
	 * given back by close2 and reopen2): exactly what was asked for.
	 * A write-only open that also counted as a reader would conflict
	 * with every DENY_READ (RFC 8881 9.7).  Only the global fd of a
	 * stateless create is opened for reading too.
	 */
	if (!state && (openflags & FSAL_O_WRITE))
		openflags |= FSAL_O_READ;
	status = ditto_reopen_func(&h->obj_handle, openflags, my_fd);
	if (FSAL_IS_ERROR(status))
		goto fail;
	if (!state)
		insert_fd_lru(my_fd);
	if (!created && (openflags & FSAL_O_TRUNC)) {
		status = truncate_to_zero(h);
		if (FSAL_IS_ERROR(status)) {
			if (!state)
				remove_fd_lru(my_fd);
			ditto_close_func(&h->obj_handle, my_fd);
			goto fail;
		}
	}
	if (attrs_out) {
		status = ditto_getattrs(&h->obj_handle, attrs_out);
		if (FSAL_IS_ERROR(status) &&
		    !(attrs_out->request_mask & ATTR_RDATTR_ERR)) {
			if (!state)
				remove_fd_lru(my_fd);
			ditto_close_func(&h->obj_handle, my_fd);
			goto fail;
		}
	}
	if (state)
		update_share_counters_locked(&h->obj_handle, &h->share,
					     FSAL_O_CLOSED, openflags);
	*new_obj = &h->obj_handle;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
fail:
	h->obj_handle.obj_ops->release(&h->obj_handle);
	return status;
}

static fsal_openflags_t ditto_status2(struct fsal_obj_handle *obj,
				      struct state_t *state)
{
	return container_of(state, struct ditto_state_fd, state)
		->fd.fsal_fd.openflags;
}

static fsal_status_t ditto_reopen2(struct fsal_obj_handle *obj,
				   struct state_t *state,
				   fsal_openflags_t openflags)
{
	return open_by_handle(obj, state, openflags, FSAL_NO_CREATE, NULL,
			      NULL);
}

/* Runs op between fsal_start_io and fsal_complete_io with a temp fd. */
static fsal_status_t with_io(struct fsal_obj_handle *obj,
			     struct state_t *state, fsal_openflags_t flags,
			     bool bypass, bool share,
			     int (*op)(struct ditto_handle *h, void *arg),
			     void *arg)
{
	struct ditto_handle *h = ditto_h(obj);
	struct ditto_fd temp_fd = { 0 };
	struct fsal_fd *out_fd;
	fsal_status_t st;
	int rc;

	init_fsal_fd(&temp_fd.fsal_fd, FSAL_FD_TEMP, op_ctx->fsal_export);
	st = fsal_start_io(&out_fd, obj, &h->fd.fsal_fd, &temp_fd.fsal_fd,
			   state, flags, false, NULL, bypass,
			   share ? &h->share : NULL);
	if (FSAL_IS_ERROR(st))
		goto out;
	rc = op(h, arg);
	fsal_complete_io(obj, out_fd);
	if (state == NULL && share)
		update_share_counters_locked(obj, &h->share, flags,
					     FSAL_O_CLOSED);
	st = ditto_err(rc);
out:
	destroy_fsal_fd(&temp_fd.fsal_fd);
	return st;
}

static int do_read(struct ditto_handle *h, void *arg)
{
	struct fsal_io_arg *io = arg;
	bool eof = false;
	ssize_t n = ds_read(h->ino, io->iov, io->iov_count, io->offset, &eof);

	if (n < 0)
		return n;
	io->io_amount = n;
	io->end_of_file = eof;
	return 0;
}

static int do_write(struct ditto_handle *h, void *arg)
{
	struct fsal_io_arg *io = arg;
	struct ds_cred cr;
	ssize_t n = ds_write(h->ino, io->iov, io->iov_count, io->offset,
			     ditto_cred(&cr));

	if (n < 0)
		return n;
	io->io_amount = n;
	if (!ds_store_is_durable(ds_store_of(h->ino))) {
		/* Memory is the stable storage: every write is FILE_SYNC. */
		io->fsal_stable = true;
		return 0;
	}
	/* On entry: FILE_SYNC or DATA_SYNC asked; both mean "on disk
	 * before the reply" here.  UNSTABLE waits for COMMIT.
	 */
	if (io->fsal_stable) {
		int rc = ds_commit(h->ino);

		if (rc)
			return rc;
	}
	return 0;
}

static void ditto_read2(struct fsal_obj_handle *obj, bool bypass,
			fsal_async_cb done_cb, struct fsal_io_arg *read_arg,
			void *caller_arg)
{
	fsal_status_t st;

	if (read_arg->info != NULL) {
		/* READ_PLUS is not implemented; Ganesha falls back to READ */
		done_cb(obj, fsalstat(ERR_FSAL_NOTSUPP, 0), read_arg,
			caller_arg);
		return;
	}
	read_arg->io_amount = 0;
	st = with_io(obj, read_arg->state, FSAL_O_READ, bypass, true, do_read,
		     read_arg);
	done_cb(obj, st, read_arg, caller_arg);
}

static void ditto_write2(struct fsal_obj_handle *obj, bool bypass,
			 fsal_async_cb done_cb, struct fsal_io_arg *write_arg,
			 void *caller_arg)
{
	fsal_status_t st;

	write_arg->io_amount = 0;
	if (obj->type != REGULAR_FILE) {
		done_cb(obj, fsalstat(ERR_FSAL_INVAL, 0), write_arg,
			caller_arg);
		return;
	}
	st = with_io(obj, write_arg->state, FSAL_O_WRITE, bypass, true,
		     do_write, write_arg);
	done_cb(obj, st, write_arg, caller_arg);
}

/*
 * Memory stores: writes are already stable.  Durable stores: the
 * file's written data and attributes reach the disk (the whole file,
 * whatever the range: a superset is what RFC 8881 §18.3 allows).
 */
static fsal_status_t ditto_commit2(struct fsal_obj_handle *obj, off_t offset,
				   size_t len)
{
	if (obj->type != REGULAR_FILE)
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	return ditto_err(ds_commit(ditto_h(obj)->ino));
}

static fsal_status_t ditto_close2(struct fsal_obj_handle *obj,
				  struct state_t *state)
{
	struct ditto_handle *h = ditto_h(obj);
	struct fsal_fd *my_fd =
		&container_of(state, struct ditto_state_fd, state)->fd.fsal_fd;

	if (state->state_type == STATE_TYPE_SHARE ||
	    state->state_type == STATE_TYPE_NLM_SHARE ||
	    state->state_type == STATE_TYPE_9P_FID)
		update_share_counters_locked(obj, &h->share, my_fd->openflags,
					     FSAL_O_CLOSED);
	if (state->state_type == STATE_TYPE_LOCK)
		ds_lock_release_owner(h->ino, (uintptr_t)state->state_owner);
	return close_fsal_fd(obj, my_fd, false);
}

static fsal_status_t ditto_close(struct fsal_obj_handle *obj)
{
	if (obj->type != REGULAR_FILE)
		return fsalstat(ERR_FSAL_NOT_OPENED, 0);
	return close_fsal_fd(obj, &ditto_h(obj)->fd.fsal_fd, false);
}

struct range {
	uint64_t off;
	uint64_t len;
	bool allocate;
};

static int do_fallocate(struct ditto_handle *h, void *arg)
{
	struct range *r = arg;

	return r->allocate ? ds_allocate(h->ino, r->off, r->len) :
			     ds_deallocate(h->ino, r->off, r->len);
}

static fsal_status_t ditto_fallocate(struct fsal_obj_handle *obj,
				     struct state_t *state, uint64_t offset,
				     uint64_t length, bool allocate)
{
	struct range r = { offset, length, allocate };

	if (obj->type != REGULAR_FILE)
		return fsalstat(ERR_FSAL_INVAL, 0);
	return with_io(obj, state, FSAL_O_WRITE, false, true, do_fallocate,
		       &r);
}

static int do_seek(struct ditto_handle *h, void *arg)
{
	struct io_info *info = arg;
	bool hole = info->io_content.what == NFS4_CONTENT_HOLE;
	uint64_t pos;
	bool eof;
	int rc = ds_seek(h->ino, info->io_content.hole.di_offset, hole, &pos,
			 &eof);

	if (rc == -ENXIO && !hole) {
		struct ds_attr a;

		/* No data after offset: RFC 7862 wants eof, unless the
		 * offset itself lies beyond the end of the file.
		 */
		if (ds_getattr(h->ino, &a) == 0 &&
		    info->io_content.hole.di_offset < a.size) {
			info->io_eof = true;
			return 0;
		}
	}
	if (rc)
		return rc;
	info->io_content.hole.di_offset = pos;
	info->io_eof = eof;
	return 0;
}

static fsal_status_t ditto_seek2(struct fsal_obj_handle *obj,
				 struct state_t *state, struct io_info *info)
{
	if (obj->type != REGULAR_FILE)
		return fsalstat(ERR_FSAL_INVAL, 0);
	if (info->io_content.what != NFS4_CONTENT_DATA &&
	    info->io_content.what != NFS4_CONTENT_HOLE)
		return fsalstat(ERR_FSAL_UNION_NOTSUPP, 0);
	return with_io(obj, state, FSAL_O_ANY, true, false, do_seek, info);
}

void ditto_file_ops_init(struct fsal_obj_ops *ops)
{
	ops->open2 = ditto_open2;
	ops->status2 = ditto_status2;
	ops->reopen2 = ditto_reopen2;
	ops->read2 = ditto_read2;
	ops->write2 = ditto_write2;
	ops->commit2 = ditto_commit2;
	ops->close2 = ditto_close2;
	ops->close = ditto_close;
	ops->close_func = ditto_close_func;
	ops->reopen_func = ditto_reopen_func;
	ops->fallocate = ditto_fallocate;
	ops->seek2 = ditto_seek2;
}

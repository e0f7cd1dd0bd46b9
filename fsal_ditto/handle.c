// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * FSAL_DITTO object handles: namespace ops, attributes and wire handles.
 * Each fsal_obj_handle holds one store reference; mdcache dedups handles
 * by key, so two handles for one inode are harmless.
 */
#include "config.h"

#include <errno.h>
#include <endian.h>

#include "fsal.h"
#include "fsal_convert.h"
#include "nfs_exports.h"
#include "Stackable_FSALs/FSAL_MDCACHE/mdcache_ext.h"
#include "ditto_int.h"

/* Entries fetched from the store per readdir batch. */
#define DITTO_READDIR_BATCH 64

static object_file_type_t fsal_type(enum ds_type t)
{
	switch (t) {
	case DS_REG:
		return REGULAR_FILE;
	case DS_DIR:
		return DIRECTORY;
	case DS_LNK:
		return SYMBOLIC_LINK;
	case DS_FIFO:
		return FIFO_FILE;
	case DS_SOCK:
		return SOCKET_FILE;
	case DS_CHR:
		return CHARACTER_FILE;
	case DS_BLK:
		return BLOCK_FILE;
	}
	return NO_FILE_TYPE;
}

/* Consumes the caller's reference on ino. */
struct ditto_handle *ditto_new_handle(struct ditto_export *exp,
				      struct ds_inode *ino)
{
	struct ditto_handle *h = gsh_calloc(1, sizeof(*h));
	object_file_type_t type = fsal_type(ds_type_of(ino));

	h->exp = exp;
	h->ino = ino;
	ditto_wire_encode(&h->wire, &(struct ditto_wire_id){
		.export_id = exp->export_id,
		.generation = ds_generation(ino),
		.fileid = ds_fileid(ino) });
	fsal_obj_handle_init(&h->obj_handle, &exp->export, type, false);
	h->obj_handle.obj_ops = &DITTO.handle_ops;
	h->obj_handle.fileid = ds_fileid(ino);
	h->obj_handle.fsid.major = DITTO_FSID_MAJOR;
	h->obj_handle.fsid.minor = exp->export_id;
	if (type == REGULAR_FILE)
		init_fsal_fd(&h->fd.fsal_fd, FSAL_FD_GLOBAL, &exp->export);
	ditto_upcall_track(h, true);
	return h;
}

void ditto_fill_attrs(struct ditto_export *exp, const struct ds_attr *a,
		      struct fsal_attrlist *out)
{
	out->valid_mask = DITTO_SUPPORTED_ATTRS & ~ATTR4_XATTR;
	out->supported = DITTO_SUPPORTED_ATTRS;
	out->type = fsal_type(a->type);
	out->filesize = a->size;
	out->fsid.major = DITTO_FSID_MAJOR;
	out->fsid.minor = exp->export_id;
	out->fileid = a->fileid;
	out->mode = a->mode;
	out->numlinks = a->nlink;
	out->owner = a->uid;
	out->group = a->gid;
	out->rawdev.major = a->rdev_major;
	out->rawdev.minor = a->rdev_minor;
	out->atime = a->atime;
	out->mtime = a->mtime;
	out->ctime = a->ctime;
	out->creation = a->btime;
	out->change = a->change;
	out->spaceused = a->space_used;
}

static fsal_status_t attrs_or_err(struct ditto_handle *h, int rc,
				  const struct ds_attr *a,
				  struct fsal_attrlist *out)
{
	if (rc) {
		if (out && (out->request_mask & ATTR_RDATTR_ERR))
			out->valid_mask = ATTR_RDATTR_ERR;
		return ditto_err(rc);
	}
	if (out)
		ditto_fill_attrs(h->exp, a, out);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

fsal_status_t ditto_getattrs(struct fsal_obj_handle *obj,
			     struct fsal_attrlist *out)
{
	struct ditto_handle *h = ditto_h(obj);
	struct ds_attr a;

	return attrs_or_err(h, ds_getattr(h->ino, &a), &a, out);
}

/* Optional pre/post directory attributes for the caller. */
static void fill_opt(struct ditto_handle *dir, const struct ds_attr *a,
		     struct fsal_attrlist *out)
{
	if (out)
		ditto_fill_attrs(dir->exp, a, out);
}

static fsal_status_t ditto_lookup(struct fsal_obj_handle *parent,
				  const char *path,
				  struct fsal_obj_handle **handle,
				  struct fsal_attrlist *attrs_out)
{
	struct ditto_export *exp = ditto_exp(op_ctx->fsal_export);
	struct ds_inode *ino;
	struct ditto_handle *h;
	struct ds_attr a;
	int rc;

	rc = ds_lookup(ditto_h(parent)->ino, path, &ino);
	if (rc)
		return ditto_err(rc);
	h = ditto_new_handle(exp, ino);
	if (attrs_out) {
		rc = ds_getattr(ino, &a);
		if (rc) {
			parent->obj_ops->release(&h->obj_handle);
			return ditto_err(rc == -ESTALE ? -ENOENT : rc);
		}
		ditto_fill_attrs(exp, &a, attrs_out);
	}
	*handle = &h->obj_handle;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static void put_batch(struct ds_dirent *ents, unsigned int from,
		      unsigned int n)
{
	for (; from < n; from++)
		ds_put(ents[from].ino);
}

#ifdef FSAL_HAS_DIRENT_POSITION
/* Cookies name one entry for its life (store/dir.c): tell where it is. */
static fsal_status_t ditto_dirent_position(struct fsal_obj_handle *dir_hdl,
					   const char *name,
					   struct fsal_dirent_pos *pos)
{
	struct ds_dirpos dp;
	int rc = ds_dir_position(ditto_h(dir_hdl)->ino, name, &dp);

	if (rc)
		return ditto_err(rc);
	pos->cookie = dp.cookie;
	pos->has_prev = dp.has_prev;
	pos->prev_cookie = dp.prev_cookie;
	_Static_assert(sizeof(pos->prev_name) >= sizeof(dp.prev_name),
		       "entry names fit");
	memcpy(pos->prev_name, dp.prev_name, sizeof(dp.prev_name));
	pos->last = dp.last;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}
#endif

static fsal_status_t ditto_readdir(struct fsal_obj_handle *dir_hdl,
				   fsal_cookie_t *whence, void *dir_state,
				   fsal_readdir_cb cb, attrmask_t attrmask,
				   bool *eof)
{
	struct ditto_export *exp = ditto_exp(op_ctx->fsal_export);
	struct ds_inode *dir = ditto_h(dir_hdl)->ino;
	struct ds_dirent *ents;
	uint64_t cookie = whence ? *whence : 0;
	/* Like FSAL_MEM: bound readahead to what mdcache will keep. */
	unsigned int limit = 2 * mdcache_param.dir.avl_chunk, count = 0;
	fsal_status_t status = fsalstat(ERR_FSAL_NO_ERROR, 0);
	bool done = false;

	*eof = false;
	if (limit == 0)
		limit = UINT_MAX;
	ents = gsh_malloc(DITTO_READDIR_BATCH * sizeof(*ents));
	while (!done) {
		unsigned int n, i;
		bool batch_eof;
		int rc = ds_readdir(dir, cookie, ents, DITTO_READDIR_BATCH,
				    &n, &batch_eof);

		if (rc) {
			status = ditto_err(rc);
			break;
		}
		for (i = 0; i < n; i++) {
			struct fsal_attrlist attrs;
			struct ditto_handle *h;
			enum fsal_dir_result res;
			struct ds_attr a;

			if (count >= limit) {
				put_batch(ents, i, n);
				done = true;
				break;
			}
			cookie = ents[i].cookie;
			if (ds_getattr(ents[i].ino, &a)) {
				/* removed since the batch was taken */
				ds_put(ents[i].ino);
				continue;
			}
			h = ditto_new_handle(exp, ents[i].ino);
			fsal_prepare_attrs(&attrs, attrmask);
			ditto_fill_attrs(exp, &a, &attrs);
			res = cb(ents[i].name, &h->obj_handle, &attrs,
				 dir_state, ents[i].cookie);
			fsal_release_attrs(&attrs);
			count++;
			if (res >= DIR_TERMINATE) {
				put_batch(ents, i + 1, n);
				done = true;
				break;
			}
		}
		if (!done && batch_eof) {
			*eof = true;
			done = true;
		}
	}
	gsh_free(ents);
	return status;
}

static void new_from_attrs(struct ds_new *nw, enum ds_type type,
			   struct fsal_attrlist *attrs)
{
	memset(nw, 0, sizeof(*nw));
	nw->type = type;
	nw->mode = (attrs && FSAL_TEST_MASK(attrs->valid_mask, ATTR_MODE)) ?
			   attrs->mode :
			   (type == DS_DIR ? 0755 : 0644);
	nw->mode &= ~op_ctx->fsal_export->exp_ops.fs_umask(
		op_ctx->fsal_export);
	nw->uid = (attrs && FSAL_TEST_MASK(attrs->valid_mask, ATTR_OWNER)) ?
			  attrs->owner :
			  op_ctx->creds.caller_uid;
	nw->gid_set = attrs && FSAL_TEST_MASK(attrs->valid_mask, ATTR_GROUP);
	nw->gid = nw->gid_set ? attrs->group : op_ctx->creds.caller_gid;
	if (attrs && FSAL_TEST_MASK(attrs->valid_mask, ATTR_RAWDEV)) {
		nw->rdev_major = attrs->rawdev.major;
		nw->rdev_minor = attrs->rawdev.minor;
	}
}

/* Applies the part of set in mask to h, as cr (NULL: unchecked). */
fsal_status_t ditto_apply_set(struct ditto_handle *h,
			      struct fsal_attrlist *set, attrmask_t mask,
			      const struct ds_cred *cr)
{
	struct ds_set s = { 0 };
	attrmask_t m = set->valid_mask & mask;

	if (m & ATTR_MODE) {
		s.mask |= DS_SET_MODE;
		s.mode = set->mode & ~op_ctx->fsal_export->exp_ops.fs_umask(
						op_ctx->fsal_export);
	}
	if (m & ATTR_OWNER) {
		s.mask |= DS_SET_UID;
		s.uid = set->owner;
	}
	if (m & ATTR_GROUP) {
		s.mask |= DS_SET_GID;
		s.gid = set->group;
	}
	if (m & ATTR_SIZE) {
		s.mask |= DS_SET_SIZE;
		s.size = set->filesize;
	}
	if (m & ATTR_ATIME_SERVER) {
		s.mask |= DS_SET_ATIME_NOW;
	} else if (m & ATTR_ATIME) {
		s.mask |= DS_SET_ATIME;
		s.atime = set->atime;
	}
	if (m & ATTR_MTIME_SERVER) {
		s.mask |= DS_SET_MTIME_NOW;
	} else if (m & ATTR_MTIME) {
		s.mask |= DS_SET_MTIME;
		s.mtime = set->mtime;
	}
	if (m & ATTR_CREATION) {
		s.mask |= DS_SET_BTIME;
		s.btime = set->creation;
	}
	if (!s.mask)
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	return ditto_err(ds_setattr(h->ino, &s, cr, NULL));
}

static fsal_status_t create_common(struct fsal_obj_handle *dir_hdl,
				   const char *name, struct ds_new *nw,
				   struct fsal_attrlist *attrs_in,
				   struct fsal_obj_handle **new_obj,
				   struct fsal_attrlist *attrs_out,
				   struct fsal_attrlist *pre,
				   struct fsal_attrlist *post)
{
	struct ditto_export *exp = ditto_exp(op_ctx->fsal_export);
	struct ditto_handle *dir = ditto_h(dir_hdl), *h;
	struct ds_attr dpre, dpost, a;
	struct ds_inode *ino;
	struct ds_cred cr;
	fsal_status_t st;
	int rc;

	*new_obj = NULL;
	rc = ds_create(dir->ino, name, nw, ditto_cred(&cr), &ino, &dpre,
		       &dpost);
	if (rc)
		return ditto_err(rc);
	fill_opt(dir, &dpre, pre);
	fill_opt(dir, &dpost, post);
	h = ditto_new_handle(exp, ino);
	if (attrs_in) {
		/* mode/owner/group were applied by the create itself, and
		 * the rest is the creator's to set
		 */
		st = ditto_apply_set(h, attrs_in,
				     ATTRS_SET_TIME | ATTR_CREATION |
					     (nw->type == DS_REG ? ATTR_SIZE :
								   0),
				     NULL);
		if (FSAL_IS_ERROR(st)) {
			dir_hdl->obj_ops->release(&h->obj_handle);
			ds_unlink(dir->ino, name, NULL, NULL, NULL);
			return st;
		}
	}
	*new_obj = &h->obj_handle;
	if (attrs_out) {
		rc = ds_getattr(ino, &a);
		return attrs_or_err(h, rc, &a, attrs_out);
	}
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static fsal_status_t ditto_mkdir(struct fsal_obj_handle *dir_hdl,
				 const char *name,
				 struct fsal_attrlist *attrs_in,
				 struct fsal_obj_handle **new_obj,
				 struct fsal_attrlist *attrs_out,
				 struct fsal_attrlist *pre,
				 struct fsal_attrlist *post)
{
	struct ds_new nw;

	new_from_attrs(&nw, DS_DIR, attrs_in);
	return create_common(dir_hdl, name, &nw, attrs_in, new_obj, attrs_out,
			     pre, post);
}

static fsal_status_t ditto_mknode(struct fsal_obj_handle *dir_hdl,
				  const char *name,
				  object_file_type_t nodetype,
				  struct fsal_attrlist *attrs_in,
				  struct fsal_obj_handle **new_obj,
				  struct fsal_attrlist *attrs_out,
				  struct fsal_attrlist *pre,
				  struct fsal_attrlist *post)
{
	enum ds_type t;
	struct ds_new nw;

	switch (nodetype) {
	case CHARACTER_FILE:
		t = DS_CHR;
		break;
	case BLOCK_FILE:
		t = DS_BLK;
		break;
	case SOCKET_FILE:
		t = DS_SOCK;
		break;
	case FIFO_FILE:
		t = DS_FIFO;
		break;
	default:
		return fsalstat(ERR_FSAL_BADTYPE, 0);
	}
	new_from_attrs(&nw, t, attrs_in);
	return create_common(dir_hdl, name, &nw, attrs_in, new_obj, attrs_out,
			     pre, post);
}

static fsal_status_t ditto_symlink(struct fsal_obj_handle *dir_hdl,
				   const char *name, const char *link_path,
				   struct fsal_attrlist *attrs_in,
				   struct fsal_obj_handle **new_obj,
				   struct fsal_attrlist *attrs_out,
				   struct fsal_attrlist *pre,
				   struct fsal_attrlist *post)
{
	struct ds_new nw;

	new_from_attrs(&nw, DS_LNK, attrs_in);
	if (!(attrs_in && FSAL_TEST_MASK(attrs_in->valid_mask, ATTR_MODE)))
		nw.mode = 0777;
	nw.target = link_path;
	return create_common(dir_hdl, name, &nw, attrs_in, new_obj, attrs_out,
			     pre, post);
}

static fsal_status_t ditto_readlink(struct fsal_obj_handle *obj,
				    struct gsh_buffdesc *link_content,
				    bool refresh)
{
	char *buf = gsh_malloc(DS_SYMLINK_MAX + 1);
	size_t len;
	int rc = ds_readlink(ditto_h(obj)->ino, buf, DS_SYMLINK_MAX + 1, &len);

	if (rc) {
		gsh_free(buf);
		return ditto_err(rc);
	}
	link_content->addr = buf;
	link_content->len = len + 1;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static fsal_status_t ditto_setattr2(struct fsal_obj_handle *obj, bool bypass,
				    struct state_t *state,
				    struct fsal_attrlist *set)
{
	struct ditto_handle *h = ditto_h(obj);
	struct ditto_fd temp_fd = { 0 };
	struct fsal_fd *out_fd;
	fsal_status_t st, st2;
	struct ds_cred cr;

	if (FSAL_TEST_MASK(set->valid_mask, ATTR_ACL))
		return fsalstat(ERR_FSAL_ATTRNOTSUPP, 0);
	if (!FSAL_TEST_MASK(set->valid_mask, ATTR_SIZE))
		return ditto_apply_set(h, set, ~(attrmask_t)0,
				       ditto_cred(&cr));
	if (obj->type != REGULAR_FILE)
		return fsalstat(obj->type == DIRECTORY ? ERR_FSAL_ISDIR :
							 ERR_FSAL_INVAL,
				0);

	/* Truncate needs write access that respects share reservations. */
	init_fsal_fd(&temp_fd.fsal_fd, FSAL_FD_TEMP, op_ctx->fsal_export);
	st = fsal_start_io(&out_fd, obj, &h->fd.fsal_fd, &temp_fd.fsal_fd,
			   state, FSAL_O_WRITE, false, NULL, bypass, &h->share);
	if (FSAL_IS_ERROR(st))
		goto out;
	st = ditto_apply_set(h, set, ~(attrmask_t)0, ditto_cred(&cr));
	st2 = fsal_complete_io(obj, out_fd);
	if (FSAL_IS_ERROR(st2))
		LogDebug(COMPONENT_FSAL, "fsal_complete_io: %s",
			 fsal_err_txt(st2));
	if (state == NULL)
		update_share_counters_locked(obj, &h->share, FSAL_O_WRITE,
					     FSAL_O_CLOSED);
out:
	destroy_fsal_fd(&temp_fd.fsal_fd);
	return st;
}

static fsal_status_t ditto_link(struct fsal_obj_handle *obj,
				struct fsal_obj_handle *dir_hdl,
				const char *name, struct fsal_attrlist *pre,
				struct fsal_attrlist *post)
{
	struct ditto_handle *dir = ditto_h(dir_hdl);
	struct ds_attr dpre, dpost;
	struct ds_cred cr;
	int rc = ds_link(ditto_h(obj)->ino, dir->ino, name, ditto_cred(&cr),
			 &dpre, &dpost);

	if (rc)
		return ditto_err(rc);
	fill_opt(dir, &dpre, pre);
	fill_opt(dir, &dpost, post);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static fsal_status_t ditto_unlink(struct fsal_obj_handle *dir_hdl,
				  struct fsal_obj_handle *obj,
				  const char *name, struct fsal_attrlist *pre,
				  struct fsal_attrlist *post)
{
	struct ditto_handle *dir = ditto_h(dir_hdl);
	struct ds_attr dpre, dpost;
	struct ds_cred cr;
	int rc = ds_unlink(dir->ino, name, ditto_cred(&cr), &dpre, &dpost);

	if (rc)
		return ditto_err(rc);
	fill_opt(dir, &dpre, pre);
	fill_opt(dir, &dpost, post);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static fsal_status_t ditto_rename(struct fsal_obj_handle *obj,
				  struct fsal_obj_handle *olddir_hdl,
				  const char *old_name,
				  struct fsal_obj_handle *newdir_hdl,
				  const char *new_name,
				  struct fsal_attrlist *opre,
				  struct fsal_attrlist *opost,
				  struct fsal_attrlist *npre,
				  struct fsal_attrlist *npost)
{
	struct ditto_handle *od = ditto_h(olddir_hdl);
	struct ditto_handle *nd = ditto_h(newdir_hdl);
	struct ds_attr a[4];
	struct ds_cred cr;
	int rc = ds_rename(od->ino, old_name, nd->ino, new_name,
			   ditto_cred(&cr), &a[0], &a[1], &a[2], &a[3]);

	if (rc)
		return ditto_err(rc);
	fill_opt(od, &a[0], opre);
	fill_opt(od, &a[1], opost);
	fill_opt(nd, &a[2], npre);
	fill_opt(nd, &a[3], npost);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static fsal_status_t ditto_handle_to_wire(const struct fsal_obj_handle *obj,
					  fsal_digesttype_t output_type,
					  struct gsh_buffdesc *fh_desc)
{
	const struct ditto_handle *h =
		container_of(obj, const struct ditto_handle, obj_handle);

	switch (output_type) {
	case FSAL_DIGEST_NFSV3:
	case FSAL_DIGEST_NFSV4:
		if (fh_desc->len < sizeof(h->wire))
			return fsalstat(ERR_FSAL_TOOSMALL, 0);
		memcpy(fh_desc->addr, &h->wire, sizeof(h->wire));
		fh_desc->len = sizeof(h->wire);
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	default:
		return fsalstat(ERR_FSAL_SERVERFAULT, 0);
	}
}

static void ditto_handle_to_key(struct fsal_obj_handle *obj,
				struct gsh_buffdesc *fh_desc)
{
	struct ditto_handle *h = ditto_h(obj);

	fh_desc->addr = &h->wire;
	fh_desc->len = sizeof(h->wire);
}

static void ditto_release(struct fsal_obj_handle *obj)
{
	struct ditto_handle *h = ditto_h(obj);

	if (obj->type == REGULAR_FILE) {
		fsal_status_t st = close_fsal_fd(obj, &h->fd.fsal_fd, false);

		if (FSAL_IS_ERROR(st) && st.major != ERR_FSAL_NOT_OPENED)
			LogCrit(COMPONENT_FSAL, "could not close %p: %s", obj,
				fsal_err_txt(st));
		destroy_fsal_fd(&h->fd.fsal_fd);
	}
	ditto_upcall_track(h, false);
	fsal_obj_handle_fini(obj, false);
	ds_put(h->ino);
	gsh_free(h);
}

static fsal_status_t ditto_merge(struct fsal_obj_handle *orig_hdl,
				 struct fsal_obj_handle *dupe_hdl)
{
	if (orig_hdl == dupe_hdl || orig_hdl->type != REGULAR_FILE ||
	    dupe_hdl->type != REGULAR_FILE)
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	return merge_share(orig_hdl, &ditto_h(orig_hdl)->share,
			   &ditto_h(dupe_hdl)->share);
}

void ditto_handle_ops_init(struct fsal_obj_ops *ops)
{
	fsal_default_obj_ops_init(ops);
	ops->release = ditto_release;
	ops->merge = ditto_merge;
	ops->lookup = ditto_lookup;
	ops->readdir = ditto_readdir;
#ifdef FSAL_HAS_DIRENT_POSITION
	ops->dirent_position = ditto_dirent_position;
#endif
	ops->mkdir = ditto_mkdir;
	ops->mknode = ditto_mknode;
	ops->symlink = ditto_symlink;
	ops->readlink = ditto_readlink;
	ops->getattrs = ditto_getattrs;
	ops->setattr2 = ditto_setattr2;
	ops->link = ditto_link;
	ops->rename = ditto_rename;
	ops->unlink = ditto_unlink;
	ops->handle_to_wire = ditto_handle_to_wire;
	ops->handle_to_key = ditto_handle_to_key;
	ditto_file_ops_init(ops);
	ditto_xattr_ops_init(ops);
	ditto_lock_ops_init(ops);
}

fsal_status_t ditto_lookup_path(struct fsal_export *exp_hdl, const char *path,
				struct fsal_obj_handle **handle,
				struct fsal_attrlist *attrs_out)
{
	struct ditto_export *exp = ditto_exp(exp_hdl);
	struct ds_inode *root;
	struct ditto_handle *h;
	struct ds_attr a;

	/* The store has no path below the export root to resolve. */
	if (strcmp(path, exp->export_path) != 0) {
		LogDebug(COMPONENT_FSAL,
			 "DITTO: lookup_path %s is not the root %s", path,
			 exp->export_path);
		return fsalstat(ERR_FSAL_NOENT, ENOENT);
	}
	root = ds_root(exp->store);
	h = ditto_new_handle(exp, root);
	if (attrs_out) {
		ds_getattr(root, &a);
		ditto_fill_attrs(exp, &a, attrs_out);
	}
	*handle = &h->obj_handle;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

fsal_status_t ditto_create_handle(struct fsal_export *exp_hdl,
				  struct gsh_buffdesc *hdl_desc,
				  struct fsal_obj_handle **handle,
				  struct fsal_attrlist *attrs_out)
{
	struct ditto_export *exp = ditto_exp(exp_hdl);
	struct ditto_wire_id id;
	struct ds_inode *ino;
	struct ditto_handle *h;
	struct ds_attr a;
	int rc;

	*handle = NULL;
	if (ditto_wire_decode(hdl_desc->addr, hdl_desc->len, &id))
		return fsalstat(ERR_FSAL_BADHANDLE, 0);
	if (id.export_id != exp->export_id)
		return fsalstat(ERR_FSAL_STALE, ESTALE);
	rc = ds_find(exp->store, id.fileid, id.generation, &ino);
	if (rc)
		return ditto_err(rc);
	h = ditto_new_handle(exp, ino);
	if (attrs_out) {
		rc = ds_getattr(ino, &a);
		if (rc) {
			ditto_release(&h->obj_handle);
			return ditto_err(rc);
		}
		ditto_fill_attrs(exp, &a, attrs_out);
	}
	*handle = &h->obj_handle;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

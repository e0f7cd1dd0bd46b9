/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * FSAL_DITTO internals: the glue between Ganesha's FSAL ops tables and
 * the Ganesha-free store in store/.
 */
#ifndef DITTO_INT_H
#define DITTO_INT_H

#include "fsal.h"
#include "fsal_types.h"
#include "fsal_api.h"
#include "FSAL/fsal_commonlib.h"

#include "ditto_store.h"
#include "wire.h"

#define DITTO_NAME "DITTO"
/* fsid.major of every ditto export; fsid.minor is the export id. */
#define DITTO_FSID_MAJOR 0x6469746fULL

#define DITTO_SUPPORTED_ATTRS (ATTRS_POSIX | ATTR_CREATION | ATTR4_XATTR)

struct ditto_fsal_module {
	struct fsal_module fsal;
	struct fsal_obj_ops handle_ops;
};

extern struct ditto_fsal_module DITTO;

enum ditto_store_kind {
	DITTO_STORE_MEMORY,
	DITTO_STORE_LMDB,
	DITTO_STORE_POSTGRES,
};

/* Per-export FSAL block; see ganesha-conf/ditto-example.conf. */
struct ditto_export_cfg {
	uint64_t max_bytes;
	uint64_t max_files;
	uint64_t max_file_size;
	uint32_t block_size;
	uint32_t store;		/* enum ditto_store_kind */
	char *path;		/* Store = lmdb: its directory */
	uint64_t map_size;	/* Store = lmdb: 0 = derived from the above */
	char *conninfo;		/* Store = postgres: libpq connection string */
};

struct ditto_export {
	struct fsal_export export;
	struct ditto_export_cfg cfg;
	struct ds_store *store;
	uint16_t export_id;
	char *export_path;
	/* Other heads' changes into MDCACHE (upcall.c); postgres only. */
	pthread_mutex_t up_lock;	/* held across one hook's up-calls */
	bool up_closed;			/* under up_lock: unexporting */
	bool tracks_handles;
	pthread_mutex_t handles_lock;	/* leaf */
	unsigned int up_pending;	/* parent drops queued: handles_lock */
	pthread_cond_t up_idle;		/* up_pending fell to 0 */
	struct glist_head handles;	/* live ditto_handles (MDCACHE's) */
	size_t nhandles;
};


/* An fsal_fd that also holds one store open (keeps unlinked data). */
struct ditto_fd {
	struct fsal_fd fsal_fd;
	bool counted;
};

struct ditto_state_fd {
	/* state MUST be first to use the default free_state */
	struct state_t state;
	struct ditto_fd fd;
};

struct ditto_handle {
	struct fsal_obj_handle obj_handle;
	struct ditto_export *exp;
	struct ds_inode *ino;
	struct ditto_wire wire;
	struct glist_head node;	/* in exp->handles (upcall.c) */
	/* regular files only */
	struct fsal_share share;
	struct ditto_fd fd;
};

static inline struct ditto_handle *ditto_h(struct fsal_obj_handle *obj)
{
	return container_of(obj, struct ditto_handle, obj_handle);
}

static inline struct ditto_export *ditto_exp(struct fsal_export *exp)
{
	return container_of(exp, struct ditto_export, export);
}

/* Store errno (negative) to FSAL status. */
fsal_status_t ditto_err(int rc);

/* handle.c */
void ditto_handle_ops_init(struct fsal_obj_ops *ops);
struct ditto_handle *ditto_new_handle(struct ditto_export *exp,
				      struct ds_inode *ino);
void ditto_fill_attrs(struct ditto_export *exp, const struct ds_attr *a,
		      struct fsal_attrlist *out);
fsal_status_t ditto_getattrs(struct fsal_obj_handle *obj,
			     struct fsal_attrlist *out);
fsal_status_t ditto_lookup_path(struct fsal_export *exp_hdl, const char *path,
				struct fsal_obj_handle **handle,
				struct fsal_attrlist *attrs_out);
fsal_status_t ditto_create_handle(struct fsal_export *exp_hdl,
				  struct gsh_buffdesc *hdl_desc,
				  struct fsal_obj_handle **handle,
				  struct fsal_attrlist *attrs_out);
fsal_status_t ditto_apply_set(struct ditto_handle *h,
			      struct fsal_attrlist *set, attrmask_t mask,
			      const struct ds_cred *cr);

/* file.c */
void ditto_file_ops_init(struct fsal_obj_ops *ops);
fsal_status_t ditto_close_func(struct fsal_obj_handle *obj,
			       struct fsal_fd *fd);

/* upcall.c */
void ditto_upcall_init(struct ditto_export *exp);
void ditto_upcall_close(struct ditto_export *exp);
void ditto_upcall_fini(struct ditto_export *exp);
void ditto_upcall_track(struct ditto_handle *h, bool live);

/* xattr.c */
void ditto_xattr_ops_init(struct fsal_obj_ops *ops);

/* lock.c */
void ditto_lock_ops_init(struct fsal_obj_ops *ops);

/* export.c */
fsal_status_t ditto_create_export(struct fsal_module *fsal_hdl,
				  void *parse_node,
				  struct config_error_type *err_type,
				  const struct fsal_up_vector *up_ops);
fsal_status_t ditto_update_export(struct fsal_module *fsal_hdl,
				  void *parse_node,
				  struct config_error_type *err_type,
				  struct fsal_export *original,
				  struct fsal_module *updated_super);

/*
 * The request's caller (after squashing) for the store's permission
 * checks (store/perm.c); c must live as long as the call it is for.
 */
static inline const struct ds_cred *ditto_cred(struct ds_cred *c)
{
	_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "32-bit gids");
	c->uid = op_ctx->creds.caller_uid;
	c->gid = op_ctx->creds.caller_gid;
	c->ngroups = op_ctx->creds.caller_glen;
	c->groups = (const uint32_t *)op_ctx->creds.caller_garray;
	return c;
}

#endif /* DITTO_INT_H */

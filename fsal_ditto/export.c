// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * FSAL_DITTO exports: each export owns one store, i.e. one separate
 * filesystem with its own fsid and capacity.  The export's FSAL block
 * carries the store's configuration.
 */
#include "config.h"

#include <errno.h>
#include <endian.h>

#include "fsal.h"
#include "fsal_convert.h"
#include "FSAL/fsal_config.h"
#include "nfs_exports.h"
#include "export_mgr.h"
#include "ditto_int.h"

#define KIB 1024ULL
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define TIB (1024 * GIB)

static void ditto_release_export(struct fsal_export *exp_hdl)
{
	struct ditto_export *exp = ditto_exp(exp_hdl);

	fsal_detach_export(exp_hdl->fsal, &exp_hdl->exports);
	free_export_ops(exp_hdl);
	if (exp->store)
		ds_store_free(exp->store);
	gsh_free(exp->export_path);
	gsh_free(exp);
}

static fsal_status_t ditto_get_dynamic_info(struct fsal_export *exp_hdl,
					    struct fsal_obj_handle *obj_hdl,
					    fsal_dynamicfsinfo_t *info)
{
	struct ds_statfs sf;

	ds_statfs(ditto_exp(exp_hdl)->store, &sf);
	info->total_bytes = sf.total_bytes;
	info->free_bytes = sf.free_bytes;
	info->avail_bytes = sf.free_bytes;
	info->total_files = sf.total_files;
	info->free_files = sf.free_files;
	info->avail_files = sf.free_files;
	info->maxread = FSAL_MAXIOSIZE;
	info->maxwrite = FSAL_MAXIOSIZE;
	info->time_delta.tv_sec = 0;
	info->time_delta.tv_nsec = 1;	/* nanosecond timestamps */
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static uint64_t ditto_fs_maxfilesize(struct fsal_export *exp_hdl)
{
	return ditto_exp(exp_hdl)->cfg.max_file_size;
}

/* Handles are self-describing and fixed-size; only validate them. */
static fsal_status_t ditto_wire_to_host(struct fsal_export *exp_hdl,
					fsal_digesttype_t in_type,
					struct gsh_buffdesc *fh_desc, int flags)
{
	const struct ditto_wire *w = fh_desc->addr;

	if (fh_desc->len != sizeof(struct ditto_wire) ||
	    w->version != DITTO_WIRE_VERSION) {
		LogDebug(COMPONENT_FSAL, "bad DITTO handle (len %zu)",
			 fh_desc->len);
		return fsalstat(ERR_FSAL_BADHANDLE, 0);
	}
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static void ditto_free_state(struct state_t *state)
{
	struct ditto_state_fd *sfd =
		container_of(state, struct ditto_state_fd, state);

	destroy_fsal_fd(&sfd->fd.fsal_fd);
	gsh_free(sfd);
}

static struct state_t *ditto_alloc_state(struct fsal_export *exp_hdl,
					 enum state_type state_type,
					 struct state_t *related_state)
{
	struct ditto_state_fd *sfd = gsh_calloc(1, sizeof(*sfd));
	struct state_t *state;

	state = init_state(&sfd->state, ditto_free_state, state_type,
			   related_state);
	init_fsal_fd(&sfd->fd.fsal_fd, FSAL_FD_STATE, op_ctx->fsal_export);
	return state;
}

static void ditto_get_fsal_obj_hdl(struct fsal_export *exp_hdl,
				   struct fsal_fd *fd,
				   struct fsal_obj_handle **handle)
{
	struct ditto_handle *h = container_of(fd, struct ditto_handle,
					      fd.fsal_fd);

	*handle = &h->obj_handle;
}

static void ditto_export_ops_init(struct export_ops *ops)
{
	ops->release = ditto_release_export;
	ops->lookup_path = ditto_lookup_path;
	ops->wire_to_host = ditto_wire_to_host;
	ops->create_handle = ditto_create_handle;
	ops->get_fs_dynamic_info = ditto_get_dynamic_info;
	ops->fs_maxfilesize = ditto_fs_maxfilesize;
	ops->alloc_state = ditto_alloc_state;
	ops->get_fsal_obj_hdl = ditto_get_fsal_obj_hdl;
}

/* Range checks here; cross-field checks (power of two...) in commit. */
static struct config_item ditto_export_params[] = {
	CONF_ITEM_NOOP("name"),
	CONF_ITEM_UI64("Max_Bytes", MIB, 1ULL << 50, 4 * GIB,
		       ditto_export_cfg, max_bytes),
	CONF_ITEM_UI64("Max_Files", 16, 1ULL << 32, 1000000,
		       ditto_export_cfg, max_files),
	CONF_ITEM_UI32("Block_Size", 4 * KIB, 16 * MIB, 64 * KIB,
		       ditto_export_cfg, block_size),
	CONF_ITEM_UI64("Max_File_Size", 64 * KIB, 1ULL << 60, TIB,
		       ditto_export_cfg, max_file_size),
	CONFIG_EOL
};

static int ditto_export_commit(void *node, void *link_mem, void *self_struct,
			       struct config_error_type *err_type)
{
	struct ditto_export_cfg *cfg = self_struct;
	int errors = 0;

	if (cfg->block_size & (cfg->block_size - 1)) {
		LogCrit(COMPONENT_CONFIG,
			"DITTO: Block_Size %" PRIu32
			" is not a power of two",
			cfg->block_size);
		errors++;
	}
	if (cfg->max_file_size < cfg->block_size) {
		LogCrit(COMPONENT_CONFIG,
			"DITTO: Max_File_Size %" PRIu64
			" is smaller than Block_Size %" PRIu32,
			cfg->max_file_size, cfg->block_size);
		errors++;
	}
	if (cfg->max_bytes < cfg->block_size) {
		LogCrit(COMPONENT_CONFIG,
			"DITTO: Max_Bytes %" PRIu64
			" is smaller than Block_Size %" PRIu32,
			cfg->max_bytes, cfg->block_size);
		errors++;
	}
	if (errors)
		err_type->invalid = true;
	return errors;
}

static struct config_block ditto_export_param_block = {
	.dbus_interface_name = "org.ganesha.nfsd.config.fsal.ditto-export%d",
	.blk_desc.name = "FSAL",
	.blk_desc.type = CONFIG_BLOCK,
	.blk_desc.u.blk.init = noop_conf_init,
	.blk_desc.u.blk.params = ditto_export_params,
	.blk_desc.u.blk.commit = ditto_export_commit,
};

static int ditto_parse(void *parse_node, struct ditto_export_cfg *cfg,
		       struct config_error_type *err_type)
{
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = load_config_from_node(parse_node, &ditto_export_param_block, cfg,
				   true, err_type);
	if (rc != 0 || !config_error_is_harmless(err_type)) {
		LogCrit(COMPONENT_CONFIG,
			"DITTO: invalid FSAL block for export %s; export not loaded",
			op_ctx && op_ctx->ctx_export ? CTX_FULLPATH(op_ctx) :
						       "?");
		LogCrit(COMPONENT_CONFIG,
			"DITTO: valid: Max_Bytes 1048576..2^50, Max_Files 16..2^32, Block_Size 4096..16777216 (power of two), Max_File_Size 65536..2^60 (>= Block_Size)");
		return EINVAL;
	}
	return 0;
}

fsal_status_t ditto_create_export(struct fsal_module *fsal_hdl,
				  void *parse_node,
				  struct config_error_type *err_type,
				  const struct fsal_up_vector *up_ops)
{
	struct ditto_export *exp = gsh_calloc(1, sizeof(*exp));
	struct ds_config sc;
	int rc;

	fsal_export_init(&exp->export);
	ditto_export_ops_init(&exp->export.exp_ops);

	rc = ditto_parse(parse_node, &exp->cfg, err_type);
	if (rc)
		goto err_free;
	sc.max_bytes = exp->cfg.max_bytes;
	sc.max_files = exp->cfg.max_files;
	sc.max_file_size = exp->cfg.max_file_size;
	sc.block_size = exp->cfg.block_size;
	rc = -ds_store_new(&sc, &exp->store);
	if (rc) {
		LogCrit(COMPONENT_FSAL, "DITTO: cannot create store: %s",
			strerror(rc));
		goto err_free;
	}
	rc = fsal_attach_export(fsal_hdl, &exp->export.exports);
	if (rc) {
		LogMajor(COMPONENT_FSAL, "DITTO: could not attach export");
		goto err_store;
	}
	exp->export.fsal = fsal_hdl;
	exp->export.up_ops = up_ops;
	exp->export_id = op_ctx->ctx_export->export_id;
	exp->export_path = gsh_strdup(CTX_FULLPATH(op_ctx));
	op_ctx->fsal_export = &exp->export;

	LogInfo(COMPONENT_FSAL,
		"DITTO export %" PRIu16 " at %s: Max_Bytes=%" PRIu64
		" Max_Files=%" PRIu64 " Block_Size=%" PRIu32
		" Max_File_Size=%" PRIu64,
		exp->export_id, exp->export_path, exp->cfg.max_bytes,
		exp->cfg.max_files, exp->cfg.block_size,
		exp->cfg.max_file_size);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);

err_store:
	ds_store_free(exp->store);
err_free:
	free_export_ops(&exp->export);
	gsh_free(exp);
	return posix2fsal_status(rc);
}

/* The store is sized at creation; refuse changes rather than ignore them. */
fsal_status_t ditto_update_export(struct fsal_module *fsal_hdl,
				  void *parse_node,
				  struct config_error_type *err_type,
				  struct fsal_export *original,
				  struct fsal_module *updated_super)
{
	struct ditto_export *orig = ditto_exp(original);
	struct ditto_export_cfg cfg;
	fsal_status_t status;

	status = update_export(fsal_hdl, parse_node, err_type, original,
			       updated_super);
	if (FSAL_IS_ERROR(status))
		return status;
	if (ditto_parse(parse_node, &cfg, err_type))
		return posix2fsal_status(EINVAL);
	if (memcmp(&cfg, &orig->cfg, sizeof(cfg)) != 0) {
		LogCrit(COMPONENT_FSAL,
			"DITTO: export %" PRIu16
			" size settings cannot change without a restart",
			orig->export_id);
		err_type->invalid = true;
		return posix2fsal_status(EINVAL);
	}
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

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
	/* Stops the listener: no hook runs after it. */
	ditto_upcall_close(exp);
	if (exp->store)
		ds_store_free(exp->store);
	ditto_upcall_fini(exp);
	gsh_free(exp->cfg.path);
	gsh_free(exp->cfg.conninfo);
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
	struct ditto_wire_id id;

	if (ditto_wire_decode(fh_desc->addr, fh_desc->len, &id)) {
		LogDebug(COMPONENT_FSAL, "bad DITTO handle (len %zu)",
			 fh_desc->len);
		return fsalstat(ERR_FSAL_BADHANDLE, 0);
	}
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

/*
 * A durable store counts its boots: the verifier moves with every
 * restart, so clients resend UNSTABLE writes that a crash may have lost
 * (RFC 8881 §18.32.3).  A memory store uses Ganesha's boot verifier.
 */
static void (*boot_write_verifier)(struct fsal_export *exp_hdl,
				   struct gsh_buffdesc *verf_desc);

static void ditto_get_write_verifier(struct fsal_export *exp_hdl,
				     struct gsh_buffdesc *verf_desc)
{
	struct ds_store *st = ditto_exp(exp_hdl)->store;
	uint64_t v;

	if (!ds_store_is_durable(st)) {
		boot_write_verifier(exp_hdl, verf_desc);
		return;
	}
	v = htole64(ds_boot_count(st) << 16 ^ ditto_exp(exp_hdl)->export_id);
	memset(verf_desc->addr, 0, verf_desc->len);
	memcpy(verf_desc->addr, &v,
	       verf_desc->len < sizeof(v) ? verf_desc->len : sizeof(v));
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

/* Up-calls end before MDCACHE lets go of the export's entries. */
static void ditto_prepare_unexport(struct fsal_export *exp_hdl)
{
	ditto_upcall_close(ditto_exp(exp_hdl));
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
	ops->prepare_unexport = ditto_prepare_unexport;
	/* fsal_export_init left Ganesha's default here. */
	boot_write_verifier = ops->get_write_verifier;
	ops->get_write_verifier = ditto_get_write_verifier;
}

static struct config_item_list ditto_store_kinds[] = {
	CONFIG_LIST_TOK("memory", DITTO_STORE_MEMORY),
	CONFIG_LIST_TOK("lmdb", DITTO_STORE_LMDB),
	CONFIG_LIST_TOK("postgres", DITTO_STORE_POSTGRES),
	CONFIG_LIST_EOL
};

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
	CONF_ITEM_TOKEN("Store", DITTO_STORE_MEMORY, ditto_store_kinds,
			ditto_export_cfg, store),
	CONF_ITEM_PATH("Path", 1, MAXPATHLEN, NULL, ditto_export_cfg, path),
	CONF_ITEM_UI64("Map_Size", 0, 1ULL << 52, 0, ditto_export_cfg,
		       map_size),
	CONF_ITEM_STR("Conninfo", 1, 4096, NULL, ditto_export_cfg, conninfo),
	CONFIG_EOL
};

/* Store, Path, Map_Size and Conninfo together. */
static int ditto_store_commit(struct ditto_export_cfg *cfg)
{
	struct ds_config sc = {
		.max_bytes = cfg->max_bytes,
		.max_files = cfg->max_files,
		.max_file_size = cfg->max_file_size,
		.block_size = cfg->block_size,
	};

	if (cfg->store != DITTO_STORE_LMDB && (cfg->path || cfg->map_size)) {
		LogCrit(COMPONENT_CONFIG,
			"DITTO: Path and Map_Size are for Store = lmdb only");
		return 1;
	}
	if (cfg->store != DITTO_STORE_POSTGRES && cfg->conninfo) {
		LogCrit(COMPONENT_CONFIG,
			"DITTO: Conninfo is for Store = postgres only");
		return 1;
	}
	if (cfg->store == DITTO_STORE_MEMORY)
		return 0;
	if (cfg->store == DITTO_STORE_POSTGRES) {
		if (cfg->conninfo)
			return 0;
		LogCrit(COMPONENT_CONFIG,
			"DITTO: Store = postgres needs Conninfo, a libpq connection string");
		return 1;
	}
	if (!cfg->path || cfg->path[0] != '/') {
		LogCrit(COMPONENT_CONFIG,
			"DITTO: Store = lmdb needs Path, an absolute directory");
		return 1;
	}
	if (ds_config_check(&sc) == 0 && cfg->map_size &&
	    cfg->map_size < ds_durable_map_size(&sc)) {
		LogCrit(COMPONENT_CONFIG,
			"DITTO: Map_Size %" PRIu64
			" cannot hold Max_Bytes/Max_Files at this Block_Size; needs at least %"
			PRIu64 " (or leave it out)",
			cfg->map_size, ds_durable_map_size(&sc));
		return 1;
	}
	return 0;
}

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
	errors += ditto_store_commit(cfg);
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
			"DITTO: valid: Max_Bytes 1048576..2^50, Max_Files 16..2^32, Block_Size 4096..16777216 (power of two), Max_File_Size 65536..2^60 (>= Block_Size), Store memory|lmdb|postgres, Path (lmdb: absolute directory), Map_Size (lmdb), Conninfo (postgres: libpq connection string)");
		gsh_free(cfg->path);
		cfg->path = NULL;
		gsh_free(cfg->conninfo);
		cfg->conninfo = NULL;
		return EINVAL;
	}
	return 0;
}

/* Why a durable store would not open, in the operator's terms. */
static const char *open_error(int rc)
{
	switch (rc) {
	case ENOENT:
		return "its parent directory does not exist";
	case ENOTDIR:
		return "it is not a directory";
	case EACCES:
	case EPERM:
	case EROFS:
		return "no permission to create or write it";
	case EBUSY:
		return "another export or daemon has it open";
	case EXDEV:
		return "it was made with another Block_Size";
	case EILSEQ:
		return "it holds something that is not a ditto store, or a damaged one";
	case EPROTONOSUPPORT:
		return "it was made by a newer ditto";
	case EINVAL:
		return "Map_Size is too small";
	default:
		return strerror(rc);
	}
}

/* A postgres store: its errors say what went wrong in their own words. */
static int open_postgres(struct ditto_export_cfg *cfg, struct ds_config *sc,
			 struct ds_store **out)
{
	char err[512] = "";
	struct ds_durable dur = { .backend = DS_BACKEND_POSTGRES,
				  .conninfo = cfg->conninfo,
				  .err = err,
				  .errlen = sizeof(err) };
	int rc = -ds_store_open(sc, &dur, out);

	if (rc) {
		LogCrit(COMPONENT_FSAL,
			"DITTO: cannot open Store = postgres: %s (%s)",
			err[0] ? err : open_error(rc), strerror(rc));
		return rc;
	}
	LogEvent(COMPONENT_FSAL,
		 "DITTO: Store = postgres: boot %" PRIu64
		 ", %" PRIu64 " orphaned files freed",
		 ds_boot_count(*out), ds_orphans_freed(*out));
	return 0;
}

static int open_store(struct ditto_export_cfg *cfg, struct ds_config *sc,
		      struct ds_store **out)
{
	struct ds_durable dur = { .path = cfg->path,
				  .map_size = cfg->map_size };
	int rc;

	if (cfg->store == DITTO_STORE_POSTGRES)
		return open_postgres(cfg, sc, out);
	if (cfg->store == DITTO_STORE_MEMORY) {
		rc = -ds_store_new(sc, out);
		if (rc)
			LogCrit(COMPONENT_FSAL, "DITTO: cannot create store: %s",
				strerror(rc));
		return rc;
	}
	rc = -ds_store_open(sc, &dur, out);
	if (rc) {
		LogCrit(COMPONENT_FSAL, "DITTO: cannot open Store = lmdb at Path %s: %s",
			cfg->path, open_error(rc));
		return rc;
	}
	LogEvent(COMPONENT_FSAL,
		 "DITTO: Store = lmdb at %s: boot %" PRIu64
		 ", %" PRIu64 " orphaned files freed",
		 cfg->path, ds_boot_count(*out), ds_orphans_freed(*out));
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
	rc = open_store(&exp->cfg, &sc, &exp->store);
	if (rc)
		goto err_free;
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
	ditto_upcall_init(exp);

	LogInfo(COMPONENT_FSAL,
		"DITTO export %" PRIu16 " at %s: Store=%s Max_Bytes=%" PRIu64
		" Max_Files=%" PRIu64 " Block_Size=%" PRIu32
		" Max_File_Size=%" PRIu64,
		exp->export_id, exp->export_path,
		exp->cfg.store == DITTO_STORE_LMDB     ? "lmdb" :
		exp->cfg.store == DITTO_STORE_POSTGRES ? "postgres" :
							 "memory",
		exp->cfg.max_bytes, exp->cfg.max_files, exp->cfg.block_size,
		exp->cfg.max_file_size);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);

err_store:
	ds_store_free(exp->store);
err_free:
	free_export_ops(&exp->export);
	gsh_free(exp->cfg.path);
	gsh_free(exp->cfg.conninfo);
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
	bool same;

	status = update_export(fsal_hdl, parse_node, err_type, original,
			       updated_super);
	if (FSAL_IS_ERROR(status))
		return status;
	if (ditto_parse(parse_node, &cfg, err_type))
		return posix2fsal_status(EINVAL);
	same = cfg.max_bytes == orig->cfg.max_bytes &&
	       cfg.max_files == orig->cfg.max_files &&
	       cfg.max_file_size == orig->cfg.max_file_size &&
	       cfg.block_size == orig->cfg.block_size &&
	       cfg.store == orig->cfg.store &&
	       cfg.map_size == orig->cfg.map_size &&
	       !strcmp(cfg.path ? cfg.path : "",
		       orig->cfg.path ? orig->cfg.path : "") &&
	       !strcmp(cfg.conninfo ? cfg.conninfo : "",
		       orig->cfg.conninfo ? orig->cfg.conninfo : "");
	gsh_free(cfg.path);
	gsh_free(cfg.conninfo);
	if (!same) {
		LogCrit(COMPONENT_FSAL,
			"DITTO: export %" PRIu16
			" store settings cannot change without a restart",
			orig->export_id);
		err_type->invalid = true;
		return posix2fsal_status(EINVAL);
	}
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

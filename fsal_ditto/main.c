// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * FSAL_DITTO module: registration, static filesystem info, and the
 * error mapping shared by the glue.  All tunables are per export (see
 * export.c); the module itself has none.
 */
#include "config.h"

#include <errno.h>

#include "fsal.h"
#include "FSAL/fsal_init.h"
#include "fsal_convert.h"
#include "ditto_int.h"

struct ditto_fsal_module DITTO = {
	.fsal = {
		.fs_info = {
			.maxfilesize = UINT64_MAX,	/* per export, see
							 * fs_maxfilesize */
			.maxlink = UINT32_MAX,
			.maxnamelen = DS_NAME_MAX,
			.maxpathlen = MAXPATHLEN,
			.no_trunc = true,
			.chown_restricted = true,
			.case_insensitive = false,
			.case_preserving = true,
			.link_support = true,
			.symlink_support = true,
			.lock_support = true,
			.lock_support_async_block = false,
			.named_attr = false,
			.unique_handles = true,
			.acl_support = 0,
			.cansettime = true,
			.homogenous = true,
			.supported_attrs = DITTO_SUPPORTED_ATTRS,
			.maxread = FSAL_MAXIOSIZE,
			.maxwrite = FSAL_MAXIOSIZE,
			.umask = 0,
			.auth_exportpath_xdev = false,
			.delegations = FSAL_OPTION_FILE_DELEGATIONS,
			/* the store checks LINK (store/perm.c) */
			.link_supports_permission_checks = true,
			.readdir_plus = true,
			.xattr_support = true,
			.expire_time_parent = -1,
		},
	},
};

fsal_status_t ditto_err(int rc)
{
	int e = rc < 0 ? -rc : rc;

	switch (e) {
	case 0:
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	case ENODATA:
		return fsalstat(ERR_FSAL_NOXATTR, e);
	case E2BIG:
		return fsalstat(ERR_FSAL_XATTR2BIG, e);
	case EAGAIN:
		/* lock/lease conflict; SAL reads DELAY as a conflict */
		return fsalstat(ERR_FSAL_DELAY, e);
	case ENXIO:
		return fsalstat(ERR_FSAL_NXIO, e);
	default:
		return fsalstat(posix2fsal_error(e), e);
	}
}

static fsal_status_t ditto_init_config(struct fsal_module *fsal_hdl,
				       config_file_t config_struct,
				       struct config_error_type *err_type)
{
	display_fsinfo(fsal_hdl);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

MODULE_INIT void ditto_init(void)
{
	struct fsal_module *me = &DITTO.fsal;

	if (register_fsal(me, DITTO_NAME, FSAL_MAJOR_VERSION,
			  FSAL_MINOR_VERSION, FSAL_ID_NO_PNFS) != 0) {
		LogCrit(COMPONENT_FSAL, "DITTO module failed to register.");
		return;
	}
	me->m_ops.create_export = ditto_create_export;
	me->m_ops.update_export = ditto_update_export;
	me->m_ops.init_config = ditto_init_config;
	ditto_handle_ops_init(&DITTO.handle_ops);
}

MODULE_FINI void ditto_fini(void)
{
	if (unregister_fsal(&DITTO.fsal) != 0) {
		LogCrit(COMPONENT_FSAL,
			"Unable to unload DITTO FSAL. Dying with extreme prejudice.");
		abort();
	}
}

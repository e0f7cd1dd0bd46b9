// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * ds_store_open: a durable store, on the backend its description names
 * (lmdb_load.c, pg_load.c).  Each loads the whole store into memory.
 */
#include <errno.h>

#include "lmdb_int.h"
#include "pg_int.h"

int ds_store_open(const struct ds_config *cfg, const struct ds_durable *dur,
		  struct ds_store **out)
{
	switch (dur->backend) {
	case DS_BACKEND_LMDB:
		return ds_lmdb_open(cfg, dur, out);
	case DS_BACKEND_POSTGRES:
		return ds_pg_open(cfg, dur, out);
	}
	return -EINVAL;
}

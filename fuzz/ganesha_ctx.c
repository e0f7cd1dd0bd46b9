// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Ganesha's per-request context, for the XDR targets only: WRITE's
 * data is decoded by xdr_io_data() (RPCAL/rpc_tools.c, compiled into
 * the targets), whose release reads op_ctx to tell RDMA buffers from
 * its own.  No request is being served here: NULL.
 */
#include "config.h"
#include "fsal.h"

__thread struct req_op_context *op_ctx;

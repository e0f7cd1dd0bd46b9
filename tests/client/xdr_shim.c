// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Client-side definitions of the few symbols Ganesha's nfsv41.h inline
 * XDR routines reference but which live in libganesha_nfsd.  The client
 * must not link the server, so it provides its own:
 *
 *  - component_log_level / DisplayLogComponentLevel: the inline routines
 *    log decode errors at debug level; the client keeps every component
 *    at NIV_NULL so nothing is ever formatted.
 *  - xdr_io_data: READ/WRITE payloads.  The server's version builds
 *    zero-copy uio chains; on the wire it is a plain opaque<>, which is
 *    what the client encodes from and decodes into (one iovec).
 */
#include "config.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "nfsv41.h"

static log_levels_t dc_log_levels[COMPONENT_COUNT];
log_levels_t *component_log_level = dc_log_levels;

void DisplayLogComponentLevel(log_components_t component, const char *file,
			      int line, const char *function,
			      log_levels_t level, const char *format, ...)
{
}

bool xdr_io_data(XDR *xdrs, io_data *objp)
{
	uint32_t len = objp->data_len;
	char *buf = NULL;
	u_int i, off = 0;
	bool ok;

	switch (xdrs->x_op) {
	case XDR_ENCODE:
		if (objp->iovcnt == 1)
			return xdr_bytes(xdrs, (char **)&objp->iov[0].iov_base,
					 &len, UINT32_MAX);
		buf = malloc(len ? len : 1);
		if (!buf)
			return false;
		for (i = 0; i < objp->iovcnt && off < len; i++) {
			size_t n = objp->iov[i].iov_len;

			if (n > len - off)
				n = len - off;
			memcpy(buf + off, objp->iov[i].iov_base, n);
			off += n;
		}
		ok = xdr_bytes(xdrs, &buf, &len, UINT32_MAX);
		free(buf);
		return ok;
	case XDR_DECODE:
		if (!xdr_bytes(xdrs, &buf, &len, UINT32_MAX))
			return false;
		objp->iov = calloc(1, sizeof(*objp->iov));
		if (!objp->iov) {
			free(buf);
			return false;
		}
		objp->iov[0].iov_base = buf;
		objp->iov[0].iov_len = len;
		objp->iovcnt = 1;
		objp->data_len = len;
		objp->last_iov_buf_size = len;
		objp->release = NULL;
		return true;
	case XDR_FREE:
		if (objp->iov) {
			for (i = 0; i < objp->iovcnt; i++)
				free(objp->iov[i].iov_base);
			free(objp->iov);
		}
		objp->iov = NULL;
		objp->iovcnt = 0;
		return true;
	}
	return false;
}

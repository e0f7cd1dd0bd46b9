/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The client's answer to CB_GETATTR (RFC 8881 20.1): the attributes the
 * server asked for among those a test chose.
 */
#ifndef DITTO_CB_GETATTR_H
#define DITTO_CB_GETATTR_H

#include "backchannel.h"

/* Room for change, size and two nfstime4 */
#define DC_CB_GETATTR_BUF 64

/*
 * Fill out (its values in buf, len bytes) with those of change, size,
 * time_deleg_access and time_deleg_modify that request (the first three
 * words of attr_request) asks for, from a.
 */
void dc_cb_getattr_encode(const struct dc_cb_getattr_answer *a,
			  const uint32_t request[3], fattr4 *out, char *buf,
			  size_t len);

#endif

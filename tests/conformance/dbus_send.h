/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * One DBus method call to ganesha.nfsd through dbus-send, on the bus
 * DBUS_SYSTEM_BUS_ADDRESS names (the suite's private bus).
 */
#ifndef DITTO_DBUS_SEND_H
#define DITTO_DBUS_SEND_H

#include <stddef.h>

/*
 * Call METHOD (interface-qualified, e.g. "org.ganesha.nfsd.cbsim.
 * get_client_ids") on object PATH with one dbus-send argument ARG
 * ("uint64:7", or NULL for none).  The printed reply goes to out
 * (NUL-terminated, truncated to outlen - 1).  0, -errno, or -EIO when
 * dbus-send fails (including a DBus error reply).
 */
int dc_dbus_send(const char *path, const char *method, const char *arg,
		 char *out, size_t outlen);

#endif /* DITTO_DBUS_SEND_H */

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Driving Ganesha's callback simulator (org.ganesha.nfsd.cbsim on
 * /org/ganesha/nfsd/CBSIM) through dbus-send on the bus named by
 * DBUS_SYSTEM_BUS_ADDRESS.
 */
#ifndef DITTO_DBUS_CBSIM_H
#define DITTO_DBUS_CBSIM_H

#include <stddef.h>
#include <stdint.h>

/* The bus address, or NULL when the environment names none. */
const char *dc_cbsim_bus(void);
/* get_client_ids: fills ids (up to max); returns count or -errno. */
int dc_cbsim_client_ids(uint64_t *ids, size_t max);
/* fake_recall(clientid); 0 when the method returned. */
int dc_cbsim_fake_recall(uint64_t clientid);

#endif

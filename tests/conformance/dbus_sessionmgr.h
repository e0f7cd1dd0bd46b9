/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Ganesha's DBus SessionMgr (org.ganesha.nfsd.sessionmgr on
 * /org/ganesha/nfsd/SessionMgr, patch 0042; docs/sessions.md) through
 * dbus-send on the bus named by DBUS_SYSTEM_BUS_ADDRESS.
 */
#ifndef DITTO_DBUS_SESSIONMGR_H
#define DITTO_DBUS_SESSIONMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One entry of ListSessions' a(stuuuuustt). */
struct dc_sm_session {
	char id[33];	/* 32 lower-case hex digits */
	uint64_t clientid;
	uint32_t slots_in_use, fore_slots, back_slots;
	uint32_t conns, back_conns;
	char back_state[8];	/* "up", "down" or "none" */
	uint64_t created, last_sequence;
};

/* The method's own (b status, s error) answer. */
struct dc_sm_status {
	bool ok;
	char error[128];
};

/* 32 lower-case hex digits of a session id, as SessionMgr prints them. */
void dc_sm_hex(const void *sessionid, char out[33]);

/*
 * ListSessions(clientid): fills up to max entries; returns how many the
 * reply held (may exceed max) or -errno when dbus-send failed (an error
 * reply, no such object, no bus).
 */
int dc_sm_list(uint64_t clientid, struct dc_sm_status *st,
	       struct dc_sm_session *out, int max);
/* DestroySession(id): 0 when the method returned (see st), or -errno. */
int dc_sm_destroy(const char *id, struct dc_sm_status *st);
/* Any SessionMgr METHOD with one dbus-send ARG; the reply in out. */
int dc_sm_call(const char *method, const char *arg, char *out, size_t outlen);

#endif

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * What an NLM client's lock manager does to learn that a server
 * rebooted (X/Open XNFS chapter 11, the status monitor): it registers a
 * callback program with the local rpcbind, asks the local rpc.statd to
 * monitor the server (SM_MON), and statd calls it back with the server's
 * name and new NSM state when the server's SM_NOTIFY arrives.  The
 * callback is served on a UDP socket of its own, on a thread.
 */
#ifndef DITTO_NSM_WATCH_H
#define DITTO_NSM_WATCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define DC_NSM_PROGRAM 100024u
/*
 * statd calls back only the NLM program (100021).  Version 5 is one
 * Ganesha neither serves nor unregisters at start (it clears 1-4), so
 * the registration survives the server's restart on the same host.
 */
#define DC_NSM_WATCH_PROGRAM 100021u
#define DC_NSM_WATCH_VERS 5u
#define DC_NSM_WATCH_PROC 16u

struct dc_nsm_watch {
	int fd;
	uint16_t port;
	bool registered, monitoring, started;
	char mon_name[256];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	/* Callbacks received: the last one's mon_name and state. */
	unsigned calls;
	char got_name[256];
	int32_t got_state;
	int32_t statd_state;	/* statd's own state, from SM_MON */
};

/*
 * Register the callback with rpcbind on 127.0.0.1 and have statd
 * monitor mon_name (the server's name as its SM_NOTIFY will carry it).
 * -errno, or -EPROTO when rpcbind or statd refuse.
 */
int dc_nsm_watch_start(struct dc_nsm_watch *w, const char *mon_name);
/* Wait up to timeout_ms for a callback; true if one arrived. */
bool dc_nsm_watch_wait(struct dc_nsm_watch *w, int timeout_ms);
/* SM_UNMON, unregister, stop the thread. */
void dc_nsm_watch_stop(struct dc_nsm_watch *w);

#endif

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Inside libdittowatch: the state of a watch, shared by the worker
 * thread (watch.c), the back channel callbacks and the connection
 * recovery (recover.c).
 */
#ifndef DW_WATCH_INT_H
#define DW_WATCH_INT_H

#include <pthread.h>
#include "cb_notify.h"
#include "list_int.h"

/* One watched directory. */
struct wdir {
	struct wdir *next;
	char path[DW_PATH_MAX];	/* ends in '/' */
	nfs_fh4 fh;
	struct dw_list *ls;
	bool held;		/* a delegation with notifications is held */
	stateid4 sid;
	bool recalled;		/* CB_RECALL came: return it, read again */
	bool need_read;		/* (re)acquire and read again */
	bool listed;		/* has had a listing */
	bool read_failed;	/* told once that it cannot be read */
	nfsstat4 read_status;	/* why */
	uint32_t moving;	/* MOVED_FROM cookie, its MOVED_TO not seen */
	bool report_first;	/* first listing reported as events (new dir) */
	bool reading;		/* notifications wait in pend meanwhile */
	struct dc_notify_ent *pend;
	unsigned int npend, pcap;
	struct timespec next_poll;
	/* After a recall: no new delegation before this (0: none) */
	struct timespec deleg_after;
};

struct dw_watch {
	struct dw_options o;
	char host[64];
	int port;
	char path[DW_PATH_MAX];

	pthread_mutex_t lock;	/* everything below but cl */
	pthread_cond_t cond;
	/* One fore channel user at a time: the worker, dw_verify() */
	pthread_mutex_t call_lock;
	struct dc_client cl;
	struct dc_notify_tap *tap;	/* on cl.conns[0] */
	struct wdir *dirs;
	uint32_t cookie;

	struct dw_event *q;	/* ring of events not yet read */
	unsigned int qhead, qn, qcap;
	int efd;		/* eventfd: readable while qn > 0 */

	bool stop, failed;
	char err[DW_PATH_MAX + 256];
	bool no_deleg;		/* the server grants none: poll for good */
	bool told_poll;
	bool avail;		/* CB_RECALLABLE_OBJ_AVAIL came */
	bool promised;		/* ... and was promised */
	struct timespec next_gdd;	/* retry of a refused GET_DIR_DELEG */
	uint32_t lease_s;
	struct timespec last_call;
	bool trouble;		/* a call failed: connection or session */
	pthread_t worker;
	bool started;
	struct dw_stats stats;
};

/* Tell the person (options' notice), once per call site as it wants. */
void dw_notice(struct dw_watch *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Queue ev when its kind is wanted, follow directories (--recursive);
 * w->lock held.
 */
void dw_queue(void *arg, const struct dw_event *ev);
/* The directory whose handle is fh; w->lock held. */
struct wdir *dw_dir_by_fh(struct dw_watch *w, const uint8_t *fh,
			  uint32_t len);

/*
 * Connect, make the client ID and session (with back channel, served
 * and tapped for CB_NOTIFY); a one-line reason in err on failure.
 */
int dw_connect(struct dw_watch *w, char *err, size_t errlen);
/*
 * After a failed call: a new connection bound to the session (RFC 8881
 * 2.10.5.1; the call in flight is sent again on its slot), or, when
 * the session or client ID is gone (server restart), a new client ID
 * and session, every directory's handle looked up again.  Every
 * directory is then read again.  Waits, retrying each second, while the
 * server is unreachable; negative only when stopped or the watched
 * directory is gone.
 */
int dw_recover(struct dw_watch *w);
/* Drop the TCP connection as a network failure would (tests). */
void dw_cut_connection(struct dw_watch *w);
/* The handle of path (a directory); st the failing status. */
int dw_lookup_path(struct dw_watch *w, const char *path, nfs_fh4 *fh,
		   nfsstat4 *st);

#endif

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * What the cases can see of the daemon under test from /proc (run.sh
 * exports its PID as DITTO_DAEMON_PID), and raw TCP connections to it.
 */
#ifndef DC_DAEMON_PROC_H
#define DC_DAEMON_PROC_H

#include "session.h"

/* Polls of dc_daemon_fds_settle(): 40 x 250 ms. */
#define DC_SETTLE_TRIES 40
#define DC_SETTLE_US 250000

/* The daemon's PID, or 0 against an outside server. */
long dc_daemon_pid(void);

/* Its open descriptors, or -1. */
int dc_daemon_fds(long pid);

/* Wait (bounded) for its descriptors to fall to at most base; the last
 * count seen.
 */
int dc_daemon_fds_settle(long pid, int base);

/* A KiB figure of its /proc status ("VmRSS", "VmSize", "VmPeak"), or -1. */
long dc_daemon_status_kib(long pid, const char *field);
/* Its resident set (VmRSS, KiB), or -1. */
long dc_daemon_rss_kib(long pid);

/* A plain TCP connection to the server, or -1 (errno set). */
int dc_raw_connect(const struct dc_server *srv);

#endif

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Restarting the server under test from a case.  The harness
 * (restart.sh) names the command in DITTO_RESTART_CMD; it returns once
 * the new daemon serves.  Cases that need it skip without it.
 */
#ifndef DITTO_SERVER_RESTART_H
#define DITTO_SERVER_RESTART_H

#include <stdbool.h>

bool dc_restart_available(void);
/* 0 once the daemon was restarted and serves; -1 on failure. */
int dc_server_restart(void);
/* A non-negative integer from the environment, or dflt. */
int dc_env_int(const char *name, int dflt);
void dc_sleep_ms(unsigned ms);
double dc_now_s(void);

#endif

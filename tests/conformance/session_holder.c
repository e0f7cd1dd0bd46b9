// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * ditto-session-holder: create an NFSv4.1 session and keep it in use,
 * for tests that act on it from outside (tests/daemon/sessions_cli.sh
 * destroys it with scripts/ditto-sessions).
 *
 *   ditto-session-holder --server HOST:PORT:/EXPORT [--seconds N]
 *
 * Prints "session <32 hex> clientid <16 hex>" once the session exists
 * (EXCHANGE_ID, CREATE_SESSION with back channel, RECLAIM_COMPLETE),
 * then sends SEQUENCE every 500 ms.  Exits 0 after printing
 * "BADSESSION" when the server no longer knows the session, 3 after
 * printing "held" when N seconds (default 60, at most 3600) passed
 * without that, 1 on errors, 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "dbus_sessionmgr.h"
#include "session.h"

#define TICK_MS 500

static int usage(void)
{
	fprintf(stderr, "usage: ditto-session-holder --server "
			"HOST:PORT:/EXPORT [--seconds N]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct timespec tick = { 0, TICK_MS * 1000000L };
	struct dc_server srv;
	struct dc_client cl = { 0 };
	bool have_srv = false;
	long seconds = 60, i;
	char owner[96], hex[33];
	int rc, a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--server") && a + 1 < argc) {
			if (dc_server_parse(argv[++a], &srv))
				return usage();
			have_srv = true;
		} else if (!strcmp(argv[a], "--seconds") && a + 1 < argc) {
			seconds = strtol(argv[++a], NULL, 10);
			if (seconds <= 0 || seconds > 3600)
				return usage();
		} else {
			return usage();
		}
	}
	if (!have_srv)
		return usage();

	snprintf(owner, sizeof(owner), "ditto-holder-%ld-%d", (long)time(NULL),
		 (int)getpid());
	rc = dc_client_init(&cl, &srv, owner);
	if (!rc)
		rc = dc_client_mount(&cl);
	if (rc) {
		fprintf(stderr, "ditto-session-holder: no session: %s\n",
			strerror(rc < 0 ? -rc : rc));
		dc_client_destroy(&cl);
		return 1;
	}
	dc_sm_hex(cl.sid, hex);
	printf("session %s clientid %016llx\n", hex,
	       (unsigned long long)cl.clientid);
	fflush(stdout);

	for (i = 0; i < seconds * 1000 / TICK_MS; i++) {
		nfsstat4 st;

		nanosleep(&tick, NULL);
		rc = dc_client_simple(&cl, NULL, NULL, NULL, &st);
		if (rc) {
			fprintf(stderr, "ditto-session-holder: SEQUENCE: %s\n",
				strerror(-rc));
			dc_client_destroy(&cl);
			return 1;
		}
		if (st == NFS4ERR_BADSESSION) {
			printf("BADSESSION\n");
			fflush(stdout);
			cl.have_session = false;
			dc_client_destroy(&cl);
			return 0;
		}
	}
	printf("held\n");
	dc_client_destroy(&cl);
	return 3;
}

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * One soak client: an NFSv4.1 client ID with one session over two TCP
 * connections, both bound to fore and back channel.  It sends COMPOUNDs
 * on a random slot and connection, cuts connections mid-request and
 * recovers as RFC 8881 section 2.10.6 says (new connection,
 * BIND_CONN_TO_SESSION, the same request again on the same slot and
 * sequence id), churns its session and its whole client ID, keeps the
 * file and directory delegations it holds and answers their recalls.
 */
#ifndef DITTO_SOAK_CLIENT_H
#define DITTO_SOAK_CLIENT_H

#include <pthread.h>
#include "session.h"

#define SK_MAX_DELEGS 64
#define SK_MAX_RECALLS 256
#define SK_FORE_SLOTS 16
#define SK_NCONNS 2

/* sk_call() flags */
#define SK_CACHE 0x1	/* sa_cachethis: a non-idempotent request */
#define SK_NODROP 0x2	/* never cut the connection under this one */

struct sk_deleg {
	nfs_fh4 fh;
	stateid4 sid;
	bool write;
	unsigned left;	/* iterations until it is given back unasked */
};

enum sk_churn {
	SK_CHURN_SESSION,	/* DESTROY_SESSION + CREATE_SESSION */
	SK_CHURN_CLIENT,	/* DESTROY_CLIENTID, a new client ID */
	SK_CHURN_REBOOT,	/* vanish; same owner, new verifier */
	SK_CHURN_ABANDON,	/* vanish; new owner (old one expires) */
};

struct sk_client {
	struct dc_client cl;
	struct dc_server srv;
	char who[16];
	char base_owner[128];
	char oo[64];		/* open owner */
	unsigned idx, gen;
	unsigned epoch;		/* owner suffix: a new one per abandon */
	uint32_t flags_seen;	/* bad sr_status_flags reported already */
	uint64_t rng;
	double drop_rate;	/* per COMPOUND */
	bool up;		/* a session is there */
	bool dead;		/* could not recover: the worker stops */
	uint32_t nslots;
	uint32_t seqids[SK_FORE_SLOTS];
	/* File delegations held */
	struct sk_deleg delegs[SK_MAX_DELEGS];
	unsigned ndelegs;
	/* The directory delegation on the shared directory */
	const nfs_fh4 *dd_fh;
	bool dd_held;
	stateid4 dd_sid;
	unsigned dd_left;
	/* Connections cut so far, and how many when each back channel
	 * slot's last sequence id was seen (a retry is legal after a cut)
	 */
	unsigned drops;
	unsigned cb_slot_drops[DC_CB_MAX_SLOTS];
	/* The session destroyed last, and when (sk_now()) */
	sessionid4 old_sid;
	bool have_old_sid;
	double old_sid_gone;
	/* Recalled stateids, queued by the back channel handler */
	pthread_mutex_t rlock;
	stateid4 recalls[SK_MAX_RECALLS];
	unsigned nrecalls;
	bool servicing;
};

/* Everything but the connection: owner, RNG, drop rate, shared dir. */
void sk_client_setup(struct sk_client *sc, const struct dc_server *srv,
		     const char *owner, unsigned idx, uint64_t seed,
		     double drop_rate, const nfs_fh4 *shared);
/* Connect, EXCHANGE_ID, CREATE_SESSION, bind the second connection,
 * RECLAIM_COMPLETE.  0, or -1 with an error reported.
 */
int sk_client_start(struct sk_client *sc);
/* Return every delegation, DESTROY_SESSION, DESTROY_CLIENTID, close. */
void sk_client_stop(struct sk_client *sc);
/* Close the connections without telling the server (a crash). */
void sk_client_vanish(struct sk_client *sc);
int sk_churn(struct sk_client *sc, enum sk_churn how);

/* A COMPOUND for sk_call(): SEQUENCE (filled in when sent) comes first. */
void sk_begin(struct sk_client *sc, struct dc_compound *c, const char *tag);
/*
 * Send c; retries transport failures, SEQUENCE and operation DELAY and
 * uncached retries.  0: *res holds a reply whose SEQUENCE succeeded (the
 * caller checks the other results and frees it); -1: an error was
 * reported (res is empty).
 */
int sk_call(struct sk_client *sc, struct dc_compound *c, unsigned flags,
	    struct dc_cres *res);
/*
 * As sk_call() and the last result must be one of the allowed statuses
 * (NFS4_OK when none are given); what names the request in errors.
 * Returns the last result's status, or -1.
 */
int sk_call_expect(struct sk_client *sc, struct dc_compound *c,
		   unsigned flags, struct dc_cres *res, const char *what,
		   const nfsstat4 *allowed, unsigned nallowed);

/* Delegations */
void sk_deleg_add(struct sk_client *sc, const nfs_fh4 *fh,
		  const stateid4 *sid, bool write);
/* Return the delegation on fh, if one is held (before REMOVE/RENAME). */
int sk_deleg_return_fh(struct sk_client *sc, const nfs_fh4 *fh);
/* Return those whose time is up; answer queued recalls. */
void sk_deleg_tick(struct sk_client *sc);
void sk_service_recalls(struct sk_client *sc);
int sk_return_all(struct sk_client *sc);
/* GET_DIR_DELEGATION on the shared directory when none is held. */
void sk_dirdeleg_get(struct sk_client *sc);

uint64_t sk_rand(struct sk_client *sc);
/* Uniform in [0, n) */
unsigned sk_randn(struct sk_client *sc, unsigned n);
double sk_rand01(struct sk_client *sc);
void sk_sleep_ms(unsigned ms);
double sk_now(void);

#endif

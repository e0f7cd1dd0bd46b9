/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Soak counters: NFS operations sent (by opcode), soak events (drops,
 * churns, callbacks, delegations) and errors.  Every counter is shared
 * by all client threads and updated atomically; errors are printed as
 * they happen (the first SK_ERR_PRINT of them) and always counted.
 */
#ifndef DITTO_SOAK_STATS_H
#define DITTO_SOAK_STATS_H

#include <stdbool.h>
#include <stdint.h>

#define SK_MAX_OPNUM 80
#define SK_ERR_PRINT 200

enum sk_event {
	SK_EV_COMPOUNDS,	/* COMPOUNDs answered */
	SK_EV_DROPS,		/* connections cut under a request */
	SK_EV_RECONNECTS,	/* new connection + BIND_CONN_TO_SESSION */
	SK_EV_RESENDS,		/* a request again on a new connection */
	SK_EV_UNCACHED_RETRY,	/* RETRY_UNCACHED_REP, sent anew */
	SK_EV_SEQ_DELAY,	/* SEQUENCE answered NFS4ERR_DELAY */
	SK_EV_OP_DELAY,		/* an operation answered NFS4ERR_DELAY */
	SK_EV_SESSION_CHURN,	/* DESTROY_SESSION + CREATE_SESSION */
	SK_EV_CLIENT_CHURN,	/* DESTROY_CLIENTID + new client */
	SK_EV_CLIENT_REBOOT,	/* same owner, new verifier */
	SK_EV_CLIENT_ABANDON,	/* left to expire, new owner */
	SK_EV_CB_NULL,
	SK_EV_CB_RECALL,
	SK_EV_CB_NOTIFY,
	SK_EV_CB_OTHER,
	SK_EV_DELEG_READ,	/* file delegations granted */
	SK_EV_DELEG_WRITE,
	SK_EV_DELEG_RETURN_RECALL,	/* DELEGRETURN after CB_RECALL */
	SK_EV_DELEG_RETURN_VOLUNTARY,
	SK_EV_DIRDELEG_GRANTED,
	SK_EV_DIRDELEG_UNAVAIL,
	SK_EV_DIRDELEG_RETURN_RECALL,
	SK_EV_DIRDELEG_RETURN_VOLUNTARY,
	SK_EV_PATH_DOWN,	/* SEQUENCE flagged CB_PATH_DOWN(_SESSION) */
	SK_EV_READ_VERIFIED,	/* READs whose bytes matched the model */
	SK_EV_READDIR_VERIFIED,	/* listings that matched the model */
	SK_EV_CROSS_NOENT,	/* another client's shared file was gone */
	SK_EV_CB_OLD_SESSION,	/* callback on a session just destroyed */
	SK_EV_CB_RETRY,		/* callback re-sent after a cut connection */
	SK_EV_CLIENTID_BUSY,	/* DESTROY_CLIENTID busy right after
				 * DESTROY_SESSION (see soak_client.c)
				 */
	SK_EV_COUNT
};

struct sk_stats {
	uint64_t ops[SK_MAX_OPNUM];
	uint64_t events[SK_EV_COUNT];
	uint64_t errors;
	uint64_t max_delay_ms;	/* longest an op was answered DELAY */
};

extern struct sk_stats sk_stats;

void sk_count_op(unsigned opnum);
void sk_count(enum sk_event ev);
void sk_note_delay(double seconds);
uint64_t sk_total_ops(void);
/* Count an error and print it (who: "c03" or "main"). */
void sk_error(const char *who, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *sk_event_name(enum sk_event ev);
const char *sk_op_name(unsigned opnum);
/* The summary: ops by type, events, errors; elapsed seconds. */
void sk_stats_print(double elapsed);

#endif

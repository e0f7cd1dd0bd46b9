// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Soak counters and error reporting.
 */
#include <stdarg.h>
#include <stdio.h>
#include "nfsv41.h"
#include "soak_stats.h"

struct sk_stats sk_stats;

static const char *const event_names[SK_EV_COUNT] = {
	[SK_EV_COMPOUNDS] = "compounds",
	[SK_EV_DROPS] = "connection_drops",
	[SK_EV_RECONNECTS] = "reconnects",
	[SK_EV_RESENDS] = "resends",
	[SK_EV_UNCACHED_RETRY] = "uncached_retries",
	[SK_EV_SEQ_DELAY] = "sequence_delay",
	[SK_EV_OP_DELAY] = "op_delay",
	[SK_EV_SESSION_CHURN] = "session_churn",
	[SK_EV_CLIENT_CHURN] = "client_churn",
	[SK_EV_CLIENT_REBOOT] = "client_reboot",
	[SK_EV_CLIENT_ABANDON] = "client_abandon",
	[SK_EV_CB_NULL] = "cb_null",
	[SK_EV_CB_RECALL] = "cb_recall",
	[SK_EV_CB_NOTIFY] = "cb_notify",
	[SK_EV_CB_OTHER] = "cb_other",
	[SK_EV_DELEG_READ] = "deleg_read_granted",
	[SK_EV_DELEG_WRITE] = "deleg_write_granted",
	[SK_EV_DELEG_RETURN_RECALL] = "deleg_returned_on_recall",
	[SK_EV_DELEG_RETURN_VOLUNTARY] = "deleg_returned_voluntarily",
	[SK_EV_DIRDELEG_GRANTED] = "dirdeleg_granted",
	[SK_EV_DIRDELEG_UNAVAIL] = "dirdeleg_unavail",
	[SK_EV_DIRDELEG_RETURN_RECALL] = "dirdeleg_returned_on_recall",
	[SK_EV_DIRDELEG_RETURN_VOLUNTARY] = "dirdeleg_returned_voluntarily",
	[SK_EV_PATH_DOWN] = "seq_cb_path_down",
	[SK_EV_READ_VERIFIED] = "reads_verified",
	[SK_EV_READDIR_VERIFIED] = "readdirs_verified",
	[SK_EV_CROSS_NOENT] = "cross_read_noent",
	[SK_EV_CB_OLD_SESSION] = "cb_on_destroyed_session",
	[SK_EV_CB_RETRY] = "cb_retried_after_cut",
	[SK_EV_CLIENTID_BUSY] = "destroy_clientid_busy_retried",
};

static const char *const op_names[SK_MAX_OPNUM] = {
	[NFS4_OP_CLOSE] = "CLOSE",
	[NFS4_OP_CREATE] = "CREATE",
	[NFS4_OP_DELEGRETURN] = "DELEGRETURN",
	[NFS4_OP_GETATTR] = "GETATTR",
	[NFS4_OP_GETFH] = "GETFH",
	[NFS4_OP_LOOKUP] = "LOOKUP",
	[NFS4_OP_OPEN] = "OPEN",
	[NFS4_OP_PUTFH] = "PUTFH",
	[NFS4_OP_PUTROOTFH] = "PUTROOTFH",
	[NFS4_OP_READ] = "READ",
	[NFS4_OP_READDIR] = "READDIR",
	[NFS4_OP_REMOVE] = "REMOVE",
	[NFS4_OP_RENAME] = "RENAME",
	[NFS4_OP_RESTOREFH] = "RESTOREFH",
	[NFS4_OP_SAVEFH] = "SAVEFH",
	[NFS4_OP_SETATTR] = "SETATTR",
	[NFS4_OP_WRITE] = "WRITE",
	[NFS4_OP_BIND_CONN_TO_SESSION] = "BIND_CONN_TO_SESSION",
	[NFS4_OP_EXCHANGE_ID] = "EXCHANGE_ID",
	[NFS4_OP_CREATE_SESSION] = "CREATE_SESSION",
	[NFS4_OP_DESTROY_SESSION] = "DESTROY_SESSION",
	[NFS4_OP_GET_DIR_DELEGATION] = "GET_DIR_DELEGATION",
	[NFS4_OP_SEQUENCE] = "SEQUENCE",
	[NFS4_OP_DESTROY_CLIENTID] = "DESTROY_CLIENTID",
	[NFS4_OP_RECLAIM_COMPLETE] = "RECLAIM_COMPLETE",
};

void sk_count_op(unsigned opnum)
{
	if (opnum < SK_MAX_OPNUM)
		__atomic_add_fetch(&sk_stats.ops[opnum], 1, __ATOMIC_RELAXED);
}

void sk_count(enum sk_event ev)
{
	__atomic_add_fetch(&sk_stats.events[ev], 1, __ATOMIC_RELAXED);
}

void sk_note_delay(double seconds)
{
	uint64_t ms = seconds * 1000, cur;

	cur = __atomic_load_n(&sk_stats.max_delay_ms, __ATOMIC_RELAXED);
	while (ms > cur &&
	       !__atomic_compare_exchange_n(&sk_stats.max_delay_ms, &cur, ms,
					    false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
}

uint64_t sk_total_ops(void)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < SK_MAX_OPNUM; i++)
		n += __atomic_load_n(&sk_stats.ops[i], __ATOMIC_RELAXED);
	return n;
}

void sk_error(const char *who, const char *fmt, ...)
{
	uint64_t n = __atomic_add_fetch(&sk_stats.errors, 1, __ATOMIC_RELAXED);
	char msg[512];
	va_list ap;

	if (n > SK_ERR_PRINT)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One fprintf per line so that threads do not interleave. */
	fprintf(stderr, "soak: ERROR [%s] %s%s\n", who, msg,
		n == SK_ERR_PRINT ? " (further errors only counted)" : "");
}

const char *sk_event_name(enum sk_event ev)
{
	return ev < SK_EV_COUNT ? event_names[ev] : "?";
}

const char *sk_op_name(unsigned opnum)
{
	return opnum < SK_MAX_OPNUM && op_names[opnum] ? op_names[opnum] :
							 "OTHER";
}

void sk_stats_print(double elapsed)
{
	uint64_t total = 0;
	unsigned i;

	printf("soak: ops by type:");
	for (i = 0; i < SK_MAX_OPNUM; i++) {
		if (!sk_stats.ops[i])
			continue;
		total += sk_stats.ops[i];
		printf(" %s=%llu", sk_op_name(i),
		       (unsigned long long)sk_stats.ops[i]);
	}
	printf("\nsoak: events:");
	for (i = 0; i < SK_EV_COUNT; i++)
		printf(" %s=%llu", event_names[i],
		       (unsigned long long)sk_stats.events[i]);
	printf(" longest_delay_s=%.1f", sk_stats.max_delay_ms / 1000.0);
	printf("\nsoak: ops=%llu compounds=%llu seconds=%.1f ops/s=%.0f "
	       "compounds/s=%.0f errors=%llu\n",
	       (unsigned long long)total,
	       (unsigned long long)sk_stats.events[SK_EV_COMPOUNDS], elapsed,
	       elapsed > 0 ? total / elapsed : 0.0,
	       elapsed > 0 ? sk_stats.events[SK_EV_COMPOUNDS] / elapsed : 0.0,
	       (unsigned long long)sk_stats.errors);
	fflush(stdout);
}

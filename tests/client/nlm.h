/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * An NLM version 4 client (the NFSv3 byte-range lock protocol, X/Open
 * XNFS "Protocols for Interworking", chapter 10): TEST, LOCK and UNLOCK
 * over one TCP connection, with the XDR written here
 * (Ganesha's NLM XDR routines live in the server library).
 */
#ifndef DITTO_NLM_H
#define DITTO_NLM_H

#include <stdbool.h>
#include <stdint.h>
#include "rpc_conn.h"
#include "rpc_msg.h"

#define DC_NLM_PROGRAM 100021u
#define DC_NLM_V4 4u

enum dc_nlm_proc {
	DC_NLMPROC4_NULL = 0,
	DC_NLMPROC4_TEST = 1,
	DC_NLMPROC4_LOCK = 2,
	DC_NLMPROC4_UNLOCK = 4,
};

/* nlm4_stats */
enum dc_nlm_stat {
	DC_NLM4_GRANTED = 0,
	DC_NLM4_DENIED = 1,
	DC_NLM4_DENIED_NOLOCKS = 2,
	DC_NLM4_BLOCKED = 3,
	DC_NLM4_DENIED_GRACE_PERIOD = 4,
	DC_NLM4_DEADLCK = 5,
	DC_NLM4_ROFS = 6,
	DC_NLM4_STALE_FH = 7,
	DC_NLM4_FBIG = 8,
	DC_NLM4_FAILED = 9,
};

/* An NFSv3 file handle: at most 64 bytes (RFC 1813 NFS3_FHSIZE). */
#define DC_FH3_MAX 64
struct dc_fh3 {
	uint32_t len;
	uint8_t data[DC_FH3_MAX];
};

/* Who holds a lock: the NLM lock owner is (caller_name, oh, svid). */
struct dc_nlm_owner {
	char caller_name[64];
	char oh[64];	/* the owner handle, sent as opaque bytes */
	int32_t svid;	/* the process id on the client */
};

/* The conflicting holder TEST reports (nlm4_holder). */
struct dc_nlm_holder {
	bool exclusive;
	int32_t svid;
	uint64_t offset, len;
	uint32_t oh_len;
	uint8_t oh[64];
};

struct dc_nlm {
	struct dc_conn *conn;
	struct dc_auth auth;
	uint32_t cookie;
	int timeout_ms;
};

int dc_nlm_open(struct dc_nlm *n, const char *host, int port);
void dc_nlm_close(struct dc_nlm *n);

/*
 * A Ganesha NFSv4 handle as an NFSv3 one: the same bytes (Ganesha 6.5
 * uses one handle layout for both), zero padded to a multiple of 4
 * bytes the way its NFSv3 side sizes them.  -EINVAL if it cannot fit.
 */
int dc_fh3_from_fh4(struct dc_fh3 *out, const void *fh4, uint32_t len);

/*
 * The calls; each returns the transport status (0 or -errno) and puts
 * the NLM status in *stat.  len 0 means "to the end of the file".  state
 * is the client's NSM state number (LOCK only).
 */
int dc_nlm_lock(struct dc_nlm *n, const struct dc_fh3 *fh,
		const struct dc_nlm_owner *o, bool exclusive, uint64_t off,
		uint64_t len, bool reclaim, int32_t state,
		enum dc_nlm_stat *stat);
int dc_nlm_unlock(struct dc_nlm *n, const struct dc_fh3 *fh,
		  const struct dc_nlm_owner *o, uint64_t off, uint64_t len,
		  enum dc_nlm_stat *stat);
/* holder may be NULL; it is filled only when *stat is DENIED. */
int dc_nlm_test(struct dc_nlm *n, const struct dc_fh3 *fh,
		const struct dc_nlm_owner *o, bool exclusive, uint64_t off,
		uint64_t len, enum dc_nlm_stat *stat,
		struct dc_nlm_holder *holder);
const char *dc_nlm_stat_name(enum dc_nlm_stat s);

#endif

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * An NFSv4.1 client: owner, clientid, one session with its fore channel
 * slot table and back channel, and the connections bound to it.
 */
#ifndef DITTO_SESSION_H
#define DITTO_SESSION_H

#include "backchannel.h"
#include "compound.h"
#include "slot_table.h"

/* Program number the client registers for its back channel. */
#define DC_CB_PROGRAM 0x40000077u
#define DC_MAX_CONNS 4

struct dc_server {
	char host[64];
	int port;
	char export[256];	/* e.g. "/mem" */
};

struct dc_client {
	bool inited;	/* dc_client_destroy() is a no-op until set */
	struct dc_server srv;
	struct dc_auth auth;
	/* conns[0] is the connection EXCHANGE_ID/CREATE_SESSION used. */
	struct dc_conn *conns[DC_MAX_CONNS];
	unsigned nconns;
	char owner[256];
	verifier4 verf;
	clientid4 clientid;
	uint32_t cs_seq;	/* next csa_sequence */
	uint32_t eir_flags;
	sessionid4 sid;
	bool have_session;
	channel_attrs4 fore, back;
	struct dc_slot_table slots;
	struct dc_backchannel cb;
	int timeout_ms;
	/* minorversion of the compounds dc_client_begin() starts; 0 is 1 */
	uint32_t minor;
};

/*
 * Parse "HOST:PORT[:/EXPORT]" (the export defaults to "/"); 0 or -1 when
 * s is malformed.
 */
int dc_server_parse(const char *s, struct dc_server *srv);
/* The server answers NULL on a fresh connection. */
bool dc_server_alive(const struct dc_server *srv);

/* Connect and prepare; owner should be unique per test. */
int dc_client_init(struct dc_client *cl, const struct dc_server *srv,
		   const char *owner);
/*
 * dc_client_init() up to tries times, pause_ms apart, for a server that
 * may still be starting.
 */
int dc_client_init_retry(struct dc_client *cl, const struct dc_server *srv,
			 const char *owner, unsigned int tries,
			 unsigned int pause_ms);
/* Best-effort DESTROY_SESSION + DESTROY_CLIENTID, then close all. */
void dc_client_destroy(struct dc_client *cl);
/* Open another TCP connection (not yet bound); returns its index. */
int dc_client_add_conn(struct dc_client *cl);

/* EXCHANGE_ID on conns[0]; fills clientid, cs_seq, eir_flags. */
int dc_client_exchange_id(struct dc_client *cl, uint32_t flags,
			  nfsstat4 *status);
/*
 * CREATE_SESSION with the given fore slots and flags; on success the
 * session id, slot table and back channel are set up and conns[0] serves
 * callbacks.
 */
int dc_client_create_session(struct dc_client *cl, uint32_t flags,
			     uint32_t slots, nfsstat4 *status);

/* The channel attributes a CREATE_SESSION reply granted. */
struct dc_cs_granted {
	channel_attrs4 fore, back;	/* ca_rdma_ird left out: */
	unsigned fore_ird, back_ird;	/* its entry counts */
};

/* What a CREATE_SESSION reply gave; all but status zero unless NFS4_OK. */
struct dc_cs_reply {
	nfsstat4 status;
	sessionid4 sid;
	uint32_t seq, flags;	/* csr_sequence, csr_flags */
	struct dc_cs_granted attrs;
};

/*
 * CREATE_SESSION for clid with csa_sequence seq, flags and the channel
 * attributes given, alone in its compound on conns[ci]; the client's own
 * record is left as it is (cases that send wrong values use it).  An
 * NFS4_OK reply without the op is NFS4ERR_SERVERFAULT.
 */
int dc_client_create_session_raw(struct dc_client *cl, unsigned ci,
				 clientid4 clid, uint32_t seq, uint32_t flags,
				 const channel_attrs4 *fore,
				 const channel_attrs4 *back,
				 struct dc_cs_reply *out);
/*
 * CREATE_SESSION with explicit channel attributes; on NFS4_OK the client
 * takes the session as dc_client_create_session() does.  serve: conns[0]
 * answers callbacks from before the call (false: a back channel nobody
 * answers).  granted (may be NULL) gets the attributes of the reply.
 */
int dc_client_create_session_with(struct dc_client *cl, uint32_t flags,
				  const channel_attrs4 *fore,
				  const channel_attrs4 *back, bool serve,
				  nfsstat4 *status,
				  struct dc_cs_granted *granted);
/*
 * EXCHANGE_ID + CREATE_SESSION (with back channel) asking for slots fore
 * slots; stops at the first op whose *status is not NFS4_OK.  -ERANGE
 * when the server granted fewer slots.
 */
int dc_client_open_session(struct dc_client *cl, uint32_t slots,
			   nfsstat4 *status);
/* EXCHANGE_ID + CREATE_SESSION (with back channel) + RECLAIM_COMPLETE. */
int dc_client_mount(struct dc_client *cl);
/*
 * The client old back after a server restart, in cl: the same owner and
 * verifier, EXCHANGE_ID + CREATE_SESSION (8 slots, back channel) and no
 * RECLAIM_COMPLETE, so it can reclaim.  -EPROTO when an op is refused.
 */
int dc_client_reborn(const struct dc_client *old, struct dc_client *cl);
/* SEQUENCE + RECLAIM_COMPLETE (rca_one_fs false); *st its status. */
int dc_client_reclaim_complete(struct dc_client *cl, nfsstat4 *st);

/*
 * Start a 4.1 compound with SEQUENCE on a free slot.  The slot must be
 * given back through dc_client_send() (or dc_client_slot_done()).
 */
int dc_client_begin(struct dc_client *cl, struct dc_compound *c,
		    const char *tag, bool cachethis, uint32_t *slot);
/* Send c on conns[ci]; returns transport status; updates the slot. */
int dc_client_send(struct dc_client *cl, unsigned ci, struct dc_compound *c,
		   uint32_t slot, struct dc_cres *res);
void dc_client_slot_done(struct dc_client *cl, uint32_t slot,
			 struct dc_cres *res);
/* Add PUTROOTFH and a LOOKUP per component of the export path. */
void dc_client_put_export(struct dc_client *cl, struct dc_compound *c);

/*
 * Send c, built without SEQUENCE, on conns[0] and free it; *status is
 * the compound status when the call got a reply.
 */
int dc_client_solo(struct dc_client *cl, struct dc_compound *c,
		   nfsstat4 *status);
/*
 * DESTROY_SESSION of sid, or DESTROY_CLIENTID of clid, alone in its
 * compound on conns[0]; *status its status.  The client's own record
 * (have_session, clientid) is the caller's to update.
 */
int dc_client_destroy_session(struct dc_client *cl, const sessionid4 sid,
			      nfsstat4 *status);
int dc_client_destroy_clientid(struct dc_client *cl, clientid4 clid,
			       nfsstat4 *status);

/*
 * [SEQUENCE, PUTFH fh (or the export when fh is NULL), ...fill (may be
 * NULL)] as a minorversion minor compound; *r is zeroed first and keeps
 * the reply for the caller to free.
 */
int dc_client_on_fh(struct dc_client *cl, const char *tag, uint32_t minor,
		    const nfs_fh4 *fh,
		    void (*fill)(struct dc_compound *c, void *arg), void *arg,
		    struct dc_cres *r);

/*
 * [SEQUENCE on slot with seqid (sa_highest_slotid slot), ...fill (may
 * be NULL)] on conns[0], outside the client's slot table, for cases that
 * drive slots by hand; *r keeps the reply for the caller to free.
 */
int dc_client_on_slot(struct dc_client *cl, uint32_t slot, uint32_t seqid,
		      bool cachethis,
		      void (*fill)(struct dc_compound *c, void *arg), void *arg,
		      struct dc_cres *r);
/* A fill for the calls above: PUTROOTFH + GETFH (arg unused). */
void dc_fill_root_getfh(struct dc_compound *c, void *arg);

/*
 * Convenience: one SEQUENCE'd compound with the ops added by fill; status
 * is the compound status.  fill may be NULL (SEQUENCE alone).
 */
int dc_client_simple(struct dc_client *cl,
		     void (*fill)(struct dc_compound *c, void *arg), void *arg,
		     struct dc_cres *res, nfsstat4 *status);

/* SEQUENCE alone; *flags = its sr_status_flags (0 unless *st is OK). */
int dc_client_seq_flags(struct dc_client *cl, uint32_t *flags, nfsstat4 *st);
/*
 * SEQUENCE every poll_ms until (flags & mask) == want, for at most
 * timeout_ms.  True when seen; *flags is the last value, *st the last
 * SEQUENCE status (false at once on a transport error or a failed
 * SEQUENCE).
 */
bool dc_client_wait_seq_flags(struct dc_client *cl, uint32_t mask,
			      uint32_t want, int timeout_ms, int poll_ms,
			      uint32_t *flags, nfsstat4 *st);

/*
 * SEQUENCE + TEST_STATEID of ids[0..n): *st is the compound status;
 * codes[] gets up to n per-stateid statuses, *ncodes how many came.
 */
int dc_client_test_stateids(struct dc_client *cl, const stateid4 *ids,
			    unsigned n, nfsstat4 *st, nfsstat4 *codes,
			    unsigned *ncodes);
/*
 * TEST_STATEID of one stateid: *code is its per-stateid status (the op's
 * own status when the op failed; (nfsstat4)-1 when not exactly one code).
 */
int dc_client_test_stateid(struct dc_client *cl, const stateid4 *sid,
			   nfsstat4 *code);
/*
 * BIND_CONN_TO_SESSION alone in its compound on conns[ci]; *st is its
 * status, NFS4ERR_SERVERFAULT when an NFS4_OK reply names another
 * session; *got (may be NULL) the direction granted when NFS4_OK.
 */
int dc_client_bind_conn(struct dc_client *cl, unsigned ci,
			channel_dir_from_client4 dir, nfsstat4 *st,
			channel_dir_from_server4 *got);
/* The same on conn, a connection that need not be one of cl's. */
int dc_client_bind_on(struct dc_client *cl, struct dc_conn *conn,
		      channel_dir_from_client4 dir, nfsstat4 *st,
		      channel_dir_from_server4 *got);
/* SEQUENCE + FREE_STATEID; *st is FREE_STATEID's status. */
int dc_client_free_stateid(struct dc_client *cl, const stateid4 *sid,
			   nfsstat4 *st);
/* The open owner dc_client_open_file() uses, in buf. */
void dc_client_open_owner(const struct dc_client *cl, char *buf, size_t len);
/* Create (or open) name in the export; returns open stateid and fh. */
int dc_client_open_file(struct dc_client *cl, const char *name, bool create,
			stateid4 *sid, nfs_fh4 *fh, nfsstat4 *status);
int dc_client_close_file(struct dc_client *cl, const nfs_fh4 *fh,
			 const stateid4 *sid, nfsstat4 *status);
void dc_fh_free(nfs_fh4 *fh);
void dc_fh_copy(nfs_fh4 *dst, const nfs_fh4 *src);

const char *dc_nfsstat_name(nfsstat4 s);

#endif

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * NFSv4.1 back channel service on the client: CB_NULL and CB_COMPOUND
 * calls arriving on any connection attached here are decoded, their
 * CB_SEQUENCE checked against the session's back channel slot table,
 * recorded with a timestamp and answered as the per-test handler says.
 */
#ifndef DITTO_BACKCHANNEL_H
#define DITTO_BACKCHANNEL_H

#include <pthread.h>
#include <time.h>
#include "compound.h"

#define DC_CB_MAX_SLOTS 64
#define DC_CB_MAX_OPS 16

enum dc_cb_action {
	DC_CB_OK,	/* every op NFS4_OK */
	DC_CB_ERROR,	/* first op after CB_SEQUENCE fails with status */
	DC_CB_DELAY,	/* same with NFS4ERR_DELAY */
	DC_CB_DROP,	/* send no reply at all */
};

struct dc_cb_record {
	struct timespec ts;	/* CLOCK_REALTIME at arrival */
	struct dc_conn *conn;	/* connection it arrived on */
	uint32_t xid, prog, vers, proc;
	uint32_t cred_flavor;	/* of the call's credential */
	/* CB_COMPOUND only */
	bool decoded;
	uint32_t minorversion, callback_ident;
	unsigned nops;
	uint32_t ops[DC_CB_MAX_OPS];
	bool has_sequence;
	sessionid4 seq_sid;
	uint32_t seq_seqid, seq_slot, seq_highest;
	/* First referring call of the CB_SEQUENCE, if it names one
	 * (RFC 8881 20.9.3: the fore channel call that caused this one)
	 */
	bool has_refer;
	sessionid4 refer_sid;
	uint32_t refer_seqid, refer_slot;
	/* CB_SEQUENCE matched our session, slot range and seqid+1 */
	bool seq_valid;
	char seq_problem[128];
	/* Arguments of the first CB_RECALL in the compound, if any */
	bool has_recall;
	stateid4 recall_sid;
	bool recall_truncate;
	uint32_t recall_fh_len;
	uint8_t recall_fh[NFS4_FHSIZE];
	/* Arguments of the first CB_NOTIFY_LOCK, if any (owner truncated) */
	bool has_notify_lock;
	uint32_t nl_fh_len;
	uint8_t nl_fh[NFS4_FHSIZE];
	clientid4 nl_clientid;
	uint32_t nl_owner_len;
	char nl_owner[64];
	/* Arguments of the first CB_GETATTR, if any */
	bool has_getattr;
	uint32_t ga_fh_len;
	uint8_t ga_fh[NFS4_FHSIZE];
	uint32_t ga_request[3];	/* first words of attr_request */
	/* What we answered */
	enum dc_cb_action action;
	nfsstat4 status;
	bool replied;
};

/*
 * Chooses the answer; may set *status for DC_CB_ERROR.  Runs on the
 * connection's reader thread with the back channel locked: it must not
 * call dc_cb_* functions.
 */
/*
 * What CB_GETATTR is answered with: those of these attributes it asks
 * for (change, size, and RFC 9754 time_deleg_access/modify).
 */
struct dc_cb_getattr_answer {
	uint64_t change, size;
	nfstime4 atime, mtime;
};

typedef enum dc_cb_action (*dc_cb_handler_fn)(void *arg,
					      const struct dc_cb_record *rec,
					      nfsstat4 *status);

struct dc_backchannel {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t program;
	sessionid4 sid;
	bool have_sid;
	uint32_t nslots;
	uint32_t slot_seqid[DC_CB_MAX_SLOTS];
	dc_cb_handler_fn handler;
	void *handler_arg;
	bool mute_null;		/* leave CB_NULL unanswered */
	/* Unset, CB_GETATTR is answered NFS4_OK with no attributes */
	bool ga_answer_set;
	struct dc_cb_getattr_answer ga_answer;
	struct dc_cb_record *recs;
	unsigned nrecs, cap;
	/* A long-lived client (ditto-watch) keeps none: they would grow
	 * for ever.
	 */
	bool no_records;
};

void dc_cb_init(struct dc_backchannel *cb, uint32_t program);
void dc_cb_destroy(struct dc_backchannel *cb);
void dc_cb_set_session(struct dc_backchannel *cb, const sessionid4 sid,
		       uint32_t nslots);
void dc_cb_set_handler(struct dc_backchannel *cb, dc_cb_handler_fn fn,
		       void *arg);
/* Stop (or resume) keeping a record of each callback. */
void dc_cb_keep_records(struct dc_backchannel *cb, bool keep);
/* Leave every CB_NULL (the server's probe) unanswered while mute. */
void dc_cb_set_mute_null(struct dc_backchannel *cb, bool mute);
/* Serve callbacks arriving on conn. */
void dc_cb_attach(struct dc_backchannel *cb, struct dc_conn *conn);
/*
 * Wait (at most timeout_ms) until *counter, guarded by lock and signalled
 * on cond, reaches count; returns its last value.
 */
unsigned dc_wait_count(pthread_mutex_t *lock, pthread_cond_t *cond,
		       const unsigned *counter, unsigned count,
		       int timeout_ms);
/* Wait until at least count callbacks were recorded; returns how many. */
unsigned dc_cb_wait(struct dc_backchannel *cb, unsigned count,
		    int timeout_ms);
unsigned dc_cb_count(struct dc_backchannel *cb);
/* Copy of the i-th record; false if there is none. */
bool dc_cb_get(struct dc_backchannel *cb, unsigned i,
	       struct dc_cb_record *out);
/* r is a CB_RECALL (of fh unless it is NULL). */
bool dc_cb_is_recall_of(const struct dc_cb_record *r, const nfs_fh4 *fh);
/* CB_RECALLs recorded, of fh only unless it is NULL. */
unsigned dc_cb_recalls(struct dc_backchannel *cb, const nfs_fh4 *fh);
/* Copy of the first CB_RECALL recorded (of fh unless NULL); false if none. */
bool dc_cb_first_recall(struct dc_backchannel *cb, const nfs_fh4 *fh,
			struct dc_cb_record *out);

/*
 * Wait (at most timeout_ms) until count such CB_RECALLs were recorded;
 * returns how many there are.
 */
unsigned dc_cb_wait_recalls(struct dc_backchannel *cb, const nfs_fh4 *fh,
			    unsigned count, int timeout_ms);
/* r is a CB_NOTIFY_LOCK (of fh unless it is NULL). */
bool dc_cb_is_notify_lock_of(const struct dc_cb_record *r, const nfs_fh4 *fh);
/* Answer CB_GETATTR with a from now on (NULL: no attributes). */
void dc_cb_set_getattr_answer(struct dc_backchannel *cb,
			      const struct dc_cb_getattr_answer *a);
/* r is a CB_GETATTR (of fh unless it is NULL). */
bool dc_cb_is_getattr_of(const struct dc_cb_record *r, const nfs_fh4 *fh);
/* As dc_cb_wait_recalls, for CB_NOTIFY_LOCKs. */
unsigned dc_cb_wait_notify_locks(struct dc_backchannel *cb, const nfs_fh4 *fh,
				 unsigned count, int timeout_ms);

#endif

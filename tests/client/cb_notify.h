/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * CB_NOTIFY on the client (RFC 8881 20.4): a tap on a back channel
 * connection decodes every CB_NOTIFY the server sends, down to each
 * notify_add4 / notify_remove4 / notify_rename4 / notify_attr4 /
 * notify_verifier4 and the attributes of its entries, then hands the
 * call on to the back channel (backchannel.c), which answers it.
 */
#ifndef DITTO_CB_NOTIFY_H
#define DITTO_CB_NOTIFY_H

#include <pthread.h>
#include <time.h>
#include "session.h"

#define DC_NOTIFY_NAME_MAX 256

/* Attributes of a notify_entry4 (ne_attrs), those the tap knows. */
struct dc_notify_attrs {
	uint32_t mask[2];	/* bitmap as sent */
	bool known;		/* every attribute in mask was decoded */
	uint32_t type;		/* FATTR4_TYPE */
	uint64_t change, size, fileid, space_used;
	uint32_t mode, numlinks;
	uint32_t fh_len;	/* FATTR4_FILEHANDLE */
	uint8_t fh[NFS4_FHSIZE];
};

/* CB_RECALLABLE_OBJ_AVAIL (RFC 8881 20.7) seen on the connection */
struct dc_obj_avail {
	struct timespec ts;
	uint32_t objects_to_keep;	/* craa_objects_to_keep */
	uint32_t type_mask;		/* craa_type_mask word 0 */
};

/* One notification: one bit of a notify4's mask and its body. */
struct dc_notify_ent {
	uint32_t type;		/* NOTIFY4_* */
	unsigned call;		/* index of its CB_NOTIFY */
	/* ADD: the new entry; REMOVE: the old one; RENAME: the new name;
	 * CHANGE_DIR_ATTRS / CHILD_ATTRS: the changed entry.
	 */
	char name[DC_NOTIFY_NAME_MAX];
	struct dc_notify_attrs attrs;
	/* RENAME: the old name (nrn_old_entry) and its attributes */
	char old_name[DC_NOTIFY_NAME_MAX];
	struct dc_notify_attrs old_attrs;
	/* ADD / RENAME: nad_old_entry (an entry renamed over) */
	bool replaced;
	char replaced_name[DC_NOTIFY_NAME_MAX];
	/* Position data: nad_new_entry_cookie<1>, nad_prev_entry<1>,
	 * nad_last_entry; REMOVE: nrm_old_entry_cookie.
	 */
	unsigned ncookie, nprev;
	uint64_t cookie;
	bool last;
	char prev_name[DC_NOTIFY_NAME_MAX];	/* nad_prev_entry's name */
	uint64_t prev_cookie;			/* and cookie */
	uint64_t old_cookie;	/* RENAME: nrn_old_entry's cookie */
	uint64_t replaced_cookie;	/* nad_old_entry's cookie */
	/* CHANGE_COOKIE_VERIFIER */
	verifier4 old_verf, new_verf;
};

struct dc_notify_call {
	struct timespec ts;	/* CLOCK_REALTIME at arrival */
	size_t rec_len;		/* RPC record length (no record mark) */
	stateid4 sid;		/* cna_stateid */
	uint32_t fh_len;	/* cna_fh */
	uint8_t fh[NFS4_FHSIZE];
	unsigned nchanges;	/* notify4s */
	unsigned first, count;	/* its notifications in the tap */
	bool ok;		/* everything decoded */
	char problem[128];
};

/*
 * Where a long-lived client (ditto-watch) takes notifications instead of
 * the tap keeping them: each CB_NOTIFY's notifications in order, each
 * CB_RECALLABLE_OBJ_AVAIL, on the reader thread with the tap locked and
 * before the call is answered.
 */
struct dc_notify_sink {
	void (*notify)(void *arg, const struct dc_notify_call *call,
		       const struct dc_notify_ent *ents, unsigned n);
	void (*avail)(void *arg, const struct dc_obj_avail *a);
	void *arg;
};

struct dc_notify_tap {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct dc_conn *conn;
	dc_call_fn prev_fn;
	void *prev_arg;
	struct dc_notify_call *calls;
	unsigned ncalls, ccap;
	struct dc_notify_ent *ents;
	unsigned nents, ecap;
	struct dc_obj_avail avail[8];	/* the first CB_RECALLABLE_OBJ_AVAILs */
	unsigned navail;
	struct dc_notify_sink sink;	/* set: nothing is kept */
};

/* Tap cl's first connection (after its session is up). */
void dc_notify_tap_attach(struct dc_notify_tap *t, struct dc_client *cl);
/*
 * Tap conn, whose calls already go to a back channel, handing what it
 * decodes to sink.
 */
void dc_notify_tap_attach_sink(struct dc_notify_tap *t, struct dc_conn *conn,
			       const struct dc_notify_sink *sink);
/* After the client (and so its connections) is destroyed. */
void dc_notify_tap_destroy(struct dc_notify_tap *t);
/* Wait until at least count notifications arrived; returns how many. */
unsigned dc_notify_wait(struct dc_notify_tap *t, unsigned count,
			int timeout_ms);
unsigned dc_notify_count(struct dc_notify_tap *t);
/* Wait until at least count CB_RECALLABLE_OBJ_AVAILs arrived. */
unsigned dc_notify_wait_avail(struct dc_notify_tap *t, unsigned count,
			      int timeout_ms);
bool dc_notify_get_avail(struct dc_notify_tap *t, unsigned i,
			 struct dc_obj_avail *out);
unsigned dc_notify_calls(struct dc_notify_tap *t);
bool dc_notify_get(struct dc_notify_tap *t, unsigned i,
		   struct dc_notify_ent *out);
bool dc_notify_get_call(struct dc_notify_tap *t, unsigned i,
			struct dc_notify_call *out);

/* Decode the body of one notification (tests of the decoder itself). */
bool dc_notify_decode_body(uint32_t type, const char *buf, unsigned len,
			   struct dc_notify_ent *out);

/*
 * CREATE_SESSION like dc_client_create_session() but with the back
 * channel's ca_maxrequestsize set to back_maxreq.
 */
int dc_notify_create_session(struct dc_client *cl, uint32_t back_maxreq,
			     nfsstat4 *status);

#endif

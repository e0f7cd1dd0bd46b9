/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * NFSv4 COMPOUND builder.  Arguments are Ganesha's own nfs_argop4
 * structures (nfsv41.h) and are encoded by its xdr_COMPOUND4args, so the
 * bytes are exactly what the server's decoder expects.  Memory that the
 * arguments point to is owned by the compound and freed with it.
 */
#ifndef DITTO_COMPOUND_H
#define DITTO_COMPOUND_H

#include "config.h"
#include "nfsv41.h"
#include "rpc_msg.h"

#define DC_MAX_OPS 64

struct dc_compound {
	char tag[64];
	uint32_t minor;
	nfs_argop4 ops[DC_MAX_OPS];
	unsigned nops;
	/* Memory referenced from ops[], freed by dc_compound_free(). */
	void **owned;
	unsigned nowned, owned_cap;
};

struct dc_cres {
	struct dc_reply rpc;
	COMPOUND4res res;
	bool decoded;
};

/* The COMPOUND procedure of program NFS4_PROGRAM (RFC 8881 16.2). */
#define NFS4_PROC_COMPOUND 1

void dc_compound_init(struct dc_compound *c, uint32_t minor, const char *tag);
void dc_compound_free(struct dc_compound *c);
/* Append an op with zeroed arguments; NULL when full. */
nfs_argop4 *dc_op_add(struct dc_compound *c, nfs_opnum4 op);
/* Copy n bytes into memory owned by the compound. */
void *dc_compound_keep(struct dc_compound *c, const void *p, size_t n);

/* Point args at c's tag and ops (no copy: valid while c is). */
void dc_compound_args(struct dc_compound *c, COMPOUND4args *args);
/* Encode COMPOUND4args (without RPC header) into buf; returns length. */
int dc_compound_encode(struct dc_compound *c, uint8_t *buf, size_t size);

/*
 * Raw XDR bytes, for COMPOUND arguments the encoder will not produce
 * (lengths that lie, truncated ops).  Writing past b aborts: a case
 * that needs more asks for a bigger buffer.
 */
struct dc_wbuf {
	uint8_t b[1024];
	size_t n;
};
void dc_wbuf_u32(struct dc_wbuf *w, uint32_t v);
void dc_wbuf_zeros(struct dc_wbuf *w, size_t n);
/* n bytes of p, then zeros up to a multiple of 4 (no length word). */
void dc_wbuf_opaque(struct dc_wbuf *w, const void *p, size_t n);
/* Send as NFSPROC4_COMPOUND and decode the COMPOUND4res. */
int dc_compound_call(struct dc_conn *conn, const struct dc_auth *auth,
		     struct dc_compound *c, struct dc_cres *out,
		     int timeout_ms);
/* Decode out->rpc into out->res (used after a raw resend too). */
int dc_cres_decode(struct dc_cres *out);
void dc_cres_free(struct dc_cres *r);
/* i-th result or NULL when the reply carries fewer. */
nfs_resop4 *dc_cres_op(struct dc_cres *r, unsigned i);
/* Status of the i-th result (the nfsstat4 each resop starts with). */
nfsstat4 dc_cres_status(struct dc_cres *r, unsigned i);

/* Builders (4.0 / 4.1 / 4.2). Strings are copied. */
void dc_op_sequence(struct dc_compound *c, const sessionid4 sid,
		    uint32_t seqid, uint32_t slot, uint32_t highest,
		    bool cachethis);
void dc_op_putrootfh(struct dc_compound *c);
void dc_op_putfh(struct dc_compound *c, const nfs_fh4 *fh);
void dc_op_getfh(struct dc_compound *c);
void dc_op_savefh(struct dc_compound *c);
void dc_op_restorefh(struct dc_compound *c);
void dc_op_lookup(struct dc_compound *c, const char *name);
void dc_op_lookupp(struct dc_compound *c);
void dc_op_getattr(struct dc_compound *c, uint32_t w0, uint32_t w1);
void dc_op_open(struct dc_compound *c, uint32_t seqid, clientid4 clid,
		const char *owner, const char *name, bool create,
		uint32_t access);
void dc_op_close(struct dc_compound *c, uint32_t seqid,
		 const stateid4 *sid);
void dc_op_read(struct dc_compound *c, const stateid4 *sid, uint64_t off,
		uint32_t count);
void dc_op_write(struct dc_compound *c, const stateid4 *sid, uint64_t off,
		 const void *data, uint32_t len);
void dc_op_readdir(struct dc_compound *c, uint64_t cookie, uint32_t dircount,
		   uint32_t maxcount, uint32_t w0, uint32_t w1);
void dc_op_mkdir(struct dc_compound *c, const char *name);
void dc_op_remove(struct dc_compound *c, const char *name);
void dc_op_rename(struct dc_compound *c, const char *from, const char *to);
void dc_op_setattr_size(struct dc_compound *c, const stateid4 *sid,
			uint64_t size);
void dc_op_link(struct dc_compound *c, const char *name);
void dc_op_lock(struct dc_compound *c, const stateid4 *open_sid,
		clientid4 clid, const char *lock_owner, uint64_t off,
		uint64_t len);
void dc_op_locku(struct dc_compound *c, const stateid4 *lock_sid,
		 uint64_t off, uint64_t len);
void dc_op_delegreturn(struct dc_compound *c, const stateid4 *sid);
void dc_op_test_stateid(struct dc_compound *c, const stateid4 *sids,
			unsigned n);
void dc_op_free_stateid(struct dc_compound *c, const stateid4 *sid);
void dc_op_get_dir_delegation(struct dc_compound *c);
void dc_op_exchange_id(struct dc_compound *c, const char *owner,
		       const verifier4 verf, uint32_t flags);
void dc_op_create_session(struct dc_compound *c, clientid4 clid,
			  uint32_t seq, uint32_t flags,
			  const channel_attrs4 *fore,
			  const channel_attrs4 *back, uint32_t cb_program,
			  const struct dc_auth *cb_auth);
void dc_op_destroy_session(struct dc_compound *c, const sessionid4 sid);
void dc_op_destroy_clientid(struct dc_compound *c, clientid4 clid);
void dc_op_reclaim_complete(struct dc_compound *c, bool one_fs);
void dc_op_bind_conn(struct dc_compound *c, const sessionid4 sid,
		     channel_dir_from_client4 dir);
void dc_op_backchannel_ctl(struct dc_compound *c, uint32_t cb_program,
			   const struct dc_auth *cb_auth);
/* 4.0 only */
void dc_op_setclientid(struct dc_compound *c, const char *id,
		       const verifier4 verf, uint32_t cb_program,
		       const char *r_addr);
void dc_op_setclientid_confirm(struct dc_compound *c, clientid4 clid,
			       const verifier4 confirm);
void dc_op_open_confirm(struct dc_compound *c, const stateid4 *sid,
			uint32_t seqid);
void dc_op_renew(struct dc_compound *c, clientid4 clid);
void dc_op_release_lockowner(struct dc_compound *c, clientid4 clid,
			     const char *owner);

/* Default channel attributes the client asks for. */
void dc_default_chan_attrs(channel_attrs4 *a, uint32_t slots);
/* Back channel attributes the client asks for (small, uncached). */
void dc_default_back_chan_attrs(channel_attrs4 *a, uint32_t slots);

#endif

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Steps the directory delegation cases share (cases_dirdeleg.c: grant,
 * recall and revocation; cases_dirdeleg_notify.c: CB_NOTIFY and
 * CB_RECALLABLE_OBJ_AVAIL): compounds on a directory, GET_DIR_DELEGATION
 * with its arguments and results, the CB_RECALLs a client recorded, and
 * a new directory of its own for each case.
 */
#ifndef DITTO_DIRDELEG_STEPS_H
#define DITTO_DIRDELEG_STEPS_H

#include <stdbool.h>
#include <stdint.h>
#include "case.h"

/* Bounds of every wait below (they bound, they are not asserted). */
#define CB_WAIT_MS 15000
#define REVOKE_WAIT_S 60

/* SEQUENCE status flags that say some state was revoked (18.46.3) */
#define DD_REVOKED_BITS                                                        \
	(SEQ4_STATUS_RECALLABLE_STATE_REVOKED |                                \
	 SEQ4_STATUS_EXPIRED_SOME_STATE_REVOKED |                              \
	 SEQ4_STATUS_ADMIN_STATE_REVOKED)

struct dd_call {
	struct dc_client *cl;
	const nfs_fh4 *fh;	/* current fh (NULL: export root) */
	const nfs_fh4 *fh2;	/* second fh (rename target dir) */
	const char *name, *name2;
	uint32_t notify;	/* GDD notification types */
	uint32_t child[2], dattr[2];	/* GDD attribute bitmaps */
	uint32_t mode;
	stateid4 sid;
	uint32_t child_delay_ms;	/* gdda_child_attr_delay */
	bool signal;		/* gdda_signal_deleg_avail */
};

struct gdd_res {
	nfsstat4 status;	/* the op's status */
	gddrnf4_status nf;	/* GDD4_OK / GDD4_UNAVAIL */
	stateid4 sid;
	uint32_t notify;	/* granted types, word 0 */
	unsigned notify_len;
	bool signal;
	uint32_t child[2], dattr[2];	/* granted attributes */
};

/* A mounted client A and its own new directory under the export. */
struct dd_setup {
	struct dc_client a, b;
	nfs_fh4 dir;
	char dname[96];
};

#define EXPECT_GRANTED(g)                                                      \
	do {                                                                   \
		EXPECT_STATUS((g).status, NFS4_OK, "GET_DIR_DELEGATION");      \
		EXPECT((g).nf == GDD4_OK,                                      \
		       "GET_DIR_DELEGATION: GDD4_UNAVAIL, expected a grant; "  \
		       "is Dir_Delegations enabled?");                         \
	} while (0)

double dd_now_s(void);
void dd_sleep_ms(unsigned ms);
void dd_set_bm(struct bitmap4 *b, uint32_t w0, uint32_t w1);
int dd_call_last(struct dc_client *cl,
		 void (*fill)(struct dc_compound *c, void *arg),
		 struct dd_call *d, nfsstat4 *st);
int dd_mkdir_in(struct dc_client *cl, const nfs_fh4 *dir,
		const char *name, nfs_fh4 *fh, nfsstat4 *st);
int dd_gdd_call(struct dc_client *cl, struct dd_call *d,
		struct gdd_res *g);
int dd_gdd_attrs(struct dc_client *cl, const nfs_fh4 *dir,
		 uint32_t notify, const uint32_t *child,
		 const uint32_t *dattr, struct gdd_res *g);
int dd_gdd(struct dc_client *cl, const nfs_fh4 *dir, uint32_t notify,
	   struct gdd_res *g);
int dd_remove_in(struct dc_client *cl, const nfs_fh4 *dir,
		 const char *name, nfsstat4 *st);
int dd_rename_in(struct dc_client *cl, const nfs_fh4 *from_dir,
		 const char *from, const nfs_fh4 *to_dir, const char *to,
		 nfsstat4 *st);
int dd_delegreturn(struct dc_client *cl, const nfs_fh4 *dir,
		   const stateid4 *sid, nfsstat4 *st);
int dd_chmod_fh(struct dc_client *cl, const nfs_fh4 *fh, uint32_t mode,
		nfsstat4 *st);
bool dd_rec_is(const struct dc_cb_record *r, const stateid4 *sid,
	       const nfs_fh4 *fh);
bool dd_wait_recall_of(struct dc_client *cl, const stateid4 *sid,
		       unsigned from, int timeout_ms,
		       struct dc_cb_record *out, unsigned *idx);
unsigned dd_count_recalls(struct dc_client *cl, const stateid4 *sid);
int dd_begin(struct dc_ctx *ctx, struct dd_setup *s, bool two);
void dd_end(struct dd_setup *s);
int dd_v40_mkdir(struct dc_ctx *ctx, const nfs_fh4 *dir,
		 const char *name, nfsstat4 *st);
bool dd_wait_revoked(struct dc_client *cl, unsigned max_s);
bool dd_wait_any_revoked(struct dc_client *cl, unsigned max_s,
			 uint32_t *flags);

#endif

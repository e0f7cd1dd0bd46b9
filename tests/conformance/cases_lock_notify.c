// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * CB_NOTIFY_LOCK (RFC 8881 20.11): a client whose blocking lock was
 * refused is told on its back channel when the lock may be free.  The
 * notification is a hint (section 9.6: the waiter polls anyway), but it
 * must name the waiter's lock owner and file, and one the client could
 * not take at once (NFS4ERR_DELAY) is sent again.
 */
#include <stdio.h>
#include <string.h>
#include "case.h"

#define NL_OFF 0
#define NL_LEN 100
/* A notification comes within a few engine retries of a second */
#define NL_WAIT_MS 15000

/* Handler: NFS4ERR_DELAY to the first CB_NOTIFY_LOCK, OK to the rest. */
static enum dc_cb_action delay_first_notify_lock(void *arg,
						 const struct dc_cb_record *r,
						 nfsstat4 *status)
{
	unsigned *seen = arg;

	if (!r->has_notify_lock || (*seen)++ > 0)
		return DC_CB_OK;
	return DC_CB_DELAY;
}

/* The i-th CB_NOTIFY_LOCK of fh recorded on cl's back channel. */
static bool nth_notify_lock(struct dc_client *cl, const nfs_fh4 *fh,
			    unsigned n, struct dc_cb_record *out)
{
	unsigned i, k = 0;

	for (i = 0; dc_cb_get(&cl->cb, i, out); i++)
		if (dc_cb_is_notify_lock_of(out, fh) && k++ == n)
			return true;
	return false;
}

/*
 * A holds a write lock; B (another client) asks WRITEW_LT and is
 * refused; A unlocks.  B gets CB_NOTIFY_LOCK for its own lock owner and
 * file, answers NFS4ERR_DELAY, gets it again with the same arguments,
 * and then takes the lock.
 */
static void lockcb1_notify_lock(struct dc_ctx *ctx)
{
	struct dc_client a = { 0 }, b = { 0 };
	struct dc_cb_record r;
	nfs_fh4 fha = { 0 }, fhb = { 0 };
	stateid4 osa, osb, lsa, lsb;
	bool oa = false, ob = false, la = false, lb = false;
	const char *owner = "lo-waiter";
	char name[96];
	unsigned seen = 0, i, n;
	nfsstat4 st;
	int rc;

	if (!dc_ctx_mounted_pair(ctx, &a, &b))
		goto out;
	dc_cb_set_handler(&b.cb, delay_first_notify_lock, &seen);
	dc_name(ctx, "f", name, sizeof(name));
	rc = dc_client_open_file(&a, name, true, &osa, &fha, &st);
	EXPECT_OP(rc, st, NFS4_OK, "OPEN create by A");
	oa = true;
	rc = dc_client_open_file(&b, name, false, &osb, &fhb, &st);
	EXPECT_OP(rc, st, NFS4_OK, "OPEN by B");
	ob = true;
	rc = dc_fs_lock(&a, &fha, WRITE_LT, &osa, "lo-holder", NL_OFF,
			NL_LEN, &lsa, NULL, &st);
	EXPECT_RPC(rc, "LOCK by A");
	if (st == NFS4ERR_NOTSUPP || st == NFS4ERR_LOCK_NOTSUPP)
		SKIP("no byte-range locks here (%s)", dc_nfsstat_name(st));
	EXPECT_STATUS(st, NFS4_OK, "A: LOCK WRITE [0, 100)");
	la = true;
	rc = dc_fs_lock(&b, &fhb, WRITEW_LT, &osb, owner, NL_OFF, NL_LEN,
			NULL, NULL, &st);
	EXPECT_OP(rc, st, NFS4ERR_DENIED, "B: LOCK WRITEW [0, 100)");
	rc = dc_fs_locku(&a, &fha, &lsa, NL_OFF, NL_LEN, &st);
	EXPECT_OP(rc, st, NFS4_OK, "A: LOCKU [0, 100)");
	la = false;

	n = dc_cb_wait_notify_locks(&b.cb, &fhb, 2, NL_WAIT_MS);
	EXPECT(n >= 1, "no CB_NOTIFY_LOCK to B within %d ms of A's LOCKU",
	       NL_WAIT_MS);
	EXPECT(n >= 2,
	       "CB_NOTIFY_LOCK answered NFS4ERR_DELAY was not sent again "
	       "within %d ms", NL_WAIT_MS);
	for (i = 0; i < 2; i++) {
		EXPECT(nth_notify_lock(&b, &fhb, i, &r), "CB_NOTIFY_LOCK %u",
		       i);
		EXPECT(r.nl_clientid == b.clientid &&
			       r.nl_owner_len == strlen(owner) &&
			       !memcmp(r.nl_owner, owner, strlen(owner)),
		       "CB_NOTIFY_LOCK %u: lock owner %#llx \"%.*s\", expected "
		       "B's %#llx \"%s\"", i,
		       (unsigned long long)r.nl_clientid,
		       (int)(r.nl_owner_len < sizeof(r.nl_owner) ?
				     r.nl_owner_len :
				     sizeof(r.nl_owner)),
		       r.nl_owner, (unsigned long long)b.clientid, owner);
	}
	rc = dc_fs_lock(&b, &fhb, WRITE_LT, &osb, owner, NL_OFF, NL_LEN, &lsb,
			NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK, "B: LOCK WRITE after the notification");
	lb = true;
out:
	if (la)
		dc_fs_locku(&a, &fha, &lsa, NL_OFF, NL_LEN, &st);
	if (lb)
		dc_fs_locku(&b, &fhb, &lsb, NL_OFF, NL_LEN, &st);
	if (ob)
		dc_client_close_file(&b, &fhb, &osb, &st);
	if (oa) {
		dc_client_close_file(&a, &fha, &osa, &st);
		dc_fs_remove(&a, NULL, name, &st);
	}
	dc_fh_free(&fha);
	dc_fh_free(&fhb);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

const struct dc_case dc_cases_lock_notify[] = {
	{ "LOCKCB1",
	  "CB_NOTIFY_LOCK names the waiter's owner and file; after "
	  "NFS4ERR_DELAY it is sent again",
	  "20.11 / 9.6", "lock callback all", "DATA5", lockcb1_notify_lock },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

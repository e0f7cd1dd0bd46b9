// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * State the server may keep only for a lease: an unconfirmed client ID
 * (RFC 8881 section 18.35.4) and the hold on a lock that became free for
 * a blocked waiter (section 9.6).  Both wait out lease-based bounds: the
 * lease is read from the server (the suite's is 10 s) and the cases skip
 * above 30 s.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "case.h"

#define LEASE_MAX 30

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The lease of a fresh mounted client; 0 with the case failed/skipped. */
static uint32_t lease_of_server(struct dc_ctx *ctx)
{
	struct dc_client m = { 0 };
	uint32_t lease = 0;
	int rc;

	rc = dc_ctx_mounted(ctx, &m);
	EXPECT_RPC(rc, "mount (reading lease_time)");
	lease = dc_check_lease(ctx, &m);
	if (lease > LEASE_MAX) {
		dc_skip(ctx, "lease_time %u s: too long to wait out here",
			lease);
		lease = 0;
	}
out:
	dc_client_destroy(&m);
	return lease;
}

/* ---- LEASE1: an unconfirmed client ID does not outlive its lease ---- */

static void lease1_unconfirmed(struct dc_ctx *ctx)
{
	struct dc_client cl = { 0 }, ctl = { 0 };
	uint32_t lease;
	clientid4 stale;
	nfsstat4 st;
	int rc;

	lease = lease_of_server(ctx);
	if (!lease)
		return;
	rc = dc_ctx_client(ctx, &cl);
	EXPECT_RPC(rc, "connect");
	rc = dc_ctx_client(ctx, &ctl);
	EXPECT_RPC(rc, "connect control client");
	rc = dc_client_exchange_id(&cl, EXCHGID4_FLAG_USE_NON_PNFS, &st);
	EXPECT_OP(rc, st, NFS4_OK, "EXCHANGE_ID");
	EXPECT(!(cl.eir_flags & EXCHGID4_FLAG_CONFIRMED_R),
	       "a new owner's client ID came back confirmed (flags %#x)",
	       cl.eir_flags);
	rc = dc_client_exchange_id(&ctl, EXCHGID4_FLAG_USE_NON_PNFS, &st);
	EXPECT_OP(rc, st, NFS4_OK, "EXCHANGE_ID of the control client");
	/* Within the lease the record is there to be confirmed. */
	usleep(lease * 1000000u / 2);
	rc = dc_client_create_session(&ctl, 0, 4, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "control: CREATE_SESSION half a lease after EXCHANGE_ID");
	/*
	 * Past the lease (and half a lease more for a server that sweeps
	 * expired records periodically) it must be gone.
	 */
	usleep(lease * 1000000u + 2000000u);
	rc = dc_client_create_session(&cl, 0, 4, &st);
	EXPECT_OP(rc, st, NFS4ERR_STALE_CLIENTID,
		  "CREATE_SESSION %u s after EXCHANGE_ID (lease %u s)",
		  lease * 3 / 2 + 2, lease);
	/* The owner starts over with a new client ID. */
	stale = cl.clientid;
	rc = dc_client_exchange_id(&cl, EXCHGID4_FLAG_USE_NON_PNFS, &st);
	EXPECT_OP(rc, st, NFS4_OK, "EXCHANGE_ID again");
	EXPECT(cl.clientid != stale, "the stale client ID %#llx came back",
	       (unsigned long long)stale);
	rc = dc_client_create_session(&cl, 0, 4, &st);
	EXPECT_OP(rc, st, NFS4_OK, "CREATE_SESSION of the new client ID");
	dc_note(ctx, "lease %u s; CREATE_SESSION after %u s: STALE_CLIENTID",
		lease, lease * 3 / 2 + 2);
out:
	dc_client_destroy(&ctl);
	dc_client_destroy(&cl);
}

/* ---- LEASE2/3: a blocked waiter that never comes back ---- */

#define LK_OFF 0
#define LK_LEN 100

/*
 * Holder h locks, waiter w (another client, or another lock owner of
 * h's client when w is h) asks WRITEW_LT and is refused, h unlocks and
 * w never asks again while its client keeps renewing.  A third client
 * c must get the lock within a lease of the unlock, give or take the
 * second between c's tries and a second of clock granularity (section
 * 9.6: the server may keep it for the waiter a lease at most).
 */
static void blocked_waiter_gone(struct dc_ctx *ctx, bool same_client)
{
	struct dc_client a = { 0 }, b = { 0 }, c = { 0 };
	struct dc_client *w = same_client ? &a : &b;
	nfs_fh4 fha = { 0 }, fhw = { 0 }, fhc = { 0 };
	stateid4 osa, osw, osc, lsa, lsc;
	bool oa = false, ow = false, oc = false, la = false, lc = false;
	char name[96], owner[32];
	const char *first = "DENIED";
	double t0, waited = 0;
	uint32_t lease;
	unsigned tries = 0;
	nfsstat4 st;
	int rc;

	lease = lease_of_server(ctx);
	if (!lease)
		return;
	rc = dc_ctx_mounted(ctx, &a);
	EXPECT_RPC(rc, "mount A");
	if (!same_client) {
		rc = dc_ctx_mounted(ctx, &b);
		EXPECT_RPC(rc, "mount B");
	}
	rc = dc_ctx_mounted(ctx, &c);
	EXPECT_RPC(rc, "mount C");
	dc_name(ctx, "f", name, sizeof(name));
	rc = dc_client_open_file(&a, name, true, &osa, &fha, &st);
	EXPECT_OP(rc, st, NFS4_OK, "OPEN create by A");
	oa = true;
	if (!same_client) {
		rc = dc_client_open_file(w, name, false, &osw, &fhw, &st);
		EXPECT_OP(rc, st, NFS4_OK, "OPEN by B");
		ow = true;
	} else {
		osw = osa;
		dc_fh_copy(&fhw, &fha);
	}
	rc = dc_client_open_file(&c, name, false, &osc, &fhc, &st);
	EXPECT_OP(rc, st, NFS4_OK, "OPEN by C");
	oc = true;

	rc = dc_fs_lock(&a, &fha, WRITE_LT, &osa, "lo-A", LK_OFF, LK_LEN,
			&lsa, NULL, &st);
	EXPECT_RPC(rc, "LOCK by A");
	if (st == NFS4ERR_NOTSUPP || st == NFS4ERR_LOCK_NOTSUPP)
		SKIP("no byte-range locks here (%s)", dc_nfsstat_name(st));
	EXPECT_STATUS(st, NFS4_OK, "A: LOCK WRITE [0, 100)");
	la = true;
	rc = dc_fs_lock(w, &fhw, WRITEW_LT, &osw, "lo-W", LK_OFF, LK_LEN,
			NULL, NULL, &st);
	EXPECT_OP(rc, st, NFS4ERR_DENIED, "waiter: LOCK WRITEW [0, 100)");
	rc = dc_fs_locku(&a, &fha, &lsa, LK_OFF, LK_LEN, &st);
	EXPECT_OP(rc, st, NFS4_OK, "A: LOCKU [0, 100)");
	la = false;
	t0 = now_s();

	/*
	 * The waiter's client keeps renewing, never asking again; C asks
	 * for the lock once a second.
	 */
	for (;;) {
		snprintf(owner, sizeof(owner), "lo-C-%u", tries++);
		rc = dc_fs_lock(&c, &fhc, WRITE_LT, &osc, owner, LK_OFF,
				LK_LEN, &lsc, NULL, &st);
		EXPECT_RPC(rc, "LOCK by C");
		waited = now_s() - t0;
		if (tries == 1)
			first = dc_nfsstat_name(st);
		if (st == NFS4_OK) {
			lc = true;
			break;
		}
		EXPECT_STATUS(st, NFS4ERR_DENIED, "C: LOCK WRITE [0, 100)");
		EXPECT(waited < lease + 3.0,
		       "C: LOCK WRITE [0, 100) still DENIED %.0f s after A's "
		       "LOCKU (lease %u s; %u tries), the waiter renewing "
		       "but never asking again", waited, lease, tries);
		if (!dc_renew_wait(ctx, &a, 1000, 1000))
			goto out;
		if (!same_client) {
			rc = dc_client_simple(&b, NULL, NULL, NULL, &st);
			EXPECT_OP(rc, st, NFS4_OK, "B: SEQUENCE");
		}
	}
	/* The waiter's client is alive and well: it was never expired. */
	rc = dc_client_simple(w, NULL, NULL, NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK, "waiter's client: SEQUENCE at the end");
	rc = dc_fs_locku(&c, &fhc, &lsc, LK_OFF, LK_LEN, &st);
	EXPECT_OP(rc, st, NFS4_OK, "C: LOCKU");
	lc = false;
	dc_note(ctx, "lease %u s; C's LOCK right after the LOCKU: %s; "
		"granted %.1f s after it (try %u)", lease, first, waited,
		tries);
out:
	if (la)
		dc_fs_locku(&a, &fha, &lsa, LK_OFF, LK_LEN, &st);
	if (lc)
		dc_fs_locku(&c, &fhc, &lsc, LK_OFF, LK_LEN, &st);
	if (oc)
		dc_client_close_file(&c, &fhc, &osc, &st);
	if (ow)
		dc_client_close_file(w, &fhw, &osw, &st);
	if (oa) {
		dc_client_close_file(&a, &fha, &osa, &st);
		dc_fs_remove(&a, NULL, name, &st);
	}
	dc_fh_free(&fha);
	dc_fh_free(&fhw);
	dc_fh_free(&fhc);
	dc_client_destroy(&c);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
}

static void lease2_waiter_client(struct dc_ctx *ctx)
{
	blocked_waiter_gone(ctx, false);
}

static void lease3_waiter_owner(struct dc_ctx *ctx)
{
	blocked_waiter_gone(ctx, true);
}

const struct dc_case dc_cases_lease_state[] = {
	{ "LEASE1",
	  "client ID not confirmed within a lease: CREATE_SESSION "
	  "STALE_CLIENTID",
	  "18.35.4", "lease clientid all", "CSESS1", lease1_unconfirmed },
	{ "LEASE2",
	  "blocked WRITEW waiter (other client) never retries: the lock "
	  "is free for others after a lease",
	  "9.6", "lease lock all", "DATA5", lease2_waiter_client },
	{ "LEASE3",
	  "blocked WRITEW waiter (holder's client, other owner) never "
	  "retries: free for others after a lease",
	  "9.6", "lease lock all", "DATA5", lease3_waiter_owner },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

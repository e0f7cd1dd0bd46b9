// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * notify_bench: CB_NOTIFY throughput and latency (RFC 8881 20.4).
 * Client A holds a directory delegation asking for entry notifications
 * (ADD/REMOVE/RENAME, without position data); client B creates CHANGES
 * files in that directory with M calls in flight, as fast as it can or
 * at RATE creates/s.  Each ADD notification A receives is matched by
 * name to its create: latency is from B sending the create to the
 * CB_NOTIFY carrying it arriving at A (same host, same clock).  Not a
 * test: it asserts nothing about speed.
 *
 *   notify_bench --server HOST:PORT:/EXPORT [--changes N] [--slots M]
 *                [--rate R] [--seconds LIMIT]
 *
 * Prints one line of key=value pairs: changes, changes_per_s,
 * notifications, calls (CB_NOTIFYs), mean_batch, notif_per_s,
 * p50_ms, p99_ms, max_ms.  The server's Dir_Notify_Window_ms is the
 * caller's to set; the run fails if a notification is missing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cb_notify.h"

#define MAX_SLOTS 64
#define CONNECT_TRIES 100
/* Draft NFSv4.1bis: notifications without directory position data */
#define NOTIFY4_GFLAG_EXTEND 6
#define NB(t) (1u << (t))
#define N_ENTRIES                                                              \
	(NB(NOTIFY4_ADD_ENTRY) | NB(NOTIFY4_REMOVE_ENTRY) |                    \
	 NB(NOTIFY4_RENAME_ENTRY) | NB(NOTIFY4_GFLAG_EXTEND))

struct nb {
	struct dc_client a, b;
	struct dc_notify_tap tap;
	char dir[64], owner[64];
	nfs_fh4 dirfh;
	unsigned long changes;
	unsigned int nslots;
	double rate, limit_s, t0;
	atomic_ulong next, errors;
	atomic_int first_err;
	struct timespec *sent;	/* CLOCK_REALTIME per change */
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double ts_diff_ms(const struct timespec *a, const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) * 1e3 + (a->tv_nsec - b->tv_nsec) / 1e6;
}

static void fill_reclaim(struct dc_compound *c, void *arg)
{
	dc_op_reclaim_complete(c, false);
}

static int mount(struct dc_client *cl, const struct dc_server *srv,
		 const char *owner, uint32_t slots)
{
	nfsstat4 st;
	int rc;

	rc = dc_client_init_retry(cl, srv, owner, CONNECT_TRIES, 100);
	if (rc)
		return rc;
	rc = dc_client_open_session(cl, slots, &st);
	if (!rc && st != NFS4_OK)
		rc = st;
	if (!rc)
		rc = dc_client_simple(cl, fill_reclaim, NULL, NULL, &st);
	return rc ? rc : (int)st;
}

struct call_arg {
	struct nb *n;
	const char *name;
};

static void fill_mkdir(struct dc_compound *c, void *arg)
{
	struct call_arg *a = arg;

	dc_client_put_export(&a->n->a, c);
	dc_op_mkdir(c, a->name);
	dc_op_getfh(c);
}

static void fill_gdd(struct dc_compound *c, void *arg)
{
	struct call_arg *a = arg;
	GET_DIR_DELEGATION4args *g;

	dc_op_putfh(c, &a->n->dirfh);
	g = &dc_op_add(c, NFS4_OP_GET_DIR_DELEGATION)
		     ->nfs_argop4_u.opget_dir_delegation;
	g->gdda_signal_deleg_avail = FALSE;
	g->gdda_notification_types.bitmap4_len = 1;
	g->gdda_notification_types.map[0] = N_ENTRIES;
	g->gdda_child_attributes.bitmap4_len = 0;
	g->gdda_dir_attributes.bitmap4_len = 0;
}

/* A: a fresh directory, the tap, a delegation with ADD notifications. */
static int holder_setup(struct nb *n)
{
	struct call_arg a = { .n = n, .name = n->dir };
	GET_DIR_DELEGATION4res_non_fatal *nf;
	struct dc_cres r;
	nfsstat4 st;
	int rc;

	rc = dc_client_simple(&n->a, fill_mkdir, &a, &r, &st);
	if (rc)
		return rc;
	if (st == NFS4_OK)
		dc_fh_copy(&n->dirfh, &dc_cres_op(&r, r.res.resarray
							      .resarray_len - 1)
					      ->nfs_resop4_u.opgetfh
					      .GETFH4res_u.resok4.object);
	dc_cres_free(&r);
	if (st != NFS4_OK)
		return st;
	dc_notify_tap_attach(&n->tap, &n->a);
	rc = dc_client_simple(&n->a, fill_gdd, &a, &r, &st);
	if (rc)
		return rc;
	if (st == NFS4_OK) {
		nf = &dc_cres_op(&r, 2)
			      ->nfs_resop4_u.opget_dir_delegation
			      .GET_DIR_DELEGATION4res_u.gddr_res_non_fatal4;
		if (nf->gddrnf_status != GDD4_OK) {
			fprintf(stderr, "notify_bench: no delegation (GDD4_UNAVAIL)\n");
			st = NFS4ERR_NOTSUPP;
		} else if (!(nf->GET_DIR_DELEGATION4res_non_fatal_u
				     .gddrnf_resok4.gddr_notification.map[0] &
			     NB(NOTIFY4_ADD_ENTRY))) {
			fprintf(stderr, "notify_bench: ADD notifications not granted\n");
			st = NFS4ERR_NOTSUPP;
		}
	}
	dc_cres_free(&r);
	return st;
}

struct create_arg {
	struct nb *n;
	char name[32];
};

static void fill_create(struct dc_compound *c, void *arg)
{
	struct create_arg *a = arg;
	/* The current stateid (RFC 8881 16.2.3.1.2): the OPEN's. */
	static const stateid4 cur = { .seqid = 1 };

	dc_op_putfh(c, &a->n->dirfh);
	dc_op_open(c, 0, a->n->b.clientid, a->n->owner, a->name, true,
		   OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG);
	dc_op_close(c, 0, &cur);
}

static void *changer(void *arg)
{
	struct nb *n = arg;
	struct create_arg a = { .n = n };

	for (;;) {
		unsigned long k;
		nfsstat4 st;
		int rc;

		/* Time first: every k claimed below changes is sent. */
		if (mono_s() - n->t0 > n->limit_s)
			break;
		k = atomic_fetch_add(&n->next, 1);
		if (k >= n->changes)
			break;
		if (n->rate > 0) {
			double due = n->t0 + k / n->rate, now = mono_s();

			if (due > now) {
				struct timespec d = {
					(time_t)(due - now),
					(long)((due - now -
						(time_t)(due - now)) * 1e9)
				};

				nanosleep(&d, NULL);
			}
		}
		snprintf(a.name, sizeof(a.name), "n%07lu", k);
		clock_gettime(CLOCK_REALTIME, &n->sent[k]);
		rc = dc_client_simple(&n->b, fill_create, &a, NULL, &st);
		if (!rc)
			rc = st;
		if (rc) {
			int zero = 0;

			atomic_fetch_add(&n->errors, 1);
			atomic_compare_exchange_strong(&n->first_err, &zero,
						       rc);
		}
	}
	return NULL;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int print_usage(void)
{
	fprintf(stderr, "usage: notify_bench --server HOST:PORT:/EXPORT "
			"[--changes N] [--slots M] [--rate R] "
			"[--seconds LIMIT]\n");
	return 2;
}

static int report(struct nb *n, unsigned long sent, double send_s)
{
	unsigned int got = dc_notify_count(&n->tap), calls = dc_notify_calls(
							    &n->tap), i, m = 0;
	struct timespec first = n->sent[0], last = { 0 };
	struct dc_notify_ent e;
	struct dc_notify_call c;
	double *lat = calloc(got ? got : 1, sizeof(*lat));

	if (!lat)
		return 1;
	for (i = 0; i < got; i++) {
		unsigned long k;

		if (!dc_notify_get(&n->tap, i, &e) ||
		    e.type != NOTIFY4_ADD_ENTRY || e.name[0] != 'n' ||
		    !dc_notify_get_call(&n->tap, e.call, &c))
			continue;
		k = strtoul(e.name + 1, NULL, 10);
		if (k >= sent)
			continue;
		lat[m++] = ts_diff_ms(&c.ts, &n->sent[k]);
		if (ts_diff_ms(&c.ts, &last) > 0)
			last = c.ts;
	}
	qsort(lat, m, sizeof(*lat), cmp_d);
	printf("changes=%lu changes_per_s=%.1f notifications=%u calls=%u "
	       "mean_batch=%.1f notif_per_s=%.1f p50_ms=%.2f p99_ms=%.2f "
	       "max_ms=%.2f slots=%u rate=%.0f\n",
	       sent, sent / send_s, m, calls, calls ? (double)m / calls : 0,
	       m ? m / (ts_diff_ms(&last, &first) / 1e3) : 0,
	       m ? lat[m / 2] : 0, m ? lat[m * 99 / 100] : 0,
	       m ? lat[m - 1] : 0, n->nslots, n->rate);
	free(lat);
	if (m != sent) {
		fprintf(stderr, "notify_bench: %u notifications of %lu changes\n",
			m, sent);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct nb n;
	pthread_t th[MAX_SLOTS];
	struct dc_server srv;
	bool have_srv = false;
	unsigned long sent;
	double send_s;
	char owner[96];
	unsigned int i;
	int a, rc;

	n.changes = 5000;
	n.nslots = 8;
	n.limit_s = 60;
	for (a = 1; a < argc; a++) {
		const char *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!v)
			return print_usage();
		if (!strcmp(argv[a], "--server")) {
			if (dc_server_parse(v, &srv))
				return print_usage();
			have_srv = true;
		} else if (!strcmp(argv[a], "--changes")) {
			n.changes = strtoul(v, NULL, 10);
		} else if (!strcmp(argv[a], "--slots")) {
			n.nslots = strtoul(v, NULL, 10);
		} else if (!strcmp(argv[a], "--rate")) {
			n.rate = strtod(v, NULL);
		} else if (!strcmp(argv[a], "--seconds")) {
			n.limit_s = strtod(v, NULL);
		} else {
			return print_usage();
		}
		a++;
	}
	if (!have_srv || !n.changes || n.changes > 1000000 || !n.nslots ||
	    n.nslots > MAX_SLOTS || n.rate < 0 || n.limit_s <= 0 ||
	    n.limit_s > 3600)
		return print_usage();
	n.sent = calloc(n.changes, sizeof(*n.sent));
	if (!n.sent)
		return 1;

	snprintf(owner, sizeof(owner), "ditto-nb-a-%ld-%d", (long)time(NULL),
		 (int)getpid());
	rc = mount(&n.a, &srv, owner, 8);
	owner[9] = 'b';
	if (!rc)
		rc = mount(&n.b, &srv, owner, n.nslots);
	snprintf(n.dir, sizeof(n.dir), "nb-%d-%ld", (int)getpid(),
		 (long)time(NULL));
	snprintf(n.owner, sizeof(n.owner), "nb-%llx",
		 (unsigned long long)n.b.clientid);
	if (!rc)
		rc = holder_setup(&n);
	if (rc) {
		fprintf(stderr, "notify_bench: setup failed: %s\n",
			rc < 0 ? strerror(-rc) : dc_nfsstat_name(rc));
		goto out;
	}
	n.t0 = mono_s();
	for (i = 0; i < n.nslots; i++)
		pthread_create(&th[i], NULL, changer, &n);
	for (i = 0; i < n.nslots; i++)
		pthread_join(th[i], NULL);
	send_s = mono_s() - n.t0;
	sent = atomic_load(&n.next);
	if (sent > n.changes)
		sent = n.changes;
	rc = atomic_load(&n.first_err);
	if (rc) {
		fprintf(stderr, "notify_bench: %lu creates failed, first: %s\n",
			atomic_load(&n.errors),
			rc < 0 ? strerror(-rc) : dc_nfsstat_name(rc));
		goto out;
	}
	/* Window, batching and queueing bound the wait; 60 s is ample. */
	dc_notify_wait(&n.tap, sent, 60000);
	rc = report(&n, sent, send_s);
out:
	dc_client_destroy(&n.b);
	dc_client_destroy(&n.a);
	dc_notify_tap_destroy(&n.tap);
	dc_fh_free(&n.dirfh);
	free(n.sent);
	return rc ? 1 : 0;
}

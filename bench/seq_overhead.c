// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * seq_overhead: throughput and latency of SEQUENCE + PUTROOTFH + GETATTR
 * compounds, to compare a patched and an unpatched ganesha.nfsd
 * (scripts/bench-seq-overhead runs both).  Not a test: it asserts
 * nothing about speed.
 *
 *   seq_overhead --server HOST:PORT:/EXPORT [--sessions N] [--slots M]
 *                [--ops TOTAL] [--seconds LIMIT] [--warmup OPS]
 *
 * N clients, each with one session on its own connection, and M threads
 * per session, one per fore channel slot: every connection carries M
 * outstanding calls at a time (pipelined).  The run stops after TOTAL
 * measured compounds or LIMIT seconds, whichever comes first, after a
 * warm-up of OPS compounds per session that is not measured.  Prints
 * one line of key=value pairs: ops, errors, seconds, ops_per_s, p50_us,
 * p99_us, max_us.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "session.h"

#define MAX_SESSIONS 64
#define MAX_SLOTS 64
#define CONNECT_TRIES 100
#define CONNECT_RETRY_MS 100

struct bench {
	struct dc_client cl[MAX_SESSIONS];
	unsigned nsessions, nslots;
	unsigned long ops, warmup;
	double limit_s;
	/* warm: warm-up done; go: t0 set, measure */
	pthread_barrier_t warm, go;
	double t0;
	atomic_ulong next;	/* measured compounds claimed */
	atomic_ulong errors;
	atomic_bool stop;
	uint32_t *lat_ns;	/* one per measured compound */
};

struct worker {
	struct bench *b;
	struct dc_client *cl;
	uint32_t slot, seqid;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One SEQUENCE + PUTROOTFH + GETATTR on the worker's slot. */
static int one_call(struct worker *w)
{
	struct dc_client *cl = w->cl;
	struct dc_compound c;
	struct dc_cres r;
	nfsstat4 st;
	int rc;

	dc_compound_init(&c, 1, "bench");
	dc_op_sequence(&c, cl->sid, w->seqid + 1, w->slot, w->b->nslots - 1,
		       false);
	dc_op_putrootfh(&c);
	dc_op_getattr(&c, (1u << FATTR4_TYPE) | (1u << FATTR4_CHANGE) |
				  (1u << FATTR4_SIZE) | (1u << FATTR4_FSID),
		      0);
	rc = dc_compound_call(cl->conns[0], &cl->auth, &c, &r, cl->timeout_ms);
	dc_compound_free(&c);
	if (rc) {
		dc_cres_free(&r);
		return rc;
	}
	st = r.res.status;
	/* The slot advances once the server processed SEQUENCE. */
	if (dc_cres_op(&r, 0) &&
	    dc_slot_status_processed(dc_cres_status(&r, 0)))
		w->seqid++;
	dc_cres_free(&r);
	return st == NFS4_OK ? 0 : -EPROTO;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct bench *b = w->b;
	unsigned long i;

	for (i = 0; i < b->warmup / b->nslots + 1; i++)
		if (one_call(w))
			atomic_fetch_add(&b->errors, 1);
	pthread_barrier_wait(&b->warm);
	pthread_barrier_wait(&b->go);
	for (;;) {
		struct timespec t1, t2;
		unsigned long k;
		int64_t ns;

		if (atomic_load(&b->stop))
			break;
		k = atomic_fetch_add(&b->next, 1);
		if (k >= b->ops)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (one_call(w))
			atomic_fetch_add(&b->errors, 1);
		clock_gettime(CLOCK_MONOTONIC, &t2);
		ns = (t2.tv_sec - t1.tv_sec) * 1000000000LL +
		     (t2.tv_nsec - t1.tv_nsec);
		b->lat_ns[k] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
		if ((k & 255) == 0 && now_s() - b->t0 > b->limit_s)
			atomic_store(&b->stop, true);
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: seq_overhead --server HOST:PORT:/EXPORT [--sessions N]"
		" [--slots M]\n"
		"                    [--ops TOTAL] [--seconds LIMIT] "
		"[--warmup OPS]\n");
	return 2;
}

/* The daemon may still be starting: retry connecting for a while. */
static int mount_one(struct dc_client *cl, const struct dc_server *srv,
		     const char *owner, uint32_t slots)
{
	nfsstat4 st;
	int rc;

	rc = dc_client_init_retry(cl, srv, owner, CONNECT_TRIES,
				  CONNECT_RETRY_MS);
	if (rc)
		return rc;
	rc = dc_client_open_session(cl, slots, &st);
	if (!rc && st != NFS4_OK)
		rc = -EPROTO;
	return rc;
}

int main(int argc, char **argv)
{
	static struct bench b;
	struct worker *w;
	pthread_t *th;
	struct dc_server srv;
	bool have_srv = false;
	unsigned long done, i;
	unsigned s, k, nthreads;
	double secs;
	int a, rc;

	b.nsessions = 4;
	b.nslots = 8;
	b.ops = 200000;
	b.limit_s = 30;
	b.warmup = 2000;
	for (a = 1; a < argc; a++) {
		const char *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!v)
			return usage();
		if (!strcmp(argv[a], "--server")) {
			if (dc_server_parse(v, &srv))
				return usage();
			have_srv = true;
		} else if (!strcmp(argv[a], "--sessions")) {
			b.nsessions = strtoul(v, NULL, 10);
		} else if (!strcmp(argv[a], "--slots")) {
			b.nslots = strtoul(v, NULL, 10);
		} else if (!strcmp(argv[a], "--ops")) {
			b.ops = strtoul(v, NULL, 10);
		} else if (!strcmp(argv[a], "--seconds")) {
			b.limit_s = strtod(v, NULL);
		} else if (!strcmp(argv[a], "--warmup")) {
			b.warmup = strtoul(v, NULL, 10);
		} else {
			return usage();
		}
		a++;
	}
	if (!have_srv || !b.nsessions || b.nsessions > MAX_SESSIONS ||
	    !b.nslots || b.nslots > MAX_SLOTS || !b.ops || b.ops > 100000000 ||
	    b.limit_s <= 0 || b.limit_s > 3600)
		return usage();

	b.lat_ns = calloc(b.ops, sizeof(*b.lat_ns));
	nthreads = b.nsessions * b.nslots;
	w = calloc(nthreads, sizeof(*w));
	th = calloc(nthreads, sizeof(*th));
	if (!b.lat_ns || !w || !th)
		return 1;
	for (s = 0; s < b.nsessions; s++) {
		char owner[96];

		snprintf(owner, sizeof(owner), "ditto-bench-%ld-%d-%u",
			 (long)time(NULL), (int)getpid(), s);
		rc = mount_one(&b.cl[s], &srv, owner, b.nslots);
		if (rc) {
			fprintf(stderr, "seq_overhead: session %u: %s\n", s,
				strerror(-rc));
			for (k = 0; k <= s; k++)
				dc_client_destroy(&b.cl[k]);
			return 1;
		}
	}
	pthread_barrier_init(&b.warm, NULL, nthreads + 1);
	pthread_barrier_init(&b.go, NULL, nthreads + 1);
	for (s = 0; s < b.nsessions; s++)
		for (k = 0; k < b.nslots; k++) {
			struct worker *x = &w[s * b.nslots + k];

			x->b = &b;
			x->cl = &b.cl[s];
			x->slot = k;
			x->seqid = 0;
			pthread_create(&th[s * b.nslots + k], NULL, worker_main,
				       x);
		}
	pthread_barrier_wait(&b.warm);
	/* Set before releasing the workers, who read it. */
	b.t0 = now_s();
	pthread_barrier_wait(&b.go);
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	secs = now_s() - b.t0;
	done = atomic_load(&b.next);
	if (done > b.ops)
		done = b.ops;
	/* Workers check stop before claiming: every claim below ops ran. */
	qsort(b.lat_ns, done, sizeof(*b.lat_ns), cmp_u32);
	printf("ops=%lu errors=%lu seconds=%.3f ops_per_s=%.0f p50_us=%.1f "
	       "p99_us=%.1f max_us=%.1f sessions=%u slots=%u\n",
	       done, atomic_load(&b.errors), secs, done / secs,
	       done ? b.lat_ns[done / 2] / 1e3 : 0,
	       done ? b.lat_ns[done * 99 / 100] / 1e3 : 0,
	       done ? b.lat_ns[done - 1] / 1e3 : 0, b.nsessions, b.nslots);
	for (s = 0; s < b.nsessions; s++)
		dc_client_destroy(&b.cl[s]);
	free(b.lat_ns);
	free(w);
	free(th);
	return atomic_load(&b.errors) ? 1 : 0;
}

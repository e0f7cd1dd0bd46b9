// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * loadgen: NFSv4.1 load generator (see loadgen.h).  Not a test: it
 * asserts nothing about speed; scripts/bench-all runs it against
 * FSAL_DITTO, FSAL_MEM and FSAL_VFS and keeps the numbers.
 *
 *   loadgen --server HOST:PORT:/EXPORT --workload NAME [--sessions N]
 *           [--slots M] [--ops TOTAL] [--seconds LIMIT] [--warmup OPS]
 *           [--dir NAME] [--entries N] [--file NAME] [--file-kib K]
 *           [--server-pid PID]
 *
 * Workloads: seqroot (SEQUENCE+PUTROOTFH+GETATTR), getattr, lookup,
 * create (OPEN create + CLOSE), remove, rename, populate (bulk create
 * of --entries names), readdir (op = one full scan of --entries),
 * randread / randwrite (4 KiB), seqread / seqwrite (1 MiB), syncwrite
 * (seqwrite with FILE_SYNC4: every reply after the data is stable).
 * The run stops after TOTAL measured ops or LIMIT seconds, whichever
 * comes first, after OPS unmeasured warm-up ops (at most 1 s of
 * them).  Prints one line of key=value pairs: workload, ops, errors,
 * seconds, ops_per_s, unit, units_per_s, p50_us, p99_us, max_us,
 * sessions, slots, entries, and the CPU time per op of the load
 * generator (client_cpu_us) and, with --server-pid, of the daemon
 * (server_cpu_us): client and server share the machine's CPUs, so
 * throughput alone hides what the server costs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "loadgen.h"

#define CONNECT_TRIES 100
#define CONNECT_RETRY_MS 100
/* Bound of every unmeasured phase (setup, warm-up). */
#define SETUP_LIMIT_S 900
/* Warm-up: --warmup ops, but at most this long. */
#define WARMUP_LIMIT_S 1.0

static const struct lg_workload *const workloads[] = {
	&lg_wl_seqroot,	 &lg_wl_getattr,   &lg_wl_lookup,  &lg_wl_create,
	&lg_wl_remove,	 &lg_wl_rename,	   &lg_wl_populate, &lg_wl_readdir,
	&lg_wl_randread, &lg_wl_randwrite, &lg_wl_seqread, &lg_wl_seqwrite,
	&lg_wl_syncwrite,
};

double lg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: cheap, per worker, good enough for offsets and names. */
uint64_t lg_rand(struct lg_worker *w)
{
	uint64_t x = w->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

void lg_entry_name(char *buf, size_t len, const char *prefix,
		   unsigned long i)
{
	snprintf(buf, len, "%s%07lu", prefix, i);
}

int lg_call(struct dc_client *cl,
	    void (*fill)(struct dc_compound *c, void *arg), void *arg,
	    struct dc_cres *res)
{
	struct dc_compound c;
	uint32_t slot;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = dc_client_begin(cl, &c, "lg", false, &slot);
	if (rc)
		return rc;
	fill(&c, arg);
	rc = dc_client_send(cl, 0, &c, slot, res);
	dc_compound_free(&c);
	if (rc)
		dc_cres_free(res);
	return rc;
}

int lg_call_status(struct dc_client *cl,
		   void (*fill)(struct dc_compound *c, void *arg), void *arg)
{
	struct dc_cres r;
	int rc = lg_call(cl, fill, arg, &r);

	if (rc)
		return rc;
	rc = r.res.status;
	dc_cres_free(&r);
	return rc;
}

static void *phase_main(void *arg)
{
	struct lg_worker *w = arg;
	struct lg *b = w->b;

	for (;;) {
		struct timespec t1, t2;
		unsigned long k;
		uint64_t u = 0;
		int64_t ns;
		int rc;

		if (atomic_load(&b->stop))
			break;
		k = atomic_fetch_add(&b->next, 1);
		if (k >= b->count)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		rc = b->fn(w, b->kbase + k, &u);
		clock_gettime(CLOCK_MONOTONIC, &t2);
		if (rc) {
			int zero = 0;

			atomic_fetch_add(&b->errors, 1);
			atomic_compare_exchange_strong(&b->first_err, &zero,
						       rc);
		} else {
			atomic_fetch_add(&b->units, u);
		}
		ns = (t2.tv_sec - t1.tv_sec) * 1000000000LL +
		     (t2.tv_nsec - t1.tv_nsec);
		if (b->measure)
			b->lat_ns[k] = ns;
		if (lg_now() - b->t0 > b->phase_limit_s)
			atomic_store(&b->stop, true);
	}
	return NULL;
}

unsigned long lg_phase(struct lg *b,
		       int (*fn)(struct lg_worker *w, unsigned long k,
				 uint64_t *units),
		       unsigned long count, double limit_s)
{
	unsigned int n = b->nsessions * b->nslots, i;
	pthread_t th[LG_MAX_SESSIONS * LG_MAX_SLOTS];
	unsigned long done;

	b->fn = fn;
	b->count = count;
	b->phase_limit_s = limit_s;
	atomic_store(&b->next, 0);
	atomic_store(&b->stop, false);
	atomic_store(&b->units, 0);
	b->t0 = lg_now();
	for (i = 0; i < n; i++)
		pthread_create(&th[i], NULL, phase_main, &b->w[i]);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	done = atomic_load(&b->next);
	/* Workers check stop before claiming: every claim below count ran. */
	return done > count ? count : done;
}

/* ---- working directory and bulk creation ---------------------------- */

struct wd_arg {
	struct lg *b;
	bool make;
};

static void fill_workdir(struct dc_compound *c, void *arg)
{
	struct wd_arg *a = arg;

	dc_client_put_export(&a->b->s[0].cl, c);
	if (a->make)
		dc_op_mkdir(c, a->b->dir);
	else
		dc_op_lookup(c, a->b->dir);
	dc_op_getfh(c);
}

int lg_workdir(struct lg *b)
{
	struct wd_arg a = { .b = b };
	struct dc_cres r;
	int rc, pass;

	for (pass = 0; pass < 2; pass++) {
		a.make = pass == 1;
		rc = lg_call(&b->s[0].cl, fill_workdir, &a, &r);
		if (rc)
			return rc;
		rc = r.res.status;
		if (rc == NFS4_OK) {
			unsigned int n = r.res.resarray.resarray_len;

			dc_fh_copy(&b->dirfh,
				   &dc_cres_op(&r, n - 1)
					    ->nfs_resop4_u.opgetfh.GETFH4res_u
					    .resok4.object);
		}
		dc_cres_free(&r);
		if (rc != NFS4ERR_NOENT)
			return rc;
	}
	return rc;
}

/* 3 ops per name: SEQUENCE + PUTFH + SAVEFH + 9 * 3 = 30 <= 32. */
#define POP_BATCH 9

struct pop_arg {
	struct lg_worker *w;
	unsigned long first, n;
};

static void fill_populate(struct dc_compound *c, void *arg)
{
	struct pop_arg *a = arg;
	struct lg_session *s = a->w->s;
	/* The current stateid (RFC 8881 16.2.3.1.2): the OPEN's. */
	static const stateid4 cur = { .seqid = 1 };
	char name[LG_NAME_MAX];
	unsigned long i;

	dc_op_putfh(c, &a->w->b->dirfh);
	dc_op_savefh(c);
	for (i = 0; i < a->n; i++) {
		dc_op_restorefh(c);
		lg_entry_name(name, sizeof(name), "f", a->first + i);
		dc_op_open(c, 0, s->cl.clientid, s->owner, name, true,
			   OPEN4_SHARE_ACCESS_BOTH |
				   OPEN4_SHARE_ACCESS_WANT_NO_DELEG);
		dc_op_close(c, 0, &cur);
	}
}

static int populate_op(struct lg_worker *w, unsigned long k, uint64_t *u)
{
	struct pop_arg a = { .w = w, .first = k * POP_BATCH };
	int rc;

	if (a.first >= w->b->entries)
		return 0;
	a.n = w->b->entries - a.first;
	if (a.n > POP_BATCH)
		a.n = POP_BATCH;
	rc = lg_call_status(&w->s->cl, fill_populate, &a);
	if (!rc)
		*u = a.n;
	return rc;
}

static unsigned long populate_calls(unsigned long n)
{
	return (n + POP_BATCH - 1) / POP_BATCH;
}

int lg_populate(struct lg *b, unsigned long n, double limit_s)
{
	unsigned long save = b->entries, calls = populate_calls(n), done;
	int err;

	b->entries = n;
	b->kbase = 0;
	atomic_store(&b->errors, 0);
	done = lg_phase(b, populate_op, calls, limit_s);
	b->entries = save;
	err = atomic_load(&b->first_err);
	if (err)
		return err;
	return done == calls ? 0 : -ETIMEDOUT;
}

static int populate_setup(struct lg *b)
{
	return 0;
}

static unsigned long populate_max(struct lg *b)
{
	return populate_calls(b->entries);
}

const struct lg_workload lg_wl_populate = {
	.name = "populate",
	.unit = "entries",
	.setup = populate_setup,
	.op = populate_op,
	.max_ops = populate_max,
};

/* ---- main ------------------------------------------------------------ */

static int print_usage(void)
{
	unsigned int i;

	fprintf(stderr,
		"usage: loadgen --server HOST:PORT:/EXPORT --workload NAME\n"
		"               [--sessions N] [--slots M] [--ops TOTAL]\n"
		"               [--seconds LIMIT] [--warmup OPS] [--dir NAME]\n"
		"               [--entries N] [--file NAME] [--file-kib K]\n"
		"               [--server-pid PID]\n"
		"workloads:");
	for (i = 0; i < ARRAY_SIZE(workloads); i++)
		fprintf(stderr, " %s", workloads[i]->name);
	fprintf(stderr, "\n");
	return 2;
}

static void fill_reclaim(struct dc_compound *c, void *arg)
{
	dc_op_reclaim_complete(c, false);
}

/* The daemon may still be starting: retry connecting for a while. */
static int mount_one(struct lg_session *s, const struct dc_server *srv,
		     const char *owner, uint32_t slots)
{
	nfsstat4 st;
	int rc;

	rc = dc_client_init_retry(&s->cl, srv, owner, CONNECT_TRIES,
				  CONNECT_RETRY_MS);
	if (rc)
		return rc;
	s->cl.timeout_ms = 120000;
	rc = dc_client_open_session(&s->cl, slots, &st);
	if (!rc && st != NFS4_OK)
		rc = -EPROTO;
	if (!rc)
		rc = lg_call_status(&s->cl, fill_reclaim, NULL);
	snprintf(s->owner, sizeof(s->owner), "lg-%llx",
		 (unsigned long long)s->cl.clientid);
	return rc;
}

static const char *err_name(int rc)
{
	static char buf[64];

	if (rc < 0)
		return strerror(-rc);
	snprintf(buf, sizeof(buf), "%s", dc_nfsstat_name(rc));
	return buf;
}

/* CPU seconds (user + system) of process pid, from /proc; <0 if none. */
static double proc_cpu_s(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* Fields after the command name, which may hold spaces. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int parse_args(struct lg *b, struct dc_server *srv, int argc,
		      char **argv)
{
	bool have_srv = false;
	unsigned int i;
	int a;

	for (a = 1; a < argc; a++) {
		const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!v)
			return -1;
		if (!strcmp(o, "--server")) {
			if (dc_server_parse(v, srv))
				return -1;
			have_srv = true;
		} else if (!strcmp(o, "--workload")) {
			for (i = 0; i < ARRAY_SIZE(workloads); i++)
				if (!strcmp(v, workloads[i]->name))
					b->wl = workloads[i];
			if (!b->wl)
				return -1;
		} else if (!strcmp(o, "--sessions")) {
			b->nsessions = strtoul(v, NULL, 10);
		} else if (!strcmp(o, "--slots")) {
			b->nslots = strtoul(v, NULL, 10);
		} else if (!strcmp(o, "--ops")) {
			b->ops = strtoul(v, NULL, 10);
		} else if (!strcmp(o, "--seconds")) {
			b->limit_s = strtod(v, NULL);
		} else if (!strcmp(o, "--warmup")) {
			b->warmup = strtoul(v, NULL, 10);
		} else if (!strcmp(o, "--dir")) {
			snprintf(b->dir, sizeof(b->dir), "%s", v);
		} else if (!strcmp(o, "--entries")) {
			b->entries = strtoul(v, NULL, 10);
		} else if (!strcmp(o, "--file")) {
			snprintf(b->file, sizeof(b->file), "%s", v);
		} else if (!strcmp(o, "--server-pid")) {
			b->server_pid = atoi(v);
		} else if (!strcmp(o, "--file-kib")) {
			b->file_bytes = strtoul(v, NULL, 10) * 1024;
		} else {
			return -1;
		}
		a++;
	}
	if (!have_srv || !b->wl || !b->nsessions ||
	    b->nsessions > LG_MAX_SESSIONS || !b->nslots ||
	    b->nslots > LG_MAX_SLOTS || !b->ops || b->ops > 100000000 ||
	    b->limit_s <= 0 || b->limit_s > 3600 || b->entries > 10000000 ||
	    !b->dir[0] || strchr(b->dir, '/') || strchr(b->file, '/') ||
	    b->file_bytes < 1048576 || b->file_bytes > (64ul << 30))
		return -1;
	return 0;
}

static void report(struct lg *b, unsigned long done, double secs,
		   double client_cpu, double server_cpu)
{
	unsigned long units = atomic_load(&b->units);
	int err = atomic_load(&b->first_err);
	double per = done ? 1e6 / done : 0;

	qsort(b->lat_ns, done, sizeof(*b->lat_ns), cmp_u64);
	printf("workload=%s ops=%lu errors=%lu seconds=%.3f ops_per_s=%.1f "
	       "unit=%s units_per_s=%.1f p50_us=%.1f p99_us=%.1f "
	       "max_us=%.1f sessions=%u slots=%u entries=%lu "
	       "client_cpu_us=%.1f server_cpu_us=%.1f\n",
	       b->wl->name, done, atomic_load(&b->errors), secs, done / secs,
	       b->wl->unit, units / secs,
	       done ? b->lat_ns[done / 2] / 1e3 : 0,
	       done ? b->lat_ns[done * 99 / 100] / 1e3 : 0,
	       done ? b->lat_ns[done - 1] / 1e3 : 0, b->nsessions, b->nslots,
	       b->entries, client_cpu * per,
	       server_cpu >= 0 ? server_cpu * per : 0);
	if (err)
		fprintf(stderr, "loadgen: %s: first error %s\n", b->wl->name,
			err_name(err));
}

int main(int argc, char **argv)
{
	static struct lg b;
	struct dc_server srv;
	unsigned long done, count, max, warm;
	unsigned int s, i, n;
	double secs, c0, s0 = -1, s1;
	int rc;

	b.nsessions = 4;
	b.nslots = 8;
	b.ops = 200000;
	b.limit_s = 10;
	b.warmup = 1000;
	b.entries = 1000;
	b.file_bytes = 64ul << 20;
	snprintf(b.dir, sizeof(b.dir), "lg");
	snprintf(b.file, sizeof(b.file), "lg.dat");
	if (parse_args(&b, &srv, argc, argv))
		return print_usage();

	n = b.nsessions * b.nslots;
	b.w = calloc(n, sizeof(*b.w));
	if (!b.w)
		return 1;
	for (s = 0; s < b.nsessions; s++) {
		char owner[96];

		snprintf(owner, sizeof(owner), "ditto-loadgen-%ld-%d-%u",
			 (long)time(NULL), (int)getpid(), s);
		rc = mount_one(&b.s[s], &srv, owner, b.nslots);
		if (rc) {
			fprintf(stderr, "loadgen: session %u: %s\n", s,
				err_name(rc));
			for (i = 0; i <= s; i++)
				dc_client_destroy(&b.s[i].cl);
			return 1;
		}
	}
	for (i = 0; i < n; i++) {
		b.w[i].b = &b;
		b.w[i].si = i / b.nslots;
		b.w[i].ti = i % b.nslots;
		b.w[i].s = &b.s[b.w[i].si];
		b.w[i].rng = 0x9E3779B97F4A7C15ULL * (i + 1) + getpid();
	}
	rc = lg_workdir(&b);
	if (!rc && b.wl->setup)
		rc = b.wl->setup(&b);
	if (rc) {
		fprintf(stderr, "loadgen: %s: setup failed: %s\n", b.wl->name,
			err_name(rc));
		goto out;
	}

	max = b.wl->max_ops ? b.wl->max_ops(&b) : 0;
	if (max && b.warmup > max / 10)
		b.warmup = max / 10;
	/* Warm-up: unmeasured, its errors count as setup failures. */
	b.kbase = 0;
	warm = lg_phase(&b, b.wl->op, b.warmup, WARMUP_LIMIT_S);
	rc = atomic_load(&b.first_err);
	if (rc) {
		fprintf(stderr, "loadgen: %s: warm-up failed: %s\n",
			b.wl->name, err_name(rc));
		goto out;
	}
	/*
	 * The measured ops go on from the last warm-up op, which may have
	 * stopped early on its time bound: no k is skipped (populate,
	 * remove and rename name their entries by k).
	 */
	b.kbase = warm;
	count = b.ops;
	if (max && count > max - warm)
		count = max - warm;
	b.lat_ns = calloc(count ? count : 1, sizeof(*b.lat_ns));
	if (!b.lat_ns) {
		rc = -ENOMEM;
		goto out;
	}
	b.measure = true;
	c0 = self_cpu_s();
	if (b.server_pid)
		s0 = proc_cpu_s(b.server_pid);
	done = lg_phase(&b, b.wl->op, count, b.limit_s);
	secs = lg_now() - b.t0;
	s1 = s0 >= 0 ? proc_cpu_s(b.server_pid) : -1;
	b.measure = false;
	report(&b, done, secs, self_cpu_s() - c0, s1 >= 0 ? s1 - s0 : -1);
	rc = atomic_load(&b.errors) ? 1 : 0;
out:
	for (s = 0; s < b.nsessions; s++)
		dc_client_destroy(&b.s[s].cl);
	for (i = 0; i < n; i++)
		free(b.w[i].buf);
	dc_fh_free(&b.dirfh);
	free(b.lat_ns);
	free(b.w);
	return rc ? 1 : 0;
}

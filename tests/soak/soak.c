// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * ditto-soak: N NFSv4.1 clients (one thread, one client ID and session
 * each) run a mixed metadata/data workload with session and client
 * churn, cut connections and directory delegations against one server
 * for a bounded time and number of operations.  Every reply is checked;
 * the exit status is 0 only if none was unexpected.  tests/soak/soak.sh
 * runs it against a daemon it starts and checks that the daemon's
 * sessions, state and memory come back afterwards.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "soak_stats.h"
#include "soak_work.h"

#define MAX_CLIENTS 64
#define PROGRESS_S 30

struct opts {
	struct dc_server srv;
	unsigned clients;
	double seconds;
	uint64_t max_ops;
	uint64_t seed;
	double drop_rate;
	double churn_s;
	unsigned churn_kinds;
	bool dirdeleg, cross_read, file_deleg;
	bool ping, statfs;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ditto-soak --server HOST:PORT:/EXPORT [options]\n"
		"  --clients N        client IDs, a thread each (16, max %d)\n"
		"  --seconds S        run time (600)\n"
		"  --max-ops N        stop after N NFS operations (50000000)\n"
		"  --seed N           random seed (1)\n"
		"  --drop-rate P      cut a connection under P of the "
		"COMPOUNDs (0.003)\n"
		"  --churn-seconds S  mean time between a client's churns "
		"(15)\n"
		"  --churn-kinds K    comma separated, default all:\n"
		"      session  DESTROY_SESSION + CREATE_SESSION\n"
		"      client   DESTROY_CLIENTID + a new client ID\n"
		"      reboot   vanish; same owner, new verifier\n"
		"      abandon  vanish; new owner (the old one expires)\n"
		"  --no-churn, --no-dirdeleg\n"
		"  --no-cross-read    never open other clients' shared files\n"
		"  --no-file-deleg    OPEN with WANT_NO_DELEG\n"
		"  --ping             NULL call only (is the server up)\n"
		"  --statfs           print the export's files_free and "
		"space_free\n",
		MAX_CLIENTS);
}

static int parse_kinds(const char *s, unsigned *kinds)
{
	static const char *const names[] = { "session", "client", "reboot",
					      "abandon" };
	char buf[128], *save = NULL, *p;
	unsigned k;

	snprintf(buf, sizeof(buf), "%s", s);
	*kinds = 0;
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < 4; k++)
			if (!strcmp(p, names[k]))
				break;
		if (k == 4)
			return -1;
		*kinds |= 1u << k;
	}
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "server", required_argument, NULL, 's' },
		{ "clients", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 't' },
		{ "max-ops", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 'r' },
		{ "drop-rate", required_argument, NULL, 'd' },
		{ "churn-seconds", required_argument, NULL, 'C' },
		{ "churn-kinds", required_argument, NULL, 'K' },
		{ "no-churn", no_argument, NULL, 'N' },
		{ "no-dirdeleg", no_argument, NULL, 'D' },
		{ "no-cross-read", no_argument, NULL, 'X' },
		{ "no-file-deleg", no_argument, NULL, 'F' },
		{ "ping", no_argument, NULL, 'p' },
		{ "statfs", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_srv = false;
	int ch;

	*o = (struct opts){ .clients = 16, .seconds = 600,
			    .max_ops = 50000000, .seed = 1,
			    .drop_rate = 0.003, .churn_s = 15,
			    .churn_kinds = 0xf, .dirdeleg = true,
			    .cross_read = true, .file_deleg = true };
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (dc_server_parse(optarg, &o->srv)) {
				fprintf(stderr, "soak: bad --server %s\n",
					optarg);
				return -1;
			}
			have_srv = true;
			break;
		case 'c':
			o->clients = strtoul(optarg, NULL, 10);
			break;
		case 't':
			o->seconds = strtod(optarg, NULL);
			break;
		case 'm':
			o->max_ops = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			o->seed = strtoull(optarg, NULL, 10);
			break;
		case 'd':
			o->drop_rate = strtod(optarg, NULL);
			break;
		case 'C':
			o->churn_s = strtod(optarg, NULL);
			break;
		case 'K':
			if (parse_kinds(optarg, &o->churn_kinds)) {
				fprintf(stderr, "soak: bad --churn-kinds %s\n",
					optarg);
				return -1;
			}
			break;
		case 'N':
			o->churn_kinds = 0;
			break;
		case 'D':
			o->dirdeleg = false;
			break;
		case 'X':
			o->cross_read = false;
			break;
		case 'F':
			o->file_deleg = false;
			break;
		case 'p':
			o->ping = true;
			break;
		case 'f':
			o->statfs = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (!have_srv || optind != argc || !o->clients ||
	    o->clients > MAX_CLIENTS || o->seconds <= 0 ||
	    o->seconds > 86400 || o->drop_rate < 0 || o->drop_rate > 0.5 ||
	    o->churn_s <= 0) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static int ping(const struct dc_server *srv)
{
	struct dc_conn *c;
	int rc = dc_conn_open(&c, srv->host, srv->port);

	if (rc)
		return 1;
	rc = dc_rpc_null(c, NFS4_PROGRAM, NFS_V4, 2000);
	dc_conn_close(c);
	return rc ? 1 : 0;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* files_free and space_free of the export: the store's objects and
 * bytes, back to their level once everything the soak made is gone.
 */
static int statfs_print(struct sk_client *sc)
{
	struct dc_compound c;
	struct dc_cres r;
	fattr4 *fa;
	int rc;

	sk_begin(sc, &c, "statfs");
	dc_client_put_export(&sc->cl, &c);
	dc_op_getattr(&c, 1u << FATTR4_FILES_FREE,
		      1u << (FATTR4_SPACE_FREE - 32));
	rc = sk_call_expect(sc, &c, 0, &r, "GETATTR statfs", NULL, 0);
	dc_compound_free(&c);
	if (rc)
		return 1;
	fa = &dc_cres_op(&r, r.res.resarray.resarray_len - 1)
		      ->nfs_resop4_u.opgetattr.GETATTR4res_u.resok4
		      .obj_attributes;
	if (fa->attr_vals.attrlist4_len != 16) {
		sk_error("main", "GETATTR statfs: %u bytes of attributes",
			 fa->attr_vals.attrlist4_len);
		dc_cres_free(&r);
		return 1;
	}
	printf("files_free=%llu space_free=%llu\n",
	       (unsigned long long)be64((uint8_t *)fa->attr_vals.attrlist4_val),
	       (unsigned long long)be64(
		       (uint8_t *)fa->attr_vals.attrlist4_val + 8));
	dc_cres_free(&r);
	return 0;
}

/* mkdir name in parent (NULL: the export); its handle in *fh. */
static int make_dir(struct sk_client *sc, const nfs_fh4 *parent,
		    const char *name, nfs_fh4 *fh)
{
	struct dc_compound c;
	struct dc_cres r;
	char what[96];
	int rc;

	sk_begin(sc, &c, "mkdir");
	if (parent)
		dc_op_putfh(&c, parent);
	else
		dc_client_put_export(&sc->cl, &c);
	dc_op_mkdir(&c, name);
	dc_op_getfh(&c);
	snprintf(what, sizeof(what), "CREATE dir %s", name);
	rc = sk_call_expect(sc, &c, SK_CACHE, &r, what, NULL, 0);
	dc_compound_free(&c);
	if (rc)
		return -1;
	dc_fh_copy(fh, &dc_cres_op(&r, r.res.resarray.resarray_len - 1)
				->nfs_resop4_u.opgetfh.GETFH4res_u.resok4
				.object);
	dc_cres_free(&r);
	return 0;
}

static int remove_name(struct sk_client *sc, const nfs_fh4 *parent,
		       const char *name)
{
	struct dc_compound c;
	char what[96];
	int rc;

	sk_begin(sc, &c, "rmdir");
	if (parent)
		dc_op_putfh(&c, parent);
	else
		dc_client_put_export(&sc->cl, &c);
	dc_op_remove(&c, name);
	snprintf(what, sizeof(what), "REMOVE dir %s", name);
	rc = sk_call_expect(sc, &c, SK_CACHE, NULL, what, NULL, 0);
	dc_compound_free(&c);
	return rc;
}

static double elapsed_since(double t0)
{
	return sk_now() - t0;
}

int main(int argc, char **argv)
{
	static struct sk_worker workers[MAX_CLIENTS];
	pthread_t threads[MAX_CLIENTS];
	struct sk_work_opts wo;
	struct sk_client admin;
	char top[64], name[32], owner[128];
	nfs_fh4 top_fh, shared_fh;
	struct opts o;
	double t0, last;
	unsigned i, started = 0;
	int rc = 0;

	if (parse(argc, argv, &o))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o.ping)
		return ping(&o.srv);
	snprintf(owner, sizeof(owner), "ditto-soak-%d-admin", (int)getpid());
	sk_client_setup(&admin, &o.srv, owner, 99, o.seed, 0, NULL);
	snprintf(admin.who, sizeof(admin.who), "main");
	if (sk_client_start(&admin))
		return 1;
	if (o.statfs) {
		rc = statfs_print(&admin);
		sk_client_stop(&admin);
		return rc || sk_stats.errors ? 1 : 0;
	}

	snprintf(top, sizeof(top), "soak-%d-%ld", (int)getpid(),
		 (long)time(NULL));
	if (make_dir(&admin, NULL, top, &top_fh) ||
	    make_dir(&admin, &top_fh, "shared", &shared_fh))
		goto setup_failed;
	t0 = sk_now();
	wo = (struct sk_work_opts){ .deadline = t0 + o.seconds,
				    .max_ops = o.max_ops,
				    .churn_s = o.churn_s,
				    .churn_kinds = o.churn_kinds,
				    .dirdeleg = o.dirdeleg,
				    .cross_read = o.cross_read,
				    .file_deleg = o.file_deleg };
	for (i = 0; i < o.clients; i++) {
		struct sk_worker *w = &workers[i];

		snprintf(name, sizeof(name), "c%02u", i);
		if (make_dir(&admin, &top_fh, name, &w->own))
			goto setup_failed;
		dc_fh_copy(&w->shared, &shared_fh);
		w->opts = &wo;
		snprintf(owner, sizeof(owner), "ditto-soak-%d-c%02u",
			 (int)getpid(), i);
		sk_client_setup(&w->sc, &o.srv, owner, i, o.seed, o.drop_rate,
				&w->shared);
	}
	/* The admin client would expire while idle: a new one cleans up. */
	sk_client_stop(&admin);
	printf("soak: %u clients for %.0f s (at most %llu ops) in %s/%s, "
	       "seed %llu, drop rate %g, churn kinds %#x every ~%.0f s%s\n",
	       o.clients, o.seconds, (unsigned long long)o.max_ops,
	       o.srv.export, top,
	       (unsigned long long)o.seed, o.drop_rate, o.churn_kinds,
	       o.churn_s,
	       o.dirdeleg ? ", directory delegations" : "");
	t0 = last = sk_now();
	for (i = 0; i < o.clients; i++) {
		if (pthread_create(&threads[i], NULL, sk_worker_main,
				   &workers[i])) {
			sk_error("main", "cannot start client thread %u", i);
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++) {
		struct timespec dl;

		/* Progress while waiting; every wait is bounded. */
		for (;;) {
			clock_gettime(CLOCK_REALTIME, &dl);
			dl.tv_sec += 1;
			if (!pthread_timedjoin_np(threads[i], NULL, &dl))
				break;
			if (sk_now() - last >= PROGRESS_S) {
				last = sk_now();
				printf("soak: %.0f s: %llu ops, %llu errors\n",
				       elapsed_since(t0),
				       (unsigned long long)sk_total_ops(),
				       (unsigned long long)sk_stats.errors);
			}
		}
	}
	sk_stats_print(elapsed_since(t0));

	snprintf(owner, sizeof(owner), "ditto-soak-%d-cleanup", (int)getpid());
	sk_client_setup(&admin, &o.srv, owner, 98, o.seed, 0, NULL);
	snprintf(admin.who, sizeof(admin.who), "main");
	if (!sk_client_start(&admin)) {
		for (i = 0; i < o.clients; i++) {
			snprintf(name, sizeof(name), "c%02u", i);
			remove_name(&admin, &top_fh, name);
		}
		remove_name(&admin, &top_fh, "shared");
		remove_name(&admin, NULL, top);
		sk_client_stop(&admin);
	}
	for (i = 0; i < o.clients; i++) {
		dc_fh_free(&workers[i].own);
		dc_fh_free(&workers[i].shared);
	}
	dc_fh_free(&top_fh);
	dc_fh_free(&shared_fh);
	printf("soak: %s: errors=%llu\n", sk_stats.errors ? "FAILED" : "ok",
	       (unsigned long long)sk_stats.errors);
	return sk_stats.errors ? 1 : 0;

setup_failed:
	sk_client_stop(&admin);
	fprintf(stderr, "soak: setup failed\n");
	return 1;
}

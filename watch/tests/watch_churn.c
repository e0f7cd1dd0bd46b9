// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * watch-churn: a second client makes random creates, removes, renames
 * and chmods in a directory libdittowatch watches; the events, replayed
 * on the listing the watch started from, must equal the final READDIR
 * exactly (names, types, modes, file IDs), and so must the watcher's
 * own listing.  Prints the notification latency (change's reply to
 * event) as a benchmark figure, not asserted.
 *
 *	watch-churn --server HOST:PORT:/EXPORT [--ops N] [--seconds S]
 *		    [--seed N] [--names K] [--poll] [--interval MS]
 *		    [--idle S] [--cut-every N] [--pause-at N --pause-file F]
 *		    [--recursive]
 *		    [--expect delegation|polling|recall|reconnect|restart]
 *
 * --recursive: the watch and the changes take in the directories made;
 * --idle: the watch sits idle S seconds first (lease renewal);
 * --cut-every: the watcher's connection is cut every N changes;
 * --pause-at: after N changes, F is made and the changes wait until it
 * is gone (the caller restarts the server meanwhile).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dittowatch.h"
#include "fsops.h"
#include "watch_int.h"

#define SETTLE_MS 20000

#define TREE_MAX 512

/* Listings of a watched tree, by directory path (ends in '/'). */
struct tree {
	unsigned int n;
	struct {
		char path[DW_PATH_MAX];
		struct dw_list *l;
		uint32_t moving;	/* MOVED_FROM cookie */
	} d[TREE_MAX];
};

static struct tree *tree_new(void)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (!t)
		abort();
	return t;
}

static int tree_find(const struct tree *t, const char *path)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->d[i].path, path))
			return i;
	return -1;
}

static struct dw_list *tree_get(struct tree *t, const char *path)
{
	int i = tree_find(t, path);

	if (i >= 0)
		return t->d[i].l;
	if (t->n == TREE_MAX)
		abort();
	snprintf(t->d[t->n].path, DW_PATH_MAX, "%s", path);
	t->d[t->n].l = dw_list_new();
	t->d[t->n].moving = 0;
	return t->d[t->n++].l;
}

/* Directories below prefix move below to (NULL: are dropped). */
static void tree_move(struct tree *t, const char *prefix, const char *to)
{
	size_t n = strlen(prefix);
	unsigned int i;
	char np[DW_PATH_MAX];

	for (i = 0; i < t->n; i++) {
		if (strncmp(t->d[i].path, prefix, n))
			continue;
		if (to) {
			snprintf(np, sizeof(np), "%s%s", to, t->d[i].path + n);
			snprintf(t->d[i].path, DW_PATH_MAX, "%s", np);
			continue;
		}
		dw_list_free(t->d[i].l);
		t->d[i--] = t->d[--t->n];
	}
}

static void tree_free(struct tree *t)
{
	while (t->n)
		dw_list_free(t->d[--t->n].l);
	free(t);
}

/* An event on the replayed tree, as the watcher follows directories. */
static void tree_apply(struct tree *t, const struct dw_event *ev)
{
	char path[DW_PATH_MAX];
	unsigned int i;

	dw_list_apply(tree_get(t, ev->dir), ev);
	if (!ev->isdir || snprintf(path, sizeof(path), "%s%s/", ev->dir,
				   ev->name) >= (int)sizeof(path))
		return;
	switch (ev->kind) {
	case DW_MOVED_FROM:
		if (tree_find(t, path) >= 0)
			t->d[tree_find(t, path)].moving = ev->cookie;
		break;
	case DW_MOVED_TO:
		if (tree_find(t, path) >= 0 && !t->d[tree_find(t, path)].moving)
			tree_move(t, path, NULL);	/* renamed over */
		for (i = 0; i < t->n; i++)
			if (t->d[i].moving && t->d[i].moving == ev->cookie) {
				char from[DW_PATH_MAX];

				t->d[i].moving = 0;
				snprintf(from, sizeof(from), "%s",
					 t->d[i].path);
				tree_move(t, from, path);
				return;
			}
		/* fall through */
	case DW_CREATE:
		tree_get(t, path);
		break;
	case DW_DELETE:
		tree_move(t, path, NULL);
		break;
	}
}

static void tree_put(void *arg, const char *dir, const char *name,
		     const struct dw_attrs *a)
{
	dw_list_put(tree_get(arg, dir), name, a);
}

struct churn {
	/* the second client's view: which names exist, last change time */
	unsigned int names;
	bool *exists, *isdir;
	bool recursive;		/* changes inside the directories too */
	struct timespec *changed;	/* CLOCK_REALTIME of the last reply */
	bool *pending;			/* changed, no event yet */
	pthread_mutex_t lock;
	/* latencies, µs */
	double *lat;
	unsigned long nlat, latcap;
	/* replay: the listing of each directory, from the events */
	struct tree *replay;
	unsigned long events;
	struct dw_watch *w;
	volatile int stop;
};

static double us_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e6 + (b->tv_nsec - a->tv_nsec) / 1e3;
}

static int name_index(const struct churn *c, const char *name)
{
	unsigned int i;

	if (sscanf(name, "n%u", &i) != 1 || i >= c->names)
		return -1;
	return i;
}

static void on_event(struct churn *c, const struct dw_event *ev)
{
	int i = name_index(c, ev->name);

	pthread_mutex_lock(&c->lock);
	tree_apply(c->replay, ev);
	c->events++;
	if (i >= 0 && c->pending[i]) {
		double us = us_between(&c->changed[i], &ev->time);

		c->pending[i] = false;
		if (c->nlat == c->latcap) {
			c->latcap = c->latcap ? 2 * c->latcap : 4096;
			c->lat = realloc(c->lat, c->latcap * sizeof(*c->lat));
			if (!c->lat)
				abort();
		}
		c->lat[c->nlat++] = us < 0 ? 0 : us;
	}
	pthread_mutex_unlock(&c->lock);
}

static void *reader(void *arg)
{
	struct churn *c = arg;
	struct dw_event ev;
	int rc;

	while (!c->stop) {
		rc = dw_read(c->w, &ev, 100);
		if (rc < 0) {
			fprintf(stderr, "watch failed: %s\n", dw_error(c->w));
			break;
		}
		if (rc > 0)
			on_event(c, &ev);
	}
	return NULL;
}

static void changed(struct churn *c, unsigned int i)
{
	pthread_mutex_lock(&c->lock);
	clock_gettime(CLOCK_REALTIME, &c->changed[i]);
	c->pending[i] = true;
	pthread_mutex_unlock(&c->lock);
}

/*
 * A file made, removed or chmodded in the directory name (--recursive);
 * counted in kinds[4].
 */
static bool inner_op(struct dc_client *cl, const nfs_fh4 *dir,
		     const char *name, unsigned long *kinds)
{
	nfs_fh4 sub = { 0 }, fh = { 0 };
	nfsstat4 st = NFS4ERR_IO;
	char f[16];

	snprintf(f, sizeof(f), "f%d", rand() % 8);
	if (dc_fs_lookup(cl, dir, name, &sub, &st) || st != NFS4_OK)
		return false;
	switch (rand() % 3) {
	case 0:
		dc_fs_mkfile(cl, &sub, f, 0644, &st);
		break;
	case 1:
		dc_fs_remove(cl, &sub, f, &st);
		break;
	default:
		if (!dc_fs_lookup(cl, &sub, f, &fh, &st) && st == NFS4_OK)
			dc_fs_chmod(cl, &fh, 0600 | (rand() % 0100), &st);
		dc_fh_free(&fh);
		break;
	}
	dc_fh_free(&sub);
	if (st == NFS4_OK)
		kinds[4]++;
	return st == NFS4_OK;
}

/* One random change; returns true when the server did it. */
static bool one_op(struct dc_client *cl, const nfs_fh4 *dir, struct churn *c,
		   unsigned long *kinds, bool *grace)
{
	unsigned int i = rand() % c->names, j = rand() % c->names;
	char a[32], b[32];
	nfs_fh4 fh = { 0 };
	nfsstat4 st = NFS4ERR_IO;
	int op = rand() % 4;

	snprintf(a, sizeof(a), "n%u", i);
	snprintf(b, sizeof(b), "n%u", j);
	if (!c->exists[i])
		op = 0;
	else if (c->recursive && c->isdir[i] && rand() % 2)
		return inner_op(cl, dir, a, kinds);
	switch (op) {
	case 0:	/* create: a file, one in eight a directory */
		if (c->exists[i])
			return false;
		c->isdir[i] = rand() % 8 == 0;
		if (c->isdir[i])
			dc_fs_mkdir(cl, dir, a, 0755, NULL, &st);
		else
			dc_fs_mkfile(cl, dir, a, 0644, &st);
		if (st == NFS4_OK)
			c->exists[i] = true;
		break;
	case 1:
		dc_fs_remove(cl, dir, a, &st);
		if (st == NFS4_OK)
			c->exists[i] = false;
		break;
	case 2:
		if (i == j)
			return false;
		dc_fs_rename(cl, dir, a, dir, b, &st);
		if (st == NFS4_OK) {
			c->exists[i] = false;
			c->exists[j] = true;
			c->isdir[j] = c->isdir[i];
			changed(c, j);
		}
		break;
	default:
		if (dc_fs_lookup(cl, dir, a, &fh, &st) || st != NFS4_OK) {
			*grace = st == NFS4ERR_GRACE;
			return false;
		}
		dc_fs_chmod(cl, &fh, 0600 | (rand() % 0100), &st);
		dc_fh_free(&fh);
		break;
	}
	*grace = st == NFS4ERR_GRACE;
	if (st != NFS4_OK)
		return false;
	kinds[op]++;
	changed(c, i);
	return true;
}

/*
 * Wait until the caller removed file (it restarts the server), then
 * make cl again and find the directory's handle.
 */
static int pause_for_restart(struct dc_client *cl, const struct dc_server *srv,
			     const char *file, const char *dname,
			     nfs_fh4 *root, nfs_fh4 *dir)
{
	FILE *f = fopen(file, "w");
	nfsstat4 st = NFS4ERR_IO;
	unsigned int i;

	if (!f)
		return -errno;
	fclose(f);
	for (i = 0; i < 1200 && access(file, F_OK) == 0; i++)
		usleep(100000);
	if (access(file, F_OK) == 0)
		return -ETIMEDOUT;
	dc_client_destroy(cl);
	if (dc_client_init_retry(cl, srv, "watch-churn-changer", 100, 100) ||
	    dc_client_mount(cl))
		return -ECONNREFUSED;
	dc_fh_free(root);
	dc_fh_free(dir);
	if (dc_fs_export_fh(cl, root, &st) || st != NFS4_OK)
		return -EIO;
	if (dc_fs_lookup(cl, root, dname, dir, &st) || st != NFS4_OK)
		return -ENOENT;
	return 0;
}

static void notice(void *arg, const char *msg)
{
	fprintf(stderr, "watch: %s\n", msg);
}

static void put_entry(void *arg, const char *name, const struct dc_gattr *ga)
{
	struct dw_attrs a = { 0 };

	if (!name) {
		fprintf(stderr, "listing restarted (NOT_SAME)\n");
		return;
	}
	a.have = DW_A_TYPE | DW_A_MODE | DW_A_FILEID;
	a.type = ga->type;
	a.mode = ga->mode;
	a.fileid = ga->fileid;
	dw_list_put(arg, name, &a);
}

struct subdirs {
	char names[TREE_MAX][32];
	unsigned int n;
};

static void note_subdir(void *arg, const char *dir, const char *name,
			const struct dw_attrs *a)
{
	struct subdirs *s = arg;

	if (a->type == NF4DIR && s->n < TREE_MAX)
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name);
}

/* The server's tree: dir (top) and the directories in it. */
static int read_tree(struct dc_client *cl, const nfs_fh4 *dir, const char *top,
		     struct tree *t)
{
	struct subdirs *s = calloc(1, sizeof(*s));
	char path[DW_PATH_MAX];
	nfsstat4 st = NFS4_OK;
	unsigned int i;
	int rc;

	if (!s)
		abort();
	rc = dc_fs_readdir_each(cl, dir, put_entry, tree_get(t, top), &st);
	if (!rc && st == NFS4_OK)
		dw_list_each(tree_get(t, top), top, note_subdir, s);
	for (i = 0; !rc && st == NFS4_OK && i < s->n; i++) {
		nfs_fh4 fh = { 0 };

		rc = dc_fs_lookup(cl, dir, s->names[i], &fh, &st);
		if (snprintf(path, sizeof(path), "%s%s/", top, s->names[i]) >=
		    (int)sizeof(path))
			abort();
		if (!rc && st == NFS4_OK)
			rc = dc_fs_readdir_each(cl, &fh, put_entry,
						tree_get(t, path), &st);
		dc_fh_free(&fh);
	}
	free(s);
	return rc ? rc : st == NFS4_OK ? 0 : -EIO;
}

/*
 * Every directory of srv has its listing in t (an empty one may be
 * missing), and t has no entries in a directory srv lacks.
 */
static bool tree_equal(struct tree *t, struct tree *srv, char *why,
		       size_t len)
{
	struct dw_list *empty = dw_list_new();
	unsigned int i;
	bool eq = true;
	char w[200];

	for (i = 0; eq && i < srv->n; i++) {
		int j = tree_find(t, srv->d[i].path);

		eq = dw_list_equal(j >= 0 ? t->d[j].l : empty, srv->d[i].l, w,
				   sizeof(w));
		if (!eq)
			snprintf(why, len, "%s: %s", srv->d[i].path, w);
	}
	for (i = 0; eq && i < t->n; i++)
		if (dw_list_count(t->d[i].l) &&
		    tree_find(srv, t->d[i].path) < 0) {
			snprintf(why, len, "%s: not on the server", t->d[i].path);
			eq = false;
		}
	dw_list_free(empty);
	return eq;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static double pct(const double *v, unsigned long n, double p)
{
	return n ? v[(unsigned long)(p * (n - 1))] : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "seed", required_argument, NULL, 'r' },
		{ "names", required_argument, NULL, 'k' },
		{ "poll", no_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "expect", required_argument, NULL, 'e' },
		{ "idle", required_argument, NULL, 'I' },
		{ "cut-every", required_argument, NULL, 'c' },
		{ "pause-at", required_argument, NULL, 'P' },
		{ "pause-file", required_argument, NULL, 'F' },
		{ "recursive", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct dw_options o = { .notice = notice };
	struct churn c = { .names = 200 };
	struct dc_server srv;
	struct dc_client cl;
	struct dw_stats ds;
	struct tree *final, *own;
	struct timespec t0, t1, t2;
	unsigned long ops = 10000, done = 0, tried = 0, kinds[5] = { 0 };
	unsigned int seed = 1, seconds = 60, idle = 0, i;
	unsigned long cut_every = 0, pause_at = 0, cuts = 0;
	const char *server = NULL, *expect = NULL, *pause_file = NULL;
	bool grace = false;
	char target[512], dname[64], why[256], top[DW_PATH_MAX];
	nfs_fh4 root = { 0 }, dir = { 0 };
	pthread_t rd;
	nfsstat4 st;
	bool equal = false, own_equal = false;
	int opt, rc = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's': server = optarg; break;
		case 'n': ops = strtoul(optarg, NULL, 10); break;
		case 'S': seconds = strtoul(optarg, NULL, 10); break;
		case 'r': seed = strtoul(optarg, NULL, 10); break;
		case 'k': c.names = strtoul(optarg, NULL, 10); break;
		case 'p': o.poll_only = true; break;
		case 'i': o.interval_ms = strtoul(optarg, NULL, 10); break;
		case 'e': expect = optarg; break;
		case 'I': idle = strtoul(optarg, NULL, 10); break;
		case 'c': cut_every = strtoul(optarg, NULL, 10); break;
		case 'P': pause_at = strtoul(optarg, NULL, 10); break;
		case 'F': pause_file = optarg; break;
		case 'R': c.recursive = o.recursive = true; break;
		default: return 2;
		}
	}
	if (!server || dc_server_parse(server, &srv) || !c.names) {
		fprintf(stderr, "usage: watch-churn --server HOST:PORT:/EXPORT "
			"[--ops N] [--seconds S] [--seed N] [--names K] "
			"[--poll] [--interval MS] [--expect MODE]\n");
		return 2;
	}
	srand(seed);
	c.exists = calloc(c.names, sizeof(*c.exists));
	c.isdir = calloc(c.names, sizeof(*c.isdir));
	c.changed = calloc(c.names, sizeof(*c.changed));
	c.pending = calloc(c.names, sizeof(*c.pending));
	pthread_mutex_init(&c.lock, NULL);

	if (dc_client_init_retry(&cl, &srv, "watch-churn-changer", 50, 100) ||
	    dc_client_mount(&cl)) {
		fprintf(stderr, "FAIL: the changing client cannot mount %s\n",
			server);
		return 1;
	}
	snprintf(dname, sizeof(dname), "churn-%d-%u", (int)getpid(), seed);
	if (dc_fs_export_fh(&cl, &root, &st) || st != NFS4_OK ||
	    dc_fs_mkdir(&cl, &root, dname, 0755, &dir, &st) || st != NFS4_OK) {
		fprintf(stderr, "FAIL: cannot make %s\n", dname);
		return 1;
	}
	snprintf(target, sizeof(target), "%s:%d:%s/%s", srv.host, srv.port,
		 strcmp(srv.export, "/") ? srv.export : "", dname);
	snprintf(top, sizeof(top), "%s/%s/",
		 strcmp(srv.export, "/") ? srv.export : "", dname);
	o.target = target;
	if (dw_open(&o, &c.w, why, sizeof(why))) {
		fprintf(stderr, "FAIL: dw_open %s: %s\n", target, why);
		return 1;
	}
	c.replay = tree_new();
	tree_get(c.replay, top);
	dw_listing(c.w, tree_put, c.replay);
	printf("watching %s (%s), %u names, seed %u\n", target,
	       dw_delegated(c.w) ? "delegation" : "polling", c.names, seed);
	if (expect && (!strcmp(expect, "polling") ||
		       !strcmp(expect, "delegation")) &&
	    !strcmp(expect, "polling") == dw_delegated(c.w)) {
		fprintf(stderr, "FAIL: expected %s\n", expect);
		rc = 1;
	}
	pthread_create(&rd, NULL, reader, &c);

	/* The watch idles; the changer keeps its own lease meanwhile */
	for (i = 0; i < idle; i++) {
		sleep(1);
		dc_client_simple(&cl, NULL, NULL, NULL, &st);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (tried = 0; done < ops && tried < 4 * ops; tried++) {
		if (pause_at && done == pause_at && pause_file) {
			pause_at = 0;
			if (pause_for_restart(&cl, &srv, pause_file, dname,
					      &root, &dir)) {
				fprintf(stderr, "FAIL: no server after the "
					"pause\n");
				return 1;
			}
		}
		if (cut_every && done >= (cuts + 1) * cut_every) {
			/* the last cut was mended before the next one */
			for (i = 0; i < 100; i++) {
				dw_get_stats(c.w, &ds);
				if (ds.reconnects >= cuts)
					break;
				usleep(50000);
			}
			dw_cut_connection(c.w);
			cuts++;
		}
		if (one_op(&cl, &dir, &c, kinds, &grace)) {
			done++;
		} else if (grace) {
			tried--;	/* not a try: the server is in grace */
			usleep(100000);
		}
		if (tried % 64 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (t1.tv_sec - t0.tv_sec >= seconds)
				break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	/* The events of the last changes are on their way: wait for them */
	final = NULL;
	for (i = 0; i < SETTLE_MS / 100 && !equal; i++) {
		if (final)
			tree_free(final);
		final = tree_new();
		if (read_tree(&cl, &dir, top, final)) {
			fprintf(stderr, "FAIL: final READDIR\n");
			rc = 1;
			break;
		}
		pthread_mutex_lock(&c.lock);
		equal = tree_equal(c.replay, final, why, sizeof(why));
		pthread_mutex_unlock(&c.lock);
		if (!equal)
			usleep(100000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	c.stop = 1;
	pthread_join(rd, NULL);
	own = tree_new();
	dw_listing(c.w, tree_put, own);
	own_equal = tree_equal(own, final, why + 128, sizeof(why) - 128);
	dw_get_stats(c.w, &ds);
	qsort(c.lat, c.nlat, sizeof(*c.lat), cmp_double);

	printf("ops: %lu done (%lu create, %lu remove, %lu rename, %lu chmod, "
	       "%lu in subdirectories) of %lu tried in %.2f s (%.0f ops/s)\n",
	       done, kinds[0], kinds[1], kinds[2], kinds[3], kinds[4], tried,
	       us_between(&t0, &t1) / 1e6,
	       done / (us_between(&t0, &t1) / 1e6));
	printf("events: %lu; final listing %u entries in %u directories, "
	       "settled %.2f s after the last change\n", c.events,
	       dw_list_count(tree_get(final, top)), final->n,
	       us_between(&t1, &t2) / 1e6);
	if (cuts)
		printf("connection cut %lu times, %lu calls cut in flight\n",
		       cuts, ds.cut_calls);
	printf("watch: %lu CB_NOTIFY with %lu notifications, %lu recalls, "
	       "%lu grants, %lu refusals, %lu re-reads, %lu polls, "
	       "%lu reconnects, %lu new client IDs\n",
	       ds.cb_notify, ds.notifications, ds.recalls, ds.granted,
	       ds.refused, ds.rereads, ds.polls, ds.reconnects,
	       ds.new_clients);
	printf("bench: latency change reply -> event: p50 %.2f ms, p99 %.2f "
	       "ms, max %.2f ms (%lu samples)\n", pct(c.lat, c.nlat, 0.5) / 1e3,
	       pct(c.lat, c.nlat, 0.99) / 1e3,
	       c.nlat ? c.lat[c.nlat - 1] / 1e3 : 0, c.nlat);
	if (!equal) {
		fprintf(stderr, "FAIL: replayed events differ from READDIR: "
			"%s\n", why);
		rc = 1;
	}
	if (!own_equal) {
		fprintf(stderr, "FAIL: the watcher's listing differs from "
			"READDIR: %s\n", why + 128);
		rc = 1;
	}
	if (expect && !strcmp(expect, "recall") && !ds.recalls) {
		fprintf(stderr, "FAIL: expected recalls (overflow), got none\n");
		rc = 1;
	}
	if (expect && !strcmp(expect, "reconnect") && !ds.reconnects) {
		fprintf(stderr, "FAIL: expected reconnects, got none\n");
		rc = 1;
	}
	if (expect && !strcmp(expect, "restart") && !ds.new_clients) {
		fprintf(stderr, "FAIL: expected a new client ID, got none\n");
		rc = 1;
	}
	if (expect && !strcmp(expect, "idle") &&
	    (ds.reconnects || ds.new_clients || ds.recalls)) {
		fprintf(stderr, "FAIL: idle for %u s, the session did not "
			"hold\n", idle);
		rc = 1;
	}
	if (!done) {
		fprintf(stderr, "FAIL: no change was made\n");
		rc = 1;
	}
	dw_close(c.w);
	/* dc_fs_remove_tree() removes only so many entries */
	for (i = 0; i < c.names; i++) {
		snprintf(why, sizeof(why), "n%u", i);
		if (c.exists[i])
			dc_fs_remove(&cl, &dir, why, &st);
	}
	dc_fs_remove(&cl, &root, dname, &st);
	dc_client_destroy(&cl);
	dc_fh_free(&root);
	dc_fh_free(&dir);
	tree_free(c.replay);
	tree_free(own);
	if (final)
		tree_free(final);
	free(c.lat);
	free(c.exists);
	free(c.isdir);
	free(c.changed);
	free(c.pending);
	printf("%s\n", rc ? "FAIL" : "ok: replayed events equal the final "
		       "READDIR");
	return rc;
}

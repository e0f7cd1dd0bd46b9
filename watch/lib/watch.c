// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * A watch: its directories, the worker thread that holds their
 * delegations, reads them again when told to and polls them when it has
 * none, and the queue of events the caller reads.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "fsops.h"
#include "watch_int.h"

#define A0(a) (1u << (a))
#define A1(a) (1u << ((a)-32))
/* What notifications carry of a child: what listings carry. */
#define CHILD_W0 (A0(FATTR4_TYPE) | A0(FATTR4_SIZE) | A0(FATTR4_FILEID))
#define CHILD_W1 (A1(FATTR4_MODE) | A1(FATTR4_NUMLINKS))
/*
 * CHANGE_DIR_ATTRS is asked too though it changes no entry: a server
 * recalls a delegation on a change of a type not granted, and a chmod
 * of a watched subdirectory (told to its parent as a child's) would.
 */
#define NOTIFY_TYPES                                                     \
	(A0(NOTIFY4_ADD_ENTRY) | A0(NOTIFY4_REMOVE_ENTRY) |             \
	 A0(NOTIFY4_RENAME_ENTRY) | A0(NOTIFY4_CHANGE_CHILD_ATTRS) |    \
	 A0(NOTIFY4_CHANGE_DIR_ATTRS))
/* A refused GET_DIR_DELEGATION without a promise is asked again after */
#define GDD_RETRY_MS 5000
/* Directories of one --recursive watch at most */
#define MAX_DIRS 4096

void dw_notice(struct dw_watch *w, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!w->o.notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->o.notice(w->o.notice_arg, msg);
}

static void ts_add_ms(struct timespec *t, unsigned int ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static long ms_until(const struct timespec *t, const struct timespec *now)
{
	return (t->tv_sec - now->tv_sec) * 1000L +
	       (t->tv_nsec - now->tv_nsec) / 1000000L;
}

static void now_in(struct timespec *t, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	ts_add_ms(t, ms);
}

/* ---- events ------------------------------------------------------- */

static void queue_event(struct dw_watch *w, const struct dw_event *ev)
{
	uint64_t one = 1;

	if (!(w->o.events & ev->kind))
		return;
	if (w->qn == w->qcap) {
		unsigned int cap = w->qcap ? 2 * w->qcap : 256, i;
		struct dw_event *q = malloc(cap * sizeof(*q));

		if (!q)
			abort();
		for (i = 0; i < w->qn; i++)
			q[i] = w->q[(w->qhead + i) % w->qcap];
		free(w->q);
		w->q = q;
		w->qcap = cap;
		w->qhead = 0;
	}
	w->q[(w->qhead + w->qn++) % w->qcap] = *ev;
	w->stats.events++;
	if (w->qn == 1 && write(w->efd, &one, sizeof(one)) < 0)
		abort();
	pthread_cond_broadcast(&w->cond);
}

/* Events of a directory's first listing go nowhere. */
static void drop_event(void *arg, const struct dw_event *ev)
{
}

/* Register a subdirectory found in a listing (--recursive). */
static void want_subdir(struct dw_watch *w, const struct wdir *parent,
			const char *name, bool report);

/* Directories below path: now below to (to NULL: they leave). */
static void move_tree(struct dw_watch *w, const char *path, const char *to)
{
	size_t n = strlen(path);
	char np[DW_PATH_MAX];
	struct wdir *d;

	for (d = w->dirs; d; d = d->next) {
		if (strncmp(d->path, path, n))
			continue;
		if (to && snprintf(np, sizeof(np), "%s%s", to, d->path + n) <
				  (int)sizeof(np)) {
			memcpy(d->path, np, strlen(np) + 1);
			d->need_read = true;	/* changed meanwhile? */
		} else {
			d->path[0] = '\0';	/* the worker frees it */
		}
	}
}

/*
 * Queue ev when its kind is wanted; with --recursive, directories come
 * and go with their entries: a new one is watched (its first listing
 * told as creations), a renamed one keeps its listing under the new
 * path (its MOVED_FROM / MOVED_TO come under one lock), one removed or
 * moved away leaves with everything below.
 */
void dw_queue(void *arg, const struct dw_event *ev)
{
	struct dw_watch *w = arg;
	char path[DW_PATH_MAX], from[DW_PATH_MAX];
	struct wdir *d;

	queue_event(w, ev);
	if (!w->o.recursive || !ev->isdir ||
	    snprintf(path, sizeof(path), "%s%s/", ev->dir, ev->name) >=
		    (int)sizeof(path))
		return;
	switch (ev->kind) {
	case DW_MOVED_FROM:
		for (d = w->dirs; d; d = d->next)
			if (!strcmp(d->path, path))
				d->moving = ev->cookie;
		break;
	case DW_MOVED_TO:
		/* One renamed over leaves first. */
		for (d = w->dirs; d; d = d->next)
			if (!strcmp(d->path, path) && !d->moving)
				move_tree(w, path, NULL);
		for (d = w->dirs; d; d = d->next)
			if (d->moving && d->moving == ev->cookie)
				break;
		if (d) {
			d->moving = 0;
			snprintf(from, sizeof(from), "%s", d->path);
			move_tree(w, from, path);
			break;
		}
		/* From outside: as a new one. */
		/* fall through */
	case DW_CREATE:
		for (d = w->dirs; d; d = d->next)
			if (!strcmp(d->path, ev->dir)) {
				want_subdir(w, d, ev->name, true);
				break;
			}
		break;
	case DW_DELETE:
		move_tree(w, path, NULL);
		break;
	}
}

struct wdir *dw_dir_by_fh(struct dw_watch *w, const uint8_t *fh, uint32_t len)
{
	struct wdir *d;

	for (d = w->dirs; d; d = d->next)
		if (d->path[0] && d->fh.nfs_fh4_len == len &&
		    !memcmp(d->fh.nfs_fh4_val, fh, len))
			return d;
	return NULL;
}

static unsigned int ndirs(struct dw_watch *w)
{
	unsigned int n = 0;
	struct wdir *d;

	for (d = w->dirs; d; d = d->next)
		n++;
	return n;
}

static struct wdir *dir_new(struct dw_watch *w, const char *path)
{
	struct wdir *d = calloc(1, sizeof(*d)), **p;

	if (!d)
		abort();
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->ls = dw_list_new();
	d->need_read = true;
	/* at the end: the watched directory stays first */
	for (p = &w->dirs; *p; p = &(*p)->next)
		;
	*p = d;
	return d;
}

static void want_subdir(struct dw_watch *w, const struct wdir *parent,
			const char *name, bool report)
{
	char path[DW_PATH_MAX];
	struct wdir *d;

	if (snprintf(path, sizeof(path), "%s%s/", parent->path, name) >=
	    (int)sizeof(path))
		return;
	for (d = w->dirs; d; d = d->next)
		if (!strcmp(d->path, path))
			return;
	if (ndirs(w) >= MAX_DIRS) {
		dw_notice(w, "%s: not watched, %u directories already",
			  path, MAX_DIRS);
		return;
	}
	d = dir_new(w, path);
	d->report_first = report;
	/* no handle yet: the worker looks it up */
	pthread_cond_broadcast(&w->cond);
}

/* ---- calls -------------------------------------------------------- */

/* A call failed for the connection or the session: recover first. */
static bool troubled(struct dw_watch *w, int rc, nfsstat4 st)
{
	/* A slot out of step (SEQ_MISORDERED, RETRY_UNCACHED_REP) is
	 * set right by recovering (resync_slot()).
	 */
	bool bad = rc < 0 || st == NFS4ERR_BADSESSION ||
		   st == NFS4ERR_DEADSESSION || st == NFS4ERR_STALE_CLIENTID ||
		   st == NFS4ERR_EXPIRED ||
		   st == NFS4ERR_CONN_NOT_BOUND_TO_SESSION ||
		   st == NFS4ERR_SEQ_MISORDERED ||
		   st == NFS4ERR_RETRY_UNCACHED_REP;

	if (bad) {
		pthread_mutex_lock(&w->lock);
		w->trouble = true;
		if (rc < 0)
			w->stats.cut_calls++;
		pthread_mutex_unlock(&w->lock);
	}
	clock_gettime(CLOCK_MONOTONIC, &w->last_call);
	return bad;
}

struct gdd_out {
	nfsstat4 st;
	bool granted, promised;
	stateid4 sid;
	uint32_t types;
};

static void fill_gdd(struct dc_compound *c, void *arg)
{
	GET_DIR_DELEGATION4args *a =
		&dc_op_add(c, NFS4_OP_GET_DIR_DELEGATION)
			 ->nfs_argop4_u.opget_dir_delegation;

	a->gdda_signal_deleg_avail = TRUE;
	a->gdda_notification_types.bitmap4_len = 1;
	a->gdda_notification_types.map[0] = NOTIFY_TYPES;
	a->gdda_child_attributes.bitmap4_len = 2;
	a->gdda_child_attributes.map[0] = CHILD_W0;
	a->gdda_child_attributes.map[1] = CHILD_W1;
	a->gdda_dir_attributes.bitmap4_len = 0;
}

static int gdd(struct dw_watch *w, const nfs_fh4 *fh, struct gdd_out *o)
{
	struct dc_cres r;
	unsigned int n;
	int rc;

	memset(o, 0, sizeof(*o));
	rc = dc_client_on_fh(&w->cl, "gdd", 1, fh, fill_gdd, NULL, &r);
	if (rc) {
		dc_cres_free(&r);
		return rc;
	}
	n = r.res.resarray.resarray_len;
	o->st = r.res.status;
	if (o->st == NFS4_OK) {
		GET_DIR_DELEGATION4res_non_fatal *nf =
			&dc_cres_op(&r, n - 1)
				 ->nfs_resop4_u.opget_dir_delegation
				 .GET_DIR_DELEGATION4res_u.gddr_res_non_fatal4;

		if (nf->gddrnf_status == GDD4_OK) {
			GET_DIR_DELEGATION4resok *ok =
				&nf->GET_DIR_DELEGATION4res_non_fatal_u
					 .gddrnf_resok4;

			o->granted = true;
			o->sid = ok->gddr_stateid;
			o->types = ok->gddr_notification.bitmap4_len ?
					   ok->gddr_notification.map[0] :
					   0;
		} else {
			o->promised = nf->GET_DIR_DELEGATION4res_non_fatal_u
					      .gddrnf_signal;
		}
	}
	dc_cres_free(&r);
	return 0;
}

static void fill_delegreturn(struct dc_compound *c, void *arg)
{
	dc_op_delegreturn(c, arg);
}

/*
 * Give a delegation back; one the server revoked meanwhile (while the
 * connection was down) is freed instead (RFC 8881 8.2.4).
 */
static int delegreturn(struct dw_watch *w, const nfs_fh4 *fh,
		       const stateid4 *sid)
{
	nfsstat4 st = NFS4_OK, fst;
	stateid4 s = *sid;
	struct dc_cres r;
	int rc;

	rc = dc_client_on_fh(&w->cl, "delegreturn", 1, fh, fill_delegreturn,
			     &s, &r);
	if (!rc)
		st = r.res.status;
	dc_cres_free(&r);
	if (troubled(w, rc, st))
		return rc ? rc : -EAGAIN;
	if (st == NFS4ERR_DELEG_REVOKED || st == NFS4ERR_ADMIN_REVOKED) {
		rc = dc_client_free_stateid(&w->cl, &s, &fst);
		if (troubled(w, rc, NFS4_OK))
			return rc;
	}
	return 0;
}

static void put_entry(void *arg, const char *name, const struct dc_gattr *ga)
{
	struct dw_list *l = arg;
	struct dw_attrs a;

	if (!name) {	/* the listing starts again */
		dw_list_clear(l);
		return;
	}
	dw_attrs_from_gattr(&a, ga);
	dw_list_put(l, name, &a);
}

/* ---- the work ----------------------------------------------------- */

static void tell_polling(struct dw_watch *w, const char *why)
{
	if (w->told_poll)
		return;
	w->told_poll = true;
	dw_notice(w, "no directory delegation (%s): polling every %u ms",
		  why, w->o.interval_ms);
}

/* GET_DIR_DELEGATION for d, when one may be had; w->lock not held. */
static void acquire(struct dw_watch *w, struct wdir *d)
{
	struct gdd_out g;
	int rc;

	rc = gdd(w, &d->fh, &g);
	if (troubled(w, rc, g.st))
		return;
	pthread_mutex_lock(&w->lock);
	if (g.granted)
		w->stats.granted++;
	else
		w->stats.refused++;
	if (g.granted) {
		d->held = true;
		d->sid = g.sid;
		if (!(g.types & A0(NOTIFY4_ADD_ENTRY)))
			/* Recall-only: every change recalls, we read again */
			dw_notice(w, "%s: delegation without notifications; "
				  "reading again on each recall", d->path);
	} else if (g.st == NFS4ERR_NOTSUPP || g.st == NFS4ERR_NOTDIR ||
		   g.st == NFS4ERR_INVAL) {
		w->no_deleg = true;
		tell_polling(w, "the server grants none");
	} else {
		/* GDD4_UNAVAIL, grace, delay: poll meanwhile */
		if (g.promised)
			w->promised = true;
		else
			now_in(&w->next_gdd, GDD_RETRY_MS);
		tell_polling(w, g.st != NFS4_OK ? dc_nfsstat_name(g.st) :
				g.promised ? "refused, the server will signal" :
					     "refused");
	}
	pthread_mutex_unlock(&w->lock);
}

static void follow_subdir(void *arg, const char *dir, const char *name,
			  const struct dw_attrs *a)
{
	struct dw_watch *w = arg;
	struct wdir *d;

	if (!(a->have & DW_A_TYPE) || a->type != NF4DIR)
		return;
	for (d = w->dirs; d; d = d->next)
		if (!strcmp(d->path, dir)) {
			want_subdir(w, d, name, false);
			return;
		}
}

/*
 * Read d again (after taking a delegation when want_deleg) and report
 * the difference; notifications that come meanwhile are applied after.
 */
static void reread(struct dw_watch *w, struct wdir *d, bool want_deleg,
		   enum dw_source src)
{
	struct dw_emit em = { dw_queue, w, d->path, src, &w->cookie };
	struct dw_list *now = dw_list_new();
	unsigned int i;
	nfsstat4 st = NFS4_OK;
	int rc;

	pthread_mutex_lock(&w->lock);
	d->reading = true;
	d->npend = 0;
	if (src == DW_SRC_POLL)
		w->stats.polls++;
	else
		w->stats.rereads++;
	pthread_mutex_unlock(&w->lock);
	if (want_deleg)
		acquire(w, d);
	rc = w->trouble ? -EAGAIN :
			  dc_fs_readdir_each(&w->cl, &d->fh, put_entry, now, &st);
	pthread_mutex_lock(&w->lock);
	if (!rc && st == NFS4_OK) {
		if (!d->listed && !d->report_first)
			em.fn = drop_event;
		dw_diff(d->ls, now, &em);
		d->listed = true;
		if (w->o.recursive)
			dw_list_each(d->ls, d->path, follow_subdir, w);
		em.fn = dw_queue;
		em.source = DW_SRC_NOTIFY;
		for (i = 0; i < d->npend; i++)
			dw_notify_apply(d->ls, &d->pend[i], &em);
		d->need_read = false;
		d->report_first = false;
		d->read_failed = false;
		if (!d->held)
			now_in(&d->next_poll, w->o.interval_ms);
	} else if (rc == 0 && (st == NFS4ERR_NOENT || st == NFS4ERR_STALE)) {
		if (d == w->dirs) {
			snprintf(w->err, sizeof(w->err),
				 "%s: the watched directory is gone (%s)",
				 d->path, dc_nfsstat_name(st));
			w->failed = true;
		} else {
			d->path[0] = '\0';	/* left: the worker frees it */
		}
	} else if (rc == 0 && st != NFS4ERR_RETRY_UNCACHED_REP &&
		   st != NFS4ERR_SEQ_MISORDERED) {
		/* Refused (NFS4ERR_ACCESS, ...): try again when polled */
		if (!d->read_failed && w->started)
			dw_notice(w, "%s: cannot read it: %s", d->path,
				  dc_nfsstat_name(st));
		d->read_status = st;
		d->read_failed = true;
		d->need_read = false;
		now_in(&d->next_poll, w->o.interval_ms);
	}
	d->reading = false;
	d->npend = 0;
	pthread_mutex_unlock(&w->lock);
	if (rc != -EAGAIN)
		troubled(w, rc, st);
	dw_list_free(now);
}

static void dir_free(struct wdir *d)
{
	dw_list_free(d->ls);
	dc_fh_free(&d->fh);
	free(d->pend);
	free(d);
}

/*
 * Free directories that left (their path emptied, or moved away: a
 * MOVED_FROM without its MOVED_TO); w->lock held.
 */
static struct wdir *take_left(struct dw_watch *w)
{
	struct wdir **p, *d;

	for (d = w->dirs; d; d = d->next)
		if (d->moving && d->path[0]) {
			char from[DW_PATH_MAX];

			snprintf(from, sizeof(from), "%s", d->path);
			move_tree(w, from, NULL);
		}
	for (p = &w->dirs; *p; p = &(*p)->next)
		if (!(*p)->path[0] && *p != w->dirs) {
			d = *p;
			*p = d->next;
			return d;
		}
	return NULL;
}

enum job { J_NONE, J_LEFT, J_RETURN, J_LOOKUP, J_READ, J_POLL, J_RENEW };

/* What to do next, or how long to wait (*wait_ms); w->lock held. */
static enum job next_job(struct dw_watch *w, struct wdir **out, long *wait_ms)
{
	struct timespec now;
	struct wdir *d;
	long t;

	/* A connection that died while idle is noticed within a second */
	*wait_ms = 1000;
	if (w->cl.conns[0]) {
		struct dc_conn *c = w->cl.conns[0];
		bool dead;

		pthread_mutex_lock(&c->lock);
		dead = c->dead || c->stopping;
		pthread_mutex_unlock(&c->lock);
		if (dead) {
			w->trouble = true;
			return J_NONE;
		}
	}
	if (w->avail) {
		w->avail = false;
		w->promised = false;
		for (d = w->dirs; d; d = d->next)
			if (!d->held)
				d->need_read = true;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (w->next_gdd.tv_sec && ms_until(&w->next_gdd, &now) <= 0) {
		w->next_gdd.tv_sec = 0;
		for (d = w->dirs; d; d = d->next)
			if (!d->held)
				d->need_read = true;
	}
	for (d = w->dirs; d; d = d->next) {
		if (!d->deleg_after.tv_sec || d->held)
			continue;
		t = ms_until(&d->deleg_after, &now);
		if (t <= 0) {
			/* Held off long enough: ask again */
			d->deleg_after.tv_sec = 0;
			d->need_read = true;
		} else if (t < *wait_ms) {
			*wait_ms = t;
		}
	}
	for (d = w->dirs; d; d = d->next) {
		*out = d;
		if (!d->path[0] && d != w->dirs)
			return J_LEFT;
		if (d->recalled)
			return J_RETURN;
		if (!d->fh.nfs_fh4_len)
			return J_LOOKUP;
		if (d->need_read)
			return J_READ;
		if (!d->held) {
			t = ms_until(&d->next_poll, &now);
			if (t <= 0)
				return J_POLL;
			if (t < *wait_ms)
				*wait_ms = t;
		}
	}
	t = (long)w->lease_s * 1000 / 3 - ms_until(&now, &w->last_call);
	if (t <= 0)
		return J_RENEW;
	if (t < *wait_ms)
		*wait_ms = t;
	if (w->next_gdd.tv_sec) {
		t = ms_until(&w->next_gdd, &now);
		if (t < *wait_ms)
			*wait_ms = t;
	}
	return J_NONE;
}

static void do_left(struct dw_watch *w, struct wdir *d)
{
	if (d->held && !w->trouble)
		delegreturn(w, &d->fh, &d->sid);
	dir_free(d);
}

static void do_lookup(struct dw_watch *w, struct wdir *d)
{
	nfs_fh4 fh = { 0 };
	nfsstat4 st = NFS4_OK;
	int rc = dw_lookup_path(w, d->path, &fh, &st);

	if (troubled(w, rc, st))
		return;
	pthread_mutex_lock(&w->lock);
	if (st == NFS4_OK)
		d->fh = fh;
	else
		d->path[0] = '\0';	/* gone already */
	pthread_mutex_unlock(&w->lock);
}

/*
 * After returning a recalled delegation, the directory is polled for
 * this long before a new one is asked for: the change that caused the
 * recall waits for it (NFS4ERR_DELAY) and must get its turn, or a
 * watcher that takes the delegation straight back would hold it off
 * for ever.
 */
#define DW_RECALL_HOLDOFF_MS 1000

static void do_return(struct dw_watch *w, struct wdir *d)
{
	bool held;
	stateid4 sid;

	pthread_mutex_lock(&w->lock);
	held = d->held;
	sid = d->sid;
	pthread_mutex_unlock(&w->lock);
	if (held && delegreturn(w, &d->fh, &sid))
		return;
	pthread_mutex_lock(&w->lock);
	d->held = false;
	d->recalled = false;
	d->need_read = true;
	now_in(&d->deleg_after, DW_RECALL_HOLDOFF_MS);
	pthread_mutex_unlock(&w->lock);
}

static void renew(struct dw_watch *w)
{
	nfsstat4 st = NFS4_OK;
	int rc = dc_client_simple(&w->cl, NULL, NULL, NULL, &st);

	troubled(w, rc, st);
}

static void *worker(void *arg)
{
	struct dw_watch *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->stop && !w->failed) {
		struct wdir *d = NULL;
		enum job j;
		long wait_ms;
		bool want;

		if (w->trouble) {
			pthread_mutex_unlock(&w->lock);
			pthread_mutex_lock(&w->call_lock);
			if (dw_recover(w) && !w->stop) {
				pthread_mutex_lock(&w->lock);
				w->failed = true;
				if (!w->err[0])
					snprintf(w->err, sizeof(w->err),
						 "lost the server");
				pthread_mutex_unlock(&w->lock);
			}
			pthread_mutex_unlock(&w->call_lock);
			pthread_mutex_lock(&w->lock);
			continue;
		}
		d = take_left(w);
		if (d) {
			pthread_mutex_unlock(&w->lock);
			pthread_mutex_lock(&w->call_lock);
			do_left(w, d);
			pthread_mutex_unlock(&w->call_lock);
			pthread_mutex_lock(&w->lock);
			continue;
		}
		j = next_job(w, &d, &wait_ms);
		if (j == J_NONE && w->trouble)
			continue;
		if (j == J_NONE) {
			struct timespec dl;

			clock_gettime(CLOCK_REALTIME, &dl);
			ts_add_ms(&dl, wait_ms > 0 ? wait_ms : 1);
			pthread_cond_timedwait(&w->cond, &w->lock, &dl);
			continue;
		}
		want = !w->no_deleg && !w->o.poll_only && !w->promised &&
		       !w->next_gdd.tv_sec && !d->held &&
		       !d->deleg_after.tv_sec;
		pthread_mutex_unlock(&w->lock);
		pthread_mutex_lock(&w->call_lock);
		switch (j) {
		case J_RETURN:
			do_return(w, d);
			break;
		case J_LOOKUP:
			do_lookup(w, d);
			break;
		case J_READ:
			reread(w, d, want, DW_SRC_REREAD);
			break;
		case J_POLL:
			reread(w, d, false, DW_SRC_POLL);
			break;
		case J_RENEW:
			renew(w);
			break;
		default:
			break;
		}
		pthread_mutex_unlock(&w->call_lock);
		pthread_mutex_lock(&w->lock);
	}
	/* Wake a reader waiting for events that will not come. */
	if (w->failed) {
		uint64_t one = 1;

		if (write(w->efd, &one, sizeof(one)) < 0)
			abort();
	}
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* ---- the API ------------------------------------------------------ */

/* HOST[:PORT]:/PATH */
static int parse_target(struct dw_watch *w, const char *t, char *err,
			size_t errlen)
{
	const char *slash = strstr(t ? t : "", ":/"), *colon;
	char *end;
	long port = 2049;

	if (!t || !slash || slash == t) {
		snprintf(err, errlen, "bad address '%s': expected HOST[:PORT]:/PATH",
			 t ? t : "");
		return -EINVAL;
	}
	colon = memchr(t, ':', slash - t);
	if (colon) {
		port = strtol(colon + 1, &end, 10);
		if (end != slash || port <= 0 || port > 65535) {
			snprintf(err, errlen, "bad port in '%s'", t);
			return -EINVAL;
		}
	} else {
		colon = slash;
	}
	if ((size_t)(colon - t) >= sizeof(w->host)) {
		snprintf(err, errlen, "bad address '%s': host name too long", t);
		return -EINVAL;
	}
	memcpy(w->host, t, colon - t);
	w->port = port;
	snprintf(w->path, sizeof(w->path), "%s", slash + 1);
	/* as a directory path: one trailing '/' */
	while (strlen(w->path) > 1 && w->path[strlen(w->path) - 1] == '/')
		w->path[strlen(w->path) - 1] = '\0';
	if (strcmp(w->path, "/"))
		strncat(w->path, "/", sizeof(w->path) - strlen(w->path) - 1);
	return 0;
}

/* The first listing: no events, a reason in err when it fails. */
static int first_read(struct dw_watch *w, struct wdir *d, char *err,
		      size_t errlen)
{
	nfsstat4 st = NFS4_OK;
	int rc = dw_lookup_path(w, d->path, &d->fh, &st);

	if (!rc && st != NFS4_OK) {
		snprintf(err, errlen, "%s: %s", d->path,
			 st == NFS4ERR_NOENT ? "no such path" :
			 st == NFS4ERR_NOTDIR ? "not a directory" :
			 st == NFS4ERR_ACCESS || st == NFS4ERR_PERM ?
						"permission denied" :
						dc_nfsstat_name(st));
		return -ENOENT;
	}
	if (rc) {
		snprintf(err, errlen, "%s: LOOKUP failed: %s", d->path,
			 strerror(-rc));
		return rc;
	}
	reread(w, d, !w->o.poll_only, DW_SRC_REREAD);
	if (w->trouble || !d->listed) {
		snprintf(err, errlen, "%s: cannot read the directory: %s",
			 d->path, w->trouble ? "connection lost" :
			 d->read_status == NFS4ERR_ACCESS ? "permission denied" :
			 dc_nfsstat_name(d->read_status));
		return -EIO;
	}
	return 0;
}

int dw_open(const struct dw_options *o, struct dw_watch **out, char *err,
	    size_t errlen)
{
	struct dw_watch *w = calloc(1, sizeof(*w));
	struct wdir *d;
	int rc;

	if (!w)
		return -ENOMEM;
	*out = NULL;
	w->o = *o;
	if (!w->o.events)
		w->o.events = DW_ALL;
	if (!w->o.interval_ms)
		w->o.interval_ms = 1000;
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->call_lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(w);
		return -errno;
	}
	rc = parse_target(w, o->target, err, errlen);
	if (!rc)
		rc = dw_connect(w, err, errlen);
	if (!rc) {
		if (w->o.poll_only) {
			w->told_poll = true;	/* asked for: nothing to say */
			w->no_deleg = true;
		}
		d = dir_new(w, w->path);
		rc = first_read(w, d, err, errlen);
	}
	/* --recursive: the directories below, breadth first */
	for (d = w->dirs ? w->dirs->next : NULL; !rc && d; d = d->next)
		if (first_read(w, d, err, errlen))
			d->path[0] = '\0';	/* gone meanwhile */
	if (!rc && pthread_create(&w->worker, NULL, worker, w)) {
		snprintf(err, errlen, "cannot start a thread");
		rc = -EAGAIN;
	}
	if (rc) {
		dw_close(w);
		return rc;
	}
	w->started = true;
	*out = w;
	return 0;
}

void dw_close(struct dw_watch *w)
{
	struct wdir *d;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (w->started)
		pthread_join(w->worker, NULL);
	/* The delegations back: DESTROY_CLIENTID wants none held. */
	for (d = w->dirs; d; d = d->next)
		if (d->held && w->cl.inited && !w->trouble)
			delegreturn(w, &d->fh, &d->sid);
	dc_client_destroy(&w->cl);
	if (w->tap) {
		dc_notify_tap_destroy(w->tap);
		free(w->tap);
	}
	while (w->dirs) {
		d = w->dirs;
		w->dirs = d->next;
		dir_free(d);
	}
	close(w->efd);
	free(w->q);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->call_lock);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int dw_fd(struct dw_watch *w)
{
	return w->efd;
}

void dw_get_stats(struct dw_watch *w, struct dw_stats *st)
{
	pthread_mutex_lock(&w->lock);
	*st = w->stats;
	pthread_mutex_unlock(&w->lock);
}

const char *dw_error(struct dw_watch *w)
{
	return w->failed ? w->err : "";
}

bool dw_delegated(struct dw_watch *w)
{
	bool held;

	pthread_mutex_lock(&w->lock);
	held = w->dirs && w->dirs->held;
	pthread_mutex_unlock(&w->lock);
	return held;
}

int dw_read(struct dw_watch *w, struct dw_event *ev, int timeout_ms)
{
	struct timespec dl;
	uint64_t v;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &dl);
	ts_add_ms(&dl, timeout_ms > 0 ? timeout_ms : 0);
	pthread_mutex_lock(&w->lock);
	while (!w->qn && !w->failed && !w->stop && timeout_ms != 0)
		if (timeout_ms > 0 &&
		    pthread_cond_timedwait(&w->cond, &w->lock, &dl) ==
			    ETIMEDOUT)
			break;
		else if (timeout_ms < 0)
			pthread_cond_wait(&w->cond, &w->lock);
	if (w->qn) {
		*ev = w->q[w->qhead];
		w->qhead = (w->qhead + 1) % w->qcap;
		if (--w->qn == 0 && read(w->efd, &v, sizeof(v)) < 0)
			v = 0;	/* nothing was counted: fine */
		rc = 1;
	} else if (w->failed) {
		rc = -EIO;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

int dw_run(struct dw_watch *w, dw_event_fn fn, void *arg,
	   volatile const int *stop)
{
	struct dw_event ev;
	int rc = 0;

	while (!*stop) {
		rc = dw_read(w, &ev, 200);
		if (rc < 0)
			return rc;
		if (rc > 0)
			fn(arg, &ev);
	}
	return 0;
}

void dw_listing(struct dw_watch *w, dw_entry_fn fn, void *arg)
{
	struct wdir *d;

	pthread_mutex_lock(&w->lock);
	for (d = w->dirs; d; d = d->next)
		if (d->path[0])
			dw_list_each(d->ls, d->path, fn, arg);
	pthread_mutex_unlock(&w->lock);
}

struct verify_ctx {
	struct dw_watch *w;
	unsigned int n;
};

static void count_event(void *arg, const struct dw_event *ev)
{
	struct verify_ctx *v = arg;

	v->n++;
	dw_queue(v->w, ev);
}

int dw_verify(struct dw_watch *w, unsigned int *ndiff)
{
	struct verify_ctx cnt = { w, 0 };
	struct wdir *d;
	int rc = 0;

	*ndiff = 0;
	pthread_mutex_lock(&w->call_lock);
	for (d = w->dirs; d && !rc; d = d->next) {
		struct dw_list *now = dw_list_new();
		struct dw_emit em = { count_event, &cnt, d->path,
				      DW_SRC_REREAD, &w->cookie };
		nfsstat4 st = NFS4_OK;

		if (d->path[0] && d->fh.nfs_fh4_len) {
			rc = dc_fs_readdir_each(&w->cl, &d->fh, put_entry, now,
						&st);
			if (!rc && st != NFS4_OK)
				rc = -EIO;
			pthread_mutex_lock(&w->lock);
			if (!rc && !d->reading)
				dw_diff(d->ls, now, &em);
			pthread_mutex_unlock(&w->lock);
		}
		dw_list_free(now);
	}
	pthread_mutex_unlock(&w->call_lock);
	*ndiff = cnt.n;
	return rc ? rc : cnt.n ? 1 : 0;
}

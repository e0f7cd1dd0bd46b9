// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * The watcher's client: connecting, its session and back channel, and
 * getting them back after a lost connection or a server restart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "fsops.h"
#include "watch_int.h"

static void on_notify(void *arg, const struct dc_notify_call *call,
		      const struct dc_notify_ent *ents, unsigned int n)
{
	struct dw_watch *w = arg;
	struct dw_emit em = { dw_queue, w, NULL, DW_SRC_NOTIFY, &w->cookie };
	struct wdir *d;
	unsigned int i;

	pthread_mutex_lock(&w->lock);
	w->stats.cb_notify++;
	w->stats.notifications += n;
	d = dw_dir_by_fh(w, call->fh, call->fh_len);
	if (d && d->reading) {
		/* Applied once the READDIR under way is in. */
		if (d->npend + n > d->pcap) {
			d->pcap = 2 * (d->npend + n);
			d->pend = realloc(d->pend, d->pcap * sizeof(*d->pend));
			if (!d->pend)
				abort();
		}
		memcpy(d->pend + d->npend, ents, n * sizeof(*ents));
		d->npend += n;
	} else if (d) {
		em.dir = d->path;
		for (i = 0; i < n; i++)
			dw_notify_apply(d->ls, &ents[i], &em);
	}
	pthread_mutex_unlock(&w->lock);
}

static void on_avail(void *arg, const struct dc_obj_avail *a)
{
	struct dw_watch *w = arg;

	pthread_mutex_lock(&w->lock);
	w->avail = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static enum dc_cb_action on_cb(void *arg, const struct dc_cb_record *rec,
			       nfsstat4 *status)
{
	struct dw_watch *w = arg;
	struct wdir *d;

	if (!rec->has_recall)
		return DC_CB_OK;
	pthread_mutex_lock(&w->lock);
	d = dw_dir_by_fh(w, rec->recall_fh, rec->recall_fh_len);
	/* Not one returned already (a GET_DIR_DELEGATION reply may still
	 * be on its way: then the stateid is not known yet).
	 */
	if (d && (!d->held || !memcmp(d->sid.other, rec->recall_sid.other,
				      sizeof(d->sid.other)))) {
		d->recalled = true;
		w->stats.recalls++;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return DC_CB_OK;
}

/* Serve and tap the back channel on conn. */
static struct dc_notify_tap *tap_conn(struct dw_watch *w, struct dc_conn *conn)
{
	struct dc_notify_sink sink = { on_notify, on_avail, w };
	struct dc_notify_tap *t = calloc(1, sizeof(*t));

	if (!t)
		abort();
	dc_cb_attach(&w->cl.cb, conn);
	dc_notify_tap_attach_sink(t, conn, &sink);
	return t;
}

static void free_tap(struct dw_watch *w)
{
	if (!w->tap)
		return;
	dc_notify_tap_destroy(w->tap);
	free(w->tap);
	w->tap = NULL;
}

int dw_connect(struct dw_watch *w, char *err, size_t errlen)
{
	struct dc_server srv = { 0 };
	channel_attrs4 fore, back;
	char owner[128], host[64];
	nfsstat4 st;
	int rc;

	snprintf(srv.host, sizeof(srv.host), "%s", w->host);
	srv.port = w->port;
	/* paths are looked up from the root (dw_lookup_path()) */
	snprintf(srv.export, sizeof(srv.export), "/");
	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(owner, sizeof(owner), "ditto-watch/%s/%d/%p", host,
		 (int)getpid(), (void *)w);
	rc = dc_client_init(&w->cl, &srv, owner);
	if (rc) {
		snprintf(err, errlen, "cannot connect to %s:%d: %s", w->host,
			 w->port, strerror(-rc));
		return rc;
	}
	dc_auth_sys(&w->cl.auth, w->o.uid, w->o.gid);
	dc_cb_keep_records(&w->cl.cb, false);
	dc_cb_set_handler(&w->cl.cb, on_cb, w);
	rc = dc_client_exchange_id(&w->cl, EXCHGID4_FLAG_USE_NON_PNFS, &st);
	if (!rc && st != NFS4_OK) {
		snprintf(err, errlen, "%s:%d refused EXCHANGE_ID: %s",
			 w->host, w->port, dc_nfsstat_name(st));
		return -EPROTO;
	}
	if (rc) {
		snprintf(err, errlen, "%s:%d: no NFSv4.1 answer (%s)", w->host,
			 w->port, strerror(-rc));
		return rc;
	}
	dc_default_chan_attrs(&fore, 8);
	dc_default_back_chan_attrs(&back, 4);
	/* Room for big CB_NOTIFY batches. */
	back.ca_maxrequestsize = 65536;
	/* The tap before the session: callbacks may follow at once. */
	w->tap = tap_conn(w, w->cl.conns[0]);
	rc = dc_client_create_session_with(
		&w->cl, CREATE_SESSION4_FLAG_CONN_BACK_CHAN, &fore, &back,
		false, &st, NULL);
	if (!rc && st != NFS4_OK) {
		snprintf(err, errlen, "%s:%d refused CREATE_SESSION: %s",
			 w->host, w->port, dc_nfsstat_name(st));
		return -EPROTO;
	}
	if (rc) {
		snprintf(err, errlen, "%s:%d: CREATE_SESSION failed: %s",
			 w->host, w->port, strerror(-rc));
		return rc;
	}
	rc = dc_client_reclaim_complete(&w->cl, &st);
	if (rc || (st != NFS4_OK && st != NFS4ERR_COMPLETE_ALREADY)) {
		snprintf(err, errlen, "%s:%d refused RECLAIM_COMPLETE: %s",
			 w->host, w->port,
			 rc ? strerror(-rc) : dc_nfsstat_name(st));
		return rc ? rc : -EPROTO;
	}
	if (dc_fs_lease_time(&w->cl, &w->lease_s, &st) || st != NFS4_OK ||
	    !w->lease_s)
		w->lease_s = 90;
	clock_gettime(CLOCK_MONOTONIC, &w->last_call);
	return 0;
}

struct lookup_arg {
	const char *path;
};

static void fill_lookup(struct dc_compound *c, void *arg)
{
	const struct lookup_arg *a = arg;
	char path[DW_PATH_MAX], *save = NULL, *p;

	snprintf(path, sizeof(path), "%s", a->path);
	for (p = strtok_r(path, "/", &save); p; p = strtok_r(NULL, "/", &save))
		dc_op_lookup(c, p);
	dc_op_getfh(c);
	dc_op_getattr(c, 1u << FATTR4_TYPE, 0);
}

int dw_lookup_path(struct dw_watch *w, const char *path, nfs_fh4 *fh,
		   nfsstat4 *st)
{
	struct lookup_arg a = { path };
	struct dc_cres r;
	struct dc_gattr ga;
	unsigned int n;
	int rc;

	/* PUTROOTFH, then a LOOKUP per component (fill_lookup). */
	snprintf(w->cl.srv.export, sizeof(w->cl.srv.export), "/");
	rc = dc_client_on_fh(&w->cl, "lookup", 1, NULL, fill_lookup, &a, &r);
	if (rc) {
		dc_cres_free(&r);
		return rc;
	}
	*st = r.res.status;
	n = r.res.resarray.resarray_len;
	if (*st == NFS4_OK && n >= 2) {
		GETATTR4res *g = &dc_cres_op(&r, n - 1)->nfs_resop4_u.opgetattr;

		if (!dc_fattr_decode(&g->GETATTR4res_u.resok4.obj_attributes,
				     &ga)) {
			rc = -EBADMSG;
		} else if (ga.type != NF4DIR) {
			*st = NFS4ERR_NOTDIR;
		} else {
			dc_fh_copy(fh, &dc_cres_op(&r, n - 2)
					       ->nfs_resop4_u.opgetfh
					       .GETFH4res_u.resok4.object);
		}
	}
	dc_cres_free(&r);
	return rc;
}

static void fill_bind(struct dc_compound *c, void *arg)
{
	dc_op_bind_conn(c, arg, CDFC4_BACK_OR_BOTH);
}

/*
 * The slot of a call the lost connection cut off is sent again with its
 * sequence ID unchanged (RFC 8881 2.10.6.2), as a SEQUENCE alone: a
 * server that did the call answers from its reply cache or with
 * NFS4ERR_RETRY_UNCACHED_REP, one that did not does the SEQUENCE.
 * Either way the slot is in step again, and the cut call's job is done
 * again from its start (a READDIR resent as it was could be answered
 * with the cached reply of another round).  With no call cut off, this
 * is a plain SEQUENCE.  1: the session is not usable.
 */
static int resync_slot(struct dw_watch *w)
{
	nfsstat4 st = NFS4_OK;
	unsigned int i;
	uint32_t seq;
	int rc, s;

	/* The cut call may still be running on the server meanwhile. */
	for (i = 0; i < 10; i++) {
		rc = dc_client_simple(&w->cl, NULL, NULL, NULL, &st);
		if (rc)
			return rc;
		if (st != NFS4ERR_DELAY && st != NFS4ERR_SEQ_MISORDERED)
			break;
		usleep(100000);
	}
	if (st == NFS4ERR_RETRY_UNCACHED_REP) {
		/* done, not cached: the sequence ID is spent */
		s = dc_slot_get(&w->cl.slots, &seq);
		if (s >= 0)
			dc_slot_put(&w->cl.slots, s, true);
		return 0;
	}
	if (st != NFS4_OK)
		dw_notice(w, "the session's slot 0 cannot be set right (%s at "
			  "seqid %u): a new client ID", dc_nfsstat_name(st),
			  w->cl.slots.slots[0].seqid + 1);
	return st == NFS4_OK ? 0 : 1;
}

/* A new connection bound to the session: 0, or 1 when the session is
 * gone, negative when the server cannot be reached.
 */
static int rebind(struct dw_watch *w)
{
	struct dc_conn *conn, *old;
	struct dc_notify_tap *t;
	struct dc_compound c;
	struct dc_cres r;
	nfsstat4 st;
	int rc;

	rc = dc_conn_open(&conn, w->host, w->port);
	if (rc)
		return rc;
	t = tap_conn(w, conn);
	dc_compound_init(&c, 1, "bind_conn");
	fill_bind(&c, w->cl.sid);
	rc = dc_compound_call(conn, &w->cl.auth, &c, &r, w->cl.timeout_ms);
	dc_compound_free(&c);
	st = rc ? NFS4_OK : r.res.status;
	if (rc)
		dc_reply_free(&r.rpc);
	else
		dc_cres_free(&r);
	if (rc || st != NFS4_OK) {
		dc_conn_close(conn);
		dc_notify_tap_destroy(t);
		free(t);
		return rc ? rc : 1;
	}
	old = w->cl.conns[0];
	w->cl.conns[0] = conn;
	dc_conn_close(old);
	free_tap(w);
	w->tap = t;
	pthread_mutex_lock(&w->lock);
	w->stats.reconnects++;
	pthread_mutex_unlock(&w->lock);
	return resync_slot(w);
}

/* A new client ID and session (the server restarted). */
static int reborn(struct dw_watch *w)
{
	struct wdir *d;
	char err[256];
	nfsstat4 st;
	int rc;

	dc_client_destroy(&w->cl);
	free_tap(w);
	rc = dw_connect(w, err, sizeof(err));
	if (rc) {
		dc_client_destroy(&w->cl);
		free_tap(w);
		return rc;
	}
	for (d = w->dirs; d; d = d->next) {
		nfs_fh4 fh = { 0 };

		rc = dw_lookup_path(w, d->path, &fh, &st);
		if (rc)
			return rc;
		pthread_mutex_lock(&w->lock);
		if (st == NFS4_OK) {
			dc_fh_free(&d->fh);
			d->fh = fh;
		}
		d->held = false;
		pthread_mutex_unlock(&w->lock);
		if (st != NFS4_OK && d == w->dirs) {
			snprintf(w->err, sizeof(w->err),
				 "%s: gone after the server restarted (%s)",
				 d->path, dc_nfsstat_name(st));
			return -ENOENT;
		}
	}
	pthread_mutex_lock(&w->lock);
	w->stats.new_clients++;
	pthread_mutex_unlock(&w->lock);
	dw_notice(w, "server restarted: new client ID, reading %s again",
		  w->dirs->path);
	return 0;
}

void dw_cut_connection(struct dw_watch *w)
{
	/* Not while recovering: the connection may be being replaced.
	 * Calls may be in flight: a plain shutdown, as a network would.
	 */
	pthread_mutex_lock(&w->lock);
	if (!w->trouble && w->cl.conns[0])
		shutdown(w->cl.conns[0]->fd, SHUT_RDWR);
	pthread_mutex_unlock(&w->lock);
}

int dw_recover(struct dw_watch *w)
{
	bool told = false;
	struct wdir *d;
	int rc;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		if (w->stop) {
			pthread_mutex_unlock(&w->lock);
			return -ECANCELED;
		}
		pthread_mutex_unlock(&w->lock);
		rc = w->cl.inited && w->cl.have_session ? rebind(w) : 1;
		if (rc == 1)
			rc = reborn(w);
		if (rc == 0)
			break;
		if (rc == -ENOENT)
			return rc;
		if (!told)
			dw_notice(w, "connection to %s:%d lost; reconnecting",
				  w->host, w->port);
		told = true;
		sleep(1);
	}
	if (told)
		dw_notice(w, "reconnected to %s:%d", w->host, w->port);
	/*
	 * Whatever happened meanwhile: notifications the server could not
	 * send and then a recall it could not send either end in a
	 * revocation.  So every delegation is given back (or freed) and
	 * asked again, every directory read again.
	 */
	pthread_mutex_lock(&w->lock);
	w->trouble = false;
	for (d = w->dirs; d; d = d->next) {
		d->need_read = true;
		if (d->held)
			d->recalled = true;
	}
	pthread_mutex_unlock(&w->lock);
	return 0;
}

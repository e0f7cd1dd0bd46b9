// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Other heads' changes into Ganesha's cache (Store = postgres with
 * several heads, docs/postgres.md).  The store's listener names the
 * objects another head's commit changed (ds_store_set_invalidate); here
 * each one's cached attributes, dirents and content are dropped with the
 * export's invalidate up-call.  MDCACHE clears its trust flags before
 * the up-call returns and the listener acks only after this hook, so
 * the committing head replies after the drop: a later request here
 * asks the store, which already holds the change.
 *
 * The hook runs on the listener thread with no store lock held, and the
 * up-call it makes must not wait for anything that can wait for this
 * head's ack: MDCACHE holds a directory's content_lock across a RENAME
 * (and other calls) into the FSAL, whose commit waits for the other
 * heads' acks, and two heads each waiting so, each listener blocked on
 * that lock, would wait for each other until one is fenced.  So the
 * synchronous up-call leaves out FSAL_UP_INVALIDATE_PARENT, the one part
 * that takes content_lock, and FSAL_UP_INVALIDATE_CLOSE, which calls
 * back into the store.  A directory's cached parent (LOOKUPP) is dropped
 * by an up-call on Ganesha's general fridge, which the hook waits for
 * DITTO_UP_PARENT_MS at most: it is done at once unless such a RENAME
 * holds the lock, and then as soon as that RENAME's commit is acked.
 */
#include "config.h"

#include <time.h>

#include "fsal.h"
#include "fsal_convert.h"
#include "fsal_up.h"
#include "fridgethr.h"
#include "ditto_int.h"

/* What the listener's up-call drops: all but the parent pointer. */
#define DITTO_UP_SYNC (FSAL_UP_INVALIDATE_CACHE & ~FSAL_UP_INVALIDATE_PARENT)
/* How long the hook waits for its parent drops; at unexport, for all. */
#define DITTO_UP_PARENT_MS 100
#define DITTO_UP_DRAIN_MS 5000

/* Ready (MDCACHE stacked) and not being unexported. */
static bool up_open(struct ditto_export *exp)
{
	struct fsal_up_vector *up =
		(struct fsal_up_vector *)exp->export.up_ops;
	bool ready;

	if (exp->up_closed)
		return false;
	PTHREAD_MUTEX_lock(&up->up_mutex);
	ready = up->up_ready && !up->up_cancel;
	PTHREAD_MUTEX_unlock(&up->up_mutex);
	return ready;
}

static void up_failed(struct ditto_export *exp, fsal_status_t st)
{
	LogMajor(COMPONENT_FSAL,
		 "DITTO: export %" PRIu16
		 " could not drop a cached object another head changed: %s",
		 exp->export_id, fsal_err_txt(st));
}

/* A directory's parent pointer to drop, on Ganesha's general fridge. */
struct parent_drop {
	struct ditto_export *exp;
	struct ditto_wire wire;
};

static void drop_parent(struct fridgethr_context *ctx)
{
	struct parent_drop *pd = ctx->arg;
	struct ditto_export *exp = pd->exp;
	const struct fsal_up_vector *up = exp->export.up_ops;
	struct gsh_buffdesc key = { .addr = &pd->wire,
				    .len = sizeof(pd->wire) };
	fsal_status_t st;

	st = up->invalidate(up, &key, FSAL_UP_INVALIDATE_PARENT);
	if (FSAL_IS_ERROR(st))
		up_failed(exp, st);
	gsh_free(pd);
	PTHREAD_MUTEX_lock(&exp->handles_lock);
	if (--exp->up_pending == 0)
		pthread_cond_broadcast(&exp->up_idle);
	PTHREAD_MUTEX_unlock(&exp->handles_lock);
}

/* Until no parent drop is queued, or ms went by: false then. */
static bool parents_dropped(struct ditto_export *exp, long ms)
{
	struct timespec end;
	bool idle;

	clock_gettime(CLOCK_REALTIME, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	PTHREAD_MUTEX_lock(&exp->handles_lock);
	while (exp->up_pending &&
	       pthread_cond_timedwait(&exp->up_idle, &exp->handles_lock,
				      &end) == 0)
		;
	idle = exp->up_pending == 0;
	PTHREAD_MUTEX_unlock(&exp->handles_lock);
	return idle;
}

static void drop(struct ditto_export *exp, struct ditto_wire *w,
		 enum ds_type type)
{
	const struct fsal_up_vector *up = exp->export.up_ops;
	struct gsh_buffdesc key = { .addr = w, .len = sizeof(*w) };
	struct parent_drop *pd;
	fsal_status_t st;
	int rc;

	/* Not cached is success (MDCACHE answers NOENT as OK). */
	st = up->invalidate(up, &key, DITTO_UP_SYNC);
	if (FSAL_IS_ERROR(st))
		up_failed(exp, st);
	if (type != DS_DIR)
		return;
	pd = gsh_malloc(sizeof(*pd));
	pd->exp = exp;
	pd->wire = *w;
	PTHREAD_MUTEX_lock(&exp->handles_lock);
	exp->up_pending++;
	PTHREAD_MUTEX_unlock(&exp->handles_lock);
	rc = fridgethr_submit(general_fridge, drop_parent, pd);
	if (rc) {
		gsh_free(pd);
		PTHREAD_MUTEX_lock(&exp->handles_lock);
		exp->up_pending--;
		PTHREAD_MUTEX_unlock(&exp->handles_lock);
		up_failed(exp, posix2fsal_status(rc));
	}
}

/*
 * Everything: every handle MDCACHE holds of this export (they are the
 * ones ditto_new_handle made and ditto_release has not freed).  Their
 * keys are copied out first: an up-call may release an entry, whose
 * release takes handles_lock.
 */
static size_t drop_all(struct ditto_export *exp)
{
	struct held {
		struct ditto_wire wire;
		enum ds_type type;
	} *keys = NULL;
	struct ditto_handle *h;
	struct glist_head *node;
	size_t n = 0, i;

	PTHREAD_MUTEX_lock(&exp->handles_lock);
	if (exp->nhandles)
		keys = gsh_malloc(exp->nhandles * sizeof(*keys));
	glist_for_each(node, &exp->handles) {
		h = glist_entry(node, struct ditto_handle, node);
		keys[n].wire = h->wire;
		keys[n++].type = ds_type_of(h->ino);
	}
	PTHREAD_MUTEX_unlock(&exp->handles_lock);
	for (i = 0; i < n; i++)
		drop(exp, &keys[i].wire, keys[i].type);
	gsh_free(keys);
	return n;
}

static void ditto_changed(void *arg, const struct ds_changed *objs, size_t n)
{
	struct ditto_export *exp = arg;
	struct ditto_wire w;
	size_t i;

	PTHREAD_MUTEX_lock(&exp->up_lock);
	if (!up_open(exp))
		goto out;	/* nothing of this export is cached yet */
	if (!n) {
		n = drop_all(exp);
		LogMajor(COMPONENT_FSAL,
			 "DITTO: export %" PRIu16
			 " lost its PostgreSQL listener and no longer follows the other heads: %zu cached objects dropped; changes fail (EIO) until restart",
			 exp->export_id, n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		ditto_wire_encode(&w, &(struct ditto_wire_id){
			.export_id = exp->export_id,
			.generation = objs[i].generation,
			.fileid = objs[i].fileid });
		drop(exp, &w, objs[i].type);
	}
	if (!parents_dropped(exp, DITTO_UP_PARENT_MS))
		LogInfo(COMPONENT_FSAL,
			 "DITTO: export %" PRIu16
			 ": a directory's cached parent is dropped after the ack (a RENAME here holds it)",
			 exp->export_id);
out:
	PTHREAD_MUTEX_unlock(&exp->up_lock);
}

void ditto_upcall_init(struct ditto_export *exp)
{
	struct ds_invalidate inv = { ditto_changed, exp };

	PTHREAD_MUTEX_init(&exp->up_lock, NULL);
	PTHREAD_MUTEX_init(&exp->handles_lock, NULL);
	PTHREAD_COND_init(&exp->up_idle, NULL);
	glist_init(&exp->handles);
	exp->tracks_handles = exp->cfg.store == DITTO_STORE_POSTGRES;
	if (exp->tracks_handles)
		ds_store_set_invalidate(exp->store, &inv);
}

/* No up-call after this returns, none in flight (the export is going). */
void ditto_upcall_close(struct ditto_export *exp)
{
	PTHREAD_MUTEX_lock(&exp->up_lock);
	exp->up_closed = true;
	PTHREAD_MUTEX_unlock(&exp->up_lock);
	if (!parents_dropped(exp, DITTO_UP_DRAIN_MS))
		LogCrit(COMPONENT_FSAL,
			"DITTO: export %" PRIu16
			" going with parent drops still queued",
			exp->export_id);
}

void ditto_upcall_fini(struct ditto_export *exp)
{
	ditto_upcall_close(exp);
	PTHREAD_MUTEX_destroy(&exp->up_lock);
	PTHREAD_MUTEX_destroy(&exp->handles_lock);
	PTHREAD_COND_destroy(&exp->up_idle);
}

/* h is made (live) or released: MDCACHE's handles, for drop_all. */
void ditto_upcall_track(struct ditto_handle *h, bool live)
{
	struct ditto_export *exp = h->exp;

	if (!exp->tracks_handles)
		return;
	PTHREAD_MUTEX_lock(&exp->handles_lock);
	if (live) {
		glist_add_tail(&exp->handles, &h->node);
		exp->nhandles++;
	} else {
		glist_del(&h->node);
		exp->nhandles--;
	}
	PTHREAD_MUTEX_unlock(&exp->handles_lock);
}

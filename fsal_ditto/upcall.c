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
 * The hook runs on the listener thread with no store lock held; the
 * up-call takes only MDCACHE's locks (no FSAL_UP_INVALIDATE_CLOSE, which
 * would call back into the store).
 */
#include "config.h"

#include "fsal.h"
#include "fsal_up.h"
#include "ditto_int.h"

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

static void drop(struct ditto_export *exp, struct ditto_wire *w)
{
	const struct fsal_up_vector *up = exp->export.up_ops;
	struct gsh_buffdesc key = { .addr = w, .len = sizeof(*w) };
	fsal_status_t st;

	/* Not cached is success (MDCACHE answers NOENT as OK). */
	st = up->invalidate(up, &key, FSAL_UP_INVALIDATE_CACHE);
	if (FSAL_IS_ERROR(st))
		LogMajor(COMPONENT_FSAL,
			 "DITTO: export %" PRIu16
			 " could not drop a cached object another head changed: %s",
			 exp->export_id, fsal_err_txt(st));
}

/*
 * Everything: every handle MDCACHE holds of this export (they are the
 * ones ditto_new_handle made and ditto_release has not freed).  Their
 * keys are copied out first: an up-call may release an entry, whose
 * release takes handles_lock.
 */
static size_t drop_all(struct ditto_export *exp)
{
	struct ditto_wire *keys = NULL;
	struct glist_head *node;
	size_t n = 0, i;

	PTHREAD_MUTEX_lock(&exp->handles_lock);
	if (exp->nhandles)
		keys = gsh_malloc(exp->nhandles * sizeof(*keys));
	glist_for_each(node, &exp->handles)
		keys[n++] = glist_entry(node, struct ditto_handle,
					node)->wire;
	PTHREAD_MUTEX_unlock(&exp->handles_lock);
	for (i = 0; i < n; i++)
		drop(exp, &keys[i]);
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
		drop(exp, &w);
	}
out:
	PTHREAD_MUTEX_unlock(&exp->up_lock);
}

void ditto_upcall_init(struct ditto_export *exp)
{
	struct ds_invalidate inv = { ditto_changed, exp };

	PTHREAD_MUTEX_init(&exp->up_lock, NULL);
	PTHREAD_MUTEX_init(&exp->handles_lock, NULL);
	glist_init(&exp->handles);
	exp->tracks_handles = exp->cfg.store == DITTO_STORE_POSTGRES;
	if (exp->tracks_handles)
		ds_store_set_invalidate(exp->store, &inv);
}

/* No up-call after this returns (the export is going). */
void ditto_upcall_close(struct ditto_export *exp)
{
	PTHREAD_MUTEX_lock(&exp->up_lock);
	exp->up_closed = true;
	PTHREAD_MUTEX_unlock(&exp->up_lock);
}

void ditto_upcall_fini(struct ditto_export *exp)
{
	ditto_upcall_close(exp);
	PTHREAD_MUTEX_destroy(&exp->up_lock);
	PTHREAD_MUTEX_destroy(&exp->handles_lock);
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

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Slot table bookkeeping.
 */
#include <errno.h>
#include <stdlib.h>
#include "slot_table.h"

int dc_slots_init(struct dc_slot_table *t, uint32_t n)
{
	if (n == 0)
		return -EINVAL;
	t->slots = calloc(n, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->n = n;
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

void dc_slots_destroy(struct dc_slot_table *t)
{
	if (!t->slots)
		return;
	free(t->slots);
	t->slots = NULL;
	t->n = 0;
	pthread_mutex_destroy(&t->lock);
}

int dc_slot_get(struct dc_slot_table *t, uint32_t *seqid)
{
	uint32_t i;
	int r = -1;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n; i++) {
		if (!t->slots[i].busy) {
			t->slots[i].busy = true;
			*seqid = t->slots[i].seqid + 1;
			r = i;
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

uint32_t dc_slot_highest_busy(struct dc_slot_table *t)
{
	uint32_t i, h = 0;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n; i++)
		if (t->slots[i].busy)
			h = i;
	pthread_mutex_unlock(&t->lock);
	return h;
}

void dc_slot_put(struct dc_slot_table *t, uint32_t slot, bool processed)
{
	if (slot >= t->n)
		return;
	pthread_mutex_lock(&t->lock);
	if (processed)
		t->slots[slot].seqid++;
	t->slots[slot].busy = false;
	pthread_mutex_unlock(&t->lock);
}

bool dc_slot_status_processed(uint32_t nfsstat)
{
	/*
	 * These are returned by SEQUENCE before it touches the slot
	 * (section 18.46.3); any other status (including errors of later
	 * ops) means the slot's sequence id moved on.
	 */
	switch (nfsstat) {
	case 10052: /* NFS4ERR_BADSESSION */
	case 10053: /* NFS4ERR_BADSLOT */
	case 10063: /* NFS4ERR_SEQ_MISORDERED */
	case 10068: /* NFS4ERR_RETRY_UNCACHED_REP */
	case 10076: /* NFS4ERR_SEQ_FALSE_RETRY */
	case 10008: /* NFS4ERR_DELAY */
	case 10011: /* NFS4ERR_EXPIRED */
	case 10022: /* NFS4ERR_STALE_CLIENTID */
	case 10078: /* NFS4ERR_DEADSESSION */
	case 10064: /* NFS4ERR_SEQUENCE_POS */
	case 10066: /* NFS4ERR_REP_TOO_BIG */
	case 10067: /* NFS4ERR_REP_TOO_BIG_TO_CACHE */
	case 10065: /* NFS4ERR_REQ_TOO_BIG */
	case 10036: /* NFS4ERR_BADXDR */
		return false;
	default:
		return true;
	}
}

/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Client-side session slot table (RFC 8881 section 2.10.6.1): one
 * sequence id per slot, a slot is used by one request at a time, and its
 * sequence id advances only when the server actually processed SEQUENCE
 * on it.
 */
#ifndef DITTO_SLOT_TABLE_H
#define DITTO_SLOT_TABLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct dc_slot {
	/* Last sequence id the server accepted on this slot. */
	uint32_t seqid;
	bool busy;
};

struct dc_slot_table {
	pthread_mutex_t lock;
	uint32_t n;
	struct dc_slot *slots;
};

int dc_slots_init(struct dc_slot_table *t, uint32_t n);
void dc_slots_destroy(struct dc_slot_table *t);
/*
 * Take the lowest free slot; returns its id and the sequence id to send
 * in *seqid, or -1 if all are busy.
 */
int dc_slot_get(struct dc_slot_table *t, uint32_t *seqid);
/* Highest slot id currently in use (for sa_highest_slotid). */
uint32_t dc_slot_highest_busy(struct dc_slot_table *t);
/*
 * Release a slot.  processed: the server handled SEQUENCE on it (the
 * request's seqid is now the slot's), so the next request gets seqid+1.
 */
void dc_slot_put(struct dc_slot_table *t, uint32_t slot, bool processed);
/* Whether a SEQUENCE status means the server processed the slot. */
bool dc_slot_status_processed(uint32_t nfsstat);

#endif

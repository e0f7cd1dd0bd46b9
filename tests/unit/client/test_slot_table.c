// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Client slot table: allocation, seqid advance rules, highest slot.
 */
#include <criterion/criterion.h>
#include "slot_table.h"

Test(slot_table, first_use_is_seqid_one_lowest_slot)
{
	struct dc_slot_table t;
	uint32_t seq = 0;

	cr_assert_eq(dc_slots_init(&t, 4), 0);
	cr_assert_eq(dc_slot_get(&t, &seq), 0);
	cr_assert_eq(seq, 1);
	cr_assert_eq(dc_slot_get(&t, &seq), 1);
	cr_assert_eq(seq, 1);
	dc_slots_destroy(&t);
}

Test(slot_table, processed_advances_unprocessed_does_not)
{
	struct dc_slot_table t;
	uint32_t seq;

	cr_assert_eq(dc_slots_init(&t, 2), 0);
	cr_assert_eq(dc_slot_get(&t, &seq), 0);
	dc_slot_put(&t, 0, true);
	cr_assert_eq(dc_slot_get(&t, &seq), 0);
	cr_assert_eq(seq, 2);
	/* e.g. BADSESSION: the server never saw seqid 2 on this slot */
	dc_slot_put(&t, 0, false);
	cr_assert_eq(dc_slot_get(&t, &seq), 0);
	cr_assert_eq(seq, 2);
	dc_slots_destroy(&t);
}

Test(slot_table, exhaustion_and_reuse)
{
	struct dc_slot_table t;
	uint32_t seq;

	cr_assert_eq(dc_slots_init(&t, 2), 0);
	cr_assert_eq(dc_slot_get(&t, &seq), 0);
	cr_assert_eq(dc_slot_get(&t, &seq), 1);
	cr_assert_eq(dc_slot_get(&t, &seq), -1);
	cr_assert_eq(dc_slot_highest_busy(&t), 1);
	dc_slot_put(&t, 0, true);
	cr_assert_eq(dc_slot_highest_busy(&t), 1);
	cr_assert_eq(dc_slot_get(&t, &seq), 0);
	cr_assert_eq(seq, 2);
	dc_slots_destroy(&t);
}

Test(slot_table, put_out_of_range_is_ignored)
{
	struct dc_slot_table t;
	uint32_t seq;

	cr_assert_eq(dc_slots_init(&t, 1), 0);
	dc_slot_put(&t, 5, true);
	cr_assert_eq(dc_slot_get(&t, &seq), 0);
	cr_assert_eq(seq, 1);
	dc_slots_destroy(&t);
}

Test(slot_table, zero_slots_rejected)
{
	struct dc_slot_table t;

	cr_assert_lt(dc_slots_init(&t, 0), 0);
}

Test(slot_table, which_sequence_statuses_consume_the_slot)
{
	cr_assert(dc_slot_status_processed(0));		/* NFS4_OK */
	cr_assert(dc_slot_status_processed(2));		/* NOENT (later op) */
	cr_assert_not(dc_slot_status_processed(10052));	/* BADSESSION */
	cr_assert_not(dc_slot_status_processed(10053));	/* BADSLOT */
	cr_assert_not(dc_slot_status_processed(10063));	/* SEQ_MISORDERED */
	cr_assert_not(dc_slot_status_processed(10068));	/* RETRY_UNCACHED */
	cr_assert_not(dc_slot_status_processed(10008));	/* DELAY */
}

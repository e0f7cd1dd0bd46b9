/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The power-loss shim's entry points (powerloss.c, LD_PRELOAD): the
 * crash test finds them with dlsym(), so it also runs without the shim.
 */
#ifndef DITTO_POWERLOSS_H
#define DITTO_POWERLOSS_H

#include <stdbool.h>
#include <stdint.h>

struct ditto_powerloss_stats {
	uint64_t undone;	/* writes lost at the cut */
	uint64_t bytes;		/* their bytes */
	uint64_t synced;	/* writes kept: their file was synced */
};

/* True when the shim is loaded. */
bool ditto_powerloss_active(void);

/*
 * The power cut, after the writer was killed: undo every write to the
 * files under $DITTO_POWERLOSS_DIR that no fsync/fdatasync (or O_DSYNC)
 * made durable, then empty the journal.  Returns 0.
 */
int ditto_powerloss_cut(struct ditto_powerloss_stats *st);

#endif

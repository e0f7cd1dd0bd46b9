/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * FSAL_DITTO's wire handle: stable for the object's life, independent of
 * mdcache.  All fields little-endian.  generation is per store instance,
 * so a handle from an earlier daemon run (or another export) is stale.
 *
 * Ganesha-free, so that the fuzz target (fuzz/fsal_handle.c) parses
 * client bytes exactly as wire_to_host and create_handle do.
 */
#ifndef DITTO_WIRE_H
#define DITTO_WIRE_H

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ditto_wire {
	uint8_t version;
	uint8_t pad;
	uint16_t export_id;
	uint32_t generation;
	uint64_t fileid;
} __attribute__((packed));

#define DITTO_WIRE_VERSION 1

/* A wire handle's contents, in host order. */
struct ditto_wire_id {
	uint16_t export_id;
	uint32_t generation;
	uint64_t fileid;
};

static inline void ditto_wire_encode(struct ditto_wire *w,
				     const struct ditto_wire_id *id)
{
	memset(w, 0, sizeof(*w));
	w->version = DITTO_WIRE_VERSION;
	w->export_id = htole16(id->export_id);
	w->generation = htole32(id->generation);
	w->fileid = htole64(id->fileid);
}

/*
 * Bytes from a client: 0 and *id, or -EINVAL when they are not a handle
 * of ours (length, version).  Which export and object it names is the
 * caller's to check.
 */
static inline int ditto_wire_decode(const void *buf, size_t len,
				    struct ditto_wire_id *id)
{
	struct ditto_wire w;

	if (len != sizeof(w))
		return -EINVAL;
	memcpy(&w, buf, sizeof(w));
	if (w.version != DITTO_WIRE_VERSION)
		return -EINVAL;
	id->export_id = le16toh(w.export_id);
	id->generation = le32toh(w.generation);
	id->fileid = le64toh(w.fileid);
	return 0;
}

#endif

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * FSAL_DITTO's wire handles as a client sends them: the input is the
 * bytes of the handle's FSAL part, parsed with ditto_wire_decode() (what
 * wire_to_host and create_handle run, fsal_ditto/wire.h) and, when it
 * parses, looked up with ds_find() as create_handle does, in a store
 * that holds live, removed and re-created objects.
 *
 * Checked: only 16-byte version-1 inputs parse; a parsed handle encodes
 * back to the same bytes (but the pad byte, which is ignored); ds_find
 * answers 0 exactly for a live object with that fileid and generation
 * (and then hands out that object), -ESTALE for anything else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ditto_store.h"
#include "wire.h"

#define NOBJ 24

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "fsal_handle: %s:%d: %s\n",         \
				__FILE__, __LINE__, #cond);                 \
			abort();                                            \
		}                                                           \
	} while (0)

struct obj {
	uint64_t fileid;
	uint32_t generation;
	bool live;
};

static struct ds_store *st;
static struct obj objs[NOBJ + 1];
static unsigned int nobj;

static void remember(struct ds_inode *ino, bool live)
{
	objs[nobj].fileid = ds_fileid(ino);
	objs[nobj].generation = ds_generation(ino);
	objs[nobj].live = live;
	nobj++;
}

/* Files and directories, every third removed (its handle now stale). */
static void populate(void)
{
	static const struct ds_config cfg = {
		.max_bytes = 1ULL << 30,
		.max_files = 1ULL << 20,
		.max_file_size = 1ULL << 30,
		.block_size = 4096,
	};
	struct ds_new nw = { .mode = 0644 };
	struct ds_inode *root, *ino;
	char name[16];
	unsigned int i;

	CHECK(ds_store_new(&cfg, &st) == 0);
	root = ds_root(st);
	remember(root, true);
	for (i = 0; i < NOBJ; i++) {
		snprintf(name, sizeof(name), "o%u", i);
		nw.type = i % 4 == 3 ? DS_DIR : DS_REG;
		CHECK(ds_create(root, name, &nw, NULL, &ino, NULL, NULL) == 0);
		if (i % 3 == 2) {
			remember(ino, false);
			CHECK(ds_unlink(root, name, NULL, NULL, NULL) == 0);
		} else {
			remember(ino, true);
		}
		ds_put(ino);
	}
	ds_put(root);
}

static const struct obj *known(uint64_t fileid, uint32_t generation)
{
	unsigned int i;

	for (i = 0; i < nobj; i++)
		if (objs[i].fileid == fileid &&
		    objs[i].generation == generation)
			return &objs[i];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ditto_wire_id id;
	struct ditto_wire back;
	const struct obj *o;
	struct ds_inode *ino = NULL;
	uint8_t *copy;
	int rc;

	if (!st)
		populate();
	/* Exactly the input's bytes: ASan sees any read past them. */
	copy = malloc(size ? size : 1);
	CHECK(copy != NULL);
	memcpy(copy, data, size);
	rc = ditto_wire_decode(copy, size, &id);
	CHECK(rc == 0 || rc == -EINVAL);
	CHECK(rc != 0 || (size == sizeof(struct ditto_wire) &&
			  copy[0] == DITTO_WIRE_VERSION));
	if (rc == 0) {
		ditto_wire_encode(&back, &id);
		CHECK(memcmp(&back, copy, 1) == 0);
		CHECK(memcmp((uint8_t *)&back + 2, copy + 2,
			     sizeof(back) - 2) == 0);
		o = known(id.fileid, id.generation);
		rc = ds_find(st, id.fileid, id.generation, &ino);
		if (o && o->live) {
			CHECK(rc == 0);
			CHECK(ds_fileid(ino) == id.fileid);
			CHECK(ds_generation(ino) == id.generation);
			ds_put(ino);
		} else {
			CHECK(rc == -ESTALE);
		}
	}
	free(copy);
	return 0;
}

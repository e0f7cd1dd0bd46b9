/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Shared checks of the XDR fuzz targets: Ganesha's own XDR routines
 * (nfsv41.h, inline in each target so they are instrumented) run on
 * the fuzz input with ntirpc's xdrmem streams.
 */
#ifndef DITTO_FUZZ_XDR_ROUNDTRIP_H
#define DITTO_FUZZ_XDR_ROUNDTRIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "nfsv41.h"

/* A broken invariant: report it and abort, which libFuzzer counts as a
 * crash and saves the input.
 */
#define FUZZ_CHECK(cond)                                                    \
	do {                                                                \
		if (!(cond))                                                \
			fuzz_fail(__FILE__, __LINE__, #cond);               \
	} while (0)

_Noreturn void fuzz_fail(const char *file, int line, const char *what);

/* Written by the targets so reads of decoded fields stay in the code */
extern uint32_t fuzz_sink;

/*
 * Decode data as proc's type into a zeroed object of objsize bytes; if
 * that succeeds, encode it, decode the encoding and encode again.  The
 * encoding must fit in the bytes the decode consumed (XDR never grows),
 * must decode again to exactly its own length, and both encodings must
 * be byte for byte equal.  Everything decoded is freed with XDR_FREE.
 *
 * Returns whether the input decoded.
 */
bool xdr_roundtrip(const uint8_t *data, size_t size, xdrproc_t proc,
		   size_t objsize);
/*
 * xdr_roundtrip(), but only what encodable(decoded object) accepts is
 * encoded again; the rest is decoded and freed.
 */
bool xdr_roundtrip_if(const uint8_t *data, size_t size, xdrproc_t proc,
		      size_t objsize, bool (*encodable)(const void *obj));

/*
 * Decode only, then XDR_FREE; *used gets the bytes consumed.  For
 * decoders into caller-prepared objects (obj is not zeroed).
 */
bool xdr_decode_into(const uint8_t *data, size_t size, xdrproc_t proc,
		     void *obj, u_int *used);

#endif /* DITTO_FUZZ_XDR_ROUNDTRIP_H */

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * decode -> encode -> decode -> encode, compared (see xdr_roundtrip.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdr_roundtrip.h"

uint32_t fuzz_sink;

_Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "fuzz: %s:%d: check failed: %s\n", file, line, what);
	abort();
}

/*
 * Decode a copy of data into obj.  kept (may be NULL) receives the copy,
 * to be freed after obj: zero-copy decoders (xdr_io_data, WRITE's data)
 * leave obj pointing into the stream's buffer, as the server's request
 * buffer outlives the decoded request.
 */
static bool decode_copy(const uint8_t *data, size_t size, xdrproc_t proc,
			void *obj, u_int *used, char **kept)
{
	/* xdrmem streams abort on unaligned buffers; a copy of exactly
	 * size bytes also lets ASan see any read past the input.
	 */
	char *copy = malloc(size ? size : 1);
	XDR x;
	bool ok;

	FUZZ_CHECK(copy != NULL);
	if (size)
		memcpy(copy, data, size);
	xdrmem_create(&x, copy, size, XDR_DECODE);
	ok = proc(&x, obj);
	*used = xdr_getpos(&x);
	xdr_destroy(&x);
	if (kept)
		*kept = copy;
	else
		free(copy);
	return ok;
}

bool xdr_decode_into(const uint8_t *data, size_t size, xdrproc_t proc,
		     void *obj, u_int *used)
{
	return decode_copy(data, size, proc, obj, used, NULL);
}

/* Encode obj into buf[cap]; returns the length, or -1 if it failed. */
static long encode(xdrproc_t proc, void *obj, char *buf, size_t cap)
{
	XDR x;
	long len = -1;

	xdrmem_create(&x, buf, cap, XDR_ENCODE);
	if (proc(&x, obj))
		len = xdr_getpos(&x);
	xdr_destroy(&x);
	return len;
}

bool xdr_roundtrip(const uint8_t *data, size_t size, xdrproc_t proc,
		   size_t objsize)
{
	return xdr_roundtrip_if(data, size, proc, objsize, NULL);
}

bool xdr_roundtrip_if(const uint8_t *data, size_t size, xdrproc_t proc,
		      size_t objsize, bool (*encodable)(const void *obj))
{
	void *a = calloc(1, objsize), *b = calloc(1, objsize);
	char *enc1, *enc2, *in;
	long len1, len2;
	u_int used, used2;
	bool ok;

	FUZZ_CHECK(a != NULL && b != NULL);
	ok = decode_copy(data, size, proc, a, &used, &in);
	if (!ok) {
		/* A failed decode must still leave everything freeable */
		xdr_free(proc, a);
		free(in);
		free(a);
		free(b);
		return false;
	}
	FUZZ_CHECK(used <= size);
	if (encodable && !encodable(a)) {
		xdr_free(proc, a);
		free(in);
		free(a);
		free(b);
		return true;
	}

	/* One spare byte: an encoding longer than its input shows */
	enc1 = malloc(used + 1);
	enc2 = malloc(used + 1);
	FUZZ_CHECK(enc1 != NULL && enc2 != NULL);
	len1 = encode(proc, a, enc1, used + 1);
	FUZZ_CHECK(len1 >= 0);
	FUZZ_CHECK((u_int)len1 <= used);
	FUZZ_CHECK(len1 % 4 == 0);

	FUZZ_CHECK(xdr_decode_into((uint8_t *)enc1, len1, proc, b, &used2));
	FUZZ_CHECK(used2 == (u_int)len1);
	len2 = encode(proc, b, enc2, used + 1);
	FUZZ_CHECK(len2 == len1);
	FUZZ_CHECK(memcmp(enc1, enc2, len1) == 0);

	xdr_free(proc, a);
	xdr_free(proc, b);
	free(in);
	free(enc1);
	free(enc2);
	free(a);
	free(b);
	return true;
}

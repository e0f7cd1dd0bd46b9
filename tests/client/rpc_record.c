// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Record marking: fragmenting writes and reassembling reads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "rpc_record.h"

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int rm_send(int fd, const void *buf, size_t len, size_t max_frag)
{
	const uint8_t *p = buf;
	size_t total = 8 * (max_frag ? len / max_frag + 1 : 1) + len;
	uint8_t *out, *o;
	int rc;

	if (len > RM_LEN_MASK)
		return -EMSGSIZE;
	if (!max_frag || max_frag > RM_LEN_MASK)
		max_frag = len ? len : 1;
	/* One write for the whole record, so concurrent senders can't mix. */
	out = malloc(total);
	if (!out)
		return -ENOMEM;
	o = out;
	do {
		size_t n = len < max_frag ? len : max_frag;
		uint32_t hdr = n | (n == len ? RM_LAST_FRAG : 0);

		hdr = htonl(hdr);
		memcpy(o, &hdr, 4);
		memcpy(o + 4, p, n);
		o += 4 + n;
		p += n;
		len -= n;
	} while (len);
	rc = write_all(fd, out, o - out);
	free(out);
	return rc;
}

static int read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int rc = poll(&pfd, 1, timeout_ms);

		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (rc == 0)
			return -ETIMEDOUT;
		n = recv(fd, p, len, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ECONNRESET;
		p += n;
		len -= n;
	}
	return 0;
}

int rm_recv(int fd, uint8_t **buf, size_t *len, int timeout_ms)
{
	uint8_t *rec = NULL;
	size_t have = 0;
	uint32_t hdr;
	int rc;

	for (;;) {
		size_t flen;
		uint8_t *nrec;

		rc = read_full(fd, &hdr, 4, timeout_ms);
		if (rc)
			goto fail;
		hdr = ntohl(hdr);
		flen = hdr & RM_LEN_MASK;
		if (have + flen > RM_MAX_RECORD) {
			rc = -EMSGSIZE;
			goto fail;
		}
		nrec = realloc(rec, have + flen + 1);
		if (!nrec) {
			rc = -ENOMEM;
			goto fail;
		}
		rec = nrec;
		rc = read_full(fd, rec + have, flen, timeout_ms);
		if (rc)
			goto fail;
		have += flen;
		if (hdr & RM_LAST_FRAG)
			break;
	}
	*buf = rec;
	*len = have;
	return 0;
fail:
	free(rec);
	return rc;
}

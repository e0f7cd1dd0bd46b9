/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ONC RPC record marking over a stream (RFC 5531 section 11): each record
 * is one or more fragments, each preceded by a 4-byte big-endian header
 * whose top bit marks the last fragment.
 */
#ifndef DITTO_RPC_RECORD_H
#define DITTO_RPC_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define RM_LAST_FRAG 0x80000000u
#define RM_LEN_MASK 0x7fffffffu
/* Largest record we accept from a peer: guards against garbage lengths. */
#define RM_MAX_RECORD (16u * 1024 * 1024)

/*
 * Send buf as one record split into fragments of at most max_frag bytes
 * (0: a single fragment).  Returns 0 or -errno.
 */
int rm_send(int fd, const void *buf, size_t len, size_t max_frag);

/*
 * Receive one whole record, reassembling fragments, into a malloc'd
 * buffer.  timeout_ms < 0 waits forever; the timeout applies to each wait
 * for data.  Returns 0, -ETIMEDOUT, -ECONNRESET on EOF, -EMSGSIZE or
 * another -errno.
 */
int rm_recv(int fd, uint8_t **buf, size_t *len, int timeout_ms);

#endif

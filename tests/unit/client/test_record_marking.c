// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Record marking: fragmentation on send, reassembly on receive, errors.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "rpc_record.h"

static int sv[2];

static void setup(void)
{
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void teardown(void)
{
	close(sv[0]);
	close(sv[1]);
}

TestSuite(record_marking, .init = setup, .fini = teardown);

static void fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + 3);
}

Test(record_marking, single_fragment_roundtrip)
{
	uint8_t msg[100], *got;
	size_t len;

	fill(msg, sizeof(msg));
	cr_assert_eq(rm_send(sv[0], msg, sizeof(msg), 0), 0);
	cr_assert_eq(rm_recv(sv[1], &got, &len, 1000), 0);
	cr_assert_eq(len, sizeof(msg));
	cr_assert_arr_eq(got, msg, sizeof(msg));
	free(got);
}

Test(record_marking, send_splits_into_marked_fragments)
{
	uint8_t msg[20], wire[64];
	uint32_t h;
	ssize_t n;

	fill(msg, sizeof(msg));
	cr_assert_eq(rm_send(sv[0], msg, sizeof(msg), 8), 0);
	/* 8 + 8 + 4 bytes: three headers, last bit only on the third. */
	n = recv(sv[1], wire, sizeof(wire), MSG_WAITALL | MSG_DONTWAIT);
	cr_assert_eq(n, 3 * 4 + 20);
	memcpy(&h, wire, 4);
	cr_assert_eq(ntohl(h), 8u);
	cr_assert_arr_eq(wire + 4, msg, 8);
	memcpy(&h, wire + 12, 4);
	cr_assert_eq(ntohl(h), 8u);
	cr_assert_arr_eq(wire + 16, msg + 8, 8);
	memcpy(&h, wire + 24, 4);
	cr_assert_eq(ntohl(h), RM_LAST_FRAG | 4u);
	cr_assert_arr_eq(wire + 28, msg + 16, 4);
}

Test(record_marking, multi_fragment_reassembly)
{
	uint8_t msg[5000], *got;
	size_t len;

	fill(msg, sizeof(msg));
	cr_assert_eq(rm_send(sv[0], msg, sizeof(msg), 7), 0);
	cr_assert_eq(rm_recv(sv[1], &got, &len, 1000), 0);
	cr_assert_eq(len, sizeof(msg));
	cr_assert_arr_eq(got, msg, sizeof(msg));
	free(got);
}

Test(record_marking, hand_built_fragments_and_empty_fragment)
{
	/* "abc" + "" + "defg" (last) */
	const uint8_t wire[] = { 0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 0,
				 0x80, 0, 0, 4, 'd', 'e', 'f', 'g' };
	uint8_t *got;
	size_t len;

	cr_assert_eq(write(sv[0], wire, sizeof(wire)), (ssize_t)sizeof(wire));
	cr_assert_eq(rm_recv(sv[1], &got, &len, 1000), 0);
	cr_assert_eq(len, 7);
	cr_assert_arr_eq(got, "abcdefg", 7);
	free(got);
}

Test(record_marking, two_records_back_to_back)
{
	uint8_t a[10], b[30], *got;
	size_t len;

	fill(a, sizeof(a));
	fill(b, sizeof(b));
	b[0] = 0xee;
	cr_assert_eq(rm_send(sv[0], a, sizeof(a), 3), 0);
	cr_assert_eq(rm_send(sv[0], b, sizeof(b), 0), 0);
	cr_assert_eq(rm_recv(sv[1], &got, &len, 1000), 0);
	cr_assert_eq(len, sizeof(a));
	cr_assert_arr_eq(got, a, sizeof(a));
	free(got);
	cr_assert_eq(rm_recv(sv[1], &got, &len, 1000), 0);
	cr_assert_eq(len, sizeof(b));
	cr_assert_arr_eq(got, b, sizeof(b));
	free(got);
}

Test(record_marking, empty_record)
{
	uint8_t *got;
	size_t len = 99;

	cr_assert_eq(rm_send(sv[0], "", 0, 0), 0);
	cr_assert_eq(rm_recv(sv[1], &got, &len, 1000), 0);
	cr_assert_eq(len, 0);
	free(got);
}

Test(record_marking, oversized_length_rejected)
{
	uint32_t h = htonl(RM_LAST_FRAG | (RM_MAX_RECORD + 1));
	uint8_t *got;
	size_t len;

	cr_assert_eq(write(sv[0], &h, 4), 4);
	cr_assert_eq(rm_recv(sv[1], &got, &len, 1000), -EMSGSIZE);
}

Test(record_marking, eof_mid_record)
{
	const uint8_t wire[] = { 0x80, 0, 0, 10, 'x', 'y' };
	uint8_t *got;
	size_t len;

	cr_assert_eq(write(sv[0], wire, sizeof(wire)), (ssize_t)sizeof(wire));
	shutdown(sv[0], SHUT_WR);
	cr_assert_eq(rm_recv(sv[1], &got, &len, 1000), -ECONNRESET);
}

Test(record_marking, nothing_to_read_times_out)
{
	uint8_t *got;
	size_t len;

	cr_assert_eq(rm_recv(sv[1], &got, &len, 10), -ETIMEDOUT);
}

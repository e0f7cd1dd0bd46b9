// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * NLM v4 client: the bytes of LOCK arguments and the decoding of TEST's
 * holder, against a fake server on loopback; NFSv3 handle sizing.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "nlm.h"
#include "rpc_record.h"

struct fake {
	int lfd;
	uint32_t stat;		/* nlm4_stats to answer */
	bool holder;		/* append an nlm4_holder (TEST DENIED) */
	uint8_t *call;		/* the call record received */
	size_t call_len;
};

static uint32_t word(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static void put(uint8_t *buf, size_t *n, uint32_t v)
{
	v = htonl(v);
	memcpy(buf + *n, &v, 4);
	*n += 4;
}

/* Accept one connection, read one call, answer it. */
static void *serve(void *arg)
{
	struct fake *f = arg;
	uint8_t rep[128];
	size_t n = 0;
	int fd = accept(f->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	if (rm_recv(fd, &f->call, &f->call_len, 5000)) {
		close(fd);
		return NULL;
	}
	put(rep, &n, word(f->call));	/* xid */
	put(rep, &n, 1);		/* REPLY */
	put(rep, &n, 0);		/* MSG_ACCEPTED */
	put(rep, &n, 0);		/* AUTH_NONE verifier */
	put(rep, &n, 0);
	put(rep, &n, 0);		/* SUCCESS */
	put(rep, &n, 0);		/* cookie: empty */
	put(rep, &n, f->stat);
	if (f->holder) {
		put(rep, &n, 1);	/* exclusive */
		put(rep, &n, 77);	/* svid */
		put(rep, &n, 2);	/* oh: 2 bytes + padding */
		memcpy(rep + n, "ab\0\0", 4);
		n += 4;
		put(rep, &n, 0);	/* l_offset = 100 */
		put(rep, &n, 100);
		put(rep, &n, 0);	/* l_len = 50 */
		put(rep, &n, 50);
	}
	rm_send(fd, rep, n, 0);
	/* Wait for the client to close. */
	while (read(fd, rep, sizeof(rep)) > 0)
		;
	close(fd);
	return NULL;
}

static int start(struct fake *f, pthread_t *t)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);

	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(f->lfd, (void *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(f->lfd, 1), 0);
	cr_assert_eq(getsockname(f->lfd, (void *)&sin, &sl), 0);
	cr_assert_eq(pthread_create(t, NULL, serve, f), 0);
	return ntohs(sin.sin_port);
}

/* Offset of the arguments: past the header, credential and verifier. */
static size_t args_off(const uint8_t *rec)
{
	size_t off = 24;
	int i;

	for (i = 0; i < 2; i++)
		off += 8 + ((word(rec + off + 4) + 3) & ~3u);
	return off;
}

Test(nlm, lock_args_on_the_wire)
{
	struct fake f = { .stat = DC_NLM4_GRANTED };
	struct dc_nlm_owner o = { "host1", "owner", 42 };
	uint8_t fh4[5] = { 1, 2, 3, 4, 5 };
	struct dc_fh3 fh;
	enum dc_nlm_stat st = DC_NLM4_FAILED;
	struct dc_nlm n;
	pthread_t t;
	const uint8_t *a;
	int port;

	cr_assert_eq(dc_fh3_from_fh4(&fh, fh4, sizeof(fh4)), 0);
	port = start(&f, &t);
	cr_assert_eq(dc_nlm_open(&n, "127.0.0.1", port), 0);
	cr_assert_eq(dc_nlm_lock(&n, &fh, &o, true, 1000, 0, true, 3, &st),
		     0);
	dc_nlm_close(&n);
	pthread_join(t, NULL);
	close(f.lfd);
	cr_assert_eq(st, DC_NLM4_GRANTED);
	cr_assert_eq(word(f.call + 12), DC_NLM_PROGRAM);
	cr_assert_eq(word(f.call + 16), DC_NLM_V4);
	cr_assert_eq(word(f.call + 20), DC_NLMPROC4_LOCK);
	a = f.call + args_off(f.call);
	cr_assert_eq(word(a), 4);		/* cookie length */
	cr_assert_eq(word(a + 8), 0);		/* block */
	cr_assert_eq(word(a + 12), 1);		/* exclusive */
	cr_assert_eq(word(a + 16), 5);		/* caller_name */
	cr_assert_eq(memcmp(a + 20, "host1\0\0\0", 8), 0);
	cr_assert_eq(word(a + 28), 8);		/* fh, padded to 8 */
	cr_assert_eq(memcmp(a + 32, "\1\2\3\4\5\0\0\0", 8), 0);
	cr_assert_eq(word(a + 40), 5);		/* oh */
	cr_assert_eq(memcmp(a + 44, "owner\0\0\0", 8), 0);
	cr_assert_eq(word(a + 52), 42);		/* svid */
	cr_assert_eq(word(a + 56), 0);		/* l_offset */
	cr_assert_eq(word(a + 60), 1000);
	cr_assert_eq(word(a + 64), 0);		/* l_len: to EOF */
	cr_assert_eq(word(a + 68), 0);
	cr_assert_eq(word(a + 72), 1);		/* reclaim */
	cr_assert_eq(word(a + 76), 3);		/* state */
	cr_assert_eq(f.call_len, (size_t)(a + 80 - f.call));
	free(f.call);
}

Test(nlm, test_denied_reports_holder)
{
	struct fake f = { .stat = DC_NLM4_DENIED, .holder = true };
	struct dc_nlm_owner o = { "host1", "owner", 42 };
	struct dc_nlm_holder h = { 0 };
	uint8_t fh4[8] = { 0 };
	struct dc_fh3 fh;
	enum dc_nlm_stat st = DC_NLM4_FAILED;
	struct dc_nlm n;
	pthread_t t;
	int port;

	cr_assert_eq(dc_fh3_from_fh4(&fh, fh4, sizeof(fh4)), 0);
	port = start(&f, &t);
	cr_assert_eq(dc_nlm_open(&n, "127.0.0.1", port), 0);
	cr_assert_eq(dc_nlm_test(&n, &fh, &o, false, 0, 0, &st, &h), 0);
	dc_nlm_close(&n);
	pthread_join(t, NULL);
	close(f.lfd);
	cr_assert_eq(word(f.call + 20), DC_NLMPROC4_TEST);
	cr_assert_eq(st, DC_NLM4_DENIED);
	cr_assert(h.exclusive);
	cr_assert_eq(h.svid, 77);
	cr_assert_eq(h.oh_len, 2);
	cr_assert_eq(memcmp(h.oh, "ab", 2), 0);
	cr_assert_eq(h.offset, 100);
	cr_assert_eq(h.len, 50);
	free(f.call);
}

Test(nlm, fh3_sizes)
{
	uint8_t big[DC_FH3_MAX + 1] = { 0 };
	struct dc_fh3 fh;

	cr_assert_eq(dc_fh3_from_fh4(&fh, big, 4), 0);
	cr_assert_eq(fh.len, 4);
	cr_assert_eq(dc_fh3_from_fh4(&fh, big, 61), 0);
	cr_assert_eq(fh.len, 64);
	cr_assert_neq(dc_fh3_from_fh4(&fh, big, DC_FH3_MAX + 1), 0);
	cr_assert_neq(dc_fh3_from_fh4(&fh, big, 0), 0);
}

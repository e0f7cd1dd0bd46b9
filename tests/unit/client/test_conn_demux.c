// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Connection reader: replies go to the waiter by xid, calls to the
 * handler, on one TCP connection over loopback.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "rpc_conn.h"
#include "rpc_record.h"

struct seen {
	pthread_mutex_t lock;
	unsigned calls;
	uint32_t last_xid;
};

static void on_call(struct dc_conn *c, const uint8_t *rec, size_t len,
		    void *arg)
{
	struct seen *s = arg;
	uint32_t xid;

	memcpy(&xid, rec, 4);
	pthread_mutex_lock(&s->lock);
	s->calls++;
	s->last_xid = ntohl(xid);
	pthread_mutex_unlock(&s->lock);
}

/* Listen on 127.0.0.1, ephemeral port. */
static int listener(int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (void *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(fd, 1), 0);
	cr_assert_eq(getsockname(fd, (void *)&sin, &sl), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void put_msg(int fd, uint32_t xid, uint32_t type, size_t frag)
{
	uint32_t w[3] = { htonl(xid), htonl(type), htonl(0xabcd) };

	cr_assert_eq(rm_send(fd, w, sizeof(w), frag), 0);
}

Test(conn_demux, replies_by_xid_calls_to_handler)
{
	struct seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct dc_conn *c;
	uint8_t *rec;
	size_t len;
	int lfd, sfd, port;

	lfd = listener(&port);
	cr_assert_eq(dc_conn_open(&c, "127.0.0.1", port), 0);
	sfd = accept(lfd, NULL, NULL);
	cr_assert_geq(sfd, 0);
	dc_conn_set_call_handler(c, on_call, &s);
	cr_assert_eq(dc_conn_expect(c, 100), 0);
	cr_assert_eq(dc_conn_expect(c, 200), 0);
	/* A callback, a stray reply, then the two replies out of order. */
	put_msg(sfd, 7, 0, 5);
	put_msg(sfd, 999, 1, 0);
	put_msg(sfd, 200, 1, 4);
	put_msg(sfd, 100, 1, 0);
	cr_assert_eq(dc_conn_wait(c, 100, 5000, &rec, &len), 0);
	cr_assert_eq(len, 12);
	cr_assert_eq(ntohl(((uint32_t *)rec)[0]), 100u);
	free(rec);
	cr_assert_eq(dc_conn_wait(c, 200, 5000, &rec, &len), 0);
	cr_assert_eq(ntohl(((uint32_t *)rec)[0]), 200u);
	free(rec);
	/* Records are handled in order: the call preceded the replies. */
	pthread_mutex_lock(&s.lock);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.last_xid, 7u);
	pthread_mutex_unlock(&s.lock);
	cr_assert_eq(c->stray_replies, 1);
	close(sfd);
	close(lfd);
	dc_conn_close(c);
}

Test(conn_demux, waiter_released_when_peer_closes)
{
	struct dc_conn *c;
	uint8_t *rec;
	size_t len;
	int lfd, sfd, port;

	lfd = listener(&port);
	cr_assert_eq(dc_conn_open(&c, "127.0.0.1", port), 0);
	sfd = accept(lfd, NULL, NULL);
	cr_assert_eq(dc_conn_expect(c, 5), 0);
	close(sfd);
	cr_assert_eq(dc_conn_wait(c, 5, 5000, &rec, &len), -ECONNRESET);
	close(lfd);
	dc_conn_close(c);
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * TCP connection, reader thread and xid-keyed reply matching.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "rpc_conn.h"
#include "rpc_record.h"

/* How often the reader rechecks whether it is asked to stop. */
#define READER_POLL_MS 200

static void deliver_reply(struct dc_conn *c, uint32_t xid, uint8_t *rec,
			  size_t len)
{
	struct dc_pending *p;

	pthread_mutex_lock(&c->lock);
	for (p = c->pending; p; p = p->next)
		if (p->xid == xid && !p->done)
			break;
	if (p) {
		p->rec = rec;
		p->len = len;
		p->done = true;
		pthread_cond_broadcast(&c->cond);
	} else {
		c->stray_replies++;
		free(rec);
	}
	pthread_mutex_unlock(&c->lock);
}

static void *reader_main(void *arg)
{
	struct dc_conn *c = arg;

	for (;;) {
		uint8_t *rec;
		size_t len;
		uint32_t w[2];
		int rc = rm_recv(c->fd, &rec, &len, READER_POLL_MS);

		if (rc == -ETIMEDOUT) {
			bool stop;

			pthread_mutex_lock(&c->lock);
			stop = c->stopping;
			pthread_mutex_unlock(&c->lock);
			if (stop)
				break;
			continue;
		}
		if (rc) {
			pthread_mutex_lock(&c->lock);
			c->err = rc;
			pthread_mutex_unlock(&c->lock);
			break;
		}
		if (len < 8) {
			free(rec);
			continue;
		}
		memcpy(w, rec, 8);
		if (ntohl(w[1]) == 1) {
			deliver_reply(c, ntohl(w[0]), rec, len);
		} else {
			dc_call_fn fn;
			void *fn_arg;

			pthread_mutex_lock(&c->lock);
			fn = c->on_call;
			fn_arg = c->on_call_arg;
			pthread_mutex_unlock(&c->lock);
			if (fn)
				fn(c, rec, len, fn_arg);
			free(rec);
		}
	}
	pthread_mutex_lock(&c->lock);
	c->dead = true;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int dc_conn_open(struct dc_conn **out, const char *host, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct dc_conn *c;
	struct timespec ts;
	int one = 1;

	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return -EINVAL;
	sin.sin_port = htons(port);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (void *)&sin, sizeof(sin))) {
		int rc = -errno;

		if (c->fd >= 0)
			close(c->fd);
		free(c);
		return rc;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->send_lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	/* Distinct xid spaces per connection make stray matches unlikely. */
	clock_gettime(CLOCK_REALTIME, &ts);
	c->next_xid = (uint32_t)(ts.tv_nsec ^ (ts.tv_sec << 12) ^
				 ((uintptr_t)c >> 4));
	if (pthread_create(&c->reader, NULL, reader_main, c)) {
		close(c->fd);
		free(c);
		return -EAGAIN;
	}
	c->reader_started = true;
	*out = c;
	return 0;
}

void dc_conn_shutdown(struct dc_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_mutex_unlock(&c->lock);
	shutdown(c->fd, SHUT_RDWR);
	if (c->reader_started) {
		pthread_join(c->reader, NULL);
		c->reader_started = false;
	}
}

void dc_conn_close(struct dc_conn *c)
{
	struct dc_pending *p, *n;

	if (!c)
		return;
	dc_conn_shutdown(c);
	close(c->fd);
	for (p = c->pending; p; p = n) {
		n = p->next;
		free(p->rec);
		free(p);
	}
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->send_lock);
	pthread_cond_destroy(&c->cond);
	free(c);
}

uint32_t dc_conn_new_xid(struct dc_conn *c)
{
	uint32_t x;

	pthread_mutex_lock(&c->lock);
	x = ++c->next_xid;
	pthread_mutex_unlock(&c->lock);
	return x;
}

void dc_conn_set_call_handler(struct dc_conn *c, dc_call_fn fn, void *arg)
{
	pthread_mutex_lock(&c->lock);
	c->on_call = fn;
	c->on_call_arg = arg;
	pthread_mutex_unlock(&c->lock);
}

int dc_conn_send(struct dc_conn *c, const void *rec, size_t len)
{
	int rc;

	pthread_mutex_lock(&c->send_lock);
	rc = rm_send(c->fd, rec, len, c->max_frag);
	pthread_mutex_unlock(&c->send_lock);
	return rc;
}

int dc_conn_expect(struct dc_conn *c, uint32_t xid)
{
	struct dc_pending *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->xid = xid;
	pthread_mutex_lock(&c->lock);
	p->next = c->pending;
	c->pending = p;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/* Unlink and return the pending entry for xid; caller holds c->lock. */
static struct dc_pending *unlink_pending(struct dc_conn *c, uint32_t xid)
{
	struct dc_pending **pp;

	for (pp = &c->pending; *pp; pp = &(*pp)->next) {
		struct dc_pending *p = *pp;

		if (p->xid == xid) {
			*pp = p->next;
			return p;
		}
	}
	return NULL;
}

void dc_conn_forget(struct dc_conn *c, uint32_t xid)
{
	struct dc_pending *p;

	pthread_mutex_lock(&c->lock);
	p = unlink_pending(c, xid);
	pthread_mutex_unlock(&c->lock);
	if (p) {
		free(p->rec);
		free(p);
	}
}

int dc_conn_wait(struct dc_conn *c, uint32_t xid, int timeout_ms,
		 uint8_t **rec, size_t *len)
{
	struct timespec dl;
	struct dc_pending *p;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += timeout_ms / 1000;
	dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->lock);
	for (;;) {
		for (p = c->pending; p; p = p->next)
			if (p->xid == xid)
				break;
		if (!p) {
			rc = -ENOENT;
			break;
		}
		if (p->done)
			break;
		if (c->dead) {
			rc = -ECONNRESET;
			break;
		}
		if (pthread_cond_timedwait(&c->cond, &c->lock, &dl) ==
		    ETIMEDOUT) {
			rc = p->done ? 0 : -ETIMEDOUT;
			break;
		}
	}
	p = unlink_pending(c, xid);
	pthread_mutex_unlock(&c->lock);
	if (!p)
		return rc ? rc : -ENOENT;
	if (!rc && p->done) {
		*rec = p->rec;
		*len = p->len;
		p->rec = NULL;
	} else if (!rc) {
		rc = -ETIMEDOUT;
	}
	free(p->rec);
	free(p);
	return rc;
}

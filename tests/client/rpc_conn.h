/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * One TCP connection to the server with its reader thread.  The reader
 * demultiplexes incoming records by msg_type: REPLYs go to the caller
 * waiting on that xid, CALLs (the NFSv4.1 back channel) to the handler
 * installed on the connection.
 */
#ifndef DITTO_RPC_CONN_H
#define DITTO_RPC_CONN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dc_conn;

/* Called on the reader thread for each incoming RPC CALL record. */
typedef void (*dc_call_fn)(struct dc_conn *conn, const uint8_t *rec,
			   size_t len, void *arg);

struct dc_pending {
	struct dc_pending *next;
	uint32_t xid;
	bool done;
	uint8_t *rec;
	size_t len;
};

struct dc_conn {
	int fd;
	pthread_t reader;
	bool reader_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_mutex_t send_lock;
	struct dc_pending *pending;
	/* Set once the reader saw EOF or an error: waiters stop waiting. */
	bool dead;
	int err;
	bool stopping;
	uint32_t next_xid;
	/* Fragment size used for sends; 0 sends each record whole. */
	size_t max_frag;
	dc_call_fn on_call;
	void *on_call_arg;
	/* Replies nobody waited for (e.g. after a timeout). */
	unsigned stray_replies;
};

int dc_conn_open(struct dc_conn **out, const char *host, int port);
/* Half-close the socket and join the reader; then free. */
void dc_conn_close(struct dc_conn *c);
/* Abruptly drop the TCP connection but keep the struct (reader exits). */
void dc_conn_shutdown(struct dc_conn *c);

uint32_t dc_conn_new_xid(struct dc_conn *c);
void dc_conn_set_call_handler(struct dc_conn *c, dc_call_fn fn, void *arg);

/* Send one record; thread-safe. */
int dc_conn_send(struct dc_conn *c, const void *rec, size_t len);
/* Register interest in xid before sending a call carrying it. */
int dc_conn_expect(struct dc_conn *c, uint32_t xid);
/* Drop interest in xid (after a timeout). */
void dc_conn_forget(struct dc_conn *c, uint32_t xid);
/*
 * Wait for the reply to xid.  Returns 0 with the record (caller frees),
 * -ETIMEDOUT, or -ECONNRESET if the connection died first.
 */
int dc_conn_wait(struct dc_conn *c, uint32_t xid, int timeout_ms,
		 uint8_t **rec, size_t *len);

#endif

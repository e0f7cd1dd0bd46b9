// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * NSM watch: rpcbind registration, SM_MON / SM_UNMON and the statd
 * callback that reports a monitored host's reboot.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "nsm_watch.h"
#include "rpc_msg.h"

#define PMAP_PROGRAM 100000u
#define PMAP_V2 2u
#define PMAPPROC_SET 1u
#define PMAPPROC_UNSET 2u
#define PMAPPROC_GETPORT 3u
#define SM_V1 1u
#define SM_MON 2u
#define SM_UNMON 3u
#define WATCH_VERS DC_NSM_WATCH_VERS
#define WATCH_PROC DC_NSM_WATCH_PROC
#define PROTO_TCP 6u
#define PROTO_UDP 17u
#define MAX_DGRAM 9000
#define CALL_MS 10000

/* struct pmap: prog, vers, prot, port */
static bool enc_pmap(XDR *x, void *arg)
{
	uint32_t *m = arg;
	int i;

	for (i = 0; i < 4; i++)
		if (!xdr_u_int32_t(x, &m[i]))
			return false;
	return true;
}

static bool dec_u32(XDR *x, void *arg)
{
	return xdr_u_int32_t(x, arg);
}

/* One portmapper call on 127.0.0.1:111; its 32-bit result. */
static int pmap_call(uint32_t proc, uint32_t prog, uint32_t vers,
		     uint32_t prot, uint32_t port, uint32_t *res)
{
	uint32_t m[4] = { prog, vers, prot, port };
	struct dc_reply rep = { 0 };
	struct dc_conn *c;
	struct dc_auth a;
	int rc;

	rc = dc_conn_open(&c, "127.0.0.1", 111);
	if (rc)
		return rc;
	dc_auth_sys(&a, 0, 0);
	rc = dc_rpc_call(c, &a, PMAP_PROGRAM, PMAP_V2, proc,
			 (xdrproc_t)enc_pmap, m, &rep, CALL_MS);
	if (!rc && !dc_rpc_decode_results(&rep, (xdrproc_t)dec_u32, res))
		rc = -EPROTO;
	dc_reply_free(&rep);
	dc_conn_close(c);
	return rc;
}

struct mon_args {
	const char *mon_name, *my_name;
	uint32_t prog, vers, proc;
	bool with_priv;
};

/* struct mon (SM_MON) or struct mon_id (SM_UNMON). */
static bool enc_mon(XDR *x, void *arg)
{
	struct mon_args *m = arg;
	char *mon = (char *)m->mon_name, *my = (char *)m->my_name;
	char priv[16] = "ditto-nsm-watch";

	if (!xdr_string(x, &mon, 1024) || !xdr_string(x, &my, 1024) ||
	    !xdr_u_int32_t(x, &m->prog) || !xdr_u_int32_t(x, &m->vers) ||
	    !xdr_u_int32_t(x, &m->proc))
		return false;
	return !m->with_priv || xdr_opaque(x, priv, sizeof(priv));
}

/* sm_stat_res: res_stat, state (SM_MON); sm_stat: state (SM_UNMON). */
static bool dec_sm_res(XDR *x, void *arg)
{
	uint32_t *r = arg;

	return xdr_u_int32_t(x, &r[0]) && xdr_u_int32_t(x, &r[1]);
}

static int statd_call(uint32_t proc, struct mon_args *m, uint32_t res[2])
{
	struct dc_reply rep = { 0 };
	struct dc_conn *c;
	struct dc_auth a;
	uint32_t port = 0;
	int rc;

	rc = pmap_call(PMAPPROC_GETPORT, DC_NSM_PROGRAM, SM_V1, PROTO_TCP, 0,
		       &port);
	if (rc)
		return rc;
	if (!port || port > 65535)
		return -EPROTO;
	rc = dc_conn_open(&c, "127.0.0.1", port);
	if (rc)
		return rc;
	dc_auth_sys(&a, 0, 0);
	rc = dc_rpc_call(c, &a, DC_NSM_PROGRAM, SM_V1, proc,
			 (xdrproc_t)enc_mon, m, &rep, CALL_MS);
	if (!rc && proc == SM_MON &&
	    !dc_rpc_decode_results(&rep, (xdrproc_t)dec_sm_res, res))
		rc = -EPROTO;
	dc_reply_free(&rep);
	dc_conn_close(c);
	return rc;
}

static bool get32(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
	uint32_t be;

	if (end - *p < 4)
		return false;
	memcpy(&be, *p, 4);
	*v = ntohl(be);
	*p += 4;
	return true;
}

static bool get_opaque(const uint8_t **p, const uint8_t *end, char *buf,
		       size_t cap)
{
	uint32_t n, padded;

	if (!get32(p, end, &n) || n > MAX_DGRAM)
		return false;
	padded = (n + 3) & ~3u;
	if ((uint32_t)(end - *p) < padded)
		return false;
	if (buf) {
		size_t k = n < cap - 1 ? n : cap - 1;

		memcpy(buf, *p, k);
		buf[k] = 0;
	}
	*p += padded;
	return true;
}

/*
 * statd's callback: struct status { string mon_name; int state;
 * opaque priv[16]; }.  Returns the reply length (0: none).
 */
static size_t handle(struct dc_nsm_watch *w, const uint8_t *msg, size_t len,
		     uint8_t *out)
{
	const uint8_t *p = msg, *end = msg + len;
	uint32_t xid, mtype, rpcvers, prog, vers, proc, fl, state;
	uint32_t hdr[6];
	char name[256];
	int i;

	if (!get32(&p, end, &xid) || !get32(&p, end, &mtype) || mtype != 0 ||
	    !get32(&p, end, &rpcvers) || !get32(&p, end, &prog) ||
	    !get32(&p, end, &vers) || !get32(&p, end, &proc))
		return 0;
	for (i = 0; i < 2; i++)
		if (!get32(&p, end, &fl) || !get_opaque(&p, end, NULL, 0))
			return 0;
	/* xid, REPLY, MSG_ACCEPTED, AUTH_NONE verifier, accept_stat */
	hdr[0] = htonl(xid);
	hdr[1] = htonl(1);
	hdr[2] = hdr[3] = hdr[4] = 0;
	hdr[5] = htonl(prog != DC_NSM_WATCH_PROGRAM ? 1 :
		       vers != WATCH_VERS ? 2 :
		       proc != 0 && proc != WATCH_PROC ? 3 : 0);
	memcpy(out, hdr, sizeof(hdr));
	if (prog == DC_NSM_WATCH_PROGRAM && vers != WATCH_VERS) {
		/* PROG_MISMATCH carries the versions served */
		uint32_t v = htonl(WATCH_VERS);

		memcpy(out + sizeof(hdr), &v, 4);
		memcpy(out + sizeof(hdr) + 4, &v, 4);
		return sizeof(hdr) + 8;
	}
	if (prog != DC_NSM_WATCH_PROGRAM || proc != WATCH_PROC)
		return sizeof(hdr);
	if (!get_opaque(&p, end, name, sizeof(name)) ||
	    !get32(&p, end, &state))
		return 0;
	pthread_mutex_lock(&w->lock);
	snprintf(w->got_name, sizeof(w->got_name), "%s", name);
	w->got_state = (int32_t)state;
	w->calls++;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return sizeof(hdr);
}

static void *serve(void *arg)
{
	struct dc_nsm_watch *w = arg;
	uint8_t msg[MAX_DGRAM], out[64];
	bool stop = false;

	while (!stop) {
		struct pollfd pf = { w->fd, POLLIN, 0 };

		if (poll(&pf, 1, 100) > 0 && (pf.revents & POLLIN)) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(w->fd, msg, sizeof(msg), 0,
					     (struct sockaddr *)&from, &fl);
			size_t k = n > 0 ? handle(w, msg, n, out) : 0;

			if (k)
				sendto(w->fd, out, k, 0,
				       (struct sockaddr *)&from, fl);
		}
		pthread_mutex_lock(&w->lock);
		stop = w->stop;
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

int dc_nsm_watch_start(struct dc_nsm_watch *w, const char *mon_name)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	struct mon_args m = { mon_name, "127.0.0.1", DC_NSM_WATCH_PROGRAM,
			      WATCH_VERS, WATCH_PROC, true };
	uint32_t ok = 0, res[2] = { 1, 0 };
	int rc;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	snprintf(w->mon_name, sizeof(w->mon_name), "%s", mon_name);
	w->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (w->fd < 0)
		return -errno;
	if (bind(w->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(w->fd, (struct sockaddr *)&sa, &sl))
		return -errno;
	w->port = ntohs(sa.sin_port);
	rc = pthread_create(&w->thread, NULL, serve, w);
	if (rc)
		return -rc;
	w->started = true;
	/* A stale registration of an earlier run would shadow ours. */
	pmap_call(PMAPPROC_UNSET, DC_NSM_WATCH_PROGRAM, WATCH_VERS, 0, 0, &ok);
	rc = pmap_call(PMAPPROC_SET, DC_NSM_WATCH_PROGRAM, WATCH_VERS,
		       PROTO_UDP, w->port, &ok);
	if (rc)
		return rc;
	if (!ok)
		return -EPROTO;
	w->registered = true;
	rc = statd_call(SM_MON, &m, res);
	if (rc)
		return rc;
	if (res[0] != 0)	/* STAT_SUCC */
		return -EPROTO;
	w->statd_state = (int32_t)res[1];
	w->monitoring = true;
	return 0;
}

bool dc_nsm_watch_wait(struct dc_nsm_watch *w, int timeout_ms)
{
	struct timespec until;
	bool got;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->calls &&
	       pthread_cond_timedwait(&w->cond, &w->lock, &until) == 0)
		;
	got = w->calls > 0;
	pthread_mutex_unlock(&w->lock);
	return got;
}

void dc_nsm_watch_stop(struct dc_nsm_watch *w)
{
	struct mon_args m = { w->mon_name, "127.0.0.1", DC_NSM_WATCH_PROGRAM,
			      WATCH_VERS, WATCH_PROC, false };
	uint32_t ok, res[2];

	if (w->monitoring)
		statd_call(SM_UNMON, &m, res);
	if (w->registered)
		pmap_call(PMAPPROC_UNSET, DC_NSM_WATCH_PROGRAM, WATCH_VERS, 0,
			  0, &ok);
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->monitoring = w->registered = w->started = false;
}

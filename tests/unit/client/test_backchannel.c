// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Back channel: a fake server sends CB_NULL / CB_COMPOUND calls over a
 * loopback connection; the client's replies and records are checked for
 * each handler action.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "backchannel.h"
#include "rpc_record.h"

#define PROG 0x40000077u

static const sessionid4 sid = "0123456789abcdef";
static int lfd, sfd;
static struct dc_conn *conn;
static struct dc_backchannel cb;

static void setup(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(lfd, (void *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(lfd, 1), 0);
	cr_assert_eq(getsockname(lfd, (void *)&sin, &sl), 0);
	cr_assert_eq(dc_conn_open(&conn, "127.0.0.1", ntohs(sin.sin_port)), 0);
	sfd = accept(lfd, NULL, NULL);
	cr_assert_geq(sfd, 0);
	dc_cb_init(&cb, PROG);
	dc_cb_set_session(&cb, sid, 2);
	dc_cb_attach(&cb, conn);
}

static void teardown(void)
{
	dc_conn_close(conn);
	dc_cb_destroy(&cb);
	close(sfd);
	close(lfd);
}

TestSuite(backchannel, .init = setup, .fini = teardown);

/* Send a call as the server would: header, AUTH_NONE, args. */
static void send_call(uint32_t xid, uint32_t prog, uint32_t proc,
		      CB_COMPOUND4args *args)
{
	char buf[4096];
	uint32_t w[10] = { xid, 0, 2, prog, 1, proc, 0, 0, 0, 0 };
	XDR x;
	int i;

	xdrmem_create(&x, buf, sizeof(buf), XDR_ENCODE);
	for (i = 0; i < 10; i++)
		cr_assert(xdr_u_int32_t(&x, &w[i]));
	if (args)
		cr_assert(xdr_CB_COMPOUND4args(&x, args));
	cr_assert_eq(rm_send(sfd, buf, xdr_getpos(&x), 0), 0);
}

/* CB_COMPOUND with CB_SEQUENCE(slot, seqid) and CB_RECALL. */
static void send_compound(uint32_t xid, uint32_t slot, uint32_t seqid)
{
	nfs_cb_argop4 ops[2];
	CB_COMPOUND4args a;
	CB_SEQUENCE4args *s = &ops[0].nfs_cb_argop4_u.opcbsequence;
	CB_RECALL4args *r = &ops[1].nfs_cb_argop4_u.opcbrecall;
	char fh[8] = "fhfhfhfh";

	memset(ops, 0, sizeof(ops));
	memset(&a, 0, sizeof(a));
	ops[0].argop = NFS4_OP_CB_SEQUENCE;
	memcpy(s->csa_sessionid, sid, sizeof(sessionid4));
	s->csa_sequenceid = seqid;
	s->csa_slotid = slot;
	s->csa_highest_slotid = slot;
	ops[1].argop = NFS4_OP_CB_RECALL;
	r->fh.nfs_fh4_len = sizeof(fh);
	r->fh.nfs_fh4_val = fh;
	a.minorversion = 1;
	a.argarray.argarray_len = 2;
	a.argarray.argarray_val = ops;
	send_call(xid, PROG, 1, &a);
}

/* Read the reply; returns accept_stat and decodes res when SUCCESS. */
static uint32_t read_reply(uint32_t xid, CB_COMPOUND4res *res)
{
	uint32_t w[6];
	uint8_t *rec;
	size_t len;
	XDR x;
	int i;

	cr_assert_eq(rm_recv(sfd, &rec, &len, 5000), 0);
	xdrmem_create(&x, (char *)rec, len, XDR_DECODE);
	for (i = 0; i < 6; i++)
		cr_assert(xdr_u_int32_t(&x, &w[i]));
	cr_assert_eq(w[0], xid);
	cr_assert_eq(w[1], 1);	/* REPLY */
	cr_assert_eq(w[2], 0);	/* MSG_ACCEPTED */
	if (res && w[5] == 0) {
		memset(res, 0, sizeof(*res));
		cr_assert(xdr_CB_COMPOUND4res(&x, res));
	}
	free(rec);
	return w[5];
}

Test(backchannel, cb_null_answered_and_recorded)
{
	struct dc_cb_record r;

	send_call(11, PROG, 0, NULL);
	cr_assert_eq(read_reply(11, NULL), 0);
	cr_assert_eq(dc_cb_wait(&cb, 1, 5000), 1);
	cr_assert(dc_cb_get(&cb, 0, &r));
	cr_assert_eq(r.proc, 0);
	cr_assert(r.replied);
}

Test(backchannel, compound_ok_with_valid_sequence)
{
	struct dc_cb_record r;
	CB_COMPOUND4res res;
	CB_SEQUENCE4resok *ok;

	send_compound(12, 1, 1);
	cr_assert_eq(read_reply(12, &res), 0);
	cr_assert_eq(res.status, NFS4_OK);
	cr_assert_eq(res.resarray.resarray_len, 2);
	ok = &res.resarray.resarray_val[0].nfs_cb_resop4_u.opcbsequence
		      .CB_SEQUENCE4res_u.csr_resok4;
	cr_assert_eq(ok->csr_sequenceid, 1);
	cr_assert_eq(ok->csr_slotid, 1);
	cr_assert_arr_eq(ok->csr_sessionid, sid, sizeof(sessionid4));
	xdr_free((xdrproc_t)xdr_CB_COMPOUND4res, &res);
	cr_assert_eq(dc_cb_wait(&cb, 1, 5000), 1);
	cr_assert(dc_cb_get(&cb, 0, &r));
	cr_assert(r.has_sequence && r.seq_valid);
	cr_assert_eq(r.nops, 2);
	cr_assert_eq(r.ops[1], NFS4_OP_CB_RECALL);
}

Test(backchannel, misordered_and_bad_slot_rejected)
{
	CB_COMPOUND4res res;
	struct dc_cb_record r;

	send_compound(13, 0, 2);	/* slot 0 expects seqid 1 */
	cr_assert_eq(read_reply(13, &res), 0);
	cr_assert_eq(res.status, NFS4ERR_SEQ_MISORDERED);
	cr_assert_eq(res.resarray.resarray_len, 1);
	xdr_free((xdrproc_t)xdr_CB_COMPOUND4res, &res);
	send_compound(14, 5, 1);	/* only 2 slots */
	cr_assert_eq(read_reply(14, &res), 0);
	cr_assert_eq(res.status, NFS4ERR_BADSLOT);
	xdr_free((xdrproc_t)xdr_CB_COMPOUND4res, &res);
	cr_assert_eq(dc_cb_wait(&cb, 2, 5000), 2);
	cr_assert(dc_cb_get(&cb, 0, &r));
	cr_assert_not(r.seq_valid);
}

static enum dc_cb_action delay_then_error(void *arg,
					  const struct dc_cb_record *rec,
					  nfsstat4 *st)
{
	int *n = arg;

	if ((*n)++ == 0)
		return DC_CB_DELAY;
	*st = NFS4ERR_BADHANDLE;
	return DC_CB_ERROR;
}

Test(backchannel, handler_delay_and_error)
{
	CB_COMPOUND4res res;
	int n = 0;

	dc_cb_set_handler(&cb, delay_then_error, &n);
	send_compound(15, 0, 1);
	cr_assert_eq(read_reply(15, &res), 0);
	cr_assert_eq(res.status, NFS4ERR_DELAY);
	cr_assert_eq(res.resarray.resarray_len, 2);
	cr_assert_eq(res.resarray.resarray_val[0].nfs_cb_resop4_u.opcbsequence
			     .csr_status,
		     NFS4_OK);
	xdr_free((xdrproc_t)xdr_CB_COMPOUND4res, &res);
	send_compound(16, 0, 2);
	cr_assert_eq(read_reply(16, &res), 0);
	cr_assert_eq(res.status, NFS4ERR_BADHANDLE);
	xdr_free((xdrproc_t)xdr_CB_COMPOUND4res, &res);
}

static enum dc_cb_action drop(void *arg, const struct dc_cb_record *rec,
			      nfsstat4 *st)
{
	return DC_CB_DROP;
}

Test(backchannel, handler_drop_sends_nothing)
{
	struct dc_cb_record r;
	uint8_t *rec;
	size_t len;

	dc_cb_set_handler(&cb, drop, NULL);
	send_compound(17, 0, 1);
	cr_assert_eq(dc_cb_wait(&cb, 1, 5000), 1);
	cr_assert(dc_cb_get(&cb, 0, &r));
	cr_assert_eq(r.action, DC_CB_DROP);
	cr_assert_not(r.replied);
	/* Then a CB_NULL: its reply must be the first thing we read. */
	send_call(18, PROG, 0, NULL);
	cr_assert_eq(rm_recv(sfd, &rec, &len, 5000), 0);
	cr_assert_eq(ntohl(*(uint32_t *)rec), 18u);
	free(rec);
}

Test(backchannel, wrong_program_refused)
{
	struct dc_cb_record r;

	send_call(19, PROG + 1, 0, NULL);
	cr_assert_eq(read_reply(19, NULL), 1);	/* PROG_UNAVAIL */
	cr_assert_eq(dc_cb_wait(&cb, 1, 5000), 1);
	cr_assert(dc_cb_get(&cb, 0, &r));
	cr_assert_eq(r.prog, PROG + 1);
}

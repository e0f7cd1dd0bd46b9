/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The workload of one soak client: files in its own directory and in
 * the directory all clients share, with a model of what each holds, so
 * that every READ, GETATTR and READDIR is checked against it.
 */
#ifndef DITTO_SOAK_WORK_H
#define DITTO_SOAK_WORK_H

#include "soak_client.h"

#define SK_OWN_FILES 24
#define SK_SHARED_FILES 6

struct sk_file {
	bool used;
	unsigned ver;		/* part of the name: every name is new */
	uint32_t seed;		/* content pattern */
	uint64_t size;
	uint64_t datalen;	/* pattern below, zeros from here to size */
	nfs_fh4 fh;
};

struct sk_work_opts {
	double deadline;	/* sk_now() at which to stop */
	uint64_t max_ops;	/* NFS operations, all clients */
	double churn_s;		/* mean seconds between churns */
	unsigned churn_kinds;	/* 1 << enum sk_churn, per kind used */
	bool dirdeleg;
	bool cross_read;	/* open other clients' shared files */
	bool file_deleg;	/* OPENs may get delegations */
};

struct sk_worker {
	struct sk_client sc;
	const struct sk_work_opts *opts;
	nfs_fh4 own, shared;	/* directory handles */
	struct sk_file own_files[SK_OWN_FILES];
	struct sk_file sh_files[SK_SHARED_FILES];
	unsigned next_ver;
	uint8_t *buf;
	double next_churn;
	uint64_t actions;
};

/* Thread body: start the client, run until the deadline or the op cap,
 * then give everything back, remove every file and leave cleanly.
 */
void *sk_worker_main(void *arg);

#endif

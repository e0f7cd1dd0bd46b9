/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * loadgen: an NFSv4.1 load generator on the test client (dittoclient).
 * N sessions, each on its own connection, with M worker threads per
 * session, one per fore channel slot, so every connection carries M
 * calls in flight.  A workload is a setup step and one "op" function
 * the workers call until the op count or the time limit is reached.
 */
#ifndef DITTO_LOADGEN_H
#define DITTO_LOADGEN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "session.h"

#define LG_MAX_SESSIONS 64
#define LG_MAX_SLOTS 64
#define LG_NAME_MAX 64

struct lg;
struct lg_worker;

struct lg_workload {
	const char *name;
	/* What op_units counts: "ops", "entries" or "bytes". */
	const char *unit;
	/* Prepare (unmeasured); may run lg_phase().  NULL: nothing. */
	int (*setup)(struct lg *b);
	/*
	 * One operation, the k-th of the run; adds to *units what it did
	 * (entries listed, bytes moved).  Returns 0 or a negative errno,
	 * or a positive nfsstat4.
	 */
	int (*op)(struct lg_worker *w, unsigned long k, uint64_t *units);
	/* Most ops the workload can do (setup made that many); 0: any. */
	unsigned long (*max_ops)(struct lg *b);
};

/* Per-session state a workload keeps (open file, its stateid). */
struct lg_session {
	struct dc_client cl;
	char owner[LG_NAME_MAX];	/* open owner */
	stateid4 sid;
	nfs_fh4 fh;
	bool open;
};

struct lg {
	const struct lg_workload *wl;
	struct lg_session s[LG_MAX_SESSIONS];
	unsigned int nsessions, nslots;
	unsigned long ops, warmup;
	double limit_s;
	/* Workload parameters */
	char dir[LG_NAME_MAX];	/* working directory under the export */
	unsigned long entries;	/* directory size (populate, lookup, ...) */
	unsigned long file_bytes;	/* I/O file size */
	int server_pid;	/* daemon whose CPU time is reported; 0: none */
	char file[LG_NAME_MAX];
	nfs_fh4 dirfh;
	/* Run state of the current phase */
	int (*fn)(struct lg_worker *w, unsigned long k, uint64_t *units);
	unsigned long count;	/* ops of this phase */
	unsigned long kbase;	/* k of the phase's first op */
	bool measure;
	double t0, phase_limit_s;
	atomic_ulong next;	/* ops claimed */
	atomic_ulong errors;
	atomic_ulong units;
	atomic_bool stop;
	atomic_int first_err;
	uint64_t *lat_ns;	/* one per measured op (a scan may take s) */
	struct lg_worker *w;
};

struct lg_worker {
	struct lg *b;
	struct lg_session *s;
	unsigned int si, ti;	/* session, thread within it */
	uint64_t rng;
	/* readdir: where this worker's scan is */
	uint64_t cookie;
	verifier4 verf;
	uint8_t *buf;	/* I/O data */
};

double lg_now(void);
uint64_t lg_rand(struct lg_worker *w);
/*
 * Run fn for k in [0, count) on all workers, at most limit_s seconds;
 * returns the ops done.  Latencies are kept while b->measure is set.
 */
unsigned long lg_phase(struct lg *b,
		       int (*fn)(struct lg_worker *w, unsigned long k,
				 uint64_t *units),
		       unsigned long count, double limit_s);

/* One SEQUENCE'd compound on the worker's session; status of it. */
int lg_call(struct dc_client *cl,
	    void (*fill)(struct dc_compound *c, void *arg), void *arg,
	    struct dc_cres *res);
/* The compound's status, or the transport error (negative). */
int lg_call_status(struct dc_client *cl,
		   void (*fill)(struct dc_compound *c, void *arg), void *arg);

/* Look up or make b->dir under the export; sets b->dirfh. */
int lg_workdir(struct lg *b);
/* Create entries "f%07lu" for i in [0, n) in b->dir (pipelined). */
int lg_populate(struct lg *b, unsigned long n, double limit_s);
void lg_entry_name(char *buf, size_t len, const char *prefix,
		   unsigned long i);

extern const struct lg_workload lg_wl_seqroot, lg_wl_getattr, lg_wl_lookup,
	lg_wl_create, lg_wl_remove, lg_wl_rename, lg_wl_populate,
	lg_wl_readdir, lg_wl_randread, lg_wl_randwrite, lg_wl_seqread,
	lg_wl_seqwrite, lg_wl_syncwrite;

#endif

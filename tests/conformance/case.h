/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Conformance case definition and the assertion helpers cases use.
 */
#ifndef DITTO_CASE_H
#define DITTO_CASE_H

#include <stdio.h>
#include <string.h>
#include "session.h"

enum dc_result { DC_PASS, DC_FAIL, DC_SKIP };

struct dc_ctx {
	struct dc_server srv;
	const char *run_id;
	const char *code;
	unsigned owner_seq;
	unsigned checks;	/* assertions evaluated */
	enum dc_result result;
	char reason[512];
	/* Extra facts a case reports even when passing (JSON "note"). */
	char note[512];
};

typedef void (*dc_case_fn)(struct dc_ctx *ctx);

struct dc_case {
	const char *code;
	const char *desc;
	const char *section;	/* RFC 8881 section checked */
	const char *flags;	/* space separated tags */
	const char *deps;	/* codes this case builds on */
	dc_case_fn fn;
};

void dc_fail(struct dc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dc_skip(struct dc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dc_note(struct dc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A client owner string unique to this run, case and call. */
void dc_owner(struct dc_ctx *ctx, char *buf, size_t len);
/* A file name unique to this run and case. */
void dc_name(struct dc_ctx *ctx, const char *what, char *buf, size_t len);

/* Client with a fresh owner, connected; nothing sent yet. */
int dc_ctx_client(struct dc_ctx *ctx, struct dc_client *cl);
/* Client with a fresh owner, EXCHANGE_ID + session + RECLAIM_COMPLETE. */
int dc_ctx_mounted(struct dc_ctx *ctx, struct dc_client *cl);
/*
 * dc_ctx_mounted() as the caller auth (NULL: AUTH_SYS uid 0, the suite's
 * default) on the suite's export with suffix (NULL: none) appended to
 * its path, e.g. "-squash".
 */
int dc_ctx_mounted_as(struct dc_ctx *ctx, struct dc_client *cl,
		      const struct dc_auth *auth, const char *suffix);

/*
 * Assertions: on failure record the reason and leave the case through
 * its "out" label, where it cleans up.
 */
#define EXPECT(cond, ...)                                                      \
	do {                                                                   \
		ctx->checks++;                                                 \
		if (!(cond)) {                                                 \
			dc_fail(ctx, __VA_ARGS__);                             \
			goto out;                                              \
		}                                                              \
	} while (0)

#define EXPECT_STATUS(got, want, what)                                         \
	EXPECT((got) == (want), "%s: got %s, expected %s", (what),             \
	       dc_nfsstat_name(got), dc_nfsstat_name(want))

/* A transport-level error (no reply at all) fails the case. */
#define EXPECT_RPC(rc, what)                                                   \
	EXPECT((rc) == 0, "%s: transport error %d (%s)", (what), (rc),         \
	       strerror(-(rc)))

/*
 * A reply came (rc 0, else EXPECT_RPC's failure) with status want; the
 * rest is a printf-style description of the step.
 */
#define EXPECT_OP(rc, got, want, ...)                                          \
	do {                                                                   \
		char what_[256];                                               \
		snprintf(what_, sizeof(what_), __VA_ARGS__);                   \
		EXPECT_RPC(rc, what_);                                         \
		EXPECT_STATUS(got, want, what_);                               \
	} while (0)

/* The branch taken was itself the check (e.g. one of two allowed). */
#define CHECKED() ((void)ctx->checks++)

#define SKIP(...)                                                              \
	do {                                                                   \
		dc_skip(ctx, __VA_ARGS__);                                     \
		goto out;                                                      \
	} while (0)

/* Case tables, one per area, each ending with a NULL code. */
extern const struct dc_case dc_cases_exchange_id[];
extern const struct dc_case dc_cases_create_session[];
extern const struct dc_case dc_cases_sequence[];
extern const struct dc_case dc_cases_bind_conn[];
extern const struct dc_case dc_cases_lifecycle[];
extern const struct dc_case dc_cases_stateid[];
extern const struct dc_case dc_cases_ops[];
extern const struct dc_case dc_cases_coex[];
extern const struct dc_case dc_cases_cbsim[];
extern const struct dc_case dc_cases_xdr[];
extern const struct dc_case dc_cases_deleg[];
extern const struct dc_case dc_cases_data[];
extern const struct dc_case dc_cases_dirdeleg[];
extern const struct dc_case dc_cases_session_limits[];
extern const struct dc_case dc_cases_session_ext[];
extern const struct dc_case dc_cases_grace[];
extern const struct dc_case dc_cases_nlm[];
extern const struct dc_case dc_cases_badinput[];
extern const struct dc_case dc_cases_cb_lifetime[];
extern const struct dc_case dc_cases_dir_race[];
extern const struct dc_case dc_cases_perm[];

#endif

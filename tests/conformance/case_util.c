// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Helpers shared by conformance cases: results, unique names, clients.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "case.h"

void dc_fail(struct dc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->reason, sizeof(ctx->reason), fmt, ap);
	va_end(ap);
	ctx->result = DC_FAIL;
}

void dc_skip(struct dc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->reason, sizeof(ctx->reason), fmt, ap);
	va_end(ap);
	ctx->result = DC_SKIP;
}

void dc_note(struct dc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->note, sizeof(ctx->note), fmt, ap);
	va_end(ap);
}

void dc_owner(struct dc_ctx *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "ditto-%s-%s-%u", ctx->run_id, ctx->code,
		 ++ctx->owner_seq);
}

void dc_name(struct dc_ctx *ctx, const char *what, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s-%s", ctx->code, ctx->run_id, what);
}

int dc_ctx_client(struct dc_ctx *ctx, struct dc_client *cl)
{
	char owner[128];

	dc_owner(ctx, owner, sizeof(owner));
	return dc_client_init(cl, &ctx->srv, owner);
}

int dc_ctx_mounted(struct dc_ctx *ctx, struct dc_client *cl)
{
	int rc = dc_ctx_client(ctx, cl);

	if (rc)
		return rc;
	return dc_client_mount(cl);
}

int dc_ctx_mounted_as(struct dc_ctx *ctx, struct dc_client *cl,
		      const struct dc_auth *auth, const char *suffix)
{
	struct dc_server srv = ctx->srv;
	char owner[128];
	int rc;

	if (suffix)
		snprintf(srv.export, sizeof(srv.export), "%s%s",
			 ctx->srv.export, suffix);
	dc_owner(ctx, owner, sizeof(owner));
	rc = dc_client_init(cl, &srv, owner);
	if (rc)
		return rc;
	if (auth)
		cl->auth = *auth;
	return dc_client_mount(cl);
}

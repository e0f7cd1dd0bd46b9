// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * ditto-conformance: select, run and report NFSv4.1 conformance cases.
 *
 *   ditto-conformance --server HOST:PORT:/EXPORT [--server2 HOST:PORT:/EXPORT]
 *                     [--json FILE] [--list] [--ping]
 *                     [CODE|PREFIX|FLAG ...] [-FLAG|!FLAG ...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "case.h"

static const struct dc_case *const tables[] = {
	dc_cases_exchange_id, dc_cases_create_session, dc_cases_sequence,
	dc_cases_bind_conn,   dc_cases_lifecycle,      dc_cases_stateid,
	dc_cases_ops,	      dc_cases_coex,	       dc_cases_cbsim,
	dc_cases_xdr,	      dc_cases_deleg,	       dc_cases_data,
	dc_cases_dirdeleg,
	dc_cases_dirdeleg_notify,
	dc_cases_session_limits,
	dc_cases_session_ext,
	dc_cases_grace,
	dc_cases_nlm,
	dc_cases_badinput,
	dc_cases_cb_lifetime,
	dc_cases_dir_race,
	dc_cases_perm,
	dc_cases_io_edge,
	dc_cases_lease_state,
	dc_cases_lock_notify,
	dc_cases_share,
	dc_cases_churn,
	dc_cases_conn_bounds,
	dc_cases_remove_race,
	dc_cases_attr_deleg,
	dc_cases_cluster,
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: ditto-conformance --server HOST:PORT:/EXPORT\n"
		   "         [--server2 HOST:PORT:/EXPORT] [--json FILE]\n"
		   "         [--list] [--ping]\n"
		   "         [CODE|PREFIX|FLAG ...] [-FLAG|!FLAG ...]\n"
		   "Selectors: a case runs if it matches any CODE, code\n"
		   "PREFIX (letters, e.g. SEQ) or FLAG given (all cases when\n"
		   "none is given) and none of the exclusions: -FLAG or !FLAG\n"
		   "drops the cases carrying FLAG (or with that code), e.g.\n"
		   "  ditto-conformance --server ... -deleg -data\n"
		   "  ditto-conformance --server ... deleg !slow\n");
}

static bool has_flag(const char *flags, const char *f)
{
	size_t n = strlen(f);
	const char *p = flags;

	while (p && *p) {
		if (!strncasecmp(p, f, n) && (p[n] == ' ' || p[n] == 0))
			return true;
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return false;
}

/* A "-FLAG" or "!FLAG" exclusion selector. */
static bool is_exclusion(const char *s)
{
	return (s[0] == '-' || s[0] == '!') && s[1] && s[1] != '-';
}

/*
 * Exact code, code prefix (letters then optional digits) or flag; then
 * no exclusion may match (its flag or exact code).
 */
static bool selected(const struct dc_case *c, char **sel, int nsel)
{
	bool any_pos = false;
	int i;

	for (i = 0; i < nsel; i++) {
		const char *x = sel[i] + 1;

		if (!is_exclusion(sel[i])) {
			any_pos = true;
			continue;
		}
		if (!strcasecmp(c->code, x) || has_flag(c->flags, x))
			return false;
	}
	if (!any_pos)
		return true;
	for (i = 0; i < nsel; i++) {
		size_t n = strlen(sel[i]);

		if (is_exclusion(sel[i]))
			continue;
		if (!strcasecmp(c->code, sel[i]) || has_flag(c->flags, sel[i]))
			return true;
		/* prefix: "SEQ" selects SEQ1..., but "SEQ1" not SEQ10 */
		if (!strncasecmp(c->code, sel[i], n) &&
		    !(sel[i][n - 1] >= '0' && sel[i][n - 1] <= '9'))
			return true;
	}
	return false;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static int ping(const struct dc_server *srv)
{
	struct dc_conn *c;
	int rc = dc_conn_open(&c, srv->host, srv->port);

	if (rc)
		return rc;
	rc = dc_rpc_null(c, NFS4_PROGRAM, NFS_V4, 2000);
	dc_conn_close(c);
	return rc;
}

static int run(int argc, char **argv, char **sel)
{
	static const char *const names[] = { "PASS", "FAIL", "SKIP" };
	const char *json = NULL;
	bool list = false, do_ping = false, have_srv = false;
	bool have_srv2 = false;
	struct dc_server srv, srv2;
	char run_id[32];
	int nsel = 0, i, npass = 0, nfail = 0, nskip = 0;
	unsigned t;
	FILE *jf = NULL;
	bool first = true;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--server") && i + 1 < argc) {
			if (dc_server_parse(argv[++i], &srv)) {
				fprintf(stderr, "bad --server %s\n", argv[i]);
				return 2;
			}
			have_srv = true;
		} else if (!strcmp(argv[i], "--server2") && i + 1 < argc) {
			/* a second head on the same store (CLUSTER cases) */
			if (dc_server_parse(argv[++i], &srv2)) {
				fprintf(stderr, "bad --server2 %s\n", argv[i]);
				return 2;
			}
			have_srv2 = true;
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json = argv[++i];
		} else if (!strcmp(argv[i], "--list")) {
			list = true;
		} else if (!strcmp(argv[i], "--ping")) {
			do_ping = true;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (is_exclusion(argv[i]) && argv[i][0] == '!') {
			sel[nsel++] = argv[i];
		} else if (is_exclusion(argv[i]) && strlen(argv[i]) > 2) {
			/* -FLAG (single-letter options stay reserved) */
			sel[nsel++] = argv[i];
		} else if (argv[i][0] == '-') {
			usage(stderr);
			return 2;
		} else {
			sel[nsel++] = argv[i];
		}
	}
	if (list) {
		for (t = 0; t < NTABLES; t++) {
			const struct dc_case *c;

			for (c = tables[t]; c->code; c++)
				if (selected(c, sel, nsel))
					printf("%-8s %-10s [%s] %s\n", c->code,
					       c->section, c->flags, c->desc);
		}
		return 0;
	}
	if (!have_srv) {
		usage(stderr);
		return 2;
	}
	if (do_ping)
		return ping(&srv) ? 1 : 0;

	snprintf(run_id, sizeof(run_id), "%lx-%x", (long)time(NULL),
		 (unsigned)getpid());
	if (json) {
		jf = fopen(json, "w");
		if (!jf) {
			fprintf(stderr, "%s: %s\n", json, strerror(errno));
			return 2;
		}
		fprintf(jf, "{\"server\": \"%s:%d:%s\", \"run_id\": \"%s\", "
			    "\"cases\": [\n",
			srv.host, srv.port, srv.export, run_id);
	}
	for (t = 0; t < NTABLES; t++) {
		const struct dc_case *c;

		for (c = tables[t]; c->code; c++) {
			struct dc_ctx ctx;

			if (!selected(c, sel, nsel))
				continue;
			memset(&ctx, 0, sizeof(ctx));
			ctx.srv = srv;
			if (have_srv2) {
				ctx.srv2 = srv2;
				ctx.have_srv2 = true;
			}
			ctx.run_id = run_id;
			ctx.code = c->code;
			ctx.result = DC_PASS;
			c->fn(&ctx);
			/* A case that checked nothing proves nothing. */
			if (ctx.result == DC_PASS && ctx.checks == 0) {
				ctx.result = DC_FAIL;
				snprintf(ctx.reason, sizeof(ctx.reason),
					 "case made no assertion");
			}
			if (ctx.result == DC_PASS) {
				npass++;
				printf("PASS %s %s%s%s\n", c->code, c->desc,
				       ctx.note[0] ? " -- " : "", ctx.note);
			} else {
				if (ctx.result == DC_FAIL)
					nfail++;
				else
					nskip++;
				printf("%s %s %s: %s\n", names[ctx.result],
				       c->code, c->desc, ctx.reason);
			}
			fflush(stdout);
			if (jf) {
				fprintf(jf, "%s  {\"code\": ",
					first ? "" : ",\n");
				json_str(jf, c->code);
				fprintf(jf,
					", \"result\": \"%s\", \"checks\": %u"
					", \"desc\": ",
					names[ctx.result], ctx.checks);
				json_str(jf, c->desc);
				fprintf(jf, ", \"section\": ");
				json_str(jf, c->section);
				fprintf(jf, ", \"flags\": ");
				json_str(jf, c->flags);
				fprintf(jf, ", \"reason\": ");
				json_str(jf, ctx.reason);
				fprintf(jf, ", \"note\": ");
				json_str(jf, ctx.note);
				fprintf(jf, "}");
				first = false;
			}
		}
	}
	if (jf) {
		fprintf(jf, "\n], \"passed\": %d, \"failed\": %d, "
			    "\"skipped\": %d}\n",
			npass, nfail, nskip);
		fclose(jf);
	}
	if (nskip)
		printf("%d passed, %d failed, %d skipped\n", npass, nfail,
		       nskip);
	else
		printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}

int main(int argc, char **argv)
{
	/* Selectors point into argv; one slot per argument is enough. */
	char **sel = calloc(argc, sizeof(*sel));
	int rc;

	if (!sel) {
		perror("calloc");
		return 2;
	}
	rc = run(argc, argv, sel);
	free(sel);
	return rc;
}

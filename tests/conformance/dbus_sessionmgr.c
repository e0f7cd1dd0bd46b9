// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * SessionMgr calls through dbus-send (fork/exec, no shell) and a reader
 * for its --print-reply output.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dbus_sessionmgr.h"
#include "dbus_send.h"

#define OUT_MAX (1u << 20)

void dc_sm_hex(const void *sessionid, char out[33])
{
	const unsigned char *p = sessionid;
	int i;

	for (i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[32] = 0;
}

/* dbus-send METHOD ARG; stdout into out.  0, or -EIO on a failure. */
int dc_sm_call(const char *method, const char *arg, char *out, size_t outlen)
{
	char name[96];

	snprintf(name, sizeof(name), "org.ganesha.nfsd.sessionmgr.%s",
		 method);
	return dc_dbus_send("/org/ganesha/nfsd/SessionMgr", name, arg, out,
			    outlen);
}

/* The value after "TYPE " on the line at p (strings unquoted). */
static const char *value_of(const char *p, const char *type, char *buf,
			    size_t len)
{
	const char *nl, *v;
	size_t n;

	while (*p == ' ')
		p++;
	if (strncmp(p, type, strlen(type)) || p[strlen(type)] != ' ')
		return NULL;
	v = p + strlen(type) + 1;
	nl = strchr(v, '\n');
	n = nl ? (size_t)(nl - v) : strlen(v);
	if (n && v[0] == '"') {
		v++;
		n = n >= 2 ? n - 2 : 0;
	}
	if (n >= len)
		n = len - 1;
	memcpy(buf, v, n);
	buf[n] = 0;
	return buf;
}

/* Next line after p, or NULL. */
static const char *next_line(const char *p)
{
	p = strchr(p, '\n');
	return p ? p + 1 : NULL;
}

/* The "boolean" and "string" that start every reply body. */
static const char *parse_status(const char *out, struct dc_sm_status *st)
{
	const char *p = next_line(out); /* "method return ..." header */
	char buf[128];

	st->ok = false;
	st->error[0] = 0;
	if (!p || !value_of(p, "boolean", buf, sizeof(buf)))
		return NULL;
	st->ok = !strcmp(buf, "true");
	p = next_line(p);
	if (!p || !value_of(p, "string", st->error, sizeof(st->error)))
		return NULL;
	return next_line(p);
}

int dc_sm_list(uint64_t clientid, struct dc_sm_status *st,
	       struct dc_sm_session *out, int max)
{
	char arg[40], *buf = malloc(OUT_MAX);
	const char *p;
	int rc, n = 0;

	st->ok = false;
	st->error[0] = 0;
	if (!buf)
		return -ENOMEM;
	snprintf(arg, sizeof(arg), "uint64:%" PRIu64, clientid);
	rc = dc_sm_call("ListSessions", arg, buf, OUT_MAX);
	if (rc)
		goto out;
	p = parse_status(buf, st);
	if (!p) {
		rc = -EPROTO;
		goto out;
	}
	while ((p = strstr(p, "struct {"))) {
		struct dc_sm_session s;
		char v[10][128];
		static const char *const types[10] = {
			"string", "uint64", "uint32", "uint32", "uint32",
			"uint32", "uint32", "string", "uint64", "uint64"
		};
		int i;

		memset(&s, 0, sizeof(s));
		p = next_line(p);
		for (i = 0; i < 10 && p; i++, p = next_line(p))
			if (!value_of(p, types[i], v[i], sizeof(v[i])))
				break;
		if (i < 10) {
			rc = -EPROTO;
			goto out;
		}
		snprintf(s.id, sizeof(s.id), "%.32s", v[0]);
		s.clientid = strtoull(v[1], NULL, 10);
		s.slots_in_use = strtoul(v[2], NULL, 10);
		s.fore_slots = strtoul(v[3], NULL, 10);
		s.back_slots = strtoul(v[4], NULL, 10);
		s.conns = strtoul(v[5], NULL, 10);
		s.back_conns = strtoul(v[6], NULL, 10);
		snprintf(s.back_state, sizeof(s.back_state), "%.7s", v[7]);
		s.created = strtoull(v[8], NULL, 10);
		s.last_sequence = strtoull(v[9], NULL, 10);
		if (n < max)
			out[n] = s;
		n++;
		if (!p)
			break;
	}
	rc = n;
out:
	free(buf);
	return rc;
}

int dc_sm_destroy(const char *id, struct dc_sm_status *st)
{
	char arg[80], buf[4096];
	int rc;

	st->ok = false;
	st->error[0] = 0;
	snprintf(arg, sizeof(arg), "string:%s", id);
	rc = dc_sm_call("DestroySession", arg, buf, sizeof(buf));
	if (rc)
		return rc;
	return parse_status(buf, st) ? 0 : -EPROTO;
}

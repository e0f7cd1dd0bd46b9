// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * HTTP GET of /metrics over loopback and a Prometheus text format reader.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "metrics_scrape.h"

/* Ganesha's full exposition is a few hundred KiB at most. */
#define BODY_MAX (8u << 20)
#define MAX_LABELS 8
#define LABEL_MAX 128

int dc_metrics_port(void)
{
	const char *p = getenv("DITTO_MONITORING_PORT");
	char *end;
	long v;

	if (!p || !*p)
		return 0;
	v = strtol(p, &end, 10);
	return *end || v <= 0 || v > 65535 ? 0 : (int)v;
}

/* Wait until fd is ready for events; 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int rc;

	do {
		rc = poll(&p, 1, timeout_ms);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return rc == 0 ? -ETIMEDOUT : 0;
}

static int connect_loopback(int port, int timeout_ms)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(int);
	int fd, rc, err = 0;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
	    errno != EINPROGRESS) {
		rc = -errno;
		goto fail;
	}
	rc = wait_fd(fd, POLLOUT, timeout_ms);
	if (rc)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) || err) {
		rc = err ? -err : -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return rc;
}

static int send_all(int fd, const char *p, size_t n, int timeout_ms)
{
	while (n) {
		ssize_t w;
		int rc = wait_fd(fd, POLLOUT, timeout_ms);

		if (rc)
			return rc;
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= w;
	}
	return 0;
}

/* Read until EOF (the request asks the server to close). */
static int recv_all(int fd, char **out, size_t *outlen, int timeout_ms)
{
	size_t cap = 65536, have = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;
		int rc;

		if (have == cap) {
			char *n;

			if (cap >= BODY_MAX) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			n = realloc(buf, cap + 1);
			if (!n) {
				free(buf);
				return -ENOMEM;
			}
			buf = n;
		}
		rc = wait_fd(fd, POLLIN, timeout_ms);
		if (rc) {
			free(buf);
			return rc;
		}
		r = recv(fd, buf + have, cap - have, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			rc = -errno;
			free(buf);
			return rc;
		}
		if (r == 0)
			break;
		have += r;
	}
	buf[have] = 0;
	*out = buf;
	*outlen = have;
	return 0;
}

/* Undo "Transfer-Encoding: chunked" in place; false if malformed. */
static bool dechunk(char *body, size_t *len)
{
	char *in = body, *out = body, *end = body + *len;

	for (;;) {
		char *eol;
		unsigned long n;

		n = strtoul(in, &eol, 16);
		eol = strstr(in, "\r\n");
		if (!eol)
			return false;
		in = eol + 2;
		if (n == 0)
			break;
		if (n > (size_t)(end - in))
			return false;
		memmove(out, in, n);
		out += n;
		in += n;
		if (end - in >= 2 && in[0] == '\r' && in[1] == '\n')
			in += 2;
	}
	*out = 0;
	*len = out - body;
	return true;
}

int dc_metrics_scrape(int port, int timeout_ms, struct dc_metrics *m)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\n"
				  "Host: 127.0.0.1\r\n"
				  "Accept: text/plain\r\n"
				  "Connection: close\r\n\r\n";
	char *raw = NULL, *hdr_end, *p;
	size_t rawlen = 0, blen;
	int fd, rc, code = 0;
	bool chunked;

	memset(m, 0, sizeof(*m));
	fd = connect_loopback(port, timeout_ms);
	if (fd < 0)
		return fd;
	rc = send_all(fd, req, sizeof(req) - 1, timeout_ms);
	if (!rc)
		rc = recv_all(fd, &raw, &rawlen, timeout_ms);
	close(fd);
	if (rc)
		return rc;
	if (sscanf(raw, "HTTP/1.%*d %d", &code) != 1 || code != 200 ||
	    !(hdr_end = strstr(raw, "\r\n\r\n"))) {
		free(raw);
		return -EPROTO;
	}
	*hdr_end = 0;
	chunked = false;
	for (p = raw; (p = strchr(p, '\n')); p++)
		if (!strncasecmp(p + 1, "transfer-encoding:", 18) &&
		    strstr(p + 19, "chunked"))
			chunked = true;
	blen = rawlen - (hdr_end + 4 - raw);
	memmove(raw, hdr_end + 4, blen + 1);
	if (chunked && !dechunk(raw, &blen)) {
		free(raw);
		return -EPROTO;
	}
	m->body = raw;
	m->len = blen;
	return 0;
}

void dc_metrics_free(struct dc_metrics *m)
{
	free(m->body);
	m->body = NULL;
	m->len = 0;
}

struct label {
	char key[LABEL_MAX];
	char val[LABEL_MAX];
};

/*
 * Parse `k="v",k2="v2"` up to the closing brace (or the end of the
 * string); *endp is set past the brace.  Returns the count or -1.
 */
static int parse_labels(const char *s, struct label *l, const char **endp)
{
	int n = 0;

	for (;;) {
		size_t k = 0, v = 0;

		while (*s == ' ' || *s == ',')
			s++;
		if (*s == '}' || *s == 0 || *s == '\n') {
			if (*s == '}')
				s++;
			break;
		}
		if (n == MAX_LABELS)
			return -1;
		while (*s && *s != '=' && *s != '\n' && k < LABEL_MAX - 1)
			l[n].key[k++] = *s++;
		l[n].key[k] = 0;
		if (s[0] != '=' || s[1] != '"')
			return -1;
		s += 2;
		while (*s && *s != '"' && *s != '\n' && v < LABEL_MAX - 1) {
			if (*s == '\\' && s[1]) {
				s++;
				l[n].val[v++] = *s == 'n' ? '\n' : *s;
				s++;
				continue;
			}
			l[n].val[v++] = *s++;
		}
		l[n].val[v] = 0;
		if (*s != '"')
			return -1;
		s++;
		n++;
	}
	if (endp)
		*endp = s;
	return n;
}

static bool same_labels(const struct label *a, int na, const struct label *b,
			int nb)
{
	int i, j;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (!strcmp(a[i].key, b[j].key) &&
			    !strcmp(a[i].val, b[j].val))
				break;
		if (j == nb)
			return false;
	}
	return true;
}

/* 1 found, 0 not exposed, -1 bad labels argument. */
static int lookup(const struct dc_metrics *m, const char *name,
		  const char *labels, double *value)
{
	struct label want[MAX_LABELS], got[MAX_LABELS];
	size_t nlen = strlen(name);
	const char *line;
	int nwant = 0;

	if (labels && *labels) {
		nwant = parse_labels(labels, want, NULL);
		if (nwant < 0)
			return -1;
	}
	for (line = m->body; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *p = line + nlen;
		int ngot = 0;
		char *end;
		double v;

		if (*line == '#' || strncmp(line, name, nlen))
			continue;
		if (*p == '{') {
			ngot = parse_labels(p + 1, got, &p);
			if (ngot < 0)
				continue;
		} else if (*p != ' ' && *p != '\t') {
			continue;	/* a longer name with this prefix */
		}
		if (!same_labels(want, nwant, got, ngot))
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		v = strtod(p, &end);
		if (end == p)
			continue;
		*value = v;
		return 1;
	}
	return 0;
}

bool dc_metric_get(const struct dc_metrics *m, const char *name,
		   const char *labels, double *value)
{
	int rc = lookup(m, name, labels, value);

	if (rc == 0)
		*value = 0;
	return rc >= 0;
}

bool dc_metric_find(const struct dc_metrics *m, const char *name,
		    const char *labels, double *value)
{
	return lookup(m, name, labels, value) == 1;
}

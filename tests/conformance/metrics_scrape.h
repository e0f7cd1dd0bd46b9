/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Scraping Ganesha's Prometheus endpoint (http://127.0.0.1:PORT/metrics)
 * and reading samples out of the text exposition format.  Loopback only,
 * every socket operation bounded by a timeout, no external library.
 */
#ifndef DITTO_METRICS_SCRAPE_H
#define DITTO_METRICS_SCRAPE_H

#include <stdbool.h>
#include <stddef.h>

/* One scrape: the response body (NUL terminated). */
struct dc_metrics {
	char *body;
	size_t len;
};

/*
 * The monitoring port from DITTO_MONITORING_PORT (run.sh exports it), or
 * 0 when the environment names none.
 */
int dc_metrics_port(void);

/*
 * GET /metrics from 127.0.0.1:port; 0 on an HTTP 200 reply, else
 * -errno (-EPROTO for another HTTP status).  timeout_ms bounds connect,
 * each send and each receive.
 */
int dc_metrics_scrape(int port, int timeout_ms, struct dc_metrics *m);
void dc_metrics_free(struct dc_metrics *m);

/*
 * Value of the sample "name" whose labels are exactly those given in
 * labels, a comma separated list such as "reason=\"client\"" or
 * "op=\"CB_NULL\",reason=\"timeout\"" in any order (NULL or "" for a
 * sample without labels).  A series that is not exposed counts as 0
 * (Ganesha exposes a labelled series once it was first touched); false
 * only if labels cannot be parsed.
 */
bool dc_metric_get(const struct dc_metrics *m, const char *name,
		   const char *labels, double *value);
/* As dc_metric_get, but false also when the series is not exposed. */
bool dc_metric_find(const struct dc_metrics *m, const char *name,
		    const char *labels, double *value);

#endif

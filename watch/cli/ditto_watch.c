// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * ditto-watch: inotifywait -m for a directory of an NFSv4.1 server,
 * a thin user of libdittowatch.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dittowatch.h"

static volatile int stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: ditto-watch [OPTIONS] HOST[:PORT]:/PATH\n"
	      "\n"
	      "Print changes of a directory of an NFSv4.1 server as they\n"
	      "happen, one line per event as inotifywait -m prints them\n"
	      "(DIR/ EVENT NAME; MOVED_FROM / MOVED_TO pairs share a cookie).\n"
	      "Uses a directory delegation with notifications (CB_NOTIFY)\n"
	      "where the server grants one, else polls READDIR.\n"
	      "\n"
	      "  --json            one JSON object per event\n"
	      "  --recursive       the directories below too\n"
	      "  --events LIST     create,delete,move,attrib (default all)\n"
	      "  --interval MS     polling period without delegation (1000)\n"
	      "  --poll            never ask for a delegation\n"
	      "  --uid N --gid N   AUTH_SYS identity (default 0, 0)\n"
	      "  --timeout S       stop after S seconds\n"
	      "  --verify          at the end, read the directories again,\n"
	      "                    report any difference (exit 3) and print\n"
	      "                    the final listing\n"
	      "\n"
	      "Exit status: 0 stopped (signal or --timeout), 1 cannot watch\n"
	      "(reason on stderr), 2 usage, 3 --verify found a difference,\n"
	      "4 the watch failed later.\n",
	      f);
}

struct out {
	bool json;
};

static void print_event(void *arg, const struct dw_event *ev)
{
	const struct out *o = arg;
	char line[4096];

	if (o->json)
		dw_format_json(ev, line, sizeof(line));
	else
		dw_format_text(ev, line, sizeof(line));
	puts(line);
}

struct entries {
	char **v;
	size_t n, cap;
};

static void collect(void *arg, const char *dir, const char *name,
		    const struct dw_attrs *a)
{
	struct entries *e = arg;

	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 256;
		e->v = realloc(e->v, e->cap * sizeof(*e->v));
		if (!e->v)
			abort();
	}
	if (asprintf(&e->v[e->n], "%s%s%s", dir, name,
		     (a->have & DW_A_TYPE) && a->type == 2 ? "/" : "") < 0)
		abort();
	e->n++;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read again, report differences as events, print the listing. */
static int verify(struct dw_watch *w, const struct out *o)
{
	struct entries e = { 0 };
	struct dw_event ev;
	unsigned int ndiff;
	size_t i;
	int rc = dw_verify(w, &ndiff);

	while (dw_read(w, &ev, 0) > 0)
		print_event((void *)o, &ev);
	if (rc < 0) {
		fprintf(stderr, "ditto-watch: verify: cannot read again\n");
		return 3;
	}
	dw_listing(w, collect, &e);
	qsort(e.v, e.n, sizeof(*e.v), by_str);
	fprintf(stderr, "ditto-watch: final listing, %zu entries (%s)\n", e.n,
		rc ? "differed from the server's: events above" :
		     "equal to the server's");
	for (i = 0; i < e.n; i++) {
		puts(e.v[i]);
		free(e.v[i]);
	}
	free(e.v);
	return rc ? 3 : 0;
}

static void notice(void *arg, const char *msg)
{
	fprintf(stderr, "ditto-watch: %s\n", msg);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "events", required_argument, NULL, 'e' },
		{ "interval", required_argument, NULL, 'i' },
		{ "poll", no_argument, NULL, 'p' },
		{ "uid", required_argument, NULL, 'u' },
		{ "gid", required_argument, NULL, 'g' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verify", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dw_options o = { .notice = notice };
	struct out out = { false };
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec end = { 0 }, now;
	bool do_verify = false;
	struct dw_watch *w;
	struct dw_event ev;
	char err[512];
	long timeout = 0;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "jre:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			out.json = true;
			break;
		case 'r':
			o.recursive = true;
			break;
		case 'e':
			if (dw_parse_events(optarg, &o.events)) {
				fprintf(stderr, "ditto-watch: --events: "
					"create,delete,move,attrib, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'i':
			o.interval_ms = strtoul(optarg, NULL, 10);
			break;
		case 'p':
			o.poll_only = true;
			break;
		case 'u':
			o.uid = strtoul(optarg, NULL, 10);
			break;
		case 'g':
			o.gid = strtoul(optarg, NULL, 10);
			break;
		case 't':
			timeout = strtol(optarg, NULL, 10);
			break;
		case 'V':
			do_verify = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	o.target = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (dw_open(&o, &w, err, sizeof(err))) {
		fprintf(stderr, "ditto-watch: %s\n", err);
		return 1;
	}
	fprintf(stderr, "ditto-watch: watching %s (%s)\n", o.target,
		dw_delegated(w) ? "directory delegation, CB_NOTIFY" :
				  "polling");
	if (timeout > 0) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += timeout;
	}
	while (!stop) {
		c = dw_read(w, &ev, 200);
		if (c < 0) {
			fprintf(stderr, "ditto-watch: %s\n", dw_error(w));
			rc = 4;
			break;
		}
		if (c > 0)
			print_event(&out, &ev);
		if (timeout > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec >= end.tv_sec)
				break;
		}
	}
	/* What came before the stop is still told. */
	while (!rc && dw_read(w, &ev, 0) > 0)
		print_event(&out, &ev);
	if (do_verify && !rc)
		rc = verify(w, &out);
	dw_close(w);
	return rc;
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * A program embedding libdittowatch, built only from the installed
 * header and pkg-config file (watch/tests/pkgconfig.sh): prints the
 * first COUNT events of HOST[:PORT]:/PATH, or why it cannot watch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <dittowatch.h>

int main(int argc, char **argv)
{
	struct dw_options o = { 0 };
	struct dw_watch *w;
	struct dw_event ev;
	char err[512], line[2048];
	int n;

	if (argc != 3) {
		fprintf(stderr, "usage: embed HOST[:PORT]:/PATH COUNT\n");
		return 2;
	}
	o.target = argv[1];
	if (dw_open(&o, &w, err, sizeof(err))) {
		printf("cannot watch: %s\n", err);
		return 1;
	}
	for (n = atoi(argv[2]); n > 0 && dw_read(w, &ev, 10000) > 0; n--) {
		dw_format_text(&ev, line, sizeof(line));
		puts(line);
	}
	dw_close(w);
	return n ? 1 : 0;
}

// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Ganesha's logging, for the XDR targets only: nfsv41.h's decoders log
 * through log.h, whose implementation (and its config, threads and
 * globals) lives in libganesha_nfsd.  The targets need only its two
 * symbols: per-component levels (NIV_NULL: the decoders' LogDebug
 * lines stay silent, as in a daemon at its default level) and the
 * printer, which writes to stderr should a level be raised.
 */
#include <stdarg.h>
#include <stdio.h>

#include "config.h"
#include "log.h"

static log_levels_t levels[COMPONENT_COUNT];
log_levels_t *component_log_level = levels;

void DisplayLogComponentLevel(log_components_t component, const char *file,
			      int line, const char *function,
			      log_levels_t level, const char *format, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d %s: ", file, line, function);
	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
	fputc('\n', stderr);
}

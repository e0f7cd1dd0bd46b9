// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Events as text: inotifywait -m lines and JSON objects.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "dittowatch.h"

static const struct {
	unsigned int kind;
	const char *name;
} kinds[] = {
	{ DW_CREATE, "CREATE" },	 { DW_DELETE, "DELETE" },
	{ DW_MOVED_FROM, "MOVED_FROM" }, { DW_MOVED_TO, "MOVED_TO" },
	{ DW_ATTRIB, "ATTRIB" },
};

static const struct {
	const char *word;
	unsigned int mask;
} words[] = {
	{ "create", DW_CREATE }, { "delete", DW_DELETE },
	{ "move", DW_MOVE },	 { "moved_from", DW_MOVED_FROM },
	{ "moved_to", DW_MOVED_TO }, { "attrib", DW_ATTRIB },
	{ "all", DW_ALL },
};

const char *dw_kind_name(unsigned int kind)
{
	unsigned int i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "UNKNOWN";
}

int dw_parse_events(const char *s, unsigned int *mask)
{
	const char *p = s;

	*mask = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		unsigned int i;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i].word) == n &&
			    !strncasecmp(words[i].word, p, n))
				break;
		if (i == sizeof(words) / sizeof(words[0]))
			return -1;
		*mask |= words[i].mask;
		p += n;
		if (*p == ',')
			p++;
	}
	return *mask ? 0 : -1;
}

int dw_format_text(const struct dw_event *ev, char *buf, size_t len)
{
	return snprintf(buf, len, "%s %s%s %s", ev->dir,
			dw_kind_name(ev->kind), ev->isdir ? ",ISDIR" : "",
			ev->name);
}

/* s as a JSON string (quotes included) at buf + *off. */
static void json_str(char *buf, size_t len, size_t *off, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

#define PUT(...)                                                         \
	do {                                                             \
		int n_ = snprintf(buf + *off, *off < len ? len - *off : 0, \
				  __VA_ARGS__);                          \
		*off += n_ > 0 ? n_ : 0;                                 \
	} while (0)
	PUT("\"");
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			PUT("\\%c", *p);
		else if (*p < 0x20)
			PUT("\\u%04x", *p);
		else
			PUT("%c", *p);
	}
	PUT("\"");
}

static const char *type_name(uint32_t t)
{
	static const char *const names[] = { "?",   "file", "dir",  "blk",
					     "chr", "lnk",  "sock", "fifo" };

	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

static const char *source_name(enum dw_source s)
{
	return s == DW_SRC_NOTIFY ? "notify" :
	       s == DW_SRC_REREAD ? "reread" : "poll";
}

int dw_format_json(const struct dw_event *ev, char *buf, size_t len)
{
	const struct dw_attrs *a = &ev->attrs;
	struct tm tm;
	char ts[64];
	size_t o = 0, *off = &o;

	gmtime_r(&ev->time.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	PUT("{\"event\":\"%s\",\"dir\":", dw_kind_name(ev->kind));
	json_str(buf, len, off, ev->dir);
	PUT(",\"name\":");
	json_str(buf, len, off, ev->name);
	if (ev->kind == DW_MOVED_TO && ev->old_name[0]) {
		PUT(",\"old_name\":");
		json_str(buf, len, off, ev->old_name);
	}
	if (ev->cookie)
		PUT(",\"cookie\":%u", ev->cookie);
	PUT(",\"time\":\"%s.%06ldZ\",\"source\":\"%s\",\"attrs\":{", ts,
	    ev->time.tv_nsec / 1000, source_name(ev->source));
	{
		const char *sep = "";

		if (a->have & DW_A_TYPE) {
			PUT("\"type\":\"%s\"", type_name(a->type));
			sep = ",";
		}
		if (a->have & DW_A_MODE) {
			PUT("%s\"mode\":\"%04o\"", sep, a->mode);
			sep = ",";
		}
		if (a->have & DW_A_FILEID) {
			PUT("%s\"fileid\":%llu", sep,
			    (unsigned long long)a->fileid);
			sep = ",";
		}
		if (a->have & DW_A_SIZE) {
			PUT("%s\"size\":%llu", sep,
			    (unsigned long long)a->size);
			sep = ",";
		}
		if (a->have & DW_A_NLINK)
			PUT("%s\"nlink\":%u", sep, a->nlink);
	}
	PUT("}}");
#undef PUT
	return (int)o;
}

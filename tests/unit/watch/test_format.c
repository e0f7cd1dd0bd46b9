// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Events as text: the inotifywait -m line, the JSON object (escaping,
 * attributes, rename fields) and the --events list.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "dittowatch.h"

static struct dw_event ev(unsigned int kind, const char *name, bool isdir)
{
	struct dw_event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	strcpy(e.dir, "/ditto/spool/");
	strcpy(e.name, name);
	e.isdir = isdir;
	e.time.tv_sec = 1765000000;
	e.time.tv_nsec = 123456000;
	return e;
}

Test(format, text_is_the_inotifywait_line)
{
	struct dw_event e = ev(DW_CREATE, "job 1", false);
	char buf[256];

	dw_format_text(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "/ditto/spool/ CREATE job 1");
	e = ev(DW_DELETE, "d", true);
	dw_format_text(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "/ditto/spool/ DELETE,ISDIR d");
	e = ev(DW_MOVED_FROM, "a", false);
	dw_format_text(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "/ditto/spool/ MOVED_FROM a");
}

Test(format, json_has_the_fields_escaped)
{
	struct dw_event e = ev(DW_MOVED_TO, "q\"\\\n", false);
	char buf[1024];

	strcpy(e.old_name, "old");
	e.cookie = 42;
	e.attrs.have = DW_A_TYPE | DW_A_MODE | DW_A_FILEID;
	e.attrs.type = 1;
	e.attrs.mode = 0640;
	e.attrs.fileid = 77;
	dw_format_json(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf,
		"{\"event\":\"MOVED_TO\",\"dir\":\"/ditto/spool/\","
		"\"name\":\"q\\\"\\\\\\u000a\",\"old_name\":\"old\","
		"\"cookie\":42,\"time\":\"2025-12-06T05:46:40.123456Z\","
		"\"source\":\"notify\",\"attrs\":{\"type\":\"file\","
		"\"mode\":\"0640\",\"fileid\":77}}");
}

Test(format, json_truncates_safely)
{
	struct dw_event e = ev(DW_CREATE, "abcdef", false);
	char buf[16];

	cr_assert_gt(dw_format_json(&e, buf, sizeof(buf)), 15);
	cr_assert_eq(strlen(buf), 15);
}

Test(format, events_list)
{
	unsigned int m;

	cr_assert_eq(dw_parse_events("create,delete", &m), 0);
	cr_assert_eq(m, DW_CREATE | DW_DELETE);
	cr_assert_eq(dw_parse_events("move,ATTRIB", &m), 0);
	cr_assert_eq(m, DW_MOVE | DW_ATTRIB);
	cr_assert_eq(dw_parse_events("all", &m), 0);
	cr_assert_eq(m, DW_ALL);
	cr_assert_eq(dw_parse_events("create,bogus", &m), -1);
	cr_assert_eq(dw_parse_events("", &m), -1);
	cr_assert_str_eq(dw_kind_name(DW_MOVED_FROM), "MOVED_FROM");
}

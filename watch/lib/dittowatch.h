/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libdittowatch: watch a directory of an NFSv4.1 server, as inotify
 * watches a local one.  It is a client of its own (client ID, session,
 * back channel): it holds a directory delegation with notifications
 * (RFC 8881 GET_DIR_DELEGATION, CB_NOTIFY) where the server grants one,
 * reads the directory again and reports the difference on a recall, and
 * polls READDIR where no delegation is to be had.
 *
 *	struct dw_options o = { .target = "127.0.0.1:2049:/ditto/spool" };
 *	struct dw_watch *w;
 *	struct dw_event ev;
 *	char err[256];
 *
 *	if (dw_open(&o, &w, err, sizeof(err)))
 *		errx(1, "%s", err);
 *	while (dw_read(w, &ev, -1) > 0)
 *		puts(ev.name);
 *	dw_close(w);
 *
 * dw_fd() is readable while events wait, for a poll loop of one's own.
 */
#ifndef DITTOWATCH_H
#define DITTOWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Event kinds, also the bits of dw_options.events. */
#define DW_CREATE 0x01u
#define DW_DELETE 0x02u
#define DW_MOVED_FROM 0x04u
#define DW_MOVED_TO 0x08u
#define DW_ATTRIB 0x10u
#define DW_MOVE (DW_MOVED_FROM | DW_MOVED_TO)
#define DW_ALL (DW_CREATE | DW_DELETE | DW_MOVE | DW_ATTRIB)

#define DW_NAME_MAX 256
#define DW_PATH_MAX 1024

/* Which members of struct dw_attrs are known. */
#define DW_A_TYPE 0x01u
#define DW_A_MODE 0x02u
#define DW_A_FILEID 0x04u
#define DW_A_SIZE 0x08u
#define DW_A_NLINK 0x10u

/* Attributes of an entry, as the server sent them. */
struct dw_attrs {
	unsigned int have;	/* DW_A_* */
	uint32_t type;		/* NFSv4 nfs_ftype4: 1 file, 2 directory ... */
	uint32_t mode;		/* permission bits with set-ID and sticky */
	uint64_t fileid, size;
	uint32_t nlink;
};

/* Where an event came from. */
enum dw_source {
	DW_SRC_NOTIFY,	/* a CB_NOTIFY */
	DW_SRC_REREAD,	/* the difference after a recall, refusal, reconnect */
	DW_SRC_POLL,	/* the difference between two polls */
};

struct dw_event {
	unsigned int kind;		/* one DW_* kind */
	char dir[DW_PATH_MAX];		/* watched directory, ends in '/' */
	char name[DW_NAME_MAX];
	/* DW_MOVED_TO: the name it had (empty when not known) */
	char old_name[DW_NAME_MAX];
	/* Same non-zero value in the MOVED_FROM / MOVED_TO of one rename */
	uint32_t cookie;
	struct timespec time;		/* CLOCK_REALTIME when learnt */
	struct dw_attrs attrs;		/* the entry's, after the change */
	bool isdir;
	enum dw_source source;
};

struct dw_options {
	/* HOST[:PORT]:/PATH; PORT defaults to 2049 */
	const char *target;
	/* AUTH_SYS identity of the calls (0, 0: root) */
	uint32_t uid, gid;
	/* DW_* kinds to report; 0: all */
	unsigned int events;
	/* Watch the directories below too (within what the server grants) */
	bool recursive;
	/* Polling period when no delegation is to be had, ms (0: 1000) */
	unsigned int interval_ms;
	/* Never ask for a delegation: poll only */
	bool poll_only;
	/* Notices for a person (polling fallback, reconnects); NULL: none */
	void (*notice)(void *arg, const char *msg);
	void *notice_arg;
};

struct dw_watch;

/*
 * Connect, look the path up, read the directory and start watching.  0,
 * or a negative errno with a one-line reason in err: a bad address, no
 * such path, not a directory, a server that refuses.
 */
int dw_open(const struct dw_options *o, struct dw_watch **w, char *err,
	    size_t errlen);
/* Stop watching, return the delegations, end the session. */
void dw_close(struct dw_watch *w);

/* Readable while events wait (level triggered). */
int dw_fd(struct dw_watch *w);
/*
 * The next event: 1 with *ev set, 0 when none came within timeout_ms
 * (-1: wait for ever), a negative errno when the watch failed for good
 * (dw_error() says why).
 */
int dw_read(struct dw_watch *w, struct dw_event *ev, int timeout_ms);
typedef void (*dw_event_fn)(void *arg, const struct dw_event *ev);
/* dw_read() into fn until *stop is set or the watch fails. */
int dw_run(struct dw_watch *w, dw_event_fn fn, void *arg,
	   volatile const int *stop);
/* Why the watch failed ("" while it has not). */
const char *dw_error(struct dw_watch *w);
/* True while it holds a delegation on the watched directory. */
bool dw_delegated(struct dw_watch *w);

/* What a watch did so far. */
struct dw_stats {
	unsigned long cb_notify;	/* CB_NOTIFY calls */
	unsigned long notifications;	/* notifications in them */
	unsigned long recalls;		/* CB_RECALLs of its delegations */
	unsigned long granted;		/* GET_DIR_DELEGATION granted */
	unsigned long refused;		/* ... refused (GDD4_UNAVAIL, errors) */
	unsigned long rereads;		/* directories read again */
	unsigned long polls;		/* directories polled */
	unsigned long reconnects;	/* connections bound to the session */
	unsigned long cut_calls;	/* calls cut off (their work redone) */
	unsigned long new_clients;	/* client IDs made after a restart */
	unsigned long events;		/* events queued */
};
void dw_get_stats(struct dw_watch *w, struct dw_stats *st);

/* The watcher's own listing now: fn for each entry of each directory. */
typedef void (*dw_entry_fn)(void *arg, const char *dir, const char *name,
			    const struct dw_attrs *a);
void dw_listing(struct dw_watch *w, dw_entry_fn fn, void *arg);
/*
 * Read the watched directories again and compare with the listing;
 * 0 when equal, 1 when not (the difference is reported as events and
 * the count of differences in *ndiff), negative errno on failure.
 */
int dw_verify(struct dw_watch *w, unsigned int *ndiff);

/* "CREATE", "MOVED_FROM", ... */
const char *dw_kind_name(unsigned int kind);
/* Parse "create,delete,move,attrib" into DW_* bits; -1 if unknown. */
int dw_parse_events(const char *s, unsigned int *mask);
/* The inotifywait -m line ("DIR/ CREATE,ISDIR name"), no newline. */
int dw_format_text(const struct dw_event *ev, char *buf, size_t len);
/* One JSON object, no newline. */
int dw_format_json(const struct dw_event *ev, char *buf, size_t len);

/*
 * A listing (name -> attributes) with events applied to it: what a
 * program that keeps its own copy does, and how tests replay events.
 */
struct dw_list;
struct dw_list *dw_list_new(void);
void dw_list_free(struct dw_list *l);
/* Insert or replace. */
void dw_list_put(struct dw_list *l, const char *name, const struct dw_attrs *a);
bool dw_list_del(struct dw_list *l, const char *name);
void dw_list_clear(struct dw_list *l);
const struct dw_attrs *dw_list_get(const struct dw_list *l, const char *name);
unsigned int dw_list_count(const struct dw_list *l);
/* fn for each entry, in no order; dir is passed through. */
void dw_list_each(const struct dw_list *l, const char *dir, dw_entry_fn fn,
		  void *arg);
/* Apply one event (of any source) as the watcher itself does. */
void dw_list_apply(struct dw_list *l, const struct dw_event *ev);
/*
 * Equal names, types and modes (and file IDs when both know them);
 * when not, the first difference in why.
 */
bool dw_list_equal(const struct dw_list *a, const struct dw_list *b,
		   char *why, size_t len);

#ifdef __cplusplus
}
#endif

#endif

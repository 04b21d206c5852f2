/* logline - parse one Postfix log line into a structured event
 *
 * Accepts classic syslog lines (`Nov 22 12:57:38 host prog[pid]: text`) and
 * RFC 3339 lines (`2026-11-22T12:57:38.123456+01:00 host prog[pid]: text`,
 * rsyslog high precision or journald export), any `syslog_name/service`
 * program (`postfix/smtp`, `postfix-slow/smtp`, `postfix/submission/smtpd`),
 * short and long queue IDs.
 *
 * Parsing never copies: every text field is a span pointing into the line,
 * valid while the line is. The parser keeps a small clock cache so that
 * turning wall-clock stamps into epoch seconds costs one mktime() per hour
 * of log, not one per line. Lines that are not understood come back as
 * LOG_UNPARSED (not syslog-shaped) or LOG_OTHER (a line of no interest) and
 * are counted by the caller; nothing is fatal.
 */
#ifndef MQMON_LOGLINE_H
#define MQMON_LOGLINE_H

#include <stddef.h>
#include <time.h>

#include "core/postfix/queue_id.h"

struct span {
	const char *p;
	size_t n;
};

enum log_kind {
	LOG_UNPARSED,		/* not a syslog line at all */
	LOG_OTHER,		/* syslog line of no interest to mqmon */
	LOG_DELIVERY,		/* ID: to=<..>, relay=.., dsn=.., status=.. (reason) */
	LOG_QUEUED,		/* qmgr ID: from=<..>, size=N, nrcpt=N (queue active) */
	LOG_EXPIRED,		/* qmgr ID: from=<..>, status=expired, returned to sender */
	LOG_REMOVED,		/* qmgr or postsuper ID: removed */
	LOG_PICKUP,		/* pickup ID: uid=N from=<..> [orig_id=OLD] */
	LOG_MESSAGE_ID,		/* cleanup ID: message-id=<..> */
	LOG_CLIENT,		/* smtpd ID: client=host[ip] */
	LOG_HOLD,		/* postsuper ID: placed on hold */
	LOG_RELEASE,		/* postsuper ID: released from hold */
	LOG_REQUEUE,		/* postsuper ID: requeued */
	LOG_ATTEMPT_NOTE,	/* ID: host X said: ... (failure at a non-final MX, no status=) */
	LOG_RETRY_SKIP,		/* Exim `== addr ... defer (-52..)`: a queue run skipped the address
				 * (retry time not reached ...): no attempt was made, not a deferral */
	LOG_KIND_COUNT
};

enum delivery_status {
	STATUS_NONE,
	STATUS_DEFERRED,
	STATUS_SENT,
	STATUS_BOUNCED,
	STATUS_EXPIRED,
	STATUS_OTHER
};

struct log_event {
	enum log_kind kind;
	time_t time;		/* epoch seconds */
	long usec;		/* fraction, when the stamp had one */
	struct span host;	/* syslog host name */
	struct span syslog_name;	/* "postfix", "postfix-slow" */
	struct span service;	/* "smtp", "qmgr", "error" ... */
	long pid;
	char queue_id[QUEUE_ID_MAX + 1];	/* empty when the line has none */
	struct span text;	/* everything after "ID: " (or after "prog[pid]: ") */

	/* deliveries */
	struct span to, orig_to, relay, dsn, reason, status_word;
	enum delivery_status status;
	double delay;
	double delays[4];

	/* qmgr from= / pickup */
	struct span from;
	long size;
	int nrcpt;
	long uid;
	struct span orig_id;

	/* cleanup */
	struct span message_id;
};

/* Clock cache and year inference for stamps without a year. */
struct log_clock {
	int ref_year;		/* year of the reference time */
	int ref_mon;		/* month (0-11) of the reference time */
	long cache_key;		/* (year, mon, day, hour) of the cached value */
	time_t cache_base;	/* epoch of that hour */
};

/* log_clock_init - set the reference time used to infer years (usually the file's mtime or now) */
void log_clock_init(struct log_clock *clock, time_t reference);

/* log_clock_local - epoch of a local wall-clock time (mon 0-11), one mktime() per hour of stamps
 * (shared with the other MTAs' log parsers, core/exim/exim_log) */
time_t log_clock_local(struct log_clock *clock, int year, int mon, int day, int hour, int min, int sec);

/* logline_parse - parse line[0..len) (no newline) into ev; returns ev->kind */
enum log_kind logline_parse(struct log_clock *clock, const char *line, size_t len,
			    struct log_event *ev);

/* log_kind_name - short name of a kind, for statistics */
const char *log_kind_name(enum log_kind kind);

/* delivery_status_name - "deferred", "sent" ... */
const char *delivery_status_name(enum delivery_status status);

/* span_eq - true when the span equals the NUL-terminated string */
int span_eq(struct span s, const char *str);

/* span_copy - copy a span into a buffer (truncated, NUL-terminated) */
size_t span_copy(char *dst, size_t dstsz, struct span s);

#endif

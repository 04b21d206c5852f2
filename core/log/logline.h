/* logline - one MTA log line as an MTA-neutral event, and the dialect that reads it
 *
 * Each MTA backend brings its log dialect (struct log_dialect: Postfix's
 * syslog lines in core/postfix/postfix_log, Exim's main log in core/exim):
 * a parser into the shared struct log_event and a cheap "could this be a
 * deferral" test. A struct log_clock carries the dialect of the file it
 * reads; a clock without one tries the registered dialects
 * (log_dialects_set, from core/mta/registry) and keeps the first that
 * understands a line, so `mqmon classify FILE` reads either MTA's log.
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

#include "core/base/vocab.h"	/* enum delivery_status */
#include "core/classify/reply.h"

/* longest queue ID of any MTA (Postfix long IDs, Exim 4.97+'s 23 characters), NUL excluded */
#define QUEUE_ID_MAX 32

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
	enum smtp_stage stage;	/* where the reply came, when the dialect knows it and the reason does not
				 * say it (Exim logs the stage before the reply); STAGE_UNKNOWN otherwise */
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

struct log_clock;

/* log_dialect - how one MTA writes its log (an entry of the MTA contract, core/mta/mta.h) */
struct log_dialect {
	const char *name;
	/* parse - line[0..len) (no newline) into ev (zeroed first); returns ev->kind, LOG_UNPARSED for a
	 * line that is not this dialect's */
	enum log_kind (*parse)(struct log_clock *clock, const char *line, size_t len, struct log_event *ev);
	/* maybe_deferral - false only when the line cannot be a deferral (a memmem before parsing) */
	int (*maybe_deferral)(const char *line, size_t len);
	/* id_valid - s[0..len) is one of this MTA's queue IDs (the grammar an ID typed by an operator is
	 * checked against before it reaches an MTA command) */
	int (*id_valid)(const char *s, size_t len);
};

/* Clock cache and year inference for stamps without a year; the file's dialect. */
struct log_clock {
	int ref_year;		/* year of the reference time */
	int ref_mon;		/* month (0-11) of the reference time */
	long cache_key;		/* (year, mon, day, hour) of the cached value */
	time_t cache_base;	/* epoch of that hour */
	const struct log_dialect *dialect;	/* NULL until known: logline_parse tries each */
};

/* log_clock_init - set the reference time used to infer years (usually the file's mtime or now); no dialect */
void log_clock_init(struct log_clock *clock, time_t reference);

/* log_clock_local - epoch of a local wall-clock time (mon 0-11), one mktime() per hour of stamps
 * (shared by the dialects' parsers) */
time_t log_clock_local(struct log_clock *clock, int year, int mon, int day, int hour, int min, int sec);

/* log_dialects_set - the dialects a clock without one tries, NULL-terminated (set once at start) */
void log_dialects_set(const struct log_dialect *const *list);

/* logline_parse - parse line[0..len) (no newline) into ev with the clock's dialect (found on the first
 * line one understands when the clock has none); returns ev->kind */
enum log_kind logline_parse(struct log_clock *clock, const char *line, size_t len,
			    struct log_event *ev);

/* logline_maybe_deferral - false only when the line cannot be a deferral in the clock's dialect */
int logline_maybe_deferral(const struct log_clock *clock, const char *line, size_t len);

/* log_digits - exactly n decimal digits at p (before end) as a number; -1 when not digits */
int log_digits(const char *p, const char *end, int n);

/* log_month_index - "Jan".."Dec" at p to 0..11, -1 otherwise (p has 3 bytes) */
int log_month_index(const char *p);

/* log_days_from_civil - days since 1970-01-01 of a proleptic Gregorian date (m 1-12) */
long log_days_from_civil(long y, int m, int d);

/* log_fraction - optional ".digits" at p: microseconds into *usec; the position after it */
const char *log_fraction(const char *p, const char *end, long *usec);

/* log_kind_name - short name of a kind, for statistics */
const char *log_kind_name(enum log_kind kind);

/* span_eq - true when the span equals the NUL-terminated string */
int span_eq(struct span s, const char *str);

/* span_copy - copy a span into a buffer (truncated, NUL-terminated) */
size_t span_copy(char *dst, size_t dstsz, struct span s);

#endif

/* exim_retry - Exim's retry hints database (as exim_dumpdb prints it) and its retry rules
 *
 * Exim keeps no retry time per message: `SPOOL/db/retry` holds one record
 * per failing destination, and `exim_dumpdb SPOOL retry` prints each as
 *
 *     KEY ERRNO MORE_ERRNO TEXT
 *   FIRST_FAILED  LAST_TRY  NEXT_TRY[ *]
 *
 * (dates `%d-%b-%Y %H:%M:%S` in local time, ` *` when the destination is
 * past its final cutoff). Keys (Exim's deliver.c, retry.c):
 *   R:local@domain:<sender>    an address deferred by the remote (4xx at RCPT)
 *   R:local@domain             the same without address_retry_include_sender
 *   R:domain                   routing deferred (a `:defer:` router, DNS)
 *   T:host:ip[:port]           a host failing (greeting, connection); the port
 *                              only when not 25, an IPv6 address in [..],
 *                              4.98 writes a bare-IP host name as [ip]
 *   T:host:ip[:port]:MSGID     a host failing for one message (4xx after MAIL
 *                              FROM or the data)
 *
 * exim_retry_db_parse() reads the dump into records and an index; lines it
 * cannot read (exim_dumpdb's own `**` complaints, a cut record) are counted
 * and skipped. exim_retry_next() answers, for one message, the earliest
 * next_try among the records that name it: its pending recipients' R:
 * records (with and without its sender, and their domains'), the T: records
 * carrying its ID, and the T: records of hosts the caller knows its
 * recipients route to. Routing is Exim's (MX lookups, manualroute): this
 * module does not guess it, so host-level T: records count only through the
 * host keys given; without them a message deferred at the greeting has no
 * record here. With no record at all, Exim tries the message at its next
 * queue run. When one recipient has several records (an address record and
 * a host record), its real attempt waits for the latest of them: the
 * earliest is when Exim first looks at the message again, a lower bound.
 * Keys are compared without regard to case, except a trailing message ID.
 *
 * Retry rules: `F,2h,15m; G,16h,1h,1.5; F,4d,6h` (also as `exim -brt`
 * prints them: `Retry rule: *  *  F,2h,15m; ...`). exim_retry_rules_next()
 * is retry.c's computation of the next try after a failure: the first rule
 * whose cutoff the failing interval has not passed (counted from the
 * record's first failure, or from the message's arrival when that is
 * earlier, for address records); F: now + interval; G: the last gap (the
 * smaller of the predicted and the actual one) times the factor, at least
 * the interval; H: as G with a random part, of which the earliest time is
 * given; then capped at retry_interval_max. Past the last cutoff the address
 * has timed out: it bounces at that attempt.
 */
#ifndef MQMON_EXIM_RETRY_H
#define MQMON_EXIM_RETRY_H

#include <stddef.h>
#include <time.h>

#include "core/base/why.h"
#include "core/exim/exim_id.h"

#define EXIM_RETRY_INTERVAL_MAX 86400	/* Exim's default retry_interval_max (1d) */
#define EXIM_RETRY_MAX_RULES 16
#define EXIM_RETRY_SIM_STEPS 10000	/* exim_retry_rules_estimate: failures simulated at most */

struct exim_retry_rec {
	char type;			/* 'R' or 'T' */
	char *key;			/* the whole key, as printed */
	int basic_errno, more_errno;
	char *text;			/* Exim's message (Exim keeps at most 150 bytes of it) */
	time_t first_failed, last_try, next_try;
	int expired;			/* " *": past the final cutoff */
	char msgid[EXIM_ID_MAX + 1];	/* T:...:MSGID records: that message's ID, else "" */
};

struct exim_retry_db {
	struct exim_retry_rec *recs;
	size_t n;
	struct exim_retry_index *index;	/* sorted normalised keys */
	size_t n_index;
	const struct exim_retry_rec **by_msgid;	/* records with a msgid, sorted by it */
	size_t n_msgid;
	unsigned long long bad;		/* lines that were no part of a record */
};

struct exim_retry_query {
	const char *id;			/* the message ID */
	const char *sender;		/* envelope sender, "" for <> */
	const char *const *rcpts;	/* its pending recipients */
	size_t nrcpts;
	const char *const *host_keys;	/* "host:ip[:port]" (a leading "T:" is allowed) of the hosts its pending
					 * recipients route to, when the caller knows them; may be NULL */
	size_t nhost_keys;
};

struct exim_retry_rule {
	char kind;			/* 'F', 'G' or 'H' */
	long timeout;			/* cutoff: seconds of failure this rule covers */
	long p1;			/* interval (F) or first interval (G, H) */
	long p2;			/* G, H: the factor times 1000 (1.5 = 1500) */
};

struct exim_retry_rules {
	struct exim_retry_rule r[EXIM_RETRY_MAX_RULES];
	size_t n;
};

/* exim_retry_db_parse - read exim_dumpdb's retry output in buf[0..len) into an empty db; 0, or -1 with why
 * (out of memory; errno ENOMEM). Unreadable lines are counted in db->bad. */
int exim_retry_db_parse(const char *buf, size_t len, struct exim_retry_db *db, struct why *why);

/* exim_retry_db_free - release the records and the index, leave db empty */
void exim_retry_db_free(struct exim_retry_db *db);

/* exim_retry_find - the record with this key (case-insensitive except a trailing message ID), NULL when none */
const struct exim_retry_rec *exim_retry_find(const struct exim_retry_db *db, const char *key);

/* exim_retry_next - the earliest next_try of the records that apply to the message (see above); 0 when none
 * does. *which (may be NULL) gets that record. */
time_t exim_retry_next(const struct exim_retry_db *db, const struct exim_retry_query *q,
		       const struct exim_retry_rec **which);

/* exim_retry_rules_parse - a rule list ("F,2h,15m; G,16h,1h,1.5; F,4d,6h" or exim -brt's line); 0, or -1 with why */
int exim_retry_rules_parse(const char *text, struct exim_retry_rules *rules, struct why *why);

/* exim_retry_rules_cutoff - the final cutoff of a record: its first failure (or the message's arrival when
 * earlier and not a host record; arrival 0 = unknown) plus the longest rule timeout; 0 without rules */
time_t exim_retry_rules_cutoff(const struct exim_retry_rules *rules, time_t first_failed, time_t arrival, int host);

/* exim_retry_rules_next - the next_try Exim writes for a failure at now, from the record before it
 * (first_failed, last_try, next_try; for a first failure all three are now), the message's arrival (0 =
 * unknown) and whether it is a host record; interval_max <= 0 means EXIM_RETRY_INTERVAL_MAX. *timed_out (may
 * be NULL) is set when the destination is past its final cutoff. Without rules: now, timed out. */
time_t exim_retry_rules_next(const struct exim_retry_rules *rules, time_t first_failed, time_t last_try,
			     time_t next_try, time_t arrival, int host, time_t now, long interval_max, int *timed_out);

/* exim_retry_rules_estimate - the next_try after a failure at `failed`, when no record can be read: every
 * failure since first_failed is taken to have come exactly at its next_try (at most EXIM_RETRY_SIM_STEPS
 * of them); same other arguments as exim_retry_rules_next */
time_t exim_retry_rules_estimate(const struct exim_retry_rules *rules, time_t first_failed, time_t arrival, int host,
				 time_t failed, long interval_max, int *timed_out);

#endif

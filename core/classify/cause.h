/* cause - the fixed vocabulary of deferral causes
 *
 * These names are stable: they appear in the TUI, in `mqmon classify`
 * output, in snapshots and in the database (see doc/rules.md).
 */
#ifndef MQMON_CAUSE_H
#define MQMON_CAUSE_H

enum cause {
	CAUSE_RATE_LIMIT,
	CAUSE_REPUTATION,
	CAUSE_AUTH,
	CAUSE_PTR,
	CAUSE_TLS,
	CAUSE_GREYLISTING,
	CAUSE_CONNECTIONS,
	CAUSE_SERVER_BUSY,
	CAUSE_CONTENT,
	CAUSE_MAILBOX_FULL,
	CAUSE_POLICY,
	CAUSE_NETWORK,
	CAUSE_UNCLASSIFIED,
	CAUSE_COUNT
};

/* cause_name - "rate-limit" ... */
const char *cause_name(enum cause cause);

/* cause_from_name - inverse of cause_name; -1 when unknown */
int cause_from_name(const char *name);

#endif

/* vocab - mqmon's fixed vocabularies, each as one enum and one table of words
 *
 * Four small vocabularies cross module boundaries: the status of a delivery
 * attempt (log parsers, ingest, the store, the model), the verbs of the audit
 * trail (queue actions and throttle changes), throttle modes and the states
 * of a queued message that the history records. Each is an enum here and
 * its words are one table in vocab.c; everyone else passes the enum, and
 * the words appear only where people read or type them (the screen, the
 * command line, the audit trail's text) through the _name and _from
 * functions below. The history database (core/history/store) stores these
 * values too: delivery statuses and message states as their numbers,
 * audited verbs and throttle modes as their words, so the numbers and the
 * words of existing values are on disk. Append only, never reorder or
 * rename; tests/unit/test_vocab.c and test_store.c check every value
 * round-trips through its word and through the database.
 *
 * The words of an MTA's own log (Postfix's status=deferred) are that MTA's
 * dialect, parsed in its backend; they are not this vocabulary.
 *
 * Pure data: no dependencies, in core/base so that every layer can include it.
 */
#ifndef MQMON_VOCAB_H
#define MQMON_VOCAB_H

/* a delivery attempt's status; STATUS_DEFERRED..STATUS_EXPIRED are the codes of the history's
 * attempts.status (append a new status before STATUS_OTHER) */
enum delivery_status {
	STATUS_NONE = 0,	/* "": the line is no delivery */
	STATUS_DEFERRED = 1,	/* "deferred" */
	STATUS_SENT = 2,	/* "sent" */
	STATUS_BOUNCED = 3,	/* "bounced" */
	STATUS_EXPIRED = 4,	/* "expired" */
	STATUS_OTHER,		/* "other": a status mqmon does not know; never stored, stays last */
};

/* the verbs of the audit trail (the history's actions.action holds their words): the queue
 * actions first, in the order and with the values of enum action_kind, then throttle changes */
enum audit_verb {
	AUDIT_VERB_UNKNOWN = -1,	/* "?": read back, a word this mqmon does not know */
	AUDIT_RETRY,			/* "retry" */
	AUDIT_HOLD,			/* "hold" */
	AUDIT_RELEASE,			/* "release" */
	AUDIT_DELETE,			/* "delete" */
	AUDIT_REQUEUE,			/* "requeue" */
	AUDIT_THROTTLE,			/* "throttle" (also its --setup) */
	AUDIT_UNTHROTTLE,		/* "unthrottle" (also expiry) */
	AUDIT_VERB_COUNT
};

/* the operator actions on queued mail: the first verbs of enum audit_verb, same values and words */
enum action_kind {
	ACTION_RETRY = AUDIT_RETRY,
	ACTION_HOLD = AUDIT_HOLD,
	ACTION_RELEASE = AUDIT_RELEASE,
	ACTION_DELETE = AUDIT_DELETE,
	ACTION_REQUEUE = AUDIT_REQUEUE,
	ACTION_KIND_COUNT = AUDIT_THROTTLE
};

/* how a throttle holds back a domain's mail (the history's throttles.mode holds the word) */
enum throttle_mode {
	THROTTLE_MODE_UNKNOWN = -1,	/* "?": read back, a word this mqmon does not know */
	THROTTLE_SLOW,			/* "slow": one delivery at a time */
	THROTTLE_PAUSE,			/* "pause": no delivery */
	THROTTLE_MODE_COUNT
};

/* a queued message's state as the history records it; the codes of message_events.state */
enum message_state {
	MESSAGE_STATE_UNKNOWN = 0,	/* "?": never stored */
	MESSAGE_QUEUED = 1,		/* "queued" (also released from hold) */
	MESSAGE_HOLD = 2,		/* "hold" */
	MESSAGE_REMOVED = 3,		/* "removed" */
	MESSAGE_EXPIRED = 4,		/* "expired" */
	MESSAGE_DEFERRED = 5,		/* "deferred" */
	MESSAGE_STATE_COUNT
};

/* delivery_status_name - "deferred", "sent" ...; "" for STATUS_NONE, "other" for STATUS_OTHER and
 * values out of range */
const char *delivery_status_name(enum delivery_status status);

/* delivery_status_from - the status whose name is word; STATUS_OTHER for any other word or NULL */
enum delivery_status delivery_status_from(const char *word);

/* audit_verb_name - "retry" ... "unthrottle"; "?" for AUDIT_VERB_UNKNOWN and values out of range */
const char *audit_verb_name(enum audit_verb verb);

/* audit_verb_from - the verb whose name is word; AUDIT_VERB_UNKNOWN for any other word or NULL */
enum audit_verb audit_verb_from(const char *word);

/* action_kind_name - "retry" "hold" "release" "delete" "requeue"; "?" out of range */
const char *action_kind_name(enum action_kind kind);

/* action_kind_from - the queue action whose name is word; -1 for any other word (throttle and
 * unthrottle included) or NULL */
int action_kind_from(const char *word);

/* action_kind_verb - the audited verb of a queue action (the same value) */
enum audit_verb action_kind_verb(enum action_kind kind);

/* throttle_mode_name - "slow" or "pause"; "?" for THROTTLE_MODE_UNKNOWN and values out of range */
const char *throttle_mode_name(enum throttle_mode mode);

/* throttle_mode_from - the mode whose name is word; THROTTLE_MODE_UNKNOWN for any other word or NULL */
enum throttle_mode throttle_mode_from(const char *word);

/* message_state_name - "queued" "hold" "removed" "expired" "deferred"; "?" otherwise */
const char *message_state_name(enum message_state state);

/* message_state_from - the state whose name is word; MESSAGE_STATE_UNKNOWN for any other word or NULL */
enum message_state message_state_from(const char *word);

#endif

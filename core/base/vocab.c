/* vocab - mqmon's fixed vocabularies: the one table of words of each; see vocab.h */
#include "core/base/vocab.h"

#include <string.h>

#define COUNT(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* statuses[s] names enum delivery_status s */
static const char *const statuses[] = {
	[STATUS_NONE] = "",
	[STATUS_DEFERRED] = "deferred",
	[STATUS_SENT] = "sent",
	[STATUS_BOUNCED] = "bounced",
	[STATUS_EXPIRED] = "expired",
	[STATUS_OTHER] = "other",
};
_Static_assert(COUNT(statuses) == STATUS_OTHER + 1, "a word for every delivery status");

/* verbs[v] names enum audit_verb v */
static const char *const verbs[] = {
	[AUDIT_RETRY] = "retry",
	[AUDIT_HOLD] = "hold",
	[AUDIT_RELEASE] = "release",
	[AUDIT_DELETE] = "delete",
	[AUDIT_REQUEUE] = "requeue",
	[AUDIT_THROTTLE] = "throttle",
	[AUDIT_UNTHROTTLE] = "unthrottle",
};
_Static_assert(COUNT(verbs) == AUDIT_VERB_COUNT, "a word for every audited verb");

/* modes[m] names enum throttle_mode m */
static const char *const modes[] = {
	[THROTTLE_SLOW] = "slow",
	[THROTTLE_PAUSE] = "pause",
};
_Static_assert(COUNT(modes) == THROTTLE_MODE_COUNT, "a word for every throttle mode");

/* message_states[s] names enum message_state s (0: unknown) */
static const char *const message_states[] = {
	[MESSAGE_STATE_UNKNOWN] = "?",
	[MESSAGE_QUEUED] = "queued",
	[MESSAGE_HOLD] = "hold",
	[MESSAGE_REMOVED] = "removed",
	[MESSAGE_EXPIRED] = "expired",
	[MESSAGE_DEFERRED] = "deferred",
};
_Static_assert(COUNT(message_states) == MESSAGE_STATE_COUNT, "a word for every message state");

/* word_index - the index of word among words[0..n), -1 when absent or NULL */
static int word_index(const char *const *words, int n, const char *word)
{
	int i;

	for (i = 0; word != NULL && i < n; i++)
		if (strcmp(word, words[i]) == 0)
			return i;
	return -1;
}

/* delivery_status_name - "deferred", "sent" ...; "" for STATUS_NONE, "other" otherwise */
const char *delivery_status_name(enum delivery_status status)
{
	return (unsigned)status < (unsigned)COUNT(statuses) ? statuses[status] : statuses[STATUS_OTHER];
}

/* delivery_status_from - the status named word; STATUS_OTHER for any other word or NULL */
enum delivery_status delivery_status_from(const char *word)
{
	int i = word_index(statuses, COUNT(statuses), word);

	return i < 0 ? STATUS_OTHER : (enum delivery_status)i;
}

/* audit_verb_name - "retry" ... "unthrottle"; "?" for unknown values */
const char *audit_verb_name(enum audit_verb verb)
{
	return (unsigned)verb < (unsigned)COUNT(verbs) ? verbs[verb] : "?";
}

/* audit_verb_from - the verb named word; AUDIT_VERB_UNKNOWN for any other word or NULL */
enum audit_verb audit_verb_from(const char *word)
{
	int i = word_index(verbs, COUNT(verbs), word);

	return i < 0 ? AUDIT_VERB_UNKNOWN : (enum audit_verb)i;
}

/* action_kind_name - the queue action's name (its verb's); "?" out of range */
const char *action_kind_name(enum action_kind kind)
{
	return (unsigned)kind < ACTION_KIND_COUNT ? verbs[kind] : "?";
}

/* action_kind_from - the queue action named word; -1 for any other word or NULL */
int action_kind_from(const char *word)
{
	return word_index(verbs, ACTION_KIND_COUNT, word);
}

/* action_kind_verb - the audited verb of a queue action: the same value (vocab.h) */
enum audit_verb action_kind_verb(enum action_kind kind)
{
	return (enum audit_verb)kind;
}

/* throttle_mode_name - "slow" or "pause"; "?" for unknown values */
const char *throttle_mode_name(enum throttle_mode mode)
{
	return (unsigned)mode < (unsigned)COUNT(modes) ? modes[mode] : "?";
}

/* throttle_mode_from - the mode named word; THROTTLE_MODE_UNKNOWN for any other word or NULL */
enum throttle_mode throttle_mode_from(const char *word)
{
	int i = word_index(modes, COUNT(modes), word);

	return i < 0 ? THROTTLE_MODE_UNKNOWN : (enum throttle_mode)i;
}

/* message_state_name - "queued" ... "deferred"; "?" otherwise */
const char *message_state_name(enum message_state state)
{
	return (unsigned)state < (unsigned)COUNT(message_states) ? message_states[state] : "?";
}

/* message_state_from - the state named word; MESSAGE_STATE_UNKNOWN for any other word or NULL */
enum message_state message_state_from(const char *word)
{
	int i = word_index(message_states, COUNT(message_states), word);

	return i <= 0 ? MESSAGE_STATE_UNKNOWN : (enum message_state)i;
}

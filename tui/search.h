/* search - which messages of a model the "/" text matches, as one bit per message
 *
 * A message matches when the text is in its queue ID, sender, a recipient's
 * address, reply text or cause name (case-insensitive). The answer is kept
 * as a bitmap over the model's positions (m->msgs[i]) for one model version
 * and text: every view's rows and the message table test a bit instead of
 * the texts. The model's strings are interned, so each distinct sender,
 * address and reply is tested once per search (a memo by pointer), not once
 * per message. A longer text that contains the previous one (typing on:
 * "gmail" then "gmail.com") only tests the messages the previous text
 * matched. Pure: no curses (unit-tested).
 */
#ifndef MQMON_TUI_SEARCH_H
#define MQMON_TUI_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/queue/qmodel.h"

struct search_hits {
	uint64_t *bits;		/* bit i set: m->msgs[i] matches */
	size_t n;		/* messages the bits cover */
	size_t count;		/* messages that match */
	size_t tested;		/* messages the last search_hits_update tested (for the unit test) */
	unsigned long version;	/* qmodel.version they are of, 0 = none */
	char text[128];		/* the text they are of */
};

/* search_msg_matches - text is in the message's ID, sender, a recipient's address, reply or cause name */
int search_msg_matches(const struct qmsg *msg, const char *text);

/* search_hits_update - the hits of text over m (kept when they are of this version and text already;
 * refined from the previous ones when text contains their text); -1 out of memory (h is then empty) */
int search_hits_update(struct search_hits *h, const struct qmodel *m, const char *text);

/* search_hit - m->msgs[i] matches (h must be current: search_hits_update) */
static inline int search_hit(const struct search_hits *h, size_t i)
{
	return i < h->n && (h->bits[i >> 6] >> (i & 63) & 1);
}

/* search_hits_free - release the bits (h is empty afterwards) */
void search_hits_free(struct search_hits *h);

#endif

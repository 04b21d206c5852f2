/* qorder - the model's messages in the order of each sort key, kept with the model
 *
 * The console's message table is a pass over one of these orders, so a sort
 * key never sorts on a key press. Each order lists positions in m->msgs
 * (uint32: 4 bytes a message a key), ascending: smallest value first, ties in
 * queue ID order; a message without a retry time sorts last by retry. The
 * descending order of a key (largest first, ties still in ID order, no retry
 * still last) is derived from the ascending one in one pass
 * (qorder_descending).
 *
 * qmodel_finish builds every key's order for a whole model (on the build
 * worker, before the model is handed over). A later finish of the same model
 * (the console's live updates) mends the orders it has instead of sorting
 * again: positions are carried through the compaction, and only the messages
 * added since and the ones changed in place (qmodel_touch) are sorted and
 * merged back, each with a binary search, so a retry wave of 10,000 messages
 * costs a pass over each order, not a sort. The result is the order a fresh
 * sort gives (unit test). A partial model (READING) has none: the
 * console sorts one key itself when it shows one (qorder_build_key).
 */
#ifndef MQMON_QORDER_H
#define MQMON_QORDER_H

#include <stddef.h>
#include <stdint.h>

struct qmsg;
struct qmodel;

enum qorder_key { QORDER_RETRY, QORDER_AGE, QORDER_DOMAIN, QORDER_CAUSE, QORDER_ATTEMPTS, QORDER_SIZE,
		  QORDER_COUNT };

struct qorder {
	size_t n;			/* messages each order lists (the model's n when made) */
	uint32_t *asc[QORDER_COUNT];	/* positions in m->msgs, ascending */
};

/* qorder_cmp - compare two messages by key k (ascending), then queue ID */
int qorder_cmp(enum qorder_key k, const struct qmsg *a, const struct qmsg *b);

/* qorder_build_key - the ascending order of key k over msgs[0..n) into out (n entries); -1 out of memory */
int qorder_build_key(struct qmsg *const *msgs, size_t n, enum qorder_key k, uint32_t *out);

/* qorder_build - every key's order of msgs[0..n) (a new qorder, NULL out of memory) */
struct qorder *qorder_build(struct qmsg *const *msgs, size_t n);

#define QORDER_GONE UINT32_MAX		/* remap: the message left */
#define QORDER_CHANGED 0x80000000u	/* remap: new position | this: the message's keys may have changed */

/* qorder_update - mend o for msgs[0..n) after changes: remap maps every position the model had before
 * (nremap >= o->n of them) to its new one (QORDER_GONE: it left), marked QORDER_CHANGED when the
 * message was changed in place; positions from o->n on are messages added since. Only those and the
 * changed ones are sorted and merged in. -1 out of memory (o is then unchanged) */
int qorder_update(struct qorder *o, struct qmsg *const *msgs, size_t n, const uint32_t *remap, size_t nremap);

/* qorder_descending - the descending order of key k from its ascending order asc (n entries) into out */
void qorder_descending(struct qmsg *const *msgs, const uint32_t *asc, size_t n, enum qorder_key k, uint32_t *out);

/* qorder_free - release o (NULL is fine) */
void qorder_free(struct qorder *o);

#endif

/* exim_listing - parse the queue listing of `exim -bp` (and -bpr, -bpa, -bpra), streaming
 *
 * One message per block, blocks separated by a blank line (Exim's
 * queue.c, queue_list):
 *
 *    3m   246 1xYcK0-0004pt-2q <sender@example.org>
 *            alice@gmail.com
 *          D x3@accept.example
 *   72h  208K 1xYcLO-000605-2Q <> *** frozen ***
 *           +D generated@child.example          (-bpa: a generated address, delivered)
 *
 * The header: age (`%2dm`, then `h` past 90 minutes, `d` past 72 hours;
 * negative when the clock went back), size (`%5d` bytes, `1.2K`, `208K`,
 * `1.2M`, `12M`, blank when the data file is missing), the ID, `<sender>`
 * (`<>` for a bounce) maybe followed by `(login)`, and ` *** frozen ***`.
 * A message whose -H file could not be read has no age or sender and a
 * line `*** spool format error ... ***` or `*** spool read error: ... ***`.
 * Recipient lines are indented by 7 or more spaces, `D ` marks a delivered
 * one; the address is the rest of the line (it may hold spaces).
 *
 * Lines are fed one at a time (a pipe from exim can be parsed as it comes);
 * each message is handed to a callback when its block ends, in owned copies
 * valid during the call. A line that fits nowhere is counted and skipped,
 * and ends the message it would have been attached to, so recipients are
 * never given to the wrong message. At most EXIM_LISTING_MAX_RCPTS
 * recipients of one message are kept; more are counted in `dropped`.
 */
#ifndef MQMON_EXIM_LISTING_H
#define MQMON_EXIM_LISTING_H

#include <stddef.h>

#include "core/base/why.h"
#include "core/exim/exim_id.h"

#define EXIM_LISTING_MAX_RCPTS 100000

struct exim_lrcpt {
	char *address;
	int delivered;			/* `D`: in the non-recipients tree */
	int generated;			/* `+D` (-bpa): generated from a recipient, not one itself */
};

struct exim_listing_msg {
	char id[EXIM_ID_MAX + 1];
	long age;			/* seconds as listed (minutes, hours or days); -1 when not listed */
	long size;			/* bytes as listed (approximate for K and M); -1 when blank */
	char *sender;			/* "" for <>; NULL when not listed (a spool error) */
	int frozen;
	char *error;			/* the `*** spool ... ***` text, NULL when none */
	struct exim_lrcpt *rcpts;	/* recipients in listed order (generated ones flagged) */
	size_t nrcpts;
	size_t npending;		/* recipients (not generated) without `D` */
	size_t dropped;			/* recipients beyond EXIM_LISTING_MAX_RCPTS, not kept */
};

/* exim_listing_fn - one message; a non-zero return stops the parse and is returned by it */
typedef int (*exim_listing_fn)(void *ctx, const struct exim_listing_msg *msg);

struct exim_listing {
	exim_listing_fn fn;
	void *ctx;
	struct exim_listing_msg cur;
	size_t cap;			/* allocated rcpts */
	int open;			/* a message is being read */
	int stopped;			/* the callback's non-zero return, or -1 (out of memory) */
	unsigned long long lines;	/* lines fed */
	unsigned long long messages;	/* messages handed to the callback */
	unsigned long long bad;		/* lines that fit nowhere */
	unsigned long long first_bad;	/* line number of the first of them, 0 when none */
};

/* exim_listing_init - a parser handing each message to fn(ctx, msg) */
void exim_listing_init(struct exim_listing *l, exim_listing_fn fn, void *ctx);

/* exim_listing_line - feed one line (newline optional); 0, the callback's non-zero return, or -1 out of memory.
 * After a non-zero return every further line returns it again. */
int exim_listing_line(struct exim_listing *l, const char *line, size_t len);

/* exim_listing_finish - hand over the last message (no blank line after it); the same returns */
int exim_listing_finish(struct exim_listing *l);

/* exim_listing_free - release the parser's storage */
void exim_listing_free(struct exim_listing *l);

/* exim_listing_parse - the whole listing in buf[0..len): 0, the callback's non-zero return, or -1 with why
 * (out of memory); bad, when not NULL, gets the number of lines that fit nowhere */
int exim_listing_parse(const char *buf, size_t len, exim_listing_fn fn, void *ctx, unsigned long long *bad,
		       struct why *why);

#endif

/* exim_hfile - parse an Exim spool header file (`input/X/ID-H`) held in memory
 *
 * The envelope part of the file, as Exim's spool_in.c reads it:
 *
 *   ID-H                       the file's own name
 *   login uid gid              who submitted it (uid/gid may be negative)
 *   <sender>                   `<>` for a bounce
 *   arrival_epoch warnings
 *   -name [value]              option lines: -frozen EPOCH, -deliver_firsttime,
 *                              anything else ignored; `--name` marks a tainted
 *                              value, `--(quoter)name` a quoted one; -aclc/-aclm
 *                              NAME LEN are followed by LEN bytes of value and a
 *                              newline (the value may hold newlines)
 *   XX | YN address ...        the non-recipients tree (delivered or failed
 *                              addresses), preorder, Y/N = has a left/right child
 *   N                          recipient count
 *   address [DSN data]         N lines; with DSN data Exim appends
 *                              `ORCPT LEN,FLAGS ERRORS_TO LEN,PNO#3`, read from
 *                              the right with the lengths (addresses may hold
 *                              spaces); older forms ` PNO` and ` A,B,C` too
 *   (blank line)               the headers follow: not read
 *
 * Pending recipients are the recipients not in the tree (what `exim -bp`
 * lists without `D`), compared with the domain case-insensitive. Every
 * bound is checked against the buffer before anything is allocated for it
 * (counts, lengths), the tree is walked without recursion and refused deeper
 * than EXIM_HFILE_MAX_DEPTH, and anything malformed or truncated (a file
 * caught half written) is -1 with a why naming the line: never a partial
 * message.
 */
#ifndef MQMON_EXIM_HFILE_H
#define MQMON_EXIM_HFILE_H

#include <stddef.h>
#include <time.h>

#include "core/base/why.h"
#include "core/exim/exim_id.h"

#define EXIM_HFILE_MAX_DEPTH 64		/* Exim's tree is balanced: 64 levels hold far more than any file */
#define EXIM_HFILE_MAX_RCPTS 1000000	/* recipient count refused beyond this */

struct exim_hrcpt {
	char *address;
	int done;			/* in the non-recipients tree: delivered or failed */
};

struct exim_hfile {
	char id[EXIM_ID_MAX + 1];
	char *sender;			/* "" for the null sender */
	time_t arrival;
	int warnings;			/* delay warnings sent */
	int frozen;
	time_t frozen_at;		/* -frozen EPOCH; 0 when not frozen (or no time given) */
	int deliver_firsttime;		/* never tried yet */
	struct exim_hrcpt *rcpts;	/* every recipient, in file order */
	size_t nrcpts;
	size_t npending;		/* recipients not done */
	size_t nnonrcpts;		/* addresses in the tree (generated ones included) */
};

/* exim_hfile_parse - parse a whole -H file held in buf[0..len); 0, or -1 with why (naming the line) and
 * errno EINVAL (ENOMEM when out of memory). On -1, h is left empty (exim_hfile_free is a no-op). */
int exim_hfile_parse(const char *buf, size_t len, struct exim_hfile *h, struct why *why);

/* exim_hfile_free - release what exim_hfile_parse allocated, leave h empty */
void exim_hfile_free(struct exim_hfile *h);

#endif

/* logtail - follow growing log files across rotation with Linux inotify
 *
 * A logwatch owns one non-blocking inotify fd and follows several paths. The
 * caller polls logwatch_fd() and calls logwatch_process() when it is readable
 * (and once after the logwatch_add() calls: that first call reads what is
 * already there). Nothing is read on a timer: inotify events drive all reads.
 *
 * Each followed path keeps at most two open files: `cur`, the file we opened
 * at the path, and `old`, a rotated file still being drained. Events only
 * mark a path dirty; the work is done by one stat-based sync per dirty path:
 *   1. drain `old` to its end; close it once the writer has moved on (the new
 *      file has data) or it was deleted, handing out its unterminated tail;
 *   2. drain `cur` to its end; a size below our read position means
 *      truncation (copytruncate, `> file`): restart at 0 of the same inode;
 *   3. stat the path: same dev+ino as `cur` -> done; missing -> report and
 *      wait (the directory watch sees it come back); another file -> open it,
 *      `cur` becomes `old`, and sync again, so the renamed file is read to
 *      its end before the new one is read from 0.
 * Because the sync trusts the files and not the events, a lost event
 * (IN_Q_OVERFLOW) is repaired by syncing every path; that full resync also
 * compares the first line's hash, catching a truncated file that regrew past
 * our offset. Watches: the file's inode (IN_MODIFY, IN_ATTRIB, IN_MOVE_SELF,
 * IN_DELETE_SELF, IN_CLOSE_WRITE; added through /proc/self/fd so it is the
 * inode we opened) and its directory (IN_CREATE, IN_MOVED_TO, IN_MOVED_FROM,
 * IN_DELETE, IN_ATTRIB for that name only, so compressed rotated siblings and
 * other files are ignored). A file we cannot open (EACCES) is reported by
 * logwatch_status() and retried on its next event: the directory watch
 * reports a chmod/chown of it as IN_ATTRIB.
 *
 * Resume: logwatch_pos() gives (dev, ino, offset of the end of the last line
 * handed out, hash of the file's first line). Added with LOGTAIL_RESUME, the
 * path continues at that offset when dev+ino+hash match and the file is long
 * enough; otherwise a sibling in the same directory with that dev+ino+hash
 * (maillog.1, maillog.20261125-120000; never .gz/.xz/.bz2/.zst) is read from
 * the offset first and the current file from 0; if none matches the current
 * file is read from 0 and the status says so until the next event.
 *
 * Limits: a rotated file is dropped once the new file has data, so a second
 * writer still writing to the old file after that is not followed (one
 * writer, as Postfix's postlogd, is fine); copytruncate loses what was
 * written between our last read and the copy (inherent to copytruncate).
 */
#ifndef MQMON_LOGTAIL_H
#define MQMON_LOGTAIL_H

#include <stddef.h>

#include "core/base/why.h"

/* logwatch_add start modes */
enum {
	LOGTAIL_FROM_END,	/* like tail -f: only lines completed after the add */
	LOGTAIL_FROM_START,	/* the whole file, then follow */
	LOGTAIL_RESUME		/* continue at a position saved by logwatch_pos */
};

/* a resume point: the file (dev, ino, first line) and the end of the last line read */
struct logtail_pos {
	unsigned long long dev, ino;
	long long offset;
	unsigned long long first_line_hash;	/* logtail_hash of the first line, 0 = none yet */
};

/* one line handed to the callback; text is not NUL-terminated and lives until fn returns */
struct logtail_line {
	const char *text;
	size_t len;			/* without the newline */
	const char *path;		/* the followed path, as given to logwatch_add */
	struct logtail_pos pos;		/* the file it came from; offset = end of this line */
};

typedef void (*logtail_fn)(void *ctx, const struct logtail_line *l);

struct logwatch;

/* logwatch_new - an empty watch with its inotify fd; NULL with why */
struct logwatch *logwatch_new(struct why *why);

/* logwatch_fd - the descriptor to poll for POLLIN */
int logwatch_fd(const struct logwatch *w);

/* logwatch_add - follow path (resume only with LOGTAIL_RESUME); 0, or -1 with why (bad directory, duplicate, memory) */
int logwatch_add(struct logwatch *w, const char *path, int start,
		 const struct logtail_pos *resume, struct why *why);

/* logwatch_process - read pending events, then every new complete line of the affected files; 0, or -1 with why */
int logwatch_process(struct logwatch *w, logtail_fn fn, void *ctx, struct why *why);

/* logwatch_resync - re-check every file as after IN_Q_OVERFLOW (stat, first-line hash, read to end); 0 or -1 */
int logwatch_resync(struct logwatch *w, logtail_fn fn, void *ctx, struct why *why);

/* logwatch_pos - the position to save for path; 0, or -1 when path is unknown or no file is open */
int logwatch_pos(const struct logwatch *w, const char *path, struct logtail_pos *out);

/* logwatch_is_open - 1 when path has a file open (being read), 0 when it waits for one (missing, unreadable) */
int logwatch_is_open(const struct logwatch *w, const char *path);

/* logwatch_status - NULL when path is followed fine, else a sentence ("missing: PATH (waiting)") */
const char *logwatch_status(const struct logwatch *w, const char *path);

/* logwatch_overflows - how many IN_Q_OVERFLOW events were seen */
unsigned long logwatch_overflows(const struct logwatch *w);

/* logwatch_free - close every file and the inotify fd (NULL-safe) */
void logwatch_free(struct logwatch *w);

/* logtail_hash - FNV-1a 64 of a line (never 0), as used for first_line_hash */
unsigned long long logtail_hash(const char *s, size_t len);

/* logwatch_test_deny - test seam: while err != 0, opening a followed file fails with errno err */
void logwatch_test_deny(struct logwatch *w, int err);

#endif

/* deferlog - read Postfix's per-message defer logfile (queue/defer/X/ID)
 *
 * The bounce daemon records the latest failure of each deferred recipient
 * as a block of `name=value` lines (recipient, status, reason, diag_text,
 * ...) separated by blank lines, preceded by a human-readable
 * `<recipient>: reason` line that we skip. This is where postqueue -j's
 * delay_reason comes from, with the enhanced status code besides.
 *
 * Long values: the recipient is handed out whole (it must equal the queue
 * file's address, or the message would look "not attempted yet"); a
 * reason longer than DEFERLOG_VALUE_MAX - 1 bytes (status: 31) is cut and
 * ends in DEFERLOG_TRUNCATED; the record is always kept. A file is read
 * up to 4 MB.
 */
#ifndef MQMON_DEFERLOG_H
#define MQMON_DEFERLOG_H

#include <stddef.h>

#include "core/base/why.h"

#define DEFERLOG_VALUE_MAX 4096		/* a reason's bytes, with the NUL */
#define DEFERLOG_TRUNCATED " [truncated]"	/* the end of a value that was cut */

/* deferlog_fn - one recipient's latest failure; return non-zero to stop */
typedef int (*deferlog_fn)(void *ctx, const char *recipient, const char *status, const char *reason);

/* deferlog_parse - walk the blocks of a defer logfile held in buf[0..len) */
void deferlog_parse(const char *buf, size_t len, deferlog_fn fn, void *ctx);

/* deferlog_read - read name relative to dirfd and walk it; -1 with why (errno ENOENT when there is none) */
int deferlog_read(int dirfd, const char *name, deferlog_fn fn, void *ctx, struct why *why);

#endif

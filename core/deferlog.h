/* deferlog - read Postfix's per-message defer logfile (queue/defer/X/ID)
 *
 * The bounce daemon records the latest failure of each deferred recipient
 * as a block of `name=value` lines (recipient, status, reason, diag_text,
 * ...) separated by blank lines, preceded by a human-readable
 * `<recipient>: reason` line that we skip. This is where postqueue -j's
 * delay_reason comes from, with the enhanced status code besides.
 */
#ifndef MQMON_DEFERLOG_H
#define MQMON_DEFERLOG_H

#include <stddef.h>

#include "core/why.h"

/* deferlog_fn - one recipient's latest failure; return non-zero to stop */
typedef int (*deferlog_fn)(void *ctx, const char *recipient, const char *status, const char *reason);

/* deferlog_parse - walk the blocks of a defer logfile held in buf[0..len) */
void deferlog_parse(const char *buf, size_t len, deferlog_fn fn, void *ctx);

/* deferlog_read - read name relative to dirfd and walk it; -1 with why (errno ENOENT when there is none) */
int deferlog_read(int dirfd, const char *name, deferlog_fn fn, void *ctx, struct why *why);

#endif

/* logscan - read whole log files (or stdin) and hand each parsed line to a callback
 *
 * Shared by `mqmon classify` and `mqmon report`. With LOGSCAN_DEFERRALS_ONLY
 * lines that cannot be deferrals (no "status=deferred") are skipped before
 * parsing, which is what makes classify run near grep speed. The reference
 * time for syslog stamps without a year is the file's mtime.
 */
#ifndef MQMON_LOGSCAN_H
#define MQMON_LOGSCAN_H

#include "core/log/logline.h"
#include "core/base/why.h"

enum {
	LOGSCAN_DEFERRALS_ONLY = 1,
};

struct logscan_stats {
	unsigned long long lines, unparsed, other, oversize, deferrals;
	unsigned long long kinds[LOG_KIND_COUNT];
};

/* logscan_fn - called for each line of interest; return non-zero to stop */
typedef int (*logscan_fn)(void *ctx, const struct log_event *ev);

/* logscan_path - scan one file ("-" = stdin); 0, or -1 with why (unreadable file, read error) */
int logscan_path(const char *path, int flags, logscan_fn fn, void *ctx,
		 struct logscan_stats *stats, struct why *why);

/* logscan_flush_fn - called in file order after each chunk a thread parsed (write its output) */
typedef void (*logscan_flush_fn)(void *ctx);

/* logscan_parallel - scan a regular file with up to nthreads threads: the file is
 * mapped and cut at line boundaries into chunks; thread i calls fn with ctxs[i],
 * and flush(ctxs[i]) runs for every chunk in file order, so output keeps the
 * log's order. Falls back to one thread (ctxs[0]) for stdin, pipes and small
 * files. fn must not stop the scan (its return value is ignored). 0, or -1 with why. */
int logscan_parallel(const char *path, int flags, int nthreads, logscan_fn fn, logscan_flush_fn flush,
		     void **ctxs, struct logscan_stats *stats, struct why *why);

#endif

/* logscan - read whole log files (or stdin) and hand each parsed line to a callback
 *
 * Shared by `mqmon classify` and `mqmon report`. With LOGSCAN_DEFERRALS_ONLY
 * lines that cannot be deferrals (no "status=deferred") are skipped before
 * parsing, which is what makes classify run near grep speed. The reference
 * time for syslog stamps without a year is the file's mtime.
 */
#ifndef MQMON_LOGSCAN_H
#define MQMON_LOGSCAN_H

#include "core/logline.h"
#include "core/why.h"

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

#endif

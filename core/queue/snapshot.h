/* snapshot - export a finished queue model as JSON, CSV or Prometheus text
 *
 * One model, three formats: JSON for scripts (the whole model plus
 * aggregates), CSV with one row per recipient for spreadsheets, and the
 * node_exporter textfile format (gauges per queue, cause, provider, oldest
 * age, overdue). CSV cells that a spreadsheet would run as a formula
 * (starting with = + - @ tab or CR, e.g. a recipient `=cmd|...@x`) are
 * written quoted with a leading ' (OWASP's rule).
 *
 * snapshot_write_file() writes a regular file atomically: a temporary file
 * in the target's directory, fsync, rename, so a collector never reads a
 * half-written file. A symbolic link stays a link: the file it points to
 * is replaced (created when missing). A replaced file keeps its permission
 * bits and, as root, its owner; a new one gets 0666 less the umask (the
 * snapshot lists recipient addresses: a umask of 077 keeps it private).
 * A character device or a FIFO (/dev/null, /dev/stdout on a terminal or a
 * pipe) is written as it is, never replaced. Anything else (a directory, a
 * socket, a block device) is refused.
 */
#ifndef MQMON_SNAPSHOT_H
#define MQMON_SNAPSHOT_H

#include <stdio.h>

#include "core/queue/qmodel.h"
#include "core/base/why.h"

enum snapshot_format { SNAPSHOT_JSON, SNAPSHOT_CSV, SNAPSHOT_PROM };

/* qmodel.source of a model without a queue listing (the MTA is down and only root could read its
 * spool): Prometheus text then holds mqmon_mta_up 0 and the time only, never a queue of 0 */
#define SNAPSHOT_SOURCE_NONE "none"


/* snapshot_format_from - "json", "csv", "prom"; -1 when unknown */
int snapshot_format_from(const char *name);

/* snapshot_write - write the model in a format to fp; -1 with why */
int snapshot_write(const struct qmodel *m, enum snapshot_format fmt, const char *host, FILE *fp,
		   struct why *why);

/* snapshot_message_text - one message as the JSON object `snapshot --format json` lists it (compact, one
 * line, malloc'd; mqmon stream sends the same text); NULL on out of memory */
char *snapshot_message_text(const struct qmodel *m, const struct qmsg *msg);

/* snapshot_totals_text - the model's "totals" object of the JSON snapshot (compact, malloc'd); NULL on out
 * of memory */
char *snapshot_totals_text(const struct qmodel *m);

/* snapshot_target_check - 0 when path is a file, character device, FIFO or nothing yet (links followed); -2 with why */
int snapshot_target_check(const char *path, struct why *why);

/* snapshot_write_file - the same into path (see above); -1 with why, -2 when path is refused (not a
 * file, character device or FIFO) */
int snapshot_write_file(const struct qmodel *m, enum snapshot_format fmt, const char *host,
			const char *path, struct why *why);

#endif

/* snapshot - export a finished queue model as JSON, CSV or Prometheus text
 *
 * One model, three formats: JSON for scripts (the whole model plus
 * aggregates), CSV with one row per recipient for spreadsheets, and the
 * node_exporter textfile format (gauges per queue, cause, provider, oldest
 * age, overdue). snapshot_write_file() writes atomically: a temporary file
 * in the target's directory, fsync, rename, so a collector never reads a
 * half-written file.
 */
#ifndef MQMON_SNAPSHOT_H
#define MQMON_SNAPSHOT_H

#include <stdio.h>

#include "core/qmodel.h"
#include "core/why.h"

enum snapshot_format { SNAPSHOT_JSON, SNAPSHOT_CSV, SNAPSHOT_PROM };

/* snapshot_format_from - "json", "csv", "prom"; -1 when unknown */
int snapshot_format_from(const char *name);

/* snapshot_write - write the model in a format to fp; -1 with why */
int snapshot_write(const struct qmodel *m, enum snapshot_format fmt, const char *host, FILE *fp,
		   struct why *why);

/* snapshot_write_file - the same into path, atomically (temp file + rename); -1 with why */
int snapshot_write_file(const struct qmodel *m, enum snapshot_format fmt, const char *host,
			const char *path, struct why *why);

#endif

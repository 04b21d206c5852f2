/* report - deferrals grouped cause -> provider -> domain
 *
 * Built incrementally from classified deferrals; each group counts events
 * and distinct messages and keeps the first and last time seen. Output as
 * aligned text for a terminal or as JSON (jansson) for scripts; both list
 * groups by number of events, largest first, with the advice of each cause.
 */
#ifndef MQMON_REPORT_H
#define MQMON_REPORT_H

#include <stdio.h>
#include <time.h>

#include "core/classify/classify.h"
#include "core/log/deferral.h"
#include "core/base/idset.h"

struct report_group {
	char *name;
	unsigned long events;
	struct idset messages;
	time_t first, last;
	struct report_group *children;
	size_t nchildren, capchildren;
};

struct report {
	struct report_group causes[CAUSE_COUNT];
	struct report_group total;
	const struct classifier *cl;
	unsigned long long lines, unparsed, oversize;
};

/* report_init - an empty report; cl gives each cause's advice */
void report_init(struct report *r, const struct classifier *cl);

/* report_add - count one deferral; -1 on out of memory */
int report_add(struct report *r, const struct deferral *d);

/* report_print_text - human-readable report */
void report_print_text(const struct report *r, FILE *fp);

/* report_print_json - the report as one JSON document; -1 on failure */
int report_print_json(const struct report *r, FILE *fp);

/* report_free - release everything */
void report_free(struct report *r);

/* format_time - RFC 3339 local time "2026-11-22T12:57:38+01:00" into buf (>= 32 bytes) */
const char *format_time(char *buf, size_t bufsz, time_t t);

#endif

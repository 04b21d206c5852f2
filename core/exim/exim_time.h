/* exim_time - Exim's own ways of writing durations and dates
 *
 * Durations: Exim's configuration and command line (`-q1m`, retry rules
 * `F,2h,15m`) write one or more NUMBER UNIT groups, units w d h m s, as
 * readconf_readtime() reads them: a unit is required (`15` alone is not a
 * duration), `1h30m` adds up. exim_duration_parse() takes a span (no NUL
 * needed) and refuses anything else, or more than EXIM_DURATION_MAX.
 *
 * Dates: exim_dumpdb prints `02-Dec-2026 04:52:56` (strftime
 * `%d-%b-%Y %H:%M:%S`, C-locale month names) in the local time zone of the
 * process that printed it (mqmon runs it, so its own zone).
 */
#ifndef MQMON_EXIM_TIME_H
#define MQMON_EXIM_TIME_H

#include <stddef.h>
#include <time.h>

#define EXIM_DURATION_MAX (3653L * 86400)	/* 10 years: far beyond any retry rule or queue interval */
#define EXIM_DATE_LEN 20			/* "02-Dec-2026 04:52:56" */

/* exim_duration_parse - seconds in s[0..n) ("15m", "1h30m", "2d"); -1 when invalid or over EXIM_DURATION_MAX */
long exim_duration_parse(const char *s, size_t n);

/* exim_date_parse - epoch of an exim_dumpdb date at s (EXIM_DATE_LEN bytes, local time); -1 when invalid */
time_t exim_date_parse(const char *s, size_t n);

#endif

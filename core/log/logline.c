/* logline - the MTA-neutral log event, its clock, and the dialect dispatch; see logline.h */
#include "core/log/logline.h"

#include <string.h>

/* span_eq - true when the span equals the NUL-terminated string */
int span_eq(struct span s, const char *str)
{
	size_t n = strlen(str);

	return s.n == n && memcmp(s.p, str, n) == 0;
}

/* span_copy - copy a span into a buffer (truncated, NUL-terminated) */
size_t span_copy(char *dst, size_t dstsz, struct span s)
{
	size_t n = s.n < dstsz - 1 ? s.n : dstsz - 1;

	if (dstsz == 0)
		return 0;
	if (n)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
	return n;
}

/* log_digits - parse exactly n decimal digits at p; -1 when not digits */
int log_digits(const char *p, const char *end, int n)
{
	int v = 0, i;

	if (end - p < n)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* log_month_index - "Jan".."Dec" to 0..11, -1 otherwise */
int log_month_index(const char *p)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; i < 12; i++)
		if (memcmp(p, names + 3 * i, 3) == 0)
			return i;
	return -1;
}

/* log_days_from_civil - days since 1970-01-01 of a proleptic Gregorian date */
long log_days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* log_clock_init - set the reference time used to infer years */
void log_clock_init(struct log_clock *clock, time_t reference)
{
	struct tm tm;

	localtime_r(&reference, &tm);
	clock->ref_year = tm.tm_year + 1900;
	clock->ref_mon = tm.tm_mon;
	clock->cache_key = -1;
	clock->cache_base = 0;
	clock->dialect = NULL;
}

/* log_clock_local - epoch of a local wall-clock time (mon 0-11), one mktime() per hour of stamps */
time_t log_clock_local(struct log_clock *clock, int year, int mon, int day, int hour, int min, int sec)
{
	long key = (((long)year * 12 + mon) * 32 + day) * 24 + hour;

	if (key != clock->cache_key) {
		struct tm tm = { 0 };

		tm.tm_year = year - 1900;
		tm.tm_mon = mon;
		tm.tm_mday = day;
		tm.tm_hour = hour;
		tm.tm_isdst = -1;
		clock->cache_base = mktime(&tm);
		clock->cache_key = key;
	}
	return clock->cache_base + min * 60 + sec;
}

/* log_fraction - optional ".digits"; stores microseconds, returns the new position */
const char *log_fraction(const char *p, const char *end, long *usec)
{
	long v = 0;
	int n = 0;

	*usec = 0;
	if (p >= end || *p != '.')
		return p;
	for (p++; p < end && *p >= '0' && *p <= '9'; p++)
		if (n < 6) {
			v = v * 10 + (*p - '0');
			n++;
		}
	while (n++ < 6)
		v *= 10;
	*usec = v;
	return p;
}

/* log_kind_name - short name of a kind, for statistics */
const char *log_kind_name(enum log_kind kind)
{
	static const char *const names[LOG_KIND_COUNT] = {
		"unparsed", "other", "delivery", "queued", "expired", "removed",
		"pickup", "message-id", "client", "hold", "release", "requeue",
		"attempt-note", "retry-skip",
	};

	return (unsigned)kind < LOG_KIND_COUNT ? names[kind] : "?";
}

static const struct log_dialect *const *dialects;

/* log_dialects_set - the dialects a clock without one tries, NULL-terminated (the MTA registry's) */
void log_dialects_set(const struct log_dialect *const *list)
{
	dialects = list;
}

/* logline_parse - parse line[0..len) (no newline) into ev with the clock's dialect; returns ev->kind */
enum log_kind logline_parse(struct log_clock *clock, const char *line, size_t len, struct log_event *ev)
{
	size_t i;

	if (clock->dialect != NULL)
		return clock->dialect->parse(clock, line, len, ev);
	/* not known yet: the first dialect that understands a line is the file's */
	for (i = 0; dialects != NULL && dialects[i] != NULL; i++)
		if (dialects[i]->parse(clock, line, len, ev) != LOG_UNPARSED) {
			clock->dialect = dialects[i];
			return ev->kind;
		}
	memset(ev, 0, sizeof *ev);
	ev->pid = -1;
	ev->kind = LOG_UNPARSED;
	return LOG_UNPARSED;
}

/* logline_maybe_deferral - false only when the line cannot be a deferral in the clock's dialect
 * (a cheap test before parsing; true while the dialect is not known) */
int logline_maybe_deferral(const struct log_clock *clock, const char *line, size_t len)
{
	return clock->dialect == NULL || clock->dialect->maybe_deferral(line, len);
}

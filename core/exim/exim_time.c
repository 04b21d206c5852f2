/* exim_time - Exim's durations and dates; see exim_time.h */
#include "core/exim/exim_time.h"

#include <string.h>

/* unit_seconds - seconds in an Exim time unit letter, 0 when not one */
static long unit_seconds(char c)
{
	switch (c) {
	case 'w': return 7L * 86400;
	case 'd': return 86400;
	case 'h': return 3600;
	case 'm': return 60;
	case 's': return 1;
	default: return 0;
	}
}

/* exim_duration_parse - seconds in s[0..n); -1 when invalid or over EXIM_DURATION_MAX */
long exim_duration_parse(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	long total = 0;

	if (s == NULL || n == 0)
		return -1;
	while (p < end) {
		long v = 0, unit;
		int digits = 0;

		for (; p < end && *p >= '0' && *p <= '9'; p++, digits++)
			if (v <= EXIM_DURATION_MAX)	/* beyond, only the syntax is still checked */
				v = v * 10 + (*p - '0');
		if (digits == 0 || p >= end || (unit = unit_seconds(*p)) == 0)
			return -1;
		p++;
		if (v > EXIM_DURATION_MAX / unit || total + v * unit > EXIM_DURATION_MAX)
			return -1;
		total += v * unit;
	}
	return total;
}

/* two_digits - the number in p[0..2) when both are digits, -1 otherwise */
static int two_digits(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* exim_date_parse - epoch of an exim_dumpdb date at s (local time); -1 when invalid */
time_t exim_date_parse(const char *s, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm = { 0 };
	int mon, day, hh, mm, ss, year, i;

	if (s == NULL || n < EXIM_DATE_LEN || s[2] != '-' || s[6] != '-' || s[11] != ' ' || s[14] != ':'
	    || s[17] != ':')
		return -1;
	for (mon = 0; mon < 12; mon++)
		if (memcmp(s + 3, months + 3 * mon, 3) == 0)
			break;
	day = two_digits(s);
	hh = two_digits(s + 12);
	mm = two_digits(s + 15);
	ss = two_digits(s + 18);
	for (year = 0, i = 7; i < 11; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		year = year * 10 + (s[i] - '0');
	}
	if (mon == 12 || day < 1 || day > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60
	    || year < 1970)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = day;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

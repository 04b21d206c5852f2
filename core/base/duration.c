/* duration - parse and format durations; see duration.h */
#include "core/base/duration.h"

#include <limits.h>
#include <stdio.h>

/* unit_seconds - seconds in a unit letter, 0 when unknown */
static long unit_seconds(char c)
{
	switch (c) {
	case 's': return 1;
	case 'm': return 60;
	case 'h': return 3600;
	case 'd': return 86400;
	case 'w': return 604800;
	default: return 0;
	}
}

/* duration_parse - seconds in s; bare numbers are in default_unit seconds; -1 when invalid, -2 beyond DURATION_MAX */
long duration_parse(const char *s, long default_unit)
{
	long total = 0;
	int parts = 0, too_long = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s) {
		long n = 0, unit;
		int digits = 0;

		while (*s >= '0' && *s <= '9') {
			if (n <= DURATION_MAX)	/* beyond it, only the syntax is still checked */
				n = n * 10 + (*s - '0');
			s++;
			digits++;
		}
		if (digits == 0)
			return -1;
		if (*s == '\0') {
			if (parts > 0)
				return -1;	/* "1h30" is ambiguous */
			unit = default_unit;
		} else if ((unit = unit_seconds(*s++)) == 0) {
			return -1;
		}
		if (unit <= 0)
			return -1;
		if (n > DURATION_MAX / unit || total + n * unit > DURATION_MAX)
			too_long = 1;
		else
			total += n * unit;
		parts++;
	}
	return too_long ? DURATION_TOO_LONG : total;
}

/* duration_problem - what is wrong with a duration_parse answer below 0 */
const char *duration_problem(long parsed)
{
	return parsed == DURATION_TOO_LONG ? "longer than the maximum, " DURATION_MAX_TEXT : "not a duration";
}

/* duration_format - compact human form ("4m05s", "2h10m", "3d04h", "-"), into buf */
const char *duration_format(char *buf, unsigned long bufsz, long seconds)
{
	const char *sign = "";

	if (seconds < 0) {
		sign = "-";
		seconds = -seconds;
	}
	if (seconds < 60)
		snprintf(buf, bufsz, "%s%lds", sign, seconds);
	else if (seconds < 3600)
		snprintf(buf, bufsz, "%s%ldm%02lds", sign, seconds / 60, seconds % 60);
	else if (seconds < 86400)
		snprintf(buf, bufsz, "%s%ldh%02ldm", sign, seconds / 3600, seconds % 3600 / 60);
	else
		snprintf(buf, bufsz, "%s%ldd%02ldh", sign, seconds / 86400, seconds % 86400 / 3600);
	return buf;
}

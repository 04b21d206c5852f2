/* sparkline - counts per time bucket as a one-line bar chart
 *
 * Used by the causes view (last hour) and the domains view (last two
 * hours), so both read the same way: eight bar heights scaled to the
 * largest bucket, a blank for an empty bucket (a small count never looks
 * like none), and in --ascii mode the levels "_.-:=+*#". Pure: no curses,
 * so the unit tests call it directly.
 */
#ifndef MQMON_TUI_SPARKLINE_H
#define MQMON_TUI_SPARKLINE_H

#include <stddef.h>

/* sparkline_format - v[0..count) (oldest first) into buf as UTF-8 bars, or ASCII
 * when ascii; always NUL-terminated, cut to whole bars when buf is short */
void sparkline_format(char *buf, size_t n, const unsigned *v, int count, int ascii);

#endif

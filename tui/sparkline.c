/* sparkline - counts per time bucket as a one-line bar chart
 *
 * A non-zero count c gets bar ceil(c * 8 / max) of the eight (U+2581 to
 * U+2588): the largest bucket is always the full block, and any non-zero
 * bucket shows at least the lowest bar.
 */
#include <string.h>

#include "tui/sparkline.h"

/* sparkline_format - v[0..count) (oldest first) into buf as bars */
void sparkline_format(char *buf, size_t n, const unsigned *v, int count, int ascii)
{
	static const char *const bars[8] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
	};
	static const char levels[] = "_.-:=+*#";
	unsigned max = 0;
	size_t o = 0;
	int i;

	if (n == 0)
		return;
	for (i = 0; i < count; i++)
		if (v[i] > max)
			max = v[i];
	buf[0] = '\0';
	for (i = 0; i < count; i++) {
		int level = max ? (int)(((unsigned long long)v[i] * 8 + max - 1) / max) - 1 : 0;
		size_t w = v[i] == 0 || ascii ? 1 : 3;

		if (o + w >= n)
			break;
		if (v[i] == 0)
			buf[o] = ' ';
		else if (ascii)
			buf[o] = levels[level];
		else
			memcpy(buf + o, bars[level], 3);
		o += w;
		buf[o] = '\0';
	}
}

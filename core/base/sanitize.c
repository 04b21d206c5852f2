/* sanitize - make untrusted text safe to print; see sanitize.h
 *
 * A single pass decodes UTF-8 by hand (strict: no overlongs, no surrogates,
 * nothing above U+10FFFF), writes only whole code points, and never splits a
 * multi-byte sequence when dst runs out of room.
 */
#include "core/base/sanitize.h"

#include <stdint.h>
#include <string.h>
#include <wchar.h>

/* utf8_decode - decode one code point at s (len > 0); returns its length, 0 when invalid */
static size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned c = s[0];
	size_t need, i;
	unsigned min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2; *cp = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3; *cp = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4; *cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3F);
	}
	if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
		return 0;
	return need;
}

/* is_control - C0, DEL and C1 control code points */
static int is_control(unsigned cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

/* format_ranges - Unicode 15.1 general category Cf, plus the line and paragraph separators */
static const struct { unsigned lo, hi; } format_ranges[] = {
	{ 0x00AD, 0x00AD }, { 0x0600, 0x0605 }, { 0x061C, 0x061C }, { 0x06DD, 0x06DD },
	{ 0x070F, 0x070F }, { 0x0890, 0x0891 }, { 0x08E2, 0x08E2 }, { 0x180E, 0x180E },
	{ 0x200B, 0x200F }, { 0x2028, 0x202E }, { 0x2060, 0x2064 }, { 0x2066, 0x206F },
	{ 0xFEFF, 0xFEFF }, { 0xFFF9, 0xFFFB }, { 0x110BD, 0x110BD }, { 0x110CD, 0x110CD },
	{ 0x13430, 0x1343F }, { 0x1BCA0, 0x1BCA3 }, { 0x1D173, 0x1D17A }, { 0xE0001, 0xE0001 },
	{ 0xE0020, 0xE007F },
};

/* unicode_is_format - true for the format characters sanitize replaces (Cf, U+2028, U+2029) */
int unicode_is_format(unsigned cp)
{
	size_t i;

	if (cp < 0xAD)
		return 0;
	for (i = 0; i < sizeof format_ranges / sizeof format_ranges[0]; i++)
		if (cp >= format_ranges[i].lo && cp <= format_ranges[i].hi)
			return 1;
	return 0;
}

/* is_graph - printable ASCII other than the space */
static inline int is_graph(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/* plain_run8 - the eight bytes at s are printable ASCII with single spaces inside (none last), so a
 * run of them goes on through all eight: each byte in 0x20..0x7e, no two spaces side by side, the
 * last one no space. One test for eight bytes (they are read as one little-endian word). */
static inline int plain_run8(const unsigned char *s)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull, low7 = 0x7f7f7f7f7f7f7f7full;
	uint64_t w, x, sp;

	memcpy(&w, s, 8);
	if (((w - 0x20 * ones) | (w + ones) | w) & high)
		return 0;	/* a byte below 0x20 or above 0x7e */
	x = w ^ (0x20 * ones);	/* spaces are zero bytes of x */
	sp = ~(((x & low7) + low7) | x | low7);	/* the high bit of each zero byte, exactly */
	return !(sp & (sp >> 8)) && !(sp >> 63);
}

/* sanitize_text - copy src[0..len) into dst (size dstsz, NUL-terminated) safely; returns bytes written */
size_t sanitize_text(char *dst, size_t dstsz, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t in = 0, out = 0, n;
	int pending_space = 0;
	unsigned cp;
	int invalid;

	if (dstsz == 0)
		return 0;
	while (in < len) {
		/* fast path: a run of printable ASCII with single spaces inside, copied at once */
		if (is_graph(s[in])) {
			size_t end = in + 1;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			while (end + 8 < len && plain_run8(s + end))
				end += 8;	/* the byte loop below ends the run */
#endif
			while (end < len && (is_graph(s[end]) || (s[end] == ' ' && end + 1 < len && is_graph(s[end + 1]))))
				end++;
			if (out + (size_t)pending_space + 2 > dstsz)
				break;
			if (pending_space) {
				dst[out++] = ' ';
				pending_space = 0;
			}
			n = end - in;
			if (n > dstsz - 1 - out)
				n = dstsz - 1 - out;	/* cut: keep room for the NUL */
			memcpy(dst + out, s + in, n);
			out += n;
			in += n;
			if (in < end) {
				if (dst[out - 1] == ' ')
					out--;	/* never end on the space before a cut word */
				break;
			}
			continue;
		}
		if (s[in] == ' ') {
			pending_space = out > 0;
			in++;
			continue;
		}
		n = utf8_decode(s + in, len - in, &cp);
		invalid = n == 0;
		if (invalid) {
			cp = 0xFFFD;
			n = 1;
		} else if (unicode_is_format(cp)) {
			cp = 0xFFFD;	/* shown, never obeyed */
			invalid = 1;
		}
		if (cp == ' ' || is_control(cp)) {
			pending_space = out > 0;
			in += n;
			continue;
		}
		/* bytes this code point takes in the output */
		size_t w = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		if (out + pending_space + w + 1 > dstsz)
			break;
		if (pending_space) {
			dst[out++] = ' ';
			pending_space = 0;
		}
		if (invalid)
			memcpy(dst + out, "\xEF\xBF\xBD", 3);
		else
			memcpy(dst + out, s + in, w);
		out += w;
		in += n;
	}
	dst[out] = '\0';
	return out;
}

/* quote_char - the character at s as sanitize_quote shows it: its input length in *n, its output length returned (1 for '?') */
static size_t quote_char(const unsigned char *s, size_t len, size_t *n, unsigned *cp)
{
	*n = utf8_decode(s, len, cp);
	if (*n == 0 || is_control(*cp) || unicode_is_format(*cp)) {
		*n = *n ? *n : 1;
		*cp = '?';
		return 1;
	}
	return *n;
}

/* sanitize_quote - src[0..len) for a message: controls, format characters, invalid bytes as '?'; cut with "..." to fit dst; returns bytes written */
size_t sanitize_quote(char *dst, size_t dstsz, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t in, out = 0, n, w, need = 0, room;
	unsigned cp;

	if (dstsz == 0)
		return 0;
	for (in = 0; in < len; in += n)
		need += quote_char(s + in, len - in, &n, &cp);
	room = need < dstsz ? dstsz - 1 : dstsz >= 4 ? dstsz - 4 : 0;	/* cut: keep room for "..." */
	for (in = 0; in < len; in += n) {
		w = quote_char(s + in, len - in, &n, &cp);
		if (out + w > room)
			break;
		if (cp == '?')
			dst[out] = '?';
		else
			memcpy(dst + out, s + in, w);
		out += w;
	}
	if (in < len && dstsz >= 4) {
		memcpy(dst + out, "...", 3);
		out += 3;
	}
	dst[out] = '\0';
	return out;
}

/* utf8_clean - true when s[0..len) is valid UTF-8 without control or format characters */
int utf8_clean(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;
	unsigned cp;

	while (i < len) {
		n = utf8_decode(u + i, len - i, &cp);
		if (n == 0 || is_control(cp) || unicode_is_format(cp))
			return 0;
		i += n;
	}
	return 1;
}

/* utf8_width - display columns of UTF-8 text (wcwidth in a UTF-8 LC_CTYPE, else 1 per character) */
int utf8_width(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n;
	unsigned cp;
	int w = 0, cw;

	while (i < len) {
		n = utf8_decode(u + i, len - i, &cp);
		if (n == 0) {
			n = 1;
			cp = 0xFFFD;
		}
		cw = wcwidth((wchar_t)cp);
		w += cw < 0 ? 1 : cw;
		i += n;
	}
	return w;
}

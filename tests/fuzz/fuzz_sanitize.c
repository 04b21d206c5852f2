/* fuzz_sanitize - libFuzzer target: sanitize_text's promise on any bytes (make fuzz)
 *
 * The input's first two bytes choose the output buffer size (1..4096, so
 * cuts are exercised), the rest is the text. The output must:
 *   - be NUL-terminated at the returned length, within the buffer;
 *   - be valid UTF-8, checked with this file's own strict decoder (no
 *     overlong forms, surrogates or code points above U+10FFFF);
 *   - hold no C0 control, DEL or C1 control (U+0080..U+009F);
 *   - hold no bidirectional control (U+061C, U+200E, U+200F,
 *     U+202A..U+202E, U+2066..U+2069) and no zero-width character
 *     (U+200B..U+200D, U+2060, U+FEFF): they reorder or hide text on a
 *     terminal;
 *   - have no leading, trailing or doubled space (sanitize.h);
 *   - pass utf8_clean, and come out unchanged when sanitized again.
 * FUZZ_SANITIZE_SKIP_BIDI=1 in the environment leaves out the bidi and
 * zero-width part (to check the rest while the sanitizer still lets them
 * through).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/sanitize.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fail - report a broken promise and stop (libFuzzer saves the input) */
static void fail(const char *what, size_t at, unsigned cp)
{
	fprintf(stderr, "fuzz_sanitize: %s at output byte %zu (U+%04X)\n", what, at, cp);
	abort();
}

/* strict_decode - one code point at s (n > 0 bytes); its length, 0 when not strict UTF-8 */
static size_t strict_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, *cp = s[0] & 0x1Fu;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, *cp = s[0] & 0x0Fu;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, *cp = s[0] & 0x07u;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3Fu);
	}
	if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) || *cp > 0x10FFFF
	    || (*cp >= 0xD800 && *cp <= 0xDFFF))
		return 0;
	return len;
}

/* is_bidi - a bidirectional formatting character */
static int is_bidi(unsigned cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)
	       || (cp >= 0x2066 && cp <= 0x2069);
}

/* is_zero_width - an invisible character */
static int is_zero_width(unsigned cp)
{
	return (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
}

/* check_output - every promise of sanitize.h on out[0..n) */
static void check_output(const char *out, size_t n, int check_bidi)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t at = 0, len;
	unsigned cp;

	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		fail("leading or trailing space", s[0] == ' ' ? 0 : n - 1, ' ');
	while (at < n) {
		if ((len = strict_decode(s + at, n - at, &cp)) == 0)
			fail("invalid UTF-8", at, s[at]);
		if (cp < 0x20 || cp == 0x7F)
			fail("C0 control or DEL", at, cp);
		if (cp >= 0x80 && cp <= 0x9F)
			fail("C1 control", at, cp);
		if (check_bidi && is_bidi(cp))
			fail("bidirectional control", at, cp);
		if (check_bidi && is_zero_width(cp))
			fail("zero-width character", at, cp);
		if (cp == ' ' && at + 1 < n && s[at + 1] == ' ')
			fail("doubled space", at, cp);
		at += len;
	}
	if (!utf8_clean(out, n))
		fail("utf8_clean refuses the output", 0, 0);
}

/* LLVMFuzzerTestOneInput - one input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int check_bidi = -1;
	static char out[4097], again[4097];
	size_t dstsz, n, n2;

	if (check_bidi < 0)
		check_bidi = !fuzz_env_flag("FUZZ_SANITIZE_SKIP_BIDI");
	if (size < 2)
		return 0;
	dstsz = 1 + (((size_t)data[0] << 8 | data[1]) % 4096);
	memset(out, 'X', sizeof out);
	n = sanitize_text(out, dstsz, (const char *)data + 2, size - 2);
	if (n >= dstsz || out[n] != '\0' || strlen(out) != n)
		fail("length or terminator wrong", n, 0);
	if (dstsz < sizeof out && out[dstsz] != 'X')
		fail("wrote past the buffer size", dstsz, 0);
	check_output(out, n, check_bidi);
	/* sanitizing clean text changes nothing */
	n2 = sanitize_text(again, sizeof again, out, n);
	if (n2 != n || memcmp(again, out, n) != 0)
		fail("not idempotent", n2, 0);
	return 0;
}

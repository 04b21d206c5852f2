/* test_sanitize - control characters, escape sequences and invalid UTF-8 are made inert */
#include "tests/unit/testutil.h"

#include "core/base/sanitize.h"

#include <locale.h>

/* clean - sanitize a string literal of known length */
static const char *clean(const char *s, size_t len)
{
	static char buf[256];

	sanitize_text(buf, sizeof buf, s, len);
	return buf;
}

static void test_plain_text_unchanged(void **state)
{
	(void)state;
	assert_string_equal(clean("421 4.7.0 Try again", 19), "421 4.7.0 Try again");
}

static void test_escape_sequences_inert(void **state)
{
	const char s[] = "421 \x1b[2J\x1b]0;pwned\x07 gone";

	(void)state;
	const char *out = clean(s, sizeof s - 1);
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x07'));
	assert_string_equal(out, "421 [2J ]0;pwned gone");
}

static void test_c1_controls_removed(void **state)
{
	/* U+009B (CSI as a C1 code point, UTF-8 C2 9B) and a raw 0x9B byte */
	const char s[] = "a\xc2\x9b" "31mb\x9b" "c";

	(void)state;
	assert_string_equal(clean(s, sizeof s - 1), "a 31mb\xef\xbf\xbd" "c");
}

static void test_invalid_utf8_replaced(void **state)
{
	const char s[] = "x\xff\xfe y \xc0\xaf z \xed\xa0\x80";	/* bad bytes, overlong, surrogate */
	const char *out;

	(void)state;
	out = clean(s, sizeof s - 1);
	assert_true(utf8_clean(out, strlen(out)));
	assert_non_null(strstr(out, "\xef\xbf\xbd"));
	assert_int_equal(strncmp(out, "x", 1), 0);
}

static void test_valid_utf8_kept(void **state)
{
	const char s[] = "Bo\xc3\xaete pleine \xe2\x80\x94 \xf0\x9f\x93\xa7";

	(void)state;
	assert_string_equal(clean(s, sizeof s - 1), s);
}

static void test_whitespace_folded(void **state)
{
	(void)state;
	assert_string_equal(clean("  a\t\tb \r\n c  ", 14), "a b c");
}

/* ascii_reference - what sanitize_text makes of ASCII: every run of spaces and controls (DEL too) one
 * space, none at either end */
static void ascii_reference(char *dst, const char *src, size_t len)
{
	size_t i, o = 0;
	int gap = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c <= 0x20 || c == 0x7f) {
			gap = o > 0;
			continue;
		}
		if (gap)
			dst[o++] = ' ';
		gap = 0;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
}

/* every place in long plain runs (which are copied eight bytes at a time) of a double space, a
 * control, DEL, a high byte, a space before the end: the same text as one byte at a time */
static void test_long_runs_every_offset(void **state)
{
	static const char odd[] = { ' ', '\t', '\x01', '\x7f', '\x1b', '\0' };
	char src[64], want[80], got[80];
	size_t pos, k, len;

	(void)state;
	for (len = 9; len < 40; len++)
		for (pos = 0; pos < len; pos++)
			for (k = 0; k < sizeof odd; k++) {
				memset(src, 'x', len);
				src[len / 2] = ' ';	/* a single space: kept in a run */
				src[pos] = odd[k];
				if (pos + 1 < len && k == 0)
					src[pos + 1] = ' ';	/* a double space */
				ascii_reference(want, src, len);
				sanitize_text(got, sizeof got, src, len);
				if (strcmp(got, want) != 0)
					fail_msg("len %zu, byte %zu = 0x%02x: \"%s\", want \"%s\"", len, pos,
						 (unsigned char)odd[k], got, want);
			}
	/* a byte above 0x7e inside a long run ends the fast copy: it is replaced, the rest kept */
	assert_string_equal(clean("abcdefghijklm\xffnopqrstuvwxyz", 27), "abcdefghijklm\xef\xbf\xbdnopqrstuvwxyz");
	assert_string_equal(clean("abcdefg hijklmn opqrstu ", 24), "abcdefg hijklmn opqrstu");
}

static void test_truncation_keeps_whole_code_points(void **state)
{
	char buf[6];
	const char s[] = "ab\xe2\x80\x94xyz";

	(void)state;
	sanitize_text(buf, sizeof buf, s, sizeof s - 1);
	assert_string_equal(buf, "ab\xe2\x80\x94");
	sanitize_text(buf, 5, s, sizeof s - 1);
	assert_string_equal(buf, "ab");
	assert_true(utf8_clean(buf, strlen(buf)));
}

/* a cut never ends on a space, and a word cut short keeps what fits */
static void test_truncation_at_spaces(void **state)
{
	char buf[8];
	size_t n;

	(void)state;
	n = sanitize_text(buf, 4, "ab cd", 5);
	assert_string_equal(buf, "ab");
	assert_int_equal(n, 2);
	sanitize_text(buf, 5, "ab cd", 5);
	assert_string_equal(buf, "ab c");
	sanitize_text(buf, 6, "ab cd", 5);
	assert_string_equal(buf, "ab cd");
	sanitize_text(buf, 5, "ab  cd", 6);	/* a folded run of spaces, then the cut */
	assert_string_equal(buf, "ab c");
	sanitize_text(buf, 3, "abcdef", 6);
	assert_string_equal(buf, "ab");
	sanitize_text(buf, 1, "abc", 3);
	assert_string_equal(buf, "");
	sanitize_text(buf, sizeof buf, "a b c ", 6);	/* single spaces inside a run, none at the end */
	assert_string_equal(buf, "a b c");
}

static void test_nul_bytes_inside(void **state)
{
	const char s[] = "a\0b";

	(void)state;
	assert_string_equal(clean(s, 3), "a b");
}

/* #8: bidi overrides, isolates, zero-width characters and the BOM are shown as U+FFFD, never passed */
static void test_format_characters_visible(void **state)
{
	const char s[] = "a\xe2\x80\xae" "b\xe2\x80\xac" "c\xe2\x80\x8b" "d\xe2\x80\x8d" "e\xef\xbb\xbf" "f"
			 "\xe2\x81\xa6" "g\xd8\x9c" "h\xe2\x80\xa8" "i\xf3\xa0\x80\xa1" "j";
	const char *out;

	(void)state;
	assert_false(utf8_clean(s, sizeof s - 1));
	out = clean(s, sizeof s - 1);
	assert_string_equal(out, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd" "d\xef\xbf\xbd" "e\xef\xbf\xbd" "f"
			    "\xef\xbf\xbd" "g\xef\xbf\xbd" "h\xef\xbf\xbd" "i\xef\xbf\xbd" "j");
	assert_true(utf8_clean(out, strlen(out)));
	assert_true(unicode_is_format(0x202E));
	assert_true(unicode_is_format(0x2066));
	assert_true(unicode_is_format(0x180E));
	assert_false(unicode_is_format(0x00E9));
	assert_false(unicode_is_format(0x2030));
	assert_false(unicode_is_format(0xFFFD));
}

/* #9: an argument quoted in a message keeps no escape sequence, and is cut with "..." */
static void test_quote_for_messages(void **state)
{
	const char osc52[] = "\x1b]52;c;cm0gLXJmIC8=\x07\x1b[2J\xc2\x9b" "1m\xe2\x80\xae" "x\xff";
	char buf[16];

	(void)state;
	assert_int_equal(sanitize_quote(buf, sizeof buf, "gmail.com", 9), 9);
	assert_string_equal(buf, "gmail.com");
	sanitize_quote(buf, sizeof buf, "b\xc3\xbc" "cher.de", 10);
	assert_string_equal(buf, "b\xc3\xbc" "cher.de");
	sanitize_quote(buf, sizeof buf, osc52, sizeof osc52 - 1);
	assert_string_equal(buf, "?]52;c;cm0gL...");
	assert_null(strchr(buf, '\x1b'));
	{
		char big[64];

		sanitize_quote(big, sizeof big, osc52, sizeof osc52 - 1);
		assert_string_equal(big, "?]52;c;cm0gLXJmIC8=??[2J?1m?x?");
	}
	sanitize_quote(buf, sizeof buf, "0123456789abcdef", 16);	/* one too long: cut */
	assert_string_equal(buf, "0123456789ab...");
	sanitize_quote(buf, sizeof buf, "0123456789abcde", 15);	/* fits exactly */
	assert_string_equal(buf, "0123456789abcde");
}

/* #8: report columns pad by display width, not bytes */
static void test_display_width(void **state)
{
	(void)state;
	assert_int_equal(utf8_width("gmail.com"), 9);
	assert_int_equal(utf8_width("b\xc3\xbc" "cher.de"), 9);
	assert_int_equal(utf8_width("\xe6\x97\xa5\xe6\x9c\xac.jp"), 7);	/* two wide characters */
	assert_int_equal(utf8_width(""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_escape_sequences_inert),
		cmocka_unit_test(test_c1_controls_removed),
		cmocka_unit_test(test_invalid_utf8_replaced),
		cmocka_unit_test(test_valid_utf8_kept),
		cmocka_unit_test(test_whitespace_folded),
		cmocka_unit_test(test_long_runs_every_offset),
		cmocka_unit_test(test_truncation_keeps_whole_code_points),
		cmocka_unit_test(test_truncation_at_spaces),
		cmocka_unit_test(test_nul_bytes_inside),
		cmocka_unit_test(test_format_characters_visible),
		cmocka_unit_test(test_quote_for_messages),
		cmocka_unit_test(test_display_width),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "en_US.UTF-8");

	return cmocka_run_group_tests(tests, NULL, NULL);
}

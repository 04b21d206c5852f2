/* test_sanitize - control characters, escape sequences and invalid UTF-8 are made inert */
#include "tests/unit/testutil.h"

#include "core/sanitize.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_escape_sequences_inert),
		cmocka_unit_test(test_c1_controls_removed),
		cmocka_unit_test(test_invalid_utf8_replaced),
		cmocka_unit_test(test_valid_utf8_kept),
		cmocka_unit_test(test_whitespace_folded),
		cmocka_unit_test(test_truncation_keeps_whole_code_points),
		cmocka_unit_test(test_truncation_at_spaces),
		cmocka_unit_test(test_nul_bytes_inside),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

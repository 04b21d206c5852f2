/* test_osc52 - the clipboard sequence: base64 of the sanitized text between ESC ] 52 ; c ; and BEL (issue 12) */
#include "tests/unit/testutil.h"

#include "tui/osc52.h"

static void test_sequence(void **state)
{
	char buf[256];
	size_t n;

	(void)state;
	n = osc52_format(buf, sizeof buf, "4436BA7645C");
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "\033]52;c;NDQzNkJBNzY0NUM=\a");
	/* the three padding cases */
	osc52_format(buf, sizeof buf, "a");
	assert_string_equal(buf, "\033]52;c;YQ==\a");
	osc52_format(buf, sizeof buf, "ab");
	assert_string_equal(buf, "\033]52;c;YWI=\a");
	osc52_format(buf, sizeof buf, "abc");
	assert_string_equal(buf, "\033]52;c;YWJj\a");
}

static void test_sanitized_and_bounded(void **state)
{
	char buf[256], small[12];

	(void)state;
	/* an escape sequence in a remote reply is not copied as one: "x\033[2Jy" becomes "x [2Jy" */
	osc52_format(buf, sizeof buf, "x\033[2Jy");
	assert_string_equal(buf, "\033]52;c;eCBbMkp5\a");
	/* nothing to copy, or no room: nothing written */
	assert_int_equal(osc52_format(buf, sizeof buf, ""), 0);
	assert_int_equal(osc52_format(buf, sizeof buf, "\033\t"), 0);
	assert_int_equal(osc52_format(small, sizeof small, "abcdef"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_sanitized_and_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

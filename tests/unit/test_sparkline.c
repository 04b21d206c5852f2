/* test_sparkline - the bar chart both console views draw their trends with */
#include "tests/unit/testutil.h"

#include "tui/sparkline.h"

#define B1 "\xe2\x96\x81"	/* lowest bar */
#define B4 "\xe2\x96\x84"
#define B8 "\xe2\x96\x88"	/* full block */

static void test_levels(void **state)
{
	unsigned v[6] = { 0, 1, 40, 80, 0, 3 };
	char buf[64];

	(void)state;
	sparkline_format(buf, sizeof buf, v, 6, 0);
	/* 1 and 3 of 80 are small but not nothing: the lowest bar; 40 of 80 is half */
	assert_string_equal(buf, " " B1 B4 B8 " " B1);
	sparkline_format(buf, sizeof buf, v, 6, 1);
	assert_string_equal(buf, " _:# _");
}

static void test_empty_and_flat(void **state)
{
	unsigned zero[4] = { 0 }, flat[3] = { 5, 5, 5 };
	char buf[64];

	(void)state;
	sparkline_format(buf, sizeof buf, zero, 4, 0);
	assert_string_equal(buf, "    ");		/* as wide as the buckets, blank */
	sparkline_format(buf, sizeof buf, flat, 3, 0);
	assert_string_equal(buf, B8 B8 B8);
	sparkline_format(buf, sizeof buf, zero, 0, 0);
	assert_string_equal(buf, "");
}

static void test_short_buffer_cuts_whole_bars(void **state)
{
	unsigned v[4] = { 8, 8, 8, 8 }, huge[2] = { 4000000000u, 1 };
	char buf[8];

	(void)state;
	sparkline_format(buf, sizeof buf, v, 4, 0);	/* room for two 3-byte bars and the NUL */
	assert_string_equal(buf, B8 B8);
	sparkline_format(buf, 1, v, 4, 0);
	assert_string_equal(buf, "");
	sparkline_format(buf, sizeof buf, huge, 2, 1);	/* no overflow in the scaling */
	assert_string_equal(buf, "#_");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_empty_and_flat),
		cmocka_unit_test(test_short_buffer_cuts_whole_bars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

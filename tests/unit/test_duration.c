/* test_duration - duration parsing and its 10-year cap, and config keys of that type */
#include "tests/unit/testutil.h"

#include "core/base/config.h"
#include "core/base/duration.h"

/* ordinary durations, and what is not one */
static void test_parse(void **state)
{
	(void)state;
	assert_int_equal(duration_parse("90", 1), 90);
	assert_int_equal(duration_parse("30", 86400), 30 * 86400);
	assert_int_equal(duration_parse("1h30m", 1), 5400);
	assert_int_equal(duration_parse("2w", 1), 14 * 86400);
	assert_int_equal(duration_parse("0", 1), 0);
	assert_int_equal(duration_parse("", 1), -1);
	assert_int_equal(duration_parse("1h30", 1), -1);
	assert_int_equal(duration_parse("5x", 1), -1);
	assert_int_equal(duration_parse("-5m", 1), -1);
	assert_string_equal(duration_problem(-1), "not a duration");
}

/* #3 #18: a duration beyond 10 years is refused, never wrapped or saturated into something else */
static void test_cap(void **state)
{
	(void)state;
	assert_int_equal(duration_parse("3653d", 1), DURATION_MAX);
	assert_int_equal(duration_parse("3653d1s", 1), DURATION_TOO_LONG);
	assert_int_equal(duration_parse("3654d", 1), DURATION_TOO_LONG);
	assert_int_equal(duration_parse("106751991167300d", 1), DURATION_TOO_LONG);
	assert_int_equal(duration_parse("106751991167300", 86400), DURATION_TOO_LONG);
	assert_int_equal(duration_parse("99999999999999999999999999999w", 1), DURATION_TOO_LONG);
	assert_int_equal(duration_parse("9223372036854775807s", 1), DURATION_TOO_LONG);
	assert_int_equal(duration_parse("3000d3000d", 1), DURATION_TOO_LONG);
	assert_int_equal(duration_parse("99999999999999999999x", 1), -1);	/* still not a duration */
	assert_non_null(strstr(duration_problem(DURATION_TOO_LONG), "10 years"));
}

/* #3: a retention beyond the cap is refused with a clear message and marked rejected */
static void test_config_retention(void **state)
{
	struct config cfg;
	struct why why = { "" };

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_num(&cfg, CFG_RETENTION), 30 * 86400);
	assert_int_equal(config_set(&cfg, CFG_RETENTION, "106751991167300d", &why), -1);
	assert_non_null(strstr(why.text, "longer than the maximum"));
	assert_int_equal(config_num(&cfg, CFG_RETENTION), 30 * 86400);
	assert_int_equal(config_set(&cfg, CFG_RETENTION, "3650d", &why), 0);
	assert_int_equal(config_num(&cfg, CFG_RETENTION), 3650L * 86400);
	assert_int_equal(config_rejected(&cfg, CFG_RETENTION), 0);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_config_retention),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_complete - Tab completion on the ":" line: a unique prefix completes, several list their matches */
#include "tests/unit/testutil.h"

#include "tui/complete.h"

static const char *const domains[] = { "gmail.com", "googlemail.com", "greylist.example", "outlook.com" };

static void test_unique_prefix_completes(void **state)
{
	char out[64], list[128];

	(void)state;
	assert_int_equal(complete_word("gm", domains, 4, out, sizeof out, list, sizeof list), 1);
	assert_string_equal(out, "gmail.com");
	assert_int_equal(complete_word("outlook.com", domains, 4, out, sizeof out, list, sizeof list), 1);
	assert_string_equal(out, "outlook.com");
}

static void test_several_list_their_matches(void **state)
{
	char out[64], list[128];

	(void)state;
	assert_int_equal(complete_word("g", domains, 4, out, sizeof out, list, sizeof list), 3);
	assert_string_equal(out, "g");
	assert_string_equal(list, "gmail.com googlemail.com greylist.example");
	assert_int_equal(complete_word("", domains, 4, out, sizeof out, list, sizeof list), 4);
	assert_string_equal(out, "");
	/* one more letter makes it unique */
	assert_int_equal(complete_word("gr", domains, 4, out, sizeof out, list, sizeof list), 1);
	assert_string_equal(out, "greylist.example");
}

static void test_shared_prefix_and_none(void **state)
{
	static const char *const causes[] = { "rate-limit", "reputation", "greylisting" };
	char out[64], list[16];

	(void)state;
	assert_int_equal(complete_word("r", causes, 3, out, sizeof out, list, sizeof list), 2);
	assert_string_equal(out, "r");
	assert_int_equal(complete_word("x", causes, 3, out, sizeof out, list, sizeof list), 0);
	assert_string_equal(out, "x");
	assert_string_equal(list, "");
	/* a list that does not fit ends in "..." */
	assert_int_equal(complete_word("", domains, 4, out, sizeof out, list, sizeof list), 4);
	assert_int_equal(strlen(list), sizeof list - 1);
	assert_string_equal(list + sizeof list - 4, "...");
	/* shared prefix longer than the typed one */
	{
		static const char *const d[] = { "mail1.example", "mail2.example" };

		assert_int_equal(complete_word("m", d, 2, out, sizeof out, list, sizeof list), 2);
		assert_string_equal(out, "mail");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unique_prefix_completes),
		cmocka_unit_test(test_several_list_their_matches),
		cmocka_unit_test(test_shared_prefix_and_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

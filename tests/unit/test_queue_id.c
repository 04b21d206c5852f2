/* test_queue_id - short and long Postfix queue IDs; operator words refused */
#include "tests/unit/testutil.h"

#include "core/postfix/queue_id.h"

/* valid - postfix_id_valid on a NUL-terminated string */
static int valid(const char *s)
{
	return postfix_id_valid(s, strlen(s));
}

static void test_short_ids(void **state)
{
	(void)state;
	assert_true(valid("4621CA7211A"));
	assert_true(valid("C70C2A720DE"));
	assert_true(valid("ABCDEF"));
	assert_false(valid("ABCDE"));		/* too short */
	assert_false(valid("4621ca7211a"));	/* lower-case hex is not a short ID */
	assert_false(valid("4621CA7211G"));
}

static void test_long_ids(void **state)
{
	(void)state;
	assert_true(valid("4jXTw44sBqz1bgHY"));
	assert_false(valid("4jXTw44sBqz"));	/* nothing after the separator */
	assert_false(valid("4jXTwz4sBq1bgHY"));	/* separator too early */
	assert_false(valid("4jXTw44sBaz1bgHY"));	/* a vowel */
	/* a 'z' among the time digits: the last 'z' separates the inode (Postfix wrote such IDs) */
	assert_true(valid("4jXTz44sBqz1bgHY"));
	assert_true(valid("4jXTw44sBzz1bgHY"));
}

static void test_operator_words_refused(void **state)
{
	(void)state;
	assert_false(valid("ALL"));
	assert_false(valid("-"));
	assert_false(valid(""));
	assert_false(valid("../x"));
	assert_false(valid("ABCDEF ABCDEF"));
	assert_false(valid("ABCDEF\n"));
	assert_false(valid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));	/* overlong */
	assert_false(postfix_id_valid(NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_ids),
		cmocka_unit_test(test_long_ids),
		cmocka_unit_test(test_operator_words_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

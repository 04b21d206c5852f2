/* test_exim_id - Exim message IDs of both forms, their time and spool subdirectory */
#include "tests/unit/testutil.h"

#include "core/exim/exim_id.h"

/* valid - exim_id_valid on a NUL-terminated string */
static int valid(const char *s)
{
	return exim_id_valid(s, strlen(s));
}

static void test_valid_forms(void **state)
{
	(void)state;
	/* real IDs from Exim 4.96 (EXIM-FACTS.md) */
	assert_true(valid("1xYcK0-0004pt-2q"));
	assert_true(valid("1xYcLO-000605-2Q"));
	assert_true(valid("1xYcQQ-00016W-3B"));
	/* Exim 4.97+: 11-character pid part, 4-character fraction */
	assert_true(valid("1xYcK0-0000000004p-002q"));
	assert_true(valid("zzzzzz-zzzzzzzzzzz-zzzz"));
	assert_true(valid("000000-000000-00"));
}

static void test_invalid(void **state)
{
	(void)state;
	assert_false(valid(""));
	assert_false(valid("1xYcK0-0004pt-2"));		/* 15 */
	assert_false(valid("1xYcK0-0004pt-2qq"));		/* 17 */
	assert_false(valid("1xYcK0-0004pt-2q "));
	assert_false(valid("1xYcK0_0004pt-2q"));		/* separator */
	assert_false(valid("1xYcK0-0004pt_2q"));
	assert_false(valid("1xYcK0-0004p!-2q"));		/* not base 62 */
	assert_false(valid("1xYc.0-0004pt-2q"));
	assert_false(valid("1xYcK0-0000000004-0002q"));	/* 23 chars, wrong split */
	assert_false(valid("1xYcK0-0000000004p-002q0"));	/* 24 */
	assert_false(valid("ABCDEF123"));			/* a Postfix ID */
	assert_false(valid("ALL"));
	assert_false(valid("-"));
	assert_false(exim_id_valid(NULL, 16));
	/* bytes after the length are not looked at, bytes before it must all be right */
	assert_true(exim_id_valid("1xYcK0-0004pt-2q<junk>", 16));
	assert_false(exim_id_valid("1xYcK0-0004pt\0002q", 16));
	/* bad UTF-8 and high bytes */
	assert_false(valid("1xYcK0-0004p\xc3\xa9-2"));
	assert_false(valid("\xff\xff\xff\xff\xff\xff-000000-00"));
}

static void test_time(void **state)
{
	(void)state;
	/* 1xYcLO = 1796187206 (EXIM-FACTS.md) */
	assert_int_equal((long long)exim_id_time("1xYcLO-000605-2Q", 16), 1796187206LL);
	assert_int_equal((long long)exim_id_time("1xYcLO-00000000605-002Q", 23), 1796187206LL);
	assert_int_equal((long long)exim_id_time("000000-000000-00", 16), 0);
	assert_int_equal((long long)exim_id_time("000010-000000-00", 16), 62);
	/* the largest 6-digit base-62 value: no overflow */
	assert_int_equal((long long)exim_id_time("zzzzzz-000000-00", 16), 56800235583LL);
	assert_int_equal((long long)exim_id_time("1xYcLO-000605-2", 15), -1);
	assert_int_equal((long long)exim_id_time("1xYcLO+000605-2Q", 16), -1);
}

static void test_subdir(void **state)
{
	(void)state;
	assert_int_equal(exim_id_subdir("1xYcK0-0004pt-2q", 16), '0');
	assert_int_equal(exim_id_subdir("1xYcLO-000605-2Q", 16), 'O');
	assert_int_equal(exim_id_subdir("1xYcLp-00000000605-002Q", 23), 'p');
	assert_int_equal(exim_id_subdir("../../x-000605-2Q", 17), 0);
	assert_int_equal(exim_id_subdir("1xYc/O-000605-2Q", 16), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_forms),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_subdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

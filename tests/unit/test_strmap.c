/* test_strmap - the string -> integer map behind the store's names */
#include "tests/unit/testutil.h"

#include "core/base/strmap.h"

static void test_put_get_overwrite(void **state)
{
	struct strmap m = { 0 };
	long long v = -1;

	(void)state;
	assert_int_equal(strmap_get(&m, "gmail.com", &v), 0);	/* empty map */
	assert_int_equal(strmap_put(&m, "gmail.com", 7), 0);
	assert_int_equal(strmap_put(&m, "", 8), 0);		/* the empty string is a key */
	assert_int_equal(strmap_get(&m, "gmail.com", &v), 1);
	assert_int_equal(v, 7);
	assert_int_equal(strmap_get(&m, "", &v), 1);
	assert_int_equal(v, 8);
	assert_int_equal(strmap_get(&m, "gmail.co", &v), 0);
	assert_int_equal(strmap_put(&m, "gmail.com", 9), 0);	/* overwrite keeps one key */
	assert_int_equal(strmap_get(&m, "gmail.com", &v), 1);
	assert_int_equal(v, 9);
	assert_int_equal(strmap_count(&m), 2);
	strmap_clear(&m);
	assert_int_equal(strmap_count(&m), 0);
	assert_int_equal(strmap_get(&m, "gmail.com", &v), 0);
	assert_int_equal(strmap_put(&m, "again", 1), 0);	/* usable after clear */
	assert_int_equal(strmap_count(&m), 1);
	strmap_clear(&m);
}

static void test_growth_keeps_every_key(void **state)
{
	struct strmap m = { 0 };
	char key[32];
	long long v;
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof key, "d%d.example", i);
		assert_int_equal(strmap_put(&m, key, i * 3LL), 0);
	}
	assert_int_equal(strmap_count(&m), 100000);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof key, "d%d.example", i);
		assert_int_equal(strmap_get(&m, key, &v), 1);
		assert_int_equal(v, i * 3LL);
	}
	assert_int_equal(strmap_get(&m, "d100000.example", &v), 0);
	strmap_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_overwrite),
		cmocka_unit_test(test_growth_keeps_every_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_strpool - interning: one copy per text, pointers that stay, references */
#include "tests/unit/testutil.h"

#include "core/base/strpool.h"

#include <stdio.h>
#include <stdlib.h>

/* test_same_text_same_pointer - equal texts give one pointer, different texts different ones */
static void test_same_text_same_pointer(void **state)
{
	struct strpool *p = strpool_new();
	char buf[32];
	const char *a, *b, *c;

	(void)state;
	assert_non_null(p);
	a = strpool_str(p, "gmail.com");
	snprintf(buf, sizeof buf, "gmail.%s", "com");
	b = strpool_str(p, buf);
	c = strpool_intern(p, "gmail.comx", 9);		/* a length, not a terminator */
	assert_ptr_equal(a, b);
	assert_ptr_equal(a, c);
	assert_string_equal(a, "gmail.com");
	assert_ptr_not_equal(strpool_str(p, "yahoo.com"), a);
	assert_string_equal(strpool_str(p, ""), "");
	assert_int_equal(strpool_count(p), 3);
	strpool_unref(p);
}

/* test_pointers_stay - strings keep their address while the table grows and chunks fill up */
static void test_pointers_stay(void **state)
{
	struct strpool *p = strpool_new();
	const char *first[1000];
	char buf[64], big[100000];
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(buf, sizeof buf, "user%d@example.org", i);
		first[i] = strpool_str(p, buf);
	}
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_string_equal(strpool_str(p, big), big);	/* bigger than a chunk */
	for (i = 0; i < 100000; i++) {
		snprintf(buf, sizeof buf, "other%d", i);
		assert_non_null(strpool_str(p, buf));
	}
	for (i = 0; i < 1000; i++) {
		snprintf(buf, sizeof buf, "user%d@example.org", i);
		assert_ptr_equal(strpool_str(p, buf), first[i]);
		assert_string_equal(first[i], buf);
	}
	assert_int_equal(strpool_count(p), 101001);
	assert_true(strpool_bytes(p) > sizeof big);
	strpool_unref(p);
}

/* test_references - the strings live until the last reference goes */
static void test_references(void **state)
{
	struct strpool *p = strpool_new();
	const char *s;

	(void)state;
	s = strpool_str(p, "kept");
	assert_ptr_equal(strpool_ref(p), p);
	strpool_unref(p);
	assert_string_equal(s, "kept");		/* still one reference: valid (ASan checks) */
	strpool_unref(p);
	strpool_unref(NULL);
	assert_null(strpool_ref(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_text_same_pointer),
		cmocka_unit_test(test_pointers_stay),
		cmocka_unit_test(test_references),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

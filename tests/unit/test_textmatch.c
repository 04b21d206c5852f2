/* test_textmatch - the multi-fragment matcher against a naive search */
#include "tests/unit/testutil.h"

#include <strings.h>

#include "core/classify/textmatch.h"

static void test_basic_case_insensitive(void **state)
{
	struct textmatch *tm = textmatch_new();
	uint64_t found[4];
	int a, b, c, d;

	(void)state;
	a = textmatch_add(tm, "Greylisted");
	b = textmatch_add(tm, "try again");
	c = textmatch_add(tm, "again later");
	d = textmatch_add(tm, "TSS04");
	assert_int_equal(textmatch_add(tm, ""), -1);
	assert_int_equal(textmatch_compile(tm), 0);
	textmatch_scan(tm, "421 4.7.1 GREYLISTED, please TRY AGAIN LATER", 44, found);
	assert_true(bitset_has(found, (size_t)a));
	assert_true(bitset_has(found, (size_t)b));
	assert_true(bitset_has(found, (size_t)c));	/* overlapping match */
	assert_false(bitset_has(found, (size_t)d));
	textmatch_free(tm);
}

static void test_word_boundaries(void **state)
{
	struct textmatch *tm = textmatch_new();
	uint64_t found[4];
	int url, tls, me, plain;

	(void)state;
	url = textmatch_add(tm, "\\burl\\b");
	tls = textmatch_add(tm, "\\bTLS");
	me = textmatch_add(tm, "\\bme.com\\b");
	plain = textmatch_add(tm, "url");
	assert_int_equal(textmatch_add(tm, "\\b\\b"), -1);	/* nothing left to match */
	assert_int_equal(textmatch_compile(tm), 0);
	textmatch_scan(tm, "hourly limit, see welcome.com", 29, found);
	assert_false(bitset_has(found, (size_t)url));
	assert_true(bitset_has(found, (size_t)plain));
	assert_false(bitset_has(found, (size_t)me));
	textmatch_scan(tm, "bad URL. TLSv1.2 failed at me.com", 33, found);
	assert_true(bitset_has(found, (size_t)url));
	assert_true(bitset_has(found, (size_t)tls));	/* only the start is bounded */
	assert_true(bitset_has(found, (size_t)me));
	/* a failed boundary at one place does not hide a good one later */
	textmatch_scan(tm, "hourly url", 10, found);
	assert_true(bitset_has(found, (size_t)url));
	textmatch_scan(tm, "xtls", 4, found);
	assert_false(bitset_has(found, (size_t)tls));
	textmatch_free(tm);
}

static void test_suffix_outputs(void **state)
{
	struct textmatch *tm = textmatch_new();
	uint64_t found[4];
	int he, she, hers;

	(void)state;
	he = textmatch_add(tm, "he");
	she = textmatch_add(tm, "she");
	hers = textmatch_add(tm, "hers");
	textmatch_compile(tm);
	textmatch_scan(tm, "ushers", 6, found);
	assert_true(bitset_has(found, (size_t)he));
	assert_true(bitset_has(found, (size_t)she));
	assert_true(bitset_has(found, (size_t)hers));
	textmatch_scan(tm, "xhx", 3, found);
	assert_false(bitset_has(found, (size_t)he));
	textmatch_free(tm);
}

static void test_against_naive_search(void **state)
{
	static const char *frags[] = {
		"rate limit", "unsolicited", "4.7.28", "ptr record", "reverse dns", "tls", "starttls",
		"over quota", "too many", "too many connections", "connection refused", "[tss04]",
		"rp-001", "aa", "aaa", "a", "b a", "ab",
	};
	const size_t nf = sizeof frags / sizeof frags[0];
	struct textmatch *tm = textmatch_new();
	char text[200];
	uint64_t found[4];
	unsigned x = 99;
	size_t i, k, round;
	const char alphabet[] = "abAB 4.7 rtlsRT-[]";

	(void)state;
	for (i = 0; i < nf; i++)
		assert_int_equal(textmatch_add(tm, frags[i]), (int)i);
	textmatch_compile(tm);
	for (round = 0; round < 3000; round++) {
		size_t len = round % sizeof text;

		for (k = 0; k < len; k++) {
			x = x * 1664525u + 1013904223u;
			text[k] = alphabet[(x >> 24) % (sizeof alphabet - 1)];
		}
		text[len] = '\0';
		if (round % 7 == 0 && len >= 23)
			memcpy(text + 3, "Too Many Connections", 20);
		textmatch_scan(tm, text, len, found);
		for (i = 0; i < nf; i++) {
			int naive = strcasestr(text, frags[i]) != NULL;

			assert_int_equal(bitset_has(found, i), naive);
		}
	}
	textmatch_free(tm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_case_insensitive),
		cmocka_unit_test(test_word_boundaries),
		cmocka_unit_test(test_suffix_outputs),
		cmocka_unit_test(test_against_naive_search),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

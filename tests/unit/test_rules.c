/* test_rules - loading rules files: linear time, limits, replacement; the classifier's limits as errors */
#include "tests/unit/testutil.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "core/classify/classify.h"
#include "core/classify/rules.h"

/* write_rules - n generated rules (frag: "text = " fragments per rule, each len bytes) to a temporary file */
static const char *write_rules(int n, int frags, int len)
{
	static char path[64];
	FILE *fp;
	int fd, i, k;

	strcpy(path, "/tmp/mqmon-test-rules-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	for (i = 0; i < n; i++) {
		fprintf(fp, "[rule.r%d]\ncause = rate-limit\n", i);
		if (frags == 0)
			fprintf(fp, "smtp = 421\n");
		for (k = 0; k < frags; k++)
			fprintf(fp, "%s%d-%d-%0*d", k ? " | " : "text = f", i, k, len, 0);
		fprintf(fp, "\n");
	}
	fclose(fp);
	return path;
}

/* seconds - monotonic time */
static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* #15: a big file loads in linear time; the last of a replaced name wins, in file order */
static void test_big_file_loads_fast(void **state)
{
	const char *path = write_rules(RULES_MAX, 1, 1);
	struct ruleset rs;
	struct why why;
	double t0 = seconds();

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, path, &why), 0);
	assert_int_equal(rs.nrules, RULES_MAX);
	assert_true(seconds() - t0 < 5.0);	/* was quadratic: ~1 s for 4,096 rules, 7 s for 9,000 */
	assert_string_equal(rs.rules[0].name, "r0");
	assert_string_equal(rs.rules[RULES_MAX - 1].name, "r4095");
	unlink(path);
	/* a second file replaces r1 (moved to the end) and removes r2 */
	path = write_rules(0, 0, 0);
	{
		FILE *fp = fopen(path, "w");

		fputs("[rule.r1]\ncause = tls\nsmtp = 450\n[rule.r2]\nenabled = no\n", fp);
		fclose(fp);
	}
	assert_int_equal(ruleset_load(&rs, path, &why), 0);
	assert_int_equal(rs.nrules, RULES_MAX - 1);
	assert_string_equal(rs.rules[1].name, "r3");
	assert_string_equal(rs.rules[rs.nrules - 1].name, "r1");
	assert_int_equal(rs.rules[rs.nrules - 1].cause, CAUSE_TLS);
	ruleset_free(&rs);
	unlink(path);
}

/* compile_refused - the rules at path load, but compiling them is refused (E2BIG) with msg; removes path */
static void compile_refused(const char *path, const char *msg)
{
	struct ruleset rs;
	struct why why;

	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, path, &why), 0);
	errno = 0;
	assert_null(classifier_new(&rs, &why));
	assert_int_equal(errno, E2BIG);
	assert_non_null(strstr(why.text, msg));
	ruleset_free(&rs);
	unlink(path);
}

/* #15: past a limit: a clear error, and E2BIG from the classifier (exit 78, not 70) */
static void test_limits(void **state)
{
	const char *path = write_rules(RULES_MAX + 1, 0, 0);
	struct ruleset rs;
	struct why why;

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, path, &why), -1);
	assert_non_null(strstr(why.text, "too many rules: 4097 (at most 4096"));
	ruleset_free(&rs);
	unlink(path);

	/* 2,100 rules of 4 short fragments: 8,400 fragments, more than the classifier takes */
	compile_refused(write_rules(2100, 4, 1), "too many rule text fragments: 8400");
	/* 100 rules of one 900-byte fragment: more bytes than the automaton takes */
	compile_refused(write_rules(100, 1, 900), "more than 65534 bytes");
}

/* more SMTP codes than a rule holds: the rule is reported and skipped, not silently shortened */
static void test_too_many_smtp_codes(void **state)
{
	const char *path = write_rules(0, 0, 0);
	struct ruleset rs;
	struct why why;
	FILE *fp = fopen(path, "w");

	(void)state;
	fputs("[rule.many]\ncause = tls\nsmtp = 421 450 451 452 454 455 421 450\n", fp);
	fclose(fp);
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, path, &why), 0);
	assert_int_equal(rs.nrules, 0);
	assert_int_equal(rs.errors.n, 1);
	assert_non_null(strstr(rs.errors.v[0], "more than 7 smtp codes"));
	ruleset_free(&rs);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_big_file_loads_fast),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_too_many_smtp_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

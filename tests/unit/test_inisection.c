/* test_inisection - a section named like section:key in the INI loaders
 *
 * iniparser stores a section as a key without a value and names keys
 * "section:key", so a section [mqmon:theme] or [rule.a:sample] is listed
 * among the keys of [mqmon] or [rule.a] with a NULL value. The loaders
 * passed that NULL on (strdup(NULL): a crash, found by make fuzz); now they
 * say it is a section and go on.
 */
#include "tests/unit/testutil.h"

#include <unistd.h>

#include "core/base/config.h"
#include "core/classify/rules.h"

/* write_tmp - write text to a temporary file, return its path (static buffer) */
static const char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/mqmon-test-ini-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* has_error - some collected error contains text */
static int has_error(const struct strlist *errors, const char *text)
{
	size_t i;

	for (i = 0; i < errors->n; i++)
		if (strstr(errors->v[i], text) != NULL)
			return 1;
	return 0;
}

static void test_config_section_named_like_a_key(void **state)
{
	const char *path = write_tmp("[mqmon]\nread_only = yes\n[mqmon:theme]\n[postfix:refresh_interval]\n");
	struct config cfg;
	struct why why;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, path, &why), 0);
	assert_string_equal(config_str(&cfg, CFG_THEME), "default");
	assert_int_equal(config_num(&cfg, CFG_READ_ONLY), 1);
	assert_true(has_error(&cfg.errors, "[mqmon:theme] is a section, not a key"));
	config_free(&cfg);
	unlink(path);
}

/* found by fuzz_config: the section replaces the file's only key, leaving no key at all
 * (UBSan: an offset applied to the NULL key array) */
static void test_section_replaces_the_only_key(void **state)
{
	const char *path = write_tmp("[mqmon]\ntheme = dark\n[mqmon:theme]\n");
	struct config cfg;
	struct why why;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, path, &why), 0);
	assert_string_equal(config_str(&cfg, CFG_THEME), "default");
	assert_true(has_error(&cfg.errors, "[mqmon:theme] is a section, not a key"));
	config_free(&cfg);
	unlink(path);
}

static void test_rules_section_named_like_a_sample(void **state)
{
	const char *path = write_tmp("[rule.a]\ncause = tls\ntext = starttls\nsample = 454 starttls failed\n"
				     "[rule.a:sample2]\n");
	struct ruleset rs;
	struct why why;

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, path, &why), 0);
	assert_int_equal(rs.nrules, 1);
	assert_int_equal(rs.rules[0].samples.n, 1);
	assert_string_equal(rs.rules[0].samples.v[0], "454 starttls failed");
	assert_true(has_error(&rs.errors, "[rule.a:sample2] is a section, not a key"));
	ruleset_free(&rs);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_section_named_like_a_key),
		cmocka_unit_test(test_section_replaces_the_only_key),
		cmocka_unit_test(test_rules_section_named_like_a_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

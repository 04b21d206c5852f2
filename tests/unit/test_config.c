/* test_config - the option table: values that cannot be parsed, safety switches, keys out of place */
#include "tests/unit/testutil.h"

#include <unistd.h>

#include "core/base/config.h"

/* write_tmp - write text to a temporary file, return its path (static buffer) */
static const char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/mqmon-test-config-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* has_error - some collected error contains s */
static int has_error(const struct config *cfg, const char *s)
{
	size_t i;

	for (i = 0; i < cfg->errors.n; i++)
		if (strstr(cfg->errors.v[i], s) != NULL)
			return 1;
	return 0;
}

/* #11: read_only = maybe must not mean "no"; every bad value is a clear error */
static void test_safety_switch_takes_safe_side(void **state)
{
	const char *path = write_tmp("[mqmon]\nread_only = maybe\nretention = 30x\n"
				     "[postfix]\nrefresh_interval = soon\n");
	struct config cfg;
	struct why why;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_num(&cfg, CFG_READ_ONLY), 0);
	assert_int_equal(config_load(&cfg, path, &why), 0);
	assert_int_equal(config_num(&cfg, CFG_READ_ONLY), 1);
	assert_string_equal(config_str(&cfg, CFG_READ_ONLY), "yes");
	assert_true(has_error(&cfg, "read_only: not yes/no: maybe (taken as read_only = yes, the safe side)"));
	assert_string_equal(config_str(&cfg, CFG_RETENTION), "0");	/* nothing pruned */
	assert_true(has_error(&cfg, "retention: not a duration: 30x"));
	assert_int_equal(config_num(&cfg, CFG_REFRESH_INTERVAL), 30);	/* not a safety switch: default */
	assert_true(has_error(&cfg, "refresh_interval: not a number: soon (default kept)"));
	assert_int_equal(cfg.errors.n, 3);
	config_free(&cfg);
	unlink(path);
}

static void test_booleans_and_misplaced_keys(void **state)
{
	const char *path = write_tmp("read_only = yes\n[mqmon]\nread_only = On\nthemes = dark\n[nosuch]\n");
	struct config cfg;
	struct why why;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, path, &why), 0);
	assert_int_equal(config_num(&cfg, CFG_READ_ONLY), 1);
	assert_true(has_error(&cfg, "read_only is outside any [section]"));
	assert_true(has_error(&cfg, "unknown key mqmon:themes"));
	assert_true(has_error(&cfg, "unknown section [nosuch]"));
	assert_int_equal(cfg.errors.n, 3);
	config_free(&cfg);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safety_switch_takes_safe_side),
		cmocka_unit_test(test_booleans_and_misplaced_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_pathname - the key a log's positions and lease are stored under */
#include "tests/unit/testutil.h"

#include <unistd.h>

#include "core/pathname.h"

/* key - path_absolute into a static buffer, "(error)" on failure */
static const char *key(const char *path, const char *cwd, size_t n)
{
	static char buf[4096];

	return path_absolute(path, cwd, buf, n) == 0 ? buf : "(error)";
}

static void test_same_file_same_key(void **state)
{
	(void)state;
	assert_string_equal(key("/var/log/mail.log", "/tmp", 4096), "/var/log/mail.log");
	assert_string_equal(key("mail.log", "/var/log", 4096), "/var/log/mail.log");
	assert_string_equal(key("./mail.log", "/var/log", 4096), "/var/log/mail.log");
	assert_string_equal(key("../log/mail.log", "/var/spool", 4096), "/var/log/mail.log");
	assert_string_equal(key("//var///log/./mail.log", "/", 4096), "/var/log/mail.log");
	assert_string_equal(key("log/mail.log", "/var/", 4096), "/var/log/mail.log");
}

static void test_edges(void **state)
{
	(void)state;
	assert_string_equal(key("/..", "/", 4096), "/");		/* never above the root */
	assert_string_equal(key("../../../x", "/a", 4096), "/x");
	assert_string_equal(key(".", "/", 4096), "/");
	assert_string_equal(key("/var/log/", "/", 4096), "/var/log");
	assert_string_equal(key("/var/log/mail.log", "/", 10), "(error)");	/* does not fit */
	assert_string_equal(key("/ab", "/", 4), "/ab");
	assert_string_equal(key("/abc", "/", 4), "(error)");
}

static void test_working_directory(void **state)
{
	char want[4200], cwd[4096];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(want, sizeof want, "%s/mail.log", strcmp(cwd, "/") == 0 ? "" : cwd);
	assert_string_equal(key("mail.log", NULL, 4096), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_file_same_key),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_working_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_pathname - the key a log's positions and lease are stored under */
#include "tests/unit/testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/base/pathname.h"
#include "core/history/store.h"

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

static void test_directory_links_resolved(void **state)
{
	char tmp[] = "/tmp/mqmon-test-path.XXXXXX", real[300], link[300], buf[4096], want[400], *r;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(real, sizeof real, "%s/data", tmp);
	snprintf(link, sizeof link, "%s/log", tmp);
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, link), 0);
	/* /tmp itself may be a link: compare with what realpath makes of the real directory */
	assert_non_null(r = realpath(real, NULL));
	snprintf(want, sizeof want, "%s/mail.log", r);
	free(r);
	/* the file need not exist; the directory's link is resolved */
	snprintf(buf, sizeof buf, "%s/mail.log", link);
	assert_int_equal(path_log_key(buf, buf, sizeof buf), 0);
	assert_string_equal(buf, want);
	snprintf(buf, sizeof buf, "%s/./data/../log/mail.log", tmp);
	assert_int_equal(path_log_key(buf, buf, sizeof buf), 0);
	assert_string_equal(buf, want);
	/* a missing directory: the clean path */
	assert_int_equal(path_log_key("/nonexistent-mqmon/x/../mail.log", buf, sizeof buf), 0);
	assert_string_equal(buf, "/nonexistent-mqmon/mail.log");
	unlink(link);
	rmdir(real);
	rmdir(tmp);
}

/* #20: a relative HOME or XDG_* is ignored for the default paths, like a relative XDG_DATA_HOME */
static void test_relative_home_ignored(void **state)
{
	char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	char buf[4096];

	(void)state;
	setenv("HOME", "rel", 1);
	setenv("XDG_DATA_HOME", "data", 1);
	setenv("XDG_CONFIG_HOME", "conf", 1);
	assert_true(path_home() == NULL || path_home()[0] == '/');
	assert_null(path_xdg("XDG_DATA_HOME"));
	assert_null(path_xdg("XDG_CONFIG_HOME"));
	if (store_default_path(NULL, buf, sizeof buf) == 0)
		assert_int_equal(buf[0], '/');
	setenv("HOME", "/home/x", 1);
	setenv("XDG_DATA_HOME", "/data", 1);
	assert_string_equal(path_home(), "/home/x");
	assert_int_equal(store_default_path(NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "/data/mqmon/mqmon.db");
	unsetenv("XDG_DATA_HOME");
	assert_int_equal(store_default_path(NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "/home/x/.local/share/mqmon/mqmon.db");
	unsetenv("XDG_CONFIG_HOME");
	if (saved_home != NULL)
		setenv("HOME", saved_home, 1);
	free(saved_home);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_file_same_key),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_working_directory),
		cmocka_unit_test(test_directory_links_resolved),
		cmocka_unit_test(test_relative_home_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

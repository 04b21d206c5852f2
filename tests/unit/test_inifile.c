/* test_inifile - INI files: what they are, errors by line number only, sections in one walk */
#include "tests/unit/testutil.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/inifile.h"

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

static void test_sections_and_keys(void **state)
{
	const char *path = write_tmp("top = 1\n[One]\nA = x\n; comment\n[two]\nb = \"q;uoted\"\n"
				     "[one]\nc = y\nsample2 = z\n[empty]\n");
	const struct inifile_section *s;
	struct inifile f;
	struct why why;

	(void)state;
	assert_int_equal(inifile_load(&f, path, "test", &why), 0);
	assert_int_equal(f.nsections, 4);	/* "" (keys before any section), one, two, empty */
	assert_string_equal(f.sections[0].name, "");
	assert_string_equal(f.sections[0].keys[0].name, "top");
	assert_string_equal(f.sections[1].name, "one");
	s = inifile_section(&f, "one");	/* a section given twice is one section, keys in file order */
	assert_non_null(s);
	assert_int_equal(s->nkeys, 3);
	assert_string_equal(s->keys[0].name, "a");
	assert_string_equal(s->keys[2].name, "sample2");
	assert_string_equal(inifile_get(s, "c"), "y");
	assert_null(inifile_get(s, "nope"));
	assert_string_equal(inifile_get(inifile_section(&f, "two"), "b"), "q;uoted");
	assert_int_equal(inifile_section(&f, "empty")->nkeys, 0);
	assert_null(inifile_section(&f, "three"));
	assert_null(inifile_get(NULL, "a"));
	inifile_free(&f);
	unlink(path);
}

/* #12: a line iniparser cannot parse is reported by number, its text never shown */
static void test_syntax_error_by_line_number(void **state)
{
	const char *path = write_tmp("[ok]\na = 1\nroot:s3cr3t-hash:19000:0:99999:7:::\nbob:hunter2::\n");
	struct inifile f;
	struct why why;

	(void)state;
	assert_int_equal(inifile_load(&f, path, "configuration", &why), -1);
	assert_non_null(strstr(why.text, "line 3 is not a [section]"));
	assert_non_null(strstr(why.text, "and 1 more line"));
	assert_null(strstr(why.text, "s3cr3t"));
	assert_null(strstr(why.text, "hunter2"));
	inifile_free(&f);
	unlink(path);
}

/* #16: an over-long line gives its number and the limit */
static void test_long_line(void **state)
{
	char *text = malloc(4096), *v = malloc(2048);
	const char *path;
	struct inifile f;
	struct why why;

	(void)state;
	memset(v, 'v', 2047);
	v[2047] = '\0';
	/* "k = " + 1018 bytes = 1022: the longest line; line 3 is one byte longer */
	snprintf(text, 4096, "[a]\nk = %.*s\nl = %.*s\n", INIFILE_MAX_LINE - 4, v, INIFILE_MAX_LINE - 3, v);
	path = write_tmp(text);
	assert_int_equal(inifile_load(&f, path, "rules file", &why), -1);
	assert_non_null(strstr(why.text, "line 3 is longer than 1022 bytes"));
	unlink(path);
	snprintf(text, 4096, "[a]\nk = %.*s\nl = %.*s\n", INIFILE_MAX_LINE - 4, v, INIFILE_MAX_LINE - 4, v);
	path = write_tmp(text);
	assert_int_equal(inifile_load(&f, path, "rules file", &why), 0);
	assert_int_equal(strlen(inifile_get(inifile_section(&f, "a"), "l")), INIFILE_MAX_LINE - 4);
	inifile_free(&f);
	unlink(path);
	free(text);
	free(v);
}

/* #16: a directory, a FIFO (no writer: must not block) or a device is refused */
static void test_not_a_regular_file(void **state)
{
	char dir[] = "/tmp/mqmon-test-ini-dir-XXXXXX", fifo[128];
	struct inifile f;
	struct why why;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(inifile_load(&f, dir, "theme", &why), -1);
	assert_non_null(strstr(why.text, "is a directory"));
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(inifile_load(&f, fifo, "theme", &why), -1);
	assert_non_null(strstr(why.text, "not a regular file (a FIFO)"));
	assert_int_equal(inifile_load(&f, "/dev/zero", "theme", &why), -1);
	assert_non_null(strstr(why.text, "not a regular file (a device)"));
	assert_int_equal(inifile_load(&f, "/nonexistent/x.ini", "theme", &why), -1);
	assert_non_null(strstr(why.text, "No such file"));
	unlink(fifo);
	rmdir(dir);
}

/* #15: too many lines is refused before iniparser's quadratic load */
static void test_too_many_lines(void **state)
{
	size_t n = (size_t)INIFILE_MAX_LINES + 1, i;
	char *text = malloc(n * 2 + 1), *p = text;
	const char *path;
	struct inifile f;
	struct why why;

	(void)state;
	for (i = 0; i < n; i++) {
		*p++ = ';';
		*p++ = '\n';
	}
	*p = '\0';
	path = write_tmp(text);
	assert_int_equal(inifile_load(&f, path, "rules file", &why), -1);
	assert_non_null(strstr(why.text, "more than 32768 lines"));
	unlink(path);
	text[(n - 1) * 2] = '\0';	/* exactly the limit: fine */
	path = write_tmp(text);
	assert_int_equal(inifile_load(&f, path, "rules file", &why), 0);
	inifile_free(&f);
	unlink(path);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections_and_keys),
		cmocka_unit_test(test_syntax_error_by_line_number),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_not_a_regular_file),
		cmocka_unit_test(test_too_many_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

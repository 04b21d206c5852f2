/* test_linereader - lines split across reads, partial last lines, oversize lines */
#include "tests/unit/testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/base/linereader.h"

static void test_split_writes_and_partial(void **state)
{
	struct linereader lr;
	const char *line;
	size_t len;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(linereader_init(&lr, fds[0], 0), 0);
	assert_int_equal(write(fds[1], "one\ntw", 6), 6);
	assert_int_equal(linereader_next(&lr, &line, &len), 1);
	assert_int_equal(len, 3);
	assert_memory_equal(line, "one", 3);
	/* "tw" is buffered until its newline: close nothing yet, so read would block;
	 * write the rest first */
	assert_int_equal(write(fds[1], "o\nthree", 7), 7);
	assert_int_equal(linereader_next(&lr, &line, &len), 1);
	assert_memory_equal(line, "two", 3);
	close(fds[1]);
	assert_int_equal(linereader_next(&lr, &line, &len), 0);
	assert_int_equal(linereader_partial(&lr), 5);
	assert_int_equal(linereader_flush(&lr, &line, &len), 1);
	assert_memory_equal(line, "three", 5);
	assert_int_equal(lr.offset, 4 + 4 + 5);
	assert_int_equal(linereader_flush(&lr, &line, &len), 0);
	linereader_free(&lr);
	close(fds[0]);
}

static void test_oversize_line_skipped(void **state)
{
	struct linereader lr;
	const char *line;
	size_t len, big = LINEREADER_MAX_LINE * 3;
	char *buf = malloc(big);
	FILE *fp = tmpfile();

	(void)state;
	memset(buf, 'x', big);
	fwrite("first\n", 1, 6, fp);
	fwrite(buf, 1, big, fp);
	fwrite("\nlast\n", 1, 6, fp);
	fflush(fp);
	rewind(fp);
	assert_int_equal(linereader_init(&lr, fileno(fp), 0), 0);
	assert_int_equal(linereader_next(&lr, &line, &len), 1);
	assert_memory_equal(line, "first", 5);
	assert_int_equal(linereader_next(&lr, &line, &len), 1);
	assert_int_equal(len, LINEREADER_MAX_LINE);	/* the oversize line's start, once */
	assert_int_equal(linereader_next(&lr, &line, &len), 1);
	assert_int_equal(len, 4);
	assert_memory_equal(line, "last", 4);
	assert_int_equal(linereader_next(&lr, &line, &len), 0);
	assert_int_equal(lr.oversize, 1);
	assert_int_equal(lr.lines, 3);
	assert_int_equal(lr.offset, (off_t)(6 + big + 6));
	linereader_free(&lr);
	fclose(fp);
	free(buf);
}

/* #14: an endless line (/dev/zero) ends with EFBIG when bounded, instead of being skipped forever */
static void test_endless_line_bounded(void **state)
{
	struct linereader lr;
	const char *line;
	size_t len;
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC), rc;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(linereader_init(&lr, fd, 0), 0);
	lr.max_run = 4 * 1024 * 1024;
	assert_int_equal(linereader_next(&lr, &line, &len), 1);	/* the oversize line's start, once */
	assert_int_equal(len, LINEREADER_MAX_LINE);
	errno = 0;
	rc = linereader_next(&lr, &line, &len);
	assert_int_equal(rc, -1);
	assert_int_equal(errno, EFBIG);
	assert_true(lr.offset > (off_t)lr.max_run);
	assert_true(lr.offset < (off_t)lr.max_run + 2 * 1024 * 1024);	/* stopped soon after the bound */
	linereader_free(&lr);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_writes_and_partial),
		cmocka_unit_test(test_oversize_line_skipped),
		cmocka_unit_test(test_endless_line_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

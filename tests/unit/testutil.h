/* testutil - what every cmocka unit test includes
 *
 * cmocka needs these system headers before its own. Tests run from the
 * repository top (make check), so data files are named relative to it.
 */
#ifndef MQMON_TESTUTIL_H
#define MQMON_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* test_read_file - the whole file in an exact-size malloc'd buffer (so ASan sees overreads); the test fails
 * when it cannot be read or is empty */
static inline char *test_read_file(const char *path, size_t *lenp)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*lenp = (size_t)n;
	return buf;
}

#endif

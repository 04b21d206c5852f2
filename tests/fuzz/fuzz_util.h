/* fuzz_util - shared helpers of the libFuzzer targets (tests/fuzz, make fuzz)
 *
 * The INI loaders take a path, so fuzz_file() puts the input in a memory
 * file (memfd) once per process and hands out its /proc/self/fd name: no
 * temporary file on disk, nothing left behind. iniparser reports syntax
 * errors on stderr; fuzz_quiet() silences that in the fuzzer only (its
 * output would dominate the run), it does not change what the loaders do.
 */
#ifndef MQMON_FUZZ_UTIL_H
#define MQMON_FUZZ_UTIL_H

#include <iniparser.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* fuzz_ignore_error - iniparser's error callback: drop the message */
static int fuzz_ignore_error(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

/* fuzz_quiet - silence iniparser's syntax-error messages */
static inline void fuzz_quiet(void)
{
	iniparser_set_error_callback(fuzz_ignore_error);
}

/* fuzz_file - the input as a file: the path of a memfd holding data[0..size) */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];

	if (fd < 0) {
		if ((fd = memfd_create("mqmon-fuzz", 0)) < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	return path;
}

/* fuzz_env_flag - true when the environment variable name is set to a non-empty value other than 0 */
static inline int fuzz_env_flag(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v && !(v[0] == '0' && v[1] == '\0');
}

#endif

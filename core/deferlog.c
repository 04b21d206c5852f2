/* deferlog - read Postfix's per-message defer logfile; see deferlog.h */
#include "core/deferlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFERLOG_MAX (4 * 1024 * 1024)

struct block {
	char recipient[1024], status[32], reason[4096];
};

/* copy_value - copy the value of a "name=value" line */
static void copy_value(char *dst, size_t dstsz, const char *v, size_t n)
{
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* deferlog_parse - walk the blocks of a defer logfile held in buf[0..len) */
void deferlog_parse(const char *buf, size_t len, deferlog_fn fn, void *ctx)
{
	struct block b = { "", "", "" };
	const char *p = buf, *end = buf + len;

	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t n = (size_t)(e - p);

		if (n == 0) {
			/* a blank line (or the end) closes a block */
			if (b.recipient[0] && fn(ctx, b.recipient, b.status, b.reason) != 0)
				return;
			b.recipient[0] = b.status[0] = b.reason[0] = '\0';
		} else if (n > 10 && memcmp(p, "recipient=", 10) == 0) {
			copy_value(b.recipient, sizeof b.recipient, p + 10, n - 10);
		} else if (n > 7 && memcmp(p, "status=", 7) == 0) {
			copy_value(b.status, sizeof b.status, p + 7, n - 7);
		} else if (n > 7 && memcmp(p, "reason=", 7) == 0) {
			copy_value(b.reason, sizeof b.reason, p + 7, n - 7);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (b.recipient[0])
		fn(ctx, b.recipient, b.status, b.reason);
}

/* deferlog_read - read name relative to dirfd and walk it; -1 with why */
int deferlog_read(int dirfd, const char *name, deferlog_fn fn, void *ctx, struct why *why)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
		return why_errno(why, "open defer log %s", name);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > DEFERLOG_MAX) {
		close(fd);
		errno = EINVAL;
		return why_set(why, "defer log %s: not a regular file of sane size", name);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return why_set(why, "out of memory");
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	deferlog_parse(buf, got, fn, ctx);
	free(buf);
	return 0;
}

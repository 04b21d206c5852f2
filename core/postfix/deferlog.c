/* deferlog - read Postfix's per-message defer logfile; see deferlog.h */
#include "core/postfix/deferlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFERLOG_MAX (4 * 1024 * 1024)

struct block {
	const char *recipient;	/* in the file's buffer: kept whole, it must equal the queue file's */
	size_t rlen;
	char status[32], reason[DEFERLOG_VALUE_MAX];
};

/* copy_value - copy the value of a "name=value" line; a longer one is cut and ends in DEFERLOG_TRUNCATED */
static void copy_value(char *dst, size_t dstsz, const char *v, size_t n)
{
	size_t mark = sizeof DEFERLOG_TRUNCATED - 1;

	if (n < dstsz) {
		memcpy(dst, v, n);
		dst[n] = '\0';
		return;
	}
	n = dstsz - 1 - mark;
	while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
		n--;	/* never cut a UTF-8 character in two */
	memcpy(dst, v, n);
	memcpy(dst + n, DEFERLOG_TRUNCATED, mark + 1);
}

/* block_done - hand a finished block to fn (when it names a recipient) and clear it; fn's result */
static int block_done(struct block *b, deferlog_fn fn, void *ctx)
{
	char *rcpt;
	int rc = 0;

	if (b->rlen > 0 && (rcpt = strndup(b->recipient, b->rlen)) != NULL) {
		rc = fn(ctx, rcpt, b->status, b->reason);
		free(rcpt);
	}
	b->rlen = 0;
	b->status[0] = b->reason[0] = '\0';
	return rc;
}

/* deferlog_parse - walk the blocks of a defer logfile held in buf[0..len) */
void deferlog_parse(const char *buf, size_t len, deferlog_fn fn, void *ctx)
{
	struct block b = { NULL, 0, "", "" };
	const char *p = buf, *end = buf + len;

	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t n = (size_t)(e - p);

		if (n == 0) {
			/* a blank line (or the end) closes a block */
			if (block_done(&b, fn, ctx) != 0)
				return;
		} else if (n > 10 && memcmp(p, "recipient=", 10) == 0) {
			b.recipient = p + 10;
			b.rlen = n - 10;
		} else if (n > 7 && memcmp(p, "status=", 7) == 0) {
			copy_value(b.status, sizeof b.status, p + 7, n - 7);
		} else if (n > 7 && memcmp(p, "reason=", 7) == 0) {
			copy_value(b.reason, sizeof b.reason, p + 7, n - 7);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	block_done(&b, fn, ctx);
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

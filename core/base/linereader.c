/* linereader - split a byte stream into lines without copying; see linereader.h */
#include "core/base/linereader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK (1024 * 1024)

/* linereader_init - attach to fd; -1 on out of memory */
int linereader_init(struct linereader *lr, int fd, off_t offset)
{
	memset(lr, 0, sizeof *lr);
	lr->fd = fd;
	lr->cap = BLOCK + LINEREADER_MAX_LINE;
	lr->buf = malloc(lr->cap);
	lr->offset = offset;
	return lr->buf ? 0 : -1;
}

/* fill - read more bytes after end, moving the pending part to the front first */
static ssize_t fill(struct linereader *lr)
{
	ssize_t n;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	do
		n = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		lr->end += (size_t)n;
	return n;
}

/* linereader_next - next complete line; 1 = line, 0 = none yet / EOF, -1 = read error */
int linereader_next(struct linereader *lr, const char **line, size_t *len)
{
	for (;;) {
		char *s = lr->buf + lr->start;
		size_t avail = lr->end - lr->start;
		char *nl = avail ? memchr(s, '\n', avail) : NULL;
		ssize_t n;

		if (nl != NULL) {
			size_t l = (size_t)(nl - s);

			lr->start += l + 1;
			lr->offset += (off_t)l + 1;
			if (lr->skipping) {
				lr->skipping = 0;
				lr->run = 0;
				continue;
			}
			lr->lines++;
			if (l > LINEREADER_MAX_LINE) {
				lr->oversize++;
				l = LINEREADER_MAX_LINE;
			}
			*line = s;
			*len = l;
			return 1;
		}
		if (avail >= LINEREADER_MAX_LINE) {
			/* hand out the start of the oversize line once, skip the rest */
			lr->start += avail;
			lr->offset += (off_t)avail;
			lr->run += avail;
			if (lr->max_run > 0 && lr->run > lr->max_run) {
				errno = EFBIG;	/* an endless line: not a text log */
				return -1;
			}
			if (!lr->skipping) {
				lr->skipping = 1;
				lr->oversize++;
				lr->lines++;
				*line = s;
				*len = LINEREADER_MAX_LINE;
				return 1;
			}
			continue;
		}
		n = fill(lr);
		if (n < 0)
			return -1;
		if (n == 0) {
			lr->eof = 1;
			return 0;
		}
	}
}

/* linereader_flush - at EOF of a whole file: hand out an unterminated last line; 1 = line, 0 = none */
int linereader_flush(struct linereader *lr, const char **line, size_t *len)
{
	size_t avail = lr->end - lr->start;

	if (avail == 0 || lr->skipping) {
		lr->start = lr->end;
		lr->skipping = 0;
		return 0;
	}
	*line = lr->buf + lr->start;
	*len = avail;
	lr->start = lr->end;
	lr->offset += (off_t)avail;
	lr->lines++;
	return 1;
}

/* linereader_partial - bytes of an unfinished last line held in the buffer */
size_t linereader_partial(const struct linereader *lr)
{
	return lr->end - lr->start;
}

/* linereader_free - release the buffer (not the fd) */
void linereader_free(struct linereader *lr)
{
	free(lr->buf);
	lr->buf = NULL;
}

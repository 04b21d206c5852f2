/* linereader - split a byte stream into lines without copying
 *
 * Reads large blocks from a file descriptor and hands out each complete
 * line (newline removed) as a pointer into its buffer. A partial last line
 * stays buffered until its newline arrives, so the same reader serves whole
 * files and a growing log being tailed. Lines longer than the limit are
 * reported once as oversize (their start is given, truncated) and the rest
 * of that line is skipped: a 10 MB line never makes mqmon grow without bound.
 * A stream that may never end (a pipe, a FIFO, a device on stdin) can also
 * bound such a line: with max_run set, a run of more than max_run bytes
 * without a newline (/dev/zero, a binary file) ends the reading with an
 * error instead of skipping forever. A regular file ends, so its readers
 * skip with progress and leave max_run at 0.
 */
#ifndef MQMON_LINEREADER_H
#define MQMON_LINEREADER_H

#include <stddef.h>
#include <sys/types.h>

#define LINEREADER_MAX_LINE (64 * 1024)
#define LINEREADER_MAX_RUN (16 * 1024 * 1024)	/* a bound for max_run: no text log has such a line */

struct linereader {
	int fd;
	char *buf;
	size_t cap, start, end;
	int skipping;		/* inside an oversize line: drop until newline */
	int eof;
	unsigned long long lines, oversize;
	off_t offset;		/* file offset of buf[start] */
	size_t max_run;		/* 0, or the longest line allowed (else an error: EFBIG) */
	size_t run;		/* bytes of the oversize line being skipped */
};

/* linereader_init - attach to fd; -1 on out of memory */
int linereader_init(struct linereader *lr, int fd, off_t offset);

/* linereader_next - next complete line (without newline); 1 = line, 0 = no complete line yet (or EOF), -1 = read
 * error (errno; EAGAIN on a non-blocking fd with nothing to read yet: call again; EFBIG: a line longer than
 * max_run, the reading cannot go on) */
int linereader_next(struct linereader *lr, const char **line, size_t *len);

/* linereader_flush - at EOF of a whole file: hand out an unterminated last line; 1 = line, 0 = none */
int linereader_flush(struct linereader *lr, const char **line, size_t *len);

/* linereader_partial - bytes of an unfinished last line held in the buffer */
size_t linereader_partial(const struct linereader *lr);

/* linereader_free - release the buffer (not the fd) */
void linereader_free(struct linereader *lr);

#endif

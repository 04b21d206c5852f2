/* logscan - read whole log files and hand each parsed line to a callback; see logscan.h */
#include "core/log/logscan.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/linereader.h"
#include "core/base/thread.h"

/* scan_line - parse one line, count it, call fn for deliveries and other known kinds */
static int scan_line(struct log_clock *clock, const char *line, size_t len, int flags,
		     logscan_fn fn, void *ctx, struct logscan_stats *st)
{
	struct log_event ev;

	if ((flags & LOGSCAN_DEFERRALS_ONLY) && !logline_maybe_deferral(clock, line, len))
		return 0;
	logline_parse(clock, line, len, &ev);
	st->kinds[ev.kind]++;
	if (ev.kind == LOG_UNPARSED) {
		st->unparsed++;
		return 0;
	}
	if (ev.kind == LOG_OTHER) {
		st->other++;
		return 0;
	}
	if (ev.kind == LOG_DELIVERY && ev.status == STATUS_DEFERRED)
		st->deferrals++;
	return fn(ctx, &ev);
}

/* open_input - open path ("-" = stdin) for a scan and check what it is; fd, or -1 with why
 *
 * A named file is opened non-blocking, so a FIFO without a writer cannot hang
 * the open; a regular file or a FIFO is read, anything else (a directory, a
 * device such as /dev/zero) is refused. *endless: the input may never end (not
 * a regular file): its lines get a bound (LINEREADER_MAX_RUN). */
static int open_input(const char *path, struct stat *sb, int *endless, struct why *why)
{
	int fd;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return why_errno(why, "cannot open %s", path);
	if (fstat(fd, sb) < 0 || S_ISDIR(sb->st_mode)) {
		if (S_ISDIR(sb->st_mode))
			errno = EISDIR;
		why_errno(why, "cannot read %s", path);
		goto refuse;
	}
	*endless = !S_ISREG(sb->st_mode);
	if (fd != STDIN_FILENO && !S_ISREG(sb->st_mode) && !S_ISFIFO(sb->st_mode)) {
		why_set(why, "cannot read %s: not a regular file or a FIFO", path);
		goto refuse;
	}
	return fd;
refuse:
	if (fd != STDIN_FILENO)
		close(fd);
	return -1;
}

/* next_line - linereader_next, waiting on a non-blocking FIFO until it has data */
static int next_line(struct linereader *lr, const char **line, size_t *len)
{
	struct pollfd p = { .fd = lr->fd, .events = POLLIN };
	int rc;

	while ((rc = linereader_next(lr, line, len)) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -1;
	return rc;
}

/* logscan_path - scan one file ("-" = stdin); 0, or -1 with why */
int logscan_path(const char *path, int flags, logscan_fn fn, void *ctx,
		 struct logscan_stats *st, struct why *why)
{
	struct linereader lr;
	struct log_clock clock;
	struct stat sb;
	const char *line;
	size_t len;
	int fd, rc = 0, stop = 0, endless = 0;

	if ((fd = open_input(path, &sb, &endless, why)) < 0)
		return -1;
	log_clock_init(&clock, S_ISREG(sb.st_mode) ? sb.st_mtime : time(NULL));
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (linereader_init(&lr, fd, 0) < 0) {
		if (fd != STDIN_FILENO)
			close(fd);
		return why_set(why, "out of memory reading %s", path);
	}
	if (endless)
		lr.max_run = LINEREADER_MAX_RUN;
	while (!stop && (rc = next_line(&lr, &line, &len)) > 0)
		stop = scan_line(&clock, line, len, flags, fn, ctx, st);
	if (!stop && rc == 0 && linereader_flush(&lr, &line, &len) > 0)
		stop = scan_line(&clock, line, len, flags, fn, ctx, st);
	st->lines += lr.lines;
	st->oversize += lr.oversize;
	linereader_free(&lr);
	if (fd != STDIN_FILENO)
		close(fd);
	if (!stop && rc < 0 && errno == EFBIG)
		return why_set(why, "%s: no newline in %d MiB after line %llu: not a text log",
			       strcmp(path, "-") == 0 ? "standard input" : path, LINEREADER_MAX_RUN >> 20,
			       lr.lines > 0 ? lr.lines - 1 : 0);
	if (!stop && rc < 0)
		return why_errno(why, "read error on %s", path);
	if (S_ISFIFO(sb.st_mode) && fd != STDIN_FILENO && lr.offset == 0 && lr.lines == 0)
		return why_set(why, "nothing to read from %s: a FIFO with no writer (start the writer first)", path);
	return 0;
}

#define CHUNK_BYTES (32u << 20)
#define MAX_THREADS 16

struct chunk_job {
	const char *start, *end;
	int flags;
	logscan_fn fn;
	void *ctx;
	time_t reference;
	struct logscan_stats st;
};

/* chunk_worker - parse the lines of one chunk */
static void *chunk_worker(void *arg)
{
	struct chunk_job *job = arg;
	struct log_clock clock;
	const char *p = job->start;

	log_clock_init(&clock, job->reference);
	while (p < job->end) {
		const char *nl = memchr(p, '\n', (size_t)(job->end - p));
		const char *e = nl ? nl : job->end;
		size_t len = (size_t)(e - p);

		job->st.lines++;
		if (len > LINEREADER_MAX_LINE) {
			job->st.oversize++;
			len = LINEREADER_MAX_LINE;
		}
		scan_line(&clock, p, len, job->flags, job->fn, job->ctx, &job->st);
		p = e + 1;
	}
	return NULL;
}

/* next_cut - the start of the line after position p (or end) */
static const char *next_cut(const char *p, const char *end)
{
	const char *nl;

	if (p >= end)
		return end;
	nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl + 1 : end;
}

/* stats_add - merge a chunk's counts */
static void stats_add(struct logscan_stats *to, const struct logscan_stats *from)
{
	int k;

	to->lines += from->lines;
	to->unparsed += from->unparsed;
	to->other += from->other;
	to->oversize += from->oversize;
	to->deferrals += from->deferrals;
	for (k = 0; k < LOG_KIND_COUNT; k++)
		to->kinds[k] += from->kinds[k];
}

/* logscan_parallel - scan a regular file with up to nthreads threads, output in file order */
int logscan_parallel(const char *path, int flags, int nthreads, logscan_fn fn, logscan_flush_fn flush,
		     void **ctxs, struct logscan_stats *st, struct why *why)
{
	struct chunk_job jobs[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	int started[MAX_THREADS];
	struct stat sb;
	const char *base, *p, *end;
	int fd, i, rc;

	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	if (strcmp(path, "-") == 0 || nthreads < 2 || stat(path, &sb) < 0 || !S_ISREG(sb.st_mode)
	    || sb.st_size < (off_t)(4u << 20)) {
		rc = logscan_path(path, flags, fn, ctxs[0], st, why);
		flush(ctxs[0]);
		return rc;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return why_errno(why, "cannot open %s", path);
	base = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (base == MAP_FAILED)
		return why_errno(why, "cannot map %s", path);
	madvise((void *)base, (size_t)sb.st_size, MADV_SEQUENTIAL);
	p = base;
	end = base + sb.st_size;
	while (p < end) {
		int n = 0;

		/* one round: up to nthreads chunks, cut at line boundaries */
		for (i = 0; i < nthreads && p < end; i++, n++) {
			const char *cut = (size_t)(end - p) > CHUNK_BYTES ? next_cut(p + CHUNK_BYTES, end) : end;

			memset(&jobs[i], 0, sizeof jobs[i]);
			jobs[i].start = p;
			jobs[i].end = cut;
			jobs[i].flags = flags;
			jobs[i].fn = fn;
			jobs[i].ctx = ctxs[i];
			jobs[i].reference = sb.st_mtime;
			p = cut;
		}
		for (i = 1; i < n; i++) {
			started[i] = thread_spawn(&tids[i], chunk_worker, &jobs[i]) == 0;
			if (!started[i])
				chunk_worker(&jobs[i]);	/* no thread to be had: do it here */
		}
		chunk_worker(&jobs[0]);
		for (i = 1; i < n; i++)
			if (started[i])
				pthread_join(tids[i], NULL);
		for (i = 0; i < n; i++) {
			stats_add(st, &jobs[i].st);
			flush(ctxs[i]);
		}
	}
	munmap((void *)base, (size_t)sb.st_size);
	return 0;
}

/* logscan - read whole log files and hand each parsed line to a callback; see logscan.h */
#include "core/logscan.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/linereader.h"

/* scan_line - parse one line, count it, call fn for deliveries and other known kinds */
static int scan_line(struct log_clock *clock, const char *line, size_t len, int flags,
		     logscan_fn fn, void *ctx, struct logscan_stats *st)
{
	struct log_event ev;

	if ((flags & LOGSCAN_DEFERRALS_ONLY) && memmem(line, len, "status=deferred", 15) == NULL)
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

/* logscan_path - scan one file ("-" = stdin); 0, or -1 with why */
int logscan_path(const char *path, int flags, logscan_fn fn, void *ctx,
		 struct logscan_stats *st, struct why *why)
{
	struct linereader lr;
	struct log_clock clock;
	struct stat sb;
	const char *line;
	size_t len;
	int fd, rc = 0, stop = 0;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return why_errno(why, "cannot open %s", path);
	}
	if (fstat(fd, &sb) < 0 || S_ISDIR(sb.st_mode)) {
		if (S_ISDIR(sb.st_mode))
			errno = EISDIR;
		why_errno(why, "cannot read %s", path);
		if (fd != STDIN_FILENO)
			close(fd);
		return -1;
	}
	log_clock_init(&clock, S_ISREG(sb.st_mode) ? sb.st_mtime : time(NULL));
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (linereader_init(&lr, fd, 0) < 0) {
		if (fd != STDIN_FILENO)
			close(fd);
		return why_set(why, "out of memory reading %s", path);
	}
	while (!stop && (rc = linereader_next(&lr, &line, &len)) > 0)
		stop = scan_line(&clock, line, len, flags, fn, ctx, st);
	if (!stop && rc == 0 && linereader_flush(&lr, &line, &len) > 0)
		stop = scan_line(&clock, line, len, flags, fn, ctx, st);
	st->lines += lr.lines;
	st->oversize += lr.oversize;
	linereader_free(&lr);
	if (fd != STDIN_FILENO)
		close(fd);
	if (!stop && rc < 0)
		return why_errno(why, "read error on %s", path);
	return 0;
}

/* logtail - follow growing log files across rotation with inotify; see logtail.h
 *
 * Events only set tailfile.dirty (or logwatch.resync on overflow);
 * sync_file() then works from what the files say (fstat/stat), so event
 * order and lost events do not matter. Lines come from the linereader.
 */
#include "core/log/logtail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/linereader.h"

#define FILE_MASK (IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF | IN_CLOSE_WRITE)
#define DIR_MASK (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_ONLYDIR)

#define FNV_BASIS 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* one open file: the one at the path (cur) or a rotated one being drained (old) */
struct src {
	int fd, wd;
	unsigned long long dev, ino;
	unsigned long long hash;	/* first_line_hash; known whenever lr.offset > 0 */
	struct linereader lr;
};

/* where to start when the path is opened next (set by logwatch_add only) */
struct pending {
	int active, matched;
	int align;			/* offset is the size at a FROM_END add: back up to a line start */
	unsigned long long dev, ino, hash;	/* hash 0 = not checked */
	long long offset;
};

struct tailfile {
	char *path, *dir, *base;
	int dwd;			/* directory watch (shared by paths in one directory) */
	int dirty;			/* 1 = event seen, 2 = initial read after add */
	int sticky;			/* status is a notice kept until the next event */
	struct src cur, old;
	struct pending pend;
	char status[PATH_MAX + 128];
};

struct logwatch {
	int ifd;
	struct tailfile **files;
	size_t nfiles;
	unsigned long overflows;
	int resync;			/* next process re-checks every path in full */
	int deny;			/* test seam: errno for opens of followed files */
};

/* where lines go during one process call */
struct out {
	logtail_fn fn;
	void *ctx;
};

/* fnv - continue an FNV-1a 64 hash over len bytes */
static unsigned long long fnv(unsigned long long h, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* logtail_hash - FNV-1a 64 of a line (never 0), as used for first_line_hash */
unsigned long long logtail_hash(const char *s, size_t len)
{
	unsigned long long h = fnv(FNV_BASIS, s, len);

	return h ? h : 1;
}

/* first_hash - logtail_hash of the file's first line (capped like the linereader); 0 if none is complete */
static unsigned long long first_hash(int fd)
{
	char buf[4096];
	unsigned long long h = FNV_BASIS;
	off_t off = 0;

	for (;;) {
		size_t want = sizeof buf;
		ssize_t n;
		char *nl;

		if ((size_t)(LINEREADER_MAX_LINE - off) < want)
			want = (size_t)(LINEREADER_MAX_LINE - off);
		if (want == 0)
			break;		/* an oversize first line: its first MAX_LINE bytes */
		n = pread(fd, buf, want, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;	/* no complete first line yet */
		nl = memchr(buf, '\n', (size_t)n);
		h = fnv(h, buf, nl ? (size_t)(nl - buf) : (size_t)n);
		if (nl)
			break;
		off += n;
	}
	return h ? h : 1;
}

/* tail_start - FROM_END offset: size, or the start of an unfinished last line; *skip = inside an oversize line */
static off_t tail_start(int fd, off_t size, int *skip)
{
	size_t len = size < LINEREADER_MAX_LINE ? (size_t)size : LINEREADER_MAX_LINE;
	char *buf, *nl;
	off_t at = size;

	*skip = 0;
	if (size == 0 || (buf = malloc(len)) == NULL)
		return size;
	if (pread(fd, buf, len, size - (off_t)len) == (ssize_t)len && buf[len - 1] != '\n') {
		nl = memrchr(buf, '\n', len);
		if (nl != NULL)
			at = size - (off_t)len + (nl - buf) + 1;
		else if (size <= LINEREADER_MAX_LINE)
			at = 0;
		else
			*skip = 1;	/* skip the rest of that oversize line */
	}
	free(buf);
	return at;
}

/* is_compressed - a rotated, compressed file name (never followed or resumed in) */
static int is_compressed(const char *name)
{
	static const char *const ext[] = { ".gz", ".xz", ".bz2", ".zst" };
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcmp(name + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

/* set_status - report a problem with a path (cleared by the next good sync) */
__attribute__((format(printf, 2, 3)))
static void set_status(struct tailfile *tf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tf->status, sizeof tf->status, fmt, ap);
	va_end(ap);
	tf->sticky = 0;
}

/* status_open_error - the status for a failed open/stat of the path (errno) */
static void status_open_error(struct tailfile *tf, int err)
{
	if (err == ENOENT)
		set_status(tf, "missing: %s (waiting)", tf->path);
	else if (err == EACCES || err == EPERM)
		set_status(tf, "permission denied: %s (retrying)", tf->path);
	else
		set_status(tf, "cannot open %s: %s (retrying)", tf->path, strerror(err));
}

/* open_log - open a followed file read-only, honouring the test seam; non-blocking, so a FIFO
 * without a writer cannot hang the open (only regular files are followed: the callers check) */
static int open_log(const struct logwatch *w, int dirfd, const char *name)
{
	if (w->deny) {
		errno = w->deny;
		return -1;
	}
	return openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

/* same_file - does the stat describe the file src has open */
static int same_file(const struct src *s, const struct stat *sb)
{
	return s->fd >= 0 && s->dev == (unsigned long long)sb->st_dev &&
	       s->ino == (unsigned long long)sb->st_ino;
}

/* src_reset - mark a src empty */
static void src_reset(struct src *s)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->wd = -1;
}

/* wd_in_use - is another src of w still using watch wd */
static int wd_in_use(const struct logwatch *w, const struct src *self, int wd)
{
	size_t i;

	for (i = 0; i < w->nfiles; i++) {
		const struct tailfile *tf = w->files[i];

		if ((&tf->cur != self && tf->cur.wd == wd) || (&tf->old != self && tf->old.wd == wd))
			return 1;
	}
	return 0;
}

/* src_close - close the file and drop its watch unless shared */
static void src_close(struct logwatch *w, struct src *s)
{
	if (s->fd < 0)
		return;
	if (s->wd >= 0 && w->ifd >= 0 && !wd_in_use(w, s, s->wd))
		inotify_rm_watch(w->ifd, s->wd);
	linereader_free(&s->lr);
	close(s->fd);
	src_reset(s);
}

/* src_open - take over fd (closed on failure), read from off, watch its inode; 0 or -1 (memory) */
static int src_open(struct logwatch *w, struct src *s, int fd, const struct stat *sb, off_t off, int skip)
{
	char proc[64];

	src_reset(s);
	if (lseek(fd, off, SEEK_SET) < 0 || linereader_init(&s->lr, fd, off) < 0) {
		linereader_free(&s->lr);
		close(fd);
		return -1;
	}
	s->lr.skipping = skip;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	s->fd = fd;
	s->dev = (unsigned long long)sb->st_dev;
	s->ino = (unsigned long long)sb->st_ino;
	s->hash = off > 0 ? first_hash(fd) : 0;
	/* the inode we opened, even if the path was rotated meanwhile */
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	s->wd = inotify_add_watch(w->ifd, proc, FILE_MASK);
	return 0;
}

/* src_restart - the file was truncated or replaced in place: read it again from 0; 0 or -1 */
static int src_restart(struct src *s)
{
	linereader_free(&s->lr);
	s->hash = 0;
	if (lseek(s->fd, 0, SEEK_SET) < 0 || linereader_init(&s->lr, s->fd, 0) < 0)
		return -1;
	return 0;
}

/* emit - hand one line to the callback */
static void emit(const struct tailfile *tf, const struct src *s, const char *line, size_t len,
		 const struct out *o)
{
	struct logtail_line l;

	l.text = line;
	l.len = len;
	l.path = tf->path;
	l.pos.dev = s->dev;
	l.pos.ino = s->ino;
	l.pos.offset = (long long)s->lr.offset;
	l.pos.first_line_hash = s->hash;
	if (o->fn != NULL)
		o->fn(o->ctx, &l);
}

/* drain - read every complete line of s (final: also an unterminated tail); restarts at 0 after truncation */
static void drain(struct logwatch *w, struct tailfile *tf, struct src *s, int final, const struct out *o)
{
	struct stat sb;
	const char *line;
	size_t len;
	off_t before;
	int rc;

	if (s->fd < 0)
		return;
	if (fstat(s->fd, &sb) == 0 &&
	    sb.st_size < s->lr.offset + (off_t)linereader_partial(&s->lr) && src_restart(s) < 0) {
		set_status(tf, "out of memory reading %s", tf->path);
		src_close(w, s);
		return;
	}
	for (;;) {
		before = s->lr.offset;
		if ((rc = linereader_next(&s->lr, &line, &len)) <= 0)
			break;
		if (before == 0 && s->hash == 0)
			s->hash = logtail_hash(line, len);
		emit(tf, s, line, len, o);
	}
	if (rc < 0) {
		set_status(tf, "read error on %s: %s (retrying)", tf->path, strerror(errno));
		return;
	}
	if (final && linereader_flush(&s->lr, &line, &len) > 0)
		emit(tf, s, line, len, o);
}

/* pending_offset - start offset for a newly opened file: the add-time position if it is that file, else 0 */
static off_t pending_offset(struct tailfile *tf, int fd, const struct stat *sb, int *skip)
{
	struct pending *p = &tf->pend;

	*skip = 0;
	if (!p->active)
		return 0;
	p->active = 0;
	if (p->dev != (unsigned long long)sb->st_dev || p->ino != (unsigned long long)sb->st_ino ||
	    sb->st_size < p->offset)
		return 0;
	if (p->offset > 0 && p->hash != 0 && first_hash(fd) != p->hash)
		return 0;
	p->matched = 1;
	return p->align ? tail_start(fd, p->offset, skip) : p->offset;
}

/* open_current - open the file now at the path; cur becomes old; 1 = switched, 0 = not (status set) */
static int open_current(struct logwatch *w, struct tailfile *tf, const struct out *o)
{
	struct stat sb;
	off_t off;
	int fd, skip;

	if ((fd = open_log(w, AT_FDCWD, tf->path)) < 0) {
		status_open_error(tf, errno);
		return 0;
	}
	if (fstat(fd, &sb) < 0) {
		status_open_error(tf, errno);
		close(fd);
		return 0;
	}
	if (!S_ISREG(sb.st_mode)) {
		set_status(tf, "not a regular file: %s (waiting)", tf->path);
		close(fd);
		return 0;
	}
	if (same_file(&tf->cur, &sb)) {	/* rotated back between stat and open */
		close(fd);
		return 0;
	}
	if (same_file(&tf->old, &sb)) {	/* a rotated file renamed back: follow it again */
		struct src t = tf->cur;

		tf->cur = tf->old;
		tf->old = t;
		close(fd);
		return 1;
	}
	off = pending_offset(tf, fd, &sb, &skip);
	if (tf->old.fd >= 0) {		/* rotated again before the last one was done */
		drain(w, tf, &tf->old, 1, o);
		src_close(w, &tf->old);
	}
	tf->old = tf->cur;
	src_reset(&tf->cur);
	if (src_open(w, &tf->cur, fd, &sb, off, skip) < 0) {
		set_status(tf, "out of memory following %s", tf->path);
		return 0;
	}
	return 1;
}

/* sync_file - read everything new for one path and follow rotation; full = also check first lines */
static void sync_file(struct logwatch *w, struct tailfile *tf, int full, const struct out *o)
{
	int round;

	for (round = 0; round < 4; round++) {
		struct stat sb;

		if (tf->old.fd >= 0) {
			struct stat cs, os;
			/* the new file has data: the writer has left the old one (checked before draining it) */
			int moved = tf->cur.fd >= 0 && fstat(tf->cur.fd, &cs) == 0 && cs.st_size > 0;
			int gone = fstat(tf->old.fd, &os) == 0 && os.st_nlink == 0;

			drain(w, tf, &tf->old, moved || gone, o);
			if (moved || gone)
				src_close(w, &tf->old);
		}
		if (tf->cur.fd >= 0) {
			if (full && tf->cur.lr.offset > 0 && first_hash(tf->cur.fd) != tf->cur.hash &&
			    src_restart(&tf->cur) < 0) {
				set_status(tf, "out of memory reading %s", tf->path);
				src_close(w, &tf->cur);
			}
			drain(w, tf, &tf->cur, 0, o);
		}
		if (stat(tf->path, &sb) < 0) {
			status_open_error(tf, errno);
			return;
		}
		if (same_file(&tf->cur, &sb)) {
			if (!tf->sticky)
				tf->status[0] = '\0';
			return;
		}
		if (!S_ISREG(sb.st_mode)) {
			set_status(tf, "not a regular file: %s (waiting)", tf->path);
			return;
		}
		if (!open_current(w, tf, o))
			return;
	}
}

/* find_sibling - open the rotated file in the path's directory matching the resume point; fd or -1 */
static int find_sibling(const struct logwatch *w, const struct tailfile *tf, const struct logtail_pos *r,
			struct stat *sb)
{
	DIR *d = opendir(tf->dir);
	struct dirent *de;
	int fd = -1;

	if (d == NULL)
		return -1;
	while (fd < 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, tf->base) == 0 || is_compressed(de->d_name))
			continue;
		if (fstatat(dirfd(d), de->d_name, sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(sb->st_mode) ||
		    (unsigned long long)sb->st_dev != r->dev || (unsigned long long)sb->st_ino != r->ino)
			continue;
		if ((fd = open_log(w, dirfd(d), de->d_name)) < 0)
			continue;
		if (fstat(fd, sb) < 0 || (unsigned long long)sb->st_dev != r->dev ||
		    (unsigned long long)sb->st_ino != r->ino || sb->st_size < r->offset ||
		    (r->offset > 0 && first_hash(fd) != r->first_line_hash)) {
			close(fd);
			fd = -1;
		}
	}
	closedir(d);
	return fd;
}

/* add_resume - open the path at a saved position, or its rotated sibling first */
static void add_resume(struct logwatch *w, struct tailfile *tf, const struct logtail_pos *r, const struct out *o)
{
	struct stat sb;
	int fd;

	tf->pend.active = 1;
	tf->pend.dev = r->dev;
	tf->pend.ino = r->ino;
	tf->pend.offset = r->offset;
	tf->pend.hash = r->first_line_hash;
	open_current(w, tf, o);
	if (tf->pend.matched)
		return;
	if ((fd = find_sibling(w, tf, r, &sb)) >= 0) {
		tf->pend.active = 0;
		if (src_open(w, &tf->old, fd, &sb, (off_t)r->offset, 0) < 0)
			set_status(tf, "out of memory following %s", tf->path);
	} else if (tf->cur.fd >= 0) {
		set_status(tf, "resume point not found: %s (reading from the start)", tf->path);
		tf->sticky = 1;
	}
}

/* find - the tailfile for path, or NULL */
static struct tailfile *find(const struct logwatch *w, const char *path)
{
	size_t i;

	for (i = 0; i < w->nfiles; i++)
		if (strcmp(w->files[i]->path, path) == 0)
			return w->files[i];
	return NULL;
}

/* tailfile_free - close and release one path */
static void tailfile_free(struct logwatch *w, struct tailfile *tf)
{
	src_close(w, &tf->cur);
	src_close(w, &tf->old);
	free(tf->path);
	free(tf->dir);
	free(tf->base);
	free(tf);
}

/* logwatch_new - an empty watch with its inotify fd; NULL with why */
struct logwatch *logwatch_new(struct why *why)
{
	struct logwatch *w = calloc(1, sizeof *w);

	if (w == NULL) {
		why_set(why, "out of memory");
		return NULL;
	}
	if ((w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		why_errno(why, "cannot create an inotify instance");
		free(w);
		return NULL;
	}
	return w;
}

/* logwatch_fd - the descriptor to poll for POLLIN */
int logwatch_fd(const struct logwatch *w)
{
	return w->ifd;
}

/* logwatch_add - follow path; 0, or -1 with why */
int logwatch_add(struct logwatch *w, const char *path, int start,
		 const struct logtail_pos *resume, struct why *why)
{
	struct out none = { NULL, NULL };	/* nothing is drained at add time */
	struct tailfile *tf, **files;
	const char *slash = strrchr(path, '/');
	struct stat sb;

	if (start == LOGTAIL_RESUME && resume == NULL)
		return why_set(why, "no resume position for %s", path);
	if (*path == '\0' || (slash && slash[1] == '\0'))
		return why_set(why, "not a file name: '%s'", path);
	if (find(w, path) != NULL)
		return why_set(why, "already following %s", path);
	if ((tf = calloc(1, sizeof *tf)) == NULL)
		return why_set(why, "out of memory");
	src_reset(&tf->cur);
	src_reset(&tf->old);
	tf->path = strdup(path);
	tf->dir = slash == NULL ? strdup(".") : slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	tf->base = strdup(slash ? slash + 1 : path);
	files = realloc(w->files, (w->nfiles + 1) * sizeof *files);
	if (tf->path == NULL || tf->dir == NULL || tf->base == NULL || files == NULL) {
		if (files != NULL)
			w->files = files;
		tailfile_free(w, tf);
		return why_set(why, "out of memory");
	}
	w->files = files;
	if ((tf->dwd = inotify_add_watch(w->ifd, tf->dir, DIR_MASK)) < 0) {
		why_errno(why, "cannot watch directory %s", tf->dir);
		tailfile_free(w, tf);
		return -1;
	}
	w->files[w->nfiles++] = tf;
	if (start == LOGTAIL_RESUME) {
		add_resume(w, tf, resume, &none);
	} else {
		if (start == LOGTAIL_FROM_END && stat(path, &sb) == 0) {
			/* also when we cannot read it yet: that file starts at this size */
			tf->pend.active = 1;
			tf->pend.align = 1;
			tf->pend.dev = (unsigned long long)sb.st_dev;
			tf->pend.ino = (unsigned long long)sb.st_ino;
			tf->pend.offset = (long long)sb.st_size;
		}
		open_current(w, tf, &none);
	}
	tf->dirty = 2;
	return 0;
}

/* note_event - mark the paths an inotify event is about */
static void note_event(struct logwatch *w, const struct inotify_event *ev)
{
	size_t i;

	if (ev->mask & IN_Q_OVERFLOW) {
		w->overflows++;
		w->resync = 1;
		return;
	}
	for (i = 0; i < w->nfiles; i++) {
		struct tailfile *tf = w->files[i];

		if (ev->wd == tf->cur.wd || ev->wd == tf->old.wd) {
			tf->dirty = 1;
			if (ev->mask & IN_IGNORED) {	/* the kernel dropped the watch */
				if (ev->wd == tf->cur.wd)
					tf->cur.wd = -1;
				if (ev->wd == tf->old.wd)
					tf->old.wd = -1;
			}
		} else if (ev->wd == tf->dwd) {
			if (ev->mask & IN_IGNORED) {
				tf->dwd = -1;
				set_status(tf, "directory %s is gone: no longer following %s", tf->dir, tf->path);
			} else if (ev->len > 0 && strcmp(ev->name, tf->base) == 0) {
				tf->dirty = 1;
			}
		}
	}
}

/* logwatch_process - read pending events, then every new complete line of the affected files; 0 or -1 */
int logwatch_process(struct logwatch *w, logtail_fn fn, void *ctx, struct why *why)
{
	char buf[16 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct out o = { fn, ctx };
	size_t i;
	int full;

	for (;;) {
		ssize_t n = read(w->ifd, buf, sizeof buf);
		const char *p;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return why_errno(why, "cannot read inotify events");
		if (n == 0)
			break;
		for (p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			note_event(w, ev);
			p += sizeof *ev + ev->len;
		}
	}
	full = w->resync;
	w->resync = 0;
	for (i = 0; i < w->nfiles; i++) {
		struct tailfile *tf = w->files[i];

		if (!full && !tf->dirty)
			continue;
		if (tf->dirty == 1 || full)
			tf->sticky = 0;	/* a notice lasts until the next event */
		tf->dirty = 0;
		sync_file(w, tf, full, &o);
	}
	return 0;
}

/* logwatch_resync - re-check every file as after IN_Q_OVERFLOW; 0 or -1 */
int logwatch_resync(struct logwatch *w, logtail_fn fn, void *ctx, struct why *why)
{
	w->resync = 1;
	return logwatch_process(w, fn, ctx, why);
}

/* logwatch_pos - the position to save for path; 0, or -1 */
int logwatch_pos(const struct logwatch *w, const char *path, struct logtail_pos *out)
{
	const struct tailfile *tf = find(w, path);
	const struct src *s;

	if (tf == NULL)
		return -1;
	/* an undrained rotated file comes first, unless the new one was already read from */
	if (tf->old.fd >= 0 && (tf->cur.fd < 0 || tf->cur.lr.offset == 0))
		s = &tf->old;
	else if (tf->cur.fd >= 0)
		s = &tf->cur;
	else
		return -1;
	out->dev = s->dev;
	out->ino = s->ino;
	out->offset = (long long)s->lr.offset;
	out->first_line_hash = s->hash;
	return 0;
}

/* logwatch_is_open - 1 when path has a file open (being read), 0 when it waits for one */
int logwatch_is_open(const struct logwatch *w, const char *path)
{
	const struct tailfile *tf = find(w, path);

	return tf != NULL && (tf->cur.fd >= 0 || tf->old.fd >= 0);
}

/* logwatch_status - NULL when path is followed fine, else a sentence */
const char *logwatch_status(const struct logwatch *w, const char *path)
{
	const struct tailfile *tf = find(w, path);

	if (tf == NULL)
		return "not followed";
	return tf->status[0] ? tf->status : NULL;
}

/* logwatch_overflows - how many IN_Q_OVERFLOW events were seen */
unsigned long logwatch_overflows(const struct logwatch *w)
{
	return w->overflows;
}

/* logwatch_free - close every file and the inotify fd (NULL-safe) */
void logwatch_free(struct logwatch *w)
{
	size_t i;

	if (w == NULL)
		return;
	close(w->ifd);		/* drops every watch at once */
	w->ifd = -1;
	for (i = 0; i < w->nfiles; i++)
		tailfile_free(w, w->files[i]);
	free(w->files);
	free(w);
}

/* logwatch_test_deny - test seam: while err != 0, opening a followed file fails with errno err */
void logwatch_test_deny(struct logwatch *w, int err)
{
	w->deny = err;
}

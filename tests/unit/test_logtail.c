/* test_logtail - following real files in a temporary directory through appends and rotations
 *
 * Each test writes files, lets inotify deliver (poll on logwatch_fd), calls
 * logwatch_process and checks the exact sequence of lines received: every
 * line exactly once, in order.
 */
#include "tests/unit/testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log/logtail.h"

/* what the callback collected */
struct got {
	char **lines;
	size_t n, cap;
	int with_path;			/* record "path|text" */
	struct logtail_pos last;
};

struct fixture {
	char dir[64];
	char log[128];
	struct got got;
	struct logwatch *w;
};

/* collect - the logtail callback: keep a copy of each line */
static void collect(void *ctx, const struct logtail_line *l)
{
	struct got *g = ctx;
	char *s;

	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->lines = realloc(g->lines, g->cap * sizeof *g->lines);
		assert_non_null(g->lines);
	}
	if (g->with_path)
		assert_true(asprintf(&s, "%s|%.*s", l->path, (int)l->len, l->text) > 0);
	else
		assert_true(asprintf(&s, "%.*s", (int)l->len, l->text) > 0);
	g->lines[g->n++] = s;
	g->last = l->pos;
}

/* got_clear - forget the collected lines */
static void got_clear(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->lines[i]);
	free(g->lines);
	memset(g, 0, sizeof *g);
}

/* expect - the collected lines are exactly want[] (NULL-terminated) */
static void expect(const struct got *g, const char *const *want)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++) {
		if (i >= g->n)
			fail_msg("line %zu missing: want '%s', got only %zu lines", i, want[i], g->n);
		assert_string_equal(g->lines[i], want[i]);
	}
	if (g->n != i)
		fail_msg("%zu lines, want %zu; extra: '%s'", g->n, i, g->lines[i]);
}

/* pump - let inotify deliver, then process */
static void pump(struct logwatch *w, struct got *g)
{
	struct pollfd p = { .fd = logwatch_fd(w), .events = POLLIN };
	struct why why;

	poll(&p, 1, 100);
	assert_int_equal(logwatch_process(w, collect, g, &why), 0);
}

/* put - append text to path (creating it), as a writer that opens and closes */
static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* wr - write text through an open writer fd */
static void wr(int fd, const char *text)
{
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

/* sibling - dir/name into buf */
static const char *sibling(const struct fixture *f, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", f->dir, name);
	return buf;
}

/* setup - a fresh temporary directory; log = DIR/maillog */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct why why;

	assert_non_null(f);
	strcpy(f->dir, "/tmp/mqmon-logtail-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->log, sizeof f->log, "%s/maillog", f->dir);
	f->w = logwatch_new(&why);
	assert_non_null(f->w);
	*state = f;
	return 0;
}

/* rm_tree - remove a directory and the files (and one level of directories) in it */
static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (unlink(path) < 0 && errno == EISDIR)
			rm_tree(path);
	}
	closedir(d);
	rmdir(dir);
}

/* teardown - free the watch, the lines and the directory */
static int teardown(void **state)
{
	struct fixture *f = *state;

	logwatch_free(f->w);
	got_clear(&f->got);
	rm_tree(f->dir);
	free(f);
	return 0;
}

static void test_append_partial_from_end(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "half", "new1", "partial", NULL };
	struct why why;
	struct stat sb;

	put(f->log, "old1\nold2\nhal");		/* FROM_END starts at the unfinished line */
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_END, NULL, &why), 0);
	pump(f->w, &f->got);
	assert_int_equal(f->got.n, 0);
	put(f->log, "f\nnew1\npar");
	pump(f->w, &f->got);
	assert_int_equal(f->got.n, 2);
	put(f->log, "tial\n");
	pump(f->w, &f->got);
	expect(&f->got, want);
	assert_int_equal(stat(f->log, &sb), 0);
	assert_int_equal(f->got.last.offset, sb.st_size);
	assert_int_equal(f->got.last.ino, sb.st_ino);
	assert_int_equal(f->got.last.first_line_hash, logtail_hash("old1", 4));
	assert_null(logwatch_status(f->w, f->log));
}

static void test_rename_create(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "a", "b", "c after rename", "d", "e", "f", NULL };
	char rot[160];
	struct why why;
	struct stat sb;
	int old, neu;

	old = open(f->log, O_WRONLY | O_APPEND | O_CREAT, 0644);
	wr(old, "a\nb\n");
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	assert_int_equal(f->got.n, 2);
	/* postfix logrotate: rename, the writer still writes to the old file, then reopens */
	assert_int_equal(rename(f->log, sibling(f, "maillog.20261125-120000", rot, sizeof rot)), 0);
	wr(old, "c after ");
	pump(f->w, &f->got);
	assert_non_null(logwatch_status(f->w, f->log));
	assert_non_null(strstr(logwatch_status(f->w, f->log), "missing"));
	wr(old, "rename\n");
	close(old);
	neu = open(f->log, O_WRONLY | O_APPEND | O_CREAT, 0600);
	wr(neu, "d\n");
	pump(f->w, &f->got);
	assert_null(logwatch_status(f->w, f->log));
	wr(neu, "e\n");
	pump(f->w, &f->got);
	/* the old file is gzipped and deleted: nothing from it */
	put(sibling(f, "maillog.20261125-120000.gz", rot, sizeof rot), "zz\n");
	assert_int_equal(unlink(sibling(f, "maillog.20261125-120000", rot, sizeof rot)), 0);
	wr(neu, "f\n");
	pump(f->w, &f->got);
	expect(&f->got, want);
	assert_int_equal(fstat(neu, &sb), 0);
	assert_int_equal(f->got.last.ino, sb.st_ino);
	assert_int_equal(f->got.last.offset, 6);
	close(neu);
}

static void test_rename_create_late_writer(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "a", "b", "c", "d", NULL };
	char rot[160];
	struct why why;
	int old, neu;

	/* logrotate "create": the new file exists before the writer is told to reopen */
	old = open(f->log, O_WRONLY | O_APPEND | O_CREAT, 0644);
	wr(old, "a\n");
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	assert_int_equal(rename(f->log, sibling(f, "maillog.1", rot, sizeof rot)), 0);
	neu = open(f->log, O_WRONLY | O_APPEND | O_CREAT, 0644);
	pump(f->w, &f->got);
	wr(old, "b\n");			/* still to the renamed file: it is kept open */
	pump(f->w, &f->got);
	wr(old, "c\n");
	close(old);
	wr(neu, "d\n");
	pump(f->w, &f->got);
	expect(&f->got, want);
	close(neu);
}

static void test_postfix_logrotate(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "a", "b", "c", "d", NULL };
	struct logtail_pos pos;
	char rot[160], gz[160];
	struct why why;
	struct stat old_sb, new_sb;
	int old, neu;

	/* the exact sequence of `postfix logrotate`: rename, postlogd reopens
	 * (CREATE, empty, 0600), the old file is gzipped and deleted */
	old = open(f->log, O_WRONLY | O_APPEND | O_CREAT, 0644);
	wr(old, "a\n");
	assert_int_equal(fstat(old, &old_sb), 0);
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	assert_int_equal(rename(f->log, sibling(f, "maillog.20261125-120000", rot, sizeof rot)), 0);
	wr(old, "b\n");
	close(old);
	neu = open(f->log, O_WRONLY | O_APPEND | O_CREAT, 0600);
	assert_int_equal(fstat(neu, &new_sb), 0);
	pump(f->w, &f->got);
	/* nothing read from the new file yet: the position to save is still in the old one */
	assert_int_equal(logwatch_pos(f->w, f->log, &pos), 0);
	assert_int_equal(pos.ino, old_sb.st_ino);
	assert_int_equal(pos.offset, 4);
	put(sibling(f, "maillog.20261125-120000.gz", gz, sizeof gz), "compressed\n");
	assert_int_equal(unlink(rot), 0);
	pump(f->w, &f->got);
	/* the deleted file was let go */
	assert_int_equal(logwatch_pos(f->w, f->log, &pos), 0);
	assert_int_equal(pos.ino, new_sb.st_ino);
	assert_int_equal(pos.offset, 0);
	wr(neu, "c\nd\n");
	pump(f->w, &f->got);
	expect(&f->got, want);
	assert_null(logwatch_status(f->w, f->log));
	close(neu);
}

static void test_copytruncate(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "a", "b", "c", "d", NULL };
	char rot[160], buf[64];
	struct why why;
	ssize_t n;
	int wfd, in, out;

	wfd = open(f->log, O_WRONLY | O_APPEND | O_CREAT, 0644);
	wr(wfd, "a\nb\n");
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	in = open(f->log, O_RDONLY);
	out = open(sibling(f, "maillog.1", rot, sizeof rot), O_WRONLY | O_CREAT, 0644);
	n = read(in, buf, sizeof buf);
	assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	assert_int_equal(ftruncate(wfd, 0), 0);
	wr(wfd, "c\n");
	pump(f->w, &f->got);
	wr(wfd, "d\n");
	pump(f->w, &f->got);
	expect(&f->got, want);
	assert_int_equal(f->got.last.offset, 4);
	assert_int_equal(f->got.last.first_line_hash, logtail_hash("c", 1));
	close(wfd);
}

static void test_truncate(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "a", "b", "c", "x", NULL };
	struct why why;
	int fd;

	put(f->log, "a\nb\nc\n");
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	fd = open(f->log, O_WRONLY | O_TRUNC);	/* `> maillog` */
	wr(fd, "x\n");
	close(fd);
	pump(f->w, &f->got);
	expect(&f->got, want);
}

static void test_resync_sees_replaced_content(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "a", "a much longer first line", NULL };
	struct why why;
	int fd;

	put(f->log, "a\n");
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	/* truncated and regrown past our offset before we looked: only the
	 * first-line hash of the full resync (as after IN_Q_OVERFLOW) sees it */
	fd = open(f->log, O_WRONLY | O_TRUNC);
	wr(fd, "a much longer first line\n");
	close(fd);
	assert_int_equal(logwatch_resync(f->w, collect, &f->got, &why), 0);
	expect(&f->got, want);
}

static void test_delete_recreate(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "a", "b", "c", NULL };
	struct why why;
	int fd;

	fd = open(f->log, O_WRONLY | O_APPEND | O_CREAT, 0644);
	wr(fd, "a\n");
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	assert_int_equal(unlink(f->log), 0);
	wr(fd, "b\n");			/* to the deleted file, before the writer reopens */
	close(fd);
	pump(f->w, &f->got);
	assert_non_null(logwatch_status(f->w, f->log));
	assert_non_null(strstr(logwatch_status(f->w, f->log), "missing: "));
	put(f->log, "c\n");
	pump(f->w, &f->got);
	expect(&f->got, want);
	assert_null(logwatch_status(f->w, f->log));
}

static void test_missing_at_start(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "first", NULL };
	struct why why;

	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_END, NULL, &why), 0);
	pump(f->w, &f->got);
	assert_non_null(strstr(logwatch_status(f->w, f->log), "missing: "));
	put(f->log, "first\n");		/* a new file is read from its start */
	pump(f->w, &f->got);
	expect(&f->got, want);
	assert_null(logwatch_status(f->w, f->log));
	/* a directory that does not exist is an error */
	assert_int_equal(logwatch_add(f->w, "/nonexistent-mqmon/maillog", LOGTAIL_FROM_END, NULL, &why), -1);
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_END, NULL, &why), -1);
}

static void test_compressed_siblings_ignored(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "a", "b", NULL };
	char rot[160];
	struct why why;

	put(f->log, "a\n");
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	assert_int_equal(rename(f->log, sibling(f, "maillog.1", rot, sizeof rot)), 0);
	put(sibling(f, "maillog.1.gz", rot, sizeof rot), "gz\n");
	put(sibling(f, "maillog.2.xz", rot, sizeof rot), "xz\n");
	put(sibling(f, "maillog.gz", rot, sizeof rot), "gz2\n");
	put(f->log, "b\n");
	pump(f->w, &f->got);
	put(sibling(f, "maillog.1.gz", rot, sizeof rot), "gz more\n");
	pump(f->w, &f->got);
	expect(&f->got, want);
}

static void test_two_files(void **state)
{
	struct fixture *f = *state;
	char other[160], dir2[160], third[200], rot[160], want_s[8][256];
	const char *want[9];
	struct why why;
	int i;

	f->got.with_path = 1;
	sibling(f, "other.log", other, sizeof other);
	sibling(f, "sub", dir2, sizeof dir2);
	assert_int_equal(mkdir(dir2, 0755), 0);
	snprintf(third, sizeof third, "%s/maillog", dir2);
	put(f->log, "m1\n");
	put(other, "o1\n");
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	assert_int_equal(logwatch_add(f->w, other, LOGTAIL_FROM_START, NULL, &why), 0);
	assert_int_equal(logwatch_add(f->w, third, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	put(third, "t1\n");
	pump(f->w, &f->got);
	put(f->log, "m2\n");
	assert_int_equal(rename(other, sibling(f, "other.log.1", rot, sizeof rot)), 0);
	put(other, "o2\n");
	pump(f->w, &f->got);
	put(other, "o3\n");
	pump(f->w, &f->got);
	snprintf(want_s[0], 256, "%s|m1", f->log);
	snprintf(want_s[1], 256, "%s|o1", other);
	snprintf(want_s[2], 256, "%s|t1", third);
	snprintf(want_s[3], 256, "%s|m2", f->log);
	snprintf(want_s[4], 256, "%s|o2", other);
	snprintf(want_s[5], 256, "%s|o3", other);
	for (i = 0; i < 6; i++)
		want[i] = want_s[i];
	want[6] = NULL;
	expect(&f->got, want);
}

/* check_seq - the lines starting with prefix are prefix0, prefix1, ... prefix(n-1) */
static void check_seq(const struct got *g, char prefix, long n)
{
	long next = 0;
	size_t i;

	for (i = 0; i < g->n; i++) {
		if (g->lines[i][0] != prefix)
			continue;
		if (strtol(g->lines[i] + 1, NULL, 10) != next)
			fail_msg("%c: got '%s', want %c%ld", prefix, g->lines[i], prefix, next);
		next++;
	}
	assert_int_equal(next, n);
}

static void test_overflow_recovery(void **state)
{
	struct fixture *f = *state;
	char other[160], third[160], line[32];
	struct why why;
	long max = 0, i, n;
	FILE *fp = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
	int a, b, c;

	if (fp == NULL || fscanf(fp, "%ld", &max) != 1 || max > 200000) {
		if (fp)
			fclose(fp);
		skip();
	}
	fclose(fp);
	sibling(f, "other.log", other, sizeof other);
	a = open(f->log, O_WRONLY | O_APPEND | O_CREAT, 0644);
	b = open(other, O_WRONLY | O_APPEND | O_CREAT, 0644);
	c = open(sibling(f, "third.log", third, sizeof third), O_WRONLY | O_APPEND | O_CREAT, 0644);
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	assert_int_equal(logwatch_add(f->w, other, LOGTAIL_FROM_START, NULL, &why), 0);
	assert_int_equal(logwatch_add(f->w, third, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	/* alternate writes so no two queued events can be merged: the queue overflows */
	n = max + 100;
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof line, "a%ld\n", i);
		wr(a, line);
		snprintf(line, sizeof line, "b%ld\n", i);
		wr(b, line);
	}
	wr(c, "c0\n");			/* its only event is lost: the queue is full */
	pump(f->w, &f->got);
	assert_true(logwatch_overflows(f->w) >= 1);
	check_seq(&f->got, 'a', n);
	check_seq(&f->got, 'b', n);
	check_seq(&f->got, 'c', 1);
	assert_int_equal(f->got.n, (size_t)(2 * n + 1));
	/* and it keeps following afterwards */
	wr(a, "a-after\n");
	pump(f->w, &f->got);
	assert_int_equal(f->got.n, (size_t)(2 * n + 2));
	assert_string_equal(f->got.lines[2 * n + 1], "a-after");
	close(a);
	close(b);
	close(c);
}

static void test_resume(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "a", "b", "c", "d", "e", "f", "g", NULL };
	struct logtail_pos pos;
	char rot[160];
	struct why why;

	put(f->log, "a\nb\n");
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	assert_int_equal(logwatch_pos(f->w, f->log, &pos), 0);
	assert_int_equal(pos.offset, 4);
	assert_int_equal(pos.first_line_hash, logtail_hash("a", 1));
	logwatch_free(f->w);
	/* while mqmon is down: more lines, a rotation, lines on both sides */
	put(f->log, "c\n");
	assert_int_equal(rename(f->log, sibling(f, "maillog.20261125-120000", rot, sizeof rot)), 0);
	put(rot, "d\n");
	put(f->log, "e\n");
	f->w = logwatch_new(&why);
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_RESUME, &pos, &why), 0);
	pump(f->w, &f->got);
	assert_null(logwatch_status(f->w, f->log));
	put(f->log, "f\n");
	pump(f->w, &f->got);
	/* a plain restart on the same file */
	assert_int_equal(logwatch_pos(f->w, f->log, &pos), 0);
	assert_int_equal(pos.offset, 4);
	logwatch_free(f->w);
	put(f->log, "g\n");
	f->w = logwatch_new(&why);
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_RESUME, &pos, &why), 0);
	pump(f->w, &f->got);
	expect(&f->got, want);
	assert_null(logwatch_status(f->w, f->log));
}

static void test_resume_lost(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "a", "b", "X", "Y", "Z", "n", "o", NULL };
	struct logtail_pos pos;
	char rot[160], gz[160];
	struct why why;
	int fd;

	put(f->log, "a\nb\n");
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	assert_int_equal(logwatch_pos(f->w, f->log, &pos), 0);
	logwatch_free(f->w);
	/* same inode, other content (as if the inode number were reused) */
	fd = open(f->log, O_WRONLY | O_TRUNC);
	wr(fd, "X\nY\nZ\n");
	close(fd);
	f->w = logwatch_new(&why);
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_RESUME, &pos, &why), 0);
	pump(f->w, &f->got);
	assert_non_null(logwatch_status(f->w, f->log));
	assert_non_null(strstr(logwatch_status(f->w, f->log), "resume point not found"));
	assert_int_equal(logwatch_pos(f->w, f->log, &pos), 0);
	logwatch_free(f->w);
	/* rotated while down, and only a compressed copy (here: a hard link) is left */
	assert_int_equal(rename(f->log, sibling(f, "maillog.1", rot, sizeof rot)), 0);
	assert_int_equal(link(rot, sibling(f, "maillog.1.gz", gz, sizeof gz)), 0);
	assert_int_equal(unlink(rot), 0);
	put(f->log, "n\n");
	f->w = logwatch_new(&why);
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_RESUME, &pos, &why), 0);
	pump(f->w, &f->got);
	assert_non_null(strstr(logwatch_status(f->w, f->log), "resume point not found"));
	put(f->log, "o\n");		/* the notice lasts until the next event */
	pump(f->w, &f->got);
	assert_null(logwatch_status(f->w, f->log));
	expect(&f->got, want);
}

static void test_permission_denied(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "a", "b", "c", "d", NULL };
	char rot[160];
	struct why why;
	const char *st;
	int fd;

	put(f->log, "a\n");
	logwatch_test_deny(f->w, EACCES);
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_START, NULL, &why), 0);
	pump(f->w, &f->got);
	st = logwatch_status(f->w, f->log);
	assert_non_null(st);
	assert_true(strncmp(st, "permission denied: ", 19) == 0);
	assert_non_null(strstr(st, "(retrying)"));
	/* the admin fixes the mode: IN_ATTRIB on the directory watch */
	logwatch_test_deny(f->w, 0);
	assert_int_equal(chmod(f->log, 0640), 0);
	pump(f->w, &f->got);
	assert_int_equal(f->got.n, 1);
	assert_null(logwatch_status(f->w, f->log));
	/* rotation to a file we cannot read: the old one is still drained */
	fd = open(f->log, O_WRONLY | O_APPEND);
	assert_int_equal(rename(f->log, sibling(f, "maillog.1", rot, sizeof rot)), 0);
	wr(fd, "b\n");
	close(fd);
	logwatch_test_deny(f->w, EACCES);
	put(f->log, "c\n");
	pump(f->w, &f->got);
	assert_int_equal(f->got.n, 2);
	assert_non_null(strstr(logwatch_status(f->w, f->log), "permission denied"));
	put(f->log, "d\n");
	pump(f->w, &f->got);
	assert_int_equal(f->got.n, 2);
	logwatch_test_deny(f->w, 0);
	assert_int_equal(chmod(f->log, 0644), 0);
	pump(f->w, &f->got);
	expect(&f->got, want);
	assert_null(logwatch_status(f->w, f->log));
}

static void test_from_end_when_denied(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "new", NULL };
	struct why why;

	/* unreadable at the add: once readable, start where the file ended at the add */
	put(f->log, "old\n");
	logwatch_test_deny(f->w, EACCES);
	assert_int_equal(logwatch_add(f->w, f->log, LOGTAIL_FROM_END, NULL, &why), 0);
	pump(f->w, &f->got);
	put(f->log, "new\n");
	logwatch_test_deny(f->w, 0);
	assert_int_equal(chmod(f->log, 0600), 0);
	pump(f->w, &f->got);
	expect(&f->got, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_partial_from_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_create_late_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_postfix_logrotate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copytruncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resync_sees_replaced_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_recreate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compressed_siblings_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission_denied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_end_when_denied, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

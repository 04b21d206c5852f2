/*
 * grow-queue - grow a Postfix instance's deferred queue with copies of its own
 * real queue files, for the mqmon scale benchmark (bench/run.sh scale)
 *
 * Usage: grow-queue [-l] [-d DEPTH] [-H NAMES] [-m MAX] [-j JOBS] [-v] QUEUE_DIR TARGET
 *
 * QUEUE_DIR is the instance's queue_directory; copies are added until its
 * deferred queue holds TARGET messages (nothing happens when it already holds
 * that many).  -d and -H are the instance's hash_queue_depth (1) and
 * hash_queue_names ("deferred,defer"), -l its enable_long_queue_ids = yes;
 * the bench reads them with postconf.  -m caps the source messages read into
 * memory (10000); -j sets the worker processes that write the copies (2: the
 * file system's inode allocation costs about 100 us of system time per file
 * here, so one process per core); -v prints progress to stderr.  Needs root (the copies keep
 * the owner).  The instance's qmgr must be stopped or frozen first: this tool
 * only writes files.
 *
 * Design: the deferred queue is walked once (the hashed subdirectories,
 * whatever their depth); every regular file named like a queue ID counts,
 * and the first MAX are read into memory with their defer log (defer/...,
 * when there is one) and their stat.  Copies then cycle through the sources.
 * A copy is a real queue file under a NEW queue ID built the way Postfix's
 * cleanup builds it (global/mail_queue.h): short IDs are the current
 * microseconds in five upper-case hex digits followed by the file's inode in
 * hex; long IDs are the seconds (base 52, at least six characters), the
 * microseconds (base 52, four characters), 'z' and the inode (base 51).  So
 * the file is first written under a temporary name in QUEUE_DIR (same file
 * system), its inode read with fstat, and only then linked under its ID in
 * the hashed directory that Postfix computes for that ID (mail_queue_dir():
 * the first DEPTH characters of a short ID, of the microseconds in hex for a
 * long one; '_' when the string is shorter).  An ID that matches its inode is
 * one `postsuper -s` (run by `postfix start` and `reload`) leaves alone, and
 * it is unique: inodes of live files are.  The defer log is created with
 * O_EXCL before the link and link() never replaces, so an existing file is
 * never overwritten (a clash means: drop this inode and try again).  Mode,
 * owner, atime and mtime (the retry time) are the source's; hashed
 * directories missing so far are created 0700 with the source's owner, as
 * Postfix creates them lazily.  Contents are copied byte for byte: a Postfix
 * queue file does not hold its own queue ID, and showq, qmgr and mqmon find a
 * message by its file name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTH 8
#define MAX_TRIES 100

/* Postfix's "safe" alphabet of long queue IDs (util/safe_ultostr.c) */
static const char safe_chars[] = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";

/* one file of a source message, in memory */
struct blob {
	char *data;
	size_t len;
	struct stat st;
};

/* one source message: its queue file and (when present) its defer log */
struct source {
	struct blob queue_file;
	struct blob defer_log;
	int has_defer_log;
};

/* what the command line says */
struct options {
	const char *queue_dir;
	long target;
	int depth;
	int long_ids;
	int hash_deferred;
	int hash_defer;
	long max_sources;
	int verbose;
	int jobs;
};

static struct source *sources;
static long nsources;
static long existing;
static char tmp_path[PATH_MAX];  /* relative to queue_fd; removed by die() */
static int queue_fd = -1;        /* the queue directory */

/* die - print an error (with errno's text when err != 0) and exit 1 */
static void die(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("grow-queue: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	if (tmp_path[0] && queue_fd >= 0)
		unlinkat(queue_fd, tmp_path, 0);
	exit(1);
}

/* fmt - snprintf into out (n bytes), dying when the text does not fit */
static void fmt(char *out, size_t n, const char *format, ...)
{
	va_list ap;
	int len;

	va_start(ap, format);
	len = vsnprintf(out, n, format, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= n)
		die(0, "path or ID too long: %s...", out);
}

/* usage - print the synopsis and exit 2 */
static void usage(void)
{
	fputs("usage: grow-queue [-l] [-d DEPTH] [-H NAMES] [-m MAX] [-j JOBS] [-v] QUEUE_DIR TARGET\n"
	      "  grow QUEUE_DIR's deferred queue to TARGET messages with copies of its own\n"
	      "  queue files and defer logs under new queue IDs (mode, owner and times kept)\n"
	      "  -l        long queue IDs (enable_long_queue_ids = yes)\n"
	      "  -d DEPTH  hash_queue_depth (1)\n"
	      "  -H NAMES  hash_queue_names (\"deferred,defer\")\n"
	      "  -m MAX    read at most MAX source messages (10000)\n"
	      "  -j JOBS   worker processes that write the copies (2)\n"
	      "  -v        progress on stderr\n",
	      stderr);
	exit(2);
}

/* now_seconds - monotonic clock in seconds */
static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* parse_long - a decimal number in [lo, hi] from s, or die naming what */
static long parse_long(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die(0, "%s must be a number from %ld to %ld, not '%s'", what, lo, hi, s);
	return v;
}

/* names_has - true when the comma/space separated list names (case-insensitive) holds name */
static int names_has(const char *names, const char *name)
{
	size_t n = strlen(name);
	const char *p = names;

	while (*p) {
		size_t len;

		p += strspn(p, ", \t\r\n");
		len = strcspn(p, ", \t\r\n");
		if (len == n && strncasecmp(p, name, n) == 0)
			return 1;
		p += len;
	}
	return 0;
}

/* parse_options - the command line into o, or usage */
static void parse_options(int argc, char **argv, struct options *o)
{
	const char *names = "deferred,defer";
	int c;

	memset(o, 0, sizeof *o);
	o->depth = 1;
	o->max_sources = 10000;
	o->jobs = 2;
	while ((c = getopt(argc, argv, "ld:H:m:j:v")) != -1) {
		switch (c) {
		case 'l': o->long_ids = 1; break;
		case 'd': o->depth = (int)parse_long(optarg, 1, MAX_DEPTH, "-d DEPTH"); break;
		case 'H': names = optarg; break;
		case 'm': o->max_sources = parse_long(optarg, 1, 10000000, "-m MAX"); break;
		case 'j': o->jobs = (int)parse_long(optarg, 1, 64, "-j JOBS"); break;
		case 'v': o->verbose = 1; break;
		default: usage();
		}
	}
	if (argc - optind != 2)
		usage();
	o->queue_dir = argv[optind];
	o->target = parse_long(argv[optind + 1], 0, 100000000, "TARGET");
	o->hash_deferred = names_has(names, "deferred");
	o->hash_defer = names_has(names, "defer");
}

/* short_id_ok - true when id is a short queue ID (upper-case hex, 6 or more) */
static int short_id_ok(const char *id)
{
	size_t n = strspn(id, "0123456789ABCDEF");

	return n >= 6 && id[n] == 0;
}

/* long_id_ok - true when id is a long queue ID (safe alphabet, 'z' after 10 or more) */
static int long_id_ok(const char *id)
{
	const char *z = strrchr(id, 'z');

	return z && z - id >= 10 && z[1] && strspn(id, safe_chars) == strlen(id);
}

/* encode_safe - value in Postfix's safe alphabet, base 51 or 52, left-padded with '0' to pad */
static void encode_safe(char *out, unsigned long value, unsigned base, int pad)
{
	char rev[32];
	int n = 0, i = 0;

	do {
		rev[n++] = safe_chars[value % base];
		value /= base;
	} while (value);
	while (n < pad)
		rev[n++] = '0';
	while (n)
		out[i++] = rev[--n];
	out[i] = 0;
}

/* decode_safe - the base-52 number of the first len characters of s */
static unsigned long decode_safe(const char *s, size_t len)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		v = v * 52 + (unsigned long)(strchr(safe_chars, s[i]) - safe_chars);
	return v;
}

/* make_id - a new queue ID for inode ino at time tv, into id (short or long form) */
static void make_id(char *id, size_t n, int long_ids, const struct timeval *tv, ino_t ino)
{
	char sec[32], usec[8], inum[32];

	if (!long_ids) {
		fmt(id, n, "%05X%lX", (unsigned)tv->tv_usec, (unsigned long)ino);
		return;
	}
	encode_safe(sec, (unsigned long)tv->tv_sec, 52, 6);
	encode_safe(usec, (unsigned long)tv->tv_usec, 52, 4);
	encode_safe(inum, (unsigned long)ino, 51, 0);
	fmt(id, n, "%s%sz%s", sec, usec, inum);
}

/* hash_dir - Postfix's hashed directory of id in queue: "queue/X/Y/" (mail_queue_dir) */
static void hash_dir(char *out, size_t n, const char *queue, const char *id, int hashed, int depth)
{
	char hex[16];
	const char *key = id;
	const char *z = strrchr(id, 'z');
	size_t len = (size_t)snprintf(out, n, "%s/", queue);
	int i;

	if (!hashed)
		return;
	if (z && z - id >= 10) {
		/* long ID: the microseconds (the four characters before 'z') in hex */
		fmt(hex, sizeof hex, "%05lX", decode_safe(z - 4, 4));
		key = hex;
	}
	for (i = 0; i < depth && len + 2 < n; i++) {
		out[len++] = *key ? *key++ : '_';
		out[len++] = '/';
	}
	out[len] = 0;
}

/* read_blob - the whole file path (or at dirfd) into b; 0, or errno */
static int read_blob(int dirfd, const char *path, struct blob *b)
{
	int fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW);
	size_t got = 0;

	if (fd < 0)
		return errno;
	if (fstat(fd, &b->st) < 0)
		die(errno, "fstat %s", path);
	b->data = malloc((size_t)b->st.st_size + 1);
	if (!b->data)
		die(ENOMEM, "reading %s", path);
	while (got < (size_t)b->st.st_size) {
		ssize_t r = read(fd, b->data + got, (size_t)b->st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die(errno, "read %s", path);
		if (r == 0)
			break;
		got += (size_t)r;
	}
	b->len = got;
	close(fd);
	return 0;
}

/* add_source - read message id (file rel under deferred/) and its defer log as a source */
static void add_source(const struct options *o, int qfd, const char *rel, const char *id)
{
	char path[PATH_MAX], dir[PATH_MAX];
	struct source *s;
	int err;

	sources = realloc(sources, (size_t)(nsources + 1) * sizeof *sources);
	if (!sources)
		die(ENOMEM, "sources");
	s = &sources[nsources];
	memset(s, 0, sizeof *s);
	fmt(path, sizeof path, "deferred/%s", rel);
	if ((err = read_blob(qfd, path, &s->queue_file)) != 0) {
		if (err == ENOENT)
			return; /* gone meanwhile (qmgr not frozen?): not a source */
		die(err, "open %s/%s", o->queue_dir, path);
	}
	hash_dir(dir, sizeof dir, "defer", id, o->hash_defer, o->depth);
	fmt(path, sizeof path, "%s%s", dir, id);
	err = read_blob(qfd, path, &s->defer_log);
	if (err && err != ENOENT)
		die(err, "open %s/%s", o->queue_dir, path);
	s->has_defer_log = !err;
	nsources++;
}

/* walk - count the queue files under deferred/REL (recursively), reading sources */
static void walk(const struct options *o, int qfd, const char *rel, int level)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int fd;

	fmt(path, sizeof path, "deferred%s%s", *rel ? "/" : "", rel);
	fd = openat(qfd, path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		die(errno, "open %s/%s", o->queue_dir, path);
	d = fdopendir(fd);
	if (!d)
		die(errno, "opendir %s/%s", o->queue_dir, path);
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		fmt(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		if (S_ISDIR(st.st_mode) && level < MAX_DEPTH) {
			walk(o, qfd, sub, level + 1);
		} else if (S_ISREG(st.st_mode) && (short_id_ok(de->d_name) || long_id_ok(de->d_name))) {
			existing++;
			if (nsources < o->max_sources)
				add_source(o, qfd, sub, de->d_name);
		}
	}
	closedir(d);
}

/* write_all - write the whole buffer to fd; 0, or errno */
static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* finish_file - owner, mode (exactly), atime and mtime of b on fd */
static void finish_file(int fd, const struct blob *b, const char *what)
{
	struct timespec times[2] = { b->st.st_atim, b->st.st_mtim };

	if (fchown(fd, b->st.st_uid, b->st.st_gid) < 0)
		die(errno, "chown %s", what);
	if (fchmod(fd, b->st.st_mode & 07777) < 0)
		die(errno, "chmod %s", what);
	if (futimens(fd, times) < 0)
		die(errno, "set the times of %s", what);
}

/* mkdir_parents - create the missing directories of path (relative to qfd), 0700 owned uid:gid */
static void mkdir_parents(int qfd, const char *path, uid_t uid, gid_t gid)
{
	char dir[PATH_MAX];
	char *p;

	fmt(dir, sizeof dir, "%s", path);
	for (p = strchr(dir, '/'); p; p = strchr(p + 1, '/')) {
		*p = 0;
		if (mkdirat(qfd, dir, 0700) == 0) {
			if (fchownat(qfd, dir, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
				die(errno, "chown %s", dir);
		} else if (errno != EEXIST) {
			die(errno, "mkdir %s", dir);
		}
		*p = '/';
	}
}

/* create_defer_log - the defer log copy at path (never replacing a file); 0, or EEXIST */
static int create_defer_log(int qfd, const char *path, const struct blob *b)
{
	int fd, err;

	fd = openat(qfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == ENOENT) {
		mkdir_parents(qfd, path, b->st.st_uid, b->st.st_gid);
		fd = openat(qfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	}
	if (fd < 0 && errno == EEXIST)
		return EEXIST;
	if (fd < 0)
		die(errno, "create %s", path);
	if ((err = write_all(fd, b->data, b->len)) != 0)
		die(err, "write %s", path);
	finish_file(fd, b, path);
	if (close(fd) < 0)
		die(errno, "close %s", path);
	return 0;
}

/* link_queue_file - link the temporary file as path (never replacing a file); 0, or EEXIST */
static int link_queue_file(int qfd, const char *path, const struct blob *b)
{
	int r = linkat(qfd, tmp_path, qfd, path, 0);

	if (r < 0 && errno == ENOENT) {
		mkdir_parents(qfd, path, b->st.st_uid, b->st.st_gid);
		r = linkat(qfd, tmp_path, qfd, path, 0);
	}
	if (r < 0 && errno == EEXIST)
		return EEXIST;
	if (r < 0)
		die(errno, "link %s", path);
	return 0;
}

/* copy_one - one copy of source s under a new queue ID */
static void copy_one(const struct options *o, int qfd, const struct source *s)
{
	char id[128], dir[PATH_MAX], qpath[PATH_MAX], dpath[PATH_MAX];
	struct timeval tv;
	struct stat st;
	int tries, fd, err;

	for (tries = 0; tries < MAX_TRIES; tries++) {
		fd = openat(qfd, tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
		if (fd < 0)
			die(errno, "create %s/%s", o->queue_dir, tmp_path);
		if ((err = write_all(fd, s->queue_file.data, s->queue_file.len)) != 0)
			die(err, "write %s/%s", o->queue_dir, tmp_path);
		finish_file(fd, &s->queue_file, tmp_path);
		if (fstat(fd, &st) < 0)
			die(errno, "fstat %s", tmp_path);
		if (close(fd) < 0)
			die(errno, "close %s", tmp_path);
		gettimeofday(&tv, NULL);
		make_id(id, sizeof id, o->long_ids, &tv, st.st_ino);
		hash_dir(dir, sizeof dir, "deferred", id, o->hash_deferred, o->depth);
		fmt(qpath, sizeof qpath, "%s%s", dir, id);
		hash_dir(dir, sizeof dir, "defer", id, o->hash_defer, o->depth);
		fmt(dpath, sizeof dpath, "%s%s", dir, id);
		if (s->has_defer_log && create_defer_log(qfd, dpath, &s->defer_log) == EEXIST) {
			unlinkat(qfd, tmp_path, 0);   /* a stale defer log has this ID: another inode */
			continue;
		}
		if (link_queue_file(qfd, qpath, &s->queue_file) == EEXIST) {
			if (s->has_defer_log)
				unlinkat(qfd, dpath, 0);
			unlinkat(qfd, tmp_path, 0);
			continue;
		}
		if (unlinkat(qfd, tmp_path, 0) < 0)
			die(errno, "unlink %s", tmp_path);
		return;
	}
	die(0, "no free queue ID after %d tries", MAX_TRIES);
}

/* copy_share - worker w's share of the need copies: every jobs-th one, from copy w on */
static void copy_share(const struct options *o, int qfd, int w, long need)
{
	long i, mine = 0, step;
	double t = now_seconds();

	/* relative to qfd: the queue directory; the pid keeps the workers apart */
	fmt(tmp_path, sizeof tmp_path, "grow-queue.%ld.tmp", (long)getpid());
	step = need / o->jobs / 10 > 0 ? need / o->jobs / 10 : 1;
	for (i = w; i < need; i += o->jobs) {
		copy_one(o, qfd, &sources[i % nsources]);
		if (o->verbose && ++mine % step == 0)
			fprintf(stderr, "grow-queue: worker %d: %ld copies (%.1f s)\n", w, mine, now_seconds() - t);
	}
}

/* main - walk the deferred queue, then copy (in jobs worker processes) until it holds the target */
int main(int argc, char **argv)
{
	struct options o;
	long need, i, with_log = 0;
	double t0, t;
	int qfd, w, status, failed = 0;
	pid_t done;

	parse_options(argc, argv, &o);
	umask(077);
	qfd = queue_fd = open(o.queue_dir, O_RDONLY | O_DIRECTORY);
	if (qfd < 0)
		die(errno, "open %s", o.queue_dir);
	t0 = now_seconds();
	walk(&o, qfd, "", 0);
	if (existing >= o.target) {
		printf("grow-queue: %s: deferred holds %ld messages (target %ld): nothing to do\n",
		       o.queue_dir, existing, o.target);
		return 0;
	}
	if (nsources == 0)
		die(0, "%s/deferred holds no queue file to copy", o.queue_dir);
	for (i = 0; i < nsources; i++)
		with_log += sources[i].has_defer_log;
	if (o.verbose)
		fprintf(stderr, "grow-queue: %ld deferred, %ld sources read (%ld with a defer log) in %.2f s\n",
			existing, nsources, with_log, now_seconds() - t0);
	need = o.target - existing;
	t = now_seconds();
	fflush(NULL);
	for (w = 0; w < o.jobs; w++) {
		pid_t pid = fork();

		if (pid < 0)
			die(errno, "fork");
		if (pid == 0) {
			copy_share(&o, qfd, w, need);
			_exit(0);
		}
	}
	while ((done = wait(&status)) > 0 || (done < 0 && errno == EINTR)) {
		if (done > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			failed++;
	}
	if (failed)
		die(0, "%d of %d workers failed: the deferred queue holds fewer than %ld messages", failed, o.jobs,
		    o.target);
	t = now_seconds() - t;
	printf("grow-queue: %s: deferred grown from %ld to %ld messages: %ld copies of %ld sources "
	       "in %.1f s (%.0f/s, %d workers)\n",
	       o.queue_dir, existing, o.target, need, nsources, t, t > 0 ? (double)need / t : 0.0, o.jobs);
	return 0;
}

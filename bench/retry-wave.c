/*
 * retry-wave - a retry wave in a frozen Postfix bed: N deferred messages go
 * through the active queue and back with a new reply, as qmgr moves them
 * (for the mqmon scale benchmark, bench/run.sh scale)
 *
 * Usage: retry-wave [-s SKIP] QUEUE_DIR N STATUS REPLY
 *
 * Takes the deferred queue's files in directory order, skips SKIP of them
 * and those whose defer log already says STATUS (an earlier wave's), and for
 * each of the next N: renames deferred/H/ID to active/ID (qmgr
 * taking it in), writes its defer log defer/H/ID anew with one record per
 * recipient of the old one, saying STATUS (an enhanced status code such as
 * 4.2.2) and REPLY (the remote reply, e.g. "host mx[192.0.2.1] said: 452
 * 4.2.2 Mailbox full (in reply to RCPT TO command)"), written to a temporary
 * file with the old one's owner and mode and renamed over it (the delivery
 * agent's deferral), then sets its mtime to one hour ahead and renames
 * active/ID back to deferred/H/ID (qmgr deferring it: the mtime is the next
 * retry time). Prints how many messages it moved and how long it took.
 * Needs root; the bed's qmgr must be frozen (bench/run.sh scale_freeze) so
 * that nothing else moves these files. Loopback beds only: it never sends.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *qdir, *status, *reply;
static long skip, want, done;

/* die - print and exit */
static void die(const char *what, const char *path)
{
	fprintf(stderr, "retry-wave: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

/* rewrite_defer_log - the defer log at path anew: one record per recipient of the old one */
static void rewrite_defer_log(const char *path)
{
	char tmp[PATH_MAX + 16], line[8192];
	FILE *in = fopen(path, "r"), *out;
	struct stat st;
	int fd;

	if (in == NULL) {
		if (errno == ENOENT)
			return;	/* no defer log: nothing to say */
		die("cannot open", path);
	}
	if (fstat(fileno(in), &st) < 0)
		die("cannot stat", path);
	snprintf(tmp, sizeof tmp, "%s.wave", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777)) < 0
	    || fchown(fd, st.st_uid, st.st_gid) < 0 || (out = fdopen(fd, "w")) == NULL)
		die("cannot write", tmp);
	while (fgets(line, sizeof line, in) != NULL) {
		const char *rcpt;

		if (strncmp(line, "recipient=", 10) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		rcpt = line + 10;
		fprintf(out, "\n<%s>: %s\nrecipient=%s\noffset=0\ndsn_orig_rcpt=rfc822;%s\nstatus=%s\naction=delayed\n"
			"reason=%s\n\n", rcpt, reply, rcpt, rcpt, status, reply);
	}
	fclose(in);
	if (fclose(out) != 0)
		die("cannot write", tmp);
	if (rename(tmp, path) < 0)
		die("cannot rename", tmp);
}

/* waved - the message's defer log already says status (an earlier wave took it) */
static int waved(const char *sub, const char *id)
{
	char path[PATH_MAX], line[8192], says[64];
	FILE *fp;
	int found = 0;

	snprintf(path, sizeof path, "%s/defer/%s%s%s", qdir, sub, *sub ? "/" : "", id);
	snprintf(says, sizeof says, "status=%s\n", status);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof line, fp) != NULL)
		found = strcmp(line, says) == 0;
	fclose(fp);
	return found;
}

/* wave_one - one message through active and back (sub: its hashed directory below deferred/, may be "") */
static void wave_one(const char *sub, const char *id)
{
	char from[PATH_MAX], act[PATH_MAX], defer[PATH_MAX];
	struct timespec times[2];

	snprintf(from, sizeof from, "%s/deferred/%s%s%s", qdir, sub, *sub ? "/" : "", id);
	snprintf(act, sizeof act, "%s/active/%s", qdir, id);
	snprintf(defer, sizeof defer, "%s/defer/%s%s%s", qdir, sub, *sub ? "/" : "", id);
	if (rename(from, act) < 0)
		die("cannot move", from);
	rewrite_defer_log(defer);
	/* as qmgr_active_done: the retry time first, then back to deferred */
	clock_gettime(CLOCK_REALTIME, &times[0]);
	times[1] = times[0];
	times[1].tv_sec += 3600;
	times[1].tv_nsec = 0;
	if (utimensat(AT_FDCWD, act, times, 0) < 0)
		die("cannot set the retry time of", act);
	if (rename(act, from) < 0)
		die("cannot move back", act);
}

/* walk - the deferred queue below sub (relative to deferred/), in directory order, until N are done */
static void walk(const char *sub)
{
	char path[PATH_MAX], **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof path, "%s/deferred%s%s", qdir, *sub ? "/" : "", sub);
	if ((d = opendir(path)) == NULL)
		die("cannot open", path);
	/* the names first: renaming while reading a directory may list a file twice */
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap && (names = realloc(names, (cap = cap ? cap * 2 : 256) * sizeof *names)) == NULL)
			die("out of memory in", path);
		if ((names[n++] = strdup(e->d_name)) == NULL)
			die("out of memory in", path);
	}
	closedir(d);
	for (i = 0; i < n && done < want; i++) {
		char child[PATH_MAX];
		struct stat st;

		if ((size_t)snprintf(child, sizeof child, "%s/%s", path, names[i]) >= sizeof child || lstat(child, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			char rel[PATH_MAX];

			if ((size_t)snprintf(rel, sizeof rel, "%s%s%s", sub, *sub ? "/" : "", names[i]) < sizeof rel)
				walk(rel);
		} else if (S_ISREG(st.st_mode) && !waved(sub, names[i])) {
			if (skip > 0)
				skip--;
			else {
				wave_one(sub, names[i]);
				done++;
			}
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int c;

	while ((c = getopt(argc, argv, "s:")) != -1) {
		if (c == 's')
			skip = atol(optarg);
		else
			return 2;
	}
	if (argc - optind != 4) {
		fprintf(stderr, "usage: retry-wave [-s SKIP] QUEUE_DIR N STATUS REPLY\n");
		return 2;
	}
	qdir = argv[optind];
	want = atol(argv[optind + 1]);
	status = argv[optind + 2];
	reply = argv[optind + 3];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	walk("");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("retry-wave: %ld messages through active and back in %.2f s\n", done,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return done == want ? 0 : 1;
}

/* lease - one process at a time stores a log's lines into a history; see lease.h
 *
 * The lease file is "<db>.follow-<hash of the log path>"; it is never
 * removed (unlinking a lock file races with the next locker). The holder
 * writes its pid into it after locking; a waiter reads it for its message.
 */
#include "core/base/lease.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

struct lease {
	int fd;
};

/* path_hash - FNV-1a, 64 bits, of the log path (names the lease file) */
static uint64_t path_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* read_holder - the pid written in the lease file, 0 if none */
static pid_t read_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	long v;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, NULL, 10);
	return v > 0 && v <= INT_MAX ? (pid_t)v : 0;
}

/* lease_take - try to become the one process storing log_path into db_path */
int lease_take(const char *db_path, const char *log_path, struct lease **out, pid_t *holder, struct why *why)
{
	char path[PATH_MAX], pid[32];
	struct lease *l;
	int fd, n;

	*out = NULL;
	*holder = 0;
	if ((size_t)snprintf(path, sizeof path, "%s.follow-%016llx", db_path,
			     (unsigned long long)path_hash(log_path)) >= sizeof path)
		return why_set(why, "history %s: path too long for its lease file", db_path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0)
		return why_errno(why, "lease %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		if (e == EWOULDBLOCK) {
			*holder = read_holder(fd);
			close(fd);
			return 0;
		}
		close(fd);
		errno = e;
		return why_errno(why, "lease %s: cannot lock", path);
	}
	if ((l = malloc(sizeof *l)) == NULL) {
		close(fd);
		return why_set(why, "lease: out of memory");
	}
	l->fd = fd;
	n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* only the message of a waiter suffers: it says "pid unknown" */
	}
	*out = l;
	return 1;
}

/* lease_release - give it up */
void lease_release(struct lease *l)
{
	if (l == NULL)
		return;
	if (ftruncate(l->fd, 0) < 0) {
		/* a stale pid only shows in a waiter's message until the next holder writes */
	}
	close(l->fd);	/* drops the flock */
	free(l);
}

/* proc - run MTA commands safely with fork/execve; see proc.h
 *
 * Both directions use poll() so a command that writes a lot to stderr while
 * we feed its stdin (postsuper reading IDs) cannot deadlock us. The child
 * gets a clean signal state and closes every descriptor but 0, 1 and 2.
 */
#include "core/base/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* proc_find - full path of a command (PATH, /usr/sbin, /sbin ...), NULL when not found */
const char *proc_find(const char *name, char *buf, size_t bufsz)
{
	const char *path = getenv("PATH"), *p;
	char dirs[4096];

	if (strchr(name, '/') != NULL)
		return access(name, X_OK) == 0 ? name : NULL;
	snprintf(dirs, sizeof dirs, "%s:/usr/sbin:/sbin:/usr/local/sbin:/usr/bin:/bin",
		 path ? path : "");
	for (p = dirs; *p; ) {
		size_t n = strcspn(p, ":");

		if (n > 0 && (size_t)snprintf(buf, bufsz, "%.*s/%s", (int)n, p, name) < bufsz
		    && access(buf, X_OK) == 0)
			return buf;
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}

/* child_exec - in the child: wire descriptors, reset signals, execve */
static void child_exec(const char *path, char *const argv[], int in, int out, int err)
{
	sigset_t none;
	int fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if (in != 0 && (dup2(in, 0) < 0))
		_exit(127);
	if (out != 1 && (dup2(out, 1) < 0))
		_exit(127);
	if (err != 2 && (dup2(err, 2) < 0))
		_exit(127);
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	execve(path, argv, environ);
	_exit(127);
}

/* append - add bytes to a growing buffer, bounded */
static int append(char **buf, size_t *len, size_t *cap, const char *data, size_t n, size_t max)
{
	if (*len + n > max)
		n = max - *len;
	if (*len + n + 1 > *cap) {
		size_t nc = *cap ? *cap : 4096;
		char *nb;

		while (nc < *len + n + 1)
			nc *= 2;
		if ((nb = realloc(*buf, nc)) == NULL)
			return -1;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* proc_run - run argv (stdin from input when non-NULL); 0 when it ran, -1 with why when it could not */
int proc_run(char *const argv[], const char *input, size_t inputlen, struct proc_result *res,
	     struct why *why)
{
	char pathbuf[4096], chunk[65536];
	const char *path = proc_find(argv[0], pathbuf, sizeof pathbuf);
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	size_t outcap = 0, errcap = 0, written = 0;
	pid_t pid;
	int st;

	memset(res, 0, sizeof *res);
	if (path == NULL)
		return why_set(why, "%s: command not found", argv[0]);
	if (pipe2(inp, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		why_errno(why, "pipe");
		goto fail;
	}
	if ((pid = fork()) < 0) {
		why_errno(why, "fork %s", argv[0]);
		goto fail;
	}
	if (pid == 0)
		child_exec(path, argv, inp[0], outp[1], errp[1]);
	close(inp[0]);
	close(outp[1]);
	close(errp[1]);
	inp[0] = outp[1] = errp[1] = -1;
	if (input == NULL || inputlen == 0) {
		close(inp[1]);
		inp[1] = -1;
	} else {
		fcntl(inp[1], F_SETFL, O_NONBLOCK);
	}
	while (outp[0] >= 0 || errp[0] >= 0) {
		struct pollfd pfd[3] = {
			{ outp[0], POLLIN, 0 }, { errp[0], POLLIN, 0 }, { inp[1], POLLOUT, 0 },
		};

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[2].revents & (POLLOUT | POLLERR | POLLHUP)) {
			ssize_t n = write(inp[1], input + written, inputlen - written);

			if (n > 0)
				written += (size_t)n;
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				written = inputlen;	/* the command stopped reading */
			if (written >= inputlen) {
				close(inp[1]);
				inp[1] = -1;
			}
		}
		for (int k = 0; k < 2; k++) {
			int *fd = k == 0 ? &outp[0] : &errp[0];

			if (*fd < 0 || !(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(*fd, chunk, sizeof chunk);

			if (n > 0) {
				if (k == 0)
					append(&res->out, &res->outlen, &outcap, chunk, (size_t)n, PROC_OUTPUT_MAX);
				else
					append(&res->err, &res->errlen, &errcap, chunk, (size_t)n, PROC_OUTPUT_MAX);
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(*fd);
				*fd = -1;
			}
		}
	}
	if (inp[1] >= 0)
		close(inp[1]);
	st = proc_wait(pid);
	res->status = st;
	if (res->out == NULL)
		res->out = strdup("");
	if (res->err == NULL)
		res->err = strdup("");
	if (st == 127 && res->errlen == 0)
		return why_set(why, "%s: could not be executed", path);
	return 0;
fail:
	for (int k = 0; k < 2; k++) {
		if (inp[k] >= 0)
			close(inp[k]);
		if (outp[k] >= 0)
			close(outp[k]);
		if (errp[k] >= 0)
			close(errp[k]);
	}
	return -1;
}

/* proc_result_free - release captured output */
void proc_result_free(struct proc_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof *res);
}

/* proc_open - start argv with stdout on a pipe; returns the read fd, -1 with why */
int proc_open(char *const argv[], int errfd, pid_t *pid, struct why *why)
{
	char pathbuf[4096];
	const char *path = proc_find(argv[0], pathbuf, sizeof pathbuf);
	int outp[2], nul;

	if (path == NULL)
		return why_set(why, "%s: command not found", argv[0]);
	if (pipe2(outp, O_CLOEXEC) < 0)
		return why_errno(why, "pipe");
	if ((nul = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		close(outp[0]);
		close(outp[1]);
		return why_errno(why, "/dev/null");
	}
	if ((*pid = fork()) < 0) {
		why_errno(why, "fork %s", argv[0]);
		close(outp[0]);
		close(outp[1]);
		close(nul);
		return -1;
	}
	if (*pid == 0)
		child_exec(path, argv, nul, outp[1], errfd >= 0 ? errfd : nul);
	close(outp[1]);
	close(nul);
	return outp[0];
}

/* proc_spawn - start argv with stdin, stdout and stderr on pipes (the caller's ends close on exec) */
pid_t proc_spawn(char *const argv[], int *in, int *out, int *err, struct why *why)
{
	char pathbuf[4096];
	const char *path = proc_find(argv[0], pathbuf, sizeof pathbuf);
	int p[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } }, i;
	pid_t pid;

	if (path == NULL)
		return why_set(why, "%s: command not found", argv[0]);
	for (i = 0; i < 3; i++)
		if (pipe2(p[i], O_CLOEXEC) < 0) {
			why_errno(why, "pipe");
			goto fail;
		}
	if ((pid = fork()) < 0) {
		why_errno(why, "fork %s", argv[0]);
		goto fail;
	}
	if (pid == 0)
		child_exec(path, argv, p[0][0], p[1][1], p[2][1]);
	close(p[0][0]);
	close(p[1][1]);
	close(p[2][1]);
	*in = p[0][1];
	*out = p[1][0];
	*err = p[2][0];
	return pid;
fail:
	for (i = 0; i < 3; i++) {
		if (p[i][0] >= 0)
			close(p[i][0]);
		if (p[i][1] >= 0)
			close(p[i][1]);
	}
	return -1;
}

/* proc_wait - wait for pid; returns the exit code, or 128+signal, -1 on error */
int proc_wait(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

/* proc_pidfile_state - whether the daemon whose pid file is at path runs: 1 its pid is a live process (not a
 * zombie) named comm (or there is no /proc to ask), 0 no pid file, an empty or stale one, or a reused pid,
 * -1 the file cannot be read (not root) */
int proc_pidfile_state(const char *path, const char *comm)
{
	char buf[512], stat[64], *name, *end;
	ssize_t n;
	long pid;
	int fd;
	size_t clen = strlen(comm);

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;	/* never started, or root's file */
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;	/* empty: the daemon died while writing it */
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);	/* Postfix pads it with blanks */
	if (pid <= 1)
		return 0;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return 0;	/* the daemon left its pid file behind */
	/* that pid may have been reused: it must be the daemon, and not a zombie nobody reaped yet */
	snprintf(stat, sizeof stat, "/proc/%ld/stat", pid);
	if ((fd = open(stat, O_RDONLY | O_CLOEXEC)) < 0)
		return 1;	/* no /proc: the live pid has to do */
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	/* "PID (comm) S ...": comm is the daemon's (cut at 15 characters), the state is not Z or X */
	if ((name = strchr(buf, '(')) == NULL || (end = strrchr(buf, ')')) == NULL || end[1] != ' ')
		return 1;
	if (clen > 15)
		clen = 15;
	if ((size_t)(end - name - 1) != clen || strncmp(name + 1, comm, clen) != 0 || end[2] == 'Z' || end[2] == 'X')
		return 0;
	return 1;
}

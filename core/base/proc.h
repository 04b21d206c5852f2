/* proc - run MTA commands safely: fork/execve with an argv array, never a shell
 *
 * Operator input (queue IDs, domains) only ever travels as separate argv
 * elements, so no quoting or shell metacharacter can change a command.
 * proc_run() waits for the command and captures its output (bounded);
 * proc_open() starts it and hands back a pipe for streaming large output
 * (postqueue -j of a 100,000-message queue). Commands are looked up in
 * PATH plus the usual sbin directories, since Postfix tools live there.
 */
#ifndef MQMON_PROC_H
#define MQMON_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "core/base/why.h"

struct proc_result {
	int status;		/* exit code, or 128+signal */
	char *out;		/* stdout (NUL-terminated, at most PROC_OUTPUT_MAX) */
	size_t outlen;
	char *err;		/* stderr (NUL-terminated, at most PROC_OUTPUT_MAX) */
	size_t errlen;
};

#define PROC_OUTPUT_MAX (64u * 1024 * 1024)

/* proc_run - run argv (stdin from input when non-NULL); 0 when it ran (see status), -1 with why when it could not */
int proc_run(char *const argv[], const char *input, size_t inputlen, struct proc_result *res,
	     struct why *why);

/* proc_result_free - release captured output */
void proc_result_free(struct proc_result *res);

/* proc_open - start argv with stdout on a pipe (stderr to errfd, or /dev/null when < 0); returns the read fd, -1 with why */
int proc_open(char *const argv[], int errfd, pid_t *pid, struct why *why);

/* proc_spawn - start argv with its stdin, stdout and stderr on pipes (*in, *out, *err: the caller's ends,
 * close-on-exec); the pid, -1 with why */
pid_t proc_spawn(char *const argv[], int *in, int *out, int *err, struct why *why);

/* proc_wait - wait for pid; returns the exit code, or 128+signal, -1 on error */
int proc_wait(pid_t pid);

/* proc_find - full path of a command (PATH, /usr/sbin, /sbin ...), NULL when not found */
const char *proc_find(const char *name, char *buf, size_t bufsz);

/* proc_pidfile_state - whether the daemon whose pid file is at path runs: 1 a live process named comm has
 * that pid, 0 it does not (no file, empty, stale, reused pid), -1 the file cannot be read (not root) */
int proc_pidfile_state(const char *path, const char *comm);

#endif

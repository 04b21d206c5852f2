/* fleet - many mail hosts over ssh: host names, the ssh command, parallel runs, per-host state
 *
 * A fleet is a list of ssh destinations (host names or ~/.ssh/config
 * aliases) and two commands split at blanks into argv words, never given
 * to a local shell: ssh_command ("ssh", "ssh -F FILE") and remote_mqmon
 * ("mqmon", a path, or a forced-command wrapper).
 *
 * fleet_run() starts, on every chosen host at once,
 *
 *   SSH... -T -o BatchMode=yes -o ConnectTimeout=N -o ServerAliveInterval=5 -o ServerAliveCountMax=3
 *          [-o ControlMaster=auto -o ControlPath=DIR/hN] -- HOST REMOTE... --no-fleet WORDS...
 *
 * with fork/execve and pipes (stdin from the host's input, such as the
 * queue IDs of an action, one a line), collects stdout and stderr, and
 * kills what has not ended by the deadline. ssh hands the remote words to
 * the remote user's shell as one line, so each word is single-quoted for
 * that shell (fleet_quote); queue IDs only ever travel on stdin.
 *
 * A host name is refused unless it is 1..253 characters of letters,
 * digits and . _ - @ : [ ] (user@host, IPv6 literals) that does not begin
 * with '-' (ssh would read "-oProxyCommand=..." as an option).
 *
 * Each run's outcome is a state: ok; unreachable (ssh could not connect,
 * or no answer by the deadline; a connection that goes silent is dropped by
 * ssh after 15 s); auth failed (ssh: Permission denied, host
 * key verification failed); mqmon missing (the remote shell exit 126/127);
 * failed (the remote mqmon exited non-zero: its own message).
 */
#ifndef MQMON_FLEET_H
#define MQMON_FLEET_H

#include <stddef.h>
#include <sys/types.h>

#include "core/base/strlist.h"
#include "core/base/why.h"

enum fleet_state { FLEET_OK, FLEET_UNREACHABLE, FLEET_AUTH, FLEET_MISSING, FLEET_FAILED, FLEET_NOT_RUN };

#define FLEET_HOST_MAX 253
#define FLEET_CONNECT_TIMEOUT 5		/* seconds for ssh to connect (ConnectTimeout) */

struct fleet_host {
	char name[FLEET_HOST_MAX + 1];
	enum fleet_state state;
	int status;		/* the ssh command's exit status (128+signal; -1 none) */
	char *out, *err;	/* what it wrote (NUL-terminated; NULL when it did not run) */
	size_t outlen, errlen;
	char problem[512];	/* the state for people: the last line ssh or mqmon wrote, or why */
};

struct fleet {
	struct fleet_host *hosts;
	size_t n;
	char **ssh;		/* ssh_command's words, NULL-terminated */
	char **remote;		/* remote_mqmon's words */
	char control_dir[128];	/* "": none; else OpenSSH connection sharing through sockets in it (a private
				 * 0700 directory): -o ControlMaster=auto -o ControlPath=DIR/hN, N the host's index
				 * (one master a fleet host: two aliases of one address each get their own) */
};

/* fleet_host_valid - 0 when name is an acceptable ssh destination, else -1 with why */
int fleet_host_valid(const char *name, struct why *why);

/* fleet_read_hosts_file - append the file's hosts (one a line; blank lines and '#' comments skipped); -1 with why */
int fleet_read_hosts_file(struct strlist *hosts, const char *path, struct why *why);

/* fleet_new - a fleet of the hosts (each validated; a repeat is kept once); NULL with why */
struct fleet *fleet_new(const struct strlist *hosts, const char *ssh_command, const char *remote_mqmon,
			struct why *why);

/* fleet_quote - word quoted for a POSIX shell ('...' with ' as '\''), malloc'd; NULL on out of memory */
char *fleet_quote(const char *word);

/* fleet_argv - the whole command for host (see above), NULL-terminated, malloc'd (free with fleet_argv_free) */
char **fleet_argv(const struct fleet *fl, const char *host, char *const *words, size_t nwords);

/* fleet_argv_free - release what fleet_argv returned (NULL-safe) */
void fleet_argv_free(char **argv);

/* fleet_run - words on every host i whose run[i] is set (run NULL: every host), stdin from inputs[i] (NULL
 * or inputs NULL: nothing), all at once, until each ended or timeout seconds passed; each host's state,
 * status, out and err are set (FLEET_NOT_RUN when skipped); how many are not ok */
size_t fleet_run(struct fleet *fl, char *const *words, size_t nwords, const int *run, char *const *inputs,
		 int timeout);

/* fleet_classify - the state of a host's ssh command that ended with status, from its stderr (err may be
 * NULL); problem gets the last line it wrote, or why */
enum fleet_state fleet_classify(int status, const char *err, char *problem, size_t n);

/* fleet_state_name - "ok", "unreachable", "auth failed", "mqmon missing", "failed", "not run" */
const char *fleet_state_name(enum fleet_state s);

/* fleet_free - release everything (NULL-safe) */
void fleet_free(struct fleet *fl);

#endif

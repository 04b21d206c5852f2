/* fleet - many mail hosts over ssh; see fleet.h */
#include "core/fleet/fleet.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/base/proc.h"

/* fleet_host_valid - letters, digits and . _ - @ : [ ], not starting with '-' */
int fleet_host_valid(const char *name, struct why *why)
{
	size_t i, n = strlen(name);

	if (n == 0)
		return why_set(why, "empty host name");
	if (n > FLEET_HOST_MAX)
		return why_set(why, "host name longer than %d characters", FLEET_HOST_MAX);
	if (name[0] == '-')
		return why_set(why, "host name '%s' begins with '-' (ssh would read it as an option): refused", name);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		      || strchr("._-@:[]", c) != NULL))
			return why_set(why, "host name '%s' holds a character that is not allowed (letters, digits and "
				       ". _ - @ : [ ] only): refused", name);
	}
	return 0;
}

/* fleet_read_hosts_file - one host a line, '#' comments */
int fleet_read_hosts_file(struct strlist *hosts, const char *path, struct why *why)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	int rc = 0;

	if (fp == NULL)
		return why_errno(why, "hosts file %s", path);
	while (fgets(line, sizeof line, fp) != NULL) {
		char *hash = strchr(line, '#');

		if (hash != NULL)
			*hash = '\0';
		if (strlist_split(hosts, line, " \t\r\n") < 0) {
			rc = why_set(why, "out of memory");
			break;
		}
	}
	if (ferror(fp))
		rc = why_errno(why, "hosts file %s", path);
	fclose(fp);
	return rc;
}

/* split_words - s cut at blanks into a NULL-terminated argv (malloc'd); NULL when empty or out of memory */
static char **split_words(const char *s)
{
	struct strlist l = { 0 };
	char **v;
	size_t i;

	if (strlist_split(&l, s, " \t") < 0 || l.n == 0 || (v = calloc(l.n + 1, sizeof *v)) == NULL) {
		strlist_free(&l);
		return NULL;
	}
	for (i = 0; i < l.n; i++)
		v[i] = l.v[i];
	free(l.v);
	return v;
}

/* fleet_new - validated hosts, the split commands */
struct fleet *fleet_new(const struct strlist *hosts, const char *ssh_command, const char *remote_mqmon,
			struct why *why)
{
	struct fleet *fl = calloc(1, sizeof *fl);
	size_t i, k;

	if (fl == NULL || (fl->hosts = calloc(hosts->n + 1, sizeof *fl->hosts)) == NULL) {
		free(fl);
		why_set(why, "out of memory");
		return NULL;
	}
	for (i = 0; i < hosts->n; i++) {
		if (fleet_host_valid(hosts->v[i], why) < 0) {
			fleet_free(fl);
			return NULL;
		}
		for (k = 0; k < fl->n && strcmp(fl->hosts[k].name, hosts->v[i]) != 0; k++)
			;
		if (k < fl->n)
			continue;
		snprintf(fl->hosts[fl->n].name, sizeof fl->hosts[0].name, "%s", hosts->v[i]);
		fl->hosts[fl->n].state = FLEET_NOT_RUN;
		fl->hosts[fl->n].status = -1;
		fl->n++;
	}
	if ((fl->ssh = split_words(ssh_command)) == NULL || (fl->remote = split_words(remote_mqmon)) == NULL) {
		why_set(why, "fleet: %s is empty", fl->ssh == NULL ? "ssh_command" : "remote_mqmon");
		fleet_free(fl);
		return NULL;
	}
	return fl;
}

/* fleet_quote - 'word' for a POSIX shell */
char *fleet_quote(const char *word)
{
	size_t n = strlen(word), i, k = 0;
	char *q = malloc(n * 4 + 3);

	if (q == NULL)
		return NULL;
	q[k++] = '\'';
	for (i = 0; i < n; i++) {
		if (word[i] == '\'') {
			memcpy(q + k, "'\\''", 4);
			k += 4;
		} else
			q[k++] = word[i];
	}
	q[k++] = '\'';
	q[k] = '\0';
	return q;
}

/* fleet_argv - SSH... -T -o BatchMode=yes -o ConnectTimeout=N -- HOST REMOTE... --no-fleet WORDS... */
char **fleet_argv(const struct fleet *fl, const char *host, char *const *words, size_t nwords)
{
	static const char *const opts[] = { "-T", "-o", "BatchMode=yes", "-o", NULL, "-o", "ServerAliveInterval=5",
		"-o", "ServerAliveCountMax=3", "--" };
	const size_t nopts = sizeof opts / sizeof opts[0];
	size_t nssh = 0, nrem = 0, i, k = 0;
	char **v;
	char timeout[64], control[200];

	while (fl->ssh[nssh] != NULL)
		nssh++;
	while (fl->remote[nrem] != NULL)
		nrem++;
	if ((v = calloc(nssh + nopts + 4 + 1 + nrem + 1 + nwords + 1, sizeof *v)) == NULL)
		return NULL;
	snprintf(timeout, sizeof timeout, "ConnectTimeout=%d", FLEET_CONNECT_TIMEOUT);
	for (i = 0; i < nssh; i++)
		v[k++] = strdup(fl->ssh[i]);
	for (i = 0; i + 1 < nopts; i++)
		v[k++] = strdup(opts[i] != NULL ? opts[i] : timeout);
	if (fl->control_dir[0]) {
		/* connection sharing: the host's stream is the master, actions ride on it */
		/* one socket a fleet host (its index): %C would join two aliases of one address */
		for (i = 0; i < fl->n && strcmp(fl->hosts[i].name, host) != 0; i++)
			;
		snprintf(control, sizeof control, "ControlPath=%s/h%zu", fl->control_dir, i);
		v[k++] = strdup("-o");
		v[k++] = strdup("ControlMaster=auto");
		v[k++] = strdup("-o");
		v[k++] = strdup(control);
	}
	v[k++] = strdup(opts[nopts - 1]);	/* -- */
	v[k++] = strdup(host);
	for (i = 0; i < nrem; i++)
		v[k++] = fleet_quote(fl->remote[i]);
	v[k++] = strdup("--no-fleet");
	for (i = 0; i < nwords; i++)
		v[k++] = fleet_quote(words[i]);
	for (i = 0; i < k; i++)
		if (v[i] == NULL) {
			fleet_argv_free(v);
			return NULL;
		}
	return v;
}

/* fleet_argv_free - release an argv of fleet_argv */
void fleet_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* fleet_state_name - the state for people and JSON */
const char *fleet_state_name(enum fleet_state s)
{
	static const char *const names[] = { "ok", "unreachable", "auth failed", "mqmon missing", "failed", "not run" };

	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

/* last_line - the last non-empty line of text into buf */
static void last_line(const char *text, char *buf, size_t bufsz)
{
	const char *end = text + strlen(text), *start;

	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	for (start = end; start > text && start[-1] != '\n'; start--)
		;
	snprintf(buf, bufsz, "%.*s", (int)(end - start), start);
}

/* fleet_classify - a host's state from how ssh ended (status) and what it wrote on stderr */
enum fleet_state fleet_classify(int status, const char *err, char *problem, size_t n)
{
	enum fleet_state st;

	if (err == NULL)
		err = "";
	last_line(err, problem, n);
	if (status == 0)
		st = FLEET_OK;
	else if (status == 255 && (strstr(err, "Permission denied") != NULL
				   || strstr(err, "Host key verification failed") != NULL
				   || strstr(err, "Too many authentication failures") != NULL))
		st = FLEET_AUTH;
	else if (status == 255)
		st = FLEET_UNREACHABLE;
	else if (status == 127 || status == 126)
		st = FLEET_MISSING;
	else
		st = FLEET_FAILED;
	if (problem[0] == '\0' && st != FLEET_OK)
		snprintf(problem, n, "exit status %d", status);
	return st;
}

/* classify - the host's state from how ssh ended and what it said */
static void classify(struct fleet_host *h, int timed_out)
{
	h->state = fleet_classify(h->status, h->err, h->problem, sizeof h->problem);
	if (timed_out) {
		h->state = FLEET_UNREACHABLE;
		snprintf(h->problem, sizeof h->problem, "no answer in time");
	}
}

/* a host's run in progress */
struct run {
	pid_t pid;
	int in, out, err;
	const char *input;
	size_t inlen, inoff;
	size_t outcap, errcap;
};

/* grow_read - read what fd has into a growing buffer; 0 at end of file or error, 1 more to come */
static int grow_read(int fd, char **buf, size_t *len, size_t *cap)
{
	char chunk[65536];
	ssize_t n = read(fd, chunk, sizeof chunk);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	if (*len + (size_t)n > PROC_OUTPUT_MAX)
		return 1;	/* beyond the bound: dropped */
	if (*len + (size_t)n + 1 > *cap) {
		size_t nc = *cap ? *cap : 65536;
		char *nb;

		while (nc < *len + (size_t)n + 1)
			nc *= 2;
		if ((nb = realloc(*buf, nc)) == NULL)
			return 1;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, chunk, (size_t)n);
	*len += (size_t)n;
	(*buf)[*len] = '\0';
	return 1;
}

/* now_s - monotonic seconds */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* start - host i's command; 0, or -1 with the host marked */
static int start(struct fleet *fl, size_t i, char *const *words, size_t nwords, const char *input, struct run *r)
{
	struct fleet_host *h = &fl->hosts[i];
	char **argv = fleet_argv(fl, h->name, words, nwords);
	struct why why;

	r->pid = -1;
	r->in = r->out = r->err = -1;
	if (argv == NULL || (r->pid = proc_spawn(argv, &r->in, &r->out, &r->err, &why)) < 0) {
		h->state = FLEET_UNREACHABLE;
		snprintf(h->problem, sizeof h->problem, "%.500s", argv == NULL ? "out of memory" : why.text);
		fleet_argv_free(argv);
		return -1;
	}
	fleet_argv_free(argv);
	r->input = input != NULL ? input : "";
	r->inlen = strlen(r->input);
	fcntl(r->in, F_SETFL, O_NONBLOCK);
	if (r->inlen == 0) {
		close(r->in);
		r->in = -1;
	}
	return 0;
}

/* fleet_run - the same words on many hosts at once */
size_t fleet_run(struct fleet *fl, char *const *words, size_t nwords, const int *run, char *const *inputs,
		 int timeout)
{
	struct run *r = calloc(fl->n + 1, sizeof *r);
	struct pollfd *pfd = calloc(fl->n * 3 + 1, sizeof *pfd);
	double deadline = now_s() + timeout;
	size_t i, failed = 0;
	void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);

	if (r == NULL || pfd == NULL) {
		free(r);
		free(pfd);
		for (i = 0; i < fl->n; i++)
			fl->hosts[i].state = FLEET_UNREACHABLE;
		return fl->n;
	}
	for (i = 0; i < fl->n; i++) {
		struct fleet_host *h = &fl->hosts[i];

		free(h->out);
		free(h->err);
		h->out = h->err = NULL;
		h->outlen = h->errlen = 0;
		h->status = -1;
		h->problem[0] = '\0';
		h->state = FLEET_NOT_RUN;
		r[i].pid = -1;
		r[i].in = r[i].out = r[i].err = -1;
		if (run == NULL || run[i])
			start(fl, i, words, nwords, inputs != NULL ? inputs[i] : NULL, &r[i]);
	}
	for (;;) {
		size_t np = 0;
		double left = deadline - now_s();

		for (i = 0; i < fl->n; i++) {
			if (r[i].in >= 0)
				pfd[np++] = (struct pollfd){ .fd = r[i].in, .events = POLLOUT };
			if (r[i].out >= 0)
				pfd[np++] = (struct pollfd){ .fd = r[i].out, .events = POLLIN };
			if (r[i].err >= 0)
				pfd[np++] = (struct pollfd){ .fd = r[i].err, .events = POLLIN };
		}
		if (np == 0 || left <= 0)
			break;
		if (poll(pfd, np, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		for (i = 0; i < fl->n; i++) {
			struct fleet_host *h = &fl->hosts[i];
			size_t k;

			for (k = 0; k < np; k++) {
				if (pfd[k].revents == 0)
					continue;
				if (pfd[k].fd == r[i].in) {
					ssize_t n = write(r[i].in, r[i].input + r[i].inoff, r[i].inlen - r[i].inoff);

					if (n > 0)
						r[i].inoff += (size_t)n;
					if ((n < 0 && errno != EAGAIN && errno != EINTR) || r[i].inoff == r[i].inlen) {
						close(r[i].in);
						r[i].in = -1;
					}
				} else if (pfd[k].fd == r[i].out && !grow_read(r[i].out, &h->out, &h->outlen, &r[i].outcap)) {
					close(r[i].out);
					r[i].out = -1;
				} else if (pfd[k].fd == r[i].err && !grow_read(r[i].err, &h->err, &h->errlen, &r[i].errcap)) {
					close(r[i].err);
					r[i].err = -1;
				}
			}
		}
	}
	for (i = 0; i < fl->n; i++) {
		struct fleet_host *h = &fl->hosts[i];
		int timed_out = r[i].out >= 0 || r[i].err >= 0;

		if (r[i].pid < 0) {
			if (h->state != FLEET_NOT_RUN)
				failed++;
			continue;
		}
		if (timed_out)
			kill(r[i].pid, SIGKILL);
		h->status = proc_wait(r[i].pid);
		if (r[i].in >= 0)
			close(r[i].in);
		if (r[i].out >= 0)
			close(r[i].out);
		if (r[i].err >= 0)
			close(r[i].err);
		classify(h, timed_out);
		failed += h->state != FLEET_OK;
	}
	signal(SIGPIPE, old_pipe);
	free(r);
	free(pfd);
	return failed;
}

/* fleet_free - release everything */
void fleet_free(struct fleet *fl)
{
	size_t i;

	if (fl == NULL)
		return;
	for (i = 0; i < fl->n; i++) {
		free(fl->hosts[i].out);
		free(fl->hosts[i].err);
	}
	free(fl->hosts);
	fleet_argv_free(fl->ssh);
	fleet_argv_free(fl->remote);
	free(fl);
}

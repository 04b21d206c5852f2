/* fleet_live - one `mqmon stream` per host over ssh, kept live; see fleet_live.h */
#include "core/fleet/fleet_live.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/proc.h"

struct fleet_live {
	struct fleet *fl;
	struct live_host *hosts;
	size_t n;
	struct evloop *loop;
	fleet_live_changed_fn changed;
	void *ctx;
	int dirty;			/* a host's set changed: the merged model is built again */
	time_t now;
};

/* fleet_live_state_name - the state for people */
const char *fleet_live_state_name(enum live_state s)
{
	static const char *const names[LIVE_STATE_COUNT] = { "connecting", "connected", "stale", "MTA stopped",
		"auth failed", "mqmon missing", "too old", "unreachable", "failed" };

	return (unsigned)s < LIVE_STATE_COUNT ? names[s] : "unknown";
}

/* fleet_live_host_fresh - the host's counts are current */
int fleet_live_host_fresh(const struct live_host *h)
{
	return h->state == LIVE_CONNECTED || h->state == LIVE_MTA_STOPPED;
}

/* fleet_live_new - the hosts, the private control directory */
struct fleet_live *fleet_live_new(struct fleet *fl, struct why *why)
{
	struct fleet_live *lv = calloc(1, sizeof *lv);
	char dir[] = "/tmp/mqmon-fleet-XXXXXX";
	size_t i;

	if (lv == NULL || (lv->hosts = calloc(fl->n + 1, sizeof *lv->hosts)) == NULL) {
		free(lv);
		why_set(why, "out of memory");
		return NULL;
	}
	if (mkdtemp(dir) == NULL) {	/* mode 0700 */
		why_errno(why, "fleet: cannot make a private directory for ssh's connection sharing");
		free(lv->hosts);
		free(lv);
		return NULL;
	}
	snprintf(fl->control_dir, sizeof fl->control_dir, "%s", dir);
	lv->fl = fl;
	lv->n = fl->n;
	for (i = 0; i < fl->n; i++) {
		struct live_host *h = &lv->hosts[i];

		h->name = fl->hosts[i].name;
		h->state = LIVE_CONNECTING;
		h->pid = -1;
		h->stdin_fd = h->out = h->err = -1;
		h->backoff = FLEET_BACKOFF_MIN;
		fleet_feed_init(&h->feed);
	}
	return lv;
}

/* host_of - the host whose pipe fd is */
static struct live_host *host_of(struct fleet_live *lv, int fd)
{
	size_t i;

	for (i = 0; i < lv->n; i++)
		if (lv->hosts[i].out == fd || lv->hosts[i].err == fd)
			return &lv->hosts[i];
	return NULL;
}

/* close_fd - stop watching and close one of a host's pipes */
static void close_fd(struct fleet_live *lv, int *fd)
{
	if (*fd < 0)
		return;
	evloop_remove_fd(lv->loop, *fd);
	close(*fd);
	*fd = -1;
}

/* set_state - a new state and problem; changed is told */
static void set_state(struct fleet_live *lv, struct live_host *h, enum live_state st, const char *problem)
{
	if (h->state == st && strcmp(h->problem, problem) == 0)
		return;
	h->state = st;
	snprintf(h->problem, sizeof h->problem, "%s", problem);
	if (lv->changed != NULL)
		lv->changed(lv, lv->ctx);
}

/* schedule - the next try after the back-off (doubling up to the most); the longest for a state that
 * another try cannot mend by itself */
static void schedule(struct live_host *h, time_t now)
{
	if (h->state == LIVE_AUTH || h->state == LIVE_MISSING || h->state == LIVE_TOO_OLD)
		h->backoff = FLEET_BACKOFF_MAX;
	h->next_try = now + h->backoff;
	h->backoff = h->backoff * 2 > FLEET_BACKOFF_MAX ? FLEET_BACKOFF_MAX : h->backoff * 2;
}

/* reap - the ssh ended: its status gives the state (unless the stream said more); 1 reaped, 0 not yet */
static int reap(struct fleet_live *lv, struct live_host *h, int block)
{
	int st, status;
	pid_t r;
	char problem[512];
	enum fleet_state fs;

	if (h->pid < 0)
		return 1;
	while ((r = waitpid(h->pid, &st, block ? 0 : WNOHANG)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return 0;
	h->pid = -1;
	status = r < 0 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
	if (h->state == LIVE_TOO_OLD || h->state == LIVE_FAILED)
		;	/* the stream's own verdict stands */
	else {
		h->errbuf[h->errlen] = '\0';
		fs = fleet_classify(status == 0 ? 255 : status, h->errbuf, problem, sizeof problem);
		if (status == 0 || (fs == FLEET_UNREACHABLE && problem[0] == '\0'))
			snprintf(problem, sizeof problem, "the connection ended");
		if (status == 64 && strstr(h->errbuf, "unknown command 'stream'") != NULL)
			set_state(lv, h, LIVE_TOO_OLD, "the host's mqmon has no stream command: install this mqmon there");
		else
			set_state(lv, h, fs == FLEET_AUTH ? LIVE_AUTH : fs == FLEET_MISSING ? LIVE_MISSING
				  : fs == FLEET_FAILED ? LIVE_FAILED : LIVE_UNREACHABLE, problem);
	}
	schedule(h, lv->now ? lv->now : time(NULL));
	return 1;
}

/* drop - end a host's stream (a protocol error, the console ends): its ssh killed */
static void drop(struct fleet_live *lv, struct live_host *h)
{
	close_fd(lv, &h->out);
	close_fd(lv, &h->err);
	if (h->pid > 0) {
		kill(h->pid, SIGTERM);
		reap(lv, h, 1);
	}
}

/* on_feed - a line's event: the host's state */
static void on_feed(struct fleet_feed *f, enum feed_event ev, void *ctx)
{
	struct live_host *h = ctx;

	(void)f;
	switch (ev) {
	case FEED_BATCH:
		h->state = h->feed.mta_running == 0 ? LIVE_MTA_STOPPED : LIVE_CONNECTED;
		h->problem[0] = '\0';
		if (h->state == LIVE_MTA_STOPPED)
			snprintf(h->problem, sizeof h->problem, "the host's MTA is not running");
		break;
	case FEED_ALIVE:
		if (h->state == LIVE_STALE)
			h->state = h->feed.mta_running == 0 ? LIVE_MTA_STOPPED : LIVE_CONNECTED;
		break;
	case FEED_ERROR:
		snprintf(h->problem, sizeof h->problem, "%s", h->feed.problem);
		break;
	default:
		break;
	}
}

/* on_out - a host's stream has bytes */
static int on_out(struct evloop *loop, int fd, void *ctx)
{
	struct fleet_live *lv = ctx;
	struct live_host *h = host_of(lv, fd);
	char buf[65536];
	ssize_t n;
	int rounds;

	if (h == NULL)
		return -1;
	for (rounds = 0; rounds < 64; rounds++) {	/* a big first model, in pieces: other hosts get their turn */
		enum feed_event ev;

		n = read(fd, buf, sizeof buf);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0) {
			close_fd(lv, &h->out);
			if (h->err < 0)
				reap(lv, h, 0);
			evloop_dirty(loop);
			return 0;
		}
		h->last_line = lv->now ? lv->now : time(NULL);
		ev = fleet_feed_input(&h->feed, buf, (size_t)n, on_feed, h);
		if (ev == FEED_BATCH)
			lv->dirty = 1;
		if (ev == FEED_BAD || ev == FEED_TOO_OLD) {
			set_state(lv, h, ev == FEED_TOO_OLD ? LIVE_TOO_OLD : LIVE_FAILED, h->feed.problem);
			drop(lv, h);
			evloop_dirty(loop);
			return 0;
		}
		if (ev != FEED_NONE) {
			if (h->connected_since == 0)
				h->connected_since = h->last_line;
			if (ev == FEED_ALIVE)
				h->last_heartbeat = h->last_line;
			if (ev == FEED_BATCH)
				h->backoff = FLEET_BACKOFF_MIN;	/* a good connection: the next failure retries soon */
			if (lv->changed != NULL)
				lv->changed(lv, lv->ctx);
			evloop_dirty(loop);
		}
	}
	return 0;
}

/* on_err - what ssh or the remote mqmon says on stderr: the last 2 KB kept */
static int on_err(struct evloop *loop, int fd, void *ctx)
{
	struct fleet_live *lv = ctx;
	struct live_host *h = host_of(lv, fd);
	char buf[4096];
	ssize_t n;

	if (h == NULL)
		return -1;
	n = read(fd, buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		close_fd(lv, &h->err);
		if (h->out < 0)
			reap(lv, h, 0);
		evloop_dirty(loop);
		return 0;
	}
	if ((size_t)n >= sizeof h->errbuf - 1) {
		memcpy(h->errbuf, buf + n - (sizeof h->errbuf - 1), sizeof h->errbuf - 1);
		h->errlen = sizeof h->errbuf - 1;
	} else {
		if (h->errlen + (size_t)n >= sizeof h->errbuf) {
			size_t keep = sizeof h->errbuf - 1 - (size_t)n;

			memmove(h->errbuf, h->errbuf + h->errlen - keep, keep);
			h->errlen = keep;
		}
		memcpy(h->errbuf + h->errlen, buf, (size_t)n);
		h->errlen += (size_t)n;
	}
	h->errbuf[h->errlen] = '\0';
	return 0;
}

/* connect_host - start a host's stream */
static void connect_host(struct fleet_live *lv, struct live_host *h)
{
	char *words[] = { "stream" };
	char **argv = fleet_argv(lv->fl, h->name, words, 1);
	struct why why;

	if (h->stdin_fd >= 0)
		close(h->stdin_fd);
	h->stdin_fd = -1;
	h->errlen = 0;
	h->errbuf[0] = '\0';
	fleet_feed_reset(&h->feed);
	h->reconnects += h->started != 0;
	h->started = lv->now ? lv->now : time(NULL);
	h->connected_since = 0;
	h->last_line = 0;
	if (argv == NULL || (h->pid = proc_spawn(argv, &h->stdin_fd, &h->out, &h->err, &why)) < 0) {
		h->pid = -1;
		h->stdin_fd = h->out = h->err = -1;
		set_state(lv, h, LIVE_UNREACHABLE, argv == NULL ? "out of memory" : why.text);
		fleet_argv_free(argv);
		schedule(h, h->started);
		return;
	}
	fleet_argv_free(argv);
	/* stdin stays open and silent: the remote stream ends when it reaches end of file (the console's end) */
	fcntl(h->out, F_SETFL, O_NONBLOCK);
	fcntl(h->err, F_SETFL, O_NONBLOCK);
	evloop_add_fd(lv->loop, h->out, on_out, lv);
	evloop_add_fd(lv->loop, h->err, on_err, lv);
	/* a host that never answered is connecting; one that did keeps its last state until it answers again */
	if (!h->feed.have_set)
		set_state(lv, h, LIVE_CONNECTING, "");
}

/* fleet_live_start - every host's stream at once */
void fleet_live_start(struct fleet_live *lv, struct evloop *loop, fleet_live_changed_fn changed, void *ctx)
{
	size_t i;

	lv->loop = loop;
	lv->changed = changed;
	lv->ctx = ctx;
	lv->now = time(NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < lv->n; i++)
		connect_host(lv, &lv->hosts[i]);
}

/* fleet_live_tick - stale hosts, ended streams reaped, reconnects that are due */
void fleet_live_tick(struct fleet_live *lv, time_t now)
{
	size_t i;

	lv->now = now;
	for (i = 0; i < lv->n; i++) {
		struct live_host *h = &lv->hosts[i];
		time_t since = h->last_line ? h->last_line : h->started;

		if (h->out < 0 && h->err < 0 && h->pid > 0 && !reap(lv, h, 0))
			continue;
		if (h->out >= 0 && h->feed.hello && now - since >= FLEET_STALE_SECONDS && h->state != LIVE_STALE) {
			char p[100];

			snprintf(p, sizeof p, "no line from the host for %lld s", (long long)(now - since));
			set_state(lv, h, LIVE_STALE, p);
		}
		if (h->pid < 0 && h->out < 0 && h->err < 0 && now >= h->next_try)
			connect_host(lv, h);
	}
}

/* fleet_live_retry_now - the hosts that are not connected: tried again at the next tick */
void fleet_live_retry_now(struct fleet_live *lv)
{
	size_t i;

	for (i = 0; i < lv->n; i++) {
		lv->hosts[i].next_try = 0;
		lv->hosts[i].backoff = FLEET_BACKOFF_MIN;
	}
}

/* fleet_live_model - the merged model when a host's set changed */
struct qmodel *fleet_live_model(struct fleet_live *lv, time_t now)
{
	struct fleet_feed **feeds;
	const char **names;
	struct qmodel *m = NULL;
	size_t i;

	if (!lv->dirty)
		return NULL;
	feeds = calloc(lv->n + 1, sizeof *feeds);
	names = calloc(lv->n + 1, sizeof *names);
	if (feeds != NULL && names != NULL) {
		for (i = 0; i < lv->n; i++) {
			feeds[i] = &lv->hosts[i].feed;
			names[i] = lv->hosts[i].name;
		}
		if ((m = fleet_feed_merge(feeds, names, lv->n, now)) != NULL)
			lv->dirty = 0;
	}
	free(feeds);
	free(names);
	return m;
}

/* fleet_live_ready - every host sent its first set or is known not to */
int fleet_live_ready(const struct fleet_live *lv)
{
	size_t i;

	for (i = 0; i < lv->n; i++)
		if (!lv->hosts[i].feed.have_set && lv->hosts[i].state == LIVE_CONNECTING)
			return 0;
	return 1;
}

/* fleet_live_hosts - the hosts */
const struct live_host *fleet_live_hosts(const struct fleet_live *lv, size_t *n)
{
	*n = lv->n;
	return lv->hosts;
}

/* fleet_live_fleet - the fleet */
struct fleet *fleet_live_fleet(struct fleet_live *lv)
{
	return lv->fl;
}

/* remove_dir - the control directory and the sockets in it */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

/* fleet_live_free - every stream ended, the control directory removed */
void fleet_live_free(struct fleet_live *lv)
{
	size_t i;

	if (lv == NULL)
		return;
	lv->changed = NULL;	/* the console is ending: nobody to tell */
	for (i = 0; i < lv->n; i++) {
		struct live_host *h = &lv->hosts[i];

		if (h->stdin_fd >= 0)
			close(h->stdin_fd);	/* the remote stream sees end of file */
		h->stdin_fd = -1;
		drop(lv, h);
		fleet_feed_free(&h->feed);
	}
	remove_dir(lv->fl->control_dir);
	lv->fl->control_dir[0] = '\0';
	free(lv->hosts);
	free(lv);
}

/* stream - the queue model as JSON lines, kept current; see stream.h */
#include "core/queue/stream.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "core/base/idset.h"
#include "core/base/strmap.h"
#include "core/queue/snapshot.h"

struct stream_state {
	struct strmap sent;	/* queue ID -> hash of the message text last sent */
	int started;		/* a full batch went out */
};

/* stream_state_new - nothing sent yet */
struct stream_state *stream_state_new(void)
{
	return calloc(1, sizeof(struct stream_state));
}

/* stream_state_free - release it (NULL-safe) */
void stream_state_free(struct stream_state *st)
{
	if (st == NULL)
		return;
	strmap_clear(&st->sent);
	free(st);
}

/* put_line - one JSON value as a line; bytes written, -1 on a write error */
static long put_line(json_t *o, FILE *fp)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	long n;

	json_decref(o);
	if (text == NULL)
		return -1;
	n = fprintf(fp, "%s\n", text);
	free(text);
	return n < 0 ? -1 : n;
}

/* stream_emit_hello - the version line */
int stream_emit_hello(FILE *fp, const char *version, const char *mta, const char *host, const char *config_dir)
{
	if (put_line(json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "type", "hello", "protocol", STREAM_PROTOCOL,
			       "version", version, "mta", mta, "host", host, "config_dir", config_dir), fp) < 0
	    || fflush(fp) != 0)
		return -1;
	return 0;
}

/* message_line - {"type":"message","message":TEXT} as a line; bytes, -1 on a write error */
static long message_line(const char *text, FILE *fp)
{
	int n = fprintf(fp, "{\"type\":\"message\",\"message\":%s}\n", text);

	return n < 0 ? -1 : n;
}

/* stream_emit_model - one begin..end batch: all messages, or the changed and removed ones */
long stream_emit_model(struct stream_state *st, const struct qmodel *m, int full, FILE *fp)
{
	struct strmap now = { 0 };
	char **texts = calloc(m->n + 1, sizeof *texts);
	size_t i, changed = 0, removed = 0;
	long long ignored;
	long total = 0, n;
	char *totals = NULL;
	int rc = -1;

	if (texts == NULL)
		return -1;
	for (i = 0; i < m->n; i++) {
		long long old;

		if ((texts[i] = snapshot_message_text(m, m->msgs[i])) == NULL
		    || strmap_put(&now, m->msgs[i]->id, (long long)idset_hash(texts[i])) < 0)
			goto out;
		if (!strmap_get(&st->sent, m->msgs[i]->id, &old) || old != (long long)idset_hash(texts[i]))
			changed++;
		else {
			free(texts[i]);	/* unchanged: not sent */
			texts[i] = NULL;
		}
	}
	for (i = 0; st->sent.slots != NULL && i <= st->sent.mask; i++)
		if (st->sent.slots[i].hash != 0 && !strmap_get(&now, st->sent.slots[i].key, &ignored))
			removed++;
	if (!st->started || changed + removed >= m->n)
		full = 1;
	if (!full && changed == 0 && removed == 0) {
		rc = 0;
		goto out;
	}
	if ((n = put_line(json_pack("{s:s, s:b, s:I, s:s, s:o}", "type", "begin", "full", full,
				    "generated_at", (json_int_t)m->generated_at, "source", m->source ? m->source : "",
				    "mta_running", m->mta_running == MTA_UNKNOWN ? json_null()
				    : json_boolean(m->mta_running == MTA_RUNNING)), fp)) < 0)
		goto out;
	total += n;
	for (i = 0; i < m->n; i++) {
		if (texts[i] == NULL && full && (texts[i] = snapshot_message_text(m, m->msgs[i])) == NULL)
			goto out;
		if (texts[i] != NULL && (n = message_line(texts[i], fp)) < 0)
			goto out;
		total += texts[i] != NULL ? n : 0;
	}
	for (i = 0; !full && i <= st->sent.mask && st->sent.slots != NULL; i++)
		if (st->sent.slots[i].hash != 0 && !strmap_get(&now, st->sent.slots[i].key, &ignored)) {
			if ((n = put_line(json_pack("{s:s, s:s}", "type", "removed", "queue_id",
						    st->sent.slots[i].key), fp)) < 0)
				goto out;
			total += n;
		}
	if ((totals = snapshot_totals_text(m)) == NULL
	    || (n = fprintf(fp, "{\"type\":\"end\",\"generated_at\":%lld,\"messages\":%zu,\"totals\":%s}\n",
			    (long long)m->generated_at, m->n, totals)) < 0
	    || fflush(fp) != 0)
		goto out;
	total += n;
	strmap_clear(&st->sent);
	st->sent = now;
	memset(&now, 0, sizeof now);
	st->started = 1;
	rc = 0;
out:
	for (i = 0; i < m->n; i++)
		free(texts[i]);
	free(texts);
	free(totals);
	strmap_clear(&now);
	return rc < 0 ? -1 : total;
}

/* the signal that ends stream_run (0: none yet) */
static volatile sig_atomic_t stop_signal;

/* on_stop - remember the signal; poll() returns with EINTR */
static void on_stop(int signo)
{
	stop_signal = signo;
}

/* what stream_run watches */
struct watches {
	int ifd;
	int log_wd;			/* the log's directory, -1 when none */
	char log_name[NAME_MAX + 1];	/* the log file's name in it */
	struct { int wd; char path[PATH_MAX]; } *dirs;	/* queue directories */
	size_t ndirs;
};

/* watch_tree - inotify on a queue directory and (depth) its hashed subdirectories; how many watches */
static int watch_tree(struct watches *w, const char *path, int depth)
{
	int n = 0, wd;
	DIR *d;
	struct dirent *e;
	void *v;

	wd = inotify_add_watch(w->ifd, path, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB
			       | IN_ONLYDIR);
	if (wd < 0 || (v = realloc(w->dirs, (w->ndirs + 1) * sizeof *w->dirs)) == NULL)
		return 0;
	w->dirs = v;
	w->dirs[w->ndirs].wd = wd;
	snprintf(w->dirs[w->ndirs].path, sizeof w->dirs[0].path, "%s", path);
	w->ndirs++;
	n++;
	if (depth > 0 && (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			char sub[PATH_MAX];

			if (e->d_name[0] == '.' || e->d_type != DT_DIR)
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			n += watch_tree(w, sub, depth - 1);
		}
		closedir(d);
	}
	return n;
}

/* setup_watches - the queue directories (when readable) and the log's directory; how many watches */
static int setup_watches(struct watches *w, const struct mta_params *p, const char *log)
{
	const struct mta_watch *mw;
	char path[PATH_MAX + 32];
	int n = 0;

	w->log_wd = -1;
	if ((w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return 0;
	if (p->spool_readable && p->backend != NULL && p->backend->watch != NULL)
		for (mw = p->backend->watch; mw->dir != NULL; mw++) {
			snprintf(path, sizeof path, "%s/%s", p->queue_dir, mw->dir);
			n += watch_tree(w, path, mw->depth);
		}
	if (log != NULL && *log) {
		const char *slash = strrchr(log, '/');

		snprintf(path, sizeof path, "%.*s", slash == NULL ? 1 : slash == log ? 1 : (int)(slash - log),
			 slash == NULL ? "." : log);
		snprintf(w->log_name, sizeof w->log_name, "%.255s", slash == NULL ? log : slash + 1);
		w->log_wd = inotify_add_watch(w->ifd, path, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
		n += w->log_wd >= 0;
	}
	return n;
}

/* read_events - 1 when an event says the queue or the log changed; new hash directories get watches */
static int read_events(struct watches *w)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	int changed = 0;

	while ((n = read(w->ifd, buf, sizeof buf)) > 0) {
		char *p = buf;

		while (p < buf + n) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			size_t i;

			p += sizeof *ev + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				changed = 1;
				continue;
			}
			if (ev->wd == w->log_wd) {
				changed |= ev->len > 0 && strcmp(ev->name, w->log_name) == 0;
				continue;
			}
			for (i = 0; i < w->ndirs; i++)
				if (w->dirs[i].wd == ev->wd) {
					if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) && ev->len > 0) {
						char sub[PATH_MAX + NAME_MAX + 2];

						snprintf(sub, sizeof sub, "%s/%s", w->dirs[i].path, ev->name);
						watch_tree(w, sub, 1);
					}
					changed = 1;
					break;
				}
		}
	}
	return changed;
}

/* now_ms - monotonic milliseconds */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* build - a model now; NULL with why; *ms gets the build time */
static struct qmodel *build(const struct stream_options *opt, long long *ms, struct why *why)
{
	long long t0 = now_ms();
	struct qmodel *m = qsource_build(&opt->source, NULL, why, NULL);

	*ms = now_ms() - t0;
	return m;
}

/* stdin_closed - standard input (the ssh channel) reached end of file or hung up */
static int stdin_closed(short revents)
{
	char buf[512];
	ssize_t n;

	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return 0;
	n = read(STDIN_FILENO, buf, sizeof buf);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

/* stream_run - hello, the full model, then changes and heartbeats until the reader goes away */
int stream_run(const struct stream_options *opt, FILE *fp, struct why *why)
{
	struct stream_state *st = stream_state_new();
	struct watches w = { .ifd = -1, .log_wd = -1 };
	struct sigaction sa = { .sa_handler = on_stop };
	long long build_ms = 0, last_build, last_write;
	int pending = 0, rc = 0, nwatch;
	struct qmodel *m;
	char host[256] = "";
	const char *log;

	if (st == NULL)
		return why_set(why, "out of memory");
	if ((m = build(opt, &build_ms, why)) == NULL) {
		stream_state_free(st);
		return -1;
	}
	snprintf(host, sizeof host, "%s", m->params.myhostname);
	if (host[0] == '\0')
		gethostname(host, sizeof host - 1);
	if (stream_emit_hello(fp, opt->version, m->params.backend ? m->params.backend->name : "unknown", host,
			      m->params.config_dir) < 0 || stream_emit_model(st, m, 1, fp) < 0 || opt->once)
		goto done;
	log = opt->source.nlogs > 0 ? opt->source.logs[0] : opt->source.use_log ? qsource_default_log(&m->params)
		: NULL;
	nwatch = setup_watches(&w, &m->params, log);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	last_build = last_write = now_ms();
	while (!stop_signal) {
		struct pollfd pfd[2] = { { .fd = w.ifd, .events = POLLIN }, { .fd = -1, .events = POLLIN } };
		long long t, gap;

		if (opt->watch_stdin)
			pfd[1].fd = STDIN_FILENO;
		if (poll(pfd, 2, 1000) < 0 && errno != EINTR) {
			rc = why_errno(why, "poll");
			break;
		}
		if (pfd[1].fd >= 0 && stdin_closed(pfd[1].revents))
			break;
		if (w.ifd >= 0 && (pfd[0].revents & POLLIN) && read_events(&w))
			pending = 1;
		t = now_ms();
		gap = build_ms * 2 > STREAM_MIN_INTERVAL * 1000 ? build_ms * 2 : STREAM_MIN_INTERVAL * 1000;
		if (nwatch == 0 && t - last_build >= (long long)opt->refresh * 1000)
			pending = 1;
		if (pending && t - last_build >= gap) {
			struct qmodel *next;
			struct why bwhy;
			long n;

			pending = 0;
			last_build = t;
			if ((next = build(opt, &build_ms, &bwhy)) == NULL) {
				if (put_line(json_pack("{s:s, s:s}", "type", "error", "error", bwhy.text), fp) < 0
				    || fflush(fp) != 0)
					break;
				last_write = t;
				continue;
			}
			qmodel_free(m);
			m = next;
			if ((n = stream_emit_model(st, m, 0, fp)) < 0)
				break;
			if (n > 0)
				last_write = now_ms();
		}
		if (now_ms() - last_write >= STREAM_HEARTBEAT * 1000) {
			if (put_line(json_pack("{s:s, s:I}", "type", "heartbeat", "time", (json_int_t)time(NULL)), fp) < 0
			    || fflush(fp) != 0)
				break;	/* the reader went away */
			last_write = now_ms();
		}
	}
done:
	qmodel_free(m);
	stream_state_free(st);
	if (w.ifd >= 0)
		close(w.ifd);
	free(w.dirs);
	return rc;
}

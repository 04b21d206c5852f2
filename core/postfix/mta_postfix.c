/* mta_postfix - the Postfix backend: postconf, postqueue -j, the spool
 *
 * Parameters come from `postconf -c DIR -h` (never from parsing main.cf
 * ourselves, so defaults and $name expansion are Postfix's own). A snapshot
 * lists the queue with `postqueue -c DIR -j`, streamed and parsed line by
 * line with jansson (unknown members ignored, a message listed twice kept
 * once); when the queue directory is readable (root), the deferred files'
 * mtimes give the exact next retry times.
 */
#include "core/postfix/mta_postfix.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/postfix/deferlog.h"
#include "core/base/duration.h"
#include "core/base/idset.h"
#include "core/base/linereader.h"
#include "core/base/proc.h"
#include "core/postfix/postfix_log.h"
#include "core/postfix/postfix_throttle.h"
#include "core/postfix/qfile.h"
#include "core/postfix/queue_id.h"
#include "core/queue/qcache.h"
#include "core/queue/qmodel.h"

/* postfix_time - a Postfix time parameter in seconds, capped at DURATION_MAX (so arithmetic with it
 * cannot overflow); -1 when invalid */
static long postfix_time(const char *value, long default_unit)
{
	long n = duration_parse(value, default_unit);

	return n == DURATION_TOO_LONG ? DURATION_MAX : n;
}

/* postfix_detect - postconf exists and DIR has a main.cf */
static int postfix_detect(const char *config_dir)
{
	char path[PATH_MAX + 16], buf[4096];

	snprintf(path, sizeof path, "%s/main.cf", config_dir);
	return access(path, R_OK) == 0 && proc_find("postconf", buf, sizeof buf) != NULL;
}

/* first_line - copy the first line of s into dst; returns the rest */
static const char *take_line(const char *s, char *dst, size_t dstsz)
{
	size_t n = strcspn(s, "\n");

	snprintf(dst, dstsz, "%.*s", (int)n, s);
	return s[n] ? s + n + 1 : s + n;
}

/* postfix_load_params - postconf -c DIR -h NAME...; -1 with why */
static int postfix_load_params(const char *config_dir, const char *binary, struct mta_params *p, struct why *why)
{
	static const char *const names[] = {
		"queue_directory", "queue_run_delay", "minimal_backoff_time", "maximal_backoff_time",
		"maximal_queue_lifetime", "bounce_queue_lifetime", "mail_version", "maillog_file",
		"myhostname",
	};
	char *argv[4 + sizeof names / sizeof names[0] + 1];
	char vals[sizeof names / sizeof names[0]][PATH_MAX];
	struct proc_result res;
	const char *s;
	size_t i, argc = 0;
	DIR *d;

	memset(p, 0, sizeof *p);
	p->backend = &mta_postfix;
	snprintf(p->config_dir, sizeof p->config_dir, "%s", config_dir);
	argv[argc++] = "postconf";
	argv[argc++] = "-c";
	argv[argc++] = p->config_dir;
	argv[argc++] = "-h";
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		argv[argc++] = (char *)names[i];
	argv[argc] = NULL;
	if (proc_run(argv, NULL, 0, &res, why) < 0)
		return -1;
	if (res.status != 0) {
		size_t n = res.errlen ? strcspn(res.err, "\n") : 0;	/* its first line, at most 300 bytes */

		why_set(why, "postconf -c %s failed (exit %d): %.*s", config_dir, res.status,
			n == 0 ? 10 : n > 300 ? 300 : (int)n, n ? res.err : "no message");
		proc_result_free(&res);
		return -1;
	}
	s = res.out;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		s = take_line(s, vals[i], sizeof vals[i]);
	proc_result_free(&res);
	snprintf(p->queue_dir, sizeof p->queue_dir, "%s", vals[0]);
	p->queue_run_delay = postfix_time(vals[1], 1);
	p->min_backoff = postfix_time(vals[2], 1);
	p->max_backoff = postfix_time(vals[3], 1);
	p->max_queue_lifetime = postfix_time(vals[4], 86400);
	p->bounce_queue_lifetime = postfix_time(vals[5], 86400);
	snprintf(p->mail_version, sizeof p->mail_version, "%.31s", vals[6]);
	snprintf(p->maillog_file, sizeof p->maillog_file, "%s", vals[7]);
	snprintf(p->myhostname, sizeof p->myhostname, "%.255s", vals[8]);
	if (p->queue_dir[0] == '\0' || p->queue_run_delay < 0 || p->min_backoff < 0
	    || p->max_backoff < 0 || p->max_queue_lifetime < 0 || p->bounce_queue_lifetime < 0)
		return why_set(why, "postconf -c %s: unexpected parameter values", config_dir);
	{
		char dpath[PATH_MAX + 16];

		snprintf(dpath, sizeof dpath, "%s/deferred", p->queue_dir);
		if ((d = opendir(dpath)) != NULL) {
			p->spool_readable = 1;
			closedir(d);
		}
	}
	return 0;
}

/* add_listing_line - one postqueue -j JSON object into the model; -1 when malformed */
static int add_listing_line(struct qmodel *m, const char *line, size_t len)
{
	json_error_t err;
	json_t *o = json_loadb(line, len, 0, &err), *rcpts, *r;
	const char *id, *queue, *sender;
	struct qmsg *msg;
	size_t i;
	int rc = -1;

	if (o == NULL || !json_is_object(o))
		goto out;
	id = json_string_value(json_object_get(o, "queue_id"));
	queue = json_string_value(json_object_get(o, "queue_name"));
	sender = json_string_value(json_object_get(o, "sender"));
	rcpts = json_object_get(o, "recipients");
	if (id == NULL || queue == NULL)
		goto out;
	if (qmodel_find(m, id) != NULL) {
		rc = 0;		/* listed twice while moving between queues */
		goto out;
	}
	if (sender != NULL && strcmp(sender, "MAILER-DAEMON") == 0)
		sender = "";	/* showq's name for the null sender */
	msg = qmodel_add(m, id, queue_name_from(queue), sender,
			 (time_t)json_integer_value(json_object_get(o, "arrival_time")),
			 (long)json_integer_value(json_object_get(o, "message_size")),
			 json_is_true(json_object_get(o, "forced_expire")));
	if (msg == NULL)
		goto out;
	json_array_foreach(rcpts, i, r) {
		const char *addr = json_string_value(json_object_get(r, "address"));
		const char *why = json_string_value(json_object_get(r, "delay_reason"));

		if (addr != NULL)
			qmodel_add_rcpt(m, msg, addr, why, why ? strlen(why) : 0, NULL);
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

/* snapshot_listing - postqueue -c DIR -j, streamed */
static int snapshot_listing(const struct mta_params *p, struct qmodel *m, struct why *why)
{
	char *argv[] = { "postqueue", "-c", (char *)p->config_dir, "-j", NULL };
	struct linereader lr;
	const char *line;
	size_t len;
	unsigned long bad = 0;
	int fd, errfd, rc, st;
	pid_t pid;

	if ((errfd = memfd_create("postqueue-stderr", MFD_CLOEXEC)) < 0)
		return why_errno(why, "memfd_create");
	if ((fd = proc_open(argv, errfd, &pid, why)) < 0) {
		close(errfd);
		return -1;
	}
	if (linereader_init(&lr, fd, 0) < 0) {
		close(fd);
		close(errfd);
		proc_wait(pid);
		return why_set(why, "out of memory");
	}
	while ((rc = linereader_next(&lr, &line, &len)) > 0)
		if (len > 0 && add_listing_line(m, line, len) < 0)
			bad++;
	if (rc == 0 && linereader_flush(&lr, &line, &len) > 0 && add_listing_line(m, line, len) < 0)
		bad++;	/* a truncated last object */
	linereader_free(&lr);
	close(fd);
	st = proc_wait(pid);
	if (st != 0) {
		char msg[1024] = "", *fatal;
		ssize_t n = pread(errfd, msg, sizeof msg - 1, 0);
		int down;

		if (n > 0)
			msg[n] = '\0';
		/* postqueue's own verdict when the master is not running (its pid file may be root's) */
		down = strstr(msg, "mail system is down") != NULL;
		/* the fatal line says why (warnings may come first) */
		if ((fatal = strstr(msg, "fatal:")) == NULL)
			fatal = msg;
		while (fatal > msg && fatal[-1] != '\n')
			fatal--;
		fatal[strcspn(fatal, "\n")] = '\0';
		close(errfd);
		why_set(why, "postqueue -c %s -j failed (exit %d): %s", p->config_dir, st, fatal[0] ? fatal : "no message");
		return down ? MTA_SNAPSHOT_STOPPED : -1;
	}
	close(errfd);
	if (bad > 0 && m->n == 0)
		return why_set(why, "postqueue -j: %lu lines of unexpected output", bad);
	m->source = "postqueue";
	return 0;
}

/* walk_mtimes - record the mtime of every queue file below dirfd (hashed subdirectories too) */
static void walk_mtimes(struct qmodel *m, int dirfd, int depth)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;

	if (d == NULL) {
		close(dirfd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat sb;
		struct qmsg *msg;

		if (e->d_name[0] == '.')
			continue;
		if (fstatat(dirfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;	/* moved or delivered meanwhile */
		if (S_ISDIR(sb.st_mode)) {
			int sub;

			if (depth < 3 && (sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
				walk_mtimes(m, sub, depth + 1);
			continue;
		}
		if (S_ISREG(sb.st_mode) && (msg = qmodel_find(m, e->d_name)) != NULL)
			msg->exact_retry = sb.st_mtime;
	}
	closedir(d);
}

/* Spool snapshot: queue files read directly, reasons from the defer logs. */
struct defer_entry {
	char *recipient, *status, *reason;
};

struct defer_list {
	struct defer_entry v[64];
	size_t n;
};

/* collect_defer - keep one recipient's latest failure */
static int collect_defer(void *ctx, const char *recipient, const char *status, const char *reason)
{
	struct defer_list *l = ctx;

	if (l->n == sizeof l->v / sizeof l->v[0])
		return 1;
	l->v[l->n].recipient = strdup(recipient);
	l->v[l->n].status = strdup(status);
	l->v[l->n].reason = strdup(reason);
	l->n++;
	return 0;
}

/* defer_list_free - release the collected entries */
static void defer_list_free(struct defer_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].recipient);
		free(l->v[i].status);
		free(l->v[i].reason);
	}
	l->n = 0;
}

/* read_defer_any - the defer log of a held message: its hash directory is not known, try each */
static void read_defer_any(int deferfd, const char *id, struct defer_list *l)
{
	char sub[2] = { id[0], '\0' };
	int fd;
	DIR *d;
	struct dirent *e;

	if ((fd = openat(deferfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		int rc = deferlog_read(fd, id, collect_defer, l, NULL);

		close(fd);
		if (rc == 0)
			return;
	}
	if ((fd = openat(deferfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		int sfd;

		if (e->d_name[0] == '.' || strcmp(e->d_name, sub) == 0)
			continue;
		if ((sfd = openat(deferfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;
		if (deferlog_read(sfd, id, collect_defer, l, NULL) == 0) {
			close(sfd);
			break;
		}
		close(sfd);
	}
	closedir(d);
}

/* locate_defer_any - where read_defer_any finds a held message's defer log, by name only: its hash
 * directory into sub (id[0] when there is none) and its status; 1 found, 0 not */
static int locate_defer_any(int deferfd, const char *id, char *sub, size_t subsz, struct stat *st)
{
	char path[300];
	DIR *d;
	struct dirent *e;
	int fd, found = 0;

	snprintf(sub, subsz, "%c", id[0]);
	snprintf(path, sizeof path, "%s/%s", sub, id);
	if (fstatat(deferfd, path, st, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	if ((fd = openat(deferfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (!found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, sub) == 0 || strlen(e->d_name) > 64)
			continue;
		snprintf(path, sizeof path, "%s/%s", e->d_name, id);
		if (fstatat(deferfd, path, st, AT_SYMLINK_NOFOLLOW) == 0) {
			snprintf(sub, subsz, "%s", e->d_name);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

/* a queue file a verifying walk reads once it is done: its directory and defer directory below the
 * queue directory ("" when none), its name and queue */
struct later_file {
	char rel[64], drel[64], name[64];
	enum queue_name queue;
};

/* a spool walk: the model, the cache (NULL: none), queue_dir/defer (-1: none), and while the cache
 * verifies a preloaded model the files to read afterwards */
struct spool_walk {
	struct qmodel *m;
	struct qcache *cache;
	int deferfd;
	struct later_file *later;
	size_t nlater, caplater;
};

/* cache_replay - with a cache: the queue file's identity (and its defer log's), and when the cache holds
 * them its calls replayed (1); else the record begun (0), or -1 when the file is gone */
static int cache_replay(const struct spool_walk *w, int dirfd, const char *name, enum queue_name queue,
			int defer_subfd, int dirh, int cdirh)
{
	struct stat st, cst;
	struct qcache_stat file, companion = { 0 };
	int cdir = -1;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;	/* moved or delivered meanwhile */
	if (!S_ISREG(st.st_mode))
		return 0;	/* qfile_read decides (and nothing is recorded) */
	qcache_stat_of(&file, &st);
	if (queue == QUEUE_DEFERRED && defer_subfd >= 0) {
		cdir = cdirh;
		if (fstatat(defer_subfd, name, &cst, AT_SYMLINK_NOFOLLOW) == 0)
			qcache_stat_of(&companion, &cst);
	} else if (queue == QUEUE_HOLD && w->deferfd >= 0) {
		char sub[80], rel[100];

		if (locate_defer_any(w->deferfd, name, sub, sizeof sub, &cst))
			qcache_stat_of(&companion, &cst);
		snprintf(rel, sizeof rel, "defer/%s", sub);
		cdir = qcache_dir(w->cache, rel);
	}
	if (qcache_replay(w->cache, w->m, dirh, name, &file, cdir, &companion))
		return 1;
	if (!qcache_preloaded(w->cache))
		qcache_begin(w->cache, dirh, name, &file, cdir, &companion);
	return 0;
}

/* verify_file - a verifying walk met a queue file: kept when the cache holds it as it is, else noted to
 * be read once the walk is done */
static void verify_file(struct spool_walk *w, int dirfd, const char *name, enum queue_name queue,
			int defer_subfd, int dirh, int cdirh, const char *rel, const char *drel)
{
	struct later_file *f;

	if (!postfix_id_valid(name, strlen(name)) || cache_replay(w, dirfd, name, queue, defer_subfd, dirh, cdirh) != 0)
		return;		/* kept, or gone meanwhile */
	if (strlen(rel) >= sizeof f->rel || strlen(drel) >= sizeof f->drel || strlen(name) >= sizeof f->name)
		return;
	if (w->nlater == w->caplater) {
		size_t cap = w->caplater ? w->caplater * 2 : 256;
		struct later_file *v = realloc(w->later, cap * sizeof *v);

		if (v == NULL)
			return;
		w->later = v;
		w->caplater = cap;
	}
	f = &w->later[w->nlater++];
	snprintf(f->rel, sizeof f->rel, "%s", rel);
	snprintf(f->drel, sizeof f->drel, "%s", defer_subfd >= 0 ? drel : "");
	snprintf(f->name, sizeof f->name, "%s", name);
	f->queue = queue;
}

/* add_spool_message - one queue file (and its defer log) into the model (replayed from the cache when it
 * holds the file as it is; dirh, cdirh: the cache's handles of its directory and its defer directory) */
static void add_spool_message(const struct spool_walk *w, int dirfd, const char *name, enum queue_name queue,
			      int defer_subfd, int dirh, int cdirh)
{
	struct qmodel *m = w->m;
	struct qcache *qc = w->cache;
	struct qfile_info info;
	struct defer_list dl = { .n = 0 };
	struct qmsg *msg;
	size_t i, k;

	if (!postfix_id_valid(name, strlen(name)) || qmodel_find(m, name) != NULL)
		return;
	if (qc != NULL) {
		int rc = cache_replay(w, dirfd, name, queue, defer_subfd, dirh, cdirh);

		if (rc != 0)
			return;
	}
	if (qfile_read(dirfd, name, &info, NULL) < 0) {
		qcache_begin(qc, -1, name, NULL, -1, NULL);	/* nothing recorded */
		return;		/* gone meanwhile, being written, or corrupt: showq skips it too */
	}
	msg = qcache_add(qc, m, name, queue, info.sender, info.arrival, info.message_size, info.forced_expire);
	if (msg == NULL) {
		qcache_end(qc);
		qfile_info_free(&info);
		return;
	}
	if (queue == QUEUE_DEFERRED)
		qcache_exact_retry(qc, msg, info.mtime);
	if (defer_subfd >= 0)
		deferlog_read(defer_subfd, name, collect_defer, &dl, NULL);
	else if (queue == QUEUE_HOLD && w->deferfd >= 0)
		read_defer_any(w->deferfd, name, &dl);
	for (i = 0; i < info.nrcpts; i++) {
		const char *addr = info.rcpts[i].address, *reason = NULL, *status = NULL;

		for (k = 0; k < dl.n; k++)
			if (strcmp(dl.v[k].recipient, addr) == 0) {
				reason = dl.v[k].reason;
				status = dl.v[k].status;
				break;
			}
		qcache_add_rcpt(qc, m, msg, addr, reason, reason ? strlen(reason) : 0, status, STAGE_UNKNOWN);
	}
	qcache_end(qc);
	defer_list_free(&dl);
	qfile_info_free(&info);
}

/* walk_queue - every queue file below dirfd; hashed queues recurse one level per depth; rel: dirfd's
 * path below the queue directory, drel: defer_subfd's ("" when none) */
static void walk_queue(struct spool_walk *w, int dirfd, enum queue_name queue, int depth, int defer_subfd,
		       const char *rel, const char *drel)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;
	int dirh = -1, cdirh = -1;

	if (d == NULL) {
		close(dirfd);
		return;
	}
	if (w->cache != NULL) {
		dirh = qcache_dir(w->cache, rel);
		if (defer_subfd >= 0)
			cdirh = qcache_dir(w->cache, drel);
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN && postfix_id_valid(e->d_name, strlen(e->d_name)) == 0)) {
			char srel[PATH_MAX], sdrel[PATH_MAX];
			int sub, dsub = -1;

			if (depth <= 0 || (sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
				continue;
			if (defer_subfd >= 0)
				dsub = openat(defer_subfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			snprintf(srel, sizeof srel, "%.2000s/%.255s", rel, e->d_name);
			snprintf(sdrel, sizeof sdrel, "%.2000s/%.255s", drel, e->d_name);
			walk_queue(w, sub, queue, depth - 1, dsub, srel, sdrel);
			if (dsub >= 0)
				close(dsub);
			continue;
		}
		if (qcache_preloaded(w->cache))
			verify_file(w, dirfd, e->d_name, queue, defer_subfd, dirh, cdirh, rel, drel);
		else
			add_spool_message(w, dirfd, e->d_name, queue, defer_subfd, dirh, cdirh);
	}
	closedir(d);
}

/* read_later - after a verifying walk: the preloaded messages of changed and vanished files forgotten
 * (the partial models that share them taken back first), then the changed and new files read */
static void read_later(struct spool_walk *w, int qfd)
{
	char open_rel[64] = "", open_drel[64] = "";
	int dirfd = -1, dsub = -1, dirh = -1, cdirh = -1;
	size_t i;

	qmodel_reclaim(w->m);
	qcache_forget_stale(w->cache, w->m);
	for (i = 0; i < w->nlater; i++) {
		const struct later_file *f = &w->later[i];

		if (strcmp(f->rel, open_rel) != 0 || strcmp(f->drel, open_drel) != 0) {
			if (dirfd >= 0)
				close(dirfd);
			if (dsub >= 0)
				close(dsub);
			dirfd = openat(qfd, f->rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			dsub = f->drel[0] ? openat(qfd, f->drel, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
			dirh = qcache_dir(w->cache, f->rel);
			cdirh = f->drel[0] ? qcache_dir(w->cache, f->drel) : -1;
			snprintf(open_rel, sizeof open_rel, "%s", f->rel);
			snprintf(open_drel, sizeof open_drel, "%s", f->drel);
		}
		if (dirfd >= 0)
			add_spool_message(w, dirfd, f->name, f->queue, dsub, dirh, cdirh);
	}
	if (dirfd >= 0)
		close(dirfd);
	if (dsub >= 0)
		close(dsub);
	free(w->later);
	w->later = NULL;
	w->nlater = w->caplater = 0;
}

/* estimate_files - about how many queue files are below dirfd (depth levels of hash directories): the
 * files of the first non-empty hash directory times the number of hash directories; names only, no
 * stat, so about 1/16 of a full listing of the names */
static size_t estimate_files(int dirfd, int depth)
{
	DIR *d;
	struct dirent *e;
	size_t files = 0, dirs = 0, sample = 0;
	int fd, sampled = 0;

	if ((fd = dup(dirfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_DIR && depth > 0) {
			dirs++;
			if (!sampled) {
				int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

				if (sub >= 0) {
					sample = estimate_files(sub, depth - 1);
					sampled = sample > 0;
					close(sub);
				}
			}
		} else {
			files++;
		}
	}
	closedir(d);
	return files + sample * dirs;
}

/* snapshot_spool - read the queue directories directly (root): faster than postqueue -j; with a cache,
 * only the files it does not hold as they are */
static int snapshot_spool(const struct mta_params *p, struct qmodel *m, struct qcache *cache, struct why *why)
{
	static const struct { const char *dir; enum queue_name q; int depth; } queues[] = {
		{ "active", QUEUE_ACTIVE, 2 }, { "incoming", QUEUE_INCOMING, 2 },
		{ "deferred", QUEUE_DEFERRED, 2 }, { "hold", QUEUE_HOLD, 2 },
		{ "maildrop", QUEUE_MAILDROP, 0 },	/* local submissions pickup has not taken yet */
	};
	struct spool_walk w = { .m = m, .cache = cache };
	int qfd, deferfd;
	size_t i;

	if ((qfd = open(p->queue_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return why_errno(why, "cannot open queue directory %s", p->queue_dir);
	deferfd = openat(qfd, "defer", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	w.deferfd = deferfd;
	m->expected = cache != NULL ? qcache_loaded(cache) : 0;
	for (i = 0; m->progress != NULL && m->expected == 0 && i < sizeof queues / sizeof queues[0]; i++) {
		/* the progress line's "of ~N" (only when someone watches the progress) */
		int fd = openat(qfd, queues[i].dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd >= 0) {
			m->expected += estimate_files(fd, queues[i].depth);
			close(fd);
		}
	}
	for (i = 0; i < sizeof queues / sizeof queues[0]; i++) {
		int fd = openat(qfd, queues[i].dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), dsub = -1;

		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			why_errno(why, "cannot open %s/%s", p->queue_dir, queues[i].dir);
			free(w.later);
			if (deferfd >= 0)
				close(deferfd);
			close(qfd);
			return -1;
		}
		/* deferred/X/ID has its reasons in defer/X/ID */
		if (queues[i].q == QUEUE_DEFERRED && deferfd >= 0)
			dsub = dup(deferfd);
		walk_queue(&w, fd, queues[i].q, queues[i].depth, dsub, queues[i].dir, "defer");
		if (dsub >= 0)
			close(dsub);
	}
	if (qcache_preloaded(cache))
		read_later(&w, qfd);
	if (deferfd >= 0)
		close(deferfd);
	close(qfd);
	m->source = "spool";
	return 0;
}

/* postfix_snapshot - fill an empty model with the queue as it is now; -1 with why */
static int postfix_snapshot(const struct mta_params *p, enum snapshot_source source,
			    struct qmodel *m, struct qcache *cache, struct why *why)
{
	char path[PATH_MAX + 16];
	int fd;

	if (source == SNAPSHOT_SPOOL && !p->spool_readable)
		return why_set(why, "queue directory %s is not readable (run as root, or use postqueue)",
			       p->queue_dir);
	if (source != SNAPSHOT_LISTING && p->spool_readable)
		return snapshot_spool(p, m, cache, why);
	if ((fd = snapshot_listing(p, m, why)) < 0)
		return fd;
	if (p->spool_readable) {
		qmodel_reclaim(m);	/* the retry times are written into messages partials may show */
		snprintf(path, sizeof path, "%s/deferred", p->queue_dir);
		if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
			walk_mtimes(m, fd, 0);
	}
	return 0;
}

/* collect_names - every queue ID named below dirfd (hashed subdirectories down to depth) */
static void collect_names(int dirfd, int depth, struct idset *ids)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;

	if (d == NULL) {
		close(dirfd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		int sub;

		if (e->d_name[0] == '.')
			continue;
		if (postfix_id_valid(e->d_name, strlen(e->d_name))) {
			idset_add(ids, idset_hash(e->d_name));
			continue;
		}
		if (depth > 0 && (sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
			collect_names(sub, depth - 1, ids);
	}
	closedir(d);
}

/* postfix_queue_ids - the IDs in the queue: file names in the spool (root), else postqueue -j */
static int postfix_queue_ids(const struct mta_params *p, struct idset *ids, struct why *why)
{
	static const char *const queues[] = { "active", "incoming", "deferred", "hold", "maildrop" };
	struct qmodel *m;
	size_t i;
	int fd;

	if (p->spool_readable) {
		for (i = 0; i < sizeof queues / sizeof queues[0]; i++) {
			char path[PATH_MAX + 16];

			snprintf(path, sizeof path, "%s/%s", p->queue_dir, queues[i]);
			if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
				collect_names(fd, 2, ids);
		}
		return 0;
	}
	if ((m = qmodel_new(NULL, p)) == NULL)
		return why_set(why, "out of memory");
	if (snapshot_listing(p, m, why) < 0) {
		qmodel_free(m);
		return -1;
	}
	for (i = 0; i < m->n; i++)
		idset_add(ids, idset_hash(m->msgs[i]->id));
	qmodel_free(m);
	return 0;
}

/* postfix_running - the master's pid file (queue_directory/pid/master.pid) names a live process called master */
static int postfix_running(const struct mta_params *p)
{
	char path[PATH_MAX + 32];

	if (p->queue_dir[0] == '\0')
		return MTA_UNKNOWN;
	snprintf(path, sizeof path, "%s/pid/master.pid", p->queue_dir);
	return proc_pidfile_state(path, "master");
}

/* postfix_spool_update - one queue file changed in dir: read it again, or forget it; the message or NULL */
static struct qmsg *postfix_spool_update(const struct mta_params *p, struct qmodel *m, const char *dir,
					 const char *name)
{
	static const struct { const char *prefix; enum queue_name q; } queues[] = {
		{ "active", QUEUE_ACTIVE }, { "incoming", QUEUE_INCOMING },
		{ "deferred", QUEUE_DEFERRED }, { "hold", QUEUE_HOLD }, { "maildrop", QUEUE_MAILDROP },
	};
	size_t qlen = strlen(p->queue_dir), i, n;
	const char *rel;
	struct qmsg *old;
	int dirfd, deferfd = -1, dsub = -1;
	char sub[PATH_MAX];

	if (!postfix_id_valid(name, strlen(name)) || strncmp(dir, p->queue_dir, qlen) != 0 || dir[qlen] != '/')
		return NULL;
	rel = dir + qlen + 1;
	for (i = 0; i < sizeof queues / sizeof queues[0]; i++) {
		n = strlen(queues[i].prefix);
		if (strncmp(rel, queues[i].prefix, n) == 0 && (rel[n] == '\0' || rel[n] == '/'))
			break;
	}
	old = qmodel_find(m, name);
	if (i == sizeof queues / sizeof queues[0])
		return NULL;	/* not a queue showq lists */
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return NULL;
	if (faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		/* it left this directory: forget it unless it already shows up elsewhere */
		if (old != NULL && old->queue == queues[i].q)
			qmodel_forget(m, name);
		close(dirfd);
		return NULL;
	}
	if (old != NULL)
		qmodel_forget(m, name);
	if ((size_t)snprintf(sub, sizeof sub, "%s/defer", p->queue_dir) < sizeof sub)
		deferfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else
		deferfd = -1;	/* no such path can exist: no reasons, the message still counts */
	if (queues[i].q == QUEUE_DEFERRED && deferfd >= 0 && rel[n] == '/')
		dsub = openat(deferfd, rel + n + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);	/* defer/X like deferred/X */
	{
		struct spool_walk w = { .m = m, .cache = NULL, .deferfd = deferfd };

		add_spool_message(&w, dirfd, name, queues[i].q, dsub, -1, -1);
	}
	if (dsub >= 0)
		close(dsub);
	if (deferfd >= 0)
		close(deferfd);
	close(dirfd);
	return qmodel_find(m, name);
}

/* postfix_default_log - maillog_file when Postfix writes its own log, else the usual syslog file */
static const char *postfix_default_log(const struct mta_params *p)
{
	static const char *const candidates[] = { "/var/log/mail.log", "/var/log/maillog" };
	size_t i;

	if (p->maillog_file[0] == '/' && strncmp(p->maillog_file, "/dev/", 5) != 0)
		return access(p->maillog_file, R_OK) == 0 ? p->maillog_file : NULL;
	for (i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return NULL;
}

/* postfix_retry_estimate - qmgr's back-off: the time the message has spent in the queue, within
 * [minimal_backoff_time, maximal_backoff_time], after its last attempt */
static time_t postfix_retry_estimate(const struct mta_params *p, const struct qmsg *msg)
{
	long backoff;

	if (msg->last_attempt == 0)
		return 0;
	backoff = msg->last_attempt - msg->arrival;
	if (backoff < p->min_backoff)
		backoff = p->min_backoff;
	if (backoff > p->max_backoff)
		backoff = p->max_backoff;
	return msg->last_attempt + backoff;
}

/* postfix_action_argv - postqueue -c DIR -i ID (one per ID), postsuper -c DIR -h|-H|-d|-r - (IDs on stdin) */
static enum mta_ids postfix_action_argv(const struct mta_params *p, enum action_kind kind, char **argv, size_t max)
{
	static const char *const super_flag[ACTION_KIND_COUNT] = {
		[ACTION_HOLD] = "-h", [ACTION_RELEASE] = "-H",
		[ACTION_DELETE] = "-d", [ACTION_REQUEUE] = "-r",
	};
	size_t n = 0;

	if (max < 6 || (unsigned)kind >= ACTION_KIND_COUNT)
		return MTA_IDS_UNSUPPORTED;
	argv[n++] = kind == ACTION_RETRY ? "postqueue" : "postsuper";
	argv[n++] = "-c";
	argv[n++] = (char *)p->config_dir;
	argv[n++] = kind == ACTION_RETRY ? "-i" : (char *)super_flag[kind];
	if (kind != ACTION_RETRY)
		argv[n++] = "-";	/* the IDs on stdin */
	argv[n] = NULL;
	return kind == ACTION_RETRY ? MTA_IDS_EACH : MTA_IDS_STDIN;
}

/* postfix_action_done - the number postsuper reported ("Placed on hold: 3 messages"); -1 when it said
 * none (postqueue -i says nothing) */
static long postfix_action_done(enum action_kind kind, const char *err, size_t len)
{
	const char *p = err, *end = err + len, *m;
	long count = -1;

	if (kind == ACTION_RETRY || err == NULL)
		return -1;
	while (p < end && (m = memmem(p, (size_t)(end - p), ": ", 2)) != NULL) {
		char *after;
		long n = strtol(m + 2, &after, 10);

		if (after > m + 2 && (size_t)(end - after) >= 8 && memcmp(after, " message", 8) == 0)
			count = n;
		p = m + 2;
	}
	return count;
}

/* the queue directories whose events matter: deferred is hashed two levels deep */
static const struct mta_watch postfix_watch[] = {
	{ "deferred", 2 }, { "hold", 0 }, { "active", 0 }, { "incoming", 0 }, { "maildrop", 0 }, { NULL, 0 },
};

const struct mta_backend mta_postfix = {
	.name = "postfix",
	.title = "Postfix",
	.default_config = "/etc/postfix",
	.listing_name = "postqueue",
	.retry_exact_source = "deferred file mtime",
	.queue_run_name = "queue_run_delay",
	.detect = postfix_detect,
	.load_params = postfix_load_params,
	.default_log = postfix_default_log,
	.snapshot = postfix_snapshot,
	.queue_ids = postfix_queue_ids,
	.running = postfix_running,
	.watch = postfix_watch,
	.spool_update = postfix_spool_update,
	.log = &postfix_log_dialect,
	.retry_estimate = postfix_retry_estimate,
	.own_deferral = postfix_throttle_own,
	.action_argv = postfix_action_argv,
	.action_done = postfix_action_done,
	.throttle = &postfix_throttle_ops,
};

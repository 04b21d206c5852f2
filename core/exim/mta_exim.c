/* mta_exim - the Exim backend; see mta_exim.h */
#include "core/exim/mta_exim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/idset.h"
#include "core/base/linereader.h"
#include "core/base/proc.h"
#include "core/exim/exim_hfile.h"
#include "core/exim/exim_id.h"
#include "core/exim/exim_listing.h"
#include "core/exim/exim_log.h"
#include "core/exim/exim_retry.h"
#include "core/exim/exim_throttle.h"
#include "core/exim/exim_time.h"
#include "core/queue/qmodel.h"

/* Exim's and Debian's default retry rule, used when exim -brt says nothing */
#define DEFAULT_RETRY_RULE "F,2h,15m; G,16h,1h,1.5; F,4d,6h"
/* Debian's QUEUEINTERVAL, when the main log names no daemon start */
#define DEFAULT_QUEUE_INTERVAL 1800
/* bytes at the end of the main log searched for the daemon's start line */
#define START_LINE_TAIL (8L << 20)
/* largest -H file or msglog read (a message with 100,000 recipients is a few MB) */
#define SPOOL_FILE_MAX (64L << 20)

/* exim_detect - config is a readable regular file that reads like an Exim configuration */
static int exim_detect(const char *config)
{
	char buf[65536];
	struct stat sb;
	ssize_t n;
	int fd, found;

	if ((fd = open(config, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return 0;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (n = read(fd, buf, sizeof buf - 1)) <= 0) {
		close(fd);
		return 0;
	}
	close(fd);
	buf[n] = '\0';
	/* every Exim configuration has routers and transports; Debian's template has them too */
	found = strstr(buf, "begin routers") != NULL || strstr(buf, "begin transports") != NULL
		|| strstr(buf, "exim_path") != NULL || strstr(buf, "spool_directory") != NULL;
	return found;
}

/* config_exim_path - the exim_path line of the configuration file (a main-section option) into buf; 0 when set */
static int config_exim_path(const char *config, char *buf, size_t bufsz)
{
	FILE *fp = fopen(config, "re");
	char line[PATH_MAX + 64];
	int found = 0;

	if (fp == NULL)
		return -1;
	while (!found && fgets(line, sizeof line, fp) != NULL) {
		char *p = line + strspn(line, " \t"), *v;
		size_t n;

		if (strncmp(p, "begin", 5) == 0 && (p[5] == ' ' || p[5] == '\t' || p[5] == '\n'))
			break;	/* the main section is over */
		if (strncmp(p, "exim_path", 9) != 0)
			continue;
		v = p + 9 + strspn(p + 9, " \t");
		if (*v != '=')
			continue;
		v += 1 + strspn(v + 1, " \t");
		n = strcspn(v, " \t\r\n");
		if (n > 0 && v[0] == '/' && n < bufsz) {
			memcpy(buf, v, n);
			buf[n] = '\0';
			found = 1;
		}
	}
	fclose(fp);
	return found ? 0 : -1;
}

/* find_binary - exim_path of the configuration, else exim4 or exim in PATH or the sbin directories */
static int find_binary(const char *config, char *buf, size_t bufsz)
{
	if (config_exim_path(config, buf, bufsz) == 0 && access(buf, X_OK) == 0)
		return 0;
	if (proc_find("exim4", buf, bufsz) != NULL || proc_find("exim", buf, bufsz) != NULL)
		return 0;
	return -1;
}

/* run_exim - BIN -C CONF args...; its output in res; -1 with why when it failed */
static int run_exim(const struct mta_params *p, const char *const *args, struct proc_result *res, struct why *why)
{
	char *argv[32];
	size_t n = 0, i;

	argv[n++] = (char *)p->binary;
	argv[n++] = "-C";
	argv[n++] = (char *)p->config_dir;
	for (i = 0; args[i] != NULL && n < sizeof argv / sizeof argv[0] - 1; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	if (proc_run(argv, NULL, 0, res, why) < 0)
		return -1;
	if (res->status != 0) {
		size_t len = res->errlen ? strcspn(res->err, "\n") : 0;

		why_set(why, "%s -C %s %s failed (exit %d): %.*s", p->binary, p->config_dir, args[0], res->status,
			len == 0 ? 10 : len > 300 ? 300 : (int)len, len ? res->err : "no message");
		proc_result_free(res);
		return -1;
	}
	return 0;
}

/* bp_value - the value of "name = value" in exim -bP output, "" when absent (a bare "name" is "yes") */
static void bp_value(const char *out, const char *name, char *buf, size_t bufsz)
{
	size_t n = strlen(name);
	const char *p = out;

	buf[0] = '\0';
	while (p != NULL && *p) {
		size_t len = strcspn(p, "\n");

		if (len >= n && strncmp(p, name, n) == 0) {
			const char *v = p + n;

			if (v == p + len) {
				snprintf(buf, bufsz, "yes");
				return;
			}
			if (strncmp(v, " = ", 3) == 0) {
				snprintf(buf, bufsz, "%.*s", (int)(len - n - 3), v + 3);
				return;
			}
		}
		p += len + (p[len] == '\n');
	}
}

/* main_log_path - log_file_path's main log: the first path with %s as "main"; "" for syslog only */
static void main_log_path(const char *log_file_path, char *buf, size_t bufsz)
{
	const char *p = log_file_path;

	buf[0] = '\0';
	while (*p) {
		size_t n = strcspn(p, ":");
		const char *s = memchr(p, '%', n);

		if (n > 0 && p[0] == '/' && s != NULL && s + 1 < p + n && s[1] == 's') {
			snprintf(buf, bufsz, "%.*smain%.*s", (int)(s - p), p, (int)(p + n - s - 2), s + 2);
			return;
		}
		p += n + (p[n] == ':');
	}
}

/* queue_interval - the -q interval of the last daemon start in the main log's tail; -1 when none */
static long queue_interval(const char *log)
{
	struct stat sb;
	char *buf, *p, *end;
	off_t start;
	ssize_t got;
	long found = -1, v;
	int fd;

	if (log[0] == '\0' || (fd = open(log, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return -1;
	}
	start = sb.st_size > START_LINE_TAIL ? sb.st_size - START_LINE_TAIL : 0;
	if ((buf = malloc((size_t)(sb.st_size - start) + 1)) == NULL) {
		close(fd);
		return -1;
	}
	got = pread(fd, buf, (size_t)(sb.st_size - start), start);
	close(fd);
	for (p = buf, end = buf + (got > 0 ? got : 0); p < end; p++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (memmem(p, len, "daemon started", 14) != NULL && (v = exim_log_queue_interval(p, len)) >= 0)
			found = v;
		p += len;
	}
	free(buf);
	return found;
}

/* exim_load_params - exim -bP, exim -brt, the daemon's start line; -1 with why */
static int exim_load_params(const char *config, const char *binary, struct mta_params *p, struct why *why)
{
	static const char *const bp[] = {
		"-bP", "spool_directory", "log_file_path", "exim_version", "primary_hostname", "pid_file_path",
		"hold_domains", "retry_interval_max", "timeout_frozen_after", NULL,
	};
	static const char *const brt[] = { "-brt", "postmaster@mqmon-retry-rule.invalid", NULL };
	struct exim_retry_rules rules;
	struct proc_result res;
	char v[PATH_MAX + 64];
	const char *rule;
	long interval;
	DIR *d;

	memset(p, 0, sizeof *p);
	p->backend = &mta_exim;
	snprintf(p->config_dir, sizeof p->config_dir, "%s", config);
	if (binary != NULL && binary[0] != '\0') {
		if (access(binary, X_OK) < 0)
			return why_errno(why, "the Exim binary %s ([mta] binary)", binary);
		snprintf(p->binary, sizeof p->binary, "%s", binary);
	} else if (find_binary(config, p->binary, sizeof p->binary) < 0) {
		return why_set(why, "no Exim binary: neither exim_path in %s nor exim4 or exim in PATH (set [mta] binary)",
			       config);
	}
	if (run_exim(p, bp, &res, why) < 0)
		return -1;
	bp_value(res.out, "spool_directory", p->queue_dir, sizeof p->queue_dir);
	bp_value(res.out, "log_file_path", v, sizeof v);
	main_log_path(v[0] ? v : "/var/spool/exim/log/%slog", p->maillog_file, sizeof p->maillog_file);
	if (v[0] == '\0' && p->queue_dir[0])	/* Exim's compiled-in default: SPOOL/log/%slog */
		snprintf(p->maillog_file, sizeof p->maillog_file, "%.4000s/log/mainlog", p->queue_dir);
	bp_value(res.out, "exim_version", p->mail_version, sizeof p->mail_version);
	bp_value(res.out, "primary_hostname", p->myhostname, sizeof p->myhostname);
	bp_value(res.out, "pid_file_path", p->pid_file, sizeof p->pid_file);
	if (p->pid_file[0] == '\0' && p->queue_dir[0])
		snprintf(p->pid_file, sizeof p->pid_file, "%.4000s/exim-daemon.pid", p->queue_dir);
	bp_value(res.out, "hold_domains", v, sizeof v);
	exim_throttle_file_of(v, p->throttle_file, sizeof p->throttle_file);
	bp_value(res.out, "retry_interval_max", v, sizeof v);
	p->max_backoff = v[0] ? exim_duration_parse(v, strlen(v)) : EXIM_RETRY_INTERVAL_MAX;
	if (p->max_backoff <= 0)
		p->max_backoff = EXIM_RETRY_INTERVAL_MAX;
	bp_value(res.out, "timeout_frozen_after", v, sizeof v);
	p->bounce_queue_lifetime = v[0] ? exim_duration_parse(v, strlen(v)) : 0;
	proc_result_free(&res);
	if (p->queue_dir[0] != '/')
		return why_set(why, "%s -bP: no spool_directory", p->binary);

	/* "Retry rule: *  *  F,2h,15m; G,16h,1h,1.5; F,4d,6h; " */
	snprintf(p->retry_rule, sizeof p->retry_rule, "%s", DEFAULT_RETRY_RULE);
	if (run_exim(p, brt, &res, NULL) == 0) {
		if ((rule = strstr(res.out, "Retry rule:")) != NULL && exim_retry_rules_parse(rule, &rules, NULL) == 0
		    && rules.n > 0) {
			rule += 11;
			snprintf(p->retry_rule, sizeof p->retry_rule, "%.*s", (int)strcspn(rule, "\n"), rule);
		}
		proc_result_free(&res);
	}
	if (exim_retry_rules_parse(p->retry_rule, &rules, NULL) < 0 || rules.n == 0)
		exim_retry_rules_parse(DEFAULT_RETRY_RULE, &rules, NULL);
	/* a message is given up at its next attempt after the last cutoff */
	p->max_queue_lifetime = exim_retry_rules_cutoff(&rules, 0, 0, 0);
	if (p->bounce_queue_lifetime <= 0)
		p->bounce_queue_lifetime = p->max_queue_lifetime;
	p->min_backoff = rules.n > 0 ? rules.r[0].p1 : 900;
	interval = queue_interval(p->maillog_file);
	p->queue_run_delay = interval > 0 ? interval : DEFAULT_QUEUE_INTERVAL;
	{
		char input[PATH_MAX + 16];

		snprintf(input, sizeof input, "%.4000s/input", p->queue_dir);
		if ((d = opendir(input)) != NULL) {
			p->spool_readable = 1;
			closedir(d);
		}
	}
	return 0;
}

/* exim_default_log - the main log when it can be read, else the usual syslog file */
static const char *exim_default_log(const struct mta_params *p)
{
	static const char *const candidates[] = { "/var/log/exim4/mainlog", "/var/log/exim/main.log",
						  "/var/log/mail.log", "/var/log/maillog" };
	size_t i;

	if (p->maillog_file[0] == '/')
		return access(p->maillog_file, R_OK) == 0 ? p->maillog_file : NULL;
	for (i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return NULL;
}

/* read_small - a whole file at dirfd/name (at most SPOOL_FILE_MAX) into a malloc'd buffer; NULL when it cannot */
static char *read_small(int dirfd, const char *name, size_t *len, struct stat *sb)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char *buf;
	ssize_t got;

	if (fd < 0)
		return NULL;
	if (fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode) || sb->st_size > SPOOL_FILE_MAX
	    || (buf = malloc((size_t)sb->st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	got = read(fd, buf, (size_t)sb->st_size);	/* Exim renames a new -H into place: never half-written */
	close(fd);
	if (got < 0) {
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	*len = (size_t)got;
	return buf;
}

/* rcpt_reply - the last deferral of a recipient in a message's msglog (lines without ID and flag), and the
 * last remote one: a held domain's "domain is held" is logged at every queue run, but no attempt */
struct rcpt_reply {
	char *reason;
	size_t len;
	time_t time;
	enum smtp_stage stage;		/* the stage Exim logged before the reply */
	char *remote;			/* the last reply that is not mqmon's own pause, NULL when none */
	size_t remote_len;
	time_t remote_time;		/* its time: the last delivery attempt */
	char host_key[300];	/* "name:ip" of the host that answered (its T: retry record's key), "" when none */
};

/* keep_text - *dst becomes a copy of src[0..n) (unchanged when out of memory); 0, -1 */
static int keep_text(char **dst, size_t *dstlen, const char *src, size_t n)
{
	char *r = realloc(*dst, n + 1);

	if (r == NULL)
		return -1;
	memcpy(r, src, n);
	r[n] = '\0';
	*dst = r;
	*dstlen = n;
	return 0;
}

/* host_key_of - "name [ip]" (Exim's H= field) as a T: record's "name:ip"; "" when not that shape */
static void host_key_of(struct span relay, char *buf, size_t bufsz)
{
	const char *sp = relay.n ? memchr(relay.p, ' ', relay.n) : NULL;
	const char *end = relay.p + relay.n;

	buf[0] = '\0';
	if (sp == NULL || sp + 2 >= end || sp[1] != '[' || end[-1] != ']' || (size_t)(end - relay.p) >= bufsz)
		return;
	snprintf(buf, bufsz, "%.*s:%.*s", (int)(sp - relay.p), relay.p, (int)(end - sp - 3), sp + 2);
}

/* msglog_replies - for each pending recipient of h, its last deferral in the msglog text */
static void msglog_replies(const char *text, size_t len, const struct exim_hfile *h, struct rcpt_reply *out)
{
	struct log_clock clock;
	const char *p = text, *end = text + len;
	char line[16384];

	log_clock_init(&clock, time(NULL));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), i;
		struct log_event ev;
		int k;

		/* "DATE TIME addr R=... defer (N) ...": as a main log line "DATE TIME ID == addr ..." */
		if (n > 20 && memmem(p, n, " defer (", 8) != NULL
		    && (k = snprintf(line, sizeof line, "%.19s %s == %.*s", p, h->id, (int)(n - 20), p + 20)) > 0
		    && (size_t)k < sizeof line
		    && exim_log_parse(&clock, line, (size_t)k, &ev, NULL) == LOG_DELIVERY
		    && ev.status == STATUS_DEFERRED && ev.reason.n > 0) {
			for (i = 0; i < h->nrcpts; i++)
				if (!h->rcpts[i].done && ev.to.n == strlen(h->rcpts[i].address)
				    && strncasecmp(ev.to.p, h->rcpts[i].address, ev.to.n) == 0 && ev.time >= out[i].time) {
					if (keep_text(&out[i].reason, &out[i].len, ev.reason.p, ev.reason.n) < 0)
						continue;
					out[i].time = ev.time;
					out[i].stage = ev.stage;
					if (exim_throttle_own(ev.reason.p, ev.reason.n)
					    || keep_text(&out[i].remote, &out[i].remote_len, ev.reason.p, ev.reason.n) < 0)
						continue;
					out[i].remote_time = ev.time;
					host_key_of(ev.relay, out[i].host_key, sizeof out[i].host_key);
				}
		}
		p += n + 1;
	}
}

/* retry_db - the retry hints database as exim_dumpdb prints it; 0, -1 when it cannot be read */
static int retry_db(const struct mta_params *p, struct exim_retry_db *db)
{
	char dumpdb[PATH_MAX], *slash;
	char *argv[] = { dumpdb, (char *)p->queue_dir, "retry", NULL };
	struct proc_result res;
	int rc;

	memset(db, 0, sizeof *db);
	snprintf(dumpdb, sizeof dumpdb, "%s", p->binary);
	if ((slash = strrchr(dumpdb, '/')) != NULL && (size_t)(slash - dumpdb) + 12 < sizeof dumpdb)
		strcpy(slash + 1, "exim_dumpdb");
	if (access(dumpdb, X_OK) < 0 && proc_find("exim_dumpdb", dumpdb, sizeof dumpdb) == NULL)
		return -1;
	if (proc_run(argv, NULL, 0, &res, NULL) < 0)
		return -1;
	/* no database yet (nothing ever deferred) is an empty one */
	rc = res.status == 0 ? exim_retry_db_parse(res.out, res.outlen, db, NULL) : 0;
	proc_result_free(&res);
	return rc;
}

/* add_message - one -H file (dirfd/name) into the model with its replies and exact next try */
static void add_message(struct qmodel *m, int inputfd, int msglogfd, const char *name,
			const struct exim_retry_db *db)
{
	struct exim_hfile h;
	struct stat sb, dsb;
	struct rcpt_reply *replies;
	struct qmsg *msg;
	char *buf, *mlog = NULL, dname[EXIM_ID_MAX + 8];
	size_t len, mlen = 0, i, k;
	enum queue_name q;

	if ((buf = read_small(inputfd, name, &len, &sb)) == NULL)
		return;	/* gone meanwhile (delivered) */
	if (exim_hfile_parse(buf, len, &h, NULL) < 0) {
		free(buf);
		return;
	}
	free(buf);
	q = h.frozen ? QUEUE_HOLD : h.deliver_firsttime ? QUEUE_INCOMING : QUEUE_DEFERRED;
	snprintf(dname, sizeof dname, "%s-D", h.id);
	if (fstatat(inputfd, dname, &dsb, AT_SYMLINK_NOFOLLOW) < 0)
		dsb.st_size = 0;
	if ((msg = qmodel_add(m, h.id, q, h.sender, h.arrival, (long)(sb.st_size + dsb.st_size), 0)) == NULL) {
		exim_hfile_free(&h);
		return;
	}
	if ((replies = calloc(h.nrcpts ? h.nrcpts : 1, sizeof *replies)) == NULL) {
		exim_hfile_free(&h);
		return;
	}
	if (msglogfd >= 0 && (mlog = read_small(msglogfd, h.id, &mlen, &sb)) != NULL)
		msglog_replies(mlog, mlen, &h, replies);
	free(mlog);
	for (i = 0; i < h.nrcpts; i++)
		if (!h.rcpts[i].done) {
			qmodel_add_rcpt_at(m, msg, h.rcpts[i].address, replies[i].reason ? replies[i].reason : "",
					   replies[i].len, NULL, replies[i].stage);
			/* the msglog knows the last attempt even when no log is joined */
			if (replies[i].remote_time > msg->last_attempt)
				msg->last_attempt = replies[i].remote_time;
			/* held by mqmon's pause: its cause stays the last remote reply's */
			if (replies[i].remote != NULL && replies[i].reason != NULL
			    && exim_throttle_own(replies[i].reason, replies[i].len))
				qmodel_set_remote_reason(m, msg, replies[i].remote, replies[i].remote_len);
		}
	if (db != NULL && q == QUEUE_DEFERRED) {
		const char **pending = calloc(h.nrcpts ? h.nrcpts : 1, sizeof *pending);
		const char **hosts = calloc(h.nrcpts ? h.nrcpts : 1, sizeof *hosts);
		struct exim_retry_query query = { .id = h.id, .sender = h.sender };
		size_t nh = 0;

		for (i = 0, k = 0; pending != NULL && hosts != NULL && i < h.nrcpts; i++)
			if (!h.rcpts[i].done) {
				pending[k++] = h.rcpts[i].address;
				/* the host its last attempt reached: a greeting or MAIL failure is a T: record */
				if (replies[i].host_key[0])
					hosts[nh++] = replies[i].host_key;
			}
		query.rcpts = pending;
		query.nrcpts = k;
		query.host_keys = hosts;
		query.nhost_keys = nh;
		if (pending != NULL && hosts != NULL)
			msg->exact_retry = exim_retry_next(db, &query, NULL);
		free(pending);
		free(hosts);
	}
	for (i = 0; i < h.nrcpts; i++) {
		free(replies[i].reason);
		free(replies[i].remote);
	}
	free(replies);
	exim_hfile_free(&h);
}

/* is_header_file - "ID-H" with a valid ID */
static int is_header_file(const char *name)
{
	size_t n = strlen(name);

	return n > 2 && name[n - 2] == '-' && name[n - 1] == 'H' && exim_id_valid(name, n - 2);
}

/* walk_input - every -H file in dir (input/ or input/X/), depth levels of subdirectories */
static void walk_input(const struct mta_params *p, struct qmodel *m, int dirfd, int msglogfd, int depth,
		       const struct exim_retry_db *db, struct idset *ids)
{
	DIR *d;
	struct dirent *e;
	int fd = dup(dirfd);

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (depth > 0 && strlen(e->d_name) == 1 && (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN)) {
			int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			int msub = msglogfd >= 0 ? openat(msglogfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

			if (sub >= 0) {
				walk_input(p, m, sub, msub >= 0 ? msub : msglogfd, depth - 1, db, ids);
				close(sub);
			}
			if (msub >= 0)
				close(msub);
			continue;
		}
		if (!is_header_file(e->d_name))
			continue;
		if (ids != NULL) {
			char id[EXIM_ID_MAX + 1];

			snprintf(id, sizeof id, "%.*s", (int)(strlen(e->d_name) - 2), e->d_name);
			idset_add(ids, idset_hash(id));
		} else {
			add_message(m, dirfd, msglogfd, e->d_name, db);
		}
	}
	closedir(d);
}

/* open_spool_dir - SPOOL/name as a directory fd; -1 with errno */
static int open_spool_dir(const struct mta_params *p, const char *name)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof path, "%.4000s/%s", p->queue_dir, name);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* snapshot_spool - every -H file of the spool (root); -1 with why */
static int snapshot_spool(const struct mta_params *p, struct qmodel *m, struct why *why)
{
	struct exim_retry_db db;
	int inputfd, msglogfd, have_db;

	if ((inputfd = open_spool_dir(p, "input")) < 0)
		return why_errno(why, "cannot read the Exim spool %s/input", p->queue_dir);
	msglogfd = open_spool_dir(p, "msglog");
	have_db = retry_db(p, &db) == 0;
	walk_input(p, m, inputfd, msglogfd, 1, have_db ? &db : NULL, NULL);
	if (have_db)
		exim_retry_db_free(&db);
	if (msglogfd >= 0)
		close(msglogfd);
	close(inputfd);
	m->source = "spool";
	return 0;
}

/* add_listed - one message of exim -bp into the model */
static int add_listed(void *ctx, const struct exim_listing_msg *lm)
{
	struct qmodel *m = ctx;
	struct qmsg *msg;
	size_t i;

	if (lm->sender == NULL)
		return 0;	/* a spool error line: not a message we can show */
	msg = qmodel_add(m, lm->id, lm->frozen ? QUEUE_HOLD : QUEUE_DEFERRED, lm->sender,
			 exim_id_time(lm->id, strlen(lm->id)), lm->size, 0);
	for (i = 0; msg != NULL && i < lm->nrcpts; i++)
		if (!lm->rcpts[i].delivered && !lm->rcpts[i].generated)
			qmodel_add_rcpt(m, msg, lm->rcpts[i].address, "", 0, NULL);
	return 0;
}

/* snapshot_listing - exim -bp (an admin user); -1 with why */
static int snapshot_listing(const struct mta_params *p, struct qmodel *m, struct why *why)
{
	static const char *const bp[] = { "-bp", NULL };
	struct proc_result res;
	unsigned long long bad = 0;
	int rc;

	if (run_exim(p, bp, &res, why) < 0)
		return -1;
	rc = exim_listing_parse(res.out, res.outlen, add_listed, m, &bad, why);
	proc_result_free(&res);
	if (rc < 0)
		return -1;
	m->source = "exim -bp";
	return 0;
}

/* exim_snapshot - the spool when readable (or asked for), else exim -bp */
static int exim_snapshot(const struct mta_params *p, enum snapshot_source source, struct qmodel *m,
			 struct qcache *cache, struct why *why)
{
	(void)cache;	/* not cached yet: the retry database changes apart from the spool files */
	if (source == SNAPSHOT_SPOOL || (source == SNAPSHOT_AUTO && p->spool_readable))
		return snapshot_spool(p, m, why);
	return snapshot_listing(p, m, why);
}

/* collect_listed - the ID of one listed message into the idset */
static int collect_listed(void *ctx, const struct exim_listing_msg *lm)
{
	idset_add(ctx, idset_hash(lm->id));
	return 0;
}

/* exim_queue_ids - the IDs of the -H files (root), else of exim -bp; -1 with why */
static int exim_queue_ids(const struct mta_params *p, struct idset *ids, struct why *why)
{
	static const char *const bp[] = { "-bp", NULL };
	struct proc_result res;
	int fd, rc;

	if (p->spool_readable && (fd = open_spool_dir(p, "input")) >= 0) {
		walk_input(p, NULL, fd, -1, 1, NULL, ids);
		close(fd);
		return 0;
	}
	if (run_exim(p, bp, &res, why) < 0)
		return -1;
	rc = exim_listing_parse(res.out, res.outlen, collect_listed, ids, NULL, why);
	proc_result_free(&res);
	return rc;
}

/* exim_running - the pid file names a live exim4 or exim process */
static int exim_running(const struct mta_params *p)
{
	int st;

	if (p->pid_file[0] == '\0')
		return MTA_UNKNOWN;
	if ((st = proc_pidfile_state(p->pid_file, "exim4")) != 0)
		return st > 0 ? MTA_RUNNING : MTA_UNKNOWN;
	return proc_pidfile_state(p->pid_file, "exim") > 0 ? MTA_RUNNING : MTA_STOPPED;
}

/* exim_spool_update - ID-H (or -D) came or went in dir (input/ or input/X/): read the message again or forget it */
static struct qmsg *exim_spool_update(const struct mta_params *p, struct qmodel *m, const char *dir, const char *name)
{
	char id[EXIM_ID_MAX + 1], hname[EXIM_ID_MAX + 8];
	size_t n = strlen(name), qlen = strlen(p->queue_dir);
	struct exim_retry_db db;
	int dirfd, msglogfd, have_db;
	struct stat sb;

	if (n < 3 || name[n - 2] != '-' || (name[n - 1] != 'H' && name[n - 1] != 'D')
	    || !exim_id_valid(name, n - 2) || strncmp(dir, p->queue_dir, qlen) != 0 || dir[qlen] != '/')
		return NULL;
	snprintf(id, sizeof id, "%.*s", (int)(n - 2), name);
	snprintf(hname, sizeof hname, "%s-H", id);
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstatat(dirfd, hname, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		qmodel_forget(m, id);	/* delivered, bounced or removed */
		close(dirfd);
		return NULL;
	}
	qmodel_forget(m, id);
	{
		char mdir[PATH_MAX + 16];
		const char *sub = dir + qlen + 1 + 5;	/* after "input" */

		snprintf(mdir, sizeof mdir, "%.4000s/msglog%s", p->queue_dir, sub);
		msglogfd = open(mdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	have_db = retry_db(p, &db) == 0;
	add_message(m, dirfd, msglogfd, hname, have_db ? &db : NULL);
	if (have_db)
		exim_retry_db_free(&db);
	if (msglogfd >= 0)
		close(msglogfd);
	close(dirfd);
	return qmodel_find(m, id);
}

/* exim_retry_estimate - the retry rule applied to the last attempt (failures taken to come on time) */
static time_t exim_retry_estimate(const struct mta_params *p, const struct qmsg *msg)
{
	struct exim_retry_rules rules;
	int timed_out = 0;

	if (msg->last_attempt == 0 || exim_retry_rules_parse(p->retry_rule, &rules, NULL) < 0 || rules.n == 0)
		return 0;
	return exim_retry_rules_estimate(&rules, msg->arrival, msg->arrival, 0, msg->last_attempt, p->max_backoff,
					 &timed_out);
}

/* exim_action_argv - exim -C CONF -M|-Mf|-Mt|-Mrm, the IDs as words; no requeue */
static enum mta_ids exim_action_argv(const struct mta_params *p, enum action_kind kind, char **argv, size_t max)
{
	static const char *const flag[ACTION_KIND_COUNT] = {
		[ACTION_RETRY] = "-M", [ACTION_HOLD] = "-Mf", [ACTION_RELEASE] = "-Mt", [ACTION_DELETE] = "-Mrm",
	};

	if (max < 5 || (unsigned)kind >= ACTION_KIND_COUNT || flag[kind] == NULL)
		return MTA_IDS_UNSUPPORTED;
	argv[0] = (char *)(p->binary[0] ? p->binary : "exim");
	argv[1] = "-C";
	argv[2] = (char *)p->config_dir;
	argv[3] = (char *)flag[kind];
	argv[4] = NULL;
	return MTA_IDS_ARGS;
}

/* exim_own_deferral - Exim's words for mqmon's pause: hold_domains' and the :defer: router's */
static int exim_own_deferral(const char *text, size_t len)
{
	return exim_throttle_own(text, len);
}

/* exim_log_dialect_parse - the main log dialect's entry (no extra information wanted) */
static enum log_kind exim_log_dialect_parse(struct log_clock *clock, const char *line, size_t len,
					    struct log_event *ev)
{
	return exim_log_parse(clock, line, len, ev, NULL);
}

static const struct log_dialect exim_log_dialect = {
	.name = "exim",
	.parse = exim_log_dialect_parse,
	.maybe_deferral = exim_log_maybe_deferral,
	.id_valid = exim_id_valid,
};

/* the spool directory whose events matter: input/, split one level deep */
static const struct mta_watch exim_watch[] = { { "input", 1 }, { NULL, 0 } };

const struct mta_backend mta_exim = {
	.name = "exim",
	.title = "Exim",
	.default_config = "/var/lib/exim4/config.autogenerated",
	.listing_name = "exim -bp",
	.retry_exact_source = "retry database",
	.queue_run_name = "the daemon's -q interval",
	.detect = exim_detect,
	.load_params = exim_load_params,
	.default_log = exim_default_log,
	.snapshot = exim_snapshot,
	.queue_ids = exim_queue_ids,
	.running = exim_running,
	.watch = exim_watch,
	.spool_update = exim_spool_update,
	.log = &exim_log_dialect,
	.retry_estimate = exim_retry_estimate,
	.own_deferral = exim_own_deferral,
	.action_argv = exim_action_argv,
	.action_done = NULL,
	.throttle = &exim_throttle_ops,
};

/* snapshot - export a finished queue model; see snapshot.h */
#include "core/queue/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* snapshot_format_from - "json", "csv", "prom"; -1 when unknown */
int snapshot_format_from(const char *name)
{
	if (strcmp(name, "json") == 0)
		return SNAPSHOT_JSON;
	if (strcmp(name, "csv") == 0)
		return SNAPSHOT_CSV;
	if (strcmp(name, "prom") == 0 || strcmp(name, "prometheus") == 0)
		return SNAPSHOT_PROM;
	return -1;
}

/* jtime - epoch seconds, or null when 0 */
static json_t *jtime(time_t t)
{
	return t ? json_integer((json_int_t)t) : json_null();
}

/* message_json - one message with its recipients */
static json_t *message_json(const struct qmodel *m, const struct qmsg *msg)
{
	json_t *o = json_object(), *rcpts = json_array();
	size_t k;

	if (msg->host != NULL)	/* a fleet's merged model: the host that holds it, first as in a fleet snapshot */
		json_object_set_new(o, "host", json_string(msg->host));
	json_object_set_new(o, "queue_id", json_string(msg->id));
	json_object_set_new(o, "queue", json_string(queue_name_str(msg->queue)));
	json_object_set_new(o, "sender", json_string(msg->sender));
	json_object_set_new(o, "arrival_time", json_integer((json_int_t)msg->arrival));
	json_object_set_new(o, "size", json_integer(msg->size));
	json_object_set_new(o, "attempts", json_integer(msg->attempts));
	json_object_set_new(o, "last_attempt", jtime(msg->last_attempt));
	json_object_set_new(o, "relay", msg->relay ? json_string(msg->relay) : json_null());
	json_object_set_new(o, "next_retry", jtime(msg->next_retry));
	json_object_set_new(o, "next_retry_exact", json_boolean(msg->retry_source == RETRY_EXACT));
	json_object_set_new(o, "retry_source", json_string(retry_source_str(msg->retry_source)));
	json_object_set_new(o, "retry_by", msg->next_retry ?
			    json_integer((json_int_t)(msg->next_retry + m->params.queue_run_delay)) : json_null());
	json_object_set_new(o, "expires_at", json_integer((json_int_t)msg->expires_at));
	json_object_set_new(o, "overdue", json_boolean(msg->overdue));
	json_object_set_new(o, "forced_expire", json_boolean(msg->forced_expire));
	json_object_set_new(o, "cause", json_string(cause_name(msg->cause)));
	json_object_set_new(o, "provider", json_string(msg->provider));
	json_object_set_new(o, "paused", json_boolean(msg->paused));
	for (k = 0; k < msg->nrcpts; k++) {
		const struct qrcpt *r = &msg->rcpts[k];

		json_array_append_new(rcpts, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b}",
			"address", r->address, "domain", r->domain, "provider", r->provider,
			"cause", qrcpt_has_cause(r) ? cause_name(r->cause) : "",
			"dsn", r->dsn, "stage", smtp_stage_name(r->stage), "reason", r->reason,
			"rule", r->rule ? json_string(r->rule) : json_null(), "paused", r->paused));
	}
	json_object_set_new(o, "recipients", rcpts);
	return o;
}

/* count_json - one aggregate row */
static json_t *count_json(const char *key, const struct qcount *c)
{
	return json_pack("{s:s, s:I, s:I, s:o, s:o}", key, c->name, "messages", (json_int_t)c->messages,
			 "recipients", (json_int_t)c->recipients, "oldest_arrival", jtime(c->oldest_arrival),
			 "soonest_retry", jtime(c->soonest_retry));
}

/* totals_json - the model's totals object */
static json_t *totals_json(const struct qmodel *m)
{
	return json_pack("{s:I, s:I, s:I, s:o, s:o}",
		"messages", (json_int_t)m->n, "recipients", (json_int_t)m->recipients,
		"overdue", (json_int_t)m->overdue,
		"oldest_arrival", jtime(m->oldest ? m->oldest->arrival : 0),
		"soonest_retry", jtime(m->soonest ? m->soonest->next_retry : 0));
}

/* snapshot_message_text - one message's JSON object as one compact line (malloc'd); NULL on out of memory */
char *snapshot_message_text(const struct qmodel *m, const struct qmsg *msg)
{
	json_t *o = message_json(m, msg);
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	return text;
}

/* snapshot_totals_text - the totals object as one compact line (malloc'd); NULL on out of memory */
char *snapshot_totals_text(const struct qmodel *m)
{
	json_t *o = totals_json(m);
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	return text;
}

/* dump_member - ,\n "key": value  (value consumed) */
static int dump_member(FILE *fp, const char *key, json_t *value, int first)
{
	int rc;

	fprintf(fp, "%s\n \"%s\": ", first ? "" : ",", key);
	rc = json_dumpf(value, fp, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(value);
	return rc;
}

/* a message's JSON text, reused from one message to the next */
struct dumpbuf {
	char *text;
	size_t cap;
};

/* dump_buffered - o's compact text written with one fwrite (jansson's own json_dumpf writes it token by
 * token: most of a big snapshot's time); -1 when it could not be made or written */
static int dump_buffered(const json_t *o, struct dumpbuf *b, FILE *fp)
{
	size_t n = o != NULL ? json_dumpb(o, b->text, b->cap, JSON_COMPACT | JSON_PRESERVE_ORDER) : 0;

	if (n == 0)
		return -1;
	if (n > b->cap) {
		size_t cap = n > 2 * b->cap ? n : 2 * b->cap;
		char *t = realloc(b->text, cap);

		if (t == NULL)
			return -1;
		b->text = t;
		b->cap = cap;
		if (json_dumpb(o, b->text, b->cap, JSON_COMPACT | JSON_PRESERVE_ORDER) != n)
			return -1;
	}
	return fwrite(b->text, 1, n, fp) == n ? 0 : -1;
}

/* write_json - the whole model, streamed: one message object at a time, so
 * a 100,000-message queue never becomes one 500 MB document in memory */
static int write_json(const struct qmodel *m, const char *host, FILE *fp)
{
	json_t *causes = json_array(), *arr;
	struct dumpbuf buf = { NULL, 0 };
	size_t i, k;
	int rc = 0;

	fputc('{', fp);
	rc |= dump_member(fp, "generated_at", json_integer((json_int_t)m->generated_at), 1);
	rc |= dump_member(fp, "host", json_string(host), 0);
	rc |= dump_member(fp, "mta", json_string(m->params.backend ? m->params.backend->name : "unknown"), 0);
	rc |= dump_member(fp, "mail_version", json_string(m->params.mail_version), 0);
	rc |= dump_member(fp, "config_dir", json_string(m->params.config_dir), 0);
	rc |= dump_member(fp, "source", json_string(m->source), 0);
	rc |= dump_member(fp, "mta_running", m->mta_running == MTA_UNKNOWN ? json_null()
			  : json_boolean(m->mta_running == MTA_RUNNING), 0);
	rc |= dump_member(fp, "params", json_pack("{s:I, s:I, s:I, s:I, s:I, s:b}",
		"queue_run_delay", (json_int_t)m->params.queue_run_delay,
		"minimal_backoff_time", (json_int_t)m->params.min_backoff,
		"maximal_backoff_time", (json_int_t)m->params.max_backoff,
		"maximal_queue_lifetime", (json_int_t)m->params.max_queue_lifetime,
		"bounce_queue_lifetime", (json_int_t)m->params.bounce_queue_lifetime,
		"spool_readable", m->params.spool_readable), 0);
	rc |= dump_member(fp, "totals", totals_json(m), 0);
	fputs(",\n \"messages\": [", fp);
	for (i = 0; i < m->n; i++) {
		json_t *o = message_json(m, m->msgs[i]);

		fputs(i ? ",\n  " : "\n  ", fp);
		rc |= dump_buffered(o, &buf, fp);
		json_decref(o);
	}
	free(buf.text);
	fputs("\n ]", fp);
	for (i = 0; i < CAUSE_COUNT; i++) {
		const struct qcount *c = &m->causes[i];
		json_t *o, *doms;

		if (c->messages == 0)
			continue;
		o = count_json("cause", c);
		doms = json_array();
		for (k = 0; k < c->nsub; k++)
			json_array_append_new(doms, json_pack("{s:s, s:I, s:I}", "domain", c->sub[k].name,
				"messages", (json_int_t)c->sub[k].messages,
				"recipients", (json_int_t)c->sub[k].recipients));
		json_object_set_new(o, "domains", doms);
		json_array_append_new(causes, o);
	}
	rc |= dump_member(fp, "causes", causes, 0);
	arr = json_array();
	for (i = 0; i < m->nproviders; i++)
		json_array_append_new(arr, count_json("provider", &m->providers[i]));
	rc |= dump_member(fp, "providers", arr, 0);
	arr = json_array();
	for (i = 0; i < m->ndomains; i++) {
		json_t *o = count_json("domain", &m->domains[i]);
		const char *prov = m->domains[i].provider;

		/* the domain's provider, as every view shows it */
		json_object_set_new(o, "provider", json_string(prov ? prov : "other"));
		json_array_append_new(arr, o);
	}
	rc |= dump_member(fp, "domains", arr, 0);
	arr = json_array();
	for (i = 0; i < QUEUE_COUNT; i++)
		json_array_append_new(arr, json_pack("{s:s, s:I, s:I}", "queue", m->queues[i].name,
			"messages", (json_int_t)m->queues[i].messages,
			"recipients", (json_int_t)m->queues[i].recipients));
	rc |= dump_member(fp, "queues", arr, 0);
	fputs("\n}\n", fp);
	return rc ? -1 : 0;
}

/* csv_field - one RFC 4180 field; a cell a spreadsheet would take for a formula (starting with
 * = + - @ tab or CR: OWASP's CSV injection rule) gets a leading ' and quotes */
static void csv_field(FILE *fp, const char *s, int last)
{
	int formula = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;

	if (formula || strpbrk(s, ",\"\r\n") != NULL) {
		fputc('"', fp);
		if (formula)
			fputc('\'', fp);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', fp);
			fputc(*s, fp);
		}
		fputc('"', fp);
	} else {
		fputs(s, fp);
	}
	fputc(last ? '\n' : ',', fp);
}

/* csv_num - a number field, empty when 0 and blank_zero */
static void csv_num(FILE *fp, long long v, int blank_zero)
{
	if (v != 0 || !blank_zero)
		fprintf(fp, "%lld", v);
	fputc(',', fp);
}

/* write_csv - one row per recipient */
static int write_csv(const struct qmodel *m, FILE *fp)
{
	int fleet = m->n > 0 && m->msgs[0]->host != NULL;	/* a fleet's merged model: a host column first */
	size_t i, k;

	fputs(fleet ? "host," : "", fp);
	fputs("queue_id,queue,sender,arrival_time,size,attempts,last_attempt,next_retry,next_retry_exact,"
	      "expires_at,overdue,address,domain,provider,cause,dsn,reason\n", fp);
	for (i = 0; i < m->n; i++) {
		const struct qmsg *msg = m->msgs[i];

		for (k = 0; k < msg->nrcpts; k++) {
			const struct qrcpt *r = &msg->rcpts[k];

			if (fleet)
				csv_field(fp, msg->host != NULL ? msg->host : "", 0);
			csv_field(fp, msg->id, 0);
			csv_field(fp, queue_name_str(msg->queue), 0);
			csv_field(fp, msg->sender, 0);
			csv_num(fp, msg->arrival, 0);
			csv_num(fp, msg->size, 0);
			csv_num(fp, msg->attempts, 0);
			csv_num(fp, msg->last_attempt, 1);
			csv_num(fp, msg->next_retry, 1);
			csv_field(fp, msg->retry_source == RETRY_EXACT ? "true" : "false", 0);
			csv_num(fp, msg->expires_at, 0);
			csv_field(fp, msg->overdue ? "true" : "false", 0);
			csv_field(fp, r->address, 0);
			csv_field(fp, r->domain, 0);
			csv_field(fp, r->provider, 0);
			csv_field(fp, qrcpt_has_cause(r) ? cause_name(r->cause) : "", 0);
			csv_field(fp, r->dsn, 0);
			csv_field(fp, r->reason, 1);
		}
	}
	return 0;
}

/* prom_label - a label value with \, " and newline escaped */
static void prom_label(FILE *fp, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', fp);
		if (*s == '\n') {
			fputs("\\n", fp);
			continue;
		}
		fputc(*s, fp);
	}
}

/* prom_family - HELP and TYPE lines */
static void prom_family(FILE *fp, const char *name, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* prom_sample - name{label="value"} number */
static void prom_sample(FILE *fp, const char *name, const char *label, const char *value, size_t n)
{
	fprintf(fp, "%s{%s=\"", name, label);
	prom_label(fp, value);
	fprintf(fp, "\"} %zu\n", n);
}

/* write_prom - node_exporter textfile gauges */
static int write_prom(const struct qmodel *m, const char *host, FILE *fp)
{
	size_t i;

	(void)host;
	if (m->mta_running != MTA_UNKNOWN) {
		/* not known (the pid file is root's): no sample rather than a guess */
		prom_family(fp, "mqmon_mta_up", "1 when the MTA's daemon runs, 0 when it is stopped.");
		fprintf(fp, "mqmon_mta_up %d\n", m->mta_running == MTA_RUNNING);
	}
	if (strcmp(m->source, SNAPSHOT_SOURCE_NONE) == 0)
		goto stamp;	/* no listing: no queue numbers at all */
	prom_family(fp, "mqmon_queue_messages", "Messages in each queue.");
	for (i = 0; i < QUEUE_COUNT; i++)
		prom_sample(fp, "mqmon_queue_messages", "queue", m->queues[i].name, m->queues[i].messages);
	prom_family(fp, "mqmon_queue_recipients", "Pending recipients in each queue.");
	for (i = 0; i < QUEUE_COUNT; i++)
		prom_sample(fp, "mqmon_queue_recipients", "queue", m->queues[i].name, m->queues[i].recipients);
	prom_family(fp, "mqmon_cause_messages", "Queued messages with a recipient deferred for each cause.");
	for (i = 0; i < CAUSE_COUNT; i++)
		prom_sample(fp, "mqmon_cause_messages", "cause", m->causes[i].name, m->causes[i].messages);
	prom_family(fp, "mqmon_cause_recipients", "Deferred recipients for each cause.");
	for (i = 0; i < CAUSE_COUNT; i++)
		prom_sample(fp, "mqmon_cause_recipients", "cause", m->causes[i].name, m->causes[i].recipients);
	prom_family(fp, "mqmon_provider_messages", "Queued messages with a recipient at each provider family.");
	for (i = 0; i < m->nproviders; i++)
		prom_sample(fp, "mqmon_provider_messages", "provider", m->providers[i].name,
			    m->providers[i].messages);
	prom_family(fp, "mqmon_overdue_messages", "Deferred messages whose retry time passed long ago.");
	fprintf(fp, "mqmon_overdue_messages %zu\n", m->overdue);
	prom_family(fp, "mqmon_oldest_message_age_seconds", "Age of the oldest queued message.");
	fprintf(fp, "mqmon_oldest_message_age_seconds %lld\n",
		m->oldest ? (long long)(m->generated_at - m->oldest->arrival) : 0LL);
stamp:
	prom_family(fp, "mqmon_snapshot_timestamp_seconds", "When this snapshot was taken.");
	fprintf(fp, "mqmon_snapshot_timestamp_seconds %lld\n", (long long)m->generated_at);
	return 0;
}

/* snapshot_write - write the model in a format to fp; -1 with why */
int snapshot_write(const struct qmodel *m, enum snapshot_format fmt, const char *host, FILE *fp,
		   struct why *why)
{
	int rc;

	switch (fmt) {
	case SNAPSHOT_JSON: rc = write_json(m, host, fp); break;
	case SNAPSHOT_CSV: rc = write_csv(m, fp); break;
	default: rc = write_prom(m, host, fp); break;
	}
	if (rc < 0 || fflush(fp) != 0 || ferror(fp))
		return why_errno(why, "writing snapshot");
	return 0;
}

/* write_stream - the snapshot into an open fd (device, FIFO or temporary file), fsync when sync; -1 with why */
static int write_stream(const struct qmodel *m, enum snapshot_format fmt, const char *host, int fd,
			const char *name, int sync, struct why *why)
{
	FILE *fp;

	if ((fp = fdopen(fd, "w")) == NULL) {
		why_errno(why, "fdopen %s", name);
		close(fd);
		return -1;
	}
	if (snapshot_write(m, fmt, host, fp, why) < 0
	    || (sync && fsync(fd) < 0 && why_errno(why, "fsync %s", name) < 0)) {
		fclose(fp);
		return -1;
	}
	if (fclose(fp) != 0)
		return why_errno(why, "closing %s", name);
	return 0;
}

/* write_direct - into a character device or FIFO as it is (no temporary file, no rename); -1 with why */
static int write_direct(const struct qmodel *m, enum snapshot_format fmt, const char *host,
			const char *path, struct why *why)
{
	struct stat sb;
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return why_errno(why, "cannot open %s", path);
	if (fstat(fd, &sb) < 0 || !(S_ISCHR(sb.st_mode) || S_ISFIFO(sb.st_mode))) {
		close(fd);	/* replaced meanwhile: write nothing */
		return why_set(why, "%s changed while it was opened: nothing written", path);
	}
	return write_stream(m, fmt, host, fd, path, 0, why);
}

/* link_target - the file a chain of symbolic links at path ends at, that file possibly missing; -1 with why */
static int link_target(const char *path, char *out, size_t outsz, struct why *why)
{
	char cur[PATH_MAX], link[PATH_MAX], next[PATH_MAX];
	struct stat sb;
	ssize_t n;
	int hops;

	snprintf(cur, sizeof cur, "%s", path);
	for (hops = 0; hops < 40; hops++) {
		if (lstat(cur, &sb) < 0 || !S_ISLNK(sb.st_mode)) {
			if ((size_t)snprintf(out, outsz, "%s", cur) >= outsz)
				return why_set(why, "path too long: %s", cur);
			return 0;
		}
		if ((n = readlink(cur, link, sizeof link - 1)) < 0)
			return why_errno(why, "cannot read the link %s", cur);
		link[n] = '\0';
		if (link[0] == '/' || strchr(cur, '/') == NULL) {
			snprintf(next, sizeof next, "%s", link);
		} else {
			int dirlen = (int)(strrchr(cur, '/') - cur);

			if ((size_t)snprintf(next, sizeof next, "%.*s/%s", dirlen, cur, link) >= sizeof next)
				return why_set(why, "path too long: %s", link);
		}
		memcpy(cur, next, sizeof cur);
	}
	return why_set(why, "%s: too many levels of symbolic links", path);
}

/* open_temp - a new temporary file next to path (O_EXCL); mode as given (the umask applies); fd or -1 */
static int open_temp(const char *path, mode_t mode, char *tmp, size_t tmpsz)
{
	int i, fd;

	for (i = 0; i < 100; i++) {
		if ((size_t)snprintf(tmp, tmpsz, "%s.tmp.%ld.%d", path, (long)getpid(), rand() % 1000000) >= tmpsz) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* write_replace - a regular file at path (old: its stat, NULL when there is none) replaced atomically:
 * temporary file, fsync, rename; the old file's permissions and (as root) owner are kept, a new
 * file gets 0666 less the umask; -1 with why */
static int write_replace(const struct qmodel *m, enum snapshot_format fmt, const char *host,
			 const char *path, const struct stat *old, struct why *why)
{
	char tmp[PATH_MAX];
	int fd;

	if ((fd = open_temp(path, old ? 0600 : 0666, tmp, sizeof tmp)) < 0)
		return why_errno(why, "cannot create a temporary file next to %s", path);
	if (old != NULL && ((geteuid() == 0 && fchown(fd, old->st_uid, old->st_gid) < 0)
			    || fchmod(fd, old->st_mode & 0777) < 0)) {
		why_errno(why, "cannot give %s the mode and owner of %s", tmp, path);
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (write_stream(m, fmt, host, fd, tmp, 1, why) < 0) {
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		why_errno(why, "renaming %s to %s", tmp, path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* snapshot_target_check - 0 when path is a file, character device, FIFO or nothing yet (links followed); -2 with why */
int snapshot_target_check(const char *path, struct why *why)
{
	struct stat sb;

	if (stat(path, &sb) < 0 || S_ISREG(sb.st_mode) || S_ISCHR(sb.st_mode) || S_ISFIFO(sb.st_mode))
		return 0;
	why_set(why, "-o %s: %s: give a file, a character device, a FIFO or - (standard output)", path,
		S_ISDIR(sb.st_mode) ? "is a directory" : S_ISSOCK(sb.st_mode) ? "is a socket (write to - instead)"
		: S_ISBLK(sb.st_mode) ? "is a block device" : "is not a file");
	return -2;
}

/* snapshot_write_file - the same into path: see snapshot.h; -1 with why, -2 when path is refused */
int snapshot_write_file(const struct qmodel *m, enum snapshot_format fmt, const char *host,
			const char *path, struct why *why)
{
	char target[PATH_MAX];
	struct stat sb;

	if (link_target(path, target, sizeof target, why) < 0)
		return -1;
	if (stat(path, &sb) < 0) {
		if (errno != ENOENT)
			return why_errno(why, "cannot use %s", path);
		return write_replace(m, fmt, host, target, NULL, why);	/* new file (also at a dangling link's end) */
	}
	if (S_ISREG(sb.st_mode)) {
		struct stat tb;

		/* the link chain's end must be that file (not so for a deleted file behind /proc/self/fd) */
		if (lstat(target, &tb) < 0 || tb.st_dev != sb.st_dev || tb.st_ino != sb.st_ino)
			return why_set(why, "-o %s: cannot tell which file it names: nothing written", path);
		return write_replace(m, fmt, host, target, &sb, why);
	}
	if (S_ISCHR(sb.st_mode) || S_ISFIFO(sb.st_mode))
		return write_direct(m, fmt, host, path, why);
	return snapshot_target_check(path, why);
}

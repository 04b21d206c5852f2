/* postfix_throttle - the transport map mqmon owns: Postfix's throttle mechanism; see postfix_throttle.h
 *
 * Every change is read-modify-write of the map text under flock() on the
 * configuration directory (so two mqmon processes cannot lose each other's
 * entry), then an atomic rename and postmap. Postfix is only asked through
 * postconf/postmap/postfix with argv arrays, behind the context's command
 * prefix; main.cf and master.cf are changed with `postconf -e` and
 * `postconf -M`, never edited here.
 */
#include "core/postfix/postfix_throttle.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/duration.h"
#include "core/mta/expiry_timer.h"
#include "core/log/logline.h"
#include "core/postfix/postfix_log.h"
#include "core/mta/mta.h"
#include "core/base/sanitize.h"
#include "core/history/store.h"

#define MAP_HEADER \
	"# mqmon_transport - Postfix transport map written by mqmon (mqmon throttle).\n" \
	"# Do not edit: every change rewrites this file and runs postmap. Each entry\n" \
	"# follows a \"# mqmon:\" line with its mode, start, expiry (0 = none) and user.\n"

/* postfix_throttle_own - true when a deferral's text is the pause entry's (not a remote reply) */
int postfix_throttle_own(const char *text, size_t len)
{
	size_t n = sizeof THROTTLE_PAUSE_TEXT - 1;

	while (len > 0 && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n'))
		len--;
	/* error(8) may be given the status code as well: "4.7.0 paused by operator (mqmon)" */
	if (len == n + 6 && memcmp(text, THROTTLE_PAUSE_REASON, 6) == 0) {
		text += 6;
		len -= 6;
	}
	return len == n && memcmp(text, THROTTLE_PAUSE_TEXT, n) == 0;
}

/* postfix_throttle_routes - true when ev is an attempt for t's domain since its start through mqmon's transport */
int postfix_throttle_routes(const struct throttle *t, const struct log_event *ev)
{
	size_t dl = strlen(t->domain), sl = sizeof THROTTLE_SLOW_LOG_SUFFIX - 1;
	const char *at;

	if (ev->kind != LOG_DELIVERY || ev->time < t->since || ev->to.n <= dl
	    || (at = ev->to.p + ev->to.n - dl - 1)[0] != '@' || strncasecmp(at + 1, t->domain, dl) != 0)
		return 0;
	if (t->mode == THROTTLE_PAUSE)
		return ev->status == STATUS_DEFERRED && postfix_throttle_own(ev->reason.p, ev->reason.n);
	return ev->syslog_name.n > sl
		&& memcmp(ev->syslog_name.p + ev->syslog_name.n - sl, THROTTLE_SLOW_LOG_SUFFIX, sl) == 0;
}

/* scan_log - the first attempt each throttle routed, from the end of the mail log; -1 with why */
static int scan_log(const char *path, struct throttle_list *l, struct why *why)
{
	struct log_clock clock;
	struct log_event ev;
	struct stat sb;
	time_t first = 0;
	char *buf, *p, *end;
	size_t i, want = 0;
	off_t start;
	ssize_t got;
	int fd;

	for (i = 0; i < l->n; i++)
		if (l->v[i].seen == 0)
			want++;
	if (want == 0)
		return 0;
	if (path == NULL || path[0] == '\0')
		return why_set(why, "no mail log known for this instance");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return why_errno(why, "cannot read %s", path);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return why_set(why, "%s is not a regular file", path);
	}
	start = sb.st_size > THROTTLE_LOG_TAIL ? sb.st_size - THROTTLE_LOG_TAIL : 0;
	if ((buf = malloc((size_t)(sb.st_size - start) + 1)) == NULL) {
		close(fd);
		return why_errno(why, "reading %s", path);
	}
	got = pread(fd, buf, (size_t)(sb.st_size - start), start);
	close(fd);
	if (got < 0) {
		free(buf);
		return why_errno(why, "reading %s", path);
	}
	buf[got] = '\0';
	log_clock_init(&clock, sb.st_mtime);
	clock.dialect = &postfix_log_dialect;
	p = buf;
	if (start > 0 && (p = memchr(buf, '\n', (size_t)got)) != NULL)
		p++;	/* the first line may be cut */
	for (end = buf + got; p != NULL && p < end; ) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);

		/* cheap filter: only deliveries of interest are parsed */
		if (first == 0 && logline_parse(&clock, p, len, &ev) != LOG_UNPARSED)
			first = ev.time;
		if (memmem(p, len, " to=<", 5) != NULL && logline_parse(&clock, p, len, &ev) == LOG_DELIVERY)
			for (i = 0; i < l->n; i++)
				if (l->v[i].seen == 0 && postfix_throttle_routes(&l->v[i], &ev))
					l->v[i].seen = ev.time;
		p = nl ? nl + 1 : NULL;
	}
	free(buf);
	/* a log that starts after a throttle began may have lost the line that showed it working */
	for (i = 0; i < l->n; i++)
		l->v[i].log_checked = l->v[i].seen != 0 || start == 0 || (first != 0 && first <= l->v[i].since);
	return 0;
}

/* postfix_throttle_value - the map value for t */
void postfix_throttle_value(const struct throttle *t, char *buf, size_t bufsz)
{
	if (t->mode == THROTTLE_PAUSE)
		snprintf(buf, bufsz, "retry:%s", THROTTLE_PAUSE_REASON);
	else
		snprintf(buf, bufsz, "slow:%s", t->nexthop);
}

/* postfix_throttle_map_path - <config_dir>/mqmon_transport into buf; -1 when too long */
int postfix_throttle_map_path(const struct action_ctx *ctx, char *buf, size_t bufsz)
{
	int n = snprintf(buf, bufsz, "%s/%s", ctx->params->config_dir, THROTTLE_MAP_NAME);

	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

/* read_text - a whole file (malloc'd) into *text; 0 with *text NULL when it does not exist; -1 with why */
static int read_text(const char *path, char **text, struct why *why)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	*text = NULL;
	if (fp == NULL)
		return errno == ENOENT ? 0 : why_errno(why, "cannot read %s", path);
	do {
		if (cap - len < 4096) {
			char *b = realloc(buf, cap + 65536);

			if (b == NULL) {
				free(buf);
				fclose(fp);
				return why_errno(why, "reading %s", path);
			}
			buf = b;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, fp);
		len += n;
	} while (n > 0);
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		return why_errno(why, "reading %s", path);
	}
	fclose(fp);
	buf[len] = '\0';
	*text = buf;
	return 0;
}

/* write_atomic_as - text into path through a temporary file and rename, with mode (and, when like is not
 * NULL and we are root, like's owner and group); -1 with why */
static int write_atomic_as(const char *path, const char *text, mode_t mode, const struct stat *like,
			   struct why *why)
{
	char tmp[4200];
	size_t len = strlen(text), off = 0;
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return why_errno(why, "cannot write %s", tmp);
	if (like != NULL && geteuid() == 0 && fchown(fd, like->st_uid, like->st_gid) < 0) {
		why_errno(why, "cannot give %s the owner of the original", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			why_errno(why, "writing %s", tmp);
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0 || close(fd) < 0) {
		why_errno(why, "writing %s", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		why_errno(why, "cannot rename %s to %s", tmp, path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* write_atomic - text into path through a temporary file and rename (mode 0644: the map); -1 with why */
static int write_atomic(const char *path, const char *text, struct why *why)
{
	return write_atomic_as(path, text, 0644, NULL, why);
}

/* copy_file - copy src to dst with src's permissions and (as root) owner, for backups; -1 with why */
static int copy_file(const char *src, const char *dst, struct why *why)
{
	struct stat sb;
	char *text;

	if (read_text(src, &text, why) < 0)
		return -1;
	if (text == NULL)
		return why_set(why, "cannot back up %s: it does not exist", src);
	if (stat(src, &sb) < 0) {
		free(text);
		return why_errno(why, "cannot back up %s", src);
	}
	if (write_atomic_as(dst, text, sb.st_mode & 0777, &sb, why) < 0) {
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

/* trim_nl - cut trailing newlines and blanks */
static void trim_nl(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/* postconf_line - run a postconf command, keep the first line of its output in buf; -1 with why */
static int postconf_line(const struct action_ctx *ctx, char **cmd, const char *what, char *buf,
			 size_t bufsz, struct why *why)
{
	struct proc_result r;

	if (action_exec(ctx, cmd, NULL, 0, &r, why) < 0)
		return -1;
	if (r.status != 0) {
		why_set(why, "postconf -c %s %s failed (exit %d): %.300s", ctx->params->config_dir, what,
			r.status, r.errlen ? r.err : "no message");
		proc_result_free(&r);
		return -1;
	}
	snprintf(buf, bufsz, "%.*s", (int)strcspn(r.out, "\n"), r.out);
	trim_nl(buf);
	proc_result_free(&r);
	return 0;
}

/* postconf_get - `postconf -c DIR [-x] [-n] -h NAME` into buf (first line); -1 with why */
static int postconf_get(const struct action_ctx *ctx, const char *flags, const char *name, char *buf,
			size_t bufsz, struct why *why)
{
	char *cmd[8], what[300];
	int n = 0;

	cmd[n++] = "postconf";
	cmd[n++] = "-c";
	cmd[n++] = (char *)ctx->params->config_dir;
	if (flags != NULL)
		cmd[n++] = (char *)flags;
	cmd[n++] = "-h";
	cmd[n++] = (char *)name;
	cmd[n] = NULL;
	snprintf(what, sizeof what, "-h %.290s", name);
	return postconf_line(ctx, cmd, what, buf, bufsz, why);
}

/* master_entry - master.cf's line for service (e.g. "slow/unix") into buf, "" when none; -1 with why */
static int master_entry(const struct action_ctx *ctx, const char *service, char *buf, size_t bufsz,
			struct why *why)
{
	char *cmd[] = { "postconf", "-c", (char *)ctx->params->config_dir, "-M", (char *)service, NULL };
	char what[300];

	snprintf(what, sizeof what, "-M %.290s", service);
	return postconf_line(ctx, cmd, what, buf, bufsz, why);
}

/* master_field - the n-th (0-based) blank-separated field of a master.cf line into buf */
static void master_field(const char *line, int n, char *buf, size_t bufsz)
{
	const char *p = line;

	buf[0] = '\0';
	for (; n >= 0; n--) {
		size_t len;

		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (len == 0)
			return;
		if (n == 0)
			snprintf(buf, bufsz, "%.*s", (int)len, p);
		p += len;
	}
}

/* split_maps - the map specifications of a *_maps value (commas/blanks, braces kept whole) */
static void split_maps(const char *v, struct strlist *out)
{
	char tok[4096];
	size_t n = 0;
	int depth = 0;

	for (;; v++) {
		char c = *v;

		if (c == '\0' || (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n'))) {
			if (n > 0) {
				tok[n] = '\0';
				strlist_add(out, tok);
				n = 0;
			}
			if (c == '\0')
				return;
			continue;
		}
		if (c == '{')
			depth++;
		else if (c == '}' && depth > 0)
			depth--;
		if (n + 1 < sizeof tok)
			tok[n++] = c;
	}
}

/* ends_with_path - true when map spec is TYPE:path; the TYPE into type */
static int spec_is_path(const char *spec, const char *path, char *type, size_t typesz)
{
	size_t sl = strlen(spec), pl = strlen(path);

	if (sl < pl + 2 || strcmp(spec + sl - pl, path) != 0 || spec[sl - pl - 1] != ':')
		return 0;
	if (type != NULL)
		snprintf(type, typesz, "%.*s", (int)(sl - pl - 1), spec);
	return 1;
}

/* map_state - is our map in transport_maps (1/0), its TYPE or the type to use; -1 with why */
static int map_state(const struct action_ctx *ctx, const char *path, char *type, size_t typesz,
		     struct why *why)
{
	char value[8192];
	struct strlist maps = { 0 };
	struct proc_result r;
	char *cmd[] = { "postconf", "-c", (char *)ctx->params->config_dir, "-m", NULL };
	size_t i;
	int found = 0;

	if (postconf_get(ctx, "-x", "transport_maps", value, sizeof value, why) < 0)
		return -1;
	split_maps(value, &maps);
	for (i = 0; i < maps.n && !found; i++)
		found = spec_is_path(maps.v[i], path, type, typesz);
	strlist_free(&maps);
	if (found)
		return 1;
	snprintf(type, typesz, "hash");
	if (action_exec(ctx, cmd, NULL, 0, &r, why) < 0)
		return -1;
	if (r.status == 0) {
		const char *p = r.out;

		while (*p) {
			size_t n = strcspn(p, "\n");

			if (n == 4 && strncmp(p, "lmdb", 4) == 0)
				snprintf(type, typesz, "lmdb");
			p += n + (p[n] == '\n');
		}
	}
	proc_result_free(&r);
	return 0;
}

/* run_postmap - `postmap -c DIR TYPE:PATH`; status into *status; -1 with why when it failed */
static int run_postmap(const struct action_ctx *ctx, const char *type, const char *path, char *args,
		       size_t argssz, char **output, int *status, struct why *why)
{
	char spec[4200];
	char *cmd[] = { "postmap", "-c", (char *)ctx->params->config_dir, spec, NULL };
	struct proc_result r;

	snprintf(spec, sizeof spec, "%s:%s", type, path);
	if (args != NULL)
		action_argv_text(cmd, args, argssz);
	*status = 127;
	if (action_exec(ctx, cmd, NULL, 0, &r, why) < 0)
		return -1;
	*status = r.status;
	if (output != NULL)
		*output = r.errlen ? strdup(r.err) : NULL;
	if (r.status != 0) {
		why_set(why, "postmap %s failed (exit %d): %.300s", spec, r.status, r.errlen ? r.err : "no message");
		proc_result_free(&r);
		return -1;
	}
	proc_result_free(&r);
	return 0;
}

/* lock_dir - flock the configuration directory (serialises mqmon processes); fd or -1 with why */
static int lock_dir(const struct action_ctx *ctx, struct why *why)
{
	int fd = open(ctx->params->config_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return why_errno(why, "cannot open %s", ctx->params->config_dir);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			why_errno(why, "cannot lock %s", ctx->params->config_dir);
			close(fd);
			return -1;
		}
	return fd;
}

/* unlock_dir - release lock_dir's lock */
static void unlock_dir(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* warn - a non-fatal problem for the caller to show */
static void warn(const struct action_ctx *ctx, const char *text)
{
	action_warn(ctx, "%s", text);
}

/* audit_refused - the audit row of a refused throttle change (read-only, not set up, bad domain) */
static void audit_refused(const struct action_ctx *ctx, enum audit_verb verb, const char *domain,
			  enum action_error err, const struct why *why)
{
	char target[300], msg[1200];
	struct why w;

	if (ctx->store == NULL || (err != ACTION_E_INVALID && err != ACTION_E_READ_ONLY
				   && err != ACTION_E_UNSUPPORTED && err != ACTION_E_CONFIG))
		return;
	sanitize_text(target, sizeof target, domain ? domain : "", domain ? strlen(domain) : 0);
	if (action_audit_refusal(ctx, verb, target, why->text, &w) < 0) {
		snprintf(msg, sizeof msg, "the audit row could not be written: %s", w.text);
		warn(ctx, msg);
	}
}

/* throttle_target - an audit row's target: "gmail.com pause 2h00m" (from since to until), "... no expiry" */
static void throttle_target(char *buf, size_t n, const char *domain, enum throttle_mode mode, time_t since,
			    time_t until)
{
	char d[32];
	long len = (long)(until - since);

	/* until was set when the operator answered, since a moment later: 2h, not 1h59m */
	if (len >= 120)
		len = (len + 30) / 60 * 60;
	if (until != 0)
		duration_format(d, sizeof d, len);
	snprintf(buf, n, "%.253s %s %s", domain, throttle_mode_name(mode), until != 0 ? d : "no expiry");
}

/* audit - one audit row, a warning when it cannot be written */
static void audit(const struct action_ctx *ctx, enum audit_verb verb, const char *target, const char *args,
		  int result, int ok, const char *output)
{
	struct why w;
	char msg[1200];

	if (ctx->store != NULL && action_audit(ctx, verb, target, args, result, ok, output, &w) < 0) {
		snprintf(msg, sizeof msg, "the audit row could not be written: %s", w.text);
		warn(ctx, msg);
	}
}

/* bump_mtime - make the indexed map's mtime a second later than the postmap that wrote it
 *
 * postmap rewrites hash/lmdb files in place, and Postfix daemons notice a
 * changed table by its mtime in whole seconds: one that opened the old
 * table in the very second postmap wrote the new one would never restart.
 * So wait for the next second and touch the file again (through the
 * prefix when we may not touch it ourselves).
 */
static void bump_mtime(const struct action_ctx *ctx, const char *type, const char *path)
{
	const char *suffix = strcmp(type, "lmdb") == 0 ? "lmdb" : strcmp(type, "cdb") == 0 ? "cdb"
		: (strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0) ? "db" : NULL;
	char db[4300];
	struct stat sb;
	struct timespec now;
	int i;

	if (suffix == NULL)
		return;
	snprintf(db, sizeof db, "%s.%s", path, suffix);
	if (stat(db, &sb) < 0)
		return;
	for (i = 0; i < 30; i++) {
		clock_gettime(CLOCK_REALTIME, &now);
		if (now.tv_sec > sb.st_mtime)
			break;
		nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
	}
	if (utimensat(AT_FDCWD, db, NULL, 0) < 0 && ctx->prefix != NULL) {
		char *cmd[] = { "touch", "-c", db, NULL };
		struct proc_result r;
		struct why w;

		if (action_exec(ctx, cmd, NULL, 0, &r, &w) == 0)
			proc_result_free(&r);
	}
}

/* save_map - write l over the map and postmap it; on postmap failure put old_text back; -1 with why */
static int save_map(const struct action_ctx *ctx, const char *type, const char *path,
		    const struct throttle_list *l, const char *old_text, char *args, size_t argssz,
		    char **output, int *status, enum action_error *err, struct why *why)
{
	char *text = throttle_render(l, MAP_HEADER, postfix_throttle_value);
	struct why w;

	*status = -1;
	if (text == NULL) {
		*err = ACTION_E_IO;
		return why_errno(why, "rendering %s", path);
	}
	if (write_atomic(path, text, why) < 0) {
		free(text);
		*err = ACTION_E_IO;
		return -1;
	}
	free(text);
	if (run_postmap(ctx, type, path, args, argssz, output, status, why) < 0) {
		*err = ACTION_E_MTA;
		if (old_text != NULL && write_atomic(path, old_text, &w) < 0)
			warn(ctx, w.text);
		else if (old_text == NULL)
			unlink(path);
		return -1;
	}
	bump_mtime(ctx, type, path);
	return 0;
}

/* reload_for_map - `postfix -c DIR reload`, so that trivial-rewrite routes by the changed map now
 * (it would keep the old one open for seconds to minutes); a failure is a warning: the map is
 * changed and Postfix applies it when trivial-rewrite restarts by itself */
static void reload_for_map(const struct action_ctx *ctx)
{
	char *cmd[] = { "postfix", "-c", (char *)ctx->params->config_dir, "reload", NULL };
	struct proc_result r;
	struct why w;
	char msg[700];

	if (action_exec(ctx, cmd, NULL, 0, &r, &w) < 0) {
		snprintf(msg, sizeof msg, "postfix reload failed (%.300s): Postfix applies the changed map when "
			 "trivial-rewrite restarts by itself", w.text);
		warn(ctx, msg);
		return;
	}
	if (r.status != 0) {
		snprintf(msg, sizeof msg, "postfix reload failed (exit %d: %.300s): Postfix applies the changed map "
			 "when trivial-rewrite restarts by itself", r.status, r.errlen ? r.err : "no message");
		warn(ctx, msg);
	}
	proc_result_free(&r);
}

/* clean_user - the audit user with anything but [A-Za-z0-9._@-] as '_' */
static void clean_user(const struct action_ctx *ctx, char *buf, size_t bufsz)
{
	char *p;

	if (ctx->user != NULL)
		snprintf(buf, bufsz, "%s", ctx->user);
	else
		action_user(buf, bufsz);
	for (p = buf; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._@-", *p))
			*p = '_';
}

/* load - the map's entries (a missing map is an empty list); -1 with why */
static int load(const struct action_ctx *ctx, struct throttle_list *l, struct why *why)
{
	char path[4200], *text;
	int rc;

	if (postfix_throttle_map_path(ctx, path, sizeof path) < 0)
		return why_set(why, "configuration directory path too long");
	if (read_text(path, &text, why) < 0)
		return -1;
	rc = text ? throttle_parse(text, l, why) : 0;
	free(text);
	return rc;
}

/* transport_ok_for_slow - true when transport is empty, smtp/relay, or a master.cf service running smtp */
static int transport_ok_for_slow(const struct action_ctx *ctx, const char *transport)
{
	char service[300], line[2048], prog[256];
	struct why w;

	if (transport[0] == '\0' || strcmp(transport, "smtp") == 0 || strcmp(transport, "relay") == 0)
		return 1;
	snprintf(service, sizeof service, "%s/unix", transport);
	if (master_entry(ctx, service, line, sizeof line, &w) < 0 || line[0] == '\0')
		return 0;
	master_field(line, 7, prog, sizeof prog);
	return strcmp(prog, "smtp") == 0;
}

/* route_of - the next-hop mail for domain takes now (operator's transport maps, then relayhost); -1 with why */
static int route_of(const struct action_ctx *ctx, const char *domain, const char *ourpath, char *nexthop,
		    size_t nhsz, enum action_error *err, struct why *why)
{
	char value[8192], keys[THROTTLE_DOMAIN_MAX * 4 + 64], found[32][512], where[32][300];
	const char *key[32], *p;
	struct strlist maps = { 0 };
	size_t nkeys = 0, i, k, off = 0;

	if (postconf_get(ctx, "-x", "transport_maps", value, sizeof value, why) < 0) {
		*err = ACTION_E_MTA;
		return -1;
	}
	/* lookup keys in Postfix's order: the domain, its parents as .parent, then * */
	key[nkeys++] = domain;
	for (p = strchr(domain, '.'); p != NULL && nkeys < 30; p = strchr(p + 1, '.'))
		key[nkeys++] = p;
	key[nkeys++] = "*";
	for (k = 0; k < nkeys; k++) {
		off += (size_t)snprintf(keys + off, sizeof keys - off, "%s\n", key[k]);
		found[k][0] = where[k][0] = '\0';
	}
	split_maps(value, &maps);
	for (i = 0; i < maps.n; i++) {
		char *cmd[] = { "postmap", "-c", (char *)ctx->params->config_dir, "-q", "-", maps.v[i], NULL };
		struct proc_result r;
		struct why w;

		if (spec_is_path(maps.v[i], ourpath, NULL, 0))
			continue;
		if (action_exec(ctx, cmd, keys, off, &r, &w) < 0)
			continue;
		for (p = r.out; *p; ) {
			size_t n = strcspn(p, "\n"), kl = strcspn(p, "\t");

			for (k = 0; kl < n && k < nkeys; k++)
				if (found[k][0] == '\0' && strlen(key[k]) == kl && strncmp(p, key[k], kl) == 0) {
					snprintf(found[k], sizeof found[k], "%.*s", (int)(n - kl - 1), p + kl + 1);
					snprintf(where[k], sizeof where[k], "%s", maps.v[i]);
				}
			p += n + (p[n] == '\n');
		}
		proc_result_free(&r);
	}
	strlist_free(&maps);
	for (k = 0; k < nkeys; k++) {
		char transport[256];
		const char *colon;

		if (found[k][0] == '\0')
			continue;
		colon = strchr(found[k], ':');
		snprintf(transport, sizeof transport, "%.*s",
			 (int)(colon ? (size_t)(colon - found[k]) : strlen(found[k])), found[k]);
		if (!transport_ok_for_slow(ctx, transport)) {
			*err = ACTION_E_CONFIG;
			return why_set(why, "%s is routed to '%.200s' by %.200s (key %s): slow only applies to smtp "
				       "routes (use --pause)", domain, found[k], where[k], key[k]);
		}
		snprintf(nexthop, nhsz, "%s", colon ? colon + 1 : "");
		return 0;
	}
	if (postconf_get(ctx, "-x", "relayhost", value, sizeof value, why) < 0) {
		*err = ACTION_E_MTA;
		return -1;
	}
	snprintf(nexthop, nhsz, "%.255s", value);
	return 0;
}

/* check_ready - refuse unless read-write, Postfix, our map in transport_maps; the map TYPE; -1 with why */
static int check_ready(const struct action_ctx *ctx, const char *what, const char *path, char *type,
		       size_t typesz, enum action_error *err, struct why *why)
{
	int st;

	if (ctx->read_only) {
		*err = ACTION_E_READ_ONLY;
		return why_set(why, "%s refused: mqmon is in read-only mode (--read-only or read_only = yes)", what);
	}
	if ((st = map_state(ctx, path, type, typesz, why)) < 0) {
		*err = ACTION_E_MTA;
		return -1;
	}
	return st;
}

/* set_entry - throttle_set's work: refusals come back with *err but unaudited */
static int set_entry(const struct action_ctx *ctx, const char *domain, enum throttle_mode mode,
		     time_t until, enum action_error *err, struct why *why)
{
	char path[4200], type[64], line[2048], nexthop[256] = "", args[8400], value[512], *old = NULL;
	char *output = NULL, target[300];
	struct throttle_list l = { 0 };
	struct throttle *t;
	enum action_error dummy;
	struct why w;
	int fd, st, status = -1, rc = -1;

	if (err == NULL)
		err = &dummy;
	*err = ACTION_E_NONE;
	if (throttle_domain_valid(domain, why) < 0) {
		*err = ACTION_E_INVALID;
		return -1;
	}
	if (postfix_throttle_map_path(ctx, path, sizeof path) < 0) {
		*err = ACTION_E_INVALID;
		return why_set(why, "configuration directory path too long");
	}
	if ((st = check_ready(ctx, "throttle", path, type, sizeof type, err, why)) < 0)
		return -1;
	if (st == 0) {
		*err = ACTION_E_CONFIG;
		return why_set(why, "%s is not in transport_maps of %s: run `mqmon throttle --setup` first",
			       path, ctx->params->config_dir);
	}
	if (master_entry(ctx, mode == THROTTLE_SLOW ? "slow/unix" : "retry/unix", line, sizeof line, why) < 0) {
		*err = ACTION_E_MTA;
		return -1;
	}
	if (line[0] == '\0') {
		*err = ACTION_E_CONFIG;
		return why_set(why, "master.cf of %s has no %s service: run `mqmon throttle --setup` first",
			       ctx->params->config_dir, mode == THROTTLE_SLOW ? "slow" : "retry");
	}
	if (mode == THROTTLE_SLOW && route_of(ctx, domain, path, nexthop, sizeof nexthop, err, why) < 0)
		return -1;

	if ((fd = lock_dir(ctx, why)) < 0) {
		*err = ACTION_E_IO;
		return -1;
	}
	if (read_text(path, &old, why) < 0 || (old != NULL && throttle_parse(old, &l, why) < 0)) {
		*err = ACTION_E_IO;
		goto out;
	}
	if ((t = throttle_find(&l, domain)) == NULL && (t = throttle_list_add(&l)) == NULL) {
		*err = ACTION_E_IO;
		why_errno(why, "throttle");
		goto out;
	}
	memset(t, 0, sizeof *t);
	snprintf(t->domain, sizeof t->domain, "%s", domain);
	t->mode = mode;
	snprintf(t->nexthop, sizeof t->nexthop, "%s", nexthop);
	t->since = time(NULL);
	t->until = until;
	clean_user(ctx, t->user, sizeof t->user);
	postfix_throttle_value(t, value, sizeof value);
	throttle_target(target, sizeof target, domain, mode, t->since, until);
	if (save_map(ctx, type, path, &l, old, args, sizeof args, &output, &status, err, why) < 0) {
		char full[9000];

		snprintf(full, sizeof full, "%s %s -> %s", domain, value, args);
		audit(ctx, AUDIT_THROTTLE, target, full, status, 0, why->text);
		goto out;
	}
	{
		char full[9000];

		snprintf(full, sizeof full, "%s %s (until %lld) -> %.4000s; postfix reload", domain, value,
			 (long long)until, args);
		audit(ctx, AUDIT_THROTTLE, target, full, status, 1, output);
	}
	reload_for_map(ctx);
	if (ctx->store != NULL
	    && store_set_throttle(ctx->store, domain, mode, t->since, until,
				  t->user, &w) < 0)
		warn(ctx, w.text);
	rc = 0;
out:
	unlock_dir(fd);
	free(old);
	free(output);
	throttle_list_free(&l);
	return rc;
}

/* set - slow or pause domain until `until` (0 = no expiry); -1 with why and *err (a refusal is audited too) */
static int set(const struct action_ctx *ctx, const char *domain, enum throttle_mode mode,
		 time_t until, enum action_error *err, struct why *why)
{
	enum action_error dummy;
	int rc;

	if (err == NULL)
		err = &dummy;
	if ((rc = set_entry(ctx, domain, mode, until, err, why)) < 0)
		audit_refused(ctx, AUDIT_THROTTLE, domain, *err, why);
	return rc;
}

/* remove_entries - drop the named domains from the map (under the lock); number removed, -1 with why */
static int remove_entries(const struct action_ctx *ctx, const char *only, time_t now,
			  struct strlist *removed, enum action_error *err, struct why *why)
{
	char path[4200], type[64], args[8400], *old = NULL, *output = NULL, full[9000];
	struct throttle_list l = { 0 };
	struct strlist gone = { 0 };
	size_t i;
	int fd, status, rc = -1, st;

	if (postfix_throttle_map_path(ctx, path, sizeof path) < 0) {
		*err = ACTION_E_INVALID;
		return why_set(why, "configuration directory path too long");
	}
	if ((fd = lock_dir(ctx, why)) < 0) {
		*err = ACTION_E_IO;
		return -1;
	}
	if (read_text(path, &old, why) < 0 || (old != NULL && throttle_parse(old, &l, why) < 0)) {
		*err = ACTION_E_IO;
		goto out;
	}
	for (i = 0; i < l.n; ) {
		struct throttle *t = &l.v[i];

		if (only != NULL ? strcmp(t->domain, only) == 0 : (t->until != 0 && t->until <= now)) {
			strlist_add(&gone, t->domain);
			throttle_list_remove(&l, t);
		} else {
			i++;
		}
	}
	if (gone.n == 0) {
		rc = 0;
		goto out;
	}
	/* the type transport_maps names (or the default when not set up) */
	if ((st = map_state(ctx, path, type, sizeof type, why)) < 0) {
		*err = ACTION_E_MTA;
		goto out;
	}
	if (save_map(ctx, type, path, &l, old, args, sizeof args, &output, &status, err, why) < 0) {
		for (i = 0; i < gone.n; i++) {
			snprintf(full, sizeof full, "remove %s -> %s", gone.v[i], args);
			audit(ctx, AUDIT_UNTHROTTLE, gone.v[i], full, status, 0, why->text);
		}
		goto out;
	}
	reload_for_map(ctx);
	for (i = 0; i < gone.n; i++) {
		snprintf(full, sizeof full, "remove %.300s%s -> %.4000s; postfix reload", gone.v[i],
			 only ? "" : " (expired)", args);
		audit(ctx, AUDIT_UNTHROTTLE, gone.v[i], full, status, 1, only ? output : "expired");
		if (removed != NULL)
			strlist_add(removed, gone.v[i]);
	}
	rc = (int)gone.n;
out:
	/* the store follows the map even when the map had nothing to remove */
	if (rc >= 0 && ctx->store != NULL) {
		struct why w;

		if (only != NULL && store_clear_throttle(ctx->store, only, &w) < 0)
			warn(ctx, w.text);
		for (i = 0; only == NULL && i < gone.n; i++)
			if (store_clear_throttle(ctx->store, gone.v[i], &w) < 0)
				warn(ctx, w.text);
	}
	unlock_dir(fd);
	free(old);
	free(output);
	strlist_free(&gone);
	throttle_list_free(&l);
	return rc;
}

/* clear - remove domain's throttle; 1 removed, 0 there was none, -1 with why and *err (a refusal is audited) */
static int clear(const struct action_ctx *ctx, const char *domain, enum action_error *err,
		   struct why *why)
{
	enum action_error dummy;

	if (err == NULL)
		err = &dummy;
	*err = ACTION_E_NONE;
	if (throttle_domain_valid(domain, why) < 0) {
		*err = ACTION_E_INVALID;
	} else if (ctx->read_only) {
		*err = ACTION_E_READ_ONLY;
		why_set(why, "unthrottle refused: mqmon is in read-only mode (--read-only or read_only = yes)");
	} else {
		return remove_entries(ctx, domain, 0, NULL, err, why);
	}
	audit_refused(ctx, AUDIT_UNTHROTTLE, domain, *err, why);
	return -1;
}

/* expired_in_store - collect store throttles whose until has passed */
static int expired_in_store(void *vctx, const struct store_throttle *t)
{
	struct { struct strlist *l; time_t now; } *c = vctx;

	if (t->until != 0 && t->until <= c->now && t->domain != NULL)
		strlist_add(c->l, t->domain);
	return 0;
}

/* expire - remove throttles whose until <= now from the map and the store; number removed, -1 with why */
static int expire(const struct action_ctx *ctx, time_t now, struct strlist *removed, struct why *why)
{
	enum action_error err;
	struct throttle_list l = { 0 };
	size_t i;
	int rc, due = 0;

	if (ctx->read_only)
		return 0;
	/* look before locking: nothing due is the common case and needs no write access */
	if (load(ctx, &l, why) < 0)
		return -1;
	for (i = 0; i < l.n; i++)
		if (l.v[i].until != 0 && l.v[i].until <= now)
			due = 1;
	throttle_list_free(&l);
	rc = due ? remove_entries(ctx, NULL, now, removed, &err, why) : 0;
	if (rc >= 0 && ctx->store != NULL) {
		struct strlist stale = { 0 };
		struct { struct strlist *l; time_t now; } c = { &stale, now };
		struct why w;

		if (store_throttles(ctx->store, expired_in_store, &c, &w) >= 0)
			for (i = 0; i < stale.n; i++)
				store_clear_throttle(ctx->store, stale.v[i], &w);
		strlist_free(&stale);
	}
	return rc;
}

/* setup_step - report one step; with apply run cmd; -1 with why when it failed */
static int setup_step(const struct action_ctx *ctx, int apply, char **cmd, struct strlist *report,
		      struct strlist *done, struct why *why)
{
	char text[8400];
	struct proc_result r;

	action_argv_text(cmd, text, sizeof text);
	strlist_addf(report, "  %s %s", apply ? "run:" : "would run:", text);
	if (!apply)
		return 0;
	if (action_exec(ctx, cmd, NULL, 0, &r, why) < 0)
		return -1;
	if (r.status != 0) {
		why_set(why, "%s failed (exit %d): %.300s", text, r.status, r.errlen ? r.err : "no message");
		proc_result_free(&r);
		return -1;
	}
	proc_result_free(&r);
	strlist_add(done, text);
	return 0;
}

/* backup - copy DIR/name to DIR/name.mqmon-bak (or .mqmon-bak.EPOCH when that exists); -1 with why */
static int backup(const struct action_ctx *ctx, const char *name, struct strlist *report, struct why *why)
{
	char src[4200], dst[4300];
	struct stat sb;

	snprintf(src, sizeof src, "%s/%s", ctx->params->config_dir, name);
	snprintf(dst, sizeof dst, "%s.mqmon-bak", src);
	if (stat(dst, &sb) == 0)
		snprintf(dst, sizeof dst, "%s.mqmon-bak.%lld", src, (long long)time(NULL));
	if (copy_file(src, dst, why) < 0)
		return -1;
	strlist_addf(report, "  backup: %s -> %s", src, dst);
	return 0;
}

/* expiry_step - report (and with apply install) the job that expires throttles without mqmon; -1 with why */
static int expiry_step(const struct action_ctx *ctx, int apply, struct strlist *report, struct strlist *done,
		       struct why *why)
{
	const char *db = ctx->store != NULL ? store_path(ctx->store) : NULL;
	struct expiry_plan plan;
	struct why w;
	int i;

	if (db != NULL && db[0] != '/')
		db = NULL;	/* ":memory:" */
	if (expiry_plan_make(ctx->params->config_dir, NULL, db, &plan, &w) < 0) {
		strlist_addf(report, "  warning: no expiry timer: %s; throttles given --for expire only while an "
			     "mqmon command or console runs", w.text);
		return 0;
	}
	if (plan.kind == EXPIRY_NONE) {
		strlist_addf(report, "  warning: neither systemd nor /etc/cron.d found: throttles given --for expire "
			     "only while an mqmon command or console runs (or run `%s` every minute)", plan.command);
		return 0;
	}
	if (expiry_plan_installed(&plan)) {
		strlist_addf(report, "  ok: expiry %s %s runs `%s`", plan.kind == EXPIRY_SYSTEMD ? "timer" : "cron entry",
			     plan.kind == EXPIRY_SYSTEMD ? plan.path[1] : plan.path[0], plan.command);
		return 0;
	}
	for (i = 0; i < plan.nfiles; i++)
		strlist_addf(report, "  %s %s (runs `%s` %s)", apply ? "write:" : "would write:", plan.path[i],
			     plan.command, plan.kind == EXPIRY_SYSTEMD ? "every 15 s" : "every minute");
	if (apply) {
		if (geteuid() != 0 && plan.system_root)
			return why_set(why, "installing the expiry %s needs root: run --setup --apply as root",
				       plan.kind == EXPIRY_SYSTEMD ? "timer" : "cron entry");
		if (expiry_plan_write(&plan, why) < 0)
			return -1;
		for (i = 0; i < plan.nfiles; i++)
			strlist_addf(done, "wrote %s", plan.path[i]);
	}
	if (plan.kind == EXPIRY_SYSTEMD) {
		char unit[260];
		char *reload_cmd[] = { "systemctl", "daemon-reload", NULL };
		char *enable_cmd[] = { "systemctl", "enable", "--now", unit, NULL };

		snprintf(unit, sizeof unit, "%s.timer", plan.name);
		if (!plan.system_root) {
			strlist_addf(report, "  not run (MQMON_SYSTEM_ROOT is set): systemctl daemon-reload; "
				     "systemctl enable --now %s", unit);
			return 0;
		}
		if (setup_step(ctx, apply, reload_cmd, report, done, why) < 0
		    || setup_step(ctx, apply, enable_cmd, report, done, why) < 0)
			return -1;
	}
	return 0;
}

/* setup - the one-time main.cf/master.cf changes; with apply make them, with reload reload; -1 with why */
static int setup(const struct action_ctx *ctx, int apply, int reload, struct strlist *report,
		   enum action_error *err, struct why *why)
{
	char path[4200], type[64], line[2048], smtp_line[2048], syslog_name[256], entry[4096];
	char raw_maps[8192], newmaps[12600], spec[4300], value[256], dbpath[4300];
	const char *dir = ctx->params->config_dir;
	struct strlist done = { 0 };
	int in_maps, main_changes = 0, master_changes = 0, rc = -1, i;
	enum action_error dummy;
	struct stat sb;
	static const struct { const char *name, *value; } params[] = {
		{ "slow_destination_rate_delay", "1s" },
		{ "slow_destination_concurrency_failed_cohort_limit", "100" },
	};

	if (err == NULL)
		err = &dummy;
	*err = ACTION_E_NONE;
	if (postfix_throttle_map_path(ctx, path, sizeof path) < 0) {
		*err = ACTION_E_INVALID;
		return why_set(why, "configuration directory path too long");
	}
	if (apply && ctx->read_only) {
		*err = ACTION_E_READ_ONLY;
		return why_set(why, "throttle --setup --apply refused: mqmon is in read-only mode");
	}
	*err = ACTION_E_MTA;
	if ((in_maps = map_state(ctx, path, type, sizeof type, why)) < 0)
		return -1;
	snprintf(spec, sizeof spec, "%s:%s", type, path);
	strlist_addf(report, "mqmon throttle setup for the Postfix instance at %s (%s):", dir,
		     apply ? "applying" : "dry run, nothing is changed without --apply");

	/* 1. the map itself, so transport_maps never names a missing table */
	snprintf(dbpath, sizeof dbpath, "%s.%s", path, strcmp(type, "hash") == 0 ? "db" : type);
	if (stat(path, &sb) == 0 && stat(dbpath, &sb) == 0) {
		strlist_addf(report, "  ok: map %s exists", spec);
	} else {
		struct throttle_list l = { 0 };
		char *old = NULL, args[8400], *output = NULL;
		int status, fd;

		strlist_addf(report, "  %s map %s (empty), then postmap -c %s %s", apply ? "create:" : "would create:",
			     path, dir, spec);
		if (apply) {
			if ((fd = lock_dir(ctx, why)) < 0)
				goto out;
			if (read_text(path, &old, why) < 0 || (old != NULL && throttle_parse(old, &l, why) < 0)
			    || save_map(ctx, type, path, &l, old, args, sizeof args, &output, &status, err, why) < 0) {
				*err = ACTION_E_MTA;
				unlock_dir(fd);
				free(old);
				free(output);
				throttle_list_free(&l);
				goto out;
			}
			unlock_dir(fd);
			free(old);
			free(output);
			throttle_list_free(&l);
			strlist_addf(&done, "created %s", spec);
		}
	}

	/* 2. master.cf: the slow smtp clone and the retry service */
	if (master_entry(ctx, "slow/unix", line, sizeof line, why) < 0)
		goto out;
	if (line[0] != '\0') {
		strlist_addf(report, "  ok: master.cf has the slow service: %s", line);
	} else {
		char *cmd[] = { "postconf", "-c", (char *)dir, "-M", entry, NULL };
		char f[8][256];
		int k;

		if (postconf_get(ctx, "-x", "syslog_name", syslog_name, sizeof syslog_name, why) < 0
		    || master_entry(ctx, "smtp/unix", smtp_line, sizeof smtp_line, why) < 0)
			goto out;
		if (strchr(syslog_name, '$') != NULL || syslog_name[0] == '\0')
			snprintf(syslog_name, sizeof syslog_name, "postfix");
		/* a copy of smtp/unix (same privilege and chroot columns), logging as NAME/slow */
		for (k = 0; k < 8; k++)
			master_field(smtp_line, k, f[k], sizeof f[k]);
		if (smtp_line[0] == '\0' || strcmp(f[7], "smtp") != 0)
			for (k = 0; k < 8; k++)
				snprintf(f[k], sizeof f[k], "%s",
					 (const char *[]){ "smtp", "unix", "-", "-", "n", "-", "-", "smtp" }[k]);
		snprintf(entry, sizeof entry, "slow/unix=slow unix %s %s %s %s %s smtp -o syslog_name=%s/slow",
			 f[2], f[3], f[4], f[5], f[6], syslog_name);
		if (apply && !master_changes && backup(ctx, "master.cf", report, why) < 0) {
			*err = ACTION_E_IO;
			goto out;
		}
		if (setup_step(ctx, apply, cmd, report, &done, why) < 0)
			goto out;
		master_changes++;
	}
	if (master_entry(ctx, "retry/unix", line, sizeof line, why) < 0)
		goto out;
	if (line[0] != '\0') {
		strlist_addf(report, "  ok: master.cf has the retry service: %s", line);
	} else {
		char *cmd[] = { "postconf", "-c", (char *)dir, "-M", entry, NULL };

		snprintf(entry, sizeof entry, "retry/unix=retry unix - - n - - error");
		if (apply && !master_changes && backup(ctx, "master.cf", report, why) < 0) {
			*err = ACTION_E_IO;
			goto out;
		}
		if (setup_step(ctx, apply, cmd, report, &done, why) < 0)
			goto out;
		master_changes++;
	}

	/* 3. main.cf: the slow transport's limits (an operator's own value is kept) */
	for (i = 0; i < (int)(sizeof params / sizeof params[0]); i++) {
		char assign[300];
		char *cmd[] = { "postconf", "-c", (char *)dir, "-e", assign, NULL };

		if (postconf_get(ctx, "-n", params[i].name, value, sizeof value, why) < 0)
			goto out;
		if (value[0] != '\0') {
			strlist_addf(report, "  ok: %s = %s%s", params[i].name, value,
				     strcmp(value, params[i].value) ? " (operator's value kept)" : "");
			continue;
		}
		snprintf(assign, sizeof assign, "%s=%s", params[i].name, params[i].value);
		if (apply && !main_changes && backup(ctx, "main.cf", report, why) < 0) {
			*err = ACTION_E_IO;
			goto out;
		}
		if (setup_step(ctx, apply, cmd, report, &done, why) < 0)
			goto out;
		main_changes++;
	}

	/* 4. transport_maps: our map first, the operator's maps after it, unchanged */
	if (in_maps) {
		strlist_addf(report, "  ok: transport_maps includes %s", spec);
	} else {
		char *cmd[] = { "postconf", "-c", (char *)dir, "-e", newmaps, NULL };

		if (postconf_get(ctx, NULL, "transport_maps", raw_maps, sizeof raw_maps, why) < 0)
			goto out;
		snprintf(newmaps, sizeof newmaps, "transport_maps=%s%s%s", spec, raw_maps[0] ? ", " : "", raw_maps);
		if (apply && !main_changes && backup(ctx, "main.cf", report, why) < 0) {
			*err = ACTION_E_IO;
			goto out;
		}
		if (setup_step(ctx, apply, cmd, report, &done, why) < 0)
			goto out;
		main_changes++;
	}

	/* 5. expiry without a running mqmon: a systemd timer, else a cron.d entry */
	if (expiry_step(ctx, apply, report, &done, why) < 0)
		goto out;

	/* 6. reload: whenever asked (the running Postfix may not have loaded an earlier --apply) */
	if (apply && reload) {
		char *cmd[] = { "postfix", "-c", (char *)dir, "reload", NULL };

		if (main_changes + master_changes == 0)
			strlist_addf(report, "nothing to change in main.cf or master.cf: reloading as asked, so that "
				     "the running Postfix uses them");
		strlist_addf(report, "warning: postfix reload restarts qmgr: every deferred message whose retry "
			     "time has passed is retried at once (a retry wave)");
		if (setup_step(ctx, apply, cmd, report, &done, why) < 0)
			goto out;
	} else if (main_changes + master_changes == 0) {
		strlist_addf(report, "nothing to change in main.cf or master.cf (if Postfix was not reloaded since "
			     "they were changed, run `mqmon throttle --setup --apply --reload`)");
	} else {
		strlist_addf(report, "warning: the main.cf/master.cf changes take effect after `postfix -c %s reload`, "
			     "which restarts qmgr: every deferred message whose retry time has passed is retried "
			     "at once (a retry wave)%s", dir, apply ? "; run it when convenient, or use --reload" : "");
	}
	rc = 0;
	*err = ACTION_E_NONE;
out:
	if (apply && (done.n > 0 || rc < 0)) {
		char args[8192] = "";
		size_t k, off = 0;

		for (k = 0; k < done.n && off + 4 < sizeof args; k++)
			off += (size_t)snprintf(args + off, sizeof args - off, "%s%s", k ? "; " : "", done.v[k]);
		audit(ctx, AUDIT_THROTTLE, "--setup", args, rc < 0 ? 1 : 0, rc == 0, rc < 0 ? why->text : NULL);
	}
	strlist_free(&done);
	return rc;
}

const struct mta_throttle_ops postfix_throttle_ops = {
	.load = load,
	.set = set,
	.clear = clear,
	.expire = expire,
	.setup = setup,
	.scan_log = scan_log,
	.value = postfix_throttle_value,
};

/* postfix_throttle - the transport map mqmon owns: Postfix's throttle mechanism; see postfix_throttle.h
 *
 * Every change is core/mta/throttle's read-modify-write of the map text
 * (throttle_file_*) under flock() on the configuration directory (so two
 * mqmon processes cannot lose each other's entry), then an atomic rename;
 * this file adds postmap (commit_map) and `postfix reload` (reload_for_map)
 * and the checks before a change (set_entry). Postfix is only asked through
 * postconf/postmap/postfix with argv arrays, behind the context's command
 * prefix; main.cf and master.cf are changed with `postconf -e` and
 * `postconf -M`, never edited here.
 */
#include "core/postfix/postfix_throttle.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log/logline.h"
#include "core/mta/mta.h"
#include "core/postfix/postfix_log.h"

/* what the operator is told after a change (the map_note of `mqmon throttle` and `unthrottle`) */
#define RELOAD_NOTE \
	"note: postfix reload was run so that Postfix routes by the changed map now (it retries at once the\n" \
	"      deferred mail that is due); `mqmon throttles` says `pending` until the log shows it working"

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
	size_t sl = sizeof THROTTLE_SLOW_LOG_SUFFIX - 1;

	if (!throttle_event_for(t, ev))
		return 0;
	if (t->mode == THROTTLE_PAUSE)
		return ev->status == STATUS_DEFERRED && postfix_throttle_own(ev->reason.p, ev->reason.n);
	return ev->syslog_name.n > sl
		&& memcmp(ev->syslog_name.p + ev->syslog_name.n - sl, THROTTLE_SLOW_LOG_SUFFIX, sl) == 0;
}

/* scan_log - the first attempt each throttle routed, from the end of the mail log; -1 with why */
static int scan_log(const char *path, struct throttle_list *l, struct why *why)
{
	return throttle_log_scan(path, l, &postfix_log_dialect, " to=<", postfix_throttle_routes, why);
}

/* postfix_throttle_value - the map value for t */
void postfix_throttle_value(const struct throttle *t, char *buf, size_t bufsz)
{
	if (t->mode == THROTTLE_PAUSE)
		snprintf(buf, bufsz, "retry:%s", THROTTLE_PAUSE_REASON);
	else
		snprintf(buf, bufsz, "slow:%s", t->nexthop);
}

/* postfix_throttle_entry - read a map value back: "slow:NEXTHOP" or "retry:..."; -1 for any other */
int postfix_throttle_entry(const char *value, struct throttle *t)
{
	if (strncmp(value, "slow:", 5) == 0) {
		t->mode = THROTTLE_SLOW;
		snprintf(t->nexthop, sizeof t->nexthop, "%s", value + 5);
		return 0;
	}
	if (strncmp(value, "retry:", 6) == 0) {
		t->mode = THROTTLE_PAUSE;
		return 0;
	}
	return -1;
}

/* postfix_throttle_map_path - <config_dir>/mqmon_transport into buf; -1 when too long */
int postfix_throttle_map_path(const struct action_ctx *ctx, char *buf, size_t bufsz)
{
	int n = snprintf(buf, bufsz, "%s/%s", ctx->params->config_dir, THROTTLE_MAP_NAME);

	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

/* copy_file - copy src to dst with src's permissions and (as root) owner, for backups; -1 with why */
static int copy_file(const char *src, const char *dst, struct why *why)
{
	struct stat sb;
	char *text;

	if (throttle_file_read(src, &text, why) < 0)
		return -1;
	if (text == NULL)
		return why_set(why, "cannot back up %s: it does not exist", src);
	if (stat(src, &sb) < 0) {
		free(text);
		return why_errno(why, "cannot back up %s", src);
	}
	if (throttle_file_write(dst, text, sb.st_mode & 0777, &sb, why) < 0) {
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

/* commit_map - postmap the map just written (the table type from transport_maps when not known yet); the
 * postmap command into args; -1 with why and *err */
static int commit_map(const struct action_ctx *ctx, struct throttle_file *f, char *args, size_t argssz,
		      char **output, int *status, enum action_error *err, struct why *why)
{
	if (f->type[0] == '\0' && map_state(ctx, f->path, f->type, sizeof f->type, why) < 0) {
		*err = ACTION_E_MTA;
		return -1;
	}
	if (run_postmap(ctx, f->type, f->path, args, argssz, output, status, why) < 0) {
		*err = ACTION_E_MTA;
		return -1;
	}
	bump_mtime(ctx, f->type, f->path);
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
		action_warn(ctx, "%s", msg);
		return;
	}
	if (r.status != 0) {
		snprintf(msg, sizeof msg, "postfix reload failed (exit %d: %.300s): Postfix applies the changed map "
			 "when trivial-rewrite restarts by itself", r.status, r.errlen ? r.err : "no message");
		action_warn(ctx, "%s", msg);
	}
	proc_result_free(&r);
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

/* file_of - the map, how Postfix reads it (postmap) and is told (postfix reload); -1 with why and *err */
static int file_of(const struct action_ctx *ctx, struct throttle_file *f, enum action_error *err, struct why *why)
{
	if (postfix_throttle_map_path(ctx, f->path, sizeof f->path) < 0) {
		*err = ACTION_E_INVALID;
		return why_set(why, "configuration directory path too long");
	}
	snprintf(f->lock_dir, sizeof f->lock_dir, "%s", ctx->params->config_dir);
	f->header = MAP_HEADER;
	f->value = postfix_throttle_value;
	f->read_value = postfix_throttle_entry;
	f->commit = commit_map;
	f->applied = reload_for_map;
	f->applied_words = "; postfix reload";
	return 0;
}

/* set - slow or pause domain until `until` (0 = no expiry); -1 with why and *err (the dispatch audits a
 * refusal) */
static int set(const struct action_ctx *ctx, const char *domain, enum throttle_mode mode,
		     time_t until, enum action_error *err, struct why *why)
{
	char path[4200], type[64], line[2048];
	struct throttle want = { 0 };
	int st;

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
	if (mode == THROTTLE_SLOW && route_of(ctx, domain, path, want.nexthop, sizeof want.nexthop, err, why) < 0)
		return -1;
	snprintf(want.domain, sizeof want.domain, "%s", domain);
	want.mode = mode;
	want.until = until;
	return throttle_file_set(ctx, &want, err, why);
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
		struct throttle_file f;

		strlist_addf(report, "  %s map %s (empty), then postmap -c %s %s", apply ? "create:" : "would create:",
			     path, dir, spec);
		if (apply) {
			if (throttle_file_of(ctx, &f, err, why) < 0)
				goto out;
			snprintf(f.type, sizeof f.type, "%s", type);
			if (throttle_file_create(ctx, &f, err, why) < 0) {
				*err = ACTION_E_MTA;
				goto out;
			}
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
		if (throttle_setup_run(ctx, apply, cmd, report, &done, why) < 0)
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
		if (throttle_setup_run(ctx, apply, cmd, report, &done, why) < 0)
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
		if (throttle_setup_run(ctx, apply, cmd, report, &done, why) < 0)
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
		if (throttle_setup_run(ctx, apply, cmd, report, &done, why) < 0)
			goto out;
		main_changes++;
	}

	/* 5. expiry without a running mqmon: a systemd timer, else a cron.d entry */
	if (throttle_setup_expiry(ctx, apply, report, &done, why) < 0)
		goto out;

	/* 6. reload: whenever asked (the running Postfix may not have loaded an earlier --apply) */
	if (apply && reload) {
		char *cmd[] = { "postfix", "-c", (char *)dir, "reload", NULL };

		if (main_changes + master_changes == 0)
			strlist_addf(report, "nothing to change in main.cf or master.cf: reloading as asked, so that "
				     "the running Postfix uses them");
		strlist_addf(report, "warning: postfix reload restarts qmgr: every deferred message whose retry "
			     "time has passed is retried at once (a retry wave)");
		if (throttle_setup_run(ctx, apply, cmd, report, &done, why) < 0)
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
	throttle_setup_audit(ctx, apply, &done, rc, why);
	strlist_free(&done);
	return rc;
}

const struct mta_throttle_ops postfix_throttle_ops = {
	.load = throttle_file_load,
	.set = set,
	.clear = throttle_file_clear,
	.expire = throttle_file_expire,
	.setup = setup,
	.scan_log = scan_log,
	.value = postfix_throttle_value,
	.file = file_of,
	.slow_missing = NULL,
	.set_note = RELOAD_NOTE,
	.clear_note = RELOAD_NOTE,
};

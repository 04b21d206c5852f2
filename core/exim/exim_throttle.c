/* exim_throttle - Exim's throttle mechanism: the hold_domains file; see exim_throttle.h
 *
 * The file work (lock, read-modify-write, audit, store) is core/mta/throttle's:
 * this file says where the file is, what an entry looks like, what Exim's
 * log says when it holds a domain, and what setup checks. Exim itself is
 * asked nothing but `exim -bP hold_domains` (argv, behind the prefix).
 */
#include "core/exim/exim_throttle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/exim/mta_exim.h"
#include "core/log/logline.h"
#include "core/mta/mta.h"

#define FILE_HEADER \
	"# The domains mqmon pauses for Exim (mqmon throttle), read by\n" \
	"# `hold_domains = partial-lsearch;THIS_FILE`. Do not edit: every change rewrites it.\n" \
	"# Each entry follows a \"# mqmon:\" line with its mode, start, expiry (0 = none) and user.\n"

/* lookup_file - the absolute FILE of one list item "[partial...-](lsearch|wildlsearch|nwildlsearch)[*|*@|,opts];FILE"
 * (item[0..n), blanks trimmed) into buf; 0 when it is not such an item */
static int lookup_file(const char *item, size_t n, char *buf, size_t bufsz)
{
	static const char *const types[] = { "lsearch", "wildlsearch", "nwildlsearch" };
	const char *end = item + n, *type = item, *semi = memchr(item, ';', n);
	size_t i, tl;

	if (semi == NULL)
		return 0;
	if (n > 7 && strncmp(item, "partial", 7) == 0) {
		type = memchr(item, '-', (size_t)(semi - item));
		if (type == NULL)
			return 0;
		type++;
	}
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		tl = strlen(types[i]);
		if ((size_t)(semi - type) >= tl && strncmp(type, types[i], tl) == 0
		    && (type + tl == semi || type[tl] == '*' || type[tl] == ','))
			break;
	}
	if (i == sizeof types / sizeof types[0] || semi + 1 >= end || semi[1] != '/'
	    || (size_t)(end - semi - 1) >= bufsz || memchr(semi + 1, ' ', (size_t)(end - semi - 1)) != NULL)
		return 0;
	snprintf(buf, bufsz, "%.*s", (int)(end - semi - 1), semi + 1);
	return 1;
}

/* exim_throttle_file_of - the file of the first lsearch-type item of a hold_domains list into buf; "" when none */
void exim_throttle_file_of(const char *hold_domains, char *buf, size_t bufsz)
{
	const char *p = hold_domains;
	char sep = ':', item[4200];

	buf[0] = '\0';
	p += strspn(p, " \t");
	if (p[0] == '<' && p[1] != '\0' && p[1] != ' ') {
		sep = p[1];
		p += 2;
	}
	while (*p) {
		size_t n = 0, lead;

		/* one item: up to a single separator; a doubled one is a literal separator */
		for (; *p && n + 1 < sizeof item; p++) {
			if (*p == sep && p[1] == sep) {
				item[n++] = sep;
				p++;
			} else if (*p == sep) {
				break;
			} else {
				item[n++] = *p;
			}
		}
		if (*p == sep)
			p++;
		item[n] = '\0';
		lead = strspn(item, " \t");
		while (n > lead && (item[n - 1] == ' ' || item[n - 1] == '\t'))
			n--;
		if (lookup_file(item + lead, n - lead, buf, bufsz))
			return;
	}
}

/* exim_throttle_suggest - the hold_domains line setup suggests for file, keeping the old value's items */
void exim_throttle_suggest(const char *hold_domains, const char *file, char *buf, size_t bufsz)
{
	const char *old = hold_domains + strspn(hold_domains, " \t");
	char sep = ':';

	if (old[0] == '\0') {
		snprintf(buf, bufsz, "hold_domains = partial-lsearch;%s", file);
		return;
	}
	if (old[0] == '<' && old[1] != '\0' && old[1] != ' ')
		sep = old[1];
	/* a ';' separator doubles the ';' inside the item */
	snprintf(buf, bufsz, "hold_domains = %s %c partial-lsearch%s%s", old, sep, sep == ';' ? ";;" : ";", file);
}

/* exim_throttle_own - true when text, blanks trimmed, is Exim's text for a held or throttled domain */
int exim_throttle_own(const char *text, size_t len)
{
	while (len > 0 && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n'))
		len--;
	return (len == sizeof EXIM_HELD_TEXT - 1 && memcmp(text, EXIM_HELD_TEXT, len) == 0)
		|| (len == sizeof EXIM_THROTTLED_TEXT - 1 && memcmp(text, EXIM_THROTTLED_TEXT, len) == 0);
}

/* exim_throttle_held - true when ev defers t's domain, at or after t's start, with Exim's held text */
int exim_throttle_held(const struct throttle *t, const struct log_event *ev)
{
	return throttle_event_for(t, ev) && ev->status == STATUS_DEFERRED && exim_throttle_own(ev->reason.p, ev->reason.n);
}

/* exim_throttle_entry - read an entry's value back: "pause"; -1 for any other */
int exim_throttle_entry(const char *value, struct throttle *t)
{
	size_t lead = strspn(value, " \t"), n = strlen(value + lead);

	while (n > 0 && (value[lead + n - 1] == ' ' || value[lead + n - 1] == '\t' || value[lead + n - 1] == '\r'))
		n--;
	if (n != sizeof EXIM_THROTTLE_VALUE - 1 || memcmp(value + lead, EXIM_THROTTLE_VALUE, n) != 0)
		return -1;
	t->mode = THROTTLE_PAUSE;
	return 0;
}

/* file_value - an entry's value in the file (lsearch's data, which Exim does not use) */
static void file_value(const struct throttle *t, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s", EXIM_THROTTLE_VALUE);
}

/* route_value - what `mqmon throttles` shows in its ROUTE column: the mechanism */
static void route_value(const struct throttle *t, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "hold_domains");
}

/* file_at - the throttle file at path (its directory the lock, the configuration the owner of a new one) */
static void file_at(const struct action_ctx *ctx, const char *path, struct throttle_file *f)
{
	const char *slash = strrchr(path, '/');

	snprintf(f->path, sizeof f->path, "%s", path);
	if (slash == NULL)
		snprintf(f->lock_dir, sizeof f->lock_dir, ".");
	else
		snprintf(f->lock_dir, sizeof f->lock_dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	snprintf(f->owner_like, sizeof f->owner_like, "%s", ctx->params->config_dir);
	f->header = FILE_HEADER;
	f->value = file_value;
	f->read_value = exim_throttle_entry;
	f->commit = NULL;	/* Exim opens the file at every delivery */
	f->applied = NULL;
	f->applied_words = "";
}

/* file_of - the file hold_domains names ("" when it names none) */
static int file_of(const struct action_ctx *ctx, struct throttle_file *f, enum action_error *err, struct why *why)
{
	file_at(ctx, ctx->params->throttle_file, f);
	return 0;
}

/* set - pause domain until `until` (0 = no expiry); slow, read-only and no hold_domains file are refused
 * (the dispatch audits the refusal); -1 with why and *err */
static int set(const struct action_ctx *ctx, const char *domain, enum throttle_mode mode, time_t until,
	       enum action_error *err, struct why *why)
{
	struct throttle want = { 0 };

	*err = ACTION_E_NONE;
	if (throttle_domain_valid(domain, why) < 0) {
		*err = ACTION_E_INVALID;
		return -1;
	}
	if (throttle_mode_supported(ctx->params, mode, why) < 0) {
		*err = ACTION_E_UNSUPPORTED;
		return -1;
	}
	if (ctx->read_only) {
		*err = ACTION_E_READ_ONLY;
		return why_set(why, "throttle refused: mqmon is in read-only mode (--read-only or read_only = yes)");
	}
	if (ctx->params->throttle_file[0] == '\0') {
		*err = ACTION_E_CONFIG;
		return why_set(why, "hold_domains of %s names no lsearch file: run `mqmon throttle --setup` first",
			       ctx->params->config_dir);
	}
	snprintf(want.domain, sizeof want.domain, "%s", domain);
	want.mode = mode;
	want.until = until;
	return throttle_file_set(ctx, &want, err, why);
}

/* scan_log - the first deferral of each paused domain with Exim's held text, from the main log's end */
static int scan_log(const char *path, struct throttle_list *l, struct why *why)
{
	return throttle_log_scan(path, l, mta_exim.log, " == ", exim_throttle_held, why);
}

/* hold_domains_value - `exim -C CONF -bP hold_domains` into buf ("" when unset); -1 with why */
static int hold_domains_value(const struct action_ctx *ctx, char *buf, size_t bufsz, struct why *why)
{
	char *cmd[] = { (char *)ctx->params->binary, "-C", (char *)ctx->params->config_dir, "-bP", "hold_domains",
			NULL };
	struct proc_result r;
	const char *v;

	if (cmd[0][0] == '\0')
		cmd[0] = "exim";
	if (action_exec(ctx, cmd, NULL, 0, &r, why) < 0)
		return -1;
	if (r.status != 0) {
		why_set(why, "%s -C %s -bP hold_domains failed (exit %d): %.300s", cmd[0], cmd[2], r.status,
			r.errlen ? r.err : "no message");
		proc_result_free(&r);
		return -1;
	}
	v = strncmp(r.out, "hold_domains", 12) == 0 ? r.out + 12 : "";
	v += strspn(v, " =");
	snprintf(buf, bufsz, "%.*s", (int)strcspn(v, "\n"), v);
	proc_result_free(&r);
	return 0;
}

/* file_step - report the file (and with apply create it when missing); -1 with why and *err */
static int file_step(const struct action_ctx *ctx, int apply, const char *path, struct strlist *report,
		     struct strlist *done, enum action_error *err, struct why *why)
{
	struct throttle_file f;
	struct throttle_list l = { 0 };
	struct stat sb;
	char *text = NULL;
	int rc;

	file_at(ctx, path, &f);
	if (stat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode)) {
			*err = ACTION_E_CONFIG;
			strlist_addf(report, "  problem: %s is not a regular file", path);
			return why_set(why, "%s is not a regular file: hold_domains must name a file of mqmon's own", path);
		}
		if (throttle_file_read(path, &text, why) < 0) {
			*err = ACTION_E_IO;
			strlist_addf(report, "  problem: %s", why->text);
			return -1;
		}
		/* a file mqmon did not write would be rewritten: refuse it now */
		rc = text != NULL ? throttle_parse(text, &l, exim_throttle_entry, why) : 0;
		free(text);
		throttle_list_free(&l);
		if (rc < 0) {
			*err = ACTION_E_CONFIG;
			strlist_addf(report, "  problem: %s: %s", path, why->text);
			return why_set(why, "%s has entries mqmon did not write: give hold_domains a file of mqmon's own "
				       "(e.g. %s next to the configuration)", path, EXIM_THROTTLE_FILE_NAME);
		}
		strlist_addf(report, "  ok: %s exists (mode %04o)%s", path, (unsigned)(sb.st_mode & 07777),
			     (sb.st_mode & S_IROTH) ? "" : "; warning: others cannot read it, and Exim's delivery "
			     "processes run as the exim user");
		return 0;
	}
	strlist_addf(report, "  %s %s (no entry; mode 0644, owner and group of %s)",
		     apply ? "create:" : "would create:", path, ctx->params->config_dir);
	if (!apply)
		return 0;
	if (throttle_file_create(ctx, &f, err, why) < 0)
		return -1;
	strlist_addf(done, "created %s", path);
	return 0;
}

/* setup - check hold_domains, create its file, install the expiry timer; an Exim configuration is never
 * edited: with apply and no hold_domains file, the line to add and ACTION_E_CONFIG; -1 with why and *err */
static int setup(const struct action_ctx *ctx, int apply, int reload, struct strlist *report,
		 enum action_error *err, struct why *why)
{
	const char *conf = ctx->params->config_dir, *file = ctx->params->throttle_file, *slash;
	char hold[4096], line[8400], suggested[PATH_MAX + 32];
	struct strlist done = { 0 };
	int rc = -1, named = file[0] != '\0';

	*err = ACTION_E_NONE;
	if (apply && ctx->read_only) {
		*err = ACTION_E_READ_ONLY;
		return why_set(why, "throttle --setup --apply refused: mqmon is in read-only mode");
	}
	*err = ACTION_E_MTA;
	if (hold_domains_value(ctx, hold, sizeof hold, why) < 0)
		return -1;
	strlist_addf(report, "mqmon throttle setup for the Exim instance at %s (%s):", conf,
		     apply ? "applying" : "dry run, nothing is changed without --apply");
	if (!named) {
		slash = strrchr(conf, '/');
		snprintf(suggested, sizeof suggested, "%.*s/%s", slash ? (int)(slash - conf) : 1, slash ? conf : ".",
			 EXIM_THROTTLE_FILE_NAME);
		exim_throttle_suggest(hold, suggested, line, sizeof line);
		if (hold[0] == '\0')
			strlist_addf(report, "  missing: hold_domains is not set, so Exim holds no domain for mqmon");
		else
			strlist_addf(report, "  missing: hold_domains = %s names no lsearch file for mqmon", hold);
		strlist_addf(report, "  add this line to the main section of %s (mqmon never edits an Exim "
			     "configuration):", conf);
		strlist_addf(report, "      %s", line);
		file = suggested;
	} else {
		strlist_addf(report, "  ok: hold_domains = %s names %s (Exim reads it at every delivery: no reload)",
			     hold, file);
	}
	if (file_step(ctx, apply, file, report, &done, err, why) < 0)
		goto out;
	*err = ACTION_E_MTA;
	if (throttle_setup_expiry(ctx, apply, report, &done, why) < 0)
		goto out;
	if (reload)
		strlist_addf(report, "nothing to reload: Exim reads the hold_domains file at every delivery");
	strlist_addf(report, "note: only `pause` exists for Exim (no per-destination rate delay); `exim -M` (mqmon's "
		     "retry), -qf and -qff deliver a paused domain's mail anyway");
	if (named || !apply) {
		rc = 0;
		*err = ACTION_E_NONE;
	} else {
		*err = ACTION_E_CONFIG;
		why_set(why, "%s does not name a hold_domains file: add `%s` to it (mqmon never edits an Exim "
			"configuration), then run `mqmon throttle --setup` again", conf, line);
	}
out:
	throttle_setup_audit(ctx, apply, &done, rc, why);
	strlist_free(&done);
	return rc;
}

const struct mta_throttle_ops exim_throttle_ops = {
	.load = throttle_file_load,
	.set = set,
	.clear = throttle_file_clear,
	.expire = throttle_file_expire,
	.setup = setup,
	.scan_log = scan_log,
	.value = route_value,
	.file = file_of,
	.slow_missing = "Exim has no per-destination rate delay",
	.set_note = "note: Exim reads the hold_domains file at every delivery: queue runs defer the domain's mail\n"
		"      from now on without connecting (`exim -M`, -qf and -qff still deliver it); `mqmon throttles`\n"
		"      says `pending` until the main log shows it held",
	.clear_note = "note: Exim reads the hold_domains file at every delivery: the domain's mail goes at the next\n"
		"      queue run, when its retry time has come (`mqmon retry` sends it now)",
};

/* throttle - the MTA-neutral part of throttles: modes, states, the map text, the dispatch, and the file,
 * log and setup work every backend shares; see throttle.h */
#include "core/mta/throttle.h"

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
#include "core/base/sanitize.h"
#include "core/history/store.h"
#include "core/log/logline.h"
#include "core/mta/expiry_timer.h"
#include "core/mta/mta.h"

#define META_TAG "# mqmon: "
/* the latest time a map comment may carry (year 36812): far from time_t overflow */
#define MAP_TIME_MAX (1LL << 40)

/* throttle_state_of - t's state at now */
enum throttle_state throttle_state_of(const struct throttle *t, time_t now)
{
	if (t->until != 0 && t->until <= now)
		return THROTTLE_EXPIRED;
	if (t->seen != 0)
		return THROTTLE_ACTIVE;
	return t->log_checked ? THROTTLE_PENDING : THROTTLE_UNVERIFIED;
}

/* throttle_state_text - "pending", "pause 1h59m", "slow", "expired" into buf */
const char *throttle_state_text(const struct throttle *t, time_t now, char *buf, size_t bufsz)
{
	char d[32];

	switch (throttle_state_of(t, now)) {
	case THROTTLE_EXPIRED:
		snprintf(buf, bufsz, "expired");
		break;
	case THROTTLE_PENDING:
		snprintf(buf, bufsz, "pending");
		break;
	default:
		if (t->until != 0)
			snprintf(buf, bufsz, "%s %s", throttle_mode_name(t->mode),
				 duration_format(d, sizeof d, (long)(t->until - now)));
		else
			snprintf(buf, bufsz, "%s", throttle_mode_name(t->mode));
	}
	return buf;
}

/* domain_hint_safe - true when d holds nothing but lower-case LDH, dots and non-ASCII bytes (fit to quote in a hint) */
static int domain_hint_safe(const char *d)
{
	for (; *d; d++)
		if (!((unsigned char)*d >= 0x80 || islower((unsigned char)*d) || isdigit((unsigned char)*d)
		      || *d == '-' || *d == '.'))
			return 0;
	return 1;
}

/* throttle_domain_valid - lower-case LDH labels joined by dots, at least two, <= 253 chars; -1 with why */
int throttle_domain_valid(const char *d, struct why *why)
{
	size_t len, i, label = 0, labels = 1;
	char show[96];	/* d as quoted in a message: no control or format character, at most ~90 bytes */

	if (d == NULL || d[0] == '\0')
		return why_set(why, "empty domain: refused");
	len = strlen(d);
	sanitize_quote(show, sizeof show, d, len);
	if (strcmp(d, "ALL") == 0 || strcmp(d, "*") == 0)
		return why_set(why, "'%s' is not a domain: throttles name one domain", d);
	if (len > THROTTLE_DOMAIN_MAX)
		return why_set(why, "domain longer than %d characters: refused", THROTTLE_DOMAIN_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)d[i] >= 0x80) {
			if (utf8_clean(d, len) && domain_hint_safe(d))
				return why_set(why, "'%s' is a non-ASCII domain: give its ASCII (xn--) form, "
					       "e.g. from `idn2 %s`; refused", show, show);
			return why_set(why, "'%s' is a non-ASCII domain: give its ASCII (xn--) form, "
				       "e.g. from `idn2 DOMAIN`; refused", show);
		}
	if (d[0] == '.' && d[1] != '.' && throttle_domain_valid(d + 1, NULL) == 0)
		return why_set(why, "'%s': subdomain patterns (leading dot) are not supported: name the domain",
			       show);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (label == 0 || d[i - 1] == '-')
				return why_set(why, "'%s' is not a domain name (empty label or label ending in '-')", show);
			label = 0;
			labels++;
			continue;
		}
		if (!(islower(c) || isdigit(c) || c == '-') || c > 0x7f)
			return why_set(why, "'%s' is not a lower-case domain name (letters, digits, '-' and dots only)",
				       show);
		if (label == 0 && c == '-')
			return why_set(why, "'%s' is not a domain name (label starting with '-')", show);
		if (++label > 63)
			return why_set(why, "'%s' has a label longer than 63 characters", show);
	}
	if (label == 0 || d[len - 1] == '-')
		return why_set(why, "'%s' is not a domain name (trailing dot or '-')", show);
	if (labels < 2)
		return why_set(why, "'%s' is not a domain name with a dot (e.g. example.com)", show);
	return 0;
}

/* throttle_render - the whole map text for the list (malloc'd): header, then per entry its comment line and
 * "domain value"; NULL on out of memory */
char *throttle_render(const struct throttle_list *l, const char *header, throttle_value_fn value_of)
{
	size_t i, cap = strlen(header) + 1 + l->n * 800, off;
	char *buf = malloc(cap), value[512];

	if (buf == NULL)
		return NULL;
	off = (size_t)snprintf(buf, cap, "%s", header);
	for (i = 0; i < l->n; i++) {
		const struct throttle *t = &l->v[i];

		value_of(t, value, sizeof value);
		off += (size_t)snprintf(buf + off, cap - off, "%s%s mode=%s since=%lld until=%lld user=%s\n%s %s\n",
					META_TAG, t->domain, throttle_mode_name(t->mode), (long long)t->since,
					(long long)t->until, t->user[0] ? t->user : "-", t->domain, value);
	}
	return buf;
}

/* throttle_list_add - append a zeroed entry; NULL on out of memory */
struct throttle *throttle_list_add(struct throttle_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct throttle *v = realloc(l->v, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof l->v[0]);
	return &l->v[l->n++];
}

/* word_value - the value of " key=VALUE" in s, copied into buf; 0 when absent */
static int word_value(const char *s, const char *key, char *buf, size_t bufsz)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = s; (p = strstr(p, key)) != NULL; p += klen)
		if ((p == s || p[-1] == ' ') && p[klen] == '=') {
			p += klen + 1;
			snprintf(buf, bufsz, "%.*s", (int)strcspn(p, " \n"), p);
			return 1;
		}
	return 0;
}

/* map_time - a time from the map's comment line (0 = none), clamped to [0, MAP_TIME_MAX] (a
 * hand-edited value must not overflow expiry arithmetic; a negative one expires at once) */
static time_t map_time(const char *w)
{
	long long t = strtoll(w, NULL, 10);

	return (time_t)(t < 0 ? 1 : t > MAP_TIME_MAX ? MAP_TIME_MAX : t);
}

/* throttle_parse - read map text written by throttle_render into l (appended), each value through
 * read_value; -1 with why */
int throttle_parse(const char *text, struct throttle_list *l, throttle_entry_fn read_value, struct why *why)
{
	char meta_domain[THROTTLE_DOMAIN_MAX + 1] = "", meta[512] = "", line[1024], w[64];
	const char *p = text;
	int lineno = 0;

	while (p != NULL && *p) {
		size_t n = strcspn(p, "\n");
		struct throttle *t;
		char *sp;

		snprintf(line, sizeof line, "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		lineno++;
		if (strncmp(line, META_TAG, sizeof META_TAG - 1) == 0) {
			const char *m = line + sizeof META_TAG - 1;

			snprintf(meta_domain, sizeof meta_domain, "%.*s", (int)strcspn(m, " "), m);
			snprintf(meta, sizeof meta, "%.500s", m);
			continue;
		}
		if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
			continue;
		if ((sp = strchr(line, ' ')) == NULL)
			return why_set(why, "line %d: entry without a value", lineno);
		*sp++ = '\0';
		if (throttle_domain_valid(line, NULL) < 0)
			return why_set(why, "line %d: bad domain '%.80s'", lineno, line);
		if ((t = throttle_list_add(l)) == NULL)
			return why_errno(why, "reading the throttle file");
		snprintf(t->domain, sizeof t->domain, "%.253s", line);
		if (read_value(sp, t) < 0) {
			l->n--;
			return why_set(why, "line %d: '%.80s' is not a value mqmon writes", lineno, sp);
		}
		if (strcmp(meta_domain, t->domain) == 0) {
			if (word_value(meta, "since", w, sizeof w))
				t->since = map_time(w);
			if (word_value(meta, "until", w, sizeof w))
				t->until = map_time(w);
			if (word_value(meta, "user", w, sizeof w) && strcmp(w, "-") != 0)
				snprintf(t->user, sizeof t->user, "%s", w);
		}
		meta_domain[0] = '\0';
	}
	return 0;
}

/* throttle_find - the entry for domain in l, NULL when none */
struct throttle *throttle_find(const struct throttle_list *l, const char *domain)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].domain, domain) == 0)
			return &l->v[i];
	return NULL;
}

/* throttle_list_remove - drop entry t from l */
void throttle_list_remove(struct throttle_list *l, struct throttle *t)
{
	size_t i = (size_t)(t - l->v);

	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof l->v[0]);
	l->n--;
}

/* throttle_list_free - release the entries */
void throttle_list_free(struct throttle_list *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* ops_of - the backend's throttle operations; NULL with why (and *err) when it has none */
static const struct mta_throttle_ops *ops_of(const struct action_ctx *ctx, enum action_error *err,
					     struct why *why)
{
	const struct mta_backend *be = ctx->params != NULL ? ctx->params->backend : NULL;

	if (be != NULL && be->throttle != NULL)
		return be->throttle;
	if (err != NULL)
		*err = ACTION_E_UNSUPPORTED;
	why_set(why, "throttles are not supported for %s", be != NULL ? be->title : "this MTA");
	return NULL;
}

/* throttle_load - the instance's throttles (none set is an empty list); -1 with why */
int throttle_load(const struct action_ctx *ctx, struct throttle_list *l, struct why *why)
{
	const struct mta_throttle_ops *ops = ops_of(ctx, NULL, why);

	return ops != NULL ? ops->load(ctx, l, why) : -1;
}

/* throttle_set - slow or pause domain until `until` (0 = no expiry); -1 with why and *err (the backend's
 * refusal audited) */
int throttle_set(const struct action_ctx *ctx, const char *domain, enum throttle_mode mode, time_t until,
		 enum action_error *err, struct why *why)
{
	enum action_error dummy;
	const struct mta_throttle_ops *ops;
	int rc;

	if (err == NULL)
		err = &dummy;
	if ((ops = ops_of(ctx, err, why)) == NULL)
		return -1;
	if ((rc = ops->set(ctx, domain, mode, until, err, why)) < 0)
		throttle_audit_refused(ctx, AUDIT_THROTTLE, domain, *err, why);
	return rc;
}

/* throttle_clear - remove domain's throttle; 1 removed, 0 there was none, -1 with why and *err */
int throttle_clear(const struct action_ctx *ctx, const char *domain, enum action_error *err, struct why *why)
{
	const struct mta_throttle_ops *ops = ops_of(ctx, err, why);

	return ops != NULL ? ops->clear(ctx, domain, err, why) : -1;
}

/* throttle_expire - remove throttles whose until <= now; number removed (0 without throttles), -1 with why */
int throttle_expire(const struct action_ctx *ctx, time_t now, struct strlist *removed, struct why *why)
{
	const struct mta_backend *be = ctx->params != NULL ? ctx->params->backend : NULL;

	if (be == NULL || be->throttle == NULL)
		return 0;	/* nothing can have been set */
	return be->throttle->expire(ctx, now, removed, why);
}

/* throttle_setup - the one-time MTA configuration changes throttles need; -1 with why and *err */
int throttle_setup(const struct action_ctx *ctx, int apply, int reload, struct strlist *report,
		   enum action_error *err, struct why *why)
{
	const struct mta_throttle_ops *ops = ops_of(ctx, err, why);

	return ops != NULL ? ops->setup(ctx, apply, reload, report, err, why) : -1;
}

/* throttle_scan_log - mark in l which throttles the log at path shows the MTA applying; -1 with why */
int throttle_scan_log(const struct mta_params *params, const char *path, struct throttle_list *l,
		      struct why *why)
{
	if (params == NULL || params->backend == NULL || params->backend->throttle == NULL)
		return why_set(why, "throttles are not supported for this MTA");
	return params->backend->throttle->scan_log(path, l, why);
}

/* throttle_describe - the MTA's words for t's entry (Postfix: the transport map value) into buf */
void throttle_describe(const struct mta_params *params, const struct throttle *t, char *buf, size_t bufsz)
{
	if (params == NULL || params->backend == NULL || params->backend->throttle == NULL)
		snprintf(buf, bufsz, "%s", throttle_mode_name(t->mode));
	else
		params->backend->throttle->value(t, buf, bufsz);
}

/* throttle_mode_supported - 0 when the instance's MTA can throttle a domain in mode; -1 with why */
int throttle_mode_supported(const struct mta_params *params, enum throttle_mode mode, struct why *why)
{
	const struct mta_backend *be = params != NULL ? params->backend : NULL;

	if (be == NULL || be->throttle == NULL)
		return why_set(why, "throttles are not supported for %s", be != NULL ? be->title : "this MTA");
	if (mode == THROTTLE_SLOW && be->throttle->slow_missing != NULL)
		return why_set(why, "slow is not supported for %s: %s; pause the domain instead", be->title,
			       be->throttle->slow_missing);
	return 0;
}

/* throttle_note - what to tell the operator after a throttle was set (cleared: removed); "" when none */
const char *throttle_note(const struct mta_params *params, int cleared)
{
	const struct mta_backend *be = params != NULL ? params->backend : NULL;
	const char *note = be == NULL || be->throttle == NULL ? NULL
		: cleared ? be->throttle->clear_note : be->throttle->set_note;

	return note != NULL ? note : "";
}

/* ---- the throttle file ---- */

/* throttle_file_read - a whole file (malloc'd) into *text; 0 with *text NULL when it does not exist; -1 with why */
int throttle_file_read(const char *path, char **text, struct why *why)
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

/* throttle_file_write - text into path through a temporary file and rename, with mode (and, when like is
 * not NULL and we are root, like's owner and group); -1 with why */
int throttle_file_write(const char *path, const char *text, mode_t mode, const struct stat *like,
			struct why *why)
{
	char tmp[PATH_MAX + 32];
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

/* throttle_file_replace - text into path atomically, keeping an existing file's owner and mode; -1 with why */
int throttle_file_replace(const char *path, const char *text, const char *owner_like, struct why *why)
{
	struct stat sb;

	if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		return throttle_file_write(path, text, sb.st_mode & 07777, &sb, why);
	if (owner_like != NULL && owner_like[0] != '\0' && stat(owner_like, &sb) == 0)
		return throttle_file_write(path, text, 0644, &sb, why);
	return throttle_file_write(path, text, 0644, NULL, why);
}

/* throttle_lock - flock dir (serialises mqmon processes changing a throttle file); the fd, -1 with why */
int throttle_lock(const char *dir, struct why *why)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return why_errno(why, "cannot open %s", dir);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			why_errno(why, "cannot lock %s", dir);
			close(fd);
			return -1;
		}
	return fd;
}

/* throttle_unlock - release throttle_lock's lock */
void throttle_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* warn - a non-fatal problem for the caller to show */
static void warn(const struct action_ctx *ctx, const char *what, const struct why *w)
{
	action_warn(ctx, "%s%s", what, w->text);
}

/* throttle_audit - one audit row of a throttle change (a warning when it cannot be written) */
void throttle_audit(const struct action_ctx *ctx, enum audit_verb verb, const char *target, const char *args,
		    int result, int ok, const char *output)
{
	struct why w;

	if (ctx->store != NULL && action_audit(ctx, verb, target, args, result, ok, output, &w) < 0)
		warn(ctx, "the audit row could not be written: ", &w);
}

/* throttle_audit_refused - the audit row of a refused change (bad domain, read-only, unsupported, not set up) */
void throttle_audit_refused(const struct action_ctx *ctx, enum audit_verb verb, const char *domain,
			    enum action_error err, const struct why *why)
{
	char target[300];
	struct why w;

	if (ctx->store == NULL || (err != ACTION_E_INVALID && err != ACTION_E_READ_ONLY
				   && err != ACTION_E_UNSUPPORTED && err != ACTION_E_CONFIG))
		return;
	sanitize_text(target, sizeof target, domain ? domain : "", domain ? strlen(domain) : 0);
	if (action_audit_refusal(ctx, verb, target, why->text, &w) < 0)
		warn(ctx, "the audit row could not be written: ", &w);
}

/* throttle_user - the audit user with anything but [A-Za-z0-9._@-] as '_' */
void throttle_user(const struct action_ctx *ctx, char *buf, size_t bufsz)
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

/* throttle_target - an audit row's target: "gmail.com pause 2h00m" (from since to until), "... no expiry" */
void throttle_target(char *buf, size_t n, const char *domain, enum throttle_mode mode, time_t since,
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

/* throttle_file_of - the instance's throttle file (ops->file); -1 with why and *err */
int throttle_file_of(const struct action_ctx *ctx, struct throttle_file *f, enum action_error *err,
		     struct why *why)
{
	enum action_error dummy;
	const struct mta_throttle_ops *ops = ops_of(ctx, err, why);

	if (err == NULL)
		err = &dummy;
	memset(f, 0, sizeof *f);
	f->applied_words = "";
	return ops != NULL ? ops->file(ctx, f, err, why) : -1;
}

/* file_read - the file's text (*old, NULL when missing) and entries into l; -1 with why */
static int file_read(const struct throttle_file *f, char **old, struct throttle_list *l, struct why *why)
{
	if (throttle_file_read(f->path, old, why) < 0)
		return -1;
	if (*old != NULL && throttle_parse(*old, l, f->read_value, why) < 0) {
		char inner[sizeof why->text];

		snprintf(inner, sizeof inner, "%s", why->text);
		return why_set(why, "%s: %s (mqmon writes this file alone: remove what it did not write)", f->path,
			       inner);
	}
	return 0;
}

/* file_save - write l over the file and commit it; on a failed commit put old back (or remove a new file);
 * the command as text into args, its output and status; -1 with why and *err */
static int file_save(const struct action_ctx *ctx, struct throttle_file *f, const struct throttle_list *l,
		     const char *old, char *args, size_t argssz, char **output, int *status,
		     enum action_error *err, struct why *why)
{
	char *text = throttle_render(l, f->header, f->value);
	struct why w;

	*status = -1;
	*output = NULL;
	snprintf(args, argssz, "wrote %s", f->path);
	if (text == NULL) {
		*err = ACTION_E_IO;
		return why_errno(why, "rendering %s", f->path);
	}
	if (throttle_file_replace(f->path, text, f->owner_like, why) < 0) {
		free(text);
		*err = ACTION_E_IO;
		return -1;
	}
	free(text);
	*status = 0;
	if (f->commit != NULL && f->commit(ctx, f, args, argssz, output, status, err, why) < 0) {
		if (old != NULL && throttle_file_replace(f->path, old, NULL, &w) < 0)
			warn(ctx, "", &w);
		else if (old == NULL)
			unlink(f->path);
		return -1;
	}
	return 0;
}

/* throttle_file_load - the instance's throttles from its file (missing or none named: empty); -1 with why */
int throttle_file_load(const struct action_ctx *ctx, struct throttle_list *l, struct why *why)
{
	struct throttle_file f;
	char *text = NULL;
	int rc;

	if (throttle_file_of(ctx, &f, NULL, why) < 0)
		return -1;
	if (f.path[0] == '\0')
		return 0;
	rc = file_read(&f, &text, l, why);
	free(text);
	return rc;
}

/* throttle_file_set - write want into the file, commit, audit, apply, mirror; -1 with why and *err */
int throttle_file_set(const struct action_ctx *ctx, const struct throttle *want, enum action_error *err,
		      struct why *why)
{
	char args[8400], value[512], target[300], full[9000], *old = NULL, *output = NULL;
	struct throttle_file f;
	struct throttle_list l = { 0 };
	struct throttle *t;
	struct why w;
	int fd, status = -1, rc = -1;

	if (throttle_file_of(ctx, &f, err, why) < 0)
		return -1;
	if (f.path[0] == '\0') {
		*err = ACTION_E_CONFIG;
		return why_set(why, "no throttle file: run `mqmon throttle --setup`");
	}
	if ((fd = throttle_lock(f.lock_dir, why)) < 0) {
		*err = ACTION_E_IO;
		return -1;
	}
	if (file_read(&f, &old, &l, why) < 0) {
		*err = ACTION_E_IO;
		goto out;
	}
	if ((t = throttle_find(&l, want->domain)) == NULL && (t = throttle_list_add(&l)) == NULL) {
		*err = ACTION_E_IO;
		why_errno(why, "throttle");
		goto out;
	}
	*t = *want;
	t->since = time(NULL);
	t->log_checked = 0;
	t->seen = 0;
	throttle_user(ctx, t->user, sizeof t->user);
	f.value(t, value, sizeof value);
	throttle_target(target, sizeof target, t->domain, t->mode, t->since, t->until);
	if (file_save(ctx, &f, &l, old, args, sizeof args, &output, &status, err, why) < 0) {
		snprintf(full, sizeof full, "%s %s -> %.4000s", want->domain, value, args);
		throttle_audit(ctx, AUDIT_THROTTLE, target, full, status, 0, why->text);
		goto out;
	}
	snprintf(full, sizeof full, "%s %s (until %lld) -> %.4000s%s", want->domain, value, (long long)want->until,
		 args, f.applied_words);
	throttle_audit(ctx, AUDIT_THROTTLE, target, full, status, 1, output);
	if (f.applied != NULL)
		f.applied(ctx);
	if (ctx->store != NULL
	    && store_set_throttle(ctx->store, t->domain, t->mode, t->since, t->until, t->user, &w) < 0)
		warn(ctx, "", &w);
	rc = 0;
out:
	throttle_unlock(fd);
	free(old);
	free(output);
	throttle_list_free(&l);
	return rc;
}

/* file_remove - drop domain only (NULL: the entries whose until <= now) from the file, under the lock;
 * number removed, -1 with why and *err */
static int file_remove(const struct action_ctx *ctx, const char *only, time_t now, struct strlist *removed,
		       enum action_error *err, struct why *why)
{
	char args[8400], full[9000], *old = NULL, *output = NULL;
	struct throttle_file f;
	struct throttle_list l = { 0 };
	struct strlist gone = { 0 };
	struct why w;
	size_t i;
	int fd = -1, status, rc = -1;

	if (throttle_file_of(ctx, &f, err, why) < 0)
		return -1;
	if (f.path[0] == '\0') {
		rc = 0;		/* no file: nothing can be set */
		goto out;
	}
	if ((fd = throttle_lock(f.lock_dir, why)) < 0) {
		*err = ACTION_E_IO;
		return -1;
	}
	if (file_read(&f, &old, &l, why) < 0) {
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
	if (file_save(ctx, &f, &l, old, args, sizeof args, &output, &status, err, why) < 0) {
		for (i = 0; i < gone.n; i++) {
			snprintf(full, sizeof full, "remove %s -> %s", gone.v[i], args);
			throttle_audit(ctx, AUDIT_UNTHROTTLE, gone.v[i], full, status, 0, why->text);
		}
		goto out;
	}
	for (i = 0; i < gone.n; i++) {
		snprintf(full, sizeof full, "remove %.300s%s -> %.4000s%s", gone.v[i], only ? "" : " (expired)", args,
			 f.applied_words);
		throttle_audit(ctx, AUDIT_UNTHROTTLE, gone.v[i], full, status, 1, only ? output : "expired");
		if (removed != NULL)
			strlist_add(removed, gone.v[i]);
	}
	if (f.applied != NULL)
		f.applied(ctx);
	rc = (int)gone.n;
out:
	/* the store follows the file even when the file had nothing to remove */
	if (rc >= 0 && ctx->store != NULL) {
		if (only != NULL && store_clear_throttle(ctx->store, only, &w) < 0)
			warn(ctx, "", &w);
		for (i = 0; only == NULL && i < gone.n; i++)
			if (store_clear_throttle(ctx->store, gone.v[i], &w) < 0)
				warn(ctx, "", &w);
	}
	throttle_unlock(fd);
	free(old);
	free(output);
	strlist_free(&gone);
	throttle_list_free(&l);
	return rc;
}

/* throttle_file_clear - remove domain's entry; 1 removed, 0 there was none, -1 with why and *err */
int throttle_file_clear(const struct action_ctx *ctx, const char *domain, enum action_error *err,
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
		return file_remove(ctx, domain, 0, NULL, err, why);
	}
	throttle_audit_refused(ctx, AUDIT_UNTHROTTLE, domain, *err, why);
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

/* throttle_file_expire - remove the entries whose until <= now from the file and the store; number removed */
int throttle_file_expire(const struct action_ctx *ctx, time_t now, struct strlist *removed, struct why *why)
{
	enum action_error err;
	struct throttle_list l = { 0 };
	size_t i;
	int rc, due = 0;

	if (ctx->read_only)
		return 0;
	/* look before locking: nothing due is the common case and needs no write access */
	if (throttle_file_load(ctx, &l, why) < 0)
		return -1;
	for (i = 0; i < l.n; i++)
		if (l.v[i].until != 0 && l.v[i].until <= now)
			due = 1;
	throttle_list_free(&l);
	rc = due ? file_remove(ctx, NULL, now, removed, &err, why) : 0;
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

/* throttle_file_create - write the file with no entry when it is missing (keeping entries when there), and
 * commit it; -1 with why and *err */
int throttle_file_create(const struct action_ctx *ctx, struct throttle_file *f, enum action_error *err,
			 struct why *why)
{
	struct throttle_list l = { 0 };
	char *old = NULL, args[8400], *output = NULL;
	int status, fd, rc = -1;

	if ((fd = throttle_lock(f->lock_dir, why)) < 0) {
		*err = ACTION_E_IO;
		return -1;
	}
	if (file_read(f, &old, &l, why) < 0)
		*err = ACTION_E_CONFIG;
	else
		rc = file_save(ctx, f, &l, old, args, sizeof args, &output, &status, err, why);
	throttle_unlock(fd);
	free(old);
	free(output);
	throttle_list_free(&l);
	return rc;
}

/* ---- the log ---- */

/* throttle_event_for - true when ev is a delivery attempt for t's domain at or after t's start */
int throttle_event_for(const struct throttle *t, const struct log_event *ev)
{
	size_t dl = strlen(t->domain);
	const char *at;

	return ev->kind == LOG_DELIVERY && ev->time >= t->since && ev->to.n > dl
		&& (at = ev->to.p + ev->to.n - dl - 1)[0] == '@' && strncasecmp(at + 1, t->domain, dl) == 0;
}

/* throttle_log_scan - the first line of the log's end showing each throttle applied; -1 with why */
int throttle_log_scan(const char *path, struct throttle_list *l, const struct log_dialect *dialect,
		      const char *needle, throttle_applies_fn applies, struct why *why)
{
	struct log_clock clock;
	struct log_event ev;
	struct stat sb;
	time_t first = 0;
	char *buf, *p, *end;
	size_t i, want = 0, nlen = strlen(needle);
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
	clock.dialect = dialect;
	p = buf;
	if (start > 0 && (p = memchr(buf, '\n', (size_t)got)) != NULL)
		p++;	/* the first line may be cut */
	for (end = buf + got; p != NULL && p < end; ) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);

		/* cheap filter: only deliveries of interest are parsed */
		if (first == 0 && logline_parse(&clock, p, len, &ev) != LOG_UNPARSED)
			first = ev.time;
		if (memmem(p, len, needle, nlen) != NULL && logline_parse(&clock, p, len, &ev) == LOG_DELIVERY)
			for (i = 0; i < l->n; i++)
				if (l->v[i].seen == 0 && applies(&l->v[i], &ev))
					l->v[i].seen = ev.time;
		p = nl ? nl + 1 : NULL;
	}
	free(buf);
	/* a log that starts after a throttle began may have lost the line that showed it working */
	for (i = 0; i < l->n; i++)
		l->v[i].log_checked = l->v[i].seen != 0 || start == 0 || (first != 0 && first <= l->v[i].since);
	return 0;
}

/* ---- the one-time setup ---- */

/* throttle_setup_run - report cmd; with apply run it; -1 with why when it failed */
int throttle_setup_run(const struct action_ctx *ctx, int apply, char **cmd, struct strlist *report,
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

/* throttle_setup_expiry - report (and with apply install) the job that expires throttles without mqmon */
int throttle_setup_expiry(const struct action_ctx *ctx, int apply, struct strlist *report, struct strlist *done,
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
		if (throttle_setup_run(ctx, apply, reload_cmd, report, done, why) < 0
		    || throttle_setup_run(ctx, apply, enable_cmd, report, done, why) < 0)
			return -1;
	}
	return 0;
}

/* throttle_setup_audit - the audit row of `throttle --setup --apply`: what was done, or why it failed */
void throttle_setup_audit(const struct action_ctx *ctx, int apply, const struct strlist *done, int rc,
			  const struct why *why)
{
	char args[8192] = "";
	size_t k, off = 0;

	if (!apply || (done->n == 0 && rc == 0))
		return;
	for (k = 0; k < done->n && off + 4 < sizeof args; k++)
		off += (size_t)snprintf(args + off, sizeof args - off, "%s%s", k ? "; " : "", done->v[k]);
	throttle_audit(ctx, AUDIT_THROTTLE, "--setup", args, rc < 0 ? 1 : 0, rc == 0, rc < 0 ? why->text : NULL);
}

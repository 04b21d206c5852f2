/* actions - operator actions on queued mail; see actions.h
 *
 * The checks come first and are all-or-nothing: read-only, backend, every
 * ID. Only then is a command built (prefix + the backend's argv) and run,
 * the way the backend says it takes IDs: one run per ID (going on after a
 * failure, so one vanished message does not stop the rest), all of them
 * on stdin, or in batches as words. One audit row is written
 * per request, whatever its outcome: for a command, before it runs (state
 * started, with every target ID) and completed after it, so a kill in
 * between leaves a row whose outcome is unknown rather than no row.
 */
#include "core/mta/actions.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/idset.h"
#include "core/mta/mta.h"
#include "core/base/proc.h"
#include "core/base/sanitize.h"
#include "core/history/store.h"

/* longest prefix (words) accepted from the configuration */
#define PREFIX_MAX_WORDS 16
/* captured output kept per request */
#define OUTPUT_KEEP (256u * 1024)

/* printable - copy s for a message: at most 40 bytes, control and format characters as '?' */
static const char *printable(const char *s, char *buf, size_t bufsz)
{
	sanitize_quote(buf, bufsz < 44 ? bufsz : 44, s, strlen(s));
	return buf;
}

/* action_check_ids - every ID one of be's queue IDs and at least one; -1 with why naming the first bad one */
int action_check_ids(const struct mta_backend *be, char *const *ids, size_t nids, struct why *why)
{
	char show[64];
	size_t i;

	if (nids == 0)
		return why_set(why, "no queue ID given");
	for (i = 0; i < nids; i++) {
		const char *id = ids[i];

		if (id == NULL || id[0] == '\0')
			return why_set(why, "empty queue ID (argument %zu): refused, nothing done", i + 1);
		if (strcmp(id, "ALL") == 0 || strcmp(id, "-") == 0)
			return why_set(why, "'%s' is not a queue ID (the MTA would act on %s): refused, nothing done",
				       id, id[0] == '-' ? "the IDs on its input" : "every message");
		if (!be->log->id_valid(id, strlen(id)))
			return why_set(why, "'%s' is not a%s %s queue ID: refused, nothing done",
				       printable(id, show, sizeof show), be->title[0] == 'E' ? "n" : "", be->title);
	}
	return 0;
}

/* action_supported - true when the instance's MTA has the action (its action_argv gives a command) */
int action_supported(const struct mta_params *params, enum action_kind kind)
{
	char *argv[32];

	return params != NULL && params->backend != NULL && (unsigned)kind < ACTION_KIND_COUNT
		&& params->backend->action_argv(params, kind, argv, sizeof argv / sizeof argv[0])
		!= MTA_IDS_UNSUPPORTED;
}

/* action_build_argv - prefix + the backend's command for kind, then ids[0..nids) as words when it takes
 * them so (MTA_IDS_EACH: ids[0] only; MTA_IDS_STDIN: none); argc, or -1 when the MTA has no such action or
 * max is too small; *how (may be NULL) says how the IDs go */
int action_build_argv(const struct action_ctx *ctx, enum action_kind kind, char *const *ids, size_t nids,
		      char **argv, size_t max, enum mta_ids *how)
{
	const struct mta_backend *be = ctx->params->backend;
	size_t n = 0, i;
	enum mta_ids mode;
	int words;

	for (i = 0; ctx->prefix != NULL && ctx->prefix[i] != NULL; i++) {
		if (n + 1 >= max)
			return -1;
		argv[n++] = ctx->prefix[i];
	}
	if ((unsigned)kind >= ACTION_KIND_COUNT
	    || (mode = be->action_argv(ctx->params, kind, argv + n, max - n)) == MTA_IDS_UNSUPPORTED)
		return -1;
	if (how != NULL)
		*how = mode;
	for (words = 0; argv[n + (size_t)words] != NULL; words++)
		;
	n += (size_t)words;
	if (mode == MTA_IDS_STDIN)
		nids = 0;
	else if (mode == MTA_IDS_EACH && nids > 1)
		nids = 1;
	if (n + nids + 1 > max)
		return -1;
	for (i = 0; i < nids; i++)
		argv[n++] = ids[i];
	argv[n] = NULL;
	return (int)n;
}

/* action_stdin - the IDs as newline-terminated lines (malloc'd); NULL on out of memory */
char *action_stdin(char *const *ids, size_t nids, size_t *len)
{
	size_t i, total = 0, off = 0;
	char *buf;

	for (i = 0; i < nids; i++)
		total += strlen(ids[i]) + 1;
	if ((buf = malloc(total + 1)) == NULL)
		return NULL;
	for (i = 0; i < nids; i++) {
		size_t n = strlen(ids[i]);

		memcpy(buf + off, ids[i], n);
		off += n;
		buf[off++] = '\n';
	}
	buf[off] = '\0';
	*len = off;
	return buf;
}

/* action_target_text - IDs joined by spaces, cut beyond max chars as "... (+N more, T IDs)" */
void action_target_text(char *const *ids, size_t nids, char *buf, size_t bufsz, size_t max)
{
	size_t i, off = 0;

	if (bufsz == 0)
		return;
	buf[0] = '\0';
	if (max + 48 > bufsz)
		max = bufsz > 48 ? bufsz - 48 : 0;
	for (i = 0; i < nids; i++) {
		size_t n = strlen(ids[i]);

		if (off + n + 1 > max)
			break;
		if (off > 0)
			buf[off++] = ' ';
		memcpy(buf + off, ids[i], n);
		off += n;
		buf[off] = '\0';
	}
	if (i < nids)
		snprintf(buf + off, bufsz - off, "%s... (+%zu more, %zu IDs)", off ? " " : "", nids - i, nids);
}

/* plain_word - true when w needs no quoting to be read back */
static int plain_word(const char *w)
{
	if (*w == '\0')
		return 0;
	for (; *w; w++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@+%", *w))
			return 0;
	return 1;
}

/* action_argv_text - argv as one line for people (words with odd characters single-quoted) */
void action_argv_text(char *const *argv, char *buf, size_t bufsz)
{
	size_t off = 0, i;

	if (bufsz == 0)
		return;
	buf[0] = '\0';
	for (i = 0; argv[i] != NULL && off + 1 < bufsz; i++) {
		const char *w = argv[i];

		if (i > 0)
			buf[off++] = ' ';
		if (plain_word(w)) {
			off += (size_t)snprintf(buf + off, bufsz - off, "%s", w);
		} else {
			if (off + 1 < bufsz)
				buf[off++] = '\'';
			for (; *w && off + 5 < bufsz; w++) {
				if (*w == '\'') {
					memcpy(buf + off, "'\\''", 4);
					off += 4;
				} else {
					buf[off++] = (unsigned char)*w < 0x20 ? '?' : *w;
				}
			}
			if (off + 1 < bufsz)
				buf[off++] = '\'';
		}
		if (off >= bufsz)
			off = bufsz - 1;
		buf[off] = '\0';
	}
}

/* action_prefix_parse - split a command prefix at blanks into a NULL-terminated argv; NULL when empty */
char **action_prefix_parse(const char *s)
{
	char **v;
	size_t n = 0;

	if (s == NULL)
		return NULL;
	if ((v = calloc(PREFIX_MAX_WORDS + 1, sizeof *v)) == NULL)
		return NULL;
	while (*s && n < PREFIX_MAX_WORDS) {
		size_t len;

		s += strspn(s, " \t");
		len = strcspn(s, " \t");
		if (len == 0)
			break;
		if ((v[n] = strndup(s, len)) == NULL)
			break;
		n++;
		s += len;
	}
	if (n == 0) {
		free(v);
		return NULL;
	}
	return v;
}

/* action_prefix_free - free what action_prefix_parse returned (NULL-safe) */
void action_prefix_free(char **prefix)
{
	size_t i;

	for (i = 0; prefix != NULL && prefix[i] != NULL; i++)
		free(prefix[i]);
	free(prefix);
}

/* action_user - login name, else the real uid's name, else its number */
const char *action_user(char *buf, size_t bufsz)
{
	const char *login = getlogin();
	struct passwd *pw;

	if (login != NULL && *login)
		snprintf(buf, bufsz, "%s", login);
	else if ((pw = getpwuid(getuid())) != NULL)
		snprintf(buf, bufsz, "%s", pw->pw_name);
	else
		snprintf(buf, bufsz, "%u", (unsigned)getuid());
	return buf;
}

/* action_audit - write one audit row when ctx has a store; 0, or -1 with why */
int action_audit(const struct action_ctx *ctx, enum audit_verb verb, const char *target,
		 const char *args, int result, int ok, const char *output, struct why *why)
{
	struct store_action a = { 0 };
	char user[256];

	if (ctx->store == NULL)
		return 0;
	a.user = ctx->user ? ctx->user : action_user(user, sizeof user);
	a.action = verb;
	a.target = target;
	a.args = args;
	a.result = result;
	a.ok = ok;
	a.output = output;
	return store_add_action(ctx->store, &a, why);
}

/* action_audit_refusal - audit a refused request (state refused, nothing ran; reason as its output) */
int action_audit_refusal(const struct action_ctx *ctx, enum audit_verb verb, const char *target,
			 const char *reason, struct why *why)
{
	struct store_action a = { 0 };
	char user[256];

	if (ctx->store == NULL)
		return 0;
	a.state = STORE_ACTION_REFUSED;
	a.user = ctx->user ? ctx->user : action_user(user, sizeof user);
	a.action = verb;
	a.target = target;
	a.result = -1;
	a.output = reason;
	return store_add_action(ctx->store, &a, why);
}

/* action_exec - run ctx's prefix + cmd (stdin from input when non-NULL); 0 when it ran (see res->status), -1 with why */
int action_exec(const struct action_ctx *ctx, char *const *cmd, const char *input, size_t inlen,
		struct proc_result *res, struct why *why)
{
	char *argv[PREFIX_MAX_WORDS + 32];
	size_t n = 0, i;

	memset(res, 0, sizeof *res);
	for (i = 0; ctx->prefix != NULL && ctx->prefix[i] != NULL && n < PREFIX_MAX_WORDS; i++)
		argv[n++] = ctx->prefix[i];
	for (i = 0; cmd[i] != NULL; i++) {
		if (n + 1 >= sizeof argv / sizeof argv[0])
			return why_set(why, "%s: too many arguments", cmd[0]);
		argv[n++] = cmd[i];
	}
	argv[n] = NULL;
	if (proc_run(argv, input, inlen, res, why) < 0) {
		proc_result_free(res);
		return -1;
	}
	return 0;
}

/* action_warn - add a non-fatal problem to ctx->warnings (dropped when NULL) */
void action_warn(const struct action_ctx *ctx, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (ctx->warnings == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	strlist_add(ctx->warnings, buf);
}

/* keep_output - append a command's stdout and stderr to res->output (bounded) */
static void keep_output(struct action_result *res, const struct proc_result *pr, const char *label)
{
	size_t have = res->output ? strlen(res->output) : 0;
	size_t add = pr->outlen + pr->errlen + (label ? strlen(label) + 2 : 0) + 2;
	char *p;

	if (have >= OUTPUT_KEEP || add <= 2)
		return;
	if (pr->outlen + pr->errlen == 0)
		return;
	if ((p = realloc(res->output, have + add + 1)) == NULL)
		return;
	res->output = p;
	p += have;
	if (label)
		p += sprintf(p, "%s: ", label);
	memcpy(p, pr->out, pr->outlen);
	p += pr->outlen;
	if (pr->outlen && pr->out[pr->outlen - 1] != '\n' && pr->errlen)
		*p++ = '\n';
	memcpy(p, pr->err, pr->errlen);
	p += pr->errlen;
	*p = '\0';
}

/* keep_text - append one line of text to res->output */
static void keep_text(struct action_result *res, const char *text)
{
	size_t have = res->output ? strlen(res->output) : 0, n = strlen(text);
	char *p;

	if (have >= OUTPUT_KEEP || (p = realloc(res->output, have + n + 2)) == NULL)
		return;
	res->output = p;
	memcpy(p + have, text, n);
	p[have + n] = '\n';
	p[have + n + 1] = '\0';
}

/* refuse - fill res for a refusal, audit it, return -1 with why already set */
static int refuse(const struct action_ctx *ctx, enum action_kind kind, char *const *ids, size_t nids,
		  struct action_result *res, enum action_error err, struct why *why)
{
	char target[ACTION_TARGET_MAX + 64];
	struct why w;

	res->error = err;
	res->ok = 0;
	if (ctx->store != NULL) {
		size_t i, n = 0;

		/* the IDs as typed may be anything: show the target only as a count plus the first ones */
		for (i = 0; i < nids && ids[i] != NULL; i++)
			n++;
		action_target_text(ids, n, target, sizeof target, 200);
		if (action_audit_refusal(ctx, action_kind_verb(kind), target, why->text, &w) < 0) {
			snprintf(res->audit_error, sizeof res->audit_error, "%.200s", w.text);
			action_warn(ctx, "the audit row could not be written: %s", w.text);
		} else
			res->audited = 1;
	}
	return -1;
}

/* audit_begin - before the command runs: the audit row (state started) with every target ID; its id,
 * 0 when there is no store or it could not be written (warned; audit_end then tries a whole row) */
static long long audit_begin(const struct action_ctx *ctx, enum action_kind kind, const char *target,
			     const char *args, char *const *ids, size_t nids, struct action_result *res)
{
	struct store_action a = { 0 };
	char user[256];
	struct why w;
	long long id;

	if (ctx->store == NULL)
		return 0;
	a.user = ctx->user ? ctx->user : action_user(user, sizeof user);
	a.action = action_kind_verb(kind);
	a.target = target;
	a.args = args;
	a.result = -1;
	if ((id = store_begin_action(ctx->store, &a, ids, nids, &w)) < 0) {
		snprintf(res->audit_error, sizeof res->audit_error, "%.200s", w.text);
		return 0;
	}
	return id;
}

/* audit_end - after the command: complete the started row (or write a whole one when there is none) */
static void audit_end(const struct action_ctx *ctx, long long id, enum action_kind kind, const char *target,
		      const char *args, struct action_result *res)
{
	struct store_action a = { .args = args, .result = res->status, .ok = res->ok, .output = res->output };
	struct why w;
	int rc;

	if (ctx->store == NULL)
		return;
	if (id > 0)
		rc = store_end_action(ctx->store, id, &a, &w);
	else
		rc = action_audit(ctx, action_kind_verb(kind), target, args, res->status, res->ok, res->output, &w);
	if (rc < 0) {
		snprintf(res->audit_error, sizeof res->audit_error, "%.200s", w.text);
		action_warn(ctx, "the audit row could not be %s: %s", id > 0 ? "completed (it stays \"started\")"
			    : "written", w.text);
	} else {
		res->audited = 1;
	}
}

/* keep_queued - the IDs in the queue into kept (same order), the others' text into skipped; how many were kept
 * (all of them, unchecked, when the queue cannot be listed or no queue directory is known) */
static size_t keep_queued(const struct action_ctx *ctx, char *const *ids, size_t nids, char **kept,
			  char *skipped, size_t skippedsz, size_t *nskipped)
{
	const struct mta_backend *be = ctx->params->backend;
	struct idset queued = { 0 };
	struct why w;
	char *missing[64];
	size_t i, n = 0, nmissing = 0;

	*nskipped = 0;
	skipped[0] = '\0';
	if (ctx->params->queue_dir[0] == '\0' || be->queue_ids == NULL
	    || be->queue_ids(ctx->params, &queued, &w) < 0) {
		idset_free(&queued);
		memcpy(kept, ids, nids * sizeof *ids);
		return nids;
	}
	for (i = 0; i < nids; i++) {
		if (idset_has(&queued, idset_hash(ids[i]))) {
			kept[n++] = ids[i];
			continue;
		}
		if (nmissing < sizeof missing / sizeof missing[0])
			missing[nmissing++] = ids[i];
		(*nskipped)++;
	}
	idset_free(&queued);
	action_target_text(missing, nmissing, skipped, skippedsz, 200);
	return n;
}

/* run_one - one command run of a request: argv (stdin from input when non-NULL); its outcome into res,
 * the first failure's text into why; label names the IDs in the kept output when there are several runs */
static void run_one(struct action_result *res, char **argv, const char *input, size_t inlen, const char *label,
		    size_t *acted, long *done_total, enum action_kind kind, const struct mta_backend *be,
		    size_t nids, struct why *why)
{
	struct proc_result pr;
	struct why w;
	char cmd[300];
	long done;

	res->nruns++;
	action_argv_text(argv, cmd, sizeof cmd);
	if (proc_run(argv, input, inlen, &pr, &w) < 0) {
		proc_result_free(&pr);
		res->nfailed += nids;
		if (res->status <= 0)
			res->status = 127;
		keep_text(res, w.text);
		if (res->nfailed == nids)
			snprintf(why->text, sizeof why->text, "%s", w.text);
		return;
	}
	if (pr.status != 0) {
		res->nfailed += nids;
		if (res->status <= 0)
			res->status = pr.status;
		if (res->nfailed == nids)
			why_set(why, "%.200s failed (exit %d): %.300s", cmd, pr.status,
				pr.errlen ? pr.err : pr.outlen ? pr.out : "no message");
	} else {
		if (res->status < 0)
			res->status = 0;
		*acted += nids;
		if (*done_total >= 0 && be->action_done != NULL
		    && (done = be->action_done(kind, pr.errlen ? pr.err : pr.out, pr.errlen ? pr.errlen : pr.outlen)) >= 0)
			*done_total += done;
		else
			*done_total = -1;
	}
	keep_output(res, &pr, label);
	proc_result_free(&pr);
}

/* action_run - validate and run one action on ids; 0 when it ran and succeeded, else -1 with why and res->error */
int action_run(const struct action_ctx *ctx, enum action_kind kind, char *const *ids, size_t nids,
	       struct action_result *res, struct why *why)
{
	char *argv[PREFIX_MAX_WORDS + MTA_IDS_ARGS_MAX + 16], *input = NULL;
	char target[ACTION_TARGET_MAX + 64], args[8192];
	const struct mta_backend *be;
	struct why tmp;
	size_t inlen = 0, i, nkept, nskipped, acted = 0, step;
	char skipped[512], **kept, *const *all;
	long done_total = 0, fewer = -1;
	long long audit_id;
	enum mta_ids how = MTA_IDS_UNSUPPORTED;
	int argc;

	if (why == NULL)
		why = &tmp;
	memset(res, 0, sizeof *res);
	res->status = -1;
	res->nids = nids;
	if ((unsigned)kind >= ACTION_KIND_COUNT) {
		why_set(why, "unknown action");
		return refuse(ctx, ACTION_RETRY, ids, 0, res, ACTION_E_INVALID, why);
	}
	if (ctx->read_only) {
		why_set(why, "%s refused: mqmon is in read-only mode (--read-only or read_only = yes)",
			action_kind_name(kind));
		return refuse(ctx, kind, ids, nids, res, ACTION_E_READ_ONLY, why);
	}
	if (ctx->params == NULL || (be = ctx->params->backend) == NULL) {
		why_set(why, "%s: no MTA instance", action_kind_name(kind));
		return refuse(ctx, kind, ids, nids, res, ACTION_E_INVALID, why);
	}
	if (action_check_ids(be, ids, nids, why) < 0)
		return refuse(ctx, kind, ids, nids, res, ACTION_E_INVALID, why);
	if (ctx->params->config_dir[0] != '/') {
		why_set(why, "%s: the %s configuration must be an absolute path", action_kind_name(kind), be->title);
		return refuse(ctx, kind, ids, nids, res, ACTION_E_INVALID, why);
	}
	if (!action_supported(ctx->params, kind)) {
		why_set(why, "%s: %s has no %s (nothing done)", action_kind_name(kind), be->title,
			action_kind_name(kind));
		return refuse(ctx, kind, ids, nids, res, ACTION_E_UNSUPPORTED, why);
	}
	if (action_build_argv(ctx, kind, ids, 1, argv, sizeof argv / sizeof argv[0], &how) < 0) {
		why_set(why, "%s: command prefix too long", action_kind_name(kind));
		return refuse(ctx, kind, ids, nids, res, ACTION_E_INVALID, why);
	}

	action_target_text(ids, nids, target, sizeof target, ACTION_TARGET_MAX);
	/* IDs that are not in the queue: the MTA's command may not say so */
	if ((all = ids, kept = malloc(nids * sizeof *kept)) == NULL) {
		why_set(why, "%s: out of memory", action_kind_name(kind));
		res->error = ACTION_E_MTA;
		return -1;
	}
	if ((nkept = keep_queued(ctx, all, nids, kept, skipped, sizeof skipped, &nskipped)) == 0) {
		why_set(why, "%s: not in the queue: %s (delivered, bounced, expired or deleted?): nothing done",
			action_kind_name(kind), skipped);
		free(kept);
		return refuse(ctx, kind, all, nids, res, ACTION_E_NOT_QUEUED, why);
	}
	ids = kept;
	nids = nkept;
	step = how == MTA_IDS_EACH ? 1 : how == MTA_IDS_ARGS ? MTA_IDS_ARGS_MAX : nids;
	argc = action_build_argv(ctx, kind, ids, how == MTA_IDS_STDIN ? 0 : 1, argv, sizeof argv / sizeof argv[0], NULL);
	action_argv_text(argv, args, sizeof args);
	{
		size_t off = strlen(args);

		if (how == MTA_IDS_STDIN)
			snprintf(args + off, sizeof args - off, " <<< %zu ID%s on stdin", nids, nids == 1 ? "" : "s");
		else if (nids > step)
			snprintf(args + off, sizeof args - off, " (%s, %zu runs)", how == MTA_IDS_EACH ? "one run per ID"
				 : "IDs in batches", (nids + step - 1) / step);
		else if (how == MTA_IDS_ARGS && nids > 1)
			snprintf(args + off, sizeof args - off, " ... (%zu IDs)", nids);
	}
	if (how == MTA_IDS_STDIN && (input = action_stdin(ids, nids, &inlen)) == NULL) {
		why_set(why, "%s: out of memory", action_kind_name(kind));
		res->error = ACTION_E_MTA;
		free(kept);
		return -1;
	}
	(void)argc;
	audit_id = audit_begin(ctx, kind, target, args, all, res->nids, res);
	for (i = 0; i < nids; i += step) {
		size_t n = nids - i < step ? nids - i : step;

		action_build_argv(ctx, kind, ids + i, how == MTA_IDS_STDIN ? 0 : n, argv, sizeof argv / sizeof argv[0],
				  NULL);	/* fits: checked above */
		run_one(res, argv, input, inlen, nids > step && how == MTA_IDS_EACH ? ids[i] : NULL, &acted,
			&done_total, kind, be, n, why);
	}
	free(input);
	res->ok = res->nfailed == 0;
	if (res->nfailed > 0 && res->nfailed < nids) {
		size_t off = strlen(why->text);

		snprintf(why->text + off, sizeof why->text - off, " (%zu of %zu IDs failed)", res->nfailed, nids);
	}
	if (res->ok && done_total >= 0 && (size_t)done_total < acted)
		fewer = done_total;	/* a message left the queue meanwhile, or was already in that state */
	if (nskipped > 0) {
		char line[512];

		snprintf(line, sizeof line, "not in the queue (skipped): %s", skipped);
		keep_text(res, line);
	}
	if (!res->ok)
		res->error = ACTION_E_MTA;
	audit_end(ctx, audit_id, kind, target, args, res);
	if (res->ok && nskipped > 0) {
		res->error = ACTION_E_NOT_QUEUED;
		why_set(why, "%s: %zu of %zu queue IDs not in the queue (skipped): %s; done for the other %zu",
			action_kind_name(kind), nskipped, res->nids, skipped, nids);
	} else if (res->ok && fewer >= 0) {
		static const char *const why_fewer[ACTION_KIND_COUNT] = {
			[ACTION_RETRY] = "left the queue meanwhile",
			[ACTION_HOLD] = "already held, or left the queue meanwhile",
			[ACTION_RELEASE] = "not on hold, or left the queue meanwhile",
			[ACTION_DELETE] = "left the queue meanwhile",
			[ACTION_REQUEUE] = "left the queue meanwhile",
		};

		res->error = ACTION_E_NOT_QUEUED;
		why_set(why, "%s: %s did it for %ld of %zu message%s; the rest: %s", action_kind_name(kind),
			be->title, fewer, nids, nids == 1 ? "" : "s", why_fewer[kind]);
	}
	free(kept);
	return res->ok && res->error == ACTION_E_NONE ? 0 : -1;
}

/* action_result_free - release the captured output */
void action_result_free(struct action_result *res)
{
	free(res->output);
	res->output = NULL;
}

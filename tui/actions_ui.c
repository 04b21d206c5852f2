/* actions_ui - operator actions from the console; see actions_ui.h
 *
 * A job (an action on a list of IDs, or a throttle change) is built on the
 * main thread, confirmed if it must be, and handed to one worker
 * (core/base/worker) that opens its own store connection for the audit
 * trail. When the worker's fd is readable the main thread shows the outcome
 * and asks for a fresh model. One job at a time: keys pressed meanwhile say an action is running.
 * A removed throttle is followed by an offer to retry the domain's deferred
 * mail now, confirmed like any retry.
 */
#include "tui/actions_ui.h"

#include <curses.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mta/actions.h"
#include "core/base/duration.h"
#include "core/base/sanitize.h"
#include "core/base/worker.h"
#include "core/mta/throttle.h"
#include "tui/actionkeys.h"
#include "tui/app.h"
#include "tui/fleet_ui.h"

#define CONFIRM_ABOVE 1		/* CONFIRM_MANY: an action on more messages than this asks first */

enum job_kind { JOB_ACTION, JOB_THROTTLE, JOB_UNTHROTTLE, JOB_EXPIRE };

enum prompt_kind { PROMPT_NONE, PROMPT_CONFIRM, PROMPT_THROTTLE_MODE, PROMPT_THROTTLE_FOR };

struct job {
	enum job_kind kind;
	enum action_kind action;
	struct strlist ids;
	char domain[256];
	enum throttle_mode mode;
	time_t until;
	/* the fleet console: the hosts of each ID (JOB_ACTION), the hosts a throttle goes to (NULL run: all) */
	int fleet;
	struct fleet_plan plan;
	int *run;
	/* outcome */
	int ok;
	int removed;			/* JOB_UNTHROTTLE: a throttle was there and is gone */
	char result[1200];
};

/* a refusal waiting for the worker to audit it */
struct refusal {
	enum audit_verb verb;
	char target[300], reason[1200];
};

struct actions_ui {
	struct app *app;
	struct worker *worker;
	int started;
	struct job *todo, *done;	/* handed to / back from the worker */
	struct job *pending;		/* built, waiting for the operator */
	struct refusal *refusals;	/* to audit (the worker takes them all at once) */
	size_t nrefusals;
	int busy;
	enum prompt_kind prompt;
	char prompt_text[512];
	char edit[32];
	char **prefix;
	char dbpath[4096];
	time_t last_expire;
};

/* first_line - the first non-empty line of s into buf */
static void first_line(const char *s, char *buf, size_t n)
{
	while (s != NULL && (*s == '\n' || *s == ' '))
		s++;
	snprintf(buf, n, "%.*s", s ? (int)strcspn(s, "\n") : 0, s ? s : "");
}

#define FLEET_ACTION_TIMEOUT 600	/* seconds for a host's action (10,000 IDs through postsuper) */

/* fleet_audit - on the worker: the console side's audit row of a fleet job (each host writes its own) */
static void fleet_audit(struct store *st, enum audit_verb verb, const char *target, const char *args, int ok,
			const char *output)
{
	struct store_action row = { 0 };
	char user[256];

	if (st == NULL)
		return;
	row.user = action_user(user, sizeof user);
	row.action = verb;
	row.target = target;
	row.args = args;
	row.result = ok ? 0 : 69;
	row.ok = ok;
	row.output = output;
	store_add_action(st, &row, NULL);
}

/* run_fleet_job - on the worker: an action to the hosts that hold the IDs, a throttle to every chosen host */
static void run_fleet_job(struct actions_ui *u, struct job *j, struct store *st)
{
	struct fleet *fl = u->app->opt.fleet;
	char summary[1000] = "", dur[32], *target = NULL, args[80];
	size_t failed;

	if (j->kind == JOB_ACTION) {
		target = fleet_act_target(fl, &j->plan);
		failed = fleet_act_run(fl, &j->plan, action_kind_name(j->action), j->action == ACTION_DELETE,
				       FLEET_ACTION_TIMEOUT, summary, sizeof summary);
		j->ok = failed == 0;
		snprintf(j->result, sizeof j->result, "%s %zu message%s on %zu host%s: %s", action_kind_name(j->action),
			 j->plan.nmsgs, j->plan.nmsgs == 1 ? "" : "s", fleet_plan_hosts(&j->plan),
			 fleet_plan_hosts(&j->plan) == 1 ? "" : "s", summary);
		snprintf(args, sizeof args, "fleet: %s --format json -", action_kind_name(j->action));
		fleet_audit(st, action_kind_verb(j->action), target != NULL ? target : "", args, j->ok, summary);
		free(target);
		return;
	}
	if (j->kind == JOB_THROTTLE) {
		char *words[] = { "throttle", j->domain, j->mode == THROTTLE_SLOW ? "--slow" : "--pause", "--for", dur };
		long left = j->until ? (long)(j->until - time(NULL)) : 0;

		snprintf(dur, sizeof dur, "%lds", left > 0 ? left : 1);
		failed = fleet_act_words(fl, words, j->until ? 5 : 3, j->run, FLEET_ACTION_TIMEOUT, summary,
					 sizeof summary);
		snprintf(j->result, sizeof j->result, "throttle %s (%s): %s", j->domain, throttle_mode_name(j->mode),
			 summary);
	} else {
		char *words[] = { "unthrottle", j->domain };

		failed = fleet_act_words(fl, words, 2, j->run, FLEET_ACTION_TIMEOUT, summary, sizeof summary);
		snprintf(j->result, sizeof j->result, "unthrottle %s: %s", j->domain, summary);
	}
	j->ok = failed == 0;
	fleet_audit(st, j->kind == JOB_THROTTLE ? AUDIT_THROTTLE : AUDIT_UNTHROTTLE, j->domain,
		    j->kind == JOB_THROTTLE ? "fleet: throttle" : "fleet: unthrottle", j->ok, summary);
}

/* run_job - on the worker: run one job with its own store connection */
static void run_job(struct actions_ui *u, struct job *j)
{
	struct app *a = u->app;
	struct action_ctx ctx = { 0 };
	struct action_result res = { 0 };
	enum action_error err = ACTION_E_NONE;
	struct why why = { "" };
	char line[256];
	int rc;

	ctx.params = &a->params;
	ctx.store = u->dbpath[0] ? store_open(u->dbpath, NULL) : NULL;
	ctx.read_only = a->opt.read_only;
	ctx.prefix = u->prefix;
	if (j->fleet) {
		run_fleet_job(u, j, ctx.store);
		store_close(ctx.store);
		return;
	}
	switch (j->kind) {
	case JOB_ACTION:
		rc = action_run(&ctx, j->action, j->ids.v, j->ids.n, &res, &why);
		first_line(res.output, line, sizeof line);
		j->ok = rc == 0;
		if (j->ok)
			snprintf(j->result, sizeof j->result, "%s %zu: %s", action_kind_name(j->action), j->ids.n,
				 line[0] ? line : "done");
		else
			snprintf(j->result, sizeof j->result, "%s failed: %s", action_kind_name(j->action),
				 why.text[0] ? why.text : line);
		action_result_free(&res);
		break;
	case JOB_THROTTLE:
		rc = throttle_set(&ctx, j->domain, j->mode, j->until, &err, &why);
		j->ok = rc >= 0;
		snprintf(j->result, sizeof j->result, j->ok ? "%s: %s%s%s" : "throttle %s failed: %s",
			 j->domain, j->ok ? throttle_mode_name(j->mode) : why.text,
			 j->ok && j->until ? " until " : "", j->ok && j->until ? "the set time" : "");
		break;
	case JOB_EXPIRE: {
		struct strlist removed = { 0 };

		rc = throttle_expire(&ctx, time(NULL), &removed, &why);
		j->ok = rc >= 0;
		if (rc > 0)
			snprintf(j->result, sizeof j->result, "throttle of %s%s expired and was removed", removed.v[0],
				 removed.n > 1 ? " and others" : "");
		else if (rc < 0)
			snprintf(j->result, sizeof j->result, "throttle expiry failed: %s", why.text);
		strlist_free(&removed);
		break;
	}
	case JOB_UNTHROTTLE:
		rc = throttle_clear(&ctx, j->domain, &err, &why);
		j->ok = rc >= 0;
		j->removed = rc > 0;
		snprintf(j->result, sizeof j->result, rc > 0 ? "%s: throttle removed" : rc == 0 ?
			 "%s: was not throttled" : "unthrottle %s failed: %s", j->domain, why.text);
		break;
	}
	store_close(ctx.store);
}

/* audit_refusals - on the worker: the audit rows of refusals (state refused) */
static void audit_refusals(struct actions_ui *u, struct refusal *r, size_t n)
{
	struct action_ctx ctx = { 0 };
	size_t i;

	ctx.params = &u->app->params;
	ctx.store = u->dbpath[0] ? store_open(u->dbpath, NULL) : NULL;
	for (i = 0; ctx.store != NULL && i < n; i++)
		action_audit_refusal(&ctx, r[i].verb, r[i].target, r[i].reason, NULL);
	store_close(ctx.store);
}

/* run_jobs - on the worker: audit the refusals handed over, then run the job, if any */
static void run_jobs(struct worker *w, void *ctx)
{
	struct actions_ui *u = ctx;
	struct refusal *r;
	struct job *j;
	size_t n;

	worker_lock(w);
	r = u->refusals;
	n = u->nrefusals;
	u->refusals = NULL;
	u->nrefusals = 0;
	j = u->todo;
	u->todo = NULL;
	worker_unlock(w);
	if (n > 0)
		audit_refusals(u, r, n);
	free(r);
	if (j == NULL)
		return;
	run_job(u, j);
	worker_lock(w);
	u->done = j;
	worker_unlock(w);
}

/* job_free - release a job */
static void job_free(struct job *j)
{
	if (j == NULL)
		return;
	strlist_free(&j->ids);
	fleet_plan_free(&j->plan);
	free(j->run);
	free(j);
}

/* offer_retry - a throttle was removed: its domain's deferred mail would wait for its next retry
 * (up to maximal_backoff_time), so offer to retry it now, through the same confirmation as the
 * R key (y runs it, anything else cancels); 0 when the domain has no deferred mail */
static int offer_retry(struct actions_ui *u, const char *domain)
{
	struct app *a = u->app;
	struct job *j;
	size_t i, k;

	if (a->m == NULL || u->prompt != PROMPT_NONE || u->pending != NULL || a->opt.read_only
	    || (j = calloc(1, sizeof *j)) == NULL)
		return 0;
	j->kind = JOB_ACTION;
	j->action = ACTION_RETRY;
	for (i = 0; i < a->m->n; i++) {
		const struct qmsg *msg = a->m->msgs[i];

		for (k = 0; msg->queue == QUEUE_DEFERRED && k < msg->nrcpts; k++)
			if (strcmp(msg->rcpts[k].domain, domain) == 0) {
				strlist_add(&j->ids, msg->id);
				break;
			}
	}
	if (j->ids.n == 0) {
		job_free(j);
		return 0;
	}
	u->pending = j;
	u->prompt = PROMPT_CONFIRM;
	snprintf(u->prompt_text, sizeof u->prompt_text, "throttle of %s removed. Retry its %zu deferred message%s "
		 "now?  y = yes, n/Enter/Esc = no", domain, j->ids.n, j->ids.n == 1 ? "" : "s");
	return 1;
}

/* on_done - the worker finished a job: show it, rebuild the model */
static int on_done(struct evloop *loop, int fd, void *ctx)
{
	struct actions_ui *u = ctx;
	struct job *j;

	worker_ack(u->worker);
	worker_lock(u->worker);
	j = u->done;
	u->done = NULL;
	worker_unlock(u->worker);
	if (j == NULL)
		return 0;
	u->busy = 0;
	if (j->result[0])
		app_flash(u->app, "%s", j->result);	/* whole in the status messages (:messages): each host's result */
	if (j->ok && j->kind == JOB_ACTION)
		strlist_free(&u->app->tags);
	if (j->ok && j->kind == JOB_UNTHROTTLE && j->removed)
		offer_retry(u, j->domain);
	if (j->kind != JOB_EXPIRE || j->result[0])
		app_request_model(u->app);
	job_free(j);
	evloop_dirty(loop);
	return 0;
}

/* actions_ui_start - start the worker; -1 when it cannot run actions at all */
int actions_ui_start(struct app *a)
{
	struct actions_ui *u = calloc(1, sizeof *u);

	if (u == NULL)
		return -1;
	u->app = a;
	a->aui = u;
	u->prefix = action_prefix_parse(a->opt.command_prefix);
	snprintf(u->dbpath, sizeof u->dbpath, "%s", a->opt.source.db);
	if ((u->worker = worker_new("mqmon-actions", run_jobs, u, NULL)) == NULL)
		return -1;
	u->started = 1;
	evloop_add_fd(a->loop, worker_fd(u->worker), on_done, u);
	return 0;
}

/* actions_ui_stop - stop the worker, waiting for a running action */
void actions_ui_stop(struct app *a)
{
	struct actions_ui *u = a->aui;

	if (u == NULL)
		return;
	worker_free(u->worker);	/* waits for a running job */
	job_free(u->todo);
	job_free(u->done);
	job_free(u->pending);
	free(u->refusals);
	action_prefix_free(u->prefix);
	strlist_free(&a->tags);
	free(u);
	a->aui = NULL;
}

/* actions_ui_refused - refuse action on target: say why in the footer and audit it (state refused) */
void actions_ui_refused(struct app *a, enum audit_verb verb, const char *target, const char *fmt, ...)
{
	struct actions_ui *u = a->aui;
	struct refusal *v;
	char reason[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	app_flash(a, "%s", reason);
	if (u == NULL || !u->started)
		return;
	worker_lock(u->worker);
	if (u->nrefusals < 64 && (v = realloc(u->refusals, (u->nrefusals + 1) * sizeof *v)) != NULL) {
		u->refusals = v;
		v += u->nrefusals++;
		v->verb = verb;
		sanitize_text(v->target, sizeof v->target, target, strlen(target));
		snprintf(v->reason, sizeof v->reason, "%s", reason);
	}
	worker_unlock(u->worker);
	worker_kick(u->worker);
}

/* submit - hand a job to the worker */
static void submit(struct actions_ui *u, struct job *j)
{
	worker_lock(u->worker);
	u->todo = j;
	u->busy = 1;
	worker_unlock(u->worker);
	worker_kick(u->worker);
	app_flash(u->app, "running %s ...", j->kind == JOB_ACTION ? action_kind_name(j->action) :
		  audit_verb_name(j->kind == JOB_THROTTLE ? AUDIT_THROTTLE : AUDIT_UNTHROTTLE));
}

/* actions_ui_is_tagged - the message is tagged */
int actions_ui_is_tagged(const struct app *a, const char *id)
{
	return strlist_has(&a->tags, id);
}

/* toggle_tag - tag or untag one message */
static void toggle_tag(struct app *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->tags.n; i++)
		if (strcmp(a->tags.v[i], id) == 0) {
			free(a->tags.v[i]);
			a->tags.v[i] = a->tags.v[--a->tags.n];
			return;
		}
	strlist_add(&a->tags, id);
}

/* group_targets - the IDs of the group under the cursor in the causes or domains view: the
 * messages its row counts (the search applies to both) */
static int group_targets(struct app *a, struct strlist *ids, char *what, size_t whatsz)
{
	if (a->view == VIEW_CAUSES && a->ncrows) {
		const struct cause_row *r = &a->crows[a->cpos.sel];
		const char *name = r->level == 1 ? r->provider : r->level == 2 ? r->domain : "";

		app_group_ids(a, r->level == 0 ? FILTER_CAUSE : r->level == 1 ? FILTER_PROVIDER : FILTER_DOMAIN,
			      r->cause, name, ids);
		snprintf(what, whatsz, "%s%s%s", cause_name(r->cause), r->level ? " / " : "", name);
	} else if (a->view == VIEW_DOMAINS && a->ndlist) {
		const struct domain_row *d = &a->dlist[a->dpos.sel];

		app_group_ids(a, d->is_provider ? FILTER_PROVIDER : FILTER_DOMAIN, CAUSE_COUNT, d->q->name, ids);
		snprintf(what, whatsz, "%s %s", d->is_provider ? "provider" : "domain", d->q->name);
	} else {
		return -1;
	}
	if (a->search[0] && strlen(what) + 1 < whatsz)
		snprintf(what + strlen(what), whatsz - strlen(what), " matching \"%s\"", a->search);
	if (a->fexpiring && strlen(what) + 1 < whatsz)
		snprintf(what + strlen(what), whatsz - strlen(what), ", expiring");
	return 0;
}

/* targets - the IDs an action key acts on, and words for the prompt */
static int targets(struct app *a, struct strlist *ids, char *what, size_t whatsz)
{
	size_t i;

	if (a->tags.n > 0) {
		for (i = 0; i < a->tags.n; i++)
			strlist_add(ids, a->tags.v[i]);
		snprintf(what, whatsz, "%zu tagged message%s", a->tags.n, a->tags.n == 1 ? "" : "s");
		return 0;
	}
	if (a->view == VIEW_MESSAGES && a->nmrows) {
		strlist_add(ids, a->mrows[a->mpos.sel]->id);
		snprintf(what, whatsz, "message %s", a->mrows[a->mpos.sel]->id);
		return 0;
	}
	if (a->view == VIEW_DETAIL && app_detail_msg(a) != NULL) {
		strlist_add(ids, a->detail_id);
		snprintf(what, whatsz, "message %s", a->detail_id);
		return 0;
	}
	return group_targets(a, ids, what, whatsz);
}

/* selected_domain - the destination domain under the cursor */
static const char *selected_domain(struct app *a)
{
	const struct qmsg *msg = NULL;

	if (a->view == VIEW_MESSAGES && a->nmrows)
		msg = a->mrows[a->mpos.sel];
	else if (a->view == VIEW_DETAIL)
		msg = app_detail_msg(a);
	else if (a->view == VIEW_DOMAINS && a->ndlist)
		return a->dlist[a->dpos.sel].is_provider ? NULL : a->dlist[a->dpos.sel].q->name;
	else if (a->view == VIEW_CAUSES && a->ncrows && a->crows[a->cpos.sel].level == 2)
		return a->crows[a->cpos.sel].domain;
	return msg && msg->nrcpts ? msg->rcpts[0].domain : NULL;
}

/* start_action - build a job for an action; confirm when its rule says so */
static int start_action(struct app *a, const struct actionkey *k)
{
	struct actions_ui *u = a->aui;
	struct job *j = calloc(1, sizeof *j);
	enum action_kind kind = (enum action_kind)k->op;
	char what[300];

	if (j == NULL)
		return REACT_NONE;
	j->kind = JOB_ACTION;
	j->action = kind;
	if (targets(a, &j->ids, what, sizeof what) < 0 || j->ids.n == 0) {
		app_flash(a, "%s: nothing selected", action_kind_name(kind));
		job_free(j);
		return REACT_REDRAW;
	}
	if (a->fleet != NULL) {
		/* each ID to the hosts that hold it: the prompt says how many messages on how many hosts */
		const char *only = NULL;	/* the message under the cursor: its own host only */
		size_t nh;

		if (a->tags.n == 0 && a->view == VIEW_MESSAGES && a->nmrows)
			only = a->mrows[a->mpos.sel]->host;
		else if (a->tags.n == 0 && a->view == VIEW_DETAIL && a->detail_host[0])
			only = a->detail_host;
		j->fleet = 1;
		if (fleet_ui_plan(a, &j->ids, only, &j->plan) < 0 || j->plan.nmsgs == 0) {
			app_flash(a, "%s: %s", action_kind_name(kind), j->plan.nmsgs == 0 ? "no host holds it any more"
				  : "out of memory");
			job_free(j);
			return REACT_REDRAW;
		}
		nh = fleet_plan_hosts(&j->plan);
		if (k->confirm == CONFIRM_ALWAYS || j->plan.nmsgs > CONFIRM_ABOVE || nh > 1) {
			u->pending = j;
			u->prompt = PROMPT_CONFIRM;
			snprintf(u->prompt_text, sizeof u->prompt_text, "%s %s: %zu message%s on %zu host%s?%s  y = yes, "
				 "n/Enter/Esc = no", kind == ACTION_DELETE ? "DELETE" : action_kind_name(kind), what,
				 j->plan.nmsgs, j->plan.nmsgs == 1 ? "" : "s", nh, nh == 1 ? "" : "s",
				 kind == ACTION_DELETE ? " This cannot be undone." : "");
			return REACT_REDRAW;
		}
		submit(u, j);
		return REACT_REDRAW;
	}
	if (k->confirm == CONFIRM_ALWAYS || j->ids.n > CONFIRM_ABOVE) {
		u->pending = j;
		u->prompt = PROMPT_CONFIRM;
		snprintf(u->prompt_text, sizeof u->prompt_text, "%s %s (%zu message%s)?%s  y = yes, n/Enter/Esc = no",
			 kind == ACTION_DELETE ? "DELETE" : action_kind_name(kind), what, j->ids.n,
			 j->ids.n == 1 ? "" : "s", kind == ACTION_DELETE ? " This cannot be undone." : "");
		return REACT_REDRAW;
	}
	submit(u, j);
	return REACT_REDRAW;
}

/* throttle_where - the fleet console: " on every host" or " on HOST" (:host), else "" */
static const char *throttle_where(const struct app *a)
{
	static char buf[80];

	if (a->fleet == NULL)
		return "";
	snprintf(buf, sizeof buf, " on %s%.60s", a->fhost[0] ? "" : "every host", a->fhost);
	return buf;
}

/* prompt_key - a key while a prompt is shown */
static int prompt_key(struct app *a, int ch)
{
	struct actions_ui *u = a->aui;
	struct job *j = u->pending;
	struct why why;
	size_t n;

	switch (u->prompt) {
	case PROMPT_CONFIRM:
		u->prompt = PROMPT_NONE;
		u->pending = NULL;
		if (ch == 'y' || ch == 'Y')
			submit(u, j);
		else {
			app_flash(a, "cancelled");
			job_free(j);
		}
		return REACT_REDRAW;
	case PROMPT_THROTTLE_MODE:
		if (ch == 'r') {
			/* remove the throttle: asked once more */
			j->kind = JOB_UNTHROTTLE;
			u->prompt = PROMPT_CONFIRM;
			snprintf(u->prompt_text, sizeof u->prompt_text, "remove the throttle of %s%s?  y = yes, n = no",
				 j->domain, throttle_where(a));
			return REACT_REDRAW;
		}
		if (ch == 's' && throttle_mode_supported(&a->params, THROTTLE_SLOW, &why) < 0) {
			/* not offered (Exim); pressed anyway: refused, audited, said in the footer */
			u->prompt = PROMPT_NONE;
			u->pending = NULL;
			actions_ui_refused(a, AUDIT_THROTTLE, j->domain, "throttle %s: %s", j->domain, why.text);
			job_free(j);
			return REACT_REDRAW;
		}
		if (ch == 's' || ch == 'p') {
			j->mode = ch == 's' ? THROTTLE_SLOW : THROTTLE_PAUSE;
			u->prompt = PROMPT_THROTTLE_FOR;
			u->edit[0] = '\0';
			return REACT_REDRAW;
		}
		break;
	case PROMPT_THROTTLE_FOR:
		n = strlen(u->edit);
		if (ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
			long d = u->edit[0] ? duration_parse(u->edit, 1) : 0;

			if (d < 0) {
				app_flash(a, "%s: %s (like 30m, 2h, 1d)", duration_problem(d), u->edit);
				u->edit[0] = '\0';
				return REACT_REDRAW;
			}
			j->until = d ? time(NULL) + d : 0;
			u->prompt = PROMPT_NONE;
			u->pending = NULL;
			submit(u, j);
			return REACT_REDRAW;
		}
		if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0) {
			u->edit[n - 1] = '\0';
			return REACT_REDRAW;
		}
		if (ch >= '0' && ch <= 'z' && n + 1 < sizeof u->edit) {
			u->edit[n] = (char)ch;
			u->edit[n + 1] = '\0';
			return REACT_REDRAW;
		}
		if (ch != 27)
			return REACT_REDRAW;
		break;
	default:
		return REACT_UNHANDLED;
	}
	/* anything else cancels */
	u->prompt = PROMPT_NONE;
	u->pending = NULL;
	job_free(j);
	app_flash(a, "cancelled");
	return REACT_REDRAW;
}

/* fleet_throttle_hosts - a throttle of the fleet console goes to every host, or to the ":host" one; -1 on
 * out of memory */
static int fleet_throttle_hosts(struct app *a, struct job *j)
{
	const struct fleet *fl = a->opt.fleet;
	size_t i;

	j->fleet = 1;
	if (!a->fhost[0])
		return 0;	/* run NULL: every host */
	if ((j->run = calloc(fl->n + 1, sizeof *j->run)) == NULL)
		return -1;
	for (i = 0; i < fl->n; i++)
		j->run[i] = strcmp(fl->hosts[i].name, a->fhost) == 0;
	return 0;
}

/* start_throttle - t: ask slow or pause, then for how long */
static int start_throttle(struct app *a, int clear)
{
	struct actions_ui *u = a->aui;
	const char *dom = selected_domain(a);
	struct job *j;

	if (a->view == VIEW_DOMAINS && a->ndlist && a->dlist[a->dpos.sel].is_provider) {
		app_flash(a, "throttle acts on a domain: select one of %s's domains", a->dlist[a->dpos.sel].q->name);
		return REACT_REDRAW;
	}
	if (dom == NULL || *dom == '\0') {
		app_flash(a, "throttle: select a message or a domain first");
		return REACT_REDRAW;
	}
	if ((j = calloc(1, sizeof *j)) == NULL)
		return REACT_NONE;
	snprintf(j->domain, sizeof j->domain, "%s", dom);
	if (a->fleet != NULL && fleet_throttle_hosts(a, j) < 0) {
		job_free(j);
		return REACT_NONE;
	}
	if (clear) {
		j->kind = JOB_UNTHROTTLE;
		u->pending = j;
		u->prompt = PROMPT_CONFIRM;
		snprintf(u->prompt_text, sizeof u->prompt_text, "remove the throttle of %s%s?  y = yes, n = no", dom,
			 throttle_where(a));
		return REACT_REDRAW;
	}
	j->kind = JOB_THROTTLE;
	u->pending = j;
	u->prompt = PROMPT_THROTTLE_MODE;
	return REACT_REDRAW;
}

/* actions_ui_hidden - bit i for actionkeys[i] when the instance's MTA has no such queue action */
unsigned long actions_ui_hidden(const struct app *a)
{
	unsigned long hidden = 0;
	size_t i;

	for (i = 0; i < nactionkeys && i < sizeof hidden * 8; i++)
		if ((int)actionkeys[i].op < ACTION_KIND_COUNT && a->params.backend != NULL
		    && !action_supported(&a->params, (enum action_kind)actionkeys[i].op))
			hidden |= 1ul << i;
	return hidden;
}

/* actions_ui_run - run an action of the actions table on what the current view selects; a reaction */
int actions_ui_run(struct app *a, const struct actionkey *k)
{
	struct actions_ui *u = a->aui;

	if (u == NULL || a->m == NULL) {
		app_flash(a, "%s: actions are unavailable", k->name);
		return REACT_REDRAW;
	}
	if (!(views[a->view].flags & VIEW_ACTS)) {
		app_flash(a, "%s acts in the causes, messages, detail and domains views", k->name);
		return REACT_REDRAW;
	}
	if (a->opt.read_only) {
		struct strlist ids = { 0 };
		char what[300] = "";

		if (k->op == OP_THROTTLE || k->op == OP_UNTHROTTLE)
			snprintf(what, sizeof what, "%s", selected_domain(a) ? selected_domain(a) : "");
		else
			targets(a, &ids, what, sizeof what);
		strlist_free(&ids);
		actions_ui_refused(a, actionkey_verb(k), what, "read-only: actions are off (--read-only or read_only = yes "
				   "in the configuration)");
		return REACT_REDRAW;
	}
	if ((int)k->op < ACTION_KIND_COUNT && !action_supported(&a->params, (enum action_kind)k->op)) {
		/* before any confirmation: nothing will run (Exim has no requeue) */
		struct strlist ids = { 0 };
		char what[300] = "";

		targets(a, &ids, what, sizeof what);
		strlist_free(&ids);
		actions_ui_refused(a, actionkey_verb(k), what, "%s: %s has no %s (nothing done)", k->name,
				   a->params.backend ? a->params.backend->title : "the MTA", k->name);
		return REACT_REDRAW;
	}
	if (u->busy) {
		app_flash(a, "an action is still running");
		return REACT_REDRAW;
	}
	switch (k->op) {
	case OP_THROTTLE: return start_throttle(a, 0);
	case OP_UNTHROTTLE: return start_throttle(a, 1);
	default: return start_action(a, k);
	}
}

/* actions_ui_key - action, tag and prompt keys; returns a reaction or REACT_UNHANDLED */
int actions_ui_key(struct app *a, int ch)
{
	struct actions_ui *u = a->aui;
	const struct actionkey *k;
	size_t i;

	if (u == NULL || a->m == NULL)
		return REACT_UNHANDLED;
	if (u->prompt != PROMPT_NONE)
		return prompt_key(a, ch);
	if (ch == 'x' && a->tags.n > 0) {
		strlist_free(&a->tags);
		app_flash(a, "tags cleared");
		return REACT_REDRAW;
	}
	if (!(views[a->view].flags & VIEW_ACTS))
		return REACT_UNHANDLED;
	switch (ch) {
	case ' ':
		if (a->view != VIEW_MESSAGES || a->nmrows == 0)
			return REACT_UNHANDLED;
		toggle_tag(a, a->mrows[a->mpos.sel]->id);
		if (a->mpos.sel + 1 < a->nmrows)
			a->mpos.sel++;
		return REACT_REDRAW;
	case '*':
		if (a->view != VIEW_MESSAGES)
			return REACT_UNHANDLED;
		for (i = 0; i < a->nmrows; i++)
			if (!strlist_has(&a->tags, a->mrows[i]->id))
				strlist_add(&a->tags, a->mrows[i]->id);
		app_flash(a, "%zu messages tagged", a->tags.n);
		return REACT_REDRAW;
	default:
		break;
	}
	if ((k = actionkey_by_key(ch)) == NULL)
		return REACT_UNHANDLED;
	return actions_ui_run(a, k);
}

/* actions_ui_prompt - the prompt line to show instead of the footer, NULL when none */
const char *actions_ui_prompt(const struct app *a)
{
	struct actions_ui *u = a->aui;

	if (u == NULL)
		return NULL;
	switch (u->prompt) {
	case PROMPT_CONFIRM:
		return u->prompt_text;
	case PROMPT_THROTTLE_MODE:
		if (throttle_mode_supported(&a->params, THROTTLE_SLOW, NULL) < 0)
			snprintf(u->prompt_text, sizeof u->prompt_text, "throttle %s: p = pause (no delivery), r = remove "
				 "the throttle, Esc = cancel (no slow for %s)", u->pending->domain,
				 a->params.backend != NULL ? a->params.backend->title : "this MTA");
		else
			snprintf(u->prompt_text, sizeof u->prompt_text, "throttle %s%s: s = slow (1 msg/s, one connection), "
				 "p = pause (no delivery), r = remove the throttle, Esc = cancel", u->pending->domain,
				 throttle_where(a));
		return u->prompt_text;
	case PROMPT_THROTTLE_FOR:
		snprintf(u->prompt_text, sizeof u->prompt_text, "%s %s for how long (30m, 2h, 1d; Enter = until "
			 "unthrottled): %s_", throttle_mode_name(u->pending->mode), u->pending->domain, u->edit);
		return u->prompt_text;
	default:
		return NULL;
	}
}

/* actions_ui_tick - once a minute: expire throttles whose time is up (on the worker: postmap may take a second) */
void actions_ui_tick(struct app *a)
{
	struct actions_ui *u = a->aui;
	struct job *j;
	time_t now = time(NULL);

	if (u == NULL || a->opt.read_only || u->busy || u->prompt != PROMPT_NONE || now - u->last_expire < 60
	    || a->fleet != NULL)
		return;	/* the fleet's throttles expire on their hosts (each host's own mqmon) */
	u->last_expire = now;
	if ((j = calloc(1, sizeof *j)) == NULL)
		return;
	j->kind = JOB_EXPIRE;
	worker_lock(u->worker);
	u->todo = j;
	u->busy = 1;
	worker_unlock(u->worker);
	worker_kick(u->worker);
}

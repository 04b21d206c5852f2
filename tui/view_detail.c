/* view_detail - everything mqmon knows about one message
 *
 * Queue, sender, arrival and expiry, attempts and the relay of the last
 * one, the retry time and where it comes from, and every pending recipient
 * with its cause, provider, status code, SMTP stage, matching rule and the
 * full (sanitised) reply text, wrapped to the screen.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/duration.h"
#include "core/history/report.h"
#include "tui/app.h"
#include "tui/screen.h"

#define MAX_LINES 400

struct line {
	enum tui_elem el;
	char text[512];
};

struct lines {
	struct line v[MAX_LINES];
	int n;
};

/* add - one line of the detail */
static void add(struct lines *l, enum tui_elem el, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(struct lines *l, enum tui_elem el, const char *fmt, ...)
{
	va_list ap;

	if (l->n >= MAX_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(l->v[l->n].text, sizeof l->v[l->n].text, fmt, ap);
	va_end(ap);
	l->v[l->n++].el = el;
}

/* add_wrapped - a long text over several lines, indented */
static void add_wrapped(struct lines *l, enum tui_elem el, const char *s, int indent, int width)
{
	const char *next;

	while (*s && l->n < MAX_LINES) {
		size_t n = ui_wrap(s, width - indent, &next);

		add(l, el, "%*s%.*s", indent, "", (int)n, s);
		s = next;
	}
}

#define HISTORY_MAX 12

struct history {
	struct line v[HISTORY_MAX];	/* a ring of the latest attempts */
	int n, total;
};

/* history_row - one stored attempt (oldest first: keep the latest HISTORY_MAX) */
static int history_row(void *ctx, const struct store_attempt *at)
{
	struct history *h = ctx;
	struct line *l = &h->v[h->total % HISTORY_MAX];
	char t[40];
	int c = at->cause ? cause_from_name(at->cause) : -1;

	format_time(t, sizeof t, at->time);
	snprintf(l->text, sizeof l->text, "  %s  %-8s %-7s %-12s %s  %s", t, delivery_status_name(at->status),
		 at->dsn && *at->dsn ? at->dsn : "-", at->cause && *at->cause ? at->cause : "-",
		 at->queue_id ? at->queue_id : "", at->recipient ? at->recipient : "");
	l->el = c >= 0 ? theme_cause((enum cause)c) : EL_NORMAL;
	h->total++;
	if (h->n < HISTORY_MAX)
		h->n++;
	return 0;
}

/* add_history - the message's attempts from the store (including IDs it was requeued from) */
static void add_history(const struct app *a, const struct qmsg *msg, struct lines *l)
{
	static struct history h;
	int i;

	if (a->store == NULL)
		return;
	h.n = h.total = 0;
	if (store_attempts_for(a->store, msg->id, history_row, &h, NULL) < 0 || h.total == 0)
		return;
	add(l, EL_NORMAL, "%s", "");
	add(l, EL_HEADER, "History (%d attempt%s stored%s)", h.total, h.total == 1 ? "" : "s",
	    h.total > HISTORY_MAX ? ", latest shown" : "");
	for (i = 0; i < h.n; i++) {
		const struct line *src = &h.v[(h.total - h.n + i) % HISTORY_MAX];

		add(l, src->el, "%s", src->text);
	}
}

/* action_row - one audit row that names this message */
static int action_row(void *ctx, const struct store_action *act)
{
	struct lines *l = ctx;
	char t[40];

	format_time(t, sizeof t, act->time);
	add(l, act->ok ? EL_NORMAL : EL_ERROR, "  %s  %-10s %-10s %s", t, act->user ? act->user : "?",
	    audit_verb_name(act->action), store_action_outcome(act));
	return l->n >= MAX_LINES - 2;
}

/* add_actions - operator actions taken on the message (from the audit trail) */
static void add_actions(const struct app *a, const struct qmsg *msg, struct lines *l)
{
	int header;

	if (a->store == NULL)
		return;
	header = l->n;
	add(l, EL_NORMAL, "%s", "");
	add(l, EL_HEADER, "Actions taken on it");
	if (store_actions(a->store, 0, msg->id, action_row, l, NULL) <= 0)
		l->n = header;	/* none: no section */
}

/* add_why - how the cause was decided, in one line (mqmon rules --explain gives the whole evidence) */
static void add_why(const struct app *a, const struct qrcpt *r, struct lines *l)
{
	static struct reply_info reply;
	static struct explanation ex;
	char line[512];

	if (a->m->cl == NULL)
		return;
	reply_parse(r->reason, strlen(r->reason), &reply);
	classifier_explain(a->m->cl, &reply, r->dsn, r->domain, &ex);
	explanation_line(&ex, line, sizeof line);
	add(l, EL_DIM, "    why: %s", line);
}

/* build - the detail of msg as lines */
static void build(const struct app *a, const struct qmsg *msg, struct lines *l)
{
	char t1[40], t2[40], d1[32], d2[32];
	const struct mta_params *p = &a->m->params;
	size_t k;

	add(l, EL_HEADER, "Message %s   queue %s   %ld bytes", msg->id, queue_name_str(msg->queue), msg->size);
	if (msg->host != NULL)
		add(l, EL_NORMAL, "Host      %s  (the fleet console: that host's queue, classified by its own rules)",
		    msg->host);
	add(l, EL_NORMAL, "From      %s", msg->sender[0] ? msg->sender : "<> (bounce)");
	add(l, EL_NORMAL, "Arrived   %s  (%s ago)", format_time(t1, sizeof t1, msg->arrival),
	    duration_format(d1, sizeof d1, (long)(a->now - msg->arrival)));
	add(l, app_expiring(a, msg) ? EL_EXPIRING : EL_NORMAL,
	    "Expires   %s  (in %s%s)", format_time(t2, sizeof t2, msg->expires_at),
	    duration_format(d2, sizeof d2, (long)(msg->expires_at - a->now)),
	    msg->forced_expire ? ", forced" : "");
	if (msg->last_attempt)
		add(l, EL_NORMAL, "Attempts  %d, last %s ago via %s", msg->attempts,
		    duration_format(d1, sizeof d1, (long)(a->now - msg->last_attempt)), msg->relay ? msg->relay : "-");
	else
		add(l, EL_DIM, "Attempts  none seen in the log");
	switch (msg->retry_source) {
	case RETRY_EXACT:
	case RETRY_ESTIMATED:
		add(l, msg->overdue ? EL_OVERDUE : EL_NORMAL, "Retry     %s %s (%s%s), at the latest %s later "
		    "(%s)%s", msg->next_retry > a->now ? "in" : "due since",
		    duration_format(d1, sizeof d1, labs((long)(msg->next_retry - a->now))),
		    msg->retry_source == RETRY_EXACT ? "exact: " : "estimated: last attempt + back-off",
		    msg->retry_source == RETRY_EXACT && p->backend ? p->backend->retry_exact_source : "",
		    duration_format(d2, sizeof d2, p->queue_run_delay),
		    p->backend ? p->backend->queue_run_name : "queue run interval",
		    msg->overdue ? "  OVERDUE: is the queue manager running?" : "");
		break;
	case RETRY_UNKNOWN:
		add(l, EL_DIM, "Retry     unknown (spool not readable and no attempt in the log)");
		break;
	default:
		add(l, EL_NORMAL, "Retry     none (%s)", msg->queue == QUEUE_HOLD ? "on hold: release it to retry"
		    : queue_name_str(msg->queue));
		break;
	}
	add(l, EL_NORMAL, "%s", "");
	add(l, EL_HEADER, "Recipients (%zu pending)", (size_t)msg->nrcpts);
	for (k = 0; k < msg->nrcpts; k++) {
		const struct qrcpt *r = &msg->rcpts[k];

		if (k > 0)	/* a blank line between recipients, none under the header */
			add(l, EL_NORMAL, "%s", "");
		add(l, EL_NORMAL, "%s", r->address);
		if (r->requeued) {
			add(l, theme_cause(r->cause), "    %s  provider %s  rule %s", cause_name(r->cause), r->provider,
			    r->rule ? r->rule : "-");
			add(l, EL_ADVICE, "    REQUEUED (or being retried): no reply since; the cause is the last remote "
			    "reply's:");
			add_wrapped(l, EL_NORMAL, msg->remote_reason ? msg->remote_reason : "-", 4, COLS);
			continue;
		}
		if (r->reason[0] == '\0') {
			add(l, EL_DIM, "    not attempted yet");
			continue;
		}
		add(l, theme_cause(r->cause), "    %s  provider %s  dsn %s  stage %s  rule %s", cause_name(r->cause),
		    r->provider, r->dsn[0] ? r->dsn : "-", smtp_stage_name(r->stage)[0] ? smtp_stage_name(r->stage) : "-",
		    r->rule ? r->rule : "-");
		add_wrapped(l, EL_NORMAL, r->reason, 4, COLS);
		if (r->paused) {
			add(l, EL_ADVICE, "    PAUSED by mqmon's throttle of %s (`mqmon throttles`): not a remote reply; "
			    "the cause is the last remote reply's:", r->domain);
			add_wrapped(l, EL_NORMAL, msg->remote_reason ? msg->remote_reason : "(none seen in the history)",
				    4, COLS);
		}
		add_why(a, r, l);
		add_wrapped(l, EL_ADVICE, classifier_cause_advice(a->m->cl, r->cause), 4, COLS);
	}
	add_history(a, msg, l);
	add_actions(a, msg, l);
}

/* view_detail_draw - the detail, scrolled */
void view_detail_draw(struct app *a, int y, int h)
{
	static struct lines l;
	struct qmsg *msg = app_detail_msg(a);
	int i;

	if (msg == NULL) {
		ui_putf(y + 1, 2, COLS - 4, EL_DIM, 0, "message %s has left the queue (delivered, expired or "
			"removed)", a->detail_id);
		return;
	}
	l.n = 0;
	build(a, msg, &l);
	if (a->detail_scroll > l.n - h)
		a->detail_scroll = l.n - h > 0 ? l.n - h : 0;
	if (a->detail_scroll < 0)
		a->detail_scroll = 0;
	for (i = 0; i < h && a->detail_scroll + i < l.n; i++)
		ui_put(y + i, 1, COLS - 1, l.v[a->detail_scroll + i].text, l.v[a->detail_scroll + i].el, 1);
}

/* view_detail_key - scrolling (Space pages only: the action keys have their own table) */
int view_detail_key(struct app *a, int ch, int h)
{
	return app_scroll_keys(&a->detail_scroll, h, ch);
}

/* view_action - one row of the audit trail, whole: who, when, what, the command, its exit status and output
 *
 * Opened with Enter in the Actions log. Everything shown is stored already
 * (core/store's actions table); the targets and the output are wrapped to
 * the width and scroll like the help.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/history/report.h"
#include "tui/app.h"
#include "tui/screen.h"

#define ACTION_LINES 600

struct aline {
	enum tui_elem el;
	char text[512];
};

struct adetail {
	long long id;
	int found, n, cols;
	time_t built;
	struct aline v[ACTION_LINES];
};

/* add - one line */
static void add(struct adetail *d, enum tui_elem el, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(struct adetail *d, enum tui_elem el, const char *fmt, ...)
{
	va_list ap;

	if (d->n >= ACTION_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(d->v[d->n].text, sizeof d->v[d->n].text, fmt, ap);
	va_end(ap);
	d->v[d->n++].el = el;
}

/* add_text - a long text wrapped under a label, every line of it kept */
static void add_text(struct adetail *d, enum tui_elem el, const char *label, const char *s)
{
	char line[1024];

	add(d, EL_HEADER, "%s", label);
	if (s == NULL || *s == '\0') {
		add(d, EL_DIM, "  (none)");
		return;
	}
	while (*s && d->n < ACTION_LINES) {
		size_t len = strcspn(s, "\n");
		const char *p, *next, *end = s + len;

		snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), s);
		for (p = line; *p; p = next) {
			size_t n = ui_wrap(p, COLS - 4, &next);

			add(d, el, "  %.*s", (int)n, p);
		}
		if (len == 0)
			add(d, el, "%s", "");
		s = *end ? end + 1 : end;
	}
}

/* find - the audit row with the wanted id */
static int find(void *ctx, const struct store_action *act)
{
	struct adetail *d = ctx;
	char t[40];

	if (act->id != d->id)
		return 0;
	d->found = 1;
	format_time(t, sizeof t, act->time);
	add(d, EL_HEADER, "Action %lld: %s", act->id, audit_verb_name(act->action));
	add(d, EL_NORMAL, "Time      %s", t);
	add(d, EL_NORMAL, "User      %s", act->user ? act->user : "?");
	if (act->state == STORE_ACTION_STARTED)
		add(d, EL_ERROR, "Outcome   %s (mqmon ended while the command ran)", store_action_outcome(act));
	else if (act->state == STORE_ACTION_REFUSED)
		add(d, EL_ERROR, "Outcome   %s: nothing ran (the output says why)", store_action_outcome(act));
	else
		add(d, act->ok ? EL_NORMAL : EL_ERROR, "Outcome   %s, exit status %d", act->ok ? "ok" : "FAILED",
		    act->result);
	add(d, EL_NORMAL, "Targets   %lld queue ID%s", act->ntargets, act->ntargets == 1 ? "" : "s");
	add(d, EL_NORMAL, "%s", "");
	add_text(d, EL_NORMAL, "Target", act->target);
	add(d, EL_NORMAL, "%s", "");
	add_text(d, EL_NORMAL, "Command", act->args);
	add(d, EL_NORMAL, "%s", "");
	add_text(d, act->ok ? EL_NORMAL : EL_ERROR, "Output", act->output);
	return 1;
}

/* view_action_draw - the action, scrolled */
void view_action_draw(struct app *a, int y, int h)
{
	static struct adetail d;
	int i;

	/* read again when another row is asked for, the width changed, or every few seconds (a running
	 * action completes its row) */
	if (d.id != a->action_id || d.cols != COLS || a->now - d.built >= 5) {
		d.id = a->action_id;
		d.cols = COLS;
		d.built = a->now;
		d.found = d.n = 0;
		if (a->store != NULL)
			store_actions(a->store, 0, NULL, find, &d, NULL);
	}
	if (!d.found) {
		ui_put(y + 1, 2, COLS - 4, "this action is no longer in the history", EL_DIM, 0);
		return;
	}
	if (a->action_scroll > d.n - h)
		a->action_scroll = d.n - h > 0 ? d.n - h : 0;
	for (i = 0; i < h && a->action_scroll + i < d.n; i++)
		ui_put(y + i, 1, COLS - 1, d.v[a->action_scroll + i].text, d.v[a->action_scroll + i].el, 1);
}

/* view_action_key - scrolling */
int view_action_key(struct app *a, int ch, int h)
{
	return app_scroll_keys(&a->action_scroll, h, ch);
}

/* view_actions - the audit trail: every operator action, newest first; Enter opens one (view_action)
 *
 * A throttle's target says its mode and duration (gmail.com pause 2h00m); a
 * refused request (read-only, `:hold ALL`, a throttle before its setup)
 * reads `refused` with its reason after the target. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "core/history/report.h"
#include "tui/app.h"
#include "tui/screen.h"

#define ACTIONS_MAX 500

struct arow {
	char text[512];
	long long id;
	int ok;
};

struct arows {
	struct arow v[ACTIONS_MAX];
	size_t n;
};

/* collect - one audit row */
static int collect(void *ctx, const struct store_action *act)
{
	struct arows *r = ctx;
	char t[40];

	if (r->n == ACTIONS_MAX)
		return 1;
	format_time(t, sizeof t, act->time);
	if (act->state == STORE_ACTION_STARTED)	/* mqmon was killed while the command ran */
		snprintf(r->v[r->n].text, sizeof r->v[r->n].text, "%.19s  %-10.10s %-10s %-7s %3s  [%s] %s", t,
			 act->user ? act->user : "?", audit_verb_name(act->action), "?", "?",
			 store_action_outcome(act), act->target ? act->target : "");
	else if (act->state == STORE_ACTION_REFUSED)	/* nothing ran: the reason follows the target */
		snprintf(r->v[r->n].text, sizeof r->v[r->n].text, "%.19s  %-10.10s %-10s %-7s %3s  %s: %s", t,
			 act->user ? act->user : "?", audit_verb_name(act->action), store_action_outcome(act),
			 "-", act->target ? act->target : "", act->output ? act->output : "");
	else
		snprintf(r->v[r->n].text, sizeof r->v[r->n].text, "%.19s  %-10.10s %-10s %-7s %3d  %s", t,
			 act->user ? act->user : "?", audit_verb_name(act->action), act->ok ? "ok" : "FAIL",
			 act->result, act->target ? act->target : "");
	r->v[r->n].id = act->id;
	r->v[r->n++].ok = act->ok;
	return 0;
}

static struct arows rows;	/* what the last draw listed: the keys move over it */

/* view_actions_draw - the latest audit rows (last 30 days) */
void view_actions_draw(struct app *a, int y, int h)
{
	int row;
	size_t i;

	rows.n = 0;
	ui_putf(y, 0, COLS, EL_HEADER, 1, "%-19s  %-10s %-10s %-7s %3s  %s", "TIME", "USER", "ACTION", "OK", "RC",
		"TARGET");
	if (a->store == NULL) {
		ui_put(y + 2, 2, COLS - 4, "no history database: the audit trail is unavailable", EL_DIM, 0);
		return;
	}
	store_actions(a->store, time(NULL) - 30 * 86400, NULL, collect, &rows, NULL);
	if (rows.n == 0)
		ui_put(y + 2, 2, COLS - 4, "no operator action in the last 30 days", EL_DIM, 0);
	app_list_fix(&a->apos, rows.n, h - 1);
	app_list_drawn(a, &a->apos, y + 1, h - 1, rows.n);
	for (row = 0, i = a->apos.top; i < rows.n && row < h - 1; i++, row++)
		ui_put(y + 1 + row, 0, COLS, rows.v[i].text, i == a->apos.sel ? EL_SELECTED :
		       rows.v[i].ok ? EL_NORMAL : EL_ERROR, 1);
}

/* view_actions_key - scrolling; Enter opens the action: its command, exit status and whole output */
int view_actions_key(struct app *a, int ch, int h)
{
	if ((ch == '\r' || ch == '\n' || ch == KEY_ENTER || ch == KEY_RIGHT || ch == 'l') && a->apos.sel < rows.n) {
		a->action_id = rows.v[a->apos.sel].id;
		a->action_scroll = 0;
		app_push_view(a, VIEW_ACTION);
		return REACT_REDRAW;
	}
	return app_list_keys(&a->apos, rows.n, h - 1, ch);
}

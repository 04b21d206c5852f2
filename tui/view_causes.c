/* view_causes - home view: deferrals as a tree cause -> provider -> domain
 *
 * Each row shows messages and recipients, the oldest message's age and the
 * soonest retry as a live countdown. The pane at the bottom gives the
 * advice for the selected cause. Enter opens the messages of the group.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "core/base/duration.h"
#include "tui/app.h"
#include "tui/screen.h"
#include "tui/sparkline.h"

#define ADVICE_LINES 3
#define NUM_COLS 38		/* " MSGS RCPTS OLDEST NEXT RETRY " after the name: 1+7+1+7+1+9+1+10+1 */
#define NAME_COLS_MIN 20		/* below this the trend column gives way to the name */
#define NAME_COLS_MAX 48		/* wide terminals: the name column stops here, numbers stay near their names */

/* countdown - soonest retry of a group */
static const char *countdown(char *buf, size_t n, time_t soonest, time_t now, enum tui_elem *el)
{
	char d[32];

	*el = EL_COUNTDOWN;
	if (soonest == 0)
		return snprintf(buf, n, "-"), buf;
	if (soonest <= now) {
		*el = EL_COUNTDOWN_DUE;
		return snprintf(buf, n, "due"), buf;
	}
	if (soonest - now < 60)
		*el = EL_COUNTDOWN_NEAR;
	return snprintf(buf, n, "%s", duration_format(d, sizeof d, (long)(soonest - now))), buf;
}

/* view_causes_draw - the tree and the advice pane */
void view_causes_draw(struct app *a, int y, int h)
{
	int list_h = h - 1 - ADVICE_LINES - 1, row, trend = 1, namew = COLS - NUM_COLS - TREND_BUCKETS;
	size_t i;
	char age[32], next[32], name[300];
	const struct cause_row *sel = a->ncrows ? &a->crows[a->cpos.sel < a->ncrows ? a->cpos.sel : 0] : NULL;
	const char *advice;

	if (namew < NAME_COLS_MIN) {
		trend = 0;
		namew = COLS - NUM_COLS;
	}
	if (namew > NAME_COLS_MAX)
		namew = NAME_COLS_MAX;
	app_list_fix(&a->cpos, a->ncrows, list_h);
	app_list_drawn(a, &a->cpos, y + 1, list_h, a->ncrows);
	ui_fill(y, 0, COLS, EL_HEADER);
	/* the headings are cut like the names, so the numbers stay under theirs */
	ui_put_cut(y, 0, namew, "CAUSE / PROVIDER / DOMAIN", EL_HEADER, 1);
	ui_putf(y, namew, COLS - namew, EL_HEADER, 1, " %7s %7s %9s %10s %s", "MSGS", "RCPTS", "OLDEST",
		"NEXT RETRY", trend ? "LAST HOUR" : "");
	if (a->ncrows == 0) {
		ui_put(y + 2, 2, COLS - 4, app_narrowed(a) ? "no deferred mail matches" :
		       "no deferred mail: every recipient is delivered or waiting for its first attempt",
		       EL_DIM, 0);
	}
	for (row = 0, i = a->cpos.top; i < a->ncrows && row < list_h; i++, row++) {
		const struct cause_row *r = &a->crows[i];
		int yy = y + 1 + row, selected = i == a->cpos.sel, x;
		enum tui_elem el = selected ? EL_SELECTED : EL_NORMAL, cel;

		if (r->level == 0)
			snprintf(name, sizeof name, "%s", cause_name(r->cause));
		else if (r->level == 1)
			snprintf(name, sizeof name, "  %s", r->provider);
		else
			snprintf(name, sizeof name, "    %s", r->domain);
		ui_fill(yy, 0, COLS, el);
		x = ui_put_cut(yy, 0, namew, name, selected ? EL_SELECTED : r->level == 0 ? theme_cause(r->cause)
			   : r->level == 1 ? EL_NORMAL : EL_DIM, 1);
		countdown(next, sizeof next, r->soonest, a->now, &cel);
		x += ui_putf(yy, x, COLS - x, el, 0, " %7zu %7zu %9s ", r->messages, r->recipients,
			     fmt_age(age, sizeof age, a->now, r->oldest));
		x += ui_putf(yy, x, COLS - x, selected ? EL_SELECTED : cel, 0, "%10s ", next);
		if (r->level == 0 && trend) {
			char spark[64];

			sparkline_format(spark, sizeof spark, r->trend, TREND_BUCKETS, ui_ascii());
			ui_put(yy, x, COLS - x, spark, selected ? EL_SELECTED : EL_SPARK, 0);
		}
	}
	/* advice pane */
	ui_fill(y + h - ADVICE_LINES - 1, 0, COLS, EL_HEADER);
	if (sel == NULL)
		return;
	ui_putf(y + h - ADVICE_LINES - 1, 0, COLS, EL_HEADER, 1, "%s", cause_name(sel->cause));
	advice = classifier_cause_advice(a->m->cl, sel->cause);
	{
		const char *p = advice, *nextp;
		int line;

		for (line = 0; line < ADVICE_LINES && *p; line++) {
			char buf[512];
			size_t n = ui_wrap(p, COLS - 2, &nextp);

			snprintf(buf, sizeof buf, "%.*s", (int)n, p);
			ui_put(y + h - ADVICE_LINES + line, 1, COLS - 2, buf, EL_ADVICE, 1);
			p = nextp;
		}
	}
}

/* view_causes_key - Enter opens the group's messages */
int view_causes_key(struct app *a, int ch, int h)
{
	const struct cause_row *r;
	int r2 = app_list_keys(&a->cpos, a->ncrows, h - 1 - ADVICE_LINES - 1, ch);

	if (!(r2 & REACT_UNHANDLED))
		return r2;
	if ((ch != '\r' && ch != '\n' && ch != KEY_ENTER && ch != 'l' && ch != KEY_RIGHT) || a->ncrows == 0)
		return REACT_UNHANDLED;
	r = &a->crows[a->cpos.sel];
	a->fcause = r->cause;
	a->fkind = r->level == 0 ? FILTER_CAUSE : r->level == 1 ? FILTER_PROVIDER : FILTER_DOMAIN;
	snprintf(a->fname, sizeof a->fname, "%s", r->level == 1 ? r->provider : r->level == 2 ? r->domain : "");
	a->mpos.sel = a->mpos.top = 0;
	a->sel_id[0] = '\0';
	app_rebuild_messages(a);	/* the group filter narrows only the table */
	app_push_view(a, VIEW_MESSAGES);
	return REACT_REDRAW;
}

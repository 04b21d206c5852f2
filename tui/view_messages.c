/* view_messages - the queue as a table with live retry countdowns
 *
 * Columns adapt to the width: sender and expiry appear on wide terminals.
 * Overdue retries and messages near expiry stand out; estimated retry times
 * are marked with '~'. `s` cycles the sort key, `S` reverses it.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "core/base/duration.h"
#include "tui/actions_ui.h"
#include "tui/app.h"
#include "tui/screen.h"

/* filter_title - what the table shows */
static void filter_title(const struct app *a, char *buf, size_t n)
{
	int k = 0;

	switch (a->fkind) {
	case FILTER_CAUSE:
		k = snprintf(buf, n, "cause %s", cause_name(a->fcause));
		break;
	case FILTER_PROVIDER:
		if (a->fcause == CAUSE_COUNT)
			k = snprintf(buf, n, "provider %s", a->fname);
		else
			k = snprintf(buf, n, "cause %s, provider %s", cause_name(a->fcause), a->fname);
		break;
	case FILTER_DOMAIN:
		if (a->fcause == CAUSE_COUNT)
			k = snprintf(buf, n, "domain %s", a->fname);
		else
			k = snprintf(buf, n, "cause %s, domain %s", cause_name(a->fcause), a->fname);
		break;
	default:
		k = snprintf(buf, n, "all messages");
		break;
	}
	if (a->search[0] && k >= 0 && (size_t)k < n)
		k += snprintf(buf + k, n - (size_t)k, ", matching \"%s\"", a->search);
	if (a->fexpiring && k >= 0 && (size_t)k < n) {
		char w[32];

		snprintf(buf + k, n - (size_t)k, ", expiring <%s", fmt_window(w, sizeof w, a->opt.expiry_warning));
	}
}

/* view_messages_draw - the table */
void view_messages_draw(struct app *a, int y, int h)
{
	int wide = COLS >= 110, list_h = h - 2, row;
	int sendw = wide ? COLS - 102 : 0;
	char title[512], age[32], next[48], exp[32];
	size_t i;

	app_list_fix(&a->mpos, a->nmrows, list_h);
	app_list_drawn(a, &a->mpos, y + 2, list_h, a->nmrows);
	filter_title(a, title, sizeof title);
	ui_putf(y, 0, COLS, EL_DIM, 1, " %zu of %zu messages: %s, sorted by %s, %s", a->nmrows, a->m->n, title,
		sort_keys[a->sort].title, a->sort_desc ? sort_keys[a->sort].desc : sort_keys[a->sort].asc);
	if (wide)
		ui_putf(y + 1, 0, COLS, EL_HEADER, 1, "%-12s %-8s %-22s %-*s %7s %4s %10s %8s %-13s", "QUEUE ID",
			"QUEUE", "DOMAIN", sendw, "SENDER", "AGE", "ATT", "NEXT RETRY", "EXPIRES", "CAUSE");
	else
		ui_putf(y + 1, 0, COLS, EL_HEADER, 1, "%-12s %-8s %-*s %7s %4s %10s %-12s", "QUEUE ID", "QUEUE",
			COLS - 60, "DOMAIN", "AGE", "ATT", "NEXT RETRY", "CAUSE");
	if (a->nmrows == 0)
		ui_put(y + 3, 2, COLS - 4, "no message matches (Esc clears the filter)", EL_DIM, 0);
	for (row = 0, i = a->mpos.top; i < a->nmrows && row < list_h; i++, row++) {
		const struct qmsg *msg = a->mrows[i];
		int yy = y + 2 + row, sel = i == a->mpos.sel, x = 0;
		enum tui_elem base = sel ? EL_SELECTED : EL_NORMAL, rel, eel = base;
		const char *dom = msg->nrcpts ? msg->rcpts[0].domain : "-";
		char domain[300];
		long left_exp = (long)(msg->expires_at - a->now);

		if (sel)
			snprintf(a->sel_id, sizeof a->sel_id, "%s", msg->id);
		snprintf(domain, sizeof domain, "%s%s", dom, msg->nrcpts > 1 ? " +" : "");
		fmt_retry(next, sizeof next, msg, a->now, a->m->params.queue_run_delay, &rel);
		if (!sel && app_expiring(a, msg))
			eel = EL_EXPIRING;
		duration_format(exp, sizeof exp, left_exp);
		if (!sel && actions_ui_is_tagged(a, msg->id))
			base = EL_TAGGED;
		ui_fill(yy, 0, COLS, base);
		/* not '*': mailq marks active mail with it */
		x += ui_putf(yy, x, 13, base, 1, "%s%s", msg->id,
			     actions_ui_is_tagged(a, msg->id) ? ui_glyph("\xe2\x9c\x93", "+") : "");
		/* 8 columns: every queue name whole (deferred, maildrop, incoming, active, hold) */
		x += ui_putf(yy, x, 9, sel ? base : msg->queue == QUEUE_HOLD ? EL_HOLD : base, 1, "%.8s",
			     queue_name_str(msg->queue));
		if (wide) {
			x += ui_put_cut(yy, x, 22, domain, base, 1) + ui_put(yy, x + 22, 1, "", base, 1);
			x += ui_put(yy, x, sendw + 1, msg->sender[0] ? msg->sender : "<>", base, 1);
		} else {
			x += ui_put_cut(yy, x, COLS - 60, domain, base, 1) + ui_put(yy, x + COLS - 60, 1, "", base, 1);
		}
		/* without an EXPIRES column, the age shows that expiry is near */
		x += ui_putf(yy, x, 8, wide ? base : eel, 1, "%7s ", fmt_age(age, sizeof age, a->now, msg->arrival));
		x += ui_putf(yy, x, 5, base, 1, "%4d ", msg->attempts);
		x += ui_putf(yy, x, 11, sel ? base : rel, 1, "%10s ", next);
		if (wide)
			x += ui_putf(yy, x, 9, eel, 1, "%8s ", exp);
		/* mail mqmon's pause defers keeps its remote cause, marked paused */
		ui_putf(yy, x, COLS - x, sel ? base : theme_cause(msg->cause), 1, "%s%s",
			msg->nrcpts && qrcpt_has_cause(&msg->rcpts[0]) ? cause_name(msg->cause) : "-",
			msg->paused ? (ui_ascii() ? " ||" : " \u23f8") : "");
	}
}

/* find_next - next (dir 1) or previous (-1) match of the search, wrapping around; every row of
 * the filtered table is a match, so this steps through the table */
static int find_next(struct app *a, int dir)
{
	size_t n = a->nmrows;

	if (n == 0 || a->search[0] == '\0') {
		app_flash(a, "no search: type / and a text");
		return REACT_REDRAW;
	}
	a->mpos.sel = (a->mpos.sel + (dir > 0 ? 1 : n - 1)) % n;
	snprintf(a->sel_id, sizeof a->sel_id, "%s", a->mrows[a->mpos.sel]->id);
	return REACT_REDRAW;
}

/* view_messages_key - cursor, sort, Enter for detail */
int view_messages_key(struct app *a, int ch, int h)
{
	int r = app_list_keys(&a->mpos, a->nmrows, h - 2, ch);

	if (!(r & REACT_UNHANDLED)) {
		if (a->nmrows)
			snprintf(a->sel_id, sizeof a->sel_id, "%s", a->mrows[a->mpos.sel]->id);
		return r;
	}
	switch (ch) {
	case 's':
		a->sort = (enum sort_key)((a->sort + 1) % SORT_COUNT);
		a->sort_desc = sort_keys[a->sort].default_desc;
		app_rebuild_rows(a);
		app_flash(a, "sorted by %s, %s", sort_keys[a->sort].title,
			  a->sort_desc ? sort_keys[a->sort].desc : sort_keys[a->sort].asc);
		return REACT_REDRAW;
	case 'S':
		a->sort_desc = !a->sort_desc;
		app_rebuild_rows(a);
		app_flash(a, "sorted by %s, %s", sort_keys[a->sort].title,
			  a->sort_desc ? sort_keys[a->sort].desc : sort_keys[a->sort].asc);
		return REACT_REDRAW;
	case 'n':
		return find_next(a, 1);
	case 'N':
		return find_next(a, -1);
	case '\r': case '\n': case KEY_ENTER: case 'l': case KEY_RIGHT:
		if (a->nmrows == 0)
			return REACT_NONE;
		snprintf(a->detail_id, sizeof a->detail_id, "%s", a->mrows[a->mpos.sel]->id);
		a->detail_scroll = 0;
		app_push_view(a, VIEW_DETAIL);
		return REACT_REDRAW;
	default:
		return REACT_UNHANDLED;
	}
}

/* view_messages - the queue as a table with live retry countdowns
 *
 * The columns are [console] columns (or :columns) in their order; those that
 * do not fit the width are left out by their priority, flexible ones share
 * the rest (tui/columns.c lays them out; a cell function per column here
 * draws them). Overdue retries and messages near expiry stand out;
 * estimated retry times are marked with '~'. The recipient, the CODE (SMTP
 * code and DSN) and the REPLY are the first pending recipient's, " +N"
 * counting the others. `s` cycles the sort key, `S` reverses it.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "core/base/duration.h"
#include "core/classify/reply.h"
#include "tui/columns.h"
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

/* the row being drawn, as its cells see it */
struct cell_row {
	struct app *a;
	const struct qmsg *msg;
	int sel;
	enum tui_elem base;		/* the row's colours: selected, tagged or normal */
	enum tui_elem eel;		/* the expiring colour where expiry is shown, else base */
	enum col_id expiry_on;		/* the column that shows that expiry is near */
	char code[32];			/* the first recipient's last reply: "421 4.7.28", "" when none */
	char gist[256];			/* ... and the start of its words */
};

/* put_with_suffix - text cut to fit w columns (an ellipsis shows the cut) followed by suffix whole,
 * as "user1@gmail.com +2": the count of other recipients is never what gets cut */
static void put_with_suffix(int y, int x, int w, const char *text, const char *suffix, enum tui_elem el)
{
	int sw = ui_width(suffix), used;

	if (sw == 0 || w - sw < 4) {
		char whole[600];

		snprintf(whole, sizeof whole, "%s%s", text, suffix);
		ui_put_cut(y, x, w, whole, el, 1);
		return;
	}
	used = ui_put_cut(y, x, ui_width(text) + sw <= w ? ui_width(text) : w - sw, text, el, 0);
	ui_put(y, x + used, w - used, suffix, el, 1);
}

/* more_suffix - " +N" when the message has N more pending recipients, else "" */
static const char *more_suffix(const struct qmsg *msg, char *buf, size_t n)
{
	buf[0] = '\0';
	if (msg->nrcpts > 1)
		snprintf(buf, n, " +%zu", (size_t)msg->nrcpts - 1);
	return buf;
}

/* cell_id - the queue ID, marked when tagged (the mark may take the space after the column) */
static void cell_id(const struct cell_row *r, int y, int x, int w)
{
	/* not '*': mailq marks active mail with it */
	ui_putf(y, x, w + 1, r->expiry_on == COL_ID ? r->eel : r->base, 0, "%s%s", r->msg->id,
		actions_ui_is_tagged(r->a, r->msg->id) ? ui_glyph("\xe2\x9c\x93", "+") : "");
}

/* cell_queue - the queue's whole name; hold in its colour */
static void cell_queue(const struct cell_row *r, int y, int x, int w)
{
	ui_put(y, x, w, queue_name_str(r->msg->queue), !r->sel && r->msg->queue == QUEUE_HOLD ? EL_HOLD : r->base, 1);
}

/* cell_recipient - the first pending recipient, " +N" for the others */
static void cell_recipient(const struct cell_row *r, int y, int x, int w)
{
	char more[32];

	put_with_suffix(y, x, w, r->msg->nrcpts ? r->msg->rcpts[0].address : "-", more_suffix(r->msg, more, sizeof more),
			r->base);
}

/* cell_domain - the first pending recipient's domain, " +N" for the other recipients */
static void cell_domain(const struct cell_row *r, int y, int x, int w)
{
	char more[32];

	put_with_suffix(y, x, w, r->msg->nrcpts ? r->msg->rcpts[0].domain : "-", more_suffix(r->msg, more, sizeof more),
			r->base);
}

/* cell_sender - the envelope sender, <> for a bounce */
static void cell_sender(const struct cell_row *r, int y, int x, int w)
{
	ui_put_cut(y, x, w, r->msg->sender[0] ? r->msg->sender : "<>", r->base, 1);
}

/* cell_age - time in the queue; without an EXPIRES column it shows that expiry is near */
static void cell_age(const struct cell_row *r, int y, int x, int w)
{
	char age[32];

	ui_putf(y, x, w, r->expiry_on == COL_AGE ? r->eel : r->base, 1, "%*s", w,
		fmt_age(age, sizeof age, r->a->now, r->msg->arrival));
}

/* cell_attempts - delivery attempts seen */
static void cell_attempts(const struct cell_row *r, int y, int x, int w)
{
	ui_putf(y, x, w, r->base, 1, "%*d", w, r->msg->attempts);
}

/* cell_next - the retry countdown: overdue, near, estimated ('~') in their colours */
static void cell_next(const struct cell_row *r, int y, int x, int w)
{
	char next[48];
	enum tui_elem rel;

	fmt_retry(next, sizeof next, r->msg, r->a->now, r->a->m->params.queue_run_delay, &rel);
	ui_putf(y, x, w, r->sel ? r->base : rel, 1, "%*s", w, next);
}

/* cell_expires - time left until maximal_queue_lifetime, coloured when near */
static void cell_expires(const struct cell_row *r, int y, int x, int w)
{
	char exp[32];

	duration_format(exp, sizeof exp, (long)(r->msg->expires_at - r->a->now));
	ui_putf(y, x, w, r->eel, 1, "%*s", w, exp);
}

/* cell_code - SMTP code and DSN of the first recipient's last reply */
static void cell_code(const struct cell_row *r, int y, int x, int w)
{
	ui_put_cut(y, x, w, r->code[0] ? r->code : "-", r->base, 1);
}

/* cell_cause - the cause in its colour; mail mqmon's pause defers keeps its remote cause, marked paused */
static void cell_cause(const struct cell_row *r, int y, int x, int w)
{
	const struct qmsg *msg = r->msg;

	ui_putf(y, x, w, r->sel ? r->base : theme_cause(msg->cause), 1, "%s%s",
		msg->nrcpts && qrcpt_has_cause(&msg->rcpts[0]) ? cause_name(msg->cause) : "-",
		msg->paused ? (ui_ascii() ? " ||" : " \u23f8") : "");
}

/* cell_reply - the start of the first recipient's last reply, in the remote's words */
static void cell_reply(const struct cell_row *r, int y, int x, int w)
{
	ui_put_cut(y, x, w, r->gist[0] ? r->gist : "-", r->base, 1);
}

/* cell_host - the host that holds the message (the fleet console's), "-" for this host's queue */
static void cell_host(const struct cell_row *r, int y, int x, int w)
{
	ui_put_cut(y, x, w, r->msg->host != NULL ? r->msg->host : "-", r->base, 1);
}

/* how each column of tui/columns.h draws its cell */
static void (*const cells[COL_COUNT])(const struct cell_row *r, int y, int x, int w) = {
	[COL_ID] = cell_id, [COL_QUEUE] = cell_queue, [COL_RECIPIENT] = cell_recipient,
	[COL_DOMAIN] = cell_domain, [COL_SENDER] = cell_sender, [COL_AGE] = cell_age,
	[COL_ATTEMPTS] = cell_attempts, [COL_NEXT] = cell_next, [COL_EXPIRES] = cell_expires,
	[COL_CODE] = cell_code, [COL_CAUSE] = cell_cause, [COL_REPLY] = cell_reply, [COL_HOST] = cell_host,
};

/* last_reply - the code and the start of the first pending recipient's last reply into r */
static void last_reply(struct cell_row *r)
{
	static struct reply_info info;
	const struct qrcpt *rc = r->msg->nrcpts ? &r->msg->rcpts[0] : NULL;
	const char *text = rc ? qrcpt_reply(r->msg, rc) : "", *start;
	size_t len;

	r->code[0] = r->gist[0] = '\0';
	if (*text == '\0')
		return;
	reply_parse(text, strlen(text), &info);
	reply_code(&info, rc->dsn, r->code, sizeof r->code);
	len = reply_gist(&info, &start);
	snprintf(r->gist, sizeof r->gist, "%.*s", (int)(len < sizeof r->gist ? len : sizeof r->gist - 1), start);
}

/* view_messages_draw - the table: the configured columns that fit (tui/columns.c) */
void view_messages_draw(struct app *a, int y, int h)
{
	struct column_place place[COL_COUNT];
	/* the ID column fits the longest ID and its tag mark (Exim's IDs are 16 or 23 characters) */
	int list_h = h - 2, row, c, replies = 0;
	int n = columns_layout(&a->cols, COLS, a->m != NULL ? (int)a->m->longest_id + 1 : 0, place);
	enum col_id expiry_on = COL_ID;
	char title[512];
	size_t i;

	app_messages_current(a);

	for (c = 0; c < n; c++) {
		replies |= place[c].id == COL_CODE || place[c].id == COL_REPLY;
		/* the expiring colour: on EXPIRES, else on AGE, else on the queue ID */
		if (place[c].id == COL_EXPIRES || (place[c].id == COL_AGE && expiry_on != COL_EXPIRES))
			expiry_on = place[c].id;
	}
	app_list_fix(&a->mpos, a->nmrows, list_h);
	app_list_drawn(a, &a->mpos, y + 2, list_h, a->nmrows);
	filter_title(a, title, sizeof title);
	ui_putf(y, 0, COLS, EL_DIM, 1, " %zu of %zu messages: %s, sorted by %s, %s", a->nmrows, a->m->n, title,
		sort_keys[a->sort].title, a->sort_desc ? sort_keys[a->sort].desc : sort_keys[a->sort].asc);
	ui_fill(y + 1, 0, COLS, EL_HEADER);
	for (c = 0; c < n; c++)
		ui_putf(y + 1, place[c].x, place[c].w, EL_HEADER, 1, column_defs[place[c].id].right ? "%*s" : "%-*s",
			place[c].w, column_defs[place[c].id].title);
	if (a->nmrows == 0)
		ui_put(y + 3, 2, COLS - 4, "no message matches (Esc clears the filter)", EL_DIM, 0);
	for (row = 0, i = a->mpos.top; i < a->nmrows && row < list_h; i++, row++) {
		struct cell_row r = { .a = a, .msg = a->mrows[i], .sel = i == a->mpos.sel, .expiry_on = expiry_on };
		int yy = y + 2 + row;

		if (r.sel)
			snprintf(a->sel_id, sizeof a->sel_id, "%s", r.msg->id);
		r.base = r.sel ? EL_SELECTED : actions_ui_is_tagged(a, r.msg->id) ? EL_TAGGED : EL_NORMAL;
		r.eel = !r.sel && app_expiring(a, r.msg) ? EL_EXPIRING : r.base;
		if (replies)
			last_reply(&r);
		ui_fill(yy, 0, COLS, r.base);
		for (c = 0; c < n; c++)
			cells[place[c].id](&r, yy, place[c].x, place[c].w);
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
	int r;

	app_messages_current(a);
	r = app_list_keys(&a->mpos, a->nmrows, h - 2, ch);

	if (!(r & REACT_UNHANDLED)) {
		if (a->nmrows)
			snprintf(a->sel_id, sizeof a->sel_id, "%s", a->mrows[a->mpos.sel]->id);
		return r;
	}
	switch (ch) {
	case 's':
		a->sort = (enum sort_key)((a->sort + 1) % SORT_COUNT);
		a->sort_desc = sort_keys[a->sort].default_desc;
		app_rebuild_messages(a);
		app_flash(a, "sorted by %s, %s", sort_keys[a->sort].title,
			  a->sort_desc ? sort_keys[a->sort].desc : sort_keys[a->sort].asc);
		return REACT_REDRAW;
	case 'S':
		a->sort_desc = !a->sort_desc;
		app_rebuild_messages(a);
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
		snprintf(a->detail_host, sizeof a->detail_host, "%s", a->mrows[a->mpos.sel]->host ? a->mrows[a->mpos.sel]->host : "");
		a->detail_scroll = 0;
		app_push_view(a, VIEW_DETAIL);
		return REACT_REDRAW;
	default:
		return REACT_UNHANDLED;
	}
}

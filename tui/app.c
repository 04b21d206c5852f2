/* app - the console's life cycle: event loop, refresh policy, keys, bars
 *
 * Refresh policy: inotify events on the mail log and (when readable) the
 * queue directories mark the model stale; the 1 Hz tick then asks the
 * worker for a rebuild, never more often than every max(2 s, twice the last
 * build time). With no event source at all (log and spool unreadable) a
 * rebuild runs every refresh_interval seconds, the documented fallback.
 * The tick also redraws: countdowns change every second, and curses sends
 * only the cells that changed.
 */
#include "tui/app.h"

#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/config.h"
#include "core/base/duration.h"
#include "tui/actionkeys.h"
#include "tui/actions_ui.h"
#include "tui/fleet_ui.h"
#include "tui/commands.h"
#include "tui/screen.h"

#define IMPORT_MAX_BYTES (64L << 20)	/* logs imported whole at a first start */
#define LEASE_RETRY_SECONDS 10		/* a standby console tries to take the logs over this often */
#define MTA_RETRY_SECONDS 5		/* with the MTA stopped and no model, a build is tried this often */
#define MIN_COLS 60
#define MIN_LINES 12
#define MSGLOG_MAX 200			/* messages kept for ":messages" */

static void apply_changes(struct app *a, struct strlist *paths);

/* app_log_message - keep a message whole in the ":messages" history (a repeat of the last is kept once) */
void app_log_message(struct app *a, const char *text)
{
	char stamp[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	if (a->msglog.n > 0 && strcmp(a->msglog.v[a->msglog.n - 1] + strlen(stamp) + 2, text) == 0)
		return;
	if (a->msglog.n == MSGLOG_MAX) {
		free(a->msglog.v[0]);
		memmove(a->msglog.v, a->msglog.v + 1, (a->msglog.n - 1) * sizeof *a->msglog.v);
		a->msglog.n--;
	}
	strlist_addf(&a->msglog, "%s  %s", stamp, text);
}

/* app_flash - show a passing message in the footer (whole in the ":messages" history) */
void app_flash(struct app *a, const char *fmt, ...)
{
	char whole[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(whole, sizeof whole, fmt, ap);
	va_end(ap);
	snprintf(a->flash, sizeof a->flash, "%.*s", (int)sizeof a->flash - 1, whole);
	a->flash_until = time(NULL) + 4;
	app_log_message(a, whole);
}

/* app_push_view - open a view, remembering the current one for Esc */
void app_push_view(struct app *a, enum view_id v)
{
	if (a->view == v)
		return;
	if (a->nback < (int)(sizeof a->back / sizeof a->back[0]))
		a->back[a->nback++] = a->view;
	a->view = v;
}

/* app_pop_view - back to the previous view; false at the home view */
static int app_pop_view(struct app *a)
{
	if (a->nback == 0)
		return 0;
	a->view = a->back[--a->nback];
	return 1;
}

/* app_list_drawn - a view drew the list of pos from screen line first_y, in lines lines, n rows (mouse clicks) */
void app_list_drawn(struct app *a, struct list_pos *pos, int first_y, int lines, size_t n)
{
	a->drawn_pos = pos;
	a->drawn = (struct list_geom){ first_y, lines, pos->top, n };
}

/* mouse_setup - clicks and the wheel reported as KEY_MOUSE, or the mouse left to the terminal */
static void mouse_setup(int on)
{
	mousemask(on ? ALL_MOUSE_EVENTS : 0, NULL);
	mouseinterval(0);	/* presses at once: no wait for a click to complete */
}

/* app_set_columns - the Messages view's columns from text ([console] columns), the default when NULL;
 * -1 with why (the columns stay) */
int app_set_columns(struct app *a, const char *text, struct why *why)
{
	return columns_parse(text != NULL ? text : config_default(CFG_COLUMNS), &a->cols, why);
}

/* app_list_fix - keep the cursor inside n rows and visible in height */
void app_list_fix(struct list_pos *pos, size_t n, int height)
{
	size_t h = height > 0 ? (size_t)height : 1;

	if (n == 0) {
		pos->sel = pos->top = 0;
		return;
	}
	if (pos->sel >= n)
		pos->sel = n - 1;
	if (pos->sel < pos->top)
		pos->top = pos->sel;
	if (pos->sel >= pos->top + h)
		pos->top = pos->sel - h + 1;
	if (pos->top + h > n)
		pos->top = n > h ? n - h : 0;
}

/* app_list_keys - shared cursor movement over n rows in a page of height; returns a reaction */
int app_list_keys(struct list_pos *pos, size_t n, int height, int ch)
{
	size_t page = height > 1 ? (size_t)height - 1 : 1;

	switch (ch) {
	case KEY_UP: case 'k':
		if (pos->sel > 0)
			pos->sel--;
		break;
	case KEY_DOWN: case 'j':
		if (pos->sel + 1 < n)
			pos->sel++;
		break;
	case KEY_PPAGE: case 2:	/* ^B */
		pos->sel = pos->sel > page ? pos->sel - page : 0;
		break;
	case KEY_NPAGE: case 6:	/* ^F */
		pos->sel = pos->sel + page < n ? pos->sel + page : (n ? n - 1 : 0);
		break;
	case KEY_HOME: case 'g':
		pos->sel = 0;
		break;
	case KEY_END: case 'G':
		pos->sel = n ? n - 1 : 0;
		break;
	default:
		return REACT_UNHANDLED;
	}
	app_list_fix(pos, n, height);
	return REACT_REDRAW;
}

/* app_scroll_keys - scrolling a text of h lines: Up/Down k/j, PgUp/PgDn ^B/^F Space b, g/G Home/End;
 * returns a reaction, REACT_UNHANDLED for other keys (the draw clamps the end) */
int app_scroll_keys(int *scroll, int h, int ch)
{
	int page = h > 2 ? h - 1 : 1;

	switch (ch) {
	case KEY_UP: case 'k':
		*scroll = *scroll > 0 ? *scroll - 1 : 0;
		break;
	case KEY_DOWN: case 'j':
		(*scroll)++;
		break;
	case KEY_NPAGE: case 6: case ' ':	/* ^F */
		*scroll += page;
		break;
	case KEY_PPAGE: case 2: case 'b':	/* ^B */
		*scroll = *scroll > page ? *scroll - page : 0;
		break;
	case KEY_HOME: case 'g':
		*scroll = 0;
		break;
	case KEY_END: case 'G':
		*scroll = 1 << 20;	/* the draw stops at the last page */
		break;
	default:
		return REACT_UNHANDLED;
	}
	return REACT_REDRAW;
}

/* fmt_window - a duration as the operator wrote it, short: "12h", "2d", "90m", else "1h30m" */
const char *fmt_window(char *buf, size_t n, long seconds)
{
	if (seconds > 0 && seconds % 86400 == 0)
		snprintf(buf, n, "%ldd", seconds / 86400);
	else if (seconds > 0 && seconds % 3600 == 0)
		snprintf(buf, n, "%ldh", seconds / 3600);
	else if (seconds > 0 && seconds % 60 == 0)
		snprintf(buf, n, "%ldm", seconds / 60);
	else
		duration_format(buf, n, seconds);
	return buf;
}

/* fmt_age - "4m05s" since t, "-" when t is 0 */
const char *fmt_age(char *buf, size_t n, time_t now, time_t t)
{
	if (t == 0)
		return snprintf(buf, n, "-"), buf;
	return duration_format(buf, n, (long)(now - t));
}

/* fmt_retry - the retry countdown of a message, with the element to draw it in */
const char *fmt_retry(char *buf, size_t n, const struct qmsg *msg, time_t now, long queue_run_delay,
		      enum tui_elem *el)
{
	char d[32];
	long left;

	*el = EL_COUNTDOWN;
	switch (msg->queue) {
	case QUEUE_HOLD:
		*el = EL_HOLD;
		return snprintf(buf, n, "held"), buf;
	case QUEUE_ACTIVE:
		return snprintf(buf, n, "active"), buf;
	case QUEUE_INCOMING: case QUEUE_MAILDROP:
		return snprintf(buf, n, "new"), buf;
	case QUEUE_DEFERRED:
		break;
	default:
		return snprintf(buf, n, "-"), buf;
	}
	if (msg->retry_source == RETRY_UNKNOWN || msg->next_retry == 0) {
		*el = EL_DIM;
		return snprintf(buf, n, "?"), buf;
	}
	left = (long)(msg->next_retry - now);
	if (msg->overdue || left < -(2 * queue_run_delay + 60)) {
		*el = EL_OVERDUE;
		return snprintf(buf, n, "late %s", duration_format(d, sizeof d, -left)), buf;
	}
	if (left <= 0) {
		*el = EL_COUNTDOWN_DUE;
		return snprintf(buf, n, "%sdue", msg->retry_source == RETRY_ESTIMATED ? "~" : ""), buf;
	}
	if (left < 60)
		*el = EL_COUNTDOWN_NEAR;
	else if (msg->retry_source == RETRY_ESTIMATED)
		*el = EL_ESTIMATED;
	snprintf(buf, n, "%s%s", msg->retry_source == RETRY_ESTIMATED ? "~" : "",
		 duration_format(d, sizeof d, left));
	return buf;
}

/* draw_mta_stopped - "POSTFIX STOPPED" in the alert colour at x when the MTA is not running; columns used */
static int draw_mta_stopped(struct app *a, int x)
{
	char name[32];
	size_t i;

	if (a->mta_state != MTA_STOPPED)
		return 0;
	snprintf(name, sizeof name, "%s", a->opt.source.backend ? a->opt.source.backend->name : "mta");
	for (i = 0; name[i]; i++)
		if (name[i] >= 'a' && name[i] <= 'z')
			name[i] = (char)(name[i] - 'a' + 'A');
	return ui_putf(0, x, COLS - x, EL_ERROR, 0, " %s STOPPED ", name);
}

/* fmt_count - n with thousands separators ("230,000") */
static const char *fmt_count(char *buf, size_t size, size_t n)
{
	char digits[32];
	size_t len, i, o = 0;

	len = (size_t)snprintf(digits, sizeof digits, "%zu", n);
	for (i = 0; i < len && o + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* reading_line - "reading the queue: 230,000 of ~1,000,000" while a partial model is shown */
static void reading_line(struct app *a, char *buf, size_t size)
{
	size_t read, expected;
	char r[32], e[32];
	const char *what = a->m->cache_reading ? "model cache" : "queue";

	qsource_progress(a->qs, &read, &expected);
	if (read < a->m->n)
		read = a->m->n;
	if (expected > read)
		snprintf(buf, size, " reading the %s: %s of ~%s ", what, fmt_count(r, sizeof r, read),
			 fmt_count(e, sizeof e, expected));
	else
		snprintf(buf, size, " reading the %s: %s so far ", what, fmt_count(r, sizeof r, read));
}

/* draw_status - the top bar: host, MTA (stopped in the alert colour), totals, live/stale, last event, read-only */
static void draw_status(struct app *a)
{
	char buf[512], age[32], totals[200];
	int x;
	const struct qmodel *m = a->m;

	if (a->fleet != NULL) {
		fleet_ui_draw_status(a);	/* hosts ok/total, the fleet's totals, the hosts that are down */
		return;
	}
	ui_fill(0, 0, COLS, EL_TITLE);
	if (m == NULL) {
		x = ui_putf(0, 0, COLS, EL_TITLE, 0, " mqmon  %s ", a->opt.host);
		x += draw_mta_stopped(a, x);
		ui_put(0, x, COLS - x, a->error[0] ? " the queue cannot be read (see below)" : " loading the queue...",
		       EL_TITLE, 0);
		return;
	}
	/* the MTA's state right after the host: visible at any width */
	x = ui_putf(0, 0, COLS, EL_TITLE, 0, COLS >= 100 ? " mqmon %s " : " mqmon %.16s ", a->opt.host);
	x += draw_mta_stopped(a, x);
	if (m->cached_at) {
		/* the model cache's counts as they were: never shown as current until the walk verified them
		 * (before the totals, so that no width cuts it off) */
		struct tm tm, today;
		char hms[32] = "?";

		if (localtime_r(&m->cached_at, &tm) != NULL && localtime_r(&a->now, &today) != NULL)
			strftime(hms, sizeof hms, tm.tm_yday == today.tm_yday && tm.tm_year == today.tm_year
				 ? "%H:%M:%S" : "%b %d %H:%M:%S", &tm);
		x += ui_putf(0, x, COLS - x, EL_EXPIRING, 0, " as of %s, verifying ", hms);
	}
	/* every message in one queue bucket: the numbers add up to the total (maildrop and incoming too);
	 * a partial model's counts are not totals: the progress instead */
	if (m->reading && (!m->cached_at || m->cache_reading))
		reading_line(a, totals, sizeof totals);
	else
		qmodel_totals(m, totals, sizeof totals, COLS >= 100);
	if (COLS >= 100)
		snprintf(buf, sizeof buf, "| %s %s | %s ", m->params.backend ? m->params.backend->name : "mta", m->params.mail_version, totals);
	else
		snprintf(buf, sizeof buf, "| %s ", totals);
	x += ui_put(0, x, COLS - x, buf, EL_TITLE, 0);
	if (m->reading && (!m->cached_at || m->cache_reading))
		x += ui_put(0, x, COLS - x, " READING ", EL_EXPIRING, 0);
	if (m->overdue)
		x += ui_putf(0, x, COLS - x, EL_OVERDUE, 0, " %zu overdue ", m->overdue);
	if (a->nexpiring)
		x += ui_putf(0, x, COLS - x, EL_EXPIRING, 0, " %zu expiring <%s ", a->nexpiring,
			     fmt_window(age, sizeof age, a->opt.expiry_warning));
	if (a->error[0])
		x += ui_put(0, x, COLS - x, " STALE ", EL_ERROR, 0);
	else if (a->mta_state != MTA_STOPPED)
		x += ui_putf(0, x, COLS - x, EL_LIVE, 0, "%s %s", ui_glyph("\xe2\x97\x8f", "*"),
			     a->event_sources ? "live" : "polling");
	x += ui_putf(0, x, COLS - x, EL_TITLE, 0, " %s", fmt_age(age, sizeof age, a->now, a->built_at));
	if (a->ingest != NULL && ingest_standby(a->ingest) != NULL)
		x += ui_put(0, x, COLS - x, " history kept elsewhere", EL_TITLE, 0);
	if (a->opt.read_only)
		ui_put(0, x, COLS - x, " read-only", EL_ERROR, 0);
}

/* footer_hints - the view's hints from the views table, then the action keys from the actions table
 * (long form when it fits in cols, else the short one) */
static void footer_hints(const struct app *a, char *buf, size_t n, int cols)
{
	const struct view_def *v = &views[a->view];
	char acts[200] = "";
	int shortform;

	for (shortform = 0; shortform <= 1; shortform++) {
		if (v->flags & VIEW_ACTS) {
			actionkey_hints(acts + 1, sizeof acts - 1, shortform, actions_ui_hidden(a));
			acts[0] = ' ';
		}
		snprintf(buf, n, " [%s] %s%s ?:help q:quit", v->title, v->hints, acts);
		if ((int)strlen(buf) <= cols)
			break;
	}
}

/* draw_footer - key hints, or the "/" editor, or a passing message */
static void draw_footer(struct app *a)
{
	int y = LINES - 1;
	const char *prompt = actions_ui_prompt(a);
	char hints[400];

	if (prompt != NULL) {
		ui_put(y, 0, COLS, prompt, EL_ERROR, 1);
		return;
	}

	if (a->editing) {
		ui_fill(y, 0, COLS, EL_FOOTER);
		ui_putf(y, 0, COLS, EL_FOOTER, 1, "%c%s_", a->editing, a->edit);
		/* what Tab found (several completions, none) shows above the line being typed */
		if (a->flash[0] && a->now <= a->flash_until && y > 1) {
			ui_fill(y - 1, 0, COLS, EL_FOOTER);
			ui_put(y - 1, 0, COLS, a->flash, EL_FOOTER, 1);
		}
		return;
	}
	if (a->flash[0] && a->now <= a->flash_until) {
		ui_put(y, 0, COLS, a->flash, EL_FOOTER, 1);
		return;
	}
	if (a->error[0]) {
		ui_putf(y, 0, COLS, EL_ERROR, 1, " %s", a->error);
		return;
	}
	footer_hints(a, hints, sizeof hints, COLS);
	ui_put(y, 0, COLS, hints, EL_FOOTER, 1);
}

/* draw_chips - an active search and tags, right-aligned in the status bar of every view: they
 * decide what the rows count and what the action keys touch, so they are never out of sight */
static void draw_chips(struct app *a)
{
	char chip[300] = "";
	size_t o = 0;
	int w;

	if (a->m == NULL)
		return;
	if (app_narrowed(a)) {
		char win[32] = "";

		if (a->fexpiring)
			fmt_window(win, sizeof win, a->opt.expiry_warning);
		o += (size_t)snprintf(chip, sizeof chip, " %s%.40s%s%s%s%s%.40s: %zu of %zu msgs (:clear) ",
				      a->search[0] ? "/" : "", a->search, a->search[0] && a->fexpiring ? " " : "",
				      a->fexpiring ? "expiring <" : "", win,
				      a->fhost[0] ? (a->search[0] || a->fexpiring ? " host " : "host ") : "", a->fhost,
				      a->nsearched, a->m->n);
	}
	if (a->tags.n > 0 && o < sizeof chip)
		snprintf(chip + o, sizeof chip - o, " %s%zu tagged (x clears) ", ui_glyph("\xe2\x9c\x93", "+"),
			 a->tags.n);
	if (chip[0] == '\0')
		return;
	w = ui_width(chip);
	ui_put(0, COLS > w ? COLS - w : 0, COLS, chip, EL_TAGGED, 0);
}

/* too_small - the terminal cannot show the console: only "terminal too small" is drawn */
static int too_small(void)
{
	return COLS < MIN_COLS || LINES < MIN_LINES;
}

/* draw - the whole frame (curses sends only what changed) */
static void draw(struct evloop *loop, void *ctx)
{
	struct app *a = ctx;
	int h = LINES - 2;

	(void)loop;
	a->now = time(NULL);
	if (a->finishing)
		return;		/* the last partial frame stays until the whole model is there */
	erase();
	if (too_small()) {
		ui_putf(LINES / 2, 0, COLS, EL_NORMAL, 1, "terminal too small: %dx%d, mqmon needs %dx%d",
			COLS, LINES, MIN_COLS, MIN_LINES);
		refresh();
		return;
	}
	draw_status(a);
	draw_chips(a);
	a->drawn_pos = NULL;	/* set again by a list view below */
	if (a->m == NULL && a->error[0]) {
		/* the whole error, wrapped: it says what to do */
		const char *p = a->error, *next;
		int line;

		for (line = 2; line < LINES - 2 && *p; line++) {
			size_t n = ui_wrap(p, COLS - 4, &next);

			ui_putf(line, 2, COLS - 4, EL_ERROR, 0, "%.*s", (int)n, p);
			p = next;
		}
	} else if (a->m == NULL) {
		ui_put(2, 2, COLS - 4, "building the queue model...", EL_DIM, 0);
	} else {
		views[a->view].draw(a, 1, h);
	}
	draw_footer(a);
	refresh();
}

/* edit_key - the "/" search and ":" command line editor; returns a reaction */
static int edit_key(struct app *a, int ch)
{
	size_t n = strlen(a->edit);

	switch (ch) {
	case 27:	/* Esc: cancel */
		a->editing = 0;
		break;
	case '\r': case '\n': case KEY_ENTER:
		if (a->editing == ':') {
			a->editing = 0;
			return app_command(a, a->edit);
		}
		a->editing = 0;
		snprintf(a->search, sizeof a->search, "%s", a->edit);
		if (a->view != VIEW_MESSAGES) {
			/* a search from another view looks at the whole queue */
			a->fkind = FILTER_NONE;
			app_push_view(a, VIEW_MESSAGES);
		}
		a->mpos.sel = a->mpos.top = 0;
		a->sel_id[0] = '\0';
		app_rebuild_rows(a);
		break;
	case KEY_BACKSPACE: case 127: case 8:
		if (n > 0)
			a->edit[n - 1] = '\0';
		break;
	case 21:	/* ^U */
		a->edit[0] = '\0';
		break;
	case '\t':	/* ":domain gm" Tab -> ":domain gmail.com" */
		if (a->editing == ':')
			return app_command_complete(a);
		break;
	default:
		if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof a->edit) {
			a->edit[n] = (char)ch;
			a->edit[n + 1] = '\0';
		}
		break;
	}
	return REACT_REDRAW;
}

/* app_detail_msg - the detail's message: by queue ID, and by host when the fleet console knows it */
struct qmsg *app_detail_msg(const struct app *a)
{
	size_t i;

	if (a->m == NULL)
		return NULL;
	if (a->detail_host[0] == '\0')
		return qmodel_find(a->m, a->detail_id);
	for (i = 0; i < a->m->n; i++)
		if (a->m->msgs[i]->host != NULL && strcmp(a->m->msgs[i]->id, a->detail_id) == 0
		    && strcmp(a->m->msgs[i]->host, a->detail_host) == 0)
			return a->m->msgs[i];
	return NULL;
}

/* app_request_model - a fresh model now: this host's queue read again; the fleet console's hosts that are
 * down tried again (the others' streams are live) */
void app_request_model(struct app *a)
{
	a->last_request = time(NULL);
	if (a->fleet != NULL)
		fleet_ui_reconnect(a);
	else
		qsource_request(a->qs);
}

/* global_key - keys every view shares */
static int global_key(struct app *a, int ch)
{
	const struct cmdkey *ck = cmdkey_by_key(ch);

	if (ck != NULL && !ck->needs_arg)
		return app_command(a, ck->command);
	if (ck != NULL) {
		/* the command typed on the ":" line, waiting for its argument */
		a->editing = ':';
		snprintf(a->edit, sizeof a->edit, "%s", ck->command);
		return REACT_REDRAW;
	}
	switch (ch) {
	case 'q': case 3:	/* q, ^C */
		return REACT_QUIT;
	case '?': case KEY_F(1):
		a->help_scroll = 0;
		app_push_view(a, VIEW_HELP);
		return REACT_REDRAW;
	case '\t':
		a->nback = 0;
		a->view = view_next_tab(a->view);
		if (a->view == VIEW_MESSAGES && a->fkind != FILTER_NONE) {
			a->fkind = FILTER_NONE;
			app_rebuild_messages(a);	/* only the table depends on the group filter */
		}
		return REACT_REDRAW;
	case '/':
		a->editing = '/';
		a->edit[0] = '\0';	/* a new search; the active one stays in the status bar */
		return REACT_REDRAW;
	case ':':
		a->editing = ':';
		a->edit[0] = '\0';
		a->flash_until = 0;	/* the line above shows only what Tab finds */
		return REACT_REDRAW;
	case 27: case KEY_BACKSPACE: case 127: case KEY_LEFT:
		if (app_pop_view(a))
			return REACT_REDRAW;
		if (app_narrowed(a) || a->fkind != FILTER_NONE) {
			a->search[0] = '\0';
			a->fexpiring = 0;
			a->fhost[0] = '\0';
			a->fkind = FILTER_NONE;
			app_rebuild_rows(a);
			return REACT_REDRAW;
		}
		return REACT_NONE;
	case 12:	/* ^L */
		clearok(curscr, TRUE);
		return REACT_REDRAW;
	case 18:	/* ^R */
		app_request_model(a);
		app_flash(a, a->fleet != NULL ? "reconnecting the hosts that are down..." : "rebuilding the queue model...");
		return REACT_REDRAW;
	default:
		return REACT_UNHANDLED;
	}
}

/* mouse_key - a mouse event: the wheel moves as Up/Down, a click selects the row under it (on the
 * selected row: opens it, as Enter); never an action on mail */
static int mouse_key(struct app *a)
{
	MEVENT ev;
	long i;
	int r = REACT_NONE, k, ch = 0;

	if (getmouse(&ev) != OK || a->m == NULL)
		return REACT_NONE;
	if (ev.bstate & BUTTON4_PRESSED)
		ch = KEY_UP;
#ifdef BUTTON5_PRESSED
	else if (ev.bstate & BUTTON5_PRESSED)
		ch = KEY_DOWN;
#endif
	if (ch != 0) {
		for (k = 0; k < MOUSE_WHEEL_ROWS; k++)
			r |= views[a->view].key(a, ch, LINES - 2);
		return r & REACT_UNHANDLED ? REACT_NONE : r;
	}
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) || a->drawn_pos == NULL
	    || (i = mouse_list_hit(&a->drawn, ev.y)) < 0)
		return REACT_NONE;
	if ((size_t)i == a->drawn_pos->sel) {
		r = views[a->view].key(a, '\r', LINES - 2);
		return r & REACT_UNHANDLED ? REACT_NONE : r;
	}
	a->drawn_pos->sel = (size_t)i;
	if (a->view == VIEW_MESSAGES)
		a->sel_id[0] = '\0';	/* the draw keeps the clicked message under the cursor */
	return REACT_REDRAW;
}

/* on_key - a key from the terminal */
static int on_key(struct app *a, int ch)
{
	int h = LINES - 2, r;

	if (too_small()) {
		/* nothing on screen says what a key would act on: only quit and redraw act */
		if (ch == 'q' || ch == 3)
			return REACT_QUIT;
		if (ch == 12)
			clearok(curscr, TRUE);
		return REACT_REDRAW;
	}
	if (ch == KEY_MOUSE) {
		MEVENT ev;

		/* a prompt or the line editor waits for keys: the mouse does not answer them */
		if (a->editing || actions_ui_prompt(a) != NULL) {
			getmouse(&ev);
			return REACT_NONE;
		}
		return mouse_key(a);
	}
	if (a->editing)
		return edit_key(a, ch);
	r = actions_ui_key(a, ch);
	if (!(r & REACT_UNHANDLED))
		return r;
	if (a->m != NULL) {
		r = views[a->view].key(a, ch, h);
		if (!(r & REACT_UNHANDLED))
			return r;
	}
	r = global_key(a, ch);
	return r & REACT_UNHANDLED ? REACT_NONE : r;
}

/* terminal_gone - the terminal hung up (the SSH session or the tmux server died) */
static int terminal_gone(void)
{
	struct pollfd p = { STDIN_FILENO, POLLIN, 0 };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

/* on_stdin - read every pending key; a terminal that went away ends the console */
static int on_stdin(struct evloop *loop, int fd, void *ctx)
{
	struct app *a = ctx;
	int ch;

	(void)fd;
	if (terminal_gone()) {
		evloop_stop(loop);
		return -1;
	}
	while ((ch = getch()) != ERR) {
		int r;

		a->now = time(NULL);
		if (ch == KEY_RESIZE) {
			evloop_dirty(loop);
			continue;
		}
		r = on_key(a, ch);
		if (r & REACT_QUIT) {
			evloop_stop(loop);
			return 0;
		}
		if (r & REACT_REDRAW)
			evloop_dirty(loop);
	}
	return 0;
}

/* drop_partial - give the partial model on screen back to the worker (rows first: they point into it);
 * the last frame stays on screen (finishing) until the whole model arrives */
static void drop_partial(struct app *a)
{
	if (a->m == NULL || !a->m->reading)
		return;
	app_free_rows(a);
	qsource_return_partial(a->qs, a->m);
	a->m = NULL;
	a->finishing = 1;
}

/* on_model - the worker finished a build, or has a partial model to show */
static int on_model(struct evloop *loop, int fd, void *ctx)
{
	struct app *a = ctx;
	struct qmodel *m;
	struct why why;
	long ms;

	(void)fd;
	{
		char note[512];

		if (qsource_note(a->qs, note, sizeof note)) {
			app_flash(a, "%s", note);	/* a model cache the build ignored or could not write */
			evloop_dirty(loop);
		}
	}
	if (!qsource_ended(a->qs)) {
		/* still reading: a partial model, shown only until a whole one is there */
		m = qsource_take_partial(a->qs);
		if (qsource_wants_back(a->qs)) {
			/* read to the end: the worker writes into the shared messages once they are back; the
			 * screen keeps the last partial frame until the whole model arrives (a short while) */
			qsource_return_partial(a->qs, m);
			drop_partial(a);
			return 0;
		}
		if (m == NULL)
			return 0;
		if (a->m != NULL && !a->m->reading) {
			qsource_return_partial(a->qs, m);
			return 0;
		}
		drop_partial(a);
		a->m = m;
		a->finishing = 0;
		app_rebuild_rows(a);
		evloop_dirty(loop);
		return 0;
	}
	if ((m = qsource_take(a->qs, &why, &ms)) == NULL) {
		drop_partial(a);	/* never leave partial counts on screen as if they were the queue */
		a->finishing = 0;
		if (qsource_mta_state(a->qs) != MTA_UNKNOWN)
			a->mta_state = qsource_mta_state(a->qs);
		strlist_free(&a->replay);
		snprintf(a->error, sizeof a->error, "cannot read the queue: %s", why.text);
		app_log_message(a, a->error);
		evloop_dirty(loop);
		return 0;
	}
	drop_partial(a);
	a->finishing = 0;
	qmodel_free(a->m);
	a->m = m;
	qsource_want_partials(a->qs, 0);	/* later builds keep this model on screen until they end */
	if (m->mta_running != MTA_UNKNOWN)
		a->mta_state = m->mta_running;
	a->error[0] = '\0';
	a->built_at = m->generated_at;
	a->build_ms = ms;
	/* files that changed while it was built: read them again over it */
	if (a->replay.n > 0)
		apply_changes(a, &a->replay);
	app_rebuild_rows(a);
	/* the previous model is gone: older rules can go too */
	if (a->opt.rules_in_use != NULL && m->cl != NULL)
		a->opt.rules_in_use(m->cl);
	evloop_dirty(loop);
	return 0;
}

/* watch_dir_tree - inotify on a queue directory and its hashed subdirectories */
static int watch_dir_tree(struct app *a, const char *path, int depth);

/* note_change - remember a queue file that changed (once per tick) */
static void note_change(struct app *a, const char *dir, const char *name)
{
	char path[PATH_MAX + 256];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (idset_add(&a->changeset, idset_hash(path)) == 1)
		strlist_add(&a->changes, path);
	if (qsource_busy(a->qs) && !strlist_has(&a->replay, path))
		strlist_add(&a->replay, path);
}

/* note_dir_files - every file already in a directory counts as changed */
static void note_dir_files(struct app *a, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && e->d_type != DT_DIR) {
			if (a->incremental)
				note_change(a, dir, e->d_name);
			else
				a->pending = 1;
		}
	closedir(d);
}

/* on_inotify - queue activity: files to read again (or a rebuild); a new hash directory gets its own watch */
static int on_inotify(struct evloop *loop, int fd, void *ctx)
{
	struct app *a = ctx;
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	(void)loop;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		char *p = buf;

		while (p < buf + n) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			size_t i;

			if (ev->mask & IN_Q_OVERFLOW)
				a->pending = 1;	/* events were lost: read the whole queue again */
			for (i = 0; ev->len > 0 && i < a->nqwatches; i++) {
				if (a->qwatches[i].wd != ev->wd)
					continue;
				if (ev->mask & IN_ISDIR) {
					char sub[PATH_MAX + 256];

					if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
						snprintf(sub, sizeof sub, "%s/%s", a->qwatches[i].path, ev->name);
						a->event_sources += watch_dir_tree(a, sub, 1);
						/* files moved in before the watch existed raised no event */
						note_dir_files(a, sub);
					}
				} else if (a->incremental) {
					note_change(a, a->qwatches[i].path, ev->name);
				} else {
					a->pending = 1;
				}
				break;
			}
			p += sizeof *ev + ev->len;
		}
	}
	a->last_event = time(NULL);
	return 0;
}

/* split_path - "dir/name" into its two parts (in place) */
static const char *split_path(char *path)
{
	char *slash = strrchr(path, '/');

	if (slash == NULL)
		return path;
	*slash = '\0';
	return slash + 1;
}

/* apply_changes - read the changed queue files into the model, then refresh what depends on it */
static void apply_changes(struct app *a, struct strlist *paths)
{
	size_t i;
	int changed = 0;

	if (a->m != NULL && a->m->reading)
		return;		/* a partial model is only looked at: the whole one replays the changes */
	for (i = 0; a->m != NULL && i < paths->n; i++) {
		const char *name = split_path(paths->v[i]);
		struct qmsg *msg = a->opt.source.backend->spool_update(&a->m->params, a->m, paths->v[i], name);

		if (msg != NULL)
			qmodel_join_store_one_in(a->m, msg, a->store);
		changed = 1;
	}
	for (i = 0; a->m != NULL && i < a->touched.n; i++) {
		struct qmsg *msg = qmodel_find(a->m, a->touched.v[i]);

		if (msg != NULL) {
			qmodel_join_store_one_in(a->m, msg, a->store);
			changed = 1;
		}
	}
	strlist_free(paths);
	strlist_free(&a->touched);
	if (changed) {
		qmodel_finish(a->m, time(NULL));
		a->built_at = a->m->generated_at;
		app_rebuild_rows(a);
	}
}

/* on_attempt - the log follower read a deferral: its message's attempt count changes once it is stored */
static void on_attempt(void *ctx, const struct deferral *d)
{
	struct app *a = ctx;
	struct waiting_attempt *w;

	if (!a->incremental)
		return;		/* rebuilds read the store: on_ingest asks for one after each commit */
	if (a->ingest == NULL) {
		/* the catch-up inside ingest_open: stored before it returns */
		if (!strlist_has(&a->touched, d->queue_id))
			strlist_add(&a->touched, d->queue_id);
		return;
	}
	if (a->nwaiting == a->capwaiting) {
		size_t cap = a->capwaiting ? a->capwaiting * 2 : 64;

		if ((w = realloc(a->waiting, cap * sizeof *w)) == NULL)
			return;	/* the next rebuild picks the attempt up */
		a->waiting = w;
		a->capwaiting = cap;
	}
	w = &a->waiting[a->nwaiting++];
	w->row = ingest_rows_read(a->ingest);
	/* a standby stores nothing: the other process commits within its hold */
	w->due = ingest_standby(a->ingest) != NULL ? time(NULL) + INGEST_LIVE_HOLD + 1 : 0;
	snprintf(w->queue_id, sizeof w->queue_id, "%s", d->queue_id);
}

/* promote_waiting - deferrals whose rows are now stored: their messages read the store again at the tick */
static void promote_waiting(struct app *a)
{
	unsigned long long done = a->ingest != NULL ? ingest_rows_done(a->ingest) : 0;
	time_t now = time(NULL);

	while (a->waiting_head < a->nwaiting && a->waiting[a->waiting_head].row <= done
	       && a->waiting[a->waiting_head].due <= now) {
		const char *id = a->waiting[a->waiting_head++].queue_id;

		if (!strlist_has(&a->touched, id))
			strlist_add(&a->touched, id);
	}
	if (a->waiting_head == a->nwaiting)
		a->waiting_head = a->nwaiting = 0;
}

/* on_ingest - new log lines: stored, and the model is stale */
static int on_ingest(struct evloop *loop, int fd, void *ctx)
{
	struct app *a = ctx;
	struct why why;
	long n;

	(void)fd;
	n = ingest_process(a->ingest, &why);
	if (n < 0)
		app_flash(a, "log: %s", why.text);
	else if (n > 0) {
		if (!a->incremental)
			a->pending = 1;	/* no spool events: the log says the queue changed */
		a->last_event = time(NULL);
	}
	if (ingest_commits(a->ingest) != a->ingest_commits || (n > 0 && ingest_standby(a->ingest) != NULL)) {
		/* new rows are in the store (a standby: the other process stores them): trends, and models that read it */
		a->ingest_commits = ingest_commits(a->ingest);
		trends_stale(&a->cause_trends);
		trends_stale(&a->domain_trends);
		if (!a->incremental)
			a->pending = 1;
	}
	promote_waiting(a);
	if (ingest_status(a->ingest) != NULL)
		app_flash(a, "log: %s", ingest_status(a->ingest));
	evloop_dirty(loop);
	return 0;
}

static void take_over_history(struct app *a);

/* check_mta - whether the MTA runs, every tick (a pid file and a process: cheap); a change rebuilds */
static void check_mta(struct app *a)
{
	const struct mta_backend *be = a->opt.source.backend;
	int st;

	if (be == NULL || be->running == NULL || a->params.queue_dir[0] == '\0')
		return;
	if ((st = be->running(&a->params)) == MTA_UNKNOWN || st == a->mta_state)
		return;	/* not root: the builds' verdict stands (postqueue says when it is down) */
	if (a->mta_state != MTA_UNKNOWN)
		a->pending = 1;	/* stopped or started: read the queue again */
	a->mta_state = st;
}

/* flood_limit - more changed files than this in a tick go through a full rebuild instead: 2,000, or a
 * quarter of the model's messages when that is more (a retry wave of 10,000 messages in a queue of
 * 1,000,000 is read file by file in about a second; the whole queue takes a minute) */
static size_t flood_limit(const struct app *a)
{
	size_t quarter = a->m != NULL ? a->m->n / 4 : 0;

	return quarter > 2000 ? quarter : 2000;
}

/* on_tick - once a second: countdowns, and rebuilds when due */
static void on_tick(struct evloop *loop, void *ctx)
{
	struct app *a = ctx;
	long min_gap = a->build_ms / 500;

	a->now = time(NULL);
	actions_ui_tick(a);
	if (a->fleet != NULL) {
		fleet_ui_tick(a);	/* the hosts' streams: states, reconnects, the merged model */
		evloop_dirty(loop);
		return;
	}
	take_over_history(a);
	/* rows held for a group commit: stored once their time is up */
	if (a->ingest != NULL && ingest_holding(a->ingest))
		on_ingest(loop, -1, a);
	promote_waiting(a);	/* a standby's attempts fall due by time */
	if (a->changes.n > flood_limit(a)) {
		/* a flood: one full read is cheaper than reading most files one by one */
		strlist_free(&a->changes);
		a->pending = 1;
	} else if (a->changes.n > 0 || a->touched.n > 0) {
		apply_changes(a, &a->changes);
	}
	idset_free(&a->changeset);
	if (a->store != NULL && a->opt.retention > 0 && a->now % 3600 == 0)
		prune_start(&a->pruner, a->now - a->opt.retention);	/* hourly, in the background */
	if (min_gap < 2)
		min_gap = 2;
	check_mta(a);
	if (!qsource_busy(a->qs)) {
		int due = a->pending && a->now - a->last_request >= min_gap;

		if (a->event_sources == 0 && a->now - a->last_request >= a->opt.refresh_interval)
			due = 1;
		/* no model while the MTA is stopped (postqueue needs it): try again soon */
		if (a->mta_state == MTA_STOPPED && a->error[0] && a->now - a->last_request >= MTA_RETRY_SECONDS)
			due = 1;
		if (due) {
			a->pending = 0;
			a->last_request = a->now;
			qsource_request(a->qs);
		}
	}
	evloop_dirty(loop);
}

/* reload - SIGHUP: the configuration and rules again (theme, read-only, refresh interval, rules), a fresh model */
static void reload(struct app *a)
{
	struct tui_options o = a->opt;
	struct strlist errs = { 0 };
	struct why why;
	char err[512] = "";

	if (a->opt.reload == NULL || a->opt.reload(&o, err, sizeof err) < 0) {
		a->opt.read_only |= o.read_only;	/* a failed reload may still only turn actions off */
		app_flash(a, "reload failed: %s", err[0] ? err : "no configuration to reload");
		return;
	}
	a->opt.theme = o.theme;
	a->opt.read_only = o.read_only;
	a->opt.refresh_interval = o.refresh_interval;
	a->opt.expiry_warning = o.expiry_warning;
	a->opt.osc52 = o.osc52;
	a->opt.mouse = o.mouse;
	mouse_setup(a->opt.mouse);
	a->opt.columns = o.columns;
	if (app_set_columns(a, a->opt.columns, &why) < 0)
		app_flash(a, "columns: %s", why.text);
	app_rebuild_rows(a);	/* the expiring count and filter */
	if (o.source.cl != a->opt.source.cl) {
		/* the next model and the log follower classify with the new rules */
		a->opt.source.cl = o.source.cl;
		if (a->qs != NULL)
			qsource_set_classifier(a->qs, o.source.cl);
		if (a->ingest != NULL)
			ingest_set_classifier(a->ingest, o.source.cl);
	}
	if (theme_load(a->opt.theme ? a->opt.theme : "default", &errs, &why) < 0)
		theme_use_builtin();
	theme_apply(a->opt.no_color);
	clearok(curscr, TRUE);
	strlist_free(&errs);
	app_request_model(a);
	if (err[0])
		app_flash(a, "configuration reloaded (theme %s%s); %s", theme_name(),
			  a->opt.read_only ? ", read-only" : "", err);
	else
		app_flash(a, "configuration reloaded (theme %s%s, rules read again)", theme_name(),
			  a->opt.read_only ? ", read-only" : "");
}

/* on_signal - WINCH resizes, HUP reloads the configuration, TERM/INT end the console */
static void on_signal(struct evloop *loop, int signo, void *ctx)
{
	struct winsize ws;
	struct app *a = ctx;

	if (signo == SIGWINCH) {
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
			resizeterm(ws.ws_row, ws.ws_col);
		clearok(curscr, TRUE);
		evloop_dirty(loop);
	} else if (signo == SIGHUP) {
		/* a hangup of our own terminal ends the console; otherwise it means "reload" */
		if (terminal_gone() || !isatty(STDIN_FILENO)) {
			evloop_stop(loop);
			return;
		}
		reload(a);
		evloop_dirty(loop);
	} else if (signo == SIGTERM || signo == SIGINT) {
		evloop_stop(loop);
	}
}

/* watch_dir_tree - inotify on a queue directory and its hashed subdirectories */
static int watch_dir_tree(struct app *a, const char *path, int depth)
{
	int n = 0, wd;
	DIR *d;
	struct dirent *e;
	struct qwatch *v;
	struct stat st;

	wd = inotify_add_watch(a->ifd, path, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB
			       | IN_ONLYDIR);
	if (wd < 0)
		return 0;
	n++;
	if ((v = realloc(a->qwatches, (a->nqwatches + 1) * sizeof *v)) != NULL) {
		a->qwatches = v;
		v[a->nqwatches].wd = wd;
		snprintf(v[a->nqwatches].path, sizeof v[a->nqwatches].path, "%s", path);
		a->nqwatches++;
	}
	/* a directory with 2 links has no subdirectory: its names are not read (a hash directory of a
	 * 1,000,000-message queue holds 62,000; file systems without such link counts say 1) */
	if (depth > 0 && stat(path, &st) == 0 && st.st_nlink == 2)
		depth = 0;
	if (depth > 0 && (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			char sub[PATH_MAX];

			if (e->d_name[0] == '.' || e->d_type != DT_DIR)
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			n += watch_dir_tree(a, sub, depth - 1);
		}
		closedir(d);
	}
	return n;
}

/* setup_watches - queue directory events that make the model stale; returns how many watches exist */
static int setup_watches(struct app *a, const struct mta_params *p)
{
	const struct mta_watch *w;
	char path[PATH_MAX + 32];
	int n = 0;

	if (p->spool_readable && p->backend != NULL && p->backend->watch != NULL)
		for (w = p->backend->watch; w->dir != NULL; w++) {
			snprintf(path, sizeof path, "%s/%s", p->queue_dir, w->dir);
			n += watch_dir_tree(a, path, w->depth);
		}
	return n;
}

/* open_history - the store and the log follower; the console works without them */
static void open_history(struct app *a, const struct mta_params *p)
{
	struct why why;
	char *logs[QSOURCE_MAX_LOGS];
	const char *def;
	int n = 0, i;
	enum ingest_start start = INGEST_RESUME_OR_START;

	for (i = 0; i < a->opt.source.nlogs; i++)
		logs[n++] = a->opt.source.logs[i];
	if (n == 0 && (def = qsource_default_log(p)) != NULL)
		logs[n++] = (char *)def;
	if ((a->store = store_open(a->opt.db, &why)) == NULL)
		app_flash(a, "no history: %s", why.text);
	else if (a->opt.retention > 0)
		prune_start(&a->pruner, time(NULL) - a->opt.retention);
	if (n == 0) {
		app_flash(a, "no readable mail log: attempts and trends unavailable (use --log FILE)");
		return;
	}
	/* a first start imports a log of moderate size (attempt counts for what is queued);
	 * a huge one would freeze the console, so its history starts now */
	{
		struct stat sb;

		for (i = 0; i < n; i++)
			if (stat(logs[i], &sb) == 0 && sb.st_size > IMPORT_MAX_BYTES) {
				start = INGEST_RESUME_OR_END;
				app_flash(a, "%s is large: its history starts now (mqmon ingest, run before the "
					  "first console, would keep its past)", logs[i]);
			}
	}
	for (i = 0; i < n; i++)
		snprintf(a->logs[i], sizeof a->logs[i], "%s", logs[i]);
	a->nlogs = n;
	if ((a->ingest = ingest_open(a->store, a->opt.source.cl, logs, n, start, on_attempt, a, &why)) == NULL) {
		app_flash(a, "log: %s", why.text);
		return;
	}
	evloop_add_fd(a->loop, ingest_fd(a->ingest), on_ingest, a);
	a->event_sources++;
	if (ingest_standby(a->ingest) != NULL) {
		/* the log is followed for live updates; the other process keeps the history */
		app_flash(a, "history: %s (this console takes over when it ends)", ingest_standby(a->ingest));
		a->lease_tried = time(NULL);
		return;
	}
	on_ingest(a->loop, -1, a);	/* catch up from the saved position, committed at once */
	ingest_set_hold(a->ingest, INGEST_LIVE_HOLD);	/* then group commits (on_tick stores held rows) */
}

/* take_over_history - a standby console tries the log leases again; the first time they
 * are free, it follows the logs into the store from the positions the other one saved */
static void take_over_history(struct app *a)
{
	char *logs[QSOURCE_MAX_LOGS];
	struct ingest *in;
	struct why why;
	int i;

	if (a->ingest == NULL || ingest_standby(a->ingest) == NULL || a->now - a->lease_tried < LEASE_RETRY_SECONDS)
		return;
	a->lease_tried = a->now;
	for (i = 0; i < a->nlogs; i++)
		logs[i] = a->logs[i];
	in = ingest_open(a->store, a->opt.source.cl, logs, a->nlogs, INGEST_RESUME_OR_END, on_attempt, a, &why);
	if (in == NULL || ingest_standby(in) != NULL) {
		ingest_close(in);	/* still held (or an error): stay a standby */
		return;
	}
	evloop_remove_fd(a->loop, ingest_fd(a->ingest));
	ingest_close(a->ingest);
	a->ingest = in;
	evloop_add_fd(a->loop, ingest_fd(in), on_ingest, a);
	app_flash(a, "history: the other mqmon ended; this console now stores the log");
	on_ingest(a->loop, -1, a);	/* what arrived since the other one's last commit */
	ingest_set_hold(in, INGEST_LIVE_HOLD);
}

/* tui_run - run the console until the operator quits; returns an exit code */
int tui_run(const struct tui_options *opt)
{
	static const int signals[] = { SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	struct app a = { 0 };
	struct why why;
	struct strlist theme_errs = { 0 };
	struct mta_params params;
	int rc = 0;
	size_t i;

	a.opt = *opt;
	a.now = time(NULL);
	prune_init(&a.pruner, a.opt.db);
	trends_init(&a.cause_trends, "cause", TREND_BUCKET_SECONDS, TREND_BUCKETS);
	trends_init(&a.domain_trends, "domain", DOMAIN_TREND_SECONDS, DOMAIN_TREND_BUCKETS);
	a.ifd = -1;
	a.mta_state = MTA_UNKNOWN;
	if (theme_load(opt->theme ? opt->theme : "default", &theme_errs, &why) < 0) {
		/* the default theme is also built in; a theme the operator named must exist */
		if (opt->theme != NULL && strcmp(opt->theme, "default") != 0) {
			fprintf(stderr, "mqmon: %s\n", why.text);
			strlist_free(&theme_errs);
			return 78;
		}
		theme_use_builtin();
	}
	for (i = 0; i < theme_errs.n; i++)
		fprintf(stderr, "mqmon: %s\n", theme_errs.v[i]);
	if (app_set_columns(&a, opt->columns, &why) < 0) {
		fprintf(stderr, "mqmon: columns: %s (the default is used)\n", why.text);
		app_set_columns(&a, NULL, NULL);
	}
	/* the configuration's problems were printed before the screen was taken: say them here too */
	for (i = 0; opt->config_errors != NULL && i < opt->config_errors->n; i++)
		app_flash(&a, "config: %s", opt->config_errors->v[i]);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "mqmon: the console needs a terminal (try mqmon report or mqmon snapshot)\n");
		strlist_free(&theme_errs);
		return 64;
	}
	{
		char problem[300];

		if (ui_terminal_problem(problem, sizeof problem) != NULL) {
			fprintf(stderr, "mqmon: %s\n", problem);
			strlist_free(&theme_errs);
			return 78;
		}
	}
	/* the worker reads attempt counts from the history the console keeps, not the whole log */
	if (opt->db != NULL)
		snprintf(a.opt.source.db, sizeof a.opt.source.db, "%s", opt->db);
	else if (store_default_path(a.opt.source.config_dir, a.opt.source.db, sizeof a.opt.source.db) < 0)
		a.opt.source.db[0] = '\0';
	if ((a.loop = evloop_new(signals, 5, on_signal, &a, &why)) == NULL
	    || (opt->fleet == NULL && (a.qs = qsource_new(&a.opt.source, &why)) == NULL)) {
		fprintf(stderr, "mqmon: %s\n", why.text);
		evloop_free(a.loop);
		strlist_free(&theme_errs);
		return 71;
	}
	if (opt->fleet != NULL) {
		/* the fleet console: no local queue; every host's stream, actions over ssh (tui/fleet_ui.c);
		 * the console side's audit rows in its own store */
		if ((a.store = store_open(a.opt.db, &why)) == NULL)
			app_flash(&a, "no audit trail on this side: %s", why.text);
		if (actions_ui_start(&a) < 0)
			app_flash(&a, "actions unavailable: cannot start the action worker");
	} else if (a.opt.source.backend->load_params(a.opt.source.config_dir, a.opt.source.binary, &params, &why) < 0) {
		snprintf(a.error, sizeof a.error, "%s", why.text);
	} else {
		a.incremental = params.spool_readable && opt->source.source != SNAPSHOT_LISTING
			&& opt->source.backend->spool_update != NULL;
		if ((a.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) >= 0) {
			a.event_sources = setup_watches(&a, &params);
			evloop_add_fd(a.loop, a.ifd, on_inotify, &a);
		}
		a.params = params;
		open_history(&a, &params);
		if (actions_ui_start(&a) < 0)
			app_flash(&a, "actions unavailable: cannot start the action worker");
	}
	if (ui_init(opt->no_color, opt->ascii) < 0) {
		fprintf(stderr, "mqmon: cannot initialise the terminal\n");
		rc = 71;
		goto out;
	}
	mouse_setup(a.opt.mouse);
	evloop_add_fd(a.loop, STDIN_FILENO, on_stdin, &a);
	evloop_set_draw(a.loop, draw, &a);
	evloop_set_tick(a.loop, on_tick, &a, NULL);
	a.last_request = a.now;
	if (opt->fleet != NULL) {
		if (fleet_ui_start(&a, &why) < 0) {
			ui_end();
			fprintf(stderr, "mqmon: %s\n", why.text);
			rc = 71;
			goto out;
		}
	} else {
		evloop_add_fd(a.loop, qsource_fd(a.qs), on_model, &a);
		qsource_want_partials(a.qs, 1);	/* the first screen while a big queue is still being read */
		qsource_request(a.qs);
	}
	if (evloop_run(a.loop, &why) < 0)
		rc = 71;
	ui_end();
out:
	actions_ui_stop(&a);
	fleet_ui_free(&a);
	qsource_free(a.qs);
	prune_stop(&a.pruner);
	ingest_close(a.ingest);
	store_close(a.store);
	trends_free(&a.cause_trends);
	trends_free(&a.domain_trends);
	evloop_free(a.loop);
	if (a.ifd >= 0)
		close(a.ifd);
	free(a.qwatches);
	strlist_free(&a.changes);
	strlist_free(&a.replay);
	strlist_free(&a.touched);
	free(a.waiting);
	idset_free(&a.changeset);
	app_free_rows(&a);
	qmodel_free(a.m);
	strlist_free(&theme_errs);
	strlist_free(&a.msglog);
	return rc;
}

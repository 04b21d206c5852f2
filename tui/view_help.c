/* view_help - the keys, the colours and what the columns mean
 *
 * The actions part and the command keys are generated from the tables in
 * tui/actionkeys.h, so the help lists the keys the console acts on; the
 * Messages view's columns from the column table (tui/columns.h).
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui/actionkeys.h"
#include "tui/app.h"
#include "tui/columns.h"
#include "tui/screen.h"

static const char *const help_top[] = {
	"mqmon - mail queue monitor                                    (Esc to go back)",
	"",
	"Views",
	"  Tab              cycle Causes -> Messages -> Domains -> Actions log",
	"  Enter  l  Right  open the selected group / message / action (in the",
	"                   Actions log: its command, exit status and whole output)",
	"  Esc  Left  BkSp  back (at the top: clear the filter and the search)",
	"  ?  F1            this help",
	"  q  ^C            quit (also while the terminal is too small, where only",
	"                   q, ^C and ^L act)",
	"",
	"Moving",
	"  Up/Down  k/j     one row",
	"  PgUp/PgDn ^B/^F  one page (also here and in the detail)",
	"  g/G  Home/End    first / last row",
	"  mouse            click: select a row (the selected one: open it); wheel:",
	"                   three rows ([console] mouse = no: off)",
	"",
	"Messages",
	"  /                search queue id, sender, recipient, domain, cause, reply",
	"                   text; an active search counts in every view (the status",
	"                   bar shows it with its count; :clear or Esc at the top)",
	"  n / N            next / previous match",
	"  p                Domains: group by provider (each provider's messages,",
	"                   recipients, oldest and soonest retry; its domains under",
	"                   it; Enter and the action keys act on a provider row)",
	"  s / S            cycle the sort key (next retry, age, domain, cause,",
	"                   attempts, size) / reverse it; desc = largest first",
	"  ^R               rebuild the queue model now;  ^L redraw the screen",
	"  :                command line: q, sort KEY [asc|desc], cause NAME, domain NAME,",
	"                   search TEXT, clear (search, filter, tags), view NAME,",
	"                   theme [NAME] (alone: list the themes), refresh, messages",
	"                   (every status message of the session, whole), and every",
	"                   action below by name (:hold ...); Tab completes the NAME",
	"                   of domain and cause (several: listed above the line);",
	"                   export FORMAT FILE, expiring (only mail near expiry,",
	"                   counted in the status bar as \"3 expiring <12h\"; :clear",
	"                   shows all again), goto ID (the detail of a queued",
	"                   message), copy id|reply, columns NAME ... (the Messages",
	"                   view's, below; alone: those in use; default)",
};

static const char *const help_mid[] = {
	"",
	"Actions (on the tagged messages, else the message or group under the cursor;",
	"a group's count is what its action touches)",
	"  Space  *  x      tag / untag a message, tag every listed message, clear the",
	"                   tags (tagged rows are marked, the status bar counts them)",
};

static const char *const help_bottom[] = {
	"  Every action is written to the audit trail (Tab to the Actions log). With",
	"  --read-only (or read_only = yes) the keys only say why they are off.",
	"  Throttles need `mqmon throttle --setup` once.",
	"",
	"Retry column",
	"  4m05s            next retry in 4m05s, exact (the deferred file's time stamp)",
	"  ~4m05s           estimated from the last attempt in the log and the back-off",
	"  due              retry time reached; the MTA retries at its next queue run",
	"  late 12m         retry time passed more than two scans ago: is qmgr stuck?",
	"  held / active    on hold (no retry until released) / being delivered now",
	"",
	"Status bar",
	"  live             rebuilt on queue and log events (inotify); the time after",
	"                   it is the age of the model on screen (its last change)",
	"  polling          no readable log or spool: rebuilt every refresh interval",
	"  STALE            the last rebuild failed; the footer says why",
	"  history kept elsewhere",
	"                   another mqmon stores the log into this history (its pid is",
	"                   said at start); this console takes over when it ends",
	"",
	"Causes",
	"  Each reply is classified by the shipped rules and the operator's rules file",
	"  (mqmon rules lists them; SIGHUP reloads them).",
};

#define NTOP (int)(sizeof help_top / sizeof help_top[0])
#define NMID (int)(sizeof help_mid / sizeof help_mid[0])
#define NBOTTOM (int)(sizeof help_bottom / sizeof help_bottom[0])

static const char *const help_columns[] = {
	"",
	"Message columns ([console] columns = NAME ...; :columns NAME ...)",
	"  RECIPIENT, CODE and REPLY are the first pending recipient's; on a narrow",
	"  terminal columns are left out, the first of these first:",
};
#define NCOLHEAD (int)(sizeof help_columns / sizeof help_columns[0])
/* the column lines: the header, the drop order, one per column, the expiry note */
#define NCOLUMNS (NCOLHEAD + 1 + COL_COUNT + 1)

/* column_line - line i of the columns part, from the column table */
static const char *column_line(int i, char *buf, size_t n)
{
	char order[200];

	if (i < NCOLHEAD)
		return help_columns[i];
	if (i == NCOLHEAD) {
		columns_drop_order(order, sizeof order);
		snprintf(buf, n, "  %s", order);
		return buf;
	}
	if ((i -= NCOLHEAD + 1) < COL_COUNT) {
		snprintf(buf, n, "  %-9s %-10s %s", column_defs[i].name, column_defs[i].title, column_defs[i].help);
		return buf;
	}
	return "  near expiry: EXPIRES is coloured, without it AGE, without both QUEUE ID";
}

/* help_line - line i of the help into buf: the fixed text with the actions table in between; NULL past the end */
static const char *help_line(int i, char *buf, size_t n)
{
	if (i < NTOP)
		return help_top[i];
	i -= NTOP;
	if (i < (int)ncmdkeys) {
		/* keys that type a ":" command (they change no mail) */
		snprintf(buf, n, "  %c                %s", cmdkeys[i].key, cmdkeys[i].help);
		return buf;
	}
	i -= (int)ncmdkeys;
	if (i < NMID)
		return help_mid[i];
	i -= NMID;
	if (i < (int)nactionkeys) {
		const struct actionkey *k = &actionkeys[i];
		char key[16];

		if (k->key)
			snprintf(key, sizeof key, "%c", k->key);
		else
			snprintf(key, sizeof key, "%s", k->keyhelp ? k->keyhelp : "");
		snprintf(buf, n, "  %-6s %-10s %s", key, k->name, k->help);
		return buf;
	}
	i -= (int)nactionkeys;
	if (i < NBOTTOM)
		return help_bottom[i];
	i -= NBOTTOM;
	return i < NCOLUMNS ? column_line(i, buf, n) : NULL;
}

/* help_lines - how many lines the help has */
static int help_lines(void)
{
	return NTOP + (int)ncmdkeys + NMID + (int)nactionkeys + NBOTTOM + NCOLUMNS;
}

/* view_help_draw - the help text, scrolled */
void view_help_draw(struct app *a, int y, int h)
{
	int n = help_lines(), i;
	char buf[256];

	if (a->help_scroll > n - h)
		a->help_scroll = n - h > 0 ? n - h : 0;
	if (a->help_scroll < 0)
		a->help_scroll = 0;
	for (i = 0; i < h && a->help_scroll + i < n; i++) {
		const char *s = help_line(a->help_scroll + i, buf, sizeof buf);
		int heading = s[0] != ' ' && s[0] != '\0' && i + a->help_scroll > 0;

		ui_put(y + i, 1, COLS - 1, s, heading ? EL_HEADER : EL_NORMAL, 1);
	}
}

/* view_help_key - scrolling */
int view_help_key(struct app *a, int ch, int h)
{
	return app_scroll_keys(&a->help_scroll, h, ch);
}

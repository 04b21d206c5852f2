/* view_help - the keys, the colours and what the columns mean */
#include <curses.h>

#include "tui/app.h"
#include "tui/screen.h"

static const char *const help_lines[] = {
	"mqmon - mail queue monitor                                    (Esc to go back)",
	"",
	"Views",
	"  Tab              cycle Causes -> Messages -> Domains -> Actions log",
	"  Enter  l  Right  open the selected group / message",
	"  Esc  Left  BkSp  back (at the top: clear the filter)",
	"  ?  F1            this help",
	"  q  ^C            quit",
	"",
	"Moving",
	"  Up/Down  k/j     one row",
	"  PgUp/PgDn ^B/^F  one page",
	"  g/G  Home/End    first / last row",
	"",
	"Messages",
	"  /                search queue id, sender, recipient, domain, cause, reply",
	"                   text",
	"  n / N            next / previous match",
	"  s / S            cycle the sort key (next retry, age, domain, cause,",
	"                   attempts, size) / reverse it; desc = largest first",
	"  R                rebuild the queue model now;  ^L redraw the screen",
	"  :                command line: q, sort KEY [asc|desc], cause NAME, domain NAME,",
	"                   search TEXT, clear, view NAME, theme NAME, refresh, and the",
	"                   actions retry hold release delete requeue throttle",
	"                   unthrottle",
	"",
	"Actions (on the tagged messages, else the message or group under the cursor)",
	"  Space  *  x      tag / untag a message, tag every listed message, clear the",
	"                   tags",
	"  r  h  u          retry now (postqueue -i), hold, release (postsuper -h / -H)",
	"  d                delete (always confirmed, No is the default)",
	"  Q                requeue (postsuper -r)",
	"  t  T             throttle the destination domain (slow or pause, optional",
	"                   expiry) / remove its throttle; `mqmon throttle --setup` once",
	"                   first",
	"  Every action is written to the audit trail (Tab to the Actions log). With",
	"  --read-only (or read_only = yes) the keys only say why they are off.",
	"",
	"Retry column",
	"  4m05s            next retry in 4m05s, exact (the deferred file's time stamp)",
	"  ~4m05s           estimated from the last attempt in the log and the back-off",
	"  due              retry time reached; Postfix retries at its next queue scan",
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

/* view_help_draw - the help text, scrolled */
void view_help_draw(struct app *a, int y, int h)
{
	int n = (int)(sizeof help_lines / sizeof help_lines[0]), i;

	if (a->help_scroll > n - h)
		a->help_scroll = n - h > 0 ? n - h : 0;
	for (i = 0; i < h && a->help_scroll + i < n; i++) {
		const char *s = help_lines[a->help_scroll + i];
		int heading = s[0] != ' ' && s[0] != '\0' && i + a->help_scroll > 0;

		ui_put(y + i, 1, COLS - 1, s, heading ? EL_HEADER : EL_NORMAL, 1);
	}
}

/* view_help_key - scrolling */
int view_help_key(struct app *a, int ch, int h)
{
	(void)h;
	switch (ch) {
	case KEY_UP: case 'k':
		if (a->help_scroll > 0)
			a->help_scroll--;
		return REACT_REDRAW;
	case KEY_DOWN: case 'j':
		a->help_scroll++;
		return REACT_REDRAW;
	default:
		return REACT_UNHANDLED;
	}
}

/* view_status - every passing message and error of this session, whole (":messages")
 *
 * The footer shows a message for a few seconds and cuts it at the screen's
 * edge; this view keeps the last ones (app_log_message), newest first,
 * wrapped to the width.
 */
#include <curses.h>
#include <stdio.h>

#include "tui/app.h"
#include "tui/screen.h"

/* view_status_draw - the messages, newest first, wrapped */
void view_status_draw(struct app *a, int y, int h)
{
	int line = 0, row = 0;
	size_t i;

	ui_put(y, 0, COLS, " status messages of this session, newest first", EL_HEADER, 1);
	if (a->msglog.n == 0) {
		ui_put(y + 2, 2, COLS - 4, "no message yet", EL_DIM, 0);
		return;
	}
	/* scrolled past the end: stop at the last page (counted while drawing) */
	for (i = a->msglog.n; i-- > 0; ) {
		const char *p = a->msglog.v[i], *next;
		int first = 1;

		while (*p) {
			char buf[1024];
			size_t n = ui_wrap(p, COLS - (first ? 1 : 11), &next);

			if (line >= a->msglog_scroll && row < h - 1) {
				snprintf(buf, sizeof buf, "%s%.*s", first ? "" : "          ", (int)n, p);
				ui_put(y + 1 + row++, 1, COLS - 1, buf, first ? EL_NORMAL : EL_DIM, 1);
			}
			line++;
			first = 0;
			p = next;
		}
	}
	if (a->msglog_scroll > 0 && a->msglog_scroll > line - (h - 1)) {
		a->msglog_scroll = line - (h - 1) > 0 ? line - (h - 1) : 0;
		view_status_draw(a, y, h);
	}
}

/* view_status_key - scrolling */
int view_status_key(struct app *a, int ch, int h)
{
	return app_scroll_keys(&a->msglog_scroll, h - 1, ch);
}

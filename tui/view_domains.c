/* view_domains - per destination domain: queued messages, provider, oldest, soonest retry */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "core/duration.h"
#include "tui/app.h"
#include "tui/screen.h"

/* view_domains_draw - the domain table */
void view_domains_draw(struct app *a, int y, int h)
{
	const struct qmodel *m = a->m;
	int list_h = h - 1, row, namew = COLS - 50;
	size_t i;
	char age[32], next[32];

	if (namew < 16)
		namew = 16;
	app_list_fix(&a->dpos, m->ndomains, list_h);
	ui_putf(y, 0, COLS, EL_HEADER, 1, "%-*s %-11s %7s %7s %9s %10s", namew, "DOMAIN", "PROVIDER", "MSGS",
		"RCPTS", "OLDEST", "NEXT RETRY");
	for (row = 0, i = a->dpos.top; i < m->ndomains && row < list_h; i++, row++) {
		const struct qcount *d = &m->domains[i];
		int sel = i == a->dpos.sel, yy = y + 1 + row;
		enum tui_elem el = sel ? EL_SELECTED : EL_NORMAL;
		const char *prov = m->cl ? classifier_provider(m->cl, d->name, NULL) : "other";

		if (d->soonest_retry == 0)
			snprintf(next, sizeof next, "-");
		else if (d->soonest_retry <= a->now)
			snprintf(next, sizeof next, "due");
		else
			duration_format(next, sizeof next, (long)(d->soonest_retry - a->now));
		ui_putf(yy, 0, COLS, el, 1, "%-*.*s %-11.11s %7zu %7zu %9s %10s", namew, namew, d->name, prov,
			d->messages, d->recipients, fmt_age(age, sizeof age, a->now, d->oldest_arrival), next);
	}
}

/* view_domains_key - Enter opens the domain's messages */
int view_domains_key(struct app *a, int ch, int h)
{
	int r = app_list_keys(&a->dpos, a->m->ndomains, h - 1, ch);

	if (!(r & REACT_UNHANDLED))
		return r;
	if ((ch != '\r' && ch != '\n' && ch != KEY_ENTER && ch != KEY_RIGHT && ch != 'l') || a->m->ndomains == 0)
		return REACT_UNHANDLED;
	a->fkind = FILTER_DOMAIN;
	a->fcause = CAUSE_COUNT;	/* any cause */
	snprintf(a->fname, sizeof a->fname, "%s", a->m->domains[a->dpos.sel].name);
	a->mpos.sel = a->mpos.top = 0;
	a->sel_id[0] = '\0';
	app_rebuild_rows(a);
	app_push_view(a, VIEW_MESSAGES);
	return REACT_REDRAW;
}

/* view_domains - per destination domain: queued messages, provider, oldest, soonest retry
 *
 * `p` groups the domains by provider: each provider's totals (messages once
 * per provider, recipients, oldest, soonest retry) on a row of its own with
 * its domains under it; Enter on it lists the provider's messages, and the
 * action keys act on them (a throttle needs a domain).
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "core/base/duration.h"
#include "core/mta/throttle.h"
#include "tui/app.h"
#include "tui/fleet_ui.h"
#include "tui/screen.h"
#include "tui/sparkline.h"

/* the throttles as the Domains view shows them: the map (the truth), re-read and checked against
 * the followed log every 2 s; a state change (expired, pending -> active) shows within that */
static struct throttle_list shown;
static time_t shown_at;

/* refresh_throttles - re-read the map and the log when the list is older than 2 s */
static void refresh_throttles(struct app *a)
{
	struct throttle_list l = { 0 };
	struct action_ctx ctx;
	struct why why;
	size_t i;

	if (a->now - shown_at < 2 && a->now >= shown_at)
		return;
	shown_at = a->now;
	memset(&ctx, 0, sizeof ctx);
	ctx.params = &a->params;
	if (throttle_load(&ctx, &l, &why) < 0)
		return;	/* keep what is shown */
	/* what the log already showed stays known (the log may rotate) */
	for (i = 0; i < l.n; i++) {
		const struct throttle *old = throttle_find(&shown, l.v[i].domain);

		if (old != NULL && old->since == l.v[i].since && old->mode == l.v[i].mode && old->seen) {
			l.v[i].seen = old->seen;
			l.v[i].log_checked = 1;
		}
	}
	for (i = 0; i < (size_t)a->nlogs; i++)
		if (throttle_scan_log(&a->params, a->logs[i], &l, &why) == 0)
			break;
	throttle_list_free(&shown);
	shown = l;
}

/* throttle_text - "pending", "pause 25m", "slow", "expired" or "" for a domain */
static void throttle_text(const char *domain, time_t now, char *buf, size_t n)
{
	const struct throttle *t = throttle_find(&shown, domain);

	buf[0] = '\0';
	if (t != NULL)
		throttle_state_text(t, now, buf, n);
}

/* trend_text - deferrals per fifteen minutes over the last two hours, as bars */
static void trend_text(struct app *a, const char *domain, char *buf, size_t n)
{
	unsigned v[DOMAIN_TREND_BUCKETS] = { 0 };

	/* always DOMAIN_TREND_BUCKETS columns (blanks without a history) */
	if (a->store != NULL)
		trends_get(&a->domain_trends, a->store, a->now, domain, v);
	sparkline_format(buf, n, v, DOMAIN_TREND_BUCKETS, ui_ascii());
}

/* cause_mix - a domain row's causes, largest first: "rate-limit 12, tls 3" (mix: its messages per
 * cause, counted by tui/rows.c over the same messages as the row, so a search narrows both) */
static void cause_mix(const size_t *mix, char *buf, size_t n)
{
	size_t counts[CAUSE_COUNT] = { 0 }, i, o = 0;
	int c, best;

	if (mix != NULL)
		memcpy(counts, mix, sizeof counts);
	buf[0] = '\0';
	for (i = 0; i < CAUSE_COUNT; i++) {
		best = -1;
		for (c = 0; c < CAUSE_COUNT; c++)
			if (counts[c] && (best < 0 || counts[c] > counts[best]))
				best = c;
		if (best < 0 || o + 2 >= n)
			break;
		o += (size_t)snprintf(buf + o, n - o, "%s%s %zu", o ? ", " : "", cause_name((enum cause)best),
				      counts[best]);
		if (o >= n)
			break;
		counts[best] = 0;
	}
}

/* view_domains_draw - the domain table */
void view_domains_draw(struct app *a, int y, int h)
{
	/* fixed columns take 66; on narrow terminals the provider and recipient
	 * columns make room for the domain name */
	int narrow = COLS < 100, fixed = narrow ? 47 : 66;
	int list_h = h - 1, row, namew = COLS - fixed, mixw = 0;
	size_t i;
	char age[32], next[32], thr[48], trend[4 * DOMAIN_TREND_BUCKETS + 1], mix[200];

	if (namew > 40) {
		/* wide terminals: the cause mix gets what the name does not need */
		mixw = namew - 30;
		namew = 30;
	}
	if (namew < 14)
		namew = 14;
	if (a->fleet == NULL)
		refresh_throttles(a);	/* this host's throttles (the fleet's are on its hosts) */
	app_list_fix(&a->dpos, a->ndlist, list_h);
	app_list_drawn(a, &a->dpos, y + 1, list_h, a->ndlist);
	/* the fleet console: the HOST column (the hosts with mail for the domain) where this host's throttle is */
	if (narrow)
		ui_putf(y, 0, COLS, EL_HEADER, 1, "%-*s %6s %8s %10s %-10s %-*s", namew, "DOMAIN", "MSGS", "OLDEST",
			"NEXT RETRY", a->fleet ? "HOST" : "THROTTLE", DOMAIN_TREND_BUCKETS, "2H TREND");
	else
		ui_putf(y, 0, COLS, EL_HEADER, 1, "%-*s %-10s %6s %6s %8s %10s %-11s %-*s %s", namew, "DOMAIN",
			"PROVIDER", "MSGS", "RCPTS", "OLDEST", "NEXT RETRY", a->fleet ? "HOST" : "THROTTLE",
			DOMAIN_TREND_BUCKETS, "2H TREND", mixw ? "CAUSES" : "");
	for (row = 0, i = a->dpos.top; i < a->ndlist && row < list_h; i++, row++) {
		const struct qcount *d = a->dlist[i].q;
		int sel = i == a->dpos.sel, yy = y + 1 + row;
		enum tui_elem el = sel ? EL_SELECTED : EL_NORMAL;
		const char *prov = d->provider ? d->provider : "other";	/* the model's, as in every view */
		char name[300];

		if (d->soonest_retry == 0)
			snprintf(next, sizeof next, "-");
		else if (d->soonest_retry <= a->now)
			snprintf(next, sizeof next, "due");
		else
			duration_format(next, sizeof next, (long)(d->soonest_retry - a->now));
		if (a->dlist[i].is_provider) {
			/* a provider's totals: no throttle, trend or cause mix of its own */
			snprintf(name, sizeof name, "%s (%zu domain%s)", d->name, a->dlist[i].ndomains,
				 a->dlist[i].ndomains == 1 ? "" : "s");
			if (narrow)
				ui_putf(yy, 0, COLS, sel ? el : EL_HEADER, 1, "%-*.*s %6zu %8s %10s", namew, namew,
					name, d->messages, fmt_age(age, sizeof age, a->now, d->oldest_arrival), next);
			else
				ui_putf(yy, 0, COLS, sel ? el : EL_HEADER, 1, "%-*.*s %-10.10s %6zu %6zu %8s %10s", namew,
					namew, name, "", d->messages, d->recipients,
					fmt_age(age, sizeof age, a->now, d->oldest_arrival), next);
			continue;
		}
		/* grouped: a domain indented under its provider */
		snprintf(name, sizeof name, "%s%s", a->dgroup ? "  " : "", d->name);
		if (a->fleet != NULL)
			fleet_ui_hosts_of_domain(a, d->name, thr, narrow ? 11 : 12);
		else
			throttle_text(d->name, a->now, thr, sizeof thr);
		trend_text(a, d->name, trend, sizeof trend);
		mix[0] = '\0';
		if (mixw)
			cause_mix(a->dlist[i].mix, mix, sizeof mix);
		if (narrow)
			ui_putf(yy, 0, COLS, el, 1, "%-*.*s %6zu %8s %10s %-10.10s %s", namew, namew, name,
				d->messages, fmt_age(age, sizeof age, a->now, d->oldest_arrival), next, thr, trend);
		else
			ui_putf(yy, 0, COLS, el, 1, "%-*.*s %-10.10s %6zu %6zu %8s %10s %-11.11s %s %s", namew, namew,
				name, prov, d->messages, d->recipients,
				fmt_age(age, sizeof age, a->now, d->oldest_arrival), next, thr, trend, mix);
	}
}

/* view_domains_key - Enter opens the domain's (or provider's) messages; p groups by provider */
int view_domains_key(struct app *a, int ch, int h)
{
	int r = app_list_keys(&a->dpos, a->ndlist, h - 1, ch);

	if (!(r & REACT_UNHANDLED))
		return r;
	if (ch == 'p') {
		a->dgroup = !a->dgroup;
		a->dpos.sel = a->dpos.top = 0;
		app_rebuild_rows(a);
		app_flash(a, a->dgroup ? "grouped by provider: each provider's totals, its domains under it (p: "
			  "one row per domain)" : "one row per domain (p: grouped by provider)");
		return REACT_REDRAW;
	}
	if ((ch != '\r' && ch != '\n' && ch != KEY_ENTER && ch != KEY_RIGHT && ch != 'l') || a->ndlist == 0)
		return REACT_UNHANDLED;
	a->fkind = a->dlist[a->dpos.sel].is_provider ? FILTER_PROVIDER : FILTER_DOMAIN;
	a->fcause = CAUSE_COUNT;	/* any cause */
	snprintf(a->fname, sizeof a->fname, "%s", a->dlist[a->dpos.sel].q->name);
	a->mpos.sel = a->mpos.top = 0;
	a->sel_id[0] = '\0';
	app_rebuild_messages(a);	/* the group filter narrows only the table */
	app_push_view(a, VIEW_MESSAGES);
	return REACT_REDRAW;
}

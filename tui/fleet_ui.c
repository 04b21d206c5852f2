/* fleet_ui - the fleet console's glue between core/fleet and the views; see fleet_ui.h */
#include "tui/fleet_ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/strmap.h"
#include "core/fleet/fleet_live.h"
#include "core/mta/registry.h"
#include "tui/app.h"
#include "tui/screen.h"

#define FLEET_FIRST_WAIT 5	/* seconds the first screen waits for every host's first set */

/* rebuild - the merged model on screen, when a host's set changed */
static void rebuild(struct app *a)
{
	struct qmodel *m;

	a->now = time(NULL);
	/* the first screen waits for every host's first set (a merge of all at once, not one a host), at
	 * most FLEET_FIRST_WAIT seconds: then whatever came */
	if (a->m == NULL && !fleet_live_ready(a->fleet->live) && a->now - a->fleet->started < FLEET_FIRST_WAIT)
		return;
	if ((m = fleet_live_model(a->fleet->live, a->now)) == NULL)
		return;
	m->params.backend = a->params.backend;	/* :goto checks IDs as the fleet's MTA writes them */
	m->cl = a->opt.source.cl;	/* the console's rules: the causes' advice (the verdicts are the hosts') */
	app_free_rows(a);
	qmodel_free(a->m);
	a->m = m;
	a->fleet_merged = a->now;
	a->built_at = a->now;
	a->mta_state = m->mta_running;
	a->error[0] = '\0';
	app_rebuild_rows(a);
	evloop_dirty(a->loop);
}

/* on_changed - a host's set or state changed: the first models at once, later ones at most once a second */
static void on_changed(struct fleet_live *lv, void *ctx)
{
	struct app *a = ctx;

	(void)lv;
	if (a->m == NULL || time(NULL) != a->fleet_merged)
		rebuild(a);
	evloop_dirty(a->loop);
}

/* host_column - the HOST column after the queue ID, unless the operator named the columns */
static void host_column(struct app *a)
{
	int i, at = 0;

	if (a->opt.columns != NULL && strcmp(a->opt.columns, COLUMNS_DEFAULT) != 0)
		return;
	for (i = 0; i < a->cols.n; i++) {
		if (a->cols.id[i] == COL_HOST)
			return;
		if (a->cols.id[i] == COLUMNS_FLEET_AFTER)
			at = i + 1;
	}
	if (a->cols.n >= COL_COUNT)
		return;
	memmove(&a->cols.id[at + 1], &a->cols.id[at], (size_t)(a->cols.n - at) * sizeof a->cols.id[0]);
	a->cols.id[at] = COL_HOST;
	a->cols.n++;
}

/* fleet_ui_start - every host's stream in a's loop */
int fleet_ui_start(struct app *a, struct why *why)
{
	struct fleet_ui *f = calloc(1, sizeof *f);

	if (f == NULL)
		return why_set(why, "out of memory");
	if ((f->live = fleet_live_new(a->opt.fleet, why)) == NULL) {
		free(f);
		return -1;
	}
	a->fleet = f;
	f->started = time(NULL);
	/* actions: the queue actions of Postfix (a host without one, Exim's requeue, says so in its result) */
	a->params.backend = mta_backend_find("postfix");
	host_column(a);
	fleet_live_start(f->live, a->loop, on_changed, a);
	return 0;
}

/* fleet_ui_tick - host states, reconnects, a merged model that is due */
void fleet_ui_tick(struct app *a)
{
	if (a->fleet == NULL)
		return;
	fleet_live_tick(a->fleet->live, time(NULL));
	rebuild(a);
}

/* fleet_ui_reconnect - the hosts that are down tried again now */
void fleet_ui_reconnect(struct app *a)
{
	fleet_live_retry_now(a->fleet->live);
	fleet_live_tick(a->fleet->live, time(NULL));
}

/* fleet_ui_draw_status - " mqmon fleet | 2/3 hosts ok | totals | flags | live" */
void fleet_ui_draw_status(struct app *a)
{
	size_t n, i, ok = 0;
	const struct live_host *hosts = fleet_live_hosts(a->fleet->live, &n);
	char totals[200], age[32];
	int x;

	for (i = 0; i < n; i++)
		ok += fleet_live_host_fresh(&hosts[i]);
	ui_fill(0, 0, COLS, EL_TITLE);
	x = ui_put(0, 0, COLS, " mqmon fleet ", EL_TITLE, 0);
	x += ui_putf(0, x, COLS - x, ok == n ? EL_TITLE : EL_ERROR, 0, "| %zu/%zu hosts ok ", ok, n);
	if (a->m != NULL) {
		qmodel_totals(a->m, totals, sizeof totals, COLS >= 100);
		x += ui_putf(0, x, COLS - x, EL_TITLE, 0, "| %s ", totals);
		if (a->m->overdue)
			x += ui_putf(0, x, COLS - x, EL_OVERDUE, 0, " %zu overdue ", a->m->overdue);
		if (a->nexpiring)
			x += ui_putf(0, x, COLS - x, EL_EXPIRING, 0, " %zu expiring <%s ", a->nexpiring,
				     fmt_window(age, sizeof age, a->opt.expiry_warning));
	} else {
		x += ui_put(0, x, COLS - x, "| connecting to the hosts... ", EL_TITLE, 0);
	}
	/* every host that is not live, by name: its counts (if any) are its last ones */
	for (i = 0; i < n; i++) {
		const struct live_host *h = &hosts[i];

		if (fleet_live_host_fresh(h) && h->state != LIVE_MTA_STOPPED)
			continue;
		if (h->state == LIVE_CONNECTING)
			x += ui_putf(0, x, COLS - x, EL_TITLE, 0, " %s connecting ", h->name);
		else
			x += ui_putf(0, x, COLS - x, EL_ERROR, 0, " %s %s%s ", h->name, fleet_live_state_name(h->state),
				     h->feed.have_set && !fleet_live_host_fresh(h) ? " (stale counts)" : "");
	}
	if (ok > 0)
		x += ui_putf(0, x, COLS - x, EL_LIVE, 0, " %s live", ui_glyph("\xe2\x97\x8f", "*"));
	if (a->m != NULL)
		x += ui_putf(0, x, COLS - x, EL_TITLE, 0, " %s", fmt_age(age, sizeof age, a->now, a->built_at));
	if (a->opt.read_only)
		ui_put(0, x, COLS - x, " read-only", EL_ERROR, 0);
}

/* fleet_ui_host_command - ":host [NAME]" */
int fleet_ui_host_command(struct app *a, const char *arg)
{
	const struct live_host *hosts;
	size_t n, i;
	char names[400];
	size_t o = 0;

	if (a->fleet == NULL) {
		app_flash(a, "host: this console shows one host's queue (the fleet console: [fleet] hosts or --host)");
		return REACT_REDRAW;
	}
	if (arg[0] == '\0') {
		a->fhost[0] = '\0';
		app_rebuild_rows(a);
		app_flash(a, "every host");
		return REACT_REDRAW;
	}
	hosts = fleet_live_hosts(a->fleet->live, &n);
	for (i = 0; i < n; i++)
		if (strcmp(hosts[i].name, arg) == 0) {
			snprintf(a->fhost, sizeof a->fhost, "%s", arg);
			app_rebuild_rows(a);
			return REACT_REDRAW;
		}
	for (i = 0; i < n && o < sizeof names; i++)
		o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", i ? " " : "", hosts[i].name);
	app_flash(a, "host: '%s' is not in the fleet (the hosts: %s)", arg, names);
	return REACT_REDRAW;
}

/* fleet_ui_plan - the hosts that hold each ID */
int fleet_ui_plan(struct app *a, const struct strlist *ids, const char *host, struct fleet_plan *plan)
{
	struct strmap want = { 0 };
	long long v;
	size_t i;
	int rc = 0;

	if (fleet_plan_init(plan, a->opt.fleet) < 0)
		return -1;
	for (i = 0; i < ids->n; i++)
		if (strmap_put(&want, ids->v[i], 1) < 0)
			rc = -1;
	for (i = 0; rc == 0 && a->m != NULL && i < a->m->n; i++) {
		const struct qmsg *msg = a->m->msgs[i];

		if (msg->host != NULL && strmap_get(&want, msg->id, &v)
		    && (!a->fhost[0] || strcmp(a->fhost, msg->host) == 0)
		    && (host == NULL || strcmp(host, msg->host) == 0)
		    && fleet_plan_add(plan, a->opt.fleet, msg->host, msg->id) < 0)
			rc = -1;
	}
	strmap_clear(&want);
	return rc;
}

/* domain_hosts - the map domain -> bit per host index (the model's version), built once per model */
static void domain_hosts(struct app *a)
{
	struct fleet_ui *f = a->fleet;
	const struct live_host *hosts;
	size_t n, i, k, h;
	long long v;

	if (f->dh_version == a->m->version)
		return;
	strmap_clear(&f->dh);
	f->dh_version = a->m->version;
	hosts = fleet_live_hosts(f->live, &n);
	for (i = 0; i < a->m->n; i++) {
		const struct qmsg *msg = a->m->msgs[i];

		for (h = 0; h < n && h < 63 && msg->host != NULL && strcmp(hosts[h].name, msg->host) != 0; h++)
			;
		if (h >= n || h >= 63)
			h = 63;	/* a 64th host and beyond: counted as "more" */
		for (k = 0; k < msg->nrcpts; k++) {
			if (!strmap_get(&f->dh, msg->rcpts[k].domain, &v))
				v = 0;
			strmap_put(&f->dh, msg->rcpts[k].domain, v | (1ll << h));
		}
	}
}

/* fleet_ui_hosts_of_domain - "mxa mxb" or "N hosts" */
void fleet_ui_hosts_of_domain(struct app *a, const char *domain, char *buf, size_t n)
{
	const struct live_host *hosts;
	size_t nh, i, o = 0, count = 0;
	long long v = 0;

	buf[0] = '\0';
	if (a->fleet == NULL || a->m == NULL)
		return;
	domain_hosts(a);
	strmap_get(&a->fleet->dh, domain, &v);
	hosts = fleet_live_hosts(a->fleet->live, &nh);
	for (i = 0; i < 64; i++)
		count += (v >> i) & 1;
	for (i = 0; i < nh && i < 63; i++)
		if ((v >> i) & 1) {
			int k = snprintf(buf + o, n - o, "%s%s", o ? " " : "", hosts[i].name);

			if (k < 0 || (size_t)k >= n - o) {
				snprintf(buf, n, "%zu hosts", count);
				return;
			}
			o += (size_t)k;
		}
	if (count > 0 && (v >> 63) & 1)
		snprintf(buf, n, "%zu+ hosts", count);
}

/* fleet_ui_free - end every stream */
void fleet_ui_free(struct app *a)
{
	if (a->fleet == NULL)
		return;
	fleet_live_free(a->fleet->live);
	strmap_clear(&a->fleet->dh);
	free(a->fleet);
	a->fleet = NULL;
}

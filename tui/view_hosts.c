/* view_hosts - the fleet console's hosts: each one's state, counts, last line, problem; causes per host
 *
 * One row a host of the fleet: its state (connected, stale, MTA stopped,
 * auth failed, mqmon missing, too old, unreachable, failed, connecting), its
 * messages and their queues (the last set it sent: a host that is not
 * connected keeps them, marked stale), when its last line came (a heartbeat
 * every 5 s on a quiet queue), its MTA and mqmon, and why it is not
 * connected. Below, the Causes split by host: each cause's messages on
 * every host and in all. Enter narrows every view to the host under the
 * cursor (":host NAME") and opens the causes view; ":host" shows all again.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fleet/fleet_live.h"
#include "tui/app.h"
#include "tui/fleet_ui.h"
#include "tui/screen.h"

/* host_counts - the host's messages per queue and per cause in the model on screen */
static void host_counts(const struct app *a, const char *host, size_t *queues, size_t *causes, size_t *total)
{
	size_t i;

	memset(queues, 0, QUEUE_COUNT * sizeof *queues);
	memset(causes, 0, CAUSE_COUNT * sizeof *causes);
	*total = 0;
	for (i = 0; a->m != NULL && i < a->m->n; i++) {
		const struct qmsg *msg = a->m->msgs[i];

		if (msg->host == NULL || strcmp(msg->host, host) != 0)
			continue;
		(*total)++;
		queues[msg->queue]++;
		if (msg->nrcpts && qrcpt_has_cause(&msg->rcpts[0]))
			causes[msg->cause]++;
	}
}

/* view_hosts_draw - the hosts table, then causes by host */
void view_hosts_draw(struct app *a, int y, int h)
{
	size_t n, i, c, queues[QUEUE_COUNT], causes[CAUSE_COUNT], total, sums[CAUSE_COUNT] = { 0 };
	size_t (*per)[CAUSE_COUNT];
	const struct live_host *hosts;
	int row = y + 1, hostw = 6, x;
	char last[32], line[512];

	if (a->fleet == NULL) {
		ui_put(y + 1, 2, COLS - 4, "the hosts view is the fleet console's ([fleet] hosts or --host)", EL_DIM, 0);
		return;
	}
	hosts = fleet_live_hosts(a->fleet->live, &n);
	for (i = 0; i < n; i++)
		if ((int)strlen(hosts[i].name) > hostw)
			hostw = (int)strlen(hosts[i].name) > 24 ? 24 : (int)strlen(hosts[i].name);
	app_list_fix(&a->hpos, n, h / 2);
	snprintf(line, sizeof line, " %-*s %-13s %7s %7s %6s %6s %6s %9s  %-8s %-8s %s", hostw, "HOST", "STATE",
		 "MSGS", "DEFER", "HOLD", "ACTIVE", "OTHER", "LAST LINE", "MTA", "MQMON", "PROBLEM");
	ui_put(y, 0, COLS, line, EL_HEADER, 1);
	if ((per = calloc(n + 1, sizeof *per)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		const struct live_host *hh = &hosts[i];
		int sel = i == a->hpos.sel, fresh = fleet_live_host_fresh(hh);
		enum tui_elem el = sel ? EL_SELECTED : fresh ? EL_NORMAL : EL_ERROR;

		host_counts(a, hh->name, queues, causes, &total);
		memcpy(per[i], causes, sizeof causes);
		for (c = 0; c < CAUSE_COUNT; c++)
			sums[c] += causes[c];
		if (hh->last_line)
			fmt_age(last, sizeof last, a->now, hh->last_line);
		else
			snprintf(last, sizeof last, "-");
		if (i < a->hpos.top || row >= y + h / 2)
			continue;
		snprintf(line, sizeof line, " %-*.*s %-13s %7zu %7zu %6zu %6zu %6zu %9s  %-8.8s %-8.8s %s%s", hostw,
			 hostw, hh->name, fleet_live_state_name(hh->state), total, queues[QUEUE_DEFERRED],
			 queues[QUEUE_HOLD], queues[QUEUE_ACTIVE],
			 total - queues[QUEUE_DEFERRED] - queues[QUEUE_HOLD] - queues[QUEUE_ACTIVE], last,
			 hh->feed.mta[0] ? hh->feed.mta : "-", hh->feed.version[0] ? hh->feed.version : "-",
			 !fresh && hh->feed.have_set ? "stale counts: " : "", hh->problem);
		ui_put(row++, 0, COLS, line, el, 1);
	}
	app_list_drawn(a, &a->hpos, y + 1, h / 2 - 1, n);
	/* the causes, split by host */
	row = y + h / 2 + 1;
	if (row < y + h) {
		x = snprintf(line, sizeof line, " %-16s", "CAUSE");
		for (i = 0; i < n && x < (int)sizeof line - 20; i++)
			x += snprintf(line + x, sizeof line - (size_t)x, " %*.*s", hostw > 8 ? hostw : 8,
				      hostw > 8 ? hostw : 8, hosts[i].name);
		snprintf(line + x, sizeof line - (size_t)x, " %8s", "ALL");
		ui_put(row++, 0, COLS, line, EL_HEADER, 1);
	}
	for (c = 0; c < CAUSE_COUNT && row < y + h; c++) {
		if (sums[c] == 0)
			continue;
		x = snprintf(line, sizeof line, " %-16s", cause_name((enum cause)c));
		for (i = 0; i < n && x < (int)sizeof line - 20; i++)
			x += snprintf(line + x, sizeof line - (size_t)x, " %*zu", hostw > 8 ? hostw : 8, per[i][c]);
		snprintf(line + x, sizeof line - (size_t)x, " %8zu", sums[c]);
		ui_put(row++, 0, COLS, line, theme_cause((enum cause)c), 1);
	}
	free(per);
}

/* view_hosts_key - cursor keys; Enter: every view narrowed to that host, the causes view */
int view_hosts_key(struct app *a, int ch, int h)
{
	const struct live_host *hosts;
	size_t n;

	if (a->fleet == NULL)
		return REACT_UNHANDLED;
	hosts = fleet_live_hosts(a->fleet->live, &n);
	if ((ch == '\n' || ch == '\r' || ch == KEY_ENTER) && a->hpos.sel < n) {
		snprintf(a->fhost, sizeof a->fhost, "%s", hosts[a->hpos.sel].name);
		app_rebuild_rows(a);
		app_push_view(a, VIEW_CAUSES);
		return REACT_REDRAW;
	}
	return app_list_keys(&a->hpos, n, h / 2 - 1, ch);
}

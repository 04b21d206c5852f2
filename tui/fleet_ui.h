/* fleet_ui - the fleet console: the console's views over every host's stream
 *
 * With a fleet (tui_options.fleet), the console reads no local queue: its
 * model is core/fleet/fleet_live's merged model of every host's `mqmon
 * stream`, built again at most once a second while hosts send changes.
 * Every view works on it as on one host's queue; what is the fleet's:
 *   - the status bar: hosts ok/total, the fleet's totals (a host that is down
 *     keeps its last counts, flagged stale with its state), live;
 *   - the HOST column (Messages, after the queue ID unless [console] columns
 *     is set) and the hosts of a domain (Domains);
 *   - ":host NAME" narrows every view to one host (a chip like the search);
 *     ":host" alone clears it;
 *   - the hosts view (tui/view_hosts.c);
 *   - actions: the IDs an action key picks go to the hosts that hold them
 *     (fleet_ui_plan), one ssh per host (core/fleet/fleet_act, on the action
 *     worker); a throttle goes to every host.
 */
#ifndef MQMON_TUI_FLEET_UI_H
#define MQMON_TUI_FLEET_UI_H

#include <time.h>

#include "core/base/strlist.h"
#include "core/base/strmap.h"
#include "core/base/why.h"
#include "core/fleet/fleet_act.h"

struct app;
struct fleet_live;

struct fleet_ui {
	struct fleet_live *live;	/* every host's stream (core/fleet/fleet_live) */
	struct strmap dh;		/* domain -> a bit per host index with mail for it (the Domains view) */
	unsigned long dh_version;	/* the model's version dh is of */
	time_t started;			/* the streams were started */
};

/* fleet_ui_start - every host's stream in a's loop, the HOST column, the action backend; -1 with why */
int fleet_ui_start(struct app *a, struct why *why);

/* fleet_ui_tick - once a second: host states, reconnects, a merged model that is due */
void fleet_ui_tick(struct app *a);

/* fleet_ui_reconnect - the hosts that are down tried again now (^R, :refresh) */
void fleet_ui_reconnect(struct app *a);

/* fleet_ui_draw_status - the status bar of the fleet console */
void fleet_ui_draw_status(struct app *a);

/* fleet_ui_host_command - ":host [NAME]": narrow every view to a host, or show all again */
int fleet_ui_host_command(struct app *a, const char *arg);

/* fleet_ui_plan - the hosts that hold each of ids into plan (set up here; free with fleet_plan_free): only
 * host's message when host is not NULL (the one under the cursor), else every host's with that ID (tags,
 * groups; ":host" narrows); -1 on out of memory */
int fleet_ui_plan(struct app *a, const struct strlist *ids, const char *host, struct fleet_plan *plan);

/* fleet_ui_hosts_of_domain - the hosts with mail for domain, "mxa mxb" or "N hosts", into buf */
void fleet_ui_hosts_of_domain(struct app *a, const char *domain, char *buf, size_t n);

/* fleet_ui_free - end every stream */
void fleet_ui_free(struct app *a);

#endif

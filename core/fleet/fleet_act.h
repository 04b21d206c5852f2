/* fleet_act - an action on messages of many hosts: each host gets its own IDs, in one ssh each
 *
 * A plan says which queue IDs each host of a fleet owns (the console knows
 * it from its merged model; `mqmon hold ID...` asks every host's snapshot
 * first). fleet_act_run() then runs, on every host of the plan at once,
 *
 *   ssh ... HOST REMOTE --no-fleet VERB --format json [--yes] -
 *
 * with that host's IDs on stdin, one a line (fleet_run: IDs never travel
 * on a command line). Each host's mqmon does the action and writes its own
 * audit row; the fleet's hosts hold each host's outcome (state, output,
 * problem) afterwards, and the caller writes the console side's audit row
 * from fleet_act_target() and the summary.
 */
#ifndef MQMON_FLEET_ACT_H
#define MQMON_FLEET_ACT_H

#include <stddef.h>

#include "core/base/strlist.h"
#include "core/fleet/fleet.h"

struct fleet_plan {
	size_t nhosts;
	struct strlist *ids;	/* per host of the fleet (same index), each ID once */
	size_t nmsgs;		/* IDs in all */
};

/* fleet_plan_init - an empty plan for fl's hosts; -1 on out of memory */
int fleet_plan_init(struct fleet_plan *p, const struct fleet *fl);

/* fleet_plan_add - id is on host (a name of fl); -1 when the host is not fl's or out of memory */
int fleet_plan_add(struct fleet_plan *p, const struct fleet *fl, const char *host, const char *id);

/* fleet_plan_hosts - hosts that get at least one ID */
size_t fleet_plan_hosts(const struct fleet_plan *p);

/* fleet_plan_free - release it (NULL-safe fields) */
void fleet_plan_free(struct fleet_plan *p);

/* fleet_act_target - "host:ID host:ID ..." of the plan (malloc'd; the audit row's target); NULL on out of memory */
char *fleet_act_target(const struct fleet *fl, const struct fleet_plan *p);

/* fleet_act_run - verb on every host of the plan with its IDs on stdin (yes: --yes, for delete), all at
 * once, each host's outcome in fl->hosts; summary gets "HOST: N done; HOST: STATE: PROBLEM; ..."; how
 * many hosts of the plan failed */
size_t fleet_act_run(struct fleet *fl, const struct fleet_plan *p, const char *verb, int yes, int timeout,
		     char *summary, size_t n);

/* fleet_act_words - the same words on every chosen host (run NULL: all; a throttle), each host's outcome in
 * fl->hosts; summary as fleet_act_run's; how many failed */
size_t fleet_act_words(struct fleet *fl, char *const *words, size_t nwords, const int *run, int timeout,
		       char *summary, size_t n);

#endif

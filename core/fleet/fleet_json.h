/* fleet_json - what a fleet reads from its hosts' mqmon and writes: merged snapshots, queue IDs
 *
 * fleet_merge_snapshots() reads every ok host's `snapshot --format json`
 * and writes one document of the same shape as a host's, plus:
 *   "fleet": true;
 *   "hosts": one row a host: host, state (fleet_state_name), problem, and
 *     from its snapshot mta, mail_version, config_dir, generated_at,
 *     mta_running, totals (null when the host could not be read: its
 *     counts are unknown, never a silent 0);
 *   "host" as the first member of every message;
 *   totals, causes (with their domains), providers, domains and queues
 *     summed over the hosts that answered (counts added, the oldest
 *     arrival and soonest retry the earliest).
 * A host whose output is not a snapshot is marked failed.
 *
 * fleet_snapshot_ids() lists the queue IDs of a host's snapshot, for
 * sending an action to the host that owns each ID.
 */
#ifndef MQMON_FLEET_JSON_H
#define MQMON_FLEET_JSON_H

#include <stdio.h>

#include "core/base/strlist.h"
#include "core/base/why.h"
#include "core/fleet/fleet.h"

/* fleet_merge_snapshots - the merged document on fp; hosts whose output is no snapshot become failed;
 * 0, or -1 with why when writing failed */
int fleet_merge_snapshots(struct fleet *fl, FILE *fp, struct why *why);

/* fleet_snapshot_ids - the queue IDs in h's snapshot output into ids; -1 (h marked failed) when it is none */
int fleet_snapshot_ids(struct fleet_host *h, struct strlist *ids);

#endif

/* prune - the console's retention, applied on a worker of its own
 *
 * Deleting a month of history can take seconds; the console must not
 * freeze for it. prune_start() runs store_prune_some() in chunks on a
 * core/base/worker with its own store connection (each chunk its own
 * transaction, so the log follower gets the write lock in between); a run
 * still going when the next is due is left alone. prune_stop() asks the
 * worker to stop after its current chunk and waits for it.
 */
#ifndef MQMON_TUI_PRUNE_H
#define MQMON_TUI_PRUNE_H

#include <time.h>

struct worker;

struct pruner {
	struct worker *worker;		/* NULL until the first run */
	char db[4096];			/* "" = the default path */
	time_t older_than;		/* under the worker's lock */
};

/* prune_init - an idle pruner for the database at db (NULL = the default path) */
void prune_init(struct pruner *p, const char *db);

/* prune_start - delete what is older than older_than in the background; 0, 1 when a run is still going, -1 */
int prune_start(struct pruner *p, time_t older_than);

/* prune_stop - stop after the current chunk and wait for the worker */
void prune_stop(struct pruner *p);

#endif

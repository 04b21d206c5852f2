/* prune - the console's retention, applied on a worker of its own; see prune.h */
#include "tui/prune.h"

#include <stdio.h>
#include <string.h>

#include "core/base/worker.h"
#include "core/history/store.h"

/* prune_job - chunk after chunk until nothing is left or the worker is stopping */
static void prune_job(struct worker *w, void *ctx)
{
	struct pruner *p = ctx;
	struct store *st = store_open(p->db[0] ? p->db : NULL, NULL);
	time_t older_than;

	worker_lock(w);
	older_than = p->older_than;
	worker_unlock(w);
	/* a failure (another writer held the lock too long) ends this run; the next hour tries again */
	while (st != NULL && !worker_stopping(w) && store_prune_some(st, older_than, STORE_PRUNE_CHUNK, NULL) > 0)
		;
	store_close(st);
}

/* prune_init - an idle pruner for the database at db (NULL = the default path) */
void prune_init(struct pruner *p, const char *db)
{
	memset(p, 0, sizeof *p);
	snprintf(p->db, sizeof p->db, "%s", db ? db : "");
}

/* prune_start - delete what is older than older_than in the background; 0, 1 when a run is still going, -1 */
int prune_start(struct pruner *p, time_t older_than)
{
	if (p->worker == NULL && (p->worker = worker_new("mqmon-prune", prune_job, p, NULL)) == NULL)
		return -1;
	if (worker_busy(p->worker))
		return 1;
	worker_ack(p->worker);	/* nobody polls its fd: keep the counter clear */
	worker_lock(p->worker);
	p->older_than = older_than;
	worker_unlock(p->worker);
	worker_kick(p->worker);
	return 0;
}

/* prune_stop - stop after the current chunk and wait for the worker */
void prune_stop(struct pruner *p)
{
	worker_free(p->worker);
	p->worker = NULL;
}

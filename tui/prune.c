/* prune - the console's retention, applied on a thread of its own; see prune.h */
#include "tui/prune.h"

#include <stdio.h>
#include <string.h>

#include "core/history/store.h"
#include "core/base/thread.h"

/* prune_main - chunk after chunk until nothing is left or stop is asked */
static void *prune_main(void *arg)
{
	struct pruner *p = arg;
	struct store *st = store_open(p->db[0] ? p->db : NULL, NULL);
	int stop = 0;

	pthread_setname_np(pthread_self(), "mqmon-prune");
	/* a failure (another writer held the lock too long) ends this run; the next hour tries again */
	while (st != NULL && !stop && store_prune_some(st, p->older_than, STORE_PRUNE_CHUNK, NULL) > 0) {
		pthread_mutex_lock(&p->lock);
		stop = p->stop;
		pthread_mutex_unlock(&p->lock);
	}
	store_close(st);
	pthread_mutex_lock(&p->lock);
	p->running = 0;
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* prune_init - an idle pruner for the database at db (NULL = the default path) */
void prune_init(struct pruner *p, const char *db)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	snprintf(p->db, sizeof p->db, "%s", db ? db : "");
}

/* prune_start - delete what is older than older_than in the background; 0, 1 when a run is still going, -1 */
int prune_start(struct pruner *p, time_t older_than)
{
	pthread_mutex_lock(&p->lock);
	if (p->running) {
		pthread_mutex_unlock(&p->lock);
		return 1;
	}
	pthread_mutex_unlock(&p->lock);
	if (p->started)
		pthread_join(p->thread, NULL);	/* the last run has ended: reap it */
	p->started = 0;
	p->older_than = older_than;
	p->stop = 0;
	p->running = 1;
	if (thread_spawn(&p->thread, prune_main, p) != 0) {
		p->running = 0;
		return -1;
	}
	p->started = 1;
	return 0;
}

/* prune_stop - stop after the current chunk and wait for the thread */
void prune_stop(struct pruner *p)
{
	if (p->started) {
		pthread_mutex_lock(&p->lock);
		p->stop = 1;
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->thread, NULL);
		p->started = 0;
	}
	pthread_mutex_destroy(&p->lock);
}

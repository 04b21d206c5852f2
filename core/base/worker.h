/* worker - one job function on a thread of its own, run when asked, an eventfd back to the event loop
 *
 * The console must never block on a slow job (a queue listing of 100,000
 * messages, postsuper, a history prune), so each such job runs on a
 * worker: worker_kick asks for one more run (asks made while a run is
 * going are coalesced into one more), the job runs on the worker's thread
 * (core/base/thread: it never takes a process signal), and when it
 * returns the worker's fd becomes readable; the owner polls it in its
 * event loop, calls worker_ack, and takes the outcome. Data the job and
 * the owner share is guarded by the worker's lock (worker_lock/unlock),
 * which the worker itself holds only around its own bookkeeping. A long
 * job can hand over partial outcomes meanwhile: it stores one under the
 * lock and calls worker_notify, which makes the fd readable before the
 * run ends (the owner then finds the run still busy).
 */
#ifndef MQMON_WORKER_H
#define MQMON_WORKER_H

#include "core/base/why.h"

struct worker;

/* worker_fn - the job: runs on the worker thread, without the lock held */
typedef void (*worker_fn)(struct worker *w, void *ctx);

/* worker_new - a worker thread named name (at most 15 characters) waiting for worker_kick; NULL with why */
struct worker *worker_new(const char *name, worker_fn run, void *ctx, struct why *why);

/* worker_fd - readable when a run has finished (worker_ack clears it) */
int worker_fd(const struct worker *w);

/* worker_kick - ask for one more run (coalesced while one is asked for or running) */
void worker_kick(struct worker *w);

/* worker_notify - make the fd readable during a run (the job has a partial outcome for the owner) */
void worker_notify(struct worker *w);

/* worker_ack - clear the fd's readiness (in the owner, before taking the outcome) */
void worker_ack(struct worker *w);

/* worker_busy - true while a run is asked for or going */
int worker_busy(struct worker *w);

/* worker_stopping - true once worker_free was called (a long job checks it between steps) */
int worker_stopping(struct worker *w);

/* worker_lock - take the lock guarding what the job and the owner share */
void worker_lock(struct worker *w);

/* worker_unlock - release it */
void worker_unlock(struct worker *w);

/* worker_free - stop: wait for a running job, end the thread, release everything (NULL-safe) */
void worker_free(struct worker *w);

#endif

/* worker - one job function on a thread of its own, an eventfd back to the loop; see worker.h */
#include "core/base/worker.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/base/thread.h"

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int efd;
	int wanted, running, quit;
	worker_fn run;
	void *ctx;
	char name[16];
};

/* main_loop - run the job whenever asked, until told to quit */
static void *main_loop(void *arg)
{
	struct worker *w = arg;
	uint64_t one = 1;

	pthread_setname_np(pthread_self(), w->name);
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->wanted && !w->quit)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->quit)
			break;
		w->wanted = 0;
		w->running = 1;
		pthread_mutex_unlock(&w->lock);
		w->run(w, w->ctx);
		pthread_mutex_lock(&w->lock);
		w->running = 0;
		if (write(w->efd, &one, sizeof one) < 0) {
			/* an eventfd counter does not overflow in practice */
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* worker_new - a worker thread waiting for worker_kick; NULL with why */
struct worker *worker_new(const char *name, worker_fn run, void *ctx, struct why *why)
{
	struct worker *w = calloc(1, sizeof *w);

	if (w == NULL) {
		why_set(why, "out of memory");
		return NULL;
	}
	w->run = run;
	w->ctx = ctx;
	snprintf(w->name, sizeof w->name, "%s", name);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if ((w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		why_errno(why, "eventfd");
		goto fail;
	}
	if (thread_spawn(&w->thread, main_loop, w) != 0) {
		why_set(why, "cannot start the %s thread", name);
		close(w->efd);
		goto fail;
	}
	return w;
fail:
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
	return NULL;
}

/* worker_fd - readable when a run has finished */
int worker_fd(const struct worker *w)
{
	return w->efd;
}

/* worker_kick - ask for one more run */
void worker_kick(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->wanted = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* worker_notify - make the fd readable now, from the job (a partial outcome is ready) */
void worker_notify(struct worker *w)
{
	uint64_t one = 1;

	if (write(w->efd, &one, sizeof one) < 0) {
		/* an eventfd counter does not overflow in practice */
	}
}

/* worker_ack - clear the fd's readiness */
void worker_ack(struct worker *w)
{
	uint64_t n;

	if (read(w->efd, &n, sizeof n) < 0) {
		/* nothing was pending */
	}
}

/* worker_busy - true while a run is asked for or going */
int worker_busy(struct worker *w)
{
	int busy;

	pthread_mutex_lock(&w->lock);
	busy = w->wanted || w->running;
	pthread_mutex_unlock(&w->lock);
	return busy;
}

/* worker_stopping - true once worker_free was called */
int worker_stopping(struct worker *w)
{
	int quit;

	pthread_mutex_lock(&w->lock);
	quit = w->quit;
	pthread_mutex_unlock(&w->lock);
	return quit;
}

/* worker_lock - take the shared lock */
void worker_lock(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
}

/* worker_unlock - release it */
void worker_unlock(struct worker *w)
{
	pthread_mutex_unlock(&w->lock);
}

/* worker_free - stop and release (NULL-safe) */
void worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->quit = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	close(w->efd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}

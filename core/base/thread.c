/* thread - worker threads that never take process signals; see thread.h
 *
 * A new thread inherits its creator's signal mask, so the creator blocks
 * everything around pthread_create and then restores its own mask.
 */
#include "core/base/thread.h"

#include <signal.h>

/* thread_spawn - pthread_create with every signal blocked in the new thread */
int thread_spawn(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

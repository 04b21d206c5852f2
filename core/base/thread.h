/* thread - worker threads that never take process signals
 *
 * mqmon reads signals through a signalfd in its event loop, which works
 * only while every thread blocks them: the kernel hands a process signal to
 * any thread that does not, and for SIGTERM or SIGHUP with no handler that
 * ends the process on the spot (rows held in memory are lost, positions
 * not saved). A thread started here blocks every signal from its first
 * instruction on, whatever the caller's mask is and whenever it is started.
 */
#ifndef MQMON_THREAD_H
#define MQMON_THREAD_H

#include <pthread.h>

/* thread_spawn - pthread_create with every signal blocked in the new thread; 0 or an errno value */
int thread_spawn(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif

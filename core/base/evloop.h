/* evloop - mqmon's one poll() loop
 *
 * Every source of work is a file descriptor: the terminal, the inotify fd,
 * child pipes, a signalfd (SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGCHLD: no
 * code runs in signal handlers at all) and a timerfd that fires on each
 * second boundary for countdowns. Callbacks run from evloop_run(); a
 * callback that changes what is shown calls evloop_dirty(), and the loop
 * calls the draw hook once per pass, after every ready fd was served.
 * Nothing polls on an interval where an event exists; the 1 Hz tick exists
 * because countdowns change every second.
 */
#ifndef MQMON_EVLOOP_H
#define MQMON_EVLOOP_H

#include <signal.h>

#include "core/base/why.h"

struct evloop;

/* evloop_fd_fn - fd is readable (or hung up); return -1 to stop watching it */
typedef int (*evloop_fd_fn)(struct evloop *loop, int fd, void *ctx);
/* evloop_signal_fn - a signal arrived */
typedef void (*evloop_signal_fn)(struct evloop *loop, int signo, void *ctx);
/* evloop_fn - the tick or the draw hook */
typedef void (*evloop_fn)(struct evloop *loop, void *ctx);

/* evloop_new - a loop with its signalfd (signals blocked for the process) */
struct evloop *evloop_new(const int *signals, int nsignals, evloop_signal_fn on_signal, void *ctx,
			  struct why *why);

/* evloop_add_fd - watch fd for input */
int evloop_add_fd(struct evloop *loop, int fd, evloop_fd_fn fn, void *ctx);

/* evloop_remove_fd - stop watching fd */
void evloop_remove_fd(struct evloop *loop, int fd);

/* evloop_set_tick - call fn on every second boundary (NULL stops the timer) */
int evloop_set_tick(struct evloop *loop, evloop_fn fn, void *ctx, struct why *why);

/* evloop_set_draw - the hook called once per pass when something is dirty */
void evloop_set_draw(struct evloop *loop, evloop_fn fn, void *ctx);

/* evloop_dirty - ask for a draw at the end of this pass */
void evloop_dirty(struct evloop *loop);

/* evloop_stop - make evloop_run return after this pass */
void evloop_stop(struct evloop *loop);

/* evloop_run - serve events until stopped; 0, or -1 with why on a poll failure */
int evloop_run(struct evloop *loop, struct why *why);

/* evloop_free - close the loop's own fds and restore the signal mask */
void evloop_free(struct evloop *loop);

#endif

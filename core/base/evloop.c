/* evloop - mqmon's one poll() loop; see evloop.h */
#include "core/base/evloop.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 64

struct watch {
	int fd;
	evloop_fd_fn fn;
	void *ctx;
};

struct evloop {
	struct watch w[MAX_FDS];
	int nw;
	int sigfd, timerfd;
	sigset_t mask, oldmask;
	evloop_signal_fn on_signal;
	void *sigctx;
	evloop_fn tick, draw;
	void *tickctx, *drawctx;
	int dirty, stopped;
};

/* evloop_new - a loop with its signalfd (signals blocked for the process) */
struct evloop *evloop_new(const int *signals, int nsignals, evloop_signal_fn on_signal, void *ctx,
			  struct why *why)
{
	struct evloop *loop = calloc(1, sizeof *loop);
	int i;

	if (loop == NULL) {
		why_set(why, "out of memory");
		return NULL;
	}
	loop->timerfd = -1;
	sigemptyset(&loop->mask);
	for (i = 0; i < nsignals; i++)
		sigaddset(&loop->mask, signals[i]);
	if (sigprocmask(SIG_BLOCK, &loop->mask, &loop->oldmask) < 0
	    || (loop->sigfd = signalfd(-1, &loop->mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		why_errno(why, "signalfd");
		free(loop);
		return NULL;
	}
	loop->on_signal = on_signal;
	loop->sigctx = ctx;
	return loop;
}

/* evloop_add_fd - watch fd for input */
int evloop_add_fd(struct evloop *loop, int fd, evloop_fd_fn fn, void *ctx)
{
	if (loop->nw == MAX_FDS)
		return -1;
	loop->w[loop->nw].fd = fd;
	loop->w[loop->nw].fn = fn;
	loop->w[loop->nw].ctx = ctx;
	loop->nw++;
	return 0;
}

/* evloop_remove_fd - stop watching fd */
void evloop_remove_fd(struct evloop *loop, int fd)
{
	int i;

	for (i = 0; i < loop->nw; i++)
		if (loop->w[i].fd == fd) {
			memmove(&loop->w[i], &loop->w[i + 1], (size_t)(loop->nw - i - 1) * sizeof loop->w[0]);
			loop->nw--;
			return;
		}
}

/* evloop_set_tick - call fn on every second boundary (NULL stops the timer) */
int evloop_set_tick(struct evloop *loop, evloop_fn fn, void *ctx, struct why *why)
{
	struct itimerspec its = { { 1, 0 }, { 0, 0 } };
	struct timespec now;

	loop->tick = fn;
	loop->tickctx = ctx;
	if (fn == NULL) {
		if (loop->timerfd >= 0)
			close(loop->timerfd);
		loop->timerfd = -1;
		return 0;
	}
	if (loop->timerfd < 0
	    && (loop->timerfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
		return why_errno(why, "timerfd_create");
	/* first expiry at the next whole second of wall-clock time, so countdowns tick in step */
	clock_gettime(CLOCK_REALTIME, &now);
	its.it_value.tv_sec = now.tv_sec + 1;
	its.it_value.tv_nsec = 0;
	if (timerfd_settime(loop->timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return why_errno(why, "timerfd_settime");
	return 0;
}

/* evloop_set_draw - the hook called once per pass when something is dirty */
void evloop_set_draw(struct evloop *loop, evloop_fn fn, void *ctx)
{
	loop->draw = fn;
	loop->drawctx = ctx;
}

/* evloop_dirty - ask for a draw at the end of this pass */
void evloop_dirty(struct evloop *loop)
{
	loop->dirty = 1;
}

/* evloop_stop - make evloop_run return after this pass */
void evloop_stop(struct evloop *loop)
{
	loop->stopped = 1;
}

/* drain_signals - read every pending signal and report it */
static void drain_signals(struct evloop *loop)
{
	struct signalfd_siginfo si;

	while (read(loop->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
		if (loop->on_signal != NULL)
			loop->on_signal(loop, (int)si.ssi_signo, loop->sigctx);
}

/* evloop_run - serve events until stopped; 0, or -1 with why on a poll failure */
int evloop_run(struct evloop *loop, struct why *why)
{
	struct pollfd pfd[MAX_FDS + 2];
	struct watch snap[MAX_FDS];

	loop->stopped = 0;
	if (loop->draw != NULL)
		loop->draw(loop, loop->drawctx);
	while (!loop->stopped) {
		int n = 0, i, nsnap = loop->nw;

		memcpy(snap, loop->w, sizeof snap[0] * (size_t)nsnap);
		for (i = 0; i < nsnap; i++) {
			pfd[n].fd = snap[i].fd;
			pfd[n].events = POLLIN;
			pfd[n++].revents = 0;
		}
		pfd[n].fd = loop->sigfd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
		pfd[n].fd = loop->timerfd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return why_errno(why, "poll");
		}
		if (pfd[nsnap].revents & POLLIN)
			drain_signals(loop);
		if (loop->timerfd >= 0 && (pfd[nsnap + 1].revents & POLLIN)) {
			uint64_t expirations;

			if (read(loop->timerfd, &expirations, sizeof expirations) > 0 && loop->tick)
				loop->tick(loop, loop->tickctx);
		}
		for (i = 0; i < nsnap && !loop->stopped; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (snap[i].fn(loop, snap[i].fd, snap[i].ctx) < 0)
				evloop_remove_fd(loop, snap[i].fd);
		}
		if (loop->dirty && loop->draw != NULL && !loop->stopped) {
			loop->dirty = 0;
			loop->draw(loop, loop->drawctx);
		}
	}
	return 0;
}

/* evloop_free - close the loop's own fds and restore the signal mask */
void evloop_free(struct evloop *loop)
{
	if (loop == NULL)
		return;
	close(loop->sigfd);
	if (loop->timerfd >= 0)
		close(loop->timerfd);
	sigprocmask(SIG_SETMASK, &loop->oldmask, NULL);
	free(loop);
}

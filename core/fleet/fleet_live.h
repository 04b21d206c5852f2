/* fleet_live - the fleet console's source: one `mqmon stream` per host over ssh, kept live
 *
 * For each host one
 *
 *   SSH... -T -o BatchMode=yes ... -o ControlMaster=auto -o ControlPath=DIR/hN -- HOST REMOTE... --no-fleet stream
 *
 * (fleet_argv; fork/execve, never a local shell), all started at once. DIR
 * is a private 0700 directory made for the console: the stream's connection
 * is the master, so the console's actions on that host (fleet_act) ride on
 * it instead of opening a new one. The streams' stdout and stderr are read
 * non-blocking in the console's loop (core/base/evloop); each host's lines go
 * to its fleet_feed, and a host whose set changed marks the merged model
 * stale: fleet_live_model() builds it again (fleet_feed_merge) when asked.
 *
 * Each host has a state for people:
 *   connecting     ssh started, no hello yet;
 *   connected      hello read and lines keep coming;
 *   stale          connected, but no line for FLEET_STALE_SECONDS (3 heartbeats);
 *   MTA stopped    connected, the host's MTA is not running (mta_running false);
 *   auth failed    ssh: Permission denied, host key verification failed;
 *   mqmon missing  the remote shell could not run REMOTE (exit 126/127);
 *   too old        the hello names another stream protocol, or the host's mqmon has no stream command;
 *   unreachable    ssh could not connect, or the connection ended;
 *   failed         the remote mqmon ended with an error, or wrote no stream.
 * A host that is not connected is tried again after a back-off (2 s,
 * doubling to FLEET_BACKOFF_MAX); a host whose state says retrying cannot
 * help right away (auth failed, mqmon missing, too old) waits the longest.
 * Whatever a host sent last stays in the merged model (its counts are shown
 * as stale, never dropped): fleet_live_host_fresh() says whether they are
 * current.
 */
#ifndef MQMON_FLEET_LIVE_H
#define MQMON_FLEET_LIVE_H

#include <sys/types.h>
#include <time.h>

#include "core/base/evloop.h"
#include "core/base/why.h"
#include "core/fleet/fleet.h"
#include "core/fleet/fleet_feed.h"

#define FLEET_STALE_SECONDS 15		/* 3 heartbeats (STREAM_HEARTBEAT) without a line */
#define FLEET_BACKOFF_MIN 2
#define FLEET_BACKOFF_MAX 60

enum live_state {
	LIVE_CONNECTING, LIVE_CONNECTED, LIVE_STALE, LIVE_MTA_STOPPED, LIVE_AUTH, LIVE_MISSING, LIVE_TOO_OLD,
	LIVE_UNREACHABLE, LIVE_FAILED, LIVE_STATE_COUNT
};

struct live_host {
	const char *name;		/* the fleet's host name */
	enum live_state state;
	struct fleet_feed feed;
	pid_t pid;			/* the stream's ssh, -1 when none */
	int stdin_fd, out, err;		/* its pipes, -1 when closed (stdin: kept open and silent) */
	char errbuf[2048];		/* the last of what ssh or the remote mqmon wrote on stderr */
	size_t errlen;
	time_t started, last_line, last_heartbeat, connected_since, next_try;
	int backoff;			/* seconds before the next try */
	unsigned reconnects;
	char problem[512];		/* why the state is not connected ("" when it is) */
};

struct fleet_live;

/* fleet_live_changed_fn - a host's set or state changed (the loop's draw follows) */
typedef void (*fleet_live_changed_fn)(struct fleet_live *fl, void *ctx);

/* fleet_live_new - a live source of fl's hosts (fl stays the caller's, its control_dir is set here); NULL
 * with why (the private directory cannot be made) */
struct fleet_live *fleet_live_new(struct fleet *fl, struct why *why);

/* fleet_live_start - every host's stream, started at once and read in loop; changed is called when a
 * host's messages or state change */
void fleet_live_start(struct fleet_live *fl, struct evloop *loop, fleet_live_changed_fn changed, void *ctx);

/* fleet_live_tick - once a second: stale hosts, reconnects that are due */
void fleet_live_tick(struct fleet_live *fl, time_t now);

/* fleet_live_retry_now - the hosts that are not connected are tried again at the next tick, back-off reset */
void fleet_live_retry_now(struct fleet_live *fl);

/* fleet_live_model - the merged model when it changed since the last call (the caller owns it), else NULL */
struct qmodel *fleet_live_model(struct fleet_live *fl, time_t now);

/* fleet_live_ready - every host has either sent its first set or is known not to (not connecting) */
int fleet_live_ready(const struct fleet_live *fl);

/* fleet_live_hosts - the hosts (n of them) */
const struct live_host *fleet_live_hosts(const struct fleet_live *fl, size_t *n);

/* fleet_live_host_fresh - the host's counts are current (connected, or its MTA stopped but it answers) */
int fleet_live_host_fresh(const struct live_host *h);

/* fleet_live_state_name - "connecting", "connected", "stale", ... */
const char *fleet_live_state_name(enum live_state s);

/* fleet_live_fleet - the fleet (for actions: its argv, its control directory) */
struct fleet *fleet_live_fleet(struct fleet_live *fl);

/* fleet_live_free - every stream ended (the ssh killed and reaped), the control directory removed */
void fleet_live_free(struct fleet_live *fl);

#endif

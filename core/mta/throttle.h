/* throttle - slow down or pause one destination domain through a transport map mqmon owns
 *
 * mqmon writes ONE map, <config_dir>/mqmon_transport (type lmdb when
 * `postconf -m` lists it, else hash; once set up, whatever type
 * transport_maps names), and never touches the operator's own maps. It is
 * listed first in transport_maps, so its entries win:
 *
 *   example.com  slow:NEXTHOP                              slow
 *   example.com  retry:4.7.0 paused by operator (mqmon)    pause
 *
 * `slow` is an smtp clone in master.cf with slow_destination_rate_delay = 1s
 * (one delivery at a time, one per second) and a failed-cohort limit of 100,
 * so a rate-limiting provider does not get the destination marked dead.
 * NEXTHOP keeps the domain's route: the entry the operator's transport maps
 * give it (domain, .parent, *), else relayhost, else empty (MX lookup).
 * `retry` is the error(8) service that defers every recipient with the
 * given status and text, without connecting.
 *
 * The map text is the source of truth: a comment line above each entry
 * keeps its mode, start, expiry and user, so expiry works without the
 * store; the store mirrors it (store_set_throttle) for history and the
 * console. Every change: lock the configuration directory, write the text
 * to a temporary file, rename it over the map, run `postmap -c DIR TYPE:FILE`
 * (argv, no shell; on failure the old text is put back), then `postfix -c
 * DIR reload`: trivial-rewrite keeps a changed map open until it restarts
 * by itself (seconds to minutes later, while qmgr keeps its connection
 * busy), so without the reload a throttle would show on screen long before
 * Postfix applies it. The reload makes qmgr retry the due deferred mail at
 * once (mail Postfix would retry within queue_run_delay anyway).
 *
 * A throttle is `pending` until the mail log shows Postfix routing that
 * domain through mqmon's transport at or after its start (throttle_routes:
 * a delivery attempt deferred with the pause text, or logged by the slow
 * service `NAME/slow`), then `pause`/`slow` with the time left, then
 * `expired` from the second its time is up until the map entry is removed.
 * Expiry needs no running mqmon: `throttle --setup` installs a systemd
 * timer (every 15 s) or, without systemd, a cron.d entry (every minute)
 * running `mqmon -c DIR throttles --expire` (core/expiry_timer).
 *
 * Mail deferred by the pause entry logs THROTTLE_PAUSE_TEXT: that is not a
 * remote reply (throttle_pause_reason), so the model keeps the message's
 * previous cause and marks it paused.
 *
 * The one-time changes to main.cf and master.cf (throttle_setup) do need
 * `postfix reload`, which restarts qmgr and so retries at once every
 * deferred message whose retry time has passed (a retry wave).
 */
#ifndef MQMON_THROTTLE_H
#define MQMON_THROTTLE_H

#include <stddef.h>
#include <time.h>

#include "core/mta/actions.h"
#include "core/base/strlist.h"
#include "core/base/why.h"

#define THROTTLE_MAP_NAME "mqmon_transport"
#define THROTTLE_DOMAIN_MAX 253
/* the text Postfix logs for mail the pause entry defers (error(8) next-hop: status code, then this) */
#define THROTTLE_PAUSE_TEXT "paused by operator (mqmon)"
#define THROTTLE_PAUSE_REASON "4.7.0 " THROTTLE_PAUSE_TEXT
/* the slow transport's syslog_name suffix (`throttle --setup` gives the clone -o syslog_name=NAME/slow) */
#define THROTTLE_SLOW_LOG_SUFFIX "/slow"
/* bytes at the end of the mail log throttle_scan_log reads */
#define THROTTLE_LOG_TAIL (16L << 20)

enum throttle_mode {
	THROTTLE_SLOW,
	THROTTLE_PAUSE,
};

struct throttle {
	char domain[THROTTLE_DOMAIN_MAX + 1];
	enum throttle_mode mode;
	char nexthop[256];	/* slow: the route kept ("" = the domain's MX) */
	time_t since, until;	/* until 0 = no expiry */
	char user[64];
	/* from the mail log (throttle_scan_log) */
	int log_checked;	/* the log since `since` was read */
	time_t seen;		/* first attempt routed through mqmon's transport, 0 = none yet */
};

/* what a throttle is doing now, as far as mqmon can tell */
enum throttle_state {
	THROTTLE_PENDING,	/* in the map; the log shows no mail routed by it yet */
	THROTTLE_ACTIVE,	/* the log shows Postfix routing the domain through it */
	THROTTLE_UNVERIFIED,	/* in the map; the log could not be read */
	THROTTLE_EXPIRED,	/* its time is up (the entry goes at the next expiry run) */
};

struct throttle_list {
	struct throttle *v;
	size_t n, cap;
};

/* throttle_mode_name - "slow" or "pause" */
const char *throttle_mode_name(enum throttle_mode mode);

/* throttle_pause_reason - true when a deferral's text is the pause entry's (not a remote reply) */
int throttle_pause_reason(const char *text, size_t len);

/* throttle_state_of - t's state at now */
enum throttle_state throttle_state_of(const struct throttle *t, time_t now);

/* throttle_state_text - "pending", "pause 1h59m", "slow", "expired" (what the screen shows) into buf */
const char *throttle_state_text(const struct throttle *t, time_t now, char *buf, size_t bufsz);

struct log_event;

/* throttle_routes - true when ev is a delivery attempt for t's domain, at or after t's start, routed
 * through mqmon's transport (the pause text, or the slow service's NAME/slow syslog name) */
int throttle_routes(const struct throttle *t, const struct log_event *ev);

/* throttle_scan_log - read the last THROTTLE_LOG_TAIL bytes of the mail log at path for the first
 * attempt each throttle routed (sets log_checked and seen); -1 with why when it cannot be read */
int throttle_scan_log(const char *path, struct throttle_list *l, struct why *why);

/* throttle_domain_valid - lower-case LDH labels joined by dots, at least two, <= 253 chars; -1 with why */
int throttle_domain_valid(const char *domain, struct why *why);

/* throttle_value - the map value for t: "slow:NEXTHOP" or "retry:4.7.0 paused ..." */
void throttle_value(const struct throttle *t, char *buf, size_t bufsz);

/* throttle_render - the whole map text for the list (malloc'd); NULL on out of memory */
char *throttle_render(const struct throttle_list *l);

/* throttle_parse - read map text written by throttle_render into l (appended); -1 with why on a malformed entry */
int throttle_parse(const char *text, struct throttle_list *l, struct why *why);

/* throttle_find - the entry for domain in l, NULL when none */
struct throttle *throttle_find(const struct throttle_list *l, const char *domain);

/* throttle_list_free - release the entries */
void throttle_list_free(struct throttle_list *l);

/* throttle_map_path - <config_dir>/mqmon_transport into buf; -1 when too long */
int throttle_map_path(const struct action_ctx *ctx, char *buf, size_t bufsz);

/* throttle_load - the map's entries (a missing map is an empty list); -1 with why */
int throttle_load(const struct action_ctx *ctx, struct throttle_list *l, struct why *why);

/* throttle_set - slow or pause domain until `until` (0 = no expiry); -1 with why and *err */
int throttle_set(const struct action_ctx *ctx, const char *domain, enum throttle_mode mode,
		 time_t until, enum action_error *err, struct why *why);

/* throttle_clear - remove domain's throttle; 1 removed, 0 there was none, -1 with why and *err */
int throttle_clear(const struct action_ctx *ctx, const char *domain, enum action_error *err,
		   struct why *why);

/* throttle_expire - remove throttles whose until <= now from the map and the store; number removed, -1 with why */
int throttle_expire(const struct action_ctx *ctx, time_t now, struct strlist *removed, struct why *why);

/* throttle_setup - append to report the one-time main.cf/master.cf changes; with apply make them
 * (backups first), with reload then run `postfix reload`; -1 with why and *err */
int throttle_setup(const struct action_ctx *ctx, int apply, int reload, struct strlist *report,
		   enum action_error *err, struct why *why);

#endif

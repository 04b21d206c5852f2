/* postfix_throttle - slow down or pause one destination domain through a transport map mqmon owns
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
 * domain through mqmon's transport at or after its start (postfix_throttle_routes:
 * a delivery attempt deferred with the pause text, or logged by the slow
 * service `NAME/slow`), then `pause`/`slow` with the time left, then
 * `expired` from the second its time is up until the map entry is removed.
 * Expiry needs no running mqmon: `throttle --setup` installs a systemd
 * timer (every 15 s) or, without systemd, a cron.d entry (every minute)
 * running `mqmon -c DIR throttles --expire` (core/expiry_timer).
 *
 * Mail deferred by the pause entry logs THROTTLE_PAUSE_TEXT: that is not a
 * remote reply (postfix_throttle_own), so the model keeps the message's
 * previous cause and marks it paused.
 *
 * The one-time changes to main.cf and master.cf (throttle_setup) do need
 * `postfix reload`, which restarts qmgr and so retries at once every
 * deferred message whose retry time has passed (a retry wave).
 */
#ifndef MQMON_POSTFIX_THROTTLE_H
#define MQMON_POSTFIX_THROTTLE_H

#include <stddef.h>

#include "core/mta/throttle.h"

#define THROTTLE_MAP_NAME "mqmon_transport"
/* the text Postfix logs for mail the pause entry defers (error(8) next-hop: status code, then this) */
#define THROTTLE_PAUSE_TEXT "paused by operator (mqmon)"
#define THROTTLE_PAUSE_REASON "4.7.0 " THROTTLE_PAUSE_TEXT
/* the slow transport's syslog_name suffix (`throttle --setup` gives the clone -o syslog_name=NAME/slow) */
#define THROTTLE_SLOW_LOG_SUFFIX "/slow"

struct log_event;

extern const struct mta_throttle_ops postfix_throttle_ops;

/* postfix_throttle_own - true when a deferral's text is the pause entry's (not a remote reply) */
int postfix_throttle_own(const char *text, size_t len);

/* postfix_throttle_routes - true when ev is a delivery attempt for t's domain, at or after t's start, routed
 * through mqmon's transport (the pause text, or the slow service's NAME/slow syslog name) */
int postfix_throttle_routes(const struct throttle *t, const struct log_event *ev);

/* postfix_throttle_value - the map value for t: "slow:NEXTHOP" or "retry:4.7.0 paused ..." */
void postfix_throttle_value(const struct throttle *t, char *buf, size_t bufsz);

/* postfix_throttle_entry - read a map value back into t: "slow:NEXTHOP" or "retry:..."; -1 for any other */
int postfix_throttle_entry(const char *value, struct throttle *t);

/* postfix_throttle_map_path - <config_dir>/mqmon_transport into buf; -1 when too long */
int postfix_throttle_map_path(const struct action_ctx *ctx, char *buf, size_t bufsz);

#endif

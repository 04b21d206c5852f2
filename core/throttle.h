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
 * (argv, no shell; on failure the old text is put back). Postfix notices the
 * changed map without a reload.
 *
 * The one-time changes to main.cf and master.cf (throttle_setup) do need
 * `postfix reload`, which restarts qmgr and so retries at once every
 * deferred message whose retry time has passed (a retry wave).
 */
#ifndef MQMON_THROTTLE_H
#define MQMON_THROTTLE_H

#include <stddef.h>
#include <time.h>

#include "core/actions.h"
#include "core/strlist.h"
#include "core/why.h"

#define THROTTLE_MAP_NAME "mqmon_transport"
#define THROTTLE_DOMAIN_MAX 253
/* the pause entry's error(8) next-hop: enhanced status code, then the text */
#define THROTTLE_PAUSE_REASON "4.7.0 paused by operator (mqmon)"

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
};

struct throttle_list {
	struct throttle *v;
	size_t n, cap;
};

/* throttle_mode_name - "slow" or "pause" */
const char *throttle_mode_name(enum throttle_mode mode);

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

/* throttle - slow down or pause one destination domain: the MTA-neutral part
 *
 * A throttle is a domain, a mode (slow, pause), a start, an optional
 * expiry and a user. Each backend keeps its throttles in one file of its
 * own (Postfix: a transport map; Exim: the hold_domains list) whose text is
 * the source of truth: a comment line above each entry keeps its mode,
 * start, expiry and user, so expiry works without the store
 * (throttle_render/throttle_parse). The store mirrors it for history and
 * the console. The mechanism (what the entry says, how the MTA is told,
 * the one-time setup, how the log shows it applied) is the backend's
 * struct mta_throttle_ops; throttle_set and friends dispatch to it through
 * the context's parameters and refuse when the backend has none.
 *
 * A throttle is `pending` until the mail log shows the MTA applying it
 * (scan_log sets `seen`), then `pause`/`slow` with the time left, then
 * `expired` from the second its time is up until the entry is removed.
 * Expiry needs no running mqmon: `throttle --setup` installs a systemd
 * timer or a cron.d entry running `mqmon -c CONFIG throttles --expire`
 * (core/mta/expiry_timer).
 */
#ifndef MQMON_THROTTLE_H
#define MQMON_THROTTLE_H

#include <stddef.h>
#include <time.h>

#include "core/base/strlist.h"
#include "core/base/vocab.h"	/* enum throttle_mode, throttle_mode_name */
#include "core/base/why.h"
#include "core/mta/actions.h"

#define THROTTLE_DOMAIN_MAX 253
/* bytes at the end of the mail log a backend's scan_log reads */
#define THROTTLE_LOG_TAIL (16L << 20)

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

/* throttle_state_of - t's state at now */
enum throttle_state throttle_state_of(const struct throttle *t, time_t now);

/* throttle_state_text - "pending", "pause 1h59m", "slow", "expired" (what the screen shows) into buf */
const char *throttle_state_text(const struct throttle *t, time_t now, char *buf, size_t bufsz);

struct mta_params;

/* throttle_scan_log - read the end of the mail log at path for the first attempt each throttle
 * routed (the backend's scan_log: sets log_checked and seen); -1 with why when it cannot be read */
int throttle_scan_log(const struct mta_params *params, const char *path, struct throttle_list *l,
		      struct why *why);

/* throttle_describe - the MTA's words for t's entry (Postfix: the transport map value) into buf */
void throttle_describe(const struct mta_params *params, const struct throttle *t, char *buf, size_t bufsz);

/* throttle_domain_valid - lower-case LDH labels joined by dots, at least two, <= 253 chars; -1 with why */
int throttle_domain_valid(const char *domain, struct why *why);

/* throttle_value_fn - the MTA's value of t's entry ("slow:NEXTHOP", "retry:4.7.0 ...") into buf */
typedef void (*throttle_value_fn)(const struct throttle *t, char *buf, size_t bufsz);

/* throttle_render - the whole map text for the list (malloc'd): header, then per entry a comment line
 * (mode, start, expiry, user) and "domain value"; NULL on out of memory */
char *throttle_render(const struct throttle_list *l, const char *header, throttle_value_fn value_of);

/* throttle_list_add - append a zeroed entry; NULL on out of memory */
struct throttle *throttle_list_add(struct throttle_list *l);

/* throttle_list_remove - drop t (an entry of l) */
void throttle_list_remove(struct throttle_list *l, struct throttle *t);

/* throttle_parse - read map text written by throttle_render into l (appended); -1 with why on a malformed entry */
int throttle_parse(const char *text, struct throttle_list *l, struct why *why);

/* throttle_find - the entry for domain in l, NULL when none */
struct throttle *throttle_find(const struct throttle_list *l, const char *domain);

/* throttle_list_free - release the entries */
void throttle_list_free(struct throttle_list *l);

/* throttle_load - the instance's throttles (none set is an empty list); -1 with why */
int throttle_load(const struct action_ctx *ctx, struct throttle_list *l, struct why *why);

/* throttle_set - slow or pause domain until `until` (0 = no expiry); -1 with why and *err */
int throttle_set(const struct action_ctx *ctx, const char *domain, enum throttle_mode mode,
		 time_t until, enum action_error *err, struct why *why);

/* throttle_clear - remove domain's throttle; 1 removed, 0 there was none, -1 with why and *err */
int throttle_clear(const struct action_ctx *ctx, const char *domain, enum action_error *err,
		   struct why *why);

/* throttle_expire - remove throttles whose until <= now from the map and the store; number removed
 * (0 when the backend has no throttles), -1 with why */
int throttle_expire(const struct action_ctx *ctx, time_t now, struct strlist *removed, struct why *why);

/* throttle_setup - append to report the one-time MTA configuration changes; with apply make them
 * (backups first), with reload then tell the MTA; -1 with why and *err */
int throttle_setup(const struct action_ctx *ctx, int apply, int reload, struct strlist *report,
		   enum action_error *err, struct why *why);

/* the throttle mechanism of one MTA (mta_backend.throttle) */
struct mta_throttle_ops {
	int (*load)(const struct action_ctx *ctx, struct throttle_list *l, struct why *why);
	int (*set)(const struct action_ctx *ctx, const char *domain, enum throttle_mode mode, time_t until,
		   enum action_error *err, struct why *why);
	int (*clear)(const struct action_ctx *ctx, const char *domain, enum action_error *err, struct why *why);
	int (*expire)(const struct action_ctx *ctx, time_t now, struct strlist *removed, struct why *why);
	int (*setup)(const struct action_ctx *ctx, int apply, int reload, struct strlist *report,
		     enum action_error *err, struct why *why);
	int (*scan_log)(const char *path, struct throttle_list *l, struct why *why);
	void (*value)(const struct throttle *t, char *buf, size_t bufsz);
};

#endif

/* trends - deferrals per time bucket for every value of one key, cached
 *
 * The causes view shows each cause's last hour, the domains view each
 * domain's last two hours. One store_trends() scan answers a whole view
 * (the store keeps attempts in time order, so the window is one range);
 * the answer is kept until new deferrals are stored (trends_stale), at
 * most every TRENDS_MIN_AGE seconds, and in any case every TRENDS_MAX_AGE
 * seconds as the window moves. Values with no deferral in the window read
 * as all zeros.
 */
#ifndef MQMON_TUI_TRENDS_H
#define MQMON_TUI_TRENDS_H

#include <stddef.h>
#include <time.h>

#include "core/history/store.h"
#include "core/base/strmap.h"

#define TRENDS_MIN_AGE 2
#define TRENDS_MAX_AGE 30

struct trends {
	const char *key;		/* "cause" "provider" "domain" */
	long bucket_seconds;
	int nbuckets;
	time_t loaded;			/* 0 = never */
	int stale;			/* new deferrals were stored since */
	struct strmap index;		/* value -> its row in counts */
	unsigned *counts;		/* nbuckets per row */
	size_t n, cap;
};

/* trends_init - an empty cache for key with nbuckets buckets of bucket_seconds */
void trends_init(struct trends *t, const char *key, long bucket_seconds, int nbuckets);

/* trends_get - value's counts into out (nbuckets), the window ending at now; reads the store when due */
void trends_get(struct trends *t, struct store *st, time_t now, const char *value, unsigned *out);

/* trends_stale - new deferrals were stored: read again at the next get (not sooner than TRENDS_MIN_AGE) */
void trends_stale(struct trends *t);

/* trends_free - release the cache */
void trends_free(struct trends *t);

#endif

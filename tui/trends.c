/* trends - deferrals per time bucket for every value of one key, cached; see trends.h */
#include "tui/trends.h"

#include <stdlib.h>
#include <string.h>

/* trends_init - an empty cache for key with nbuckets buckets of bucket_seconds */
void trends_init(struct trends *t, const char *key, long bucket_seconds, int nbuckets)
{
	memset(t, 0, sizeof *t);
	t->key = key;
	t->bucket_seconds = bucket_seconds;
	t->nbuckets = nbuckets;
}

/* keep_value - store_trend_fn adding one value's counts to the cache */
static int keep_value(void *ctx, const char *value, const unsigned *counts)
{
	struct trends *t = ctx;
	size_t nb = (size_t)t->nbuckets;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		unsigned *c = realloc(t->counts, cap * nb * sizeof *c);

		if (c == NULL)
			return 1;	/* keep what fits */
		t->counts = c;
		t->cap = cap;
	}
	if (strmap_put(&t->index, value, (long long)t->n) < 0)
		return 1;
	memcpy(t->counts + t->n * nb, counts, nb * sizeof *counts);
	t->n++;
	return 0;
}

/* reload - read every value's window from the store */
static void reload(struct trends *t, struct store *st, time_t now)
{
	strmap_clear(&t->index);
	t->n = 0;
	t->loaded = now;
	t->stale = 0;
	store_trends(st, t->key, NULL, now, t->bucket_seconds, t->nbuckets, keep_value, t, NULL);
}

/* trends_get - value's counts into out (nbuckets), the window ending at now; reads the store when due */
void trends_get(struct trends *t, struct store *st, time_t now, const char *value, unsigned *out)
{
	long long row;

	if (st != NULL && (t->loaded == 0 || now - t->loaded >= TRENDS_MAX_AGE || now < t->loaded ||
			   (t->stale && now - t->loaded >= TRENDS_MIN_AGE)))
		reload(t, st, now);
	if (value != NULL && strmap_get(&t->index, value, &row))
		memcpy(out, t->counts + (size_t)row * (size_t)t->nbuckets, (size_t)t->nbuckets * sizeof *out);
	else
		memset(out, 0, (size_t)t->nbuckets * sizeof *out);
}

/* trends_stale - new deferrals were stored: read again at the next get */
void trends_stale(struct trends *t)
{
	t->stale = 1;
}

/* trends_free - release the cache */
void trends_free(struct trends *t)
{
	strmap_clear(&t->index);
	free(t->counts);
	trends_init(t, t->key, t->bucket_seconds, t->nbuckets);
}

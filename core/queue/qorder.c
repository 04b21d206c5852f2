/* qorder - the model's messages in the order of each sort key; see qorder.h
 *
 * A full build sorts the positions by queue ID once, then each key as
 * (integer value, rank in ID order) pairs: domains by the rank of their
 * text among the distinct domains (the pool gives one pointer per text, so
 * few are compared). An update copies the old order without the messages
 * that left or were touched (renumbered through the compaction's remap),
 * sorts the touched and the new ones, and puts each in place with a binary
 * search: no message outside those is read.
 */
#include "core/queue/qorder.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/queue/qmodel.h"

/* msg_domain - the domain a message sorts by: its first recipient's */
static const char *msg_domain(const struct qmsg *msg)
{
	return msg->nrcpts ? msg->rcpts[0].domain : "";
}

/* key_value - the integer value of key k (not the domain) of msg: smallest sorts first */
static long long key_value(enum qorder_key k, const struct qmsg *msg)
{
	switch (k) {
	case QORDER_RETRY:
		return msg->next_retry ? (long long)msg->next_retry : LLONG_MAX;
	case QORDER_AGE:
		return -(long long)msg->arrival;	/* the earlier arrival is the larger age */
	case QORDER_CAUSE:
		return msg->cause;
	case QORDER_ATTEMPTS:
		return msg->attempts;
	case QORDER_SIZE:
		return msg->size;
	default:
		return 0;
	}
}

/* key_cmp - compare two messages by key k alone */
static int key_cmp(enum qorder_key k, const struct qmsg *a, const struct qmsg *b)
{
	long long x, y;

	if (k == QORDER_DOMAIN) {
		const char *da = msg_domain(a), *db = msg_domain(b);

		return da == db ? 0 : strcmp(da, db);
	}
	x = key_value(k, a);
	y = key_value(k, b);
	return x < y ? -1 : x > y;
}

/* qorder_cmp - compare two messages by key k (ascending), then queue ID */
int qorder_cmp(enum qorder_key k, const struct qmsg *a, const struct qmsg *b)
{
	int c = key_cmp(k, a, b);

	return c ? c : strcmp(a->id, b->id);
}

struct pair {
	long long k;	/* the key's value */
	uint32_t tie;	/* rank in ID order */
	uint32_t pos;	/* position in msgs */
};

/* pair_cmp - by value, then rank in ID order */
static int pair_cmp(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;

	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	return a->tie < b->tie ? -1 : a->tie > b->tie;
}

/* id_sort_msgs - qsort has no context argument: the messages the ID comparison looks at */
static __thread struct qmsg *const *id_sort_msgs;

/* pos_id_cmp - two positions by their messages' queue IDs */
static int pos_id_cmp(const void *x, const void *y)
{
	return strcmp(id_sort_msgs[*(const uint32_t *)x]->id, id_sort_msgs[*(const uint32_t *)y]->id);
}

/* str_cmp - strcmp of two string pointers */
static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* slot_of - the slot of pointer d in an open-addressing table of pointers (its own, or the empty one) */
static size_t slot_of(const char *const *slots, size_t mask, const char *d)
{
	size_t h;

	for (h = ((uintptr_t)d >> 3) * 11400714819323198485ull & mask; slots[h] && slots[h] != d; h = (h + 1) & mask)
		;
	return h;
}

/* domain_values - the rank of each message's domain in strcmp order into p[].k (p[].pos set); -1 out of memory */
static int domain_values(struct qmsg *const *msgs, size_t n, struct pair *p)
{
	size_t cap = 64, nd, i, h, mask;
	const char **slots, **names;
	long long *rank;

	for (;;) {
		mask = cap - 1;
		if ((slots = calloc(cap, sizeof *slots)) == NULL)
			return -1;
		nd = 0;
		for (i = 0; i < n && nd * 2 < cap; i++) {
			const char *d = msg_domain(msgs[p[i].pos]);

			h = slot_of(slots, mask, d);
			if (slots[h] == NULL) {
				slots[h] = d;
				nd++;
			}
		}
		if (i == n && nd * 2 < cap)
			break;
		free(slots);
		cap *= 4;
	}
	names = malloc((nd + 1) * sizeof *names);
	rank = malloc(cap * sizeof *rank);
	if (names == NULL || rank == NULL) {
		free(slots);
		free(names);
		free(rank);
		return -1;
	}
	for (h = 0, nd = 0; h < cap; h++)
		if (slots[h])
			names[nd++] = slots[h];
	qsort(names, nd, sizeof *names, str_cmp);
	for (i = 0; i < nd; i++) {
		/* equal texts at other addresses share a rank */
		long long r = (long long)i;

		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			r = rank[slot_of(slots, mask, names[i - 1])];
		rank[slot_of(slots, mask, names[i])] = r;
	}
	for (i = 0; i < n; i++)
		p[i].k = rank[slot_of(slots, mask, msg_domain(msgs[p[i].pos]))];
	free(slots);
	free(names);
	free(rank);
	return 0;
}

/* by_id - positions 0..n) in queue ID order (NULL out of memory) */
static uint32_t *by_id(struct qmsg *const *msgs, size_t n)
{
	uint32_t *ids = malloc((n + 1) * sizeof *ids);
	size_t i;

	if (ids == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		ids[i] = (uint32_t)i;
	id_sort_msgs = msgs;
	qsort(ids, n, sizeof *ids, pos_id_cmp);
	return ids;
}

/* key_order - the ascending order of key k into out, given the ID order ids; -1 out of memory */
static int key_order(struct qmsg *const *msgs, size_t n, const uint32_t *ids, enum qorder_key k, uint32_t *out)
{
	struct pair *p = malloc((n + 1) * sizeof *p);
	size_t i;

	if (p == NULL)
		return -1;
	for (i = 0; i < n; i++)
		p[i] = (struct pair){ 0, (uint32_t)i, ids[i] };
	if (k == QORDER_DOMAIN) {
		if (domain_values(msgs, n, p) < 0) {
			free(p);
			return -1;
		}
	} else {
		for (i = 0; i < n; i++)
			p[i].k = key_value(k, msgs[p[i].pos]);
	}
	qsort(p, n, sizeof *p, pair_cmp);
	for (i = 0; i < n; i++)
		out[i] = p[i].pos;
	free(p);
	return 0;
}

/* qorder_build_key - the ascending order of key k over msgs[0..n) into out (n entries); -1 out of memory */
int qorder_build_key(struct qmsg *const *msgs, size_t n, enum qorder_key k, uint32_t *out)
{
	uint32_t *ids = by_id(msgs, n);
	int rc;

	if (ids == NULL)
		return -1;
	rc = key_order(msgs, n, ids, k, out);
	free(ids);
	return rc;
}

/* qorder_free - release o (NULL is fine) */
void qorder_free(struct qorder *o)
{
	int k;

	if (o == NULL)
		return;
	for (k = 0; k < QORDER_COUNT; k++)
		free(o->asc[k]);
	free(o);
}

/* qorder_build - every key's order of msgs[0..n) (a new qorder, NULL out of memory) */
struct qorder *qorder_build(struct qmsg *const *msgs, size_t n)
{
	struct qorder *o = calloc(1, sizeof *o);
	uint32_t *ids;
	int k;

	if (o == NULL || n > UINT32_MAX - 1 || (ids = by_id(msgs, n)) == NULL) {
		free(o);
		return NULL;
	}
	o->n = n;
	for (k = 0; k < QORDER_COUNT; k++)
		if ((o->asc[k] = malloc((n + 1) * sizeof *o->asc[k])) == NULL
		    || key_order(msgs, n, ids, (enum qorder_key)k, o->asc[k]) < 0) {
			free(ids);
			qorder_free(o);
			return NULL;
		}
	free(ids);
	return o;
}

/* upd_msgs, upd_key - qsort has no context argument: the messages and key the merge sort compares */
static __thread struct qmsg *const *upd_msgs;
static __thread enum qorder_key upd_key;

/* pos_key_cmp - two positions by key upd_key, then queue ID */
static int pos_key_cmp(const void *x, const void *y)
{
	return qorder_cmp(upd_key, upd_msgs[*(const uint32_t *)x], upd_msgs[*(const uint32_t *)y]);
}

/* update_key - one key's order: old (oldn positions, through remap) without the messages that left or
 * changed, merged with odd (nodd positions: changed and new, sorted here) into out */
static void update_key(struct qmsg *const *msgs, const uint32_t *old, size_t oldn, const uint32_t *remap,
		       enum qorder_key k, uint32_t *odd, size_t nodd, uint32_t *out)
{
	size_t i, nkept = 0, b, o = 0, a = 0;

	/* kept, in out's tail: they are in order among themselves */
	for (i = 0; i < oldn; i++) {
		uint32_t p = remap[old[i]];

		if (p != QORDER_GONE && !(p & QORDER_CHANGED))
			out[nodd + nkept++] = p;
	}
	upd_msgs = msgs;
	upd_key = k;
	qsort(odd, nodd, sizeof *odd, pos_key_cmp);
	/* each odd one after the kept ones that sort before it (a binary search from the last place) */
	for (b = 0; b < nodd; b++) {
		const struct qmsg *e = msgs[odd[b]];
		size_t lo = a, hi = nkept;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (qorder_cmp(k, msgs[out[nodd + mid]], e) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		memmove(out + o, out + nodd + a, (lo - a) * sizeof *out);
		o += lo - a;
		a = lo;
		out[o++] = odd[b];
	}
	memmove(out + o, out + nodd + a, (nkept - a) * sizeof *out);
}

/* qorder_update - mend o for msgs[0..n) after changes (see qorder.h); -1 out of memory */
int qorder_update(struct qorder *o, struct qmsg *const *msgs, size_t n, const uint32_t *remap, size_t nremap)
{
	uint32_t *odd, *sorted, *out[QORDER_COUNT] = { 0 };
	size_t nodd = 0, j;
	int k;

	if (n > QORDER_CHANGED - 1 || nremap < o->n)
		return -1;
	if ((odd = malloc((n + 1) * sizeof *odd)) == NULL || (sorted = malloc((n + 1) * sizeof *sorted)) == NULL) {
		free(odd);
		return -1;
	}
	for (j = 0; j < nremap; j++)
		if (remap[j] != QORDER_GONE && (j >= o->n || (remap[j] & QORDER_CHANGED)))
			odd[nodd++] = remap[j] & ~QORDER_CHANGED;
	for (k = 0; k < QORDER_COUNT; k++) {
		/* out[k] needs room for the odd ones before the kept ones: n in all */
		if ((out[k] = malloc((n + 1) * sizeof *out[k])) == NULL) {
			while (k-- > 0)
				free(out[k]);
			free(odd);
			free(sorted);
			return -1;
		}
		memcpy(sorted, odd, nodd * sizeof *sorted);
		update_key(msgs, o->asc[k], o->n, remap, (enum qorder_key)k, sorted, nodd, out[k]);
	}
	for (k = 0; k < QORDER_COUNT; k++) {
		free(o->asc[k]);
		o->asc[k] = out[k];
	}
	o->n = n;
	free(odd);
	free(sorted);
	return 0;
}

/* qorder_descending - the descending order of key k from its ascending order asc (n entries) into out:
 * runs of equal values in reverse, each run still in ID order; no retry time stays last */
void qorder_descending(struct qmsg *const *msgs, const uint32_t *asc, size_t n, enum qorder_key k, uint32_t *out)
{
	size_t end = n, o = 0, start, tail = n;

	if (k == QORDER_RETRY)
		while (tail > 0 && msgs[asc[tail - 1]]->next_retry == 0)
			tail--;
	end = tail;
	while (end > 0) {
		start = end - 1;
		while (start > 0 && key_cmp(k, msgs[asc[start - 1]], msgs[asc[end - 1]]) == 0)
			start--;
		memcpy(out + o, asc + start, (end - start) * sizeof *out);
		o += end - start;
		end = start;
	}
	memcpy(out + o, asc + tail, (n - tail) * sizeof *out);
}

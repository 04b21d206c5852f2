/* rows - turn the model into what the views list: the causes tree and the message table
 *
 * Recomputed whenever a new model arrives or a filter or sort changes. The
 * causes tree groups deferred recipients by cause, provider and domain; a
 * message counts once per group however many of its recipients fall in it.
 * An active search ("/" text) and the expiring filter apply to every view: the tree and the
 * domain table (its counts and its cause mix alike) count only the messages it matches, so the count on a row is
 * what an action on that row touches (actions_ui collects a row's messages
 * with the same predicate, msg_matches).
 *
 * Cost at a million messages: every view's groups are counted in one pass
 * over the messages into a hash table by string pointer (the model's strings
 * are interned; only the few groups are sorted, and equal texts at two
 * addresses merged), the search is a bit per message (tui/search), and the
 * message table is one pass over the model's order of the sort key
 * (core/queue/qorder, sorted on the build worker), so no key sorts messages.
 */
#include "tui/app.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "core/queue/qorder.h"
#include "tui/search.h"

/* str_order - strcmp, at once 0 for the same pointer (the model's strings are interned: equal texts
 * are mostly one pointer) */
static int str_order(const char *a, const char *b)
{
	return a == b ? 0 : strcmp(a, b);
}

/* rows_by_messages - sort sibling rows [from, to) of one level by messages, keeping subtrees together */
static void sort_level(struct cause_row *rows, size_t n, int level);

/* subtree_end - index after the subtree starting at i */
static size_t subtree_end(const struct cause_row *rows, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && rows[j].level > rows[i].level)
		j++;
	return j;
}

/* sort_level - stable selection of subtrees by message count, largest first */
static void sort_level(struct cause_row *rows, size_t n, int level)
{
	struct cause_row *tmp;
	size_t i, k, out = 0, *starts, nst = 0;
	int *used;

	if (n == 0)
		return;
	starts = calloc(n + 1, sizeof *starts);
	used = calloc(n + 1, sizeof *used);
	tmp = calloc(n, sizeof *tmp);
	if (!starts || !used || !tmp) {
		free(starts);
		free(used);
		free(tmp);
		return;
	}
	for (i = 0; i < n; i = subtree_end(rows, n, i))
		starts[nst++] = i;
	for (k = 0; k < nst; k++) {
		size_t best = nst, s, e;

		for (i = 0; i < nst; i++)
			if (!used[i] && (best == nst || rows[starts[i]].messages > rows[starts[best]].messages))
				best = i;
		used[best] = 1;
		s = starts[best];
		e = subtree_end(rows, n, s);
		memcpy(tmp + out, rows + s, (e - s) * sizeof *tmp);
		/* children of this subtree, sorted the same way */
		if (e - s > 1)
			sort_level(tmp + out + 1, e - s - 1, level + 1);
		out += e - s;
	}
	memcpy(rows, tmp, n * sizeof *tmp);
	free(starts);
	free(used);
	free(tmp);
}

/* app_expiring - the message waits in the queue (deferred or held) and expires within opt.expiry_warning */
int app_expiring(const struct app *a, const struct qmsg *msg)
{
	return a->opt.expiry_warning > 0 && (msg->queue == QUEUE_DEFERRED || msg->queue == QUEUE_HOLD)
		&& (long)(msg->expires_at - a->now) < a->opt.expiry_warning;
}

/* app_narrowed - the search or the expiring filter narrows every view (the chip in the status bar) */
int app_narrowed(const struct app *a)
{
	return a->search[0] != '\0' || a->fexpiring || a->fhost[0] != '\0';
}

/* text_matches - m->msgs[i] passes what narrows every view: the search text and the expiring
 * filter (any message when neither is active); the hits are current (app_rebuild_rows) */
static int text_matches(const struct app *a, size_t i)
{
	const struct qmsg *msg = a->m->msgs[i];

	if (a->fexpiring && !app_expiring(a, msg))
		return 0;
	if (a->fhost[0] && (msg->host == NULL || strcmp(msg->host, a->fhost) != 0))
		return 0;	/* :host NAME (the fleet console) */
	if (a->search[0] == '\0')
		return 1;
	if (a->hits.bits != NULL && a->hits.version == a->m->version && strcmp(a->hits.text, a->search) == 0)
		return search_hit(&a->hits, i);
	return search_msg_matches(msg, a->search);
}

/* the groups one pass over the messages counts: the causes tree's rows (levels 0-2), each domain's
 * messages per cause (GROUP_MIX), and the domain and provider totals (GROUP_DOMAIN, GROUP_PROVIDER) */
enum group_level { GROUP_CAUSE, GROUP_CAUSE_PROVIDER, GROUP_CAUSE_DOMAIN, GROUP_MIX, GROUP_DOMAIN,
		   GROUP_PROVIDER };

struct group {
	enum group_level level;
	enum cause cause;		/* the cause levels and GROUP_MIX */
	const char *provider, *domain;	/* as the level has them (part of the key) */
	const char *shown_provider;	/* GROUP_DOMAIN: the provider of its first recipient (not part of the key) */
	size_t messages, recipients;
	time_t oldest, soonest;
};

/* a hash table of groups by (level, cause, provider pointer, domain pointer): the model's strings are
 * interned, so a group is nearly always one pointer pair; equal texts at two addresses are merged after */
struct tally {
	struct group *v;
	size_t n, cap;
	uint32_t *slots;	/* index + 1, 0 = empty */
	size_t mask;
};

/* group_hash - the slot a group key starts at */
static size_t group_hash(const struct tally *t, enum group_level level, enum cause cause, const char *p,
			 const char *d)
{
	uint64_t h = ((uint64_t)(uintptr_t)p * 31 + (uint64_t)(uintptr_t)d) * 0x9e3779b97f4a7c15ull
		     + (uint64_t)level * 131 + (uint64_t)cause;

	return (size_t)((h ^ (h >> 29)) * 11400714819323198485ull >> 7) & t->mask;
}

/* tally_grow - double the slots (or make the first ones); -1 out of memory */
static int tally_grow(struct tally *t)
{
	size_t cap = t->slots ? (t->mask + 1) * 2 : 1024, i, h;
	uint32_t *slots = calloc(cap, sizeof *slots);

	if (slots == NULL)
		return -1;
	free(t->slots);
	t->slots = slots;
	t->mask = cap - 1;
	for (i = 0; i < t->n; i++) {
		const struct group *g = &t->v[i];

		for (h = group_hash(t, g->level, g->cause, g->provider, g->domain); t->slots[h]; h = (h + 1) & t->mask)
			;
		t->slots[h] = (uint32_t)(i + 1);
	}
	return 0;
}

/* tally_get - the group of a key, made when new; NULL out of memory */
static struct group *tally_get(struct tally *t, enum group_level level, enum cause cause, const char *p,
			       const char *d)
{
	size_t h;

	if ((t->n + 1) * 2 > (t->slots ? t->mask + 1 : 0) && tally_grow(t) < 0)
		return NULL;
	for (h = group_hash(t, level, cause, p, d); t->slots[h]; h = (h + 1) & t->mask) {
		struct group *g = &t->v[t->slots[h] - 1];

		if (g->level == level && g->cause == cause && g->provider == p && g->domain == d)
			return g;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		struct group *nv = realloc(t->v, nc * sizeof *nv);

		if (nv == NULL)
			return NULL;
		t->v = nv;
		t->cap = nc;
	}
	t->v[t->n] = (struct group){ .level = level, .cause = cause, .provider = p, .domain = d };
	t->slots[h] = (uint32_t)(t->n + 1);
	return &t->v[t->n++];
}

/* tally_free - release the table */
static void tally_free(struct tally *t)
{
	free(t->v);
	free(t->slots);
	*t = (struct tally){ 0 };
}

/* group_count - add a recipient of msg to g, and the message when it is new to the group */
static void group_count(struct group *g, const struct qmsg *msg, int new_msg)
{
	if (g == NULL)
		return;
	g->recipients++;
	if (!new_msg)
		return;
	g->messages++;
	if (g->oldest == 0 || msg->arrival < g->oldest)
		g->oldest = msg->arrival;
	if (msg->next_retry && (g->soonest == 0 || msg->next_retry < g->soonest))
		g->soonest = msg->next_retry;
}

/* seen_before - an earlier recipient of msg (before k) falls in the same group of that level: the
 * message already counts there (texts compared, so equal texts at two addresses count once) */
static int seen_before(const struct qmsg *msg, size_t k, enum group_level level)
{
	const struct qrcpt *r = &msg->rcpts[k];
	size_t j;

	for (j = 0; j < k; j++) {
		const struct qrcpt *e = &msg->rcpts[j];
		int caused = qrcpt_has_cause(e) && e->cause == r->cause;

		switch (level) {
		case GROUP_CAUSE:
			if (caused)
				return 1;
			break;
		case GROUP_CAUSE_PROVIDER:
			if (caused && str_order(e->provider, r->provider) == 0)
				return 1;
			break;
		case GROUP_CAUSE_DOMAIN:
			if (caused && str_order(e->provider, r->provider) == 0 && str_order(e->domain, r->domain) == 0)
				return 1;
			break;
		case GROUP_MIX:
			if (caused && str_order(e->domain, r->domain) == 0)
				return 1;
			break;
		case GROUP_DOMAIN:
			if (str_order(e->domain, r->domain) == 0)
				return 1;
			break;
		case GROUP_PROVIDER:
			if (str_order(e->provider, r->provider) == 0)
				return 1;
			break;
		}
	}
	return 0;
}

/* tally_rows - one pass over the messages every view counts (the search and the expiring filter): the
 * groups of t; domains and providers only when asked (the model's own domain counts serve otherwise);
 * the header's counts too; -1 out of memory */
static int tally_rows(struct app *a, struct tally *t, int domains, int providers)
{
	const struct qmodel *m = a->m;
	size_t i, k;

	a->nsearched = a->nexpiring = 0;
	a->cause_bits_version = 0;
	if (a->ncause_bits != m->n) {
		free(a->cause_bits);
		a->cause_bits = malloc((m->n + 1) * sizeof *a->cause_bits);
		a->ncause_bits = a->cause_bits != NULL ? m->n : 0;
	}
	for (i = 0; i < m->n; i++) {
		const struct qmsg *msg = m->msgs[i];

		if (a->cause_bits != NULL) {
			uint16_t bits = 0;

			for (k = 0; k < msg->nrcpts; k++)
				if (qrcpt_has_cause(&msg->rcpts[k]))
					bits |= (uint16_t)(1u << msg->rcpts[k].cause);
			a->cause_bits[i] = bits;
		}
		if (app_expiring(a, msg))
			a->nexpiring++;
		if (!text_matches(a, i))
			continue;
		a->nsearched++;
		for (k = 0; k < msg->nrcpts; k++) {
			const struct qrcpt *r = &msg->rcpts[k];
			struct group *g;

			if (domains) {
				if ((g = tally_get(t, GROUP_DOMAIN, 0, NULL, r->domain)) == NULL)
					return -1;
				if (g->shown_provider == NULL)
					g->shown_provider = r->provider;
				group_count(g, msg, !seen_before(msg, k, GROUP_DOMAIN));
			}
			if (providers) {
				if ((g = tally_get(t, GROUP_PROVIDER, 0, r->provider, NULL)) == NULL)
					return -1;
				group_count(g, msg, !seen_before(msg, k, GROUP_PROVIDER));
			}
			if (!qrcpt_has_cause(r))
				continue;
			if ((g = tally_get(t, GROUP_CAUSE, r->cause, NULL, NULL)) == NULL)
				return -1;
			group_count(g, msg, !seen_before(msg, k, GROUP_CAUSE));
			if ((g = tally_get(t, GROUP_CAUSE_PROVIDER, r->cause, r->provider, NULL)) == NULL)
				return -1;
			group_count(g, msg, !seen_before(msg, k, GROUP_CAUSE_PROVIDER));
			if ((g = tally_get(t, GROUP_CAUSE_DOMAIN, r->cause, r->provider, r->domain)) == NULL)
				return -1;
			group_count(g, msg, !seen_before(msg, k, GROUP_CAUSE_DOMAIN));
			if ((g = tally_get(t, GROUP_MIX, r->cause, NULL, r->domain)) == NULL)
				return -1;
			group_count(g, msg, !seen_before(msg, k, GROUP_MIX));
		}
	}
	if (a->cause_bits != NULL)
		a->cause_bits_version = m->version;
	return 0;
}

/* opt_order - strcmp of two texts that may be NULL (NULL first) */
static int opt_order(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b ? 0 : a == NULL ? -1 : 1;
	return str_order(a, b);
}

/* group_cmp - the causes tree's groups first, in the tree's order (a cause, then each provider followed
 * by its domains, by text), then the other levels by domain, provider and cause: equal texts next to
 * each other */
static int group_cmp(const void *x, const void *y)
{
	const struct group *a = x, *b = y;
	int ta = a->level <= GROUP_CAUSE_DOMAIN, tb = b->level <= GROUP_CAUSE_DOMAIN, c;

	if (ta != tb)
		return ta ? -1 : 1;
	if (ta) {
		if (a->cause != b->cause)
			return (int)a->cause - (int)b->cause;
		if ((a->level == GROUP_CAUSE) != (b->level == GROUP_CAUSE))
			return a->level == GROUP_CAUSE ? -1 : 1;
		if ((c = opt_order(a->provider, b->provider)) != 0)
			return c;
		return opt_order(a->domain, b->domain);
	}
	if (a->level != b->level)
		return (int)a->level - (int)b->level;
	if ((c = opt_order(a->domain, b->domain)) != 0)
		return c;
	if (a->level == GROUP_PROVIDER && (c = opt_order(a->provider, b->provider)) != 0)
		return c;
	return (int)a->cause - (int)b->cause;
}

/* group_merge - add g to into (the same group under texts at two addresses) */
static void group_merge(struct group *into, const struct group *g)
{
	into->messages += g->messages;
	into->recipients += g->recipients;
	if (g->oldest && (into->oldest == 0 || g->oldest < into->oldest))
		into->oldest = g->oldest;
	if (g->soonest && (into->soonest == 0 || g->soonest < into->soonest))
		into->soonest = g->soonest;
}

/* tally_sorted - the groups in group_cmp order, equal ones merged (t->n is updated) */
static void tally_sorted(struct tally *t)
{
	size_t i, n = 0;

	if (t->n > 1)
		qsort(t->v, t->n, sizeof *t->v, group_cmp);
	for (i = 0; i < t->n; i++) {
		if (n > 0 && group_cmp(&t->v[n - 1], &t->v[i]) == 0)
			group_merge(&t->v[n - 1], &t->v[i]);
		else
			t->v[n++] = t->v[i];
	}
	t->n = n;
	free(t->slots);	/* the positions moved: no more look-ups */
	t->slots = NULL;
}

/* build_causes - the cause -> provider -> domain tree of the sorted tally's tree groups */
static void build_causes(struct app *a, const struct tally *t)
{
	size_t i, nrows = 0;
	struct cause_row *rows = calloc(t->n + 1, sizeof *rows);

	if (rows == NULL)
		return;
	for (i = 0; i < t->n && t->v[i].level <= GROUP_CAUSE_DOMAIN; i++) {
		const struct group *g = &t->v[i];

		rows[nrows++] = (struct cause_row){ .level = (int)g->level, .cause = g->cause,
						    .provider = g->level >= GROUP_CAUSE_PROVIDER ? g->provider : NULL,
						    .domain = g->level == GROUP_CAUSE_DOMAIN ? g->domain : NULL,
						    .messages = g->messages, .recipients = g->recipients,
						    .oldest = g->oldest, .soonest = g->soonest };
	}
	sort_level(rows, nrows, 0);
	/* the last hour of each cause, from the history */
	for (i = 0; i < nrows; i++)
		if (rows[i].level == 0)
			trends_get(&a->cause_trends, a->store, time(NULL), cause_name(rows[i].cause), rows[i].trend);
	free(a->crows);
	a->crows = rows;
	a->ncrows = nrows;
}

/* in_group - a recipient of the message is in the group (kind, cause, name); FILTER_NONE: any message */
static int in_group(const struct qmsg *msg, enum filter_kind kind, enum cause cause, const char *name)
{
	size_t k;

	if (kind == FILTER_NONE)
		return 1;
	for (k = 0; k < msg->nrcpts; k++) {
		const struct qrcpt *r = &msg->rcpts[k];

		switch (kind) {
		case FILTER_CAUSE:
			if (qrcpt_has_cause(r) && r->cause == cause)
				return 1;
			break;
		case FILTER_PROVIDER:
			if (strcmp(r->provider, name) == 0 && (cause == CAUSE_COUNT || (qrcpt_has_cause(r) && r->cause == cause)))
				return 1;
			break;
		case FILTER_DOMAIN:
			if (strcmp(r->domain, name) == 0 && (cause == CAUSE_COUNT || (qrcpt_has_cause(r) && r->cause == cause)))
				return 1;
			break;
		default:
			break;
		}
	}
	return 0;
}


_Static_assert(CAUSE_COUNT <= 16, "a cause is a bit of cause_bits");

/* msg_matches - m->msgs[i] passes the group filter and the search text (a group of one cause: the
 * message's cause bits answer without reading its recipients) */
static int msg_matches(const struct app *a, size_t i)
{
	if (!text_matches(a, i))
		return 0;
	if (a->fkind == FILTER_NONE)
		return 1;
	if (a->cause_bits != NULL && a->cause_bits_version == a->m->version && (unsigned)a->fcause < CAUSE_COUNT) {
		if (!(a->cause_bits[i] >> a->fcause & 1))
			return 0;
		if (a->fkind == FILTER_CAUSE)
			return 1;
	}
	return in_group(a->m->msgs[i], a->fkind, a->fcause, a->fname);
}

/* app_group_ids - the IDs of the messages of a group that the search matches: what a row counts */
void app_group_ids(const struct app *a, enum filter_kind kind, enum cause cause, const char *name,
		   struct strlist *ids)
{
	size_t i;

	for (i = 0; a->m != NULL && i < a->m->n; i++)
		if (text_matches(a, i) && in_group(a->m->msgs[i], kind, cause, name))
			strlist_add(ids, a->m->msgs[i]->id);
}

_Static_assert((int)SORT_RETRY == (int)QORDER_RETRY && (int)SORT_AGE == (int)QORDER_AGE
	       && (int)SORT_DOMAIN == (int)QORDER_DOMAIN && (int)SORT_CAUSE == (int)QORDER_CAUSE
	       && (int)SORT_ATTEMPTS == (int)QORDER_ATTEMPTS && (int)SORT_SIZE == (int)QORDER_SIZE
	       && (int)SORT_COUNT == (int)QORDER_COUNT, "the sort keys are the model's order keys");

/* the sort keys: ascending is always smallest value first, descending largest first */
const struct sort_key_info sort_keys[SORT_COUNT] = {
	[SORT_RETRY] = { "retry", "next retry", "soonest first", "latest first", 0 },
	[SORT_AGE] = { "age", "age", "youngest first", "oldest first", 1 },
	[SORT_DOMAIN] = { "domain", "domain", "a to z", "z to a", 0 },
	[SORT_CAUSE] = { "cause", "cause", "in cause order", "in reverse cause order", 0 },
	[SORT_ATTEMPTS] = { "attempts", "attempts", "fewest first", "most first", 1 },
	[SORT_SIZE] = { "size", "size", "smallest first", "largest first", 1 },
};


/* sort_order - every message's position in the order of the sort key: the model's order (made on the
 * build worker), or for a partial model one made here; a descending one is derived once per model
 * version; NULL out of memory */
static const uint32_t *sort_order(struct app *a)
{
	const struct qmodel *m = a->m;
	enum qorder_key k = (enum qorder_key)a->sort;
	const uint32_t *asc;

	if (m->order != NULL && m->order->n == m->n) {
		asc = m->order->asc[k];
	} else {
		if (a->own_order == NULL || a->own_order_version != m->version || a->own_order_key != a->sort) {
			free(a->own_order);
			a->own_order_version = 0;
			if ((a->own_order = malloc((m->n + 1) * sizeof *a->own_order)) == NULL)
				return NULL;
			if (qorder_build_key(m->msgs, m->n, k, a->own_order) < 0) {
				free(a->own_order);
				a->own_order = NULL;
				return NULL;
			}
			a->own_order_version = m->version;
			a->own_order_key = a->sort;
		}
		asc = a->own_order;
	}
	if (!a->sort_desc)
		return asc;
	if (a->desc_order == NULL || a->desc_version != m->version || a->desc_key != a->sort) {
		free(a->desc_order);
		a->desc_version = 0;
		if ((a->desc_order = malloc((m->n + 1) * sizeof *a->desc_order)) == NULL)
			return NULL;
		qorder_descending(m->msgs, asc, m->n, k, a->desc_order);
		a->desc_version = m->version;
		a->desc_key = a->sort;
	}
	return a->desc_order;
}

/* build_messages - the filtered, sorted message table (a pass over the sort order); keeps the cursor
 * on the same message */
static void build_messages(struct app *a)
{
	const struct qmodel *m = a->m;
	const uint32_t *order = sort_order(a);
	const struct qmsg *sel = a->sel_id[0] ? qmodel_find(m, a->sel_id) : NULL;
	struct qmsg **rows;
	size_t i, n = 0;

	if (order == NULL || (rows = malloc((m->n + 1) * sizeof *rows)) == NULL)
		return;
	if (a->fkind == FILTER_NONE && !app_narrowed(a)) {
		for (i = 0; i < m->n; i++)
			rows[i] = m->msgs[order[i]];
		n = m->n;
	} else {
		for (i = 0; i < m->n; i++)
			if (msg_matches(a, order[i]))
				rows[n++] = m->msgs[order[i]];
	}
	free(a->mrows);
	a->mrows = rows;
	a->nmrows = n;
	a->mrows_stale = 0;
	/* a partial model has no ID index: its rows are compared by ID */
	for (i = 0; a->sel_id[0] && (sel != NULL || m->index == NULL) && i < n; i++)
		if (sel != NULL ? rows[i] == sel : strcmp(rows[i]->id, a->sel_id) == 0) {
			a->mpos.sel = i;
			break;
		}
}

/* app_rebuild_messages - only the message table (its group filter or sort changed) */
void app_rebuild_messages(struct app *a)
{
	if (a->m != NULL)
		build_messages(a);
}

/* app_messages_current - build the message table if it was left for later (the view shows it now) */
void app_messages_current(struct app *a)
{
	if (a->mrows_stale)
		app_rebuild_messages(a);
}


/* qcount_cmp - most messages first, then by name */
static int qcount_cmp(const void *x, const void *y)
{
	const struct qcount *a = x, *b = y;

	if (a->messages != b->messages)
		return a->messages > b->messages ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* qcount_of - a row of the domains view from a group */
static struct qcount qcount_of(const struct group *g, const char *name)
{
	return (struct qcount){ .name = name, .provider = g->shown_provider,
				.messages = g->messages, .recipients = g->recipients,
				.oldest_arrival = g->oldest, .soonest_retry = g->soonest };
}

/* level_range - the first group of a level in the sorted tally and how many follow it */
static size_t level_range(const struct tally *t, enum group_level level, size_t *count)
{
	size_t i = 0, j;

	while (i < t->n && t->v[i].level != level)
		i++;
	for (j = i; j < t->n && t->v[j].level == level; j++)
		;
	*count = j - i;
	return i;
}

/* build_providers - provider totals over the messages every view counts (a message once per
 * provider; recipients, oldest arrival, soonest retry), most messages first; -1 out of memory */
static int build_providers(struct app *a, const struct tally *t)
{
	size_t n, first = level_range(t, GROUP_PROVIDER, &n), i;
	struct qcount *rows = calloc(n + 1, sizeof *rows);

	if (rows == NULL)
		return -1;
	for (i = 0; i < n; i++)
		rows[i] = qcount_of(&t->v[first + i], t->v[first + i].provider);
	if (n > 1)
		qsort(rows, n, sizeof *rows, qcount_cmp);
	a->prows = rows;
	a->nprows = n;
	return 0;
}

/* build_domain_mix - each domain row's messages per cause (its CAUSES mix) over the messages the
 * search and the expiring filter match, as the row's own counts are: a message once per domain and
 * cause, counted by the recipients that have a cause (as the model counts m->causes[].sub) */
static void build_domain_mix(struct app *a, const struct tally *t)
{
	size_t n, first = level_range(t, GROUP_MIX, &n), i;

	free(a->dmix);
	if ((a->dmix = calloc(a->ndrows + 1, sizeof *a->dmix)) == NULL)
		return;
	for (i = 0; i < a->ndrows; i++) {
		const char *name = a->drows[i].name;
		size_t lo = 0, hi = n, j;

		/* the first mix group of this domain (they are in domain order, then cause) */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(t->v[first + mid].domain, name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (j = first + lo; j < first + n && str_order(t->v[j].domain, name) == 0; j++)
			a->dmix[i][t->v[j].cause] += t->v[j].messages;
	}
}

/* build_domain_list - what the domains view lists: the domains, or (dgroup) each provider's total
 * followed by its domains */
static void build_domain_list(struct app *a, const struct tally *t)
{
	size_t i, k, n = 0;

	free(a->prows);
	free(a->dlist);
	a->prows = NULL;
	a->dlist = NULL;
	a->nprows = a->ndlist = 0;
	if (a->dgroup && build_providers(a, t) < 0)
		return;
	if ((a->dlist = calloc(a->nprows + a->ndrows + 1, sizeof *a->dlist)) == NULL)
		return;
	if (!a->dgroup) {
		for (i = 0; i < a->ndrows; i++)
			a->dlist[n++] = (struct domain_row){ 0, &a->drows[i], 0, a->dmix ? a->dmix[i] : NULL };
		a->ndlist = n;
		return;
	}
	for (k = 0; k < a->nprows; k++) {
		struct domain_row *prow = &a->dlist[n++];

		*prow = (struct domain_row){ 1, &a->prows[k], 0, NULL };
		for (i = 0; i < a->ndrows; i++) {
			const char *p = a->drows[i].provider ? a->drows[i].provider : "other";

			if (strcmp(p, a->prows[k].name) == 0 && n < a->nprows + a->ndrows) {
				a->dlist[n++] = (struct domain_row){ 0, &a->drows[i], 0, a->dmix ? a->dmix[i] : NULL };
				prow->ndomains++;
			}
		}
	}
	a->ndlist = n;
}


/* build_domains - the domain table: the model's, or recounted over the messages the search matches
 * (a message counts once per domain, as in the model) */
static void build_domains(struct app *a, const struct tally *t)
{
	const struct qmodel *m = a->m;
	size_t n, first = level_range(t, GROUP_DOMAIN, &n), i;
	struct qcount *rows;

	if (a->drows_owned)
		free(a->drows);
	a->drows = m->domains;
	a->ndrows = m->ndomains;
	a->drows_owned = 0;
	if (!app_narrowed(a))
		return;
	if ((rows = calloc(n + 1, sizeof *rows)) == NULL) {
		/* out of memory: an empty table rather than counts that disagree with the actions */
		a->drows = NULL;
		a->ndrows = 0;
		return;
	}
	for (i = 0; i < n; i++)
		rows[i] = qcount_of(&t->v[first + i], t->v[first + i].domain);
	if (n > 1)
		qsort(rows, n, sizeof *rows, qcount_cmp);
	a->drows = rows;
	a->ndrows = n;
	a->drows_owned = 1;
}

/* app_rebuild_rows - recompute the causes tree, the domain table and the message table from the model:
 * one pass over the messages counts every view's groups */
void app_rebuild_rows(struct app *a)
{
	struct tally t = { 0 };

	if (a->m == NULL)
		return;
	if (a->search[0] != '\0' && search_hits_update(&a->hits, a->m, a->search) < 0)
		search_hits_free(&a->hits);	/* out of memory: each message's texts are read instead */
	if (tally_rows(a, &t, app_narrowed(a), a->dgroup) < 0)
		tally_free(&t);	/* out of memory: empty rows rather than counts that disagree with the actions */
	tally_sorted(&t);
	build_causes(a, &t);
	build_domains(a, &t);
	build_domain_mix(a, &t);
	build_domain_list(a, &t);
	tally_free(&t);
	if (a->view == VIEW_MESSAGES || !a->m->reading) {
		build_messages(a);	/* ready for Tab */
	} else {
		/* a partial model every few seconds: its table is made only if the messages view shows */
		free(a->mrows);
		a->mrows = NULL;
		a->nmrows = 0;
		a->mrows_stale = 1;
	}
}

/* app_free_rows - release what app_rebuild_rows made */
void app_free_rows(struct app *a)
{
	free(a->crows);
	free(a->mrows);
	free(a->own_order);
	a->own_order = NULL;
	a->own_order_version = 0;
	free(a->desc_order);
	a->desc_order = NULL;
	a->desc_version = 0;
	search_hits_free(&a->hits);
	free(a->cause_bits);
	a->cause_bits = NULL;
	a->ncause_bits = 0;
	a->cause_bits_version = 0;
	free(a->prows);
	free(a->dlist);
	free(a->dmix);
	a->prows = NULL;
	a->dlist = NULL;
	a->dmix = NULL;
	a->nprows = a->ndlist = 0;
	if (a->drows_owned)
		free(a->drows);
	a->crows = NULL;
	a->mrows = NULL;
	a->drows = NULL;
	a->ncrows = a->nmrows = a->ndrows = 0;
	a->drows_owned = 0;
}

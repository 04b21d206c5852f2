/* rows - turn the model into what the views list: the causes tree and the message table
 *
 * Recomputed whenever a new model arrives or a filter or sort changes. The
 * causes tree groups deferred recipients by cause, provider and domain; a
 * message counts once per group however many of its recipients fall in it.
 * An active search ("/" text) and the expiring filter apply to every view: the tree and the
 * domain table (its counts and its cause mix alike) count only the messages it matches, so the count on a row is
 * what an action on that row touches (actions_ui collects a row's messages
 * with the same predicate, msg_matches).
 */
#include "tui/app.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "core/base/idset.h"

struct leaf {
	enum cause cause;
	const char *provider, *domain;
	const struct qmsg *msg;
};

/* str_order - strcmp, at once 0 for the same pointer (the model's strings are interned: equal texts
 * are mostly one pointer) */
static int str_order(const char *a, const char *b)
{
	return a == b ? 0 : strcmp(a, b);
}

/* leaf_cmp - order by cause, provider, domain, message */
static int leaf_cmp(const void *x, const void *y)
{
	const struct leaf *a = x, *b = y;
	int c;

	if (a->cause != b->cause)
		return (int)a->cause - (int)b->cause;
	if ((c = str_order(a->provider, b->provider)) != 0)
		return c;
	if ((c = str_order(a->domain, b->domain)) != 0)
		return c;
	return a->msg < b->msg ? -1 : a->msg > b->msg;
}

/* row_count - add a message to a row */
static void row_count(struct cause_row *r, const struct qmsg *msg, int new_msg)
{
	r->recipients++;
	if (!new_msg)
		return;
	r->messages++;
	if (r->oldest == 0 || msg->arrival < r->oldest)
		r->oldest = msg->arrival;
	if (msg->next_retry && (r->soonest == 0 || msg->next_retry < r->soonest))
		r->soonest = msg->next_retry;
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

/* a memo of strcasestr per string pointer: the model's strings are interned, so a search over 1,000,000
 * messages reads each distinct sender, address and reply once */
struct memo {
	const char **keys;
	unsigned char *found;
	size_t mask, n;
};

/* memo_grow - double the memo (or make its first table); -1 out of memory */
static int memo_grow(struct memo *mm)
{
	size_t cap = mm->keys ? (mm->mask + 1) * 2 : 4096, i, h;
	const char **keys = calloc(cap, sizeof *keys);
	unsigned char *found = calloc(cap, 1);

	if (keys == NULL || found == NULL) {
		free(keys);
		free(found);
		return -1;
	}
	for (i = 0; mm->keys != NULL && i <= mm->mask; i++) {
		if (mm->keys[i] == NULL)
			continue;
		for (h = ((uintptr_t)mm->keys[i] >> 3) * 11400714819323198485ull & (cap - 1); keys[h];
		     h = (h + 1) & (cap - 1))
			;
		keys[h] = mm->keys[i];
		found[h] = mm->found[i];
	}
	free(mm->keys);
	free(mm->found);
	mm->keys = keys;
	mm->found = found;
	mm->mask = cap - 1;
	return 0;
}

/* has_text - strcasestr(s, needle) != NULL, remembered per pointer in mm (NULL: no memo) */
static int has_text(struct memo *mm, const char *s, const char *needle)
{
	size_t h;
	int found;

	if (mm == NULL || ((mm->n + 1) * 2 > (mm->keys ? mm->mask + 1 : 0) && memo_grow(mm) < 0))
		return strcasestr(s, needle) != NULL;
	for (h = ((uintptr_t)s >> 3) * 11400714819323198485ull & mm->mask; mm->keys[h]; h = (h + 1) & mm->mask)
		if (mm->keys[h] == s)
			return mm->found[h];
	found = strcasestr(s, needle) != NULL;
	mm->keys[h] = s;
	mm->found[h] = (unsigned char)found;
	mm->n++;
	return found;
}

/* search_matches - the search text is in the message's ID, sender, a recipient, its reply or cause */
static int search_matches(const struct app *a, const struct qmsg *msg, struct memo *mm)
{
	size_t k;

	if (strcasestr(msg->id, a->search) || has_text(mm, msg->sender, a->search))
		return 1;
	for (k = 0; k < msg->nrcpts; k++) {
		const struct qrcpt *r = &msg->rcpts[k];

		if (has_text(mm, r->address, a->search) || has_text(mm, r->reason, a->search)
		    || has_text(mm, cause_name(r->cause), a->search))
			return 1;
	}
	return 0;
}

/* hit_slot - the slot of msg in the hits table (its own, or the empty one) */
static size_t hit_slot(const struct app *a, const struct qmsg *msg)
{
	size_t h;

	for (h = ((uintptr_t)msg >> 4) * 11400714819323198485ull & a->hits_mask;
	     a->hits[h] != 0 && (a->hits[h] & ~(uintptr_t)1) != (uintptr_t)msg; h = (h + 1) & a->hits_mask)
		;
	return h;
}

/* build_hits - which messages the search matches, once per model version and search text: every view's
 * rows are built from it, so one search reads the messages' texts once, not once per view */
static void build_hits(struct app *a)
{
	const struct qmodel *m = a->m;
	struct memo mm = { 0 };
	size_t cap = 16, i;

	if (a->search[0] == '\0'
	    || (a->hits != NULL && a->hits_version == m->version && strcmp(a->hits_search, a->search) == 0))
		return;
	while (cap < m->n * 2)
		cap *= 2;
	free(a->hits);
	a->hits_version = 0;
	if ((a->hits = calloc(cap, sizeof *a->hits)) == NULL)
		return;
	a->hits_mask = cap - 1;
	for (i = 0; i < m->n; i++)
		a->hits[hit_slot(a, m->msgs[i])] = (uintptr_t)m->msgs[i] | (search_matches(a, m->msgs[i], &mm) ? 1 : 0);
	free(mm.keys);
	free(mm.found);
	a->hits_version = m->version;
	snprintf(a->hits_search, sizeof a->hits_search, "%s", a->search);
}

/* text_matches - the message passes what narrows every view: the search text and the expiring
 * filter (any message when neither is active) */
static int text_matches(const struct app *a, const struct qmsg *msg)
{
	if (a->fexpiring && !app_expiring(a, msg))
		return 0;
	if (a->fhost[0] && (msg->host == NULL || strcmp(msg->host, a->fhost) != 0))
		return 0;	/* :host NAME (the fleet console) */
	if (a->search[0] == '\0')
		return 1;
	if (a->hits != NULL && a->hits_version == a->m->version && strcmp(a->hits_search, a->search) == 0) {
		uintptr_t v = a->hits[hit_slot(a, msg)];

		if (v != 0)
			return (int)(v & 1);
	}
	return search_matches(a, msg, NULL);
}

/* build_causes - the cause -> provider -> domain tree of the messages the search matches */
static void build_causes(struct app *a)
{
	const struct qmodel *m = a->m;
	struct leaf *leaves = NULL;
	size_t nl = 0, cap = 0, i, k, nrows = 0;
	struct cause_row *rows;
	struct idset pset = { 0 }, cset = { 0 };

	a->nsearched = a->nexpiring = 0;
	for (i = 0; i < m->n; i++) {
		if (app_expiring(a, m->msgs[i]))
			a->nexpiring++;
		if (!text_matches(a, m->msgs[i]))
			continue;
		a->nsearched++;
		for (k = 0; k < m->msgs[i]->nrcpts; k++) {
			const struct qrcpt *r = &m->msgs[i]->rcpts[k];

			if (!qrcpt_has_cause(r))
				continue;
			if (nl == cap) {
				size_t nc = cap ? cap * 2 : 1024;
				struct leaf *nlv = realloc(leaves, nc * sizeof *nlv);

				if (nlv == NULL)
					goto out;
				leaves = nlv;
				cap = nc;
			}
			leaves[nl++] = (struct leaf){ r->cause, r->provider, r->domain, m->msgs[i] };
		}
	}
	if (nl > 1)
		qsort(leaves, nl, sizeof *leaves, leaf_cmp);
	rows = calloc(nl * 3 + 1, sizeof *rows);
	if (rows == NULL)
		goto out;
	for (i = 0; i < nl; i++) {
		const struct leaf *l = &leaves[i], *p = i ? &leaves[i - 1] : NULL;
		int new_cause = p == NULL || p->cause != l->cause;
		int new_prov = new_cause || str_order(p->provider, l->provider) != 0;
		int new_dom = new_prov || str_order(p->domain, l->domain) != 0;
		struct cause_row *cr, *pr, *dr;
		size_t j;

		if (new_cause) {
			rows[nrows++] = (struct cause_row){ .level = 0, .cause = l->cause };
			idset_free(&cset);
		}
		if (new_prov) {
			rows[nrows++] = (struct cause_row){ .level = 1, .cause = l->cause, .provider = l->provider };
			idset_free(&pset);
		}
		if (new_dom)
			rows[nrows++] = (struct cause_row){ .level = 2, .cause = l->cause, .provider = l->provider,
							    .domain = l->domain };
		/* walk back to this leaf's cause and provider rows */
		dr = &rows[nrows - 1];
		for (j = nrows; j-- > 0 && rows[j].level != 1; )
			;
		pr = &rows[j];
		for (; j-- > 0 && rows[j].level != 0; )
			;
		cr = &rows[j];
		row_count(dr, l->msg, p == NULL || new_dom || p->msg != l->msg);
		row_count(pr, l->msg, idset_add(&pset, (uint64_t)(uintptr_t)l->msg | 1) == 1);
		row_count(cr, l->msg, idset_add(&cset, (uint64_t)(uintptr_t)l->msg | 1) == 1);
	}
	sort_level(rows, nrows, 0);
	/* the last hour of each cause, from the history */
	for (i = 0; i < nrows; i++)
		if (rows[i].level == 0)
			trends_get(&a->cause_trends, a->store, time(NULL), cause_name(rows[i].cause), rows[i].trend);
	free(a->crows);
	a->crows = rows;
	a->ncrows = nrows;
out:
	idset_free(&pset);
	idset_free(&cset);
	free(leaves);
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

/* msg_matches - the message passes the group filter and the search text */
static int msg_matches(const struct app *a, const struct qmsg *msg)
{
	return text_matches(a, msg) && in_group(msg, a->fkind, a->fcause, a->fname);
}

/* app_group_ids - the IDs of the messages of a group that the search matches: what a row counts */
void app_group_ids(const struct app *a, enum filter_kind kind, enum cause cause, const char *name,
		   struct strlist *ids)
{
	size_t i;

	for (i = 0; a->m != NULL && i < a->m->n; i++)
		if (text_matches(a, a->m->msgs[i]) && in_group(a->m->msgs[i], kind, cause, name))
			strlist_add(ids, a->m->msgs[i]->id);
}

/* the sort keys: ascending is always smallest value first, descending largest first */
const struct sort_key_info sort_keys[SORT_COUNT] = {
	[SORT_RETRY] = { "retry", "next retry", "soonest first", "latest first", 0 },
	[SORT_AGE] = { "age", "age", "youngest first", "oldest first", 1 },
	[SORT_DOMAIN] = { "domain", "domain", "a to z", "z to a", 0 },
	[SORT_CAUSE] = { "cause", "cause", "in cause order", "in reverse cause order", 0 },
	[SORT_ATTEMPTS] = { "attempts", "attempts", "fewest first", "most first", 1 },
	[SORT_SIZE] = { "size", "size", "smallest first", "largest first", 1 },
};

/* id_cmp - queue IDs in strcmp order (the tie-break of every sort key) */
static int id_cmp(const void *x, const void *y)
{
	return strcmp((*(const struct qmsg *const *)x)->id, (*(const struct qmsg *const *)y)->id);
}

struct skey {
	long long k;		/* the key's value, negated for descending; LLONG_MAX sorts last either way */
	size_t tie;		/* position in ID order */
};

/* skey_cmp - by value, then ID order */
static int skey_cmp(const void *x, const void *y)
{
	const struct skey *a = x, *b = y;

	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	return a->tie < b->tie ? -1 : a->tie > b->tie;
}

/* str_cmp - strcmp of two string pointers */
static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* msg_domain - the domain a message sorts by: its first recipient's */
static const char *msg_domain(const struct qmsg *msg)
{
	return msg->nrcpts ? msg->rcpts[0].domain : "";
}

/* slot_of - the slot of pointer d in an open-addressing table of pointers (its own, or the empty one) */
static size_t slot_of(const char *const *slots, size_t mask, const char *d)
{
	size_t h;

	for (h = ((uintptr_t)d >> 3) * 11400714819323198485ull & mask; slots[h] && slots[h] != d; h = (h + 1) & mask)
		;
	return h;
}

/* domain_ranks - the rank of each message's domain in strcmp order into k (the pool gives one pointer per
 * domain, so the few distinct ones are sorted, not every message); -1 out of memory */
static int domain_ranks(struct qmsg *const *msgs, size_t n, struct skey *keys)
{
	size_t cap = 64, nd = 0, i, h, mask;
	const char **slots, **names;
	long long *rank;

	while (cap < n * 2 + 2)
		cap *= 2;
	cap = cap > 65536 ? 65536 : cap;	/* distinct domains: far fewer than messages */
	for (;;) {
		mask = cap - 1;
		if ((slots = calloc(cap, sizeof *slots)) == NULL)
			return -1;
		nd = 0;
		for (i = 0; i < n && nd * 2 < cap; i++) {
			const char *d = msg_domain(msgs[i]);

			h = slot_of(slots, mask, d);
			if (slots[h] == NULL) {
				slots[h] = d;
				nd++;
			}
		}
		if (i == n)
			break;
		free(slots);
		cap *= 2;
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
		/* equal texts at other addresses ("" of a message without recipients) share a rank */
		long long r = (long long)i;

		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			r = rank[slot_of(slots, mask, names[i - 1])];
		rank[slot_of(slots, mask, names[i])] = r;
	}
	for (i = 0; i < n; i++)
		keys[i].k = rank[slot_of(slots, mask, msg_domain(msgs[i]))];
	free(slots);
	free(names);
	free(rank);
	return 0;
}

/* sort_all - every message of the model in the order of the sort key (ties in ID order) into
 * a->sorted: integer keys sorted once per model and key, so filtering is a pass over them; -1 out of memory */
static int sort_all(struct app *a)
{
	const struct qmodel *m = a->m;
	struct qmsg **by_id = malloc((m->n + 1) * sizeof *by_id), **out = NULL;
	struct skey *keys = malloc((m->n + 1) * sizeof *keys);
	size_t i;

	if (by_id == NULL || keys == NULL)
		goto fail;
	if (a->by_id != NULL && a->by_id_version == m->version) {
		memcpy(by_id, a->by_id, m->n * sizeof *by_id);	/* the ID order of this model is known */
	} else {
		memcpy(by_id, m->msgs, m->n * sizeof *by_id);
		qsort(by_id, m->n, sizeof *by_id, id_cmp);
		free(a->by_id);
		a->by_id = malloc((m->n + 1) * sizeof *a->by_id);
		if (a->by_id != NULL)
			memcpy(a->by_id, by_id, m->n * sizeof *by_id);
		a->by_id_version = a->by_id != NULL ? m->version : 0;
	}
	if (a->sort == SORT_DOMAIN && domain_ranks(by_id, m->n, keys) < 0)
		goto fail;
	for (i = 0; i < m->n; i++) {
		const struct qmsg *msg = by_id[i];
		long long k = 0;

		switch (a->sort) {
		case SORT_RETRY:
			k = msg->next_retry;
			break;
		case SORT_AGE:
			k = -(long long)msg->arrival;	/* the earlier arrival is the larger age */
			break;
		case SORT_DOMAIN:
			k = keys[i].k;
			break;
		case SORT_CAUSE:
			k = msg->cause;
			break;
		case SORT_ATTEMPTS:
			k = msg->attempts;
			break;
		case SORT_SIZE:
			k = msg->size;
			break;
		default:
			break;
		}
		if (a->sort_desc)
			k = -k;
		if (a->sort == SORT_RETRY && msg->next_retry == 0)
			k = LLONG_MAX;	/* no retry time (held, active, unknown) sorts last either way */
		keys[i] = (struct skey){ k, i };
	}
	qsort(keys, m->n, sizeof *keys, skey_cmp);
	if ((out = malloc((m->n + 1) * sizeof *out)) == NULL)
		goto fail;
	for (i = 0; i < m->n; i++)
		out[i] = by_id[keys[i].tie];
	free(by_id);
	free(keys);
	free(a->sorted);
	a->sorted = out;
	a->sorted_version = m->version;
	a->sorted_key = a->sort;
	a->sorted_desc = a->sort_desc;
	return 0;
fail:
	free(by_id);
	free(keys);
	return -1;
}

/* build_messages - the filtered, sorted message table (a pass over the sorted cache); keeps the cursor
 * on the same message */
static void build_messages(struct app *a)
{
	const struct qmodel *m = a->m;
	struct qmsg **rows;
	size_t i, n = 0;

	if ((a->sorted == NULL || a->sorted_version != m->version || a->sorted_key != a->sort
	     || a->sorted_desc != a->sort_desc) && sort_all(a) < 0)
		return;
	if ((rows = calloc(m->n + 1, sizeof *rows)) == NULL)
		return;
	for (i = 0; i < m->n; i++)
		if (msg_matches(a, a->sorted[i]))
			rows[n++] = a->sorted[i];
	free(a->mrows);
	a->mrows = rows;
	a->nmrows = n;
	a->mrows_stale = 0;
	if (a->sel_id[0])
		for (i = 0; i < n; i++)
			if (strcmp(rows[i]->id, a->sel_id) == 0) {
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

struct dleaf {
	const char *domain, *provider;
	const struct qmsg *msg;
};

/* dleaf_cmp - order by domain, message */
static int dleaf_cmp(const void *x, const void *y)
{
	const struct dleaf *a = x, *b = y;
	int c = str_order(a->domain, b->domain);

	return c ? c : a->msg < b->msg ? -1 : a->msg > b->msg;
}

/* qcount_cmp - most messages first, then by name */
static int qcount_cmp(const void *x, const void *y)
{
	const struct qcount *a = x, *b = y;

	if (a->messages != b->messages)
		return a->messages > b->messages ? -1 : 1;
	return strcmp(a->name, b->name);
}

struct pleaf {
	const char *provider;
	const struct qmsg *msg;
};

/* pleaf_cmp - order by provider, message */
static int pleaf_cmp(const void *x, const void *y)
{
	const struct pleaf *a = x, *b = y;
	int c = str_order(a->provider, b->provider);

	return c ? c : a->msg < b->msg ? -1 : a->msg > b->msg;
}

/* qcount_add_message - count a message once in a row: messages, oldest arrival, soonest retry */
static void qcount_add_message(struct qcount *q, const struct qmsg *msg)
{
	q->messages++;
	if (q->oldest_arrival == 0 || msg->arrival < q->oldest_arrival)
		q->oldest_arrival = msg->arrival;
	if (msg->next_retry && (q->soonest_retry == 0 || msg->next_retry < q->soonest_retry))
		q->soonest_retry = msg->next_retry;
}

/* build_providers - provider totals over the messages every view counts (a message once per
 * provider; recipients, oldest arrival, soonest retry), most messages first; -1 out of memory */
static int build_providers(struct app *a)
{
	const struct qmodel *m = a->m;
	struct pleaf *leaves = NULL;
	struct qcount *rows;
	size_t nl = 0, cap = 0, i, k, n = 0;

	for (i = 0; i < m->n; i++) {
		if (!text_matches(a, m->msgs[i]))
			continue;
		for (k = 0; k < m->msgs[i]->nrcpts; k++) {
			if (nl == cap) {
				size_t nc = cap ? cap * 2 : 256;
				struct pleaf *nv = realloc(leaves, nc * sizeof *nv);

				if (nv == NULL) {
					free(leaves);
					return -1;
				}
				leaves = nv;
				cap = nc;
			}
			leaves[nl++] = (struct pleaf){ m->msgs[i]->rcpts[k].provider, m->msgs[i] };
		}
	}
	if (nl > 1)
		qsort(leaves, nl, sizeof *leaves, pleaf_cmp);
	if ((rows = calloc(nl + 1, sizeof *rows)) == NULL) {
		free(leaves);
		return -1;
	}
	for (i = 0; i < nl; i++) {
		const struct pleaf *l = &leaves[i];
		struct qcount *q;

		if (i == 0 || strcmp(leaves[i - 1].provider, l->provider) != 0)
			rows[n++] = (struct qcount){ .name = l->provider };
		q = &rows[n - 1];
		q->recipients++;
		if (i > 0 && leaves[i - 1].msg == l->msg && strcmp(leaves[i - 1].provider, l->provider) == 0)
			continue;
		qcount_add_message(q, l->msg);
	}
	if (n > 1)
		qsort(rows, n, sizeof *rows, qcount_cmp);
	free(leaves);
	a->prows = rows;
	a->nprows = n;
	return 0;
}

struct mixleaf {
	const char *domain;
	const struct qmsg *msg;
	enum cause cause;
};

/* mixleaf_cmp - order by domain, message, cause */
static int mixleaf_cmp(const void *x, const void *y)
{
	const struct mixleaf *a = x, *b = y;
	int c = str_order(a->domain, b->domain);

	if (c != 0)
		return c;
	if (a->msg != b->msg)
		return a->msg < b->msg ? -1 : 1;
	return (int)a->cause - (int)b->cause;
}

struct mixgroup {
	const char *domain;
	size_t counts[CAUSE_COUNT];
};

/* mixgroup_cmp - bsearch a domain name among the groups (ordered by name) */
static int mixgroup_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct mixgroup *)elem)->domain);
}

/* build_domain_mix - each domain row's messages per cause (its CAUSES mix) over the messages the
 * search and the expiring filter match, as the row's own counts are: a message once per domain and
 * cause, counted by the recipients that have a cause (as the model counts m->causes[].sub) */
static void build_domain_mix(struct app *a)
{
	const struct qmodel *m = a->m;
	struct mixleaf *leaves = NULL;
	struct mixgroup *groups = NULL;
	size_t nl = 0, cap = 0, ng = 0, i, k;

	free(a->dmix);
	if ((a->dmix = calloc(a->ndrows + 1, sizeof *a->dmix)) == NULL)
		return;
	for (i = 0; i < m->n; i++) {
		if (!text_matches(a, m->msgs[i]))
			continue;
		for (k = 0; k < m->msgs[i]->nrcpts; k++) {
			const struct qrcpt *r = &m->msgs[i]->rcpts[k];

			if (!qrcpt_has_cause(r))
				continue;
			if (nl == cap) {
				size_t nc = cap ? cap * 2 : 256;
				struct mixleaf *nv = realloc(leaves, nc * sizeof *nv);

				if (nv == NULL)
					goto out;
				leaves = nv;
				cap = nc;
			}
			leaves[nl++] = (struct mixleaf){ r->domain, m->msgs[i], r->cause };
		}
	}
	if (nl > 1)
		qsort(leaves, nl, sizeof *leaves, mixleaf_cmp);
	if ((groups = calloc(nl + 1, sizeof *groups)) == NULL)
		goto out;
	for (i = 0; i < nl; i++) {
		const struct mixleaf *l = &leaves[i], *p = i ? &leaves[i - 1] : NULL;

		if (p == NULL || str_order(p->domain, l->domain) != 0)
			groups[ng++].domain = l->domain;
		else if (p->msg == l->msg && p->cause == l->cause)
			continue;	/* the same message's other recipient of this domain and cause */
		groups[ng - 1].counts[l->cause]++;
	}
	for (i = 0; i < a->ndrows; i++) {
		const struct mixgroup *g = bsearch(a->drows[i].name, groups, ng, sizeof *groups, mixgroup_cmp);

		if (g != NULL)
			memcpy(a->dmix[i], g->counts, sizeof g->counts);
	}
out:
	free(groups);
	free(leaves);
}

/* build_domain_list - what the domains view lists: the domains, or (dgroup) each provider's total
 * followed by its domains */
static void build_domain_list(struct app *a)
{
	size_t i, k, n = 0;

	free(a->prows);
	free(a->dlist);
	a->prows = NULL;
	a->dlist = NULL;
	a->nprows = a->ndlist = 0;
	if (a->dgroup && build_providers(a) < 0)
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
static void build_domains(struct app *a)
{
	const struct qmodel *m = a->m;
	struct dleaf *leaves = NULL;
	struct qcount *rows = NULL;
	size_t nl = 0, cap = 0, i, k, n = 0;

	if (a->drows_owned)
		free(a->drows);
	a->drows = m->domains;
	a->ndrows = m->ndomains;
	a->drows_owned = 0;
	if (!app_narrowed(a))
		return;
	for (i = 0; i < m->n; i++) {
		if (!text_matches(a, m->msgs[i]))
			continue;
		for (k = 0; k < m->msgs[i]->nrcpts; k++) {
			if (nl == cap) {
				size_t nc = cap ? cap * 2 : 256;
				struct dleaf *nv = realloc(leaves, nc * sizeof *nv);

				if (nv == NULL)
					goto fail;
				leaves = nv;
				cap = nc;
			}
			leaves[nl++] = (struct dleaf){ m->msgs[i]->rcpts[k].domain, m->msgs[i]->rcpts[k].provider,
						       m->msgs[i] };
		}
	}
	if (nl > 1)
		qsort(leaves, nl, sizeof *leaves, dleaf_cmp);
	if ((rows = calloc(nl + 1, sizeof *rows)) == NULL)
		goto fail;
	for (i = 0; i < nl; i++) {
		const struct dleaf *l = &leaves[i];
		struct qcount *q;

		if (i == 0 || strcmp(leaves[i - 1].domain, l->domain) != 0)
			rows[n++] = (struct qcount){ .name = l->domain, .provider = l->provider };
		q = &rows[n - 1];
		q->recipients++;
		if (i > 0 && leaves[i - 1].msg == l->msg && strcmp(leaves[i - 1].domain, l->domain) == 0)
			continue;
		qcount_add_message(q, l->msg);
	}
	if (n > 1)
		qsort(rows, n, sizeof *rows, qcount_cmp);
	a->drows = rows;
	a->ndrows = n;
	a->drows_owned = 1;
	free(leaves);
	return;
fail:
	/* out of memory: an empty table rather than counts that disagree with the actions */
	free(leaves);
	free(rows);
	a->drows = NULL;
	a->ndrows = 0;
}

/* app_rebuild_rows - recompute the causes tree, the domain table and the message table from the model */
void app_rebuild_rows(struct app *a)
{
	if (a->m == NULL)
		return;
	build_hits(a);
	build_causes(a);
	build_domains(a);
	build_domain_mix(a);
	build_domain_list(a);
	if (a->view == VIEW_MESSAGES || !a->m->reading) {
		build_messages(a);	/* ready for Tab */
	} else {
		/* a partial model every few seconds: its table is sorted only if the messages view shows */
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
	free(a->sorted);
	a->sorted = NULL;
	a->sorted_version = 0;
	free(a->by_id);
	a->by_id = NULL;
	a->by_id_version = 0;
	free(a->hits);
	a->hits = NULL;
	a->hits_version = 0;
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

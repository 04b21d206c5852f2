/* rows - turn the model into what the views list: the causes tree and the message table
 *
 * Recomputed whenever a new model arrives or a filter or sort changes. The
 * causes tree groups deferred recipients by cause, provider and domain; a
 * message counts once per group however many of its recipients fall in it.
 */
#include "tui/app.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/idset.h"

struct leaf {
	enum cause cause;
	const char *provider, *domain;
	const struct qmsg *msg;
};

/* leaf_cmp - order by cause, provider, domain, message */
static int leaf_cmp(const void *x, const void *y)
{
	const struct leaf *a = x, *b = y;
	int c;

	if (a->cause != b->cause)
		return (int)a->cause - (int)b->cause;
	if ((c = strcmp(a->provider, b->provider)) != 0)
		return c;
	if ((c = strcmp(a->domain, b->domain)) != 0)
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

/* build_causes - the cause -> provider -> domain tree */
static void build_causes(struct app *a)
{
	const struct qmodel *m = a->m;
	struct leaf *leaves = NULL;
	size_t nl = 0, cap = 0, i, k, nrows = 0;
	struct cause_row *rows;
	struct idset pset = { 0 }, cset = { 0 };

	for (i = 0; i < m->n; i++)
		for (k = 0; k < m->msgs[i]->nrcpts; k++) {
			const struct qrcpt *r = &m->msgs[i]->rcpts[k];

			if (r->reason[0] == '\0')
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
	if (nl > 1)
		qsort(leaves, nl, sizeof *leaves, leaf_cmp);
	rows = calloc(nl * 3 + 1, sizeof *rows);
	if (rows == NULL)
		goto out;
	for (i = 0; i < nl; i++) {
		const struct leaf *l = &leaves[i], *p = i ? &leaves[i - 1] : NULL;
		int new_cause = p == NULL || p->cause != l->cause;
		int new_prov = new_cause || strcmp(p->provider, l->provider) != 0;
		int new_dom = new_prov || strcmp(p->domain, l->domain) != 0;
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

/* msg_matches - the message passes the group filter and the search text */
static int msg_matches(const struct app *a, const struct qmsg *msg)
{
	size_t k;
	int group = a->fkind == FILTER_NONE, text = a->search[0] == '\0';

	if (!text && (strcasestr(msg->id, a->search) || strcasestr(msg->sender, a->search)))
		text = 1;
	for (k = 0; k < msg->nrcpts && !(group && text); k++) {
		const struct qrcpt *r = &msg->rcpts[k];

		if (!group) {
			switch (a->fkind) {
			case FILTER_CAUSE:
				group = r->reason[0] && r->cause == a->fcause;
				break;
			case FILTER_PROVIDER:
				group = r->reason[0] && r->cause == a->fcause && strcmp(r->provider, a->fname) == 0;
				break;
			case FILTER_DOMAIN:
				group = strcmp(r->domain, a->fname) == 0
					&& (a->fcause == CAUSE_COUNT || (r->reason[0] && r->cause == a->fcause));
				break;
			default:
				break;
			}
		}
		if (!text && (strcasestr(r->address, a->search) || strcasestr(r->reason, a->search)
			      || strcasestr(cause_name(r->cause), a->search)))
			text = 1;
	}
	return group && text;
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

static enum sort_key sort_by;
static int sort_desc;

/* msg_cmp - order of the message table: the key's value ascending, reversed for desc */
static int msg_cmp(const void *x, const void *y)
{
	const struct qmsg *a = *(const struct qmsg *const *)x, *b = *(const struct qmsg *const *)y;
	long d = 0;

	switch (sort_by) {
	case SORT_RETRY:
		/* no retry time (held, active, unknown) sorts last either way */
		d = (a->next_retry == 0) - (b->next_retry == 0);
		if (d != 0)
			return d < 0 ? -1 : 1;
		d = (long)(a->next_retry - b->next_retry);
		break;
	case SORT_AGE:
		d = (long)(b->arrival - a->arrival);	/* age: the earlier arrival is the larger age */
		break;
	case SORT_DOMAIN:
		d = strcmp(a->nrcpts ? a->rcpts[0].domain : "", b->nrcpts ? b->rcpts[0].domain : "");
		break;
	case SORT_CAUSE:
		d = (long)a->cause - (long)b->cause;
		break;
	case SORT_ATTEMPTS:
		d = a->attempts - b->attempts;
		break;
	case SORT_SIZE:
		d = a->size - b->size;
		break;
	default:
		break;
	}
	if (sort_desc)
		d = -d;
	return d < 0 ? -1 : d > 0 ? 1 : strcmp(a->id, b->id);
}

/* build_messages - the filtered, sorted message table; keeps the cursor on the same message */
static void build_messages(struct app *a)
{
	const struct qmodel *m = a->m;
	struct qmsg **rows = calloc(m->n + 1, sizeof *rows);
	size_t i, n = 0;

	if (rows == NULL)
		return;
	for (i = 0; i < m->n; i++)
		if (msg_matches(a, m->msgs[i]))
			rows[n++] = m->msgs[i];
	sort_by = a->sort;
	sort_desc = a->sort_desc;
	qsort(rows, n, sizeof *rows, msg_cmp);
	free(a->mrows);
	a->mrows = rows;
	a->nmrows = n;
	if (a->sel_id[0])
		for (i = 0; i < n; i++)
			if (strcmp(rows[i]->id, a->sel_id) == 0) {
				a->mpos.sel = i;
				break;
			}
}

/* app_rebuild_rows - recompute the causes tree and the message table from the model */
void app_rebuild_rows(struct app *a)
{
	if (a->m == NULL)
		return;
	build_causes(a);
	build_messages(a);
}

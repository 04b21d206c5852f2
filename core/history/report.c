/* report - deferrals grouped cause -> provider -> domain; see report.h */
#include "core/history/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/sanitize.h"

/* format_time - RFC 3339 local time "2026-11-22T12:57:38+01:00" into buf (>= 32 bytes) */
const char *format_time(char *buf, size_t bufsz, time_t t)
{
	struct tm tm;
	size_t n;

	if (t == 0) {
		snprintf(buf, bufsz, "-");
		return buf;
	}
	localtime_r(&t, &tm);
	n = strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%S%z", &tm);
	/* +0100 -> +01:00 */
	if (n >= 5 && n + 2 <= bufsz) {
		memmove(buf + n - 1, buf + n - 2, 3);
		buf[n - 2] = ':';
	}
	return buf;
}

/* report_init - an empty report; cl gives each cause's advice */
void report_init(struct report *r, const struct classifier *cl)
{
	memset(r, 0, sizeof *r);
	r->cl = cl;
}

/* child - find or add the named child group */
static struct report_group *child(struct report_group *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nchildren; i++)
		if (strcmp(g->children[i].name, name) == 0)
			return &g->children[i];
	if (g->nchildren == g->capchildren) {
		size_t cap = g->capchildren ? g->capchildren * 2 : 4;
		struct report_group *n = realloc(g->children, cap * sizeof *n);

		if (n == NULL)
			return NULL;
		g->children = n;
		g->capchildren = cap;
	}
	memset(&g->children[g->nchildren], 0, sizeof *g->children);
	if ((g->children[g->nchildren].name = strdup(name)) == NULL)
		return NULL;
	return &g->children[g->nchildren++];
}

/* count - one event of message h at time t */
static int count(struct report_group *g, uint64_t h, time_t t)
{
	g->events++;
	if (g->first == 0 || t < g->first)
		g->first = t;
	if (t > g->last)
		g->last = t;
	return idset_add(&g->messages, h) < 0 ? -1 : 0;
}

/* report_add - count one deferral; -1 on out of memory */
int report_add(struct report *r, const struct deferral *d)
{
	uint64_t h = idset_hash(d->queue_id);
	struct report_group *c = &r->causes[d->verdict.cause], *p, *dom;

	if (c->name == NULL && (c->name = strdup(cause_name(d->verdict.cause))) == NULL)
		return -1;
	if ((p = child(c, d->verdict.provider)) == NULL
	    || (dom = child(p, d->domain[0] ? d->domain : "-")) == NULL)
		return -1;
	if (count(&r->total, h, d->time) < 0 || count(c, h, d->time) < 0
	    || count(p, h, d->time) < 0 || count(dom, h, d->time) < 0)
		return -1;
	return 0;
}

/* by_events - sort groups by events desc, then name */
static int by_events(const void *a, const void *b)
{
	const struct report_group *x = *(const struct report_group *const *)a;
	const struct report_group *y = *(const struct report_group *const *)b;

	if (x->events != y->events)
		return x->events > y->events ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* sorted - array of pointers to the groups, largest first (caller frees) */
static const struct report_group **sorted(const struct report_group *g, size_t n)
{
	const struct report_group **v = calloc(n + 1, sizeof *v);
	size_t i, k = 0;

	if (v == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (g[i].events > 0)
			v[k++] = &g[i];
	qsort(v, k, sizeof *v, by_events);
	return v;
}

/* put_padded - s then spaces up to width display columns (UTF-8 domains align like ASCII ones) */
static void put_padded(FILE *fp, const char *s, int width)
{
	int w = utf8_width(s);

	fputs(s, fp);
	for (; w < width; w++)
		fputc(' ', fp);
}

/* report_print_text - human-readable report */
void report_print_text(const struct report *r, FILE *fp)
{
	const struct report_group **causes = sorted(r->causes, CAUSE_COUNT), **provs, **doms;
	char t1[40], t2[40];
	size_t i, j, k;

	fprintf(fp, "%lu deferrals of %zu messages", r->total.events, r->total.messages.n);
	if (r->total.events)
		fprintf(fp, ", %s .. %s", format_time(t1, sizeof t1, r->total.first),
			format_time(t2, sizeof t2, r->total.last));
	fputc('\n', fp);
	if (r->lines > 0)
		fprintf(fp, "%llu lines read, %llu not understood\n", r->lines, r->unparsed);
	if (causes == NULL)
		return;
	for (i = 0; causes[i]; i++) {
		const struct report_group *c = causes[i];
		int ci = cause_from_name(c->name);

		fprintf(fp, "\n%-16s %8lu events %7zu msgs   first %s  last %s\n", c->name, c->events,
			c->messages.n, format_time(t1, sizeof t1, c->first),
			format_time(t2, sizeof t2, c->last));
		if (ci >= 0 && *classifier_cause_advice(r->cl, (enum cause)ci))
			fprintf(fp, "  advice: %s\n", classifier_cause_advice(r->cl, (enum cause)ci));
		if ((provs = sorted(c->children, c->nchildren)) == NULL)
			continue;
		for (j = 0; provs[j]; j++) {
			fputs("  ", fp);
			put_padded(fp, provs[j]->name, 14);
			fprintf(fp, " %8lu events %7zu msgs\n", provs[j]->events, provs[j]->messages.n);
			if ((doms = sorted(provs[j]->children, provs[j]->nchildren)) == NULL)
				continue;
			for (k = 0; doms[k]; k++) {
				fputs("    ", fp);
				put_padded(fp, doms[k]->name, 28);
				fprintf(fp, " %8lu events %7zu msgs   last %s\n", doms[k]->events, doms[k]->messages.n,
					format_time(t1, sizeof t1, doms[k]->last));
			}
			free(doms);
		}
		free(provs);
	}
	free(causes);
}

/* group_json - counts and times of one group */
static json_t *group_json(const char *keyname, const struct report_group *g)
{
	char t1[40], t2[40];

	return json_pack("{s:s, s:I, s:I, s:s, s:s}", keyname, g->name,
			 "events", (json_int_t)g->events, "messages", (json_int_t)g->messages.n,
			 "first_seen", format_time(t1, sizeof t1, g->first),
			 "last_seen", format_time(t2, sizeof t2, g->last));
}

/* report_print_json - the report as one JSON document; -1 on failure */
int report_print_json(const struct report *r, FILE *fp)
{
	const struct report_group **causes = sorted(r->causes, CAUSE_COUNT), **provs, **doms;
	json_t *root, *jcauses;
	char now[40];
	size_t i, j, k;
	int rc;

	if (causes == NULL)
		return -1;
	root = json_pack("{s:s, s:I, s:I, s:I, s:I}", "generated_at",
			 format_time(now, sizeof now, time(NULL)), "lines", (json_int_t)r->lines,
			 "unparsed", (json_int_t)r->unparsed, "deferrals", (json_int_t)r->total.events,
			 "messages", (json_int_t)r->total.messages.n);
	jcauses = json_array();
	for (i = 0; causes[i]; i++) {
		json_t *jc = group_json("cause", causes[i]), *jprovs = json_array();
		int ci = cause_from_name(causes[i]->name);

		json_object_set_new(jc, "advice", json_string(ci >= 0 ?
				    classifier_cause_advice(r->cl, (enum cause)ci) : ""));
		provs = sorted(causes[i]->children, causes[i]->nchildren);
		for (j = 0; provs && provs[j]; j++) {
			json_t *jp = group_json("provider", provs[j]), *jdoms = json_array();

			doms = sorted(provs[j]->children, provs[j]->nchildren);
			for (k = 0; doms && doms[k]; k++)
				json_array_append_new(jdoms, group_json("domain", doms[k]));
			free(doms);
			json_object_set_new(jp, "domains", jdoms);
			json_array_append_new(jprovs, jp);
		}
		free(provs);
		json_object_set_new(jc, "providers", jprovs);
		json_array_append_new(jcauses, jc);
	}
	free(causes);
	json_object_set_new(root, "causes", jcauses);
	rc = json_dumpf(root, fp, JSON_INDENT(2)) < 0 ? -1 : 0;
	fputc('\n', fp);
	json_decref(root);
	return rc;
}

/* group_free - release a group and its children */
static void group_free(struct report_group *g)
{
	size_t i;

	for (i = 0; i < g->nchildren; i++)
		group_free(&g->children[i]);
	free(g->children);
	free(g->name);
	idset_free(&g->messages);
}

/* report_free - release everything */
void report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < CAUSE_COUNT; i++)
		group_free(&r->causes[i]);
	group_free(&r->total);
}

/* corpus - labelled real reply texts, and how well a ruleset classifies them; see corpus.h */
#include "core/classify/corpus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/classify/classify.h"
#include "core/classify/reply.h"

#define CORPUS_FIELDS 6
#define CORPUS_LINE_MAX 16384

/* take_field - cut the next tab-separated field off *p */
static char *take_field(char **p)
{
	char *f = *p, *tab;

	if (f == NULL)
		return NULL;
	tab = strchr(f, '\t');
	if (tab != NULL) {
		*tab = '\0';
		*p = tab + 1;
	} else {
		*p = NULL;
	}
	return f;
}

/* add_entry - append one parsed line; -1 on out of memory */
static int add_entry(struct corpus *c, char **f, int cause, const char *file, int line)
{
	struct corpus_entry *n, *e;

	if ((c->n & (c->n + 1)) == 0) {	/* grow at 0, 1, 3, 7 ... */
		n = realloc(c->v, (c->n * 2 + 2) * sizeof *n);
		if (n == NULL)
			return -1;
		c->v = n;
	}
	e = &c->v[c->n];
	memset(e, 0, sizeof *e);
	e->cause = (enum cause)cause;
	e->provider = strdup(f[1]);
	e->format = strdup(f[2]);
	e->source = strdup(f[3]);
	e->reason = strdup(f[4]);
	e->text = strdup(f[5]);
	e->file = file;
	e->line = line;
	c->n++;
	if (!e->provider || !e->format || !e->source || !e->reason || !e->text)
		return -1;
	return 0;
}

/* corpus_load - append the entries of one corpus file; -1 with why when it cannot be read */
int corpus_load(struct corpus *c, const char *path, struct why *why)
{
	char *buf, *f[CORPUS_FIELDS], *p;
	const char *file;
	struct stat st;
	FILE *fp;
	int line = 0, cause, i;

	if ((fp = fopen(path, "r")) == NULL)
		return why_errno(why, "cannot read corpus %s", path);
	if (fstat(fileno(fp), &st) == 0 && !S_ISREG(st.st_mode)) {
		fclose(fp);
		return why_set(why, "corpus %s is not a regular file", path);
	}
	if ((buf = malloc(CORPUS_LINE_MAX)) == NULL || strlist_add(&c->files, path) < 0) {
		free(buf);
		fclose(fp);
		return why_set(why, "out of memory reading %s", path);
	}
	file = c->files.v[c->files.n - 1];
	while (fgets(buf, CORPUS_LINE_MAX, fp) != NULL) {
		size_t len = strlen(buf);

		line++;
		if (len > 0 && buf[len - 1] != '\n' && !feof(fp)) {
			int ch;

			while ((ch = getc(fp)) != EOF && ch != '\n')
				;
			strlist_addf(&c->errors, "%s:%d: line longer than %d bytes", path, line,
				     CORPUS_LINE_MAX - 1);
			continue;
		}
		buf[strcspn(buf, "\r\n")] = '\0';
		if (buf[0] == '#' || buf[0] == '\0')
			continue;
		p = buf;
		for (i = 0; i < CORPUS_FIELDS; i++)
			f[i] = take_field(&p);
		if (f[CORPUS_FIELDS - 1] == NULL || p != NULL) {
			strlist_addf(&c->errors, "%s:%d: want %d tab-separated fields", path, line,
				     CORPUS_FIELDS);
			continue;
		}
		if ((cause = cause_from_name(f[0])) < 0 || cause == CAUSE_UNCLASSIFIED) {
			strlist_addf(&c->errors, "%s:%d: unknown cause \"%.40s\"", path, line, f[0]);
			continue;
		}
		if (*f[3] == '\0' || *f[5] == '\0') {
			strlist_addf(&c->errors, "%s:%d: no source or no text", path, line);
			continue;
		}
		if (add_entry(c, f, cause, file, line) < 0) {
			free(buf);
			fclose(fp);
			return why_set(why, "out of memory reading %s", path);
		}
	}
	free(buf);
	if (ferror(fp)) {
		fclose(fp);
		errno = EIO;
		return why_errno(why, "cannot read corpus %s", path);
	}
	fclose(fp);
	return 0;
}

/* corpus_free - release everything */
void corpus_free(struct corpus *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].provider);
		free(c->v[i].format);
		free(c->v[i].source);
		free(c->v[i].reason);
		free(c->v[i].text);
	}
	free(c->v);
	strlist_free(&c->files);
	strlist_free(&c->errors);
	memset(c, 0, sizeof *c);
}

/* corpus_expected_provider - the provider family a classifier should name for an entry; NULL: not scored
 *
 * A slug that names a provider family is that family; a slug whose ".com"
 * domain belongs to a family is that family ("aol", "hotmail"); "unknown" is
 * not scored; any other slug is a provider mqmon has no family for: "other". */
const char *corpus_expected_provider(const struct ruleset *rs, const struct corpus_entry *e)
{
	char dom[128];
	size_t i;

	if (strcmp(e->provider, "unknown") == 0 || *e->provider == '\0')
		return NULL;
	if (ruleset_find_provider(rs, e->provider) != NULL)
		return e->provider;
	snprintf(dom, sizeof dom, "%s.com", e->provider);
	for (i = 0; i < rs->nproviders; i++)
		if (strlist_has(&rs->providers[i].domains, dom))
			return rs->providers[i].name;
	return "other";
}

/* same_text - equal once runs of white space are folded */
static int same_text(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' && (a[1] == ' ' || a[1] == '\0'))
			a++;
		while (*b == ' ' && (b[1] == ' ' || b[1] == '\0'))
			b++;
		if (*a != *b)
			return 0;
		if (*a == '\0')
			return 1;
		a++;
		b++;
	}
}

/* sample_sources - for each rule, the corpus sources of the texts its samples are */
static struct strlist *sample_sources(const struct ruleset *rs, const struct corpus *c)
{
	struct strlist *by_rule = calloc(rs->nrules + 1, sizeof *by_rule);
	size_t r, k, i;

	if (by_rule == NULL)
		return NULL;
	for (r = 0; r < rs->nrules; r++)
		for (k = 0; k < rs->rules[r].samples.n; k++)
			for (i = 0; i < c->n; i++)
				if (same_text(rs->rules[r].samples.v[k], c->v[i].text)
				    && !strlist_has(&by_rule[r], c->v[i].source))
					strlist_add(&by_rule[r], c->v[i].source);
	return by_rule;
}

/* judge_entry - classify one entry with cl and count it */
static void judge_entry(const struct classifier *cl, const struct ruleset *rs,
			const struct corpus_entry *e, struct reply_info *reply, struct corpus_result *res)
{
	struct verdict v;
	const char *want;

	reply_parse(e->text, strlen(e->text), reply);
	classifier_classify(cl, reply, NULL, NULL, &v);
	res->n++;
	res->confusion[e->cause][v.cause]++;
	if (v.cause == e->cause)
		res->right++;
	else
		strlist_addf(&res->misses, "%s -> %s (%s) [%s] %s", cause_name(e->cause), cause_name(v.cause),
			     v.rule ? v.rule->name : "no rule", e->source, e->text);
	if (v.cause == CAUSE_UNCLASSIFIED)
		res->unclassified++;
	if ((want = corpus_expected_provider(rs, e)) != NULL) {
		res->provider_n++;
		if (strcmp(want, v.provider) == 0)
			res->provider_right++;
		else
			strlist_addf(&res->misses, "provider %s -> %s [%s] %s", want, v.provider,
				     e->source, e->text);
	}
}

/* corpus_evaluate - classify every entry (by_source: leave its source's rules out) into res; -1 with why */
int corpus_evaluate(const struct ruleset *rs, const struct corpus *c, int by_source,
		    struct corpus_result *res, struct why *why)
{
	struct reply_info *reply = malloc(sizeof *reply);
	unsigned char *skip = calloc(rs->nrules + 1, 1), *done = calloc(c->n + 1, 1);
	struct strlist *from_samples = by_source ? sample_sources(rs, c) : NULL;
	struct classifier *cl = NULL;
	size_t i, j, r;
	int rc = -1;

	memset(res, 0, sizeof *res);
	if (reply == NULL || skip == NULL || done == NULL || (by_source && from_samples == NULL)) {
		why_set(why, "out of memory");
		goto out;
	}
	for (i = 0; i < c->n; i++) {
		const char *src = c->v[i].source;

		if (done[i])
			continue;
		res->sources++;
		if (by_source || cl == NULL) {
			classifier_free(cl);
			for (r = 0; r < rs->nrules; r++)
				skip[r] = by_source && (strlist_has(&rs->rules[r].from, src)
							|| strlist_has(&from_samples[r], src));
			if ((cl = classifier_new_subset(rs, skip, why)) == NULL)
				goto out;
		}
		for (j = i; j < c->n; j++)
			if (!done[j] && strcmp(c->v[j].source, src) == 0) {
				done[j] = 1;
				judge_entry(cl, rs, &c->v[j], reply, res);
			}
	}
	rc = 0;
out:
	classifier_free(cl);
	if (from_samples != NULL)
		for (r = 0; r < rs->nrules; r++)
			strlist_free(&from_samples[r]);
	free(from_samples);
	free(reply);
	free(skip);
	free(done);
	return rc;
}

/* corpus_result_free - release a result's lists */
void corpus_result_free(struct corpus_result *res)
{
	strlist_free(&res->misses);
}

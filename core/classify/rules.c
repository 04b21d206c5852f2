/* rules - load cause rules from INI files; see rules.h
 *
 * inifile does the reading (one walk over the file: loading is linear in
 * its size); this module turns sections into records and checks them: `[cause.NAME]` (advice), `[provider.NAME]` (domains, hosts),
 * `[rule.NAME]` (conditions, samples). Keys are case-insensitive because
 * iniparser lowers them; values keep their case.
 */
#include "core/classify/rules.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/base/inifile.h"
#include "core/classify/reply.h"

#ifndef MQMON_DATADIR
#define MQMON_DATADIR "/usr/local/share/mqmon"
#endif

/* ruleset_init - an empty ruleset */
void ruleset_init(struct ruleset *rs)
{
	memset(rs, 0, sizeof *rs);
}

/* provider_clear - free one provider's contents */
static void provider_clear(struct provider *p)
{
	free(p->name);
	free(p->label);
	strlist_free(&p->domains);
	strlist_free(&p->hosts);
	strlist_free(&p->markers);
	memset(p, 0, sizeof *p);
}

/* rule_clear - free one rule's contents */
static void rule_clear(struct rule *r)
{
	free(r->name);
	free(r->source);
	free(r->provider);
	free(r->advice);
	strlist_free(&r->codes);
	strlist_free(&r->any);
	strlist_free(&r->all);
	strlist_free(&r->with);
	strlist_free(&r->none);
	strlist_free(&r->from);
	strlist_free(&r->samples);
	memset(r, 0, sizeof *r);
}

/* get - value of key in section s, NULL when absent */
static const char *get(const struct inifile_section *s, const char *key)
{
	return inifile_get(s, key);
}

/* ini_boolean - iniparser's boolean rule: y/t/1 yes, n/f/0 no (first letter), else def */
static int ini_boolean(const char *v, int def)
{
	if (v == NULL || *v == '\0')
		return def;
	if (strchr("yYtT1", *v) != NULL)
		return 1;
	if (strchr("nNfF0", *v) != NULL)
		return 0;
	return def;
}

/* grow - room for one more element in *v (n used, *cap allocated, doubling); 0 or -1 */
static int grow(void **v, size_t n, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *nv;

	if (n < *cap)
		return 0;
	if ((nv = realloc(*v, ncap * size)) == NULL)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

/* load_provider - [provider.NAME]; replaces a provider of the same name */
static int load_provider(struct ruleset *rs, const struct inifile_section *s, const char *name)
{
	struct provider p = { 0 }, *slot = NULL;
	const char *v;
	long long at;
	size_t i;

	p.name = strdup(name);
	v = get(s, "label");
	p.label = strdup(v ? v : name);
	strlist_split(&p.domains, get(s, "domains"), " \t,");
	strlist_split(&p.hosts, get(s, "hosts"), " \t,");
	strlist_split(&p.markers, get(s, "markers"), "|");
	for (i = 0; i < p.domains.n; i++)
		for (char *c = p.domains.v[i]; *c; c++)
			*c = (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : *c);
	if (p.domains.n == 0 && p.hosts.n == 0 && p.markers.n == 0)
		strlist_addf(&rs->errors, "%s: [%s]: provider has no domains, hosts or markers",
			     rs->files.v[rs->files.n - 1], s->name);
	if (strmap_get(&rs->provider_index, name, &at)) {
		slot = &rs->providers[at];
		provider_clear(slot);
	} else {
		if (grow((void **)&rs->providers, rs->nproviders, &rs->capproviders, sizeof *rs->providers) < 0
		    || strmap_put(&rs->provider_index, name, (long long)rs->nproviders) < 0) {
			provider_clear(&p);
			return -1;
		}
		slot = &rs->providers[rs->nproviders++];
	}
	*slot = p;
	return 0;
}

/* is_key - a key's name is base, or base and a number ("text2") */
static int is_key(const char *name, const char *base)
{
	size_t n = strlen(base);

	if (strncmp(name, base, n) != 0)
		return 0;
	for (name += n; *name >= '0' && *name <= '9'; name++)
		;
	return *name == '\0';
}

/* split_keys - append the pieces of every key base, base2, base3 ... of section s to l */
static void split_keys(const struct inifile_section *s, const char *base, struct strlist *l, const char *seps)
{
	size_t k;

	for (k = 0; k < s->nkeys; k++)
		if (is_key(s->keys[k].name, base))
			strlist_split(l, s->keys[k].value, seps);
}

/* parse_rule - fill r from [rule.NAME]; returns 0, or -1 with a message in errors */
static int parse_rule(struct ruleset *rs, const struct inifile_section *s, const char *name,
		      const char *file, struct rule *r)
{
	const char *v, *sec = s->name;
	struct strlist words = { 0 };
	size_t k;
	int c;

	r->name = strdup(name);
	r->source = strdup(file);
	v = get(s, "cause");
	if (v == NULL || (c = cause_from_name(v)) < 0) {
		strlist_addf(&rs->errors, "%s: [%s]: %s cause%s%s", file, sec,
			     v ? "unknown" : "missing", v ? " " : "", v ? v : "");
		return -1;
	}
	r->cause = (enum cause)c;
	if ((v = get(s, "provider")) != NULL && *v)
		r->provider = strdup(v);
	strlist_split(&r->codes, get(s, "codes"), " \t,");
	strlist_split(&words, get(s, "smtp"), " \t,");
	if (words.n > RULES_MAX_SMTP) {
		strlist_addf(&rs->errors, "%s: [%s]: more than %d smtp codes", file, sec, RULES_MAX_SMTP);
		strlist_free(&words);
		return -1;
	}
	for (k = 0; k < words.n; k++) {
		char *end;
		long code = strtol(words.v[k], &end, 10);

		/* "4xx": any code of the class, kept as the class digit; "none": no code */
		if (code >= 2 && code <= 5 && end == words.v[k] + 1 && strcasecmp(end, "xx") == 0)
			end += 2;
		else if (strcmp(words.v[k], "none") == 0)
			code = 1, end += 4;
		else if (code < 200)
			code = 0;
		if (*end || code < 1 || code > 599) {
			strlist_addf(&rs->errors, "%s: [%s]: bad smtp code %s", file, sec, words.v[k]);
			strlist_free(&words);
			return -1;
		}
		r->smtp[k] = (int)code;
	}
	strlist_free(&words);
	strlist_split(&words, get(s, "stage"), " \t,");
	for (k = 0; k < words.n; k++) {
		enum smtp_stage st = smtp_stage_from_name(words.v[k]);

		if (st == STAGE_UNKNOWN) {
			strlist_addf(&rs->errors, "%s: [%s]: unknown stage %s", file, sec, words.v[k]);
			strlist_free(&words);
			return -1;
		}
		r->stages |= 1u << st;
	}
	strlist_free(&words);
	strlist_split(&words, get(s, "kind"), " \t,");
	for (k = 0; k < words.n; k++) {
		int kind = reply_kind_from_name(words.v[k]);

		if (kind < 0) {
			strlist_addf(&rs->errors, "%s: [%s]: unknown kind %s", file, sec, words.v[k]);
			strlist_free(&words);
			return -1;
		}
		r->kinds |= 1u << kind;
	}
	strlist_free(&words);
	/* text, with, all and none may be given as several keys (text2 = ...): a line is short */
	split_keys(s, "text", &r->any, "|");
	split_keys(s, "with", &r->with, "|");
	split_keys(s, "all", &r->all, "|");
	split_keys(s, "none", &r->none, "|");
	strlist_split(&r->from, get(s, "from"), " \t");
	if (r->codes.n == 0 && r->smtp[0] == 0 && r->any.n == 0 && r->all.n == 0 && r->with.n == 0
	    && r->kinds == 0) {
		strlist_addf(&rs->errors, "%s: [%s]: rule has no condition (codes, smtp, kind, text, with or all)",
			     file, sec);
		return -1;
	}
	/* the weight (priority is its older name); as iniparser_getint: strtol, any base, 0 when absent */
	r->priority = (v = get(s, "priority")) != NULL ? (int)strtol(v, NULL, 0) : 0;
	r->priority = (v = get(s, "weight")) != NULL ? (int)strtol(v, NULL, 0) : r->priority;
	if ((v = get(s, "advice")) != NULL && *v)
		r->advice = strdup(v);

	/* samples: every key whose name starts with "sample" */
	for (k = 0; k < s->nkeys; k++)
		if (strncmp(s->keys[k].name, "sample", 6) == 0)
			strlist_add(&r->samples, s->keys[k].value);
	return 0;
}

/* load_rule - [rule.NAME]; replaces a rule of the same name (the earlier one is marked dead: name NULL) */
static void load_rule(struct ruleset *rs, const struct inifile_section *s, const char *name, const char *file)
{
	struct rule r = { 0 };
	long long at;

	/* a later section of the same name replaces (or, disabled, removes) the earlier rule */
	if (strmap_get(&rs->rule_index, name, &at) && at >= 0) {
		rule_clear(&rs->rules[at]);
		strmap_put(&rs->rule_index, name, -1);
	}
	if (!ini_boolean(get(s, "enabled"), 1))
		return;
	if (parse_rule(rs, s, name, file, &r) < 0) {
		rule_clear(&r);
		return;
	}
	r.order = rs->next_order++;
	if (grow((void **)&rs->rules, rs->nrules, &rs->caprules, sizeof *rs->rules) < 0
	    || strmap_put(&rs->rule_index, name, (long long)rs->nrules) < 0) {
		rule_clear(&r);
		strlist_addf(&rs->errors, "%s: [%s]: out of memory", file, s->name);
		return;
	}
	rs->rules[rs->nrules++] = r;
}

/* compact - drop the rules marked dead by a replacement, keeping file order; reindex */
static void compact(struct ruleset *rs)
{
	size_t i, n = 0;

	for (i = 0; i < rs->nrules; i++)
		if (rs->rules[i].name != NULL)
			rs->rules[n++] = rs->rules[i];
	rs->nrules = n;
	strmap_clear(&rs->rule_index);
	for (i = 0; i < rs->nrules; i++)
		strmap_put(&rs->rule_index, rs->rules[i].name, (long long)i);
}

/* ruleset_load - add the rules, providers and advice of one INI file; -1 when the file cannot be read */
int ruleset_load(struct ruleset *rs, const char *path, struct why *why)
{
	struct inifile f;
	size_t i;

	if (inifile_load(&f, path, "rules file", why) < 0)
		return -1;
	strlist_add(&rs->files, path);
	for (i = 0; i < f.notes.n; i++)
		strlist_addf(&rs->errors, "%s: %s", path, f.notes.v[i]);
	for (i = 0; i < f.nsections; i++) {
		const struct inifile_section *s = &f.sections[i];
		const char *sec = s->name;

		if (strncmp(sec, "rule.", 5) == 0 && sec[5]) {
			load_rule(rs, s, sec + 5, path);
		} else if (strncmp(sec, "provider.", 9) == 0 && sec[9]) {
			if (load_provider(rs, s, sec + 9) < 0)
				strlist_addf(&rs->errors, "%s: [%s]: out of memory", path, sec);
		} else if (strncmp(sec, "cause.", 6) == 0 && sec[6]) {
			int c = cause_from_name(sec + 6);
			const char *v = get(s, "advice");

			if (c < 0) {
				strlist_addf(&rs->errors, "%s: [%s]: unknown cause", path, sec);
			} else if (v != NULL) {
				free(rs->advice[c]);
				rs->advice[c] = strdup(v);
			}
		} else if (*sec == '\0') {
			strlist_addf(&rs->errors, "%s: %s is outside any [section] (ignored)", path, s->keys[0].name);
		} else {
			strlist_addf(&rs->errors, "%s: [%s]: unknown section (expected cause., provider. or rule.)",
				     path, sec);
		}
	}
	inifile_free(&f);
	compact(rs);
	if (rs->nrules > RULES_MAX)
		return why_set(why, "rules file %s: too many rules: %zu (at most %d in all, doc/rules.md)", path,
			       rs->nrules, RULES_MAX);
	return 0;
}

/* ruleset_find_provider - provider by name, NULL when none */
const struct provider *ruleset_find_provider(const struct ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nproviders; i++)
		if (strcmp(rs->providers[i].name, name) == 0)
			return &rs->providers[i];
	return NULL;
}

/* ruleset_free - release everything */
void ruleset_free(struct ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->nproviders; i++)
		provider_clear(&rs->providers[i]);
	free(rs->providers);
	for (i = 0; i < rs->nrules; i++)
		rule_clear(&rs->rules[i]);
	free(rs->rules);
	for (i = 0; i < CAUSE_COUNT; i++)
		free(rs->advice[i]);
	strlist_free(&rs->errors);
	strlist_free(&rs->files);
	strmap_clear(&rs->rule_index);
	strmap_clear(&rs->provider_index);
	memset(rs, 0, sizeof *rs);
}

/* rules_default_path - the shipped causes.ini: next to the binary (source tree) or in the data dir */
const char *rules_default_path(void)
{
	static char path[PATH_MAX + 32];
	char exe[PATH_MAX];
	ssize_t n;
	const char *env = getenv("MQMON_DATADIR");

	if (env != NULL && *env) {
		snprintf(path, sizeof path, "%s/rules/causes.ini", env);
		return path;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/rules/causes.ini", exe);
			if (access(path, R_OK) == 0)
				return path;
		}
	}
	snprintf(path, sizeof path, "%s/rules/causes.ini", MQMON_DATADIR);
	return path;
}

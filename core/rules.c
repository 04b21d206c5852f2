/* rules - load cause rules from INI files; see rules.h
 *
 * iniparser does the reading; this module turns sections into records and
 * checks them: `[cause.NAME]` (advice), `[provider.NAME]` (domains, hosts),
 * `[rule.NAME]` (conditions, samples). Keys are case-insensitive because
 * iniparser lowers them; values keep their case.
 */
#include "core/rules.h"

#include <stdarg.h>
#include <iniparser.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/reply.h"

#ifndef MQMON_DATADIR
#define MQMON_DATADIR "/usr/local/share/mqmon"
#endif

/* iniparser reports syntax errors through a global printf-like callback */
static struct strlist *ini_errors;

/* ini_error - collect an iniparser syntax error instead of printing it */
static int ini_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (ini_errors != NULL)
		strlist_add(ini_errors, buf);
	return 0;
}

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
	strlist_free(&r->samples);
	memset(r, 0, sizeof *r);
}

/* get - value of section:key, NULL when absent */
static const char *get(dictionary *d, const char *sec, const char *key)
{
	char full[512];

	snprintf(full, sizeof full, "%s:%s", sec, key);
	return iniparser_getstring(d, full, NULL);
}

/* load_provider - [provider.NAME] */
static int load_provider(struct ruleset *rs, dictionary *d, const char *sec, const char *name)
{
	struct provider p = { 0 }, *slot = NULL;
	const char *v;
	size_t i;

	p.name = strdup(name);
	v = get(d, sec, "label");
	p.label = strdup(v ? v : name);
	strlist_split(&p.domains, get(d, sec, "domains"), " \t,");
	strlist_split(&p.hosts, get(d, sec, "hosts"), " \t,");
	for (i = 0; i < p.domains.n; i++)
		for (char *c = p.domains.v[i]; *c; c++)
			*c = (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : *c);
	if (p.domains.n == 0 && p.hosts.n == 0)
		strlist_addf(&rs->errors, "%s: [%s]: provider has neither domains nor hosts",
			     rs->files.v[rs->files.n - 1], sec);
	for (i = 0; i < rs->nproviders; i++)
		if (strcmp(rs->providers[i].name, name) == 0) {
			slot = &rs->providers[i];
			provider_clear(slot);
		}
	if (slot == NULL) {
		struct provider *n = realloc(rs->providers, (rs->nproviders + 1) * sizeof *n);

		if (n == NULL) {
			provider_clear(&p);
			return -1;
		}
		rs->providers = n;
		slot = &rs->providers[rs->nproviders++];
	}
	*slot = p;
	return 0;
}

/* parse_rule - fill r from [rule.NAME]; returns 0, or -1 with a message in errors */
static int parse_rule(struct ruleset *rs, dictionary *d, const char *sec, const char *name,
		      const char *file, struct rule *r)
{
	const char *v;
	struct strlist words = { 0 };
	const char **keys;
	int nkeys, i, c;
	size_t k;

	r->name = strdup(name);
	r->source = strdup(file);
	v = get(d, sec, "cause");
	if (v == NULL || (c = cause_from_name(v)) < 0) {
		strlist_addf(&rs->errors, "%s: [%s]: %s cause%s%s", file, sec,
			     v ? "unknown" : "missing", v ? " " : "", v ? v : "");
		return -1;
	}
	r->cause = (enum cause)c;
	if ((v = get(d, sec, "provider")) != NULL && *v)
		r->provider = strdup(v);
	strlist_split(&r->codes, get(d, sec, "codes"), " \t,");
	strlist_split(&words, get(d, sec, "smtp"), " \t,");
	for (k = 0; k < words.n && k < sizeof r->smtp / sizeof r->smtp[0] - 1; k++) {
		char *end;
		long code = strtol(words.v[k], &end, 10);

		if (*end || code < 200 || code > 599) {
			strlist_addf(&rs->errors, "%s: [%s]: bad smtp code %s", file, sec, words.v[k]);
			strlist_free(&words);
			return -1;
		}
		r->smtp[k] = (int)code;
	}
	strlist_free(&words);
	strlist_split(&words, get(d, sec, "stage"), " \t,");
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
	strlist_split(&r->any, get(d, sec, "text"), "|");
	strlist_split(&r->all, get(d, sec, "all"), "|");
	if (r->codes.n == 0 && r->smtp[0] == 0 && r->any.n == 0 && r->all.n == 0) {
		strlist_addf(&rs->errors, "%s: [%s]: rule has no condition (codes, smtp, text or all)",
			     file, sec);
		return -1;
	}
	{
		char full[512];

		snprintf(full, sizeof full, "%s:priority", sec);
		r->priority = iniparser_getint(d, full, 0);
	}
	if ((v = get(d, sec, "advice")) != NULL && *v)
		r->advice = strdup(v);

	/* samples: every key whose name starts with "sample" */
	nkeys = iniparser_getsecnkeys(d, sec);
	keys = nkeys > 0 ? calloc((size_t)nkeys, sizeof *keys) : NULL;
	if (keys != NULL && iniparser_getseckeys(d, sec, keys) != NULL) {
		size_t prefix = strlen(sec) + 1;

		for (i = 0; i < nkeys; i++)
			if (strncmp(keys[i] + prefix, "sample", 6) == 0) {
				/* a section named [rule.NAME:sample...] is listed as a key without a value */
				if ((v = iniparser_getstring(d, keys[i], NULL)) != NULL)
					strlist_add(&r->samples, v);
				else
					strlist_addf(&rs->errors, "%s: [%s] is a section, not a key", file, keys[i]);
			}
	}
	free(keys);
	return 0;
}

/* load_rule - [rule.NAME]; replaces a rule of the same name */
static void load_rule(struct ruleset *rs, dictionary *d, const char *sec, const char *name,
		      const char *file)
{
	struct rule r = { 0 };
	size_t i;
	int enabled;
	char full[512];

	snprintf(full, sizeof full, "%s:enabled", sec);
	enabled = iniparser_getboolean(d, full, 1);
	/* a later section of the same name replaces (or, disabled, removes) the earlier rule */
	for (i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i].name, name) == 0) {
			rule_clear(&rs->rules[i]);
			memmove(&rs->rules[i], &rs->rules[i + 1], (rs->nrules - i - 1) * sizeof r);
			rs->nrules--;
			break;
		}
	if (!enabled)
		return;
	if (parse_rule(rs, d, sec, name, file, &r) < 0) {
		rule_clear(&r);
		return;
	}
	r.order = rs->next_order++;
	{
		struct rule *n = realloc(rs->rules, (rs->nrules + 1) * sizeof *n);

		if (n == NULL) {
			rule_clear(&r);
			strlist_addf(&rs->errors, "%s: [%s]: out of memory", file, sec);
			return;
		}
		rs->rules = n;
		rs->rules[rs->nrules++] = r;
	}
}

/* ruleset_load - add the rules, providers and advice of one INI file; -1 when the file cannot be read */
int ruleset_load(struct ruleset *rs, const char *path, struct why *why)
{
	dictionary *d;
	FILE *fp;
	int nsec, i;

	/* iniparser only says "cannot open": check first to report errno */
	if ((fp = fopen(path, "r")) == NULL)
		return why_errno(why, "cannot read rules file %s", path);
	fclose(fp);
	ini_errors = &rs->errors;
	iniparser_set_error_callback(ini_error);
	d = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	ini_errors = NULL;
	if (d == NULL)
		return why_set(why, "cannot parse rules file %s", path);
	strlist_add(&rs->files, path);
	nsec = iniparser_getnsec(d);
	for (i = 0; i < nsec; i++) {
		const char *sec = iniparser_getsecname(d, i);

		if (strncmp(sec, "rule.", 5) == 0 && sec[5]) {
			load_rule(rs, d, sec, sec + 5, path);
		} else if (strncmp(sec, "provider.", 9) == 0 && sec[9]) {
			load_provider(rs, d, sec, sec + 9);
		} else if (strncmp(sec, "cause.", 6) == 0 && sec[6]) {
			int c = cause_from_name(sec + 6);
			const char *v = get(d, sec, "advice");

			if (c < 0) {
				strlist_addf(&rs->errors, "%s: [%s]: unknown cause", path, sec);
			} else if (v != NULL) {
				free(rs->advice[c]);
				rs->advice[c] = strdup(v);
			}
		} else {
			strlist_addf(&rs->errors, "%s: [%s]: unknown section (expected cause., provider. or rule.)",
				     path, sec);
		}
	}
	iniparser_freedict(d);
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

/* classify - decide the cause and provider family of one deferral; see classify.h */
#include "core/classify.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/textmatch.h"

#define MAX_WORDS 128		/* up to 8000 fragments */

struct crule {
	const struct rule *r;
	uint32_t *any, *all;
	size_t nany, nall;
};

struct dom_slot {
	const char *domain;
	const char *provider;
};

struct classifier {
	const struct ruleset *rs;
	struct textmatch *tm;
	struct crule *rules;
	size_t nrules;
	struct dom_slot *domains;
	size_t dmask;
};

/* hash_str - FNV-1a over a string */
static uint64_t hash_str(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* rank_cmp - sort order: priority desc, provider-specific first, file order */
static int rank_cmp(const void *a, const void *b)
{
	const struct rule *x = ((const struct crule *)a)->r, *y = ((const struct crule *)b)->r;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if ((x->provider != NULL) != (y->provider != NULL))
		return x->provider != NULL ? -1 : 1;
	return x->order - y->order;
}

/* add_fragments - register a rule's fragments; fills ids */
static int add_fragments(struct textmatch *tm, const struct strlist *l, uint32_t **ids)
{
	size_t i;

	*ids = l->n ? calloc(l->n, sizeof **ids) : NULL;
	if (l->n && *ids == NULL)
		return -1;
	for (i = 0; i < l->n; i++) {
		int id = textmatch_add(tm, l->v[i]);

		if (id < 0)
			return -1;
		(*ids)[i] = (uint32_t)id;
	}
	return 0;
}

/* build_domains - open-addressing table of provider domains */
static int build_domains(struct classifier *cl)
{
	const struct ruleset *rs = cl->rs;
	size_t total = 0, cap = 16, i, j;

	for (i = 0; i < rs->nproviders; i++)
		total += rs->providers[i].domains.n;
	while (cap < total * 2)
		cap *= 2;
	cl->domains = calloc(cap, sizeof *cl->domains);
	if (cl->domains == NULL)
		return -1;
	cl->dmask = cap - 1;
	for (i = 0; i < rs->nproviders; i++)
		for (j = 0; j < rs->providers[i].domains.n; j++) {
			const char *d = rs->providers[i].domains.v[j];
			size_t h = hash_str(d, strlen(d)) & cl->dmask;

			while (cl->domains[h].domain != NULL && strcmp(cl->domains[h].domain, d) != 0)
				h = (h + 1) & cl->dmask;
			cl->domains[h].domain = d;
			cl->domains[h].provider = rs->providers[i].name;
		}
	return 0;
}

/* classifier_new - compile a ruleset (which must outlive the classifier); NULL with why on failure */
struct classifier *classifier_new(const struct ruleset *rs, struct why *why)
{
	struct classifier *cl = calloc(1, sizeof *cl);
	size_t i;

	if (cl == NULL || (cl->tm = textmatch_new()) == NULL)
		goto nomem;
	cl->rs = rs;
	cl->rules = calloc(rs->nrules + 1, sizeof *cl->rules);
	if (cl->rules == NULL)
		goto nomem;	/* nrules stays 0: classifier_free has no rules to walk */
	cl->nrules = rs->nrules;
	for (i = 0; i < rs->nrules; i++) {
		struct crule *c = &cl->rules[i];

		c->r = &rs->rules[i];
		c->nany = c->r->any.n;
		c->nall = c->r->all.n;
		if (add_fragments(cl->tm, &c->r->any, &c->any) < 0
		    || add_fragments(cl->tm, &c->r->all, &c->all) < 0)
			goto nomem;
	}
	if (textmatch_words(cl->tm) > MAX_WORDS) {
		why_set(why, "too many rule text fragments: %zu (at most %d in all, doc/rules.md)",
			textmatch_count(cl->tm), (MAX_WORDS - 1) * 64);
		classifier_free(cl);
		errno = E2BIG;	/* a limit of the rules: a configuration error, not a fault */
		return NULL;
	}
	if (textmatch_compile(cl->tm) < 0 || build_domains(cl) < 0)
		goto nomem;
	qsort(cl->rules, cl->nrules, sizeof *cl->rules, rank_cmp);
	return cl;
nomem:
	if (errno == E2BIG)	/* textmatch: the fragments are too long in all */
		why_set(why, "rule text fragments too long: more than %d bytes in all (doc/rules.md)",
			TEXTMATCH_MAX_BYTES);
	else
		why_set(why, "out of memory compiling rules");
	classifier_free(cl);
	return NULL;
}

/* classifier_free - release the classifier (not the ruleset) */
void classifier_free(struct classifier *cl)
{
	size_t i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->nrules; i++) {
		free(cl->rules[i].any);
		free(cl->rules[i].all);
	}
	free(cl->rules);
	free(cl->domains);
	textmatch_free(cl->tm);
	free(cl);
}

/* lookup_domain - exact table look-up of a lower-case domain */
static const char *lookup_domain(const struct classifier *cl, const char *d, size_t n)
{
	size_t h = hash_str(d, n) & cl->dmask;

	while (cl->domains[h].domain != NULL) {
		if (strlen(cl->domains[h].domain) == n && memcmp(cl->domains[h].domain, d, n) == 0)
			return cl->domains[h].provider;
		h = (h + 1) & cl->dmask;
	}
	return NULL;
}

/* host_matches - host equals suffix or ends with ".suffix" (case-insensitive) */
static int host_matches(const char *host, size_t hn, const char *suffix)
{
	size_t sn = strlen(suffix);

	if (hn < sn || strncasecmp(host + hn - sn, suffix, sn) != 0)
		return 0;
	return hn == sn || host[hn - sn - 1] == '.';
}

/* classifier_provider - provider family of a recipient domain, else of a remote host; "other" */
const char *classifier_provider(const struct classifier *cl, const char *domain, const char *host)
{
	char low[256];
	size_t n, i, j;
	const char *p;

	if (domain != NULL && *domain) {
		for (n = 0; n < sizeof low - 1 && domain[n]; n++)
			low[n] = (char)((domain[n] >= 'A' && domain[n] <= 'Z') ? domain[n] + 32 : domain[n]);
		low[n] = '\0';
		/* the domain itself, then each parent that still has a dot */
		for (p = low; p != NULL; ) {
			const char *found = lookup_domain(cl, p, n - (size_t)(p - low));
			const char *dot;

			if (found != NULL)
				return found;
			dot = strchr(p, '.');
			if (dot == NULL || strchr(dot + 1, '.') == NULL)
				break;
			p = dot + 1;
		}
	}
	if (host != NULL && *host) {
		size_t hn = strlen(host);

		for (i = 0; i < cl->rs->nproviders; i++)
			for (j = 0; j < cl->rs->providers[i].hosts.n; j++)
				if (host_matches(host, hn, cl->rs->providers[i].hosts.v[j]))
					return cl->rs->providers[i].name;
	}
	return "other";
}

/* code_matches - enhanced code equals a rule code, or falls in its "x.y.*" class */
static int code_matches(const struct strlist *codes, const char *enh)
{
	size_t i, n;

	if (enh == NULL || *enh == '\0')
		return 0;
	for (i = 0; i < codes->n; i++) {
		const char *c = codes->v[i];

		n = strlen(c);
		if (n >= 2 && c[n - 1] == '*') {
			if (strncmp(enh, c, n - 1) == 0)
				return 1;
		} else if (strcmp(enh, c) == 0) {
			return 1;
		}
	}
	return 0;
}

/* rule_matches - every condition the rule gives holds */
static int rule_matches(const struct crule *c, const struct reply_info *reply, const char *enh,
			const uint64_t *found)
{
	const struct rule *r = c->r;
	size_t i;

	if (r->codes.n && !code_matches(&r->codes, enh))
		return 0;
	if (r->smtp[0]) {
		for (i = 0; r->smtp[i] && r->smtp[i] != reply->smtp_code; i++)
			;
		if (r->smtp[i] == 0)
			return 0;
	}
	if (r->stages && !(r->stages & (1u << reply->stage)))
		return 0;
	if (c->nany) {
		for (i = 0; i < c->nany && !bitset_has(found, c->any[i]); i++)
			;
		if (i == c->nany)
			return 0;
	}
	for (i = 0; i < c->nall; i++)
		if (!bitset_has(found, c->all[i]))
			return 0;
	return 1;
}

/* classifier_cause_advice - advice for a cause, "" when none */
const char *classifier_cause_advice(const struct classifier *cl, enum cause cause)
{
	const char *a = (unsigned)cause < CAUSE_COUNT ? cl->rs->advice[cause] : NULL;

	return a ? a : "";
}

/* classifier_classify - classify a parsed reason; dsn is the log's dsn= (may be NULL or "") */
void classifier_classify(const struct classifier *cl, const struct reply_info *reply,
			 const char *dsn, const char *rcpt_domain, struct verdict *v)
{
	uint64_t found[MAX_WORDS];
	const char *enh = reply->enhanced[0] ? reply->enhanced : dsn;
	const struct crule *best = NULL;
	size_t i;

	v->provider = classifier_provider(cl, rcpt_domain, reply->host);
	textmatch_scan(cl->tm, reply->text, strlen(reply->text), found);
	for (i = 0; i < cl->nrules; i++) {
		const struct crule *c = &cl->rules[i];

		if (best != NULL && c->r->priority < best->r->priority)
			break;
		if (best != NULL && (best->r->provider == NULL || strcmp(best->r->provider, v->provider) == 0))
			break;
		if (!rule_matches(c, reply, enh, found))
			continue;
		if (best == NULL)
			best = c;
		else if (c->r->provider != NULL && strcmp(c->r->provider, v->provider) == 0)
			best = c;	/* same priority, this one is the deferral's own provider */
	}
	if (best == NULL) {
		v->cause = CAUSE_UNCLASSIFIED;
		v->rule = NULL;
		v->advice = classifier_cause_advice(cl, CAUSE_UNCLASSIFIED);
		return;
	}
	v->rule = best->r;
	v->cause = best->r->cause;
	v->advice = best->r->advice ? best->r->advice : classifier_cause_advice(cl, v->cause);
	if (strcmp(v->provider, "other") == 0 && best->r->provider != NULL)
		v->provider = best->r->provider;
}

/* Verdict cache */
#define VC_SLOTS 8192

struct vc_slot {
	uint64_t key;		/* 0 = empty */
	const struct rule *rule;
	enum cause cause;
	const char *provider;
};

struct verdict_cache {
	struct vc_slot slot[VC_SLOTS];
	unsigned long hits, misses;
};

/* is_token_char - characters of a token for masking: [0-9A-Za-z._-] */
static inline int is_token_char(unsigned char c)
{
	static const uint64_t bits[4] = {
		0x03ff600000000000ull,	/* '-' '.' '0'-'9' */
		0x07fffffe87fffffeull,	/* 'A'-'Z' '_' 'a'-'z' */
		0, 0,
	};

	return (bits[c >> 6] >> (c & 63)) & 1;
}

/* volatile_token - 8+ characters with 3+ digits: an ID, an IP address, a time stamp */
static int volatile_token(const char *t, size_t n)
{
	size_t i, digits = 0;

	if (n < 8)
		return 0;
	for (i = 0; i < n; i++)
		digits += t[i] >= '0' && t[i] <= '9';
	return digits >= 3;
}

/* hash_bytes - fold n bytes into h, eight at a time */
static uint64_t hash_bytes(uint64_t h, const unsigned char *p, size_t n)
{
	uint64_t w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w ^ ((uint64_t)n << 56)) * 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 29);
}

/* masked_hash - hash of text with each volatile token replaced by one marker, never 0 */
static uint64_t masked_hash(const char *text, uint64_t seed)
{
	const unsigned char *p = (const unsigned char *)text, *seg = p;
	uint64_t h = 1469598103934665603ull ^ seed;

	while (*p) {
		const unsigned char *q;
		size_t digits = 0;

		if (!is_token_char(*p)) {
			p++;
			continue;
		}
		for (q = p; is_token_char(*q); q++)
			digits += *q >= '0' && *q <= '9';
		if (q - p >= 8 && digits >= 3) {
			/* the text before the token, then a marker for the token */
			h = hash_bytes(h, seg, (size_t)(p - seg));
			h = (h ^ 0x5a) * 0x9E3779B97F4A7C15ull;
			seg = q;
		}
		p = q;
	}
	h = hash_bytes(h, seg, (size_t)(p - seg));
	return h ? h : 1;
}

/* fragments_safe - true when no fragment of any rule holds a volatile token */
static int fragments_safe(const struct ruleset *rs)
{
	size_t i, k, l;

	for (i = 0; i < rs->nrules; i++)
		for (l = 0; l < 2; l++) {
			const struct strlist *sl = l ? &rs->rules[i].all : &rs->rules[i].any;

			for (k = 0; k < sl->n; k++) {
				const char *p = sl->v[k];

				while (*p) {
					const char *q = p;

					while (is_token_char((unsigned char)*q))
						q++;
					if (volatile_token(p, (size_t)(q - p)))
						return 0;
					p = *q ? q + 1 : q;
				}
			}
		}
	return 1;
}

/* verdict_cache_new - a cache for cl; NULL when caching would be unsafe or memory is short */
struct verdict_cache *verdict_cache_new(const struct classifier *cl)
{
	if (!fragments_safe(cl->rs))
		return NULL;
	return calloc(1, sizeof(struct verdict_cache));
}

/* verdict_cache_free - release a cache */
void verdict_cache_free(struct verdict_cache *vc)
{
	free(vc);
}

/* classifier_classify_cached - classifier_classify through a cache (vc may be NULL) */
void classifier_classify_cached(const struct classifier *cl, struct verdict_cache *vc,
				const struct reply_info *reply, const char *dsn, const char *rcpt_domain,
				struct verdict *v)
{
	const char *provider, *enh = reply->enhanced[0] ? reply->enhanced : dsn;
	uint64_t key;
	struct vc_slot *slot;

	if (vc == NULL) {
		classifier_classify(cl, reply, dsn, rcpt_domain, v);
		return;
	}
	provider = classifier_provider(cl, rcpt_domain, reply->host);
	/* the verdict depends on the text, the enhanced code, the stage and the provider */
	key = masked_hash(reply->text, hash_str(enh ? enh : "", enh ? strlen(enh) : 0)
			  ^ ((uint64_t)reply->stage << 56) ^ (uint64_t)(uintptr_t)provider);
	slot = &vc->slot[key & (VC_SLOTS - 1)];
	if (slot->key == key && slot->provider == provider) {
		vc->hits++;
		v->rule = slot->rule;
		v->cause = slot->cause;
		v->provider = provider;
		if (strcmp(provider, "other") == 0 && slot->rule != NULL && slot->rule->provider != NULL)
			v->provider = slot->rule->provider;
		v->advice = slot->rule && slot->rule->advice ? slot->rule->advice
			: classifier_cause_advice(cl, slot->cause);
		return;
	}
	vc->misses++;
	classifier_classify(cl, reply, dsn, rcpt_domain, v);
	slot->key = key;
	slot->rule = v->rule;
	slot->cause = v->cause;
	slot->provider = provider;
}

/* classifier_check_samples - classify every rule's samples; appends one message per failure to errs, returns failures */
int classifier_check_samples(const struct classifier *cl, struct strlist *errs, int *checked)
{
	struct reply_info *reply = malloc(sizeof *reply);
	struct verdict v;
	size_t i, k;
	int failures = 0, n = 0;

	if (reply == NULL)
		return -1;
	for (i = 0; i < cl->rs->nrules; i++) {
		const struct rule *r = &cl->rs->rules[i];

		if (r->samples.n == 0) {
			strlist_addf(errs, "%s: [rule.%s]: no sample", r->source, r->name);
			failures++;
		}
		for (k = 0; k < r->samples.n; k++) {
			n++;
			reply_parse(r->samples.v[k], strlen(r->samples.v[k]), reply);
			classifier_classify(cl, reply, NULL, NULL, &v);
			if (v.rule != r) {
				strlist_addf(errs, "%s: [rule.%s]: sample %zu classified as %s (%s): %s",
					     r->source, r->name, k + 1, v.rule ? v.rule->name : "no rule",
					     cause_name(v.cause), r->samples.v[k]);
				failures++;
			}
		}
	}
	free(reply);
	if (checked)
		*checked = n;
	return failures;
}

/* classify - decide the cause and provider family of one deferral; see classify.h */
#include "core/classify/classify.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/classify/textmatch.h"

#define MAX_WORDS 128		/* up to 8000 fragments */
#define MAX_RULE_WORDS 64	/* rules indexed by trigger fragment: up to 4096 (more: every rule is tried) */

struct crule {
	const struct rule *r;
	uint32_t *any, *all, *none, *with;
	size_t nany, nall, nnone, nwith;
};

struct cprovider {
	const char *name;
	uint32_t *markers;
	size_t nmarkers;
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
	struct cprovider *providers;	/* those with markers */
	size_t nproviders;
	/* rules by trigger fragment (CSR): the rules of fragment f are
	 * trig_rules[trig_start[f] .. trig_start[f + 1]); rules without text are always tried */
	uint32_t *trig_start, *trig_rules, *always;
	size_t nalways;
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

/* better - a ranks above b among rules of equal weight: own provider, any provider, file order */
static int better(const struct rule *a, const struct rule *b, const char *provider)
{
	int a_own = a->provider != NULL && strcmp(a->provider, provider) == 0;
	int b_own = b->provider != NULL && strcmp(b->provider, provider) == 0;

	if (a->priority != b->priority)
		return a->priority > b->priority;
	if (a_own != b_own)
		return a_own;
	if ((a->provider != NULL) != (b->provider != NULL))
		return a->provider != NULL;
	return a->order < b->order;
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

/* triggers_of - the fragments that must be found for rule c to hold (one list of them suffices) */
static const uint32_t *triggers_of(const struct crule *c, size_t *n)
{
	if (c->nany) {
		*n = c->nany;
		return c->any;
	}
	if (c->nwith) {
		*n = c->nwith;
		return c->with;
	}
	*n = c->nall ? 1 : 0;	/* every one of `all` must occur: the first will do */
	return c->all;
}

/* build_triggers - index the rules by the fragments that can make them hold */
static int build_triggers(struct classifier *cl)
{
	size_t nfrags = textmatch_count(cl->tm), i, k, n, total = 0;
	const uint32_t *t;
	uint32_t *fill;

	cl->trig_start = calloc(nfrags + 2, sizeof *cl->trig_start);
	cl->always = calloc(cl->nrules + 1, sizeof *cl->always);
	if (cl->trig_start == NULL || cl->always == NULL)
		return -1;
	for (i = 0; i < cl->nrules; i++) {
		t = triggers_of(&cl->rules[i], &n);
		if (n == 0)
			cl->always[cl->nalways++] = (uint32_t)i;
		for (k = 0; k < n; k++)
			cl->trig_start[t[k] + 1]++;
		total += n;
	}
	for (i = 0; i < nfrags; i++)
		cl->trig_start[i + 1] += cl->trig_start[i];
	cl->trig_rules = calloc(total + 1, sizeof *cl->trig_rules);
	fill = calloc(nfrags + 1, sizeof *fill);
	if (cl->trig_rules == NULL || fill == NULL) {
		free(fill);
		return -1;
	}
	for (i = 0; i < cl->nrules; i++) {
		t = triggers_of(&cl->rules[i], &n);
		for (k = 0; k < n; k++)
			cl->trig_rules[cl->trig_start[t[k]] + fill[t[k]]++] = (uint32_t)i;
	}
	free(fill);
	return 0;
}

/* classifier_new_subset - compile the rules i of rs whose skip[i] is 0 (evaluation folds) */
struct classifier *classifier_new_subset(const struct ruleset *rs, const unsigned char *skip,
					 struct why *why)
{
	struct classifier *cl = calloc(1, sizeof *cl);
	size_t i;

	if (cl == NULL || (cl->tm = textmatch_new()) == NULL)
		goto nomem;
	cl->rs = rs;
	cl->rules = calloc(rs->nrules + 1, sizeof *cl->rules);
	cl->providers = calloc(rs->nproviders + 1, sizeof *cl->providers);
	if (cl->rules == NULL || cl->providers == NULL)
		goto nomem;	/* nrules stays 0: classifier_free has no rules to walk */
	for (i = 0; i < rs->nrules; i++) {
		struct crule *c = &cl->rules[cl->nrules];

		if (skip != NULL && skip[i])
			continue;
		cl->nrules++;
		c->r = &rs->rules[i];
		c->nany = c->r->any.n;
		c->nall = c->r->all.n;
		c->nnone = c->r->none.n;
		c->nwith = c->r->with.n;
		if (add_fragments(cl->tm, &c->r->any, &c->any) < 0
		    || add_fragments(cl->tm, &c->r->with, &c->with) < 0
		    || add_fragments(cl->tm, &c->r->all, &c->all) < 0
		    || add_fragments(cl->tm, &c->r->none, &c->none) < 0)
			goto nomem;
	}
	for (i = 0; i < rs->nproviders; i++) {
		struct cprovider *p = &cl->providers[cl->nproviders];

		if (rs->providers[i].markers.n == 0)
			continue;
		cl->nproviders++;
		p->name = rs->providers[i].name;
		p->nmarkers = rs->providers[i].markers.n;
		if (add_fragments(cl->tm, &rs->providers[i].markers, &p->markers) < 0)
			goto nomem;
	}
	if (textmatch_words(cl->tm) > MAX_WORDS) {
		why_set(why, "too many rule text fragments: %zu (at most %d in all, doc/rules.md)",
			textmatch_count(cl->tm), (MAX_WORDS - 1) * 64);
		classifier_free(cl);
		errno = E2BIG;	/* a limit of the rules: a configuration error, not a fault */
		return NULL;
	}
	if (textmatch_compile(cl->tm) < 0 || build_domains(cl) < 0 || build_triggers(cl) < 0)
		goto nomem;
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

/* classifier_new - compile a ruleset (which must outlive the classifier); NULL with why on failure */
struct classifier *classifier_new(const struct ruleset *rs, struct why *why)
{
	return classifier_new_subset(rs, NULL, why);
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
		free(cl->rules[i].none);
		free(cl->rules[i].with);
	}
	for (i = 0; i < cl->nproviders; i++)
		free(cl->providers[i].markers);
	free(cl->providers);
	free(cl->trig_start);
	free(cl->trig_rules);
	free(cl->always);
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

/* code_matches - the rule code that the enhanced code equals or falls in ("4.2.*"), else NULL
 *
 * The class digit is not compared: a 5.7.1 greeting refusal that Postfix
 * defers tells the same about its cause as a 4.7.1. */
static const char *code_matches(const struct strlist *codes, const char *enh)
{
	size_t i, n;

	if (enh == NULL || *enh == '\0')
		return NULL;
	for (i = 0; i < codes->n; i++) {
		const char *c = codes->v[i];

		n = strlen(c);
		if (n < 2)
			continue;
		if (c[n - 1] == '*') {
			if (strncmp(enh + 1, c + 1, n - 2) == 0)
				return c;
		} else if (strcmp(enh + 1, c + 1) == 0) {
			return c;
		}
	}
	return NULL;
}

/* smtp_matches - the reply's SMTP code is one of the rule's (a class digit stands for "4xx", 1 for none) */
static int smtp_matches(const int *smtp, int code)
{
	size_t i;

	for (i = 0; smtp[i]; i++)
		if (smtp[i] == code || (smtp[i] == 1 && code == 0)
		    || (smtp[i] >= 2 && smtp[i] < 10 && code / 100 == smtp[i]))
			return 1;
	return 0;
}

/* first_found - index of the first fragment of ids found, n when none is */
static size_t first_found(const uint32_t *ids, size_t n, const uint64_t *found)
{
	size_t i;

	for (i = 0; i < n && !bitset_has(found, ids[i]); i++)
		;
	return i;
}

/* rule_matches - every condition the rule gives holds */
static int rule_matches(const struct crule *c, const struct reply_info *reply, const char *enh,
			const uint64_t *found)
{
	const struct rule *r = c->r;
	size_t i;

	if (c->nany && first_found(c->any, c->nany, found) == c->nany)
		return 0;
	if (c->nwith && first_found(c->with, c->nwith, found) == c->nwith)
		return 0;
	for (i = 0; i < c->nall; i++)
		if (!bitset_has(found, c->all[i]))
			return 0;
	for (i = 0; i < c->nnone; i++)
		if (bitset_has(found, c->none[i]))
			return 0;
	if (r->codes.n && code_matches(&r->codes, enh) == NULL)
		return 0;
	if (r->smtp[0] && !smtp_matches(r->smtp, reply->smtp_code))
		return 0;
	if (r->stages && !(r->stages & (1u << reply->stage)))
		return 0;
	if (r->kinds && !(r->kinds & (1u << reply->kind)))
		return 0;
	return 1;
}

/* describe - what held for a candidate rule, for an explanation */
static void describe(const struct crule *c, const struct reply_info *reply, const char *enh,
		     const uint64_t *found, char *buf, size_t size)
{
	const struct rule *r = c->r;
	size_t o = 0, i;

#define PUT(...) do { \
		int k_ = snprintf(buf + o, size - o, __VA_ARGS__); \
		if (k_ > 0) \
			o = o + (size_t)k_ < size ? o + (size_t)k_ : size - 1; \
	} while (0)
	buf[0] = '\0';
	if (r->codes.n)
		PUT("%scode %s", o ? ", " : "", enh);
	if (r->smtp[0] && reply->smtp_code == 0)
		PUT("%sno smtp code", o ? ", " : "");
	else if (r->smtp[0])
		PUT("%ssmtp %d", o ? ", " : "", reply->smtp_code);
	if (r->stages)
		PUT("%sstage %s", o ? ", " : "", smtp_stage_name(reply->stage));
	if (r->kinds)
		PUT("%skind %s", o ? ", " : "", reply_kind_name(reply->kind));
	if ((i = first_found(c->any, c->nany, found)) < c->nany)
		PUT("%stext \"%s\"", o ? ", " : "", r->any.v[i]);
	if ((i = first_found(c->with, c->nwith, found)) < c->nwith)
		PUT("%stext \"%s\"", o ? ", " : "", r->with.v[i]);
	for (i = 0; i < c->nall; i++)
		PUT("%stext \"%s\"", o ? ", " : "", r->all.v[i]);
#undef PUT
}

/* note_candidate - keep a candidate in ex->items, strongest first */
static void note_candidate(struct explanation *ex, const struct crule *c, const struct reply_info *reply,
			   const char *enh, const uint64_t *found)
{
	size_t at;

	ex->total++;
	for (at = ex->n; at > 0 && ex->items[at - 1].weight < c->r->priority; at--)
		;
	if (at >= EXPLAIN_MAX)
		return;
	memmove(&ex->items[at + 1], &ex->items[at],
		(ex->n - at - (ex->n == EXPLAIN_MAX ? 1 : 0)) * sizeof ex->items[0]);
	if (ex->n < EXPLAIN_MAX)
		ex->n++;
	ex->items[at].rule = c->r;
	ex->items[at].weight = c->r->priority;
	describe(c, reply, enh, found, ex->items[at].held, sizeof ex->items[at].held);
}

/* classifier_cause_advice - advice for a cause, "" when none */
const char *classifier_cause_advice(const struct classifier *cl, enum cause cause)
{
	const char *a = (unsigned)cause < CAUSE_COUNT ? cl->rs->advice[cause] : NULL;

	return a ? a : "";
}

/* provider_by_markers - the first provider whose marker occurs in the text, else NULL */
static const char *provider_by_markers(const struct classifier *cl, const uint64_t *found)
{
	size_t i, k;

	for (i = 0; i < cl->nproviders; i++)
		for (k = 0; k < cl->providers[i].nmarkers; k++)
			if (bitset_has(found, cl->providers[i].markers[k]))
				return cl->providers[i].name;
	return NULL;
}

#define SUPPORT_MAX 3	/* corroborating candidates counted, one point each */

/* mark_candidates - mark the rules that can hold given the fragments found; 0 when every rule must be tried */
static size_t mark_candidates(const struct classifier *cl, const uint64_t *found, uint64_t *marked)
{
	size_t words = (cl->nrules + 63) / 64, nf = textmatch_words(cl->tm), w, k;

	if (words > MAX_RULE_WORDS)
		return 0;
	memset(marked, 0, words * sizeof *marked);
	for (k = 0; k < cl->nalways; k++)
		marked[cl->always[k] >> 6] |= (uint64_t)1 << (cl->always[k] & 63);
	for (w = 0; w < nf; w++) {
		uint64_t bits = found[w];

		while (bits) {
			size_t f = w * 64 + (size_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			for (k = cl->trig_start[f]; k < cl->trig_start[f + 1]; k++)
				marked[cl->trig_rules[k] >> 6] |= (uint64_t)1 << (cl->trig_rules[k] & 63);
		}
	}
	return words;
}

/* judge - the verdict for a parsed reply; with ex, the evidence too */
static void judge(const struct classifier *cl, const struct reply_info *reply, const char *dsn,
		  const char *rcpt_domain, struct verdict *v, struct explanation *ex)
{
	uint64_t found[MAX_WORDS];
	const char *enh = reply->enhanced[0] ? reply->enhanced : dsn, *by = "none", *p;
	const struct crule *best[CAUSE_COUNT] = { 0 };
	int support[CAUSE_COUNT] = { 0 }, score, top = 0;
	const struct crule *win = NULL;
	const char *words;
	uint64_t marked[MAX_RULE_WORDS];
	size_t i, nwords, nmarked;

	if (rcpt_domain != NULL && *rcpt_domain
	    && strcmp(p = classifier_provider(cl, rcpt_domain, NULL), "other") != 0)
		by = "recipient domain";
	else if (strcmp(p = classifier_provider(cl, NULL, reply->host), "other") != 0)
		by = "remote host";
	v->provider = p;
	nwords = reply_words(reply, &words);
	/* the remote's words only: Postfix's "host H[IP] refused to talk to me:" is no evidence */
	textmatch_scan(cl->tm, words, nwords, found);
	if (strcmp(v->provider, "other") == 0 && (p = provider_by_markers(cl, found)) != NULL) {
		v->provider = p;
		by = "reply text";
	}
	nmarked = mark_candidates(cl, found, marked);
	for (i = 0; i < cl->nrules; i++) {
		const struct crule *c = &cl->rules[i];
		enum cause k = c->r->cause;

		if (nmarked && !bitset_has(marked, i))
			continue;
		if (!rule_matches(c, reply, enh, found))
			continue;
		if (ex != NULL)
			note_candidate(ex, c, reply, enh, found);
		if (best[k] == NULL) {
			best[k] = c;
			continue;
		}
		support[k]++;
		if (better(c->r, best[k]->r, v->provider))
			best[k] = c;
	}
	for (i = 0; i < CAUSE_COUNT; i++) {
		if (best[i] == NULL)
			continue;
		score = best[i]->r->priority + (support[i] < SUPPORT_MAX ? support[i] : SUPPORT_MAX);
		if (ex != NULL)
			ex->cause_score[i] = score;
		if (win == NULL || score > top || (score == top && better(best[i]->r, win->r, v->provider))) {
			win = best[i];
			top = score;
		}
	}
	if (win == NULL) {
		v->cause = CAUSE_UNCLASSIFIED;
		v->rule = NULL;
		v->score = 0;
		v->advice = classifier_cause_advice(cl, CAUSE_UNCLASSIFIED);
	} else {
		v->rule = win->r;
		v->cause = win->r->cause;
		v->score = top;
		v->advice = win->r->advice ? win->r->advice : classifier_cause_advice(cl, v->cause);
		if (strcmp(v->provider, "other") == 0 && win->r->provider != NULL) {
			v->provider = win->r->provider;
			by = "rule";
		}
	}
	if (ex != NULL)
		ex->provider_by = by;
}

/* classifier_classify - classify a parsed reason; dsn is the log's dsn= (may be NULL or "") */
void classifier_classify(const struct classifier *cl, const struct reply_info *reply,
			 const char *dsn, const char *rcpt_domain, struct verdict *v)
{
	judge(cl, reply, dsn, rcpt_domain, v, NULL);
}

/* classifier_explain - classify as classifier_classify does, keeping the evidence */
void classifier_explain(const struct classifier *cl, const struct reply_info *reply,
			const char *dsn, const char *rcpt_domain, struct explanation *ex)
{
	memset(ex, 0, sizeof *ex);
	judge(cl, reply, dsn, rcpt_domain, &ex->v, ex);
}

/* explanation_line - the decision in one line ("tls 95: gmail-tls (code 4.7.29); over rate-limit 50") */
void explanation_line(const struct explanation *ex, char *buf, size_t size)
{
	size_t i, o;
	int runner = -1;

	if (size == 0)
		return;
	if (ex->v.rule == NULL) {
		snprintf(buf, size, "unclassified: no rule matched");
		return;
	}
	for (i = 0; i < ex->n; i++)
		if (ex->items[i].rule == ex->v.rule)
			break;
	o = (size_t)snprintf(buf, size, "%s %d: rule %s (%s)", cause_name(ex->v.cause), ex->v.score,
			     ex->v.rule->name, i < ex->n ? ex->items[i].held : "");
	for (i = 0; i < CAUSE_COUNT; i++)
		if ((enum cause)i != ex->v.cause && ex->cause_score[i] > 0
		    && (runner < 0 || ex->cause_score[i] > ex->cause_score[runner]))
			runner = (int)i;
	if (runner >= 0 && o < size)
		snprintf(buf + o, size - o, "; over %s %d", cause_name((enum cause)runner),
			 ex->cause_score[runner]);
}

/* Verdict cache */
#define VC_SLOTS 8192

struct vc_slot {
	uint64_t key;		/* 0 = empty */
	const struct rule *rule;
	enum cause cause;
	int score;
	const char *provider;	/* by domain and host (the key) */
	const char *verdict_provider;	/* after markers and rule */
};

struct verdict_cache {
	struct vc_slot slot[VC_SLOTS];
	unsigned long hits, misses;
};

/* is_token_char - characters of a token for masking: [0-9A-Za-z._:-] (':' joins time stamps and IPv6 addresses) */
static inline int is_token_char(unsigned char c)
{
	static const uint64_t bits[4] = {
		0x07ff600000000000ull,	/* '-' '.' '0'-'9' ':' */
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

/* masked_hash - hash of text[0..len) with each volatile token replaced by one marker, never 0 */
static uint64_t masked_hash(const char *text, size_t len, uint64_t seed)
{
	const unsigned char *p = (const unsigned char *)text, *seg = p, *end = p + len;
	uint64_t h = 1469598103934665603ull ^ seed;

	while (p < end) {
		const unsigned char *q;
		size_t digits = 0;

		if (!is_token_char(*p)) {
			p++;
			continue;
		}
		for (q = p; q < end && is_token_char(*q); q++)
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

/* list_unsafe - the first fragment of a list that holds a volatile token, else NULL */
static const char *list_unsafe(const struct strlist *sl)
{
	size_t k;

	for (k = 0; k < sl->n; k++) {
		const char *p = sl->v[k];

		while (*p) {
			const char *q = p;

			while (is_token_char((unsigned char)*q))
				q++;
			if (volatile_token(p, (size_t)(q - p)))
				return sl->v[k];
			p = *q ? q + 1 : q;
		}
	}
	return NULL;
}

/* classifier_cache_blocker - a fragment that makes caching verdicts unsafe (it holds a volatile
 * token, which the cache key masks), NULL when there is none */
const char *classifier_cache_blocker(const struct classifier *cl)
{
	const struct ruleset *rs = cl->rs;
	const char *f = NULL;
	size_t i;

	for (i = 0; i < rs->nrules && f == NULL; i++)
		if ((f = list_unsafe(&rs->rules[i].any)) == NULL && (f = list_unsafe(&rs->rules[i].all)) == NULL
		    && (f = list_unsafe(&rs->rules[i].none)) == NULL)
			f = list_unsafe(&rs->rules[i].with);
	for (i = 0; i < rs->nproviders && f == NULL; i++)
		f = list_unsafe(&rs->providers[i].markers);
	return f;
}

/* verdict_cache_new - a cache for cl; NULL when caching would be unsafe or memory is short */
struct verdict_cache *verdict_cache_new(const struct classifier *cl)
{
	if (classifier_cache_blocker(cl) != NULL)
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
	const char *provider, *enh = reply->enhanced[0] ? reply->enhanced : dsn, *words;
	uint64_t key;
	size_t nwords;
	struct vc_slot *slot;

	if (vc == NULL) {
		classifier_classify(cl, reply, dsn, rcpt_domain, v);
		return;
	}
	provider = classifier_provider(cl, rcpt_domain, reply->host);
	/* the verdict depends on the remote's words (not Postfix's "host H[IP] said:" around them),
	 * the enhanced code, the stage, the kind of text and the provider by domain or host */
	nwords = reply_words(reply, &words);
	key = masked_hash(words, nwords, hash_str(enh ? enh : "", enh ? strlen(enh) : 0)
			  ^ ((uint64_t)reply->stage << 56) ^ ((uint64_t)reply->kind << 48)
			  ^ (uint64_t)(uintptr_t)provider);
	slot = &vc->slot[key & (VC_SLOTS - 1)];
	if (slot->key == key && slot->provider == provider) {
		vc->hits++;
		v->rule = slot->rule;
		v->cause = slot->cause;
		v->score = slot->score;
		v->provider = slot->verdict_provider;
		v->advice = slot->rule && slot->rule->advice ? slot->rule->advice
			: classifier_cause_advice(cl, slot->cause);
		return;
	}
	vc->misses++;
	classifier_classify(cl, reply, dsn, rcpt_domain, v);
	slot->key = key;
	slot->rule = v->rule;
	slot->cause = v->cause;
	slot->score = v->score;
	slot->provider = provider;
	slot->verdict_provider = v->provider;
}

/* rule_holds - rule r's conditions hold for a reply (r must be one of cl's rules) */
static int rule_holds(const struct classifier *cl, const struct rule *r, const struct reply_info *reply)
{
	uint64_t found[MAX_WORDS];
	const char *words;
	size_t i, nwords = reply_words(reply, &words);

	textmatch_scan(cl->tm, words, nwords, found);
	for (i = 0; i < cl->nrules; i++)
		if (cl->rules[i].r == r)
			return rule_matches(&cl->rules[i], reply, reply->enhanced, found);
	return 0;
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
			if (!rule_holds(cl, r, reply)) {
				strlist_addf(errs, "%s: [rule.%s]: sample %zu: the rule does not hold for it: %s",
					     r->source, r->name, k + 1, r->samples.v[k]);
				failures++;
			} else if (v.cause != r->cause) {
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

/* classify - decide the cause and provider family of one deferral
 *
 * Every rule is one piece of evidence for one cause: conditions on the
 * enhanced status code (RFC 3463 classes or a provider's documented code),
 * the SMTP code and stage, and case-insensitive text fragments (word
 * families), with a weight. Specific evidence carries more weight than
 * generic evidence: a provider's documented code (4.7.29, TSS04, RP-001)
 * beats a cause phrase, a cause phrase beats a bare 4.7.x class, and "try
 * again later" alone is the weakest of all (doc/rules.md).
 *
 * Judging: every rule whose conditions all hold is a candidate. A cause
 * scores the weight of its strongest candidate plus one for each other
 * candidate of the same cause (at most three: corroboration breaks near
 * ties, it never outweighs a more specific piece of evidence). The best
 * scoring cause wins; on equal scores, a rule of the deferral's own provider,
 * then any provider's rule, then the earlier rule. No candidate: unclassified.
 *
 * A classifier is compiled once from a ruleset: every text fragment goes into
 * one textmatch automaton and provider domains into a hash table, so judging
 * a deferral costs one scan of its text plus bit tests. classifier_explain()
 * gives the same verdict with the evidence behind it.
 */
#ifndef MQMON_CLASSIFY_H
#define MQMON_CLASSIFY_H

#include "core/classify/cause.h"
#include "core/classify/reply.h"
#include "core/classify/rules.h"
#include "core/base/strlist.h"
#include "core/base/why.h"

struct classifier;

struct verdict {
	enum cause cause;
	const char *provider;		/* provider name, "other" when unknown */
	const struct rule *rule;	/* NULL when unclassified */
	const char *advice;		/* rule's or cause's advice, "" when none */
	int score;			/* the winning cause's score, 0 when unclassified */
};

#define EXPLAIN_MAX 12

/* one candidate rule and what held for it */
struct evidence {
	const struct rule *rule;
	int weight;
	char held[200];			/* "code 4.7.29, text "tls"" */
};

/* a verdict with the evidence behind it */
struct explanation {
	struct verdict v;
	const char *provider_by;	/* "recipient domain", "remote host", "reply text", "rule", "none" */
	int cause_score[CAUSE_COUNT];	/* 0 when no rule of the cause held */
	size_t total;			/* candidates in all */
	size_t n;			/* candidates in items[], strongest first */
	struct evidence items[EXPLAIN_MAX];
};

/* classifier_new - compile a ruleset (which must outlive the classifier); NULL with why on failure,
 * errno E2BIG when the rules exceed a limit (too many text fragments, or too long in all: a
 * configuration error), else out of memory */
struct classifier *classifier_new(const struct ruleset *rs, struct why *why);

/* classifier_new_subset - compile the rules i of rs whose skip[i] is 0 (evaluation folds) */
struct classifier *classifier_new_subset(const struct ruleset *rs, const unsigned char *skip,
					 struct why *why);

/* classifier_free - release the classifier (not the ruleset) */
void classifier_free(struct classifier *cl);

/* classifier_provider - provider family of a recipient domain, else of a remote host; "other" */
const char *classifier_provider(const struct classifier *cl, const char *domain, const char *host);

/* classifier_classify - classify a parsed reason; dsn is the log's dsn= (may be NULL or "") */
void classifier_classify(const struct classifier *cl, const struct reply_info *reply,
			 const char *dsn, const char *rcpt_domain, struct verdict *v);

/* classifier_explain - classify as classifier_classify does, keeping the evidence */
void classifier_explain(const struct classifier *cl, const struct reply_info *reply,
			const char *dsn, const char *rcpt_domain, struct explanation *ex);

/* explanation_line - the decision in one line ("tls 95: gmail-tls (code 4.7.29); over rate-limit 50") */
void explanation_line(const struct explanation *ex, char *buf, size_t size);

/* A verdict cache remembers the verdict of reply texts already seen, keyed
 * by the remote's words with their volatile tokens (message IDs, IP
 * addresses: 8+ characters with 3+ digits) masked, the codes, stage, kind
 * and the provider by domain or host, so the thousands of deferrals that share
 * a reply template cost one hash instead of one automaton scan each. It is
 * per thread (no locking) and only created when no rule fragment contains
 * such a token, so a hit always equals what a full classification gives. */
struct verdict_cache;

/* verdict_cache_new - a cache for cl; NULL when caching would be unsafe for its rules or memory is short */
struct verdict_cache *verdict_cache_new(const struct classifier *cl);

/* classifier_cache_blocker - a fragment that makes caching verdicts unsafe, NULL when none */
const char *classifier_cache_blocker(const struct classifier *cl);

/* verdict_cache_free - release a cache */
void verdict_cache_free(struct verdict_cache *vc);

/* classifier_classify_cached - classifier_classify through a cache (vc may be NULL) */
void classifier_classify_cached(const struct classifier *cl, struct verdict_cache *vc,
				const struct reply_info *reply, const char *dsn, const char *rcpt_domain,
				struct verdict *v);

/* classifier_cause_advice - advice for a cause, "" when none */
const char *classifier_cause_advice(const struct classifier *cl, enum cause cause);

/* classifier_check_samples - every rule must hold for each of its samples, and each sample must be
 * classified to the rule's cause; appends one message per failure to errs, returns failures */
int classifier_check_samples(const struct classifier *cl, struct strlist *errs, int *checked);

#endif

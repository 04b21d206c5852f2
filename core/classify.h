/* classify - decide the cause and provider family of one deferral
 *
 * A classifier is compiled once from a ruleset: every text fragment of every
 * rule goes into one textmatch automaton, rules are sorted by rank, and
 * provider domains go into a hash table. Classifying a deferral then costs
 * one scan of its reply text plus bit tests, whatever the number of rules.
 *
 * Ranking (doc/rules.md): highest priority first; on a tie, a rule whose
 * provider equals the deferral's provider, then any provider-specific rule,
 * then a generic rule; then file order.
 */
#ifndef MQMON_CLASSIFY_H
#define MQMON_CLASSIFY_H

#include "core/cause.h"
#include "core/reply.h"
#include "core/rules.h"
#include "core/strlist.h"
#include "core/why.h"

struct classifier;

struct verdict {
	enum cause cause;
	const char *provider;		/* provider name, "other" when unknown */
	const struct rule *rule;	/* NULL when unclassified */
	const char *advice;		/* rule's or cause's advice, "" when none */
};

/* classifier_new - compile a ruleset (which must outlive the classifier); NULL with why on failure,
 * errno E2BIG when the rules exceed a limit (too many text fragments, or too long in all: a
 * configuration error), else out of memory */
struct classifier *classifier_new(const struct ruleset *rs, struct why *why);

/* classifier_free - release the classifier (not the ruleset) */
void classifier_free(struct classifier *cl);

/* classifier_provider - provider family of a recipient domain, else of a remote host; "other" */
const char *classifier_provider(const struct classifier *cl, const char *domain, const char *host);

/* classifier_classify - classify a parsed reason; dsn is the log's dsn= (may be NULL or "") */
void classifier_classify(const struct classifier *cl, const struct reply_info *reply,
			 const char *dsn, const char *rcpt_domain, struct verdict *v);

/* A verdict cache remembers the verdict of reply texts already seen, keyed
 * by the text with its volatile tokens (message IDs, IP addresses: 8+
 * characters with 3+ digits) masked, so the thousands of deferrals that share
 * a reply template cost one hash instead of one automaton scan each. It is
 * per thread (no locking) and only created when no rule fragment contains
 * such a token, so a hit always equals what a full classification gives. */
struct verdict_cache;

/* verdict_cache_new - a cache for cl; NULL when caching would be unsafe for its rules or memory is short */
struct verdict_cache *verdict_cache_new(const struct classifier *cl);

/* verdict_cache_free - release a cache */
void verdict_cache_free(struct verdict_cache *vc);

/* classifier_classify_cached - classifier_classify through a cache (vc may be NULL) */
void classifier_classify_cached(const struct classifier *cl, struct verdict_cache *vc,
				const struct reply_info *reply, const char *dsn, const char *rcpt_domain,
				struct verdict *v);

/* classifier_cause_advice - advice for a cause, "" when none */
const char *classifier_cause_advice(const struct classifier *cl, enum cause cause);

/* classifier_check_samples - classify every rule's samples; appends one message per failure to errs, returns failures */
int classifier_check_samples(const struct classifier *cl, struct strlist *errs, int *checked);

#endif

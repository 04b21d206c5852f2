/* corpus - labelled real reply texts, and how well a ruleset classifies them
 *
 * A corpus file (tests/corpus/NAME.tsv, format in tests/corpus/README.md) holds
 * one real deferral text per line with its cause, provider, the public source
 * it was taken from and a reason for the label. corpus_evaluate() classifies
 * every text and counts what was right, per cause, with a confusion matrix.
 *
 * Honest folds: rules are written from texts, and a rule scored on the text
 * it was written from proves nothing. With `by_source`, each text is judged
 * by a classifier compiled without the rules written from that text's source:
 * rules whose `from` names the source, and rules one of whose samples is a
 * text of that source (leave one source out).
 */
#ifndef MQMON_CORPUS_H
#define MQMON_CORPUS_H

#include <stddef.h>

#include "core/classify/cause.h"
#include "core/classify/rules.h"
#include "core/base/strlist.h"
#include "core/base/why.h"

struct corpus_entry {
	enum cause cause;	/* the label */
	char *provider;		/* the replying provider's slug ("orange", "unknown") */
	char *format;		/* postfix, exim, sendmail, reply, other */
	char *source;		/* where the text was found */
	char *reason;		/* why the label */
	char *text;		/* the reply text as logged */
	const char *file;	/* corpus file (points into files) */
	int line;
};

struct corpus {
	struct corpus_entry *v;
	size_t n;
	struct strlist files;
	struct strlist errors;	/* "file:line: problem" (the line is skipped) */
};

struct corpus_result {
	size_t n, right, unclassified;
	size_t provider_n, provider_right;	/* texts whose provider is known */
	size_t confusion[CAUSE_COUNT][CAUSE_COUNT];	/* [label][verdict] */
	size_t sources;
	struct strlist misses;	/* "label -> verdict (rule) [source] text" */
};

/* corpus_load - append the entries of one corpus file; -1 with why when it cannot be read */
int corpus_load(struct corpus *c, const char *path, struct why *why);

/* corpus_free - release everything */
void corpus_free(struct corpus *c);

/* corpus_expected_provider - the provider family a classifier should name for an entry; NULL: not scored */
const char *corpus_expected_provider(const struct ruleset *rs, const struct corpus_entry *e);

/* corpus_evaluate - classify every entry (by_source: leave its source's rules out) into res; -1 with why */
int corpus_evaluate(const struct ruleset *rs, const struct corpus *c, int by_source,
		    struct corpus_result *res, struct why *why);

/* corpus_result_free - release a result's lists */
void corpus_result_free(struct corpus_result *res);

#endif

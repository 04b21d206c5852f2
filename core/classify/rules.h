/* rules - cause rules, provider families and advice, read from INI files
 *
 * The shipped rules file and the operator's own are loaded in turn into one
 * ruleset; a section of a later file replaces the section of the same name
 * from an earlier one (format: doc/rules.md). Loading never stops at the
 * first mistake: every problem (unknown cause, rule without a condition,
 * unreadable file ...) is collected in `errors` with file and section, and
 * the faulty section is skipped, so a typo in one rule does not take the
 * others down.
 *
 * A rule is one piece of evidence for one cause (codes, SMTP code and stage,
 * text fragments) with a weight; core/classify weighs them. `from` names the
 * corpus sources a rule was written from, so that the evaluation never scores
 * a rule on the texts it came from (core/corpus).
 *
 * Limits (doc/rules.md, Limits): RULES_MAX rules in a ruleset (a file
 * that takes it past is refused: -1), RULES_MAX_SMTP SMTP codes in a rule,
 * and those of every INI file (core/base/inifile.h: line length, lines). The
 * classifier adds its own on text fragments (core/classify/classify.h). Loading is
 * linear in the file's size: one walk over the sections, rules and
 * providers found by name through hash maps.
 */
#ifndef MQMON_RULES_H
#define MQMON_RULES_H

#include <stddef.h>

#include "core/classify/cause.h"
#include "core/base/strlist.h"
#include "core/base/strmap.h"
#include "core/base/why.h"

#define RULES_MAX 4096		/* rules in a ruleset (shipped and operator files together) */
#define RULES_MAX_SMTP 7	/* SMTP codes in one rule */

struct provider {
	char *name;		/* "gmail" */
	char *label;		/* "Gmail" */
	struct strlist domains;	/* recipient domains */
	struct strlist hosts;	/* remote host name suffixes */
	struct strlist markers;	/* reply text fragments that name the provider ("gsmtp") */
};

struct rule {
	char *name;		/* section name without "rule." */
	char *source;		/* file the rule came from */
	enum cause cause;
	char *provider;		/* NULL for a generic rule */
	struct strlist codes;	/* enhanced codes, "4.7.28" or "4.2.*" */
	int smtp[RULES_MAX_SMTP + 1];	/* SMTP codes (a class digit 4 = "4xx", 1 = no code), 0-terminated */
	unsigned stages;	/* bit set of enum smtp_stage; 0 = any */
	unsigned kinds;		/* bit set of enum reply_kind; 0 = any */
	struct strlist any;	/* text: at least one must occur */
	struct strlist with;	/* with: at least one of these must occur too */
	struct strlist all;	/* all: every one must occur */
	struct strlist none;	/* none: no one may occur */
	int priority;		/* the weight of this evidence (key weight, or priority) */
	struct strlist from;	/* corpus sources the rule was written from */
	char *advice;		/* NULL: the cause's advice */
	struct strlist samples;
	int order;		/* position across all loaded files */
};

struct ruleset {
	struct provider *providers;
	size_t nproviders;
	struct rule *rules;
	size_t nrules;
	char *advice[CAUSE_COUNT];
	struct strlist errors;	/* "file: [section]: problem" */
	struct strlist files;	/* files loaded, in order */
	int next_order;
	size_t caprules, capproviders;	/* allocated */
	struct strmap rule_index;	/* rule name -> position in rules (-1: removed) */
	struct strmap provider_index;	/* provider name -> position in providers */
};

/* ruleset_init - an empty ruleset */
void ruleset_init(struct ruleset *rs);

/* ruleset_load - add the rules, providers and advice of one INI file; -1 with why when the file cannot be
 * read or parsed (core/inifile) or the ruleset would hold more than RULES_MAX rules */
int ruleset_load(struct ruleset *rs, const char *path, struct why *why);

/* ruleset_find_provider - provider by name, NULL when none */
const struct provider *ruleset_find_provider(const struct ruleset *rs, const char *name);

/* ruleset_free - release everything */
void ruleset_free(struct ruleset *rs);

/* rules_default_path - the shipped causes.ini: next to the binary (source tree) or in the data dir */
const char *rules_default_path(void);

#endif

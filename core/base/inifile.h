/* inifile - read an INI file (configuration, rules, theme) safely and in linear time
 *
 * Every INI file mqmon reads goes through here, for three reasons:
 * - What the file is: only a regular file is read. A directory, FIFO,
 *   device or socket is refused with a reason (it is opened non-blocking,
 *   so a FIFO without a writer never hangs the start).
 * - What the operator sees: iniparser prints its parse errors to stderr
 *   with the offending line's text (`sudo mqmon --config /etc/shadow` would
 *   print the shadow file). Its error callback is replaced here: a problem
 *   is reported by line number and kind only, never with the content.
 * - What it costs: iniparser's section and key look-ups walk the whole
 *   dictionary on every call, so calling them per section is quadratic.
 *   inifile walks the dictionary once and groups the keys by section.
 *   iniparser's own load is quadratic in the number of entries too, so a
 *   file has a bounded number of lines (INIFILE_MAX_LINES: 0.4 s at most).
 *
 * Limits (doc/configuration.md, doc/rules.md): a line (with its
 * continuation lines) is at most INIFILE_MAX_LINE bytes without its
 * newline (iniparser's buffer), a file at most INIFILE_MAX_LINES lines.
 * Section and key names are lower-cased (iniparser); values keep their
 * case. Keys before the first section belong to the section named "".
 * A section named like a key ([mqmon:theme]) is listed by iniparser as a
 * key without a value: it is left out and said in `notes` for the caller
 * to report with its other problems.
 * Not thread safe (iniparser's error callback is global): load on one thread.
 */
#ifndef MQMON_INIFILE_H
#define MQMON_INIFILE_H

#include <stddef.h>

#include "core/base/strlist.h"
#include "core/base/strmap.h"
#include "core/base/why.h"

#define INIFILE_MAX_LINE 1022		/* bytes in a line, without the newline */
#define INIFILE_MAX_LINES 32768		/* lines in a file */

struct inifile_key {
	const char *name;		/* without "section:" */
	const char *value;
};

struct inifile_section {
	const char *name;
	struct inifile_key *keys;	/* in file order */
	size_t nkeys;
};

struct inifile {
	void *dict;			/* iniparser's dictionary (owns the strings) */
	struct inifile_section *sections;	/* in file order */
	size_t nsections;
	struct inifile_key *keys;	/* storage of every section's keys */
	struct strmap index;		/* section name -> position in sections */
	struct strlist notes;		/* what was not taken: "[mqmon:theme] is a section, not a key" */
};

/* inifile_load - read path (what: "configuration", "rules file", "theme" for messages); 0, or -1 with why */
int inifile_load(struct inifile *f, const char *path, const char *what, struct why *why);

/* inifile_section - the section called name, NULL when the file has none */
const struct inifile_section *inifile_section(const struct inifile *f, const char *name);

/* inifile_get - the value of key in section s (s may be NULL), NULL when absent */
const char *inifile_get(const struct inifile_section *s, const char *key);

/* inifile_free - release everything (f may be zeroed or failed to load) */
void inifile_free(struct inifile *f);

#endif
